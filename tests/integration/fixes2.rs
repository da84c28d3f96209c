//! Scenario outputs state their rows and rejected rows; scenario labels stay on one line; compute compares the
//! reported figures through the reconciliation and refuses a broken reported file.

use std::path::Path;

use crate::util::{ghg_in, root};

/// A copy of the seed example in a temporary folder, with `extra` rows appended to its ledger.
fn example(extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = root().join("examples/hikvision-2024");
    for f in ["inventory.toml", "reported.toml"] {
        std::fs::copy(src.join(f), dir.path().join(f)).expect("copy");
    }
    let mut ledger = std::fs::read_to_string(src.join("ledger.csv")).expect("ledger");
    ledger.push_str(extra);
    std::fs::write(dir.path().join("ledger.csv"), ledger).expect("write");
    dir
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write");
}

#[test]
fn compute_refuses_a_broken_reported_file_with_its_location() {
    let dir = example("");
    let reported = std::fs::read_to_string(dir.path().join("reported.toml")).expect("reported");
    // Line 107 opens an array that never closes.
    write(dir.path(), "reported.toml", &format!("{reported}bad = [1,\n"));
    // Every format: the reported figures are an input of the inventory, whether or not the format shows them.
    for format in ["table", "markdown", "json", "csv"] {
        let r = ghg_in(dir.path(), &["compute", "inventory.toml", "--format", format]);
        assert_eq!(r.code, 2, "{format}: {}", r.stdout);
        assert_eq!(r.stdout, "", "{format}: nothing is printed before the error");
        // (CSV has no place for warnings: they reach stderr as they come, before the error.)
        assert!(r.stderr.contains("error: reported.toml:107:"), "{format}: {}", r.stderr);
        assert!(!r.stderr.contains("not compared"), "{}", r.stderr);
    }
    // And `ghg check`, which validates everything compute reads.
    let r = ghg_in(dir.path(), &["check", "inventory.toml"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.starts_with("error: reported.toml:107:"), "{}", r.stderr);
}

#[test]
fn compute_refuses_a_reported_id_that_is_not_a_figure() {
    let dir = example("");
    let reported = std::fs::read_to_string(dir.path().join("reported.toml")).expect("reported");
    let renamed = reported.replacen("id = \"scope1\"", "id = \"scope9\"", 1);
    assert_ne!(renamed, reported, "the example reports scope1");
    write(dir.path(), "reported.toml", &renamed);
    let r = ghg_in(dir.path(), &["compute", "inventory.toml"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains("reported figure 'scope9' is not a figure of this inventory"), "{}", r.stderr);
    // ghg reconcile says the same about the same file: one comparison.
    let rec = ghg_in(dir.path(), &["reconcile", "inventory.toml"]);
    assert_eq!(rec.code, 2);
    let first = |s: &str| s.lines().next().unwrap_or_default().to_string();
    assert_eq!(first(&r.stderr), first(&rec.stderr));
}

/// Four bad rows: an unknown activity, two quantities that are not numbers, a unit that cannot measure diesel.
const BAD_ROWS: &str = "hikvision-group,2024,petrole,1,t,CN,typo,\nhikvision-group,2024,diesel,-x,t,CN,bad,\nhikvision-group,2024,diesel,1,furlong,CN,bad,\nhikvision-group,2024,natural_gas,abc,t,CN,bad,\n";

/// Where each bad row is rejected (ledger.csv has a header and 6 rows, so they are lines 8 to 11).
const REJECTED_AT: [&str; 4] = [
    "ledger.csv:8:22: unknown activity 'petrole'",
    "ledger.csv:9:29: quantity '-x' is not a decimal number: 'x' is not a digit",
    "ledger.csv:10:31: unknown unit 'furlong' for diesel",
    "ledger.csv:11:34: quantity 'abc' is not a decimal number: 'a' is not a digit",
];

fn lenient(dir: &Path, args: &[&str]) -> crate::util::Run {
    let mut all = vec!["scenario", "inventory.toml", "--lenient"];
    all.extend_from_slice(args);
    let r = ghg_in(dir, &all);
    assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
    r
}

#[test]
fn scenario_table_and_markdown_state_rows_and_list_every_rejected_row() {
    let dir = example(BAD_ROWS);
    let compute = ghg_in(dir.path(), &["compute", "inventory.toml", "--lenient"]);
    assert!(compute.stdout.contains("rows: 10 read, 6 used, 4 rejected"), "{}", compute.stdout);
    for format in ["table", "markdown"] {
        let r = lenient(dir.path(), &["--scale", "natural_gas=0.5", "--format", format]);
        assert!(r.stdout.contains("rows: 10 read, 6 used, 4 rejected\n"), "{format}: {}", r.stdout);
        let item = if format == "table" { "  " } else { "- " };
        for at in REJECTED_AT {
            assert!(r.stdout.contains(&format!("\n{item}{at}")), "{format}: {at} not listed: {}", r.stdout);
        }
        // Scaling adds no row: the scenario read the same rows, so no second count is shown.
        assert!(!r.stdout.contains("rows of the scenario"), "{}", r.stdout);
    }
    // A purchase adds one scenario row: the scenario's own counts are shown beside the ledgers'.
    let r = lenient(dir.path(), &["--add-certificates", "100"]);
    assert!(r.stdout.contains("rows: 10 read, 6 used, 4 rejected\n"), "{}", r.stdout);
    assert!(r.stdout.contains("): 11 read, 7 used, 4 rejected\n"), "{}", r.stdout);
}

#[test]
fn scenario_json_and_csv_carry_the_counts_and_the_reasons() {
    let dir = example(BAD_ROWS);
    let r = lenient(dir.path(), &["--scale", "natural_gas=0.5", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(v["rows"], serde_json::json!({"read": 10, "used": 6, "rejected": 4}));
    let rejected = v["rejected"].as_array().expect("a rejected list");
    let at: Vec<String> = rejected
        .iter()
        .map(|e| format!("{}: {}", e["location"].as_str().unwrap_or(""), e["message"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(at, REJECTED_AT);
    assert_eq!(rejected[0]["kind"], "unknown-activity");
    // The same shape as compute's.
    let c = ghg_in(dir.path(), &["compute", "inventory.toml", "--lenient", "--format", "json"]);
    let cv: serde_json::Value = serde_json::from_str(&c.stdout).expect("json");
    assert_eq!(v["rejected"], cv["rejected"]);

    let r = lenient(dir.path(), &["--scale", "natural_gas=0.5", "--format", "csv"]);
    for row in ["rows.read,rows,10,10,0,", "rows.used,rows,6,6,0,", "rows.rejected,rows,4,4,0,"] {
        assert!(r.stdout.lines().any(|l| l == row), "{row}: {}", r.stdout);
    }
    for at in REJECTED_AT {
        assert!(r.stderr.contains(&format!("rejected: {at}")), "{at}: {}", r.stderr);
    }
}

#[test]
fn sweep_and_target_state_rows_and_list_every_rejected_row() {
    let dir = example(BAD_ROWS);
    // Every point reads the 10 ledger rows and the swept purchase row.
    let r = lenient(dir.path(), &["--sweep", "certificates=0..100:50"]);
    assert!(r.stdout.contains("rows (at every point): 11 read, 7 used, 4 rejected\n"), "{}", r.stdout);
    let r = lenient(dir.path(), &["--target", "intensity.total.market<=1.8"]);
    assert!(r.stdout.contains("rows (lever at 0): 11 read, 7 used, 4 rejected\n"), "{}", r.stdout);
    for at in REJECTED_AT {
        assert!(r.stdout.contains(&format!("\n  {at}")), "{at}: {}", r.stdout);
    }
    let r = lenient(dir.path(), &["--sweep", "certificates=0..100:50", "--format", "csv"]);
    assert!(r.stdout.starts_with("certificates [MWh],"), "{}", r.stdout);
    assert!(r.stdout.lines().next().unwrap_or("").ends_with(",rows.read [rows],rows.used [rows],rows.rejected [rows]"));
    assert!(
        r.stdout.lines().nth(2).unwrap_or("").starts_with("50,")
            && r.stdout.lines().nth(2).unwrap_or("").ends_with(",11,7,4")
    );
    assert_eq!(r.stderr.matches("rejected: ").count(), 4, "each rejected row once: {}", r.stderr);
    let r = lenient(dir.path(), &["--sweep", "certificates=0..100:50", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(v["points"][1]["rows"], serde_json::json!({"read": 11, "used": 7, "rejected": 4}));
    assert_eq!(v["rejected"].as_array().map(Vec::len), Some(4));
    let r = lenient(dir.path(), &["--target", "intensity.total.market<=1.8", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(v["rows"], serde_json::json!({"read": 11, "used": 7, "rejected": 4}));
    assert_eq!(v["rejected"][3]["location"], "ledger.csv:11:34");
}

#[test]
fn a_multi_line_label_is_shown_on_one_line_before_its_location() {
    let dir = example("");
    let scenario = "name = \"labels\"\n\n[[change]]\nkind = \"scale\"\nactivity = \"natural_gas\"\nlabel = \"\"\"first line\nsecond line\nthird line\"\"\"\nfactor = \"0.5\"\n";
    write(dir.path(), "b.toml", scenario);
    let r = ghg_in(dir.path(), &["scenario", "inventory.toml", "b.toml"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("\n  1. first line\\nsecond line\\nthird line  [b.toml:3:1]\n"), "{}", r.stdout);
    let r = ghg_in(dir.path(), &["scenario", "inventory.toml", "b.toml", "--format", "markdown"]);
    assert!(r.stdout.contains("\n1. first line second line third line  [b.toml:3:1]\n"), "{}", r.stdout);
    // The document's change list and waterfall too.
    let r = ghg_in(dir.path(), &["scenario", "inventory.toml", "b.toml", "--format", "html"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("first line second line third line"), "{}", r.stdout);
}

#[test]
fn a_row_only_the_scenario_rejects_is_listed_apart_from_the_ledgers() {
    let dir = example(BAD_ROWS);
    // Certificates of a market where the company used no grid electricity: the scenario's own row is rejected.
    let args = ["--add-certificates", "100", "--market", "US"];
    let r = lenient(dir.path(), &args);
    assert!(r.stdout.contains("rows: 10 read, 6 used, 4 rejected\n"), "{}", r.stdout);
    assert!(r.stdout.contains("): 11 read, 6 used, 5 rejected\nrejected in the scenario only:\n  --add-certificates: certificate market US differs"), "{}", r.stdout);
    let v: serde_json::Value =
        serde_json::from_str(&lenient(dir.path(), &[&args[..], &["--format", "json"]].concat()).stdout).expect("json");
    assert_eq!(v["scenario_rows"], serde_json::json!({"read": 11, "used": 6, "rejected": 5}));
    assert_eq!(v["rejected"].as_array().map(Vec::len), Some(4));
    assert_eq!(v["scenario_rejected"][0]["location"], "--add-certificates");
    // Strict, the same row stops the scenario of a clean ledger.
    let clean = example("");
    let r = ghg_in(clean.path(), &["scenario", "inventory.toml", "--add-certificates", "100", "--market", "US"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.starts_with("error: --add-certificates: certificate market US differs"), "{}", r.stderr);
}
