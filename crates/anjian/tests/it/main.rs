//! End-to-end tests of anjian: the real router on a random port (and the real binary where the
//! process matters), against SQLite and PostgreSQL alike.

mod api;
mod audit;
mod auth;
mod binary;
mod browser;
mod campaign;
mod crossings;
mod faults;
mod fundamentals;
mod hardening;
mod hazards;
mod hostile;
mod papers;
mod plan;
mod safety_tests;
mod scope;
mod tips;
mod upgrade;
mod vocabulary;
mod warehouses;

/// A page's Excel export fetched with a signed-in session (answered 200), and one of its sheets.
pub async fn page_sheet(
    t: &anjian_test_support::TestApp,
    cookie: &str,
    path: &str,
    sheet: &str,
) -> calamine::Range<calamine::Data> {
    use calamine::Reader;
    let r = t.http.get(t.url(path)).header("cookie", cookie).send().await.unwrap();
    assert_eq!(r.status(), 200, "{path}");
    let mut x: calamine::Xlsx<_> =
        calamine::Xlsx::new(std::io::Cursor::new(r.bytes().await.unwrap().to_vec())).unwrap();
    filed(x.worksheet_range(sheet).unwrap())
}

/// A sheet as a bureau files it: a title row, then a line of particulars (填报单位 …, 导出时间 …),
/// then the header. Checks the two lines and gives the rest, from the header down (row 0).
pub fn filed(range: calamine::Range<calamine::Data>) -> calamine::Range<calamine::Data> {
    let text = |r: usize| range.get((r, 0)).map(|d| d.to_string()).unwrap_or_default();
    assert!(!text(0).is_empty(), "a title row");
    assert!(text(1).contains("导出时间："), "a line of particulars: {}", text(1));
    let (h, w) = range.get_size();
    let start = range.start().unwrap_or((0, 0));
    range.range((start.0 + 2, start.1), (start.0 + h.max(3) as u32 - 1, start.1 + w.max(1) as u32 - 1))
}
