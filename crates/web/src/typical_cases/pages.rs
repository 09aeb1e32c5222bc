//! The month's typical cases (典型案例): a list with each case's narrative, the compilation of the
//! month as a Word document, and the list in Excel.

use crate::auth::Signed;
use crate::error::PageError;
use crate::kit::page::{local_time, render, Chrome};
use crate::AppState;
use anjian_domain::attachment::TypicalCase;
use anjian_reports::ledger_sheet::Cell;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/typical-cases", get(page))
        .route("/typical-cases/compilation.docx", get(docx))
        .route("/typical-cases/export.xlsx", get(xlsx))
}

#[derive(Deserialize, Default)]
struct Q {
    month: Option<String>,
}

fn month_of(state: &AppState, q: &Q) -> String {
    q.month
        .clone()
        .filter(|m| anjian_app::ledgers::parse_period(m).is_ok())
        .unwrap_or_else(|| anjian_domain::period::local_date(state.app.clock.now()).format("%Y-%m").to_string())
}

/// Each case with its organisation's name.
async fn cases(state: &AppState, s: &Signed, month: &str) -> anjian_app::Result<Vec<(TypicalCase, String)>> {
    let list = state.app.typical_cases(s.actor(), month).await?;
    let names = crate::kit::page::org_names(state, s.actor(), list.iter().map(|c| c.org_id)).await;
    Ok(list
        .into_iter()
        .map(|c| {
            let n = names.get(&c.org_id).cloned().unwrap_or_default();
            (c, n)
        })
        .collect())
}

#[derive(Template)]
#[template(path = "typical_cases.html")]
struct Page {
    p: Chrome,
    title: &'static str,
    month: String,
    cases: Vec<(TypicalCase, String, String)>,
}

async fn page(State(state): State<AppState>, s: Signed, Query(q): Query<Q>) -> Response {
    let month = month_of(&state, &q);
    match cases(&state, &s, &month).await {
        Ok(list) => render(&Page {
            p: Chrome::signed(&s, "/hazards"),
            title: s.lang.t("cases.title"),
            month,
            cases: list
                .into_iter()
                .map(|(c, n)| {
                    let at = local_time(c.marked_at);
                    (c, n, at)
                })
                .collect(),
        }),
        Err(e) => PageError::new(e, s.lang).into_response(),
    }
}

async fn docx(State(state): State<AppState>, s: Signed, Query(q): Query<Q>) -> Response {
    let month = month_of(&state, &q);
    match state.app.typical_cases_docx(s.actor(), &month).await {
        Ok((name, bytes)) => crate::sheets::docx_response(bytes, &name),
        Err(e) => PageError::new(e, s.lang).into_response(),
    }
}

async fn xlsx(State(state): State<AppState>, s: Signed, Query(q): Query<Q>) -> Response {
    let month = month_of(&state, &q);
    let list = match cases(&state, &s, &month).await {
        Ok(l) => l,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let rows: Vec<Vec<Cell>> = list
        .iter()
        .map(|(c, org)| {
            vec![
                Cell::Text(c.title.clone()),
                Cell::Text(org.clone()),
                Cell::DateTime(c.marked_at.with_timezone(&anjian_domain::TZ).naive_local()),
                Cell::Text(c.narrative.clone()),
            ]
        })
        .collect();
    let name = crate::i18n::Lang::Zh.fill("sheet.cases.file", &[("month", &month)]);
    crate::sheets::table_response(
        s.lang,
        &crate::sheets::head(&state, s.actor(), Some(anjian_app::bureau_reports::month_title(&month))).await,
        &name,
        crate::sheets::zh("cases.title"),
        &crate::sheets::zh_all(&["sheet.title", "hazards.org", "sheet.cases.marked_at", "sheet.cases.narrative"]),
        &[30.0, 30.0, 18.0, 60.0],
        &rows,
    )
}
