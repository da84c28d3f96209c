//! Sweeps: one numeric overlay parameter over a range, every figure at every point.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use super::run::{evaluate, sum_costs};
use super::{Basis, Change, ChangeKind, Money, Scenario};
use crate::calc::{ComputeOptions, Figure, RowCounts, RunOptions};
use crate::error::{Diagnostics, Error, ErrorKind, Location};
use crate::factor::FactorLibrary;
use crate::inventory::Inventory;

/// The most points a sweep may have.
pub const MAX_POINTS: usize = 1001;

/// A sweep as written: `certificates=0..100000:10000` (parameter=from..to:step, `to` included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SweepSpec {
    /// Parameter name (see [`Param::resolve`]).
    pub param: String,
    /// First value.
    pub from: Decimal,
    /// Last value (included when the steps land on it).
    pub to: Decimal,
    /// Step (positive).
    pub step: Decimal,
}

impl SweepSpec {
    /// Parse `name=from..to:step`.
    pub fn parse(s: &str) -> Result<SweepSpec, String> {
        let bad = || format!("sweep '{s}' is not NAME=FROM..TO:STEP (e.g. certificates=0..100000:10000)");
        let (name, range) = s.split_once('=').ok_or_else(bad)?;
        let (span, step) = range.rsplit_once(':').ok_or_else(bad)?;
        let (a, b) = span.split_once("..").ok_or_else(bad)?;
        let num = |x: &str| crate::activity::parse_quantity(x.trim()).ok_or_else(bad);
        let (from, to, step) = (num(a)?, num(b)?, num(step)?);
        if from < Decimal::ZERO {
            return Err(format!("sweep values start at 0 or above, found {from}"));
        }
        if step <= Decimal::ZERO {
            return Err(format!("sweep step must be positive, found {step}"));
        }
        if to < from {
            return Err(format!("sweep range {from}..{to} runs backwards"));
        }
        // Checked at every step: a range near the largest decimal must be refused, never overflow.
        let points =
            to.checked_sub(from).and_then(|d| d.checked_div(step)).and_then(|x| x.floor().checked_add(Decimal::ONE));
        if points.is_none_or(|p| p > Decimal::from(MAX_POINTS)) {
            let points = points.map(|p| p.to_string()).unwrap_or_else(|| "too many".into());
            return Err(format!("sweep '{s}' has {points} points; at most {MAX_POINTS}"));
        }
        Ok(SweepSpec { param: name.trim().to_string(), from, to, step })
    }

    /// The values, from `from` in steps of `step` up to `to`.
    pub fn values(&self) -> Vec<Decimal> {
        let mut v = Vec::new();
        let mut x = self.from;
        while x <= self.to && v.len() < MAX_POINTS {
            v.push(x);
            match x.checked_add(self.step) {
                Some(n) => x = n,
                None => break,
            }
        }
        v
    }
}

/// A numeric parameter of one change of a scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Param {
    /// The name as given.
    pub name: String,
    /// Index of the change it belongs to.
    pub index: usize,
    /// The field (`mwh`, `mw`, `hours`, `share`, `factor`, `price`).
    pub field: &'static str,
    /// Axis label, e.g. `certificates added`.
    pub label: String,
    /// Unit of the value (`MWh`, `MW`, `h`, `1`, ...).
    pub unit: String,
    /// Whether the change was added for this parameter (the scenario had none of its kind).
    pub added: bool,
}

const NAMES: &str = "certificates (= certificates.mwh), certificates.price, onsite_pv (= onsite_pv.mwh), onsite_pv.mw, onsite_pv.hours, switch.share, scale.<activity>, change.<n>.<field>";

fn field_of(kind: &ChangeKind, field: &str) -> Option<(&'static str, &'static str, &'static str)> {
    // (field, unit, label)
    match (kind, field) {
        (ChangeKind::AddCertificates { .. }, "mwh") => Some(("mwh", "MWh", "certificates added")),
        (ChangeKind::AddCertificates { .. }, "price") => Some(("price", "per MWh", "certificate price")),
        (ChangeKind::RemoveCertificates { .. }, "mwh") => Some(("mwh", "MWh", "certificates removed")),
        (ChangeKind::OnsitePv { .. }, "mwh") => Some(("mwh", "MWh", "on-site PV")),
        (ChangeKind::OnsitePv { .. }, "mw") => Some(("mw", "MW", "on-site PV capacity")),
        (ChangeKind::OnsitePv { .. }, "hours") => Some(("hours", "h", "PV full-load hours")),
        (ChangeKind::Scale { .. }, "factor") => Some(("factor", "x", "activity multiplier")),
        (ChangeKind::Switch { .. }, "share") => Some(("share", "fraction", "share switched")),
        (ChangeKind::Switch { .. }, "ratio") => Some(("ratio", "ratio", "switch ratio")),
        _ => None,
    }
}

