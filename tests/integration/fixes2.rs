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
    for format in ["table", "markdown"] {
        let r = ghg_in(dir.path(), &["compute", "inventory.toml", "--format", format]);
        assert_eq!(r.code, 2, "{format}: {}", r.stdout);
        assert_eq!(r.stdout, "", "{format}: nothing is printed before the error");
        assert!(r.stderr.starts_with("error: reported.toml:107:"), "{format}: {}", r.stderr);
        assert!(!r.stderr.contains("not compared"), "{}", r.stderr);
    }
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
