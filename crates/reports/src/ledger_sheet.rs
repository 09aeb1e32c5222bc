//! Writing a hazard ledger and reading one back.

use crate::cell::escape;
use crate::sheet_head::{SheetHead, HEAD_ROWS};
use crate::{ledger_columns, LEDGER_COLUMNS};
use anjian_i18n::Lang;
use calamine::{DataRef, DataType, Reader, Xlsx};
use chrono::NaiveDateTime;
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use std::collections::BTreeMap;
use std::io::{Cursor, Read};

/// One row as shown: labels already in the reader's language, times in local time.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LedgerRow {
    pub description: String,
    pub location: String,
    pub grade: String,
    pub source: String,
    pub discovered_at: NaiveDateTime,
    pub measures: String,
    pub funds_yuan: f64,
    pub owner: String,
    pub deadline: Option<NaiveDateTime>,
    pub state: String,
    pub verified_by: String,
    pub closed_at: Option<NaiveDateTime>,
    /// The hazard's number (编号); empty for a row that is not a stored hazard yet.
    pub number: String,
    /// Whose hazard: the enterprise, its county and industry.
    pub org: String,
    pub county: String,
    pub industry: String,
    /// The numbers of the papers served about it (执法文书).
    pub papers: String,
}

/// An .xlsx of the rows under the title, particulars and the bureau's headers.
pub fn write(head: &SheetHead, rows: &[LedgerRow]) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    // Sheet names cannot hold these characters and are at most 31 long.
    let name: String = head.title.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
    ws.set_name(if name.is_empty() { Lang::Zh.t("sheet.ledger.title") } else { &name })?;
    let mut head = head.clone();
    if head.title.is_empty() {
        head.title = Lang::Zh.t("sheet.ledger.title").to_owned();
    }
    crate::sheet_head::write(ws, &head, LEDGER_COLUMNS.len() as u16)?;
    let top = HEAD_ROWS;
    let header =
        Format::new().set_bold().set_background_color("D9E1F2").set_border(rust_xlsxwriter::FormatBorder::Thin);
    let date = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    let money = Format::new().set_num_format("#,##0.00");
    let wrap = Format::new().set_text_wrap();
    for (c, h) in ledger_columns().iter().enumerate() {
        ws.write_string_with_format(top, c as u16, *h, &header)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = top + 1 + i as u32;
        ws.write_number(row, 0, (i + 1) as f64)?;
        ws.write_string(row, 1, escape(&r.number))?;
        ws.write_string(row, 2, escape(&r.org))?;
        ws.write_string(row, 3, escape(&r.county))?;
        ws.write_string(row, 4, escape(&r.industry))?;
        ws.write_string_with_format(row, 5, escape(&r.description), &wrap)?;
        ws.write_string(row, 6, escape(&r.location))?;
        ws.write_string(row, 7, escape(&r.grade))?;
        ws.write_string(row, 8, escape(&r.source))?;
        ws.write_datetime_with_format(row, 9, r.discovered_at, &date)?;
        ws.write_string_with_format(row, 10, escape(&r.measures), &wrap)?;
        ws.write_number_with_format(row, 11, r.funds_yuan, &money)?;
        ws.write_string(row, 12, escape(&r.owner))?;
        if let Some(d) = r.deadline {
            ws.write_datetime_with_format(row, 13, d, &date)?;
        }
        ws.write_string(row, 14, escape(&r.state))?;
        ws.write_string(row, 15, escape(&r.verified_by))?;
        if let Some(d) = r.closed_at {
            ws.write_datetime_with_format(row, 16, d, &date)?;
        }
        ws.write_string(row, 17, escape(&r.papers))?;
    }
    let widths =
        [6.0, 20.0, 26.0, 10.0, 10.0, 36.0, 14.0, 10.0, 12.0, 17.0, 30.0, 11.0, 10.0, 17.0, 10.0, 10.0, 17.0, 26.0];
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    ws.set_freeze_panes(top + 1, 0)?;
    ws.autofilter(top, 0, top + rows.len() as u32, LEDGER_COLUMNS.len() as u16 - 1)?;
    wb.save_to_buffer()
}

/// Why a workbook could not be read at all.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SheetError {
    #[error("not an .xlsx workbook")]
    NotXlsx,
    /// Refused before reading: it would unpack to more than the limit (a zip bomb, or simply too big).
    #[error("the workbook unpacks to more than {0} bytes")]
    TooLarge(u64),
    #[error("the workbook has more than {0} rows")]
    TooManyRows(usize),
    /// A filled cell beyond the last column an import reads (a sheet that claims the whole grid).
    #[error("the workbook has a filled cell beyond column {0}")]
    TooWide(u32),
    #[error("the workbook has no sheet")]
    NoSheet,
}

