//! The base year and its recalculation (`ghg base-year`). Every expected number is worked by hand from the ledgers
//! of examples/acme-2022 and examples/acme-2024 (electricity only) and the MEE national grid factors: 0.5568
//! tCO2/MWh (2021 edition, used by the 2022 inventory) and 0.5366 (2022 edition, used by the 2024 inventory).
//!
//! 2022: hz 10,000 + nb 6,000 + sx 500 = 16,500 MWh x 0.5568 = 9,187.2 t.
//! 2024: hz 10,400 + nb 6,300 + wz 4,000 = 20,700 MWh x 0.5366 = 11,107.62 t (change +1,920.42).
//! boundary: + wz 4,000 x 0.5366 = 2,146.4, - sx 500 x 0.5568 = 278.4: +1,868.0 (20.3326... % of 9,187.2)
//! activity: hz 400 x 0.5568 = 222.72, nb 300 x 0.5568 = 167.04: +389.76
//! factors: hz 10,400 x (0.5366 - 0.5568) = -210.08, nb 6,300 x -0.0202 = -127.26: -337.34 (3.6718... %)
//! error: the missed 200 MWh of nb x 0.5568 = +111.36 (1.2121... %)

use std::str::FromStr;

use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use crate::util::{ghg, ghg_in, root};

fn dec_at(v: &serde_json::Value, places: u32) -> Decimal {
    Decimal::from_str(v.as_str().unwrap_or_else(|| panic!("a decimal string, got {v}")))
        .expect("a decimal")
        .round_dp(places)
}

