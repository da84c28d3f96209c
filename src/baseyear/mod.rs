//! The base year and its recalculation (GHG Protocol Corporate Standard, chapter 5).
//!
//! An inventory names its base-year inventory and a recalculation policy:
//!
//! ```toml
//! [base_year]
//! inventory = "../acme-2022/inventory.toml"
//! threshold = "5%"                               # significance threshold, 0 to 100 %
//! triggers = ["structural", "method", "error"]   # what calls for a recalculation
//! acquired = ["acquired-2022.csv"]               # base-year activity of entities that joined since
//! corrections = ["corrections-2022.csv"]         # base-year rows found missing (discovered errors)
//! figure = "total.location"                      # the figure the test is made on (the default)
//! ```
//!
//! **The test.** The change of the test figure from the base year to the current year is attributed by sequential
//! substitution ([`crate::reconcile::attribute`]): its boundary part (entities that joined or left) is the
//! structural change, its factor part the change of method or factors; the error change is the base year
//! recomputed with its corrections less the base year as it was. Each trigger's change is taken as a share of the
//! base-year figure (|change| / base year x 100 %); the base year must be recalculated when the cumulative share of
//! the policy's triggers reaches the threshold.
//!
//! **The recalculation.** The base year is recomputed step by step, each step shown: with its corrections (error);
//! with the base-year activity of the entities that joined since (the `acquired` ledgers) and without the
//! entities that have left (their base-year figures subtracted, structural); at the current inventory's factor
//! choices (method). Only the policy's triggers are applied.
//!
//! ```
//! use std::path::Path;
//! use ghg::{baseyear, calc, Inventory};
//! use rust_decimal_macros::dec;
//!
//! let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/acme-2024");
//! let inv = Inventory::load(&dir.join("inventory.toml")).expect("valid inventory");
//! let lib = ghg::library_for(&inv, &[]).expect("valid factor files");
//! let a = baseyear::assess(&inv, &lib, calc::ComputeOptions::default(), &mut ()).expect("assessed");
//! // The acquisition less the sale: 4,000 MWh x 0.5366 - 500 MWh x 0.5568 = 1,868 t, 20.33 % of 2022's 9,187.2 t.
//! assert_eq!(a.tests[0].change, dec!(1868));
//! assert!(a.required);
//! let total = a.figures.iter().find(|f| f.id == "total.location").expect("recalculated");
//! // (10,000 + 6,200 + 3,800) MWh x 0.5366
//! assert_eq!(total.recalculated, dec!(10732));
//! ```

mod render;

pub use render::{render_json, render_markdown, render_text};

use std::collections::BTreeSet;
use std::path::PathBuf;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::calc::{self, Computation, ComputeOptions, RunOptions};
use crate::error::{Diagnostics, Error, ErrorKind, Location};
use crate::factor::FactorLibrary;
use crate::inventory::Inventory;
use crate::reconcile::{self, Attribution, ReportedFile, Tolerance, YearResult};
use crate::tomlx::TableReader;

/// What may call for a recalculation of the base year (GHG Protocol Corporate Standard, chapter 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// A structural change: acquisition, divestment, merger, outsourcing or insourcing.
    Structural,
    /// A change of calculation method or emission factors.
    Method,
    /// The discovery of errors in the base-year data.
    Error,
}

impl Trigger {
    /// Every trigger, in the order they are shown.
    pub const ALL: [Trigger; 3] = [Trigger::Structural, Trigger::Method, Trigger::Error];
    /// The name as the inventory writes it.
    pub fn name(self) -> &'static str {
        match self {
            Trigger::Structural => "structural",
            Trigger::Method => "method",
            Trigger::Error => "error",
        }
    }
    /// In words, with the part of the attribution it reads.
    pub fn words(self) -> &'static str {
        match self {
            Trigger::Structural => "structural change (boundary part of the attribution)",
            Trigger::Method => "change of method or factors (factor part of the attribution)",
            Trigger::Error => "discovered errors (the base year with its corrections less as it was)",
        }
    }
}

