//! `ghg reconcile`: statuses, findings, internal checks, change attribution, exit codes, goldens, and the property
//! that an inventory reconciles against its own figures printed at any precision.
//!
//! The fixtures under tests/data/reconcile use their own factor files (rtest-*), so the numbers below were
//! computed by hand from the ledgers and those factors (python decimal), independently of this code:
//!
//! 2024 (basic/): gasoline 100.2 t, natural gas 10.03 万m3, grid 1000 MWh (precision 1), PV 50 MWh, certificates 200.
//!   scope1.gasoline = 100.2 x 2.9251 = 293.09502; scope1.natural_gas = 10.03 x 21.622 = 216.86866;
//!   scope1 = 509.96368. scope2.location = 1000 x 0.5366 = 536.6; scope2.market = (1000 - 200) x 0.5366 = 429.28.
//!   energy.direct = 100.2 x 1.4714 + 100300 x 1.1 / 1000 = 147.43428 + 110.33 = 257.76428;
//!   energy.indirect = 1050 x 0.1229 = 129.045. electricity.total = 1050 (half-width 0.5).
//! 2023 (prev/): site-a gasoline 90.0 t, gas 10.00 万m3, grid 900 MWh; site-b grid 100 MWh; grid edition 2021 (0.5568).
//!   scope1 = 263.259 + 216.22 = 479.479; scope2.location = scope2.market = 1000 x 0.5568 = 556.8;
//!   energy.total = 132.426 + 110 + 1000 x 0.1229 = 365.326.

use std::path::{Path, PathBuf};

use ghg::calc::{self, ComputeOptions};
use ghg::reconcile::{self, FindingKind, Outcome, ReportedFile, Status};
use ghg::{FactorLibrary, Inventory};
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use crate::util::{ghg, ghg_in, golden, root};

const BASIC: &str = "tests/data/reconcile/basic/inventory.toml";
const PREV: &str = "tests/data/reconcile/prev/inventory.toml";

fn fixture_lib() -> FactorLibrary {
    let mut lib = FactorLibrary::builtin().expect("built-in factors");
    lib.add_dir(&root().join("tests/data/reconcile/factors")).expect("fixture factors");
    lib
}

fn run(paths: &[&str]) -> reconcile::Reconciliation {
    let invs: Vec<Inventory> = paths.iter().map(|p| Inventory::load(&root().join(p)).expect("inventory")).collect();
    reconcile::reconcile_inventories(&invs, &fixture_lib(), ComputeOptions::default()).expect("reconciles")
}

fn status_of(r: &reconcile::Reconciliation, year: i32, id: &str) -> Status {
    let y = r.years.iter().find(|y| y.year == year).expect("year");
    y.figures.iter().find(|f| f.id == id).unwrap_or_else(|| panic!("{id}")).status
}

#[test]
fn every_status_with_hand_checked_numbers() {
    let r = run(&[BASIC]);
    let y = &r.years[0];
    let f = |id: &str| y.figures.iter().find(|f| f.id == id).expect(id);
    // exact: 293.09502 prints as 293.1; 129.045 prints as 129.05 (half away from zero)
    assert_eq!(f("scope1.gasoline").status, Status::Exact);
    assert_eq!(f("energy.indirect").status, Status::Exact);
    assert_eq!(f("energy.indirect").recomputed, dec!(129.045));
    // 万: 200 MWh prints as 0.02万
    assert_eq!(f("activity.certificate").status, Status::Exact);
    // consistent: 1050 ± 0.5 meets [1050.25, 1050.35)
    assert_eq!(f("electricity.total").status, Status::Consistent);
    assert_eq!(f("electricity.total").half_width, Some(dec!(0.5)));
    // 509.96368 against 509.97 (2% of it is 10.1994): within, and the report summed rounded parts (293.10 +
    // 216.87 = 509.97), which explains the whole gap: consistent, naming the rounding finding
    assert_eq!(f("scope1").status, Status::Consistent);
    assert_eq!(f("scope1").explained_by.as_deref(), Some("rounding: the report summed rounded parts"));
    assert_eq!(f("scope1").recomputed, dec!(509.96368));
    assert_eq!(f("scope1").tolerance, dec!(10.1994));
    // outside: 429.28 against 445.44 (difference -16.16, allowance 8.9088)
    let m = f("scope2.market");
    assert_eq!(
        (m.status, m.recomputed, m.difference, m.tolerance),
        (Status::Outside, dec!(429.28), dec!(-16.16), dec!(8.9088))
    );
    assert_eq!(m.at_precision(), "429.28");
    // intensity: 939.24368 / 1000 = 0.93924368 in tCO2e per million CNY
    assert_eq!(f("intensity.total.market").recomputed, dec!(0.93924368));
    assert_eq!(f("intensity.total.market").status, Status::Within);
    assert_eq!(f("intensity.energy").status, Status::Outside);
    assert_eq!(y.outside(), 4);
}

