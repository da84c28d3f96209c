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
//! Allocation: a row whose entity uses grid electricity covers that entity's electricity (its own purchase).
//! A row whose entity uses none is a company-level purchase, spread over entities by the inventory's rule:
//! pro rata by each entity's uncovered grid MWh of the certificate's market, or all to one named entity.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::Serialize;

use super::engine::{Chain, MWH, Resolver, T_CO2E, market_of};
use super::{Figure, Line, Warning};
use crate::activity::{Activity, ActivityRecord, Period};
use crate::error::{Error, ErrorKind, Location};
use crate::factor::{FactorKind, FactorLibrary, FactorRef};
use crate::inventory::{AllocationRule, CertificatePolicy, Inventory, Severity};
use crate::units::{Dimension, Gas, RateUnit, Unit};

/// Decimal places of pro-rata shares, in MWh.
const SHARE_DP: u32 = 12;

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

/// One certificate's (or a share of one certificate's) cover of one entity's grid electricity.
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
    /// The entity whose electricity it covers.
    pub entity: String,
    /// Market of the covered electricity.
    pub market: String,
    /// MWh covered.
    pub mwh: Decimal,
    /// Rule: `own entity`, `pro rata`, `named`.
    pub rule: String,
    /// What the share was computed from (for pro rata: the entity's and the pool's uncovered MWh).
    pub basis: String,
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
    /// How each certificate row was allocated.
    pub allocations: Vec<Allocation>,
    /// The residual comparison, when certificates are deducted and the remainder is priced at a grid average
    /// (or the inventory asks for one with `[certificates] compare_residual`).
    pub residual: Option<ResidualComparison>,
}

/// Lines, warnings, rejections and the scope 2 report from allocating certificates.
pub(super) struct CertOutcome {
    pub lines: Vec<Line>,
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
    let Some(rc) = res.choice("residual").cloned() else { return Ok(None) };
    let mut ch = Chain::new(mwh.clone());
    let (set, f) = res
        .find("residual", "electricity", market, &[FactorKind::Emission], None, true, &mut ch)?
        .ok_or_else(|| {
            Error::new(ErrorKind::MissingFactor, format!("no residual factor for market {market}"))
                .at(rc.location.clone())
        })?;
    res.apply_factor(set, f, "electricity", market, &[], &mut ch)?;
    let p = res.finish(ch, "scope2.market".into(), f.gas, T_CO2E, market)?;
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

/// Allocate certificates against grid electricity, after the checks the inventory's policy asks for.
pub(super) fn allocate(
    res: &mut Resolver<'_>,
    policy: &CertificatePolicy,
    certs: Vec<CertRow>,
    grid: &GridMap,
    mwh: &Unit,
) -> CertOutcome {
    let mut out = CertOutcome {
        lines: Vec::new(),
        warnings: Vec::new(),
        rejected: Vec::new(),
        rows_used: 0,
        report: Scope2Report::default(),
        uncovered: BTreeMap::new(),
    };
    let mut seen_ids: HashMap<String, Location> = HashMap::new();
    let entities_with_grid: std::collections::BTreeSet<&str> =
        grid.iter().filter(|(_, g)| g.mwh > Decimal::ZERO).map(|((_, e), _)| e.as_str()).collect();
    // Checks first, in ledger order; each accepted row keeps its supplier factor.
    let mut accepted: Vec<(CertRow, Option<Decimal>)> = Vec::new();
    for c in certs {
        let at = c.rec.source.clone();
        let mut ok = true;
        let supplier = match c.rec.supplier_factor.as_deref().map(parse_supplier_factor) {
            None => None,
            Some(Ok(v)) if v >= Decimal::ZERO => Some(v),
            Some(Ok(v)) => {
                out.rejected.push(Error::new(ErrorKind::Negative, format!("supplier factor {v} is negative")).at(at));
                continue;
            }
            Some(Err(m)) => {
                out.rejected.push(
                    Error::new(ErrorKind::BadValue, m)
                        .at(at)
                        .hint("write the supplier's factor in tCO2e/MWh, e.g. 0.12, or with a unit: 120 kgCO2/MWh"),
                );
                continue;
            }
        };
        if c.mwh.is_zero() {
            accepted.push((c, supplier));
            continue;
        }
        if let Some(id) = c.rec.certificate_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            if let Some(first) = seen_ids.get(id) {
                ok &= check(
                    policy.duplicate_id,
                    "certificate-duplicate-id",
                    ErrorKind::Certificate,
                    format!("certificate id '{id}' is already claimed at {first}"),
                    "a certificate may be claimed once (Scope 2 Quality Criterion 3); remove the second claim",
                    &at,
                    &mut out,
                );
            } else {
                seen_ids.insert(id.to_string(), at.clone());
            }
        }
        let (ps, pe) = months(c.rec.period);
        let (ws, we) = (ps - i64::from(policy.vintage_months_before), pe + i64::from(policy.vintage_months_after));
        let window = format!(
            "{}..{} ({} months before to {} after the consumption period {})",
            month_text(ws),
            month_text(we - 1),
            policy.vintage_months_before,
            policy.vintage_months_after,
            c.rec.period
        );
        let vintage_problem = match c.rec.vintage.as_deref() {
            None => Some(format!("certificate vintage is not stated, so it cannot be checked against {window}")),
            Some(v) => match parse_vintage(v) {
                None => Some(format!(
                    "vintage '{v}' is not a period (2024, 2024-03, 2024-Q1) or a range (2023-07..2024-06)"
                )),
                Some((vs, ve)) if vs < ws || ve > we => Some(format!("vintage {v} is outside the window {window}")),
                Some(_) => None,
            },
        };
        if let Some(m) = vintage_problem {
            ok &= check(
                policy.vintage,
                "certificate-vintage",
                ErrorKind::Certificate,
                m,
                "state the generation period in the vintage column; the window is set by [certificates] vintage_months_before / vintage_months_after (Scope 2 Quality Criterion 4)",
                &at,
                &mut out,
            );
        }
        if ok {
            accepted.push((c, supplier));
        }
    }

