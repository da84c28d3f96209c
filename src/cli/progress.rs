//! The progress bar on stderr: shown only when stderr is a terminal, not with --quiet, and only once a run has
//! taken longer than a second (GHG_PROGRESS_AFTER_MS changes that delay, for tests).

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use ghg::calc::{Fallback, Progress, Warning};
use ghg::report::term_text;
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

impl Bar {
    /// Print a line on stderr without tearing the bar.
    pub fn println(&self, line: &str) {
        match &self.bar {
            Some(b) => b.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    }
}

/// Warnings and fallbacks told on stderr, each once however many calculations a command runs (a scenario's
/// baseline and scenario, the years of a reconciliation): for output that goes to a file, or a format that does not
/// carry them.
#[derive(Debug, Default)]
pub struct Echo {
    on: bool,
    fallbacks_on: bool,
    warnings: Vec<Warning>,
    fallbacks: Vec<(&'static str, String, String, String, String, String)>,
}

impl Echo {
    /// Tell on stderr when `on`; otherwise stay silent.
    pub fn new(on: bool) -> Echo {
        Echo { on, fallbacks_on: on, ..Echo::default() }
    }
    /// Tell warnings on stderr when `warnings`, fallbacks when `fallbacks`.
    pub fn split(warnings: bool, fallbacks: bool) -> Echo {
        Echo { on: warnings, fallbacks_on: fallbacks, ..Echo::default() }
    }
    /// The stderr line of a warning not told before.
    pub fn warning(&mut self, w: &Warning) -> Option<String> {
        if !self.on || self.warnings.contains(w) {
            return None;
        }
        self.warnings.push(w.clone());
        let loc = w.location.as_ref().map(|l| format!("{l}: ")).unwrap_or_default();
        Some(format!("warning: [{}] {}", w.code, term_text(&format!("{loc}{}", w.message))))
    }
    /// The stderr line of a fallback not told before (the same factor used for the same rows' region or year).
    pub fn fallback(&mut self, f: &Fallback) -> Option<String> {
        let key =
            (f.kind, f.choice.clone(), f.activity.to_string(), f.wanted.clone(), f.used.clone(), f.factor.to_string());
        if !self.fallbacks_on || self.fallbacks.contains(&key) {
            return None;
        }
        self.fallbacks.push(key);
        let what = if f.kind == "year" {
            format!("year {} (valid for {})", f.wanted, f.used)
        } else {
            format!("region {} (factor of {})", f.wanted, f.used)
        };
        Some(format!(
            "fallback: {} {} for {}: {} used for {what} ({} row{}, first {})",
            f.kind,
            f.choice,
            f.activity,
            f.factor,
            f.rows,
            if f.rows == 1 { "" } else { "s" },
            f.first_row
        ))
        .map(|s| term_text(&s).into_owned())
    }
    /// Tell every warning and fallback of a finished calculation not told before.
    pub fn computation(&mut self, c: &ghg::Computation) {
        self.fallbacks_of(&c.fallbacks);
        self.warnings_of(&c.warnings);
    }
    /// Tell every fallback of a list not told before.
    pub fn fallbacks_of(&mut self, fs: &[Fallback]) {
        for f in fs {
            if let Some(s) = self.fallback(f) {
                eprintln!("{s}");
            }
        }
    }
    /// Tell every warning of a list not told before.
    pub fn warnings_of(&mut self, ws: &[Warning]) {
        for w in ws {
            if let Some(s) = self.warning(w) {
                eprintln!("{s}");
            }
        }
    }
}
