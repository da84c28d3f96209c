//! `ghg scenario INVENTORY [SCENARIO.toml]`: baseline vs scenario, sweeps (table, CSV, SVG) and targets.

use std::path::{Path, PathBuf};

use ghg::report::{self, Format};
use ghg::scenario::{self, Change, ChangeKind, Scenario, SweepSpec, TargetSpec};
use ghg::{Diagnostics, Error, ErrorKind, Location};
use rust_decimal::Decimal;

use super::{Common, EXIT_OUTSIDE, FormatArg, Out};

/// Options of `ghg scenario` (the short flags add changes after the scenario file's own).
#[derive(Debug, Clone, clap::Args)]
pub struct ScenarioArgs {
    /// The inventory TOML.
    pub inventory: PathBuf,
    /// The scenario TOML (optional when short flags state the changes).
    pub scenario: Option<PathBuf>,
    /// Remove every certificate row of the ledger.
    #[arg(long)]
    pub remove_certificates: bool,
    /// Add MWh of certificates (a company-level purchase, allocated by the inventory's rule).
    #[arg(long, value_name = "MWH")]
    pub add_certificates: Option<String>,
    /// Price of the added certificates, per MWh ("30" means 30 CNY/MWh; or "30 元/MWh"); with --add-certificates,
    /// or with --target (certificates as the lever: the answer's cost).
    #[arg(long, value_name = "PRICE")]
    pub price: Option<String>,
    /// Market of the added certificates (default: the market with the most grid electricity).
    #[arg(long, value_name = "REGION", requires = "add_certificates")]
    pub market: Option<String>,
    /// Instrument of the added certificates (GEC, I-REC, green-power-trade, PPA).
    #[arg(long, value_name = "TYPE", default_value = "GEC", requires = "add_certificates")]
    pub instrument: String,
    /// Add on-site PV, MWh (displaces grid electricity of the entity using the most).
    #[arg(long, value_name = "MWH", conflicts_with = "pv_mw")]
    pub pv: Option<String>,
    /// Add on-site PV by capacity, MW (with --pv-hours).
    #[arg(long, value_name = "MW", requires = "pv_hours")]
    pub pv_mw: Option<String>,
    /// Full-load hours of the PV capacity.
    #[arg(long, value_name = "HOURS", requires = "pv_mw")]
    pub pv_hours: Option<String>,
    /// Scale an activity: ACTIVITY=FACTOR (e.g. natural_gas=0.9); may repeat.
    #[arg(long, value_name = "ACTIVITY=FACTOR")]
    pub scale: Vec<String>,
    /// Use another grid set or edition (SET@EDITION); a residual from the same set follows the edition.
    #[arg(long, value_name = "SET@EDITION")]
    pub grid: Option<String>,
    /// Use another residual factor (SET@EDITION:ID).
    #[arg(long, value_name = "SET@EDITION:ID")]
    pub residual: Option<String>,
    /// Sweep a parameter: NAME=FROM..TO:STEP (e.g. certificates=0..100000:10000).
    #[arg(long, value_name = "NAME=FROM..TO:STEP")]
    pub sweep: Option<String>,
    /// Write the sweep as CSV to FILE.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Write the sweep as an SVG chart to FILE.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
    /// Solve for the smallest lever amount meeting FIGURE<=VALUE (or <, >=, >).
    #[arg(long, value_name = "FIGURE<=VALUE")]
    pub target: Option<String>,
    /// The lever of --target (default certificates): certificates, onsite_pv, onsite_pv.mw, switch.share, ...
    #[arg(long, value_name = "PARAM")]
    pub lever: Option<String>,
    /// The lever's largest amount to consider.
    #[arg(long, value_name = "AMOUNT")]
    pub lever_max: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Table)]
    pub format: FormatArg,
    /// Write the output to FILE (atomically) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Language of the xlsx and html reports.
    #[arg(long, value_enum, default_value_t = super::LangArg::En)]
    pub lang: super::LangArg,
    #[command(flatten)]
    pub common: Common,
}

fn usage(msg: String, hint: &str) -> Diagnostics {
    Error::new(ErrorKind::Usage, msg).hint(hint).into()
}

fn dec(flag: &str, s: &str) -> Result<Decimal, Diagnostics> {
    match ghg::number::parse(s) {
        Ok(v) if v >= Decimal::ZERO => Ok(v),
        Ok(_) => Err(usage(format!("--{flag} '{s}' is negative"), "e.g. 50000 or 1234.5")),
        Err(why) => Err(usage(format!("--{flag} '{s}' is not a decimal number: {why}"), "e.g. 50000 or 1234.5")),
    }
}

