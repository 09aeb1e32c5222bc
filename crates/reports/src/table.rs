//! Any list as an .xlsx, ready to file: the title and particulars above (see
//! [`crate::sheet_head`]), a bold, frozen, filtered header row, dates as dates, figures as
//! numbers and shares as percentages, every text cell defused against formula injection, and
//! the print set-up of a filed sheet. Pages export what they show through this.

use crate::cell::escape;
use crate::ledger_sheet::Cell;
use crate::sheet_head::{SheetHead, HEAD_ROWS};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// Writes one sheet. `widths` are column widths in characters (missing ones default to 14); the
/// head's title defaults to the sheet's name.
pub fn write(
    head: &SheetHead,
    sheet: &str,
    headers: &[&str],
    widths: &[f64],
    rows: &[Vec<Cell>],
) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let name: String = sheet.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
    ws.set_name(if name.is_empty() { "Sheet1" } else { &name })?;
    let mut head = head.clone();
    if head.title.is_empty() {
        head.title = sheet.to_owned();
    }
    crate::sheet_head::write(ws, &head, headers.len() as u16)?;
    let top = HEAD_ROWS;
    let header = Format::new().set_bold().set_background_color("D9E1F2").set_text_wrap();
    let date = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    let percent = Format::new().set_num_format("0.0%");
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(top, c as u16, *h, &header)?;
        ws.set_column_width(c as u16, widths.get(c).copied().unwrap_or(14.0))?;
    }
    for (i, row) in rows.iter().enumerate() {
        let r = top + 1 + i as u32;
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
                Cell::Percent(p) => {
                    ws.write_number_with_format(r, c, *p, &percent)?;
                }
                Cell::DateTime(d) => {
                    ws.write_datetime_with_format(r, c, *d, &date)?;
                }
            }
        }
    }
    ws.set_freeze_panes(top + 1, 0)?;
    if !headers.is_empty() {
        ws.autofilter(top, 0, top + rows.len() as u32, headers.len() as u16 - 1)?;
    }
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};
    use std::io::{Cursor, Read};

    #[test]
    fn rows_read_back_under_the_title_with_dates_numbers_and_defused_formulas() {
        let when = chrono::NaiveDateTime::parse_from_str("2022-08-15 10:00", "%Y-%m-%d %H:%M").unwrap();
        let rows = vec![vec![Cell::Text("=1+1".into()), Cell::Number(3.0), Cell::DateTime(when), Cell::Percent(0.75)]];
        let head = SheetHead {
            issuer: "晋城市工业和信息化局".into(), date: "2022-08-31".into(), ..Default::default()
        };
        let bytes = write(&head, "逾期", &["名称", "数量", "时间", "完成率"], &[20.0], &rows).unwrap();
        let mut x: Xlsx<_> = Xlsx::new(Cursor::new(bytes.clone())).unwrap();
        let r = x.worksheet_range("逾期").unwrap();
        assert_eq!(r.get((0, 0)), Some(&Data::String("逾期".into())), "the title row");
        assert!(r.get((1, 0)).unwrap().to_string().contains("填报单位：晋城市工业和信息化局"));
        assert_eq!(r.get((2, 0)), Some(&Data::String("名称".into())), "then the header");
        assert_eq!(r.get((3, 0)), Some(&Data::String("'=1+1".into())));
        assert_eq!(r.get((3, 1)), Some(&Data::Float(3.0)));
        assert!(matches!(r.get((3, 2)), Some(Data::DateTime(_))));
        assert_eq!(r.get((3, 3)), Some(&Data::Float(0.75)), "a rate is a number, shown as a percentage");
        // Printed landscape on A4, one page wide, the header on every page, numbered pages.
        let mut z = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        z.by_name("xl/worksheets/sheet1.xml").unwrap().read_to_string(&mut xml).unwrap();
        assert!(xml.contains(r#"orientation="landscape""#) && xml.contains(r#"paperSize="9""#), "{xml}");
        assert!(xml.contains(r#"fitToHeight="0""#) && xml.contains("&amp;P"), "{xml}");
        let mut book = String::new();
        z.by_name("xl/workbook.xml").unwrap().read_to_string(&mut book).unwrap();
        assert!(book.contains("_xlnm.Print_Titles"), "the header repeats on every page");
    }
}
