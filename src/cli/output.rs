//! Writing to stdout (a closed pipe ends quietly), rendering diagnostics to stderr (control characters escaped),
//! and refusing an output file that is one of the run's inputs.

use std::io::Write;

use std::path::{Path, PathBuf};

use ghg::report::term_text;
use ghg::{Diagnostics, Error, ErrorKind, Inventory, Location};

/// Standard output that treats a closed pipe as a quiet end.
pub struct Out {
    inner: std::io::Stdout,
}

impl Out {
    /// The process's stdout.
    pub fn stdout() -> Self {
        Out { inner: std::io::stdout() }
    }
    /// Write text; on a broken pipe exit quietly with 0 (like `head` closing early). On a terminal, control
    /// characters other than line breaks are shown escaped, whatever the format (CSV and Markdown too).
    pub fn write(&mut self, s: &str) {
        let s = if self.is_terminal() { ghg::report::term_lines(s) } else { std::borrow::Cow::Borrowed(s) };
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
            let _ = writeln!(err, "error: {}", term_text(&e.to_string()));
        }
    } else {
        // The first ones, then the last (which sums up when the list was cut short).
        for e in d.0.iter().take(SHOWN - 1) {
            let _ = writeln!(err, "error: {}", term_text(&e.to_string()));
        }
        let _ = writeln!(err, "... and {} more", d.0.len() - SHOWN);
        if let Some(e) = d.0.last() {
            let _ = writeln!(err, "error: {}", term_text(&e.to_string()));
        }
    }
    if d.0.len() > 1 {
        let _ = writeln!(err, "{} problems found", d.0.len());
    }
}

impl Out {
    /// Write bytes (a workbook) to stdout, with the same broken-pipe handling as [`Out::write`].
    pub fn write_bytes(&mut self, b: &[u8]) {
        if self.is_terminal()
            && let Ok(s) = std::str::from_utf8(b)
        {
            return self.write(s);
        }
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

/// Refuse every output file that is one of the run's inputs (`-o inventory.toml`, `--lines ledger.csv`,
/// `reconcile -o reported.toml`, a file in a factor folder, a lock), through links and hard links, and two
/// outputs that are the same file. `outputs` pairs each file with the option that names it; `more` are other
/// inputs (a scenario file) with their role.
pub fn refuse_outputs_over_inputs(
    outputs: &[(&str, Option<&Path>)],
    inventories: &[&Inventory],
    factor_dirs: &[PathBuf],
    more: &[(&str, Option<&Path>)],
) -> Result<(), Diagnostics> {
    let mut inputs: Vec<(String, PathBuf)> = Vec::new();
    for inv in inventories {
        for (role, p) in inv.input_files() {
            inputs.push((role.to_string(), p));
        }
    }
    inputs.extend(more.iter().filter_map(|(r, p)| p.map(|p| (r.to_string(), p.to_path_buf()))));
    let dirs: Vec<PathBuf> = inventories
        .iter()
        .flat_map(|i| i.factor_paths.iter())
        .chain(factor_dirs)
        .filter_map(|d| std::fs::canonicalize(d).ok())
        .collect();
    let mut d = Diagnostics::new();
    let mut seen: Vec<(&str, &Path)> = Vec::new();
    for (flag, out) in outputs {
        let Some(out) = *out else { continue };
        let refuse = |what: String| {
            Error::new(ErrorKind::Usage, format!("{flag} {} would overwrite {what}", out.display()))
                .at(Location::file(out))
                .hint("write the output to another file")
        };
        if let Some((role, p)) = inputs.iter().find(|(_, p)| ghg::inventory::same_file(out, p)) {
            d.push(refuse(format!("the {role} {} read by this run", p.display())));
        } else if dirs.iter().any(|dir| ghg::inventory::resolve_path(out).starts_with(dir)) {
            d.push(refuse("a file in a factor folder of this run".to_string()));
        } else if let Some((other, _)) = seen.iter().find(|(_, p)| ghg::inventory::same_file(out, p))
            && !std::fs::metadata(out).is_ok_and(|m| !m.is_file())
        {
            d.push(refuse(format!("the output of {other}")));
        }
        seen.push((flag, out));
    }
    d.into_result(())
}

/// Write a rendered output to `file` (atomically; through a link; straight into a device) or to stdout.
pub fn emit(out: &mut Out, file: Option<&Path>, bytes: &[u8]) -> Result<(), Diagnostics> {
    match file {
        Some(path) => ghg::atomic::write(path, bytes)?,
        None => out.write_bytes(bytes),
    }
    Ok(())
}
