//! Audit reconciliation: figures as a report prints them against the figures `ghg` recomputes.
//!
//! A printed figure is an interval, not a point: "0.56" stands for `[0.555, 0.565)` (see [`crate::printed`]).
//! Each reported figure gets a [`Status`]:
//!
//! * `exact`: the recomputed value, rounded the way the report rounds (half away from zero, at the printed
//!   places and multiplier), equals the printed value;
//! * `consistent`: not exact, but the recomputed interval (value ± the half-width propagated from ledger rows that
//!   state their printed `precision`) overlaps the printed interval (more than an end), or a finding explains the
//!   whole gap by printed precision (then named in [`FigureResult::explained_by`]): agreement as good as the printed
//!   inputs allow;
//! * `within`: |recomputed − reported| ≤ the tolerance the reported file states (per figure or global; absolute,
//!   relative, or the larger of both);
//! * `outside`: none of these.
//!
//! Figures that are not `exact` or `consistent` get [findings](Finding) that say what would reproduce them
//! (implied factor and the library factors that reproduce the figure, implied activity, rounding, propagation from
//! parts). The report's own internal relations (parts add to totals, intensities, "of which", stated changes) are
//! checked without any recomputation; one that fails fails the reconciliation ([`Reconciliation::fails`]) unless
//! relaxed. Several years at once get a [change attribution](Attribution).
//!
//! ```
//! use std::path::Path;
//! use ghg::{calc, reconcile, Inventory};
//!
//! let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/reconcile/basic");
//! let inv = Inventory::load(&dir.join("inventory.toml")).expect("valid inventory");
//! let lib = ghg::library_for(&inv, &[]).expect("valid factor files");
//! let r = reconcile::reconcile_inventories(&[inv], &lib, calc::ComputeOptions::default()).expect("reconciles");
//! let s2 = r.years[0].figures.iter().find(|f| f.id == "scope2.market").expect("scope2.market is reported");
//! // 800 MWh x 0.5366 = 429.28 recomputed; the report prints 445.44 (= 800 x 0.5568, the 2021 edition)
//! assert_eq!(s2.status, reconcile::Status::Outside);
//! assert_eq!(r.outside(), 4);
//! ```

mod attribution;
mod findings;
mod internal;
mod reported;
mod unit;

pub use attribution::{Attribution, attribute};
pub use findings::{Candidate, Finding, FindingKind, Outcome};
pub use reported::{Check, Direction, Relation, ReportedFigure, ReportedFile, StatedChange, Tolerance};
pub use unit::{FigureUnit, same_dimension};

use std::collections::BTreeMap;
use std::path::PathBuf;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::calc::{self, Computation, ComputeOptions, RunOptions};
use crate::error::{Diagnostics, Error, ErrorKind, Location};
use crate::factor::FactorLibrary;
use crate::figure;
use crate::inventory::Inventory;
use crate::printed::PrintedNumber;
use crate::units::{Dimension, Unit};

/// How a reported figure compares with the recomputed one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Equal at the printed precision.
    Exact,
    /// The intervals of reported and recomputed overlap, given the precision of printed inputs.
    Consistent,
    /// Inside the tolerance the reported file states.
    Within,
    /// None of the above.
    Outside,
}

