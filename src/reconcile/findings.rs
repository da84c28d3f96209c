//! Explanations for figures that are not `exact` or `consistent`: what would reproduce them.
//!
//! A figure is `scale x sum of lines` (scale is 1, or 1 / revenue for intensities). The lines are grouped by their
//! primary factor (the emission or combustion factor of scope lines, CH4 and N2O factors through the GWP their line
//! used, the standard-coal coefficient of energy lines); a group's *effective activity* is the sum of
//! `line value / factor` in the factor's denominator unit (for scope 2 with certificates: grid MWh minus covered
//! MWh). Holding the other lines fixed:
//!
//! * `implied-factor`: (reported − other lines) / activity, with its interval (at places that tell its ends apart),
//!   next to the factor used, and every library factor for the same activity and gas (other editions, regions,
//!   alternatives) that reproduces the printed figure — exactly, or within the precision of the printed inputs and
//!   of the factor as printed — or else the nearest ones with their distance (never one that gives 0). With several
//!   groups it is not a coefficient, so it is given only when a factor reproduces the figure (within precision only
//!   for the factor used, or when the gap is outside tolerance);
//! * `implied-activity` (each CO2 or energy group): (reported − other lines) / factor (moving every gas of the
//!   activity), next to the ledger activity and the reported activity figure if there is one; ruled out when that
//!   figure reconciles, or when the activity would be negative;
//! * `rounding`: the sum of the parts (or lines) each rounded the way the report rounds, against the rounded sum;
//! * `propagated`: for totals and intensities, the figure recomputed from the *reported* parts, naming the parts
//!   that carry the gap. A total whose parts the report prints is explained this way only: its own lines would
//!   blame one part for a gap that may be in another.
//!
//! A finding that explains the whole gap by printed precision ([`explains_whole_gap`]) makes its figure
//! `consistent`, naming it.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use serde::Serialize;

use super::unit::{FigureUnit, same_dimension};
use super::{FigureResult, Status, YearResult, meets};
use crate::activity::Activity;
use crate::calc::{self, Line};
use crate::error::{Error, Location};
use crate::factor::{Factor, FactorKind, FactorLibrary, FactorRef, FactorSet, FactorValue};
use crate::figure::FigureId;
use crate::printed::{PrintedNumber, format_grouped};
use crate::units::{Gas, RateUnit, Unit};

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    /// Reported / activity against the factor used, and the library factors that reproduce the figure.
    ImpliedFactor,
    /// Reported / factor against the ledger activity.
    ImpliedActivity,
    /// Sum of rounded parts against the rounded sum.
    Rounding,
    /// A total or intensity recomputed from the reported parts.
    Propagated,
    /// Parts add up to a total, in the report itself.
    InternalSum,
    /// An intensity equals numerator / denominator, in the report itself.
    InternalRatio,
    /// An "of which" row is not larger than its parent, in the report itself.
    InternalOfWhich,
    /// A stated year-on-year change matches the figures.
    InternalChange,
}

impl FindingKind {
    /// Whether the finding checks the report against itself (no recomputation involved).
    pub fn is_internal(self) -> bool {
        matches!(
            self,
            FindingKind::InternalSum
                | FindingKind::InternalRatio
                | FindingKind::InternalOfWhich
                | FindingKind::InternalChange
        )
    }
    /// The kebab-case name used in every output.
    pub fn name(self) -> &'static str {
        match self {
            FindingKind::ImpliedFactor => "implied-factor",
            FindingKind::ImpliedActivity => "implied-activity",
            FindingKind::Rounding => "rounding",
            FindingKind::Propagated => "propagated",
            FindingKind::InternalSum => "internal-sum",
            FindingKind::InternalRatio => "internal-ratio",
            FindingKind::InternalOfWhich => "internal-of-which",
            FindingKind::InternalChange => "internal-change",
        }
    }
}

/// What a finding concludes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// It reproduces the printed figure (an explanation was found).
    Explains,
    /// It does not reproduce the printed figure.
    DoesNotExplain,
    /// Information to weigh (e.g. an implied activity).
    Info,
    /// An internal relation of the report holds at printed precision.
    Holds,
    /// An internal relation of the report fails at printed precision.
    Fails,
    /// The check could not be made (a figure is missing).
    Unchecked,
}

impl Outcome {
    /// The kebab-case name used in every output.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Explains => "explains",
            Outcome::DoesNotExplain => "does-not-explain",
            Outcome::Info => "info",
            Outcome::Holds => "holds",
            Outcome::Fails => "fails",
            Outcome::Unchecked => "unchecked",
        }
    }
}

/// A library factor that reproduces a printed figure when it replaces the factor used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    /// `set@edition:id`.
    pub factor: String,
    /// Its value, as written in its file (combustion factors: NCV x CC x OF x 44/12 at full precision).
    pub value: Decimal,
    /// Its value for people: as written, or at 6 places with "(computed)".
    pub value_text: String,
    /// Its unit.
    pub unit: String,
    /// How it relates to the factor used: used, edition, region, alternative, other.
    pub relation: &'static str,
    /// The figure it gives, in the printed unit.
    pub recomputed: Decimal,
    /// Whether it gives the printed value exactly at the printed precision (otherwise: within the precision
    /// of the printed inputs and of the factor as printed).
    pub exact: bool,
}

/// One finding: an explanation of a gap, or an internal check of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Kind.
    pub kind: FindingKind,
    /// Inventory year.
    pub year: i32,
    /// The figure it is about.
    pub figure: Option<String>,
    /// Conclusion.
    pub outcome: Outcome,
    /// One sentence for people.
    pub message: String,
    /// The numbers behind it (decimals as strings), in a stable order.
    pub values: Vec<(String, String)>,
    /// For implied factors: library factors that reproduce the figure.
    pub candidates: Vec<Candidate>,
    /// For implied factors: how many library factors were tried.
    pub tried: usize,
    /// For implied factors that no library factor reproduces: the nearest ones (never one that gives 0), nearest
    /// first.
    pub nearest: Vec<Candidate>,
}

