//! Factor plans: for each activity, region and unit, the factors a row needs (chosen by the inventory, with region
//! and year fallbacks where it allows them), multiplied into one `K_num / K_den` per figure with the text of each
//! step. Every line's value is then `quantity x K_num / K_den`: one division per line, done last.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use rust_decimal::Decimal;

use super::{UsedFactor, Warning};
use crate::activity::Activity;
use crate::error::{Error, ErrorKind};
use crate::factor::{
    CO2_PER_C_DEN, CO2_PER_C_NUM, Factor, FactorKind, FactorLibrary, FactorRef, FactorSet, FactorValue,
    combustion_cc_per_ncv_energy,
};
use crate::figure::{
    BIOGENIC_CO2, ELECTRICITY_RENEWABLE, ELECTRICITY_TOTAL, FigureId, MONTREAL, SCOPE1_GAS_PREFIX, SCOPE2_LOCATION,
    SCOPE2_MARKET, SCOPE3,
};
use crate::inventory::{Choice, Inventory};
use crate::units::{Dimension, Gas, RateUnit, Unit};
use crate::vocab::Category;

/// Figure units.
pub(super) const T_CO2E: &str = "tCO2e";
pub(super) const TCE: &str = "tce";
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
    /// The heating value this chain converted the row's amount with, if any: a row has one, used for all its gases.
    ncv: Option<Ncv>,
    /// What the chain had to assume (a gas volume whose reference conditions the ledger does not state), for a
    /// warning.
    assumed: Vec<(&'static str, String)>,
}

/// A heating value as a chain used it: value, unit, and where it comes from (`set@edition:id`).
#[derive(Clone)]
pub(super) struct Ncv {
    value: Decimal,
    unit: RateUnit,
    tag: String,
    /// The NCV factor, when it is one of its own (a combustion factor's NCV is listed with that factor).
    factor: Option<UsedFactor>,
    /// Whether it is a gross or a net heating value, where its factor says.
    cv: Option<crate::units::CvBasis>,
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
            ncv: None,
            assumed: Vec::new(),
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
        // Gas volumes at different stated reference conditions: converted by the ideal-gas law at equal pressure.
        match (self.cur.volume_ref(), unit.volume_ref()) {
            (Some(from), Some(to)) if from != to => {
                let (n, d) = crate::units::reference_ratio(from, to);
                self.mul(n)?;
                self.div(d)?;
                self.steps.push(format!("[{from} -> {to}: x {} / {} K]", n.normalize(), d.normalize()));
            }
            (None, Some(to)) if self.cur.dimension() == Dimension::Volume => {
                self.steps.push(format!("[{} taken at {to}, the factor's reference]", self.cur.symbol()));
                self.assumed.push(("volume-reference", format!(
                    "volumes in {} state no reference conditions and are taken at {to}, the reference of the factor \
                     per {} (write Nm3 for 0 °C, Sm3 for 15 °C, m3(20C) for 20 °C, scf for 60 °F to have them \
                     converted)",
                    self.cur.symbol(),
                    unit.symbol()
                )));
            }
            _ => {}
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
    /// For emission plans, the gas basis of the figure's contribution: the gas the factor gives, and the GWP set
    /// (`AR5`) that weighted it when it is not CO2 or CO2e.
    pub(super) basis: Option<GasPart>,
    /// What the plan assumed (see `Chain::assumed`): warning code and message.
    pub(super) assumed: Vec<(&'static str, String)>,
    /// For energy plans, the basis of the figure's contribution: its unit and how the row got there
    /// ("tce: electricity at 0.1229 kgce/kWh [gbt2589@2020:electricity.equivalent]").
    pub(super) energy_basis: Option<String>,
}

/// One gas in a figure's gas basis: the gas a factor gives (`CO2e` for a factor already in CO2-equivalent) and the
/// edition of the GWP set that weighted it, if any.
pub(super) type GasPart = (Gas, Option<String>);

/// The gas basis of one group of rows' contributions to each emission figure: (figure, text).
pub(super) fn group_bases(plans: &[Plan]) -> Vec<(String, String)> {
    let mut by_fig: std::collections::BTreeMap<&str, BTreeSet<GasPart>> = std::collections::BTreeMap::new();
    for p in plans {
        if let Some(b) = &p.basis {
            by_fig.entry(p.figure.as_str()).or_default().insert(b.clone());
        }
    }
    let mut out: Vec<(String, String)> =
        by_fig.into_iter().map(|(f, parts)| (f.to_string(), describe_parts(&parts))).collect();
    for p in plans {
        if let Some(b) = &p.energy_basis
            && !out.iter().any(|(f, t)| *f == p.figure && t == b)
        {
            out.push((p.figure.clone(), b.clone()));
        }
    }
    out
}

/// "CO2 only", "CO2, CH4, N2O (AR5)", "CO2e factor", "CO2 + CO2e factor".
fn describe_parts(parts: &BTreeSet<GasPart>) -> String {
    let gases: Vec<&GasPart> = parts.iter().filter(|(g, _)| *g != Gas::CO2e).collect();
    let co2e = parts.iter().any(|(g, _)| *g == Gas::CO2e);
    let mut out = Vec::new();
    if gases.len() == 1 && gases[0].0 == Gas::CO2 {
        out.push(if co2e { "CO2".to_string() } else { "CO2 only".to_string() });
    } else if !gases.is_empty() {
        let mut names: Vec<String> = Vec::new();
        for (g, _) in &gases {
            let n = g.to_string();
            if !names.contains(&n) {
                names.push(n);
            }
        }
        let gwps: BTreeSet<&str> = gases.iter().filter_map(|(_, e)| e.as_deref()).collect();
        let gwps: Vec<&str> = gwps.into_iter().collect();
        let mut t = names.join(", ");
        if !gwps.is_empty() {
            t.push_str(&format!(" ({})", gwps.join(", ")));
        }
        out.push(t);
    }
    if co2e {
        out.push("CO2e factor".to_string());
    }
    out.join(" + ")
}

/// A figure's gas basis from the bases of the groups of rows that add to it: one text, or every distinct one.
pub fn describe_bases(bases: &BTreeSet<String>) -> Option<String> {
    match bases.len() {
        0 => None,
        1 => bases.iter().next().cloned(),
        _ => Some(format!("mixed: {}", bases.iter().cloned().collect::<Vec<_>>().join(" / "))),
    }
}

/// A factor as a line shows it; its effective value (for combustion, a product of parameters) must fit a decimal.
fn used(set: &FactorSet, f: &Factor) -> Result<UsedFactor, Error> {
    let value = f.rate().ok_or_else(|| overflow(&format!("the value of {}", fref(set, f))))?;
    Ok(UsedFactor {
        reference: FactorRef { set: set.meta.id.clone(), edition: set.meta.edition.clone(), id: Some(f.id.clone()) },
        value,
        unit: f.rate_unit().symbol(),
        form: f.describe(),
        citation: f.citation.clone(),
        confidence: f.confidence,
    })
}

fn fref(set: &FactorSet, f: &Factor) -> String {
    format!("{}@{}:{}", set.meta.id, set.meta.edition, f.id)
}

/// Whether a factor's region serves a row's region without a fallback.
fn region_serves(factor_region: &str, row_region: &str, strict_region: bool) -> bool {
    if factor_region == row_region || factor_region == "GLOBAL" {
        return true;
    }
    // A country's factors serve its provinces, states and grid regions (`CN` for `CN-ZJ`, `US` for `US-ERCT`) for
    // fuels and standards, not for grids.
    !strict_region
        && !factor_region.contains('-')
        && row_region.strip_prefix(factor_region).is_some_and(|r| r.starts_with('-'))
}

/// Whether a pick applies to a lookup of `activity` (and `gas`) among `kinds`: its factor must be of one of those
/// kinds (a picked CO2 factor does not pin the NCV), and for the gas looked up (a picked CH4 factor, or the GWP of
/// CH4, says nothing about N2O, which is then found as if there were no pick). A GWP pick is per gas (`gwp.CH4`),
/// or `gwp.any`, which serves the gas of the factor it names.
pub(super) fn pick_serves(
    p: &crate::inventory::Pick,
    set: &FactorSet,
    activity: &str,
    kinds: &[FactorKind],
    gas: Option<Gas>,
) -> bool {
    let f = set.get(&p.id);
    if p.choice == "gwp" {
        let Some(g) = gas else { return false };
        return (p.activity == "any" || p.activity == g.symbol()) && f.is_some_and(|f| f.gas == Some(g));
    }
    p.activity == activity
        && f.is_none_or(|f| {
            kinds.contains(&f.kind)
                && (gas.is_none() || f.gas == gas || f.kind == FactorKind::Combustion && gas == Some(Gas::CO2))
        })
}

/// Whether a key of a table by region (or market) applies to a row's region: the same code, or the country of a
/// sub-region (`CN` for `CN-ZJ`, `US` for `US-CAMX`).
fn key_serves(key: &str, region: &str) -> bool {
    key == region || region.strip_prefix(key).is_some_and(|r| r.starts_with('-'))
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
            "mobile" => c.mobile.as_ref(),
            "process" => c.process.as_ref(),
            "scope3" => c.scope3.as_ref(),
            _ => None,
        }
    }

