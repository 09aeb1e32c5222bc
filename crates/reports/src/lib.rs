//! Spreadsheets and documents: any list as .xlsx, written reports as .docx, the hazard ledger as an .xlsx in the columns bureaus already use (Chinese
//! headers, dates as dates, a frozen and filtered header row), and hazard sheets read back in,
//! every cell checked. No database, no HTTP: rows in, bytes out, and back.

pub mod cell;
pub mod chart;
pub mod docx;
pub mod ledger_sheet;
pub mod qr;
pub mod sheet_head;
pub mod table;
pub mod word_chart;

/// The columns of a hazard ledger, in the order bureaus use, as catalogue keys: the sheet is
/// written in Chinese, the words live in the catalogue ([`ledger_columns`]).
pub const LEDGER_COLUMNS: [&str; 18] = [
    "sheet.ledger.no",
    // The hazard's number: a sheet exported and imported again is recognised row by row.
    "sheet.ledger.number",
    "sheet.ledger.org",
    "sheet.ledger.county",
    "sheet.ledger.industry",
    "sheet.ledger.description",
    "sheet.ledger.location",
    "sheet.ledger.grade",
    "sheet.ledger.source",
    "sheet.ledger.discovered_at",
    "sheet.ledger.measures",
    "sheet.ledger.funds",
    "sheet.ledger.owner",
    "sheet.ledger.deadline",
    "sheet.ledger.state",
    "sheet.ledger.verified_by",
    "sheet.ledger.closed_at",
    "sheet.ledger.papers",
];

/// The ledger's column headers as the sheet shows them (Chinese, for the bureau).
pub fn ledger_columns() -> [&'static str; 18] {
    LEDGER_COLUMNS.map(|k| anjian_i18n::Lang::Zh.t(k))
}
