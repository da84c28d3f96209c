//! The progress bar on stderr: shown only when stderr is a terminal, not with --quiet, and only once a run has
//! taken longer than a second (GHG_PROGRESS_AFTER_MS changes that delay, for tests).

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use ghg::calc::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress bar that appears only when it is useful.
pub struct Bar {
    enabled: bool,
    start: Instant,
    after: Duration,
    bar: Option<ProgressBar>,
    file_index: usize,
}

impl Bar {
    /// A bar for one run; `quiet` hides it.
    pub fn new(quiet: bool) -> Bar {
        let after = std::env::var("GHG_PROGRESS_AFTER_MS")
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
            .map(Duration::from_millis)
            .unwrap_or(Duration::from_secs(1));
        Bar {
            enabled: !quiet && std::io::stderr().is_terminal(),
            start: Instant::now(),
            after,
            bar: None,
            file_index: 0,
        }
    }

    /// Take a progress report from the library.
    pub fn update(&mut self, p: &Progress<'_>) {
        if !self.enabled {
            return;
        }
        if self.bar.is_none() {
            if self.start.elapsed() < self.after {
                return;
            }
            // Drawn only once it shows where the run is: position, elapsed time since the start, a fresh estimate.
            let bar = ProgressBar::with_draw_target(Some(p.total), ProgressDrawTarget::hidden())
                .with_elapsed(self.start.elapsed());
            let style = ProgressStyle::with_template("{msg} [{wide_bar}] {percent:>3}% {elapsed} (eta {eta})")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
            bar.set_style(style);
            bar.set_position(p.done);
            bar.reset_eta();
            bar.set_draw_target(ProgressDrawTarget::stderr());
            self.file_index = p.file_index;
            self.bar = Some(bar);
        }
        if let Some(bar) = &self.bar {
            if p.file_index != self.file_index || bar.length() != Some(p.total) {
                self.file_index = p.file_index;
                bar.set_length(p.total);
            }
            let name = p.file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            bar.set_message(format!("{name} ({}/{}) {} rows", p.file_index + 1, p.files, p.rows));
            bar.set_position(p.done);
        }
    }

    /// Remove the bar.
    pub fn finish(self) {
        if let Some(b) = self.bar {
            b.finish_and_clear();
        }
    }
}