fn finding<'a>(
    r: &'a reconcile::Reconciliation,
    kind: FindingKind,
    figure: &str,
    pred: impl Fn(&reconcile::Finding) -> bool,
) -> &'a reconcile::Finding {
    r.findings()
        .find(|f| f.kind == kind && f.figure.as_deref() == Some(figure) && pred(f))
        .unwrap_or_else(|| panic!("no {} finding for {figure}", kind.name()))
}

fn value<'a>(f: &'a reconcile::Finding, key: &str) -> &'a str {
    f.values.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str()).unwrap_or_else(|| panic!("{key}"))
}

#[test]
fn every_finding_kind() {
    let r = run(&[BASIC]);
    // implied factor: 445.44 / 800 MWh = 0.5568, which the 2021 edition reproduces exactly
    let f = finding(&r, FindingKind::ImpliedFactor, "scope2.market", |_| true);
    assert_eq!(f.outcome, Outcome::Explains);
    assert_eq!(value(f, "implied"), "0.5568");
    assert_eq!(value(f, "activity"), "800");
    // the fixture's own 2021 edition, and the built-in MEE 2021 factor with the same value, both give 445.44;
    // MEE 2022 north-east (0.5564) reaches it only within precision: (800 + 0.5) x (0.5564 + 0.00005) = 445.438225
    let names: Vec<(&str, &str, bool)> =
        f.candidates.iter().map(|c| (c.factor.as_str(), c.relation, c.exact)).collect();
    assert_eq!(
        names,
        vec![
            ("rtest-grid@2021:grid.national", "edition", true),
            ("mee-grid@2021:grid.national", "other", true),
            ("mee-grid@2022:grid.region.northeast", "region", false)
        ]
    );
    assert_eq!(f.candidates[0].recomputed, dec!(445.44));
    assert!(f.tried > 6, "3 electricity factors in each fixture edition, plus the built-in ones: {}", f.tried);
    // alternatives: (269.23 - 147.43428) x 1000 / 100300 m3 = 1.21431425..., the set's 1.2143 alternative
    let f = finding(&r, FindingKind::ImpliedFactor, "energy.direct", |f| f.outcome == Outcome::Explains);
    assert_eq!(f.candidates[0].factor, "rtest-coal@1:natural_gas.common");
    assert_eq!(f.candidates[0].relation, "alternative");
    assert!(value(f, "implied").starts_with("1.2143142"), "{}", value(f, "implied"));
    // with two factors, no implied factor for gasoline computed with natural gas held fixed (not a coefficient);
    // its implied activity instead: (269.23 - 100,300 m3 x 1.1 kgce/m3 = 110.33 tce) / 1.4714 = 107.99 t against
    // 100.2 t in the ledger
    assert!(r.findings().all(|f| !(f.kind == FindingKind::ImpliedFactor
        && f.figure.as_deref() == Some("energy.direct")
        && f.outcome == Outcome::DoesNotExplain)));
    let f = finding(&r, FindingKind::ImpliedActivity, "energy.direct", |f| {
        value(f, "factor_used") == "rtest-coal@1:gasoline"
    });
    assert!(value(f, "implied_activity").starts_with("107.99"), "{}", value(f, "implied_activity"));
    // implied activity: 445.44 / 0.5366 = 830.1155423033917256802087216 MWh against 800 in the ledger
    let f = finding(&r, FindingKind::ImpliedActivity, "scope2.market", |_| true);
    assert!(value(f, "implied_activity").starts_with("830.11554230"), "{}", value(f, "implied_activity"));
    assert_eq!(value(f, "ledger_activity"), "800");
    // rounding: 293.09502 -> 293.10 and 216.86866 -> 216.87 sum to 509.97, the printed value; the sum rounds to 509.96
    let f = finding(&r, FindingKind::Rounding, "scope1", |_| true);
    assert_eq!(f.outcome, Outcome::Explains);
    assert_eq!((value(f, "sum_of_rounded"), value(f, "rounded_sum")), ("509.97", "509.96"));
    assert_eq!(finding(&r, FindingKind::Rounding, "scope2.market", |_| true).outcome, Outcome::DoesNotExplain);
    // propagated: 509.97 + 445.44 = 955.41, the printed total
    let f = finding(&r, FindingKind::Propagated, "total.market", |_| true);
    assert_eq!((f.outcome, value(f, "from_reported")), (Outcome::Explains, "955.41"));
    // internal: 200 + 50 = 250.0; 269.23 + 129.05 = 398.28; 955.41 / 1000 = 0.95541 is not 0.95; 398.28 / 1000 -> 0.40
    assert_eq!(finding(&r, FindingKind::InternalSum, "electricity.renewable", |_| true).outcome, Outcome::Holds);
    assert_eq!(finding(&r, FindingKind::InternalSum, "energy.total", |_| true).outcome, Outcome::Holds);
    let f = finding(&r, FindingKind::InternalRatio, "intensity.total.market", |_| true);
    assert_eq!((f.outcome, value(f, "ratio")), (Outcome::Fails, "0.95541"));
    assert_eq!(finding(&r, FindingKind::InternalRatio, "intensity.energy", |_| true).outcome, Outcome::Holds);
    // of which: 250.0 of 1,050.3 MWh; 293.1 of 509.97 t
    assert_eq!(finding(&r, FindingKind::InternalOfWhich, "electricity.renewable", |_| true).outcome, Outcome::Holds);
    assert_eq!(finding(&r, FindingKind::InternalOfWhich, "scope1.gasoline", |_| true).outcome, Outcome::Holds);
    // stated change with its own "from": 18.048 / 14.2 - 1 = 27.1%, printed "+27%"
    let f = finding(&r, FindingKind::InternalChange, "pv.capacity", |_| true);
    assert_eq!(f.outcome, Outcome::Holds);
    assert!(value(f, "change").starts_with("27.098591"), "{}", value(f, "change"));
    // stated change without a previous year: unchecked
    assert_eq!(finding(&r, FindingKind::InternalChange, "scope1", |_| true).outcome, Outcome::Unchecked);
}