impl Finding {
    pub(crate) fn new(kind: FindingKind, year: i32, figure: Option<&str>, outcome: Outcome, message: String) -> Self {
        Finding {
            kind,
            year,
            figure: figure.map(str::to_string),
            outcome,
            message,
            values: Vec::new(),
            candidates: Vec::new(),
            tried: 0,
            nearest: Vec::new(),
        }
    }
    pub(crate) fn value(mut self, key: &str, v: impl Into<String>) -> Self {
        self.values.push((key.to_string(), v.into()));
        self
    }
}

/// Full-precision decimal text (no trailing zeros).
pub(crate) fn full(x: Decimal) -> String {
    let n = x.normalize();
    if n.is_zero() { "0".to_string() } else { n.to_string() }
}

/// `x` rounded to `places`, grouped.
pub(crate) fn show(x: Decimal, places: u32) -> String {
    format_grouped(x, places, true)
}

/// The two ends of an interval at `places`, or at more places (up to 12) when `places` would print them alike.
pub(crate) fn interval(lo: Decimal, hi: Decimal, places: u32) -> String {
    let mut n = places;
    while n < 12 && lo != hi && show(lo, n) == show(hi, n) {
        n += 1;
    }
    format!("[{}, {}]", show(lo, n), show(hi, n))
}

/// Places that show a factor value two digits beyond how it is written (at least 4); 6 for values computed
/// from combustion parameters.
fn factor_places(f: &Factor, v: Decimal) -> u32 {
    match f.value {
        FactorValue::Direct(_) => (v.scale() + 2).clamp(4, 10),
        FactorValue::Combustion { .. } => 6,
    }
}

/// A factor's value as written in its file, or at 6 places when computed from combustion parameters.
fn factor_text(f: &Factor, v: Decimal) -> String {
    match f.value {
        FactorValue::Direct(_) => v.to_string(),
        FactorValue::Combustion { .. } => format!("{} (computed)", show(v, 6)),
    }
}

/// Half of the last written digit of a factor value (0 for values computed from parameters).
fn factor_half(f: &Factor) -> Decimal {
    match &f.value {
        FactorValue::Direct(p) => Decimal::try_new(5, p.value.scale() + 1).unwrap_or(Decimal::ZERO),
        FactorValue::Combustion { .. } => Decimal::ZERO,
    }
}

/// Checked arithmetic on the numbers of one reported figure: an overflow is an error at that figure, never a
/// value clamped to the largest decimal.
pub(super) struct At<'a> {
    pub(super) id: &'a str,
    pub(super) location: &'a Location,
}

impl At<'_> {
    pub(super) fn overflow(&self, what: &str) -> Error {
        Error::overflow(format!("{what} of figure '{}'", self.id)).at(self.location.clone())
    }
    pub(super) fn add(&self, a: Decimal, b: Decimal, what: &str) -> Result<Decimal, Error> {
        a.checked_add(b).ok_or_else(|| self.overflow(what))
    }
    pub(super) fn sub(&self, a: Decimal, b: Decimal, what: &str) -> Result<Decimal, Error> {
        a.checked_sub(b).ok_or_else(|| self.overflow(what))
    }
    pub(super) fn mul(&self, a: Decimal, b: Decimal, what: &str) -> Result<Decimal, Error> {
        a.checked_mul(b).ok_or_else(|| self.overflow(what))
    }
}

/// The value of an `Option`, or no finding (`Ok(None)`) when there is none.
macro_rules! or_none {
    ($e:expr) => {
        match $e {
            Some(x) => x,
            None => return Ok(None),
        }
    };
}

/// How the figure's lines map to the printed unit: printed = (sum of lines) / scale, converted.
struct Frame<'a> {
    printed: &'a PrintedNumber,
    /// Figure unit -> printed unit.
    fu: FigureUnit,
    ru: FigureUnit,
    /// The divisor applied to the sum of lines (revenue in millions for intensities, else 1).
    scale: Decimal,
}

impl Frame<'_> {
    /// Sum of lines (line units) -> printed unit.
    fn out(&self, lines_total: Decimal) -> Option<Decimal> {
        self.fu.convert(lines_total.checked_div(self.scale)?, &self.ru)
    }
    /// Printed unit -> sum of lines.
    fn back(&self, printed: Decimal) -> Option<Decimal> {
        self.ru.convert(printed, &self.fu)?.checked_mul(self.scale)
    }
}

/// Lines that share one primary factor.
struct Group<'a> {
    reference: FactorRef,
    factor: &'a Factor,
    rate: Decimal,
    rate_unit: RateUnit,
    /// Multiply a line value by this to express it in the rate's numerator unit.
    k: Decimal,
    activity: Decimal,
    activity_hw: Decimal,
    value: Decimal,
    hw: Decimal,
    activities: BTreeSet<Activity>,
    units: BTreeSet<String>,
}

