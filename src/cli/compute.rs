//! `ghg compute`, `ghg explain`, `ghg check`.

use std::io::Write;
use std::path::Path;

use ghg::atomic::AtomicFile;
use ghg::calc::{self, ComputeOptions, Line, ReadOptions, RunOptions, Sink};
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

/// What the calculation is told: `--lenient`/`--strict`, whether to keep lines, and how to read the ledgers.
pub fn settings(common: &Common, keep_lines: bool) -> RunOptions {
    RunOptions { compute: ComputeOptions { strict: !common.lenient, keep_lines }, read: read_options(common) }
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

/// Where and how `ghg compute` writes its result.
pub struct Target<'a> {
    /// The format.
    pub format: FormatArg,
    /// A file instead of stdout.
    pub output: Option<&'a Path>,
    /// Language of the xlsx and html reports.
    pub lang: ghg::report::Lang,
    /// Also show the figures by month or quarter.
    pub by_period: Option<ghg::report::Granularity>,
    /// `--uncertainty`, `--seed`, `--draws`.
    pub uncertainty: super::UncertaintyArgs,
}

/// The two approaches of IPCC 2006 Vol. 1 ch. 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ApproachArg {
    /// Error propagation.
    Approach1,
    /// Monte Carlo simulation.
    Approach2,
}

/// The method `--uncertainty`, `--seed` and `--draws` ask for (seed 1 and 10,000 draws unless said); `--seed` or
/// `--draws` with approach1 is a usage error.
fn uncertainty_method(a: &super::UncertaintyArgs) -> Result<Option<ghg::uncertainty::Method>, Diagnostics> {
    use ghg::uncertainty::Method;
    match a.uncertainty {
        None => Ok(None),
        Some(ApproachArg::Approach1) => {
            if a.seed.is_some() || a.draws.is_some() {
                return Err(Error::new(ErrorKind::Usage, "--seed and --draws belong to --uncertainty approach2")
                    .hint("approach1 (error propagation) draws nothing; remove them or use approach2")
                    .into());
            }
            Ok(Some(Method::Approach1))
        }
        Some(ApproachArg::Approach2) => Ok(Some(Method::Approach2 {
            seed: a.seed.unwrap_or(1),
            draws: a.draws.map(|n| n as usize).unwrap_or(10_000),
        })),
    }
}

/// Where calculation lines are written.
type LineSink<'a> = dyn FnMut(&Line) -> std::io::Result<()> + 'a;

/// What the command line hears from a calculation: progress for the bar, lines for a file when one is wanted, and
/// warnings and fallbacks, told on stderr as they come when the output will not show them.
pub struct CliSink<'s, 'f> {
    bar: super::progress::Bar,
    lines: Option<&'s mut LineSink<'f>>,
    echo: super::progress::Echo,
    periods: Option<&'s mut report::PeriodDigest>,
}

impl<'s, 'f> CliSink<'s, 'f> {
    /// A progress bar (none with `--quiet`), the lines handed to `lines`, and warnings and fallbacks on stderr
    /// (each once) when `echo`.
    pub fn new(quiet: bool, lines: Option<&'s mut LineSink<'f>>, echo: bool) -> Self {
        CliSink { bar: super::progress::Bar::new(quiet), lines, echo: super::progress::Echo::new(echo), periods: None }
    }
    /// Also sum every line by period into `periods`.
    pub fn with_periods(mut self, periods: Option<&'s mut report::PeriodDigest>) -> Self {
        self.periods = periods;
        self
    }
    /// Clear the bar.
    pub fn finish(self) {
        self.bar.finish();
    }
}

impl Sink for CliSink<'_, '_> {
    fn wants_lines(&self) -> bool {
        self.lines.is_some() || self.periods.is_some()
    }
    fn line(&mut self, line: &Line) -> std::io::Result<()> {
        if let Some(p) = self.periods.as_deref_mut() {
            p.add(line);
        }
        match self.lines.as_deref_mut() {
            Some(f) => f(line),
            None => Ok(()),
        }
    }
    fn progress(&mut self, p: &calc::Progress<'_>) {
        self.bar.update(p);
    }
    fn warning(&mut self, w: &calc::Warning) {
        if let Some(s) = self.echo.warning(w) {
            self.bar.println(&s);
        }
    }
    fn fallback(&mut self, f: &calc::Fallback) {
        if let Some(s) = self.echo.fallback(f) {
            self.bar.println(&s);
        }
    }
}

