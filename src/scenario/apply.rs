//! Applying changes: the baseline ledger's quantities ([`Basis`]), then per change a multiplier on matching
//! ledger rows, records made in memory (read by the engine after the ledgers, each located at the scenario line
//! that made it), or a changed factor choice. Every change kind has its own step function below.
//!
//! An amount that overflows 28 significant digits is an error located at the change (or, while the calculation
//! reads the ledger, at the ledger row): never 0, never the largest decimal.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;

use super::{CertFilter, Change, ChangeKind, Money, Price};
use crate::activity::{Activity, ActivityRecord, Period};
use crate::calc::{RowOverlay, Warning, instrument_name, market_of};
use crate::error::{Diagnostics, Error, ErrorKind, Location};
use crate::factor::FactorRef;
use crate::inventory::{Choice, Inventory};
use crate::ledger::{Memory, ReadOptions};
use crate::units::{Dimension, Quantity, RateUnit, Unit};

type Key = (Activity, String, String);

/// A certificate row of the baseline ledger.
#[derive(Debug, Clone)]
struct CertInfo {
    file: PathBuf,
    line: usize,
    entity: String,
    region: String,
    instrument: String,
    certificate_id: Option<String>,
    mwh: Decimal,
}

/// What scenarios need to know about the baseline ledger: quantities per activity, entity, region and
/// dimension (in base units), and the certificate rows.
#[derive(Debug, Clone, Default)]
pub struct Basis {
    qty: HashMap<Key, HashMap<Dimension, Decimal>>,
    certs: Vec<CertInfo>,
    year: i32,
}

/// An amount too large for a decimal (28 significant digits), located where it arose.
fn too_big(what: String, at: &Location) -> Error {
    Error::new(ErrorKind::Overflow, format!("{what} overflows 28 significant digits"))
        .at(at.clone())
        .hint("use smaller amounts (or a larger unit) in the ledger or the scenario")
}

/// `convert`, with a failure located at `at`.
fn convert(v: Decimal, from: &Unit, to: &Unit, at: &Location) -> Result<Decimal, Error> {
    crate::units::convert(v, from, to)
        .map_err(|e| too_big(format!("{} {} in {} ({e})", v.normalize(), from.symbol(), to.symbol()), at))
}

fn add(a: Decimal, b: Decimal, what: &str, at: &Location) -> Result<Decimal, Error> {
    a.checked_add(b).ok_or_else(|| too_big(what.to_string(), at))
}

fn mul(a: Decimal, b: Decimal, what: &str, at: &Location) -> Result<Decimal, Error> {
    a.checked_mul(b).ok_or_else(|| too_big(what.to_string(), at))
}

impl Basis {
    /// Read the inventory's ledgers once, through [`crate::ledger::open`] as the calculation reads them (rows the
    /// calculation would reject are skipped here; the calculation reports them). A problem of a whole file stops.
    pub fn read(inv: &Inventory, read: &ReadOptions) -> Result<Basis, Diagnostics> {
        let mut b = Basis { year: inv.year, ..Default::default() };
        let mwh = unit("MWh");
        for file in &inv.activity_files {
            let mut ledger = crate::ledger::open(file, &inv.read_options(file, read))?;
            while let Some(item) = ledger.next_record() {
                let rec = match item {
                    Ok(rec) => rec,
                    Err(e) if ledger.stopped() => return Err(e.into()),
                    Err(_) => continue,
                };
                if rec.period.year != inv.year {
                    continue;
                }
                let at = &rec.source;
                let dim = rec.quantity.unit.dimension();
                let Ok(v) = crate::units::convert(rec.quantity.value, &rec.quantity.unit, &Unit::base(dim)) else {
                    continue;
                };
                let k = (rec.activity, rec.entity.clone(), rec.region.clone());
                let e = b.qty.entry(k).or_default().entry(dim).or_default();
                let what = format!("the sum of {} of {} in {}", rec.activity, rec.entity, rec.region);
                *e = add(*e, v, &what, at)?;
                if rec.activity == Activity::Certificate
                    && let (Some(line), Ok(m)) =
                        (rec.source.line, crate::units::convert(rec.quantity.value, &rec.quantity.unit, &mwh))
                {
                    b.certs.push(CertInfo {
                        file: rec.source.file.clone(),
                        line,
                        entity: rec.entity.clone(),
                        region: rec.region.clone(),
                        instrument: instrument_name(rec.instrument.as_deref()),
                        certificate_id: rec.certificate_id.clone(),
                        mwh: m,
                    });
                }
            }
        }
        Ok(b)
    }
}