/// The factor of a line that sets its magnitude: emission or combustion for scope lines, standard coal for energy;
/// with the number that turns the line's value into the factor's numerator unit (for a gas other than CO2, through
/// the GWP the line used).
fn primary<'a>(lib: &'a FactorLibrary, l: &Line) -> Option<(FactorRef, &'a Factor, Decimal)> {
    let id = FigureId::new(&l.figure);
    let want: &[FactorKind] = if id.is_emission() {
        &[FactorKind::Emission, FactorKind::Combustion]
    } else if id.is_energy() {
        &[FactorKind::StandardCoal]
    } else {
        return None;
    };
    for uf in l.factors.iter() {
        if let Ok((_, f)) = lib.factor(&uf.reference)
            && want.contains(&f.kind)
        {
            let num = f.rate_unit().num;
            if co2ish(f.gas) {
                return line_to_num(l.value_unit, &num).map(|k| (uf.reference.clone(), f, k));
            }
            // A non-CO2 line is q x factor x GWP in CO2e: its activity is value / (factor x GWP).
            let gwp = l.factors.iter().find_map(|u| match lib.factor(&u.reference) {
                Ok((_, g)) if g.kind == FactorKind::Gwp => g.rate(),
                _ => None,
            })?;
            let line = Unit::parse(l.value_unit).ok()?;
            let k = line.to_base().checked_div(num.to_base())?.checked_div(gwp)?;
            return Some((uf.reference.clone(), f, k));
        }
    }
    None
}

/// CO2 and CO2e count as one (and a factor with no gas is a CO2 or energy factor).
fn co2ish(g: Option<Gas>) -> bool {
    matches!(g, None | Some(Gas::CO2) | Some(Gas::CO2e))
}

/// Factor from a line's value unit to a rate's numerator unit (CO2 and CO2e count as one).
fn line_to_num(line_unit: &str, num: &Unit) -> Option<Decimal> {
    let u = Unit::parse(line_unit).ok()?;
    if !same_dimension(u.dimension(), num.dimension()) {
        return None;
    }
    u.to_base().checked_div(num.to_base())
}

/// The lines grouped by primary factor, with the sum of all lines and of their half-widths.
fn group_lines<'a>(
    lib: &'a FactorLibrary,
    lines: &[&Line],
    at: &At<'_>,
) -> Result<(Vec<Group<'a>>, Decimal, Decimal), Error> {
    let mut groups: Vec<Group<'a>> = Vec::new();
    let (mut total, mut total_hw) = (Decimal::ZERO, Decimal::ZERO);
    for l in lines {
        total = at.add(total, l.value, "the sum of the lines")?;
        total_hw = at.add(total_hw, l.half_width.unwrap_or_default(), "the half-width of the sum of the lines")?;
        let Some((r, f, k)) = primary(lib, l) else { continue };
        let (Some(rate), unit) = (f.rate(), f.rate_unit()) else { continue };
        if rate.is_zero() {
            continue;
        }
        // A line's activity is its value over its factor; one that does not fit is an error at the line, not a
        // line left out of its group.
        let per_rate = |x: Decimal, what: &str| {
            x.checked_mul(k).and_then(|x| x.checked_div(rate)).ok_or_else(|| {
                Error::overflow(format!("the {what} of this line ({} / {rate})", x.normalize())).at(l.source.clone())
            })
        };
        let a = per_rate(l.value, "activity")?;
        let ahw = per_rate(l.half_width.unwrap_or_default(), "activity half-width")?;
        let g = match groups.iter_mut().position(|g| g.reference == r) {
            Some(i) => &mut groups[i],
            None => {
                groups.push(Group {
                    reference: r,
                    factor: f,
                    rate,
                    rate_unit: unit,
                    k,
                    activity: Decimal::ZERO,
                    activity_hw: Decimal::ZERO,
                    value: Decimal::ZERO,
                    hw: Decimal::ZERO,
                    activities: BTreeSet::new(),
                    units: BTreeSet::new(),
                });
                let n = groups.len() - 1;
                &mut groups[n]
            }
        };
        g.activity = at.add(g.activity, a, "the activity of a factor's lines")?;
        g.activity_hw = at.add(g.activity_hw, ahw.abs(), "the activity half-width of a factor's lines")?;
        g.value = at.add(g.value, l.value, "the sum of a factor's lines")?;
        g.hw = at.add(g.hw, l.half_width.unwrap_or_default(), "the half-width of a factor's lines")?;
        g.activities.insert(l.activity);
        g.units.insert(l.unit.clone());
    }
    Ok((groups, total, total_hw))
}

/// A rate of `f` expressed in `to` (numerator CO2 and CO2e count as one).
fn rate_in(value: Decimal, from: &RateUnit, to: &RateUnit) -> Option<Decimal> {
    if !same_dimension(from.num.dimension(), to.num.dimension()) || from.den.dimension() != to.den.dimension() {
        return None;
    }
    value
        .checked_mul(from.num.to_base())?
        .checked_mul(to.den.to_base())?
        .checked_div(from.den.to_base().checked_mul(to.num.to_base())?)
}

/// min and max of the products of two intervals.
fn mul_range(a: (Decimal, Decimal), b: (Decimal, Decimal)) -> Option<(Decimal, Decimal)> {
    let c = [a.0.checked_mul(b.0)?, a.0.checked_mul(b.1)?, a.1.checked_mul(b.0)?, a.1.checked_mul(b.1)?];
    Some((c.iter().copied().min()?, c.iter().copied().max()?))
}

/// min and max of the quotients of two intervals (None if the divisor interval contains 0).
fn div_range(a: (Decimal, Decimal), b: (Decimal, Decimal)) -> Option<(Decimal, Decimal)> {
    if b.0 <= Decimal::ZERO && b.1 >= Decimal::ZERO {
        return None;
    }
    let c = [a.0.checked_div(b.0)?, a.0.checked_div(b.1)?, a.1.checked_div(b.0)?, a.1.checked_div(b.1)?];
    Some((c.iter().copied().min()?, c.iter().copied().max()?))
}

