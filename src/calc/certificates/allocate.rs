//! The allocation of certificate rows to the grid electricity they cover, one function per step:
//! [`read_rows`] (supplier factors), [`rank`] (the allocation order), [`quality`] (Scope 2 Quality Criteria 3
//! and 4), [`pool_of`] (which grid electricity a row may cover, Quality Criterion 5), [`cover`] (how much of it
//! each row covers, in rank order, and the excess), [`State::spread`] (the exact shares of a row, or of rows
//! spread together, and what they deduct), [`Tally`] (coverage per market, per certificate, per entity).
//!
//! The rule, which does not depend on the order of the ledger rows: rows are allocated one after another in rank
//! order. Rows of an entity that uses grid electricity (its own purchases) come before company-level rows; within
//! each, zero-emission instruments (no supplier factor) come before supplier-specific ones, lower supplier factor
//! first; then earlier vintage, certificate id, instrument, entity, market, quantity, period; the file and line
//! of the row decide only between rows that are otherwise identical. Each row covers what earlier rows left
//! uncovered in its pool; what it cannot cover is its excess. A company-level row under the pro-rata rule is
//! spread over its pool in proportion to each entity's uncovered MWh at that point; company-level pro-rata rows
//! priced alike (one market, one supplier factor) that follow one another in this order are spread together:
//! their covered MWh at once, in proportion to the uncovered MWh, and each row's MWh then go to the entities in
//! rank and entity order. This changes no entity's figures beyond the 10^-12 rounding (the rows are priced
//! alike), and the shares number at most entities + rows instead of entities x rows.
//!
//! Exactness: the shares of one row are its covered MWh split by largest remainder at 10^-12 MWh, so they add up
//! to it exactly and a row that covers its pool fully gives every entity exactly its uncovered MWh. The row's
//! deduction in each market is its covered MWh x the residual factor, rounded once to 10^-12 tCO2e and split the
//! same way over its shares; a share that covers the last uncovered MWh of an entity deducts exactly what is left
//! of that entity's residual tCO2e, so full coverage leaves exactly 0 (the two can differ by the 10^-12 rounding
//! of the entity's own ledger lines). A PPA's supplier-factor emissions are its covered MWh x supplier factor,
//! split the same way.
//!
//! Memory: the shares are not kept. [`allocate`] computes them once for the figures and summaries; the lines of
//! every share are made again, group by group, while [`CertLines`] is iterated, so memory stays O(entities +
//! certificates) however many shares there are (their number, and so the time and the lines written, reaches
//! entities x rows only when every company-level row has its own supplier factor).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use rust_decimal::Decimal;

use super::split::{decimal, split, units};
use super::{
    Allocation, CertOutcome, CertRow, EntityCoverage, GridMap, MarketCoverage, Scope2Report, check, instrument_name,
    month_text, months, parse_supplier_factor, parse_vintage, residual_plan,
};
use crate::activity::{Activity, ActivityRecord};
use crate::calc::engine::{MWH, Resolver, T_CO2E, market_of};
use crate::calc::{Line, Warning, line_value};
use crate::error::{Error, ErrorKind, Location};
use crate::figure::{ACTIVITY_PREFIX, ELECTRICITY_RENEWABLE, SCOPE2_MARKET};
use crate::inventory::{AllocationRule, CertificatePolicy};
use crate::units::Unit;

/// The rule in a sentence, shown in every deduction line (and so in `ghg explain ... scope2.market`).
pub const RULE: &str = "own-entity rows before company-level rows; zero-emission before supplier factors, lowest first; then vintage, certificate id, instrument, entity, market, quantity, period, row; company-level rows priced alike are spread pro rata together";

/// A certificate row with its supplier factor, and whether it is its entity's own purchase.
struct Ranked {
    row: CertRow,
    supplier: Option<Decimal>,
    own: bool,
}

/// How a row's covered MWh reach entities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// The row's entity uses grid electricity: it covers that entity's.
    Own,
    /// A company-level row, spread over every entity with grid electricity by uncovered MWh.
    ProRata,
    /// A company-level row, all to the entity `allocate_to` names.
    Named,
}

impl Rule {
    fn name(self) -> &'static str {
        match self {
            Rule::Own => "own entity",
            Rule::ProRata => "pro rata",
            Rule::Named => "named",
        }
    }
}

/// The grid electricity a row may cover: one market or any, one entity or every entity.
#[derive(Debug, Clone)]
struct Pool {
    market: Option<String>,
    entity: Option<String>,
}

impl Pool {
    fn contains(&self, (m, e): &(String, String)) -> bool {
        self.market.as_ref().is_none_or(|x| x == m) && self.entity.as_ref().is_none_or(|x| x == e)
    }
}

/// A row that covers grid electricity, with all that is needed to make its shares again.
struct Cover {
    rec: ActivityRecord,
    supplier: Option<Decimal>,
    rule: Rule,
    pool: Pool,
    /// Uncovered MWh of the pool when the row's turn came.
    pool_mwh: Decimal,
    /// MWh covered (at most the pool's uncovered MWh).
    covered: Decimal,
    instrument: String,
    /// The instrument as named in formulas.
    what: String,
    /// The row's place in the allocation order (1-based).
    rank: usize,
    /// The row's own quantity lines (activity.certificate).
    quantity_lines: Vec<Line>,
    /// The rows spread together with it (see [`State::spread`]): the pool's uncovered MWh before them,
    /// the MWh they cover together, how many they are.
    batch: (Decimal, Decimal, usize),
}

