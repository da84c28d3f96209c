//! Running a scenario: baseline, scenario, and the scenario after each change in turn, so that every figure's
//! delta is attributed to the changes that caused it; cost and cost per tCO2e avoided.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use rust_decimal::Decimal;
use serde::Serialize;

use super::apply::{Applied, apply};
use super::{Basis, Money, Scenario};
use crate::calc::{self, Computation, Figure, RowCounts, RunOptions, Warning};
use crate::error::{Diagnostics, Error, ErrorKind, Location};
use crate::factor::FactorLibrary;
use crate::figure::{self, FigureId, TOTAL_LOCATION, TOTAL_MARKET};
use crate::inventory::Inventory;

/// One figure: baseline, scenario, delta, and the delta's parts by change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FigureDelta {
    /// Figure id.
    pub id: String,
    /// Unit.
    pub unit: String,
    /// Baseline value (None: not computed in the baseline).
    pub baseline: Option<Decimal>,
    /// Scenario value.
    pub scenario: Option<Decimal>,
    /// scenario - baseline.
    pub delta: Option<Decimal>,
    /// The delta caused by each change, in order (they sum to `delta`).
    pub by_change: Vec<Option<Decimal>>,
}

/// One change's effect and cost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeResult {
    /// 1-based position.
    pub n: usize,
    /// Kind (`add_certificates`, ...).
    pub kind: &'static str,
    /// Description.
    pub description: String,
    /// Where it is written.
    pub location: Location,
    /// Its cost, where prices or a cost are given.
    pub cost: Option<Money>,
    /// tCO2e avoided, market-based (baseline-side minus scenario-side total.market of this step).
    pub avoided_market: Option<Decimal>,
    /// tCO2e avoided, location-based.
    pub avoided_location: Option<Decimal>,
    /// Cost per tCO2e avoided (market-based), when both are known and the avoided amount is positive.
    pub cost_per_t_market: Option<Decimal>,
    /// Cost per tCO2e avoided (location-based).
    pub cost_per_t_location: Option<Decimal>,
}

/// A scenario run.
#[derive(Debug, Clone)]
pub struct ScenarioRun {
    /// The scenario.
    pub scenario: Scenario,
    /// The baseline computation.
    pub baseline: Computation,
    /// The scenario computation.
    pub result: Computation,
    /// Every figure, in canonical order.
    pub figures: Vec<FigureDelta>,
    /// Every change's effect and cost.
    pub changes: Vec<ChangeResult>,
    /// Total cost.
    pub cost: Option<Money>,
    /// total.market avoided (baseline - scenario).
    pub avoided_market: Option<Decimal>,
    /// total.location avoided.
    pub avoided_location: Option<Decimal>,
    /// Cost per tCO2e avoided, market-based.
    pub cost_per_t_market: Option<Decimal>,
    /// Cost per tCO2e avoided, location-based.
    pub cost_per_t_location: Option<Decimal>,
    /// Warnings from applying the changes (the computations carry their own).
    pub warnings: Vec<Warning>,
    /// The ledgers' rows as the baseline read them: read, used, rejected (read = used + rejected).
    pub rows: RowCounts,
    /// The rows the baseline rejected, with their reasons (only in lenient mode; strict mode fails instead).
    pub rejected: Vec<Error>,
    /// The scenario's own row counts: the ledgers' rows as the changes leave them plus the rows the scenario adds.
    /// They differ from [`rows`](Self::rows) when the scenario adds rows or rejects a row the baseline used.
    pub scenario_rows: RowCounts,
    /// Rows that the scenario, or the scenario after one of its changes, rejected and the baseline did not (a
    /// scenario row, or a ledger row a change made invalid), each once, in the order first met.
    pub scenario_rejected: Vec<Error>,
}

/// The rejected rows of `c` that are not in `known`, appended to `out` once each.
fn rejected_beyond(c: &Computation, known: &[Error], out: &mut Vec<Error>) {
    for e in &c.rejected {
        if !known.contains(e) && !out.contains(e) {
            out.push(e.clone());
        }
    }
}

pub(super) fn synth_path(s: &Scenario) -> PathBuf {
    PathBuf::from(format!(
        "{} (scenario rows)",
        s.path.as_ref().map(|p| p.display().to_string()).unwrap_or_else(|| "command line".into())
    ))
}

/// Compute an inventory with changes applied. Returns the computation and the applied state.
pub(super) fn evaluate(
    inv: &Inventory,
    lib: &FactorLibrary,
    basis: &Basis,
    scenario: &Scenario,
    upto: usize,
    settings: RunOptions,
) -> Result<(Computation, Applied), Diagnostics> {
    let mut applied = apply(inv, basis, &scenario.changes, upto, &synth_path(scenario))?;
    let c = calc::Calculation::new(&applied.inv, lib).settings(settings).overlay(&mut applied.overlay).run(&mut ())?;
    Ok((c, applied))
}

