//! Any list as an .xlsx: a sheet with a bold, frozen, filtered header row, dates as dates, and
//! every text cell defused against formula injection. Pages export what they show through this.

use crate::cell::escape;
use crate::ledger_sheet::Cell;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// Writes one sheet. `widths` are column widths in characters (missing ones default to 14).
pub fn write(sheet: &str, headers: &[&str], widths: &[f64], rows: &[Vec<Cell>]) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let name: String = sheet.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
    ws.set_name(if name.is_empty() { "Sheet1" } else { &name })?;
    let header = Format::new().set_bold().set_background_color("D9E1F2");
    let date = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &header)?;
        ws.set_column_width(c as u16, widths.get(c).copied().unwrap_or(14.0))?;
    }
    for (i, row) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Empty => {}
                Cell::Text(s) => {
                    ws.write_string(r, c, escape(s))?;
                }
                Cell::Number(n) => {
                    ws.write_number(r, c, *n)?;
                }
                Cell::DateTime(d) => {
                    ws.write_datetime_with_format(r, c, *d, &date)?;
                }
            }
        }
    }
    ws.set_freeze_panes(1, 0)?;
    if !headers.is_empty() {
        ws.autofilter(0, 0, rows.len() as u32, headers.len() as u16 - 1)?;
    }
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};
    use std::io::Cursor;

    #[test]
    fn rows_read_back_with_dates_and_defused_formulas() {
        let when = chrono::NaiveDateTime::parse_from_str("2022-08-15 10:00", "%Y-%m-%d %H:%M").unwrap();
        let rows = vec![vec![Cell::Text("=1+1".into()), Cell::Number(3.0), Cell::DateTime(when)]];
        let bytes = write("逾期", &["名称", "数量", "时间"], &[20.0], &rows).unwrap();
        let mut x: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        let r = x.worksheet_range("逾期").unwrap();
        assert_eq!(r.get((0, 0)), Some(&Data::String("名称".into())));
        assert_eq!(r.get((1, 0)), Some(&Data::String("'=1+1".into())));
        assert_eq!(r.get((1, 1)), Some(&Data::Float(3.0)));
        assert!(matches!(r.get((1, 2)), Some(Data::DateTime(_))));
    }
}