/// One share of one row: the grid electricity (by index), MWh covered, uncovered MWh before, tCO2e deducted
/// (when market-based scope 2 is computed) and supplier-factor tCO2e added (for a PPA).
struct Share {
    at: usize,
    units: u128,
    mwh: Decimal,
    before: Decimal,
    deducted: Option<Decimal>,
    added: Option<Decimal>,
}

/// The residual factor of a market as K_num / K_den with its factors and formula.
type Residual = (Decimal, Decimal, Arc<Vec<crate::calc::UsedFactor>>, Arc<str>);

/// The uncovered grid electricity while rows are allocated: per (market, entity), MWh and residual tCO2e.
#[derive(Clone)]
struct State {
    keys: Arc<Vec<(String, String)>>,
    left: Vec<(Decimal, Decimal)>,
    residuals: BTreeMap<String, Option<Residual>>,
}

/// A located overflow of the allocation.
fn too_big(what: &str, at: &Location) -> Error {
    Error::new(ErrorKind::Overflow, format!("{what} is too large to allocate certificates exactly"))
        .at(at.clone())
        .hint("check the quantity and unit of the electricity and certificate rows: certificates are allocated exactly up to 10^26 MWh of grid electricity in all")
}

impl State {
    fn new(grid: &GridMap) -> State {
        State {
            keys: Arc::new(grid.keys().cloned().collect()),
            left: grid.values().map(|g| (g.mwh, g.market_t)).collect(),
            residuals: BTreeMap::new(),
        }
    }

    /// The indices of the pool's grid electricity still uncovered.
    fn live(&self, pool: &Pool) -> Vec<usize> {
        self.span(pool).filter(|i| self.left[*i].0 > Decimal::ZERO && pool.contains(&self.keys[*i])).collect()
    }

    /// The indices where a pool's grid electricity can be (the keys are sorted by market, then entity), so that
    /// a row of one entity looks at one place, not at every entity.
    fn span(&self, pool: &Pool) -> std::ops::Range<usize> {
        let Some(m) = &pool.market else { return 0..self.keys.len() };
        let lo = self.keys.partition_point(|(k, _)| k < m);
        let hi = lo + self.keys[lo..].partition_point(|(k, _)| k == m);
        match &pool.entity {
            None => lo..hi,
            Some(e) => {
                let i = lo + self.keys[lo..hi].partition_point(|(_, k)| k < e);
                i..(i + 1).min(hi)
            }
        }
    }

    /// The markets of a pool's uncovered grid electricity.
    fn markets(&self, pool: &Pool) -> BTreeSet<String> {
        match &pool.market {
            Some(m) if !self.live(pool).is_empty() => BTreeSet::from([m.clone()]),
            Some(_) => BTreeSet::new(),
            None => self.live(pool).into_iter().map(|i| self.keys[i].0.clone()).collect(),
        }
    }

    /// Uncovered MWh of a pool.
    fn pool_mwh(&self, pool: &Pool, at: &Location) -> Result<Decimal, Error> {
        self.live(pool).iter().try_fold(Decimal::ZERO, |a, i| {
            a.checked_add(self.left[*i].0).ok_or_else(|| too_big("the uncovered grid electricity of the pool", at))
        })
    }

    /// The shares of rows spread together, in rank order (one row, or company-level pro-rata rows priced alike:
    /// one market, one supplier factor), and what they deduct and add; the uncovered electricity goes down by
    /// them. Their covered MWh together are spread over the pool once, in proportion to the uncovered MWh, and
    /// each row's MWh then go to the entities in rank and entity order, so there are at most entities + rows
    /// shares, not entities x rows.
    fn spread(&mut self, covers: &[Cover]) -> Result<Vec<Vec<Share>>, Error> {
        let Some(first) = covers.first() else { return Ok(Vec::new()) };
        let at = &first.rec.source;
        let live = self.live(&first.pool);
        let weights = self.weights(&live, at)?;
        let need: Vec<u128> = covers
            .iter()
            .map(|c| units(c.covered).ok_or_else(|| too_big("the certificate's MWh", &c.rec.source)))
            .collect::<Result<_, _>>()?;
        let total =
            need.iter().try_fold(0u128, |a, n| a.checked_add(*n)).ok_or_else(|| too_big("the covered MWh", at))?;
        let mut to_entity =
            split(total, &weights).ok_or_else(|| too_big("the uncovered grid electricity of the pool", at))?;
        let mut all = Vec::with_capacity(covers.len());
        let mut e = 0;
        for (c, mut n) in covers.iter().zip(need) {
            let mut shares = Vec::new();
            while n > 0 && e < live.len() {
                let take = n.min(to_entity[e]);
                if take > 0 {
                    shares.push(self.share(live[e], take, &c.rec.source)?);
                    n -= take;
                    to_entity[e] -= take;
                }
                if to_entity[e] == 0 {
                    e += 1;
                }
            }
            all.push(shares);
        }
        for (c, shares) in covers.iter().zip(&mut all) {
            self.price(c, shares)?;
        }
        Ok(all)
    }

    /// The uncovered MWh of grid electricity, in units of 10^-12 MWh.
    fn weights(&self, live: &[usize], at: &Location) -> Result<Vec<u128>, Error> {
        live.iter()
            .map(|i| units(self.left[*i].0))
            .collect::<Option<Vec<u128>>>()
            .ok_or_else(|| too_big("the uncovered grid electricity of an entity", at))
    }

