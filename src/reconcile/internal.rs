//! Internal consistency of the report itself, without any recomputation: parts add up to totals, intensities
//! equal total / denominator, "of which" rows are not larger than their parent, stated year-on-year changes match
//! the figures. Every check works on printed intervals: it *holds* when the intervals allow it, and is *exact* when
//! the printed values themselves give the printed result once rounded the way the report rounds.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::findings::{At, Finding, FindingKind, Outcome, full, show, signed};
use super::unit::FigureUnit;
use super::{Direction, Relation, ReportedFigure, YearResult};
use crate::error::Error;
use crate::printed::PrintedNumber;

/// A printed figure in base units: value and interval.
#[derive(Debug, Clone, Copy)]
struct Base {
    v: Decimal,
    lo: Decimal,
    hi: Decimal,
}

fn base(p: &PrintedNumber, unit: Option<&FigureUnit>) -> Option<Base> {
    let f = |x: Decimal| match unit {
        Some(u) => u.to_base(x),
        None => Some(x),
    };
    Some(Base { v: f(p.value)?, lo: f(p.lower()?)?, hi: f(p.upper()?)? })
}

/// `x` in base units back into the printed unit of `p`.
fn from_base(x: Decimal, unit: Option<&FigureUnit>) -> Option<Decimal> {
    match unit {
        None => Some(x),
        Some(u) => x.checked_div(u.to_base(Decimal::ONE)?),
    }
}

fn overlaps(a: (Decimal, Decimal), b: (Decimal, Decimal)) -> bool {
    a.0 <= b.1 && b.0 <= a.1
}

fn unit_of<'a>(units: &'a BTreeMap<String, Option<FigureUnit>>, id: &str) -> Option<&'a FigureUnit> {
    units.get(id).and_then(|u| u.as_ref())
}

fn dims_agree(units: &BTreeMap<String, Option<FigureUnit>>, ids: &[&str]) -> bool {
    let us: Vec<Option<&FigureUnit>> = ids.iter().map(|id| unit_of(units, id)).collect();
    match us.iter().flatten().next() {
        None => true,
        Some(first) => us.iter().all(|u| u.is_some_and(|u| u.compatible(first))),
    }
}

