//! The engine: resolves each row's factors (once per activity, region and unit), multiplies, sums.
//!
//! Every line's value is `quantity x K_num / K_den`, where `K_num` and `K_den` are the products of every
//! multiplication and division the factor chain needs: one division per line, done last.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use rust_decimal::Decimal;

use super::certificates::{GridMap, GridUse, residual_check};
use super::overlay::RowOverlay;
use super::scan::{Acc, MAX_KEPT_REJECTED, Merged, Named, ReadOptions, SinkFn, Source};
use super::{Computation, Figure, FileHash, Line, Provenance, RowCounts, UsedFactor, Warning};
use crate::activity::Activity;
use crate::error::{Diagnostics, Error, ErrorKind, Location};
use crate::factor::{
    CO2_PER_C_DEN, CO2_PER_C_NUM, Factor, FactorKind, FactorLibrary, FactorRef, FactorSet, FactorValue,
    combustion_cc_per_ncv_energy,
};
use crate::inventory::{Choice, Inventory};
use crate::units::{Dimension, Gas, RateUnit, Unit};

/// Options of a calculation.
#[derive(Debug, Clone, Copy)]
pub struct ComputeOptions {
    /// Refuse to produce figures when any row was rejected (the default).
    pub strict: bool,
    /// Keep calculation lines in the result (needed by `explain` and the line renderers).
    pub keep_lines: bool,
}

impl Default for ComputeOptions {
    fn default() -> Self {
        ComputeOptions { strict: true, keep_lines: true }
    }
}

/// Figure units.
pub(super) const T_CO2E: &str = "tCO2e";
const TCE: &str = "tce";
pub(super) const MWH: &str = "MWh";

/// A product of factors, as numerator and denominator, with the text of each step.
#[derive(Clone)]
pub(super) struct Chain {
    num: Decimal,
    den: Decimal,
    cur: Unit,
    steps: Vec<String>,
    used: Vec<UsedFactor>,
    fallbacks: Vec<PlanFallback>,
}

#[derive(Clone)]
pub(super) struct PlanFallback {
    pub(super) kind: &'static str,
    pub(super) choice: String,
    pub(super) wanted: String,
    pub(super) used: String,
    pub(super) factor: FactorRef,
}

pub(super) fn overflow(what: &str) -> Error {
    Error::new(ErrorKind::Overflow, format!("{what} overflows 28 significant digits"))
        .hint("use a larger unit for the quantity")
}

impl Chain {
    pub(super) fn new(unit: Unit) -> Chain {
        Chain {
            num: Decimal::ONE,
            den: Decimal::ONE,
            cur: unit,
            steps: Vec::new(),
            used: Vec::new(),
            fallbacks: Vec::new(),
        }
    }
    fn mul(&mut self, x: Decimal) -> Result<(), Error> {
        self.num = self.num.checked_mul(x).ok_or_else(|| overflow("a factor product"))?;
        Ok(())
    }
    fn div(&mut self, x: Decimal) -> Result<(), Error> {
        self.den = self.den.checked_mul(x).ok_or_else(|| overflow("a factor product"))?;
        Ok(())
    }
    /// Express the current quantity in `unit` (same dimension).
    fn express_in(&mut self, unit: &Unit) -> Result<(), Error> {
        if self.cur.dimension() != unit.dimension() {
            return Err(Error::new(
                ErrorKind::DimensionMismatch,
                format!(
                    "cannot express {} ({}) in {} ({})",
                    self.cur.symbol(),
                    self.cur.dimension(),
                    unit.symbol(),
                    unit.dimension()
                ),
            ));
        }
        if self.cur.to_base() != unit.to_base() {
            self.steps.push(format!("[{} -> {}]", self.cur.symbol(), unit.symbol()));
            self.mul(self.cur.to_base())?;
            self.div(unit.to_base())?;
        }
        self.cur = unit.clone();
        Ok(())
    }
    /// Multiply by a rate `value rate.num/rate.den`: the current quantity must be in rate.den's dimension.
    fn apply(&mut self, value: Decimal, rate: &RateUnit, text: String) -> Result<(), Error> {
        self.express_in(&rate.den)?;
        self.mul(value)?;
        self.steps.push(text);
        self.cur = rate.num.clone();
        Ok(())
    }
    /// Divide by a rate (use it backwards): current quantity in rate.num's dimension -> rate.den.
    fn apply_inverse(&mut self, value: Decimal, rate: &RateUnit, text: String) -> Result<(), Error> {
        self.express_in(&rate.num)?;
        self.div(value)?;
        self.steps.push(format!("/ {text}"));
        self.cur = rate.den.clone();
        Ok(())
    }
    fn formula(&self) -> String {
        let mut s = String::from("q");
        for st in &self.steps {
            if st.starts_with('/') || st.starts_with('[') {
                s.push(' ');
                s.push_str(st);
            } else {
                s.push_str(" x ");
                s.push_str(st);
            }
        }
        s
    }
}

/// One planned contribution of a row: figure, gas, K_num / K_den, factors and formula.
pub(super) struct Plan {
    pub(super) figure: String,
    pub(super) gas: Option<Gas>,
    pub(super) k_num: Decimal,
    pub(super) k_den: Decimal,
    pub(super) factors: Arc<Vec<UsedFactor>>,
    pub(super) formula: Arc<str>,
    pub(super) value_unit: &'static str,
    pub(super) fallbacks: Vec<PlanFallback>,
}