/// The base-year choices of an inventory (`[base_year]`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Policy {
    /// The base-year inventory, resolved against the inventory's folder.
    pub inventory: PathBuf,
    /// Where the inventory names it.
    #[serde(skip)]
    pub inventory_at: Location,
    /// The significance threshold, in % (0 to 100).
    pub threshold: Decimal,
    /// What may call for a recalculation.
    pub triggers: Vec<Trigger>,
    /// Ledgers of the base-year activity of entities that joined the group since the base year.
    pub acquired: Vec<PathBuf>,
    /// Ledgers of base-year rows found missing from the base year's own ledgers.
    pub corrections: Vec<PathBuf>,
    /// The figure the significance test is made on.
    pub figure: String,
    /// Where the inventory states it (or the table, for the default).
    #[serde(skip)]
    pub figure_at: Location,
}

/// The figures recalculated (those computed in the base year).
pub const RECALCULATED: &[&str] = &["scope1", "scope2.location", "scope2.market", "total.location", "total.market"];

/// Parse a percentage: `5%`, `5 %`, `2.5`. None when it is not a number (a percent sign optional).
pub fn parse_percent(s: &str) -> Option<Decimal> {
    let t = s.trim();
    let t = t.strip_suffix('%').map(str::trim_end).unwrap_or(t);
    crate::number::parse(t).ok()
}

/// Read `[base_year]` from the inventory's top level. Problems go to `d`, located in the inventory.
pub fn read_policy(
    top: &mut TableReader<'_, '_, '_>,
    resolve: &dyn Fn(&str) -> PathBuf,
    d: &mut Diagnostics,
) -> Option<Policy> {
    let mut t = top.table_opt("base_year", d)?;
    let n0 = d.0.len();
    let inventory = t.str_req("inventory", d);
    let threshold = match t.str_opt("threshold", d) {
        Some((s, loc)) => match parse_percent(&s) {
            Some(x) if x >= Decimal::ZERO && x <= Decimal::ONE_HUNDRED => Some(x),
            Some(x) => {
                d.push(
                    Error::new(ErrorKind::BadValue, format!("[base_year] threshold {x} % is outside 0-100 %"))
                        .at(loc)
                        .hint("state the significance threshold as a share of base-year emissions, e.g. threshold = \"5%\""),
                );
                None
            }
            None => {
                d.push(
                    Error::new(ErrorKind::BadValue, format!("[base_year] threshold \"{s}\" is not a percentage"))
                        .at(loc)
                        .hint("write threshold = \"5%\""),
                );
                None
            }
        },
        None => {
            if !t.has("threshold") {
                d.push(
                    Error::new(ErrorKind::MissingKey, "[base_year] lacks its significance threshold")
                        .at(t.loc())
                        .hint("add threshold = \"5%\""),
                );
            }
            None
        }
    };
    let mut triggers = Vec::new();
    match t.str_array_opt("triggers", d) {
        Some(list) => {
            let before = d.0.len();
            for (s, loc) in list {
                match Trigger::ALL.iter().find(|x| x.name() == s) {
                    Some(x) if triggers.contains(x) => d.push(
                        Error::new(ErrorKind::BadValue, format!("[base_year] trigger \"{s}\" is listed twice"))
                            .at(loc)
                            .hint("list each trigger once"),
                    ),
                    Some(x) => triggers.push(*x),
                    None => d.push(
                        Error::new(ErrorKind::BadValue, format!("[base_year] trigger \"{s}\" is not known"))
                            .at(loc)
                            .hint("the triggers are structural, method and error, as in the GHG Protocol Corporate Standard, chapter 5"),
                    ),
                }
            }
            if triggers.is_empty() && d.0.len() == before {
                d.push(
                    Error::new(ErrorKind::BadValue, "[base_year] triggers = [] names no trigger")
                        .at(t.loc())
                        .hint("write triggers = [\"structural\", \"method\", \"error\"], or some of them"),
                );
            }
        }
        None => {
            if !t.has("triggers") {
                d.push(
                    Error::new(ErrorKind::MissingKey, "[base_year] lacks its triggers")
                        .at(t.loc())
                        .hint("add triggers = [\"structural\", \"method\", \"error\"]"),
                );
            }
        }
    }
    let acquired = t.str_array_opt("acquired", d).unwrap_or_default().iter().map(|(f, _)| resolve(f)).collect();
    let corrections = t.str_array_opt("corrections", d).unwrap_or_default().iter().map(|(f, _)| resolve(f)).collect();
    let (figure, figure_at) = match t.str_opt("figure", d) {
        Some((f, loc)) => {
            if !RECALCULATED.contains(&f.as_str()) {
                d.push(
                    Error::new(ErrorKind::BadValue, format!("[base_year] figure '{f}' is not an emission figure"))
                        .at(loc.clone())
                        .hint(format!("the test is made on one of {}", RECALCULATED.join(", "))),
                );
            }
            (f, loc)
        }
        None => ("total.location".to_string(), t.loc()),
    };
    t.finish(d);
    let (inventory, inventory_at) = inventory?;
    if d.0.len() != n0 {
        return None;
    }
    Some(Policy {
        inventory: resolve(&inventory),
        inventory_at,
        threshold: threshold?,
        triggers,
        acquired,
        corrections,
        figure,
        figure_at,
    })
}

