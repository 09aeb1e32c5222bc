//! A bureau's monthly report and weekly summary: the draft from the records, edited here, saved
//! in versions, submitted, and downloaded as .docx.

use crate::auth::{csrf_refusal, Signed};
use crate::error::PageError;
use crate::kit::page::{field_messages, local_time, render, Chrome};
use crate::AppState;
use anjian_app::bureau_reports::BureauReportState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new().route("/reports", get(page).post(save)).route("/reports/export.docx", get(docx))
}

#[derive(Deserialize, Default)]
struct Q {
    kind: Option<String>,
    period: Option<String>,
    saved: Option<String>,
    draft: Option<String>,
}

impl Q {
    /// The kind asked for, and its period (this month, or this week's Monday, by default).
    fn resolve(&self, state: &AppState) -> (String, String) {
        let kind = self.kind.clone().filter(|k| k == "weekly").unwrap_or_else(|| "monthly".into());
        let now = state.app.clock.now();
        let default = if kind == "weekly" {
            let week = anjian_domain::period::Period::containing(anjian_domain::period::PeriodKind::Week, now);
            anjian_domain::period::local_date(week.start).format("%Y-%m-%d").to_string()
        } else {
            anjian_domain::period::local_date(now).format("%Y-%m").to_string()
        };
        (kind, self.period.clone().filter(|p| !p.is_empty()).unwrap_or(default))
    }
}

#[derive(Template)]
#[template(path = "bureau_report.html")]
struct Page {
    p: Chrome,
    title: &'static str,
    r: BureauReportState,
    saved: bool,
    saved_at: String,
    errors: Vec<String>,
}

async fn page_with(state: &AppState, s: &Signed, q: Q, body: Option<String>, errors: Vec<String>) -> Response {
    let (kind, period) = q.resolve(state);
    match state.app.bureau_report(s.actor(), &kind, &period).await {
        Ok(mut r) => {
            if let Some(b) = body {
                r.body = b;
            }
            render(&Page {
                p: Chrome::signed(s, "/cockpit"),
                title: s.lang.t("breport.title"),
                saved: q.saved.is_some(),
                saved_at: r.latest.as_ref().map(|l| local_time(l.created_at)).unwrap_or_default(),
                r,
                errors,
            })
        }
        Err(e) => PageError::new(e, s.lang).into_response(),
    }
}

async fn page(State(state): State<AppState>, s: Signed, Query(q): Query<Q>) -> Response {
    page_with(&state, &s, q, None, Vec::new()).await
}

#[derive(Deserialize)]
struct SaveForm {
    _csrf: String,
    kind: String,
    period: String,
    body: String,
    #[serde(default)]
    submit: Option<String>,
}

async fn save(State(state): State<AppState>, s: Signed, Form(f): Form<SaveForm>) -> Response {
    if let Some(r) = csrf_refusal(&s.ctx, &f._csrf, s.lang) {
        return r;
    }
    match state.app.save_bureau_report(s.actor(), &f.kind, &f.period, &f.body, f.submit.is_some()).await {
        Ok(_) => Redirect::to(&format!("/reports?kind={}&period={}&saved=1", f.kind, f.period)).into_response(),
        Err(e) => {
            let (status, _) = crate::error::status_and_code(&e);
            let q = Q { kind: Some(f.kind), period: Some(f.period), saved: None, draft: None };
            (status, page_with(&state, &s, q, Some(f.body), field_messages(s.lang, &e)).await).into_response()
        }
    }
}

async fn docx(State(state): State<AppState>, s: Signed, Query(q): Query<Q>) -> Response {
    let (kind, period) = q.resolve(&state);
    match state.app.bureau_report_docx(s.actor(), &kind, &period, q.draft.is_some()).await {
        Ok((name, bytes)) => crate::sheets::docx_response(bytes, &name),
        Err(e) => PageError::new(e, s.lang).into_response(),
    }
}