    /// A share of `u` units of grid electricity `i`.
    fn share(&self, i: usize, u: u128, at: &Location) -> Result<Share, Error> {
        let mwh = decimal(u).ok_or_else(|| too_big("a share", at))?;
        Ok(Share { at: i, units: u, mwh, before: self.left[i].0, deducted: None, added: None })
    }

    /// What a row's shares deduct and add; the uncovered electricity goes down by them. Per market, the
    /// deduction and the supplier-factor emissions are each computed once on the MWh the row covers there and
    /// split over its shares in proportion to their MWh.
    fn price(&mut self, c: &Cover, shares: &mut [Share]) -> Result<(), Error> {
        let at = &c.rec.source;
        let markets: BTreeSet<String> = shares.iter().map(|s| self.keys[s.at].0.clone()).collect();
        for m in markets {
            let idx: Vec<usize> = (0..shares.len()).filter(|k| self.keys[shares[*k].at].0 == m).collect();
            let w: Vec<u128> = idx.iter().map(|k| shares[*k].units).collect();
            let sum = idx.iter().try_fold(Decimal::ZERO, |a, k| a.checked_add(shares[*k].mwh));
            let sum = sum.ok_or_else(|| too_big("the covered MWh", at))?;
            let spread_over = |v: Option<Decimal>| -> Result<Vec<Decimal>, Error> {
                let v = v.ok_or_else(|| too_big("covered MWh x factor", at))?;
                let t = units(v).ok_or_else(|| too_big("covered MWh x factor", at))?;
                let p = split(t, &w).ok_or_else(|| too_big("the covered MWh", at))?;
                p.into_iter()
                    .map(|u| decimal(u).ok_or_else(|| too_big("a share of covered MWh x factor", at)))
                    .collect()
            };
            if let Some(Some((kn, kd, _, _))) = self.residuals.get(&m) {
                for (k, d) in idx.iter().zip(spread_over(line_value(sum, *kn, *kd))?) {
                    shares[*k].deducted = Some(d);
                }
            }
            if let Some(sf) = c.supplier {
                for (k, a) in idx.iter().zip(spread_over(line_value(sum, sf, Decimal::ONE))?) {
                    shares[*k].added = Some(a);
                }
            }
        }
        for s in shares.iter_mut() {
            let (mwh_left, t_left) = &mut self.left[s.at];
            *mwh_left -= s.mwh;
            if let Some(d) = &mut s.deducted {
                // The last uncovered MWh take what is left of the residual tCO2e; never more than is left.
                *d = if mwh_left.is_zero() { *t_left } else { (*d).min(*t_left) };
                *t_left -= *d;
            }
        }
        Ok(())
    }
}

/// A unit of allocation: one row, or company-level pro-rata rows priced alike spread together.
type Step = Vec<Cover>;

/// A row placed in the allocation order: its rank, the row, its pool and rule.
type Placed = (usize, Ranked, Pool, Rule);