/// One trigger's change of the test figure and its share of the base-year figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TriggerTest {
    /// The trigger.
    pub trigger: Trigger,
    /// Whether the policy lists it (only those count towards the threshold).
    pub in_policy: bool,
    /// The change, in the figure's unit.
    pub change: Decimal,
    /// |change| / base-year figure x 100, in %.
    pub share: Decimal,
}

/// One figure of the base year, as computed and at each step of its recalculation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecalculatedFigure {
    /// Figure id.
    pub id: String,
    /// Unit.
    pub unit: String,
    /// The base year as its inventory computes it.
    pub original: Decimal,
    /// Each step applied, in order.
    pub steps: Vec<Step>,
    /// The recalculated base-year figure (the last step's).
    pub recalculated: Decimal,
    /// The current year's figure.
    pub current: Option<Decimal>,
}

/// One step of a recalculation: the trigger applied and the figure after it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Step {
    /// The trigger applied.
    pub trigger: Trigger,
    /// The figure after it.
    pub value: Decimal,
}

/// The rows one calculation of the assessment read: read = used + rejected (rejected only with `--lenient`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rows {
    /// Which calculation: `current`, `base year`, or the step (`error`, `structural`, `method`).
    pub calculation: String,
    /// The counts.
    #[serde(flatten)]
    pub counts: calc::RowCounts,
}

/// Whether the base year must be recalculated under the policy, and the recalculated figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    /// The current inventory.
    pub inventory: PathBuf,
    /// The base-year inventory.
    pub base_inventory: PathBuf,
    /// Organisation.
    pub organisation: String,
    /// The base year.
    pub base_year: i32,
    /// The current year.
    pub year: i32,
    /// The policy.
    pub policy: Policy,
    /// The attribution of the test figure from the base year to the current year.
    pub attribution: Attribution,
    /// Each trigger's change and share.
    pub tests: Vec<TriggerTest>,
    /// The sum of the shares of the policy's triggers, in %.
    pub cumulative: Decimal,
    /// Whether the cumulative share reaches the threshold.
    pub required: bool,
    /// The rule, in words.
    pub rule: String,
    /// Entities in the current year but not the base year whose base-year activity the `acquired` ledgers give.
    pub acquired: Vec<String>,
    /// Entities in the current year but not the base year without base-year activity (organic growth: nothing
    /// added to the base year).
    pub without_base_year: Vec<String>,
    /// Entities in the base year but not the current year (their base-year figures are taken out).
    pub divested: Vec<String>,
    /// Base-year figures, as computed and recalculated.
    pub figures: Vec<RecalculatedFigure>,
    /// The rows of every calculation made.
    pub rows: Vec<Rows>,
    /// Rows rejected by any calculation (with `--lenient`; the default stops at the first), with their reasons.
    pub rejected: Vec<Error>,
    /// The current year's computation (for its lock).
    #[serde(skip)]
    pub current: Computation,
    /// The base year's computation as its inventory stands (for its lock).
    #[serde(skip)]
    pub base: Computation,
}

