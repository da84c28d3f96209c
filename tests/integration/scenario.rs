//! Scenarios: every overlay kind with hand-checked numbers, attribution, costs, sweeps (table, CSV, SVG), target
//! solves (reachable, fractional threshold, already met, unreachable), the CLI, and properties.
//!
//! Test factors (tests/data/scenario/factors): grid and residual 0.5 tCO2/MWh (edition 2: 0.4), residual excluding
//! market-traded non-fossil power 0.6, gasoline 3 tCO2/t, standard coal 0.1 tce/MWh and 1.5 tce/t; revenue 1000
//! million CNY. Baseline ledger (BASE): gasoline 100 t; plant-a 1000 MWh; plant-b 3000 MWh; group 800 MWh GEC.
//! Baseline by hand: scope1 300; scope2.location 4000 x 0.5 = 2000; scope2.market (4000 - 800) x 0.5 = 1600;
//! total.market 1900; intensity.total.market 1.9.

use std::path::Path;

use ghg::calc::{self, Computation, ComputeOptions};
use ghg::scenario::{self, Scenario, SweepSpec, TargetSpec};
use ghg::{Diagnostics, Inventory};
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use crate::certificates::{lib, setup};
use crate::util::ghg_in;

const BASE: &str = "plant-a,2024,gasoline,100,t,CN,,,,,\nplant-a,2024,electricity,1000,MWh,CN-ZJ,,,,,\nplant-b,2024,electricity,3000,MWh,CN-GD,,,,,\ngroup,2024,certificate,800,MWh,CN,,GEC,2024,GEC-1,\n";

struct Case {
    dir: tempfile::TempDir,
    inv: Inventory,
}

fn case(rows: &str) -> Case {
    let dir = tempfile::tempdir().expect("tempdir");
    let inv = setup(dir.path(), "", rows);
    Case { dir, inv }
}

fn scenario_text(c: &Case, name: &str, text: &str) -> Scenario {
    let p = c.dir.path().join(name);
    std::fs::write(&p, text).expect("write scenario");
    Scenario::load(&p).unwrap_or_else(|d| panic!("scenario parses: {d}"))
}

fn run(c: &Case, text: &str) -> scenario::ScenarioRun {
    let s = scenario_text(c, "s.toml", text);
    scenario::run(&c.inv, &lib(), &s, ComputeOptions::default()).unwrap_or_else(|d| panic!("runs: {d}"))
}

fn delta(r: &scenario::ScenarioRun, id: &str) -> Decimal {
    r.figures.iter().find(|f| f.id == id).and_then(|f| f.delta).unwrap_or_else(|| panic!("delta of {id}"))
}

fn after(r: &scenario::ScenarioRun, id: &str) -> Decimal {
    r.figures.iter().find(|f| f.id == id).and_then(|f| f.scenario).unwrap_or_else(|| panic!("scenario value of {id}"))
}

#[test]
fn adding_certificates_with_a_price() {
    let c = case(BASE);
    let r = run(&c, "[[change]]\nkind = \"add_certificates\"\nmwh = \"1000\"\nprice = \"30 CNY/MWh\"\n");
    // 1000 MWh more covered: market -1000 x 0.5 = -500; location unchanged.
    assert_eq!(delta(&r, "scope2.market"), dec!(-500));
    assert_eq!(delta(&r, "scope2.location"), Decimal::ZERO);
    assert_eq!(delta(&r, "intensity.total.market"), dec!(-0.5));
    assert_eq!(after(&r, "electricity.renewable"), dec!(1800));
    // Cost 1000 x 30 = 30000 CNY; 30000 / 500 = 60 CNY per tCO2e avoided.
    let cost = r.cost.expect("cost");
    assert_eq!((cost.value, cost.currency.to_string()), (dec!(30000), "CNY".to_string()));
    assert_eq!(r.cost_per_t_market, Some(dec!(60)));
    assert_eq!(r.cost_per_t_location, None, "no location-based reduction");
    // The added purchase is allocated pro rata and traced to the scenario file line.
    let alloc: Vec<(String, Decimal)> = r
        .result
        .scope2
        .allocations
        .iter()
        .filter(|a| a.from_entity == "scenario-purchase")
        .map(|a| (a.entity.clone(), a.mwh))
        .collect();
    // The ledger's 800 MWh GEC and the purchase's 1000 MWh GEC are priced alike, so they are spread together:
    // 1800 x 1000/4000 = 450 to plant-a, 1800 x 3000/4000 = 1350 to plant-b; the ledger's row (first in rank,
    // by certificate id) takes plant-a's 450 and 350 of plant-b's, the purchase the other 1000 of plant-b's.
    assert_eq!(alloc, vec![("plant-b".into(), dec!(1000))]);
    let cov: Vec<(String, Decimal)> =
        r.result.scope2.entities.iter().map(|e| (e.entity.clone(), e.covered_mwh)).collect();
    assert_eq!(cov, vec![("plant-a".into(), dec!(450)), ("plant-b".into(), dec!(1350))]);
    let src = r.result.scope2.allocations.iter().find(|a| a.from_entity == "scenario-purchase").expect("alloc");
    assert_eq!(src.source.to_string(), format!("{}:1:1", c.dir.path().join("s.toml").display()));
}

