//! Certificates (energy attribute certificates: GEC, I-REC, green power trade 绿电交易, PPAs): the ledger's
//! quality checks, the allocation of each certificate to the grid electricity it covers, the instrument
//! coverage per market, and the residual-factor comparison.
//!
//! Quality checks follow the GHG Protocol Scope 2 Quality Criteria (QC3 one claim per certificate, QC4 vintage
//! close to the consumption period, QC5 same market); the inventory's `[certificates]` section makes each a
//! warning or an error. Covered MWh are priced at zero (or at a PPA's supplier factor) instead of the residual
//! factor. A certificate never covers more than the uncovered grid electricity it may cover: the excess is
//! reported, never used, so market-based scope 2 is never negative.
//!
//! Allocation (see [`allocate`](allocate/index.html) for the rule): a row whose entity uses grid electricity
//! covers that entity's electricity (its own purchase). A row whose entity uses none is a company-level purchase,
//! spread over entities by the inventory's rule: pro rata by each entity's uncovered grid MWh of the
//! certificate's market, or all to one named entity. Rows are allocated in a stated rank order, so the result
//! does not depend on the order of the ledger rows.

mod allocate;
mod split;

pub(super) use allocate::{CertLines, allocate};

use std::collections::BTreeMap;
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::Serialize;

use super::engine::{Chain, MWH, Resolver, T_CO2E};
use super::{Figure, Warning};
use crate::activity::{ActivityRecord, Period};
use crate::error::{Error, ErrorKind, Location};
use crate::factor::{FactorKind, FactorLibrary, FactorRef};
use crate::figure::SCOPE2_MARKET;
use crate::inventory::{Inventory, Severity};
use crate::units::{Dimension, Gas, RateUnit, Unit};

/// A certificate row waiting for allocation.
pub(super) struct CertRow {
    /// The ledger row.
    pub rec: ActivityRecord,
    /// Its quantity in MWh.
    pub mwh: Decimal,
}

/// Grid electricity used by one entity in one market, and what the residual factor made of it.
#[derive(Debug, Clone, Default)]
pub(super) struct GridUse {
    /// Grid MWh.
    pub mwh: Decimal,
    /// Market-based tCO2e of those MWh (residual factor).
    pub market_t: Decimal,
}

/// Grid use by (market, entity).
pub(super) type GridMap = BTreeMap<(String, String), GridUse>;

/// Instrument coverage of one market's grid electricity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MarketCoverage {
    /// Market (`CN` is one national market; other countries by region code).
    pub market: String,
    /// Grid electricity used in the market, MWh.
    pub grid_mwh: Decimal,
    /// MWh covered by instruments.
    pub covered_mwh: Decimal,
    /// Covered share of grid electricity, as a fraction (0.0522 = 5.22 %); 0 when there is no grid electricity.
    pub share: Decimal,
    /// Covered MWh per instrument type (GEC, I-REC, green-power-trade, PPA, unspecified, ...).
    pub by_instrument: Vec<(String, Decimal)>,
}

/// What one certificate row covers in one market: one entity's grid electricity, or (pro rata) several
/// entities'. The share of each entity is in the calculation lines (`ghg explain`, `--lines`), not here, so the
/// report stays O(entities + certificates).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Allocation {
    /// The certificate row.
    pub source: Location,
    /// Instrument type.
    pub instrument: String,
    /// The entity on the certificate row.
    pub from_entity: String,
    /// Market of the certificate.
    pub certificate_market: String,
    /// The entity whose electricity it covers, or `N entities` when a pro-rata row covers several.
    pub entity: String,
    /// Market of the covered electricity.
    pub market: String,
    /// MWh covered in this market.
    pub mwh: Decimal,
    /// Rule: `own entity`, `pro rata`, `named`.
    pub rule: String,
    /// What the cover was computed from (the pool's uncovered MWh when the row's turn came).
    pub basis: String,
    /// How many entities it covers in this market.
    pub entities: usize,
    /// The row's place in the allocation order (1-based; see [`Scope2Report::rule`]).
    pub rank: usize,
    /// The supplier factor of a PPA, tCO2e/MWh.
    pub supplier_factor: Option<Decimal>,
    /// Market-based tCO2e the covered MWh no longer carry (covered MWh x residual factor).
    pub deducted_t: Decimal,
    /// Market-based tCO2e added at the supplier factor.
    pub added_t: Decimal,
}

