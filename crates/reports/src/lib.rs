//! Spreadsheets and documents: any list as .xlsx, written reports as .docx, the hazard ledger as an .xlsx in the columns bureaus already use (Chinese
//! headers, dates as dates, a frozen and filtered header row), and hazard sheets read back in,
//! every cell checked. No database, no HTTP: rows in, bytes out, and back.

pub mod cell;
pub mod chart;
pub mod docx;
pub mod ledger_sheet;
pub mod qr;
pub mod table;

/// The columns of a hazard ledger, in the order bureaus use.
pub const LEDGER_COLUMNS: [&str; 13] = [
    "序号",
    "隐患描述",
    "部位",
    "等级",
    "来源",
    "发现时间",
    "整改措施",
    "资金",
    "责任人",
    "完成时限",
    "状态",
    "验收人",
    "销号时间",
];