/// Every declared and built-in relation of one year's reported file. An overflow on the way is an error at the
/// reported figure it concerns.
pub(super) fn check(year: &YearResult, units: &BTreeMap<String, Option<FigureUnit>>) -> Result<Vec<Finding>, Error> {
    let r = &year.reported;
    let mut out = Vec::new();
    let fig = |id: &str| -> Option<&ReportedFigure> { r.figure(id) };
    for c in &r.checks {
        let origin = match (&c.locator, c.builtin) {
            (Some(l), _) => format!(" [{l}]"),
            (None, true) => " [standard relation]".to_string(),
            (None, false) => String::new(),
        };
        match &c.relation {
            Relation::Sum { total, parts } => {
                let mut ids: Vec<&str> = vec![total.as_str()];
                ids.extend(parts.iter().map(String::as_str));
                let Some(t) = fig(total) else { continue };
                if !dims_agree(units, &ids) {
                    out.push(Finding::new(
                        FindingKind::InternalSum,
                        year.year,
                        Some(total),
                        Outcome::Unchecked,
                        format!("{total}: the parts {} are not in the total's unit{origin}", parts.join(" + ")),
                    ));
                    continue;
                }
                let tu = unit_of(units, total);
                let (Some(tb), Some(pb)) = (
                    base(&t.printed, tu),
                    parts
                        .iter()
                        .map(|p| fig(p).and_then(|f| base(&f.printed, unit_of(units, p))))
                        .collect::<Option<Vec<Base>>>(),
                ) else {
                    continue;
                };
                let at = At { id: total, location: &t.location };
                let what = format!("the sum of the parts {}", parts.join(" + "));
                let mut sum = Base { v: Decimal::ZERO, lo: Decimal::ZERO, hi: Decimal::ZERO };
                for b in &pb {
                    sum = Base {
                        v: at.add(sum.v, b.v, &what)?,
                        lo: at.add(sum.lo, b.lo, &what)?,
                        hi: at.add(sum.hi, b.hi, &what)?,
                    };
                }
                let Some(sum_printed) = from_base(sum.v, tu) else { continue };
                let exact = t.printed.round_like(sum_printed) == t.printed.value;
                let holds = exact || overlaps((sum.lo, sum.hi), (tb.lo, tb.hi));
                let texts: Vec<&str> = parts.iter().filter_map(|p| fig(p).map(|f| f.printed.text.as_str())).collect();
                let verdict = if exact {
                    "exactly".to_string()
                } else if holds {
                    "within the precision of the printed figures".to_string()
                } else {
                    let off = at.sub(
                        sum_printed,
                        t.printed.value,
                        "the gap between the sum of its parts and the printed value",
                    )?;
                    format!("off by {}", show(off, t.printed.places + 1))
                };
                let msg = format!(
                    "{total} = {}: {} = {} against the printed {}: {} {verdict}{origin}",
                    parts.join(" + "),
                    texts.join(" + "),
                    t.printed.render_like(sum_printed),
                    t.printed.text,
                    if holds { "holds" } else { "fails" },
                );
                out.push(
                    Finding::new(
                        FindingKind::InternalSum,
                        year.year,
                        Some(total),
                        if holds { Outcome::Holds } else { Outcome::Fails },
                        msg,
                    )
                    .value("sum", full(sum_printed))
                    .value("printed", full(t.printed.value))
                    .value("exact", exact.to_string()),
                );
            }
            Relation::Ratio { value, numerator, denominator } => {
                let (Some(v), Some(n), Some(d)) = (fig(value), fig(numerator), fig(denominator)) else { continue };
                let vu = unit_of(units, value);
                let (Some(vb), Some(nb), Some(db)) = (
                    base(&v.printed, vu),
                    base(&n.printed, unit_of(units, numerator)),
                    base(&d.printed, unit_of(units, denominator)),
                ) else {
                    continue;
                };
                let Some(q) = nb.v.checked_div(db.v) else { continue };
                // The quotient of the two intervals (the denominator's must exclude 0).
                let q_range = if db.lo > Decimal::ZERO || db.hi < Decimal::ZERO {
                    // Every corner counts: one left out would narrow the interval.
                    let at = At { id: value, location: &v.location };
                    let c = [(nb.lo, db.lo), (nb.lo, db.hi), (nb.hi, db.lo), (nb.hi, db.hi)]
                        .iter()
                        .map(|(n, d)| n.checked_div(*d).ok_or_else(|| at.overflow("the interval of the ratio")))
                        .collect::<Result<Vec<Decimal>, Error>>()?;
                    (c.iter().copied().fold(q, Decimal::min), c.iter().copied().fold(q, Decimal::max))
                } else {
                    (q, q)
                };
                let Some(q_printed) = from_base(q, vu) else { continue };
                let exact = v.printed.round_like(q_printed) == v.printed.value;
                let holds = exact || overlaps(q_range, (vb.lo, vb.hi));
                let msg = format!(
                    "{value} = {numerator} / {denominator}: {} / {} = {} against the printed {}: {}{origin}",
                    n.printed.text,
                    d.printed.text,
                    show(q_printed, v.printed.places + 4),
                    v.printed.text,
                    if exact {
                        "holds exactly"
                    } else if holds {
                        "holds within the precision of the printed figures"
                    } else {
                        "fails"
                    }
                );
                out.push(
                    Finding::new(
                        FindingKind::InternalRatio,
                        year.year,
                        Some(value),
                        if holds { Outcome::Holds } else { Outcome::Fails },
                        msg,
                    )
                    .value("ratio", full(q_printed))
                    .value("printed", full(v.printed.value))
                    .value("exact", exact.to_string()),
                );
            }
            Relation::OfWhich { parent, part } => {
                let (Some(a), Some(b)) = (fig(parent), fig(part)) else { continue };
                if !dims_agree(units, &[parent, part]) {
                    continue;
                }
                let (Some(ab), Some(bb)) =
                    (base(&a.printed, unit_of(units, parent)), base(&b.printed, unit_of(units, part)))
                else {
                    continue;
                };
                let holds = bb.lo <= ab.hi;
                let at = At { id: part, location: &b.location };
                let share = match bb.v.checked_div(ab.v) {
                    Some(s) => Some(at.mul(s, Decimal::ONE_HUNDRED, &format!("the share of {parent}"))?),
                    None => None,
                };
                let msg = format!(
                    "{part} {} is \"of which\" {parent} {}: {}{}{origin}",
                    b.printed.text,
                    a.printed.text,
                    if holds { "not larger, holds" } else { "larger than its parent, fails" },
                    share.map(|s| format!(" (share {}%)", show(s, 1))).unwrap_or_default()
                );
                let mut f = Finding::new(
                    FindingKind::InternalOfWhich,
                    year.year,
                    Some(part),
                    if holds { Outcome::Holds } else { Outcome::Fails },
                    msg,
                );
                if let Some(s) = share {
                    f = f.value("share_percent", full(s));
                }
                out.push(f);
            }
        }
    }
    Ok(out)
}

