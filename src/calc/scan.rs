//! The row loop at scale. A ledger is read in byte ranges split at line starts, one thread per range; each keeps
//! only exact per-entity sums (see [`super::exact`]), so memory does not grow with the number of rows, and the
//! ranges merge in file order into results that are identical, byte for byte, whatever the number of threads or
//! where the file was split.
//!
//! Rows are checked by a fast path that caches everything that depends only on a field's text (the factor plans
//! of an activity, unit and region; an entity's name) and parses plain quantities without allocating; any row it
//! is not sure about goes through the full check of [`LedgerReader`], which also gives every message. When a sink
//! wants calculation lines, every row takes the full check and the file is read on one thread, in order.
//!
//! A split is verified, not assumed: the range before it must end with a record that crosses the split point
//! exactly at a line start (only blank lines in between). A quoted field holding a newline at the split point
//! fails that check, and the file is then read again on one thread.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rust_decimal::Decimal;

use super::certificates::CertRow;
use super::engine::{MWH, Plan, Resolver, overflow};
use super::exact::Exact;
use super::overlay::RowOverlay;
use super::rows::RowReader;
use super::{Fallback, Line, Warning};
use crate::activity::{Activity, ActivityRecord, Columns, Period, check_record, header_columns};
use crate::encoding::{DecodingReader, Encoding};
use crate::error::{Error, ErrorKind, Location};
use crate::factor::FactorLibrary;
use crate::inventory::Inventory;
use crate::units::Unit;

/// How ledgers are read: with how many threads, in which text encoding.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// Threads to read one ledger with; 0 means one per core. Results are identical for any number.
    pub threads: usize,
    /// Text encoding of the ledgers (UTF-8 by default; GBK and GB18030 are decoded when declared).
    pub encoding: Encoding,
    /// Smallest part of a ledger a thread reads, in bytes (0: 4 MiB). Small values are for tests of splitting.
    pub chunk_bytes: u64,
}

/// At most this many rejected rows are kept with their reasons; all are counted.
pub const MAX_KEPT_REJECTED: usize = 1000;

/// Where calculation lines go, one by one.
pub(super) type SinkFn<'c> = dyn FnMut(&Line) -> std::io::Result<()> + 'c;

/// A ledger smaller than this per thread is read on fewer threads.
const MIN_CHUNK: u64 = 4 << 20;

/// A fast, non-cryptographic hash for the caches (keys come from the user's own files).
#[derive(Default, Clone, Copy)]
struct Fx(u64);

impl Hasher for Fx {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        for b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ *b as u64).wrapping_mul(K);
        }
    }
    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.0 = (self.0.rotate_left(5) ^ n as u64).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;

/// Raw key texts (packed, see [`super::rows::pack16`]) -> what they resolve to: open addressing, one multiply per
/// word, no memcmp. Keys are the user's own text; the table grows at half full.
struct KeyTable {
    slots: Vec<Option<([u128; 3], RawKey)>>,
    len: usize,
}

impl KeyTable {
    fn new() -> KeyTable {
        KeyTable { slots: vec![None; 64], len: 0 }
    }
    #[inline]
    fn hash(k: &[u128; 3]) -> usize {
        let w = |x: u128, m: u64| ((x as u64) ^ ((x >> 64) as u64).rotate_left(29)).wrapping_mul(m);
        let h = w(k[0], 0x9E37_79B9_7F4A_7C15) ^ w(k[1], 0xC2B2_AE3D_27D4_EB4F) ^ w(k[2], 0x1656_67B1_9E37_79F9);
        (h ^ (h >> 29)) as usize
    }
    #[inline]
    fn get(&self, k: &[u128; 3]) -> Option<RawKey> {
        let mask = self.slots.len() - 1;
        let mut i = Self::hash(k) & mask;
        loop {
            match &self.slots[i] {
                None => return None,
                Some((kk, v)) if kk[0] == k[0] && kk[1] == k[1] && kk[2] == k[2] => return Some(*v),
                Some(_) => i = (i + 1) & mask,
            }
        }
    }
    fn insert(&mut self, k: [u128; 3], v: RawKey) {
        if (self.len + 1) * 2 > self.slots.len() {
            let n = self.slots.len() * 2;
            let old = std::mem::replace(&mut self.slots, vec![None; n]);
            self.len = 0;
            for (k, v) in old.into_iter().flatten() {
                self.insert(k, v);
            }
        }
        let mask = self.slots.len() - 1;
        let mut i = Self::hash(&k) & mask;
        while let Some((kk, _)) = &self.slots[i] {
            if *kk == k {
                self.slots[i] = Some((k, v));
                return;
            }
            i = (i + 1) & mask;
        }
        self.slots[i] = Some((k, v));
        self.len += 1;
    }
}

/// The running sum of one figure: exact value, exact interval half-width (when rows state a precision), lines.
#[derive(Debug, Clone, Default)]
pub(super) struct Acc {
    pub(super) value: Exact,
    pub(super) half: Option<Exact>,
    pub(super) lines: u64,
    pub(super) unit: &'static str,
}

impl Acc {
    pub(super) fn new(unit: &'static str) -> Acc {
        Acc { unit, ..Acc::default() }
    }
    #[inline]
    pub(super) fn add(&mut self, v: Decimal, half: Option<Decimal>) {
        self.value.add(v);
        if let Some(h) = half {
            self.half.get_or_insert(Exact::ZERO).add(h);
        }
        self.lines += 1;
    }
    pub(super) fn merge(&mut self, o: &Acc) {
        self.value.merge(&o.value);
        if let Some(h) = &o.half {
            self.half.get_or_insert(Exact::ZERO).merge(h);
        }
        self.lines += o.lines;
        if self.unit.is_empty() {
            self.unit = o.unit;
        }
    }
}