#[test]
fn removing_certificates_all_or_some() {
    let c = case(BASE);
    let r = run(&c, "[[change]]\nkind = \"remove_certificates\"\n");
    // The 800 MWh no longer covered: +800 x 0.5 = +400.
    assert_eq!(delta(&r, "scope2.market"), dec!(400));
    assert_eq!(after(&r, "activity.certificate"), Decimal::ZERO);
    let r = run(&c, "[[change]]\nkind = \"remove_certificates\"\nmwh = \"300\"\n");
    // +300 x 0.5 = +150
    assert_eq!(delta(&r, "scope2.market"), dec!(150));
    let r = run(&c, "[[change]]\nkind = \"remove_certificates\"\ninstrument = \"I-REC\"\n");
    assert_eq!(delta(&r, "scope2.market"), Decimal::ZERO);
    assert!(r.warnings.iter().any(|w| w.code == "scenario-no-match"));
}

#[test]
fn onsite_pv_by_mwh_or_by_capacity() {
    let c = case(BASE);
    for text in [
        "[[change]]\nkind = \"onsite_pv\"\nmwh = \"500\"\n",
        "[[change]]\nkind = \"onsite_pv\"\nmw = \"0.5\"\nhours = \"1000\"\n",
    ] {
        let r = run(&c, text);
        // 500 MWh displace plant-b's grid electricity (the largest user): -500 x 0.5 = -250 both methods.
        assert_eq!(delta(&r, "scope2.location"), dec!(-250), "{text}");
        assert_eq!(delta(&r, "scope2.market"), dec!(-250), "{text}");
        assert_eq!(after(&r, "activity.onsite_pv"), dec!(500));
        assert_eq!(after(&r, "activity.electricity"), dec!(3500));
        assert_eq!(delta(&r, "electricity.total"), Decimal::ZERO, "PV replaces grid MWh one for one");
        assert_eq!(delta(&r, "energy.total"), Decimal::ZERO, "same standard-coal coefficient for both");
        assert_eq!(r.result.by_entity["plant-b"]["scope2.location"].value, dec!(1250)); // 2500 x 0.5
    }
    // More PV than the grid electricity it can replace: only plant-b's 3000 MWh are displaced.
    let r = run(&c, "[[change]]\nkind = \"onsite_pv\"\nmwh = \"5000\"\n");
    assert_eq!(delta(&r, "scope2.location"), dec!(-1500));
    assert_eq!(after(&r, "activity.onsite_pv"), dec!(3000));
    assert!(r.warnings.iter().any(|w| w.code == "scenario-pv-exceeds-grid"));
}

#[test]
fn scaling_an_activity() {
    let c = case(BASE);
    let r = run(&c, "[[change]]\nkind = \"scale\"\nactivity = \"gasoline\"\nfactor = \"0.5\"\n");
    // 50 t x 3 = 150: scope1 -150; energy.direct 50 x 1.5 = 75 (-75).
    assert_eq!(delta(&r, "scope1"), dec!(-150));
    assert_eq!(delta(&r, "energy.direct"), dec!(-75));
    let r =
        run(&c, "[[change]]\nkind = \"scale\"\nactivity = \"electricity\"\nfactor = \"0.9\"\nentity = \"plant-b\"\n");
    // plant-b 3000 -> 2700: location -300 x 0.5 = -150.
    assert_eq!(delta(&r, "scope2.location"), dec!(-150));
}

