//! `ghg base-year`: whether the base year must be recalculated under the inventory's policy, and the recalculated
//! base-year figures.

use std::path::PathBuf;

use ghg::{Diagnostics, Inventory, baseyear};

use super::Out;

/// Output formats of `ghg base-year`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BaseYearFormat {
    /// Aligned text for people (also `--format text`).
    #[value(alias = "text")]
    Table,
    /// One JSON object; decimals as strings at full precision.
    Json,
    /// A Markdown document.
    Markdown,
}

/// Options of `ghg base-year`.
#[derive(Debug, Clone, clap::Args)]
pub struct BaseYearArgs {
    /// The inventory TOML of the current year; its [base_year] names the base-year inventory and the policy.
    pub inventory: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = BaseYearFormat::Table)]
    pub format: BaseYearFormat,
    /// Write the output to FILE (atomically) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// --factors, --lenient/--strict, --encoding, --threads, --quiet and --places, as for `ghg compute`.
    #[command(flatten)]
    pub common: super::Common,
}

/// `ghg base-year`: exit 0 whether or not a recalculation is required (the verdict is in the output), 2 on bad
/// input.
pub fn run(out: &mut Out, args: &BaseYearArgs) -> Result<u8, Diagnostics> {
    let inv = Inventory::load(&args.inventory)?;
    let (policy, base) = baseyear::load_base(&inv)?;
    let extra: Vec<(&str, Option<&std::path::Path>)> = (policy.acquired.iter().map(|p| ("acquired ledger", p)))
        .chain(policy.corrections.iter().map(|p| ("corrections ledger", p)))
        .map(|(role, p)| (role, Some(p.as_path())))
        .collect();
    super::output::refuse_outputs_over_inputs(
        &[("--output", args.output.as_deref())],
        &[&inv, &base],
        &args.common.factor_dirs,
        &extra,
    )?;
    let mut lib = ghg::FactorLibrary::builtin()?;
    let mut d = Diagnostics::new();
    let mut seen: Vec<PathBuf> = Vec::new();
    for dir in inv.factor_paths.iter().chain(&base.factor_paths).chain(&args.common.factor_dirs) {
        let key = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.clone());
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        if let Err(e) = lib.add_dir(dir) {
            d.0.extend(e.0);
        }
    }
    if !d.is_empty() {
        return Err(d);
    }
    // The output shows no warnings or fallbacks of the calculations: each goes to stderr, once, as it comes.
    let mut sink = super::compute::CliSink::new(args.common.quiet, None, true);
    let a = baseyear::assess(&inv, &lib, super::compute::settings(&args.common, true), &mut sink);
    sink.finish();
    let a = a?;
    // Tamper evidence: a changed file that either year's lock records stops the assessment, as it stops compute.
    for (i, c) in [(&inv, &a.current), (&base, &a.base)] {
        if let Err(e) = ghg::lock::verify(i, c) {
            d.0.extend(e.0);
        }
    }
    if !d.is_empty() {
        return Err(d);
    }
    let places = args.common.places();
    let bytes = match args.format {
        BaseYearFormat::Table => baseyear::render_text(&a, places).into_bytes(),
        BaseYearFormat::Markdown => baseyear::render_markdown(&a, places).into_bytes(),
        BaseYearFormat::Json => {
            let mut s = serde_json::to_string_pretty(&baseyear::render_json(&a)).unwrap_or_default();
            s.push('\n');
            s.into_bytes()
        }
    };
    match &args.output {
        Some(p) => ghg::atomic::write(p, &bytes)?,
        None => out.write_bytes(&bytes),
    }
    Ok(0)
}
