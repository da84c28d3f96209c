//! Each entity's share under the approach: its holdings day by day (or month by month) through its parents,
//! summed over the year.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::register::{Date, Register, RegisterRow, days_in_month, is_leap};
use super::{Approach, Share, Shares};
use crate::error::{Diagnostics, Error, ErrorKind};

/// How the year is divided: one slot, or its months, or its days (when any row states a day).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slots {
    Year,
    Months,
    Days(u32),
}

impl Slots {
    fn count(self) -> usize {
        match self {
            Slots::Year => 1,
            Slots::Months => 12,
            Slots::Days(n) => n as usize,
        }
    }
    fn unit(self) -> &'static str {
        match self {
            Slots::Year => "",
            Slots::Months => "months",
            Slots::Days(_) => "days",
        }
    }
    /// The slot a date starts (`end` false) or ends (`end` true) in.
    fn index(self, year: i32, d: Date, end: bool) -> usize {
        match self {
            Slots::Year => 0,
            Slots::Months => d.month as usize - 1,
            Slots::Days(_) => {
                let before: u32 = (1..d.month).map(|m| days_in_month(year, m)).sum();
                let day = d.day.unwrap_or(if end { days_in_month(year, d.month) } else { 1 });
                (before + day - 1) as usize
            }
        }
    }
    /// The slot in words, for messages.
    fn describe(self, year: i32, s: usize) -> String {
        match self {
            Slots::Year => format!("in {year}"),
            Slots::Months => format!("in {year}-{:02}", s + 1),
            Slots::Days(_) => {
                let mut left = s as u32;
                let mut month = 1;
                while left >= days_in_month(year, month) {
                    left -= days_in_month(year, month);
                    month += 1;
                }
                format!("on {year}-{month:02}-{:02}", left + 1)
            }
        }
    }
}

