//! Applying changes: the baseline ledger's quantities ([`Basis`]), then per change a multiplier on matching
//! ledger rows, synthetic rows (read by the engine after the ledgers, traced to the scenario line that made
//! them), or a changed factor choice.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;

use super::{Change, ChangeKind, Money};
use crate::activity::{Activity, ActivityRecord, LedgerReader};
use crate::calc::{RowOverlay, Warning, instrument_name, market_of};
use crate::error::{Diagnostics, Error, ErrorKind, Location};
use crate::factor::FactorRef;
use crate::inventory::{Choice, Inventory};
use crate::units::{Dimension, Unit};

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

impl Basis {
    /// Read the inventory's ledgers once (rows the calculation would reject are skipped here; the calculation
    /// reports them).
    pub fn read(inv: &Inventory) -> Result<Basis, Diagnostics> {
        let mut b = Basis { year: inv.year, ..Default::default() };
        let mwh = unit("MWh");
        for file in &inv.activity_files {
            let mut r = LedgerReader::open(file).map_err(Diagnostics::from)?;
            while let Some(item) = r.next_record() {
                let Ok(rec) = item else { continue };
                if rec.period.year != inv.year {
                    continue;
                }
                let dim = rec.quantity.unit.dimension();
                let Ok(v) = crate::units::convert(rec.quantity.value, &rec.quantity.unit, &Unit::base(dim)) else {
                    continue;
                };
                let k = (rec.activity, rec.entity.clone(), rec.region.clone());
                let e = b.qty.entry(k).or_default().entry(dim).or_default();
                *e = e.checked_add(v).unwrap_or(Decimal::MAX);
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

/// A synthetic ledger row made by a change.
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

/// The overlay handed to the engine: multipliers on ledger rows, and synthetic rows.
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
    fn adjust(&mut self, rec: &mut ActivityRecord) {
        if rec.source.file == self.synth_path {
            if let Some(s) = rec.source.line.and_then(|l| l.checked_sub(2)).and_then(|i| self.synth.get(i)) {
                rec.source = s.location.clone();
            }
            return;
        }
        let mut k = self.mult.get(&(rec.activity, rec.entity.clone(), rec.region.clone())).copied();
        if rec.activity == Activity::Certificate
            && let Some(line) = rec.source.line
            && let Some(c) = self.cert_mult.get(&(rec.source.file.clone(), line))
        {
            k = Some(k.unwrap_or(Decimal::ONE).checked_mul(*c).unwrap_or(Decimal::ZERO));
        }
        if let Some(k) = k
            && k != Decimal::ONE
        {
            rec.quantity.value = rec.quantity.value.checked_mul(k).unwrap_or(rec.quantity.value);
            rec.precision = rec.precision.and_then(|p| p.checked_mul(k)).filter(|p| *p > Decimal::ZERO);
        }
        if rec.activity == Activity::Electricity
            && let Some(budget) = self.displace.get_mut(&(rec.activity, rec.entity.clone(), rec.region.clone()))
            && *budget > Decimal::ZERO
        {
            let mwh = unit("MWh");
            let u = &rec.quantity.unit;
            if let (Ok(b_row), q) = (crate::units::convert(*budget, &mwh, u), rec.quantity.value) {
                let take = q.min(b_row);
                rec.quantity.value = q - take;
                *budget = (*budget - crate::units::convert(take, u, &mwh).unwrap_or(*budget)).max(Decimal::ZERO);
            }
        }
    }

    fn extra_ledgers(&mut self) -> Vec<(PathBuf, String)> {
        if self.synth.is_empty() {
            return Vec::new();
        }
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record([
            "entity",
            "period",
            "activity",
            "quantity",
            "unit",
            "region",
            "note",
            "instrument",
            "vintage",
            "supplier_factor",
        ]);
        for s in &self.synth {
            let q = s.quantity.normalize();
            let _ = w.write_record([
                s.entity.clone(),
                self.year.to_string(),
                s.activity.name().to_string(),
                if q.is_zero() { "0".into() } else { q.to_string() },
                s.unit.symbol().to_string(),
                s.region.clone(),
                s.note.clone(),
                s.instrument.clone().unwrap_or_default(),
                s.vintage.clone().unwrap_or_default(),
                s.supplier_factor.map(|f| f.normalize().to_string()).unwrap_or_default(),
            ]);
        }
        let text = String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default();
        vec![(self.synth_path.clone(), text)]
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

struct State<'a> {
    basis: &'a Basis,
    o: ScenarioOverlay,
}

impl State<'_> {
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
    fn scale_key(&mut self, k: &Key, f: Decimal) {
        let m = self.mult(k).checked_mul(f).unwrap_or(Decimal::ZERO);
        self.o.mult.insert(k.clone(), m);
        if let Some(b) = self.o.displace.get_mut(k) {
            *b = b.checked_mul(f).unwrap_or(Decimal::ZERO);
        }
        for s in &mut self.o.synth {
            if (s.activity, &s.entity, &s.region) == (k.0, &k.1, &k.2) {
                s.quantity = s.quantity.checked_mul(f).unwrap_or(Decimal::ZERO);
            }
        }
    }
    /// Current quantity of a key's ledger rows in a dimension's base unit (after multipliers and displacement);
    /// whether any of it is in another dimension.
    fn ledger_current(&self, k: &Key, dim: Dimension) -> (Decimal, bool) {
        let m = self.mult(k);
        let mut other = false;
        let mut v = Decimal::ZERO;
        if let Some(by) = self.basis.qty.get(k) {
            for (d, q) in by {
                if *d == dim {
                    v = v.checked_add(q.checked_mul(m).unwrap_or_default()).unwrap_or(Decimal::MAX);
                } else if !q.is_zero() {
                    other = true;
                }
            }
        }
        if dim == Dimension::Energy
            && let Some(b) = self.o.displace.get(k)
        {
            let b = crate::units::convert(*b, &unit("MWh"), &Unit::base(Dimension::Energy)).unwrap_or_default();
            v = (v - b).max(Decimal::ZERO);
        }
        (v, other)
    }
    /// Current quantity of a key in a dimension's base unit; whether any of it is in another dimension.
    fn current(&self, k: &Key, dim: Dimension) -> (Decimal, bool) {
        let (mut v, other) = self.ledger_current(k, dim);
        let mut other = other;
        for s in &self.o.synth {
            if (s.activity, &s.entity, &s.region) == (k.0, &k.1, &k.2) {
                if s.unit.dimension() == dim {
                    let q = crate::units::convert(s.quantity, &s.unit, &Unit::base(dim)).unwrap_or_default();
                    v = v.checked_add(q).unwrap_or(Decimal::MAX);
                } else if !s.quantity.is_zero() {
                    other = true;
                }
            }
        }
        (v, other)
    }
    /// Grid MWh by (entity, region), current.
    fn grid(&self) -> Vec<(String, String, Decimal)> {
        let mwh = unit("MWh");
        self.keys()
            .into_iter()
            .filter(|k| k.0 == Activity::Electricity)
            .map(|k| {
                let (v, _) = self.current(&k, Dimension::Energy);
                let m = crate::units::convert(v, &Unit::base(Dimension::Energy), &mwh).unwrap_or_default();
                (k.1, k.2, m)
            })
            .filter(|x| x.2 > Decimal::ZERO)
            .collect()
    }
    fn main_market(&self) -> Option<String> {
        let mut by: BTreeMap<String, Decimal> = BTreeMap::new();
        for (_, r, m) in self.grid() {
            let e = by.entry(market_of(&r).to_string()).or_default();
            *e = e.checked_add(m).unwrap_or(Decimal::MAX);
        }
        by.into_iter()
            .fold(None, |best: Option<(String, Decimal)>, (k, v)| match best {
                Some((bk, bv)) if bv >= v => Some((bk, bv)),
                _ => Some((k, v)),
            })
            .map(|x| x.0)
    }
}

fn matches(filter: &Option<String>, v: &str) -> bool {
    filter.as_deref().is_none_or(|f| f == v)
}

fn scenario_error(msg: String, at: &Location, hint: &str) -> Error {
    Error::new(ErrorKind::Scenario, msg).at(at.clone()).hint(hint)
}

/// Apply the first `upto` changes to an inventory, in order (the others are only looked at: a grid edition change
/// moves a residual of the same set along unless the scenario changes the residual itself).
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
    };
    let mut inv = inv.clone();
    let mut warnings = Vec::new();
    let mut costs = Vec::new();
    let mut markets = BTreeMap::new();
    let mut d = Diagnostics::new();
    let mwh_unit = unit("MWh");
    let year = basis.year.to_string();
    let warn = |w: &mut Vec<Warning>, code: &'static str, msg: String, at: &Location| {
        w.push(Warning { code, message: msg, location: Some(at.clone()) })
    };
    for (i, ch) in changes.iter().enumerate() {
        let at = &ch.location;
        let note = format!("scenario change {}: {}", i + 1, ch.describe());
        let mut cost = ch.cost;
        match &ch.kind {
            ChangeKind::AddCertificates { mwh, instrument, market, entity, vintage, supplier_factor, price } => {
                let m = market.clone().or_else(|| st.main_market()).unwrap_or_else(|| "CN".into());
                markets.insert(i, m.clone());
                st.o.synth.push(Synth {
                    entity: entity.clone().unwrap_or_else(|| "scenario-purchase".into()),
                    region: m,
                    activity: Activity::Certificate,
                    quantity: *mwh,
                    unit: mwh_unit.clone(),
                    instrument: Some(instrument.clone()),
                    vintage: Some(vintage.clone().unwrap_or_else(|| year.clone())),
                    supplier_factor: *supplier_factor,
                    location: at.clone(),
                    note,
                });
                if let Some(p) = price {
                    let v = p.per_mwh.checked_mul(*mwh).unwrap_or_default();
                    cost = match cost {
                        None => Some(Money { value: v, currency: p.currency }),
                        Some(c) if c.currency == p.currency => Some(Money { value: c.value + v, currency: c.currency }),
                        Some(c) => {
                            d.push(scenario_error(
                                format!("change {} mixes currencies {} and {}", i + 1, c.currency, p.currency),
                                at,
                                "state price and cost in one currency",
                            ));
                            None
                        }
                    };
                }
            }
            ChangeKind::RemoveCertificates { filter, mwh } => {
                let fits = |e: &str, region: &str, inst: &str, id: Option<&str>| {
                    matches(&filter.entity, e)
                        && matches(&filter.market, market_of(region))
                        && matches(&filter.instrument, inst)
                        && filter.certificate_id.as_deref().is_none_or(|f| id == Some(f))
                };
                // Ledger rows then synthetic rows, in order; removal by MWh takes the latest first.
                let mut rows: Vec<(usize, Decimal)> = Vec::new(); // (index: ledger < n, synth >= n), current MWh
                let n = basis.certs.len();
                for (j, c) in basis.certs.iter().enumerate() {
                    if fits(&c.entity, &c.region, &c.instrument, c.certificate_id.as_deref()) {
                        let k = (Activity::Certificate, c.entity.clone(), c.region.clone());
                        let cm = st.o.cert_mult.get(&(c.file.clone(), c.line)).copied().unwrap_or(Decimal::ONE);
                        rows.push((
                            j,
                            c.mwh.checked_mul(st.mult(&k)).and_then(|x| x.checked_mul(cm)).unwrap_or(Decimal::MAX),
                        ));
                    }
                }
                for (j, s) in st.o.synth.iter().enumerate() {
                    let inst = s.instrument.clone().unwrap_or_else(|| "unspecified".into());
                    if s.activity == Activity::Certificate && fits(&s.entity, &s.region, &inst, None) {
                        rows.push((n + j, s.quantity));
                    }
                }
                let available: Decimal =
                    rows.iter().fold(Decimal::ZERO, |a, r| a.checked_add(r.1).unwrap_or(Decimal::MAX));
                if rows.is_empty() {
                    warn(
                        &mut warnings,
                        "scenario-no-match",
                        format!("change {}: no certificate rows match", i + 1),
                        at,
                    );
                }
                let mut left = mwh.unwrap_or(available);
                if left > available {
                    warn(
                        &mut warnings,
                        "scenario-remove-exceeds",
                        format!(
                            "change {}: asks to remove {} MWh of certificates, only {} MWh match; all of them are removed",
                            i + 1,
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
                    let keep = if take == cur { Decimal::ZERO } else { (cur - take) / cur };
                    if j < n {
                        let c = &basis.certs[j];
                        let key = (c.file.clone(), c.line);
                        let cm = st.o.cert_mult.get(&key).copied().unwrap_or(Decimal::ONE);
                        st.o.cert_mult.insert(key, cm * keep);
                    } else if let Some(s) = st.o.synth.get_mut(j - n) {
                        s.quantity = if keep.is_zero() { Decimal::ZERO } else { s.quantity - take };
                    }
                }
            }
            ChangeKind::OnsitePv { mwh, mw, hours, entity, region, displaces_grid } => {
                let pv = match (mwh, mw, hours) {
                    (Some(m), _, _) => *m,
                    (None, Some(w), Some(h)) => match w.checked_mul(*h) {
                        Some(x) => x,
                        None => {
                            d.push(scenario_error(
                                format!("change {}: {w} MW x {h} h overflows 28 significant digits", i + 1),
                                at,
                                "give the PV output in MWh, or smaller capacity and hours",
                            ));
                            continue;
                        }
                    },
                    _ => Decimal::ZERO,
                };
                let grid = st.grid();
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
                    None => (
                        entity.clone().unwrap_or_else(|| "scenario-pv".into()),
                        region.clone().unwrap_or_else(|| st.main_market().unwrap_or_else(|| "CN".into())),
                        Decimal::ZERO,
                    ),
                };
                let used = if *displaces_grid {
                    let d = pv.min(grid_mwh);
                    if pv > grid_mwh {
                        warn(
                            &mut warnings,
                            "scenario-pv-exceeds-grid",
                            format!(
                                "change {}: PV of {} MWh exceeds the grid electricity of {e} in {r} ({} MWh): {} MWh displace grid electricity, the other {} MWh are exported and not counted",
                                i + 1,
                                pv.normalize(),
                                grid_mwh.normalize(),
                                d.normalize(),
                                (pv - d).normalize()
                            ),
                            at,
                        );
                    }
                    if d > Decimal::ZERO {
                        // From the ledger's rows first (exactly, in ledger order), then from scenario rows.
                        let key = (Activity::Electricity, e.clone(), r.clone());
                        let (lv, _) = st.ledger_current(&key, Dimension::Energy);
                        let lv =
                            crate::units::convert(lv, &Unit::base(Dimension::Energy), &mwh_unit).unwrap_or_default();
                        let from_ledger = d.min(lv);
                        let b = st.o.displace.entry(key).or_default();
                        *b = b.checked_add(from_ledger).unwrap_or(Decimal::MAX);
                        let mut left = d - from_ledger;
                        for s in
                            st.o.synth
                                .iter_mut()
                                .filter(|s| (s.activity, &s.entity, &s.region) == (Activity::Electricity, &e, &r))
                        {
                            if left <= Decimal::ZERO {
                                break;
                            }
                            let q = crate::units::convert(s.quantity, &s.unit, &mwh_unit).unwrap_or_default();
                            let take = q.min(left);
                            left -= take;
                            s.quantity = crate::units::convert(q - take, &mwh_unit, &s.unit).unwrap_or_default();
                        }
                    }
                    d
                } else {
                    pv
                };
                st.o.synth.push(Synth {
                    entity: e,
                    region: r,
                    activity: Activity::OnsitePv,
                    quantity: used,
                    unit: mwh_unit.clone(),
                    instrument: None,
                    vintage: None,
                    supplier_factor: None,
                    location: at.clone(),
                    note,
                });
            }
            ChangeKind::Scale { activity, factor, entity, region } => {
                let keys: Vec<Key> = st
                    .keys()
                    .into_iter()
                    .filter(|k| k.0 == *activity && matches(entity, &k.1) && matches(region, &k.2))
                    .collect();
                if keys.is_empty() {
                    warn(&mut warnings, "scenario-no-match", format!("change {}: no {activity} rows match", i + 1), at);
                }
                for k in keys {
                    // Every row must stay a representable decimal (28 significant digits).
                    let too_big = st.basis.qty.get(&k).is_some_and(|by| {
                        by.values().any(|q| q.checked_mul(st.mult(&k)).and_then(|x| x.checked_mul(*factor)).is_none())
                    });
                    if too_big {
                        d.push(scenario_error(
                            format!(
                                "change {}: scaling {activity} of {} in {} by {factor} overflows 28 significant digits",
                                i + 1,
                                k.1,
                                k.2
                            ),
                            at,
                            "use a smaller factor",
                        ));
                        continue;
                    }
                    st.scale_key(&k, *factor);
                }
            }
            ChangeKind::Switch { from, share, to, ratio, ratio_unit, entity, region } => {
                let keys: Vec<Key> = st
                    .keys()
                    .into_iter()
                    .filter(|k| k.0 == *from && matches(entity, &k.1) && matches(region, &k.2))
                    .collect();
                if keys.is_empty() {
                    warn(&mut warnings, "scenario-no-match", format!("change {}: no {from} rows match", i + 1), at);
                }
                let dim = ratio_unit.den.dimension();
                for k in keys {
                    let (q, other) = st.current(&k, dim);
                    if other {
                        d.push(scenario_error(
                            format!(
                                "change {}: {from} of {} in {} is partly measured in another dimension than {} ({dim}); the switch ratio {ratio_unit} cannot convert it",
                                i + 1,
                                k.1,
                                k.2,
                                ratio_unit.den.symbol()
                            ),
                            at,
                            "state the ratio per the unit the ledger uses",
                        ));
                        continue;
                    }
                    let q_den = crate::units::convert(q, &Unit::base(dim), &ratio_unit.den).unwrap_or_default();
                    let added = q_den.checked_mul(*share).and_then(|x| x.checked_mul(*ratio)).unwrap_or_default();
                    st.scale_key(&k, Decimal::ONE - *share);
                    st.o.synth.push(Synth {
                        entity: k.1.clone(),
                        region: k.2.clone(),
                        activity: *to,
                        quantity: added,
                        unit: ratio_unit.num.clone(),
                        instrument: None,
                        vintage: None,
                        supplier_factor: None,
                        location: at.clone(),
                        note: note.clone(),
                    });
                }
            }
            ChangeKind::Factor { choice, reference } => {
                let slot = match choice.as_str() {
                    "combustion" => &mut inv.factors.combustion,
                    "non_co2" => &mut inv.factors.non_co2,
                    "gwp" => &mut inv.factors.gwp,
                    "standard_coal" => &mut inv.factors.standard_coal,
                    "grid" => &mut inv.factors.grid,
                    _ => &mut inv.factors.heat,
                };
                let r = if reference.set.is_empty() {
                    match slot {
                        Some(c) => FactorRef {
                            set: c.factor.set.clone(),
                            edition: reference.edition.clone(),
                            id: c.factor.id.clone(),
                        },
                        None => {
                            d.push(scenario_error(
                                format!(
                                    "change {}: the inventory chooses no {choice} set to change the edition of",
                                    i + 1
                                ),
                                at,
                                "write use = \"set@edition\"",
                            ));
                            continue;
                        }
                    }
                } else {
                    reference.clone()
                };
                // The residual often names a factor of the grid set: follow an edition change of the same set.
                if choice == "grid"
                    && let Some(old) = slot.as_ref().map(|c| c.factor.clone())
                    && let Some(res) = inv.factors.residual.as_mut()
                    && res.factor.set == old.set
                    && res.factor.edition == old.edition
                    && r.set == old.set
                    && !all.iter().any(|c| matches!(c.kind, ChangeKind::Residual { .. }))
                {
                    res.factor.edition = r.edition.clone();
                    res.location = at.clone();
                    warn(
                        &mut warnings,
                        "scenario-residual-follows-grid",
                        format!(
                            "change {}: the residual factor {} is from the grid set, so it moves to edition {} too",
                            i + 1,
                            FactorRef { edition: old.edition.clone(), ..res.factor.clone() },
                            r.edition
                        ),
                        at,
                    );
                }
                let slot = match choice.as_str() {
                    "combustion" => &mut inv.factors.combustion,
                    "non_co2" => &mut inv.factors.non_co2,
                    "gwp" => &mut inv.factors.gwp,
                    "standard_coal" => &mut inv.factors.standard_coal,
                    "grid" => &mut inv.factors.grid,
                    _ => &mut inv.factors.heat,
                };
                *slot = Some(Choice { factor: r, location: at.clone() });
            }
            ChangeKind::Residual { reference } => {
                inv.factors.residual = Some(Choice { factor: reference.clone(), location: at.clone() });
            }
        }
        costs.push(cost);
    }
    d.into_result(Applied { inv, overlay: st.o, warnings, costs, markets })
}