/// What certificates cover of one entity's grid electricity in one market.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntityCoverage {
    /// The entity.
    pub entity: String,
    /// The market of its grid electricity.
    pub market: String,
    /// Its grid MWh in the market.
    pub grid_mwh: Decimal,
    /// MWh covered by certificates.
    pub covered_mwh: Decimal,
    /// How many certificate rows cover it.
    pub certificates: usize,
    /// Market-based tCO2e deducted.
    pub deducted_t: Decimal,
    /// Market-based tCO2e added at supplier factors.
    pub added_t: Decimal,
}

/// Market-based scope 2 under the chosen residual factor and under a second one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResidualComparison {
    /// The chosen residual factor.
    pub chosen: FactorRef,
    /// Its value in tCO2e/MWh.
    pub chosen_value: Decimal,
    /// What it is (`grid average, contains market-traded renewables` or the factor's alternative name).
    pub chosen_kind: String,
    /// The factor compared with.
    pub alternative: FactorRef,
    /// Its value in tCO2e/MWh.
    pub alternative_value: Decimal,
    /// What it is.
    pub alternative_kind: String,
    /// Grid MWh not covered by instruments (priced at the residual factor).
    pub uncovered_mwh: Decimal,
    /// scope2.market with the chosen factor (the reported figure).
    pub scope2_market: Decimal,
    /// scope2.market with the alternative.
    pub scope2_market_alternative: Decimal,
}

/// Scope 2 side by side: instrument coverage per market, certificate allocations, residual comparison.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Scope2Report {
    /// Instrument coverage per market (every market with grid electricity or certificates).
    pub coverage: Vec<MarketCoverage>,
    /// How each certificate row was allocated: one summary per row and market (every share is in the lines).
    pub allocations: Vec<Allocation>,
    /// Per entity and market, what certificates cover (only entities they cover).
    pub entities: Vec<EntityCoverage>,
    /// The allocation order, in words.
    pub rule: String,
    /// The residual comparison, when certificates are deducted and the remainder is priced at a grid average
    /// (or the inventory asks for one with `[certificates] compare_residual`).
    pub residual: Option<ResidualComparison>,
}

/// Lines, warnings, rejections and the scope 2 report from allocating certificates.
pub(super) struct CertOutcome {
    /// Every certificate line, made as it is read.
    pub lines: CertLines,
    pub warnings: Vec<Warning>,
    pub rejected: Vec<Error>,
    pub rows_used: u64,
    pub report: Scope2Report,
    /// Uncovered grid MWh per market.
    pub uncovered: BTreeMap<String, Decimal>,
}

/// The canonical name of an instrument type as written in the `instrument` column.
pub fn instrument_name(s: Option<&str>) -> String {
    let Some(t) = s.map(str::trim).filter(|t| !t.is_empty()) else { return "unspecified".into() };
    match t.to_lowercase().replace(['_', ' '], "-").as_str() {
        "gec" | "绿证" | "绿色电力证书" | "绿色证书" => "GEC".into(),
        "i-rec" | "irec" => "I-REC".into(),
        "green-power-trade" | "green-power" | "绿电交易" | "绿电" => "green-power-trade".into(),
        "ppa" | "购电协议" => "PPA".into(),
        _ => t.to_string(),
    }
}

/// A vintage as a half-open interval of month indices (year x 12 + month - 1).
fn months(p: Period) -> (i64, i64) {
    let y = i64::from(p.year) * 12;
    match p.part {
        0 => (y, y + 12),
        q if q > 100 => {
            let s = y + 3 * (i64::from(q) - 101);
            (s, s + 3)
        }
        m => (y + i64::from(m) - 1, y + i64::from(m)),
    }
}

fn month_text(i: i64) -> String {
    format!("{}-{:02}", i.div_euclid(12), i.rem_euclid(12) + 1)
}

/// Parse a vintage: a period (`2024`, `2024-03`, `2024-Q1`) or a range of periods (`2023-07..2024-06`).
pub fn parse_vintage(s: &str) -> Option<(i64, i64)> {
    let t = s.trim();
    if let Some((a, b)) = t.split_once("..").or_else(|| t.split_once('/')) {
        let (a, b) = (months(Period::parse(a)?), months(Period::parse(b)?));
        if a.0 >= b.1 {
            return None;
        }
        return Some((a.0, b.1));
    }
    Period::parse(t).map(months)
}