/// The shares of every entity of `reg` under `approach` for the inventory year `year`. Every problem is reported
/// together, located in the register: the approach's column missing or empty, dates outside the year or reversed,
/// an unknown parent, a parent cycle, an entity held above 100 % at any time.
pub fn shares(reg: &Register, approach: Approach, year: i32) -> Result<Shares, Diagnostics> {
    let mut d = Diagnostics::new();
    let col = approach.column();
    let toml = super::register::is_toml(&reg.path);
    if !reg.has_column(col) {
        let (msg, hint) = if toml {
            (
                format!("no [[entity]] of the entity register has {col}, which the {} approach reads", approach.name()),
                format!("add {col} = ... to every [[entity]]"),
            )
        } else {
            (
                format!("the entity register has no {col} column, which the {} approach reads", approach.name()),
                format!("add a {col} column to the header, with a value for every entity"),
            )
        };
        return Err(Error::new(ErrorKind::Inventory, msg).at(reg.header_at.clone()).hint(hint).into());
    }
    let any_day =
        reg.rows.iter().any(|r| r.from.is_some_and(|x| x.day.is_some()) || r.to.is_some_and(|x| x.day.is_some()));
    let any_date = reg.rows.iter().any(|r| r.from.is_some() || r.to.is_some());
    let slots = if any_day {
        Slots::Days(if is_leap(year) { 366 } else { 365 })
    } else if any_date {
        Slots::Months
    } else {
        Slots::Year
    };
    let n = slots.count();
    // Each row: the slots it counts in, its value in the approach (equity fraction, or control as 1/0).
    let mut spans = Vec::with_capacity(reg.rows.len());
    for r in &reg.rows {
        let value = match approach {
            Approach::EquityShare => r.equity,
            Approach::FinancialControl => r.financial_control.map(|c| if c { Decimal::ONE } else { Decimal::ZERO }),
            Approach::OperationalControl => r.operational_control.map(|c| if c { Decimal::ONE } else { Decimal::ZERO }),
        };
        let at = match approach {
            Approach::EquityShare => &r.equity_at,
            Approach::FinancialControl => &r.financial_at,
            Approach::OperationalControl => &r.operational_at,
        };
        if value.is_none() && !d.0.iter().any(|e| e.location.as_ref() == Some(at)) {
            d.push(
                Error::new(
                    ErrorKind::Inventory,
                    format!(
                        "{col} of {} is {}: the {} approach needs it",
                        r.id,
                        if toml { "missing" } else { "empty" },
                        approach.name()
                    ),
                )
                .at(at.clone())
                .hint(if toml && approach == Approach::EquityShare {
                    "add equity = \"...\", the parent's equity in % from 0 to 100, to its [[entity]]".to_string()
                } else if toml {
                    format!("add {col} = true if the group has {} of it, false otherwise", approach.words())
                } else if approach == Approach::EquityShare {
                    "write the parent's equity in %, from 0 to 100".to_string()
                } else {
                    format!("write yes if the group has {} of it, no otherwise", approach.words())
                }),
            );
        }
        let mut span = (0, n - 1);
        for (date, at, end) in [(r.from, &r.from_at, false), (r.to, &r.to_at, true)] {
            let Some(x) = date else { continue };
            if x.year != year {
                d.push(
                    Error::new(
                        ErrorKind::OutOfPeriod,
                        format!(
                            "{} {x} of {} is outside the inventory's year {year}",
                            if end { "to" } else { "from" },
                            r.id
                        ),
                    )
                    .at(at.clone())
                    .hint("state the part of the inventory year the holding counts; leave it empty for the whole year"),
                );
                continue;
            }
            let s = slots.index(year, x, end);
            if end { span.1 = s } else { span.0 = s }
        }
        if let (Some(f), Some(t)) = (r.from, r.to)
            && f.year == year
            && t.year == year
            && span.0 > span.1
        {
            d.push(
                Error::new(
                    ErrorKind::BadValue,
                    format!("{} is held from {f} to {t}: the end is before the start", r.id),
                )
                .at(r.to_at.clone())
                .hint("write the first day (or month) under from and the last under to"),
            );
        }
        spans.push((span, value.unwrap_or(Decimal::ZERO)));
    }
    // Parents: each must be in the register, and no entity may hold itself, even through others.
    let mut rows_of: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, r) in reg.rows.iter().enumerate() {
        rows_of.entry(r.id.as_str()).or_default().push(i);
    }
    for r in &reg.rows {
        if let Some(p) = &r.parent
            && !rows_of.contains_key(p.as_str())
        {
            d.push(
                Error::new(ErrorKind::Inventory, format!("parent '{p}' of {} is not in the entity register", r.id))
                    .at(r.parent_at.clone())
                    .hint(if toml {
                        "add an [[entity]] for the parent, or leave parent out when the group holds the entity directly"
                    } else {
                        "add a row for the parent, or leave the cell empty when the group holds the entity directly"
                    }),
            );
        }
    }
    for cycle in cycles(reg, &rows_of) {
        let first = &reg.rows[cycle[0]];
        let path: Vec<&str> =
            cycle.iter().map(|&i| reg.rows[i].id.as_str()).chain(std::iter::once(first.id.as_str())).collect();
        d.push(
            Error::new(
                ErrorKind::Inventory,
                format!("parent cycle: {} (an entity cannot hold itself)", path.join(" is held by ")),
            )
            .at(first.parent_at.clone())
            .hint("correct the parent of one entity of the cycle; the group's direct holdings have no parent"),
        );
    }
    // Held above 100 %: the equity of an entity's rows that count at the same time.
    for (id, rows) in &rows_of {
        if rows.len() < 2 {
            continue;
        }
        let held: Vec<usize> = rows.iter().copied().filter(|&i| reg.rows[i].equity.is_some()).collect();
        'slots: for s in 0..n {
            let mut sum = Decimal::ZERO;
            let mut parts = Vec::new();
            for &i in &held {
                let ((a, b), _) = spans[i];
                let r = &reg.rows[i];
                if s < a || s > b {
                    continue;
                }
                let e = r.equity.unwrap_or_default();
                sum += e;
                parts.push(format!("{} % (line {})", pct(e), r.at.line.unwrap_or(0)));
                if sum > Decimal::ONE {
                    d.push(
                        Error::new(
                            ErrorKind::Inventory,
                            format!(
                                "{id} is held {} = {} % {}: more than 100 %",
                                parts.join(" + "),
                                pct(sum),
                                slots.describe(year, s)
                            ),
                        )
                        .at(r.equity_at.clone())
                        .hint("an entity's holdings at one time add up to 100 % at most: correct the equity, or state when each was held in the from and to columns"),
                    );
                    break 'slots;
                }
            }
        }
    }
    if !d.is_empty() {
        return Err(d);
    }
    // Values slot by slot, parents first (the graph has no cycle now).
    let mut values: BTreeMap<&str, Vec<Decimal>> = BTreeMap::new();
    let mut by_entity = BTreeMap::new();
    for id in rows_of.keys() {
        slot_values(reg, &rows_of, &spans, approach, n, id, &mut values).map_err(Diagnostics::from)?;
    }
    for (id, rows) in &rows_of {
        let v = &values[id];
        let first = &reg.rows[rows[0]];
        let too_big = || {
            Diagnostics::from(Error::overflow(format!("the share of {id} summed over the year")).at(first.at.clone()))
        };
        let (numerator, denominator) = if v.iter().all(|x| *x == v[0]) {
            (v[0].normalize(), Decimal::ONE)
        } else {
            let mut sum = Decimal::ZERO;
            for x in v {
                sum = sum.checked_add(*x).ok_or_else(too_big)?;
            }
            (sum.normalize(), Decimal::from(n as u64))
        };
        let fraction = numerator
            .checked_div(denominator)
            .ok_or_else(too_big)?
            .round_dp_with_strategy(crate::calc::LINE_SCALE, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
            .normalize();
        let formed = if denominator == Decimal::ONE {
            format!("{}", numerator.normalize())
        } else {
            format!("{}/{} {} = {}", numerator, denominator, slots.unit(), fraction)
        };
        let how = if approach == Approach::EquityShare {
            let held: Vec<String> = rows
                .iter()
                .map(|&i| {
                    let r = &reg.rows[i];
                    let mut s = format!("{} %", pct(r.equity.unwrap_or_default()));
                    if let Some(p) = &r.parent {
                        s.push_str(&format!(" by {p}"));
                    }
                    if r.from.is_some() || r.to.is_some() {
                        let from = r.from.map(|x| x.to_string()).unwrap_or_else(|| format!("{year}-01"));
                        let to = r.to.map(|x| x.to_string()).unwrap_or_else(|| format!("{year}-12"));
                        s.push_str(&format!(" from {from} to {to}"));
                    }
                    s
                })
                .collect();
            format!("equity share of {id}: {}", held.join(" + "))
        } else if fraction.is_zero() {
            format!("{id} outside the group's {}", approach.words())
        } else {
            format!("{} of {id}", approach.words())
        };
        let text = format!("x {formed} ({how}; {})", first.at);
        by_entity.insert(id.to_string(), Share { numerator, denominator, fraction, text, location: first.at.clone() });
    }
    Ok(Shares { approach, register: reg.path.clone(), sha256: reg.sha256.clone(), by_entity })
}

