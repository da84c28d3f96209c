//! `ghg compute`, `ghg explain`, `ghg check`.

use std::io::Write;
use std::path::Path;

use ghg::calc::{self, ComputeOptions, Line};
use ghg::report::{self, Format};
use ghg::{Diagnostics, Error, ErrorKind, Inventory};

use super::{Common, FormatArg, Out};

fn format_of(f: FormatArg) -> Format {
    match f {
        FormatArg::Json => Format::Json,
        FormatArg::Csv => Format::Csv,
        FormatArg::Markdown => Format::Markdown,
        FormatArg::Table | FormatArg::Xlsx | FormatArg::Html => Format::Table,
    }
}

/// Load the inventory and its library.
pub fn load(inventory: &Path, common: &Common) -> Result<(Inventory, ghg::FactorLibrary), Diagnostics> {
    let inv = Inventory::load(inventory)?;
    let lib = ghg::library_for(&inv, &common.factor_dirs)?;
    Ok((inv, lib))
}

fn options(common: &Common, keep_lines: bool) -> ComputeOptions {
    ComputeOptions { strict: !common.lenient, keep_lines }
}

/// A file written atomically: to `<name>.tmp` first, renamed into place on success.
struct AtomicFile {
    tmp: std::path::PathBuf,
    path: std::path::PathBuf,
    w: std::io::BufWriter<std::fs::File>,
}

impl AtomicFile {
    fn create(path: &Path) -> Result<Self, Error> {
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = std::path::PathBuf::from(tmp);
        let f = std::fs::File::create(&tmp).map_err(|e| {
            Error::new(ErrorKind::Io, format!("cannot create {}: {e}", tmp.display())).at(ghg::Location::file(path))
        })?;
        Ok(AtomicFile { tmp, path: path.to_path_buf(), w: std::io::BufWriter::new(f) })
    }
    fn commit(mut self) -> Result<(), Error> {
        self.w.flush().map_err(|e| Error::io(&self.tmp, &e))?;
        std::fs::rename(&self.tmp, &self.path).map_err(|e| Error::io(&self.path, &e))
    }
}

fn line_csv_row(l: &Line) -> Vec<String> {
    let refs: Vec<String> = l.factors.iter().map(|f| f.reference.to_string()).collect();
    vec![
        l.figure.clone(),
        l.source.to_string(),
        report::csv_text(&l.entity),
        l.period.to_string(),
        l.activity.name().to_string(),
        report::csv_text(&l.region),
        l.gas.map(|g| g.to_string()).unwrap_or_default(),
        report::full(l.quantity),
        l.unit.clone(),
        refs.join(" "),
        report::full(l.value),
        l.value_unit.to_string(),
    ]
}

/// Where and how `ghg compute` writes its result.
pub struct Target<'a> {
    /// The format.
    pub format: FormatArg,
    /// A file instead of stdout.
    pub output: Option<&'a Path>,
    /// Language of the xlsx and html reports.
    pub lang: ghg::report::Lang,
}

/// Compute with the progress bar, keeping lines as `keep` says and streaming them to `sink` as well.
fn run_with_progress(
    inv: &Inventory,
    lib: &ghg::FactorLibrary,
    common: &Common,
    keep: bool,
    sink: &mut dyn FnMut(&Line) -> std::io::Result<()>,
) -> Result<calc::Computation, Diagnostics> {
    let mut bar = super::progress::Bar::new(common.quiet);
    let mut kept = Vec::new();
    let r = calc::compute_streaming_with_progress(
        inv,
        lib,
        options(common, false),
        &mut |l: &Line| {
            if keep {
                kept.push(l.clone());
            }
            sink(l)
        },
        &mut |p| bar.update(p),
    );
    bar.finish();
    let mut c = r?;
    c.lines = kept;
    Ok(c)
}

