//! Property tests of the invariants: totals equal the sum of their traced lines (scope 1's breakdowns by category
//! and by gas each add up to it); scaling every activity
//! scales every summed figure; certificates never raise market-based scope 2 nor take it below zero.

use std::path::Path;

use ghg::calc::{self, ComputeOptions};
use ghg::{FactorLibrary, Inventory};
use proptest::prelude::*;

use crate::util::INVENTORY;
use rust_decimal::Decimal;

fn dec(cents: u64) -> Decimal {
    Decimal::new(cents as i64, 2)
}

fn ledger(rows: &[(&str, Decimal, &str, &str)]) -> String {
    let mut s = String::from("entity,period,activity,quantity,unit,region,note\n");
    for (i, (a, q, u, r)) in rows.iter().enumerate() {
        s.push_str(&format!("site{},2024,{a},{q},{u},{r},\n", i % 3));
    }
    s
}

fn run(dir: &Path, ledger_text: &str) -> calc::Computation {
    std::fs::write(dir.join("ledger.csv"), ledger_text).expect("write ledger");
    std::fs::write(dir.join("inventory.toml"), INVENTORY).expect("write inventory");
    let inv = Inventory::load(&dir.join("inventory.toml")).expect("inventory");
    let lib = FactorLibrary::builtin().expect("library");
    calc::compute(&inv, &lib, ComputeOptions::default()).expect("compute")
}

fn rows_strategy() -> impl Strategy<Value = Vec<(usize, u64)>> {
    prop::collection::vec((0usize..7, 0u64..100_000_000), 1..12)
}

const KINDS: &[(&str, &str, &str)] = &[
    ("gasoline", "吨", "CN"),
    ("diesel", "t", "CN"),
    ("natural_gas", "万立方米", "CN"),
    ("electricity", "兆瓦时", "CN"),
    ("electricity", "kWh", "CN-ZJ"),
    ("onsite_pv", "MWh", "CN"),
    ("certificate", "MWh", "CN"),
];

fn build(rows: &[(usize, u64)], scale: u64) -> Vec<(&'static str, Decimal, &'static str, &'static str)> {
    rows.iter()
        .map(|(k, q)| {
            let (a, u, r) = KINDS[*k];
            (a, dec(q * scale), u, r)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, .. ProptestConfig::default() })]

    #[test]
    fn totals_equal_the_sum_of_their_traced_lines(rows in rows_strategy()) {
        let dir = tempfile::tempdir().expect("tempdir");
        let c = run(dir.path(), &ledger(&build(&rows, 1)));
        for id in ["scope1", "scope2.location", "scope2.market", "total.location", "total.market", "energy.direct",
                   "energy.indirect", "energy.total", "electricity.total", "electricity.renewable"] {
            let t = calc::trace(&c, id, None).expect("no overflow").expect("figure exists");
            prop_assert_eq!(t.lines_sum, t.figure.value, "figure {}", id);
        }
        let f = |id: &str| c.figures[id].value;
        prop_assert_eq!(f("total.location"), f("scope1") + f("scope2.location"));
        // Scope 1 by category and by gas: each its own lines, each set of them adding up to scope 1.
        let sum_of = |pick: &dyn Fn(&str) -> bool| -> Decimal {
            c.figures.iter().filter(|(id, _)| pick(id)).map(|(_, x)| x.value).sum()
        };
        let by_category = sum_of(&|id| ghg::figure::SCOPE1_BY_CATEGORY.contains(&id));
        let by_gas = sum_of(&|id| id.starts_with(ghg::figure::SCOPE1_GAS_PREFIX));
        prop_assert_eq!(by_category, f("scope1"));
        prop_assert_eq!(by_gas, f("scope1"));
        for id in c.figures.keys().filter(|id| id.starts_with("scope1.")) {
            let t = calc::trace(&c, id, None).expect("no overflow").expect("figure exists");
            prop_assert_eq!(t.lines_sum, t.figure.value, "figure {}", id);
        }
        prop_assert_eq!(f("energy.total"), f("energy.direct") + f("energy.indirect"));
        prop_assert!(f("scope2.market") >= Decimal::ZERO);
        prop_assert_eq!(c.provenance.rows.read, rows.len() as u64);
        prop_assert_eq!(c.provenance.rows.used, rows.len() as u64);
    }

    #[test]
    fn scaling_every_activity_scales_the_result(rows in rows_strategy(), k in 2u64..50) {
        let d1 = tempfile::tempdir().expect("tempdir");
        let d2 = tempfile::tempdir().expect("tempdir");
        let a = run(d1.path(), &ledger(&build(&rows, 1)));
        let b = run(d2.path(), &ledger(&build(&rows, k)));
        let kd = Decimal::from(k);
        for (id, fa) in &a.figures {
            let fb = &b.figures[id];
            let expected = fa.value * kd;
            let diff = (fb.value - expected).abs();
            // Each line is rounded half away from zero at LINE_SCALE (12) places: scaling first can move each
            // line by at most k x 0.5e-12, so the figure by at most lines x k x 1e-12 (intensities: /1000 revenue).
            let tol = Decimal::from(fa.lines as u64 + 1) * kd * Decimal::new(1, 12) + expected.abs() * Decimal::new(1, 20);
            prop_assert!(diff <= tol, "{}: {} x {} = {}, got {}", id, fa.value, k, expected, fb.value);
        }
    }

    #[test]
    fn certificates_never_raise_market_scope2_nor_change_location(rows in rows_strategy(), extra in 0u64..10_000_000) {
        let d1 = tempfile::tempdir().expect("tempdir");
        let d2 = tempfile::tempdir().expect("tempdir");
        let base = build(&rows, 1);
        let mut more = base.clone();
        more.push(("certificate", dec(extra), "MWh", "CN"));
        let a = run(d1.path(), &ledger(&base));
        let b = run(d2.path(), &ledger(&more));
        prop_assert!(b.figures["scope2.market"].value <= a.figures["scope2.market"].value);
        prop_assert!(b.figures["scope2.market"].value >= Decimal::ZERO);
        prop_assert_eq!(b.figures["scope2.location"].value, a.figures["scope2.location"].value);
    }
}