/// A fraction as a percentage: 0.51 -> 51.
fn pct(f: Decimal) -> Decimal {
    (f * Decimal::ONE_HUNDRED).normalize()
}

/// The value of entity `id` in every slot: equity through its parents (the sum over its rows counting in the slot
/// of the row's equity times the parent's value then; the group's direct holdings count at 1), or control (1 when
/// a row counting in the slot says so and its parent is controlled then).
fn slot_values<'r>(
    reg: &'r Register,
    rows_of: &BTreeMap<&'r str, Vec<usize>>,
    spans: &[((usize, usize), Decimal)],
    approach: Approach,
    n: usize,
    id: &'r str,
    values: &mut BTreeMap<&'r str, Vec<Decimal>>,
) -> Result<(), Error> {
    if values.contains_key(id) {
        return Ok(());
    }
    let mut v = vec![Decimal::ZERO; n];
    for &i in &rows_of[id] {
        let r: &RegisterRow = &reg.rows[i];
        let ((a, b), value) = spans[i];
        let parent: Option<Vec<Decimal>> = match &r.parent {
            None => None,
            Some(p) => {
                let (key, _) = rows_of.get_key_value(p.as_str()).expect("parents are checked");
                slot_values(reg, rows_of, spans, approach, n, key, values)?;
                Some(values[key].clone())
            }
        };
        for (s, slot) in v.iter_mut().enumerate().take(b + 1).skip(a) {
            let up = parent.as_ref().map(|p| p[s]).unwrap_or(Decimal::ONE);
            if approach == Approach::EquityShare {
                let add = value.checked_mul(up).ok_or_else(|| {
                    Error::overflow(format!("the equity of {id} through its parents")).at(r.equity_at.clone())
                })?;
                *slot += add;
            } else if value == Decimal::ONE && up == Decimal::ONE {
                *slot = Decimal::ONE;
            }
        }
    }
    values.insert(id, v);
    Ok(())
}

