//! The error catalogue: one broken input per error kind, each with its exact message and exit code.
//!
//! Each folder under tests/errors/ holds the inputs, `args` (the command line, run inside the folder) and
//! `expected` (the exact stderr). `GOLDEN=overwrite` rewrites `expected`. The exit code must be 2 unless the
//! folder has an `exit` file.

use crate::util::{ghg_in, root};

#[test]
fn every_catalogued_error_has_its_exact_message_and_exit_code() {
    let dir = root().join("tests/errors");
    let mut cases: Vec<_> =
        std::fs::read_dir(&dir).expect("tests/errors").filter_map(|e| e.ok()).map(|e| e.path()).collect();
    cases.sort();
    assert!(cases.len() >= 25, "the catalogue has {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().and_then(|n| n.to_str()).unwrap_or("?").to_string();
        let args = std::fs::read_to_string(case.join("args")).unwrap_or_else(|_| panic!("{name}: missing args"));
        let args: Vec<&str> = args.split_whitespace().collect();
        let r = ghg_in(case, &args);
        let want_code: i32 =
            std::fs::read_to_string(case.join("exit")).ok().and_then(|s| s.trim().parse().ok()).unwrap_or(2);
        if std::env::var("GOLDEN").as_deref() == Ok("overwrite") {
            std::fs::write(case.join("expected"), &r.stderr).expect("write expected");
        }
        let expected = std::fs::read_to_string(case.join("expected")).unwrap_or_default();
        if r.code != want_code {
            failures.push(format!("{name}: exit code {} (want {want_code}); stderr:\n{}", r.code, r.stderr));
        } else if r.stderr != expected {
            failures.push(format!("{name}: stderr differs\n  expected: {expected}\n  actual:   {}", r.stderr));
        } else if !r.stderr.starts_with("error: ") {
            failures.push(format!("{name}: message does not start with 'error: ': {}", r.stderr));
        }
        if r.stderr.contains("panicked") {
            failures.push(format!("{name}: panicked"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
