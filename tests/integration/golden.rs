//! Golden CLI outputs for the seed example, in every format (refresh with GOLDEN=overwrite).

use crate::util::{ghg, golden, root};

const INV: &str = "examples/hikvision-2024/inventory.toml";

#[test]
fn compute_table() {
    let r = ghg(&["compute", INV]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    golden("hikvision-2024.compute.txt", &r.stdout);
    // The printed intensity 2.05 does not follow from the recomputed totals: the gap shows in the compute output.
    let line = r.stdout.lines().find(|l| l.trim_start().starts_with("intensity.total.market") && l.contains("2.05 "));
    let line = line.expect("the reported intensity is compared");
    assert!(line.contains("2.06") && line.contains("0.0104") && line.contains("within"), "{line}");
}

#[test]
fn compute_json() {
    let r = ghg(&["compute", INV, "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    golden("hikvision-2024.compute.json", &r.stdout);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("valid JSON");
    // The contract: figures map id -> {value, unit}, decimals as strings.
    for id in [
        "scope1",
        "scope2.location",
        "scope2.market",
        "total.location",
        "total.market",
        "energy.direct",
        "energy.indirect",
        "energy.total",
        "electricity.total",
        "electricity.renewable",
        "intensity.total.location",
        "intensity.total.market",
        "intensity.energy",
    ] {
        assert!(v["figures"][id]["value"].is_string(), "figures.{id}.value is a string");
        assert!(v["figures"][id]["unit"].is_string(), "figures.{id}.unit is a string");
    }
    assert_eq!(v["provenance"]["rows"]["read"], v["provenance"]["rows"]["used"]);
    assert!(v["lines"].as_array().is_some_and(|l| !l.is_empty()));
}

#[test]
fn compute_csv() {
    let r = ghg(&["compute", INV, "--format", "csv"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    golden("hikvision-2024.compute.csv", &r.stdout);
}

#[test]
fn compute_markdown() {
    let r = ghg(&["compute", INV, "--format", "markdown"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    golden("hikvision-2024.compute.md", &r.stdout);
}

#[test]
fn explain_scope1() {
    let r = ghg(&["explain", INV, "scope1"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    golden("hikvision-2024.explain-scope1.txt", &r.stdout);
}

#[test]
fn explain_intensity_json() {
    let r = ghg(&["explain", INV, "intensity.total.market", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    golden("hikvision-2024.explain-intensity.json", &r.stdout);
}

#[test]
fn check_ok() {
    let r = ghg(&["check", INV]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    golden("hikvision-2024.check.txt", &r.stdout);
}

#[test]
fn factors_list_show_diff() {
    let r = ghg(&["factors", "list"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    golden("factors-list.txt", &r.stdout);
    let r = ghg(&["factors", "show", "mee-grid@2022"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    golden("factors-show-mee-grid-2022.txt", &r.stdout);
    let r = ghg(&["factors", "diff", "mee-grid@2021", "mee-grid@2022"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    golden("factors-diff-mee-grid-2021-2022.txt", &r.stdout);
    assert!(r.stdout.contains("grid.national: 0.5568 tCO2/MWh -> 0.5366 tCO2/MWh (-3.63%)"), "{}", r.stdout);
}

/// The seed's reported figures, reproduced as the issue requires.
#[test]
fn seed_2024_reproduces_the_report() {
    let r = ghg(&["compute", INV, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("valid JSON");
    let fig = |id: &str| -> rust_decimal::Decimal {
        v["figures"][id]["value"].as_str().expect("value").parse().expect("decimal")
    };
    let round = |x: rust_decimal::Decimal, p: u32| ghg::printed::round_half_away(x, p).to_string();
    // Indirect energy exactly as printed.
    assert_eq!(round(fig("energy.indirect"), 2), "44563.05");
    // Direct and total energy within the rounding of the printed inputs (0.005 t of each fuel, 0.005 万m3 of gas).
    let d = (fig("energy.direct") - rust_decimal::Decimal::new(719565, 2)).abs();
    assert!(d <= rust_decimal::Decimal::new(7, 2), "energy.direct off by {d}");
    let d = (fig("energy.total") - rust_decimal::Decimal::new(5175870, 2)).abs();
    assert!(d <= rust_decimal::Decimal::new(7, 2), "energy.total off by {d}");
    // Energy intensity at the report's precision.
    assert_eq!(round(fig("intensity.energy"), 2), "0.56");
    // Scope 1 and 2 within a few percent.
    let rel = |x: rust_decimal::Decimal, printed: rust_decimal::Decimal| ((x - printed) / printed).abs();
    assert!(rel(fig("scope1"), rust_decimal::Decimal::new(1438548, 2)) < rust_decimal::Decimal::new(3, 2));
    assert!(rel(fig("scope2.market"), rust_decimal::Decimal::new(17549231, 2)) < rust_decimal::Decimal::new(3, 2));
}

/// The factor library is embedded: `ghg` works from any folder.
#[test]
fn works_from_any_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = crate::util::ghg_in(dir.path(), &["factors", "show", "gbt2589@2020"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("natural_gas.range_low"), "{}", r.stdout);
    let inv = crate::util::root().join(INV);
    let r = crate::util::ghg_in(dir.path(), &["compute", inv.to_str().expect("utf-8 path"), "--format", "csv"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("energy.indirect,44563.050858,tce,\"44,563.05\""), "{}", r.stdout);
}

/// Strict by default: a rejected row stops the calculation; --lenient computes from the valid rows and says
/// which rows it rejected and why.
#[test]
fn strict_by_default_lenient_lists_rejected_rows() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = crate::util::root().join("examples/hikvision-2024");
    let inv = std::fs::read_to_string(src.join("inventory.toml")).expect("inventory");
    std::fs::write(dir.path().join("inventory.toml"), inv).expect("write");
    std::fs::copy(src.join("reported.toml"), dir.path().join("reported.toml")).expect("copy");
    let mut ledger = std::fs::read_to_string(src.join("ledger.csv")).expect("ledger");
    ledger.push_str("hikvision-group,2024,petrole,1,t,CN,typo,\n");
    std::fs::write(dir.path().join("ledger.csv"), ledger).expect("write");
    let r = crate::util::ghg_in(dir.path(), &["compute", "inventory.toml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.starts_with("error: ledger.csv:8:22: unknown activity 'petrole'"), "{}", r.stderr);
    let r = crate::util::ghg_in(dir.path(), &["compute", "inventory.toml", "--lenient"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("rows: 7 read, 6 used, 1 rejected"), "{}", r.stdout);
    assert!(r.stdout.contains("ledger.csv:8:22: unknown activity 'petrole'"), "{}", r.stdout);
    // The valid rows give exactly the figures of the untouched example.
    assert!(r.stdout.contains("energy.indirect              44,563.05  tce"), "{}", r.stdout);
}

/// The sweep files committed beside the seed example (shown in both READMEs) are what `ghg` writes today.
#[test]
fn the_example_sweep_files_are_current() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (csv, svg) = (dir.path().join("sweep.csv"), dir.path().join("sweep.svg"));
    let r = ghg(&[
        "scenario",
        "examples/hikvision-2024/inventory.toml",
        "examples/hikvision-2024/scenarios/sweep-certificates.toml",
        "--csv",
        csv.to_str().expect("utf-8 path"),
        "--svg",
        svg.to_str().expect("utf-8 path"),
        "-q",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let scenarios = root().join("examples/hikvision-2024/scenarios");
    for (made, committed) in [(csv, "sweep-certificates.csv"), (svg, "sweep-certificates.svg")] {
        let made = std::fs::read_to_string(made).expect("written");
        let committed = std::fs::read_to_string(scenarios.join(committed)).expect("committed");
        assert!(made == committed, "examples/hikvision-2024/scenarios/{committed} is out of date: run the sweep again");
    }
}