#[test]
fn switching_gasoline_to_electricity() {
    let c = case(BASE);
    let r = run(
        &c,
        "[[change]]\nkind = \"switch\"\nfrom = \"gasoline\"\nshare = \"30%\"\nto = \"electricity\"\nratio = \"2.9 MWh/t\"\n",
    );
    // 30 t switched: scope1 -30 x 3 = -90; +30 x 2.9 = 87 MWh at 0.5 = +43.5 (both methods).
    assert_eq!(delta(&r, "scope1"), dec!(-90));
    assert_eq!(delta(&r, "scope2.location"), dec!(43.5));
    assert_eq!(delta(&r, "scope2.market"), dec!(43.5));
    assert_eq!(delta(&r, "total.location"), dec!(-46.5));
    // energy: direct -30 x 1.5 = -45; indirect +87 x 0.1 = +8.7
    assert_eq!(delta(&r, "energy.direct"), dec!(-45));
    assert_eq!(delta(&r, "energy.indirect"), dec!(8.7));
    // 1000 kg of gasoline is a ton: a ratio per kg works too (2.9 MWh/t = 0.0029 MWh/kg).
    let r2 = run(
        &c,
        "[[change]]\nkind = \"switch\"\nfrom = \"gasoline\"\nshare = \"0.3\"\nto = \"electricity\"\nratio = \"0.0029 MWh/kg\"\n",
    );
    assert_eq!(delta(&r2, "scope2.location"), dec!(43.5));
}

#[test]
fn changing_the_grid_edition_and_the_residual() {
    let c = case(BASE);
    let r = run(&c, "[[change]]\nkind = \"factor\"\nchoice = \"grid\"\nuse = \"test-grid@2\"\n");
    // location 4000 x 0.4 = 1600 (-400); the residual follows the edition: 3200 x 0.4 = 1280 (-320).
    assert_eq!(delta(&r, "scope2.location"), dec!(-400));
    assert_eq!(delta(&r, "scope2.market"), dec!(-320));
    assert!(r.warnings.iter().any(|w| w.code == "scenario-residual-follows-grid"));
    let r = run(&c, "[[change]]\nkind = \"factor\"\nchoice = \"grid\"\nedition = \"2\"\n");
    assert_eq!(delta(&r, "scope2.location"), dec!(-400));
    let r = run(&c, "[[change]]\nkind = \"residual\"\nuse = \"test-grid@1:grid.national.excl_market_nonfossil\"\n");
    // 3200 x 0.6 = 1920 (+320); location unchanged.
    assert_eq!(delta(&r, "scope2.market"), dec!(320));
    assert_eq!(delta(&r, "scope2.location"), Decimal::ZERO);
    // A set that does not exist is reported at the scenario line.
    let s = scenario_text(&c, "bad.toml", "[[change]]\nkind = \"factor\"\nchoice = \"grid\"\nuse = \"test-grid@9\"\n");
    let d = scenario::run(&c.inv, &lib(), &s, ComputeOptions::default()).expect_err("unknown edition");
    assert!(d.to_string().contains("bad.toml:1:1: factors.grid:"), "{d}");
}

#[test]
fn deltas_are_attributed_to_changes_and_sum_exactly() {
    let c = case(BASE);
    let r = run(
        &c,
        r#"name = "mixed"
[[change]]
kind = "remove_certificates"
[[change]]
kind = "onsite_pv"
mwh = "500"
cost = "1000000 元"
[[change]]
kind = "scale"
activity = "gasoline"
factor = "0.5"
[[change]]
kind = "factor"
choice = "grid"
use = "test-grid@2"
"#,
    );
    let m = r.figures.iter().find(|f| f.id == "scope2.market").expect("figure");
    // +400 (certificates gone), -250 (PV), 0 (gasoline), then 3500 x (0.4 - 0.5) = -350.
    assert_eq!(m.by_change, vec![Some(dec!(400)), Some(dec!(-250)), Some(Decimal::ZERO), Some(dec!(-350))]);
    for f in &r.figures {
        if let Some(d) = f.delta {
            let s: Decimal = f.by_change.iter().map(|x| x.expect("each step has the figure")).sum();
            assert_eq!(s, d, "{}: parts sum to the delta", f.id);
        }
    }
    // PV: 1,000,000 CNY / 250 tCO2e = 4000 CNY per tCO2e avoided, both methods.
    assert_eq!(r.changes[1].cost_per_t_market, Some(dec!(4000)));
    assert_eq!(r.changes[1].cost_per_t_location, Some(dec!(4000)));
    // Whole scenario: market 1900 -> 150 + 1400 = 1550, avoided 350; 1,000,000 / 350.
    assert_eq!(r.avoided_market, Some(dec!(350)));
    assert_eq!(r.cost_per_t_market, Some(dec!(1000000) / dec!(350)));
}

