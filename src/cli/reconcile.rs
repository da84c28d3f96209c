//! `ghg reconcile`: reported figures against recomputed ones, for one or several inventories (one per year).

use std::path::PathBuf;

use ghg::reconcile::{self, Reconciliation};
use ghg::report;
use ghg::{Diagnostics, Inventory};

use super::{EXIT_OUTSIDE, Out};

/// Output formats of `ghg reconcile`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReconcileFormat {
    /// Aligned text for people.
    Table,
    /// One JSON object: figures, findings, attribution, provenance; decimals as strings at full precision.
    Json,
    /// The audit working paper.
    Markdown,
    /// An Excel workbook (needs --output FILE).
    Xlsx,
    /// One self-contained HTML report with charts (--lang en|zh).
    Html,
}

/// What a failing internal check of the report does to the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InternalChecks {
    /// It fails the reconciliation (exit code 1).
    Count,
    /// It is reported but does not change the verdict.
    Report,
}

/// Options of `ghg reconcile`.
#[derive(Debug, Clone, clap::Args)]
pub struct ReconcileArgs {
    /// Inventory TOML files, one per year; each names its reported figures (reported = "reported.toml").
    #[arg(required = true, value_name = "INVENTORY")]
    pub inventories: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReconcileFormat::Table)]
    pub format: ReconcileFormat,
    /// Write the output to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Language of the xlsx and html reports.
    #[arg(long, value_enum, default_value_t = super::LangArg::En)]
    pub lang: super::LangArg,
    /// Whether a failing internal check of the report (a sum, an intensity, a stated change the printed figures do
    /// not give) fails the reconciliation (exit code 1) as a figure outside tolerance does (`count`, the default),
    /// or is only reported (`report`).
    #[arg(long, value_enum, default_value_t = InternalChecks::Count, value_name = "HOW")]
    pub internal_checks: InternalChecks,
    /// Colour the statuses of the table: on a terminal unless NO_COLOR is set (auto), always, or never.
    #[arg(long, value_enum, default_value_t = super::output::ColorChoice::Auto, value_name = "WHEN")]
    pub color: super::output::ColorChoice,
    /// Accept changed inputs: rewrite each inventory's ghg.lock (the SHA-256 of every file its figures use).
    #[arg(long)]
    pub update_lock: bool,
    /// --factors, --lenient/--strict, --encoding, --threads, --quiet and --places (of the recomputed values in every
    /// format; reported values stay as printed), as for `ghg compute`.
    #[command(flatten)]
    pub common: super::Common,
}

fn load(args: &ReconcileArgs) -> Result<Reconciliation, Diagnostics> {
    let mut d = Diagnostics::new();
    let mut invs = Vec::new();
    for p in &args.inventories {
        match Inventory::load(p) {
            Ok(i) => invs.push(i),
            Err(e) => d.0.extend(e.0),
        }
    }
    if !d.is_empty() {
        return Err(d);
    }
    super::output::refuse_outputs_over_inputs(
        &[("--output", args.output.as_deref())],
        &invs.iter().collect::<Vec<_>>(),
        &args.common.factor_dirs,
        &[],
    )?;
    let mut lib = ghg::FactorLibrary::builtin()?;
    // Several inventories often share one factor folder: load each folder once.
    let mut dirs: Vec<(PathBuf, PathBuf)> = Vec::new();
    for p in invs.iter().flat_map(|i| i.factor_paths.iter()).chain(&args.common.factor_dirs) {
        let key = std::fs::canonicalize(p).unwrap_or_else(|_| p.clone());
        if !dirs.iter().any(|(k, _)| *k == key) {
            dirs.push((key, p.clone()));
        }
    }
    for (_, dir) in &dirs {
        if let Err(e) = lib.add_dir(dir) {
            d.0.extend(e.0);
        }
    }
    if !d.is_empty() {
        return Err(d);
    }
    // Every format carries the warnings; written to a file, they (and the fallbacks) go to stderr as they come too.
    let echo = args.output.is_some();
    let mut sink = super::compute::CliSink::new(args.common.quiet, None, echo);
    let r = reconcile::reconcile_with(&invs, &lib, super::compute::settings(&args.common, true), &mut sink);
    sink.finish();
    let r = r?;
    // Tamper evidence: a locked file that changed stops the reconciliation (every change of every year is named),
    // until it is accepted with --update-lock.
    for inv in &invs {
        let Some(y) = r.years.iter().find(|y| y.inventory == inv.path) else { continue };
        if args.update_lock {
            ghg::lock::write(inv, &y.computation)?;
        } else if let Err(e) = ghg::lock::verify(inv, &y.computation) {
            d.0.extend(e.0);
        }
    }
    if !d.is_empty() {
        return Err(d);
    }
    Ok(r)
}

/// `ghg reconcile`: exit 1 when any figure is outside tolerance or an internal check of the report fails (unless
/// relaxed), after rendering every figure.
pub fn run(out: &mut Out, args: &ReconcileArgs) -> Result<u8, Diagnostics> {
    let mut r = load(args)?;
    r.internal_checks_count = args.internal_checks == InternalChecks::Count;
    let bytes: Vec<u8> = match args.format {
        ReconcileFormat::Xlsx => {
            report::workbook(&report::reconcile_document(&r, None, args.lang.into(), args.common.places()))?
        }
        ReconcileFormat::Html => {
            report::html(&report::reconcile_document(&r, None, args.lang.into(), args.common.places())).into_bytes()
        }
        ReconcileFormat::Json => {
            let mut s = serde_json::to_string_pretty(&report::reconcile_json(&r)).unwrap_or_default();
            s.push('\n');
            s.into_bytes()
        }
        ReconcileFormat::Markdown => report::render_reconcile_markdown_at(&r, args.common.places).into_bytes(),
        ReconcileFormat::Table => {
            let text = report::render_reconcile_table_at(&r, args.common.places);
            let terminal = args.output.is_none() && out.is_terminal();
            if super::output::use_color(args.color, terminal) {
                super::output::color_reconcile_table(&text).into_bytes()
            } else {
                text.into_bytes()
            }
        }
    };
    let colored = args.format == ReconcileFormat::Table
        && super::output::use_color(args.color, args.output.is_none() && out.is_terminal());
    match &args.output {
        Some(p) => ghg::atomic::write(p, &bytes)?,
        // The table's own text is already free of control characters: the colours' escapes go out as they are.
        None if colored => out.write_with(|w| w.write_all(&bytes)),
        None => out.write_bytes(&bytes),
    }
    Ok(if r.fails() { EXIT_OUTSIDE } else { 0 })
}
