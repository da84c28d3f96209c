//! Writing to stdout (a closed pipe ends quietly) and rendering diagnostics to stderr.

use std::io::Write;

use ghg::Diagnostics;

/// Standard output that treats a closed pipe as a quiet end.
pub struct Out {
    inner: std::io::Stdout,
}

impl Out {
    /// The process's stdout.
    pub fn stdout() -> Self {
        Out { inner: std::io::stdout() }
    }
    /// Write text; on a broken pipe exit quietly with 0 (like `head` closing early).
    pub fn write(&mut self, s: &str) {
        self.write_with(|w| w.write_all(s.as_bytes()));
    }

    /// Write through `f` (buffered), with the same handling of a closed pipe: for output too large to build first.
    pub fn write_with(&mut self, f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) {
        let mut w = std::io::BufWriter::with_capacity(1 << 16, self.inner.lock());
        if let Err(e) = f(&mut w).and_then(|_| w.flush()) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
            eprintln!("error: cannot write output: {e}");
            std::process::exit(2);
        }
    }
}

/// Print every problem, one per line, then a count.
pub fn print_diagnostics(d: &Diagnostics) {
    let mut err = std::io::stderr().lock();
    const SHOWN: usize = 50;
    if d.0.len() <= SHOWN {
        for e in &d.0 {
            let _ = writeln!(err, "error: {e}");
        }
    } else {
        // The first ones, then the last (which sums up when the list was cut short).
        for e in d.0.iter().take(SHOWN - 1) {
            let _ = writeln!(err, "error: {e}");
        }
        let _ = writeln!(err, "... and {} more", d.0.len() - SHOWN);
        if let Some(e) = d.0.last() {
            let _ = writeln!(err, "error: {e}");
        }
    }
    if d.0.len() > 1 {
        let _ = writeln!(err, "{} problems found", d.0.len());
    }
}

impl Out {
    /// Write bytes (a workbook) to stdout, with the same broken-pipe handling as [`Out::write`].
    pub fn write_bytes(&mut self, b: &[u8]) {
        let mut lock = self.inner.lock();
        if let Err(e) = lock.write_all(b).and_then(|_| lock.flush()) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
            eprintln!("error: cannot write output: {e}");
            std::process::exit(2);
        }
    }
    /// Whether stdout is a terminal.
    pub fn is_terminal(&self) -> bool {
        std::io::IsTerminal::is_terminal(&self.inner)
    }
}