#[test]
fn an_empty_scenario_reproduces_the_baseline() {
    let c = case(BASE);
    let r = run(&c, "name = \"nothing\"\n");
    assert_eq!(r.result.figures, r.baseline.figures);
    assert!(r.figures.iter().all(|f| f.delta == Some(Decimal::ZERO)));
}

#[test]
fn scenario_file_errors_name_file_line_and_column() {
    let c = case(BASE);
    let p = c.dir.path().join("bad.toml");
    std::fs::write(
        &p,
        "[[change]]\nkind = \"add_certificates\"\nmwh = 50000\n[[change]]\nkind = \"solar\"\n[[change]]\nkind = \"switch\"\nfrom = \"gasoline\"\nto = \"electricity\"\nshare = \"130%\"\nratio = \"2.9 t/MWh\"\n",
    )
    .expect("write");
    let d = Scenario::load(&p).expect_err("bad scenario");
    let m = d.to_string();
    let f = p.display();
    assert!(
        m.contains(&format!("{f}:3:7: 'mwh' in [[change]] #1 is a TOML integer (50000); decimals must be strings")),
        "{m}"
    );
    assert!(m.contains(&format!("{f}:5:8: unknown change kind 'solar'")), "{m}");
    assert!(m.contains(&format!("{f}:10:9: share '130%' is not between 0 and 1")), "{m}");
    assert!(m.contains("ratio unit t/MWh does not turn gasoline into electricity"), "{m}");
}

fn spec(s: &str) -> SweepSpec {
    SweepSpec::parse(s).expect("sweep spec")
}

#[test]
fn sweep_of_certificates() {
    let c = case(BASE);
    let s = Scenario::empty("sweep");
    let (p, points) =
        scenario::sweep(&c.inv, &lib(), &s, &spec("certificates=0..4000:1000"), ComputeOptions::default())
            .expect("sweep");
    assert_eq!((p.label.as_str(), p.unit.as_str()), ("certificates added", "MWh"));
    let got: Vec<(Decimal, Decimal, Decimal)> = points
        .iter()
        .map(|x| (x.value, x.figures["scope2.market"].value, x.figures["scope2.location"].value))
        .collect();
    // market = max(0, 1600 - 0.5 x); 3200 MWh of grid electricity are uncovered, so it stops at 0.
    assert_eq!(
        got,
        vec![
            (dec!(0), dec!(1600), dec!(2000)),
            (dec!(1000), dec!(1100), dec!(2000)),
            (dec!(2000), dec!(600), dec!(2000)),
            (dec!(3000), dec!(100), dec!(2000)),
            (dec!(4000), dec!(0), dec!(2000)),
        ]
    );
    assert!(SweepSpec::parse("certificates=0..100:0").is_err());
    assert!(SweepSpec::parse("certificates=10..0:1").is_err());
    assert!(SweepSpec::parse("certificates=0..100000:1").is_err(), "more than 1001 points");
}

#[test]
fn sweep_of_a_switch_share_from_a_file() {
    let c = case(BASE);
    let s = scenario_text(
        &c,
        "sw.toml",
        "[[change]]\nkind = \"switch\"\nfrom = \"gasoline\"\nshare = \"0\"\nto = \"electricity\"\nratio = \"2.9 MWh/t\"\n[sweep]\nrange = \"switch.share=0..1:0.5\"\n",
    );
    let (_, points) = scenario::sweep(&c.inv, &lib(), &s, s.sweep.as_ref().expect("sweep"), ComputeOptions::default())
        .expect("sweep");
    // total.location = 300 (1 - x) + 2000 + 100 x x 2.9 x 0.5 = 2300 - 155 x: 2300, 2222.5, 2145
    let t: Vec<Decimal> = points.iter().map(|p| p.figures["total.location"].value).collect();
    assert_eq!(t, vec![dec!(2300), dec!(2222.5), dec!(2145)]);
}

fn target(t: &str) -> TargetSpec {
    TargetSpec::parse(t).expect("target")
}

