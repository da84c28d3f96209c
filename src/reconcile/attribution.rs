//! Change attribution between two years, by sequential substitution.
//!
//! The lines of a figure are grouped into cells `(entity, activity, unit of measure)`; a cell has an activity `A`
//! (its ledger quantity, each row counted once, in the activity's canonical unit) and a value `V` (the sum of its
//! lines). With `0` the earlier year and `1` the later one:
//!
//! 1. **boundary**: entities present in one year only: `+ V1` of entities that appear, `- V0` of those that leave;
//! 2. **activity**: for entities in both years, each cell moves from `V0` to `S = A1 x V0 / A0` (the new activity
//!    at the old effective factor; a cell new in the entity takes `S = V1`, one that disappears `S = 0`);
//! 3. **factors**: from `S` to `V1` (edition, method, region or certificate changes at the new activity).
//!
//! Certificates (and other contractual instruments) change the market-based factor of electricity, not an
//! activity: a certificate cell keeps `S = V0`, so its whole change is counted under factors, as the README says
//! (and the activity part of scope 2 is then the same for both methods).
//!
//! The three parts are differences of successive states, so they add up exactly to `V1 - V0`. Values are taken
//! at 10 decimal places (1e-10 of the figure's unit) so that every addition is exact. The order matters (activity
//! first): that is the convention of sequential substitution, stated wherever the attribution is shown.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use super::YearResult;
use super::unit::FigureUnit;
use crate::calc;
use crate::error::{Error, Location};
use crate::units::Unit;

/// Decimal places of the values the attribution works on.
pub const ATTRIBUTION_PLACES: u32 = 10;

/// How a figure changed between two years, split into boundary, activity and factors.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attribution {
    /// Figure id.
    pub figure: String,
    /// Unit of the figure.
    pub unit: String,
    /// Earlier year.
    pub from_year: i32,
    /// Later year.
    pub to_year: i32,
    /// Recomputed value of the earlier year (sum of its lines at [`ATTRIBUTION_PLACES`]).
    pub from: Decimal,
    /// Recomputed value of the later year.
    pub to: Decimal,
    /// to − from = boundary + activity + factors, exactly.
    pub change: Decimal,
    /// Entities present in one year only.
    pub boundary: Decimal,
    /// Activity changes at the earlier year's effective factors.
    pub activity: Decimal,
    /// Factor (edition, method, certificate) changes at the later year's activity.
    pub factors: Decimal,
    /// The reported values of both years, when both reported files print the figure (in the figure's unit).
    pub reported: Option<(Decimal, Decimal)>,
    /// Factors used only in the earlier year.
    pub factors_dropped: Vec<String>,
    /// Factors used only in the later year.
    pub factors_added: Vec<String>,
    /// Entities only in the later year.
    pub entities_added: Vec<String>,
    /// Entities only in the earlier year.
    pub entities_removed: Vec<String>,
}

impl Attribution {
    /// The reported change (later − earlier), if both years report the figure ([`attribute`] has checked that
    /// it fits).
    pub fn reported_change(&self) -> Option<Decimal> {
        self.reported.and_then(|(a, b)| b.checked_sub(a))
    }
}

fn at_places(x: Decimal) -> Decimal {
    x.round_dp_with_strategy(ATTRIBUTION_PLACES, RoundingStrategy::MidpointAwayFromZero)
}

#[derive(Default)]
struct Cell {
    activity: Decimal,
    value: Decimal,
    sources: BTreeSet<String>,
}

struct Side {
    cells: BTreeMap<(String, String, String), Cell>,
    entities: BTreeSet<String>,
    by_entity: BTreeMap<String, Decimal>,
    factors: BTreeSet<String>,
    total: Decimal,
}

/// Where an overflow of figure `id` in year `y` is reported: the figure in that year's reported file, else the
/// reported file itself.
fn at_figure(y: &YearResult, id: &str) -> Location {
    y.reported.figure(id).map(|f| f.location.clone()).unwrap_or_else(|| Location::file(&y.reported.path))
}

/// `a + b`, or an overflow error naming `what`, at `at`.
fn add(a: Decimal, b: Decimal, what: impl FnOnce() -> String, at: impl FnOnce() -> Location) -> Result<Decimal, Error> {
    a.checked_add(b).ok_or_else(|| Error::overflow(what()).at(at()))
}

/// `a - b`, or an overflow error naming `what`, at `at`.
fn sub(a: Decimal, b: Decimal, what: impl FnOnce() -> String, at: impl FnOnce() -> Location) -> Result<Decimal, Error> {
    a.checked_sub(b).ok_or_else(|| Error::overflow(what()).at(at()))
}

