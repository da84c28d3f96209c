//! `ghg compute`, `ghg explain`, `ghg check`.

use std::io::Write;
use std::path::Path;

use ghg::calc::{self, ComputeOptions, Line};
use ghg::report::{self, Format};
use ghg::{Diagnostics, Error, ErrorKind, Inventory};

use super::{Common, FormatArg, Out};

fn format_of(f: FormatArg) -> Format {
    match f {
        FormatArg::Table => Format::Table,
        FormatArg::Json => Format::Json,
        FormatArg::Csv => Format::Csv,
        FormatArg::Markdown => Format::Markdown,
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

/// `ghg compute`.
pub fn compute(
    out: &mut Out,
    inventory: &Path,
    format: FormatArg,
    lines: Option<&Path>,
    common: &Common,
) -> Result<u8, Diagnostics> {
    let (inv, lib) = load(inventory, common)?;
    let result = match lines {
        None => calc::compute(&inv, &lib, options(common, format == FormatArg::Json))?,
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
                let r = calc::compute_streaming(&inv, &lib, options(common, false), &mut |l: &Line| {
                    csvw.write_record(line_csv_row(l)).map_err(std::io::Error::other)
                });
                csvw.flush().map_err(|e| Diagnostics::from(Error::io(path, &e)))?;
                r
            } else {
                let w = &mut file.w;
                calc::compute_streaming(&inv, &lib, options(common, false), &mut |l: &Line| {
                    serde_json::to_writer(&mut *w, &report::lines_jsonl_row(l)).map_err(std::io::Error::other)?;
                    w.write_all(b"\n")
                })
            };
            let r = r?;
            file.commit()?;
            r
        }
    };
    let text = match format {
        FormatArg::Json => {
            let mut s = serde_json::to_string_pretty(&report::computation_json(&result)).unwrap_or_default();
            s.push('\n');
            s
        }
        f => report::render_compute(&result, format_of(f), common.places),
    };
    out.write(&text);
    Ok(0)
}

/// `ghg explain`.
pub fn explain(
    out: &mut Out,
    inventory: &Path,
    figure: &str,
    format: FormatArg,
    common: &Common,
) -> Result<u8, Diagnostics> {
    let (inv, lib) = load(inventory, common)?;
    let result = calc::compute(&inv, &lib, options(common, true))?;
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
    let result = calc::compute(&inv, &lib, options(common, false))?;
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
