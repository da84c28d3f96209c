//! The entity register written as TOML: one `[[entity]]` table per holding, the CSV's columns as keys. The same
//! register in CSV and in TOML computes the same figures, and a bad TOML register is refused with every problem
//! located in it.

use std::path::Path;
use std::str::FromStr;

use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use crate::util::ghg_in;

/// An inventory under `approach` whose register is `register`.
fn inventory(approach: &str, register: &str) -> String {
    format!(
        "organisation = \"Group test\"\nyear = 2024\nactivity_files = [\"ledger.csv\"]\nentities = \"{register}\"\n\
         [consolidation]\napproach = \"{approach}\"\n[factors]\ngrid = \"mee-grid@2022\"\n\
         residual = \"mee-grid@2022:grid.national.excl_market_nonfossil\"\nallow_year_mismatch = true\n"
    )
}

/// Four entities buying 1000 MWh each.
const LEDGER: &str = "entity,period,activity,quantity,unit,region\n\
    hq,2024,electricity,1000,MWh,CN\n\
    sub,2024,electricity,1000,MWh,CN\n\
    jv,2024,electricity,1000,MWh,CN\n\
    acq,2024,electricity,1000,MWh,CN\n";

/// The head office, a 60 % subsidiary, a joint venture the subsidiary holds 50 % of (operated, not financially
/// controlled), and a plant bought on 1 July 2024.
const CSV: &str = "id,name,region,parent,equity,financial_control,operational_control,from,to,note\n\
    hq,Head office,CN,,100,yes,yes,,,\n\
    sub,Subsidiary,CN,hq,60,yes,yes,,,\n\
    jv,Joint venture,CN,sub,50 %,no,yes,,,\n\
    acq,Acquired plant,CN,hq,100,yes,yes,2024-07-01,2024-12-31,bought on 1 July\n";

/// The same register in TOML, written with each form a value may take (integer or string equity, boolean or
/// yes/no control, TOML date or string date).
const TOML: &str = r#"# The group's entities
[[entity]]
id = "hq"
name = "Head office"
region = "CN"
equity = 100
financial_control = true
operational_control = true

[[entity]]
id = "sub"
name = "Subsidiary"
region = "CN"
parent = "hq"
equity = "60"
financial_control = "yes"
operational_control = true

[[entity]]
id = "jv"
name = "Joint venture"
region = "CN"
parent = "sub"
equity = "50 %"
financial_control = false
operational_control = "yes"

[[entity]]
id = "acq"
name = "Acquired plant"
region = "CN"
parent = "hq"
equity = 100
financial_control = true
operational_control = true
from = 2024-07-01
to = "2024-12-31"
note = "bought on 1 July"
"#;

/// A folder with the inventory under `approach`, the ledger, and the register `name` holding `register`.
fn folder(approach: &str, name: &str, register: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("inventory.toml"), inventory(approach, name)).expect("write inventory");
    std::fs::write(dir.path().join("ledger.csv"), LEDGER).expect("write ledger");
    std::fs::write(dir.path().join(name), register).expect("write register");
    dir
}

