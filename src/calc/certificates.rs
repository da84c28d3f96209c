//! Certificates (energy attribute certificates, GEC, I-REC, ...): each covers grid electricity of its market,
//! in ledger order, never beyond it. Covered MWh are priced at zero instead of the residual factor; the excess
//! is reported, not used, so market-based scope 2 is never negative.

use std::collections::BTreeMap;
use std::sync::Arc;

use rust_decimal::Decimal;

use super::engine::{Chain, MWH, Resolver, T_CO2E, market_of};
use super::{Line, Warning};
use crate::activity::{Activity, ActivityRecord};
use crate::error::{Error, ErrorKind};
use crate::factor::FactorKind;
use crate::units::Unit;

/// A certificate row waiting for allocation.
pub(super) struct CertRow {
    /// The ledger row.
    pub rec: ActivityRecord,
    /// Its quantity in MWh.
    pub mwh: Decimal,
}

/// Lines, warnings and rejections from allocating certificates.
pub(super) struct CertOutcome {
    pub lines: Vec<Line>,
    pub warnings: Vec<Warning>,
    pub rejected: Vec<Error>,
    pub rows_used: u64,
}

/// Allocate certificates against the grid MWh of each market.
pub(super) fn allocate(
    res: &mut Resolver<'_>,
    certs: Vec<CertRow>,
    grid_mwh: &BTreeMap<String, Decimal>,
    mwh: &Unit,
) -> CertOutcome {
    let mut out = CertOutcome { lines: Vec::new(), warnings: Vec::new(), rejected: Vec::new(), rows_used: 0 };
    let warnings = &mut out.warnings;
    let rejected = &mut out.rejected;
    let residual = res.choice("residual").cloned();
    let mut remaining = grid_mwh.clone();
    for c in certs {
        let market = market_of(&c.rec.region);
        let left = remaining.entry(market.clone()).or_default();
        let covered = c.mwh.min(*left);
        *left -= covered;
        let excess = c.mwh - covered;
        if excess > Decimal::ZERO {
            warnings.push(Warning {
                code: "certificate-excess",
                message: format!(
                    "certificates of {} MWh exceed the uncovered grid electricity of market {market} by {} MWh; the excess is not used",
                    c.mwh.normalize(),
                    excess.normalize()
                ),
                location: Some(c.rec.source.clone()),
            });
        }
        let canon_plan = res.plans(Activity::Certificate, &c.rec.region, &c.rec.quantity.unit, warnings);
        let mut lines = Vec::new();
        if let Ok(ps) = canon_plan {
            for p in ps.iter().filter(|p| p.figure.starts_with("activity.")) {
                lines.push((
                    p.figure.clone(),
                    super::line_value(c.rec.quantity.value, p.k_num, p.k_den).unwrap_or_default(),
                    p.value_unit,
                    p.factors.clone(),
                    p.formula.clone(),
                    c.rec.quantity.value,
                    c.rec.quantity.unit.symbol().to_string(),
                ));
            }
        }
        lines.push((
            "electricity.renewable".into(),
            covered,
            MWH,
            Arc::new(Vec::new()),
            Arc::from("q (MWh covered by certificates)"),
            covered,
            MWH.to_string(),
        ));
        if let Some(rc) = &residual {
            let mut ch = Chain::new(mwh.clone());
            let r = res
                .find("residual", "electricity", &market, &[FactorKind::Emission], None, true, &mut ch)
                .and_then(|x| {
                    x.ok_or_else(|| {
                        Error::new(ErrorKind::MissingFactor, "no residual factor for the certificate's market")
                            .at(rc.location.clone())
                    })
                });
            match r {
                Ok((set, f)) => {
                    let r = res.apply_factor(set, f, "electricity", &market, &[], &mut ch);
                    match r.and_then(|_| res.finish(ch, "scope2.market".into(), f.gas, T_CO2E, &market)) {
                        Ok(p) => {
                            let v = super::line_value(covered, p.k_num, p.k_den).unwrap_or_default();
                            let formula: Arc<str> = Arc::from(format!(
                                "- covered MWh x ({}) : certificates replace the residual factor with 0",
                                p.formula
                            ));
                            lines.push((
                                "scope2.market".into(),
                                -v,
                                T_CO2E,
                                p.factors.clone(),
                                formula,
                                covered,
                                MWH.to_string(),
                            ));
                        }
                        Err(e) => rejected.push(e.at(c.rec.source.clone())),
                    }
                }
                Err(e) => rejected.push(e),
            }
        }
        for (figure, value, vu, factors, formula, q, u) in lines {
            let half_width = c
                .rec
                .precision
                .map(|pr| if q.is_zero() { Decimal::ZERO } else { (pr / Decimal::TWO * value / q).abs() });
            let l = Line {
                figure,
                source: c.rec.source.clone(),
                entity: c.rec.entity.clone(),
                period: c.rec.period,
                activity: Activity::Certificate,
                region: c.rec.region.clone(),
                gas: None,
                quantity: q,
                unit: u,
                factors,
                formula,
                value,
                value_unit: vu,
                half_width,
            };
            out.lines.push(l);
        }
        out.rows_used += 1;
    }
    out
}