/// Every parent cycle, once, as the rows along it (starting at the cycle's row that comes first in the file).
fn cycles(reg: &Register, rows_of: &BTreeMap<&str, Vec<usize>>) -> Vec<Vec<usize>> {
    // Depth-first over entities; a row's edge goes to its parent's first row.
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    let mut mark: BTreeMap<&str, Mark> = rows_of.keys().map(|k| (*k, Mark::New)).collect();
    let mut found: Vec<Vec<usize>> = Vec::new();
    fn visit<'r>(
        reg: &'r Register,
        rows_of: &BTreeMap<&'r str, Vec<usize>>,
        id: &'r str,
        mark: &mut BTreeMap<&'r str, Mark>,
        stack: &mut Vec<(&'r str, usize)>,
        found: &mut Vec<Vec<usize>>,
    ) {
        mark.insert(id, Mark::Open);
        for &i in &rows_of[id] {
            let Some(p) = reg.rows[i].parent.as_deref() else { continue };
            let Some((p, _)) = rows_of.get_key_value(p) else { continue };
            stack.push((id, i));
            match mark[p] {
                Mark::New => visit(reg, rows_of, p, mark, stack, found),
                Mark::Open => {
                    let start = stack.iter().position(|(e, _)| *e == *p).unwrap_or(0);
                    let mut rows: Vec<usize> = stack[start..].iter().map(|(_, r)| *r).collect();
                    let k = rows.iter().enumerate().min_by_key(|(_, r)| **r).map(|(k, _)| k).unwrap_or(0);
                    rows.rotate_left(k);
                    if !found.contains(&rows) {
                        found.push(rows);
                    }
                }
                Mark::Done => {}
            }
            stack.pop();
        }
        mark.insert(id, Mark::Done);
    }
    let ids: Vec<&str> = rows_of.keys().copied().collect();
    for id in ids {
        if mark[id] == Mark::New {
            visit(reg, rows_of, id, &mut mark, &mut Vec::new(), &mut found);
        }
    }
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn run(text: &str, approach: Approach, year: i32) -> Result<Shares, Diagnostics> {
        let reg = Register::parse(Path::new("entities.csv"), text).expect("the register reads");
        shares(&reg, approach, year)
    }

    fn share(s: &Shares, id: &str) -> (String, String, String) {
        let x = &s.by_entity[id];
        (x.numerator.to_string(), x.denominator.to_string(), x.fraction.to_string())
    }

    fn errors(e: Diagnostics) -> Vec<String> {
        e.0.iter().map(|e| format!("{}: {}", e.location.as_ref().expect("located"), e.message)).collect()
    }

    const GROUP: &str = "id,parent,equity,financial_control,operational_control\n\
        hq,,100,yes,yes\n\
        a,hq,60,yes,yes\n\
        b,a,50,no,yes\n\
        c,,30,no,no\n";

    #[test]
    fn equity_multiplies_down_the_chain_and_control_is_all_or_nothing() {
        let s = run(GROUP, Approach::EquityShare, 2024).expect("valid");
        // b: 50 % held by a, itself 60 % held by the group: 0.5 x 0.6 = 0.3, exactly.
        assert_eq!(share(&s, "b"), ("0.3".into(), "1".into(), "0.3".into()));
        assert_eq!(s.by_entity["b"].text, "x 0.3 (equity share of b: 50 % by a; entities.csv:4)");
        assert_eq!(share(&s, "c").2, "0.3");
        let s = run(GROUP, Approach::FinancialControl, 2024).expect("valid");
        assert_eq!(share(&s, "a").2, "1");
        assert_eq!(share(&s, "b").2, "0");
        assert_eq!(s.by_entity["b"].text, "x 0 (b outside the group's financial control; entities.csv:4)");
        let s = run(GROUP, Approach::OperationalControl, 2024).expect("valid");
        assert_eq!(share(&s, "b").2, "1");
        assert_eq!(share(&s, "c").2, "0");
    }

    #[test]
    fn a_part_year_holding_counts_its_days_or_its_months() {
        // Bought on 1 July 2024 (a leap year): 184 of 366 days; its subsidiary follows it.
        let s = run("id,parent,equity,from\nx,,80,2024-07-01\ny,x,50,\n", Approach::EquityShare, 2024).expect("ok");
        assert_eq!(share(&s, "x"), ("147.2".into(), "366".into(), "0.40218579235".into()));
        assert_eq!(share(&s, "y"), ("73.6".into(), "366".into(), "0.201092896175".into()));
        // By months: July to December, 6 of 12.
        let s = run("id,equity,from,to\nx,100,2024-07,2024-12\n", Approach::EquityShare, 2024).expect("ok");
        assert_eq!(share(&s, "x"), ("6".into(), "12".into(), "0.5".into()));
        // Sold 40 % on 1 April: 100 % for January-March, 60 % after.
        let s =
            run("id,equity,from,to\nz,100,2024-01,2024-03\nz,60,2024-04,\n", Approach::EquityShare, 2024).expect("ok");
        assert_eq!(share(&s, "z"), ("8.4".into(), "12".into(), "0.7".into()));
    }

    #[test]
    fn register_errors_are_located_in_the_register() {
        let e = run("id,parent,equity\na,b,50\nb,c,50\nc,a,50\nd,d,10\ne,nobody,10\n", Approach::EquityShare, 2024)
            .expect_err("cycles");
        assert_eq!(
            errors(e),
            [
                "entities.csv:6:3: parent 'nobody' of e is not in the entity register",
                "entities.csv:2:3: parent cycle: a is held by b is held by c is held by a (an entity cannot hold itself)",
                "entities.csv:5:3: parent cycle: d is held by d (an entity cannot hold itself)",
            ]
        );
        let e = run("id,parent,equity\nhq,,100\nj,hq,60\nj,,50\n", Approach::EquityShare, 2024).expect_err("over");
        assert_eq!(
            errors(e),
            ["entities.csv:4:4: j is held 60 % (line 3) + 50 % (line 4) = 110 % in 2024: more than 100 %"]
        );
        let e =
            run("id,equity,from,to\nk,100,2023-07,2024-03\nm,100,2024-03-15,2024-02-01\n", Approach::EquityShare, 2024)
                .expect_err("dates");
        assert_eq!(
            errors(e),
            [
                "entities.csv:2:7: from 2023-07 of k is outside the inventory's year 2024",
                "entities.csv:3:18: m is held from 2024-03-15 to 2024-02-01: the end is before the start",
            ]
        );
        // Sold in June and bought back the same month: both holdings count in June.
        let e = run("id,equity,from,to\nk,100,2024-01,2024-06\nk,100,2024-06,\n", Approach::EquityShare, 2024)
            .expect_err("twice");
        assert_eq!(
            errors(e),
            ["entities.csv:3:3: k is held 100 % (line 2) + 100 % (line 3) = 200 % in 2024-06: more than 100 %"]
        );
        let e = run("id,equity\na,\n", Approach::OperationalControl, 2024).expect_err("no column");
        assert_eq!(
            errors(e),
            [
                "entities.csv:1:1: the entity register has no operational_control column, which the operational_control approach reads"
            ]
        );
        let e = run("id,equity\na,\n", Approach::EquityShare, 2024).expect_err("empty");
        assert_eq!(errors(e), ["entities.csv:2:3: equity of a is empty: the equity_share approach needs it"]);
    }
}
