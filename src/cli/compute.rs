//! `ghg compute`, `ghg explain`, `ghg check`.

use std::io::Write;
use std::path::Path;

use ghg::atomic::AtomicFile;
use ghg::calc::{self, ComputeOptions, Line, ReadOptions};
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

/// How to read the ledgers: `--threads`, `--encoding`.
pub fn read_options(common: &Common) -> ReadOptions {
    ReadOptions {
        threads: common.threads.map(usize::from).unwrap_or(0),
        encoding: common.encoding,
        chunk_bytes: common.chunk_bytes.unwrap_or(0),
    }
}

/// Write one calculation line as a CSV row. Every text cell goes through [`report::csv_cell`] (a spreadsheet must
/// not read a ledger's text as a formula); the two numbers stay numbers. `buf` is reused between rows.
fn write_line_csv<W: Write>(w: &mut csv::Writer<W>, l: &Line, buf: &mut String) -> csv::Result<()> {
    use std::fmt::Write as _;
    let text = |w: &mut csv::Writer<W>, s: &str| w.write_field(report::csv_cell(s).as_bytes());
    text(w, &l.figure)?;
    buf.clear();
    let _ = write!(buf, "{}", l.source);
    text(w, buf)?;
    text(w, &l.entity)?;
    buf.clear();
    let _ = write!(buf, "{}", l.period);
    text(w, buf)?;
    text(w, l.activity.name())?;
    text(w, &l.region)?;
    buf.clear();
    if let Some(g) = l.gas {
        let _ = write!(buf, "{g}");
    }
    text(w, buf)?;
    w.write_field(report::full(l.quantity))?;
    text(w, &l.unit)?;
    buf.clear();
    for (i, f) in l.factors.iter().enumerate() {
        if i > 0 {
            buf.push(' ');
        }
        let _ = write!(buf, "{}", f.reference);
    }
    text(w, buf)?;
    w.write_field(report::full(l.value))?;
    text(w, l.value_unit)?;
    w.write_record(None::<&[u8]>)
}

/// `ghg compute`.
pub fn compute(
    out: &mut Out,
    inventory: &Path,
    format: FormatArg,
    lines: Option<&Path>,
    no_lines: bool,
    common: &Common,
) -> Result<u8, Diagnostics> {
    let (inv, lib) = load(inventory, common)?;
    let read = read_options(common);
    let result = match lines {
        None => calc::compute_with(&inv, &lib, options(common, format == FormatArg::Json && !no_lines), &read)?,
        Some(path) => {
            let mut file = AtomicFile::create(path)?;
            let as_csv = path.extension().is_some_and(|e| e == "csv");
            let werr = |e: std::io::Error| {
                Diagnostics::from(Error::new(ErrorKind::Io, format!("cannot write: {e}")).at(ghg::Location::file(path)))
            };
            if as_csv {
                writeln!(
                    file,
                    "figure,source,entity,period,activity,region,gas,quantity,unit,factors,value,value_unit"
                )
                .map_err(werr)?;
            }
            let r = if as_csv {
                let mut csvw = csv::WriterBuilder::new().has_headers(false).from_writer(&mut file);
                let mut buf = String::new();
                let r = calc::compute_streaming_with(&inv, &lib, options(common, false), &read, &mut |l: &Line| {
                    write_line_csv(&mut csvw, l, &mut buf).map_err(std::io::Error::other)
                });
                csvw.flush().map_err(werr)?;
                r
            } else {
                let w = &mut file;
                calc::compute_streaming_with(&inv, &lib, options(common, false), &read, &mut |l: &Line| {
                    serde_json::to_writer(&mut *w, &report::lines_jsonl_row(l)).map_err(std::io::Error::other)?;
                    w.write_all(b"\n")
                })
            };
            // On an error the file is dropped uncommitted: nothing half-written is left behind.
            let r = r?;
            file.commit()?;
            r
        }
    };
    let mut result = result;
    let text = match format {
        FormatArg::Json => {
            // Written as it is made: by_entity and lines grow with the ledger.
            out.write_with(|w| {
                report::write_computation_json(&mut result, w)?;
                w.write_all(b"\n")
            });
            return Ok(0);
        }
        FormatArg::Csv => {
            let mut s = report::render_compute(&result, format_of(format), common.places);
            // Rows read, used and rejected, as counts (numbers stay numbers); reasons go to stderr.
            let r = &result.provenance.rows;
            s.push_str(&format!(
                "rows.read,{},rows,\nrows.used,{},rows,\nrows.rejected,{},rows,\n",
                r.read, r.used, r.rejected
            ));
            for e in &result.rejected {
                eprintln!("rejected: {e}");
            }
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
    let result = calc::compute_with(&inv, &lib, options(common, true), &read_options(common))?;
    let rows = result.provenance.rows;
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
            let mut v = report::trace_json(&t);
            v["rows"] = serde_json::json!({"read": rows.read, "used": rows.used, "rejected": rows.rejected});
            let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
            s.push('\n');
            s
        }
        _ => {
            let mut s = report::render_explain(&t, common.places);
            s.push_str(&format!("rows: {} read, {} used, {} rejected\n", rows.read, rows.used, rows.rejected));
            s
        }
    };
    out.write(&text);
    Ok(0)
}

/// `ghg check`: everything `compute` validates, without printing figures; then ghg.lock.
pub fn check(out: &mut Out, inventory: &Path, update_lock: bool, common: &Common) -> Result<u8, Diagnostics> {
    let (inv, lib) = load(inventory, common)?;
    let result = calc::compute_with(&inv, &lib, options(common, false), &read_options(common))?;
    let lock = if update_lock {
        let (path, n) = ghg::lock::write(&inv, &result)?;
        format!("; wrote {} ({n} files)", path.display())
    } else {
        match ghg::lock::verify(&inv, &result)? {
            ghg::lock::LockStatus::Absent => String::new(),
            ghg::lock::LockStatus::Matches(n) => {
                format!("; {} matches ({n} files)", ghg::lock::lock_path(&inv).display())
            }
        }
    };
    let r = &result.provenance.rows;
    out.write(&format!(
        "ok: {} ({}), {} ledger file(s), rows: {} read, {} used, {} rejected; {} factor file(s); {} fallback(s), {} warning(s){lock}\n",
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