fn used(set: &FactorSet, f: &Factor) -> UsedFactor {
    UsedFactor {
        reference: FactorRef { set: set.meta.id.clone(), edition: set.meta.edition.clone(), id: Some(f.id.clone()) },
        value: f.rate().unwrap_or_default(),
        unit: f.rate_unit().symbol(),
        form: f.describe(),
        citation: f.citation.clone(),
        confidence: f.confidence,
    }
}

fn fref(set: &FactorSet, f: &Factor) -> String {
    format!("{}@{}:{}", set.meta.id, set.meta.edition, f.id)
}

/// Whether a factor's region serves a row's region without a fallback.
fn region_serves(factor_region: &str, row_region: &str, strict_region: bool) -> bool {
    if factor_region == row_region || factor_region == "GLOBAL" {
        return true;
    }
    // National factors serve provinces and grid regions for fuels and standards, not for grids.
    !strict_region && factor_region == "CN" && row_region.starts_with("CN-")
}

/// The market a region belongs to for certificates: China's GECs form one national market.
pub fn market_of(region: &str) -> &str {
    if region == "CN" || region.starts_with("CN-") { "CN" } else { region }
}

pub(super) struct Resolver<'a> {
    pub(super) inv: &'a Inventory,
    pub(super) lib: &'a FactorLibrary,
    pub(super) sets_used: BTreeSet<(PathBuf, String)>,
}