/// Write the rendered output to the target file (atomically) or stdout.
fn emit(out: &mut Out, target: &Target<'_>, bytes: &[u8]) -> Result<(), Diagnostics> {
    match target.output {
        Some(path) => {
            let mut f = AtomicFile::create(path)?;
            f.w.write_all(bytes).map_err(|e| Diagnostics::from(Error::io(path, &e)))?;
            f.commit()?;
        }
        None => out.write_bytes(bytes),
    }
    Ok(())
}

/// `ghg compute`.
pub fn compute(
    out: &mut Out,
    inventory: &Path,
    target: Target<'_>,
    lines: Option<&Path>,
    common: &Common,
) -> Result<u8, Diagnostics> {
    let format = target.format;
    if format == FormatArg::Xlsx && target.output.is_none() && out.is_terminal() {
        return Err(Error::new(ErrorKind::Usage, "--format xlsx writes a binary workbook, not text for a terminal")
            .hint("add --output report.xlsx (or redirect stdout to a file)")
            .into());
    }
    let (inv, lib) = load(inventory, common)?;
    let keep = matches!(format, FormatArg::Json | FormatArg::Xlsx | FormatArg::Html);
    let result = match lines {
        None => run_with_progress(&inv, &lib, common, keep, &mut |_| Ok(()))?,
        Some(path) => {
            let mut file = AtomicFile::create(path)?;
            let as_csv = path.extension().is_some_and(|e| e == "csv");
            if as_csv {
                let _ = writeln!(
                    file.w,
                    "figure,source,entity,period,activity,region,gas,quantity,unit,factors,value,value_unit"
                );
            }
            let r = if as_csv {
                let mut csvw = csv::WriterBuilder::new().has_headers(false).from_writer(&mut file.w);
                let r = run_with_progress(&inv, &lib, common, keep, &mut |l: &Line| {
                    csvw.write_record(line_csv_row(l)).map_err(std::io::Error::other)
                });
                csvw.flush().map_err(|e| Diagnostics::from(Error::io(path, &e)))?;
                r
            } else {
                let w = &mut file.w;
                run_with_progress(&inv, &lib, common, keep, &mut |l: &Line| {
                    serde_json::to_writer(&mut *w, &report::lines_jsonl_row(l)).map_err(std::io::Error::other)?;
                    w.write_all(b"\n")
                })
            };
            let r = r?;
            file.commit()?;
            r
        }
    };
    let bytes: Vec<u8> = match format {
        FormatArg::Json => {
            let mut s = serde_json::to_string_pretty(&report::computation_json(&result)).unwrap_or_default();
            s.push('\n');
            s.into_bytes()
        }
        FormatArg::Xlsx => {
            let doc = report::compute_document(&result, Some(&lib), target.lang, common.places);
            report::workbook(&doc)?
        }
        FormatArg::Html => {
            let doc = report::compute_document(&result, Some(&lib), target.lang, common.places);
            report::html(&doc).into_bytes()
        }
        f => {
            let mut text = report::render_compute(&result, format_of(f), common.places);
            if matches!(f, FormatArg::Table | FormatArg::Markdown) {
                text.push_str(&reported_section(&inv, &lib, &result, f == FormatArg::Markdown));
            }
            text.into_bytes()
        }
    };
    emit(out, &target, &bytes)?;
    Ok(0)
}

