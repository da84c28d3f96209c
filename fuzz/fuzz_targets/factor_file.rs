//! Any text as a factor file: loading reports problems, never panics; a loaded set's factors evaluate.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match ghg::factor::parse_set(Path::new("factors/fuzz/set-2022.toml"), text, false) {
        Ok(set) => {
            for f in &set.factors {
                let _ = f.rate();
                let _ = f.rate_unit().symbol();
                let _ = f.describe();
                let _ = f.combustion_product();
            }
            let mut lib = ghg::FactorLibrary::empty();
            let _ = lib.add_set(set);
        }
        Err(d) => {
            for e in &d.0 {
                let _ = e.to_string();
            }
        }
    }
});
