//! What-if scenarios: an overlay of changes on a frozen inventory, computed side by side with the baseline.
//!
//! A scenario file lists changes in order (`[[change]]`), each one of: add or remove certificates, add on-site PV,
//! scale an activity, switch part of one activity to another at a stated ratio, change a factor choice or
//! edition, change the residual factor. [`run`] computes the baseline, the scenario, and the scenario after each
//! change in turn, so every figure's delta is attributed to the changes that caused it (in the order written;
//! an interaction between two changes is attributed to the later one). An empty scenario reproduces the baseline
//! exactly. [`sweep`] varies one numeric parameter; [`solve`] finds the smallest amount of a lever that meets a
//! target, or says why it is out of reach.
//!
//! ```toml
//! name = "50,000 MWh more GECs"
//! [[change]]
//! kind = "add_certificates"
//! mwh = "50000"
//! instrument = "GEC"
//! price = "30 CNY/MWh"
//! ```

mod apply;
mod parse;
mod run;
mod sweep;
mod target;

use std::path::PathBuf;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::activity::Activity;
use crate::error::Location;
use crate::factor::FactorRef;
use crate::units::{Currency, RateUnit};

pub use apply::Basis;
pub use run::{ChangeResult, FigureDelta, ScenarioRun, run};
pub use sweep::{Param, SweepPoint, SweepSpec, sweep};
pub use target::{Comparison, Solution, TargetSpec, solve};

/// An amount of money in one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Money {
    /// The amount, in whole units of the currency (元 for CNY).
    pub value: Decimal,
    /// The currency.
    pub currency: Currency,
}

/// A price per MWh.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Price {
    /// Currency units per MWh.
    pub per_mwh: Decimal,
    /// The currency.
    pub currency: Currency,
}

/// Which certificate rows a removal applies to (every given field must match).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CertFilter {
    /// Instrument type (canonical name, e.g. `GEC`).
    pub instrument: Option<String>,
    /// Market (`CN`, ...).
    pub market: Option<String>,
    /// Entity on the row.
    pub entity: Option<String>,
    /// Certificate id.
    pub certificate_id: Option<String>,
}

/// One change of a scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChangeKind {
    /// Buy certificates: a company-level purchase (unless `entity` names a consuming entity).
    AddCertificates {
        /// MWh (one GEC = 1 MWh).
        mwh: Decimal,
        /// Instrument type.
        instrument: String,
        /// Market (default: the market with the most grid electricity).
        market: Option<String>,
        /// Entity on the purchase row (default `scenario-purchase`, allocated by the inventory's rule).
        entity: Option<String>,
        /// Vintage (default: the inventory year).
        vintage: Option<String>,
        /// Supplier factor for a PPA, tCO2e/MWh.
        supplier_factor: Option<Decimal>,
        /// Price per MWh.
        price: Option<Price>,
    },
    /// Remove certificate rows of the ledger (all that match, or `mwh` of them, latest rows first).
    RemoveCertificates {
        /// Which rows.
        filter: CertFilter,
        /// How many MWh (default: all matching).
        mwh: Option<Decimal>,
    },
    /// Add on-site PV: MWh, or MW of capacity x full-load hours; by default it displaces grid electricity.
    OnsitePv {
        /// MWh generated and used on site.
        mwh: Option<Decimal>,
        /// Capacity, MW.
        mw: Option<Decimal>,
        /// Full-load hours.
        hours: Option<Decimal>,
        /// Entity (default: the one with the most grid electricity).
        entity: Option<String>,
        /// Region (default: that entity's region with the most grid electricity).
        region: Option<String>,
        /// Whether the PV MWh replace grid MWh (default true).
        displaces_grid: bool,
    },
    /// Multiply an activity's quantities.
    Scale {
        /// Activity.
        activity: Activity,
        /// Multiplier (0.9 = 10 % less).
        factor: Decimal,
        /// Only this entity.
        entity: Option<String>,
        /// Only this region.
        region: Option<String>,
    },
    /// Replace a share of one activity with another at a stated ratio (e.g. gasoline -> electricity in MWh/t).
    Switch {
        /// Activity reduced.
        from: Activity,
        /// Share of it switched (0..1).
        share: Decimal,
        /// Activity added.
        to: Activity,
        /// Units of `to` per unit of `from`.
        ratio: Decimal,
        /// The ratio's unit, `to` unit / `from` unit.
        ratio_unit: RateUnit,
        /// Only this entity.
        entity: Option<String>,
        /// Only this region.
        region: Option<String>,
    },
    /// Change a factor choice (`grid`, `combustion`, ...) to another set or edition.
    Factor {
        /// The choice name.
        choice: String,
        /// The new reference.
        reference: FactorRef,
    },
    /// Change the residual factor (market-based remainder).
    Residual {
        /// `set@edition:id`.
        reference: FactorRef,
    },
}