fn unit(s: &str) -> Unit {
    Unit::parse(s).unwrap_or_else(|_| Unit::base(Dimension::Energy))
}

/// A record a change makes.
#[derive(Debug, Clone)]
struct Synth {
    entity: String,
    region: String,
    activity: Activity,
    quantity: Decimal,
    unit: Unit,
    instrument: Option<String>,
    vintage: Option<String>,
    supplier_factor: Option<Decimal>,
    location: Location,
    note: String,
}

impl Synth {
    /// A record of a plain activity (no certificate fields), made by the change at `location`.
    fn plain(
        key: (String, String),
        activity: Activity,
        quantity: Decimal,
        unit: Unit,
        location: &Location,
        note: &str,
    ) -> Synth {
        let (entity, region) = key;
        Synth {
            entity,
            region,
            activity,
            quantity,
            unit,
            instrument: None,
            vintage: None,
            supplier_factor: None,
            location: location.clone(),
            note: note.to_string(),
        }
    }
}

/// The overlay handed to the engine: multipliers on ledger rows, and the records changes make.
#[derive(Debug, Clone, Default)]
pub struct ScenarioOverlay {
    mult: HashMap<Key, Decimal>,
    /// MWh of grid electricity displaced by on-site PV, taken from the key's rows in ledger order (exact).
    displace: HashMap<Key, Decimal>,
    cert_mult: HashMap<(PathBuf, usize), Decimal>,
    synth: Vec<Synth>,
    synth_path: PathBuf,
    year: i32,
}

impl RowOverlay for ScenarioOverlay {
    fn adjust(&mut self, rec: &mut ActivityRecord) -> Result<(), Error> {
        let at = rec.source.clone();
        let mut k = self.mult.get(&(rec.activity, rec.entity.clone(), rec.region.clone())).copied();
        if rec.activity == Activity::Certificate
            && let Some(line) = rec.source.line
            && let Some(c) = self.cert_mult.get(&(rec.source.file.clone(), line))
        {
            k = Some(mul(k.unwrap_or(Decimal::ONE), *c, "the row's scenario multiplier", &at)?);
        }
        if let Some(k) = k
            && k != Decimal::ONE
        {
            let what = format!("quantity {} x the scenario multiplier {}", rec.quantity.value, k.normalize());
            rec.quantity.value = mul(rec.quantity.value, k, &what, &at)?;
            rec.precision = match rec.precision {
                None => None,
                Some(p) => Some(mul(p, k, "the row's precision x the scenario multiplier", &at)?),
            }
            .filter(|p| *p > Decimal::ZERO);
        }
        if rec.activity == Activity::Electricity
            && let Some(budget) = self.displace.get_mut(&(rec.activity, rec.entity.clone(), rec.region.clone()))
            && *budget > Decimal::ZERO
        {
            let mwh = unit("MWh");
            let u = &rec.quantity.unit;
            let b_row = convert(*budget, &mwh, u, &at)?;
            let q = rec.quantity.value;
            let take = q.min(b_row);
            rec.quantity.value = q - take;
            *budget = (*budget - convert(take, u, &mwh, &at)?).max(Decimal::ZERO);
        }
        Ok(())
    }

    fn extra_records(&mut self) -> Vec<Memory> {
        if self.synth.is_empty() {
            return Vec::new();
        }
        let period = Period { year: self.year, part: 0 };
        let records = self
            .synth
            .iter()
            .map(|s| ActivityRecord {
                source: s.location.clone(),
                entity: s.entity.clone(),
                period,
                activity: s.activity,
                quantity: Quantity { value: s.quantity, unit: s.unit.clone() },
                region: s.region.clone(),
                note: Some(s.note.clone()),
                precision: None,
                instrument: s.instrument.clone(),
                vintage: s.vintage.clone(),
                certificate_id: None,
                supplier_factor: s.supplier_factor.map(|f| f.normalize().to_string()),
            })
            .collect();
        vec![Memory::new(self.synth_path.clone(), records)]
    }
}