fn at(policy: &Policy) -> impl Fn(Error) -> Error + '_ {
    move |e: Error| if e.location.is_some() { e } else { e.at(policy.figure_at.clone()) }
}

fn year_result(inv: &Inventory, c: Computation) -> YearResult {
    YearResult {
        year: inv.year,
        organisation: c.organisation.clone(),
        inventory: inv.path.clone(),
        boundary: inv.boundary.clone(),
        reported: ReportedFile {
            path: inv.path.clone(),
            sha256: String::new(),
            source: None,
            tolerance: Tolerance::default(),
            figures: Vec::new(),
            checks: Vec::new(),
            changes: Vec::new(),
        },
        computation: c,
        revenue: None,
        figures: Vec::new(),
        findings: Vec::new(),
    }
}

/// The base-year inventory a policy names: it must exist, load, and be of an earlier year.
pub fn load_base(inv: &Inventory) -> Result<(Policy, Inventory), Diagnostics> {
    let Some(policy) = inv.base_year.clone() else {
        return Err(Error::new(ErrorKind::MissingKey, "inventory names no base year")
            .at(Location::file(&inv.path))
            .hint("add [base_year] with inventory = \"../<base year>/inventory.toml\", threshold = \"5%\", triggers = [\"structural\", \"method\", \"error\"]")
            .into());
    };
    if !policy.inventory.is_file() {
        return Err(Error::new(
            ErrorKind::Io,
            format!("base-year inventory {} does not exist", policy.inventory.display()),
        )
        .at(policy.inventory_at.clone())
        .hint("name the base year's inventory.toml, relative to this inventory's folder")
        .into());
    }
    let base = Inventory::load(&policy.inventory)?;
    if base.year >= inv.year {
        return Err(Error::new(
            ErrorKind::BadValue,
            format!("the base year {} is not before the inventory year {}", base.year, inv.year),
        )
        .at(policy.inventory_at.clone())
        .hint("name the inventory of an earlier year")
        .into());
    }
    Ok((policy, base))
}

/// |change| / base x 100, or an error when the base is 0.
fn share(change: Decimal, base: Decimal, policy: &Policy) -> Result<Decimal, Error> {
    change
        .abs()
        .checked_mul(Decimal::ONE_HUNDRED)
        .and_then(|x| x.checked_div(base))
        .ok_or_else(|| Error::overflow(format!("the share of {change} in the base-year {}", policy.figure)))
        .map_err(at(policy))
}

/// A row of an acquired ledger must be of an entity that joined since the base year: one of a base-year entity
/// would add to it twice over (a missed row of the base year is a correction), one of an entity absent from the
/// current year is no acquisition. Each is an error at the row.
fn check_acquired(
    inv: &Inventory,
    c: &Computation,
    policy: &Policy,
    base: &BTreeSet<&String>,
    current: &BTreeSet<&String>,
) -> Result<(), Diagnostics> {
    let mut d = Diagnostics::new();
    let mut seen = BTreeSet::new();
    for l in c.lines.iter().filter(|l| policy.acquired.contains(&l.source.file)) {
        if !seen.insert((l.entity.clone(), l.source.line)) {
            continue;
        }
        if base.contains(&l.entity) {
            d.push(
                Error::new(
                    ErrorKind::BadValue,
                    format!("entity '{}' of an acquired ledger is in the base year already", l.entity),
                )
                .at(crate::group::entity_cell(inv, &l.source))
                .hint("acquired ledgers give the base-year activity of entities that joined since; a row the base year missed goes in corrections"),
            );
        } else if !current.contains(&l.entity) {
            d.push(
                Error::new(
                    ErrorKind::BadValue,
                    format!("entity '{}' of an acquired ledger is not in the current year", l.entity),
                )
                .at(crate::group::entity_cell(inv, &l.source))
                .hint("an acquired entity is one the current year's ledgers name; check the entity's spelling"),
            );
        }
    }
    d.into_result(())
}