impl Param {
    /// Find (or add) the change a parameter name refers to. `certificates` varies the MWh of the last
    /// `add_certificates` change, adding one (GEC, company-level, the main market) when there is none;
    /// `onsite_pv` likewise; `scale.<activity>` the factor of that activity's scale change; `change.<n>.<field>`
    /// any field of the n-th change.
    pub fn resolve(scenario: &mut Scenario, name: &str) -> Result<Param, Error> {
        let unknown = || {
            Error::new(ErrorKind::Usage, format!("unknown scenario parameter '{name}'"))
                .hint(format!("parameters: {NAMES}"))
        };
        let at = Location::file(format!("parameter {name}"));
        let last = |s: &Scenario, f: &dyn Fn(&ChangeKind) -> bool| s.changes.iter().rposition(|c| f(&c.kind));
        let (index, field, added) = if let Some(rest) = name.strip_prefix("change.") {
            let (n, f) = rest.split_once('.').ok_or_else(unknown)?;
            let n: usize = n.parse().map_err(|_| unknown())?;
            if n == 0 || n > scenario.changes.len() {
                return Err(Error::new(
                    ErrorKind::Usage,
                    format!("{name}: the scenario has {} change(s)", scenario.changes.len()),
                ));
            }
            (n - 1, f.to_string(), false)
        } else if let Some(a) = name.strip_prefix("scale.") {
            let act: crate::activity::Activity = a.parse().map_err(|_| unknown())?;
            match last(scenario, &|k| matches!(k, ChangeKind::Scale { activity, .. } if *activity == act)) {
                Some(i) => (i, "factor".into(), false),
                None => {
                    scenario.changes.push(Change {
                        kind: ChangeKind::Scale { activity: act, factor: Decimal::ONE, entity: None, region: None },
                        location: at,
                        label: None,
                        cost: None,
                    });
                    (scenario.changes.len() - 1, "factor".into(), true)
                }
            }
        } else {
            let (base, f) = name.split_once('.').unwrap_or((name, ""));
            match base {
                "certificates" | "add_certificates" => {
                    let f = if f.is_empty() { "mwh" } else { f };
                    match last(scenario, &|k| matches!(k, ChangeKind::AddCertificates { .. })) {
                        Some(i) => (i, f.to_string(), false),
                        None => {
                            scenario.changes.push(Change {
                                kind: ChangeKind::AddCertificates {
                                    mwh: Decimal::ZERO,
                                    instrument: "GEC".into(),
                                    market: None,
                                    entity: None,
                                    vintage: None,
                                    supplier_factor: None,
                                    price: None,
                                },
                                location: at,
                                label: None,
                                cost: None,
                            });
                            (scenario.changes.len() - 1, f.to_string(), true)
                        }
                    }
                }
                "onsite_pv" | "pv" => {
                    let f = if f.is_empty() { "mwh" } else { f };
                    match last(scenario, &|k| matches!(k, ChangeKind::OnsitePv { .. })) {
                        Some(i) => (i, f.to_string(), false),
                        None => {
                            if f != "mwh" {
                                return Err(Error::new(
                                    ErrorKind::Usage,
                                    format!("{name}: the scenario has no onsite_pv change to vary"),
                                )
                                .hint("add an onsite_pv change with mw and hours, or vary onsite_pv (MWh)"));
                            }
                            scenario.changes.push(Change {
                                kind: ChangeKind::OnsitePv {
                                    mwh: Some(Decimal::ZERO),
                                    mw: None,
                                    hours: None,
                                    entity: None,
                                    region: None,
                                    displaces_grid: true,
                                },
                                location: at,
                                label: None,
                                cost: None,
                            });
                            (scenario.changes.len() - 1, f.to_string(), true)
                        }
                    }
                }
                "switch" => {
                    let f = if f.is_empty() { "share" } else { f };
                    let i = last(scenario, &|k| matches!(k, ChangeKind::Switch { .. })).ok_or_else(|| {
                        Error::new(ErrorKind::Usage, format!("{name}: the scenario has no switch change to vary"))
                            .hint("add a [[change]] kind = \"switch\" to the scenario file")
                    })?;
                    (i, f.to_string(), false)
                }
                "remove_certificates" => {
                    let i =
                        last(scenario, &|k| matches!(k, ChangeKind::RemoveCertificates { .. })).ok_or_else(unknown)?;
                    (i, if f.is_empty() { "mwh".into() } else { f.to_string() }, false)
                }
                _ => return Err(unknown()),
            }
        };
        let kind = &scenario.changes[index].kind;
        let Some((field, unit, label)) = field_of(kind, &field) else {
            return Err(Error::new(
                ErrorKind::Usage,
                format!("change {} ({}) has no numeric field '{field}'", index + 1, kind.name()),
            )
            .hint(format!("parameters: {NAMES}")));
        };
        let unit = if field == "price" {
            match kind {
                ChangeKind::AddCertificates { price: Some(p), .. } => format!("{}/MWh", p.currency),
                _ => "CNY/MWh".into(),
            }
        } else {
            unit.to_string()
        };
        Ok(Param { name: name.to_string(), index, field, label: label.to_string(), unit, added })
    }