/// Figure `f` among an entity's running sums, made on first use with the plan's unit.
#[inline]
fn acc_at<'a>(accs: &'a mut Vec<Acc>, f: usize, unit: &'static str) -> &'a mut Acc {
    if accs.len() <= f {
        accs.resize_with(f + 1, Acc::default);
    }
    let a = &mut accs[f];
    if a.unit.is_empty() {
        a.unit = unit;
    }
    a
}

/// Figure id -> running sum.
pub(super) type Named = BTreeMap<String, Acc>;

/// The value of one line, as [`super::line_value`] gives it (`q x K_num / K_den`, the division last, rounded half
/// away from zero to [`super::LINE_SCALE`] places) but without stripping trailing zeros, which sums do not need.
/// When `K_num / K_den` is an exact decimal (`rate`), `q x rate` is the same exact product and skips the division.
#[inline]
pub(super) fn line_value(q: Decimal, p: &Plan, rate: Option<Decimal>) -> Option<Decimal> {
    let v = match rate {
        Some(r) => q.checked_mul(r)?,
        None => q.checked_mul(p.k_num)?.checked_div(p.k_den)?,
    };
    if v.scale() <= super::LINE_SCALE {
        return Some(v);
    }
    Some(v.round_dp_with_strategy(super::LINE_SCALE, rust_decimal::RoundingStrategy::MidpointAwayFromZero))
}

/// `K_num` and `K_den` as integers with scales, for [`int_line_value`] (None when either mantissa needs more than
/// 64 bits).
pub(super) fn int_ratio(num: Decimal, den: Decimal) -> Option<(u64, u32, u64, u32)> {
    let (mn, md) = (num.mantissa(), den.mantissa());
    if mn < 0 || md <= 0 || mn > u64::MAX as i128 || md > u64::MAX as i128 {
        return None;
    }
    Some((mn as u64, num.scale(), md as u64, den.scale()))
}

/// [`line_value`] in integers for the usual case: `q x K_num / K_den` rounded half away from zero to LINE_SCALE
/// places in one step. That equals [`super::line_value`] (which divides to 28 significant digits, then rounds)
/// whenever the product is exact in a decimal (below 2^96), the value is below 10^12 (so the first rounding is
/// below 10^-16) and the exact value is not within 10^-3 of a last place of a tie; otherwise None, and the caller
/// takes the decimal path.
#[inline]
pub(super) fn int_line_value(q: Decimal, r: (u64, u32, u64, u32)) -> Option<Decimal> {
    let (mkn, skn, mkd, skd) = r;
    let mq = q.mantissa();
    if mq < 0 {
        return None;
    }
    let prod = (mq as u128).checked_mul(mkn as u128)?;
    if prod >> 96 != 0 {
        return None;
    }
    let e = super::LINE_SCALE as i64 + skd as i64 - q.scale() as i64 - skn as i64;
    let (n, d) = if e >= 0 {
        (prod.checked_mul(10u128.checked_pow(e as u32)?)?, mkd as u128)
    } else {
        (prod, (mkd as u128).checked_mul(10u128.checked_pow((-e) as u32)?)?)
    };
    let (quot, rem) = (n / d, n % d);
    if quot >= 1_000_000_000_000 * 1_000_000_000_000 {
        return None;
    }
    // Distance from a tie, in thousandths of the last place: |2 rem - d| / (2 d) > 10^-3.
    let twice = rem.checked_mul(2)?;
    let off = twice.abs_diff(d);
    if off.checked_mul(1000)? <= d {
        return None;
    }
    let v = quot + (twice > d) as u128;
    Some(Decimal::from_parts(v as u32, (v >> 32) as u32, (v >> 64) as u32, false, super::LINE_SCALE))
}

/// `K_num / K_den` when that quotient is an exact decimal, proven in integers (any overflow says "not proven").
pub(super) fn exact_rate(num: Decimal, den: Decimal) -> Option<Decimal> {
    let r = num.checked_div(den)?;
    let (mr, sr) = (r.mantissa().unsigned_abs(), r.scale());
    let (md, sd) = (den.mantissa().unsigned_abs(), den.scale());
    let (mn, sn) = (num.mantissa().unsigned_abs(), num.scale());
    let p = mr.checked_mul(md)?;
    let ps = sr + sd;
    let pow = |k: u32| 10u128.checked_pow(k);
    let equal =
        if ps >= sn { Some(p) == mn.checked_mul(pow(ps - sn)?) } else { p.checked_mul(pow(sn - ps)?) == Some(mn) };
    let sign_ok = (r.is_sign_negative() == (num.is_sign_negative() != den.is_sign_negative())) || r.is_zero();
    (equal && sign_ok).then_some(r)
}

/// Rows that share an activity, region and unit share their plans (and so their factors and fallbacks).
struct Group {
    activity: Activity,
    plans: Arc<Vec<Plan>>,
    rates: Vec<Option<Decimal>>,
    /// Plans whose lines are `q x rate` exactly for quantities of at most `pool_scale` decimal places (an exact
    /// rate below 2^32 in mantissa, with at most LINE_SCALE places in the product): their rows' quantities are
    /// summed per entity, and the sum multiplied by the rate once, when the range is merged.
    pooled: Vec<bool>,
    /// Every plan is pooled (a pooled row then only adds its quantity).
    all_pooled: bool,
    pool_scale: Option<u32>,
    /// Inexact plans' factors as integers, for [`int_line_value`].
    ints: Vec<Option<(u64, u32, u64, u32)>>,
    /// Figure index (in the tally's figure table) of each plan.
    figs: Vec<u16>,
    /// For electricity rows, the plans giving grid MWh (electricity.total) and their market-based tCO2e
    /// (scope2.market), which certificates are allocated against.
    grid_plan: Option<usize>,
    market_plan: Option<usize>,
    market: String,
    rows: u64,
    first_row: Option<Location>,
    /// The factor files its plans use.
    sets: BTreeSet<(PathBuf, String)>,
}