impl<'a> Resolver<'a> {
    pub(super) fn choice(&self, name: &str) -> Option<&'a Choice> {
        let c = &self.inv.factors;
        match name {
            "combustion" => c.combustion.as_ref(),
            "non_co2" => c.non_co2.as_ref(),
            "gwp" => c.gwp.as_ref(),
            "standard_coal" => c.standard_coal.as_ref(),
            "grid" => c.grid.as_ref(),
            "heat" => c.heat.as_ref(),
            "residual" => c.residual.as_ref(),
            _ => None,
        }
    }

    fn set_of(&self, choice_name: &str, choice: &Choice) -> Result<&'a FactorSet, Error> {
        self.lib.set(&choice.factor).map_err(|e| {
            let mut e = e.at(choice.location.clone());
            e.message = format!("factors.{choice_name}: {}", e.message);
            e
        })
    }

    /// Find the factor for `activity` in `region` under a choice. `kinds` are acceptable kinds; `gas` filters.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn find(
        &mut self,
        choice_name: &str,
        activity: &str,
        region: &str,
        kinds: &[FactorKind],
        gas: Option<Gas>,
        strict_region: bool,
        chain: &mut Chain,
    ) -> Result<Option<(&'a FactorSet, &'a Factor)>, Error> {
        let Some(choice) = self.choice(choice_name) else { return Ok(None) };
        let set = self.set_of(choice_name, choice)?;
        let matches_kind = |f: &Factor| {
            kinds.contains(&f.kind)
                && (f.activity == activity || f.activity == "any")
                && (gas.is_none() || f.gas == gas || f.kind == FactorKind::Combustion && gas == Some(Gas::CO2))
        };
        // A pinned factor (set@edition:id) or an explicit pick.
        let pinned_id = choice.factor.id.clone().or_else(|| {
            self.inv
                .factors
                .pick
                .iter()
                .find(|p| {
                    // A pick applies to the lookups of its factor's kind (a picked CO2 factor does not pin the NCV).
                    p.choice == choice_name
                        && p.activity == activity
                        && set.get(&p.id).is_none_or(|f| kinds.contains(&f.kind))
                })
                .map(|p| p.id.clone())
        });
        let found: &Factor = if let Some(id) = pinned_id {
            let f = set.get(&id).ok_or_else(|| {
                let loc = self
                    .inv
                    .factors
                    .pick
                    .iter()
                    .find(|p| p.choice == choice_name && p.activity == activity)
                    .map(|p| p.location.clone())
                    .unwrap_or_else(|| choice.location.clone());
                Error::new(ErrorKind::MissingFactor, format!("factor {}:{id} does not exist", set.key()))
                    .at(loc)
                    .hint(format!("ghg factors show {} lists its ids", set.key()))
            })?;
            if gas.is_some() && !matches_kind(f) && kinds.contains(&f.kind) && f.activity == activity {
                // A pick for one gas says nothing about the others (e.g. non_co2 picks diesel.ch4).
                return Ok(None);
            }
            if !kinds.contains(&f.kind) || (f.activity != activity && f.activity != "any") {
                return Err(Error::new(
                    ErrorKind::MissingFactor,
                    format!(
                        "factor {} is a {} factor for {}, not for {activity}",
                        fref(set, f),
                        f.kind.name(),
                        f.activity
                    ),
                )
                .at(choice.location.clone()));
            }
            if !region_serves(&f.region, region, strict_region) {
                chain.fallbacks.push(PlanFallback {
                    kind: "region",
                    choice: choice_name.to_string(),
                    wanted: region.to_string(),
                    used: f.region.clone(),
                    factor: FactorRef::parse(&fref(set, f)).unwrap_or_else(|| choice.factor.clone()),
                });
                if !self.fallback_allowed(region, &f.region) {
                    return Err(Error::new(
                        ErrorKind::MissingFactor,
                        format!("{} is for region {}, the row's region is {region}", fref(set, f), f.region),
                    )
                    .hint(format!("allow it under [factors.region_fallback]: \"{region}\" = \"{}\"", f.region)));
                }
            }
            f
        } else {
            let in_region = |r: &str| -> Vec<&'a Factor> {
                set.factors.iter().filter(|f| matches_kind(f) && region_serves(&f.region, r, strict_region)).collect()
            };
            let mut cands = in_region(region);
            // Prefer an exact region match over a national or global default.
            if cands.iter().any(|f| f.region == region) {
                cands.retain(|f| f.region == region);
            }
            if cands.is_empty() {
                let target = self.fallback_target(region);
                if let Some(target) = target {
                    cands = set.factors.iter().filter(|f| matches_kind(f) && f.region == target).collect();
                    if let Some(f) = cands.first() {
                        chain.fallbacks.push(PlanFallback {
                            kind: "region",
                            choice: choice_name.to_string(),
                            wanted: region.to_string(),
                            used: target.clone(),
                            factor: FactorRef::parse(&fref(set, f)).unwrap_or_else(|| choice.factor.clone()),
                        });
                    }
                }
            }
            if cands.is_empty() {
                return Ok(None);
            }
            let primary: Vec<&&Factor> = cands.iter().filter(|f| f.alternative.is_none()).collect();
            if primary.len() == 1 {
                primary[0]
            } else if cands.len() == 1 {
                cands[0]
            } else {
                let ids: Vec<String> = cands.iter().map(|f| f.id.clone()).collect();
                return Err(Error::new(
                    ErrorKind::AmbiguousFactor,
                    format!(
                        "{} offers {} factors for {activity} in {region}: {}",
                        set.key(),
                        cands.len(),
                        ids.join(", ")
                    ),
                )
                .at(choice.location.clone())
                .hint(format!("choose one under [factors.pick]: \"{choice_name}.{activity}\" = \"{}\"", ids[0])));
            }
        };
        if !found.valid_years.covers(self.inv.year) {
            if !self.inv.factors.allow_year_mismatch {
                return Err(Error::new(
                    ErrorKind::MissingFactor,
                    format!(
                        "{} is valid for {}, the inventory is for {}",
                        fref(set, found),
                        found.valid_years,
                        self.inv.year
                    ),
                )
                .at(choice.location.clone())
                .hint("if that is the edition you mean to use, set allow_year_mismatch = true under [factors]"));
            }
            chain.fallbacks.push(PlanFallback {
                kind: "year",
                choice: choice_name.to_string(),
                wanted: self.inv.year.to_string(),
                used: found.valid_years.to_string(),
                factor: FactorRef::parse(&fref(set, found)).unwrap_or_else(|| choice.factor.clone()),
            });
        }
        self.sets_used.insert((set.path.clone(), set.sha256.clone()));
        Ok(Some((set, found)))
    }

    fn fallback_target(&self, region: &str) -> Option<String> {
        let fb = &self.inv.factors.region_fallback;
        fb.iter()
            .find(|(from, _, _)| from == region)
            .or_else(|| fb.iter().find(|(from, _, _)| from == "*"))
            .map(|x| x.1.clone())
    }

    fn fallback_allowed(&self, region: &str, used: &str) -> bool {
        self.fallback_target(region).is_some_and(|t| t == used)
    }

    /// NCV of a fuel per `amount_dim` (mass or volume): the first of these choices with one that fits.
    fn ncv(
        &mut self,
        choices: &[&str],
        activity: &str,
        region: &str,
        amount_dim: Dimension,
        chain: &mut Chain,
    ) -> Result<Option<(&'a FactorSet, &'a Factor)>, Error> {
        for c in choices {
            let Some(choice) = self.choice(c) else { continue };
            let set = self.set_of(c, choice)?;
            let fits = set.factors.iter().any(|f| {
                f.kind == FactorKind::Ncv
                    && f.activity == activity
                    && matches!(&f.value, FactorValue::Direct(p) if p.unit.den.dimension() == amount_dim)
            });
            if !fits {
                continue;
            }
            if let Some(x) = self.find(c, activity, region, &[FactorKind::Ncv], None, false, chain)?
                && matches!(&x.1.value, FactorValue::Direct(p) if p.unit.den.dimension() == amount_dim)
            {
                return Ok(Some(x));
            }
        }
        Ok(None)
    }

    /// Apply a factor (direct or combustion) to the chain, bridging mass/volume and energy through an NCV.
    pub(super) fn apply_factor(
        &mut self,
        set: &FactorSet,
        f: &Factor,
        activity: &str,
        region: &str,
        ncv_choices: &[&str],
        chain: &mut Chain,
    ) -> Result<(), Error> {
        chain.used.push(used(set, f));
        let tag = fref(set, f);
        match &f.value {
            FactorValue::Combustion { ncv, carbon_content, oxidation } => {
                let cc = combustion_cc_per_ncv_energy(ncv, carbon_content).ok_or_else(|| overflow("carbon content"))?;
                let cur_dim = chain.cur.dimension();
                if cur_dim == Dimension::Energy {
                    // Quantity already in energy: skip the NCV step.
                    chain.express_in(&ncv.unit.num)?;
                } else {
                    self.bridge(chain, &ncv.unit.den, activity, region, ncv_choices, &tag)?;
                    chain.apply(ncv.value, &ncv.unit, format!("{} {} (NCV)", ncv.value, ncv.unit.symbol()))?;
                }
                chain.mul(cc)?;
                chain.mul(*oxidation)?;
                chain.mul(CO2_PER_C_NUM)?;
                chain.div(CO2_PER_C_DEN)?;
                chain.steps.push(format!(
                    "{} tC/{} (CC) x {} (OF) x 44/12 [{tag}]",
                    cc.normalize(),
                    ncv.unit.num.symbol(),
                    oxidation.normalize()
                ));
                chain.cur = Unit::base(Dimension::Emission(Gas::CO2));
            }
            FactorValue::Direct(p) => {
                self.bridge(chain, &p.unit.den, activity, region, ncv_choices, &tag)?;
                chain.apply(p.value, &p.unit, format!("{} {} [{tag}]", p.value, p.unit.symbol()))?;
            }
        }
        Ok(())
    }

    /// Bring the chain's quantity into `den`'s dimension, through an NCV when one side is energy.
    fn bridge(
        &mut self,
        chain: &mut Chain,
        den: &Unit,
        activity: &str,
        region: &str,
        ncv_choices: &[&str],
        tag: &str,
    ) -> Result<(), Error> {
        let have = chain.cur.dimension();
        let want = den.dimension();
        if have == want {
            return Ok(());
        }
        let fuel_amount = |d: Dimension| matches!(d, Dimension::Mass | Dimension::Volume);
        if (want == Dimension::Energy && fuel_amount(have)) || (have == Dimension::Energy && fuel_amount(want)) {
            let amount_dim = if want == Dimension::Energy { have } else { want };
            let mut probe = chain.clone();
            if let Some((nset, nf)) = self.ncv(ncv_choices, activity, region, amount_dim, &mut probe)? {
                let FactorValue::Direct(p) = &nf.value else { return Err(overflow("ncv")) };
                if p.unit.den.dimension() == amount_dim {
                    chain.fallbacks = probe.fallbacks;
                    chain.used.push(used(nset, nf));
                    let text = format!("{} {} (NCV) [{}]", p.value, p.unit.symbol(), fref(nset, nf));
                    return if want == Dimension::Energy {
                        chain.apply(p.value, &p.unit, text)
                    } else {
                        chain.apply_inverse(p.value, &p.unit, text)
                    };
                }
            }
        }
        Err(Error::new(
            ErrorKind::DimensionMismatch,
            format!(
                "{activity} measured in {} ({}) cannot be used with {tag}, which is per {} ({})",
                chain.cur.symbol(),
                have,
                den.symbol(),
                want
            ),
        )
        .hint(match (have, want) {
            (Dimension::Mass, Dimension::Volume) | (Dimension::Volume, Dimension::Mass) => {
                "no density is defined: give the quantity in the factor's unit".to_string()
            }
            _ => format!("give the quantity in a unit of {want}, or choose a set with an NCV for {activity}"),
        }))
    }

    /// Finish a chain into a plan producing `out` (converting emissions of a gas to CO2e with the GWP set).
    pub(super) fn finish(
        &mut self,
        mut chain: Chain,
        figure: String,
        gas: Option<Gas>,
        out: &'static str,
        region: &str,
    ) -> Result<Plan, Error> {
        if let Dimension::Emission(g) = chain.cur.dimension()
            && g != Gas::CO2e
        {
            if g == Gas::CO2 {
                chain.express_in(&Unit::base(Dimension::Emission(Gas::CO2)))?;
                chain.cur = Unit::base(Dimension::Emission(Gas::CO2e));
            } else {
                chain.express_in(&Unit::base(Dimension::Emission(g)))?;
                let Some((set, f)) = self.find("gwp", "any", region, &[FactorKind::Gwp], Some(g), false, &mut chain)?
                else {
                    return Err(Error::new(
                        ErrorKind::MissingFactor,
                        format!("{g} needs a GWP, and no gwp set is chosen or it lacks {g}"),
                    )
                    .hint("add gwp = \"ipcc-gwp@AR5\" (or AR4, AR6) under [factors]"));
                };
                let v = f.rate().unwrap_or_default();
                chain.used.push(used(set, f));
                chain.mul(v)?;
                chain.steps.push(format!("{} tCO2e/t{g} (GWP) [{}]", v.normalize(), fref(set, f)));
                chain.cur = Unit::base(Dimension::Emission(Gas::CO2e));
            }
        }
        let out_unit = Unit::parse(out).map_err(|e| Error::new(ErrorKind::UnknownUnit, e.to_string()))?;
        chain.express_in(&out_unit)?;
        Ok(Plan {
            figure,
            gas,
            k_num: chain.num,
            k_den: chain.den,
            formula: Arc::from(chain.formula()),
            factors: Arc::new(chain.used),
            value_unit: out,
            fallbacks: chain.fallbacks,
        })
    }

    /// Every plan for rows of this activity, region and unit (certificates are planned separately).
    pub(super) fn plans(
        &mut self,
        activity: Activity,
        region: &str,
        unit: &Unit,
        warn: &mut Vec<Warning>,
    ) -> Result<Vec<Plan>, Error> {
        let a = activity.name();
        let mut out = Vec::new();
        let missing = |choice: &str, what: &str| {
            Error::new(
                ErrorKind::MissingFactor,
                format!("{a} in region {region} needs {what}, and factors.{choice} provides none"),
            )
        };
        if activity.is_fuel() {
            // Scope 1 CO2.
            let mut ch = Chain::new(unit.clone());
            let Some((set, f)) = self.find(
                "combustion",
                a,
                region,
                &[FactorKind::Combustion, FactorKind::Emission],
                Some(Gas::CO2),
                false,
                &mut ch,
            )?
            else {
                let e = match self.choice("combustion") {
                    None => Error::new(
                        ErrorKind::MissingFactor,
                        format!("{a} needs a combustion factor, and the inventory chooses no combustion set"),
                    )
                    .hint("add combustion = \"cn-guideline-fuels@2015\" under [factors]"),
                    Some(c) => missing("combustion", "a CO2 factor")
                        .at(c.location.clone())
                        .hint("choose a set that covers this fuel, or allow a region fallback"),
                };
                return Err(e);
            };
            self.apply_factor(set, f, a, region, &["combustion", "non_co2"], &mut ch)?;
            out.push(self.finish(ch, format!("scope1.{a}"), Some(Gas::CO2), T_CO2E, region)?);
            // Scope 1 CH4, N2O.
            if self.choice("non_co2").is_some() {
                for g in [Gas::CH4, Gas::N2O] {
                    let mut ch = Chain::new(unit.clone());
                    if let Some((set, f)) =
                        self.find("non_co2", a, region, &[FactorKind::Emission], Some(g), false, &mut ch)?
                    {
                        self.apply_factor(set, f, a, region, &["non_co2", "combustion"], &mut ch)?;
                        out.push(self.finish(ch, format!("scope1.{a}"), Some(g), T_CO2E, region)?);
                    }
                }
            }
        }
        match activity {
            Activity::Electricity | Activity::Heat => {
                let grid_choice =
                    if activity == Activity::Heat && self.choice("heat").is_some() { "heat" } else { "grid" };
                let mut ch = Chain::new(unit.clone());
                match self.find(grid_choice, a, region, &[FactorKind::Emission], None, true, &mut ch)? {
                    Some((set, f)) => {
                        let ch_market = ch.clone();
                        self.apply_factor(set, f, a, region, &[], &mut ch)?;
                        out.push(self.finish(ch, "scope2.location".into(), f.gas, T_CO2E, region)?);
                        if activity == Activity::Heat {
                            // No certificates exist for heat: market-based equals location-based.
                            let mut ch = ch_market;
                            self.apply_factor(set, f, a, region, &[], &mut ch)?;
                            out.push(self.finish(ch, "scope2.market".into(), f.gas, T_CO2E, region)?);
                        }
                    }
                    None => {
                        let loc = self.choice(grid_choice).map(|c| c.location.clone());
                        let mut e = match loc {
                            None => Error::new(
                                ErrorKind::MissingFactor,
                                format!("{a} needs a grid factor, and the inventory chooses no grid set"),
                            )
                            .hint("add grid = \"mee-grid@2022\" under [factors]"),
                            Some(_) => missing(grid_choice, "a location-based factor").hint(format!(
                                "allow a fallback under [factors.region_fallback], e.g. \"{region}\" = \"CN\""
                            )),
                        };
                        if let Some(l) = loc {
                            e = e.at(l);
                        }
                        return Err(e);
                    }
                }
                if activity == Activity::Electricity && self.choice("residual").is_some() {
                    let mut ch = Chain::new(unit.clone());
                    match self.find("residual", a, market_of(region), &[FactorKind::Emission], None, true, &mut ch)? {
                        Some((set, f)) => {
                            self.apply_factor(set, f, a, region, &[], &mut ch)?;
                            out.push(self.finish(ch, "scope2.market".into(), f.gas, T_CO2E, region)?);
                        }
                        None => return Err(missing("residual", "a residual factor")),
                    }
                }
            }
            _ => {}
        }
        // Energy in standard coal.
        if self.choice("standard_coal").is_some() && activity != Activity::Certificate {
            let mut ch = Chain::new(unit.clone());
            match self.find("standard_coal", a, region, &[FactorKind::StandardCoal], None, false, &mut ch)? {
                Some((set, f)) => {
                    self.apply_factor(set, f, a, region, &["combustion", "non_co2"], &mut ch)?;
                    let fig = if activity.is_fuel() { "energy.direct" } else { "energy.indirect" };
                    out.push(self.finish(ch, fig.into(), None, TCE, region)?);
                }
                None => {
                    let c = self.choice("standard_coal").map(|c| c.location.clone());
                    let mut e = missing("standard_coal", "a standard-coal coefficient");
                    if let Some(l) = c {
                        e = e.at(l);
                    }
                    return Err(e);
                }
            }
        }
        // Electricity MWh.
        if matches!(activity, Activity::Electricity | Activity::OnsitePv) {
            let mut ch = Chain::new(unit.clone());
            ch.express_in(&Unit::parse(MWH).map_err(|e| Error::new(ErrorKind::UnknownUnit, e.to_string()))?)?;
            let plan = self.finish(ch.clone(), "electricity.total".into(), None, MWH, region)?;
            out.push(plan);
            if activity == Activity::OnsitePv {
                out.push(self.finish(ch, "electricity.renewable".into(), None, MWH, region)?);
            }
        }
        // The activity quantity itself, in its canonical unit.
        let canon = activity.canonical_unit();
        if let Ok(cu) = Unit::parse(canon) {
            if cu.dimension() == unit.dimension() {
                let ch = Chain::new(unit.clone());
                out.push(self.finish(ch, format!("activity.{a}"), None, canon, region)?);
            } else {
                warn.push(Warning {
                    code: "activity-unit",
                    message: format!(
                        "activity.{a} sums quantities in {canon}; rows in {} ({}) are not included in it (their emissions are)",
                        unit.symbol(),
                        unit.dimension()
                    ),
                    location: None,
                });
            }
        }
        Ok(out)
    }
}

