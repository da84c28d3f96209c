//! Regressions: an overflow is a located error (never 0 or a clamped value), and a factor folder entry that cannot
//! be read is an error at that entry, never a factor file left unloaded without a word.

use std::path::Path;

use crate::util::{ghg_in, root};

/// A user factor file `dir/fuel-<edition>.toml` with one combustion factor (NCV in GJ/t, CC in tC/TJ).
fn fuel_set(dir: &Path, edition: &str, ncv: &str, cc: &str) {
    let text = format!(
        r#"[set]
id = "t-fuel"
edition = "{edition}"
title = "t"
publisher = "p"
published = "2024"
source = "s"
licence = "l"
confidence = "A"

[[factor]]
id = "gasoline.co2"
kind = "combustion"
activity = "gasoline"
region = "CN"
ncv = {{ value = "{ncv}", unit = "GJ/t" }}
carbon_content = {{ value = "{cc}", unit = "tC/TJ" }}
oxidation = {{ value = "1", unit = "1" }}
citation = "c"
confidence = "A"
valid_years = "any"
"#
    );
    std::fs::create_dir_all(dir).expect("mkdir");
    std::fs::write(dir.join(format!("fuel-{edition}.toml")), text).expect("write");
}

#[test]
fn a_combustion_factor_whose_value_overflows_is_refused_at_the_factor_not_shown_as_0() {
    let tmp = tempfile::tempdir().expect("tempdir");
    // Edition 1: 43.07 GJ/t x 0.0189 tC/GJ x 1 x 44/12 = 2.984751 tCO2/t. Edition 2: 9e15 GJ/t x 9e12 tC/GJ =
    // 8.1e28 tC/t before x 44 / 12: more than a decimal holds (about 7.9e28). `factors diff` used to print
    // "gasoline.co2: 2.984751 tCO2/t -> 0 tCO2/t (-100.00%)" and `factors search` an empty value.
    fuel_set(&tmp.path().join("f"), "1", "43.07", "18.9");
    fuel_set(&tmp.path().join("f"), "2", "9000000000000000", "9000000000000000");
    let expected = "f/fuel-2.toml:11:1: the value of [[factor]] #1 (NCV x CC x OF x 44/12) overflows 28 significant digits (check the units and magnitudes of ncv and carbon_content)";
    for args in [
        &["factors", "diff", "--factors", "f", "t-fuel@1", "t-fuel@2"][..],
        &["factors", "search", "--factors", "f", "gasoline"][..],
    ] {
        let r = ghg_in(tmp.path(), args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(expected), "{args:?}: {}", r.stderr);
        assert!(!r.stdout.contains("-> 0 "), "{args:?}: {}", r.stdout);
    }
    // The edition that fits still diffs against a fitting one, with its hand-checked value.
    fuel_set(&tmp.path().join("f"), "2", "43.07", "20");
    let r = ghg_in(tmp.path(), &["factors", "diff", "--factors", "f", "t-fuel@1", "t-fuel@2"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // 43.07 x 0.02 x 44 / 12 = 3.158466... ; (20 - 18.9) / 18.9 = +5.82 %
    assert!(r.stdout.contains("gasoline.co2: 2.98475"), "{}", r.stdout);
    assert!(r.stdout.contains("-> 3.15846"), "{}", r.stdout);
    assert!(r.stdout.contains("(+5.82%)"), "{}", r.stdout);
}

#[test]
fn a_tolerance_that_overflows_is_an_error_at_the_figure_not_an_allowance_of_0() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let src = root().join("tests/data/reconcile");
    let (basic, factors) = (tmp.path().join("basic"), tmp.path().join("factors/rtest"));
    std::fs::create_dir_all(&basic).expect("mkdir");
    std::fs::create_dir_all(&factors).expect("mkdir");
    for f in ["inventory.toml", "ledger.csv"] {
        std::fs::copy(src.join("basic").join(f), basic.join(f)).expect("copy");
    }
    for e in std::fs::read_dir(src.join("factors/rtest")).expect("fixture factors") {
        let p = e.expect("entry").path();
        std::fs::copy(&p, factors.join(p.file_name().expect("name"))).expect("copy");
    }
    // 1e27 x 509.97 = 5.0997e29: more than a decimal holds. It used to become 0, so scope1 was "outside ±0".
    std::fs::write(
        basic.join("reported.toml"),
        "[tolerance]\nrelative = \"1000000000000000000000000000\"\n\n[[figure]]\nid = \"scope1\"\nprinted = \"509.97 吨二氧化碳当量\"\n",
    )
    .expect("write");
    let r = ghg_in(tmp.path(), &["reconcile", "basic/inventory.toml"]);
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("basic/reported.toml:4:1: the tolerance of figure 'scope1' (relative 1000000000000000000000000000 x 509.97) overflows 28 significant digits"),
        "{}",
        r.stderr
    );
}

#[cfg(unix)]
#[test]
fn a_factor_folder_entry_that_cannot_be_read_is_an_error_at_the_entry() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let f = tmp.path().join("f");
    fuel_set(&f.join("sub"), "1", "43.07", "18.9");
    // A link to nothing: it might have been a folder of factor files, so it is not skipped.
    std::os::unix::fs::symlink("nowhere", f.join("sub/more")).expect("symlink");
    let r = ghg_in(tmp.path(), &["factors", "list", "--factors", "f"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("f/sub/more: cannot read: No such file or directory"), "{}", r.stderr);
    assert!(r.stderr.contains("fix this entry or remove it"), "{}", r.stderr);
    std::fs::remove_file(f.join("sub/more")).expect("rm");
    let r = ghg_in(tmp.path(), &["factors", "list", "--factors", "f"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("t-fuel@1"), "{}", r.stdout);
    // A subfolder that cannot be listed is an error at that subfolder, not at the folder named on the command
    // line. (Only where permissions bind: root lists any folder, and then there is nothing to refuse.)
    use std::os::unix::fs::PermissionsExt;
    let sub = f.join("sub");
    std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    if std::fs::read_dir(&sub).is_err() {
        let r = ghg_in(tmp.path(), &["factors", "list", "--factors", "f"]);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(r.stderr.contains("f/sub: cannot read: Permission denied"), "{}", r.stderr);
    }
    std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o755)).expect("chmod back");
}

#[test]
fn a_ledger_with_a_header_and_no_rows_is_warned_about_in_every_format() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("inventory.toml"), crate::util::INVENTORY).expect("inventory");
    std::fs::write(dir.path().join("ledger.csv"), "entity,period,activity,quantity,unit,region,note\n")
        .expect("ledger");
    let table = ghg_in(dir.path(), &["compute", "inventory.toml"]);
    assert_eq!(table.code, 0, "{}", table.stderr);
    assert!(table.stdout.contains("rows: 0 read, 0 used, 0 rejected"), "{}", table.stdout);
    assert!(
        table.stdout.contains(
            "[no-data-rows] ledger.csv: the ledger has a header and no data rows: it adds nothing to any figure"
        ),
        "{}",
        table.stdout
    );
    let json = ghg_in(dir.path(), &["compute", "inventory.toml", "--format", "json"]);
    assert!(json.stdout.contains("\"code\": \"no-data-rows\""), "{}", json.stdout);
    // CSV has no place for warnings: stderr says it.
    let csv = ghg_in(dir.path(), &["compute", "inventory.toml", "--format", "csv"]);
    assert!(csv.stderr.contains("no-data-rows"), "{}", csv.stderr);
}