    // Allocation: own-entity rows first, then company-level purchases, each in ledger order.
    let mut remaining: BTreeMap<(String, String), Decimal> = grid.iter().map(|(k, g)| (k.clone(), g.mwh)).collect();
    let mut remaining_t: BTreeMap<(String, String), Decimal> =
        grid.iter().map(|(k, g)| (k.clone(), g.market_t)).collect();
    let mut plans: BTreeMap<String, Result<ResidualPlan, Error>> = BTreeMap::new();
    let (own, company): (Vec<_>, Vec<_>) =
        accepted.into_iter().partition(|(c, _)| entities_with_grid.contains(c.rec.entity.as_str()));
    for (c, supplier) in own.into_iter().chain(company) {
        let at = c.rec.source.clone();
        let market = market_of(&c.rec.region).to_string();
        let instrument = instrument_name(c.rec.instrument.as_deref());
        let what = if instrument == "unspecified" {
            "certificate (instrument not stated)".to_string()
        } else {
            instrument.clone()
        };
        let own_entity = entities_with_grid.contains(c.rec.entity.as_str());
        let (targets, rule): (Vec<String>, &str) = if own_entity {
            (vec![c.rec.entity.clone()], "own entity")
        } else {
            match &policy.allocation {
                AllocationRule::ProRata => (entities_with_grid.iter().map(|e| e.to_string()).collect(), "pro rata"),
                AllocationRule::Named(e) => (vec![e.clone()], "named"),
            }
        };
        if let AllocationRule::Named(e) = &policy.allocation
            && !own_entity
            && !entities_with_grid.contains(e.as_str())
            && !c.mwh.is_zero()
        {
            out.warnings.push(Warning {
                code: "certificate-allocation",
                message: format!(
                    "[certificates] allocate_to names entity '{e}', which uses no grid electricity: the certificate covers nothing"
                ),
                location: Some(at.clone()),
            });
        }
        let in_market: Vec<(String, String)> = targets
            .iter()
            .map(|e| (market.clone(), e.clone()))
            .filter(|k| grid.get(k).is_some_and(|g| g.mwh > Decimal::ZERO))
            .collect();
        let mut pool = in_market;
        if pool.is_empty() && !c.mwh.is_zero() {
            let elsewhere: Vec<(String, String)> = grid
                .iter()
                .filter(|((_, e), g)| targets.contains(e) && g.mwh > Decimal::ZERO)
                .map(|(k, _)| k.clone())
                .collect();
            if !elsewhere.is_empty() {
                let mut used_in: Vec<&str> = elsewhere.iter().map(|(m, _)| m.as_str()).collect();
                used_in.dedup();
                let who = if own_entity { format!("entity {}", c.rec.entity) } else { "the company".to_string() };
                let keep = check(
                    policy.market,
                    "certificate-market",
                    ErrorKind::Certificate,
                    format!(
                        "certificate market {market} differs from where {who} used grid electricity ({})",
                        used_in.join(", ")
                    ),
                    "certificates must come from the market where the electricity is used (Scope 2 Quality Criterion 5); [certificates] market = \"warning\" lets them cover it anyway",
                    &at,
                    &mut out,
                );
                if !keep {
                    continue;
                }
                pool = elsewhere;
            }
        }
        // Pro rata by uncovered MWh of the pool; the last share takes the remainder so the shares sum exactly.
        let pool_rem: Decimal = pool.iter().map(|k| remaining.get(k).copied().unwrap_or_default()).sum();
        let covered = c.mwh.min(pool_rem);
        let mut shares: Vec<((String, String), Decimal, Decimal)> = Vec::new();
        let mut given = Decimal::ZERO;
        let live: Vec<&(String, String)> =
            pool.iter().filter(|k| remaining.get(*k).is_some_and(|r| *r > Decimal::ZERO)).collect();
        for (i, k) in live.iter().enumerate() {
            let rem = remaining.get(*k).copied().unwrap_or_default();
            // Shares are cut at 1e-12 MWh (a microwatt-hour) so that they, and every sum of lines made from
            // them, stay exact decimals; the last entity takes the remainder, so the shares add up exactly.
            let s = if i + 1 == live.len() {
                (covered - given).min(rem)
            } else {
                covered
                    .checked_mul(rem)
                    .and_then(|x| x.checked_div(pool_rem))
                    .unwrap_or_default()
                    .round_dp_with_strategy(SHARE_DP, rust_decimal::RoundingStrategy::ToZero)
                    .min(rem)
            };
            given += s;
            shares.push(((*k).clone(), s, rem));
        }
        let excess = c.mwh - given;
        if excess > Decimal::ZERO {
            let keep = check(
                policy.excess,
                "certificate-excess",
                ErrorKind::Certificate,
                format!(
                    "certificates of {} MWh exceed the uncovered grid electricity they may cover ({} MWh in market {market}) by {} MWh; the excess is not used",
                    c.mwh.normalize(),
                    pool_rem.normalize(),
                    excess.normalize()
                ),
                "buy or claim no more certificates than the grid electricity of their market; market-based scope 2 is never negative",
                &at,
                &mut out,
            );
            if !keep {
                continue;
            }
        }
        // The row's own quantity line (activity.certificate), on the row's entity.
        let mut lines: Vec<Line> = Vec::new();
        let base = |figure: &str, entity: &str, region: &str, q: Decimal, value: Decimal| Line {
            figure: figure.to_string(),
            source: at.clone(),
            entity: entity.to_string(),
            period: c.rec.period,
            activity: Activity::Certificate,
            region: region.to_string(),
            gas: None,
            quantity: q,
            unit: MWH.to_string(),
            factors: Arc::new(Vec::new()),
            formula: Arc::from("q"),
            value,
            value_unit: MWH,
            half_width: None,
        };
        if let Ok(ps) = res.plans(Activity::Certificate, &c.rec.region, &c.rec.quantity.unit, &mut out.warnings) {
            for p in ps.iter().filter(|p| p.figure.starts_with("activity.")) {
                let v = super::line_value(c.rec.quantity.value, p.k_num, p.k_den);
                let mut l = base(&p.figure, &c.rec.entity, &c.rec.region, c.rec.quantity.value, v.unwrap_or_default());
                l.unit = c.rec.quantity.unit.symbol().to_string();
                l.value_unit = p.value_unit;
                l.factors = p.factors.clone();
                l.formula = p.formula.clone();
                lines.push(l);
            }
        }
        // Per market, the row's deduction is computed once on its covered MWh; the last share in the market takes
        // what the others leave, so the shares' lines add up exactly to it (as the shares add up to the MWh).
        let mut market_left: BTreeMap<String, (Decimal, Decimal, usize)> = BTreeMap::new(); // MWh, tCO2e(abs), shares
        for ((m, _), s, _) in &shares {
            if s.is_zero() {
                continue;
            }
            let x = market_left.entry(m.clone()).or_default();
            x.0 += *s;
            x.2 += 1;
        }
        for ((m, e), s, rem) in shares {
            if s.is_zero() {
                continue;
            }
            *remaining.entry((m.clone(), e.clone())).or_default() -= s;
            let basis = if rule == "pro rata" {
                format!("{} of {} uncovered MWh in the pool", rem.normalize(), pool_rem.normalize())
            } else {
                format!("{} uncovered MWh", rem.normalize())
            };
            let how = match rule {
                "pro rata" => {
                    format!("pro rata: {}/{} of {} MWh", rem.normalize(), pool_rem.normalize(), covered.normalize())
                }
                "named" => "named entity".to_string(),
                _ => "own entity".to_string(),
            };
            let mut l = base("electricity.renewable", &e, &m, s, s);
            l.formula = Arc::from(format!("q (MWh of {what} covering grid electricity; {how})"));
            lines.push(l);
            let plan = plans.entry(m.clone()).or_insert_with(|| residual_plan(res, &m, mwh));
            match plan {
                Ok(Some((kn, kd, factors, formula))) => {
                    let left = market_left.entry(m.clone()).or_default();
                    if left.1.is_zero() && left.2 > 0 && left.0 > Decimal::ZERO {
                        left.1 = super::line_value(left.0, *kn, *kd).unwrap_or_default();
                        left.0 = Decimal::ZERO; // marks the total as computed
                    }
                    left.2 = left.2.saturating_sub(1);
                    let v = if left.2 == 0 {
                        left.1
                    } else {
                        super::line_value(s, *kn, *kd).unwrap_or_default().min(left.1)
                    };
                    left.1 -= v;
                    let cap = remaining_t.entry((m.clone(), e.clone())).or_default();
                    let v = v.min(*cap);
                    *cap -= v;
                    let mut l = base("scope2.market", &e, &m, s, -v);
                    l.factors = factors.clone();
                    l.formula = Arc::from(format!(
                        "- {} MWh covered ({how}) x ({formula}): the {what} replaces the residual factor with {}",
                        s.normalize(),
                        if supplier.is_some() { "the supplier factor" } else { "0" }
                    ));
                    l.value_unit = T_CO2E;
                    lines.push(l);
                    if let Some(sf) = supplier {
                        let v = super::line_value(s, sf, Decimal::ONE).unwrap_or_default();
                        let mut l = base("scope2.market", &e, &m, s, v);
                        l.formula = Arc::from(format!(
                            "+ {} MWh covered x supplier factor {} tCO2e/MWh ({what})",
                            s.normalize(),
                            sf.normalize()
                        ));
                        l.value_unit = T_CO2E;
                        lines.push(l);
                    }
                }
                Ok(None) => {}
                Err(e) => {
                    let e = e.clone();
                    out.rejected.push(e.at(at.clone()));
                }
            }
            out.report.allocations.push(Allocation {
                source: at.clone(),
                instrument: instrument.clone(),
                from_entity: c.rec.entity.clone(),
                certificate_market: market.clone(),
                entity: e.clone(),
                market: m.clone(),
                mwh: s,
                rule: rule.to_string(),
                basis,
            });
        }
        // The row's printed precision, as a relative half-width of every line it makes.
        if let Some(pr) = c.rec.precision {
            for l in &mut lines {
                l.half_width = Some(
                    (pr / Decimal::TWO)
                        .checked_mul(l.value.abs())
                        .and_then(|x| x.checked_div(c.rec.quantity.value))
                        .unwrap_or_default(),
                );
            }
        }
        out.lines.extend(lines);
        out.rows_used += 1;
    }