/// Compute with the progress bar, keeping lines as `keep` says and streaming them to `sink` as well. With neither,
/// no line is built at all and large ledgers are read by several threads. Warnings and fallbacks go to stderr as
/// they come when `echo`.
fn run_with_progress(
    inv: &Inventory,
    lib: &ghg::FactorLibrary,
    common: &Common,
    keep: bool,
    sink: Option<&mut LineSink<'_>>,
    echo: bool,
    periods: Option<&mut report::PeriodDigest>,
) -> Result<calc::Computation, Diagnostics> {
    let mut s = CliSink::new(common.quiet, sink, echo).with_periods(periods);
    let r = calc::Calculation::new(inv, lib).settings(settings(common, keep)).run(&mut s);
    s.finish();
    r
}

/// Write the rendered output to the target file (atomically) or stdout.
fn emit(out: &mut Out, target: &Target<'_>, bytes: &[u8]) -> Result<(), Diagnostics> {
    super::output::emit(out, target.output, bytes)
}

/// Write an output that is made as it is written: to the target file (atomically) or stdout.
fn write_out(
    out: &mut Out,
    output: Option<&Path>,
    mut write: impl FnMut(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), Diagnostics> {
    match output {
        Some(path) => {
            let mut f = AtomicFile::create(path)?;
            write(&mut f).map_err(|e| Diagnostics::from(Error::io_write(path, &e)))?;
            f.commit()?;
        }
        None => out.write_with(write),
    }
    Ok(())
}

/// `ghg compute`.
pub fn compute(
    out: &mut Out,
    inventory: &Path,
    target: Target<'_>,
    lines: Option<&Path>,
    no_lines: bool,
    common: &Common,
) -> Result<u8, Diagnostics> {
    let format = target.format;
    if format == FormatArg::Xlsx && target.output.is_none() && out.is_terminal() {
        return Err(Error::new(ErrorKind::Usage, "--format xlsx writes a binary workbook, not text for a terminal")
            .hint("add --output report.xlsx (or redirect stdout to a file)")
            .into());
    }
    let method = uncertainty_method(&target.uncertainty)?;
    if method.is_some() && no_lines {
        return Err(Error::new(
            ErrorKind::Usage,
            "--uncertainty needs the calculation lines, and --no-lines drops them",
        )
        .hint("remove --no-lines: a figure's interval is made from its lines")
        .into());
    }
    let (inv, lib) = load(inventory, common)?;
    super::output::refuse_outputs_over_inputs(
        &[("--output", target.output), ("--lines", lines)],
        &[&inv],
        &common.factor_dirs,
        &[],
    )?;
    // Warnings and fallbacks are told on stderr when the output goes to a file or its format (CSV) has no place
    // for them.
    let echo = target.output.is_some() || format == FormatArg::Csv;
    // Lines streamed to a file are not also kept: at scale that would hold every line in memory.
    // The uncertainty of a figure is made from its lines: they are kept when it is asked for.
    let keep = (method.is_some() && !no_lines)
        || (matches!(format, FormatArg::Json | FormatArg::Xlsx | FormatArg::Html) && !no_lines && lines.is_none());
    // The html and xlsx reports take the lines as they are made (bounded memory), not kept in the result.
    let mut streamed = match format {
        FormatArg::Html if keep => Some(report::ComputeReport::html(target.lang, common.places())),
        FormatArg::Xlsx if keep => Some(report::ComputeReport::xlsx(target.lang, common.places())?),
        _ => None,
    };
    let mut periods = target.by_period.map(report::PeriodDigest::new);
    let result = match lines {
        // Streamed to the report, and kept too when the intervals are asked for (they are made from the lines).
        None if let Some(s) = streamed.as_mut() => run_with_progress(
            &inv,
            &lib,
            common,
            method.is_some(),
            Some(&mut |l: &Line| s.line(l).map_err(std::io::Error::other)),
            echo,
            periods.as_mut(),
        )?,
        None => run_with_progress(&inv, &lib, common, keep, None, echo, periods.as_mut())?,
        Some(path) => {
            let mut file = AtomicFile::create(path)?;
            let as_csv = path.extension().is_some_and(|e| e == "csv");
            let werr = |e: std::io::Error| Diagnostics::from(Error::io_write(path, e));
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
                let r = run_with_progress(
                    &inv,
                    &lib,
                    common,
                    keep,
                    Some(&mut |l: &Line| write_line_csv(&mut csvw, l, &mut buf).map_err(std::io::Error::other)),
                    echo,
                    periods.as_mut(),
                );
                csvw.flush().map_err(werr)?;
                r
            } else {
                let w = &mut file;
                run_with_progress(
                    &inv,
                    &lib,
                    common,
                    keep,
                    Some(&mut |l: &Line| {
                        serde_json::to_writer(&mut *w, &report::lines_jsonl_row(l)).map_err(std::io::Error::other)?;
                        w.write_all(b"\n")
                    }),
                    echo,
                    periods.as_mut(),
                )
            };
            // On an error the file is dropped uncommitted: nothing half-written is left behind.
            let r = r?;
            ghg::lock::verify(&inv, &r)?;
            file.commit()?;
            r
        }
    };
    let mut result = result;
    ghg::lock::verify(&inv, &result)?;
    // Rejected rows (with --lenient) are told on stderr too when the output goes to a file (CSV tells them always,
    // below): the file lists them, the terminal must not look clean.
    if target.output.is_some() && format != FormatArg::Csv {
        for e in &result.rejected {
            eprintln!("rejected: {}", report::term_text(&e.to_string()));
        }
    }
    let mut by_period = match &periods {
        Some(p) => Some(p.table(&result)?),
        None => None,
    };
    // The reported figures are an input of the inventory: a broken file is bad input in every format, not only in
    // those that show the comparison.
    if !matches!(format, FormatArg::Table | FormatArg::Markdown) {
        check_reported(&inv, &result)?;
    }
    if let Some(m) = method {
        result.uncertainty = Some(ghg::uncertainty::assess(&result, &inv.uncertainty, &lib, m)?);
    }
    let bytes: Vec<u8> = match format {
        FormatArg::Json => {
            // Written as it is made: by_entity and lines grow with the ledger.
            let write = |w: &mut dyn Write| -> std::io::Result<()> {
                report::write_computation_json_with(&mut result, by_period.as_ref(), w)?;
                w.write_all(b"\n")
            };
            write_out(out, target.output, write)?;
            return Ok(0);
        }
        FormatArg::Csv => {
            let mut s = report::render_compute(&result, format_of(format), common.places());
            if let Some(b) = &by_period {
                s.push_str(&report::by_period_csv_rows(b, common.places()));
            }
            // Rows read, used and rejected, as counts (numbers stay numbers); the reasons go to stderr.
            let r = &result.provenance.rows;
            s.push_str(&format!(
                "rows.read,{},rows,\nrows.used,{},rows,\nrows.rejected,{},rows,\n",
                r.read, r.used, r.rejected
            ));
            s.push_str(&report::uncertainty_csv_rows(&result, common.places()));
            for e in &result.rejected {
                eprintln!("rejected: {}", report::term_text(&e.to_string()));
            }
            s.into_bytes()
        }
        FormatArg::Xlsx | FormatArg::Html if let Some(mut s) = streamed.take() => {
            if let Some(b) = by_period.take() {
                s.set_by_period(b);
            }
            let mut s = Some(s);
            let write = |w: &mut dyn Write| -> std::io::Result<()> {
                s.take().map_or(Ok(()), |s| s.finish_into(&result, Some(&lib), w).map_err(std::io::Error::other))
            };
            write_out(out, target.output, write)?;
            return Ok(0);
        }
        FormatArg::Xlsx => {
            let mut doc = report::compute_document(&result, Some(&lib), target.lang, common.places());
            if let Some(b) = &by_period {
                report::add_by_period(&mut doc, b, common.places());
            }
            report::workbook(&doc)?
        }
        FormatArg::Html => {
            let mut doc = report::compute_document(&result, Some(&lib), target.lang, common.places());
            if let Some(b) = &by_period {
                report::add_by_period(&mut doc, b, common.places());
            }
            report::html(&doc).into_bytes()
        }
        f => {
            let mut text = report::render_compute(&result, format_of(f), common.places());
            if let Some(b) = &by_period {
                text.push_str(&report::render_by_period(b, common.places(), f == FormatArg::Markdown));
            }
            if matches!(f, FormatArg::Table | FormatArg::Markdown) {
                text.push_str(&reported_section(&inv, &result, f == FormatArg::Markdown)?);
            }
            text.into_bytes()
        }
    };
    emit(out, &target, &bytes)?;
    Ok(0)
}

