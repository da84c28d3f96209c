//! Embeds every factor file under factors/ into the binary, so `ghg` works from any folder; and writes one test
//! function per folder of the error catalogue (tests/errors/), so that a failing case is named by its test.
use std::fs;
use std::path::{Path, PathBuf};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        // factors/pending/ holds files for a newer loader: checked by `ghg factors verify`, not embedded.
        if p.is_dir() && p.file_name().is_some_and(|n| n == "pending") {
            continue;
        }
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|e| e == "toml") {
            out.push(p);
        }
    }
}

/// A Rust identifier for a catalogue folder: `07-non-numeric-quantity` -> `case_07_non_numeric_quantity`.
fn case_ident(name: &str) -> String {
    let body: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    format!("case_{body}")
}

/// `error_cases.rs`: `#[test] fn case_NN_name() { run_case("NN-name") }` for every folder under tests/errors, and
/// `CASES`, every folder's name. Any folder added later is picked up: the directory is watched.
fn error_cases(root: &Path) -> String {
    let dir = root.join("tests/errors");
    println!("cargo:rerun-if-changed=tests/errors");
    let mut names: Vec<String> = fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter(|e| e.path().is_dir())
                .filter_map(|e| e.file_name().to_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut code = String::from("/// Every folder of the error catalogue, sorted.\npub const CASES: &[&str] = &[\n");
    for n in &names {
        code.push_str(&format!("    {n:?},\n"));
    }
    code.push_str("];\n");
    let mut seen = std::collections::HashSet::new();
    for n in &names {
        let mut ident = case_ident(n);
        // Two folders that differ only in punctuation still get two tests.
        while !seen.insert(ident.clone()) {
            ident.push('_');
        }
        code.push_str(&format!("\n#[test]\nfn {ident}() {{\n    run_case({n:?});\n}}\n"));
    }
    code
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let factors = root.join("factors");
    println!("cargo:rerun-if-changed=factors");
    let mut files = Vec::new();
    walk(&factors, &mut files);
    let mut code = String::from(
        "/// Built-in factor files: (path relative to the repository, contents).\npub static BUILTIN: &[(&str, &str)] = &[\n",
    );
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let rel = f.strip_prefix(&root).expect("under the manifest dir").to_string_lossy().replace('\\', "/");
        code.push_str(&format!("    ({rel:?}, include_str!({:?})),\n", f.display().to_string()));
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("builtin_factors.rs");
    fs::write(out, code).expect("write builtin_factors.rs");
    let cases = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("error_cases.rs");
    fs::write(cases, error_cases(&root)).expect("write error_cases.rs");
}