fn relation(used: &FactorRef, set: &FactorSet, f: &Factor, used_factor: &Factor) -> &'static str {
    if set.meta.id == used.set && set.meta.edition == used.edition && Some(&f.id) == used.id.as_ref() {
        "used"
    } else if set.meta.id == used.set && set.meta.edition != used.edition && Some(&f.id) == used.id.as_ref() {
        "edition"
    } else if f.alternative.is_some() && set.meta.id == used.set {
        "alternative"
    } else if f.region != used_factor.region {
        "region"
    } else if set.meta.id == used.set {
        "edition"
    } else {
        "other"
    }
}

fn kinds_match(a: FactorKind, b: FactorKind) -> bool {
    let emission = |k| matches!(k, FactorKind::Emission | FactorKind::Combustion);
    a == b || (emission(a) && emission(b))
}

/// Implied factor and the library factors that reproduce the figure, for one group.
fn implied_factor(
    fr: &FigureResult,
    frame: &Frame<'_>,
    g: &Group<'_>,
    others: (Decimal, Decimal),
    several: bool,
    lib: &FactorLibrary,
    at: &At<'_>,
) -> Result<Option<Finding>, Error> {
    let p = frame.printed;
    let r_lines = (or_none!(p.lower().and_then(|x| frame.back(x))), or_none!(p.upper().and_then(|x| frame.back(x))));
    let unit = g.rate_unit.symbol();
    let range_what = "the interval of the implied factor";
    let num_range = (
        at.mul(at.sub(at.sub(r_lines.0, others.0, range_what)?, others.1, range_what)?, g.k, range_what)?,
        at.mul(at.add(at.sub(r_lines.1, others.0, range_what)?, others.1, range_what)?, g.k, range_what)?,
    );
    let a_range = (
        at.sub(g.activity, g.activity_hw, "the activity interval")?,
        at.add(g.activity, g.activity_hw, "the activity interval")?,
    );
    let implied =
        at.mul(at.sub(or_none!(frame.back(p.value)), others.0, "the implied factor")?, g.k, "the implied factor")?;
    let implied = or_none!(implied.checked_div(g.activity));
    let range = div_range(num_range, a_range);
    let places = factor_places(g.factor, g.rate);
    let mut candidates = Vec::new();
    let mut misses: Vec<Candidate> = Vec::new();
    let mut tried = 0;
    for set in lib.sets() {
        for f in &set.factors {
            if f.activity != g.factor.activity || !kinds_match(f.kind, g.factor.kind) {
                continue;
            }
            if co2ish(f.gas) != co2ish(g.factor.gas) || (!co2ish(f.gas) && f.gas != g.factor.gas) {
                continue;
            }
            let (Some(rate), fu) = (f.rate(), f.rate_unit()) else { continue };
            let (Some(c), Some(ch)) = (rate_in(rate, &fu, &g.rate_unit), rate_in(factor_half(f), &fu, &g.rate_unit))
            else {
                continue;
            };
            tried += 1;
            // A library factor whose figure does not fit cannot reproduce a printed figure: it is not a candidate
            // (this is a search over other factors, not a number of this inventory).
            let Some(contrib) = g.activity.checked_mul(c).and_then(|x| x.checked_div(g.k)) else { continue };
            let Some(total) = others.0.checked_add(contrib).and_then(|x| frame.out(x)) else { continue };
            // A factor that gives a figure of 0 (a zero-emission factor) explains nothing about a printed figure.
            if total.is_zero() {
                continue;
            }
            let exact = p.round_like(total) == p.value;
            let (Some(c_lo), Some(c_hi)) = (c.checked_sub(ch), c.checked_add(ch)) else { continue };
            let Some((lo, hi)) = mul_range(a_range, (c_lo, c_hi)) else { continue };
            let (Some(lo), Some(hi)) = (lo.checked_div(g.k), hi.checked_div(g.k)) else { continue };
            let lo = others.0.checked_sub(others.1).and_then(|x| x.checked_add(lo)).and_then(|x| frame.out(x));
            let hi = others.0.checked_add(others.1).and_then(|x| x.checked_add(hi)).and_then(|x| frame.out(x));
            let near = matches!((lo, hi), (Some(lo), Some(hi)) if meets(p, lo.min(hi), lo.max(hi)));
            let candidate = Candidate {
                factor: format!("{}@{}:{}", set.meta.id, set.meta.edition, f.id),
                value: rate,
                value_text: factor_text(f, rate),
                unit: fu.symbol(),
                relation: relation(&g.reference, set, f, g.factor),
                recomputed: total,
                exact,
            };
            // With several groups, another factor for one of them explains the figure within printed precision
            // only when the gap is outside tolerance: a gap within it (-0.03 % on three fuels) leaves room for
            // nearly any factor of any fuel, so only an exact reproduction (or the factor used) counts then.
            let counts = exact || (near && (!several || candidate.relation == "used" || fr.status == Status::Outside));
            if counts {
                candidates.push(candidate);
            } else if candidate.relation != "used" {
                misses.push(candidate);
            }
        }
    }
    // Exact reproductions first; then the factor used, other editions, alternatives, regions, other sets.
    let rank = |r: &str| ["used", "edition", "alternative", "region", "other"].iter().position(|x| *x == r);
    candidates.sort_by(|a, b| {
        b.exact.cmp(&a.exact).then(rank(a.relation).cmp(&rank(b.relation))).then(a.factor.cmp(&b.factor))
    });
    let used_reproduces = candidates.iter().any(|c| c.relation == "used");
    let others_reproduce = candidates.iter().filter(|c| c.relation != "used").count();
    let acts: Vec<&str> = g.activities.iter().map(|a| a.name()).collect();
    let range_text = match range {
        Some((lo, hi)) => format!(" (interval {})", interval(lo, hi, places)),
        None => String::new(),
    };
    let held = if several { ", the other lines held fixed," } else { "" };
    let mut msg = format!(
        "{} {}: implied factor {} {unit}{range_text} for {}{held} against {} {} {unit} used",
        fr.id,
        p.text,
        show(implied, places),
        acts.join(" + "),
        g.reference,
        factor_text(g.factor, g.rate)
    );
    if used_reproduces {
        msg.push_str("; the factor used reproduces it within its printed precision");
    }
    if others_reproduce > 0 {
        let names: Vec<String> = candidates
            .iter()
            .filter(|c| c.relation != "used")
            .take(6)
            .map(|c| format!("{} {} ({}{})", c.factor, c.value_text, c.relation, if c.exact { ", exact" } else { "" }))
            .collect();
        let more = if others_reproduce > 6 { format!(" and {} more", others_reproduce - 6) } else { String::new() };
        msg.push_str(&format!("; reproduced by {}{more}", names.join(", ")));
    } else if !used_reproduces {
        msg.push_str(&format!("; none of {tried} library factors for {} reproduces it", g.factor.activity));
        misses.sort_by(|a, b| {
            let d = |c: &Candidate| (c.recomputed - p.value).abs();
            d(a).cmp(&d(b)).then(a.factor.cmp(&b.factor))
        });
        misses.dedup_by(|a, b| a.factor == b.factor);
        misses.truncate(3);
        if !misses.is_empty() {
            let near: Vec<String> = misses
                .iter()
                .map(|c| {
                    let gap = c.recomputed.checked_sub(p.value);
                    let rel = gap
                        .and_then(|g| g.checked_div(p.value.abs()))
                        .and_then(|r| r.checked_mul(Decimal::ONE_HUNDRED))
                        .map(|r| format!(", {}%", signed(r, 2)))
                        .unwrap_or_default();
                    let gap = gap.map(|g| signed(g, fr.detail_places())).unwrap_or_else(|| "?".to_string());
                    format!("{} {} gives {} ({gap}{rel})", c.factor, c.value_text, p.render_like(c.recomputed))
                })
                .collect();
            msg.push_str(&format!("; nearest: {}", near.join("; ")));
        }
    }
    let outcome = if candidates.is_empty() { Outcome::DoesNotExplain } else { Outcome::Explains };
    let mut f = Finding::new(FindingKind::ImpliedFactor, fr.year, Some(&fr.id), outcome, msg)
        .value("factor_used", g.reference.to_string())
        .value("factor_value", full(g.rate))
        .value("unit", unit)
        .value("implied", full(implied))
        .value("activity", full(g.activity))
        .value("activity_unit", g.rate_unit.den.symbol().to_string());
    if let Some((lo, hi)) = range {
        f = f.value("implied_low", full(lo)).value("implied_high", full(hi));
    }
    if candidates.is_empty() && !used_reproduces {
        f.nearest = misses;
    }
    f.candidates = candidates;
    f.tried = tried;
    Ok(Some(f))
}