fn change(flag: &str, kind: ChangeKind) -> Change {
    Change { kind, location: Location::file(format!("--{flag}")), label: None, cost: None }
}

/// The scenario: the file's changes, then the short flags' changes.
fn build(a: &ScenarioArgs) -> Result<Scenario, Diagnostics> {
    let mut s = match &a.scenario {
        Some(p) => Scenario::load(p)?,
        None => Scenario::empty("command line"),
    };
    let mut flags = Vec::new();
    if a.remove_certificates {
        flags.push("remove-certificates");
        s.changes.push(change(
            "remove-certificates",
            ChangeKind::RemoveCertificates { filter: Default::default(), mwh: None },
        ));
    }
    // A price with a target and no purchase of its own: the target's certificates (its default lever) cost it.
    let lever_is_certificates =
        a.lever.as_deref().is_none_or(|l| l.starts_with("certificates") || l == "add_certificates");
    let priced_target =
        a.add_certificates.is_none() && a.price.is_some() && a.target.is_some() && lever_is_certificates;
    if a.price.is_some() && a.add_certificates.is_none() && !priced_target {
        return Err(usage(
            "--price prices certificates: it needs --add-certificates, or --target with certificates as the lever"
                .into(),
            "e.g. --add-certificates 50000 --price 30, or --target \"intensity.total.market<=1.80\" --price 30",
        ));
    }
    let zero = "0".to_string();
    let add = a.add_certificates.as_ref().or(priced_target.then_some(&zero));
    if let Some(m) = add {
        flags.push("add-certificates");
        let price = match &a.price {
            None => None,
            Some(p) => {
                let text = if p.trim().chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',') {
                    format!("{p} CNY/MWh")
                } else {
                    p.clone()
                };
                Some(
                    scenario::parse_price(&text)
                        .map_err(|m| usage(m, "write --price 30 (CNY/MWh) or --price \"30 元/MWh\""))?,
                )
            }
        };
        s.changes.push(change(
            "add-certificates",
            ChangeKind::AddCertificates {
                mwh: dec("add-certificates", m)?,
                instrument: ghg::calc::instrument_name(Some(&a.instrument)),
                market: a.market.as_deref().map(ghg::region::normalize),
                entity: None,
                vintage: None,
                supplier_factor: None,
                price,
            },
        ));
    }
    if a.pv.is_some() || a.pv_mw.is_some() {
        flags.push("pv");
        let (mwh, mw, hours) = match (&a.pv, &a.pv_mw, &a.pv_hours) {
            (Some(m), _, _) => (Some(dec("pv", m)?), None, None),
            (None, Some(w), Some(h)) => (None, Some(dec("pv-mw", w)?), Some(dec("pv-hours", h)?)),
            _ => return Err(usage("--pv-mw needs --pv-hours".into(), "e.g. --pv-mw 10 --pv-hours 1100")),
        };
        s.changes.push(change(
            "pv",
            ChangeKind::OnsitePv { mwh, mw, hours, entity: None, region: None, displaces_grid: true },
        ));
    }
    for x in &a.scale {
        flags.push("scale");
        let (act, f) = x
            .split_once('=')
            .ok_or_else(|| usage(format!("--scale '{x}' is not ACTIVITY=FACTOR"), "e.g. --scale natural_gas=0.9"))?;
        let activity = act.trim().parse().map_err(|_| {
            usage(format!("--scale: unknown activity '{act}'"), "e.g. natural_gas, gasoline, electricity")
        })?;
        s.changes.push(change(
            "scale",
            ChangeKind::Scale { activity, factor: dec("scale", f)?, entity: None, region: None },
        ));
    }
    if let Some(g) = &a.grid {
        flags.push("grid");
        let r = ghg::FactorRef::parse(g)
            .ok_or_else(|| usage(format!("--grid '{g}' is not SET@EDITION"), "e.g. --grid mee-grid@2023"))?;
        s.changes.push(change("grid", ChangeKind::Factor { choice: "grid".into(), reference: r }));
    }
    if let Some(g) = &a.residual {
        flags.push("residual");
        let r = ghg::FactorRef::parse(g).filter(|r| r.id.is_some()).ok_or_else(|| {
            usage(
                format!("--residual '{g}' is not SET@EDITION:ID"),
                "e.g. --residual mee-grid@2022:grid.national.excl_market_nonfossil",
            )
        })?;
        s.changes.push(change("residual", ChangeKind::Residual { reference: r }));
    }
    if a.scenario.is_none() && !flags.is_empty() {
        s.name = format!("--{}", flags.join(" --"));
    }
    if let Some(x) = &a.sweep {
        s.sweep = Some(SweepSpec::parse(x).map_err(|m| usage(m, "e.g. --sweep certificates=0..100000:10000"))?);
    }
    if let Some(x) = &a.target {
        let mut t = TargetSpec::parse(x).map_err(|m| usage(m, "e.g. --target \"intensity.total.market<=1.80\""))?;
        if let Some(l) = &a.lever {
            t.lever = Some(l.clone());
        }
        if let Some(m) = &a.lever_max {
            t.lever_max = Some(dec("lever-max", m)?);
        }
        s.target = Some(t);
    } else if let Some(t) = s.target.as_mut() {
        if let Some(l) = &a.lever {
            t.lever = Some(l.clone());
        }
        if let Some(m) = &a.lever_max {
            t.lever_max = Some(dec("lever-max", m)?);
        }
    }
    Ok(s)
}

