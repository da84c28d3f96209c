//! Any bytes as a spreadsheet ledger (.xlsx, .ods, .xls, .xlsb by the first byte): every row is a record or a
//! located error, never a panic, and no input takes more memory than the reader's stated limits.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The workbook reader (calamine) panics on some damaged files; the library catches that and reports the file
    // (an error, as a user sees it). libFuzzer's hook would abort on the caught panic, so it is replaced by a silent
    // one: a panic that escapes the library still aborts, through libfuzzer-sys's own check.
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| std::panic::set_hook(Box::new(|_| {})));
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