/// A scenario applied: the changed inventory, the overlay, costs per change and warnings.
pub(super) struct Applied {
    pub inv: Inventory,
    pub overlay: ScenarioOverlay,
    pub warnings: Vec<Warning>,
    pub costs: Vec<Option<Money>>,
    /// The market each added-certificates change buys in (by change index).
    pub markets: BTreeMap<usize, String>,
}

/// The state while changes are applied in turn.
struct State<'a> {
    basis: &'a Basis,
    o: ScenarioOverlay,
    inv: Inventory,
    warnings: Vec<Warning>,
    markets: BTreeMap<usize, String>,
}

/// One change being applied: its index, where it is written, and the note its records carry.
struct Step<'c> {
    i: usize,
    at: &'c Location,
    note: String,
}

impl Step<'_> {
    fn n(&self) -> usize {
        self.i + 1
    }
}

impl State<'_> {
    fn warn(&mut self, code: &'static str, message: String, at: &Location) {
        self.warnings.push(Warning { code, message, location: Some(at.clone()) });
    }
    fn keys(&self) -> Vec<Key> {
        let mut k: Vec<Key> = self.basis.qty.keys().cloned().collect();
        for s in &self.o.synth {
            let key = (s.activity, s.entity.clone(), s.region.clone());
            if !k.contains(&key) {
                k.push(key);
            }
        }
        k.sort();
        k
    }
    fn mult(&self, k: &Key) -> Decimal {
        self.o.mult.get(k).copied().unwrap_or(Decimal::ONE)
    }
    fn scale_key(&mut self, k: &Key, f: Decimal, at: &Location) -> Result<(), Error> {
        let what = format!("the multiplier of {} of {} in {}", k.0, k.1, k.2);
        let m = mul(self.mult(k), f, &what, at)?;
        self.o.mult.insert(k.clone(), m);
        if let Some(b) = self.o.displace.get_mut(k) {
            *b = mul(*b, f, "the grid electricity displaced", at)?;
        }
        for s in &mut self.o.synth {
            if (s.activity, &s.entity, &s.region) == (k.0, &k.1, &k.2) {
                s.quantity = mul(s.quantity, f, &format!("a scenario row of {}", k.0), at)?;
            }
        }
        Ok(())
    }
    /// Current quantity of a key's ledger rows in a dimension's base unit (after multipliers and displacement);
    /// whether any of it is in another dimension.
    fn ledger_current(&self, k: &Key, dim: Dimension, at: &Location) -> Result<(Decimal, bool), Error> {
        let m = self.mult(k);
        let mut other = false;
        let mut v = Decimal::ZERO;
        let what = format!("the current quantity of {} of {} in {}", k.0, k.1, k.2);
        if let Some(by) = self.basis.qty.get(k) {
            for (d, q) in by {
                if *d == dim {
                    v = add(v, mul(*q, m, &what, at)?, &what, at)?;
                } else if !q.is_zero() {
                    other = true;
                }
            }
        }
        if dim == Dimension::Energy
            && let Some(b) = self.o.displace.get(k)
        {
            let b = convert(*b, &unit("MWh"), &Unit::base(Dimension::Energy), at)?;
            v = (v - b).max(Decimal::ZERO);
        }
        Ok((v, other))
    }
    /// Current quantity of a key in a dimension's base unit; whether any of it is in another dimension.
    fn current(&self, k: &Key, dim: Dimension, at: &Location) -> Result<(Decimal, bool), Error> {
        let (mut v, mut other) = self.ledger_current(k, dim, at)?;
        let what = format!("the current quantity of {} of {} in {}", k.0, k.1, k.2);
        for s in &self.o.synth {
            if (s.activity, &s.entity, &s.region) == (k.0, &k.1, &k.2) {
                if s.unit.dimension() == dim {
                    v = add(v, convert(s.quantity, &s.unit, &Unit::base(dim), at)?, &what, at)?;
                } else if !s.quantity.is_zero() {
                    other = true;
                }
            }
        }
        Ok((v, other))
    }
    /// Grid MWh by (entity, region), current.
    fn grid(&self, at: &Location) -> Result<Vec<(String, String, Decimal)>, Error> {
        let mwh = unit("MWh");
        let mut out = Vec::new();
        for k in self.keys().into_iter().filter(|k| k.0 == Activity::Electricity) {
            let (v, _) = self.current(&k, Dimension::Energy, at)?;
            let m = convert(v, &Unit::base(Dimension::Energy), &mwh, at)?;
            if m > Decimal::ZERO {
                out.push((k.1, k.2, m));
            }
        }
        Ok(out)
    }
    fn main_market(&self, at: &Location) -> Result<Option<String>, Error> {
        let mut by: BTreeMap<String, Decimal> = BTreeMap::new();
        for (_, r, m) in self.grid(at)? {
            let e = by.entry(market_of(&r).to_string()).or_default();
            *e = add(*e, m, "the grid electricity of a market", at)?;
        }
        Ok(by
            .into_iter()
            .fold(None, |best: Option<(String, Decimal)>, (k, v)| match best {
                Some((bk, bv)) if bv >= v => Some((bk, bv)),
                _ => Some((k, v)),
            })
            .map(|x| x.0))
    }

    /// `add_certificates`: a purchase row in the market with the most grid electricity (or the one named); its
    /// cost from the price.
    #[allow(clippy::too_many_arguments)]
    fn add_certificates(
        &mut self,
        step: &Step<'_>,
        mwh: Decimal,
        instrument: &str,
        market: &Option<String>,
        entity: &Option<String>,
        vintage: &Option<String>,
        supplier_factor: Option<Decimal>,
        price: &Option<Price>,
        cost: Option<Money>,
    ) -> Result<Option<Money>, Error> {
        let at = step.at;
        let m = match market {
            Some(m) => crate::region::normalize(m),
            None => self.main_market(at)?.unwrap_or_else(|| "CN".into()),
        };
        self.markets.insert(step.i, m.clone());
        self.o.synth.push(Synth {
            entity: entity.clone().unwrap_or_else(|| "scenario-purchase".into()),
            region: m,
            activity: Activity::Certificate,
            quantity: mwh,
            unit: unit("MWh"),
            instrument: Some(instrument.to_string()),
            vintage: Some(vintage.clone().unwrap_or_else(|| self.basis.year.to_string())),
            supplier_factor,
            location: at.clone(),
            note: step.note.clone(),
        });
        let Some(p) = price else { return Ok(cost) };
        let v = mul(p.per_mwh, mwh, &format!("change {}: the price x MWh", step.n()), at)?;
        match cost {
            None => Ok(Some(Money { value: v, currency: p.currency })),
            Some(c) if c.currency == p.currency => Ok(Some(Money {
                value: add(c.value, v, &format!("change {}: its cost", step.n()), at)?,
                currency: c.currency,
            })),
            Some(c) => Err(scenario_error(
                format!("change {} mixes currencies {} and {}", step.n(), c.currency, p.currency),
                at,
                "state price and cost in one currency",
            )),
        }
    }

    /// `remove_certificates`: matching ledger rows, then records of earlier changes, in order; removal by MWh
    /// takes the latest first.
    fn remove_certificates(&mut self, step: &Step<'_>, filter: &CertFilter, mwh: Option<Decimal>) -> Result<(), Error> {
        let at = step.at;
        let fits = |e: &str, region: &str, inst: &str, id: Option<&str>| {
            matches(&filter.entity, e)
                && matches(&filter.market, market_of(region))
                && matches(&filter.instrument, inst)
                && filter.certificate_id.as_deref().is_none_or(|f| id == Some(f))
        };
        let basis = self.basis;
        let mut rows: Vec<(usize, Decimal)> = Vec::new(); // (index: ledger < n, synth >= n), current MWh
        let n = basis.certs.len();
        let what = format!("change {}: the certificates' current MWh", step.n());
        for (j, c) in basis.certs.iter().enumerate() {
            if fits(&c.entity, &c.region, &c.instrument, c.certificate_id.as_deref()) {
                let k = (Activity::Certificate, c.entity.clone(), c.region.clone());
                let cm = self.o.cert_mult.get(&(c.file.clone(), c.line)).copied().unwrap_or(Decimal::ONE);
                rows.push((j, mul(mul(c.mwh, self.mult(&k), &what, at)?, cm, &what, at)?));
            }
        }
        for (j, s) in self.o.synth.iter().enumerate() {
            let inst = s.instrument.clone().unwrap_or_else(|| "unspecified".into());
            if s.activity == Activity::Certificate && fits(&s.entity, &s.region, &inst, None) {
                rows.push((n + j, s.quantity));
            }
        }
        let mut available = Decimal::ZERO;
        for r in &rows {
            available = add(available, r.1, &what, at)?;
        }
        if rows.is_empty() {
            self.warn("scenario-no-match", format!("change {}: no certificate rows match", step.n()), at);
        }
        let mut left = mwh.unwrap_or(available);
        if left > available {
            self.warn(
                "scenario-remove-exceeds",
                format!(
                    "change {}: asks to remove {} MWh of certificates, only {} MWh match; all of them are removed",
                    step.n(),
                    left.normalize(),
                    available.normalize()
                ),
                at,
            );
            left = available;
        }
        for (j, cur) in rows.into_iter().rev() {
            if left <= Decimal::ZERO || cur <= Decimal::ZERO {
                continue;
            }
            let take = cur.min(left);
            left -= take;
            // 0 <= keep < 1, so the products below only shrink.
            let keep = if take == cur { Decimal::ZERO } else { (cur - take) / cur };
            if j < n {
                let c = &basis.certs[j];
                let key = (c.file.clone(), c.line);
                let cm = self.o.cert_mult.get(&key).copied().unwrap_or(Decimal::ONE);
                self.o.cert_mult.insert(key, cm * keep);
            } else if let Some(s) = self.o.synth.get_mut(j - n) {
                s.quantity = if keep.is_zero() { Decimal::ZERO } else { s.quantity - take };
            }
        }
        Ok(())
    }

    /// `onsite_pv`: a PV row for the entity (and region) using the most grid electricity; by default its MWh
    /// displace that grid electricity (from the ledger's rows first, in ledger order, then from earlier changes'
    /// rows).
    #[allow(clippy::too_many_arguments)]
    fn onsite_pv(
        &mut self,
        step: &Step<'_>,
        mwh: Option<Decimal>,
        mw: Option<Decimal>,
        hours: Option<Decimal>,
        entity: &Option<String>,
        region: &Option<String>,
        displaces_grid: bool,
    ) -> Result<(), Error> {
        let at = step.at;
        let mwh_unit = unit("MWh");
        let pv = match (mwh, mw, hours) {
            (Some(m), _, _) => m,
            (None, Some(w), Some(h)) => w.checked_mul(h).ok_or_else(|| {
                Error::overflow(format!("change {}: {w} MW x {h} h", step.n()))
                    .at(at.clone())
                    .hint("give the PV output in MWh, or smaller capacity and hours")
            })?,
            _ => Decimal::ZERO,
        };
        let grid = self.grid(at)?;
        let pick = grid
            .iter()
            .filter(|(e, r, _)| matches(entity, e) && matches(region, r))
            .fold(None, |best: Option<&(String, String, Decimal)>, x| match best {
                Some(b) if b.2 >= x.2 => Some(b),
                _ => Some(x),
            })
            .cloned();
        let (e, r, grid_mwh) = match pick {
            Some(p) => p,
            None => {
                let r = match region {
                    Some(r) => r.clone(),
                    None => self.main_market(at)?.unwrap_or_else(|| "CN".into()),
                };
                (entity.clone().unwrap_or_else(|| "scenario-pv".into()), r, Decimal::ZERO)
            }
        };
        let used = if displaces_grid {
            let d = pv.min(grid_mwh);
            if pv > grid_mwh {
                self.warn(
                    "scenario-pv-exceeds-grid",
                    format!(
                        "change {}: PV of {} MWh exceeds the grid electricity of {e} in {r} ({} MWh): {} MWh displace grid electricity, the other {} MWh are exported and not counted",
                        step.n(),
                        pv.normalize(),
                        grid_mwh.normalize(),
                        d.normalize(),
                        (pv - d).normalize()
                    ),
                    at,
                );
            }
            if d > Decimal::ZERO {
                let key = (Activity::Electricity, e.clone(), r.clone());
                let (lv, _) = self.ledger_current(&key, Dimension::Energy, at)?;
                let lv = convert(lv, &Unit::base(Dimension::Energy), &mwh_unit, at)?;
                let from_ledger = d.min(lv);
                let b = self.o.displace.entry(key).or_default();
                *b = add(*b, from_ledger, &format!("change {}: the grid electricity displaced", step.n()), at)?;
                let mut left = d - from_ledger;
                for s in self
                    .o
                    .synth
                    .iter_mut()
                    .filter(|s| (s.activity, &s.entity, &s.region) == (Activity::Electricity, &e, &r))
                {
                    if left <= Decimal::ZERO {
                        break;
                    }
                    let q = convert(s.quantity, &s.unit, &mwh_unit, at)?;
                    let take = q.min(left);
                    left -= take;
                    s.quantity = convert(q - take, &mwh_unit, &s.unit, at)?;
                }
            }
            d
        } else {
            pv
        };
        self.o.synth.push(Synth::plain((e, r), Activity::OnsitePv, used, mwh_unit, at, &step.note));
        Ok(())
    }

    /// `scale`: a multiplier on every matching key.
    fn scale(
        &mut self,
        step: &Step<'_>,
        activity: Activity,
        factor: Decimal,
        entity: &Option<String>,
        region: &Option<String>,
    ) -> Result<(), Error> {
        let at = step.at;
        let keys: Vec<Key> = self
            .keys()
            .into_iter()
            .filter(|k| k.0 == activity && matches(entity, &k.1) && matches(region, &k.2))
            .collect();
        if keys.is_empty() {
            self.warn("scenario-no-match", format!("change {}: no {activity} rows match", step.n()), at);
        }
        for k in keys {
            // Every row must stay a representable decimal (28 significant digits): rows are not negative, so
            // none is larger than their sum.
            let too_large = self.basis.qty.get(&k).is_some_and(|by| {
                by.values().any(|q| q.checked_mul(self.mult(&k)).and_then(|x| x.checked_mul(factor)).is_none())
            });
            if too_large {
                return Err(scenario_error(
                    format!(
                        "change {}: scaling {activity} of {} in {} by {factor} overflows 28 significant digits",
                        step.n(),
                        k.1,
                        k.2
                    ),
                    at,
                    "use a smaller factor",
                ));
            }
            self.scale_key(&k, factor, at)?;
        }
        Ok(())
    }

    /// `switch`: a share of one activity replaced by another at a stated ratio.
    #[allow(clippy::too_many_arguments)]
    fn switch(
        &mut self,
        step: &Step<'_>,
        from: Activity,
        share: Decimal,
        to: Activity,
        ratio: Decimal,
        ratio_unit: &RateUnit,
        entity: &Option<String>,
        region: &Option<String>,
    ) -> Result<(), Error> {
        let at = step.at;
        let keys: Vec<Key> =
            self.keys().into_iter().filter(|k| k.0 == from && matches(entity, &k.1) && matches(region, &k.2)).collect();
        if keys.is_empty() {
            self.warn("scenario-no-match", format!("change {}: no {from} rows match", step.n()), at);
        }
        let dim = ratio_unit.den.dimension();
        for k in keys {
            let (q, other) = self.current(&k, dim, at)?;
            if other {
                return Err(scenario_error(
                    format!(
                        "change {}: {from} of {} in {} is partly measured in another dimension than {} ({dim}); the switch ratio {ratio_unit} cannot convert it",
                        step.n(),
                        k.1,
                        k.2,
                        ratio_unit.den.symbol()
                    ),
                    at,
                    "state the ratio per the unit the ledger uses",
                ));
            }
            let q_den = convert(q, &Unit::base(dim), &ratio_unit.den, at)?;
            let what = format!("change {}: the switched quantity x share x ratio", step.n());
            let added = mul(mul(q_den, share, &what, at)?, ratio, &what, at)?;
            self.scale_key(&k, Decimal::ONE - share, at)?;
            let key = (k.1.clone(), k.2.clone());
            self.o.synth.push(Synth::plain(key, to, added, ratio_unit.num.clone(), at, &step.note));
        }
        Ok(())
    }

    /// `factor`: another set or edition for a choice. A grid edition change moves a residual of the same set along
    /// unless the scenario changes the residual itself (anywhere in `all`).
    fn factor(&mut self, step: &Step<'_>, choice: &str, reference: &FactorRef, all: &[Change]) -> Result<(), Error> {
        let at = step.at;
        let current = slot(&mut self.inv, choice).as_ref().map(|c| c.factor.clone());
        let r = if reference.set.is_empty() {
            match &current {
                Some(c) => FactorRef { set: c.set.clone(), edition: reference.edition.clone(), id: c.id.clone() },
                None => {
                    return Err(scenario_error(
                        format!("change {}: the inventory chooses no {choice} set to change the edition of", step.n()),
                        at,
                        "write use = \"set@edition\"",
                    ));
                }
            }
        } else {
            reference.clone()
        };
        // The residual often names a factor of the grid set: follow an edition change of the same set.
        if choice == "grid"
            && let Some(old) = current
            && let Some(res) = self.inv.factors.residual.as_mut()
            && res.factor.set == old.set
            && res.factor.edition == old.edition
            && r.set == old.set
            && !all.iter().any(|c| matches!(c.kind, ChangeKind::Residual { .. }))
        {
            res.factor.edition = r.edition.clone();
            res.location = at.clone();
            let message = format!(
                "change {}: the residual factor {} is from the grid set, so it moves to edition {} too",
                step.n(),
                FactorRef { edition: old.edition.clone(), ..res.factor.clone() },
                r.edition
            );
            self.warn("scenario-residual-follows-grid", message, at);
        }
        *slot(&mut self.inv, choice) = Some(Choice { factor: r, location: at.clone() });
        Ok(())
    }

    /// `residual`: another residual factor.
    fn residual(&mut self, step: &Step<'_>, reference: &FactorRef) {
        self.inv.factors.residual = Some(Choice { factor: reference.clone(), location: step.at.clone() });
    }
}