    pub(super) fn set_of(&self, choice_name: &str, choice: &Choice) -> Result<&'a FactorSet, Error> {
        self.lib.set(&choice.factor).map_err(|e| {
            let mut e = e.at(choice.location.clone());
            e.message = format!("factors.{choice_name}: {}", e.message);
            e
        })
    }

    /// Whether the inventory makes a choice of this name (for the grid and the residual: in any of their forms).
    pub(super) fn chosen(&self, name: &str) -> bool {
        match name {
            "grid" => self.inv.factors.has_grid(),
            "residual" => self.inv.factors.has_residual(),
            _ => self.choice(name).is_some(),
        }
    }

    /// Every choice written under a name: the one set, each set of a list, each entry of a table by region.
    fn all_choices(&self, name: &str) -> Vec<&'a Choice> {
        let c = &self.inv.factors;
        let mut v: Vec<&'a Choice> = self.choice(name).into_iter().collect();
        match name {
            "grid" => {
                v.extend(c.grid_more.iter());
                v.extend(c.grid_by_region.iter().map(|x| &x.1));
            }
            "residual" => v.extend(c.residual_by_market.iter().map(|x| &x.1)),
            _ => {}
        }
        v
    }

    /// The choices that may serve rows of `region`: the entry of a table by region or market (the most specific
    /// key: `CN-ZJ` before `CN`), else every set of a list, else the one choice. A single choice set beside a
    /// table (a scenario's `factor` or `residual` change) replaces the table.
    fn candidates(&self, name: &str, region: &str) -> Vec<&'a Choice> {
        let c = &self.inv.factors;
        let table = match name {
            "grid" => &c.grid_by_region,
            "residual" => &c.residual_by_market,
            _ => return self.choice(name).into_iter().collect(),
        };
        if !table.is_empty() && self.choice(name).is_none() {
            return table
                .iter()
                .filter(|(k, _)| key_serves(k, region))
                .max_by_key(|(k, _)| k.len())
                .map(|(_, c)| c)
                .into_iter()
                .collect();
        }
        let mut v: Vec<&'a Choice> = self.choice(name).into_iter().collect();
        if name == "grid" {
            v.extend(c.grid_more.iter());
        }
        v
    }

    /// Find the factor for `activity` in `region` under a choice. `kinds` are acceptable kinds; `gas` filters.
    /// Where the choice is a list of sets, the one set serving the region is used (two serving it is an error); a
    /// region fallback the inventory writes is tried only when no set serves the region itself.
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
        let cands = self.candidates(choice_name, region);
        if cands.len() <= 1 {
            let Some(c) = cands.first() else { return Ok(None) };
            return self.find_in(choice_name, c, activity, region, kinds, gas, strict_region, true, false, chain);
        }
        for fallback in [false, true] {
            let mut found = Vec::new();
            for c in &cands {
                let mut probe = chain.clone();
                if let Some(x) = self.find_in(
                    choice_name,
                    c,
                    activity,
                    region,
                    kinds,
                    gas,
                    strict_region,
                    fallback,
                    true,
                    &mut probe,
                )? {
                    found.push((*c, x, probe));
                }
            }
            if let [(a, (sa, fa), _), (b, (sb, fb), _), ..] = found.as_slice() {
                return Err(Error::new(
                    ErrorKind::AmbiguousFactor,
                    format!(
                        "{activity} in region {region}: two sets of factors.{choice_name} serve it, {} ({}) and {} ({})",
                        a.factor,
                        fref(sa, fa),
                        b.factor,
                        fref(sb, fb)
                    ),
                )
                .at(b.location.clone())
                .hint(format!(
                    "keep one of them in the list, or write [factors.{choice_name}] as a table by region: {region} = \"{}\"",
                    a.factor
                )));
            }
            if let Some((_, x, probe)) = found.pop() {
                *chain = probe;
                return Ok(Some(x));
            }
        }
        Ok(None)
    }

    /// The error for rows of `region` that no chosen set serves under `choice_name`: the region, what the
    /// inventory chooses, the sets of the loaded library that would serve it, and how to add one.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn unserved(
        &self,
        choice_name: &str,
        activity: &str,
        region: &str,
        kinds: &[FactorKind],
        gas: Option<Gas>,
        what: &str,
    ) -> Error {
        let chosen = self.all_choices(choice_name);
        let market = if choice_name == "residual" { "market" } else { "region" };
        let head = format!("{activity} in {market} {region} needs {what}");
        let Some(first) = chosen.first() else {
            return Error::new(
                ErrorKind::MissingFactor,
                format!("{head}, and the inventory chooses no {choice_name} set"),
            )
            .hint(format!("add {choice_name} = \"set@edition\" under [factors] (ghg factors list shows what exists)"));
        };
        let names: Vec<String> = chosen.iter().map(|c| c.factor.to_string()).collect();
        // The library's factors for this region, residual mixes told apart from grid averages by their ids.
        let residual_like =
            |f: &Factor| f.id.contains("residual") || f.id.contains("excl_market") || f.alternative.is_some();
        let mut found: Vec<(bool, String)> = Vec::new();
        for set in self.lib.sets() {
            for f in &set.factors {
                let gas_ok = gas.is_none() || f.gas == gas || f.kind == FactorKind::Combustion && gas == Some(Gas::CO2);
                // Grid and residual factors serve their own region only; fuels' national and global defaults serve
                // wider (as `find` takes them).
                let strict = matches!(choice_name, "grid" | "heat" | "residual");
                if kinds.contains(&f.kind)
                    && f.activity == activity
                    && gas_ok
                    && region_serves(&f.region, region, strict)
                {
                    let r = if choice_name == "residual" { fref(set, f) } else { set.key() };
                    if !found.iter().any(|x| x.1 == r) {
                        found.push((residual_like(f), r));
                    }
                }
            }
        }
        // For a residual, the residual mixes (any factor where there are none); for a grid, the grid averages.
        let want_residual = choice_name == "residual";
        let preferred = found.iter().any(|x| x.0 == want_residual);
        let serving: Vec<String> =
            found.into_iter().filter(|x| !preferred || x.0 == want_residual).map(|x| x.1).collect();
        let what_serves = if choice_name == "residual" { "factor" } else { "set" };
        let has = match serving.len() {
            0 => format!("; no {what_serves} in the factor library serves {region}"),
            n => format!(
                "; the factor library has {}: {}",
                if n == 1 {
                    format!("one {what_serves} that serves it")
                } else {
                    format!("{what_serves}s that serve it")
                },
                serving.iter().take(8).cloned().collect::<Vec<_>>().join(", ")
            ),
        };
        let table = match choice_name {
            "grid" => &self.inv.factors.grid_by_region,
            "residual" => &self.inv.factors.residual_by_market,
            _ => &Vec::new(),
        };
        let keys: Vec<&str> = table.iter().map(|(k, _)| k.as_str()).collect();
        // Whether the chosen sets have this activity at all (in any region): if not, that is what to say.
        let has_activity = chosen
            .iter()
            .filter_map(|c| self.lib.set(&c.factor).ok())
            .any(|set| set.factors.iter().any(|f| kinds.contains(&f.kind) && f.activity == activity));
        let at = if !keys.is_empty() && !keys.iter().any(|k| key_serves(k, region)) {
            format!("[factors.{choice_name}] has no entry for {market} {region} (it has {})", keys.join(", "))
        } else if !has_activity {
            format!("factors.{choice_name} ({}) has no factor for {activity} in any region", names.join(", "))
        } else if market == "market" {
            format!("factors.{choice_name} ({}) has no factor for market {region}", names.join(", "))
        } else {
            format!("factors.{choice_name} ({}) has no factor for {region}", names.join(", "))
        };
        // The last one the library lists: of a series, its latest edition.
        let hint = match (serving.last(), choice_name) {
            (Some(s), "grid") if !keys.is_empty() => format!("add it to the table: [factors.grid] {region} = \"{s}\""),
            (Some(s), "grid") => format!(
                "choose it for {region}: [factors.grid] {region} = \"{s}\" (a table by region, with a key for each \
                 other region), or grid = [\"{}\", \"{s}\"] when no region is served by both",
                first.factor
            ),
            (Some(s), "residual") => format!("choose it for the market: [factors.residual] {region} = \"{s}\""),
            (Some(s), _) => format!("choose a set that serves {region}, e.g. {choice_name} = \"{s}\""),
            (None, _) => format!(
                "write a factor set for {region}, with its citation, in a folder listed in factor_paths and choose \
                 it (factors/README.md, \"Adding your own factors\"); or price these rows with another region's \
                 factor under [factors.region_fallback]: \"{region}\" = \"<region>\" (reported as a warning)"
            ),
        };
        Error::new(ErrorKind::MissingFactor, format!("{head}: {at}{has}")).at(first.location.clone()).hint(hint)
    }

    /// Find the factor under one written choice. Without `fallback`, a region fallback is not tried and a pinned
    /// factor of another region is not found; with `picked_only_here`, a pick applies only to a set that has it.
    #[allow(clippy::too_many_arguments)]
    fn find_in(
        &mut self,
        choice_name: &str,
        choice: &'a Choice,
        activity: &str,
        region: &str,
        kinds: &[FactorKind],
        gas: Option<Gas>,
        strict_region: bool,
        fallback: bool,
        picked_only_here: bool,
        chain: &mut Chain,
    ) -> Result<Option<(&'a FactorSet, &'a Factor)>, Error> {
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
                    p.choice == choice_name
                        && pick_serves(p, set, activity, kinds, gas)
                        && (!picked_only_here || set.get(&p.id).is_some())
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
                if !fallback || !self.fallback_allowed(region, &f.region) {
                    return Ok(None);
                }
                chain.fallbacks.push(PlanFallback {
                    kind: "region",
                    choice: choice_name.to_string(),
                    wanted: region.to_string(),
                    used: f.region.clone(),
                    factor: FactorRef::parse(&fref(set, f)).unwrap_or_else(|| choice.factor.clone()),
                });
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
            if cands.is_empty() && fallback {
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

    /// Whether a chosen set has a heating value of the activity per `amount_dim`.
    fn has_ncv_per(&self, choices: &[&str], activity: &str, amount_dim: Dimension) -> bool {
        choices.iter().filter_map(|c| self.choice(c)).filter_map(|c| self.lib.set(&c.factor).ok()).any(|set| {
            set.factors.iter().any(|f| {
                f.kind == FactorKind::Ncv
                    && f.activity == activity
                    && matches!(&f.value, FactorValue::Direct(p) if p.unit.den.dimension() == amount_dim)
            })
        })
    }

    /// The density of a fuel: the first of these choices whose set has one.
    fn density(
        &mut self,
        choices: &[&str],
        activity: &str,
        region: &str,
        chain: &mut Chain,
    ) -> Result<Option<(&'a FactorSet, &'a Factor)>, Error> {
        for c in choices {
            let Some(choice) = self.choice(c) else { continue };
            let set = self.set_of(c, choice)?;
            if !set.factors.iter().any(|f| f.kind == FactorKind::Density && f.activity == activity) {
                continue;
            }
            if let Some(x) = self.find(c, activity, region, &[FactorKind::Density], None, false, chain)? {
                return Ok(Some(x));
            }
        }
        Ok(None)
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
        chain.used.push(used(set, f)?);
        let tag = fref(set, f);
        if matches!(f.value, FactorValue::Combustion { .. }) {
            check_cv(chain, f, activity, &tag)?;
        }
        match &f.value {
            FactorValue::Combustion { ncv, carbon_content, oxidation } => {
                let cc = combustion_cc_per_ncv_energy(ncv, carbon_content).ok_or_else(|| overflow("carbon content"))?;
                let cur_dim = chain.cur.dimension();
                if cur_dim == Dimension::Energy {
                    // Quantity already in energy: skip the NCV step.
                    chain.express_in(&ncv.unit.num)?;
                } else {
                    self.bridge(chain, &ncv.unit.den, activity, region, ncv_choices, &tag)?;
                    let cv = f.cv.or(ncv.unit.num.cv());
                    let label = heating_value_label(cv);
                    chain.apply(ncv.value, &ncv.unit, format!("{} {} ({label})", ncv.value, ncv.unit.symbol()))?;
                    chain.cur = chain.cur.clone().with_cv(cv);
                    // The row's heating value: its other gases are converted with this one too.
                    chain.ncv = Some(Ncv {
                        value: ncv.value,
                        unit: ncv.unit.clone(),
                        tag: tag.clone(),
                        factor: chain.used.last().cloned(),
                        cv,
                    });
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
                // Energy reached through a heating value carries its basis: compared with the factor's too.
                check_cv(chain, f, activity, &tag)?;
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
        // A volume of fuel priced per mass (or per energy with a heating value per mass), or a mass priced per
        // volume: through its density.
        let volume_to_mass = have == Dimension::Volume
            && matches!(want, Dimension::Mass | Dimension::Energy)
            && !(want == Dimension::Energy && self.has_ncv_per(ncv_choices, activity, Dimension::Volume));
        if volume_to_mass || (have == Dimension::Mass && want == Dimension::Volume) {
            let mut probe = chain.clone();
            if let Some((dset, df)) = self.density(ncv_choices, activity, region, &mut probe)? {
                let FactorValue::Direct(p) = &df.value else { return Err(overflow("density")) };
                chain.fallbacks = probe.fallbacks;
                chain.used.push(used(dset, df)?);
                let text = format!("{} {} (density) [{}]", p.value, p.unit.symbol(), fref(dset, df));
                if !volume_to_mass {
                    return chain.apply_inverse(p.value, &p.unit, text);
                }
                chain.apply(p.value, &p.unit, text)?;
                return self.bridge(chain, den, activity, region, ncv_choices, tag);
            }
        }
        let fuel_amount = |d: Dimension| matches!(d, Dimension::Mass | Dimension::Volume);
        if (want == Dimension::Energy && fuel_amount(have)) || (have == Dimension::Energy && fuel_amount(want)) {
            let amount_dim = if want == Dimension::Energy { have } else { want };
            // A row has one heating value for all its gases: the one its CO2 was computed with, when there is one.
            if let Some(n) = chain.ncv.clone()
                && n.unit.den.dimension() == amount_dim
                && n.unit.num.dimension() == Dimension::Energy
            {
                if let Some(f) = &n.factor
                    && !chain.used.iter().any(|u| u.reference == f.reference)
                {
                    chain.used.push(f.clone());
                }
                let label = heating_value_label(n.cv);
                let text = format!("{} {} ({label} of the row, as for its CO2) [{}]", n.value, n.unit.symbol(), n.tag);
                return if want == Dimension::Energy {
                    chain.apply(n.value, &n.unit, text)?;
                    chain.cur = chain.cur.clone().with_cv(n.cv);
                    Ok(())
                } else {
                    chain.apply_inverse(n.value, &n.unit, text)
                };
            }
            let mut probe = chain.clone();
            if let Some((nset, nf)) = self.ncv(ncv_choices, activity, region, amount_dim, &mut probe)? {
                let FactorValue::Direct(p) = &nf.value else { return Err(overflow("ncv")) };
                if p.unit.den.dimension() == amount_dim {
                    chain.fallbacks = probe.fallbacks;
                    let u = used(nset, nf)?;
                    chain.used.push(u.clone());
                    let cv = nf.cv.or(p.unit.num.cv());
                    chain.ncv =
                        Some(Ncv { value: p.value, unit: p.unit.clone(), tag: fref(nset, nf), factor: Some(u), cv });
                    let label = heating_value_label(cv);
                    let text = format!("{} {} ({label}) [{}]", p.value, p.unit.symbol(), fref(nset, nf));
                    return if want == Dimension::Energy {
                        chain.apply(p.value, &p.unit, text)?;
                        chain.cur = chain.cur.clone().with_cv(cv);
                        Ok(())
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
            (Dimension::Mass, Dimension::Volume) | (Dimension::Volume, Dimension::Mass | Dimension::Energy) => {
                format!(
                    "no density is defined for {activity} in the chosen sets ({}): give the quantity in {}, or add a \
                     density factor (kind = \"density\", unit = \"kg/L\", with its source) to a set the inventory \
                     chooses",
                    ncv_choices
                        .iter()
                        .filter_map(|c| self.choice(c).map(|x| format!("{c} = {}", x.factor)))
                        .collect::<Vec<_>>()
                        .join(", "),
                    den.symbol()
                )
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
        let mut basis = match chain.cur.dimension() {
            Dimension::Emission(g) if g != Gas::C => Some((g, None)),
            _ => None,
        };
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
                    let with: Vec<String> = self
                        .lib
                        .sets()
                        .iter()
                        .filter(|s| s.factors.iter().any(|f| f.kind == FactorKind::Gwp && f.gas == Some(g)))
                        .map(|s| s.key())
                        .collect();
                    let offer = if with.is_empty() {
                        format!(
                            "no set in the factor library has a GWP for {g}: add one, with its source, in a folder listed in factor_paths"
                        )
                    } else {
                        format!("sets with a GWP for {g}: {}", with.join(", "))
                    };
                    return Err(match self.choice("gwp") {
                        None => Error::new(
                            ErrorKind::MissingFactor,
                            format!("{g} needs a GWP, and the inventory chooses no gwp set"),
                        )
                        .hint(format!("add gwp = \"set@edition\" under [factors]; {offer}")),
                        Some(c) => Error::new(
                            ErrorKind::MissingFactor,
                            format!("{g} needs a GWP, and factors.gwp ({}) has none for {g}", c.factor),
                        )
                        .at(c.location.clone())
                        .hint(format!("choose a gwp set that lists {g}; {offer}")),
                    });
                };
                let v = f.rate().ok_or_else(|| overflow(&format!("the value of {}", fref(set, f))))?;
                chain.used.push(used(set, f)?);
                chain.mul(v)?;
                chain.steps.push(format!("{} tCO2e/t{g} (GWP) [{}]", v.normalize(), fref(set, f)));
                basis = Some((g, Some(set.meta.edition.clone())));
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
            basis,
            assumed: chain.assumed,
            energy_basis: None,
        })
    }

    /// Finish a chain that ends in a mass of gas into its plans: one plan, or for a blend (`R-410A`) one per
    /// component, the blend's mass split by its declared mass fractions, each weighted by its own GWP.
    fn finish_gases(
        &mut self,
        mut chain: Chain,
        figure: &str,
        gas: Option<Gas>,
        region: &str,
    ) -> Result<Vec<Plan>, Error> {
        if let Dimension::Emission(g) = chain.cur.dimension()
            && let Some(parts) = crate::vocab::blend_of(g)
        {
            chain.express_in(&Unit::base(Dimension::Emission(g)))?;
            let mut out = Vec::new();
            for (component, fraction) in parts {
                let mut ch = chain.clone();
                ch.mul(fraction)?;
                ch.steps.push(format!("{} t{component}/t{g} (mass fraction in the blend)", fraction.normalize()));
                ch.cur = Unit::base(Dimension::Emission(component));
                out.push(self.finish(ch, figure.to_string(), Some(component), T_CO2E, region)?);
            }
            return Ok(out);
        }
        Ok(vec![self.finish(chain, figure.to_string(), gas, T_CO2E, region)?])
    }

    /// A scope 1 plan and its copies into the figures by category (`scope1.stationary`) and by gas
    /// (`scope1.gas.co2`): each breakdown figure has its own lines, the same values as the activity's. A Montreal
    /// gas (HCFC-22) is reported apart, in `montreal`, and in no scope.
    fn push_scope1(out: &mut Vec<Plan>, plan: Plan, category: Category) {
        let gas = plan.basis.as_ref().map(|b| b.0);
        let group = gas.map(crate::vocab::gas_group);
        if group == Some("montreal") {
            let mut p = plan;
            p.figure = MONTREAL.to_string();
            out.push(p);
            return;
        }
        if let Some(fig) = category.scope1_figure() {
            out.push(plan.copy_to(fig.to_string()));
        }
        if let Some(g) = group {
            out.push(plan.copy_to(format!("{SCOPE1_GAS_PREFIX}{g}")));
        }
        out.push(plan);
    }

    /// The gases a grid (or heat) choice has factors for, for an activity in exactly this region (a grid factor
    /// serves its own region only).
    fn grid_gases(&self, choice: &str, activity: &str, region: &str) -> Vec<Gas> {
        let mut gases = BTreeSet::new();
        for c in self.candidates(choice, region) {
            if let Ok(set) = self.lib.set(&c.factor) {
                if let Some(id) = &c.factor.id {
                    // A pinned factor is the one factor.
                    if let Some(f) = set.get(id) {
                        gases.extend(f.gas);
                    }
                    continue;
                }
                for f in &set.factors {
                    if f.kind == FactorKind::Emission
                        && f.activity == activity
                        && f.alternative.is_none()
                        && region_serves(&f.region, region, true)
                        && let Some(g) = f.gas
                    {
                        gases.insert(g);
                    }
                }
            }
        }
        gases.into_iter().collect()
    }

    /// The gases the sets of a choice have emission factors for, for an activity (one plan each).
    fn gases_under(&self, choice: &str, activity: &str, region: &str) -> Vec<Gas> {
        let mut gases = BTreeSet::new();
        for c in self.candidates(choice, region) {
            if let Ok(set) = self.lib.set(&c.factor) {
                for f in &set.factors {
                    if f.kind == FactorKind::Emission
                        && f.activity == activity
                        && let Some(g) = f.gas
                    {
                        gases.insert(g);
                    }
                }
            }
        }
        gases.into_iter().collect()
    }

    /// Every plan for rows of this activity, region and unit (certificates are planned separately). What is planned
    /// follows from the activity's category: fuels (scope 1 or biogenic CO2, CH4 and N2O), fugitive and process
    /// gases (scope 1), bought energy (scope 2), scope 3 categories; then energy and quantities.
    pub(super) fn plans(
        &mut self,
        activity: Activity,
        region: &str,
        unit: &Unit,
        warn: &mut Vec<Warning>,
    ) -> Result<Vec<Plan>, Error> {
        let a = activity.name();
        let cat = activity.category();
        // The file that declares the activity is one the figures depend on: listed with the factor files used.
        if let Some(key) = activity.def().declared_in.split(' ').next()
            && let Some(r) = FactorRef::parse(key)
            && let Ok(set) = self.lib.set(&r)
        {
            self.sets_used.insert((set.path.clone(), set.sha256.clone()));
        }
        let mut out = Vec::new();
        let missing = |choice: &str, what: &str| {
            Error::new(
                ErrorKind::MissingFactor,
                format!("{a} in region {region} needs {what}, and factors.{choice} provides none"),
            )
        };
        // Without any emission choice only energy and quantities are planned (see Resolver::emissions_chosen).
        let emissions = self.emissions_chosen();
        if cat.is_fuel() && emissions {
            self.fuel_plans(activity, region, unit, &mut out)?;
        }
        if matches!(cat, Category::Fugitive | Category::Process) && emissions {
            self.gas_plans(activity, region, unit, &mut out)?;
        }
        if let Category::Scope3(n) = cat
            && emissions
        {
            self.scope3_plans(activity, n, region, unit, &mut out)?;
        }
        if cat.is_purchased() && emissions {
            let is_electricity = cat == Category::PurchasedElectricity;
            let grid_choice = if !is_electricity && self.choice("heat").is_some() { "heat" } else { "grid" };
            // A set that gives the grid's CO2, CH4 and N2O apart (eGRID) is applied gas by gas, each weighted by its
            // GWP; one that gives a CO2e total is applied once (its per-gas parts would count twice).
            let gases = self.grid_gases(grid_choice, a, region);
            let split = gases.len() > 1 && !gases.contains(&Gas::CO2e);
            let wanted: Vec<Option<Gas>> = if split { gases.into_iter().map(Some).collect() } else { vec![None] };
            for g in wanted {
                let mut ch = Chain::new(unit.clone());
                match self.find(grid_choice, a, region, &[FactorKind::Emission], g, true, &mut ch)? {
                    Some((set, f)) => {
                        let ch_market = ch.clone();
                        self.apply_factor(set, f, a, region, &[], &mut ch)?;
                        let plan = self.finish(ch, SCOPE2_LOCATION.to_string(), f.gas, T_CO2E, region)?;
                        if split && let Some(g) = f.gas {
                            // The grid's gases apart: scope2.location.gas.co2, .ch4, .n2o.
                            out.push(plan.copy_to(format!("{SCOPE2_LOCATION}.gas.{}", crate::vocab::gas_group(g))));
                        }
                        out.push(plan);
                        if !is_electricity {
                            // No certificates exist for heat, steam or cooling: market-based equals location-based.
                            let mut ch = ch_market;
                            self.apply_factor(set, f, a, region, &[], &mut ch)?;
                            out.push(self.finish(ch, SCOPE2_MARKET.to_string(), f.gas, T_CO2E, region)?);
                        }
                    }
                    None => {
                        return Err(if self.chosen(grid_choice) {
                            self.unserved(
                                grid_choice,
                                a,
                                region,
                                &[FactorKind::Emission],
                                None,
                                "a location-based factor",
                            )
                        } else {
                            Error::new(
                                ErrorKind::MissingFactor,
                                format!("{a} needs a grid factor, and the inventory chooses no grid set"),
                            )
                            .hint("add grid = \"mee-grid@2022\" under [factors]")
                        });
                    }
                }
            }
            if is_electricity && self.chosen("residual") {
                let mut ch = Chain::new(unit.clone());
                let market = market_of(region);
                match self.find("residual", a, market, &[FactorKind::Emission], None, true, &mut ch)? {
                    Some((set, f)) => {
                        self.apply_factor(set, f, a, region, &[], &mut ch)?;
                        out.push(self.finish(ch, SCOPE2_MARKET.to_string(), f.gas, T_CO2E, region)?);
                    }
                    None => {
                        return Err(self.unserved(
                            "residual",
                            a,
                            market,
                            &[FactorKind::Emission],
                            None,
                            "a residual factor (market-based scope 2)",
                        ));
                    }
                }
            }
        }
        // Energy: fuels, bought energy and on-site generation.
        let has_energy = cat.is_fuel() || cat.is_purchased() || cat == Category::OnsiteGeneration;
        let energy_unit = self.inv.energy.unit;
        if has_energy && energy_unit == crate::inventory::EnergyUnit::Tce && self.choice("standard_coal").is_some() {
            let mut ch = Chain::new(unit.clone());
            match self.find("standard_coal", a, region, &[FactorKind::StandardCoal], None, false, &mut ch)? {
                Some((set, f)) => {
                    self.apply_factor(set, f, a, region, &["combustion", "non_co2"], &mut ch)?;
                    let basis = if cat == Category::PurchasedElectricity || cat == Category::OnsiteGeneration {
                        let v = f.rate().unwrap_or_default().normalize();
                        format!("electricity at {v} {} ({})", f.rate_unit().symbol(), set.key())
                    } else {
                        format!("standard-coal coefficients of {}", set.key())
                    };
                    let mut plan = self.finish(ch, FigureId::energy_of(activity).to_string(), None, TCE, region)?;
                    plan.energy_basis = Some(basis);
                    out.push(plan);
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
        } else if has_energy && energy_unit != crate::inventory::EnergyUnit::Tce {
            // Energy as energy (GJ, MWh, toe): a fuel's amount through its heating value, the rest as measured.
            let target = energy_unit.symbol();
            let mut ch = Chain::new(unit.clone());
            let energy = Unit::parse(target).map_err(|e| Error::new(ErrorKind::UnknownUnit, e.to_string()))?;
            let tag = format!("energy in {target}");
            self.bridge(&mut ch, &energy, a, region, &["combustion", "non_co2", "standard_coal"], &tag)?;
            let basis = match &ch.ncv {
                Some(n) => format!("fuels through their heating values ({})", n.tag),
                None => "energy as measured".to_string(),
            };
            let mut plan = self.finish(ch, FigureId::energy_of(activity).to_string(), None, target, region)?;
            plan.energy_basis = Some(basis);
            out.push(plan);
        }
        // Electricity MWh.
        if matches!(cat, Category::PurchasedElectricity | Category::OnsiteGeneration) {
            let mut ch = Chain::new(unit.clone());
            ch.express_in(&Unit::parse(MWH).map_err(|e| Error::new(ErrorKind::UnknownUnit, e.to_string()))?)?;
            let plan = self.finish(ch.clone(), ELECTRICITY_TOTAL.to_string(), None, MWH, region)?;
            out.push(plan);
            if cat == Category::OnsiteGeneration {
                out.push(self.finish(ch, ELECTRICITY_RENEWABLE.to_string(), None, MWH, region)?);
            }
        }
        // What the plans had to assume, once each.
        for p in &out {
            for (code, a) in &p.assumed {
                let message = format!("{} rows: {a}", activity.name());
                if !warn.iter().any(|w| w.message == message) {
                    warn.push(Warning { code, message, location: None });
                }
            }
        }
        // The activity quantity itself, in its canonical unit.
        let canon = activity.canonical_unit();
        if let Ok(cu) = Unit::parse(canon) {
            let id = FigureId::activity_of(a);
            if cu.dimension() == unit.dimension() {
                let ch = Chain::new(unit.clone());
                out.push(self.finish(ch, id, None, canon, region)?);
            } else {
                warn.push(Warning {
                    code: "activity-unit",
                    message: format!(
                        "{id} sums quantities in {canon}; rows in {} ({}) are not included in it (their emissions are)",
                        unit.symbol(),
                        unit.dimension()
                    ),
                    location: None,
                });
            }
        }
        Ok(out)
    }

    /// A fuel's CO2 (scope 1, or `biogenic.co2` for biomass) and its CH4 and N2O (scope 1), with one heating value
    /// for all its gases. A CO2e factor for the fuel is its whole scope 1: no CH4 or N2O is added, which its trace
    /// says.
    fn fuel_plans(&mut self, activity: Activity, region: &str, unit: &Unit, out: &mut Vec<Plan>) -> Result<(), Error> {
        let a = activity.name();
        let cat = activity.category();
        let mut ch = Chain::new(unit.clone());
        let kinds = [FactorKind::Combustion, FactorKind::Emission];
        let mut found = self.find("combustion", a, region, &kinds, Some(Gas::CO2), false, &mut ch)?;
        let mut co2e = false;
        if found.is_none() && self.choice("combustion").is_some() {
            let mut probe = Chain::new(unit.clone());
            if let Some(x) =
                self.find("combustion", a, region, &[FactorKind::Emission], Some(Gas::CO2e), false, &mut probe)?
            {
                found = Some(x);
                ch = probe;
                co2e = true;
            }
        }
        let Some((set, f)) = found else {
            let e = match self.choice("combustion") {
                None if self.choice("non_co2").is_some() || self.choice("mobile").is_some() => None,
                None => Some(
                    Error::new(
                        ErrorKind::MissingFactor,
                        format!("{a} needs a combustion factor, and the inventory chooses no combustion set"),
                    )
                    .hint("add combustion = \"cn-guideline-fuels@2015\" under [factors]"),
                ),
                Some(_) => Some(self.unserved("combustion", a, region, &kinds, Some(Gas::CO2), "a CO2 factor")),
            };
            if let Some(e) = e {
                return Err(e);
            }
            return self.non_co2_plans(activity, region, unit, None, out);
        };
        self.apply_factor(set, f, a, region, &["combustion", "non_co2"], &mut ch)?;
        let row_ncv = ch.ncv.clone();
        if co2e {
            ch.steps.push("(a CO2e factor: the fuel's CH4 and N2O are in it, none is added)".to_string());
            let plan = self.finish(ch, FigureId::scope1_of(a), Some(Gas::CO2e), T_CO2E, region)?;
            Self::push_scope1(out, plan, cat);
            return Ok(());
        }
        if cat == Category::Biogenic {
            // Biomass CO2 is reported outside the scopes.
            out.push(self.finish(ch, BIOGENIC_CO2.to_string(), Some(Gas::CO2), T_CO2E, region)?);
        } else {
            let plan = self.finish(ch, FigureId::scope1_of(a), Some(Gas::CO2), T_CO2E, region)?;
            Self::push_scope1(out, plan, cat);
        }
        self.non_co2_plans(activity, region, unit, row_ncv, out)
    }

    /// A fuel's CH4 and N2O: under `mobile` for a row in the mobile category when it is chosen, else `non_co2`.
    fn non_co2_plans(
        &mut self,
        activity: Activity,
        region: &str,
        unit: &Unit,
        row_ncv: Option<Ncv>,
        out: &mut Vec<Plan>,
    ) -> Result<(), Error> {
        let a = activity.name();
        let cat = activity.category();
        let choice = if cat == Category::Mobile && self.choice("mobile").is_some() { "mobile" } else { "non_co2" };
        if self.choice(choice).is_none() {
            return Ok(());
        }
        for g in [Gas::CH4, Gas::N2O] {
            let mut ch = Chain::new(unit.clone());
            ch.ncv = row_ncv.clone();
            if let Some((set, f)) = self.find(choice, a, region, &[FactorKind::Emission], Some(g), false, &mut ch)? {
                self.apply_factor(set, f, a, region, &["combustion", "non_co2", "mobile"], &mut ch)?;
                if cat == Category::Combustion && choice == "non_co2" && self.choice("mobile").is_some() {
                    ch.steps.push("(row not stated mobile: stationary factor)".to_string());
                }
                if cat == Category::Mobile && choice == "non_co2" {
                    ch.steps.push("(a mobile row, priced with the non_co2 set: no mobile choice)".to_string());
                    ch.assumed.push((
                        "mobile-non-co2",
                        format!(
                            "mobile rows' CH4 and N2O are priced with the non_co2 set ({}), the inventory choosing no \
                             mobile set (choose mobile = \"set@edition\" for vehicle factors)",
                            set.key()
                        ),
                    ));
                }
                let plan = self.finish(ch, FigureId::scope1_of(a), Some(g), T_CO2E, region)?;
                Self::push_scope1(out, plan, cat);
            }
        }
        Ok(())
    }

    /// A fugitive or process activity: the mass of its declared gas emitted, or its amount times the emission
    /// factors of the `process` choice, one plan per gas the chosen sets give for it.
    fn gas_plans(&mut self, activity: Activity, region: &str, unit: &Unit, out: &mut Vec<Plan>) -> Result<(), Error> {
        let a = activity.name();
        let cat = activity.category();
        if let Some(g) = activity.def().gas
            && unit.dimension() == Dimension::Mass
        {
            let mut ch = Chain::new(unit.clone());
            ch.express_in(&Unit::base(Dimension::Mass))?;
            ch.steps.push(format!("(t of {g} emitted)"));
            ch.cur = Unit::base(Dimension::Emission(g));
            for plan in self.finish_gases(ch, &FigureId::scope1_of(a), Some(g), region)? {
                Self::push_scope1(out, plan, cat);
            }
            return Ok(());
        }
        let gases = self.gases_under("process", a, region);
        if gases.is_empty() {
            return Err(if self.chosen("process") {
                self.unserved("process", a, region, &[FactorKind::Emission], None, "an emission factor")
            } else {
                Error::new(
                    ErrorKind::MissingFactor,
                    format!(
                        "{a} ({cat}) measured in {} needs an emission factor, and the inventory chooses no process set",
                        unit.symbol()
                    ),
                )
                .hint(match activity.def().gas {
                    Some(g) => format!("give the quantity as the mass of {g} emitted (kg, t), or choose process = \"set@edition\" under [factors]"),
                    None => "choose process = \"set@edition\" under [factors] (a set with factors for this activity)".to_string(),
                })
            });
        }
        for plan in self.per_gas("process", a, region, unit, gases, &FigureId::scope1_of(a))? {
            Self::push_scope1(out, plan, cat);
        }
        Ok(())
    }

    /// The plans of an activity under a choice, one per gas (blends split): its amount times each gas's factor.
    fn per_gas(
        &mut self,
        choice: &str,
        a: &str,
        region: &str,
        unit: &Unit,
        gases: Vec<Gas>,
        figure: &str,
    ) -> Result<Vec<Plan>, Error> {
        let mut out = Vec::new();
        for g in gases {
            let mut ch = Chain::new(unit.clone());
            if let Some((set, f)) = self.find(choice, a, region, &[FactorKind::Emission], Some(g), false, &mut ch)? {
                self.apply_factor(set, f, a, region, &[choice], &mut ch)?;
                out.extend(self.finish_gases(ch, figure, Some(g), region)?);
            }
        }
        Ok(out)
    }

    /// A scope 3 activity: its amount times the `scope3` choice's factors, into `scope3.cat<N>` and `scope3`.
    fn scope3_plans(
        &mut self,
        activity: Activity,
        n: u8,
        region: &str,
        unit: &Unit,
        out: &mut Vec<Plan>,
    ) -> Result<(), Error> {
        let a = activity.name();
        let gases = self.gases_under("scope3", a, region);
        if gases.is_empty() {
            return Err(if self.chosen("scope3") {
                self.unserved("scope3", a, region, &[FactorKind::Emission], None, "a scope 3 emission factor")
            } else {
                Error::new(
                    ErrorKind::MissingFactor,
                    format!(
                        "{a} (scope 3 category {n}) needs an emission factor, and the inventory chooses no scope3 set"
                    ),
                )
                .hint("choose scope3 = \"set@edition\" under [factors] (a set with factors for this activity)")
            });
        }
        for plan in self.per_gas("scope3", a, region, unit, gases, &format!("{SCOPE3}.cat{n}"))? {
            out.push(plan.copy_to(SCOPE3.to_string()));
            out.push(plan);
        }
        Ok(())
    }
}

impl Plan {
    /// The same contribution to another figure (a breakdown): same factor product, factors and formula; its
    /// fallbacks are counted once, with the original.
    fn copy_to(&self, figure: String) -> Plan {
        Plan {
            figure,
            gas: self.gas,
            k_num: self.k_num,
            k_den: self.k_den,
            factors: Arc::clone(&self.factors),
            formula: Arc::clone(&self.formula),
            value_unit: self.value_unit,
            fallbacks: Vec::new(),
            basis: self.basis.clone(),
            assumed: Vec::new(),
            energy_basis: None,
        }
    }
}

/// A warning for each use of a region fallback the inventory writes (`[factors.region_fallback]`): rows priced
/// with a factor of another region, which every output lists among its warnings.
pub(super) fn fallback_warnings(inv: &Inventory, fallbacks: &[super::Fallback]) -> Vec<Warning> {
    let rules = &inv.factors.region_fallback;
    fallbacks
        .iter()
        .filter(|f| f.kind == "region")
        .map(|f| {
            let rule = rules
                .iter()
                .find(|(from, to, _)| *from == f.wanted && *to == f.used)
                .or_else(|| rules.iter().find(|(from, to, _)| from == "*" && *to == f.used))
                .map(|(from, to, loc)| format!(", by [factors.region_fallback] \"{from}\" = \"{to}\" ({loc})"))
                .unwrap_or_default();
            Warning {
                code: "region-fallback",
                message: format!(
                    "{} row{} of {} in region {} priced under factors.{} with {}, a factor of region {}{rule}: choose \
                     a set that serves {} to price them with their own region's factor",
                    f.rows,
                    if f.rows == 1 { "" } else { "s" },
                    f.activity.name(),
                    f.wanted,
                    f.choice,
                    f.factor,
                    f.used,
                    f.wanted
                ),
                location: Some(f.first_row.clone()),
            }
        })
        .collect()
}

/// How a heating value is named in a formula: NCV unless its factor says it is gross (GCV).
fn heating_value_label(cv: Option<crate::units::CvBasis>) -> &'static str {
    match cv {
        Some(crate::units::CvBasis::Gross) => "GCV",
        _ => "NCV",
    }
}

/// A fuel's energy and its factor on the same calorific basis: a row in `kWh(gross)` priced per net CV energy is
/// refused (the ratio depends on the fuel); a row that states no basis is taken on the factor's, which a warning
/// and the formula say.
fn check_cv(chain: &mut Chain, f: &Factor, activity: &str, tag: &str) -> Result<(), Error> {
    if chain.cur.dimension() != Dimension::Energy {
        return Ok(());
    }
    let per_energy = match &f.value {
        FactorValue::Direct(p) => (p.unit.den.dimension() == Dimension::Energy).then(|| p.unit.den.cv()),
        FactorValue::Combustion { ncv, .. } => Some(ncv.unit.num.cv()),
    };
    let Some(unit_cv) = per_energy else { return Ok(()) };
    let Some(factor_cv) = f.cv.or(unit_cv) else { return Ok(()) };
    match chain.cur.cv() {
        Some(row) if row != factor_cv => {
            let (what, fix) = match &chain.ncv {
                // Energy reached through the row's heating value.
                Some(n) => (
                    format!("{activity}'s energy, reached through a {row} heating value [{}],", n.tag),
                    format!("choose a heating value on {factor_cv} or a factor per energy on {row}"),
                ),
                None => (
                    format!("{activity} measured in {} ({row})", chain.cur.symbol()),
                    format!(
                        "give the quantity on the factor's basis ({}), or choose a factor on {row}",
                        factor_cv.name()
                    ),
                ),
            };
            Err(Error::new(
                ErrorKind::DimensionMismatch,
                format!("{what} cannot be priced with {tag}, which is per energy on {factor_cv}"),
            )
            .hint(format!("gross and net calorific values differ by a ratio that depends on the fuel: {fix}")))
        }
        Some(_) => Ok(()),
        None => {
            chain.steps.push(format!("[{} taken on {factor_cv}, the factor's basis]", chain.cur.symbol()));
            chain.assumed.push((
                "calorific-basis",
                format!(
                    "energy in {} states no calorific basis and is taken on {factor_cv}, the basis of {tag} (write \
                 {}(gross) or {}(net) to have it checked)",
                    chain.cur.symbol(),
                    chain.cur.symbol(),
                    chain.cur.symbol()
                ),
            ));
            Ok(())
        }
    }
}

/// Plans are cached per (activity, region, unit symbol).
pub(super) type PlanKey = (Activity, String, String);