/// The lines held fixed for an implied activity (their sum and half-width) and, when the activity's lines carry
/// other gases too, the sum of all its lines.
struct Rest {
    fixed: (Decimal, Decimal),
    all_gases: Option<Decimal>,
}

/// Implied activity (reported / factor) for a figure with one primary factor.
fn implied_activity(
    y: &YearResult,
    fr: &FigureResult,
    frame: &Frame<'_>,
    g: &Group<'_>,
    rest: Rest,
    several: bool,
    at: &At<'_>,
) -> Result<Option<Finding>, Error> {
    let (year, reported) = (y.year, &y.reported);
    let others = rest.fixed;
    let p = frame.printed;
    let den = &g.rate_unit.den;
    // Express activities in the ledger's unit when all lines share one, else in the factor's denominator unit.
    let shown = match g.units.iter().next() {
        Some(u) if g.units.len() == 1 => {
            Unit::parse(u).ok().filter(|x| x.dimension() == den.dimension()).unwrap_or_else(|| den.clone())
        }
        _ => den.clone(),
    };
    let what = "the implied activity";
    // (printed - other lines ± their half-width) x k / rate, in the unit shown.
    let implied = |lines: Decimal, hw: Decimal| -> Result<Decimal, Error> {
        let x = at.add(at.sub(lines, others.0, what)?, hw, what)?;
        // With lines of other gases for the same activity, the activity scales all of them: the activity is the
        // group's times the printed share of what all its gases give.
        let x = match rest.all_gases {
            Some(v) => at.mul(x, g.activity, what)?.checked_div(v),
            None => at.mul(x, g.k, what)?.checked_div(g.rate),
        };
        x.and_then(|x| x.checked_mul(den.to_base()))
            .and_then(|x| x.checked_div(shown.to_base()))
            .ok_or_else(|| at.overflow(what))
    };
    let conv = |x: Decimal| -> Result<Decimal, Error> {
        x.checked_mul(den.to_base()).and_then(|x| x.checked_div(shown.to_base())).ok_or_else(|| at.overflow(what))
    };
    let imp = implied(or_none!(frame.back(p.value)), Decimal::ZERO)?;
    let lo = implied(or_none!(p.lower().and_then(|x| frame.back(x))), -others.1)?;
    let hi = implied(or_none!(p.upper().and_then(|x| frame.back(x))), others.1)?;
    let ledger = conv(g.activity)?;
    let ledger_hw = conv(g.activity_hw)?;
    let acts: Vec<&str> = g.activities.iter().map(|a| a.name()).collect();
    let net = if g.activities.contains(&Activity::Certificate) { " (net of certificate-covered MWh)" } else { "" };
    let places = 2;
    let held = if several && !others.0.is_zero() { " (the other lines held fixed)" } else { "" };
    let mut msg = format!(
        "{} {}: with {} {} {}, the implied {} is {} {} (interval {}){held}; the ledger has {} {}{net}, {} {}",
        fr.id,
        p.text,
        g.reference,
        factor_text(g.factor, g.rate),
        g.rate_unit.symbol(),
        acts.join(" + "),
        show(imp, places),
        shown.symbol(),
        interval(lo.min(hi), lo.max(hi), places),
        show(ledger, places),
        shown.symbol(),
        if ledger > imp { "more by" } else { "less by" },
        {
            // A small gap at enough places to show it (never "less by 0.00" for a gap there is).
            let gap = at.sub(ledger, imp, "the ledger activity less the implied one")?.abs();
            let mut n = places;
            while n < 8 && !gap.is_zero() && crate::printed::round_half_away(gap, n).is_zero() {
                n += 1;
            }
            show(gap, n)
        },
    );
    let mut outcome = Outcome::Info;
    let mut ruled_out = false;
    if imp.is_sign_negative() && !imp.is_zero() {
        // Less than nothing: the other lines alone already exceed the printed figure.
        msg.push_str("; a negative activity is impossible, so the gap is not in this activity alone");
        outcome = Outcome::DoesNotExplain;
    } else if ledger_hw > Decimal::ZERO
        && at.sub(ledger, ledger_hw, "the ledger activity interval")? < lo.max(hi)
        && at.add(ledger, ledger_hw, "the ledger activity interval")? > lo.min(hi)
    {
        msg.push_str(" (within the precision of the ledger's printed inputs)");
        outcome = Outcome::Explains;
    }
    // A reported activity figure for the same single activity.
    if g.activities.len() == 1
        && let Some(a) = g.activities.iter().next()
        && let Some(ra) = reported.figure(&format!("activity.{}", a.name()))
        && let Some(ru) = &ra.unit
        && let Some(imp_r) = (FigureUnit { num: shown.clone(), den: None }).convert(imp, ru)
    {
        let id = format!("activity.{}", a.name());
        if ra.printed.round_like(imp_r) == ra.printed.value {
            msg.push_str(&format!("; which prints as the reported {id} {}", ra.printed.text));
        } else if outcome == Outcome::Info
            && let Some(own) = y.figures.iter().find(|x| x.id == id)
            && matches!(own.status, Status::Exact | Status::Consistent)
        {
            // The report's own activity figure agrees with the ledger: the gap is not in this activity.
            msg.push_str(&format!(
                "; but the report's own {id} {} reconciles ({}), so the gap is not in this activity",
                ra.printed.text, own.status
            ));
            outcome = Outcome::DoesNotExplain;
            ruled_out = true;
        } else {
            msg.push_str(&format!("; against the reported {id} {}", ra.printed.text));
        }
    }
    Ok(Some(
        Finding::new(FindingKind::ImpliedActivity, year, Some(&fr.id), outcome, msg)
            .value("factor_used", g.reference.to_string())
            .value("implied_activity", full(imp))
            .value("implied_low", full(lo.min(hi)))
            .value("implied_high", full(lo.max(hi)))
            .value("ledger_activity", full(ledger))
            .value("unit", shown.symbol().to_string())
            .value("ruled_out_by_report", ruled_out.to_string()),
    ))
}

