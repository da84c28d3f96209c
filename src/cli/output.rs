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

/// "Did you mean" for a factor set the library does not hold: the nearest set names (of the built-in sets and those
/// of `dirs`) lead the hint. The library's error names the set (`factor set mee-gird@2022 is not in the library`);
/// when only the edition is wrong its hint already lists the editions.
pub fn suggest_sets(mut d: Diagnostics, dirs: &[std::path::PathBuf]) -> Diagnostics {
    if !d.0.iter().any(|e| e.kind == ghg::ErrorKind::UnknownFactorSet) {
        return d;
    }
    let Ok(mut lib) = ghg::FactorLibrary::builtin() else { return d };
    for dir in dirs {
        // A folder that does not load has its own error already.
        let _ = lib.add_dir(dir);
    }
    let ids: std::collections::BTreeSet<&str> = lib.sets().iter().map(|s| s.meta.id.as_str()).collect();
    for e in d.0.iter_mut().filter(|e| e.kind == ghg::ErrorKind::UnknownFactorSet) {
        let Some(key) = e.message.split("factor set ").nth(1).and_then(|r| r.split(" is not in the library").next())
        else {
            continue;
        };
        let (id, edition) = key.split_once('@').unwrap_or((key, ""));
        if ids.contains(id) {
            continue;
        }
        let near: Vec<String> = ghg::suggest::nearest(id, ids.iter().copied())
            .into_iter()
            .map(|n| match lib.get(n, edition) {
                Some(_) => format!("{n}@{edition}"),
                None => n.to_string(),
            })
            .collect();
        if near.is_empty() {
            continue;
        }
        let near: Vec<&str> = near.iter().map(String::as_str).collect();
        let ask = ghg::suggest::did_you_mean(&near);
        e.hint = Some(match e.hint.take() {
            Some(h) => format!("{ask} {h}"),
            None => ask,
        });
    }
    d
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

/// Whether to colour: `--color always|never`, or on a terminal unless `NO_COLOR` is set (to anything but "").
pub fn use_color(choice: ColorChoice, terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    }
}

/// When to colour the statuses of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    /// Always (ANSI escapes even into a file or pipe).
    Always,
    /// Never.
    Never,
}

/// The ANSI colour of a status word: outside red, within yellow, consistent cyan, exact green.
fn status_ansi(word: &str) -> Option<&'static str> {
    match word.trim_end_matches('*') {
        "outside" => Some("31"),
        "within" => Some("33"),
        "consistent" => Some("36"),
        "exact" => Some("32"),
        _ => None,
    }
}

fn paint(word: &str, code: &str) -> String {
    format!("\x1b[{code}m{word}\x1b[0m")
}

/// The reconcile table with its statuses coloured: the status column of the figures (the last column of the table
/// of one year, the `status` rows of the table of several), the status of each finding's figure, and the verdict.
/// Text elsewhere (messages that say "within the precision") is left as it is.
pub fn color_reconcile_table(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 256);
    let mut in_table = false;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches('\n');
        let nl = &line[body.len()..];
        if body.starts_with("figure ") {
            in_table = true;
            out.push_str(line);
            continue;
        }
        if in_table && (body.is_empty() || body.contains(" figure(s): ")) {
            in_table = false;
        }
        let painted = if in_table {
            let trimmed = body.trim_start();
            let years_status = trimmed.starts_with("status ") && body.starts_with(' ');
            if years_status {
                // "status  outside  consistent*  within": every word after the label.
                let mut s = String::new();
                for (i, part) in body.split_inclusive(' ').enumerate() {
                    let w = part.trim_end();
                    match status_ansi(w) {
                        Some(c) if i > 0 => s.push_str(&part.replacen(w, &paint(w, c), 1)),
                        _ => s.push_str(part),
                    }
                }
                s
            } else {
                // One year: the status is the last column ("within", "exact (as printed: 1.8万)", "consistent (rounding)").
                match ["outside", "within", "consistent", "exact"]
                    .iter()
                    .filter_map(|w| body.rfind(&format!("  {w}")).map(|i| (i + 2, *w)))
                    .max_by_key(|(i, _)| *i)
                {
                    Some((i, w)) if body[i + w.len()..].is_empty() || body[i + w.len()..].starts_with(" (") => {
                        format!("{}{}{}", &body[..i], paint(w, status_ansi(w).unwrap_or("0")), &body[i + w.len()..])
                    }
                    _ => body.to_string(),
                }
            }
        } else if let Some(rest) = body.strip_prefix("verdict: ") {
            let code = if rest.ends_with("(exit code 0)") { "1;32" } else { "1;31" };
            paint(body, code)
        } else if let Some((head, tail)) = body.split_once("] ").filter(|(h, _)| {
            h.starts_with("  ") && (h.ends_with("[error") || h.ends_with("[warning") || h.ends_with("[info"))
        }) {
            // A finding group's header: "  2022 scope2.market [error] outside: ...".
            match tail.split_once(':') {
                Some((status, rest)) => {
                    let w = status.split(' ').next().unwrap_or("");
                    match status_ansi(w) {
                        Some(c) => format!("{head}] {}{}:{rest}", paint(w, c), &status[w.len()..]),
                        None => body.to_string(),
                    }
                }
                None => body.to_string(),
            }
        } else {
            body.to_string()
        };
        out.push_str(&painted);
        out.push_str(nl);
    }
    out
}