/// Step 1: each row's supplier factor (a bad one rejects the row) and whether it is its entity's own purchase.
fn read_rows(certs: Vec<CertRow>, with_grid: &BTreeSet<&str>, out: &mut CertOutcome) -> Vec<Ranked> {
    let mut rows = Vec::with_capacity(certs.len());
    for row in certs {
        let at = row.rec.source.clone();
        let supplier = match row.rec.supplier_factor.as_deref().map(parse_supplier_factor) {
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
        let own = with_grid.contains(row.rec.entity.as_str());
        rows.push(Ranked { row, supplier, own });
    }
    rows
}

/// Step 2: the allocation order (see the module's rule); the ledger's row order plays no part except between
/// rows identical in everything else.
fn rank(mut rows: Vec<Ranked>) -> Vec<Ranked> {
    rows.sort_by_cached_key(|r| {
        let rec = &r.row.rec;
        let vintage = rec.vintage.as_deref().and_then(parse_vintage);
        let id = rec.certificate_id.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        (
            !r.own,
            r.supplier.is_some(),
            r.supplier,
            (vintage.is_none(), vintage, rec.vintage.clone()),
            (id.is_none(), id),
            instrument_name(rec.instrument.as_deref()),
            rec.entity.clone(),
            rec.region.clone(),
            (r.row.mwh, rec.quantity.value, rec.quantity.unit.symbol().to_string()),
            (rec.period, rec.precision, rec.supplier_factor.clone()),
            (rec.source.file.clone(), rec.source.sheet.as_ref().map(|s| s.to_string()), rec.source.line),
            rec.source.column,
        )
    });
    rows
}

/// Step 3: the quality checks of each row in rank order: one claim per certificate id (the first in rank order
/// keeps it), vintage within the window. Rows of 0 MWh are not checked.
fn quality(policy: &CertificatePolicy, rows: Vec<Ranked>, out: &mut CertOutcome) -> Vec<Ranked> {
    let mut seen_ids: HashMap<String, Location> = HashMap::new();
    let mut accepted = Vec::with_capacity(rows.len());
    for r in rows {
        let c = &r.row;
        if c.mwh.is_zero() {
            accepted.push(r);
            continue;
        }
        let at = c.rec.source.clone();
        let mut ok = true;
        if let Some(id) = c.rec.certificate_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            if let Some(first) = seen_ids.get(id) {
                ok &= check(
                    policy.duplicate_id,
                    "certificate-duplicate-id",
                    ErrorKind::Certificate,
                    format!("certificate id '{id}' is already claimed at {first}"),
                    "a certificate may be claimed once (Scope 2 Quality Criterion 3); remove the second claim",
                    &at,
                    out,
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
                out,
            );
        }
        if ok {
            accepted.push(r);
        }
    }
    accepted
}

/// Step 4: the grid electricity a row may cover: its market's, or (when the market check is a warning) the
/// targets' in any market; `None` when the market check rejects the row.
fn pool_of(
    policy: &CertificatePolicy,
    r: &Ranked,
    grid: &GridMap,
    with_grid: &BTreeSet<&str>,
    out: &mut CertOutcome,
) -> Option<(Pool, Rule)> {
    let c = &r.row;
    let at = &c.rec.source;
    let market = market_of(&c.rec.region).to_string();
    let (entity, rule) = if r.own {
        (Some(c.rec.entity.clone()), Rule::Own)
    } else {
        match &policy.allocation {
            AllocationRule::ProRata => (None, Rule::ProRata),
            AllocationRule::Named(e) => (Some(e.clone()), Rule::Named),
        }
    };
    if let (Rule::Named, Some(e)) = (rule, &entity)
        && !with_grid.contains(e.as_str())
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
    let in_market = Pool { market: Some(market.clone()), entity: entity.clone() };
    /// The grid electricity a pool holds (a range of the map when the market is known).
    fn used<'g>(
        grid: &'g GridMap,
        p: &'g Pool,
    ) -> Box<dyn Iterator<Item = (&'g (String, String), &'g super::GridUse)> + 'g> {
        let all: Box<dyn Iterator<Item = _>> = match &p.market {
            Some(m) => {
                let from = (m.clone(), p.entity.clone().unwrap_or_default());
                Box::new(grid.range(from..).take_while(move |((k, _), _)| k == m))
            }
            None => Box::new(grid.iter()),
        };
        Box::new(all.filter(move |(k, g)| g.mwh > Decimal::ZERO && p.contains(k)))
    }
    if used(grid, &in_market).next().is_some() || c.mwh.is_zero() {
        return Some((in_market, rule));
    }
    let elsewhere = Pool { market: None, entity };
    if used(grid, &elsewhere).next().is_none() {
        return Some((in_market, rule));
    }
    let used_in: BTreeSet<&str> = used(grid, &elsewhere).map(|((m, _), _)| m.as_str()).collect();
    let who = if r.own { format!("entity {}", c.rec.entity) } else { "the company".to_string() };
    let keep = check(
        policy.market,
        "certificate-market",
        ErrorKind::Certificate,
        format!(
            "certificate market {market} differs from where {who} used grid electricity ({})",
            used_in.into_iter().collect::<Vec<_>>().join(", ")
        ),
        "certificates must come from the market where the electricity is used (Scope 2 Quality Criterion 5); [certificates] market = \"warning\" lets them cover it anyway",
        at,
        out,
    );
    keep.then_some((elsewhere, rule))
}

/// The row's own quantity lines (activity.certificate), on the row's entity.
fn quantity_lines(res: &mut Resolver<'_>, rec: &ActivityRecord, out: &mut CertOutcome) -> Result<Vec<Line>, Error> {
    let mut lines = Vec::new();
    let Ok(plans) = res.plans(Activity::Certificate, &rec.region, &rec.quantity.unit, &mut out.warnings) else {
        return Ok(lines);
    };
    for p in plans.iter().filter(|p| p.figure.starts_with(ACTIVITY_PREFIX)) {
        let value = line_value(rec.quantity.value, p.k_num, p.k_den).ok_or_else(|| {
            Error::new(ErrorKind::Overflow, "the certificate quantity overflows 28 significant digits")
                .at(rec.source.clone())
                .hint("use a larger unit for the quantity")
        })?;
        let mut l = line(rec, &p.figure, &rec.entity, &rec.region, rec.quantity.value, value);
        l.unit = rec.quantity.unit.symbol().to_string();
        l.value_unit = p.value_unit;
        l.factors = p.factors.clone();
        l.formula = p.formula.clone();
        lines.push(l);
    }
    Ok(lines)
}

/// A certificate line of a row.
fn line(rec: &ActivityRecord, figure: &str, entity: &str, region: &str, q: Decimal, value: Decimal) -> Line {
    Line {
        figure: figure.to_string(),
        source: rec.source.clone(),
        entity: entity.to_string(),
        period: rec.period,
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
        share: None,
    }
}