#[test]
fn target_solved_exactly() {
    let c = case(BASE);
    let s = Scenario::empty("target");
    let sol = scenario::solve(&c.inv, &lib(), &s, &target("intensity.total.market<=1.5"), ComputeOptions::default())
        .expect("solves");
    // (1900 - 0.5 x) / 1000 <= 1.5  =>  x >= 800
    assert!(sol.reachable);
    assert_eq!(sol.amount, Some(dec!(800)));
    assert_eq!(sol.exact, Some(dec!(800)));
    assert_eq!(sol.at_amount, Some(dec!(1.5)));
    // (1900 - 0.5 x) / 1000 <= 1.4567  =>  x >= 886.6: 887 whole MWh (one GEC certifies 1 MWh).
    let sol = scenario::solve(&c.inv, &lib(), &s, &target("intensity.total.market<=1.4567"), ComputeOptions::default())
        .expect("solves");
    assert_eq!(sol.amount, Some(dec!(887)));
    assert_eq!(sol.exact, Some(dec!(886.6)));
    assert_eq!(sol.below_amount, Some(dec!(1.457)), "886 MWh: (1900 - 443) / 1000");
    assert!(sol.evaluations <= 6, "{} computations", sol.evaluations);
}

#[test]
fn target_already_met_and_other_levers() {
    let c = case(BASE);
    let s = Scenario::empty("target");
    let sol =
        scenario::solve(&c.inv, &lib(), &s, &target("total.market<=2000"), ComputeOptions::default()).expect("ok");
    assert_eq!(sol.amount, Some(Decimal::ZERO));
    // On-site PV lowers location-based too: (2300 - 0.5 x) / 1000 <= 2  =>  x >= 600.
    let mut t = target("intensity.total.location<=2");
    t.lever = Some("onsite_pv".into());
    let sol = scenario::solve(&c.inv, &lib(), &s, &t, ComputeOptions::default()).expect("ok");
    assert_eq!(sol.amount, Some(dec!(600)));
}

#[test]
fn target_out_of_reach_says_why() {
    let c = case(BASE);
    let s = Scenario::empty("target");
    let sol = scenario::solve(&c.inv, &lib(), &s, &target("intensity.total.market<=0.2"), ComputeOptions::default())
        .expect("answers");
    assert!(!sol.reachable);
    assert_eq!(sol.max, dec!(3200));
    // At full coverage only scope 1 remains: 300 / 1000 = 0.3.
    assert_eq!(sol.at_max, dec!(0.3));
    assert!(sol.explanation.contains("certificates cannot exceed grid electricity: market CN has 4,000.00 MWh of grid electricity, 800.00 MWh of it already covered"), "{}", sol.explanation);
    assert!(sol.explanation.contains("scope1 300.00 tCO2e"), "{}", sol.explanation);
    // Certificates never move location-based figures.
    let sol = scenario::solve(&c.inv, &lib(), &s, &target("scope2.location<=1000"), ComputeOptions::default())
        .expect("answers");
    assert!(!sol.reachable);
    assert!(sol.explanation.contains("scope2.location does not change with certificates"), "{}", sol.explanation);
    let e =
        scenario::solve(&c.inv, &lib(), &s, &target("nonsense<=1"), ComputeOptions::default()).expect_err("no figure");
    assert!(e.to_string().contains("no figure 'nonsense' in this inventory"));
}