/// What a cell held, as far as an import cares.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    DateTime(NaiveDateTime),
    /// A share (0.75), shown as a percentage (75.0%): still a number to sum and sort.
    Percent(f64),
}

impl Cell {
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.trim().to_owned(),
            Cell::Number(n) => n.to_string(),
            Cell::DateTime(d) => d.format("%Y-%m-%d %H:%M").to_string(),
            Cell::Percent(p) => format!("{:.1}%", p * 100.0),
        }
    }

    fn of(c: &DataRef<'_>) -> Cell {
        match c {
            DataRef::Empty => Cell::Empty,
            DataRef::String(s) if s.trim().is_empty() => Cell::Empty,
            DataRef::SharedString(s) if s.trim().is_empty() => Cell::Empty,
            DataRef::String(s) => Cell::Text(s.clone()),
            DataRef::SharedString(s) => Cell::Text((*s).to_owned()),
            DataRef::Float(f) => Cell::Number(*f),
            DataRef::Int(n) => Cell::Number(*n as f64),
            DataRef::DateTime(_) | DataRef::DateTimeIso(_) => {
                c.as_datetime().map_or_else(|| Cell::Text(c.as_string().unwrap_or_default()), Cell::DateTime)
            }
            DataRef::DurationIso(s) => Cell::Text(s.clone()),
            DataRef::Bool(b) => Cell::Text(b.to_string()),
            DataRef::Error(e) => Cell::Text(e.to_string()),
        }
    }
}

/// Rows of the first sheet under a header row, each cell keyed by its header. Row numbers are
/// those Excel shows (the header is row 1).
pub type SheetRows = Vec<(usize, Vec<(String, Cell)>)>;

/// The unpacked size above which a workbook is refused.
pub const MAX_UNPACKED: u64 = 64 * 1024 * 1024;
pub const MAX_ROWS: usize = 20_000;
/// The widest sheet an import reads: every import has fewer than twenty columns; the rest of the
/// grid (up to XFD, column 16,384) is refused rather than allocated.
pub const MAX_COLUMNS: u32 = 64;

/// Reads the first sheet; refuses oversized or bomb-like archives before decompressing them.
///
/// Cells are read one at a time as the sheet's XML declares them and kept only when filled, so
/// what a workbook costs is bounded by what it holds, never by the dimension it claims: two
/// cells at A1 and XFD1048576 are refused as too wide after reading two cells, instead of
/// allocating a grid of 17 billion.
pub fn read(bytes: &[u8]) -> Result<SheetRows, SheetError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| SheetError::NotXlsx)?;
    let mut total = 0u64;
    for i in 0..archive.len() {
        let f = archive.by_index(i).map_err(|_| SheetError::NotXlsx)?;
        total = total.saturating_add(f.size());
    }
    if total > MAX_UNPACKED {
        return Err(SheetError::TooLarge(MAX_UNPACKED));
    }
    // The sizes above are what the archive claims; read every entry through a limit as well, so
    // a lying header cannot make it unpack more.
    for i in 0..archive.len() {
        let f = archive.by_index(i).map_err(|_| SheetError::NotXlsx)?;
        let n = std::io::copy(&mut f.take(MAX_UNPACKED + 1), &mut std::io::sink()).map_err(|_| SheetError::NotXlsx)?;
        if n > MAX_UNPACKED {
            return Err(SheetError::TooLarge(MAX_UNPACKED));
        }
    }
    let mut wb: Xlsx<_> = Reader::new(Cursor::new(bytes)).map_err(|_| SheetError::NotXlsx)?;
    let first = wb.sheet_names().first().cloned().ok_or(SheetError::NoSheet)?;
    let mut reader = wb.worksheet_cells_reader(&first).map_err(|_| SheetError::NotXlsx)?;
    // Filled cells by row, then column. The first filled row is the header; no row may lie more
    // than MAX_ROWS below it, which bounds the rows kept even when the XML is out of order.
    let mut filled: BTreeMap<u32, BTreeMap<u32, Cell>> = BTreeMap::new();
    while let Some(c) = reader.next_cell().map_err(|_| SheetError::NotXlsx)? {
        let cell = Cell::of(c.get_value());
        if cell == Cell::Empty {
            continue;
        }
        let (row, col) = c.get_position();
        if col >= MAX_COLUMNS {
            return Err(SheetError::TooWide(MAX_COLUMNS));
        }
        filled.entry(row).or_default().insert(col, cell);
        let (top, bottom) = (filled.keys().next(), filled.keys().next_back());
        if let (Some(top), Some(bottom)) = (top, bottom) {
            if (bottom - top) as usize > MAX_ROWS {
                return Err(SheetError::TooManyRows(MAX_ROWS));
            }
        }
    }
    let (Some(first_col), Some(last_col)) = (
        filled.values().filter_map(|r| r.keys().next()).min().copied(),
        filled.values().filter_map(|r| r.keys().next_back()).max().copied(),
    ) else {
        return Ok(Vec::new());
    };
    // The header is the first row of several filled cells: a filed sheet has its title and
    // particulars above it, each one merged cell.
    let header_row = filled.iter().find(|(_, cells)| cells.len() > 1).or(filled.iter().next()).map(|(r, _)| *r);
    let mut rows = filled.into_iter().skip_while(|(r, _)| Some(*r) != header_row);
    let Some((_, mut header_cells)) = rows.next() else {
        return Ok(Vec::new());
    };
    let header: Vec<String> =
        (first_col..=last_col).map(|c| header_cells.remove(&c).map(|h| h.text()).unwrap_or_default()).collect();
    Ok(rows
        .map(|(row, mut cells)| {
            let cells = (first_col..=last_col)
                .zip(&header)
                .map(|(c, h)| (h.clone(), cells.remove(&c).unwrap_or(Cell::Empty)))
                .collect();
            (row as usize + 1, cells)
        })
        .collect())
}

