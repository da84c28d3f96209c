//! Any bytes as a spreadsheet ledger (.xlsx, .ods, .xls, .xlsb by the first byte): every row is a record or a
//! located error, never a panic, and no input takes more memory than the reader's stated limits.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&which, bytes)) = data.split_first() else { return };
    let name = match which % 4 {
        0 => "ledger.xlsx",
        1 => "ledger.ods",
        2 => "ledger.xls",
        _ => "ledger.xlsb",
    };
    let Ok(mut ledger) = ghg::sheet::SheetLedger::from_bytes(Path::new(name), bytes.to_vec(), None) else { return };
    while let Some(r) = ledger.next_record() {
        if let Err(e) = r {
            let _ = e.to_string();
        }
    }
});
