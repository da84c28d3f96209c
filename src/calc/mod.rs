//! The calculation: ledger rows x chosen factors -> calculation lines -> figures, every figure traced.

mod certificates;
mod engine;
mod exact;
mod keys;
mod merge;
mod overlay;
mod placeholder;
mod plan;
mod progress;
mod scan;
mod sums;
mod tally;
mod trace;
mod values;

/// How ledgers are read (see [`crate::ledger`]).
pub use crate::ledger::ReadOptions;
pub use certificates::{
    Allocation, EntityCoverage, MarketCoverage, ResidualComparison, Scope2Report, instrument_name,
    parse_supplier_factor, parse_vintage,
};
pub use engine::{Calculation, ComputeOptions, Lines, RunOptions, Sink, compute, identical_ledgers};
pub use exact::Exact;
pub use overlay::RowOverlay;
pub use placeholder::PLACEHOLDER_WORDS;
pub use plan::market_of;
pub use progress::{PROGRESS_EVERY, Progress};
pub use scan::MAX_KEPT_REJECTED;
pub use trace::{Trace, trace, trace_in};

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::activity::{Activity, Period};
use crate::error::{Error, Location};
use crate::factor::{Confidence, FactorRef};
use crate::figure::FigureId;
use crate::units::Gas;

/// Decimal places every calculation line is carried to (1e-12 of its unit: a microgram of CO2e per tonne).
///
/// A line is `quantity x K_num / K_den`; the division (e.g. by 12 in 44/12) may not be exact. Carrying every
/// line at this fixed scale makes every sum of lines exact, so a total equals the sum of its traced lines in any
/// order, and results are identical whatever the thread count or chunking.
pub const LINE_SCALE: u32 = 12;

/// `quantity x k_num / k_den`, multiplied first, divided last, rounded half away from zero to [`LINE_SCALE`].
pub fn line_value(quantity: Decimal, k_num: Decimal, k_den: Decimal) -> Option<Decimal> {
    let v = quantity.checked_mul(k_num)?.checked_div(k_den)?;
    Some(v.round_dp_with_strategy(LINE_SCALE, rust_decimal::RoundingStrategy::MidpointAwayFromZero).normalize())
}

/// One factor as used in a line: reference, value, unit, how it is formed, citation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UsedFactor {
    /// `set@edition:id`.
    pub reference: FactorRef,
    /// Effective value (for combustion: NCV x CC x OF x 44/12).
    pub value: Decimal,
    /// Unit of the value.
    pub unit: String,
    /// How it is formed (direct value, or the combustion parameters).
    pub form: String,
    /// Citation.
    pub citation: String,
    /// Confidence grade.
    pub confidence: Confidence,
}

/// One calculation line: one ledger row's contribution to one figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Line {
    /// The figure it adds to (finest id, e.g. `scope1.gasoline`, `scope2.market`).
    pub figure: String,
    /// Ledger file:line.
    pub source: Location,
    /// Entity.
    pub entity: String,
    /// Period.
    pub period: Period,
    /// Activity.
    pub activity: Activity,
    /// Region code.
    pub region: String,
    /// Gas, for emission lines.
    pub gas: Option<Gas>,
    /// Quantity as written in the ledger (for certificate lines: the MWh covered).
    pub quantity: Decimal,
    /// Unit as written.
    pub unit: String,
    /// Factors used, in the order applied.
    pub factors: Arc<Vec<UsedFactor>>,
    /// The formula, e.g. `q x 43.070 GJ/t x 0.0189 tC/GJ x 0.98 x 44/12`.
    pub formula: Arc<str>,
    /// The result at full precision.
    pub value: Decimal,
    /// The result's unit (tCO2e, tce, MWh, t, m3).
    pub value_unit: &'static str,
    /// Half-width of the result's interval when the row states the printed precision of its quantity.
    pub half_width: Option<Decimal>,
    /// The share of the row's entity the group reports (an inventory with an entity register, see
    /// [`crate::group`]): `value` and `half_width` are already multiplied by it, and the formula says how it is
    /// formed. None without a register.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share: Option<Decimal>,
}

/// A figure: a value with its unit; an interval half-width when inputs were printed figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    /// Full-precision value.
    pub value: Decimal,
    /// Unit.
    pub unit: String,
    /// Half-width of the interval implied by the printed precision of the inputs (0 when all are exact).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub half_width: Option<Decimal>,
    /// How many calculation lines it sums (0 for derived figures such as intensities).
    pub lines: usize,
}

/// A factor used for another region or year than the row's, as the inventory allowed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fallback {
    /// `region` or `year`.
    pub kind: &'static str,
    /// The choice (`grid`, `combustion`, ...).
    pub choice: String,
    /// Activity.
    pub activity: Activity,
    /// What the rows had (region code or year).
    pub wanted: String,
    /// What was used instead.
    pub used: String,
    /// The factor.
    pub factor: FactorRef,
    /// How many rows.
    pub rows: u64,
    /// The first such row.
    pub first_row: Location,
}

/// A warning: something the user should know that does not stop the calculation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// Stable code (`certificate-excess`, `residual-is-grid-average`, ...).
    pub code: &'static str,
    /// What happened.
    pub message: String,
    /// Where, if anywhere.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

/// A file and its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileHash {
    /// Path as shown.
    pub path: PathBuf,
    /// Lowercase hex SHA-256.
    pub sha256: String,
}

/// Row counts: read = used + rejected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RowCounts {
    /// Data rows read.
    pub read: u64,
    /// Rows that contributed to figures.
    pub used: u64,
    /// Rows rejected (validation failures), with reasons in `rejected`.
    pub rejected: u64,
}

