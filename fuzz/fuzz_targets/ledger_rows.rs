//! Any bytes as a ledger CSV: reading never panics, and every row is either a record or an error with a line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(mut r) = ghg::LedgerReader::new(Path::new("fuzz.csv"), data) else { return };
    let mut n = 0u64;
    while let Some(row) = r.next_record() {
        n += 1;
        match row {
            Ok(rec) => {
                let _ = rec.period.to_string();
                assert!(!rec.quantity.value.is_sign_negative() || rec.quantity.value.is_zero());
            }
            Err(e) => {
                assert!(e.location.is_some(), "a row error without a location: {e}");
                let _ = e.to_string();
            }
        }
    }
    assert_eq!(n, r.rows_read);
});