/// Stated changes of `cur`, against `from` in the change entry or the previous year's reported figure. A change
/// that overflows is an error at the `[[change]]`.
pub(super) fn changes(cur: &YearResult, prev: Option<&YearResult>) -> Result<Vec<Finding>, Error> {
    let mut out = Vec::new();
    for ch in &cur.reported.changes {
        let at = At { id: &ch.id, location: &ch.location };
        let what = "the stated change";
        let Some(now) = cur.reported.figure(&ch.id) else { continue };
        let unit = now.unit.as_ref();
        let (before, before_unit, basis) = match (&ch.from, prev.and_then(|p| p.reported.figure(&ch.id))) {
            (Some(f), _) => {
                let u = if f.unit.is_empty() { unit.cloned() } else { FigureUnit::parse(&f.unit).ok() };
                (f.clone(), u, "as stated with the change".to_string())
            }
            (None, Some(pf)) => (pf.printed.clone(), pf.unit.clone(), format!("{} report figure", pf.id)),
            (None, None) => {
                out.push(Finding::new(
                    FindingKind::InternalChange,
                    cur.year,
                    Some(&ch.id),
                    Outcome::Unchecked,
                    format!(
                        "{} change {}: no previous-year figure (give from = \"...\" in the [[change]], or reconcile the previous year's inventory too)",
                        ch.id, ch.printed.text
                    ),
                ));
                continue;
            }
        };
        let (Some(a), Some(b)) = (base(&before, before_unit.as_ref()), base(&now.printed, unit)) else { continue };
        let percent = ch.printed.unit.trim() == "%";
        let (v, lo, hi) = if percent {
            if a.lo <= Decimal::ZERO {
                continue;
            }
            // a.lo > 0, so every divisor is positive: only an overflow can fail.
            let pct = |n: Decimal, d: Decimal| -> Result<Decimal, Error> {
                let ratio = n.checked_div(d).ok_or_else(|| at.overflow(what))?;
                at.mul(at.sub(ratio, Decimal::ONE, what)?, Decimal::ONE_HUNDRED, what)
            };
            let v = at.sub(b.v, a.v, what)?.checked_div(a.v).ok_or_else(|| at.overflow(what))?;
            (at.mul(v, Decimal::ONE_HUNDRED, what)?, pct(b.lo, a.hi)?, pct(b.hi, a.lo)?)
        } else {
            let cu = if ch.printed.unit.is_empty() { unit.cloned() } else { FigureUnit::parse(&ch.printed.unit).ok() };
            let conv = |x: Decimal| from_base(x, cu.as_ref());
            let (Some(v), Some(lo), Some(hi)) =
                (conv(at.sub(b.v, a.v, what)?), conv(at.sub(b.lo, a.hi, what)?), conv(at.sub(b.hi, a.lo, what)?))
            else {
                continue;
            };
            (v, lo, hi)
        };
        let (exact, holds) = match ch.direction.filter(|_| !ch.magnitude) {
            // Only a direction is stated: it holds when the printed figures allow a change that way, and exactly
            // when they allow no other.
            Some(Direction::Decrease) => (hi < Decimal::ZERO, lo < Decimal::ZERO),
            Some(Direction::Increase) => (lo > Decimal::ZERO, hi > Decimal::ZERO),
            None => {
                let exact = ch.printed.round_like(v) == ch.printed.value;
                let inside = match (ch.printed.lower(), ch.printed.upper()) {
                    (Some(plo), Some(phi)) => overlaps((lo, hi), (plo, phi)),
                    _ => false,
                };
                (exact, exact || inside)
            }
        };
        let prev_year =
            if ch.from.is_some() { String::new() } else { prev.map(|p| format!(" {}", p.year)).unwrap_or_default() };
        let msg = format!(
            "{} {}: from {}{prev_year} to {} the change is {}{} ({basis}); {}{}",
            ch.id,
            ch.printed.text,
            before.text,
            now.printed.text,
            signed(v, ch.printed.places + 1),
            if percent { "%" } else { "" },
            if exact {
                "holds exactly"
            } else if holds {
                "holds within the precision of the printed figures"
            } else {
                "fails"
            },
            ch.locator.as_ref().map(|l| format!(" [{l}]")).unwrap_or_default()
        );
        out.push(
            Finding::new(
                FindingKind::InternalChange,
                cur.year,
                Some(&ch.id),
                if holds { Outcome::Holds } else { Outcome::Fails },
                msg,
            )
            .value("change", full(v))
            .value("printed", full(ch.printed.value))
            .value("exact", exact.to_string()),
        );
    }
    Ok(out)
}