impl ChangeKind {
    /// The snake_case kind name, as written in scenario files.
    pub fn name(&self) -> &'static str {
        match self {
            ChangeKind::AddCertificates { .. } => "add_certificates",
            ChangeKind::RemoveCertificates { .. } => "remove_certificates",
            ChangeKind::OnsitePv { .. } => "onsite_pv",
            ChangeKind::Scale { .. } => "scale",
            ChangeKind::Switch { .. } => "switch",
            ChangeKind::Factor { .. } => "factor",
            ChangeKind::Residual { .. } => "residual",
        }
    }
}

/// A change with where it was written, an optional label and lump-sum cost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// What changes.
    #[serde(flatten)]
    pub kind: ChangeKind,
    /// Where it is written (scenario file:line:column, or the command-line flag).
    pub location: Location,
    /// A label for tables (default: a description of the change).
    pub label: Option<String>,
    /// A lump-sum cost (e.g. annualised PV cost), added to any price-based cost.
    pub cost: Option<Money>,
}

/// A scenario: changes in order, and optionally a sweep and a target to solve.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Scenario {
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// The file it was read from.
    pub path: Option<PathBuf>,
    /// SHA-256 of that file.
    pub sha256: Option<String>,
    /// Changes, applied in order.
    pub changes: Vec<Change>,
    /// A sweep stated in the file (`[sweep]`).
    pub sweep: Option<SweepSpec>,
    /// A target stated in the file (`[target]`).
    pub target: Option<TargetSpec>,
}

pub use parse::{parse_change_share, parse_money, parse_price};

fn fmt(x: Decimal) -> String {
    crate::printed::format_grouped(x, 2, true).trim_end_matches(".00").to_string()
}

impl Change {
    /// A one-line description, e.g. `add 50,000 MWh GEC (market CN) at 30 CNY/MWh`.
    pub fn describe(&self) -> String {
        if let Some(l) = &self.label {
            return l.clone();
        }
        let opt = |k: &str, v: &Option<String>| v.as_ref().map(|x| format!(" {k} {x}")).unwrap_or_default();
        match &self.kind {
            ChangeKind::AddCertificates { mwh, instrument, market, entity, price, supplier_factor, .. } => format!(
                "add {} MWh {instrument}{}{}{}{}",
                fmt(*mwh),
                opt("market", market),
                opt("for", entity),
                supplier_factor.map(|s| format!(" supplier factor {} tCO2e/MWh", s.normalize())).unwrap_or_default(),
                price.map(|p| format!(" at {} {}/MWh", p.per_mwh.normalize(), p.currency)).unwrap_or_default()
            ),
            ChangeKind::RemoveCertificates { filter, mwh } => format!(
                "remove {} certificates{}{}{}{}",
                mwh.map(|m| format!("{} MWh of", fmt(m))).unwrap_or_else(|| "all".into()),
                opt("instrument", &filter.instrument),
                opt("market", &filter.market),
                opt("of", &filter.entity),
                opt("id", &filter.certificate_id)
            ),
            ChangeKind::OnsitePv { mwh, mw, hours, entity, region, displaces_grid } => format!(
                "add on-site PV {}{}{}{}",
                match (mwh, mw, hours) {
                    (Some(m), _, _) => format!("{} MWh", fmt(*m)),
                    (None, Some(w), Some(h)) => format!("{} MW x {} h", w.normalize(), h.normalize()),
                    _ => "?".into(),
                },
                opt("at", entity),
                opt("in", region),
                if *displaces_grid { " (displaces grid electricity)" } else { " (new load, grid unchanged)" }
            ),
            ChangeKind::Scale { activity, factor, entity, region } => {
                format!("scale {activity} x {}{}{}", factor.normalize(), opt("at", entity), opt("in", region))
            }
            ChangeKind::Switch { from, share, to, ratio, ratio_unit, entity, region } => format!(
                "switch {}% of {from} to {to} at {} {}{}{}",
                (share * Decimal::ONE_HUNDRED).normalize(),
                ratio.normalize(),
                ratio_unit,
                opt("at", entity),
                opt("in", region)
            ),
            ChangeKind::Factor { choice, reference } => format!("factors.{choice} = {reference}"),
            ChangeKind::Residual { reference } => format!("residual factor = {reference}"),
        }
    }
}

impl Scenario {
    /// An empty scenario (reproduces the baseline).
    pub fn empty(name: &str) -> Scenario {
        Scenario { name: name.to_string(), ..Default::default() }
    }
}