/// A checklist as an .xlsx: 检查项目, 检查要求, 依据, 分值.
pub fn write_checklist(name: &str, items: &[(String, String, String, Option<f64>)]) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let title: String = name.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
    ws.set_name(if title.is_empty() { Lang::Zh.t("sheet.checklist.title") } else { &title })?;
    let header = Format::new().set_bold().set_background_color("D9E1F2");
    let wrap = Format::new().set_text_wrap();
    let columns =
        ["sheet.checklist.item", "sheet.checklist.requirement", "sheet.checklist.basis", "sheet.checklist.score"];
    for (c, key) in columns.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, Lang::Zh.t(key), &header)?;
    }
    for (i, (item, req, reference, score)) in items.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string_with_format(r, 0, escape(item), &wrap)?;
        ws.write_string_with_format(r, 1, escape(req), &wrap)?;
        ws.write_string(r, 2, escape(reference))?;
        if let Some(s) = score {
            ws.write_number(r, 3, *s)?;
        }
    }
    for (c, w) in [30.0, 40.0, 24.0, 8.0].iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    ws.set_freeze_panes(1, 0)?;
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(desc: &str) -> LedgerRow {
        LedgerRow {
            description: desc.into(),
            location: "配电室".into(),
            grade: "一般隐患".into(),
            source: "企业自查".into(),
            discovered_at: NaiveDateTime::parse_from_str("2022-08-15 10:00", "%Y-%m-%d %H:%M").unwrap(),
            measures: "紧固接地线".into(),
            funds_yuan: 360.5,
            owner: "刘工".into(),
            deadline: NaiveDateTime::parse_from_str("2022-08-20 23:59", "%Y-%m-%d %H:%M").ok(),
            state: "整改中".into(),
            verified_by: String::new(),
            number: "H-1".into(),
            closed_at: None,
            org: "泽州县金鼎铸造有限公司".into(),
            county: "泽州县".into(),
            industry: "冶金".into(),
            papers: "泽县工信责改〔2026〕第1号".into(),
        }
    }

    #[test]
    fn a_written_ledger_reads_back_with_headers_dates_and_defused_formulas() {
        let head = SheetHead {
            title: "隐患台账".into(),
            issuer: "泽州县工业和信息化局".into(),
            scope: "泽州县".into(),
            period: "2022年8月".into(),
            date: "2022-08-31 10:00".into(),
        };
        let bytes = write(&head, &[row("配电柜未接地"), row("=1+1")]).unwrap();
        let rows = read(&bytes).unwrap();
        assert_eq!(rows.len(), 2);
        let (n, cells) = &rows[0];
        assert_eq!(*n, 4, "Excel's row number, under the title, particulars and header");
        let get = |k: &str| cells.iter().find(|(h, _)| h == k).unwrap().1.clone();
        assert_eq!(get("隐患描述"), Cell::Text("配电柜未接地".into()));
        assert_eq!(get("发现时间"), Cell::DateTime(row("").discovered_at), "dates are dates");
        assert_eq!(get("资金"), Cell::Number(360.5));
        assert_eq!(get("单位"), Cell::Text("泽州县金鼎铸造有限公司".into()), "whose hazard it is");
        assert_eq!(get("县区"), Cell::Text("泽州县".into()));
        assert_eq!(get("行业"), Cell::Text("冶金".into()));
        assert_eq!(get("编号"), Cell::Text("H-1".into()));
        assert_eq!(rows[1].1[5].1, Cell::Text("'=1+1".into()), "a formula is stored as text");
        let headers: Vec<&str> = cells.iter().map(|(h, _)| h.as_str()).collect();
        assert_eq!(headers, ledger_columns().to_vec());
        assert_eq!(headers[5], "隐患描述", "the bureau's own words");
        // The title and particulars above, as the bureau files it.
        use calamine::{Data, Reader};
        let mut x: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        let r = x.worksheet_range("隐患台账").unwrap();
        assert_eq!(r.get((0, 0)), Some(&Data::String("隐患台账".into())));
        let line = r.get((1, 0)).unwrap().to_string();
        assert!(line.contains("填报单位：泽州县工业和信息化局") && line.contains("期间：2022年8月"), "{line}");
        assert!(LEDGER_COLUMNS.iter().all(|k| anjian_i18n::has_key(k)), "every column is in the catalogue");
    }

    #[test]
    fn what_is_not_a_workbook_or_unpacks_too_far_is_refused() {
        assert_eq!(read(b"not a zip").unwrap_err(), SheetError::NotXlsx);
        // A zip whose one entry unpacks to far more than it weighs.
        let mut buf = Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut buf);
            z.start_file("xl/worksheets/sheet1.xml", zip::write::SimpleFileOptions::default()).unwrap();
            let chunk = vec![b' '; 1024 * 1024];
            for _ in 0..70 {
                std::io::Write::write_all(&mut z, &chunk).unwrap();
            }
            z.finish().unwrap();
        }
        let bomb = buf.into_inner();
        assert!(bomb.len() < 1024 * 1024, "small on the wire: {}", bomb.len());
        assert_eq!(read(&bomb).unwrap_err(), SheetError::TooLarge(MAX_UNPACKED));
    }

    /// A workbook with text in the given cells (row, column), nothing else.
    fn sparse(cells: &[(u32, u16)]) -> Vec<u8> {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        for (r, c) in cells {
            ws.write_string(*r, *c, "x").unwrap();
        }
        wb.save_to_buffer().unwrap()
    }

    #[test]
    fn a_far_cell_is_refused_without_allocating_the_grid() {
        // A1 and XFD1048576: 1.5 KB on disk, a 17-billion-cell grid if the dimension is believed.
        let tiny = sparse(&[(0, 0), (1_048_575, 16_383)]);
        assert!(tiny.len() < 8 * 1024);
        assert_eq!(read(&tiny), Err(SheetError::TooWide(MAX_COLUMNS)));
        // A1 and ZZ20000: a wide grid within the row limit.
        assert_eq!(read(&sparse(&[(0, 0), (19_999, 701)])), Err(SheetError::TooWide(MAX_COLUMNS)));
        // A1 and A30001: more rows than an import takes.
        assert_eq!(read(&sparse(&[(0, 0), (30_000, 0)])), Err(SheetError::TooManyRows(MAX_ROWS)));
    }

    #[test]
    fn a_sheet_at_the_limits_reads_with_the_rows_excel_shows() {
        // The header on row 3 in column B, the last column an import reads, the last row allowed.
        let last = MAX_COLUMNS as u16 - 1;
        let bytes = sparse(&[(2, 1), (2, last), (3, 1), (2 + MAX_ROWS as u32, last)]);
        let rows = read(&bytes).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].0, 4);
        assert_eq!(rows[1].0, 3 + MAX_ROWS);
        assert_eq!(rows[0].1.len(), last as usize);
        assert_eq!(rows[1].1.last().unwrap(), &("x".to_owned(), Cell::Text("x".into())));
        // One row further is refused.
        let bytes = sparse(&[(2, 1), (3 + MAX_ROWS as u32, 1)]);
        assert_eq!(read(&bytes), Err(SheetError::TooManyRows(MAX_ROWS)));
    }

    #[test]
    fn blank_but_formatted_cells_far_away_do_not_count() {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "项目").unwrap();
        ws.write_string(1, 0, "配电室").unwrap();
        ws.write_blank(1_048_575, 16_383, &Format::new().set_bold()).unwrap();
        let rows = read(&wb.save_to_buffer().unwrap()).unwrap();
        assert_eq!(rows, vec![(2, vec![("项目".to_owned(), Cell::Text("配电室".into()))])]);
    }
}