impl Status {
    /// The name used in every output.
    pub fn name(self) -> &'static str {
        match self {
            Status::Exact => "exact",
            Status::Consistent => "consistent",
            Status::Within => "within",
            Status::Outside => "outside",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One reported figure against its recomputation. All values are in the printed unit (multiplier applied).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FigureResult {
    /// Figure id.
    pub id: String,
    /// Inventory year.
    pub year: i32,
    /// The figure as printed.
    pub printed: PrintedNumber,
    /// The unit the comparison is made in (the printed one, or the figure's when the report prints none).
    pub unit: String,
    /// Where in the report.
    pub locator: Option<String>,
    /// The recomputed value at full precision.
    pub recomputed: Decimal,
    /// Half-width of the recomputed interval, when ledger rows state their printed precision.
    pub half_width: Option<Decimal>,
    /// recomputed − reported.
    pub difference: Decimal,
    /// difference / |reported| (None when the reported value is 0).
    pub relative: Option<Decimal>,
    /// The absolute allowance used (0 when no tolerance is stated).
    pub tolerance: Decimal,
    /// How the allowance is stated, and where ("relative 0.02 (global)").
    pub tolerance_rule: String,
    /// The verdict.
    pub status: Status,
    /// When the status is `consistent` because a finding explains the whole gap (the report summed rounded parts,
    /// the precision of a printed input): that finding's kind and what it says, in a few words.
    pub explained_by: Option<String>,
}

impl FigureResult {
    /// The recomputed value at the reported precision ("1.8万", "14,376.12").
    pub fn at_precision(&self) -> String {
        self.printed.render_like(self.recomputed)
    }
    /// Decimal places that show the recomputed value two digits beyond the printed precision, in the unit.
    pub fn detail_places(&self) -> u32 {
        let k = self.printed.multiplier.normalize().to_string().len().saturating_sub(1) as u32;
        self.printed.places.saturating_sub(k) + 2
    }
}

/// Where the revenue denominator comes from and its value in millions of its currency.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Revenue {
    /// Revenue in millions.
    pub million: Decimal,
    /// Currency code.
    pub currency: String,
}

/// The reconciliation of one inventory (one year).
#[derive(Debug, Clone, Serialize)]
pub struct YearResult {
    /// Inventory year.
    pub year: i32,
    /// Organisation.
    pub organisation: String,
    /// The inventory file.
    pub inventory: PathBuf,
    /// The inventory's organisational boundary, as it states it.
    pub boundary: Option<String>,
    /// The reported-figures file, parsed.
    pub reported: ReportedFile,
    /// The recomputation (with its lines and provenance).
    #[serde(skip)]
    pub computation: Computation,
    /// The revenue denominator, if the inventory has one in money.
    pub revenue: Option<Revenue>,
    /// Every reconciled figure, in the order of the reported file.
    pub figures: Vec<FigureResult>,
    /// Findings: explanations and internal checks.
    pub findings: Vec<Finding>,
}

impl YearResult {
    /// How many figures are outside tolerance.
    pub fn outside(&self) -> usize {
        self.figures.iter().filter(|f| f.status == Status::Outside).count()
    }
    /// Figures reported only (not recomputed), used by the internal checks.
    pub fn reported_only(&self) -> impl Iterator<Item = &ReportedFigure> {
        self.reported.figures.iter().filter(|f| !f.reconcile)
    }
}

/// A reconciliation of one or several inventories.
#[derive(Debug, Clone, Serialize)]
pub struct Reconciliation {
    /// One result per inventory, by year.
    pub years: Vec<YearResult>,
    /// Change attributions between consecutive years.
    pub attributions: Vec<Attribution>,
    /// Whether a failing internal check of the report (a sum, an intensity, a stated change that the printed
    /// figures do not give) fails the reconciliation, as a figure outside tolerance does. True unless relaxed.
    pub internal_checks_count: bool,
}

impl Reconciliation {
    /// How many figures, over all years, are outside tolerance.
    pub fn outside(&self) -> usize {
        self.years.iter().map(YearResult::outside).sum()
    }
    /// How many internal checks of the report fail, over all years.
    pub fn failing_checks(&self) -> usize {
        self.findings().filter(|f| f.kind.is_internal() && f.outcome == Outcome::Fails).count()
    }
    /// Whether the reconciliation fails: a figure outside tolerance, or a failing internal check of the report
    /// (unless [`internal_checks_count`](Self::internal_checks_count) is relaxed). `ghg reconcile` exits 1 then.
    pub fn fails(&self) -> bool {
        self.outside() > 0 || (self.internal_checks_count && self.failing_checks() > 0)
    }
    /// Every finding of every year, in year order.
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.years.iter().flat_map(|y| y.findings.iter())
    }
}

/// The figures whose change between years is attributed.
pub const ATTRIBUTED: &[&str] = &[
    figure::SCOPE1.as_str(),
    figure::SCOPE2_LOCATION.as_str(),
    figure::SCOPE2_MARKET.as_str(),
    figure::ENERGY_TOTAL.as_str(),
];

/// The revenue denominator of an inventory in millions of its currency.
pub fn revenue_million(inv: &Inventory) -> Option<Revenue> {
    let d = inv.denominator("revenue")?;
    let Dimension::Money(cur) = d.quantity.unit.dimension() else { return None };
    let million = Unit::parse(&format!("million {cur}")).ok()?;
    let v = crate::units::convert(d.quantity.value, &d.quantity.unit, &million).ok()?;
    Some(Revenue { million: v, currency: cur.to_string() })
}

