//! Targets: the smallest amount of a lever that brings a figure to a target, or why no amount can.
//!
//! The search works in whole quanta of the lever (1 MWh: one GEC certifies 1 MWh; 0.001 MW; 0.01 % of a share),
//! so the answer is verified by two computations: the figure meets the target at the answer and does not one
//! quantum below. Between those two amounts the figure is linear in the lever (certificates and PV replace a
//! residual or grid factor per MWh), which gives the exact threshold as well.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use super::run::{evaluate, sum_costs};
use super::sweep::Param;
use super::{Basis, ChangeKind, Money, Scenario};
use crate::calc::{Computation, ComputeOptions, Figure, RowCounts, RunOptions};
use crate::error::{Diagnostics, Error, ErrorKind, Location};
use crate::factor::FactorLibrary;
use crate::figure::{SCOPE1, SCOPE2_LOCATION, SCOPE2_MARKET};
use crate::inventory::Inventory;

/// How a figure is compared with its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Comparison {
    /// `<=`
    AtMost,
    /// `<`
    Below,
    /// `>=`
    AtLeast,
    /// `>`
    Above,
}

impl Comparison {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::AtMost => "<=",
            Comparison::Below => "<",
            Comparison::AtLeast => ">=",
            Comparison::Above => ">",
        }
    }
    /// Whether `v` meets the target `t`.
    pub fn meets(self, v: Decimal, t: Decimal) -> bool {
        match self {
            Comparison::AtMost => v <= t,
            Comparison::Below => v < t,
            Comparison::AtLeast => v >= t,
            Comparison::Above => v > t,
        }
    }
}

/// A target: `intensity.total.market<=1.80`, the lever (default `certificates`) and optionally its maximum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetSpec {
    /// Figure id.
    pub figure: String,
    /// Comparison.
    pub cmp: Comparison,
    /// Target value.
    pub value: Decimal,
    /// Lever parameter name (see [`Param::resolve`]); default `certificates`.
    pub lever: Option<String>,
    /// The lever's largest amount to consider (default: where it stops having an effect).
    pub lever_max: Option<Decimal>,
}

impl TargetSpec {
    /// Parse `figure<=value` (also `<`, `>=`, `>`).
    pub fn parse(s: &str) -> Result<TargetSpec, String> {
        let t = s.trim();
        for (op, cmp) in [
            ("<=", Comparison::AtMost),
            (">=", Comparison::AtLeast),
            ("<", Comparison::Below),
            (">", Comparison::Above),
        ] {
            if let Some((f, v)) = t.split_once(op) {
                let value = crate::activity::parse_quantity(v.trim())
                    .ok_or_else(|| format!("target value '{}' is not a decimal number", v.trim()))?;
                let figure = f.trim().to_string();
                if figure.is_empty() {
                    return Err(format!("target '{t}' names no figure"));
                }
                return Ok(TargetSpec { figure, cmp, value, lever: None, lever_max: None });
            }
        }
        Err(format!("target '{t}' is not FIGURE<=VALUE (or <, >=, >), e.g. intensity.total.market<=1.80"))
    }
}

/// The answer to a target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Solution {
    /// The target.
    pub target: TargetSpec,
    /// The lever.
    pub lever: Param,
    /// Whether some amount in [0, max] meets the target.
    pub reachable: bool,
    /// The smallest amount, in whole quanta, that meets the target.
    pub amount: Option<Decimal>,
    /// The exact threshold (where the figure equals the target), when it lies inside the lever's range.
    pub exact: Option<Decimal>,
    /// The quantum amounts are searched in.
    pub quantum: Decimal,
    /// The figure at the amount.
    pub at_amount: Option<Decimal>,
    /// The figure one quantum below the amount.
    pub below_amount: Option<Decimal>,
    /// The figure with the lever at 0.
    pub at_zero: Decimal,
    /// The lever's maximum.
    pub max: Decimal,
    /// Why the maximum is where it is.
    pub max_reason: String,
    /// The figure at the maximum.
    pub at_max: Decimal,
    /// Every figure at the answer (or at the maximum when unreachable).
    pub figures: BTreeMap<String, Figure>,
    /// Cost at the answer.
    pub cost: Option<Money>,
    /// The figure's unit.
    pub unit: String,
    /// An explanation (why it is out of reach, or how the answer was verified).
    pub explanation: String,
    /// Computations made.
    pub evaluations: usize,
    /// Rows read, used and rejected with the lever at 0.
    pub rows: RowCounts,
    /// The rows rejected with the lever at 0, with their reasons (lenient mode).
    pub rejected: Vec<Error>,
}