pub(super) fn sum_costs(costs: &[Option<Money>]) -> Result<Option<Money>, Error> {
    let mut total: Option<Money> = None;
    for c in costs.iter().flatten() {
        total = match total {
            None => Some(*c),
            Some(t) if t.currency == c.currency => Some(Money {
                value: t.value.checked_add(c.value).ok_or_else(|| Error::new(ErrorKind::Overflow, "cost overflows"))?,
                currency: t.currency,
            }),
            Some(t) => {
                return Err(Error::new(
                    ErrorKind::Scenario,
                    format!("costs are in two currencies ({} and {}); they cannot be added", t.currency, c.currency),
                )
                .hint("state every price and cost in one currency"));
            }
        };
    }
    Ok(total)
}

fn value(f: &BTreeMap<String, Figure>, id: &str) -> Option<Decimal> {
    match f.get(id) {
        Some(x) => Some(x.value),
        // Per-activity figures exist only where rows do: none is zero.
        None if FigureId::new(id).is_per_activity() => Some(Decimal::ZERO),
        None => None,
    }
}

pub(super) fn per_t(cost: Option<Money>, avoided: Option<Decimal>) -> Option<Decimal> {
    match (cost, avoided) {
        (Some(c), Some(a)) if a > Decimal::ZERO => c.value.checked_div(a),
        _ => None,
    }
}

/// Run a scenario: baseline, each change in turn, the scenario; deltas attributed to changes. `settings` are a
/// [`calc::ComputeOptions`] or a [`RunOptions`] (then the ledgers are read as it says, e.g. in GBK).
pub fn run(
    inv: &Inventory,
    lib: &FactorLibrary,
    scenario: &Scenario,
    settings: impl Into<RunOptions>,
) -> Result<ScenarioRun, Diagnostics> {
    let opts: RunOptions = settings.into();
    let baseline = calc::Calculation::new(inv, lib).settings(opts).run(&mut ())?;
    let basis = Basis::read(inv, &opts.read)?;
    let n = scenario.changes.len();
    let mut steps: Vec<BTreeMap<String, Figure>> = vec![baseline.figures.clone()];
    let mut last: Option<(Computation, Applied)> = None;
    let mut scenario_rejected = Vec::new();
    if n == 0 {
        last = Some(evaluate(inv, lib, &basis, scenario, 0, opts)?);
    }
    for k in 1..=n {
        let (c, a) = evaluate(inv, lib, &basis, scenario, k, opts)?;
        rejected_beyond(&c, &baseline.rejected, &mut scenario_rejected);
        steps.push(c.figures.clone());
        last = Some((c, a));
    }
    let Some((result, applied)) = last else {
        return Err(Error::new(ErrorKind::Scenario, "no scenario result").into());
    };
    let mut ids: Vec<String> =
        baseline.figures.keys().chain(result.figures.keys()).cloned().collect::<BTreeSet<_>>().into_iter().collect();
    ids.sort_by(|a, b| figure::order_key(a).cmp(&figure::order_key(b)));
    let figures = ids
        .into_iter()
        .map(|id| {
            let b = value(&baseline.figures, &id);
            let s = value(&result.figures, &id);
            let unit = result
                .figures
                .get(&id)
                .or_else(|| baseline.figures.get(&id))
                .map(|f| f.unit.clone())
                .unwrap_or_default();
            let by_change = (1..=n)
                .map(|k| match (value(&steps[k], &id), value(&steps[k - 1], &id)) {
                    (Some(x), Some(y)) => x.checked_sub(y),
                    _ => None,
                })
                .collect();
            FigureDelta {
                delta: match (s, b) {
                    (Some(x), Some(y)) => x.checked_sub(y),
                    _ => None,
                },
                id,
                unit,
                baseline: b,
                scenario: s,
                by_change,
            }
        })
        .collect::<Vec<_>>();
    let avoided = |k: usize, id: FigureId| match (value(&steps[k - 1], id.as_str()), value(&steps[k], id.as_str())) {
        (Some(a), Some(b)) => a.checked_sub(b),
        _ => None,
    };
    let changes: Vec<ChangeResult> = scenario
        .changes
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let cost = applied.costs.get(i).copied().flatten();
            let am = avoided(i + 1, TOTAL_MARKET);
            let al = avoided(i + 1, TOTAL_LOCATION);
            ChangeResult {
                n: i + 1,
                kind: c.kind.name(),
                description: c.describe(),
                location: c.location.clone(),
                cost,
                avoided_market: am,
                avoided_location: al,
                cost_per_t_market: per_t(cost, am),
                cost_per_t_location: per_t(cost, al),
            }
        })
        .collect();
    let cost = sum_costs(&applied.costs).map_err(Diagnostics::from)?;
    let total = |c: &Computation, id: FigureId| value(&c.figures, id.as_str());
    let diff = |id: FigureId| match (total(&baseline, id), total(&result, id)) {
        (Some(a), Some(b)) => a.checked_sub(b),
        _ => None,
    };
    let (am, al) = (diff(TOTAL_MARKET), diff(TOTAL_LOCATION));
    Ok(ScenarioRun {
        scenario: scenario.clone(),
        figures,
        changes,
        cost,
        avoided_market: am,
        avoided_location: al,
        cost_per_t_market: per_t(cost, am),
        cost_per_t_location: per_t(cost, al),
        warnings: applied.warnings,
        rows: baseline.provenance.rows,
        rejected: baseline.rejected.clone(),
        scenario_rows: result.provenance.rows,
        scenario_rejected,
        baseline,
        result,
    })
}