/// Figures from running sums: the roll-ups (scope1, totals, energy.total) summed exactly, each figure rounded once,
/// then intensities (with `revenue`, in millions).
fn figures_of(
    mut m: Named,
    has_standard_coal: bool,
    has_residual: bool,
    revenue: Option<(Decimal, String)>,
) -> Result<BTreeMap<String, Figure>, Error> {
    let sum = |a: &Acc, b: &Acc, unit: &'static str| {
        let mut s = a.clone();
        s.merge(b);
        s.unit = unit;
        s
    };
    let mut scope1 = Acc::new(T_CO2E);
    for (id, a) in &m {
        if id.starts_with("scope1.") {
            scope1.merge(a);
        }
    }
    m.insert("scope1".into(), scope1.clone());
    let loc = m.get("scope2.location").cloned().unwrap_or_else(|| Acc::new(T_CO2E));
    m.insert("scope2.location".into(), loc.clone());
    m.insert("total.location".into(), sum(&scope1, &loc, T_CO2E));
    if has_residual || m.contains_key("scope2.market") {
        let mk = m.get("scope2.market").cloned().unwrap_or_else(|| Acc::new(T_CO2E));
        m.insert("scope2.market".into(), mk.clone());
        m.insert("total.market".into(), sum(&scope1, &mk, T_CO2E));
    }
    if has_standard_coal {
        let d = m.get("energy.direct").cloned().unwrap_or_else(|| Acc::new(TCE));
        let i = m.get("energy.indirect").cloned().unwrap_or_else(|| Acc::new(TCE));
        m.insert("energy.direct".into(), d.clone());
        m.insert("energy.indirect".into(), i.clone());
        m.insert("energy.total".into(), sum(&d, &i, TCE));
    }
    for id in ["electricity.total", "electricity.renewable"] {
        if !m.contains_key(id) {
            m.insert(id.into(), Acc::new(MWH));
        }
    }
    let mut out = BTreeMap::new();
    for (id, a) in m {
        let too_big = || overflow(&format!("figure {id}"));
        let value = a.value.to_decimal().ok_or_else(too_big)?;
        let half_width = match a.half {
            None => None,
            Some(h) => Some(h.to_decimal().ok_or_else(too_big)?),
        };
        out.insert(id, Figure { value, unit: a.unit.to_string(), half_width, lines: a.lines as usize });
    }
    if let Some((rev, cur)) = revenue {
        for (iid, tid, u) in [
            ("intensity.total.location", "total.location", "tCO2e"),
            ("intensity.total.market", "total.market", "tCO2e"),
            ("intensity.energy", "energy.total", "tce"),
        ] {
            if let Some(t) = out.get(tid).cloned() {
                // A revenue so small that the quotient does not fit is an error, never a figure left out.
                let v = t.value.checked_div(rev).ok_or_else(|| {
                    overflow(&format!("figure {iid} ({tid} / revenue)"))
                        .hint("[denominators.revenue] is too small for this figure: check its quantity and unit")
                })?;
                out.insert(
                    iid.into(),
                    Figure {
                        value: v,
                        unit: format!("{u}/million {cur}"),
                        half_width: t.half_width.and_then(|h| h.checked_div(rev)),
                        lines: 0,
                    },
                );
            }
        }
    }
    Ok(out)
}