/// Decide whether the base year of `inv` must be recalculated under its `[base_year]` policy, and recalculate it.
/// `lib` must hold the factor folders of both inventories.
pub fn assess(
    inv: &Inventory,
    lib: &FactorLibrary,
    settings: impl Into<RunOptions>,
    sink: &mut dyn calc::Sink,
) -> Result<Assessment, Diagnostics> {
    let (policy, base) = load_base(inv)?;
    let settings: RunOptions = settings.into();
    let settings = RunOptions { compute: ComputeOptions { keep_lines: true, ..settings.compute }, ..settings };
    let run = |i: &Inventory, sink: &mut dyn calc::Sink| calc::Calculation::new(i, lib).settings(settings).run(sink);
    let current = run(inv, sink)?;
    let original = run(&base, sink)?;
    let fig = policy.figure.as_str();
    let base_value = match original.figures.get(fig) {
        Some(f) if !f.value.is_zero() => f.value,
        _ => {
            let why = original.not_computed.get(fig).map(|w| format!(": {w}")).unwrap_or_default();
            return Err(Error::new(
                ErrorKind::BadValue,
                format!("the base year {} has no {fig} to test against{why}", base.year),
            )
            .at(policy.figure_at.clone())
            .hint(format!(
                "test on a figure the base year computes and that is not 0: one of {}",
                RECALCULATED.join(", ")
            ))
            .into());
        }
    };
    if !current.figures.contains_key(fig) {
        let why = current.not_computed.get(fig).map(|w| format!(": {w}")).unwrap_or_default();
        return Err(Error::new(ErrorKind::BadValue, format!("the inventory year {} has no {fig}{why}", inv.year))
            .at(policy.figure_at.clone())
            .hint("test on a figure both years compute: figure = \"total.location\"")
            .into());
    }

    // Step 1: corrections.
    let uses = |t: Trigger| policy.triggers.contains(&t);
    let with_files = |files: &[PathBuf]| {
        let mut b = base.clone();
        for f in files {
            b.activity_files.push(f.clone());
            b.ledger_encodings.push(None);
        }
        b
    };
    let corrected_inv = with_files(&policy.corrections);
    let corrected = if policy.corrections.is_empty() { original.clone() } else { run(&corrected_inv, sink)? };

    // The test: attribution of the test figure, base year (as it was) to current year.
    let a_year = year_result(&base, original.clone());
    let b_year = year_result(inv, current.clone());
    let attribution = reconcile::attribute(&a_year, &b_year, fig).map_err(at(&policy))?.ok_or_else(|| {
        Error::new(ErrorKind::BadValue, format!("{fig} has no lines to attribute")).at(policy.figure_at.clone())
    })?;
    let error_change = corrected.figures.get(fig).map(|f| f.value).unwrap_or_default().checked_sub(base_value);
    let error_change =
        error_change.ok_or_else(|| at(&policy)(Error::overflow(format!("the corrections of the base-year {fig}"))))?;
    let mut tests = Vec::new();
    let mut cumulative = Decimal::ZERO;
    for t in Trigger::ALL {
        let change = match t {
            Trigger::Structural => attribution.boundary,
            Trigger::Method => attribution.factors,
            Trigger::Error => error_change,
        };
        let s = share(change, base_value, &policy)?;
        if uses(t) {
            cumulative = cumulative
                .checked_add(s)
                .ok_or_else(|| at(&policy)(Error::overflow("the cumulative share of the triggers")))?;
        }
        tests.push(TriggerTest { trigger: t, in_policy: uses(t), change, share: s });
    }
    let required = cumulative >= policy.threshold;
    let names: Vec<&str> = policy.triggers.iter().map(|t| t.name()).collect();
    let rule = format!(
        "recalculate the base year when the cumulative share of the policy's triggers ({}) in the base-year {fig} \
         reaches the threshold: sum of |change| / {fig} ({}) x 100 >= {} %",
        names.join(", "),
        base.year,
        crate::report::full(policy.threshold)
    );

    // Entities that joined and left.
    let base_entities: BTreeSet<&String> = original.by_entity.keys().collect();
    let current_entities: BTreeSet<&String> = current.by_entity.keys().collect();
    let divested: Vec<String> = base_entities.difference(&current_entities).map(|s| s.to_string()).collect();
    let joined: Vec<String> = current_entities.difference(&base_entities).map(|s| s.to_string()).collect();

    // Steps 2 and 3.
    let mut steps: Vec<(Trigger, Computation, Vec<String>)> = Vec::new();
    if uses(Trigger::Error) && !policy.corrections.is_empty() {
        steps.push((Trigger::Error, corrected.clone(), Vec::new()));
    }
    let mut files: Vec<PathBuf> = if uses(Trigger::Error) { policy.corrections.clone() } else { Vec::new() };
    let mut acquired = Vec::new();
    if uses(Trigger::Structural) {
        files.extend(policy.acquired.iter().cloned());
        let b = with_files(&files);
        let c = run(&b, sink)?;
        check_acquired(&b, &c, &policy, &base_entities, &current_entities)?;
        acquired = joined.iter().filter(|e| c.by_entity.contains_key(*e)).cloned().collect();
        steps.push((Trigger::Structural, c, divested.clone()));
    }
    if uses(Trigger::Method) {
        let mut m = with_files(&files);
        m.factors = inv.factors.clone();
        m.energy = inv.energy.clone();
        m.factor_paths = inv.factor_paths.clone();
        let c = run(&m, sink)?;
        let out = if uses(Trigger::Structural) { divested.clone() } else { Vec::new() };
        steps.push((Trigger::Method, c, out));
    }
    let without_base_year: Vec<String> = if uses(Trigger::Structural) {
        joined.iter().filter(|e| !acquired.contains(e)).cloned().collect()
    } else {
        Vec::new()
    };

    let mut rows = vec![
        Rows { calculation: "current".into(), counts: current.provenance.rows },
        Rows { calculation: "base year".into(), counts: original.provenance.rows },
    ];
    let mut rejected: Vec<Error> = current.rejected.iter().chain(&original.rejected).cloned().collect();
    for (t, c, _) in &steps {
        rows.push(Rows { calculation: t.name().into(), counts: c.provenance.rows });
        for e in &c.rejected {
            if !rejected.contains(e) {
                rejected.push(e.clone());
            }
        }
    }
    let mut figures = Vec::new();
    for id in RECALCULATED {
        let Some(f) = original.figures.get(*id) else { continue };
        let mut rf = RecalculatedFigure {
            id: id.to_string(),
            unit: f.unit.clone(),
            original: f.value,
            steps: Vec::new(),
            recalculated: f.value,
            current: current.figures.get(*id).map(|f| f.value),
        };
        let mut complete = true;
        for (t, c, out) in &steps {
            let Some(v) = c.figures.get(*id) else {
                complete = false;
                break;
            };
            let mut v = v.value;
            for e in out {
                let x = c.by_entity.get(e).and_then(|m| m.get(*id)).map(|f| f.value).unwrap_or_default();
                v = v
                    .checked_sub(x)
                    .ok_or_else(|| at(&policy)(Error::overflow(format!("the base-year {id} without entity {e}"))))?;
            }
            rf.steps.push(Step { trigger: *t, value: v });
            rf.recalculated = v;
        }
        if complete {
            figures.push(rf);
        }
    }
    Ok(Assessment {
        inventory: inv.path.clone(),
        base_inventory: base.path.clone(),
        organisation: current.organisation.clone(),
        base_year: base.year,
        year: inv.year,
        policy,
        attribution,
        tests,
        cumulative,
        required,
        rule,
        acquired,
        without_base_year,
        divested,
        figures,
        rows,
        rejected,
        current,
        base: original,
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use rust_decimal_macros::dec;

    use super::*;

    const HEAD: &str = "organisation = \"t\"\nyear = 2024\nactivity_files = [\"ledger.csv\"]\n[factors]\n\
                        grid = \"mee-grid@2022\"\n[base_year]\n";

    fn parse(policy: &str) -> Result<Option<Policy>, Vec<String>> {
        Inventory::parse(Path::new("dir/inv.toml"), &format!("{HEAD}{policy}"))
            .map(|i| i.base_year)
            .map_err(|d| d.0.iter().map(|e| e.to_string()).collect())
    }

    #[test]
    fn a_percentage_may_carry_its_sign_and_space() {
        assert_eq!(parse_percent("5%"), Some(dec!(5)));
        assert_eq!(parse_percent(" 2.5 % "), Some(dec!(2.5)));
        assert_eq!(parse_percent("10"), Some(dec!(10)));
        assert_eq!(parse_percent("five"), None);
        assert_eq!(parse_percent("5%%"), None);
    }

    #[test]
    fn a_policy_is_read_with_its_paths_resolved_and_the_default_figure() {
        let p = parse(
            "inventory = \"../b/inv.toml\"\nthreshold = \"5 %\"\ntriggers = [\"method\", \"structural\"]\n\
             acquired = [\"a.csv\"]\n",
        )
        .expect("valid")
        .expect("a policy");
        assert_eq!(p.inventory, Path::new("dir/../b/inv.toml"));
        assert_eq!(p.threshold, dec!(5));
        assert_eq!(p.triggers, [Trigger::Method, Trigger::Structural]);
        assert_eq!(p.acquired, [Path::new("dir/a.csv")]);
        assert!(p.corrections.is_empty());
        assert_eq!(p.figure, "total.location");
    }

    #[test]
    fn every_problem_of_a_policy_is_located() {
        let e = parse("inventory = \"b.toml\"\nthreshold = \"-1%\"\ntriggers = [\"error\", \"error\"]\nfigure = \"energy.total\"\n")
            .expect_err("invalid");
        assert_eq!(
            e,
            [
                "dir/inv.toml:8:13: [base_year] threshold -1 % is outside 0-100 % (state the significance threshold as a share of base-year emissions, e.g. threshold = \"5%\")",
                "dir/inv.toml:9:22: [base_year] trigger \"error\" is listed twice (list each trigger once)",
                "dir/inv.toml:10:10: [base_year] figure 'energy.total' is not an emission figure (the test is made on one of scope1, scope2.location, scope2.market, total.location, total.market)",
            ]
        );
        let e = parse("inventory = \"b.toml\"\ntriggers = []\nthreshold = \"x\"\n").expect_err("invalid");
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(e[0].starts_with("dir/inv.toml:9:13: [base_year] threshold \"x\" is not a percentage"), "{e:?}");
        assert!(e[1].starts_with("dir/inv.toml:6:1: [base_year] triggers = [] names no trigger"), "{e:?}");
        let e = parse("inventory = \"b.toml\"\n").expect_err("invalid");
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(e[0].contains("[base_year] lacks its significance threshold"), "{e:?}");
        assert!(e[1].contains("[base_year] lacks its triggers"), "{e:?}");
        let e = parse("threshold = \"5%\"\ntriggers = [\"method\"]\nsurprise = 1\n").expect_err("invalid");
        assert!(e.iter().any(|m| m.contains("inventory")), "{e:?}");
        assert!(e.iter().any(|m| m.contains("surprise")), "{e:?}");
    }
}