#[test]
fn several_years_check_stated_changes_and_attribute_exactly() {
    let r = run(&[BASIC, PREV]);
    assert_eq!(r.years.iter().map(|y| y.year).collect::<Vec<_>>(), vec![2023, 2024]);
    assert_eq!(status_of(&r, 2023, "scope2.market"), Status::Exact);
    // 509.97 / 479.48 - 1 = 6.3590... % -> +6.4%
    let f = finding(&r, FindingKind::InternalChange, "scope1", |_| true);
    assert_eq!(f.outcome, Outcome::Holds);
    let a = |id: &str| r.attributions.iter().find(|a| a.figure == id).expect(id);
    for x in &r.attributions {
        assert_eq!(x.boundary + x.activity + x.factors, x.change, "{}", x.figure);
        assert_eq!(x.to - x.from, x.change, "{}", x.figure);
    }
    // scope2.location: site-b leaves (-100 x 0.5568 = -55.68); site-a 900 -> 1000 MWh at 0.5568 (+55.68);
    // 0.5568 -> 0.5366 on 1000 MWh (-20.2)
    let l = a("scope2.location");
    assert_eq!((l.boundary, l.activity, l.factors, l.change), (dec!(-55.68), dec!(55.68), dec!(-20.2), dec!(-20.2)));
    assert_eq!(l.entities_removed, vec!["site-b".to_string()]);
    assert_eq!(l.factors_added, vec!["rtest-grid@2022:grid.national".to_string()]);
    // scope2.market adds the certificates, new in 2024, under factors (they change the market-based factor, as
    // the README says): -200 x 0.5366 = -107.32; its activity part is the location-based one
    let m = a("scope2.market");
    assert_eq!((m.boundary, m.activity, m.factors), (dec!(-55.68), dec!(55.68), dec!(-20.2) - dec!(107.32)));
    assert_eq!(m.reported_change(), Some(dec!(445.44) - dec!(556.8)));
    // scope1: same factors, activity only: 509.96368 - 479.479
    let s = a("scope1");
    assert_eq!((s.boundary, s.activity, s.factors), (dec!(0), dec!(30.48468), dec!(0)));
    // energy.total: site-b leaves (-12.29); activity 15.00828 + 0.33 + 12.29 + 6.145 (new PV) = 33.77328
    let e = a("energy.total");
    assert_eq!((e.boundary, e.activity, e.factors), (dec!(-12.29), dec!(33.77328), dec!(0)));
}

