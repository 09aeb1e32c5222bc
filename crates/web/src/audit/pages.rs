//! The audit log, for the audit and security admins: filter, page, verify the chain.

use crate::auth::{csrf_refusal, Signed};
use crate::error::PageError;
use crate::kit::page::{local_time, render, Chrome};
use crate::AppState;
use anjian_domain::audit::AuditFilter;
use anjian_domain::period::local_midnight;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::NaiveDate;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/audit", get(list))
        .route("/audit/export.xlsx", get(export))
        .route("/audit/verify", post(verify))
}

const PAGE: u64 = 100;

pub struct Row {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub object: String,
    pub result: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct Page {
    p: Chrome,
    title: &'static str,
    rows: Vec<Row>,
    f_actor: String,
    f_action: String,
    f_since: String,
    f_until: String,
    next_href: Option<String>,
    verify_message: Option<String>,
    verify_class: &'static str,
}

#[derive(Deserialize, Default)]
pub struct Filters {
    actor: Option<String>,
    action: Option<String>,
    since: Option<String>,
    until: Option<String>,
    before: Option<i64>,
}

fn date(s: &Option<String>) -> Option<NaiveDate> {
    s.as_deref().and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
}

impl Filters {
    fn filter(&self) -> AuditFilter {
        AuditFilter {
            actor: self.actor.clone(),
            action: self.action.clone(),
            object_type: None,
            since: date(&self.since).map(local_midnight),
            until: date(&self.until).and_then(|d| d.succ_opt()).map(local_midnight),
        }
    }
}

/// The audit records with the page's filters as .xlsx, newest first (at most 100,000).
async fn export(State(state): State<AppState>, s: Signed, Query(q): Query<Filters>) -> Response {
    use anjian_reports::ledger_sheet::Cell;
    let f = q.filter();
    let mut rows = Vec::new();
    let mut before = None;
    while rows.len() < 100_000 {
        let page = match state.app.audit_page(s.actor(), &f, before, PAGE).await {
            Ok(p) => p,
            Err(e) => return PageError::new(e, s.lang).into_response(),
        };
        before = page.last().map(|r| r.record.seq);
        let done = (page.len() as u64) < PAGE;
        rows.extend(page);
        if done {
            break;
        }
    }
    let data: Vec<Vec<Cell>> = rows
        .iter()
        .map(|l| &l.record)
        .map(|r| {
            vec![
                Cell::Number(r.seq as f64),
                Cell::DateTime(r.at.with_timezone(&anjian_domain::TZ).naive_local()),
                Cell::Text(r.actor.clone()),
                Cell::Text(r.action.clone()),
                Cell::Text(format!("{} {}", r.object_type, r.object_id)),
                Cell::Text(r.result.clone()),
                Cell::Text(r.detail.clone()),
            ]
        })
        .collect();
    crate::sheets::table_response(
        s.lang,
        &crate::sheets::head(&state, s.actor(), None).await,
        crate::sheets::zh("sheet.audit.file"),
        crate::sheets::zh("audit.title"),
        &crate::sheets::zh_all(&[
            "audit.seq",
            "audit.at",
            "audit.actor",
            "audit.action",
            "audit.object",
            "audit.result",
            "audit.detail",
        ]),
        &[8.0, 18.0, 14.0, 20.0, 20.0, 8.0, 40.0],
        &data,
    )
}

async fn render_page(state: &AppState, s: &Signed, q: Filters, verify: Option<(String, &'static str)>) -> Response {
    let f = q.filter();
    let rows = match state.app.audit_page(s.actor(), &f, q.before, PAGE).await {
        Ok(r) => r,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let next_href = (rows.len() as u64 == PAGE).then(|| {
        let enc = crate::kit::page::urlencode;
        format!(
            "/audit?actor={}&action={}&since={}&until={}&before={}",
            enc(q.actor.as_deref().unwrap_or("")),
            enc(q.action.as_deref().unwrap_or("")),
            enc(q.since.as_deref().unwrap_or("")),
            enc(q.until.as_deref().unwrap_or("")),
            rows.last().map_or(0, |r| r.record.seq)
        )
    });
    let rows = rows
        .into_iter()
        .map(|l| l.record)
        .map(|r| Row {
            seq: r.seq,
            at: local_time(r.at),
            object: format!("{} {}", r.object_type, r.object_id),
            actor: r.actor,
            action: r.action,
            result: r.result,
            detail: r.detail,
        })
        .collect();
    let (verify_message, verify_class) = match verify {
        Some((m, c)) => (Some(m), c),
        None => (None, ""),
    };
    render(&Page {
        p: Chrome::signed(s, "/audit"),
        title: s.lang.t("audit.title"),
        rows,
        f_actor: q.actor.unwrap_or_default(),
        f_action: q.action.unwrap_or_default(),
        f_since: q.since.unwrap_or_default(),
        f_until: q.until.unwrap_or_default(),
        next_href,
        verify_message,
        verify_class,
    })
}

async fn list(State(state): State<AppState>, s: Signed, Query(q): Query<Filters>) -> Response {
    render_page(&state, &s, q, None).await
}

#[derive(Deserialize)]
struct CsrfForm {
    _csrf: String,
}

async fn verify(State(state): State<AppState>, s: Signed, Form(f): Form<CsrfForm>) -> Response {
    if let Some(r) = csrf_refusal(&s.ctx, &f._csrf, s.lang) {
        return r;
    }
    let msg = match state.app.verify_audit_as(s.actor()).await {
        Ok(Ok(v)) => (s.lang.t("audit.verified").replace("{}", &v.records.to_string()), "ok"),
        Ok(Err(b)) => (format!("{}{b}", s.lang.t("audit.broken")), "alert"),
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    render_page(&state, &s, Filters::default(), Some(msg)).await
}