/// Step 5: in rank order, how much each row covers of what earlier rows left in its pool; the excess is checked
/// (a warning, or the row is rejected). Company-level pro-rata rows priced alike that follow one another in rank
/// order (same supplier factor; one market each) are spread together per market ([`State::spread`]).
#[allow(clippy::too_many_arguments)]
fn cover(
    res: &mut Resolver<'_>,
    policy: &CertificatePolicy,
    rows: Vec<Ranked>,
    grid: &GridMap,
    with_grid: &BTreeSet<&str>,
    state: &mut State,
    tally: &mut Tally,
    mwh: &Unit,
    out: &mut CertOutcome,
) -> Result<(Vec<Step>, usize), Error> {
    let mut placed: Vec<Option<(Ranked, Pool, Rule)>> = Vec::with_capacity(rows.len());
    for r in rows {
        if let Some((pool, rule)) = pool_of(policy, &r, grid, with_grid, out) {
            placed.push(Some((r, pool, rule)));
        }
    }
    let key = |p: &Option<(Ranked, Pool, Rule)>| {
        p.as_ref().map(|(r, pool, rule)| (*rule == Rule::ProRata, r.supplier, pool.market.is_some()))
    };
    let mut steps = Vec::new();
    let mut i = 0;
    while i < placed.len() {
        let k = key(&placed[i]);
        let mut j = i + 1;
        if k.is_some_and(|x| x.0) {
            while j < placed.len() && key(&placed[j]).map(|x| (x.0, x.1)) == k.map(|x| (x.0, x.1)) {
                j += 1;
            }
        }
        let pooled = k.is_some_and(|x| x.0) && (i..j).all(|x| key(&placed[x]).is_some_and(|x| x.2));
        // Pooled: the rows of the run per market, in rank order; else each row alone, in rank order.
        let mut groups: BTreeMap<(String, usize), Vec<Placed>> = BTreeMap::new();
        for (x, p) in placed.iter_mut().enumerate().take(j).skip(i) {
            if let Some((r, pool, rule)) = p.take() {
                let key = if pooled { (pool.market.clone().unwrap_or_default(), 0) } else { (String::new(), x) };
                groups.entry(key).or_default().push((x + 1, r, pool, rule));
            }
        }
        for (_, group) in groups {
            let mut covers = Vec::new();
            let Some((_, first, pool, _)) = group.first() else { continue };
            let start = state.pool_mwh(pool, &first.row.rec.source)?;
            let mut taken = Decimal::ZERO;
            for (rank, r, pool, rule) in group {
                let left = start - taken;
                if let Some(c) = admit(res, policy, r, pool, rule, left, rank, state, mwh, out)? {
                    taken += c.covered;
                    covers.push(c);
                }
            }
            let n = covers.len();
            for c in &mut covers {
                c.batch = (start, taken, n);
            }
            let shares = state.spread(&covers)?;
            for (c, s) in covers.iter().zip(&shares) {
                tally.add(c, s, state, out)?;
                out.rows_used += 1;
            }
            steps.push(covers);
        }
        i = j;
    }
    Ok((steps, placed.len()))
}

/// One row's turn: the excess check (`None` when it rejects the row), the residual factor of every market it
/// covers (found once per market), its quantity lines.
#[allow(clippy::too_many_arguments)]
fn admit(
    res: &mut Resolver<'_>,
    policy: &CertificatePolicy,
    r: Ranked,
    pool: Pool,
    rule: Rule,
    pool_mwh: Decimal,
    rank: usize,
    state: &mut State,
    mwh: &Unit,
    out: &mut CertOutcome,
) -> Result<Option<Cover>, Error> {
    let at = r.row.rec.source.clone();
    let market = market_of(&r.row.rec.region).to_string();
    // Covered MWh are carried at 10^-12 MWh, as every line is.
    let want = r.row.mwh.round_dp_with_strategy(crate::calc::LINE_SCALE, rust_decimal::RoundingStrategy::ToZero);
    let covered = want.min(pool_mwh).normalize();
    let excess = r.row.mwh - pool_mwh;
    if excess > Decimal::ZERO {
        let keep = check(
            policy.excess,
            "certificate-excess",
            ErrorKind::Certificate,
            format!(
                "certificates of {} MWh exceed the uncovered grid electricity they may cover ({} MWh in market {market}) by {} MWh; the excess is not used",
                r.row.mwh.normalize(),
                pool_mwh.normalize(),
                excess.normalize()
            ),
            "buy or claim no more certificates than the grid electricity of their market; market-based scope 2 is never negative",
            &at,
            out,
        );
        if !keep {
            return Ok(None);
        }
    }
    for m in state.markets(&pool) {
        if let std::collections::btree_map::Entry::Vacant(v) = state.residuals.entry(m) {
            let known = match residual_plan(res, v.key(), mwh) {
                Ok(p) => p,
                Err(e) => {
                    out.rejected.push(e.at(at.clone()));
                    None
                }
            };
            v.insert(known);
        }
    }
    let instrument = instrument_name(r.row.rec.instrument.as_deref());
    let what = if instrument == "unspecified" {
        "certificate (instrument not stated)".to_string()
    } else {
        instrument.clone()
    };
    let quantity_lines = quantity_lines(res, &r.row.rec, out)?;
    Ok(Some(Cover {
        rec: r.row.rec,
        supplier: r.supplier,
        rule,
        pool,
        pool_mwh,
        covered,
        instrument,
        what,
        rank,
        quantity_lines,
        batch: (pool_mwh, covered, 1),
    }))
}