fn json(args: &[&str]) -> serde_json::Value {
    let r = ghg(args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_str(&r.stdout).expect("json")
}

#[test]
fn the_acquisition_example_calls_for_a_recalculation_with_its_numbers() {
    let j = json(&["base-year", "examples/acme-2024/inventory.toml", "--format", "json"]);
    assert_eq!(j["schema_version"], 1);
    assert_eq!((j["base_year"].as_i64(), j["year"].as_i64()), (Some(2022), Some(2024)));
    let a = &j["attribution"];
    assert_eq!(dec_at(&a["from"], 10), dec!(9187.2));
    assert_eq!(dec_at(&a["to"], 10), dec!(11107.62));
    assert_eq!(dec_at(&a["boundary"], 10), dec!(1868.0));
    assert_eq!(dec_at(&a["activity"], 10), dec!(389.76));
    assert_eq!(dec_at(&a["factors"], 10), dec!(-337.34));
    let tests = j["tests"].as_array().expect("tests");
    let names: Vec<&str> = tests.iter().map(|t| t["trigger"].as_str().unwrap_or("")).collect();
    assert_eq!(names, ["structural", "method", "error"]);
    assert_eq!(dec_at(&tests[0]["change"], 10), dec!(1868));
    assert_eq!(dec_at(&tests[0]["share"], 6), dec!(20.332637));
    assert_eq!(dec_at(&tests[1]["change"], 10), dec!(-337.34));
    assert_eq!(dec_at(&tests[1]["share"], 6), dec!(3.671848));
    assert_eq!(dec_at(&tests[2]["change"], 10), dec!(111.36));
    assert_eq!(dec_at(&tests[2]["share"], 6), dec!(1.212121));
    assert_eq!(dec_at(&j["cumulative"], 6), dec!(25.216606));
    assert_eq!(j["required"], true);
    assert_eq!(j["acquired"], serde_json::json!(["wz-plant"]));
    assert_eq!(j["divested"], serde_json::json!(["sx-warehouse"]));
    // total.location, step by step: 16,700 MWh x 0.5568 = 9,298.56 with the missed sub-meter; + wz 3,800 MWh of
    // 2022 = 20,500 x 0.5568 = 11,414.4, less sx 278.4 = 11,136.0; at 0.5366: (10,000 + 6,200 + 3,800) x 0.5366 =
    // 10,732.0.
    let f = j["figures"].as_array().expect("figures").iter().find(|f| f["id"] == "total.location").expect("total");
    assert_eq!(dec_at(&f["original"], 10), dec!(9187.2));
    let steps: Vec<(String, Decimal)> = f["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| (s["trigger"].as_str().unwrap_or("").to_string(), dec_at(&s["value"], 10)))
        .collect();
    assert_eq!(
        steps,
        [("error".to_string(), dec!(9298.56)), ("structural".into(), dec!(11136.0)), ("method".into(), dec!(10732.0))]
    );
    assert_eq!(dec_at(&f["recalculated"], 10), dec!(10732));
    assert_eq!(dec_at(&f["current"], 10), dec!(11107.62));
}

#[test]
fn the_text_shows_the_rule_the_shares_and_the_verdict() {
    let r = ghg(&["base-year", "examples/acme-2024/inventory.toml"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let t = &r.stdout;
    assert!(t.contains("sum of |change| / total.location (2022) x 100 >= 5 %"), "{t}");
    assert!(t.contains("change +1,920.42 = boundary +1,868.00 + activity +389.76 + factors -337.34"), "{t}");
    assert!(t.contains("structural  yes             +1,868.00                       20.33 %"), "{t}");
    assert!(t.contains("cumulative (policy's triggers): 25.22 % >= 5 %: the base year must be recalculated"), "{t}");
    assert!(t.contains("left since 2022 (their base-year figures taken out): sx-warehouse"), "{t}");
    let line = t.lines().rev().find(|l| l.starts_with("total.location ")).expect("total.location row");
    let cells: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(
        cells,
        ["total.location", "tCO2e", "9,187.20", "9,298.56", "11,136.00", "10,732.00", "10,732.00", "11,107.62"]
    );
    let md = ghg(&["base-year", "examples/acme-2024/inventory.toml", "--format", "markdown"]);
    assert_eq!(md.code, 0, "{}", md.stderr);
    assert!(md.stdout.starts_with("# Base year of Acme Components (fictional): 2022 against 2024\n"), "{}", md.stdout);
    assert!(
        md.stdout.contains(
            "| total.location | tCO2e | 9,187.20 | 9,298.56 | 11,136.00 | 10,732.00 | 10,732.00 | 11,107.62 |"
        )
    );
}

/// The example's two folders copied into a temporary one, with the 2024 `[base_year]` replaced.
fn with_policy(policy: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for year in ["acme-2022", "acme-2024"] {
        let from = root().join("examples").join(year);
        std::fs::create_dir(dir.path().join(year)).expect("mkdir");
        for e in std::fs::read_dir(&from).expect("example").flatten() {
            std::fs::copy(e.path(), dir.path().join(year).join(e.file_name())).expect("copy");
        }
    }
    let p = dir.path().join("acme-2024/inventory.toml");
    let text = std::fs::read_to_string(&p).expect("inventory");
    let head = text.split("[base_year]").next().expect("head");
    std::fs::write(&p, format!("{head}[base_year]\n{policy}")).expect("write");
    dir
}

fn run_json(dir: &tempfile::TempDir) -> serde_json::Value {
    let r = ghg_in(dir.path(), &["base-year", "acme-2024/inventory.toml", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_str(&r.stdout).expect("json")
}

fn total(j: &serde_json::Value) -> Decimal {
    let f = j["figures"].as_array().expect("figures").iter().find(|f| f["id"] == "total.location").expect("total");
    dec_at(&f["recalculated"], 10)
}

#[test]
fn only_the_policys_triggers_count_and_apply() {
    // Errors alone: 1.2121 % < 5 %: not required; the recalculation applies the correction only (9,298.56).
    let dir = with_policy(
        "inventory = \"../acme-2022/inventory.toml\"\nthreshold = \"5%\"\ntriggers = [\"error\"]\ncorrections = [\"corrections-2022.csv\"]\n",
    );
    let j = run_json(&dir);
    assert_eq!(j["required"], false);
    assert_eq!(dec_at(&j["cumulative"], 6), dec!(1.212121));
    assert_eq!(total(&j), dec!(9298.56));
    // Method alone, at 3.5 %: 3.6718 % reaches it; 16,500 MWh at 0.5366 = 8,853.9 (no entity taken out or added).
    let dir =
        with_policy("inventory = \"../acme-2022/inventory.toml\"\nthreshold = \"3.5 %\"\ntriggers = [\"method\"]\n");
    let j = run_json(&dir);
    assert_eq!(j["required"], true);
    assert_eq!(total(&j), dec!(8853.9));
    // Cumulative, not each alone: method 3.6718 + error 1.2121 = 4.8840 % < 5 %, but >= 4.8 %.
    let both = "inventory = \"../acme-2022/inventory.toml\"\ntriggers = [\"method\", \"error\"]\ncorrections = [\"corrections-2022.csv\"]\n";
    assert_eq!(run_json(&with_policy(&format!("threshold = \"5%\"\n{both}")))["required"], false);
    let j = run_json(&with_policy(&format!("threshold = \"4.8%\"\n{both}")));
    assert_eq!(j["required"], true);
    assert_eq!(dec_at(&j["cumulative"], 6), dec!(4.883969));
    // (6,000 + 200 + 10,000 + 500) MWh x 0.5366 = 8,961.22
    assert_eq!(total(&j), dec!(8961.22));
}

#[test]
fn an_acquired_entity_without_base_year_activity_is_named_not_silently_added() {
    let dir =
        with_policy("inventory = \"../acme-2022/inventory.toml\"\nthreshold = \"5%\"\ntriggers = [\"structural\"]\n");
    let j = run_json(&dir);
    assert_eq!(j["without_base_year"], serde_json::json!(["wz-plant"]));
    assert_eq!(j["acquired"], serde_json::json!([]));
    // 16,000 MWh of hz and nb x 0.5568 = 8,908.8: sx taken out, nothing added for wz.
    assert_eq!(total(&j), dec!(8908.8));
    let r = ghg_in(dir.path(), &["base-year", "acme-2024/inventory.toml"]);
    assert!(
        r.stdout.contains(
            "no base-year activity in the acquired ledgers (organic growth or missing data: nothing added): wz-plant"
        ),
        "{}",
        r.stdout
    );
}

#[test]
fn an_inventory_without_a_base_year_is_bad_input() {
    let r = ghg(&["base-year", "examples/uk-council-2024/inventory.toml"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.starts_with("error: examples/uk-council-2024/inventory.toml: inventory names no base year"),
        "{}",
        r.stderr
    );
}

#[test]
fn an_acquired_row_of_a_base_year_entity_or_of_no_current_entity_is_an_error_at_its_cell() {
    let dir = with_policy(
        "inventory = \"../acme-2022/inventory.toml\"\nthreshold = \"5%\"\ntriggers = [\"structural\"]\nacquired = [\"acquired-2022.csv\"]\n",
    );
    let p = dir.path().join("acme-2024/acquired-2022.csv");
    let mut text = std::fs::read_to_string(&p).expect("ledger");
    text.push_str("hz-plant,2022,electricity,5,MWh,CN,x\nzz-plant,2022,electricity,5,MWh,CN,x\n");
    std::fs::write(&p, text).expect("write");
    let r = ghg_in(dir.path(), &["base-year", "acme-2024/inventory.toml"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr.contains("error: acme-2024/acquired-2022.csv:3:1: entity 'hz-plant' of an acquired ledger is in the base year already"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(
            "error: acme-2024/acquired-2022.csv:4:1: entity 'zz-plant' of an acquired ledger is not in the current year"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn a_bad_row_stops_the_assessment_unless_lenient_and_then_it_is_listed() {
    let dir = with_policy(
        "inventory = \"../acme-2022/inventory.toml\"\nthreshold = \"5%\"\ntriggers = [\"structural\"]\nacquired = [\"acquired-2022.csv\"]\n",
    );
    let p = dir.path().join("acme-2024/acquired-2022.csv");
    let mut text = std::fs::read_to_string(&p).expect("ledger");
    text.push_str("wz-plant,2022,electricity,-5,MWh,CN,a negative reading\n");
    std::fs::write(&p, text).expect("write");
    let r = ghg_in(dir.path(), &["base-year", "acme-2024/inventory.toml"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains("acme-2024/acquired-2022.csv:3:"), "{}", r.stderr);
    assert!(r.stderr.contains("quantity -5 is negative"), "{}", r.stderr);
    let r = ghg_in(dir.path(), &["base-year", "acme-2024/inventory.toml", "--lenient"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // 5 rows read in the structural step (3 of 2022, 2 acquired), the negative one rejected; wz counts 3,800 MWh:
    // (10,000 + 6,000 + 3,800) x 0.5568 = 11,024.64.
    assert!(r.stdout.contains("structural read 5, used 4, rejected 1"), "{}", r.stdout);
    assert!(r.stdout.contains("rejected: acme-2024/acquired-2022.csv:3:"), "{}", r.stdout);
    let line = r.stdout.lines().rev().find(|l| l.starts_with("total.location ")).expect("total.location row");
    assert!(line.contains("11,024.64"), "{line}");
}

#[test]
fn a_verdict_below_the_threshold_says_the_base_year_stands() {
    let dir = with_policy(
        "inventory = \"../acme-2022/inventory.toml\"\nthreshold = \"5%\"\ntriggers = [\"method\", \"error\"]\ncorrections = [\"corrections-2022.csv\"]\n",
    );
    let r = ghg_in(dir.path(), &["base-year", "acme-2024/inventory.toml", "--format", "text"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // 3.6718 + 1.2121 = 4.8840 %
    assert!(
        r.stdout
            .contains("cumulative (policy's triggers): 4.88 % < 5 %: no recalculation required; the base year stands"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("base year 2022 as it would be recalculated (not required), step by step:"),
        "{}",
        r.stdout
    );
    // The structural trigger is shown but not counted.
    assert!(r.stdout.contains("structural  no"), "{}", r.stdout);
}

#[test]
fn a_test_figure_of_0_in_the_base_year_is_an_error_at_its_key() {
    // The example burns no fuel: its 2022 scope 1 is 0, no share of it can be taken.
    let dir = with_policy(
        "inventory = \"../acme-2022/inventory.toml\"\nthreshold = \"5%\"\ntriggers = [\"method\"]\nfigure = \"scope1\"\n",
    );
    let r = ghg_in(dir.path(), &["base-year", "acme-2024/inventory.toml"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stderr.contains("error: acme-2024/inventory.toml:21:10: the base year 2022 has no scope1 to test against (test on a figure the base year computes and that is not 0: one of scope1, scope2.location, scope2.market, total.location, total.market)"),
        "{}",
        r.stderr
    );
}

#[test]
fn the_output_may_not_overwrite_an_acquired_ledger() {
    let dir = with_policy(
        "inventory = \"../acme-2022/inventory.toml\"\nthreshold = \"5%\"\ntriggers = [\"structural\"]\nacquired = [\"acquired-2022.csv\"]\n",
    );
    let before = std::fs::read_to_string(dir.path().join("acme-2024/acquired-2022.csv")).expect("ledger");
    let r = ghg_in(dir.path(), &["base-year", "acme-2024/inventory.toml", "-o", "acme-2024/acquired-2022.csv"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stderr.contains("--output acme-2024/acquired-2022.csv would overwrite the acquired ledger"),
        "{}",
        r.stderr
    );
    assert_eq!(std::fs::read_to_string(dir.path().join("acme-2024/acquired-2022.csv")).expect("ledger"), before);
    // To another file it is written.
    let r = ghg_in(dir.path(), &["base-year", "acme-2024/inventory.toml", "-o", "out.md", "--format", "markdown"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let md = std::fs::read_to_string(dir.path().join("out.md")).expect("written");
    assert!(md.starts_with("# Base year of Acme Components (fictional): 2022 against 2024"), "{md}");
}
