//! The top of a sheet a bureau files: a title row and a line of particulars (填报单位, scope,
//! period, date) above the header, and the print set-up a filed sheet needs — landscape A4,
//! one page wide, the header repeated on every page, 第 X 页 共 Y 页 in the footer.

use anjian_i18n::Lang;
use rust_xlsxwriter::{Format, FormatAlign, Worksheet, XlsxError};

/// What a sheet is and whose: shown above its header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SheetHead {
    /// What the sheet lists (隐患台账); a writer uses its sheet's name when empty.
    pub title: String,
    /// 填报单位: who files it.
    pub issuer: String,
    /// The area it covers (a county, or an enterprise).
    pub scope: String,
    /// The period it covers (2026年12月); empty for a list as it stands.
    pub period: String,
    /// When it was exported (2026-12-07 10:30).
    pub date: String,
}

impl SheetHead {
    pub fn titled(title: &str) -> SheetHead {
        SheetHead { title: title.to_owned(), ..Default::default() }
    }

    /// The particulars line: the parts that are known, in the bureau's order.
    pub fn particulars(&self) -> String {
        let zh = Lang::Zh;
        [
            ("sheet.head.issuer", &self.issuer),
            ("sheet.head.scope", &self.scope),
            ("sheet.head.period", &self.period),
            ("sheet.head.date", &self.date),
        ]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{}：{v}", zh.t(k)))
        .collect::<Vec<_>>()
        .join("　　")
    }
}

/// The rows above the header.
pub const HEAD_ROWS: u32 = 2;

fn across(ws: &mut Worksheet, row: u32, columns: u16, text: &str, f: &Format) -> Result<(), XlsxError> {
    if columns > 1 {
        ws.merge_range(row, 0, row, columns - 1, text, f)?;
    } else {
        ws.write_string_with_format(row, 0, text, f)?;
    }
    Ok(())
}

/// Writes the title and particulars across `columns` columns and sets the sheet up for
/// printing; the header goes in row [`HEAD_ROWS`].
pub fn write(ws: &mut Worksheet, head: &SheetHead, columns: u16) -> Result<(), XlsxError> {
    let title = Format::new().set_bold().set_font_size(16).set_align(FormatAlign::Center);
    let line = Format::new().set_font_size(10).set_align(FormatAlign::Left);
    across(ws, 0, columns.max(1), &crate::cell::escape(&head.title), &title)?;
    across(ws, 1, columns.max(1), &crate::cell::escape(&head.particulars()), &line)?;
    ws.set_row_height(0, 28)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(HEAD_ROWS, HEAD_ROWS)?;
    ws.set_footer("&C第 &P 页 共 &N 页");
    Ok(())
}
