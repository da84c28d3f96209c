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

/// One CSV row of a calculation line. Every text cell goes through [`report::csv_text`] (a spreadsheet must not
/// read a ledger's text as a formula); the two numbers stay numbers.
fn line_csv_row(l: &Line) -> Vec<String> {
    let refs: Vec<String> = l.factors.iter().map(|f| f.reference.to_string()).collect();
    vec![
        report::csv_text(&l.figure),
        report::csv_text(&l.source.to_string()),
        report::csv_text(&l.entity),
        report::csv_text(&l.period.to_string()),
        report::csv_text(l.activity.name()),
        report::csv_text(&l.region),
        report::csv_text(&l.gas.map(|g| g.to_string()).unwrap_or_default()),
        report::full(l.quantity),
        report::csv_text(&l.unit),
        report::csv_text(&refs.join(" ")),
        report::full(l.value),
        report::csv_text(l.value_unit),
    ]
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
                let r = calc::compute_streaming_with(&inv, &lib, options(common, false), &read, &mut |l: &Line| {
                    csvw.write_record(line_csv_row(l)).map_err(std::io::Error::other)
                });
                csvw.flush().map_err(werr)?;
                r
            } else {
                let mut w = std::io::BufWriter::new(&mut file);
                let r = calc::compute_streaming_with(&inv, &lib, options(common, false), &read, &mut |l: &Line| {
                    serde_json::to_writer(&mut w, &report::lines_jsonl_row(l)).map_err(std::io::Error::other)?;
                    w.write_all(b"\n")
                });
                w.flush().map_err(werr)?;
                r
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