/// When the inventory names its reported figures, show each beside the recomputed one, so a gap is visible in
/// the compute output itself (`ghg reconcile` gives the findings and the exit code). The comparison is
/// `ghg reconcile`'s own; a reported file that cannot be read or names what is not a figure is bad input.
/// The inventory's reported figures, read and compared as `ghg reconcile` would (a problem is located bad input).
fn check_reported(inv: &ghg::Inventory, result: &ghg::Computation) -> Result<(), Diagnostics> {
    if let Some(path) = &inv.reported {
        let reported = ghg::reconcile::ReportedFile::load(path)?;
        ghg::reconcile::compare_figures(inv, result, &reported)?;
    }
    Ok(())
}

fn reported_section(inv: &ghg::Inventory, result: &ghg::Computation, md: bool) -> Result<String, Diagnostics> {
    use std::fmt::Write as _;
    let Some(path) = &inv.reported else { return Ok(String::new()) };
    let mut o = String::new();
    let head = format!("reported figures ({}; `ghg reconcile` explains the gaps)", path.display());
    let reported = ghg::reconcile::ReportedFile::load(path)?;
    let figures = ghg::reconcile::compare_figures(inv, result, &reported)?;
    let rel = |f: &ghg::reconcile::FigureResult| {
        f.relative.map(|r| format!("{}%", report::fmt_dec(r * ghg::Decimal::ONE_HUNDRED, 2))).unwrap_or_default()
    };
    if md {
        let _ = writeln!(
            o,
            "\n## {head}\n\n| figure | printed | recomputed | difference | relative | status |\n|---|---:|---:|---:|---:|---|"
        );
        for f in &figures {
            let _ = writeln!(
                o,
                "| `{}` | {} | {} | {} | {} | {} |",
                f.id,
                report::md_text(&f.printed.text),
                f.at_precision(),
                report::fmt_dec(f.difference, f.detail_places()),
                rel(f),
                f.status.name()
            );
        }
        return Ok(o);
    }
    let _ = writeln!(o, "{head}:");
    let w = figures.iter().map(|f| f.id.len()).max().unwrap_or(6);
    let _ = writeln!(
        o,
        "  {:<w$}  {:>14}  {:>12}  {:>9}  {:<10}  printed",
        "figure", "recomputed", "difference", "relative", "status"
    );
    for f in &figures {
        let _ = writeln!(
            o,
            "  {:<w$}  {:>14}  {:>12}  {:>9}  {:<10}  {}",
            f.id,
            f.at_precision(),
            report::fmt_dec(f.difference, f.detail_places()),
            rel(f),
            f.status.name(),
            report::term_text(&f.printed.text)
        );
    }
    Ok(o)
}