fn run_json(dir: &Path, args: &[&str]) -> serde_json::Value {
    let r = ghg_in(dir, args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_str(&r.stdout).expect("valid JSON")
}

fn dec_of(v: &serde_json::Value) -> Decimal {
    Decimal::from_str(v.as_str().unwrap_or_else(|| panic!("a decimal string: {v}"))).expect("a decimal")
}

/// The TOML trace's register references rewritten to the CSV's: the n-th `[[entity]]` is on CSV line n + 1.
fn as_csv_refs(text: &str) -> String {
    let mut out = text.to_string();
    let starts: Vec<usize> =
        TOML.lines().enumerate().filter(|(_, l)| l.trim() == "[[entity]]").map(|(i, _)| i + 1).collect();
    for (n, line) in starts.iter().enumerate() {
        out = out.replace(&format!("entities.toml:{line})"), &format!("entities.csv:{})", n + 2));
    }
    out
}

#[test]
fn the_same_register_in_csv_and_toml_gives_identical_computations() {
    for approach in ["equity_share", "financial_control", "operational_control"] {
        let csv = folder(approach, "entities.csv", CSV);
        let toml = folder(approach, "entities.toml", TOML);
        let compute = ["compute", "inventory.toml", "--format", "json"];
        let (c, t) = (run_json(csv.path(), &compute), run_json(toml.path(), &compute));
        assert_eq!(c["figures"], t["figures"], "{approach}");
        assert_eq!(c["by_entity"], t["by_entity"], "{approach}");
        let inputs = t["provenance"]["inputs"].as_array().expect("inputs");
        assert!(inputs.iter().any(|i| i["path"].as_str().is_some_and(|p| p.ends_with("entities.toml"))), "{inputs:?}");
        // The traces match line for line, each share pointing at its own file's entry.
        for figure in ["scope2.location", "scope2.market", "electricity.total"] {
            let explain = ["explain", "inventory.toml", figure, "--format", "json"];
            let (c, t) = (run_json(csv.path(), &explain), run_json(toml.path(), &explain));
            assert_eq!(c["value"], t["value"], "{approach} {figure}");
            let (cl, tl) = (c["lines"].as_array().expect("lines"), t["lines"].as_array().expect("lines"));
            assert_eq!(cl.len(), 4, "{approach} {figure}");
            assert_eq!(cl.len(), tl.len(), "{approach} {figure}");
            for (a, b) in cl.iter().zip(tl) {
                assert_eq!(a["entity"], b["entity"]);
                assert_eq!(a["value"], b["value"]);
                let (fa, fb) = (a["formula"].as_str().expect("formula"), b["formula"].as_str().expect("formula"));
                assert_eq!(fa, as_csv_refs(fb), "{approach} {figure}");
            }
        }
    }
    // Hand-checked under equity share: shares hq 1, sub 0.6, jv 0.5 x 0.6 = 0.3, acq 184/366 days (1 July to 31
    // December 2024). 536.6 x (1 + 0.6 + 0.3) = 1019.54; 536.6 x 184 / 366 = 269.766120218579... rounded up at 12
    // places: 269.76612021858.
    let toml = folder("equity_share", "entities.toml", TOML);
    let v = run_json(toml.path(), &["compute", "inventory.toml", "--format", "json"]);
    assert_eq!(dec_of(&v["figures"]["scope2.location"]["value"]), dec!(1019.54) + dec!(269.76612021858));
    assert_eq!(dec_of(&v["by_entity"]["jv"]["scope2.location"]["value"]), dec!(160.98));
    let t = run_json(toml.path(), &["explain", "inventory.toml", "scope2.location", "--format", "json"]);
    let lines = t["lines"].as_array().expect("lines");
    let jv = lines.iter().find(|l| l["entity"] == "jv").expect("the jv line");
    let formula = jv["formula"].as_str().expect("formula");
    assert!(formula.ends_with(" x 0.3 (equity share of jv: 50 % by sub; entities.toml:19)"), "{formula}");
}

/// `ghg compute` on a folder whose TOML register is `register`, which must fail with exit 2; its error lines.
fn refused(approach: &str, register: &str) -> String {
    let dir = folder(approach, "entities.toml", register);
    let r = ghg_in(dir.path(), &["compute", "inventory.toml", "--format", "json"]);
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    r.stderr
}

#[test]
fn a_bad_toml_register_gives_located_errors() {
    // Every entity of the ledger is registered; the problems of each register are reported together.
    let base = "[[entity]]\nid = \"hq\"\nequity = 100\noperational_control = true\n[[entity]]\nid = \"jv\"\nequity = 0\noperational_control = false\n";
    let cases: &[(&str, String)] = &[
        // Equity outside 0-100 %, a parent cycle (sub and acq hold each other), a float.
        (
            "equity_share",
            format!(
                "{base}[[entity]]\nid = \"sub\"\nparent = \"acq\"\nequity = \"150\"\n[[entity]]\nid = \"acq\"\nparent = \"sub\"\nequity = 60.5\n"
            ),
        ),
        (
            "equity_share",
            format!(
                "{base}[[entity]]\nid = \"sub\"\nparent = \"acq\"\nequity = 100\n[[entity]]\nid = \"acq\"\nparent = \"sub\"\nequity = 100\n"
            ),
        ),
        // Held twice above 100 % from 1 March.
        (
            "equity_share",
            format!(
                "{base}[[entity]]\nid = \"sub\"\nequity = 60\n[[entity]]\nid = \"sub\"\nparent = \"hq\"\nequity = 50\nfrom = 2024-03-01\n"
            ),
        ),
        // A control that is not yes or no.
        ("operational_control", format!("{base}[[entity]]\nid = \"sub\"\noperational_control = \"maybe\"\n")),
        // The approach's key missing from one entity, a date outside the year.
        (
            "operational_control",
            format!(
                "{base}[[entity]]\nid = \"sub\"\n[[entity]]\nid = \"acq\"\noperational_control = true\nto = 2025-01-31\n"
            ),
        ),
        // A ledger entity (acq, on line 5 of the ledger) missing from the register.
        ("operational_control", format!("{base}[[entity]]\nid = \"sub\"\noperational_control = true\n")),
        // A key no register has, and invalid TOML.
        ("operational_control", format!("{base}[[entity]]\nid = \"sub\"\noperational_contrl = true\n")),
        ("operational_control", format!("{base}[[entity]]\nid = \"sub\n")),
    ];
    let got: Vec<String> = cases.iter().map(|(a, r)| refused(a, r)).collect();
    // The base takes lines 1-8, so the third [[entity]] starts on line 9.
    assert_eq!(
        got,
        [
            "error: entities.toml:12:10: equity '150' of sub is outside 0-100 % (write the parent's equity in % from 0 \
             to 100, e.g. 51 or 51 %)\nerror: entities.toml:16:10: equity of acq is a TOML float (60.5); decimals must \
             be strings (write equity = \"60.5\" so no digit is lost through binary floating point)\n2 problems found\n",
            "error: entities.toml:11:10: parent cycle: sub is held by acq is held by sub (an entity cannot hold itself) \
             (correct the parent of one entity of the cycle; the group's direct holdings have no parent)\n",
            "error: entities.toml:15:10: sub is held 60 % (line 9) + 50 % (line 12) = 110 % on 2024-03-01: more than \
             100 % (an entity's holdings at one time add up to 100 % at most: correct the equity, or state when each \
             was held in the from and to columns)\n",
            "error: entities.toml:11:23: operational_control 'maybe' of sub is not yes or no (write yes or no \
             (true/false, 1/0, 是/否))\n",
            "error: entities.toml:9:1: operational_control of sub is missing: the operational_control approach needs it \
             (add operational_control = true if the group has operational control of it, false otherwise)\n\
             error: entities.toml:14:6: to 2025-01-31 of acq is outside the inventory's year 2024 (state the part of \
             the inventory year the holding counts; leave it empty for the whole year)\n2 problems found\n",
            "error: ledger.csv:5:1: entity 'acq' is not in the entity register entities.toml (add an [[entity]] with \
             id = \"acq\" to entities.toml, or correct the entity in the ledger)\n",
            "error: entities.toml:11:1: unknown key 'operational_contrl' in [[entity]] #3 (known keys: equity, \
             financial_control, from, id, name, note, operational_control, parent, region, to)\n",
            "error: entities.toml:10:10: invalid TOML: invalid basic string, expected `\"`\n",
        ]
    );
}
