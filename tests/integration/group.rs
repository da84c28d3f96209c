//! Group accounting: an entity register beside the ledgers and the consolidation approach. Every expected figure
//! is worked by hand in the comments from the MEE 2022 national grid factor (0.5366 tCO2/MWh) and the national
//! factor excluding market-traded non-fossil power (0.5856), the residual chosen here.

use std::path::Path;
use std::str::FromStr;

use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use crate::util::{ghg, ghg_in};

/// An inventory with a register, under `approach`.
fn inventory(approach: &str) -> String {
    format!(
        "organisation = \"Group test\"\nyear = 2024\nactivity_files = [\"ledger.csv\"]\nentities = \"entities.csv\"\n\
         [consolidation]\napproach = \"{approach}\"\n[factors]\ngrid = \"mee-grid@2022\"\n\
         residual = \"mee-grid@2022:grid.national.excl_market_nonfossil\"\nallow_year_mismatch = true\n"
    )
}

/// Three entities buying 1000 MWh each: the head office, a 60 % subsidiary, and a joint venture the subsidiary
/// holds 50 % of (operated by the group, not financially controlled).
const LEDGER: &str = "entity,period,activity,quantity,unit,region\n\
    hq,2024,electricity,1000,MWh,CN\n\
    sub,2024,electricity,1000,MWh,CN\n\
    jv,2024,electricity,1000,MWh,CN\n";

const REGISTER: &str = "id,name,region,parent,equity,financial_control,operational_control\n\
    hq,Head office,CN,,100,yes,yes\n\
    sub,Subsidiary,CN,hq,60,yes,yes\n\
    jv,Joint venture,CN,sub,50,no,yes\n";

/// A folder with the inventory (under `approach`), the ledger and the register.
fn folder(approach: &str, ledger: &str, register: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("inventory.toml"), inventory(approach)).expect("write inventory");
    std::fs::write(dir.path().join("ledger.csv"), ledger).expect("write ledger");
    std::fs::write(dir.path().join("entities.csv"), register).expect("write register");
    dir
}