/// Sum of parts (or lines) each rounded like the printed figure, against the rounded sum.
fn rounding(
    year: i32,
    fr: &FigureResult,
    frame: &Frame<'_>,
    items: &[(String, Decimal)],
    at: &At<'_>,
) -> Result<Option<Finding>, Error> {
    let p = frame.printed;
    let mut sum = Decimal::ZERO;
    for (_, v) in items {
        sum = at.add(sum, p.round_like(or_none!(frame.out(*v))), "the sum of the rounded parts")?;
    }
    let rounded_sum = p.round_like(fr.recomputed);
    let what = if items.iter().all(|(k, _)| k.contains(':')) { "lines" } else { "parts" };
    let explains = sum == p.value && rounded_sum != p.value;
    let msg = if explains {
        format!(
            "{} {}: summing the {} {what} each rounded as printed gives {}, the printed value, while rounding the sum gives {}: the report summed rounded {what}",
            fr.id,
            p.text,
            items.len(),
            p.render_like(sum),
            p.render_like(rounded_sum)
        )
    } else {
        format!(
            "{} {}: summing the {} {what} each rounded as printed gives {}, rounding the sum gives {}: rounding does not explain the gap of {}",
            fr.id,
            p.text,
            items.len(),
            p.render_like(sum),
            p.render_like(rounded_sum),
            show(fr.difference, fr.detail_places())
        )
    };
    let outcome = if explains { Outcome::Explains } else { Outcome::DoesNotExplain };
    Ok(Some(
        Finding::new(FindingKind::Rounding, year, Some(&fr.id), outcome, msg)
            .value("sum_of_rounded", full(sum))
            .value("rounded_sum", full(rounded_sum))
            .value("items", items.len().to_string()),
    ))
}