#[test]
fn exit_codes_and_goldens_of_the_fixtures() {
    let r = ghg(&["reconcile", BASIC]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.is_empty(), "{}", r.stderr);
    golden("reconcile-fixture-2024.txt", &r.stdout);
    let r = ghg(&["reconcile", PREV]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("verdict: every reported figure reconciles (exit code 0)"), "{}", r.stdout);
    let r = ghg(&["reconcile", PREV, BASIC, "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    golden("reconcile-fixture-2023-2024.json", &r.stdout);
    let r = ghg(&["reconcile", PREV, BASIC, "--format", "markdown"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    golden("reconcile-fixture-2023-2024.md", &r.stdout);
    let r = ghg(&["reconcile", PREV, BASIC]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    golden("reconcile-fixture-2023-2024.txt", &r.stdout);
}

#[test]
fn json_contract() {
    let r = ghg(&["reconcile", BASIC, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("valid JSON");
    let figures = v["figures"].as_array().expect("figures is a list");
    assert_eq!(figures.len(), 15);
    for f in figures {
        for k in ["id", "reported", "recomputed", "difference", "relative", "tolerance", "status"] {
            assert!(f.get(k).is_some(), "figure lacks {k}: {f}");
        }
        for k in ["reported", "recomputed", "difference", "tolerance"] {
            assert!(f[k].is_string(), "{k} is a decimal string: {f}");
        }
    }
    let m = figures.iter().find(|f| f["id"] == "scope2.market").expect("scope2.market");
    assert_eq!(m["reported"], "445.44");
    assert_eq!(m["recomputed"], "429.28");
    assert_eq!(m["difference"], "-16.16");
    assert_eq!(m["status"], "outside");
    assert!(v["findings"].as_array().is_some_and(|f| !f.is_empty()));
    assert_eq!(v["provenance"]["tool"], format!("ghg {}", env!("CARGO_PKG_VERSION")));
    assert_eq!(v["provenance"]["inventories"][0]["rows"]["read"], 5);
    assert_eq!(v["summary"]["outside"], 4);
}

/// A copy of the basic fixture in a temporary folder, with a replaced reported file.
fn variant(reported: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = root().join("tests/data/reconcile/basic");
    let factors = root().join("tests/data/reconcile/factors");
    let inv = std::fs::read_to_string(src.join("inventory.toml"))
        .expect("inventory")
        .replace("factor_paths = [\"../factors\"]", &format!("factor_paths = [{:?}]", factors.display().to_string()));
    std::fs::write(dir.path().join("inventory.toml"), inv).expect("write");
    std::fs::copy(src.join("ledger.csv"), dir.path().join("ledger.csv")).expect("copy");
    std::fs::write(dir.path().join("reported.toml"), reported).expect("write");
    dir
}

#[test]
fn failing_internal_checks_are_findings_not_errors() {
    let dir = variant(
        "[[figure]]\nid = \"scope1\"\nprinted = \"509.96 吨二氧化碳当量\"\n\
         [[figure]]\nid = \"scope2.market\"\nprinted = \"429.28 吨二氧化碳当量\"\n\
         [[figure]]\nid = \"total.market\"\nprinted = \"940.24 吨二氧化碳当量\"\n\
         [[figure]]\nid = \"scope1.gasoline\"\nprinted = \"600 吨二氧化碳当量\"\ntolerance = { relative = \"1\" }\n\
         [[change]]\nid = \"scope1\"\nprinted = \"-3.0%\"\nfrom = \"479.48 吨二氧化碳当量\"\n",
    );
    let r = ghg_in(dir.path(), &["reconcile", "inventory.toml", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let outcome = |kind: &str| -> String {
        v["findings"]
            .as_array()
            .and_then(|a| a.iter().find(|f| f["kind"] == kind))
            .map(|f| f["outcome"].as_str().unwrap_or("").to_string())
            .unwrap_or_default()
    };
    // 509.96 + 429.28 = 939.24, not 940.24; 600 > 509.97; 509.96 / 479.48 - 1 = +6.36%, not -3.0%
    assert_eq!(outcome("internal-sum"), "fails");
    assert_eq!(outcome("internal-of-which"), "fails");
    assert_eq!(outcome("internal-change"), "fails");
    // only total.market (off by 1.00 with no tolerance) is outside
    let outside: Vec<&str> = v["figures"]
        .as_array()
        .map(|a| a.iter().filter(|f| f["status"] == "outside").filter_map(|f| f["id"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(outside, vec!["total.market"]);
}

#[test]
fn bad_input_exits_2_with_the_location() {
    let cases: &[(&str, &str)] = &[
        (
            "[[figure]]\nid = \"scope3\"\nprinted = \"1 吨二氧化碳当量\"\n",
            "error: reported.toml:1:1: reported figure 'scope3' is not a figure of this inventory",
        ),
        (
            "[[figure]]\nid = \"scope1\"\nprinted = \"509.97 吨标煤\"\n",
            "error: reported.toml:1:1: reported figure 'scope1' is printed in 吨标煤 (tce), but it measures tCO2e",
        ),
        (
            "[[figure]]\nid = \"scope1\"\nprinted = \"509,97 吨\"\n",
            "error: reported.toml:3:15: 'printed' is not a printed number: bad thousands grouping",
        ),
        ("[tolerance]\nrelative = \"-1\"\n", "error: reported.toml:2:12: tolerance relative is negative (-1)"),
    ];
    for (reported, want) in cases {
        let dir = variant(reported);
        let r = ghg_in(dir.path(), &["reconcile", "inventory.toml"]);
        assert_eq!(r.code, 2, "{reported}: {}", r.stderr);
        assert!(r.stderr.starts_with(want), "{reported}:\n  want {want}\n  got  {}", r.stderr);
        assert!(r.stdout.is_empty());
    }
    let dir = variant("");
    let inv = std::fs::read_to_string(dir.path().join("inventory.toml")).expect("read");
    std::fs::write(dir.path().join("inventory.toml"), inv.replace("reported = \"reported.toml\"\n", ""))
        .expect("write");
    let r = ghg_in(dir.path(), &["reconcile", "inventory.toml"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "error: inventory.toml: inventory names no reported figures (add reported = \"reported.toml\" at the top level (see examples/hikvision-2024))\n"
    );
    let r = ghg(&["reconcile", BASIC, "--format", "csv"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.starts_with("error: invalid value 'csv' for '--format <FORMAT>'"), "{}", r.stderr);
    let r = ghg(&["reconcile", BASIC, BASIC]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("two inventories for 2024"), "{}", r.stderr);
}

#[test]
fn a_rejected_row_refuses_to_reconcile_unless_lenient() {
    let dir = variant("[[figure]]\nid = \"scope2.location\"\nprinted = \"536.6 吨二氧化碳当量\"\n");
    let mut ledger = std::fs::read_to_string(dir.path().join("ledger.csv")).expect("ledger");
    ledger.push_str("site-a,2024,electricity,ten,兆瓦时,CN,,\n");
    std::fs::write(dir.path().join("ledger.csv"), ledger).expect("write");
    let r = ghg_in(dir.path(), &["reconcile", "inventory.toml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.starts_with("error: ledger.csv:7:"), "{}", r.stderr);
    let r = ghg_in(dir.path(), &["reconcile", "inventory.toml", "--lenient"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("exact"), "{}", r.stdout);
}

// ---------------------------------------------------------------------------------------------------------------
// The property: an inventory reconciled against its own figures, printed at any precision, has nothing outside.
// ---------------------------------------------------------------------------------------------------------------

const KINDS: &[(&str, &str)] = &[
    ("gasoline", "吨"),
    ("natural_gas", "万立方米"),
    ("natural_gas", "m3"),
    ("electricity", "兆瓦时"),
    ("electricity", "kWh"),
    ("onsite_pv", "MWh"),
    ("certificate", "MWh"),
];

/// The figure printed at `places` decimals (of 万 when `wan`), with its unit, the way a report would print it.
fn printed(value: Decimal, unit: &str, places: u32, wan: bool) -> String {
    if wan {
        let v = value / Decimal::from(10_000);
        format!("{}万 {unit}", ghg::printed::format_grouped(v, places, true))
    } else {
        format!("{} {unit}", ghg::printed::format_grouped(value, places, true))
    }
}

fn reconcile_self(dir: &Path, rows: &[(usize, u64, bool)], precisions: &[(u32, bool)]) -> reconcile::YearResult {
    let mut ledger = String::from("entity,period,activity,quantity,unit,region,note,precision\n");
    for (i, (k, q, with_precision)) in rows.iter().enumerate() {
        let (a, u) = KINDS[*k];
        let p = if *with_precision { "0.01" } else { "" };
        ledger.push_str(&format!("site{},2024,{a},{},{u},CN,,{p}\n", i % 2, Decimal::new(*q as i64, 2)));
    }
    std::fs::write(dir.join("ledger.csv"), ledger).expect("ledger");
    let factors: PathBuf = root().join("tests/data/reconcile/factors");
    let inv = std::fs::read_to_string(root().join(BASIC))
        .expect("inventory")
        .replace("factor_paths = [\"../factors\"]", &format!("factor_paths = [{:?}]", factors.display().to_string()));
    std::fs::write(dir.join("inventory.toml"), inv).expect("inventory");
    let inv = Inventory::load(&dir.join("inventory.toml")).expect("inventory");
    static LIB: std::sync::OnceLock<FactorLibrary> = std::sync::OnceLock::new();
    let lib = LIB.get_or_init(fixture_lib);
    let c = calc::compute(&inv, lib, ComputeOptions::default()).expect("compute");
    let mut rep = String::new();
    for (n, id) in c.ordered_ids().iter().enumerate() {
        let f = &c.figures[*id];
        let (places, wan) = precisions[n % precisions.len()];
        rep.push_str(&format!("[[figure]]\nid = {id:?}\nprinted = {:?}\n", printed(f.value, &f.unit, places, wan)));
    }
    rep.push_str("[[figure]]\nid = \"denominator.revenue\"\nprinted = \"1,000 百万元\"\n");
    let reported = ReportedFile::parse(&dir.join("reported.toml"), &rep).expect("reported file parses");
    reconcile::reconcile_year(&inv, lib, c, reported).expect("reconciles")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, .. ProptestConfig::default() })]

    #[test]
    fn an_inventory_reconciles_against_its_own_figures_at_any_precision(
        rows in prop::collection::vec((0usize..7, 0u64..50_000_000, any::<bool>()), 1..10),
        precisions in prop::collection::vec((0u32..7, any::<bool>()), 1..8),
    ) {
        let dir = tempfile::tempdir().expect("tempdir");
        let y = reconcile_self(dir.path(), &rows, &precisions);
        for f in &y.figures {
            prop_assert_ne!(f.status, Status::Outside, "{} printed {} recomputed {}", f.id, f.printed.text, f.recomputed);
            prop_assert_eq!(f.status, Status::Exact, "{} printed {}", f.id, f.printed.text);
        }
        // every computed figure plus the revenue was reconciled
        prop_assert_eq!(y.figures.len(), y.computation.figures.len() + 1);
        // nothing needed explaining, and the report's own relations hold (true values lie in every interval)
        prop_assert!(y.findings.iter().all(|f| !matches!(f.kind, FindingKind::ImpliedFactor | FindingKind::Rounding)));
        prop_assert!(y.findings.iter().all(|f| f.outcome != Outcome::Fails), "{:?}", y.findings);
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The seed: Hikvision 2022, 2023, 2024 (examples/hikvision-*).
// ---------------------------------------------------------------------------------------------------------------

const SEED: [&str; 3] = [
    "examples/hikvision-2022/inventory.toml",
    "examples/hikvision-2023/inventory.toml",
    "examples/hikvision-2024/inventory.toml",
];

#[test]
fn seed_goldens_in_every_format() {
    for (path, code) in SEED.iter().zip([1, 1, 0]) {
        let r = ghg(&["reconcile", path]);
        assert_eq!(r.code, code, "{path}: {}", r.stderr);
        let year = &path[19..23];
        golden(&format!("reconcile-hikvision-{year}.txt"), &r.stdout);
    }
    let mut args = vec!["reconcile"];
    args.extend(SEED);
    let r = ghg(&args);
    assert_eq!(r.code, 1, "{}", r.stderr);
    golden("reconcile-hikvision-2022-2024.txt", &r.stdout);
    args.extend(["--format", "json"]);
    let r = ghg(&args);
    assert_eq!(r.code, 1, "{}", r.stderr);
    golden("reconcile-hikvision-2022-2024.json", &r.stdout);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("valid JSON");
    assert_eq!(v["years"], serde_json::json!([2022, 2023, 2024]));
    let n = args.len();
    args[n - 1] = "markdown";
    let r = ghg(&args);
    assert_eq!(r.code, 1, "{}", r.stderr);
    golden("reconcile-hikvision-2022-2024.md", &r.stdout);
}

#[test]
fn seed_results_a_reader_can_check_by_hand() {
    let invs: Vec<Inventory> = SEED.iter().map(|p| Inventory::load(&root().join(p)).expect("inventory")).collect();
    let lib = FactorLibrary::builtin().expect("library");
    let r = reconcile::reconcile_inventories(&invs, &lib, ComputeOptions::default()).expect("reconciles");
    // 2024: nothing outside. 362,596.02 MWh x 0.1229 = 44,563.050858 tce prints as 44,563.05;
    // certificates 33,989.22 - 15,900 = 18,089.22 MWh print as 1.8万
    assert_eq!(r.years[2].outside(), 0);
    assert_eq!(status_of(&r, 2024, "energy.indirect"), Status::Exact);
    assert_eq!(status_of(&r, 2024, "activity.certificate"), Status::Exact);
    assert_eq!(status_of(&r, 2024, "energy.direct"), Status::Consistent);
    // 2022 scope 2: 154,300.2 / 218,563.8 MWh = 0.70597 tCO2/MWh, which no shipped grid factor gives
    assert_eq!(status_of(&r, 2022, "scope2.market"), Status::Outside);
    let f = finding(&r, FindingKind::ImpliedFactor, "scope2.market", |f| f.year == 2022);
    assert_eq!(f.outcome, Outcome::DoesNotExplain);
    assert!(value(f, "implied").starts_with("0.705973"), "{}", value(f, "implied"));
    // 2023 scope 2: (283,433.1 - 12,533.7) x 0.5568 = 150,836.79 against 150,848.8: the 2021 factor reproduces it
    // within the precision it is printed with (implied 0.556844)
    // which explains the whole gap: consistent
    assert_eq!(status_of(&r, 2023, "scope2.market"), Status::Consistent);
    let f = finding(&r, FindingKind::ImpliedFactor, "scope2.market", |f| f.year == 2023);
    assert_eq!(f.outcome, Outcome::Explains);
    assert_eq!(f.candidates[0].factor, "mee-grid@2021:grid.national");
    assert_eq!(f.candidates[0].relation, "used");
    // 2023 indirect energy: 32,740.5 printed against 283,433.1 MWh x 0.1229 = 34,833.93 (+6.4%)
    assert_eq!(status_of(&r, 2023, "energy.indirect"), Status::Outside);
    // the report's own arithmetic holds in every year: sums, intensities, "of which", certificates + own PV
    let internal: Vec<_> =
        r.findings().filter(|f| f.kind.name().starts_with("internal-") && f.outcome != Outcome::Unchecked).collect();
    assert_eq!(internal.len(), 16);
    assert!(internal.iter().all(|f| f.outcome == Outcome::Holds), "{internal:?}");
    // 1.8万 + 1.59万 = [33,350, 34,450) holds 33,989.22
    let f = finding(&r, FindingKind::InternalSum, "electricity.renewable", |f| f.year == 2024);
    assert_eq!(value(f, "exact"), "false");
    // one entity in every year: the boundary part of the attribution is zero
    assert!(r.attributions.iter().all(|a| a.boundary.is_zero()));
    let a = r.attributions.iter().find(|a| a.figure == "scope2.location" && a.to_year == 2024).expect("2023->2024");
    // factors: 346,696.02 MWh x (0.5366 - 0.5568) = -7,003.259604
    assert_eq!(a.factors, dec!(-7003.259604));
    assert_eq!(a.boundary + a.activity + a.factors, a.change);
}

/// An example inventory with its ledger and reported figures referenced by absolute paths, and `edit` applied.
fn seed_variant(year: &str, edit: impl Fn(String) -> String) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let ex = root().join(format!("examples/hikvision-{year}"));
    let text = std::fs::read_to_string(ex.join("inventory.toml"))
        .expect("inventory")
        .replace("[\"ledger.csv\"]", &format!("[{:?}]", ex.join("ledger.csv").display().to_string()))
        .replace("\"reported.toml\"", &format!("{:?}", ex.join("reported.toml").display().to_string()));
    let path = dir.path().join("inventory.toml");
    std::fs::write(&path, edit(text)).expect("write");
    (dir, path)
}

#[test]
fn seed_editions_and_alternatives_that_reproduce_the_report() {
    let lib = FactorLibrary::builtin().expect("library");
    let one = |path: &Path| {
        let inv = Inventory::load(path).expect("inventory");
        reconcile::reconcile_inventories(&[inv], &lib, ComputeOptions::default()).expect("reconciles")
    };
    // 2023 priced with the 2022 edition: 270,899.4 x 0.5366 = 145,364.62 is outside, and the finding names the
    // 2021 edition, 0.5568, as the factor that reproduces the printed 150,848.8
    let (_d, p) = seed_variant("2023", |t| t.replace("mee-grid@2021", "mee-grid@2022"));
    let r = one(&p);
    assert_eq!(status_of(&r, 2023, "scope2.market"), Status::Outside);
    let f = finding(&r, FindingKind::ImpliedFactor, "scope2.market", |_| true);
    let names: Vec<(&str, &str)> = f.candidates.iter().map(|c| (c.factor.as_str(), c.relation)).collect();
    assert_eq!(names, vec![("mee-grid@2021:grid.national", "edition")]);
    // 2024 with the 12.1430 tce/10^4 m3 natural-gas coefficient: direct energy is off by +430.55 tce, and the
    // finding points back to the 1.1000 kgce/m3 end of the GB/T 2589 range
    let (_d, p) = seed_variant("2024", |t| t.replace("\"natural_gas.range_low\"", "\"natural_gas.stat_table\""));
    let r = one(&p);
    assert_eq!(status_of(&r, 2024, "energy.direct"), Status::Outside);
    let f = finding(&r, FindingKind::ImpliedFactor, "energy.direct", |f| f.outcome == Outcome::Explains);
    let names: Vec<(&str, &str)> = f.candidates.iter().map(|c| (c.factor.as_str(), c.relation)).collect();
    assert_eq!(names, vec![("gbt2589@2020:natural_gas.range_low", "alternative")]);
}

#[test]
fn extreme_printed_values_are_results_not_panics() {
    // 27 significant digits (the interval bounds need a 28th), the smallest printable step, zero, a negative and 万亿 on the same inventory
    let dir = variant(
        "[tolerance]\nrelative = \"0.5\"\nabsolute = \"99999999999999999999999999\"\n\
         [[figure]]\nid = \"scope1\"\nprinted = \"999,999,999,999,999,999,999,999,999 吨二氧化碳当量\"\n\
         [[figure]]\nid = \"scope2.market\"\nprinted = \"0.000000000000000000000000001 吨二氧化碳当量\"\n\
         [[figure]]\nid = \"total.market\"\nprinted = \"-999,999,999,999,999,999,999,999,999 吨二氧化碳当量\"\n\
         [[figure]]\nid = \"energy.total\"\nprinted = \"0 吨标煤\"\n\
         [[figure]]\nid = \"energy.direct\"\nprinted = \"7.9万亿 吨标煤\"\n\
         [[figure]]\nid = \"energy.indirect\"\nprinted = \"0.000000000000000000000000001 吨标煤\"\n\
         [[figure]]\nid = \"intensity.energy\"\nprinted = \"999,999,999,999,999,999,999,999,999 吨标煤/百万元\"\n\
         [[figure]]\nid = \"denominator.revenue\"\nprinted = \"0.000000000000000000000000001 百万元\"\n",
    );
    for format in ["table", "json", "markdown"] {
        let r = ghg_in(dir.path(), &["reconcile", "inventory.toml", "--format", format]);
        assert!(!r.stderr.contains("panicked"), "{format}: {}", r.stderr);
        assert_eq!(r.code, 1, "{format}: {}", r.stderr);
    }
    // A stated change from 1e-27 to 1e27 is 1e56 %: it cannot be checked in 28 significant digits, which is an
    // error at the [[change]] (it used to be clamped to the largest decimal and reported as failing).
    let mut text = std::fs::read_to_string(dir.path().join("reported.toml")).expect("reported");
    let line = text.lines().count() + 1;
    text.push_str(
        "[[change]]\nid = \"scope1\"\nprinted = \"999,999,999,999,999,999,999,999,999%\"\nfrom = \"0.000000000000000000000000001\"\n",
    );
    std::fs::write(dir.path().join("reported.toml"), text).expect("write");
    let r = ghg_in(dir.path(), &["reconcile", "inventory.toml"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "reported.toml:{line}:1: the stated change of figure 'scope1' overflows 28 significant digits"
        )),
        "{}",
        r.stderr
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    /// Whatever a reported file says, reading and reconciling it gives figures or located errors, never a panic.
    #[test]
    fn any_reported_text_gives_results_or_errors(
        printed in prop::collection::vec("[-+ 0-9,.万亿]{0,12}( ?(吨二氧化碳当量|吨标煤|兆瓦时|%|百万元|吨标煤 / 百万元|x))?", 1..6),
        ids in prop::collection::vec(prop::sample::select(vec![
            "scope1", "scope2.market", "total.market", "energy.total", "intensity.energy", "electricity.total",
            "denominator.revenue", "activity.certificate", "nonsense",
        ]), 1..6),
    ) {
        static BASE: std::sync::OnceLock<(Inventory, FactorLibrary, calc::Computation)> = std::sync::OnceLock::new();
        let (inv, lib, c) = BASE.get_or_init(|| {
            let inv = Inventory::load(&root().join(BASIC)).expect("inventory");
            let lib = fixture_lib();
            let c = calc::compute(&inv, &lib, ComputeOptions::default()).expect("compute");
            (inv, lib, c)
        });
        let mut text = String::from("[tolerance]\nrelative = \"0.01\"\n");
        for (p, id) in printed.iter().zip(ids.iter().cycle()) {
            text.push_str(&format!("[[figure]]\nid = \"{id}\"\nprinted = {p:?}\n"));
        }
        if let Ok(rep) = ReportedFile::parse(Path::new("r.toml"), &text)
            && let Ok(y) = reconcile::reconcile_year(inv, lib, c.clone(), rep)
        {
            let r = reconcile::Reconciliation { years: vec![y], attributions: Vec::new(), internal_checks_count: true };
            let _ = ghg::report::render_reconcile_table(&r);
            let _ = ghg::report::render_reconcile_markdown(&r);
            let _ = ghg::report::reconcile_json(&r);
        }
    }
}