fn format_of(f: FormatArg) -> Format {
    match f {
        FormatArg::Json => Format::Json,
        FormatArg::Csv => Format::Csv,
        FormatArg::Markdown => Format::Markdown,
        FormatArg::Table | FormatArg::Xlsx | FormatArg::Html => Format::Table,
    }
}

/// Write a file atomically (a temporary file beside it, then renamed).
fn write_file(path: &Path, text: &str) -> Result<(), Diagnostics> {
    Ok(ghg::atomic::write(path, text.as_bytes())?)
}

/// `ghg scenario`.
pub fn scenario(out: &mut Out, a: &ScenarioArgs) -> Result<u8, Diagnostics> {
    let (inv, lib) = super::compute::load(&a.inventory, &a.common)?;
    super::output::refuse_outputs_over_inputs(
        &[("--output", a.output.as_deref()), ("--csv", a.csv.as_deref()), ("--svg", a.svg.as_deref())],
        &[&inv],
        &a.common.factor_dirs,
        &[("scenario", a.scenario.as_deref())],
    )?;
    let s = build(a)?;
    // Warnings go to stderr, each once, when the output will not show them: written to a file, as CSV, or a sweep or
    // target (whose tables have no place for them); a table or Markdown shows only the scenario's own warnings, so
    // the baseline's go to stderr; fallbacks always (no scenario format lists them).
    let to_stderr = a.output.is_some() || a.format == FormatArg::Csv || s.sweep.is_some() || s.target.is_some();
    let mut echo = super::progress::Echo::new(true);
    let tell = |echo: &mut super::progress::Echo, r: &scenario::ScenarioRun| {
        echo.fallbacks_of(&r.baseline.fallbacks);
        echo.fallbacks_of(&r.result.fallbacks);
        if to_stderr {
            echo.warnings_of(&r.warnings);
            echo.warnings_of(&r.baseline.warnings);
            echo.warnings_of(&r.result.warnings);
        } else if matches!(a.format, FormatArg::Table | FormatArg::Markdown) {
            echo.warnings_of(&r.baseline.warnings);
        }
    };
    // --lenient/--strict, --encoding, --threads: the baseline, every step and the ledger basis read alike.
    let options = super::compute::settings(&a.common, false);
    let format = format_of(a.format);
    let places = a.common.places();
    if (a.csv.is_some() || a.svg.is_some()) && s.sweep.is_none() {
        return Err(usage(
            "--csv and --svg write a sweep; give --sweep too".into(),
            "e.g. --sweep certificates=0..100000:10000 --svg chart.svg",
        ));
    }
    if s.sweep.is_some() || s.target.is_some() {
        // The runs of a sweep or target keep only their figures: the baseline is computed here, with the progress
        // bar, to check the lock and to tell its warnings and fallbacks (once the lock holds).
        let mut sink = super::compute::CliSink::new(a.common.quiet, None, false);
        let base = ghg::calc::Calculation::new(&inv, &lib).settings(options).run(&mut sink);
        sink.finish();
        let base = base?;
        ghg::lock::verify(&inv, &base)?;
        echo.computation(&base);
    }
    let mut code = 0;
    // Parts of the output; JSON with more than one part becomes one object keyed by part.
    let mut parts: Vec<(&str, String, serde_json::Value)> = Vec::new();
    let json = format == Format::Json;
    if matches!(a.format, FormatArg::Xlsx | FormatArg::Html) && (s.sweep.is_some() || s.target.is_some()) {
        // A format renders what it is given, or refuses: these documents hold a scenario, not a sweep or a target.
        let what = if s.sweep.is_some() { "a sweep" } else { "a target" };
        let f = if a.format == FormatArg::Xlsx { "xlsx" } else { "html" };
        return Err(usage(
            format!("--format {f} renders a scenario against its baseline, not {what}"),
            "use --format table, markdown, json or csv for a sweep or target; --csv FILE and --svg FILE write a sweep's table and chart",
        ));
    }
    if matches!(a.format, FormatArg::Xlsx | FormatArg::Html) {
        let r = scenario::run(&inv, &lib, &s, options)?;
        // A changed locked file stops a scenario as it stops compute: its baseline would not be the locked one.
        ghg::lock::verify(&inv, &r.baseline)?;
        tell(&mut echo, &r);
        let doc = report::scenario_document(&r, Some(&lib), a.lang.into(), places);
        let bytes = if a.format == FormatArg::Xlsx { report::workbook(&doc)? } else { report::html(&doc).into_bytes() };
        match &a.output {
            Some(p) => ghg::atomic::write(p, &bytes)?,
            None => out.write_bytes(&bytes),
        }
        return Ok(0);
    }
    if s.sweep.is_none() && s.target.is_none() {
        let r = scenario::run(&inv, &lib, &s, options)?;
        // A changed locked file stops a scenario as it stops compute: its baseline would not be the locked one.
        ghg::lock::verify(&inv, &r.baseline)?;
        tell(&mut echo, &r);
        if format == Format::Csv {
            // CSV holds the counts; the reasons go to stderr, as for `ghg compute`.
            for e in r.rejected.iter().chain(&r.scenario_rejected) {
                eprintln!("rejected: {}", report::term_text(&e.to_string()));
            }
        }
        let text = if json { String::new() } else { report::render_scenario(&r, format, places) };
        parts.push(("scenario", text, if json { report::scenario_json(&r) } else { serde_json::Value::Null }));
    }
    if let Some(spec) = &s.sweep {
        let (p, points) = scenario::sweep(&inv, &lib, &s, spec, options)?;
        // Named after the lever swept (a command-line scenario's name is its flags), or the scenario file's name.
        let title = match &a.scenario {
            None => format!("{} {}: {}", inv.organisation, inv.year, p.label),
            Some(_) => format!("{} {}: {}", inv.organisation, inv.year, s.name),
        };
        if let Some(path) = &a.csv {
            write_file(path, &report::sweep_csv(&p, &points))?;
        }
        if let Some(path) = &a.svg {
            write_file(path, &ghg::report::svg::sweep::chart_with_target(&title, &p, &points, s.target.as_ref()))?;
        }
        if format == Format::Csv {
            // Every row rejected at any point, once.
            let mut seen: Vec<&Error> = Vec::new();
            for e in points.iter().flat_map(|p| &p.rejected) {
                if !seen.contains(&e) {
                    eprintln!("rejected: {}", report::term_text(&e.to_string()));
                    seen.push(e);
                }
            }
        }
        let text = if json { String::new() } else { report::render_sweep(&title, &p, &points, format, places) };
        parts.push((
            "sweep",
            text,
            if json { report::sweep_json(&title, &p, &points) } else { serde_json::Value::Null },
        ));
    }
    if let Some(t) = &s.target {
        let sol = scenario::solve(&inv, &lib, &s, t, options)?;
        if !sol.reachable {
            code = EXIT_OUTSIDE;
        }
        if format == Format::Csv {
            for e in &sol.rejected {
                eprintln!("rejected: {}", report::term_text(&e.to_string()));
            }
        }
        let text = if json { String::new() } else { report::render_solution(&sol, format, places) };
        parts.push(("target", text, if json { report::solution_json(&sol) } else { serde_json::Value::Null }));
    }
    let text = if json {
        let v = if parts.len() == 1 {
            parts.pop().map(|p| p.2).unwrap_or_default()
        } else {
            serde_json::Value::Object(parts.into_iter().map(|(k, _, v)| (k.to_string(), v)).collect())
        };
        let mut t = serde_json::to_string_pretty(&v).unwrap_or_default();
        t.push('\n');
        t
    } else {
        parts.into_iter().map(|p| p.1).collect::<Vec<_>>().join("\n")
    };
    super::output::emit(out, a.output.as_deref(), text.as_bytes())?;
    Ok(code)
}