/// The inventory's choice a `factor` change names.
fn slot<'i>(inv: &'i mut Inventory, choice: &str) -> &'i mut Option<Choice> {
    match choice {
        "combustion" => &mut inv.factors.combustion,
        "non_co2" => &mut inv.factors.non_co2,
        "gwp" => &mut inv.factors.gwp,
        "standard_coal" => &mut inv.factors.standard_coal,
        "grid" => &mut inv.factors.grid,
        _ => &mut inv.factors.heat,
    }
}

fn matches(filter: &Option<String>, v: &str) -> bool {
    filter.as_deref().is_none_or(|f| f == v)
}

fn scenario_error(msg: String, at: &Location, hint: &str) -> Error {
    Error::new(ErrorKind::Scenario, msg).at(at.clone()).hint(hint)
}

/// Apply the first `upto` changes to an inventory, in order (the others are only looked at: see
/// [`State::factor`]). Records the changes make are named `synth_path` in provenance.
pub(super) fn apply(
    inv: &Inventory,
    basis: &Basis,
    all: &[Change],
    upto: usize,
    synth_path: &Path,
) -> Result<Applied, Diagnostics> {
    let changes = &all[..upto.min(all.len())];
    let mut st = State {
        basis,
        o: ScenarioOverlay { synth_path: synth_path.to_path_buf(), year: basis.year, ..Default::default() },
        inv: inv.clone(),
        warnings: Vec::new(),
        markets: BTreeMap::new(),
    };
    let mut costs = Vec::new();
    let mut d = Diagnostics::new();
    for (i, ch) in changes.iter().enumerate() {
        let step = Step { i, at: &ch.location, note: format!("scenario change {}: {}", i + 1, ch.describe()) };
        let cost = match &ch.kind {
            ChangeKind::AddCertificates { mwh, instrument, market, entity, vintage, supplier_factor, price } => {
                st.add_certificates(&step, *mwh, instrument, market, entity, vintage, *supplier_factor, price, ch.cost)
            }
            ChangeKind::RemoveCertificates { filter, mwh } => {
                st.remove_certificates(&step, filter, *mwh).map(|()| ch.cost)
            }
            ChangeKind::OnsitePv { mwh, mw, hours, entity, region, displaces_grid } => {
                st.onsite_pv(&step, *mwh, *mw, *hours, entity, region, *displaces_grid).map(|()| ch.cost)
            }
            ChangeKind::Scale { activity, factor, entity, region } => {
                st.scale(&step, *activity, *factor, entity, region).map(|()| ch.cost)
            }
            ChangeKind::Switch { from, share, to, ratio, ratio_unit, entity, region } => {
                st.switch(&step, *from, *share, *to, *ratio, ratio_unit, entity, region).map(|()| ch.cost)
            }
            ChangeKind::Factor { choice, reference } => st.factor(&step, choice, reference, all).map(|()| ch.cost),
            ChangeKind::Residual { reference } => {
                st.residual(&step, reference);
                Ok(ch.cost)
            }
        };
        match cost {
            Ok(c) => costs.push(c),
            Err(e) => {
                d.push(e);
                costs.push(None);
            }
        }
    }
    let State { o, inv, warnings, markets, .. } = st;
    d.into_result(Applied { inv, overlay: o, warnings, costs, markets })
}
