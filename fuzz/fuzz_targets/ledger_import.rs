//! An uploaded Excel workbook (the hazard-ledger import): any bytes are refused or read, never a
//! panic, and never more rows than the import allows.
#![no_main]

use anjian_reports::ledger_sheet::{read, MAX_ROWS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(rows) = read(data) {
        assert!(rows.len() <= MAX_ROWS);
    }
});