/// What produced a result: tool version, file hashes, row counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Provenance {
    /// `ghg <version>`.
    pub tool: String,
    /// The inventory file.
    pub inventory: FileHash,
    /// Every factor file whose factors were used.
    pub factor_files: Vec<FileHash>,
    /// Every input ledger.
    pub inputs: Vec<FileHash>,
    /// Row counts.
    pub rows: RowCounts,
}

/// The result of a calculation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Computation {
    /// Organisation.
    pub organisation: String,
    /// Year.
    pub year: i32,
    /// The inventory's organisational boundary as it states it (`boundary`), if it does.
    pub boundary: Option<String>,
    /// Figures by id, in canonical order (see [`figure_order`]).
    pub figures: BTreeMap<String, Figure>,
    /// Figures per entity: entity -> figure id -> figure (summed figures only).
    pub by_entity: BTreeMap<String, BTreeMap<String, Figure>>,
    /// Calculation lines (empty when they were streamed elsewhere).
    pub lines: Vec<Line>,
    /// Provenance stamp.
    pub provenance: Provenance,
    /// Fallbacks used.
    pub fallbacks: Vec<Fallback>,
    /// Warnings.
    pub warnings: Vec<Warning>,
    /// Rows rejected, with reasons (only in lenient mode; strict mode fails instead).
    pub rejected: Vec<Error>,
    /// Scope 2 side by side: instrument coverage per market, certificate allocations, residual comparison.
    pub scope2: Scope2Report,
    /// The gas basis of each emission figure, derived from the gases of its lines' factors: "CO2 only",
    /// "CO2, CH4, N2O (AR5)", "CO2e factor", or "mixed: ..." when rows differ. Every such figure is in tCO2e (CO2
    /// counts with GWP 1); this says which gases it holds.
    pub basis: BTreeMap<String, String>,
    /// Figures that are not computed, with the reason: figure id -> why.
    pub not_computed: BTreeMap<String, String>,
    /// The 95 % interval of each figure, when one was asked for (see [`crate::uncertainty::assess`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uncertainty: Option<crate::uncertainty::Assessment>,
}

impl Computation {
    /// The figure with this id.
    pub fn figure(&self, id: &str) -> Option<&Figure> {
        self.figures.get(id)
    }
    /// Figure ids in canonical order.
    pub fn ordered_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self.figures.keys().map(String::as_str).collect();
        ids.sort_by_cached_key(|id| crate::figure::order_key(id));
        ids
    }
}

/// Sort key giving the canonical figure order: scope 1, scope 2, totals, energy, electricity, intensities, activity
/// (per-activity ids in report order of their activity). Sorts as [`crate::figure::order_key`], which does not
/// allocate.
pub fn figure_order(id: &str) -> (u8, String) {
    let fid = FigureId::new(id);
    let (rank, pos) = fid.rank();
    let sub = if fid.is_per_activity() || fid.family() == crate::figure::Family::Scope1Breakdown {
        format!("{pos:02}{id}")
    } else {
        id.to_string()
    };
    (rank, sub)
}

/// [`FigureId::rank`] of `id`: [`figure_order`] without allocating (ids in canonical order are ordered by this rank,
/// then by the id itself).
pub fn figure_rank(id: &str) -> (u8, u8) {
    FigureId::new(id).rank()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figure_rank_places_families_and_activities_in_report_order() {
        // Family first (scope 1 = 0, its parts 1, its breakdowns by category and gas 2, ..., scope 3 9,
        // intensities per another denominator 23, activity quantities 25, anything else 26), then the activity's
        // place in report order (gasoline 0, diesel 1, natural_gas 2, ..., electricity 6; an activity no factor
        // file declares last).
        assert_eq!(figure_rank("scope1"), (0, 0));
        assert_eq!(figure_rank("scope1.natural_gas"), (1, 2));
        assert_eq!(figure_rank("scope1.mobile"), (2, 1));
        assert_eq!(figure_rank("scope1.gas.hfcs"), (2, 13));
        assert_eq!(figure_rank("scope2.market"), (5, 0));
        assert_eq!(figure_rank("total.location"), (7, 0));
        assert_eq!(figure_rank("scope3"), (9, 0));
        assert_eq!(figure_rank("scope3.cat6"), (10, 0));
        assert_eq!(figure_rank("biogenic.co2"), (11, 0));
        assert_eq!(figure_rank("energy.total"), (15, 0));
        assert_eq!(figure_rank("electricity.renewable"), (18, 0));
        assert_eq!(figure_rank("intensity.energy"), (22, 0));
        assert_eq!(figure_rank("intensity.energy.per.output"), (23, 0));
        assert_eq!(figure_rank("activity.electricity"), (25, 6));
        assert_eq!(figure_rank("scope1.peat"), (1, 255));
        assert_eq!(figure_rank("denominator.revenue"), (26, 0));
    }

    #[test]
    fn figure_order_puts_activities_in_report_order_not_alphabetical() {
        assert_eq!(figure_order("scope1.diesel"), (1, "01scope1.diesel".to_string()));
        assert_eq!(figure_order("total.market"), (8, "total.market".to_string()));
        let mut ids = vec!["activity.diesel", "scope1.coal", "total.market", "scope1.gasoline", "activity.coal"];
        ids.sort_by_key(|id| figure_order(id));
        assert_eq!(ids, ["scope1.gasoline", "scope1.coal", "total.market", "activity.diesel", "activity.coal"]);
        let mut by_key = ids.clone();
        by_key.reverse();
        by_key.sort_by_key(|id| crate::figure::order_key(id));
        assert_eq!(by_key, ids);
    }
}
