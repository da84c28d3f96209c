//! Any text as a scenario file, run against the tests' scenario inventory: problems come back as located errors,
//! never a panic (overflowing quantities, prices, shares, sweeps and targets included).
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ghg::calc::ComputeOptions;
use ghg::scenario::{self, Scenario};
use libfuzzer_sys::fuzz_target;

fn setup() -> &'static (ghg::Inventory, ghg::FactorLibrary) {
    static S: OnceLock<(ghg::Inventory, ghg::FactorLibrary)> = OnceLock::new();
    S.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/data/scenario");
        let inv = ghg::Inventory::load(&dir.join("inventory.toml")).expect("the inventory is valid");
        let mut lib = ghg::FactorLibrary::builtin().expect("the built-in library is valid");
        lib.add_dir(&dir.join("factors")).expect("the test factors are valid");
        (inv, lib)
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // The command line's sweep and target syntax, on the same text.
    if let Ok(spec) = scenario::SweepSpec::parse(text) {
        let _ = spec.values();
    }
    let _ = scenario::TargetSpec::parse(text);
    let s = match Scenario::parse(Path::new("fuzz/scenario.toml"), text) {
        Ok(s) => s,
        Err(d) => {
            for e in &d.0 {
                let _ = e.to_string();
            }
            return;
        }
    };
    let (inv, lib) = setup();
    let options = ComputeOptions { strict: false, keep_lines: false };
    if let Some(spec) = &s.sweep {
        // A sweep runs the scenario at every point; a few points are enough to reach every path.
        if spec.values().len() <= 3 {
            let _ = scenario::sweep(inv, lib, &s, spec, options);
        }
        return;
    }
    if let Ok(r) = scenario::run(inv, lib, &s, options) {
        let _ = ghg::report::scenario_json(&r);
    }
});