/// `ghg explain`.
pub fn explain(
    out: &mut Out,
    inventory: &Path,
    figure: &str,
    format: FormatArg,
    uncertainty: &super::UncertaintyArgs,
    common: &Common,
) -> Result<u8, Diagnostics> {
    let method = uncertainty_method(uncertainty)?;
    if matches!(format, FormatArg::Xlsx | FormatArg::Html) {
        return Err(Error::new(ErrorKind::Usage, "explain writes --format table or json")
            .hint("ghg compute --format xlsx|html writes every line with its citations")
            .into());
    }
    let (inv, lib) = load(inventory, common)?;
    let mut result = run_with_progress(&inv, &lib, common, true, None, false, None)?;
    // A trace of changed inputs is no trace of the locked ones.
    ghg::lock::verify(&inv, &result)?;
    if let Some(m) = method {
        result.uncertainty = Some(ghg::uncertainty::assess(&result, &inv.uncertainty, &lib, m)?);
    }
    // JSON carries the warnings; the trace table does not, so they go to stderr (once the lock holds).
    super::progress::Echo::split(format != FormatArg::Json, false).computation(&result);
    let rows = result.provenance.rows;
    let Some(t) = calc::trace_in(&result, &inv, figure)? else {
        if let Some(why) = result.not_computed.get(figure) {
            return Err(Error::new(ErrorKind::Usage, format!("{figure} is not computed: {why}")).into());
        }
        let ids: Vec<&str> = result.ordered_ids();
        return Err(Error::new(ErrorKind::Usage, format!("no figure '{figure}' in this inventory"))
            .hint(ghg::suggest::hint(figure, ids.iter().copied(), &format!("figures: {}", ids.join(", "))))
            .into());
    };
    let text = match format {
        FormatArg::Json => {
            let mut v = report::trace_json(&t);
            v["rows"] = serde_json::json!({"read": rows.read, "used": rows.used, "rejected": rows.rejected});
            if let Some(rule) = allocation_rule(&t, &result) {
                v["allocation_rule"] = rule.into();
            }
            if let Some(u) = report::uncertainty_json(&result, figure) {
                v["uncertainty"] = u;
            }
            // As in `compute --format json`.
            v["warnings"] = result
                .warnings
                .iter()
                .map(|w| {
                    serde_json::json!({
                        "code": w.code, "message": w.message, "location": w.location.as_ref().map(|l| l.to_string()),
                    })
                })
                .collect();
            let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
            s.push('\n');
            s
        }
        _ => {
            let mut s = report::render_explain(&t, common.places());
            if let Some(a) = &result.uncertainty {
                s.push_str(
                    &report::uncertainty_explain_line(a, figure, t.figure.value, &t.figure.unit, common.places())
                        .unwrap_or_default(),
                );
            }
            if let Some(rule) = allocation_rule(&t, &result) {
                s.push_str(&format!("certificate allocation order: {rule}\n"));
            }
            s.push_str(&format!("rows: {} read, {} used, {} rejected\n", rows.read, rows.used, rows.rejected));
            s
        }
    };
    out.write(&text);
    Ok(0)
}

/// The certificate allocation rule, stated once beside a trace whose lines include certificate deductions (each
/// line names only its place in the order).
fn allocation_rule<'a>(t: &calc::Trace<'_>, result: &'a calc::Computation) -> Option<&'a str> {
    let certified = t.lines.iter().any(|l| l.activity == ghg::Activity::Certificate);
    (certified && !result.scope2.rule.is_empty()).then_some(result.scope2.rule.as_str())
}

/// `ghg check`: everything `compute` validates, without printing figures; then ghg.lock.
pub fn check(out: &mut Out, inventory: &Path, update_lock: bool, common: &Common) -> Result<u8, Diagnostics> {
    let (inv, lib) = load(inventory, common)?;
    let result = run_with_progress(&inv, &lib, common, false, None, false, None)?;
    check_reported(&inv, &result)?;
    let lock = if update_lock {
        let (path, n) = ghg::lock::write(&inv, &result)?;
        format!("; wrote {} ({n} files)", path.display())
    } else {
        format!("; {}", ghg::lock::describe(&inv, ghg::lock::verify(&inv, &result)?))
    };
    // check prints counts: the warnings and fallbacks themselves go to stderr.
    super::progress::Echo::new(true).computation(&result);
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