    /// The scenario with this parameter set to `v`.
    pub fn set(&self, scenario: &Scenario, v: Decimal) -> Scenario {
        let mut s = scenario.clone();
        if let Some(c) = s.changes.get_mut(self.index) {
            match (&mut c.kind, self.field) {
                (ChangeKind::AddCertificates { mwh, .. }, "mwh") => *mwh = v,
                (ChangeKind::AddCertificates { price, .. }, "price") => {
                    let cur = price.map(|p| p.currency).unwrap_or(crate::units::Currency::CNY);
                    *price = Some(super::Price { per_mwh: v, currency: cur });
                }
                (ChangeKind::RemoveCertificates { mwh, .. }, "mwh") => *mwh = Some(v),
                (ChangeKind::OnsitePv { mwh, .. }, "mwh") => *mwh = Some(v),
                (ChangeKind::OnsitePv { mw, .. }, "mw") => *mw = Some(v),
                (ChangeKind::OnsitePv { hours, .. }, "hours") => *hours = Some(v),
                (ChangeKind::Scale { factor, .. }, "factor") => *factor = v,
                (ChangeKind::Switch { share, .. }, "share") => *share = v.clamp(Decimal::ZERO, Decimal::ONE),
                (ChangeKind::Switch { ratio, .. }, "ratio") => *ratio = v,
                _ => {}
            }
        }
        s
    }
}

/// One point of a sweep.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SweepPoint {
    /// The parameter's value.
    pub value: Decimal,
    /// Every figure at that value.
    pub figures: BTreeMap<String, Figure>,
    /// Cost of the scenario at that value.
    pub cost: Option<Money>,
    /// Market-based emissions avoided against the baseline (baseline total.market - this point's), in tCO2e.
    pub avoided: Option<Decimal>,
    /// Cost per tCO2e avoided (market-based), when there is a cost and something is avoided.
    pub cost_per_t: Option<Decimal>,
    /// Rows read, used and rejected at that value.
    pub rows: RowCounts,
    /// The rows rejected at that value, with their reasons (lenient mode).
    pub rejected: Vec<Error>,
}

/// Sweep a parameter: the scenario at every value of the range. Returns the parameter and the points.
pub fn sweep(
    inv: &Inventory,
    lib: &FactorLibrary,
    scenario: &Scenario,
    spec: &SweepSpec,
    settings: impl Into<RunOptions>,
) -> Result<(Param, Vec<SweepPoint>), Diagnostics> {
    let mut s = scenario.clone();
    let p = Param::resolve(&mut s, &spec.param).map_err(Diagnostics::from)?;
    if p.field == "share" && spec.to > Decimal::ONE {
        return Err(Error::new(
            ErrorKind::Usage,
            format!("{}: a share runs from 0 to 1, not to {}", spec.param, spec.to),
        )
        .hint("write switch.share=0..1:0.1")
        .into());
    }
    let settings: RunOptions = settings.into();
    let basis = Basis::read(inv, &settings.read)?;
    let opts = RunOptions { compute: ComputeOptions { keep_lines: false, ..settings.compute }, ..settings };
    // The baseline (no change applied), for what each point avoids and at what cost per tonne.
    let (base, _) = evaluate(inv, lib, &basis, &s, 0, opts)?;
    let base_market = base.figures.get(crate::figure::TOTAL_MARKET.as_str()).map(|f| f.value);
    let mut points = Vec::new();
    for v in spec.values() {
        let sv = p.set(&s, v);
        let (c, a) = evaluate(inv, lib, &basis, &sv, sv.changes.len(), opts)?;
        let cost = sum_costs(&a.costs).map_err(Diagnostics::from)?;
        let now = c.figures.get(crate::figure::TOTAL_MARKET.as_str()).map(|f| f.value);
        let avoided = base_market.zip(now).and_then(|(b, n)| b.checked_sub(n));
        let cost_per_t = match (cost, avoided) {
            (Some(m), Some(t)) if t > Decimal::ZERO => m.value.checked_div(t),
            _ => None,
        };
        points.push(SweepPoint {
            value: v,
            figures: c.figures,
            cost,
            avoided,
            cost_per_t,
            rows: c.provenance.rows,
            rejected: c.rejected,
        });
    }
    Ok((p, points))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_up_to_the_largest_decimal_is_refused_not_a_panic() {
        let e = SweepSpec::parse("certificates=0..79228162514264337593543950335:1").unwrap_err();
        assert_eq!(e, "sweep 'certificates=0..79228162514264337593543950335:1' has too many points; at most 1001");
        let e = SweepSpec::parse("certificates=0..79228162514264337593543950335:0.0000000000000000000000000001")
            .unwrap_err();
        assert!(e.ends_with("has too many points; at most 1001"), "{e}");
        // 0, 10, ..., 100: eleven points, counted by hand.
        assert_eq!(SweepSpec::parse("certificates=0..100:10").unwrap().values().len(), 11);
    }
}