    // Coverage per market.
    let mut markets: BTreeMap<String, (Decimal, Decimal, BTreeMap<String, Decimal>)> = BTreeMap::new();
    for ((m, _), g) in grid {
        markets.entry(m.clone()).or_default().0 += g.mwh;
    }
    for a in &out.report.allocations {
        let e = markets.entry(a.market.clone()).or_default();
        e.1 += a.mwh;
        *e.2.entry(a.instrument.clone()).or_default() += a.mwh;
    }
    for ((m, _), r) in &remaining {
        *out.uncovered.entry(m.clone()).or_default() += *r;
    }
    out.report.coverage = markets
        .into_iter()
        .map(|(market, (grid_mwh, covered_mwh, by))| MarketCoverage {
            share: if grid_mwh > Decimal::ZERO {
                covered_mwh.checked_div(grid_mwh).unwrap_or_default()
            } else {
                Decimal::ZERO
            },
            market,
            grid_mwh,
            covered_mwh,
            by_instrument: by.into_iter().collect(),
        })
        .collect();
    out
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
    let p = res.finish(ch, "scope2.market".into(), f.gas, T_CO2E, &f.region)?;
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
    let Some(rc) = &inv.factors.residual else { return };
    let Ok((_, f)) = lib.factor(&rc.factor) else { return };
    let covered: Decimal = report.allocations.iter().map(|a| a.mwh).sum();
    let grid_average = f.activity == "electricity" && f.alternative.is_none();
    let asked = inv.certificates.compare_residual.is_some();
    if !(asked || covered > Decimal::ZERO && grid_average) {
        return;
    }
    let scope2_market = figures.get("scope2.market").map(|x| x.value).unwrap_or_default();
    let u: Decimal = uncovered.values().copied().sum();
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