/// Parse a supplier factor: `0.12` (tCO2e/MWh) or a value with a rate unit (`120 kgCO2/MWh`), in tCO2e/MWh.
pub fn parse_supplier_factor(s: &str) -> Result<Decimal, String> {
    let t = s.trim();
    let end = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (num, unit) = t.split_at(end);
    let v = crate::tomlx::parse_decimal(num).ok_or_else(|| format!("supplier factor '{t}' is not a decimal number"))?;
    let unit = unit.trim();
    if unit.is_empty() {
        return Ok(v);
    }
    let from = RateUnit::parse(unit).map_err(|e| format!("supplier factor unit '{unit}': {e}"))?;
    let gas = match from.num.dimension() {
        Dimension::Emission(g @ (Gas::CO2 | Gas::CO2e)) => g,
        _ => return Err(format!("supplier factor unit '{unit}' is not tCO2/MWh or tCO2e/MWh")),
    };
    let to = RateUnit { num: Unit::base(Dimension::Emission(gas)), den: Unit::parse(MWH).map_err(|e| e.to_string())? };
    RateUnit::convert_value(v, &from, &to).map_err(|e| format!("supplier factor '{t}': {e}"))
}

/// The plan of the residual factor for one market: tCO2e per MWh as K_num / K_den, factors and formula.
type ResidualPlan = Option<(Decimal, Decimal, Arc<Vec<super::UsedFactor>>, Arc<str>)>;

fn residual_plan(res: &mut Resolver<'_>, market: &str, mwh: &Unit) -> Result<ResidualPlan, Error> {
    if !res.chosen("residual") {
        return Ok(None);
    }
    let mut ch = Chain::new(mwh.clone());
    let (set, f) =
        res.find("residual", "electricity", market, &[FactorKind::Emission], None, true, &mut ch)?.ok_or_else(
            || res.unserved("residual", "electricity", market, &[FactorKind::Emission], None, "a residual factor"),
        )?;
    res.apply_factor(set, f, "electricity", market, &[], &mut ch)?;
    let p = res.finish(ch, SCOPE2_MARKET.to_string(), f.gas, T_CO2E, market)?;
    Ok(Some((p.k_num, p.k_den, p.factors, p.formula)))
}

/// A problem found by a quality check: a warning, or a rejection of the row.
fn check(
    sev: Severity,
    code: &'static str,
    kind: ErrorKind,
    msg: String,
    hint: &str,
    at: &Location,
    out: &mut CertOutcome,
) -> bool {
    match sev {
        Severity::Warning => {
            out.warnings.push(Warning { code, message: msg, location: Some(at.clone()) });
            true
        }
        Severity::Error => {
            out.rejected.push(Error::new(kind, msg).at(at.clone()).hint(hint));
            false
        }
    }
}

fn fmt(x: Decimal) -> String {
    crate::printed::format_grouped(x, 2, true)
}

/// The factor to compare a grid-average residual with: the inventory's `compare_residual`, else the same set's
/// factor for the same region that excludes market-traded non-fossil power (China's MEE residual).
fn alternative_for(inv: &Inventory, lib: &FactorLibrary, chosen: &FactorRef) -> Option<FactorRef> {
    if let Some(c) = &inv.certificates.compare_residual {
        return Some(c.factor.clone());
    }
    let (set, f) = lib.factor(chosen).ok()?;
    let alt = set.factors.iter().find(|x| {
        x.activity == "electricity"
            && x.region == f.region
            && x.id != f.id
            && (x.id.contains("excl_market") || x.alternative.as_deref().is_some_and(|a| a.contains("excl_market")))
    })?;
    Some(FactorRef { set: set.meta.id.clone(), edition: set.meta.edition.clone(), id: Some(alt.id.clone()) })
}

fn kind_of(lib: &FactorLibrary, r: &FactorRef) -> String {
    match lib.factor(r) {
        Ok((_, f)) if f.alternative.is_none() => "grid average, contains market-traded renewables".into(),
        Ok((_, f)) => {
            let a = f.alternative.clone().unwrap_or_default();
            if a.contains("excl_market") || f.id.contains("excl_market") {
                "excludes market-traded non-fossil power".into()
            } else if a.contains("fossil") {
                "fossil-fuel power only".into()
            } else {
                a.replace('_', " ")
            }
        }
        Err(_) => String::new(),
    }
}