/// When the inventory names its reported figures, show each beside the recomputed one, so a gap is visible in
/// the compute output itself (`ghg reconcile` gives the findings and the exit code).
fn reported_section(inv: &ghg::Inventory, lib: &ghg::FactorLibrary, result: &ghg::Computation, md: bool) -> String {
    use std::fmt::Write as _;
    let Some(path) = &inv.reported else { return String::new() };
    let mut o = String::new();
    let head = format!("reported figures ({}; `ghg reconcile` explains the gaps)", path.display());
    let year = ghg::reconcile::ReportedFile::load(path)
        .and_then(|rf| ghg::reconcile::reconcile_year(inv, lib, result.clone(), rf));
    let year = match year {
        Ok(y) => y,
        Err(d) => {
            let _ = writeln!(
                o,
                "{}{head}: not compared: {}",
                if md { "\n## " } else { "\n" },
                d.0.first().map(|e| e.to_string()).unwrap_or_default()
            );
            return o;
        }
    };
    let rel = |f: &ghg::reconcile::FigureResult| {
        f.relative.map(|r| format!("{}%", report::fmt_dec(r * ghg::Decimal::ONE_HUNDRED, 2))).unwrap_or_default()
    };
    if md {
        let _ = writeln!(
            o,
            "\n## {head}\n\n| figure | printed | recomputed | difference | relative | status |\n|---|---:|---:|---:|---:|---|"
        );
        for f in &year.figures {
            let _ = writeln!(
                o,
                "| `{}` | {} | {} | {} | {} | {} |",
                f.id,
                f.printed.text,
                f.at_precision(),
                report::fmt_dec(f.difference, f.detail_places()),
                rel(f),
                f.status.name()
            );
        }
        return o;
    }
    let _ = writeln!(o, "{head}:");
    let w = year.figures.iter().map(|f| f.id.len()).max().unwrap_or(6);
    let _ = writeln!(
        o,
        "  {:<w$}  {:>14}  {:>12}  {:>9}  {:<10}  printed",
        "figure", "recomputed", "difference", "relative", "status"
    );
    for f in &year.figures {
        let _ = writeln!(
            o,
            "  {:<w$}  {:>14}  {:>12}  {:>9}  {:<10}  {}",
            f.id,
            f.at_precision(),
            report::fmt_dec(f.difference, f.detail_places()),
            rel(f),
            f.status.name(),
            f.printed.text
        );
    }
    o
}

/// `ghg explain`.
pub fn explain(
    out: &mut Out,
    inventory: &Path,
    figure: &str,
    format: FormatArg,
    common: &Common,
) -> Result<u8, Diagnostics> {
    if matches!(format, FormatArg::Xlsx | FormatArg::Html) {
        return Err(Error::new(ErrorKind::Usage, "explain writes --format table or json")
            .hint("ghg compute --format xlsx|html writes every line with its citations")
            .into());
    }
    let (inv, lib) = load(inventory, common)?;
    let result = run_with_progress(&inv, &lib, common, true, &mut |_| Ok(()))?;
    let revenue = inv
        .denominator("revenue")
        .map(|d| format!(" ({} {})", report::full(d.quantity.value), d.quantity.unit.symbol()));
    let Some(t) = calc::trace(&result, figure, revenue) else {
        let ids: Vec<&str> = result.ordered_ids();
        return Err(Error::new(ErrorKind::Usage, format!("no figure '{figure}' in this inventory"))
            .hint(format!("figures: {}", ids.join(", ")))
            .into());
    };
    let text = match format {
        FormatArg::Json => {
            let mut s = serde_json::to_string_pretty(&report::trace_json(&t)).unwrap_or_default();
            s.push('\n');
            s
        }
        _ => report::render_explain(&t, common.places),
    };
    out.write(&text);
    Ok(0)
}

/// `ghg check`: everything `compute` validates, without printing figures.
pub fn check(out: &mut Out, inventory: &Path, common: &Common) -> Result<u8, Diagnostics> {
    let (inv, lib) = load(inventory, common)?;
    let result = run_with_progress(&inv, &lib, common, false, &mut |_| Ok(()))?;
    let r = &result.provenance.rows;
    out.write(&format!(
        "ok: {} ({}), {} ledger file(s), rows: {} read, {} used, {} rejected; {} factor file(s); {} fallback(s), {} warning(s)\n",
        inv.path.display(),
        inv.year,
        inv.activity_files.len(),
        r.read,
        r.used,
        r.rejected,
        result.provenance.factor_files.len(),
        result.fallbacks.len(),
        result.warnings.len()
    ));
    Ok(0)
}
