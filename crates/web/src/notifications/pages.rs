//! The in-app inbox: reminders and digests, newest first, with unread ones marked.

use crate::auth::{csrf_refusal, Signed};
use crate::error::PageError;
use crate::kit::page::{local_time, render, Chrome};
use crate::AppState;
use anjian_domain::notification::Notification;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new().route("/inbox", get(page)).route("/inbox/export.xlsx", get(export)).route("/inbox/read", post(read))
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct Page {
    p: Chrome,
    title: &'static str,
    list: Vec<(Notification, String)>,
    unread: u64,
}

async fn page(State(state): State<AppState>, s: Signed) -> Response {
    match state.app.inbox(s.actor()).await {
        Ok((list, unread)) => render(&Page {
            p: Chrome::signed(&s, "/inbox"),
            title: s.lang.t("inbox.title"),
            list: list
                .into_iter()
                .map(|n| {
                    let t = local_time(n.created_at);
                    (n, t)
                })
                .collect(),
            unread,
        }),
        Err(e) => PageError::new(e, s.lang).into_response(),
    }
}

/// The same notifications as an .xlsx: when, what, the message, read or not.
async fn export(State(state): State<AppState>, s: Signed) -> Response {
    use anjian_reports::ledger_sheet::Cell;
    let list = match state.app.inbox(s.actor()).await {
        Ok((list, _)) => list,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let local = |t| Cell::DateTime(crate::sheets::local(t));
    let rows: Vec<Vec<Cell>> = list
        .into_iter()
        .map(|n| {
            vec![
                local(n.created_at),
                Cell::Text(n.title),
                Cell::Text(n.body),
                n.read_at.map_or(Cell::Text(crate::sheets::zh("inbox.unread").into()), local),
            ]
        })
        .collect();
    crate::sheets::table_response(
        s.lang,
        &crate::sheets::head(&state, s.actor(), None).await,
        crate::sheets::zh("sheet.inbox.file"),
        crate::sheets::zh("sheet.inbox.sheet"),
        &crate::sheets::zh_all(&["audit.at", "sheet.title", "sheet.inbox.body", "sheet.inbox.read_at"]),
        &[18.0, 30.0, 60.0, 18.0],
        &rows,
    )
}

#[derive(Deserialize)]
struct ReadForm {
    _csrf: String,
    id: Option<i64>,
}

async fn read(State(state): State<AppState>, s: Signed, Form(f): Form<ReadForm>) -> Response {
    if let Some(r) = csrf_refusal(&s.ctx, &f._csrf, s.lang) {
        return r;
    }
    match state.app.mark_read(s.actor(), f.id).await {
        Ok(_) => Redirect::to("/inbox").into_response(),
        Err(e) => PageError::new(e, s.lang).into_response(),
    }
}
