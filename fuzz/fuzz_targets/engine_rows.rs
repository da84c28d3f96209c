//! Any bytes as a ledger, through the whole engine: never a panic, and the same result whether read on one thread,
//! split into many small parts on several threads, or row by row with every calculation line built.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use ghg::calc::{self, ComputeOptions, ReadOptions};
use libfuzzer_sys::fuzz_target;

/// The tests' inventory (tests/data/inventory.toml), with every region falling back to China's factors so that
/// more of the fuzzer's rows reach the calculation.
fn inventory() -> String {
    format!("{}[factors.region_fallback]\n\"*\" = \"CN\"\n", include_str!("../../tests/data/inventory.toml"))
}

fn dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("ghg-fuzz-engine-{}", std::process::id()));
        std::fs::create_dir_all(&d).expect("temp dir");
        std::fs::write(d.join("inventory.toml"), inventory()).expect("inventory");
        d
    })
}

fn setup() -> &'static (ghg::Inventory, ghg::FactorLibrary) {
    static S: OnceLock<(ghg::Inventory, ghg::FactorLibrary)> = OnceLock::new();
    S.get_or_init(|| {
        let inv = ghg::Inventory::load(&dir().join("inventory.toml")).expect("the inventory is valid");
        let lib = ghg::FactorLibrary::builtin().expect("the built-in library is valid");
        (inv, lib)
    })
}

fuzz_target!(|data: &[u8]| {
    let d = dir();
    std::fs::write(d.join("ledger.csv"), data).expect("write ledger");
    let (inv, lib) = setup();
    let lenient = ComputeOptions { strict: false, keep_lines: false };
    let one = ReadOptions { threads: 1, ..ReadOptions::default() };
    let many = ReadOptions { threads: 4, chunk_bytes: 16, ..ReadOptions::default() };
    let run = |options, read| calc::Calculation::new(inv, lib).options(options).read(read).run(&mut ());
    let a = run(lenient, one);
    let b = run(lenient, many);
    let c = run(ComputeOptions { strict: false, keep_lines: true }, one);
    match (&a, &b, &c) {
        (Ok(a), Ok(b), Ok(c)) => {
            assert_eq!(a, b, "one thread vs many parts");
            assert_eq!(a.figures, c.figures, "fast path vs lines");
            assert_eq!(a.by_entity, c.by_entity);
            assert_eq!(a.rejected, c.rejected);
            assert_eq!(a.provenance, c.provenance);
            // Every summed figure is the sum of its lines.
            for (id, f) in &c.figures {
                if f.lines > 0 && !id.starts_with("intensity.") {
                    let t = calc::trace(c, id, None).expect("the lines of a computed figure sum without overflow");
                    if let Some(t) = t {
                        assert_eq!(t.lines_sum, f.value, "{id}");
                    }
                }
            }
        }
        (Err(a), Err(b), Err(c)) => {
            assert_eq!(a, b);
            assert_eq!(a, c);
        }
        _ => panic!("one path failed and another did not: {a:?} / {b:?} / {c:?}"),
    }
});