/// The recomputed counterpart of a reported id: value, unit, half-width.
fn recomputed(inv: &Inventory, c: &Computation, id: &str) -> Option<(Decimal, FigureUnit, Option<Decimal>)> {
    if let Some(name) = id.strip_prefix("denominator.") {
        let d = inv.denominator(name)?;
        return Some((d.quantity.value, FigureUnit { num: d.quantity.unit.clone(), den: None }, None));
    }
    let f = c.figures.get(id)?;
    let unit = FigureUnit::parse(&f.unit).ok()?;
    Some((f.value, unit, f.half_width))
}

/// Whether the closed interval `[lo, hi]` meets the printed interval of `p` (half-open the way `p` rounds).
pub(crate) fn meets(p: &PrintedNumber, lo: Decimal, hi: Decimal) -> bool {
    if lo >= hi {
        return p.contains(lo);
    }
    // The intervals share more than an end: a one-sided touch of the rounding interval is no agreement.
    let (Some(plo), Some(phi)) = (p.lower(), p.upper()) else { return false };
    lo.max(plo) < hi.min(phi)
}

/// Compare one reported figure with its recomputation.
fn compare(
    year: i32,
    rf: &ReportedFigure,
    value: Decimal,
    half_width: Option<Decimal>,
    unit: &FigureUnit,
    global: &Tolerance,
) -> Result<FigureResult, Error> {
    let p = &rf.printed;
    let overflow = |what: &str| Error::overflow(format!("{what} of figure '{}'", rf.id)).at(rf.location.clone());
    let difference = value.checked_sub(p.value).ok_or_else(|| overflow("the difference (recomputed - printed)"))?;
    let relative = if p.value.is_zero() { None } else { difference.checked_div(p.value.abs()) };
    let (tol, rule) = match &rf.tolerance {
        Some(t) => (t.clone(), format!("{} (this figure)", t.describe())),
        None if global.is_none() => (Tolerance::default(), "none".to_string()),
        None => (global.clone(), format!("{} (global)", global.describe())),
    };
    let allowance = tol.allowance(p.value).ok_or_else(|| overflow(&format!("the tolerance ({rule})")))?;
    let hw = half_width.unwrap_or_default();
    let band = || -> Result<(Decimal, Decimal), Error> {
        let lo = value.checked_sub(hw).ok_or_else(|| overflow("the recomputed value less its half-width"))?;
        let hi = value.checked_add(hw).ok_or_else(|| overflow("the recomputed value plus its half-width"))?;
        Ok((lo, hi))
    };
    let status = if p.round_like(value) == p.value {
        Status::Exact
    } else if hw > Decimal::ZERO && band().map(|(lo, hi)| meets(p, lo, hi))? {
        Status::Consistent
    } else if !tol.is_none() && difference.abs() <= allowance {
        Status::Within
    } else {
        Status::Outside
    };
    Ok(FigureResult {
        id: rf.id.clone(),
        year,
        printed: p.clone(),
        unit: unit.symbol(),
        locator: rf.locator.clone(),
        recomputed: value,
        half_width,
        difference,
        relative,
        tolerance: allowance,
        tolerance_rule: rule,
        status,
        explained_by: None,
    })
}

/// Reconcile one computed inventory against its reported figures. Bad references (unknown ids, units that
/// cannot measure the figure) are bad input; a figure that does not reconcile is a result, never an error.
pub fn reconcile_year(
    inv: &Inventory,
    lib: &FactorLibrary,
    computation: Computation,
    reported: ReportedFile,
) -> Result<YearResult, Diagnostics> {
    let (figures, units) = compare_all(inv, &computation, &reported)?;
    let revenue = revenue_million(inv);
    let mut year = YearResult {
        year: inv.year,
        organisation: computation.organisation.clone(),
        inventory: inv.path.clone(),
        boundary: inv.boundary.clone(),
        reported,
        computation,
        revenue,
        figures,
        findings: Vec::new(),
    };
    let mut found = findings::explain(&year, lib, &units).map_err(Diagnostics::from)?;
    settle(&mut year.figures, &found);
    let propagated = findings::propagate(&year, &units).map_err(Diagnostics::from)?;
    settle(&mut year.figures, &propagated);
    found.extend(propagated);
    // Findings under their figure, in the order of the reported file (stable: a figure's own order is kept).
    let position = |f: &Finding| year.figures.iter().position(|x| Some(&x.id) == f.figure.as_ref());
    found.sort_by_key(|f| position(f).unwrap_or(usize::MAX));
    found.extend(internal::check(&year, &units).map_err(Diagnostics::from)?);
    year.findings = found;
    Ok(year)
}

