//! One range of one ledger, read row by row into per-entity sums: the fast path (every cache keyed by a field's raw
//! text: an entity's name; the factor plans of an activity, unit and region), the full check of any row the fast
//! path is not sure about (which also gives every message), and the lines a sink wants.

use std::collections::{BTreeSet, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rust_decimal::Decimal;

use super::certificates::CertRow;
use super::exact::Exact;
use super::keys::{FxMap, KeyTable};
use super::overlay::RowOverlay;
use super::plan::{Plan, PlanKey, Resolver, market_of, overflow};
use super::scan::{MAX_KEPT_REJECTED, SinkFn, mwh_unit};
use super::sums::{Acc, Pool, acc_at};
use super::values::{exact_rate, fast_period, int_line_value, int_ratio, line_value, plain_quantity};
use super::{Line, Warning};
use crate::activity::{Activity, ActivityRecord, CATEGORY_COLUMN, Columns, Period};
use crate::error::{Error, ErrorKind, Location};
use crate::factor::FactorLibrary;
use crate::figure::{ELECTRICITY_TOTAL, SCOPE2_MARKET};
use crate::inventory::Inventory;
use crate::ledger::records::{Checked, CsvRecords, Next};
use crate::ledger::rows::RowReader;
use crate::ledger::{Ledger, field_column};
use crate::units::Unit;
use crate::vocab::Category;

/// Rows that share an activity, region and unit share their plans (and so their factors and fallbacks).
pub(super) struct Group {
    pub(super) activity: Activity,
    pub(super) plans: Arc<Vec<Plan>>,
    pub(super) rates: Vec<Option<Decimal>>,
    /// Plans whose lines are `q x rate` exactly for quantities of at most `pool_scale` decimal places (an exact
    /// rate below 2^32 in mantissa, with at most LINE_SCALE places in the product): their rows' quantities are
    /// summed per entity, and the sum multiplied by the rate once, when the range is merged.
    pub(super) pooled: Vec<bool>,
    /// Every plan is pooled (a pooled row then only adds its quantity).
    pub(super) all_pooled: bool,
    pub(super) pool_scale: Option<u32>,
    /// Inexact plans' factors as integers, for [`int_line_value`].
    pub(super) ints: Vec<Option<(u64, u32, u64, u32)>>,
    /// For each plan, an earlier plan with the same factor product (its line value is the same), if any.
    pub(super) same_as: Vec<Option<usize>>,
    /// Figure index (in the tally's figure table) of each plan.
    pub(super) figs: Vec<u16>,
    /// For electricity rows, the plans giving grid MWh (electricity.total) and their market-based tCO2e
    /// (scope2.market), which certificates are allocated against.
    pub(super) grid_plan: Option<usize>,
    pub(super) market_plan: Option<usize>,
    pub(super) market: String,
    pub(super) rows: u64,
    pub(super) first_row: Option<Location>,
    /// The factor files its plans use.
    pub(super) sets: BTreeSet<(PathBuf, String)>,
}

/// What the text of an activity, unit and region resolves to.
#[derive(Clone, Copy)]
pub(super) enum RawKey {
    /// A valid combination and its group.
    Group(u32),
    /// A valid combination for which no plan could be made (the index of why, in `plan_errors`).
    Failed(u32),
    /// Invalid text, or a certificate: take the full check.
    Slow,
}

/// The most plans of a group the usual row's path keeps values for (more take the general path).
const SLOTS: usize = 32;

/// One range of one ledger: what it read, per entity and figure, plus everything that needs reporting.
pub(super) struct Tally<'a> {
    pub(super) res: Resolver<'a>,
    pub(super) year: i32,
    pub(super) file: PathBuf,
    pub(super) groups: Vec<Group>,
    pub(super) group_of: HashMap<PlanKey, Result<u32, Error>>,
    pub(super) raw_keys: FxMap<Vec<u8>, RawKey>,
    pub(super) packed_keys: KeyTable,
    pub(super) plan_errors: Vec<Error>,
    pub(super) key_buf: Vec<u8>,
    pub(super) entity_of_raw: FxMap<Vec<u8>, u32>,
    pub(super) entity_of_packed: FxMap<u128, u32>,
    pub(super) last_entity: (Option<u128>, u32),
    pub(super) rows_read: u64,
    pub(super) entity_of_name: FxMap<String, u32>,
    pub(super) entities: Vec<String>,
    pub(super) figs: Vec<(String, &'static str)>,
    pub(super) fig_of: HashMap<String, u16>,
    pub(super) accs: Vec<Vec<Acc>>,
    /// Per entity, per group: the summed quantities of its pooled rows.
    pub(super) pools: Vec<Vec<Pool>>,
    /// Per (entity, group) of electricity rows: grid MWh and market-based tCO2e, for certificates.
    pub(super) grid: FxMap<(u32, u32), (Exact, Exact)>,
    pub(super) warnings: Vec<Warning>,
    pub(super) rejected: Vec<Error>,
    pub(super) rejected_count: u64,
    pub(super) certs: Vec<CertRow>,
    pub(super) mwh: Unit,
    pub(super) fatal: Option<Error>,
    /// The location of the record being read when records come from a ledger of records (a spreadsheet row at its
    /// sheet and row, a record made in memory at its own): fallbacks and errors of the row name it.
    pub(super) row_source: Option<Location>,
    pub(super) sink_err: Option<std::io::Error>,
}

/// A plan's problem as a row's: the row (at the field most likely at fault, as `at` locates fields) is the
/// location; where the inventory made the factor choice goes into the message.
fn plan_error(e: &Error, at: &dyn Fn(usize) -> Location, cols: &Columns) -> Error {
    let mut e = e.clone();
    if let Some(choice_at) = e.location.take() {
        e.message = format!("{} (factor choice at {choice_at})", e.message);
    }
    let [_, _, ia, _, iu, ir] = cols.idx;
    let field = match e.kind {
        ErrorKind::DimensionMismatch => iu,
        ErrorKind::MissingFactor => ir,
        _ => ia,
    };
    e.location = Some(at(field));
    e
}

impl<'a> Tally<'a> {
    pub(super) fn new(inv: &'a Inventory, lib: &'a FactorLibrary, file: &Path) -> Tally<'a> {
        Tally {
            res: Resolver { inv, lib, sets_used: BTreeSet::new() },
            year: inv.year,
            file: file.to_path_buf(),
            groups: Vec::new(),
            group_of: HashMap::new(),
            raw_keys: FxMap::default(),
            packed_keys: KeyTable::new(),
            plan_errors: Vec::new(),
            key_buf: Vec::with_capacity(64),
            entity_of_raw: FxMap::default(),
            entity_of_packed: FxMap::default(),
            last_entity: (None, u32::MAX),
            rows_read: 0,
            entity_of_name: FxMap::default(),
            entities: Vec::new(),
            figs: Vec::new(),
            fig_of: HashMap::new(),
            accs: Vec::new(),
            pools: Vec::new(),
            grid: FxMap::default(),
            warnings: Vec::new(),
            rejected: Vec::new(),
            rejected_count: 0,
            certs: Vec::new(),
            mwh: mwh_unit().unwrap_or_else(|_| Unit::base(crate::units::Dimension::Energy)),
            fatal: None,
            row_source: None,
            sink_err: None,
        }
    }

    /// Where a row is: its own location when it brought one, else `line` (and `column`) of this ledger.
    fn row_at(&self, line: usize, column: Option<usize>) -> Location {
        match &self.row_source {
            Some(l) => l.clone(),
            None => Location::at(&self.file, line, column),
        }
    }

    fn reject(&mut self, e: Error) {
        self.rejected_count += 1;
        if self.rejected.len() < MAX_KEPT_REJECTED {
            self.rejected.push(e);
        }
    }

    fn entity(&mut self, name: &str) -> u32 {
        if let Some(&e) = self.entity_of_name.get(name) {
            return e;
        }
        let e = self.entities.len() as u32;
        self.entities.push(name.to_string());
        self.entity_of_name.insert(name.to_string(), e);
        self.accs.push(Vec::new());
        self.pools.push(Vec::new());
        e
    }

    fn fig(&mut self, id: &str, unit: &'static str) -> u16 {
        if let Some(&f) = self.fig_of.get(id) {
            return f;
        }
        let f = self.figs.len() as u16;
        self.figs.push((id.to_string(), unit));
        self.fig_of.insert(id.to_string(), f);
        f
    }

    /// The group of rows of this activity, region and unit, resolving its plans on first use.
    fn group(&mut self, activity: Activity, region: &str, unit: &Unit) -> Result<u32, Error> {
        let key = (activity, region.to_string(), unit.symbol().to_string());
        if let Some(g) = self.group_of.get(&key) {
            return g.clone();
        }
        // The factor files a group's plans use count as used only once a row of it is (see `Merged::absorb`).
        let before = std::mem::take(&mut self.res.sets_used);
        let planned = self.res.plans(activity, region, unit, &mut self.warnings);
        let sets = std::mem::replace(&mut self.res.sets_used, before);
        let r = match planned {
            Err(e) => Err(e),
            Ok(plans) => {
                let figs: Vec<u16> = plans.iter().map(|p| self.fig(&p.figure, p.value_unit)).collect();
                let rates: Vec<Option<Decimal>> = plans.iter().map(|p| exact_rate(p.k_num, p.k_den)).collect();
                let room = |r: &Option<Decimal>| {
                    r.and_then(|r| {
                        let m = r.mantissa();
                        ((0..1 << 32).contains(&m) && r.scale() <= super::LINE_SCALE)
                            .then(|| super::LINE_SCALE - r.scale())
                    })
                };
                let pooled: Vec<bool> = rates.iter().map(|r| room(r).is_some()).collect();
                let pool_scale = rates.iter().filter_map(room).min();
                let ints = plans
                    .iter()
                    .zip(&rates)
                    .map(|(p, r)| if r.is_some() { None } else { int_ratio(p.k_num, p.k_den) })
                    .collect();
                let grid_plan = if activity.category() == Category::PurchasedElectricity {
                    plans.iter().position(|p| p.figure == ELECTRICITY_TOTAL)
                } else {
                    None
                };
                let market_plan = if activity.category() == Category::PurchasedElectricity {
                    plans.iter().position(|p| p.figure == SCOPE2_MARKET)
                } else {
                    None
                };
                let same_as = (0..plans.len())
                    .map(|i| (0..i).find(|&j| plans[j].k_num == plans[i].k_num && plans[j].k_den == plans[i].k_den))
                    .collect();
                let g = self.groups.len() as u32;
                self.groups.push(Group {
                    activity,
                    plans: Arc::new(plans),
                    rates,
                    all_pooled: pooled.iter().all(|p| *p),
                    pooled,
                    pool_scale,
                    ints,
                    same_as,
                    figs,
                    grid_plan,
                    market_plan,
                    market: market_of(region).to_string(),
                    rows: 0,
                    first_row: None,
                    sets,
                });
                Ok(g)
            }
        };
        self.group_of.insert(key, r.clone());
        r
    }

    /// The group of a row's raw activity, unit and region text, or `Slow` when the text needs the full check.
    fn raw_key(&mut self, packed: Option<[u128; 3]>, a: &[u8], u: &[u8], r: &[u8]) -> RawKey {
        if let Some(k) = packed
            && let Some(v) = self.packed_keys.get(&k)
        {
            return v;
        }
        let k = self.raw_key_bytes(a, u, r);
        if let Some(p) = packed {
            self.packed_keys.insert(p, k);
        }
        k
    }

    fn raw_key_bytes(&mut self, a: &[u8], u: &[u8], r: &[u8]) -> RawKey {
        self.key_buf.clear();
        self.key_buf.extend_from_slice(a);
        self.key_buf.push(0xFF);
        self.key_buf.extend_from_slice(u);
        self.key_buf.push(0xFF);
        self.key_buf.extend_from_slice(r);
        if let Some(k) = self.raw_keys.get(&self.key_buf[..]) {
            return *k;
        }
        let key = self.key_buf.clone();
        let resolved = (|| {
            let activity: Activity = std::str::from_utf8(a).ok()?.trim().parse().ok()?;
            let unit = Unit::parse(std::str::from_utf8(u).ok()?.trim()).ok()?;
            if !activity.accepts(unit.dimension()) || activity.category() == Category::Certificate {
                return None;
            }
            let region = crate::region::normalize(std::str::from_utf8(r).ok()?);
            Some((activity, region, unit))
        })();
        let k = match resolved {
            None => RawKey::Slow,
            Some((activity, region, unit)) => match self.group(activity, &region, &unit) {
                Ok(g) => RawKey::Group(g),
                Err(e) => {
                    self.plan_errors.push(e);
                    RawKey::Failed(self.plan_errors.len() as u32 - 1)
                }
            },
        };
        self.raw_keys.insert(key, k);
        k
    }

    /// Try the fast path on the reader's current record; false when it needs the full check.
    fn fast<R: Read>(&mut self, rd: &RowReader<R>, cols: &Columns) -> bool {
        if rd.len() != cols.count {
            return false;
        }
        // A row that states its category (a fuel burned in a vehicle) takes the full check, which reads it.
        if let Some(ic) = cols.opt[CATEGORY_COLUMN]
            && !rd.field(ic).trim_ascii().is_empty()
        {
            return false;
        }
        let [ie, ip, ia, iq, iu, ir] = cols.idx;
        let ent = rd.field(ie);
        let packed = rd.field16(ie);
        let eid = if packed.is_some() && self.last_entity.0 == packed {
            self.last_entity.1
        } else {
            let known = match packed {
                Some(p) => self.entity_of_packed.get(&p).copied(),
                None => self.entity_of_raw.get(ent).copied(),
            };
            let e = match known {
                Some(e) => e,
                None => {
                    let Ok(s) = std::str::from_utf8(ent) else { return false };
                    let t = s.trim();
                    if t.is_empty() {
                        return false;
                    }
                    let e = self.entity(t);
                    match packed {
                        Some(p) => self.entity_of_packed.insert(p, e),
                        None => self.entity_of_raw.insert(ent.to_vec(), e),
                    };
                    e
                }
            };
            self.last_entity = (packed, e);
            e
        };
        let Some(period) = fast_period(rd.field(ip)) else { return false };
        let packed = match (rd.field16(ia), rd.field16(iu), rd.field16(ir)) {
            (Some(a), Some(u), Some(r)) => Some([a, u, r]),
            _ => None,
        };
        let group = match self.raw_key(packed, rd.field(ia), rd.field(iu), rd.field(ir)) {
            RawKey::Group(g) => Ok(g),
            RawKey::Failed(i) => Err(i),
            RawKey::Slow => return false,
        };
        let qb = rd.field(iq);
        let q = match plain_quantity(qb) {
            Some(q) => q,
            None => {
                let Ok(s) = std::str::from_utf8(qb) else { return false };
                match crate::activity::parse_quantity(s) {
                    Some(v) if !v.is_sign_negative() || v.is_zero() => v,
                    _ => return false,
                }
            }
        };
        let mut precision = None;
        for (k, i) in cols.opt.iter().enumerate() {
            let Some(i) = *i else { continue };
            let b = rd.field(i);
            if k != 1 && b.is_ascii() {
                continue;
            }
            let Ok(s) = std::str::from_utf8(b) else { return false };
            if k == 1 {
                let s = s.trim();
                if !s.is_empty() {
                    match crate::tomlx::parse_decimal(s) {
                        Some(x) if x > Decimal::ZERO => precision = Some(x),
                        _ => return false,
                    }
                }
            }
        }
        let line = rd.line() as usize;
        if period.year != self.year {
            let e = out_of_period(period, self.year, Location::at(&self.file, line, Some(field_column(rd, ip))));
            self.reject(e);
            return true;
        }
        match group {
            Ok(g) if precision.is_none() => self.apply_plain(g, eid, q, (line, &|| field_column(rd, iq))),
            Ok(g) => {
                let _ = self.apply(g, eid, q, precision, (line, &|| field_column(rd, iq)), None);
            }
            Err(i) => {
                let at = |f: usize| Location::at(&self.file, line, Some(field_column(rd, f)));
                let e = plan_error(&self.plan_errors[i as usize], &at, cols);
                self.reject(e);
            }
        }
        true
    }

    /// Compute and add one valid row's lines; with `full`, also build them for the sink. Returns false if the row
    /// was rejected (a value overflows).
    fn apply(
        &mut self,
        g: u32,
        eid: u32,
        q: Decimal,
        precision: Option<Decimal>,
        at: (usize, &dyn Fn() -> usize),
        full: Option<(&ActivityRecord, &mut SinkFn<'_>)>,
    ) -> bool {
        let (line, qcol) = at;
        let group = &self.groups[g as usize];
        let n = group.plans.len();
        // Pool the row when no line is wanted, no precision is stated, and its quantity is plain enough.
        let pool = full.is_none()
            && precision.is_none()
            && group.pool_scale.is_some_and(|s| q.scale() <= s && q.mantissa().unsigned_abs() < 1 << 64);
        let mut vals = [Decimal::ZERO; 8];
        let mut more = Vec::new();
        let mut halves = [None; 8];
        let mut more_halves = Vec::new();
        for (i, p) in group.plans.iter().enumerate() {
            if pool && group.pooled[i] {
                // Keep `more` aligned with the plans: the value of plan i is `more[i - 8]`.
                if i >= 8 {
                    more.push(Decimal::ZERO);
                    more_halves.push(None);
                }
                continue;
            }
            let Some(v) = line_value(q, p, group.rates[i]) else {
                let e = overflow(&format!("quantity {q} x factors")).at(self.row_at(line, Some(qcol())));
                self.reject(e);
                return false;
            };
            let h = match precision {
                None => None,
                Some(pr) => match super::line_value(pr / Decimal::TWO, p.k_num, p.k_den) {
                    Some(h) => Some(h.abs()),
                    None => {
                        let e = overflow(&format!("the precision {pr} x factors")).at(self.row_at(line, Some(qcol())));
                        self.reject(e);
                        return false;
                    }
                },
            };
            if i < 8 {
                vals[i] = v;
                halves[i] = h;
            } else {
                more.push(v);
                more_halves.push(h);
            }
        }
        let val = |i: usize| if i < 8 { vals[i] } else { more[i - 8] };
        let half = |i: usize| if i < 8 { halves[i] } else { more_halves[i - 8] };
        if let Some((rec, sink)) = full
            && self.sink_err.is_none()
        {
            let group = &self.groups[g as usize];
            for (i, p) in group.plans.iter().enumerate() {
                let line = Line {
                    figure: p.figure.clone(),
                    source: rec.source.clone(),
                    entity: rec.entity.clone(),
                    period: rec.period,
                    activity: rec.activity,
                    region: rec.region.clone(),
                    gas: p.gas,
                    quantity: rec.quantity.value,
                    unit: rec.quantity.unit.symbol().to_string(),
                    factors: p.factors.clone(),
                    formula: p.formula.clone(),
                    value: val(i).normalize(),
                    value_unit: p.value_unit,
                    half_width: half(i),
                    share: None,
                };
                if let Err(e) = sink(&line) {
                    self.sink_err = Some(e);
                    break;
                }
            }
        }
        let group = &mut self.groups[g as usize];
        let accs = &mut self.accs[eid as usize];
        for i in 0..n {
            if pool && group.pooled[i] {
                continue;
            }
            let f = group.figs[i] as usize;
            let a = acc_at(accs, f, group.plans[i].value_unit);
            a.add(val(i), half(i));
        }
        for (which, plan) in [(0, group.grid_plan), (1, group.market_plan)] {
            if let Some(i) = plan
                && !(pool && group.pooled[i])
            {
                let e = self.grid.entry((eid, g)).or_default();
                if which == 0 { e.0.add(val(i)) } else { e.1.add(val(i)) }
            }
        }
        if pool {
            self.pool_row(g, eid, q, line)
        } else {
            self.count_row(g, line)
        }
        true
    }

    /// [`Tally::apply`] for the usual row: no lines wanted, no precision stated.
    #[inline]
    fn apply_plain(&mut self, g: u32, eid: u32, q: Decimal, at: (usize, &dyn Fn() -> usize)) {
        let (line, qcol) = at;
        let group = &self.groups[g as usize];
        let pool = group.pool_scale.is_some_and(|s| q.scale() <= s && q.mantissa().unsigned_abs() < 1 << 64);
        if pool && group.all_pooled {
            self.pool_row(g, eid, q, line);
            return;
        }
        // A plan whose factor product equals an earlier plan's (a breakdown copy: scope1.stationary, scope1.gas.co2)
        // takes that plan's value: one multiplication serves both.
        if group.plans.len() > SLOTS {
            let _ = self.apply(g, eid, q, None, at, None);
            return;
        }
        let mut vals = [Decimal::ZERO; 4];
        let mut slot = [u8::MAX; SLOTS];
        let mut k = 0;
        for (i, p) in group.plans.iter().enumerate() {
            if pool && group.pooled[i] {
                continue;
            }
            if let Some(j) = group.same_as[i]
                && slot[j] != u8::MAX
            {
                slot[i] = slot[j];
                continue;
            }
            if k == vals.len() {
                let _ = self.apply(g, eid, q, None, at, None);
                return;
            }
            let v = match group.ints[i].and_then(|r| int_line_value(q, r)) {
                Some(v) => v,
                None => {
                    let Some(v) = line_value(q, p, group.rates[i]) else {
                        let e = overflow(&format!("quantity {q} x factors")).at(self.row_at(line, Some(qcol())));
                        self.reject(e);
                        return;
                    };
                    v
                }
            };
            vals[k] = v;
            slot[i] = k as u8;
            k += 1;
        }
        let group = &mut self.groups[g as usize];
        let accs = &mut self.accs[eid as usize];
        for i in 0..group.plans.len() {
            if pool && group.pooled[i] {
                continue;
            }
            let v = vals[slot[i] as usize];
            let f = group.figs[i] as usize;
            let a = acc_at(accs, f, group.plans[i].value_unit);
            a.value.add(v);
            a.lines += 1;
            if group.grid_plan == Some(i) {
                self.grid.entry((eid, g)).or_default().0.add(v);
            } else if group.market_plan == Some(i) {
                self.grid.entry((eid, g)).or_default().1.add(v);
            }
        }
        if pool { self.pool_row(g, eid, q, line) } else { self.count_row(g, line) }
    }

    /// Add a pooled row's quantity to its entity's pool of group `g` (multiplied out when the range is merged),
    /// and count the row.
    #[inline]
    fn pool_row(&mut self, g: u32, eid: u32, q: Decimal, line: usize) {
        let pools = &mut self.pools[eid as usize];
        if pools.len() <= g as usize {
            pools.resize(g as usize + 1, Pool::default());
        }
        pools[g as usize].add(q);
        self.count_row(g, line);
    }

    /// Count a used row of group `g` (the first one locates the group's fallbacks).
    #[inline]
    fn count_row(&mut self, g: u32, line: usize) {
        let group = &mut self.groups[g as usize];
        group.rows += 1;
        if group.first_row.is_none() {
            group.first_row = Some(match &self.row_source {
                Some(l) => l.clone(),
                None => Location::at(&self.file, line, None),
            });
        }
    }

    /// Turn the pooled quantities into line sums: for each entity and group, the summed quantity times each pooled
    /// plan's rate (exact: every line `q x rate` has at most LINE_SCALE places, so their sum is the sum of lines).
    pub(super) fn settle_pools(&mut self) -> Result<(), Error> {
        for (eid, pools) in self.pools.iter_mut().enumerate() {
            for (g, pool) in pools.iter_mut().enumerate() {
                if pool.rows == 0 {
                    continue;
                }
                let group = &mut self.groups[g];
                for i in 0..group.plans.len() {
                    if !group.pooled[i] {
                        continue;
                    }
                    let Some(r) = group.rates[i] else { continue };
                    let too_big = || overflow(&format!("figure {}", group.plans[i].figure));
                    let v = pool.times(r).ok_or_else(too_big)?;
                    let f = group.figs[i] as usize;
                    let a = acc_at(&mut self.accs[eid], f, group.plans[i].value_unit);
                    a.value.merge(&v);
                    a.lines += pool.rows;
                    if group.grid_plan == Some(i) {
                        self.grid.entry((eid as u32, g as u32)).or_default().0.merge(&v);
                    } else if group.market_plan == Some(i) {
                        self.grid.entry((eid as u32, g as u32)).or_default().1.merge(&v);
                    }
                }
                *pool = Pool::default();
            }
        }
        Ok(())
    }

    /// A fully checked row (the full path, and the only path when lines are wanted). `at` locates a field of it
    /// (the row itself where fields have no column, as in spreadsheets).
    pub(super) fn record(
        &mut self,
        rec: ActivityRecord,
        cols: &Columns,
        at: &dyn Fn(usize) -> Location,
        sink: Option<&mut SinkFn<'_>>,
    ) {
        let line = rec.source.line.unwrap_or(0);
        if rec.period.year != self.year {
            let e = out_of_period(rec.period, self.year, at(cols.idx[1]));
            self.reject(e);
            return;
        }
        if rec.activity.category() == Category::Certificate {
            match crate::units::convert(rec.quantity.value, &rec.quantity.unit, &self.mwh) {
                Ok(v) => self.certs.push(CertRow { rec, mwh: v }),
                Err(e) => {
                    let e = Error::new(ErrorKind::DimensionMismatch, e.to_string()).at(rec.source.clone());
                    self.reject(e);
                }
            }
            return;
        }
        let g = match self.group(rec.activity, &rec.region, &rec.quantity.unit) {
            Ok(g) => g,
            Err(e) => {
                let e = plan_error(&e, at, cols);
                self.reject(e);
                return;
            }
        };
        let eid = self.entity(&rec.entity);
        let qcol = || at(cols.idx[3]).column.unwrap_or(0);
        match sink {
            Some(s) => self.apply(g, eid, rec.quantity.value, rec.precision, (line, &qcol), Some((&rec, s))),
            None => self.apply(g, eid, rec.quantity.value, rec.precision, (line, &qcol), None),
        };
    }

    /// Read rows until the end, or until a record starts at or after `limit` (relative to where the reader began):
    /// then return that record's start and line. Rows go through the one CSV row loop ([`CsvRecords`]): the fast
    /// path takes the rows it is sure about, and every other row takes [`CsvRecords::check`], which gives every
    /// message. An overlay adjusts every record (and turns the fast path off); `progress` hears (bytes read, rows
    /// read) every [`super::PROGRESS_EVERY`] rows.
    pub(super) fn run<R: Read>(
        &mut self,
        rows: &mut CsvRecords<R>,
        limit: u64,
        mut overlay: Option<&mut (dyn RowOverlay + '_)>,
        mut sink: Option<&mut SinkFn<'_>>,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Option<(u64, u64)> {
        let plain = sink.is_none() && overlay.is_none();
        loop {
            match rows.advance(limit) {
                Next::Row => {}
                Next::End => return None,
                Next::Limit(start, line) => return Some((start, line)),
                Next::Fatal(e) => {
                    self.fatal = Some(e);
                    return None;
                }
            }
            self.rows_read += 1;
            if self.rows_read.is_multiple_of(super::PROGRESS_EVERY) {
                progress(rows.position(), self.rows_read);
            }
            if plain && !rows.has_quote_issue() && self.fast(rows.reader(), rows.columns()) {
                continue;
            }
            match rows.check() {
                Checked::Record(mut r) => {
                    if let Some(o) = overlay.as_deref_mut()
                        && let Err(e) = o.adjust(&mut r)
                    {
                        self.reject(e);
                        continue;
                    }
                    self.record(r, rows.columns(), &|f| rows.at(f), sink.as_deref_mut());
                }
                Checked::Rejected(e) => self.reject(e),
                Checked::Fatal(e) => {
                    self.fatal = Some(e);
                    return None;
                }
            }
        }
    }

    /// Read a ledger's records one by one (spreadsheets, records made in memory: no fast path). Records made in
    /// memory keep their own locations and are not adjusted by the overlay; `progress` hears (work done, rows read)
    /// every [`super::PROGRESS_EVERY`] rows.
    pub(super) fn run_ledger(
        &mut self,
        ledger: &mut Ledger,
        mut overlay: Option<&mut (dyn RowOverlay + '_)>,
        mut sink: Option<&mut SinkFn<'_>>,
        progress: &mut dyn FnMut(u64, u64),
    ) {
        // Rows are located by their own location (their cells by the readers' own checks).
        let cols = Columns { idx: [0, 1, 2, 3, 4, 5], ..Columns::default() };
        let own = ledger.own_locations();
        while let Some(item) = ledger.next_record() {
            self.rows_read += 1;
            if self.rows_read.is_multiple_of(super::PROGRESS_EVERY) {
                progress(ledger.progress().0, self.rows_read);
            }
            match item {
                Err(e) if ledger.stopped() => {
                    self.fatal = Some(e);
                    break;
                }
                Err(e) => self.reject(e),
                Ok(mut r) => {
                    if !own
                        && let Some(o) = overlay.as_deref_mut()
                        && let Err(e) = o.adjust(&mut r)
                    {
                        self.reject(e);
                        continue;
                    }
                    let row = r.source.clone();
                    self.row_source = Some(row.clone());
                    self.record(r, &cols, &|_| row.clone(), sink.as_deref_mut());
                }
            }
        }
        self.row_source = None;
    }
}

fn out_of_period(period: Period, year: i32, at: Location) -> Error {
    Error::new(ErrorKind::OutOfPeriod, format!("period {period} is outside the inventory year {year}"))
        .at(at)
        .hint("move the row to the inventory of its year, or correct the period")
}
