//! The in-app inbox: reminders and digests, newest first, with unread ones marked.

use super::{local_time, render, Chrome};
use crate::auth::{csrf_refusal, Signed};
use crate::error::PageError;
use crate::AppState;
use anjian_store::notifications::Notification;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new().route("/inbox", get(page)).route("/inbox/read", post(read))
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