/// `ghg compute --format json` in `dir`, which must succeed.
fn compute(dir: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["compute", "inventory.toml", "--format", "json"];
    args.extend_from_slice(extra);
    let r = ghg_in(dir, &args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_str(&r.stdout).expect("valid JSON")
}

fn dec_of(v: &serde_json::Value) -> Decimal {
    Decimal::from_str(v.as_str().unwrap_or_else(|| panic!("a decimal string: {v}"))).expect("a decimal")
}

fn figure(v: &serde_json::Value, id: &str) -> Decimal {
    dec_of(&v["figures"][id]["value"])
}

#[test]
fn equity_share_counts_each_entity_at_the_groups_equity_through_its_parents() {
    let dir = folder("equity_share", LEDGER, REGISTER);
    let v = compute(dir.path(), &[]);
    // Shares: hq 1, sub 0.6, jv 0.5 x 0.6 = 0.3; 1000 MWh each.
    // Location: 536.6 + 321.96 + 160.98 = 1019.54; market: 585.6 x 1.9 = 1112.64; electricity 1900 MWh.
    assert_eq!(figure(&v, "scope2.location"), dec!(1019.54));
    assert_eq!(figure(&v, "scope2.market"), dec!(1112.64));
    assert_eq!(figure(&v, "total.location"), dec!(1019.54));
    assert_eq!(figure(&v, "electricity.total"), dec!(1900));
    assert_eq!(figure(&v, "activity.electricity"), dec!(1900));
    // Figures by entity are the group's share of each.
    assert_eq!(dec_of(&v["by_entity"]["jv"]["scope2.location"]["value"]), dec!(160.98));
    assert_eq!(dec_of(&v["by_entity"]["sub"]["scope2.location"]["value"]), dec!(321.96));
    // The register is an input of the result.
    let inputs = v["provenance"]["inputs"].as_array().expect("inputs");
    assert!(inputs.iter().any(|i| i["path"].as_str().is_some_and(|p| p.ends_with("entities.csv"))), "{inputs:?}");
}

#[test]
fn control_approaches_count_an_entity_fully_or_not_at_all() {
    // Financial control: hq and sub (1000 MWh each at 0.5366), not jv: 1073.2.
    let dir = folder("financial_control", LEDGER, REGISTER);
    let v = compute(dir.path(), &[]);
    assert_eq!(figure(&v, "scope2.location"), dec!(1073.2));
    assert_eq!(dec_of(&v["by_entity"]["jv"]["scope2.location"]["value"]), dec!(0));
    // Operational control: all three, 3000 x 0.5366 = 1609.8, as without a register.
    let dir = folder("operational_control", LEDGER, REGISTER);
    let v = compute(dir.path(), &[]);
    assert_eq!(figure(&v, "scope2.location"), dec!(1609.8));
    let plain = "organisation = \"Group test\"\nyear = 2024\nactivity_files = [\"ledger.csv\"]\n[factors]\n\
        grid = \"mee-grid@2022\"\nresidual = \"mee-grid@2022:grid.national.excl_market_nonfossil\"\n\
        allow_year_mismatch = true\n";
    std::fs::write(dir.path().join("inventory.toml"), plain).expect("write");
    let w = compute(dir.path(), &[]);
    assert_eq!(v["figures"], w["figures"]);
    assert_eq!(v["by_entity"], w["by_entity"]);
}

#[test]
fn the_trace_shows_each_lines_share_and_the_lines_sum_to_the_figure() {
    let dir = folder("equity_share", LEDGER, REGISTER);
    let r = ghg_in(dir.path(), &["explain", "inventory.toml", "scope2.location", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let t: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let lines = t["lines"].as_array().expect("lines");
    assert_eq!(lines.len(), 3);
    let jv = lines.iter().find(|l| l["entity"] == "jv").expect("the jv line");
    assert_eq!(dec_of(&jv["value"]), dec!(160.98));
    let formula = jv["formula"].as_str().expect("formula");
    assert!(formula.ends_with(" x 0.3 (equity share of jv: 50 % by sub; entities.csv:4)"), "{formula}");
    assert_eq!(dec_of(&t["lines_sum"]), dec_of(&t["value"]));
    // The table shows it too.
    let r = ghg_in(dir.path(), &["explain", "inventory.toml", "total.market"]);
    assert!(r.stdout.contains("x 0.6 (equity share of sub: 60 % by hq; entities.csv:3)"), "{}", r.stdout);
    assert!(r.stdout.contains("(equals the figure)"), "{}", r.stdout);
}

#[test]
fn a_part_year_owner_counts_its_days_or_its_months() {
    let ledger = "entity,period,activity,quantity,unit,region\n\
        hq,2024,electricity,1000,MWh,CN\n\
        acq,2024,electricity,1000,MWh,CN\n";
    // Acquired on 1 July 2024: 184 of the 366 days of 2024.
    let register = "id,parent,equity,operational_control,from,to\nhq,,100,yes,,\nacq,hq,100,yes,2024-07-01,\n";
    let dir = folder("operational_control", ledger, register);
    let v = compute(dir.path(), &[]);
    // 536.6 x 184 / 366 = 269.76612021857923..., a scaled line rounded toward positive infinity at 12 places (never
    // below its exact value): 269.766120218580.
    assert_eq!(figure(&v, "scope2.location"), dec!(536.6) + dec!(269.76612021858));
    // 1000 x 184 / 366 = 502.73224043715846... -> 502.732240437159; the residual 585.6 x 184 / 366 = 294.4 exactly.
    assert_eq!(figure(&v, "electricity.total"), dec!(1502.732240437159));
    assert_eq!(figure(&v, "scope2.market"), dec!(880));
    let r = ghg_in(dir.path(), &["explain", "inventory.toml", "scope2.location"]);
    assert!(
        r.stdout.contains("x 184/366 days = 0.502732240437 (operational control of acq; entities.csv:3)"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("(equals the figure)"), "{}", r.stdout);
    // By months: July to December, 6 of 12: 268.3.
    let register = "id,parent,equity,operational_control,from,to\nhq,,100,yes,,\nacq,hq,100,yes,2024-07,2024-12\n";
    let dir = folder("operational_control", ledger, register);
    let v = compute(dir.path(), &["--threads", "3"]);
    assert_eq!(figure(&v, "scope2.location"), dec!(804.9));
}

#[test]
fn lines_carry_their_share_and_an_inventory_without_a_register_none() {
    let dir = folder("equity_share", LEDGER, REGISTER);
    let inv = ghg::Inventory::load(&dir.path().join("inventory.toml")).expect("valid inventory");
    let lib = ghg::library_for(&inv, &[]).expect("library");
    let c = ghg::compute(&inv, &lib, ghg::ComputeOptions::default()).expect("computes");
    let share = |e: &str| c.lines.iter().find(|l| l.entity == e).and_then(|l| l.share);
    assert_eq!(share("jv"), Some(dec!(0.3)));
    assert_eq!(share("hq"), Some(dec!(1)));
    let seed = ghg::Inventory::load(&crate::util::root().join("examples/hikvision-2024/inventory.toml")).expect("seed");
    let c = ghg::compute(&seed, &lib, ghg::ComputeOptions::default()).expect("computes");
    assert!(c.lines.iter().all(|l| l.share.is_none()));
    assert!(seed.consolidation.is_none());
}

#[test]
fn a_register_and_an_approach_go_together() {
    let dir = folder("equity_share", LEDGER, REGISTER);
    let text = inventory("equity_share").replace("[consolidation]\napproach = \"equity_share\"\n", "");
    std::fs::write(dir.path().join("inventory.toml"), text).expect("write");
    let r = ghg_in(dir.path(), &["compute", "inventory.toml"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "error: inventory.toml:4:12: an entity register needs a consolidation approach (add [consolidation] approach = \
         \"operational_control\" (or equity_share, financial_control))\n"
    );
    let text = inventory("equity_share").replace("entities = \"entities.csv\"\n", "");
    std::fs::write(dir.path().join("inventory.toml"), text).expect("write");
    let r = ghg_in(dir.path(), &["compute", "inventory.toml"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "error: inventory.toml:4:1: a consolidation approach needs an entity register (name the register at the top \
         level: entities = \"entities.csv\")\n"
    );
}

#[test]
fn the_seed_under_its_register_keeps_the_printed_boundary() {
    // One ledger entity, held and operated 100 %: every figure of the seed, under either approach.
    let seed = ghg(&["compute", "examples/hikvision-2024/inventory.toml", "--format", "json"]);
    let seed: serde_json::Value = serde_json::from_str(&seed.stdout).expect("json");
    for inv in ["examples/hikvision-2024-group/inventory.toml", "examples/hikvision-2024-group/equity-share.toml"] {
        let r = ghg(&["compute", inv, "--format", "json"]);
        assert_eq!(r.code, 0, "{inv}: {}", r.stderr);
        let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
        assert_eq!(v["figures"], seed["figures"], "{inv}");
        // As the seed's README prints it: 190,575.82 tCO2e.
        assert_eq!(figure(&v, "total.market").round_dp(2), dec!(190575.82));
    }
}

#[test]
fn certificates_are_counted_at_their_entitys_share_and_so_is_the_residual_comparison() {
    let dir = folder(
        "equity_share",
        "entity,period,activity,quantity,unit,region,instrument,vintage\n\
         hq,2024,electricity,1000,MWh,CN,,\n\
         sub,2024,electricity,1000,MWh,CN,,\n\
         sub,2024,certificate,100,MWh,CN,GEC,2024\n",
        "id,parent,equity\nhq,,100\nsub,hq,60\n",
    );
    let text = inventory("equity_share").replace("grid.national.excl_market_nonfossil", "grid.national");
    std::fs::write(dir.path().join("inventory.toml"), text).expect("write");
    let v = compute(dir.path(), &[]);
    // Uncovered at the group's share: 1000 + 0.6 x (1000 - 100) = 1540 MWh; x 0.5366 = 826.364 (chosen grid
    // average) and x 0.5856 = 901.824 (the comparison); covered: 0.6 x 100 = 60 MWh renewable.
    assert_eq!(figure(&v, "scope2.market"), dec!(826.364));
    assert_eq!(figure(&v, "electricity.renewable"), dec!(60));
    let r = ghg_in(dir.path(), &["compute", "inventory.toml"]);
    assert!(r.stdout.contains("residual factor for the 1,540.00 uncovered grid MWh:"), "{}", r.stdout);
    assert!(r.stdout.contains("(excludes market-traded non-fossil power): scope2.market 901.82 tCO2e"), "{}", r.stdout);
}

#[test]
fn a_scenario_purchase_covers_each_entity_at_its_share() {
    let dir = folder("equity_share", LEDGER, REGISTER);
    let r = ghg_in(dir.path(), &["scenario", "inventory.toml", "--add-certificates", "100", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let f = &v["figures"];
    // A company-level purchase of 100 MWh is spread pro rata over the three entities' 1000 MWh each (100/3 MWh
    // each), then each entity counts at its share (1 + 0.6 + 0.3 = 1.9): 100/3 x 1.9 x 0.5856 = 37.088 tCO2e
    // less, and 100/3 x 1.9 = 63.33 MWh renewable (each share cut at 10^-12 MWh).
    assert_eq!(dec_of(&f["scope2.market"]["baseline"]), dec!(1112.64));
    assert_eq!(dec_of(&f["scope2.market"]["delta"]), dec!(-37.088));
    let renewable = dec_of(&f["electricity.renewable"]["scenario"]);
    assert!((renewable - dec!(63.333333333333)).abs() <= dec!(0.000000000002), "{renewable}");
    // The purchase itself is the group's own: counted in full.
    assert_eq!(dec_of(&f["activity.certificate"]["scenario"]), dec!(100));
}

mod props {
    use ghg::calc::{self, ComputeOptions};
    use ghg::{FactorLibrary, Inventory};
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    const KINDS: &[(&str, &str)] = &[
        ("gasoline", "吨"),
        ("diesel", "t"),
        ("natural_gas", "万立方米"),
        ("electricity", "MWh"),
        ("onsite_pv", "MWh"),
        ("certificate", "MWh"),
    ];

    /// The test inventory of the other properties, with a register under `approach` (or none).
    fn run(dir: &std::path::Path, ledger: &str, register: Option<(&str, &str)>) -> calc::Computation {
        let mut text = crate::util::INVENTORY.to_string();
        if let Some((approach, reg)) = register {
            text = text.replacen(
                "activity_files = [\"ledger.csv\"]\n",
                &format!("activity_files = [\"ledger.csv\"]\nentities = \"entities.csv\"\n[consolidation]\napproach = \"{approach}\"\n"),
                1,
            );
            std::fs::write(dir.join("entities.csv"), reg).expect("write register");
        }
        std::fs::write(dir.join("inventory.toml"), text).expect("write inventory");
        std::fs::write(dir.join("ledger.csv"), ledger).expect("write ledger");
        let inv = Inventory::load(&dir.join("inventory.toml")).expect("inventory");
        let lib = FactorLibrary::builtin().expect("library");
        calc::compute(&inv, &lib, ComputeOptions::default()).expect("compute")
    }

    fn ledger(rows: &[(usize, usize, u64)]) -> String {
        let mut s = String::from("entity,period,activity,quantity,unit,region\n");
        for (e, k, q) in rows {
            let (a, u) = KINDS[*k];
            s.push_str(&format!("site{e},2024,{a},{},{u},CN\n", Decimal::new(*q as i64, 2)));
        }
        s
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

        /// Whatever the shares (equity to 0.01 %, a part-year holding by days), every summed figure is the exact
        /// sum of its traced lines and of its entities' figures, and market-based scope 2 is not negative.
        #[test]
        fn shares_keep_every_total_the_sum_of_its_lines(
            rows in prop::collection::vec((0usize..3, 0usize..6, 0u64..100_000_000), 1..10),
            equity in prop::collection::vec(0u32..=10_000, 3),
            day in 1u32..=28,
            month in 1u32..=12,
        ) {
            let dir = tempfile::tempdir().expect("tempdir");
            let reg = format!(
                "id,parent,equity,from\nsite0,,{},\nsite1,site0,{},2024-{month:02}-{day:02}\nsite2,site1,{},\n",
                Decimal::new(equity[0] as i64, 2), Decimal::new(equity[1] as i64, 2), Decimal::new(equity[2] as i64, 2)
            );
            let c = run(dir.path(), &ledger(&rows), Some(("equity_share", &reg)));
            for (id, f) in &c.figures {
                if f.lines == 0 {
                    continue;
                }
                let t = calc::trace(&c, id, None).expect("no overflow").expect("figure exists");
                prop_assert_eq!(t.lines_sum, f.value, "figure {}", id);
                let by_entity: Decimal = c.by_entity.values().filter_map(|m| m.get(id)).map(|x| x.value).sum();
                prop_assert_eq!(by_entity, f.value, "figure {} by entity", id);
            }
            prop_assert!(c.figures.get("scope2.market").is_none_or(|f| f.value >= Decimal::ZERO));
        }

        /// A register that holds and controls every entity fully changes no figure.
        #[test]
        fn a_register_of_full_holdings_changes_nothing(
            rows in prop::collection::vec((0usize..3, 0usize..6, 0u64..100_000_000), 1..10),
        ) {
            let d1 = tempfile::tempdir().expect("tempdir");
            let d2 = tempfile::tempdir().expect("tempdir");
            let reg = "id,parent,equity,operational_control\nsite0,,100,yes\nsite1,site0,100,yes\nsite2,site1,100,yes\n";
            let a = run(d1.path(), &ledger(&rows), None);
            let b = run(d2.path(), &ledger(&rows), Some(("equity_share", reg)));
            let c = run(d2.path(), &ledger(&rows), Some(("operational_control", reg)));
            prop_assert_eq!(&a.figures, &b.figures);
            prop_assert_eq!(&a.figures, &c.figures);
            prop_assert_eq!(&a.by_entity, &b.by_entity);
        }
    }
}

#[test]
fn a_spreadsheet_row_of_an_unregistered_entity_is_located_at_its_entity_cell() {
    // The spreadsheet fixture: a title, a blank row, the header on row 3; plant-b's rows start on row 6 (column A,
    // merged down its rows).
    let dir = tempfile::tempdir().expect("tempdir");
    let from = crate::util::root().join("tests/data/sheet");
    for f in ["inventory.toml", "ledger.xlsx"] {
        std::fs::copy(from.join(f), dir.path().join(f)).expect("copy");
    }
    let d = dir.path().join("factors");
    std::fs::create_dir_all(&d).expect("mkdir");
    for e in std::fs::read_dir(from.join("factors")).expect("factors") {
        let p = e.expect("entry").path();
        std::fs::copy(&p, d.join(p.file_name().expect("name"))).expect("copy");
    }
    let text = std::fs::read_to_string(dir.path().join("inventory.toml")).expect("read");
    let text = text.replacen(
        "activity_files = [\"ledger.xlsx\"]",
        "activity_files = [\"ledger.xlsx\"]\nentities = \"entities.csv\"",
        1,
    ) + "\n[consolidation]\napproach = \"equity_share\"\n";
    std::fs::write(dir.path().join("inventory.toml"), text).expect("write");
    std::fs::write(dir.path().join("entities.csv"), "id,equity\nplant-a,40\n").expect("write");
    let r = ghg_in(dir.path(), &["compute", "inventory.toml"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(
        r.stderr,
        "error: ledger.xlsx:ledger!A6: entity 'plant-b' is not in the entity register entities.csv (add a row for \
         plant-b to entities.csv, or correct the entity in the ledger)\n"
    );
}