/// Plans are cached per (activity, region, unit symbol).
pub(super) type PlanKey = (Activity, String, String);

/// Compute an inventory, keeping its lines (as `options.keep_lines` says).
pub fn compute(inv: &Inventory, lib: &FactorLibrary, options: ComputeOptions) -> Result<Computation, Diagnostics> {
    compute_with(inv, lib, options, &ReadOptions::default())
}

/// [`compute`], reading the ledgers as `read` says (threads, text encoding). Without `keep_lines` no calculation
/// line is built at all, and a large CSV ledger is read by several threads; the result is the same for any number.
pub fn compute_with(
    inv: &Inventory,
    lib: &FactorLibrary,
    options: ComputeOptions,
    read: &ReadOptions,
) -> Result<Computation, Diagnostics> {
    compute_with_progress(inv, lib, options, read, &mut |_| {})
}

/// [`compute_with`], reporting how far it has got to `progress` (every [`super::PROGRESS_EVERY`] rows or so, and
/// exactly at the end of each ledger).
pub fn compute_with_progress(
    inv: &Inventory,
    lib: &FactorLibrary,
    options: ComputeOptions,
    read: &ReadOptions,
    progress: &mut dyn FnMut(&super::Progress<'_>),
) -> Result<Computation, Diagnostics> {
    keeping(options, |sink| engine(inv, lib, options, read, None, sink, progress))
}

/// Compute an inventory with its rows changed by an overlay (scenarios), keeping lines as `options` says.
pub fn compute_overlaid(
    inv: &Inventory,
    lib: &FactorLibrary,
    options: ComputeOptions,
    overlay: &mut dyn RowOverlay,
) -> Result<Computation, Diagnostics> {
    keeping(options, |sink| engine(inv, lib, options, &ReadOptions::default(), Some(overlay), sink, &mut |_| {}))
}

/// Run `f` with a sink that keeps every line when `options.keep_lines` says so, and with none otherwise (then no
/// line is built at all).
fn keeping(
    options: ComputeOptions,
    f: impl FnOnce(Option<&mut SinkFn<'_>>) -> Result<Computation, Diagnostics>,
) -> Result<Computation, Diagnostics> {
    if !options.keep_lines {
        return f(None);
    }
    let mut lines = Vec::new();
    let mut keep = |l: &Line| {
        lines.push(l.clone());
        Ok(())
    };
    let mut c = f(Some(&mut keep))?;
    c.lines = lines;
    Ok(c)
}

/// Compute an inventory, handing every line to `sink` as it is made (nothing per row is kept).
pub fn compute_streaming(
    inv: &Inventory,
    lib: &FactorLibrary,
    options: ComputeOptions,
    sink: &mut dyn FnMut(&Line) -> std::io::Result<()>,
) -> Result<Computation, Diagnostics> {
    engine(inv, lib, options, &ReadOptions::default(), None, Some(sink), &mut |_| {})
}

/// [`compute_streaming`] with an optional overlay changing the rows (scenarios).
pub fn compute_streaming_overlaid(
    inv: &Inventory,
    lib: &FactorLibrary,
    options: ComputeOptions,
    overlay: Option<&mut dyn RowOverlay>,
    sink: &mut dyn FnMut(&Line) -> std::io::Result<()>,
) -> Result<Computation, Diagnostics> {
    engine(inv, lib, options, &ReadOptions::default(), overlay, Some(sink), &mut |_| {})
}

/// [`compute_streaming`], reading the ledgers as `read` says (lines come in ledger order, so one thread reads),
/// reporting how far it has got to `progress`.
pub fn compute_streaming_with(
    inv: &Inventory,
    lib: &FactorLibrary,
    options: ComputeOptions,
    read: &ReadOptions,
    sink: &mut dyn FnMut(&Line) -> std::io::Result<()>,
    progress: &mut dyn FnMut(&super::Progress<'_>),
) -> Result<Computation, Diagnostics> {
    engine(inv, lib, options, read, None, Some(sink), progress)
}

/// [`compute_streaming`], reporting how far it has got to `progress` every [`super::PROGRESS_EVERY`] rows and at
/// the end of each ledger.
///
/// ```
/// # use std::path::Path;
/// # let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sheet");
/// let inv = ghg::Inventory::load(&dir.join("inventory.toml")).unwrap();
/// let lib = ghg::library_for(&inv, &[]).unwrap();
/// let mut rows_seen = 0;
/// let c = ghg::calc::compute_streaming_with_progress(&inv, &lib, Default::default(), &mut |_| Ok(()), &mut |p| {
///     rows_seen = p.rows;
///     assert!(p.done <= p.total);
/// })
/// .unwrap();
/// assert_eq!(rows_seen, c.provenance.rows.read);
/// ```
pub fn compute_streaming_with_progress(
    inv: &Inventory,
    lib: &FactorLibrary,
    options: ComputeOptions,
    sink: &mut dyn FnMut(&Line) -> std::io::Result<()>,
    progress: &mut dyn FnMut(&super::Progress<'_>),
) -> Result<Computation, Diagnostics> {
    engine(inv, lib, options, &ReadOptions::default(), None, Some(sink), progress)
}

/// The engine behind every `compute*` function: how to read, an optional overlay (scenarios), an optional sink
/// for lines (which makes every row take the full path, in order), and progress reports.
fn engine(
    inv: &Inventory,
    lib: &FactorLibrary,
    options: ComputeOptions,
    read: &ReadOptions,
    mut overlay: Option<&mut (dyn RowOverlay + '_)>,
    mut sink: Option<&mut SinkFn<'_>>,
    progress: &mut dyn FnMut(&super::Progress<'_>),
) -> Result<Computation, Diagnostics> {
    let mut res = Resolver { inv, lib, sets_used: BTreeSet::new() };
    // Fail early on choices that name nothing, each reported at its line in the inventory.
    let mut d = Diagnostics::new();
    for name in crate::inventory::CHOICES {
        if let Some(c) = res.choice(name) {
            match &c.factor.id {
                Some(_) => {
                    if let Err(e) = lib.factor(&c.factor) {
                        let mut e = e.at(c.location.clone());
                        e.message = format!("factors.{name}: {}", e.message);
                        d.push(e);
                    }
                }
                None => {
                    if let Err(e) = res.set_of(name, c) {
                        d.push(e);
                    }
                }
            }
        }
    }
    for p in &inv.factors.pick {
        if res.choice(&p.choice).is_none() {
            d.push(
                Error::new(
                    ErrorKind::Inventory,
                    format!("pick for {}.{} but the inventory chooses no {} set", p.choice, p.activity, p.choice),
                )
                .at(p.location.clone()),
            );
        }
    }
    if !d.is_empty() {
        return Err(d);
    }
    let mwh = super::scan::mwh_unit().map_err(Diagnostics::from)?;
    let mut merged = Merged::default();
    let mut inputs = Vec::new();
    // The inventory's ledgers, then any extra ledgers an overlay adds (scenario rows).
    let extra = overlay.as_mut().map(|o| o.extra_ledgers()).unwrap_or_default();
    let files = inv.activity_files.len() + extra.len();
    let sources =
        inv.activity_files.iter().map(|f| (f.clone(), None)).chain(extra.into_iter().map(|(p, t)| (p, Some(t))));
    for (file_index, (file, text)) in sources.enumerate() {
        let rows_before = merged.rows_read;
        let mut report = |done: u64, total: u64, rows: u64| {
            progress(&super::Progress { file: &file, file_index, files, done, total, rows: rows_before + rows })
        };
        let source = match text {
            Some(t) => Source::Text(t),
            None => Source::File,
        };
        let sha256 = super::scan::scan_source(
            inv,
            lib,
            &file,
            source,
            read,
            overlay.as_deref_mut(),
            sink.as_deref_mut(),
            &mut report,
            &mut merged,
        )
        .map_err(Diagnostics::from)?;
        inputs.push(FileHash { path: file.clone(), sha256 });
    }
    let mut warnings = std::mem::take(&mut merged.warnings);
    let mut rejected = std::mem::take(&mut merged.rejected);
    let mut rejected_count = merged.rejected_count;
    res.sets_used.extend(std::mem::take(&mut merged.sets_used));
    let mut grid = GridMap::new();
    for (key, (m, t)) in &merged.grid {
        let too_big = || Diagnostics::from(overflow("grid electricity"));
        grid.insert(
            key.clone(),
            GridUse { mwh: m.to_decimal().ok_or_else(too_big)?, market_t: t.to_decimal().ok_or_else(too_big)? },
        );
    }

    // Certificates: each covers grid electricity of its market, never beyond it (see certificates.rs).
    let certs = std::mem::take(&mut merged.certs);
    let outcome = super::certificates::allocate(&mut res, &inv.certificates, certs, &grid, &mwh);
    warnings.extend(outcome.warnings);
    for e in outcome.rejected {
        rejected_count += 1;
        if rejected.len() < MAX_KEPT_REJECTED {
            rejected.push(e);
        }
    }
    let mut sink_err = merged.sink_err.take();
    for l in outcome.lines {
        merged
            .by_entity
            .entry(l.entity.clone())
            .or_default()
            .entry(l.figure.clone())
            .or_insert_with(|| Acc::new(l.value_unit))
            .add(l.value, l.half_width);
        if sink_err.is_none()
            && let Some(s) = sink.as_deref_mut()
            && let Err(e) = s(&l)
        {
            sink_err = Some(e);
        }
    }
    if let Some(e) = sink_err {
        return Err(Error::new(ErrorKind::Io, format!("cannot write calculation lines: {e}")).into());
    }
    let rows = RowCounts {
        read: merged.rows_read,
        used: merged.rows_read.saturating_sub(rejected_count),
        rejected: rejected_count,
    };
    if rejected_count > rejected.len() as u64 {
        let first = inv.activity_files.first().map(Location::file).unwrap_or_else(|| Location::file(&inv.path));
        rejected.push(
            Error::new(
                ErrorKind::BadValue,
                format!("{rejected_count} rows were rejected in all; the first {MAX_KEPT_REJECTED} are listed"),
            )
            .at(first)
            .hint("fix the first problems and run again; rows with the same problem usually share one cause"),
        );
    }
    if options.strict && rejected_count > 0 {
        return Err(Diagnostics(rejected));
    }
    let mut total = Named::new();
    for named in merged.by_entity.values() {
        for (id, a) in named {
            total.entry(id.clone()).or_insert_with(|| Acc::new(a.unit)).merge(a);
        }
    }
    let revenue = inv.denominator("revenue").and_then(|d| {
        let cur = match d.quantity.unit.dimension() {
            Dimension::Money(c) => c,
            _ => return None,
        };
        let million = Unit::parse(&format!("million {cur}")).ok()?;
        crate::units::convert(d.quantity.value, &d.quantity.unit, &million).ok().map(|v| (v, cur.to_string()))
    });
    let has_sc = inv.factors.standard_coal.is_some();
    let has_res = inv.factors.residual.is_some();
    let figures = figures_of(total, has_sc, has_res, revenue.clone()).map_err(Diagnostics::from)?;
    let mut scope2 = outcome.report;
    residual_check(&mut res, inv, lib, &mut scope2, &outcome.uncovered, &figures, &mwh, &mut warnings);
    if revenue.is_none() {
        warnings.push(Warning {
            code: "no-revenue",
            message: "no [denominators.revenue] in money: intensity figures are not computed".into(),
            location: None,
        });
    }
    if !has_sc {
        warnings.push(Warning {
            code: "no-standard-coal",
            message: "no standard_coal choice: energy figures are not computed".into(),
            location: None,
        });
    }
    if !has_res {
        warnings.push(Warning {
            code: "no-residual",
            message: "no residual choice: scope2.market and total.market are not computed".into(),
            location: None,
        });
    }
    let mut by_entity = BTreeMap::new();
    for (e, named) in merged.by_entity {
        by_entity.insert(e, figures_of(named, has_sc, has_res, None).map_err(Diagnostics::from)?);
    }
    let mut factor_files: Vec<FileHash> =
        res.sets_used.into_iter().map(|(path, sha256)| FileHash { path, sha256 }).collect();
    factor_files.sort_by(|a, b| a.path.cmp(&b.path));
    warnings.dedup();
    Ok(Computation {
        organisation: inv.organisation.clone(),
        year: inv.year,
        figures,
        by_entity,
        lines: Vec::new(),
        provenance: Provenance {
            tool: format!("ghg {}", env!("CARGO_PKG_VERSION")),
            inventory: FileHash { path: inv.path.clone(), sha256: inv.sha256.clone() },
            factor_files,
            inputs,
            rows,
        },
        fallbacks: merged.fallbacks.into_values().collect(),
        warnings,
        rejected,
        scope2,
    })
}