fn side(y: &YearResult, id: &str) -> Result<Option<Side>, Error> {
    let Some(t) = calc::trace(&y.computation, id, None).map_err(|e| e.at(at_figure(y, id)))? else {
        return Ok(None);
    };
    let mut s = Side {
        cells: BTreeMap::new(),
        entities: BTreeSet::new(),
        by_entity: BTreeMap::new(),
        factors: BTreeSet::new(),
        total: Decimal::ZERO,
    };
    for l in &t.lines {
        let canon = l.activity.canonical_unit();
        let (qty, measure) = match (Unit::parse(&l.unit), Unit::parse(canon)) {
            (Ok(u), Ok(c)) if u.dimension() == c.dimension() => {
                // Same dimension: only an overflow can fail, and an unconverted quantity would mix units.
                let q = crate::units::convert(l.quantity, &u, &c).map_err(|_| {
                    Error::overflow(format!("{} {} in {canon}", l.quantity, l.unit)).at(l.source.clone())
                })?;
                (q, canon.to_string())
            }
            _ => (l.quantity, l.unit.clone()),
        };
        let v = at_places(l.value);
        let cell = s.cells.entry((l.entity.clone(), l.activity.name().to_string(), measure)).or_default();
        let in_cell = || format!("the {} of entity {} in {id} ({})", l.activity.name(), l.entity, y.year);
        // A row may give several lines to one figure (CO2, CH4, N2O): its quantity counts once.
        if cell.sources.insert(l.source.to_string()) {
            cell.activity =
                add(cell.activity, at_places(qty), || format!("{} activity", in_cell()), || l.source.clone())?;
        }
        cell.value = add(cell.value, v, in_cell, || l.source.clone())?;
        s.entities.insert(l.entity.clone());
        let e = s.by_entity.entry(l.entity.clone()).or_default();
        *e = add(*e, v, || format!("{id} of entity {} ({})", l.entity, y.year), || l.source.clone())?;
        s.total = add(s.total, v, || format!("the sum of the lines of {id} ({})", y.year), || l.source.clone())?;
        for f in l.factors.iter() {
            s.factors.insert(f.reference.to_string());
        }
    }
    Ok(Some(s))
}

/// Attribute the change of figure `id` from year `a` to year `b` (None if either lacks the figure). A step that
/// overflows 28 significant digits is an error at the figure in the later year's reported file (or at the ledger
/// row, for a line's own quantity).
pub fn attribute(a: &YearResult, b: &YearResult, id: &str) -> Result<Option<Attribution>, Error> {
    let (Some(s0), Some(s1)) = (side(a, id)?, side(b, id)?) else { return Ok(None) };
    let Some(unit) = b.computation.figures.get(id).map(|f| f.unit.clone()) else { return Ok(None) };
    let at = || at_figure(b, id);
    let what = |part: &'static str| move || format!("the {part} change of {id} from {} to {}", a.year, b.year);
    let both: BTreeSet<&String> = s0.entities.intersection(&s1.entities).collect();
    let mut boundary = Decimal::ZERO;
    for (e, v) in &s1.by_entity {
        if !both.contains(e) {
            boundary = add(boundary, *v, what("boundary"), at)?;
        }
    }
    for (e, v) in &s0.by_entity {
        if !both.contains(e) {
            boundary = sub(boundary, *v, what("boundary"), at)?;
        }
    }
    let (mut activity, mut factors) = (Decimal::ZERO, Decimal::ZERO);
    let keys: BTreeSet<&(String, String, String)> =
        s0.cells.keys().chain(s1.cells.keys()).filter(|k| both.contains(&k.0)).collect();
    let empty = Cell::default();
    for k in keys {
        let c0 = s0.cells.get(k).unwrap_or(&empty);
        let c1 = s1.cells.get(k).unwrap_or(&empty);
        let s = if k.1 == "certificate" {
            c0.value
        } else if c0.activity.is_zero() {
            if c0.value.is_zero() { c1.value } else { c0.value }
        } else {
            c1.activity.checked_mul(c0.value).and_then(|x| x.checked_div(c0.activity)).map(at_places).ok_or_else(
                || {
                    Error::overflow(format!(
                        "the {} of entity {} in {id} at the {} activity and the {} factor ({} x {} / {})",
                        k.1, k.0, b.year, a.year, c1.activity, c0.value, c0.activity
                    ))
                    .at(at())
                },
            )?
        };
        activity = add(activity, sub(s, c0.value, what("activity"), at)?, what("activity"), at)?;
        factors = add(factors, sub(c1.value, s, what("factors"), at)?, what("factors"), at)?;
    }
    let reported = match (a.reported.figure(id), b.reported.figure(id), FigureUnit::parse(&unit).ok()) {
        (Some(ra), Some(rb), Some(fu)) => {
            let conv = |r: &super::ReportedFigure| match &r.unit {
                Some(u) => u.convert(r.printed.value, &fu),
                None => Some(r.printed.value),
            };
            conv(ra).zip(conv(rb))
        }
        _ => None,
    };
    // The reported change is shown beside the attribution: it must fit too.
    if let Some((ra, rb)) = reported {
        sub(rb, ra, || format!("the reported change of {id} from {} to {}", a.year, b.year), at)?;
    }
    let change = sub(s1.total, s0.total, what("total"), at)?;
    Ok(Some(Attribution {
        figure: id.to_string(),
        unit,
        from_year: a.year,
        to_year: b.year,
        from: s0.total,
        to: s1.total,
        change,
        boundary,
        activity,
        factors,
        reported,
        factors_dropped: s0.factors.difference(&s1.factors).cloned().collect(),
        factors_added: s1.factors.difference(&s0.factors).cloned().collect(),
        entities_added: s1.entities.difference(&s0.entities).cloned().collect(),
        entities_removed: s0.entities.difference(&s1.entities).cloned().collect(),
    }))
}
