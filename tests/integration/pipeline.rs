//! One ledger source and one calculation entry: every command reads ledgers alike (spreadsheets, declared
//! encodings, threads), records a scenario makes keep their own location, and an overflow is an error.
//!
//! Hand-checked values:
//! - tests/data/sheet (round test factors): scope1.diesel = 1,909.06 t x 3.1 = 5,918.086; natural gas 2,000 m3 x
//!   0.002 = 4; scope1 = 5,922.086. Halving diesel: 5,922.086 - 2,959.043 = 2,963.043.
//! - tests/errors/12-gbk-ledger (built-in factors): 1 t of gasoline x 43.070 GJ/t x 0.0189 tC/GJ x 0.98 x 44/12 =
//!   2.92505598 tCO2; halved: 1.46252799.

use std::path::Path;

use serde_json::Value;

use crate::util::{ghg, ghg_in, root};

fn json(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("JSON ({e}): {stdout}"))
}

/// A scenario figure's baseline and scenario values.
fn scenario_values(v: &Value, id: &str) -> (String, String) {
    let f = &v["figures"][id];
    let s = |k: &str| f[k].as_str().unwrap_or_else(|| panic!("{id}.{k} in {f}")).to_string();
    (s("baseline"), s("scenario"))
}

#[test]
fn scenario_reads_a_spreadsheet_ledger_and_its_baseline_is_computes() {
    let inv = root().join("tests/data/sheet/inventory.toml");
    let inv = inv.to_str().expect("utf-8 path");
    let s = ghg(&["scenario", inv, "--scale", "diesel=0.5", "--format", "json"]);
    assert_eq!(s.code, 0, "{}", s.stderr);
    let s = json(&s.stdout);
    assert_eq!(scenario_values(&s, "scope1"), ("5922.086".into(), "2963.043".into()));
    assert_eq!(scenario_values(&s, "scope1.diesel"), ("5918.086".into(), "2959.043".into()));
    // Every baseline figure is the one `ghg compute` gives for the same inventory.
    let c = ghg(&["compute", inv, "--format", "json", "--no-lines"]);
    assert_eq!(c.code, 0, "{}", c.stderr);
    let c = json(&c.stdout);
    let figures = c["figures"].as_object().expect("figures");
    assert!(figures.len() > 10, "{figures:?}");
    for (id, f) in figures {
        assert_eq!(s["figures"][id]["baseline"], f["value"], "{id}");
    }
}

/// The GBK ledger of the error catalogue (1 t of gasoline, `吨` in GBK), in a folder of its own.
fn gbk_inventory() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let from = root().join("tests/errors/12-gbk-ledger");
    for f in ["inventory.toml", "ledger.csv"] {
        std::fs::copy(from.join(f), dir.path().join(f)).expect("copy fixture");
    }
    let bytes = std::fs::read(dir.path().join("ledger.csv")).expect("ledger");
    assert!(std::str::from_utf8(&bytes).is_err(), "the fixture is GBK, not UTF-8");
    dir
}

#[test]
fn scenario_reads_a_gbk_ledger_as_declared() {
    let dir = gbk_inventory();
    let args = ["scenario", "inventory.toml", "--scale", "gasoline=0.5", "--format", "json"];
    // Undeclared, the ledger is refused as a whole (and the message names the option).
    let r = ghg_in(dir.path(), &args);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains("ledger.csv:2: the ledger is not UTF-8"), "{}", r.stderr);
    assert!(r.stderr.contains("rerun with --encoding gbk"), "{}", r.stderr);
    // Declared, the baseline and the basis the change scales are both read from it: the scale finds its rows.
    for threads in ["1", "3"] {
        let r = ghg_in(dir.path(), &[&args[..], &["--encoding", "gbk", "--threads", threads]].concat());
        assert_eq!(r.code, 0, "{}", r.stderr);
        let v = json(&r.stdout);
        assert_eq!(scenario_values(&v, "scope1.gasoline"), ("2.92505598".into(), "1.46252799".into()));
        assert!(!r.stdout.contains("scenario-no-match"), "{}", r.stdout);
    }
    // A malformed byte in a declared GBK ledger is located, not skipped.
    let bad = root().join("tests/errors/32-declared-gbk-malformed");
    let r = ghg_in(&bad, &["scenario", "inventory.toml", "--scale", "gasoline=0.5", "--encoding", "gbk"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains("these bytes are not valid gbk text"), "{}", r.stderr);
}