/// tCO2e per MWh of a factor, through the engine's own chain (so units and gases convert as in every line).
fn per_mwh(res: &mut Resolver<'_>, lib: &FactorLibrary, r: &FactorRef, mwh: &Unit) -> Result<Decimal, Error> {
    let (set, f) = lib.factor(r)?;
    let mut ch = Chain::new(mwh.clone());
    res.apply_factor(set, f, "electricity", &f.region, &[], &mut ch)?;
    let p = res.finish(ch, SCOPE2_MARKET.to_string(), f.gas, T_CO2E, &f.region)?;
    p.k_num.checked_div(p.k_den).ok_or_else(|| Error::new(ErrorKind::Overflow, "residual factor overflows"))
}

/// Warn when certificates are deducted but the remainder is priced at a grid average (the certified renewable
/// MWh are then counted twice), and show market-based scope 2 under both choices.
#[allow(clippy::too_many_arguments)]
pub(super) fn residual_check(
    res: &mut Resolver<'_>,
    inv: &Inventory,
    lib: &FactorLibrary,
    report: &mut Scope2Report,
    uncovered: &BTreeMap<String, Decimal>,
    figures: &BTreeMap<String, Figure>,
    mwh: &Unit,
    warnings: &mut Vec<Warning>,
) {
    let Some(rc) = &inv.factors.residual else {
        // A residual factor per market: warn for each market whose covered MWh are priced at a grid average.
        for m in report.coverage.iter().filter(|m| m.covered_mwh > Decimal::ZERO) {
            let Some((_, c)) = inv.factors.residual_by_market.iter().find(|(k, _)| *k == m.market) else { continue };
            if let Ok((_, f)) = lib.factor(&c.factor)
                && f.activity == "electricity"
                && f.alternative.is_none()
                && !f.id.contains("residual")
                && !f.id.contains("excl_market")
            {
                warnings.push(Warning {
                    code: "residual-is-grid-average",
                    message: format!(
                        "certificates are deducted in market {} but its remainder is priced at {}, a grid average that already contains the certified (market-traded) renewable power: the renewable MWh are counted twice; a residual mix of that market avoids that",
                        m.market, c.factor
                    ),
                    location: Some(c.location.clone()),
                });
            }
        }
        return;
    };
    let Ok((_, f)) = lib.factor(&rc.factor) else { return };
    // Sums that `allocate` has already checked: they cannot overflow here.
    let Some(covered) = report.coverage.iter().try_fold(Decimal::ZERO, |a, m| a.checked_add(m.covered_mwh)) else {
        return;
    };
    let grid_average = f.activity == "electricity" && f.alternative.is_none();
    let asked = inv.certificates.compare_residual.is_some();
    if !(asked || covered > Decimal::ZERO && grid_average) {
        return;
    }
    let scope2_market = figures.get(SCOPE2_MARKET.as_str()).map(|x| x.value).unwrap_or_default();
    let Some(u) = uncovered.values().try_fold(Decimal::ZERO, |a, m| a.checked_add(*m)) else { return };
    let alt = alternative_for(inv, lib, &rc.factor);
    let cmp = alt.as_ref().and_then(|a| {
        let r = per_mwh(res, lib, &rc.factor, mwh).ok()?;
        let av = per_mwh(res, lib, a, mwh).ok()?;
        let alt_value = scope2_market.checked_add(u.checked_mul(av - r)?)?;
        Some(ResidualComparison {
            chosen: rc.factor.clone(),
            chosen_value: r,
            chosen_kind: kind_of(lib, &rc.factor),
            alternative: a.clone(),
            alternative_value: av,
            alternative_kind: kind_of(lib, a),
            uncovered_mwh: u,
            scope2_market,
            scope2_market_alternative: alt_value,
        })
    });
    if covered > Decimal::ZERO && grid_average {
        let both = match &cmp {
            Some(c) => format!(
                ": scope2.market = {} tCO2e with {} (grid average, as chosen), {} tCO2e with {} ({})",
                fmt(c.scope2_market),
                c.chosen,
                fmt(c.scope2_market_alternative),
                c.alternative,
                c.alternative_kind
            ),
            None => String::new(),
        };
        warnings.push(Warning {
            code: "residual-is-grid-average",
            message: format!(
                "certificates are deducted but the remainder is priced at {}, a grid average that already contains the certified (market-traded) renewable power: the renewable MWh are counted twice; a residual factor such as grid.national.excl_market_nonfossil avoids that{both}",
                rc.factor
            ),
            location: Some(rc.location.clone()),
        });
    }
    report.residual = cmp;
}