/// A total or intensity recomputed from the reported values of its parts.
fn propagated(year: &YearResult, fr: &FigureResult, frame: &Frame<'_>, at: &At<'_>) -> Result<Option<Finding>, Error> {
    let id = FigureId::new(&fr.id);
    let numerator = id.per_revenue_of().map(|n| [n]);
    let parts: &[FigureId<'static>] = match (id.summands(), &numerator) {
        (Some(parts), _) => parts,
        (None, Some(n)) => n,
        (None, None) => return Ok(None),
    };
    let what = "the sum of the reported parts";
    let reported = &year.reported;
    let (mut v, mut lo, mut hi) = (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
    let mut gaps = Vec::new();
    let mut parts_off = 0usize;
    for id in parts.iter().map(|p| p.as_str()) {
        let rf = or_none!(reported.figure(id));
        let f = or_none!(year.computation.figures.get(id));
        let fu = or_none!(FigureUnit::parse(&f.unit).ok());
        let ru = rf.unit.clone().unwrap_or_else(|| fu.clone());
        v = at.add(v, or_none!(ru.convert(rf.printed.value, &fu)), what)?;
        lo = at.add(lo, or_none!(rf.printed.lower().and_then(|x| ru.convert(x, &fu))), what)?;
        hi = at.add(hi, or_none!(rf.printed.upper().and_then(|x| ru.convert(x, &fu))), what)?;
        if let Some(pr) = year.figures.iter().find(|x| x.id == id) {
            let off = !matches!(pr.status, Status::Exact | Status::Consistent);
            // Parts that are off first; a consistent part's gap (explained by printed precision) is named too,
            // so that the named gaps add up to the total's.
            if off {
                parts_off += 1;
                gaps.insert(
                    parts_off - 1,
                    format!("{} ({}, {})", id, pr.status, signed(pr.difference, pr.detail_places())),
                );
            } else if pr.status == Status::Consistent && !pr.difference.is_zero() {
                gaps.push(format!("{} (consistent, {})", id, signed(pr.difference, pr.detail_places())));
            }
        }
    }
    let p = frame.printed;
    let (v, lo, hi) = (or_none!(frame.out(v)), or_none!(frame.out(lo)), or_none!(frame.out(hi)));
    let exact = p.round_like(v) == p.value;
    let holds = exact || meets(p, lo, hi);
    let basis = if parts.len() == 1 {
        format!("the reported {} / revenue", parts[0])
    } else {
        format!("the reported {}", parts.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(" + "))
    };
    let msg = if holds {
        let gap = if gaps.is_empty() { String::new() } else { format!("; the gap comes from {}", gaps.join(", ")) };
        format!(
            "{} {}: {basis} gives {} ({}){gap}",
            fr.id,
            p.text,
            p.render_like(v),
            if exact { "the printed value" } else { "within printed precision" }
        )
    } else {
        format!("{} {}: {basis} gives {}, not the printed value either", fr.id, p.text, p.render_like(v))
    };
    let outcome = if holds { Outcome::Explains } else { Outcome::DoesNotExplain };
    Ok(Some(
        Finding::new(FindingKind::Propagated, year.year, Some(&fr.id), outcome, msg)
            .value("from_reported", full(v))
            .value("parts_off", parts_off.to_string()),
    ))
}

/// A signed decimal for messages ("+838.0993", "-12.00").
pub(crate) fn signed(x: Decimal, places: u32) -> String {
    let s = show(x, places);
    if s.starts_with('-') || x.is_zero() { s } else { format!("+{s}") }
}

/// Findings for every figure that is neither `exact` nor `consistent`; an overflow on the way is an error at the
/// reported figure. A figure whose parts the report prints (a total of scope 1 and scope 2, energy.total) is
/// explained through its parts (the `propagated` finding): its own lines would blame one of them for a gap that
/// may be in another.
pub(super) fn explain(
    year: &YearResult,
    lib: &FactorLibrary,
    units: &BTreeMap<String, Option<FigureUnit>>,
) -> Result<Vec<Finding>, Error> {
    let c = &year.computation;
    let mut out = Vec::new();
    for fr in &year.figures {
        if matches!(fr.status, Status::Exact | Status::Consistent) {
            continue;
        }
        let Some((frame, rf)) = frame_of(year, fr, units) else { continue };
        let at = At { id: &fr.id, location: &rf.location };
        let id = FigureId::new(&fr.id);
        if id.is_intensity() {
            continue;
        }
        let Some(t) = calc::trace(c, &fr.id, None).map_err(|e| e.at(rf.location.clone()))? else { continue };
        let parts_printed = id
            .summands()
            .is_some_and(|ps| ps.iter().all(|p| year.reported.figure(p.as_str()).is_some_and(|r| r.reconcile)));
        if !parts_printed {
            let (groups, total, total_hw) = group_lines(lib, &t.lines, &at)?;
            let several = groups.len() > 1;
            let others = |g: &Group<'_>| -> Result<(Decimal, Decimal), Error> {
                Ok((at.sub(total, g.value, "the other lines")?, at.sub(total_hw, g.hw, "the other lines")?))
            };
            for g in &groups {
                // With one factor, the implied factor is a real coefficient; with several, it holds the others
                // fixed, so it is shown only when a factor reproduces the figure.
                if let Some(f) = implied_factor(fr, &frame, g, others(g)?, several, lib, &at)?
                    && (!several || f.outcome == Outcome::Explains)
                {
                    out.push(f);
                }
            }
            let before = out.len();
            let activity_groups = groups.iter().filter(|g| co2ish(g.factor.gas)).count();
            for g in groups.iter().filter(|g| co2ish(g.factor.gas)) {
                // Every line of the group's activities, whatever its gas: the activity moves them all.
                let (mut v, mut hw) = (Decimal::ZERO, Decimal::ZERO);
                for l in t.lines.iter().filter(|l| g.activities.contains(&l.activity)) {
                    v = at.add(v, l.value, "the lines of an activity")?;
                    hw = at.add(hw, l.half_width.unwrap_or_default(), "the lines of an activity")?;
                }
                let rest = if v == g.value {
                    Rest { fixed: others(g)?, all_gases: None }
                } else {
                    Rest {
                        fixed: (at.sub(total, v, "the other lines")?, at.sub(total_hw, hw, "the other lines")?),
                        all_gases: (!v.is_zero()).then_some(v),
                    }
                };
                let f = implied_activity(year, fr, &frame, g, rest, several, &at);
                // One factor's share of a several-factor figure is a hypothesis: one that does not fit 28 digits
                // (a printed figure far beyond the ledger) is left out; with one factor it is the figure's own
                // arithmetic, and an overflow is an error at the figure.
                let f = if several { f.ok().flatten() } else { f? };
                if let Some(f) = f {
                    out.push(f);
                }
            }
            // Every activity of a several-activity figure agrees with the report's own activity figures: the gap is
            // in the factors the report used, which the report does not print one by one.
            let ruled: Vec<&Finding> = out[before..]
                .iter()
                .filter(|f| {
                    f.kind == FindingKind::ImpliedActivity
                        && f.values.iter().any(|(k, v)| k == "ruled_out_by_report" && v == "true")
                })
                .collect();
            if activity_groups >= 2 && ruled.len() == activity_groups && !fr.recomputed.is_zero() {
                let scale = rf.printed.value.checked_div(fr.recomputed);
                let msg = format!(
                    "{} {}: every activity of the figure reconciles with the report's own activity figures, so the gap of {} is in the factors the report used{}; the report does not print them, so no one factor can be named",
                    fr.id,
                    rf.printed.text,
                    signed(fr.difference, fr.detail_places()),
                    scale
                        .map(|x| format!(" (printed / recomputed = {}, as if every factor were scaled so)", show(x, 6)))
                        .unwrap_or_default()
                );
                let mut f = Finding::new(FindingKind::ImpliedFactor, year.year, Some(&fr.id), Outcome::Info, msg);
                if let Some(x) = scale {
                    f = f.value("printed_over_recomputed", full(x));
                }
                out.push(f);
            }
        }
        let items: Vec<(String, Decimal)> = if t.parts.len() >= 2 {
            t.parts.iter().map(|(id, f)| (id.clone(), f.value)).collect()
        } else {
            t.lines.iter().map(|l| (format!("{}:{}", l.source, l.figure), l.value)).collect()
        };
        if items.len() >= 2
            && let Some(f) = rounding(year.year, fr, &frame, &items, &at)?
        {
            out.push(f);
        }
    }
    Ok(out)
}