/// The quantities of one entity's rows in one group, summed exactly (see `Group::pooled`): mantissas of the usual
/// scale in an integer, any others (and any overflow) in an exact sum.
#[derive(Debug, Clone, Copy, Default)]
struct Pool {
    sum: Exact,
    fast: i128,
    /// The scale of `fast` plus one (0: not chosen yet).
    fast_scale: u8,
    rows: u64,
}

impl Pool {
    #[inline]
    fn add(&mut self, q: Decimal) {
        let s = q.scale() as u8 + 1;
        if self.fast_scale == 0 {
            self.fast_scale = s;
        }
        if s == self.fast_scale
            && let Some(x) = self.fast.checked_add(q.mantissa())
        {
            self.fast = x;
        } else {
            self.sum.add(q);
        }
        self.rows += 1;
    }
    /// The summed quantity times an exact rate (mantissa below 2^32, at most LINE_SCALE places with the quantities'
    /// scale): the sum of the lines `q x rate`, exactly.
    fn times(&self, r: Decimal) -> Option<Exact> {
        let (m, s) = (r.mantissa(), r.scale());
        let mut out = Exact::ZERO;
        if self.fast_scale > 0 {
            let scale = (self.fast_scale - 1) as u32 + s;
            match self.fast.checked_mul(m) {
                // The usual case: one product, no division.
                Some(p) if scale <= 28 => out.add_scaled(p, scale),
                _ => {
                    let mut e = Exact::ZERO;
                    e.add_scaled(self.fast, (self.fast_scale - 1) as u32);
                    out.merge(&e.mul_decimal(m as u64, s)?);
                }
            }
        }
        if !self.sum.is_zero() {
            out.merge(&self.sum.mul_decimal(m as u64, s)?);
        }
        Some(out)
    }
}

/// What the text of an activity, unit and region resolves to.
#[derive(Clone, Copy)]
enum RawKey {
    /// A valid combination and its group.
    Group(u32),
    /// A valid combination for which no plan could be made (the index of why, in `plan_errors`).
    Failed(u32),
    /// Invalid text, or a certificate: take the full check.
    Slow,
}

