//! Workbooks with cells anywhere on the grid (up to XFD1048576), as the import reads them: each
//! is refused or read, never costs more than the cells it holds, and never yields more rows or
//! columns than the import allows. The input says where the cells are; the workbook is built from
//! it, so every run is a valid .xlsx with far, sparse cells.
#![no_main]

use anjian_reports::ledger_sheet::{read, MAX_COLUMNS, MAX_ROWS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    // Seven bytes a cell: row (3 bytes, up to 1,048,575), column (2 bytes, up to 16,383), kind,
    // value. At most 64 cells, so that building the workbook stays cheap.
    for c in data.chunks_exact(7).take(64) {
        let row = u32::from_le_bytes([c[0], c[1], c[2], 0]) % 1_048_576;
        let col = u16::from_le_bytes([c[3], c[4]]) % 16_384;
        let _ = match c[5] % 3 {
            0 => ws.write_string(row, col, format!("v{}", c[6])).map(|_| ()),
            1 => ws.write_number(row, col, f64::from(c[6])).map(|_| ()),
            _ => ws.write_blank(row, col, &rust_xlsxwriter::Format::new().set_bold()).map(|_| ()),
        };
    }
    let Ok(bytes) = wb.save_to_buffer() else { return };
    if let Ok(rows) = read(&bytes) {
        assert!(rows.len() <= MAX_ROWS);
        assert!(rows.iter().all(|(_, cells)| cells.len() <= MAX_COLUMNS as usize));
    }
});