/// How a figure's lines map to its printed unit, with its reported figure; None for a figure findings cannot
/// explain (an intensity per a denominator other than revenue, a unit that does not convert).
fn frame_of<'a>(
    year: &'a YearResult,
    fr: &FigureResult,
    units: &BTreeMap<String, Option<FigureUnit>>,
) -> Option<(Frame<'a>, &'a super::ReportedFigure)> {
    let rf = year.reported.figure(&fr.id)?;
    let figure = year.computation.figures.get(&fr.id)?;
    let (Ok(fu), Some(Some(ru))) = (FigureUnit::parse(&figure.unit), units.get(&fr.id)) else { return None };
    let scale = if FigureId::new(&fr.id).is_intensity() {
        // Findings divide by revenue only; an intensity per another denominator gets its status alone.
        match (&year.revenue, FigureId::new(&fr.id).per_revenue_of()) {
            (Some(r), Some(_)) => r.million,
            _ => return None,
        }
    } else {
        Decimal::ONE
    };
    // For intensities the lines are the numerator's; the frame divides their sum by revenue (in millions).
    Some((Frame { printed: &rf.printed, fu, ru: ru.clone(), scale }, rf))
}

/// The `propagated` findings: every total or intensity that is not exact or consistent, recomputed from the
/// reported values of its parts (run after the parts' statuses are final).
pub(super) fn propagate(
    year: &YearResult,
    units: &BTreeMap<String, Option<FigureUnit>>,
) -> Result<Vec<Finding>, Error> {
    let mut out = Vec::new();
    for fr in &year.figures {
        if matches!(fr.status, Status::Exact | Status::Consistent) {
            continue;
        }
        let Some((frame, rf)) = frame_of(year, fr, units) else { continue };
        let at = At { id: &fr.id, location: &rf.location };
        if let Some(f) = propagated(year, fr, &frame, &at)? {
            out.push(f);
        }
    }
    Ok(out)
}

/// Whether a finding explains the whole gap of its figure through the precision of what was printed (the report
/// summed rounded parts; a printed input's or factor's last digit; parts each explained so): the figure is then
/// `consistent`. Another factor reproducing the figure is not such an explanation: the report used another factor.
pub(super) fn explains_whole_gap(f: &Finding) -> bool {
    explanation_rank(f).is_some()
}

/// The preference among explaining findings: rounding first (the report's arithmetic), then the ledger's printed
/// precision, the factor's, and parts each explained so.
pub(super) fn explanation_rank(f: &Finding) -> Option<u8> {
    if !explains(f) {
        return None;
    }
    Some(match f.kind {
        FindingKind::Rounding => 0,
        FindingKind::ImpliedActivity => 1,
        FindingKind::ImpliedFactor => 2,
        _ => 3,
    })
}

fn explains(f: &Finding) -> bool {
    if f.outcome != Outcome::Explains {
        return false;
    }
    match f.kind {
        FindingKind::Rounding | FindingKind::ImpliedActivity => true,
        FindingKind::ImpliedFactor => f.candidates.iter().any(|c| c.relation == "used"),
        FindingKind::Propagated => f.values.iter().any(|(k, v)| k == "parts_off" && v == "0"),
        _ => false,
    }
}

/// A few words naming an explaining finding, for the figure's status ("rounding: the report summed rounded parts").
pub(super) fn explanation(f: &Finding) -> String {
    let why = match f.kind {
        FindingKind::Rounding => "the report summed rounded parts",
        FindingKind::ImpliedActivity => "within the precision of the ledger's printed inputs",
        FindingKind::ImpliedFactor => "the factor used, within its printed precision",
        FindingKind::Propagated => "the printed parts give it, each part reconciles",
        _ => "",
    };
    format!("{}: {why}", f.kind.name())
}
