//! How the import's streaming reader compares with the grid reader it replaced, on a 20,000-row
//! ledger, in one process: time and peak memory, and how fast a workbook claiming the whole grid
//! is refused (the grid reader aborted the process on it).
//!
//!     cargo run --release -p anjian-reports --example sheet_read -- grid
//!     cargo run --release -p anjian-reports --example sheet_read -- stream

use anjian_reports::ledger_sheet::{read, write, LedgerRow};
use calamine::{Reader, Xlsx};
use std::io::Cursor;
use std::time::Instant;

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find(|l| l.starts_with("VmHWM"))
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap()
        .parse()
        .unwrap()
}

fn main() {
    let t = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    let rows: Vec<LedgerRow> = (0..20_000)
        .map(|i| LedgerRow {
            description: format!("储罐区静电接地断开 {i}"),
            location: "配电室".into(),
            grade: "一般隐患".into(),
            source: "企业自查".into(),
            discovered_at: t("2022-08-10 09:00"),
            measures: "限期整改".into(),
            funds_yuan: 1200.0,
            owner: "周工".into(),
            deadline: Some(t("2022-08-25 00:00")),
            state: String::new(),
            verified_by: String::new(),
            number: String::new(),
            closed_at: None,
            ..Default::default()
        })
        .collect();
    let bytes = write(&anjian_reports::sheet_head::SheetHead::titled("导入"), &rows).unwrap();
    let which = std::env::args().nth(1).unwrap_or_else(|| "stream".to_owned());
    let start = Instant::now();
    for _ in 0..5 {
        if which == "grid" {
            // The reader before: the whole declared range as a grid.
            let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(&bytes)).unwrap();
            let r = wb.worksheet_range_at(0).unwrap().unwrap();
            // …and the same row mapping the import did after it.
            let mut it = r.rows();
            let header: Vec<String> = it.next().unwrap().iter().map(|c| c.to_string()).collect();
            let out: Vec<Vec<(String, String)>> =
                it.map(|row| header.iter().zip(row).map(|(h, c)| (h.clone(), c.to_string())).collect()).collect();
            assert_eq!(out.len(), 20_000);
        } else {
            assert_eq!(read(&bytes).unwrap().len(), 20_000);
        }
    }
    if which == "stream" {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "名称").unwrap();
        ws.write_string(1_048_575, 16_383, "x").unwrap();
        let bomb = wb.save_to_buffer().unwrap();
        let s = Instant::now();
        assert!(read(&bomb).is_err());
        println!("A1 + XFD1048576 ({} bytes): refused in {:.2} ms", bomb.len(), s.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "{which}: {:.0} ms per 20,000-row workbook ({} KB), peak RSS {} MiB",
        start.elapsed().as_secs_f64() * 1000.0 / 5.0,
        bytes.len() / 1024,
        rss_kib() / 1024
    );
}