fn fmt(x: Decimal) -> String {
    crate::printed::format_grouped(x, 2, true)
}

/// Where a figure linear between `(x0, y0)` and `(x1, y1)` (`y0 != y1`) equals `t`: x0 + (t - y0) x (x1 - x0) /
/// (y1 - y0), or None when a step overflows.
fn interpolate(t: Decimal, (x0, y0): (Decimal, Decimal), (x1, y1): (Decimal, Decimal)) -> Option<Decimal> {
    let along = t.checked_sub(y0)?.checked_mul(x1.checked_sub(x0)?)?.checked_div(y1.checked_sub(y0)?)?;
    x0.checked_add(along)
}

/// Solve a target: the smallest amount of the lever that meets it, in whole quanta, verified; or why not.
pub fn solve(
    inv: &Inventory,
    lib: &FactorLibrary,
    scenario: &Scenario,
    spec: &TargetSpec,
    settings: impl Into<RunOptions>,
) -> Result<Solution, Diagnostics> {
    let mut s = scenario.clone();
    let lever_name = spec.lever.clone().unwrap_or_else(|| "certificates".into());
    let p = Param::resolve(&mut s, &lever_name).map_err(Diagnostics::from)?;
    let settings: RunOptions = settings.into();
    let basis = Basis::read(inv, &settings.read)?;
    let opts = RunOptions { compute: ComputeOptions { keep_lines: false, ..settings.compute }, ..settings };
    let evaluations = std::cell::Cell::new(0usize);
    let eval = |x: Decimal| -> Result<(Computation, Option<Money>), Diagnostics> {
        evaluations.set(evaluations.get() + 1);
        let sv = p.set(&s, x);
        let (c, a) = evaluate(inv, lib, &basis, &sv, sv.changes.len(), opts)?;
        let cost = sum_costs(&a.costs).map_err(Diagnostics::from)?;
        Ok((c, cost))
    };
    let fig = |c: &Computation| -> Result<Decimal, Diagnostics> {
        c.figures.get(&spec.figure).map(|f| f.value).ok_or_else(|| {
            let ids: Vec<&str> = c.ordered_ids();
            Diagnostics::from(
                Error::new(ErrorKind::Usage, format!("no figure '{}' in this inventory", spec.figure)).hint(
                    crate::suggest::hint(&spec.figure, ids.iter().copied(), &format!("figures: {}", ids.join(", "))),
                ),
            )
        })
    };
    let (c0, cost0) = eval(Decimal::ZERO)?;
    let f0 = fig(&c0)?;
    let unit = c0.figures.get(&spec.figure).map(|f| f.unit.clone()).unwrap_or_default();
    // The lever's maximum: where more of it has no effect.
    // An overflow of the search's own arithmetic is an error at the scenario file (the target itself may come from
    // the command line, which has no line to point at).
    let locate = |e: Error| match &scenario.path {
        Some(path) => e.at(Location::file(path)),
        None => e,
    };
    let grid_total = c0
        .scope2
        .coverage
        .iter()
        .try_fold(Decimal::ZERO, |a, m| a.checked_add(m.grid_mwh))
        .ok_or_else(|| locate(Error::overflow("the grid electricity of all markets")))?;
    let (quantum, max, max_reason) = match (&s.changes[p.index].kind, p.field) {
        (ChangeKind::AddCertificates { market, .. }, "mwh") => {
            let a = super::apply::apply(inv, &basis, &s.changes, s.changes.len(), &super::run::synth_path(&s))?;
            let m = market.clone().or_else(|| a.markets.get(&p.index).cloned()).unwrap_or_else(|| "CN".into());
            let cov = c0.scope2.coverage.iter().find(|x| x.market == m);
            let (g, cv) = cov.map(|x| (x.grid_mwh, x.covered_mwh)).unwrap_or_default();
            (
                Decimal::ONE,
                (g - cv).max(Decimal::ZERO),
                format!(
                    "certificates cannot exceed grid electricity: market {m} has {} MWh of grid electricity, {} MWh of it already covered, so at most {} MWh more can be used",
                    fmt(g),
                    fmt(cv),
                    fmt(g - cv)
                ),
            )
        }
        (ChangeKind::OnsitePv { .. }, "mwh") => (
            Decimal::ONE,
            grid_total,
            format!("on-site PV cannot displace more than the grid electricity ({} MWh)", fmt(grid_total)),
        ),
        (ChangeKind::OnsitePv { hours: Some(h), .. }, "mw") if *h > Decimal::ZERO => (
            Decimal::new(1, 3),
            grid_total
                .checked_div(*h)
                .ok_or_else(|| {
                    locate(Error::overflow(format!(
                        "the grid electricity ({} MWh) over {} full-load hours",
                        fmt(grid_total),
                        h.normalize()
                    )))
                })?
                .round_dp_with_strategy(3, rust_decimal::RoundingStrategy::ToPositiveInfinity),
            format!(
                "on-site PV cannot displace more than the grid electricity ({} MWh at {} full-load hours)",
                fmt(grid_total),
                h.normalize()
            ),
        ),
        (ChangeKind::Switch { .. }, "share") => {
            (Decimal::new(1, 4), Decimal::ONE, "a share cannot exceed 100 %".into())
        }
        (ChangeKind::RemoveCertificates { .. }, "mwh") => {
            let covered = c0
                .scope2
                .coverage
                .iter()
                .try_fold(Decimal::ZERO, |a, m| a.checked_add(m.covered_mwh))
                .ok_or_else(|| locate(Error::overflow("the certificate-covered MWh of all markets")))?;
            (Decimal::ONE, covered.ceil(), "no more certificates can be removed than are used".into())
        }
        _ => match spec.lever_max {
            Some(m) => (Decimal::new(1, 4), m, "the stated lever_max".into()),
            None => {
                return Err(Error::new(
                    ErrorKind::Usage,
                    format!("lever '{lever_name}' has no natural maximum; state one with --lever-max"),
                )
                .hint("levers with a known maximum: certificates, onsite_pv, onsite_pv.mw, switch.share")
                .into());
            }
        },
    };
    let (max, max_reason) = match spec.lever_max {
        Some(m) if m < max || !matches!(p.field, "mwh" | "mw" | "share") => (m, "the stated lever maximum".to_string()),
        _ => (max, max_reason),
    };
    let t = spec.value;
    let cmp = spec.cmp;
    let target_text = format!("{} {} {}", spec.figure, cmp.symbol(), t.normalize());
    let base = Solution {
        target: spec.clone(),
        lever: p.clone(),
        reachable: false,
        amount: None,
        exact: None,
        quantum,
        at_amount: None,
        below_amount: None,
        at_zero: f0,
        max,
        max_reason: max_reason.clone(),
        at_max: f0,
        figures: BTreeMap::new(),
        cost: None,
        unit: unit.clone(),
        explanation: String::new(),
        evaluations: 0,
        rows: c0.provenance.rows,
        rejected: c0.rejected.clone(),
    };
    if cmp.meets(f0, t) {
        let ev = evaluations.get();
        return Ok(Solution {
            reachable: true,
            amount: Some(Decimal::ZERO),
            at_amount: Some(f0),
            figures: c0.figures,
            cost: cost0,
            explanation: format!(
                "{target_text} is already met without the lever: {} = {}",
                spec.figure,
                f0.normalize()
            ),
            evaluations: ev,
            ..base
        });
    }
    let (cmax, costmax) = eval(max)?;
    let fmax = fig(&cmax)?;
    if !cmp.meets(fmax, t) {
        let mut why = format!(
            "{target_text} is out of reach with {lever_name} alone: {max_reason}; at that maximum ({} {}) {} = {} {unit}, at 0 it is {} {unit}",
            fmt(max),
            p.unit,
            spec.figure,
            fmax.normalize(),
            f0.normalize()
        );
        let parts: Vec<String> = [SCOPE1, SCOPE2_MARKET, SCOPE2_LOCATION]
            .iter()
            .filter_map(|id| cmax.figures.get(id.as_str()).map(|f| format!("{id} {} {}", fmt(f.value), f.unit)))
            .collect();
        if !parts.is_empty() {
            why.push_str(&format!("; what remains there: {}", parts.join(", ")));
        }
        if f0 == fmax {
            why.push_str(&format!("; {} does not change with {lever_name}", spec.figure));
        }
        let ev = evaluations.get();
        return Ok(Solution {
            at_max: fmax,
            figures: cmax.figures,
            cost: costmax,
            explanation: why,
            evaluations: ev,
            ..base
        });
    }
    // Search in quanta: lo fails, hi meets. Secant guesses on the (piecewise) linear figure, with a bisection
    // step whenever a guess does not halve the bracket.
    let n_max = max
        .checked_div(quantum)
        .map(|x| x.ceil())
        .ok_or_else(|| Diagnostics::from(Error::new(ErrorKind::Usage, format!("lever maximum {max} is too large"))))?;
    let (mut lo, mut flo) = (Decimal::ZERO, f0);
    let (mut hi, mut fhi, mut chi, mut costhi) = (n_max, fmax, cmax, costmax);
    let mut bisect_next = false;
    while hi - lo > Decimal::ONE && evaluations.get() < 200 {
        let width = hi - lo;
        let mut g = if bisect_next || fhi == flo {
            lo + (width / Decimal::TWO).floor()
        } else {
            let x = (t - flo).checked_mul(width).and_then(|v| v.checked_div(fhi - flo)).unwrap_or(width / Decimal::TWO);
            lo + x.ceil()
        };
        g = g.clamp(lo + Decimal::ONE, hi - Decimal::ONE);
        let x = g.checked_mul(quantum).unwrap_or(max).min(max);
        let (c, cost) = eval(x)?;
        let fg = fig(&c)?;
        if cmp.meets(fg, t) {
            (hi, fhi, chi, costhi) = (g, fg, c, cost);
        } else {
            (lo, flo) = (g, fg);
        }
        bisect_next = !bisect_next && (hi - lo) > width / Decimal::TWO;
    }
    let amount = hi.checked_mul(quantum).unwrap_or(max).min(max);
    // `lo` quanta is less than the maximum, so this fits; were it not to, the interpolation below would start
    // from a wrong amount, so it is an error, never 0.
    let below = lo.checked_mul(quantum).ok_or_else(|| {
        locate(Error::overflow(format!(
            "the amount one step below the answer ({lo} x {} {})",
            quantum.normalize(),
            p.unit
        )))
    })?;
    // The exact threshold, linear between the two amounts; None only when the figure does not change between them.
    let exact = if fhi == flo {
        None
    } else {
        Some(interpolate(t, (below, flo), (amount, fhi)).ok_or_else(|| {
            locate(Error::overflow(format!(
                "the exact amount where {} reaches {} (between {} and {} {})",
                spec.figure,
                t.normalize(),
                below.normalize(),
                amount.normalize(),
                p.unit
            )))
        })?)
    };
    let ev = evaluations.get();
    Ok(Solution {
        reachable: true,
        amount: Some(amount),
        exact,
        at_amount: Some(fhi),
        below_amount: Some(flo),
        at_max: fmax,
        figures: chi.figures,
        cost: costhi,
        explanation: format!(
            "smallest amount in steps of {} {}: {} {} gives {} = {}, {} {} gives {}; the figure is linear between them, so it equals {} at {} {}",
            quantum.normalize(),
            p.unit,
            amount.normalize(),
            p.unit,
            spec.figure,
            fhi.normalize(),
            below.normalize(),
            p.unit,
            flo.normalize(),
            t.normalize(),
            exact.map(|e| e.normalize().to_string()).unwrap_or_else(|| "?".into()),
            p.unit
        ),
        evaluations: ev,
        ..base
    })
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    #[test]
    fn the_threshold_is_interpolated_exactly_or_its_overflow_is_said() {
        // 2.0 at 100 MWh, 1.0 at 101 MWh: 1.8 is reached at 100 + (1.8 - 2.0) x 1 / (1.0 - 2.0) = 100.2 MWh.
        assert_eq!(interpolate(dec!(1.8), (dec!(100), dec!(2.0)), (dec!(101), dec!(1.0))), Some(dec!(100.2)));
        // t - y0 = -7e28 - 7e28 does not fit: no answer, rather than an amount made from a 0.
        assert_eq!(
            interpolate(
                dec!(-70000000000000000000000000000),
                (dec!(0), dec!(70000000000000000000000000000)),
                (dec!(1), dec!(0))
            ),
            None
        );
    }
}
