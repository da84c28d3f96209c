//! The error catalogue: one broken input per error kind, each with its exact message and exit code.
//!
//! Each folder under tests/errors/ holds the inputs, `args` (the command line, run inside the folder) and
//! `expected` (the exact stderr). `GOLDEN=overwrite` rewrites `expected`. The exit code must be 2 unless the
//! folder has an `exit` file.
//!
//! Every folder is its own test, `errors::case_<folder>` (`07-non-numeric-quantity` -> `case_07_non_numeric_quantity`),
//! written by build.rs, so a failure names its case and `cargo test case_07` runs one. A new folder becomes a test
//! at the next build.

use crate::util::{ghg_in, root};

// `CASES` and one `#[test] fn case_...() { run_case("...") }` per folder.
include!(concat!(env!("OUT_DIR"), "/error_cases.rs"));

/// Run the case in folder `name`: exact stderr, exit code, no panic.
fn run_case(name: &str) {
    let case = root().join("tests/errors").join(name);
    let args = std::fs::read_to_string(case.join("args")).unwrap_or_else(|_| panic!("{name}: missing args"));
    let args: Vec<&str> = args.split_whitespace().collect();
    let r = ghg_in(&case, &args);
    let want_code: i32 =
        std::fs::read_to_string(case.join("exit")).ok().and_then(|s| s.trim().parse().ok()).unwrap_or(2);
    if std::env::var("GOLDEN").as_deref() == Ok("overwrite") {
        std::fs::write(case.join("expected"), &r.stderr).expect("write expected");
    }
    let expected = std::fs::read_to_string(case.join("expected")).unwrap_or_default();
    assert!(!r.stderr.contains("panicked"), "{name}: panicked:\n{}", r.stderr);
    assert_eq!(r.code, want_code, "{name}: exit code {} (want {want_code}); stderr:\n{}", r.code, r.stderr);
    assert_eq!(r.stderr, expected, "{name}: stderr differs from {name}/expected");
    assert!(r.stderr.starts_with("error: "), "{name}: message does not start with 'error: ': {}", r.stderr);
}

/// The generated tests cover the catalogue as it is on disk: every folder has its test, and none is lost.
#[test]
fn every_catalogue_folder_is_a_test() {
    let dir = root().join("tests/errors");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .expect("tests/errors")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .collect();
    on_disk.sort();
    assert_eq!(CASES, on_disk.as_slice(), "build.rs lists the folders of tests/errors (rebuild to pick up new ones)");
    assert!(CASES.len() >= 25, "the catalogue has {} cases", CASES.len());
}