/// An inventory on the scenario test factors (grid and residual 0.5 tCO2/MWh) with this ledger.
fn scenario_inventory(dir: &Path, rows: &str) {
    let factors = root().join("tests/data/scenario/factors");
    let inv = format!(
        "organisation = \"Test Co\"\nyear = 2024\nactivity_files = [\"ledger.csv\"]\nfactor_paths = [{:?}]\n\n\
         [denominators.revenue]\nquantity = \"1000\"\nunit = \"百万元\"\n\n[factors]\n\
         combustion = \"test-fuels@1\"\nstandard_coal = \"test-coal@1\"\ngrid = \"test-grid@1\"\n\
         residual = \"test-grid@1:grid.national\"\n",
        factors.display().to_string()
    );
    std::fs::write(dir.join("inventory.toml"), inv).expect("inventory");
    std::fs::write(
        dir.join("ledger.csv"),
        format!(
            "entity,period,activity,quantity,unit,region,note,instrument,vintage,certificate_id,supplier_factor\n{rows}"
        ),
    )
    .expect("ledger");
}

#[test]
fn a_warning_about_a_later_change_is_located_at_its_line_after_a_multi_line_label() {
    let dir = tempfile::tempdir().expect("tempdir");
    scenario_inventory(dir.path(), "plant-a,2024,electricity,1000,MWh,CN,,,,,\n");
    // Change 1 has a label of three lines; change 2 buys more certificates than there is grid electricity
    // (1000 MWh, 100 of them covered by change 1): its excess warning belongs at line 9, where it is written.
    let text = "name = \"labels\"\n\n[[change]]\nkind = \"add_certificates\"\nmwh = \"100\"\nlabel = \"\"\"first line\nsecond line\nthird line\"\"\"\n\n[[change]]\nkind = \"add_certificates\"\nmwh = \"5000\"\n";
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[9], "[[change]]", "the second change starts on line 10");
    std::fs::write(dir.path().join("b.toml"), text).expect("scenario");
    let r = ghg_in(dir.path(), &["scenario", "inventory.toml", "b.toml", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // No location of a scenario record is made up from the position of a row in a text of its own.
    assert!(!r.stdout.contains("(scenario rows):"), "{}", r.stdout);
    // The library gives the same, and the warning's location is the second change's line.
    let inv = ghg::Inventory::load(&dir.path().join("inventory.toml")).expect("inventory");
    let lib = ghg::library_for(&inv, &[]).expect("library");
    let s = ghg::scenario::Scenario::load(&dir.path().join("b.toml")).expect("scenario");
    let run = ghg::scenario::run(&inv, &lib, &s, ghg::calc::ComputeOptions::default()).expect("runs");
    let excess: Vec<_> = run.result.warnings.iter().filter(|w| w.code == "certificate-excess").collect();
    assert_eq!(excess.len(), 1, "{:?}", run.result.warnings);
    let at = excess[0].location.as_ref().expect("located");
    assert_eq!(at.file, dir.path().join("b.toml"));
    assert_eq!(at.line, Some(10), "{at}");
    assert_eq!(run.changes[1].location.line, Some(10));
}

#[test]
fn reconcile_takes_the_read_options_and_places() {
    // The reconciliation fixture with its ledger in GBK (it holds 吨, 万立方米, 兆瓦时).
    let dir = tempfile::tempdir().expect("tempdir");
    let from = root().join("tests/data/reconcile/basic");
    let inv = std::fs::read_to_string(from.join("inventory.toml")).expect("inventory");
    let factors = root().join("tests/data/reconcile/factors");
    let inv = inv
        .replace("factor_paths = [\"../factors\"]", &format!("factor_paths = [{:?}]", factors.display().to_string()));
    std::fs::write(dir.path().join("inventory.toml"), inv).expect("inventory");
    std::fs::copy(from.join("reported.toml"), dir.path().join("reported.toml")).expect("reported");
    let utf8 = std::fs::read_to_string(from.join("ledger.csv")).expect("ledger");
    let (gbk, _, bad) = encoding_rs::GBK.encode(&utf8);
    assert!(!bad);
    std::fs::write(dir.path().join("ledger.csv"), &gbk).expect("ledger");

    let r = ghg_in(dir.path(), &["reconcile", "inventory.toml"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains("rerun with --encoding gbk"), "{}", r.stderr);

    let args = ["reconcile", "inventory.toml", "--encoding", "gbk", "--threads", "1", "--quiet"];
    let table = ghg_in(dir.path(), &args);
    // 4 figures are outside tolerance (see tests/integration/reconcile.rs): exit 1, as for the UTF-8 original.
    assert_eq!(table.code, 1, "{}", table.stderr);
    let original = ghg_in(&from, &["reconcile", "inventory.toml"]);
    assert_eq!(original.code, 1, "{}", original.stderr);
    assert!(table.stdout.contains("4 outside"), "{}", table.stdout);
    assert_eq!(table.stdout, original.stdout, "the GBK copy reconciles as the UTF-8 original");

    // --places: the html report's reported, recomputed and difference columns (scope2.location: 1000 MWh x 0.5366
    // = 536.6, printed 536.6; scope2.market: printed 445.44).
    let html = |places: &[&str]| {
        let r = ghg_in(dir.path(), &[&args[..], &["--format", "html"], places].concat());
        assert_eq!(r.code, 1, "{}", r.stderr);
        r.stdout
    };
    let three = html(&["--places", "3"]);
    assert!(three.contains(">536.600<") && three.contains(">445.440<"), "three places");
    let two = html(&[]);
    assert!(!two.contains("536.600") && two.contains(">536.60<") && !two.contains("445.440"), "two by default");
}

#[test]
fn a_scenario_overflow_is_a_located_error_not_zero() {
    let dir = tempfile::tempdir().expect("tempdir");
    scenario_inventory(dir.path(), "plant-a,2024,electricity,1000,MWh,CN,,,,,\n");
    // 10^20 MW x 10^10 hours = 10^30 MWh: more than 28 significant digits hold.
    let text = "[[change]]\nkind = \"onsite_pv\"\nmw = \"100000000000000000000\"\nhours = \"10000000000\"\n";
    std::fs::write(dir.path().join("big.toml"), text).expect("scenario");
    let r = ghg_in(dir.path(), &["scenario", "inventory.toml", "big.toml"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains("big.toml:1"), "{}", r.stderr);
    assert!(r.stderr.contains("overflows 28 significant digits"), "{}", r.stderr);
    // A price x MWh too large for a decimal is no cost of 0 either.
    let text =
        "[[change]]\nkind = \"add_certificates\"\nmwh = \"10000000000000000000000000\"\nprice = \"100000 CNY/MWh\"\n";
    std::fs::write(dir.path().join("cost.toml"), text).expect("scenario");
    let r = ghg_in(dir.path(), &["scenario", "inventory.toml", "cost.toml"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains("cost.toml:1"), "{}", r.stderr);
    assert!(r.stderr.contains("overflows 28 significant digits"), "{}", r.stderr);
}

/// `reconcile --places` reaches the table and the working paper: recomputed values and differences at the places
/// asked (hand-rounded from the default, which shows two digits beyond the printed precision: 2022 scope1 5,152.179
/// -> 5,152, difference -1.721 -> -2; 2023 6,809.636 -> 6,810, -29.264 -> -29; 2024 14,245.4104 -> 14,245.4 at one
/// place, -140.0696 -> -140.1), while the reported values and their intervals stay as printed.
#[test]
fn reconcile_places_reach_the_table_and_the_working_paper() {
    let one = ghg(&["reconcile", "examples/hikvision-2024/inventory.toml", "--places", "1"]);
    assert_eq!(one.code, 0, "{}", one.stderr);
    let row = one.stdout.lines().find(|l| l.starts_with("scope1 ")).expect("scope1 row");
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(cells[..6], ["scope1", "14,385.48", "tCO2e", "14,245.4", "14,245.41", "-140.1"], "{row}");
    let years = ["examples/hikvision-2022/inventory.toml", "examples/hikvision-2023/inventory.toml"];
    let zero =
        ghg(&[&["reconcile"][..], &years, &["examples/hikvision-2024/inventory.toml", "--places", "0"]].concat());
    // Some figures of 2022 are outside tolerance (exit 1), as without --places.
    assert_eq!(zero.code, 1, "{}", zero.stderr);
    let at = |label: &str| {
        let l = zero.stdout.lines().find(|l| l.trim_start().starts_with(label)).expect(label);
        l.split_whitespace().skip(1).collect::<Vec<_>>().join(" ")
    };
    assert_eq!(at("recomputed"), "5,152 6,810 14,245");
    assert_eq!(at("difference"), "-2 (-0.03%) -29 (-0.43%) -140 (-0.97%)");
    assert!(zero.stdout.contains("scope1                  reported             5,153.9 tCO2e"), "{}", zero.stdout);
    // The change attribution: 5,152.179 -> 6,809.636 at no places.
    assert!(
        zero.stdout.lines().any(|l| l.starts_with("scope1           2022→2023    5,152    6,810")),
        "{}",
        zero.stdout
    );
    let md = ghg(&[&["reconcile"][..], &years, &["--places", "0", "--format", "markdown"]].concat());
    assert_eq!(md.code, 1, "{}", md.stderr);
    assert!(md.stdout.contains("Recomputed values are shown at 0 decimal places."), "{}", md.stdout);
    assert!(
        md.stdout.contains(
            "| `scope1` | 5,153.9 吨二氧化碳当量 | [5,153.850, 5,153.950) | tCO2e | 5,152 ± 1 | 5,152.2 | -2 | -0.03% |"
        ),
        "{}",
        md.stdout
    );
}

/// A calculation's sink hears every warning and fallback of the result, in its order, and a warning of a ledger's
/// rows as soon as that ledger is read, before the next one is.
#[test]
fn the_sink_hears_warnings_as_they_come_and_every_fallback() {
    #[derive(Default)]
    struct Heard {
        events: Vec<String>,
        warnings: Vec<ghg::calc::Warning>,
        fallbacks: Vec<ghg::calc::Fallback>,
    }
    impl ghg::calc::Sink for Heard {
        fn progress(&mut self, p: &ghg::calc::Progress<'_>) {
            if p.done == p.total {
                self.events.push(format!("read {}", p.file.display()));
            }
        }
        fn warning(&mut self, w: &ghg::calc::Warning) {
            self.events.push(w.code.to_string());
            self.warnings.push(w.clone());
        }
        fn fallback(&mut self, f: &ghg::calc::Fallback) {
            self.fallbacks.push(f.clone());
        }
    }
    let run = |inv: &Path| {
        let inv = ghg::Inventory::load(inv).expect("inventory");
        let lib = ghg::library_for(&inv, &[]).expect("library");
        let mut heard = Heard::default();
        let c = ghg::calc::Calculation::new(&inv, &lib).run(&mut heard).expect("computes");
        assert_eq!(heard.warnings, c.warnings);
        assert_eq!(heard.fallbacks, c.fallbacks);
        heard
    };
    // Two fallbacks (the 2022 grid and residual for 2024) and the residual warning, which needs the figures.
    let heard = run(&root().join("examples/hikvision-2024/inventory.toml"));
    assert_eq!(heard.fallbacks.len(), 2);
    assert_eq!(heard.events.last().map(String::as_str), Some("residual-is-grid-average"), "{:?}", heard.events);
    // A ledger of diesel in GJ (not summed into activity.diesel, in t), then another ledger: its warning comes
    // between the two.
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let inv =
        crate::util::INVENTORY.replace("activity_files = [\"ledger.csv\"]", "activity_files = [\"a.csv\", \"b.csv\"]");
    std::fs::write(d.join("inventory.toml"), inv).expect("inventory");
    let head = "entity,period,activity,quantity,unit,region,note\n";
    std::fs::write(d.join("a.csv"), format!("{head}site,2024,diesel,430.7,GJ,CN,\n")).expect("a");
    std::fs::write(d.join("b.csv"), format!("{head}site,2024,diesel,10,t,CN,\n")).expect("b");
    let heard = run(&d.join("inventory.toml"));
    let ev: Vec<&str> = heard.events.iter().map(|e| e.rsplit('/').next().unwrap_or(e)).collect();
    assert_eq!(ev, ["a.csv", "activity-unit", "b.csv"], "{:?}", heard.events);
}