/// The lines of one row: its quantity lines, then per share the covered MWh, the deduction and the
/// supplier-factor emissions; with the row's printed precision as a relative half-width.
fn lines_of(c: &Cover, of: usize, shares: &[Share], state: &State) -> Vec<Line> {
    let mut lines = c.quantity_lines.clone();
    let rec = &c.rec;
    let what = &c.what;
    for s in shares {
        let (m, e) = &state.keys[s.at];
        let (pool, together, n) = c.batch;
        let how = match c.rule {
            Rule::ProRata if n == 1 => {
                format!("pro rata: {}/{} of {} MWh", s.before.normalize(), pool.normalize(), together.normalize())
            }
            Rule::ProRata => format!(
                "pro rata: {}/{} of the {} MWh of {n} company-level rows priced alike, spread together",
                s.before.normalize(),
                pool.normalize(),
                together.normalize()
            ),
            Rule::Named => "named entity".to_string(),
            Rule::Own => "own entity".to_string(),
        };
        let mut l = line(rec, ELECTRICITY_RENEWABLE.as_str(), e, m, s.mwh, s.mwh);
        l.formula = Arc::from(format!("q (MWh of {what} covering grid electricity; {how})"));
        lines.push(l);
        if let (Some(d), Some(Some((_, _, factors, formula)))) = (s.deducted, state.residuals.get(m)) {
            let mut l = line(rec, SCOPE2_MARKET.as_str(), e, m, s.mwh, -d);
            l.factors = factors.clone();
            l.formula = Arc::from(format!(
                "- {} MWh covered ({how}) x ({formula}): the {what} replaces the residual factor with {}; row {} of {of} in the allocation order",
                s.mwh.normalize(),
                if c.supplier.is_some() { "the supplier factor" } else { "0" },
                c.rank,
            ));
            l.value_unit = T_CO2E;
            lines.push(l);
        }
        if let (Some(a), Some(sf)) = (s.added, c.supplier) {
            let mut l = line(rec, SCOPE2_MARKET.as_str(), e, m, s.mwh, a);
            l.formula = Arc::from(format!(
                "+ {} MWh covered x supplier factor {} tCO2e/MWh ({what})",
                s.mwh.normalize(),
                sf.normalize()
            ));
            l.value_unit = T_CO2E;
            lines.push(l);
        }
    }
    if let Some(pr) = rec.precision
        && !rec.quantity.value.is_zero()
    {
        for l in &mut lines {
            // Divided first: |value| / quantity is at most a factor, so the product stays in range.
            l.half_width =
                l.value.abs().checked_div(rec.quantity.value.abs()).and_then(|x| x.checked_mul(pr / Decimal::TWO));
        }
    }
    lines
}

/// The lines of every share of every certificate row, made again row by row as they are read: memory stays
/// O(entities + certificates) however many shares there are.
pub struct CertLines {
    steps: Vec<Step>,
    /// How many rows were placed in the allocation order.
    of: usize,
    state: State,
    next: usize,
    buf: std::vec::IntoIter<Line>,
}

impl Iterator for CertLines {
    /// A line, or the error of a spread (the same computation as in `allocate`, which met none: it is passed on,
    /// never replaced by an empty spread).
    type Item = Result<Line, Error>;
    fn next(&mut self) -> Option<Result<Line, Error>> {
        loop {
            if let Some(l) = self.buf.next() {
                return Some(Ok(l));
            }
            let step = self.steps.get(self.next)?;
            self.next += 1;
            let shares = match self.state.spread(step) {
                Ok(s) => s,
                Err(e) => {
                    self.next = self.steps.len();
                    return Some(Err(e));
                }
            };
            self.buf = step
                .iter()
                .zip(&shares)
                .flat_map(|(c, s)| lines_of(c, self.of, s, &self.state))
                .collect::<Vec<_>>()
                .into_iter();
        }
    }
}

/// Step 6: the per-certificate allocations (one per row and market), and per entity and per market what the
/// rows covered, added up row by row so that no share is kept.
#[derive(Default)]
struct Tally {
    /// Per grid electricity (by index): MWh covered, tCO2e deducted, tCO2e added, rows.
    entities: BTreeMap<usize, (Decimal, Decimal, Decimal, usize)>,
    /// Per market: MWh covered per instrument.
    by_instrument: BTreeMap<String, BTreeMap<String, Decimal>>,
}

impl Tally {
    fn add(&mut self, c: &Cover, shares: &[Share], state: &State, out: &mut CertOutcome) -> Result<(), Error> {
        let at = &c.rec.source;
        let sum = |a: Decimal, b: Option<Decimal>, what: &str| {
            a.checked_add(b.unwrap_or(Decimal::ZERO)).ok_or_else(|| too_big(what, at))
        };
        let mut per_market: BTreeMap<&str, (Decimal, Decimal, Decimal, Vec<usize>)> = BTreeMap::new();
        for s in shares {
            let x = per_market.entry(state.keys[s.at].0.as_str()).or_default();
            x.0 = sum(x.0, Some(s.mwh), "the covered MWh")?;
            x.1 = sum(x.1, s.deducted, "the deduction")?;
            x.2 = sum(x.2, s.added, "the supplier-factor emissions")?;
            x.3.push(s.at);
            let e = self.entities.entry(s.at).or_default();
            // Covered MWh and deductions of one entity are at most its grid MWh and residual tCO2e.
            e.0 = sum(e.0, Some(s.mwh), "the covered MWh")?;
            e.1 = sum(e.1, s.deducted, "the deduction")?;
            e.2 = sum(e.2, s.added, "the supplier-factor emissions")?;
            e.3 += 1;
        }
        for (m, (mwh_m, deducted, added, who)) in per_market {
            let by = self.by_instrument.entry(m.to_string()).or_default().entry(c.instrument.clone()).or_default();
            *by = sum(*by, Some(mwh_m), "the covered MWh")?;
            let entity = match who.as_slice() {
                [one] => state.keys[*one].1.clone(),
                many => format!("{} entities", many.len()),
            };
            let basis = match c.rule {
                Rule::ProRata if c.batch.2 > 1 => format!(
                    "pro rata by uncovered MWh, spread together with {} other rows priced alike: {} of {} uncovered MWh in the pool",
                    c.batch.2 - 1,
                    c.batch.1.normalize(),
                    c.batch.0.normalize()
                ),
                Rule::ProRata => format!(
                    "pro rata by uncovered MWh: {} of {} uncovered MWh in the pool",
                    c.covered.normalize(),
                    c.pool_mwh.normalize()
                ),
                _ => format!("{} uncovered MWh", c.pool_mwh.normalize()),
            };
            out.report.allocations.push(Allocation {
                source: c.rec.source.clone(),
                instrument: c.instrument.clone(),
                from_entity: c.rec.entity.clone(),
                certificate_market: market_of(&c.rec.region).to_string(),
                entity,
                market: m.to_string(),
                mwh: mwh_m,
                rule: c.rule.name().to_string(),
                basis,
                entities: who.len(),
                rank: c.rank,
                supplier_factor: c.supplier,
                deducted_t: deducted,
                added_t: added,
            });
        }
        Ok(())
    }