#[test]
fn cli_scenario_flags_sweep_files_and_target_exit_codes() {
    let c = case(BASE);
    let d = c.dir.path();
    let r = ghg_in(d, &["scenario", "inventory.toml", "--add-certificates", "1000", "--price", "30"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("  1. add 1,000 MWh GEC at 30 CNY/MWh  [--add-certificates]"), "{}", r.stdout);
    assert!(
        r.stdout.lines().any(|l| l.split_whitespace().collect::<Vec<_>>()
            == ["scope2.market", "1,600.00", "1,100.00", "-500.00", "-500.00", "tCO2e"]),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("cost per tCO2e avoided: 60.00 CNY market-based"), "{}", r.stdout);
    let r = ghg_in(d, &["scenario", "inventory.toml", "--add-certificates", "1000", "--format", "csv"]);
    assert!(r.stdout.lines().any(|l| l == "scope2.market,tCO2e,1600,1100,-500,-500"), "{}", r.stdout);
    let r = ghg_in(d, &["scenario", "inventory.toml", "--remove-certificates", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(v["figures"]["scope2.market"]["delta"], "400");
    assert_eq!(v["figures"]["scope2.market"]["by_change"][0], "400");
    let r = ghg_in(
        d,
        &["scenario", "inventory.toml", "--sweep", "certificates=0..4000:1000", "--csv", "s.csv", "--svg", "s.svg"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let csv = std::fs::read_to_string(d.join("s.csv")).expect("csv written");
    assert_eq!(
        csv.lines().take(3).collect::<Vec<_>>(),
        vec![
            "certificates [MWh],scope2.location [tCO2e],scope2.market [tCO2e],total.location [tCO2e],total.market [tCO2e],intensity.total.location [tCO2e/million CNY],intensity.total.market [tCO2e/million CNY],cost [-],rows.read [rows],rows.used [rows],rows.rejected [rows]",
            // 4 ledger rows and the scenario's certificate row.
            "0,2000,1600,2300,1900,2.3,1.9,,5,5,0",
            "1000,2000,1100,2300,1400,2.3,1.4,,5,5,0",
        ]
    );
    let svg = std::fs::read_to_string(d.join("s.svg")).expect("svg written");
    check_svg(&svg);
    let r = ghg_in(d, &["scenario", "inventory.toml", "--target", "intensity.total.market<=1.5"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("answer: 800 MWh of certificates added"), "{}", r.stdout);
    let r = ghg_in(d, &["scenario", "inventory.toml", "--target", "intensity.total.market<=0.2"]);
    assert_eq!(r.code, 1, "unreachable target exits 1");
    assert!(r.stdout.contains("OUT OF REACH"), "{}", r.stdout);
    let r = ghg_in(d, &["scenario", "inventory.toml", "--csv", "x.csv"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--csv and --svg write a sweep; give --sweep too"), "{}", r.stderr);
    let r = ghg_in(d, &["scenario", "inventory.toml", "--sweep", "bananas=0..1:1"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("unknown scenario parameter 'bananas'"), "{}", r.stderr);
}

/// The chart a user opens: valid XML shape, both methods distinguishable, axes labelled with units.
pub fn check_svg(svg: &str) {
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.trim_end().ends_with("</svg>"));
    for label in [
        "scope 2 (tCO2e)",
        "GHG intensity (tCO2e/million CNY)",
        "certificates added (MWh)",
        "location-based",
        "market-based",
    ] {
        assert!(svg.contains(label), "axis or legend label {label}");
    }
    // Two series per panel: location solid, market dashed.
    assert_eq!(svg.matches("<polyline").count(), 4);
    assert_eq!(svg.matches("stroke-dasharray").count(), 3, "two dashed series and the dashed legend line");
    assert!(!svg.contains("NaN"));
}

fn base_and(rows: &[(u64, u64, u64)]) -> String {
    // (electricity MWh at plant-a, at plant-b, certificates MWh of group)
    let mut s = String::new();
    for (a, b, cert) in rows {
        s.push_str(&format!(
            "plant-a,2024,gasoline,10,t,CN,,,,,\nplant-a,2024,electricity,{a},MWh,CN,,,,,\nplant-b,2024,electricity,{b},kWh,CN-ZJ,,,,,\ngroup,2024,certificate,{cert},MWh,CN,,GEC,2024,,\n"
        ));
    }
    s
}

fn figures_of(c: &Computation) -> (Decimal, Decimal) {
    (c.figures["scope2.market"].value, c.figures["scope2.location"].value)
}

fn add_certs(case: &Case, mwh: Decimal) -> Result<scenario::ScenarioRun, Diagnostics> {
    let s = scenario_text(case, "p.toml", &format!("[[change]]\nkind = \"add_certificates\"\nmwh = \"{mwh}\"\n"));
    scenario::run(&case.inv, &lib(), &s, ComputeOptions::default())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, .. ProptestConfig::default() })]

    #[test]
    fn empty_scenario_equals_baseline_exactly(rows in prop::collection::vec((0u64..1_000_000, 0u64..9_000_000, 0u64..2_000_000), 1..4)) {
        let c = case(&base_and(&rows));
        let r = run(&c, "");
        prop_assert_eq!(&r.result.figures, &r.baseline.figures);
        prop_assert_eq!(&r.result.scope2, &r.baseline.scope2);
        let direct = calc::compute(&c.inv, &lib(), ComputeOptions::default()).expect("computes");
        prop_assert_eq!(&r.baseline.figures, &direct.figures);
    }

    #[test]
    fn adding_certificates_never_raises_market_scope2_nor_goes_below_zero_nor_moves_location(
        rows in prop::collection::vec((0u64..1_000_000, 0u64..9_000_000, 0u64..2_000_000), 1..4),
        extra in 0u64..5_000_000_000,
        cents in 0u64..100,
    ) {
        let c = case(&base_and(&rows));
        let mwh = Decimal::from(extra) + Decimal::new(cents as i64, 2);
        let r = add_certs(&c, mwh).expect("runs");
        let (m0, l0) = figures_of(&r.baseline);
        let (m1, l1) = figures_of(&r.result);
        prop_assert!(m1 <= m0, "market-based rose: {} -> {}", m0, m1);
        prop_assert!(m1 >= Decimal::ZERO, "market-based below zero: {}", m1);
        prop_assert_eq!(l1, l0);
        for (e, f) in &r.result.by_entity {
            if let Some(x) = f.get("scope2.market") {
                prop_assert!(x.value >= Decimal::ZERO, "entity {} below zero: {}", e, x.value);
            }
        }
    }
}

#[test]
fn scenario_rows_are_traced_to_the_scenario_file() {
    let c = case(BASE);
    let s = scenario_text(&c, "t.toml", "\n\n[[change]]\nkind = \"onsite_pv\"\nmwh = \"500\"\n");
    let r = scenario::run(&c.inv, &lib(), &s, ComputeOptions { strict: true, keep_lines: true }).expect("runs");
    let pv = r.result.lines.iter().find(|l| l.figure == "activity.onsite_pv").expect("PV line");
    assert_eq!(pv.source.to_string(), format!("{}:3:1", Path::new(&c.dir.path().join("t.toml")).display()));
}

#[test]
fn an_explicit_residual_change_is_not_preempted_by_a_grid_edition_change() {
    let c = case(BASE);
    let r = run(
        &c,
        "[[change]]\nkind = \"factor\"\nchoice = \"grid\"\nuse = \"test-grid@2\"\n[[change]]\nkind = \"residual\"\nuse = \"test-grid@2:grid.national\"\n",
    );
    let m = r.figures.iter().find(|f| f.id == "scope2.market").expect("figure");
    // The grid change alone leaves the residual at edition 1 (the scenario changes it itself): 0, then 3200 x -0.1.
    assert_eq!(m.by_change, vec![Some(Decimal::ZERO), Some(dec!(-320))]);
    assert!(!r.warnings.iter().any(|w| w.code == "scenario-residual-follows-grid"));
}

const SEED: &str = "examples/hikvision-2024/inventory.toml";

fn seed(file: &str) -> scenario::ScenarioRun {
    let root = crate::util::root();
    let inv = Inventory::load(&root.join(SEED)).expect("seed inventory");
    let lib = ghg::library_for(&inv, &[]).expect("library");
    let s = Scenario::load(&root.join("examples/hikvision-2024/scenarios").join(file)).expect("scenario");
    scenario::run(&inv, &lib, &s, ComputeOptions::default()).expect("runs")
}

/// The seed's five questions. Expected values by python decimal from the ledger and the MEE factors:
/// grid 346,696.02 MWh, certificates 18,089.22 MWh, national average 0.5366 (2022) / 0.5306 (2023), excluding
/// market-traded non-fossil power 0.5856 (2022).
#[test]
fn seed_questions() {
    // 1. No certificates: 346,696.02 x 0.5366 = 186,037.084332 (= location-based).
    let r = seed("no-certificates.toml");
    assert_eq!(after(&r, "scope2.market"), dec!(186037.084332));
    assert_eq!(delta(&r, "scope2.market"), dec!(9706.675452)); // 18,089.22 x 0.5366
    // 2. 50,000 MWh more: (346,696.02 - 18,089.22 - 50,000) x 0.5366 = 149,500.40888.
    let r = seed("more-gec-50000.toml");
    assert_eq!(after(&r, "scope2.market"), dec!(149500.40888));
    assert_eq!(delta(&r, "scope2.market"), dec!(-26830));
    // 3. MEE residual: 328,606.80 x 0.5856 = 192,432.14208.
    let r = seed("residual-excl-market.toml");
    assert_eq!(after(&r, "scope2.market"), dec!(192432.14208));
    // 4. 2023 edition: 346,696.02 x 0.5306 = 183,956.908212; 328,606.80 x 0.5306 = 174,358.76808.
    let r = seed("grid-2023.toml");
    assert_eq!(after(&r, "scope2.location"), dec!(183956.908212));
    assert_eq!(after(&r, "scope2.market"), dec!(174358.76808));
    // 5. Intensity 1.80: x = (scope1 + 176,330.40888 - 1.80 x 92,495.53) / 0.5366 = 44,882.3430510083991800223630...
    let root = crate::util::root();
    let inv = Inventory::load(&root.join(SEED)).expect("seed inventory");
    let lib = ghg::library_for(&inv, &[]).expect("library");
    let s =
        Scenario::load(&root.join("examples/hikvision-2024/scenarios/target-intensity-1.80.toml")).expect("scenario");
    let sol =
        scenario::solve(&inv, &lib, &s, s.target.as_ref().expect("target"), ComputeOptions::default()).expect("ok");
    assert_eq!(sol.amount, Some(dec!(44883)));
    assert_eq!(sol.exact.map(|e| e.round_dp(20)), Some(dec!(44882.34305100839918002236)));
    assert!(sol.at_amount.expect("value") <= dec!(1.80) && sol.below_amount.expect("value") > dec!(1.80));
}

#[test]
fn seed_scenario_goldens() {
    let s = |f: &str| format!("examples/hikvision-2024/scenarios/{f}");
    let root = crate::util::root();
    for (args, golden) in [
        (vec!["scenario", SEED, &s("more-gec-50000.toml")], "hikvision-2024.scenario-more-gec-50000.txt"),
        (vec!["scenario", SEED, &s("grid-2023.toml"), "--format", "markdown"], "hikvision-2024.scenario-grid-2023.md"),
        (
            vec!["scenario", SEED, &s("no-certificates.toml"), "--format", "json"],
            "hikvision-2024.scenario-no-certificates.json",
        ),
        (vec!["scenario", SEED, &s("target-intensity-1.80.toml")], "hikvision-2024.scenario-target-1.80.txt"),
        (vec!["scenario", SEED, &s("sweep-certificates.toml"), "--format", "csv"], "hikvision-2024.scenario-sweep.csv"),
    ] {
        let r = ghg_in(&root, &args.iter().map(|x| x.as_ref()).collect::<Vec<&str>>());
        assert_eq!(r.code, 0, "{}", r.stderr);
        crate::util::golden(golden, &r.stdout);
    }
    // The committed chart is what the sweep draws.
    let dir = tempfile::tempdir().expect("tempdir");
    let svg = dir.path().join("c.svg");
    let svg_s = svg.to_str().expect("utf-8");
    let r = ghg_in(&root, &["scenario", SEED, &s("sweep-certificates.toml"), "--svg", svg_s]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let drawn = std::fs::read_to_string(&svg).expect("svg");
    check_svg(&drawn);
    let committed = std::fs::read_to_string(root.join(s("sweep-certificates.svg"))).expect("committed chart");
    assert_eq!(drawn, committed, "regenerate examples/hikvision-2024/scenarios/sweep-certificates.svg");
}

fn change_text(kind: usize, amount: u64) -> String {
    match kind {
        0 => format!("[[change]]\nkind = \"add_certificates\"\nmwh = \"{amount}\"\nprice = \"7 CNY/MWh\"\n"),
        1 => format!("[[change]]\nkind = \"remove_certificates\"\nmwh = \"{amount}\"\n"),
        2 => format!("[[change]]\nkind = \"onsite_pv\"\nmwh = \"{amount}\"\n"),
        3 => format!(
            "[[change]]\nkind = \"scale\"\nactivity = \"gasoline\"\nfactor = \"{}\"\n",
            Decimal::new(amount as i64 % 300, 2)
        ),
        4 => "[[change]]\nkind = \"factor\"\nchoice = \"grid\"\nedition = \"2\"\n".to_string(),
        _ => "[[change]]\nkind = \"residual\"\nuse = \"test-grid@1:grid.national.excl_market_nonfossil\"\n".to_string(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    #[test]
    fn the_parts_of_every_delta_add_up_to_it(
        rows in prop::collection::vec((0u64..1_000_000, 0u64..9_000_000, 0u64..2_000_000), 1..3),
        changes in prop::collection::vec((0usize..6, 0u64..3_000_000), 0..5),
    ) {
        let c = case(&base_and(&rows));
        let text: String = changes.iter().map(|(k, a)| change_text(*k, *a)).collect();
        let r = run(&c, &text);
        for f in &r.figures {
            if let Some(d) = f.delta {
                let parts: Option<Decimal> = f.by_change.iter().copied().sum();
                prop_assert_eq!(parts.unwrap_or(d), d, "{}", f.id);
            }
        }
        prop_assert!(r.result.figures["scope2.market"].value >= Decimal::ZERO);
    }
}
