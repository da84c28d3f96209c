//! Any text as an inventory file: parsing reports problems with locations, never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match ghg::Inventory::parse(Path::new("examples/fuzz/inventory.toml"), text) {
        Ok(inv) => {
            let _ = inv.denominator("revenue");
        }
        Err(d) => {
            for e in &d.0 {
                let _ = e.to_string();
            }
        }
    }
});
