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
mod plan;
mod safety_tests;
mod scope;
mod tips;
mod upgrade;
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
    x.worksheet_range(sheet).unwrap()
}