/// One range of one ledger: what it read, per entity and figure, plus everything that needs reporting.
pub(super) struct Tally<'a> {
    res: Resolver<'a>,
    year: i32,
    file: PathBuf,
    groups: Vec<Group>,
    group_of: HashMap<super::engine::PlanKey, Result<u32, Error>>,
    raw_keys: FxMap<Vec<u8>, RawKey>,
    packed_keys: KeyTable,
    plan_errors: Vec<Error>,
    key_buf: Vec<u8>,
    entity_of_raw: FxMap<Vec<u8>, u32>,
    entity_of_packed: FxMap<u128, u32>,
    last_entity: (Option<u128>, u32),
    rows_read: u64,
    entity_of_name: FxMap<String, u32>,
    entities: Vec<String>,
    figs: Vec<(String, &'static str)>,
    fig_of: HashMap<String, u16>,
    accs: Vec<Vec<Acc>>,
    /// Per entity, per group: the summed quantities of its pooled rows.
    pools: Vec<Vec<Pool>>,
    /// Per (entity, group) of electricity rows: grid MWh and market-based tCO2e, for certificates.
    grid: FxMap<(u32, u32), (Exact, Exact)>,
    warnings: Vec<Warning>,
    rejected: Vec<Error>,
    rejected_count: u64,
    certs: Vec<CertRow>,
    mwh: Unit,
    fatal: Option<Error>,
    sink_err: Option<std::io::Error>,
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

/// The 1-based column (in characters) where field `i` of the reader's record starts, counted on the fields as read
/// (as the row checks count).
fn field_column<R: Read>(rd: &RowReader<R>, i: usize) -> usize {
    1 + (0..i.min(rd.len())).map(|j| String::from_utf8_lossy(rd.field(j)).chars().count() + 1).sum::<usize>()
}

/// How a message names field `i` of a ledger.
fn field_name(cols: &Columns, i: usize) -> String {
    let req = cols.idx.iter().position(|&x| x == i).map(|k| crate::activity::REQUIRED_COLUMNS[k]);
    let opt = cols.opt.iter().position(|&x| x == Some(i)).map(|k| crate::activity::OPTIONAL_COLUMNS[k]);
    match req.or(opt) {
        Some(name) => format!("the {name} field"),
        None => format!("field {}", i + 1),
    }
}

/// A quoting mistake as a row problem.
fn quote_error(file: &Path, issue: super::rows::QuoteIssue, cols: &Columns) -> Error {
    let at = Location::at(file, issue.line as usize, Some(issue.column as usize));
    let name = field_name(cols, issue.field);
    match issue.problem {
        super::rows::QuoteProblem::TextAfterClosingQuote => Error::new(
            ErrorKind::Csv,
            format!("{name} has text after its closing quote, which CSV would silently join to the quoted text"),
        )
        .at(at)
        .hint("a quoted field ends at its closing quote: write \"123\" or 123; a quote inside quotes is doubled, as in \"5\"\" pipe\""),
        super::rows::QuoteProblem::NeverClosed => Error::new(
            ErrorKind::Csv,
            format!("the quote opening {name} is never closed, so the rest of the file would be read as one field"),
        )
        .at(at)
        .hint("close the quote or remove it; a quote inside quotes is doubled, as in \"5\"\" pipe\""),
    }
}

/// A plain quantity ("1909.06", "12", "0.5"): ASCII digits with at most one inner point, at most 18 digits; the
/// same decimal (value and scale) as [`crate::tomlx::parse_decimal`] gives. Anything else is left to the full
/// parser.
#[inline]
fn plain_quantity(b: &[u8]) -> Option<Decimal> {
    if b.is_empty() || b.len() > 19 || !b[0].is_ascii_digit() || !b[b.len() - 1].is_ascii_digit() {
        return None;
    }
    let mut m: u64 = 0;
    let mut scale = None;
    for (i, &c) in b.iter().enumerate() {
        if c.is_ascii_digit() {
            m = m * 10 + (c - b'0') as u64;
        } else if c == b'.' && scale.is_none() {
            scale = Some((b.len() - 1 - i) as u32);
        } else {
            return None;
        }
    }
    let digits = b.len() - scale.map_or(0, |_| 1);
    if digits > 18 {
        return None;
    }
    Some(Decimal::from_parts(m as u32, (m >> 32) as u32, 0, false, scale.unwrap_or(0)))
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
            sink_err: None,
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
                let grid_plan = if activity == Activity::Electricity {
                    plans.iter().position(|p| p.figure == "electricity.total")
                } else {
                    None
                };
                let market_plan = if activity == Activity::Electricity {
                    plans.iter().position(|p| p.figure == "scope2.market")
                } else {
                    None
                };
                let g = self.groups.len() as u32;
                self.groups.push(Group {
                    activity,
                    plans: Arc::new(plans),
                    rates,
                    all_pooled: pooled.iter().all(|p| *p),
                    pooled,
                    pool_scale,
                    ints,
                    figs,
                    grid_plan,
                    market_plan,
                    market: super::engine::market_of(region).to_string(),
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
            if !activity.accepts(unit.dimension()) || activity == Activity::Certificate {
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
                continue;
            }
            let Some(v) = line_value(q, p, group.rates[i]) else {
                let e = overflow(&format!("quantity {q} x factors")).at(Location::at(&self.file, line, Some(qcol())));
                self.reject(e);
                return false;
            };
            let h =
                precision.map(|pr| super::line_value(pr / Decimal::TWO, p.k_num, p.k_den).unwrap_or_default().abs());
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
        let mut vals = [Decimal::ZERO; 4];
        let mut k = 0;
        for (i, p) in group.plans.iter().enumerate() {
            if pool && group.pooled[i] {
                continue;
            }
            if k == vals.len() {
                let _ = self.apply(g, eid, q, None, at, None);
                return;
            }
            if let Some(v) = group.ints[i].and_then(|r| int_line_value(q, r)) {
                vals[k] = v;
                k += 1;
                continue;
            }
            let Some(v) = line_value(q, p, group.rates[i]) else {
                let e = overflow(&format!("quantity {q} x factors")).at(Location::at(&self.file, line, Some(qcol())));
                self.reject(e);
                return;
            };
            vals[k] = v;
            k += 1;
        }
        let group = &mut self.groups[g as usize];
        let accs = &mut self.accs[eid as usize];
        let mut k = 0;
        for i in 0..group.plans.len() {
            if pool && group.pooled[i] {
                continue;
            }
            let f = group.figs[i] as usize;
            let a = acc_at(accs, f, group.plans[i].value_unit);
            a.value.add(vals[k]);
            a.lines += 1;
            if group.grid_plan == Some(i) {
                self.grid.entry((eid, g)).or_default().0.add(vals[k]);
            } else if group.market_plan == Some(i) {
                self.grid.entry((eid, g)).or_default().1.add(vals[k]);
            }
            k += 1;
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
            group.first_row = Some(Location::at(&self.file, line, None));
        }
    }

    /// Turn the pooled quantities into line sums: for each entity and group, the summed quantity times each pooled
    /// plan's rate (exact: every line `q x rate` has at most LINE_SCALE places, so their sum is the sum of lines).
    fn settle_pools(&mut self) -> Result<(), Error> {
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
    fn record(
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
        if rec.activity == Activity::Certificate {
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
    /// then return that record's start and line. An overlay adjusts every record (and turns the fast path off);
    /// `progress` hears (bytes read, rows read) every [`super::PROGRESS_EVERY`] rows.
    fn run<R: Read>(
        &mut self,
        rd: &mut RowReader<R>,
        cols: &Columns,
        limit: u64,
        mut overlay: Option<&mut (dyn RowOverlay + '_)>,
        mut sink: Option<&mut SinkFn<'_>>,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Option<(u64, u64)> {
        let mut rec = csv::ByteRecord::new();
        let plain = sink.is_none() && overlay.is_none();
        let file = self.file.clone();
        loop {
            match rd.next() {
                Ok(true) => {}
                Ok(false) => return None,
                Err(e) => {
                    self.fatal = Some(read_error(&self.file, &e, rd.line()));
                    return None;
                }
            }
            if rd.start() >= limit {
                return Some((rd.start(), rd.line()));
            }
            if rd.is_blank() {
                continue;
            }
            self.rows_read += 1;
            if self.rows_read.is_multiple_of(super::PROGRESS_EVERY) {
                progress(rd.start(), self.rows_read);
            }
            if let Some(issue) = rd.quote_issue() {
                let e = quote_error(&self.file, issue, cols);
                self.reject(e);
                continue;
            }
            if plain && self.fast(rd, cols) {
                continue;
            }
            rd.to_record(&mut rec);
            match check_record(&self.file, rd.line() as usize, cols, &rec) {
                Ok(mut r) => {
                    if let Some(o) = overlay.as_deref_mut() {
                        o.adjust(&mut r);
                    }
                    let line = rd.line() as usize;
                    let at = |f: usize| Location::at(&file, line, Some(field_column(rd, f)));
                    self.record(r, cols, &at, sink.as_deref_mut());
                }
                Err(e) if e.kind == ErrorKind::Encoding && e.message.contains("GBK") => {
                    self.fatal = Some(gbk_file(e));
                    return None;
                }
                Err(e) => self.reject(e),
            }
        }
    }

    /// Read the rows of a worksheet (see [`crate::sheet`]); its rows have no fast path.
    fn run_sheet(
        &mut self,
        sheet: &mut crate::sheet::SheetLedger,
        mut overlay: Option<&mut (dyn RowOverlay + '_)>,
        mut sink: Option<&mut SinkFn<'_>>,
        progress: &mut dyn FnMut(u64, u64),
    ) {
        // Spreadsheet rows are located by their row (their cells by the sheet reader's own checks).
        let cols = Columns { idx: [0, 1, 2, 3, 4, 5], ..Columns::default() };
        while let Some(item) = sheet.next_record() {
            if sheet.rows_read.is_multiple_of(super::PROGRESS_EVERY) {
                progress(sheet.progress().0, sheet.rows_read);
            }
            match item {
                Err(e) => self.reject(e),
                Ok(mut r) => {
                    if let Some(o) = overlay.as_deref_mut() {
                        o.adjust(&mut r);
                    }
                    let row = r.source.clone();
                    self.record(r, &cols, &|_| row.clone(), sink.as_deref_mut());
                }
            }
        }
        self.rows_read = sheet.rows_read;
    }
}

/// A period written plainly as `YYYY-MM` or `YYYY` (the common cases), else the full parser.
#[inline]
fn fast_period(b: &[u8]) -> Option<Period> {
    let digit = |i: usize| b[i].is_ascii_digit();
    let year = |b: &[u8]| {
        (b[0] - b'0') as i32 * 1000 + (b[1] - b'0') as i32 * 100 + (b[2] - b'0') as i32 * 10 + (b[3] - b'0') as i32
    };
    if b.len() == 7 && digit(0) && digit(1) && digit(2) && digit(3) && b[4] == b'-' && digit(5) && digit(6) {
        let m = (b[5] - b'0') * 10 + (b[6] - b'0');
        return (1..=12).contains(&m).then(|| Period { year: year(b), part: m });
    }
    if b.len() == 4 && digit(0) && digit(1) && digit(2) && digit(3) {
        return Some(Period { year: year(b), part: 0 });
    }
    Period::parse(std::str::from_utf8(b).ok()?)
}

fn out_of_period(period: Period, year: i32, at: Location) -> Error {
    Error::new(ErrorKind::OutOfPeriod, format!("period {period} is outside the inventory year {year}"))
        .at(at)
        .hint("move the row to the inventory of its year, or correct the period")
}

/// An undeclared GBK ledger is refused as a whole: reading it as UTF-8 would reject every row with Chinese text and
/// keep the others, which would quietly change the figures.
fn gbk_file(e: Error) -> Error {
    Error::new(
        ErrorKind::Encoding,
        "the ledger is not UTF-8: it looks like GBK/GB18030 (a Chinese spreadsheet export); no row of it was used",
    )
    .at(e.location.unwrap_or_else(|| Location::file("")))
    .hint("rerun with --encoding gbk, or save the file as UTF-8 (Excel: Save As > CSV UTF-8)")
}

/// What reading all ledgers gave, merged in file order.
#[derive(Default)]
pub(super) struct Merged {
    pub(super) by_entity: BTreeMap<String, Named>,
    /// Grid use by (market, entity): MWh and market-based tCO2e of electricity rows.
    pub(super) grid: BTreeMap<(String, String), (Exact, Exact)>,
    pub(super) fallbacks: BTreeMap<(String, String, Activity, String, String, String), Fallback>,
    pub(super) warnings: Vec<Warning>,
    pub(super) rejected: Vec<Error>,
    pub(super) rejected_count: u64,
    pub(super) certs: Vec<CertRow>,
    pub(super) rows_read: u64,
    pub(super) sets_used: BTreeSet<(PathBuf, String)>,
    pub(super) sink_err: Option<std::io::Error>,
}

impl Merged {
    /// Add one range's tally; `lines_before` is the number of lines of its file before the range (0 for the first).
    fn absorb(&mut self, mut t: Tally<'_>, lines_before: u64) -> Result<(), Error> {
        t.settle_pools()?;
        let file = t.file.clone();
        let fix = |l: &mut Location| {
            if lines_before > 0
                && l.file == file
                && let Some(line) = l.line.as_mut()
            {
                *line += lines_before as usize;
            }
        };
        if let Some(mut e) = t.fatal {
            if let Some(l) = e.location.as_mut() {
                fix(l);
            }
            return Err(e);
        }
        self.rows_read += t.rows_read;
        for (e, accs) in t.entities.iter().zip(&t.accs) {
            if accs.iter().all(|a| a.lines == 0) {
                continue; // every row of it was rejected
            }
            let named = self.by_entity.entry(e.clone()).or_default();
            for (f, a) in accs.iter().enumerate() {
                if a.lines == 0 {
                    continue;
                }
                let (id, unit) = &t.figs[f];
                named.entry(id.clone()).or_insert_with(|| Acc::new(unit)).merge(a);
            }
        }
        for g in &t.groups {
            if g.rows == 0 {
                continue;
            }
            self.sets_used.extend(g.sets.iter().cloned());
            let Some(mut first) = g.first_row.clone() else { continue };
            fix(&mut first);
            for p in g.plans.iter() {
                for fb in &p.fallbacks {
                    let k = (
                        fb.kind.to_string(),
                        fb.choice.clone(),
                        g.activity,
                        fb.wanted.clone(),
                        fb.used.clone(),
                        fb.factor.to_string(),
                    );
                    let entry = self.fallbacks.entry(k).or_insert_with(|| Fallback {
                        kind: fb.kind,
                        choice: fb.choice.clone(),
                        activity: g.activity,
                        wanted: fb.wanted.clone(),
                        used: fb.used.clone(),
                        factor: fb.factor.clone(),
                        rows: 0,
                        first_row: first.clone(),
                    });
                    entry.rows += g.rows;
                    if entry.first_row.file == first.file && entry.first_row.line > first.line {
                        entry.first_row = first.clone();
                    }
                }
            }
        }
        let mut parts: Vec<_> = t.grid.iter().collect();
        parts.sort_by_key(|(k, _)| **k);
        for ((eid, gid), (m, mt)) in parts {
            let key = (t.groups[*gid as usize].market.clone(), t.entities[*eid as usize].clone());
            let e = self.grid.entry(key).or_default();
            e.0.merge(m);
            e.1.merge(mt);
        }
        for w in t.warnings {
            if !self.warnings.contains(&w) {
                self.warnings.push(w);
            }
        }
        for mut e in t.rejected {
            if let Some(l) = e.location.as_mut() {
                fix(l);
            }
            if self.rejected.len() < MAX_KEPT_REJECTED {
                self.rejected.push(e);
            }
        }
        self.rejected_count += t.rejected_count;
        for mut c in t.certs {
            fix(&mut c.rec.source);
            self.certs.push(c);
        }
        if self.sink_err.is_none() {
            self.sink_err = t.sink_err;
        }
        Ok(())
    }
}

/// A reader that hashes what passes through it.
struct HashingReader<R> {
    inner: R,
    hasher: sha2::Sha256,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use sha2::Digest;
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Lowercase hex SHA-256 of a whole file, read in large blocks.
fn hash_file(path: &Path) -> Result<String, Error> {
    use sha2::Digest;
    let mut f = std::fs::File::open(path).map_err(|e| Error::io(path, &e))?;
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).map_err(|e| Error::io(path, &e))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex(&h.finalize()))
}

/// How many threads to read a file of `size` bytes with.
fn threads_for(size: u64, opt: &ReadOptions) -> usize {
    let want =
        if opt.threads == 0 { std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1) } else { opt.threads };
    let chunk = if opt.chunk_bytes == 0 { MIN_CHUNK } else { opt.chunk_bytes };
    want.clamp(1, 64).min((size / chunk).max(1) as usize)
}

/// Line starts near `k/n` of the file at which to split it: right after a newline, at a byte that is not itself
/// a line end (so the line there is not blank).
fn split_points(path: &Path, size: u64, n: usize) -> Vec<u64> {
    let mut out = Vec::new();
    let Ok(mut f) = std::fs::File::open(path) else { return out };
    let mut buf = vec![0u8; 1 << 16];
    for k in 1..n {
        let nominal = size / n as u64 * k as u64;
        if f.seek(SeekFrom::Start(nominal)).is_err() {
            break;
        }
        let Ok(got) = read_full(&mut f, &mut buf) else { break };
        let w = &buf[..got];
        let mut found = None;
        for i in memchr::memchr_iter(b'\n', w) {
            if let Some(&next) = w.get(i + 1)
                && next != b'\n'
                && next != b'\r'
            {
                found = Some(nominal + i as u64 + 1);
                break;
            }
        }
        match found {
            Some(b) if out.last().is_none_or(|l| *l < b) => out.push(b),
            _ => {}
        }
    }
    out
}

fn read_full(f: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        let k = f.read(&mut buf[n..])?;
        if k == 0 {
            break;
        }
        n += k;
    }
    Ok(n)
}

/// One range's result.
struct Part<'a> {
    tally: Tally<'a>,
    /// The record that crossed its end (absolute start, and its line counted from the range's start), if any.
    stopped: Option<(u64, u64)>,
}

/// A failed read as a problem of the file: bytes invalid in the declared encoding are located and explained.
fn read_error(file: &Path, e: &std::io::Error, line: u64) -> Error {
    if let Some(d) = e.get_ref().and_then(|x| x.downcast_ref::<crate::encoding::DecodeError>()) {
        return Error::new(ErrorKind::Encoding, format!("these bytes are not valid {} text", d.encoding))
            .at(Location::at(file, d.line as usize, Some(d.column as usize)))
            .hint("check --encoding: GB18030 reads everything GBK does and more; a UTF-8 file needs no option");
    }
    Error::io(file, e)
        .at(Location::at(file, line.max(1) as usize, None))
        .hint("check that the file is complete and readable")
}

/// Read the header of a ledger from `rd`.
fn header<R: Read>(file: &Path, rd: &mut RowReader<R>) -> Result<Columns, Error> {
    rd.skip_bom().map_err(|e| read_error(file, &e, 1))?;
    let got = rd.next().map_err(|e| read_error(file, &e, 1))?;
    let mut rec = csv::ByteRecord::new();
    rd.to_record(&mut rec);
    header_columns(file, got.then_some(&rec))
}

/// Where a ledger's rows come from.
pub(super) enum Source {
    /// The file named (CSV, or a spreadsheet by its extension).
    File,
    /// CSV text held in memory (rows a scenario adds), named by the file name.
    Text(String),
}

/// Read one ledger into `out`, returning its SHA-256. Errors that stop the file (unreadable, bad header, an
/// undeclared GBK file) are returned; row problems are counted in `out`. `progress` hears (work done, work in all,
/// rows read in this ledger), exactly at the end.
#[allow(clippy::too_many_arguments)]
pub(super) fn scan_source<'a>(
    inv: &'a Inventory,
    lib: &'a FactorLibrary,
    file: &Path,
    source: Source,
    opt: &ReadOptions,
    overlay: Option<&mut (dyn RowOverlay + '_)>,
    sink: Option<&mut SinkFn<'_>>,
    progress: &mut dyn FnMut(u64, u64, u64),
    out: &mut Merged,
) -> Result<String, Error> {
    match source {
        Source::Text(text) => {
            let size = text.len() as u64;
            let hr = HashingReader { inner: std::io::Cursor::new(text.into_bytes()), hasher: sha2::Sha256::default() };
            let mut rd = RowReader::new(hr);
            let cols = header(file, &mut rd)?;
            let mut t = Tally::new(inv, lib, file);
            t.run(&mut rd, &cols, u64::MAX, overlay, sink, &mut |done, rows| progress(done, size, rows));
            let rows = t.rows_read;
            out.absorb(t, 0)?;
            progress(size, size, rows);
            Ok(hex(&sha2::Digest::finalize(rd.into_inner().hasher)))
        }
        Source::File if crate::sheet::is_spreadsheet(file) => {
            let mut sheet = crate::sheet::SheetLedger::open(file)?;
            let mut t = Tally::new(inv, lib, file);
            t.run_sheet(&mut sheet, overlay, sink, &mut |done, rows| progress(done, sheet_total(done), rows));
            let rows = t.rows_read;
            out.absorb(t, 0)?;
            let (done, total) = sheet.progress();
            progress(done, total, rows);
            Ok(sheet.sha256().to_string())
        }
        Source::File => scan_file(inv, lib, file, opt, overlay, sink, progress, out),
    }
}

/// A sheet's total work is only known to the sheet; mid-run reports say "at least this much".
fn sheet_total(done: u64) -> u64 {
    done
}

/// Read one CSV ledger file (see [`scan_source`]).
#[allow(clippy::too_many_arguments)]
fn scan_file<'a>(
    inv: &'a Inventory,
    lib: &'a FactorLibrary,
    file: &Path,
    opt: &ReadOptions,
    overlay: Option<&mut (dyn RowOverlay + '_)>,
    sink: Option<&mut SinkFn<'_>>,
    progress: &mut dyn FnMut(u64, u64, u64),
    out: &mut Merged,
) -> Result<String, Error> {
    let size = std::fs::metadata(file).map_err(|e| Error::io(file, &e))?.len();
    let threads = threads_for(size, opt);
    if sink.is_some() || overlay.is_some() || opt.encoding != Encoding::Utf8 || threads < 2 {
        return scan_sequential(inv, lib, file, opt, overlay, sink, progress, out);
    }
    let points = split_points(file, size, threads);
    if points.is_empty() {
        return scan_sequential(inv, lib, file, opt, None, None, progress, out);
    }
    let f = std::fs::File::open(file).map_err(|e| Error::io(file, &e))?;
    let mut first = RowReader::new(f);
    let cols = header(file, &mut first)?;
    let mut bounds = points.clone();
    bounds.push(u64::MAX);
    let parts_n = (points.len() + 1) as u64;
    let (parts, hash) = std::thread::scope(|s| {
        let hasher = s.spawn(|| hash_file(file));
        let mut handles = Vec::new();
        for k in 0..points.len() {
            let (start, end) = (bounds[k], bounds[k + 1]);
            let cols = &cols;
            handles.push(s.spawn(move || -> Result<Part<'a>, Error> {
                let mut f = std::fs::File::open(file).map_err(|e| Error::io(file, &e))?;
                f.seek(SeekFrom::Start(start)).map_err(|e| Error::io(file, &e))?;
                let mut rd = RowReader::new(f);
                let mut t = Tally::new(inv, lib, file);
                let stopped = t.run(&mut rd, cols, end.saturating_sub(start), None, None, &mut |_, _| {});
                Ok(Part { tally: t, stopped: stopped.map(|(at, line)| (start + at, line)) })
            }));
        }
        // The first range, on this thread, which also reports progress: the other ranges go at about its pace,
        // so its share times the number of ranges estimates the whole (the report at the end is exact).
        let mut t = Tally::new(inv, lib, file);
        let share = |x: u64| x.saturating_mul(parts_n);
        let stopped = t.run(&mut first, &cols, bounds[0], None, None, &mut |done, rows| {
            progress(share(done).min(size), size, share(rows))
        });
        let mut parts = vec![Ok(Part { tally: t, stopped })];
        for h in handles {
            parts.push(h.join().unwrap_or_else(|_| Err(Error::new(ErrorKind::Io, "a reading thread failed"))));
        }
        let hash = hasher.join().unwrap_or_else(|_| Err(Error::new(ErrorKind::Io, "the hashing thread failed")));
        (parts, hash)
    });
    let hash = hash?;
    let mut ok_parts = Vec::new();
    for p in parts {
        ok_parts.push(p?);
    }
    // Verify every split: the range before it must have stopped at a record starting exactly there. (Otherwise
    // the split fell inside a quoted field: read the file again on one thread; nothing of it was merged yet.)
    let valid = ok_parts.iter().zip(&points).all(|(p, &b)| match p.stopped {
        Some((at, _)) => at == b,
        None => p.tally.fatal.is_some(),
    });
    if !valid {
        return scan_sequential(inv, lib, file, opt, None, None, progress, out);
    }
    let rows_before = out.rows_read;
    let mut lines_before = 0;
    for p in ok_parts {
        let n = p.stopped.map(|(_, line)| line - 1).unwrap_or(0);
        out.absorb(p.tally, lines_before)?;
        lines_before += n;
    }
    progress(size, size, out.rows_read - rows_before);
    Ok(hash)
}

/// Read one CSV ledger on this thread, in order (lines for a sink, an overlay, declared encodings, small files).
#[allow(clippy::too_many_arguments)]
fn scan_sequential<'a>(
    inv: &'a Inventory,
    lib: &'a FactorLibrary,
    file: &Path,
    opt: &ReadOptions,
    overlay: Option<&mut (dyn RowOverlay + '_)>,
    sink: Option<&mut SinkFn<'_>>,
    progress: &mut dyn FnMut(u64, u64, u64),
    out: &mut Merged,
) -> Result<String, Error> {
    let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    let f = std::fs::File::open(file).map_err(|e| Error::io(file, &e))?;
    let hr = HashingReader { inner: f, hasher: <sha2::Sha256 as sha2::Digest>::new() };
    let mut t = Tally::new(inv, lib, file);
    let mut report = |done: u64, rows: u64| progress(done.min(size), size, rows);
    let hasher = if opt.encoding == Encoding::Utf8 {
        let mut rd = RowReader::new(hr);
        let cols = header(file, &mut rd)?;
        t.run(&mut rd, &cols, u64::MAX, overlay, sink, &mut report);
        let rows = t.rows_read;
        out.absorb(t, 0)?;
        progress(size, size, rows);
        let mut hr = rd.into_inner();
        // Hash whatever the reader did not need (nothing, normally).
        let _ = std::io::copy(&mut hr, &mut std::io::sink());
        hr.hasher
    } else {
        // Progress counts decoded bytes here; close enough for a bar, exact at the end.
        let mut rd = RowReader::new(DecodingReader::new(hr, opt.encoding));
        let cols = header(file, &mut rd)?;
        t.run(&mut rd, &cols, u64::MAX, overlay, sink, &mut report);
        let rows = t.rows_read;
        out.absorb(t, 0)?;
        progress(size, size, rows);
        let mut hr = rd.into_inner().into_inner();
        let _ = std::io::copy(&mut hr, &mut std::io::sink());
        hr.hasher
    };
    Ok(hex(&sha2::Digest::finalize(hasher)))
}

/// The MWh unit (for certificates).
pub(super) fn mwh_unit() -> Result<Unit, Error> {
    Unit::parse(MWH).map_err(|e| Error::new(ErrorKind::UnknownUnit, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn plain_quantities_parse_like_the_full_parser() {
        for s in ["0", "12", "1909.06", "0.50", "007", "123456789012345678", "1.00000000000000001", "99999999.99"] {
            let fast = plain_quantity(s.as_bytes()).expect("plain");
            let full = crate::tomlx::parse_decimal(s).expect("valid");
            assert_eq!((fast.mantissa(), fast.scale()), (full.mantissa(), full.scale()), "{s}");
        }
        for s in ["", ".5", "5.", "1,000", "-1", "+1", "1e3", " 1", "1.2.3", "1234567890123456789"] {
            assert_eq!(plain_quantity(s.as_bytes()), None, "{s}");
        }
    }

    #[test]
    fn integer_line_values_equal_the_decimal_ones() {
        let d = |s: &str| Decimal::from_str(s).expect("decimal");
        // K of real plans: combustion (x 44 / 12), kWh to MWh, a GJ/t NCV route, and awkward divisors.
        let ks = [
            ("35.10067176", "12"),
            ("1.93176", "3600"),
            ("3.512496", "12"),
            ("1", "7"),
            ("22.3", "3.6"),
            ("0.000123", "97"),
            ("1234567.891", "12000"),
        ];
        let mut seed = 3u64;
        let mut checked = 0;
        for (kn, kd) in ks {
            let (kn, kd) = (d(kn), d(kd));
            let r = int_ratio(kn, kd).expect("small");
            for _ in 0..20000 {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let q = Decimal::new(((seed >> 20) % 10_000_000_000) as i64, ((seed >> 8) % 5) as u32);
                let want = super::super::line_value(q, kn, kd).expect("fits");
                if let Some(got) = int_line_value(q, r) {
                    assert_eq!(got, want, "{q} x {kn} / {kd}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 130_000, "the integer path is taken nearly always: {checked}");
    }

    #[test]
    fn exact_rates_are_proven_and_inexact_ones_refused() {
        let d = |s: &str| Decimal::from_str(s).expect("decimal");
        assert_eq!(exact_rate(d("0.5366"), d("1")), Some(d("0.5366")));
        // kWh -> MWh: 3.6 x 0.5366 / 3600 = 0.0005366 exactly.
        assert_eq!(exact_rate(d("1.93176"), d("3600")), Some(d("0.0005366")));
        // 44/12 does not terminate; its 28-digit quotient x 12 rounds back to 44 in Decimal, which must not fool us.
        assert_eq!(exact_rate(d("44"), d("12")), None);
        assert_eq!(exact_rate(d("1"), d("3")), None);
        assert_eq!(exact_rate(d("35.10067176"), d("12")), Some(d("2.92505598")));
    }
}