/// A figure that is not exact or consistent becomes `consistent` when one of its findings explains its whole gap
/// through the precision of what was printed; the figure names that finding.
fn settle(figures: &mut [FigureResult], found: &[Finding]) {
    for fr in figures.iter_mut().filter(|f| matches!(f.status, Status::Within | Status::Outside)) {
        if let Some(f) = found
            .iter()
            .filter(|f| f.figure.as_deref() == Some(fr.id.as_str()) && findings::explains_whole_gap(f))
            .min_by_key(|f| findings::explanation_rank(f))
        {
            fr.status = Status::Consistent;
            fr.explained_by = Some(findings::explanation(f));
        }
    }
}

/// Every reconciled figure of `reported` against `computation`, in the order of the reported file: the comparison
/// `ghg reconcile` makes for a year (without the findings), for a caller that keeps its computation. Bad
/// references (unknown ids, units that cannot measure the figure) are bad input, all reported together.
pub fn compare_figures(
    inv: &Inventory,
    computation: &Computation,
    reported: &ReportedFile,
) -> Result<Vec<FigureResult>, Diagnostics> {
    compare_all(inv, computation, reported).map(|(figures, _)| figures)
}

/// The figures compared, and the unit each reported id is printed in (for the findings and internal checks).
type Compared = (Vec<FigureResult>, BTreeMap<String, Option<FigureUnit>>);

fn compare_all(inv: &Inventory, computation: &Computation, reported: &ReportedFile) -> Result<Compared, Diagnostics> {
    let mut d = Diagnostics::new();
    let mut figures = Vec::new();
    let mut units: BTreeMap<String, Option<FigureUnit>> = BTreeMap::new();
    for rf in &reported.figures {
        if !rf.reconcile {
            units.insert(rf.id.clone(), rf.unit.clone());
            continue;
        }
        let Some((value, fu, hw)) = recomputed(inv, computation, &rf.id) else {
            if let Some(why) = computation.not_computed.get(&rf.id) {
                d.push(
                    Error::new(ErrorKind::BadValue, format!("reported figure '{}' is not computed: {why}", rf.id))
                        .at(rf.location.clone())
                        .hint("make the choice it needs, or mark it reconcile = false to use it in the internal checks only"),
                );
                continue;
            }
            let mut ids: Vec<String> = computation.ordered_ids().iter().map(|s| s.to_string()).collect();
            ids.extend(inv.denominators.iter().map(|x| format!("denominator.{}", x.name)));
            d.push(
                Error::new(
                    ErrorKind::BadValue,
                    format!("reported figure '{}' is not a figure of this inventory", rf.id),
                )
                .at(rf.location.clone())
                .hint(crate::suggest::hint(
                    &rf.id,
                    ids.iter().map(String::as_str),
                    &format!(
                        "ids are: {}; or mark it reconcile = false to use it in the internal checks only",
                        ids.join(", ")
                    ),
                )),
            );
            continue;
        };
        let ru = rf.unit.clone().unwrap_or_else(|| fu.clone());
        let (Some(v), hw) = (fu.convert(value, &ru), hw.map(|h| fu.convert(h, &ru).map(|x| x.abs()))) else {
            d.push(
                Error::new(
                    ErrorKind::DimensionMismatch,
                    format!(
                        "reported figure '{}' is printed in {} ({}), but it measures {}",
                        rf.id,
                        rf.printed.unit,
                        ru.symbol(),
                        fu.symbol()
                    ),
                )
                .at(rf.location.clone())
                .hint("check the id, or the unit copied from the report"),
            );
            continue;
        };
        units.insert(rf.id.clone(), Some(ru.clone()));
        match compare(inv.year, rf, v, hw.flatten(), &ru, &reported.tolerance) {
            Ok(f) => figures.push(f),
            Err(e) => d.push(e),
        }
    }
    if !d.is_empty() {
        return Err(d);
    }
    Ok((figures, units))
}

/// Compute and reconcile several inventories (one per year): each keeps its own factor choices. Years are
/// ordered; stated changes are checked against the previous year's reported figures; consecutive years get a
/// change attribution. All problems of all inventories are reported together. `settings` are a [`ComputeOptions`]
/// or a [`RunOptions`] (then the ledgers are read as it says: threads, text encoding).
pub fn reconcile_inventories(
    inventories: &[Inventory],
    lib: &FactorLibrary,
    settings: impl Into<RunOptions>,
) -> Result<Reconciliation, Diagnostics> {
    reconcile_with(inventories, lib, settings, &mut ())
}