    /// Coverage per market, the per-entity summaries and the uncovered MWh per market.
    fn finish(
        self,
        grid: &GridMap,
        state: &State,
        first_ledger: &Location,
        out: &mut CertOutcome,
    ) -> Result<(), Error> {
        let add = |a: &mut Decimal, b: Decimal, what: &str| -> Result<(), Error> {
            *a = a.checked_add(b).ok_or_else(|| too_big(what, first_ledger))?;
            Ok(())
        };
        let mut markets: BTreeMap<String, (Decimal, Decimal)> = BTreeMap::new();
        for ((m, _), g) in grid {
            add(&mut markets.entry(m.clone()).or_default().0, g.mwh, &format!("the grid electricity of market {m}"))?;
        }
        for (i, (covered, deducted, added, certificates)) in self.entities {
            let key = &state.keys[i];
            add(&mut markets.entry(key.0.clone()).or_default().1, covered, "the covered MWh")?;
            out.report.entities.push(EntityCoverage {
                entity: key.1.clone(),
                market: key.0.clone(),
                grid_mwh: grid.get(key).map(|g| g.mwh).unwrap_or(Decimal::ZERO),
                covered_mwh: covered,
                certificates,
                deducted_t: deducted,
                added_t: added,
            });
        }
        out.report.entities.sort_by(|a, b| (&a.entity, &a.market).cmp(&(&b.entity, &b.market)));
        let mut total = Decimal::ZERO;
        for ((m, _), (left, _)) in state.keys.iter().zip(&state.left) {
            add(out.uncovered.entry(m.clone()).or_default(), *left, "the uncovered grid electricity")?;
            add(&mut total, *left, "the uncovered grid electricity of all markets")?;
        }
        let mut by_instrument = self.by_instrument;
        out.report.coverage = markets
            .into_iter()
            .map(|(market, (grid_mwh, covered_mwh))| {
                let share = if grid_mwh > Decimal::ZERO {
                    // covered <= grid, so the quotient is at most 1.
                    covered_mwh.checked_div(grid_mwh).ok_or_else(|| too_big("the coverage share", first_ledger))?
                } else {
                    Decimal::ZERO
                };
                let by = by_instrument.remove(&market).unwrap_or_default().into_iter().collect();
                Ok(MarketCoverage { share, market, grid_mwh, covered_mwh, by_instrument: by })
            })
            .collect::<Result<_, Error>>()?;
        Ok(())
    }
}

