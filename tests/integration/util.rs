//! Helpers: run the built binary, compare with golden files (refresh with GOLDEN=overwrite).

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Output of one run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Run `ghg args...` in `dir`.
pub fn ghg_in(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_ghg")).args(args).current_dir(dir).output().expect("run ghg");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Run `ghg args...` at the repository root.
pub fn ghg(args: &[&str]) -> Run {
    ghg_in(&root(), args)
}

/// Compare `actual` with the golden file `name` under tests/golden; GOLDEN=overwrite rewrites it.
pub fn golden(name: &str, actual: &str) {
    let path = root().join("tests/golden").join(name);
    if std::env::var("GOLDEN").as_deref() == Ok("overwrite") {
        std::fs::write(&path, actual).expect("write golden");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing golden file {}; run with GOLDEN=overwrite to create it", path.display()));
    if expected != actual {
        let mut diff = String::new();
        for (i, (e, a)) in expected.lines().zip(actual.lines()).enumerate() {
            if e != a {
                diff.push_str(&format!("line {}:\n  expected: {e}\n  actual:   {a}\n", i + 1));
            }
        }
        let (ne, na) = (expected.lines().count(), actual.lines().count());
        if ne != na {
            diff.push_str(&format!("expected {ne} lines, got {na}\n"));
        }
        panic!("{name} differs from its golden file (GOLDEN=overwrite to accept):\n{diff}");
    }
}

/// An inventory over the built-in library, for tests that write their own ledger.csv beside it (the `engine_rows`
/// fuzz target reads the same file).
pub const INVENTORY: &str = include_str!("../data/inventory.toml");