/// [`reconcile_inventories`], each calculation reporting its progress (and warnings) to `sink`.
pub fn reconcile_with(
    inventories: &[Inventory],
    lib: &FactorLibrary,
    settings: impl Into<RunOptions>,
    sink: &mut dyn calc::Sink,
) -> Result<Reconciliation, Diagnostics> {
    let mut d = Diagnostics::new();
    let mut years = Vec::new();
    let settings: RunOptions = settings.into();
    let settings = RunOptions { compute: ComputeOptions { keep_lines: true, ..settings.compute }, ..settings };
    let mut seen: BTreeMap<i32, PathBuf> = BTreeMap::new();
    for inv in inventories {
        if let Some(first) = seen.get(&inv.year) {
            d.push(
                Error::new(
                    ErrorKind::Usage,
                    format!("two inventories for {}: {} and {}", inv.year, first.display(), inv.path.display()),
                )
                .at(Location::file(&inv.path))
                .hint("reconcile one inventory per year"),
            );
            continue;
        }
        seen.insert(inv.year, inv.path.clone());
        let Some(rpath) = &inv.reported else {
            d.push(
                Error::new(ErrorKind::MissingKey, "inventory names no reported figures")
                    .at(Location::file(&inv.path))
                    .hint("add reported = \"reported.toml\" at the top level (see examples/hikvision-2024)"),
            );
            continue;
        };
        let reported = ReportedFile::load(rpath);
        let computation = calc::Calculation::new(inv, lib).settings(settings).run(sink);
        match (reported, computation) {
            (Ok(r), Ok(c)) => match reconcile_year(inv, lib, c, r) {
                Ok(y) => years.push(y),
                Err(e) => d.0.extend(e.0),
            },
            (r, c) => {
                if let Err(e) = r {
                    d.0.extend(e.0);
                }
                if let Err(e) = c {
                    d.0.extend(e.0);
                }
            }
        }
    }
    if !d.is_empty() {
        return Err(d);
    }
    years.sort_by_key(|y| y.year);
    for i in 1..years.len() {
        let (before, after) = years.split_at_mut(i);
        let prev = &before[i - 1];
        let cur = &mut after[0];
        match internal::changes(cur, Some(prev)) {
            Ok(extra) => cur.findings.extend(extra),
            Err(e) => d.push(e),
        }
    }
    if let Some(first) = years.first_mut() {
        match internal::changes(first, None) {
            Ok(extra) => first.findings.extend(extra),
            Err(e) => d.push(e),
        }
    }
    let mut attributions = Vec::new();
    for w in years.windows(2) {
        for id in ATTRIBUTED {
            match attribute(&w[0], &w[1], id) {
                Ok(Some(a)) => attributions.push(a),
                Ok(None) => {}
                Err(e) => d.push(e),
            }
        }
    }
    d.into_result(Reconciliation { years, attributions, internal_checks_count: true })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn rf(printed: &str, tolerance: Option<Tolerance>) -> ReportedFigure {
        ReportedFigure {
            id: "x".into(),
            printed: PrintedNumber::parse(printed).expect("printed"),
            unit: None,
            locator: None,
            tolerance,
            reconcile: true,
            location: Location::file("r.toml"),
        }
    }

    fn status(printed: &str, value: Decimal, hw: Option<Decimal>, tol: &Tolerance) -> Status {
        let unit = FigureUnit::parse("t").expect("unit");
        compare(2024, &rf(printed, None), value, hw, &unit, tol).expect("fits").status
    }

    #[test]
    fn an_overflow_in_the_comparison_is_an_error_at_the_figure_not_0_or_max() {
        let unit = FigureUnit::parse("t").expect("unit");
        let big = rf("7,000,000,000,000,000,000,000,000,000", None);
        // A relative tolerance of 100 x 7e27 does not fit: it used to become 0, so the figure was "outside ±0".
        let hundred = Tolerance { absolute: None, relative: Some(dec!(100)) };
        let e = compare(2024, &big, dec!(1), None, &unit, &hundred).expect_err("tolerance overflows");
        assert_eq!(
            e.to_string(),
            "r.toml: the tolerance (relative 100 (global)) of figure 'x' overflows 28 significant digits (a value this large is most likely a unit or magnitude mistake in the input)"
        );
        // The most negative decimal (about -7.9e28) recomputed against 7e27 printed: the difference does not fit
        // (it used to be clamped to the minimum).
        let e =
            compare(2024, &big, Decimal::MIN, None, &unit, &Tolerance::default()).expect_err("difference overflows");
        assert_eq!(e.kind, ErrorKind::Overflow);
        assert_eq!(e.location, Some(Location::file("r.toml")));
        assert!(e.message.starts_with("the difference (recomputed - printed) of figure 'x' overflows"), "{e}");
    }

    #[test]
    fn exact_means_equal_once_rounded_half_away_from_zero_at_the_printed_places() {
        let none = Tolerance::default();
        // "51,758.70": trailing zero significant, interval [51758.695, 51758.705)
        assert_eq!(status("51,758.70", dec!(51758.695), None, &none), Status::Exact);
        assert_eq!(status("51,758.70", dec!(51758.7049999), None, &none), Status::Exact);
        assert_eq!(status("51,758.70", dec!(51758.705), None, &none), Status::Outside);
        assert_eq!(status("51,758.70", dec!(51758.6949999), None, &none), Status::Outside);
        // "1.8万": [17500, 18500)
        assert_eq!(status("1.8万", dec!(17500), None, &none), Status::Exact);
        assert_eq!(status("1.8万", dec!(18089.22), None, &none), Status::Exact);
        assert_eq!(status("1.8万", dec!(18500), None, &none), Status::Outside);
        // "1.59万": [15850, 15950)
        assert_eq!(status("1.59万", dec!(15900), None, &none), Status::Exact);
        assert_eq!(status("1.59万", dec!(15849.99), None, &none), Status::Outside);
        // "0.56": [0.555, 0.565); 2.345 rounds half away from zero (banker's rounding would give 2.34)
        assert_eq!(status("0.56", dec!(0.5596), None, &none), Status::Exact);
        assert_eq!(status("2.35", dec!(2.345), None, &none), Status::Exact);
        // "1.2亿": [115,000,000, 125,000,000)
        assert_eq!(status("1.2亿", dec!(124999999.99), None, &none), Status::Exact);
        assert_eq!(status("1.2亿", dec!(125000000), None, &none), Status::Outside);
        // thousands separators, no decimals: "1,234" is [1233.5, 1234.5)
        assert_eq!(status("1,234", dec!(1233.5), None, &none), Status::Exact);
        assert_eq!(status("1,234", dec!(1234.5), None, &none), Status::Outside);
    }

    #[test]
    fn consistent_needs_a_half_width_and_within_needs_a_tolerance() {
        let none = Tolerance::default();
        // 1050.0 ± 0.5 meets [1050.25, 1050.35)
        assert_eq!(status("1,050.3", dec!(1050.0), Some(dec!(0.5)), &none), Status::Consistent);
        assert_eq!(status("1,050.3", dec!(1050.0), Some(dec!(0.2)), &none), Status::Outside);
        // the closed recomputed interval touching the open upper bound does not meet it
        assert_eq!(status("1,050.3", dec!(1050.45), Some(dec!(0.1)), &none), Status::Outside);
        // nor does one touching the closed lower bound [1050.25: a one-sided touch is no agreement
        assert_eq!(status("1,050.3", dec!(1050.15), Some(dec!(0.1)), &none), Status::Outside);
        assert_eq!(status("1,050.3", dec!(1050.16), Some(dec!(0.1)), &none), Status::Consistent);
        let rel = Tolerance { absolute: None, relative: Some(dec!(0.02)) };
        // 2% of 445.44 is 8.9088; 429.28 is 16.16 away
        assert_eq!(status("445.44", dec!(429.28), None, &rel), Status::Outside);
        assert_eq!(status("445.44", dec!(437), None, &rel), Status::Within);
        let abs = Tolerance { absolute: Some(dec!(20)), relative: Some(dec!(0.02)) };
        assert_eq!(status("445.44", dec!(429.28), None, &abs), Status::Within);
        // a per-figure tolerance replaces the global one
        let unit = FigureUnit::parse("t").expect("unit");
        let own = rf("445.44", Some(Tolerance { absolute: None, relative: Some(dec!(0.05)) }));
        let r = compare(2024, &own, dec!(429.28), None, &unit, &none).expect("fits");
        assert_eq!((r.status, r.tolerance_rule.as_str()), (Status::Within, "relative 0.05 (this figure)"));
        assert_eq!(r.tolerance, dec!(22.2720));
        assert_eq!(r.difference, dec!(-16.16));
    }
}
