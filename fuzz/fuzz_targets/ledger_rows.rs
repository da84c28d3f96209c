//! Any bytes as a ledger CSV, read through `ghg::ledger`: reading never panics, every row is either a record or an
//! error with a location, and a problem of the whole file ends the ledger.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let input = std::io::Cursor::new(data.to_vec());
    let Ok(mut r) = ghg::ledger::read_csv(Path::new("fuzz.csv"), input, &Default::default()) else { return };
    while let Some(row) = r.next_record() {
        match row {
            Ok(rec) => {
                let _ = rec.period.to_string();
                assert!(!rec.quantity.value.is_sign_negative() || rec.quantity.value.is_zero());
            }
            Err(e) => {
                assert!(e.location.is_some(), "a row error without a location: {e}");
                let _ = e.to_string();
                if r.stopped() {
                    assert!(r.next_record().is_none(), "a ledger goes on after a problem of the whole file");
                    break;
                }
            }
        }
    }
});