/// Allocate certificates against grid electricity, after the checks the inventory's policy asks for. An
/// overflow is an error located at the certificate row (or, for sums over the whole ledger, at the first ledger).
pub(in crate::calc) fn allocate(
    res: &mut Resolver<'_>,
    policy: &CertificatePolicy,
    certs: Vec<CertRow>,
    grid: &GridMap,
    mwh: &Unit,
) -> Result<CertOutcome, Error> {
    let mut out = CertOutcome {
        lines: CertLines { steps: Vec::new(), of: 0, state: State::new(grid), next: 0, buf: Vec::new().into_iter() },
        warnings: Vec::new(),
        rejected: Vec::new(),
        rows_used: 0,
        report: Scope2Report { rule: RULE.to_string(), ..Scope2Report::default() },
        uncovered: BTreeMap::new(),
    };
    let first_ledger =
        res.inv.activity_files.first().map(Location::file).unwrap_or_else(|| Location::file(&res.inv.path));
    let with_grid: BTreeSet<&str> =
        grid.iter().filter(|(_, g)| g.mwh > Decimal::ZERO).map(|((_, e), _)| e.as_str()).collect();
    let rows = read_rows(certs, &with_grid, &mut out);
    let rows = quality(policy, rank(rows), &mut out);
    let mut state = State::new(grid);
    let mut tally = Tally::default();
    let (steps, of) = cover(res, policy, rows, grid, &with_grid, &mut state, &mut tally, mwh, &mut out)?;
    tally.finish(grid, &state, &first_ledger, &mut out)?;
    // Rows spread together per market are listed in rank order, as every other row.
    out.report.allocations.sort_by_key(|a| a.rank);
    // The lines are made again from the start when they are read.
    let mut start = State::new(grid);
    start.residuals = state.residuals;
    out.lines = CertLines { steps, of, state: start, next: 0, buf: Vec::new().into_iter() };
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calc::certificates::GridUse;
    use crate::units::Quantity;
    use rust_decimal_macros::dec;

    fn grid(rows: &[(&str, &str, Decimal)]) -> GridMap {
        rows.iter()
            .map(|(m, e, mwh)| ((m.to_string(), e.to_string()), GridUse { mwh: *mwh, market_t: *mwh * dec!(0.5) }))
            .collect()
    }

    fn cover(line: usize, covered: Decimal, pool: Pool, rank: usize) -> Cover {
        let rec = ActivityRecord {
            source: Location::at("ledger.csv", line, None),
            entity: "group".into(),
            period: crate::activity::Period::parse("2024").expect("period"),
            activity: Activity::Certificate,
            quantity: Quantity { value: covered, unit: Unit::parse("MWh").expect("unit") },
            region: "CN".into(),
            note: None,
            precision: None,
            instrument: Some("GEC".into()),
            vintage: Some("2024".into()),
            certificate_id: None,
            supplier_factor: None,
        };
        Cover {
            rec,
            supplier: None,
            rule: Rule::ProRata,
            pool,
            pool_mwh: Decimal::ZERO,
            covered,
            instrument: "GEC".into(),
            what: "GEC".into(),
            rank,
            quantity_lines: Vec::new(),
            batch: (Decimal::ZERO, covered, 1),
        }
    }

    fn state(g: &GridMap) -> State {
        let mut s = State::new(g);
        let residual: Residual = (dec!(0.5), Decimal::ONE, Arc::new(Vec::new()), Arc::from("q x 0.5"));
        s.residuals.insert("CN".into(), Some(residual));
        s
    }

    #[test]
    fn a_pool_of_one_entity_or_one_market_is_found_by_range() {
        let g = grid(&[("CN", "a", dec!(1)), ("CN", "b", dec!(2)), ("IN", "a", dec!(3)), ("IN", "c", Decimal::ZERO)]);
        let s = State::new(&g);
        let pool =
            |m: Option<&str>, e: Option<&str>| Pool { market: m.map(str::to_string), entity: e.map(str::to_string) };
        assert_eq!(s.live(&pool(Some("CN"), None)), vec![0, 1]);
        assert_eq!(s.live(&pool(Some("CN"), Some("b"))), vec![1]);
        assert_eq!(s.live(&pool(Some("CN"), Some("c"))), Vec::<usize>::new());
        assert_eq!(s.live(&pool(None, Some("a"))), vec![0, 2]);
        // No uncovered electricity: not live.
        assert_eq!(s.live(&pool(Some("IN"), Some("c"))), Vec::<usize>::new());
        assert_eq!(s.live(&pool(Some("ZZ"), None)), Vec::<usize>::new());
        assert_eq!(s.markets(&pool(None, Some("a"))), BTreeSet::from(["CN".to_string(), "IN".to_string()]));
    }

    #[test]
    fn rows_spread_together_make_at_most_entities_plus_rows_shares_and_add_up_exactly() {
        // Three rows of 1 MWh over 1, 1 and 1 MWh: each row exactly one entity's, 3 shares (not 9), and the whole
        // pool covered: every entity's residual tCO2e is exactly 0.
        let g = grid(&[("CN", "a", dec!(1)), ("CN", "b", dec!(1)), ("CN", "c", dec!(1))]);
        let mut s = state(&g);
        let pool = Pool { market: Some("CN".into()), entity: None };
        let rows: Vec<Cover> = (0..3).map(|k| cover(10 + k, dec!(1), pool.clone(), k + 1)).collect();
        let shares = s.spread(&rows).expect("spread");
        let got: Vec<Vec<(usize, Decimal, Option<Decimal>)>> =
            shares.iter().map(|r| r.iter().map(|x| (x.at, x.mwh, x.deducted)).collect()).collect();
        assert_eq!(
            got,
            vec![
                vec![(0, dec!(1), Some(dec!(0.5)))],
                vec![(1, dec!(1), Some(dec!(0.5)))],
                vec![(2, dec!(1), Some(dec!(0.5)))]
            ]
        );
        assert!(s.left.iter().all(|(m, t)| m.is_zero() && t.is_zero()), "{:?}", s.left);

        // Rows of 1 and 0.5 MWh over 3 x 1 MWh: the 1.5 MWh are spread 0.5 to each entity; row 1 takes a's and
        // b's 0.5, row 2 c's: 3 shares (at most entities + rows - 1 = 4).
        let mut s = state(&g);
        let rows = vec![cover(10, dec!(1), pool.clone(), 1), cover(11, dec!(0.5), pool.clone(), 2)];
        let shares = s.spread(&rows).expect("spread");
        let got: Vec<Vec<(usize, Decimal)>> =
            shares.iter().map(|r| r.iter().map(|x| (x.at, x.mwh)).collect()).collect();
        assert_eq!(got, vec![vec![(0, dec!(0.5)), (1, dec!(0.5))], vec![(2, dec!(0.5))]]);
        // Each row deducts exactly its covered MWh x 0.5.
        let d: Vec<Decimal> = shares.iter().map(|r| r.iter().filter_map(|x| x.deducted).sum()).collect();
        assert_eq!(d, vec![dec!(0.5), dec!(0.25)]);
    }

    #[test]
    fn an_entity_too_large_to_split_is_a_located_error() {
        let g = grid(&[("CN", "a", dec!(40000000000000000000000000000)), ("CN", "b", dec!(1))]);
        let mut s = state(&g);
        let pool = Pool { market: Some("CN".into()), entity: None };
        let e = s.spread(&[cover(7, dec!(1), pool, 1)]).err().expect("overflow");
        assert_eq!(e.kind, ErrorKind::Overflow);
        assert_eq!(
            e.to_string(),
            "ledger.csv:7: the uncovered grid electricity of an entity is too large to allocate certificates exactly (check the quantity and unit of the electricity and certificate rows: certificates are allocated exactly up to 10^26 MWh of grid electricity in all)"
        );
    }
}
