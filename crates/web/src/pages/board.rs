//! The campaign board: the 20 tasks by status with their departments, deadlines and progress
//! reports (with photos), the phase timeline, and a form to report progress.

use super::{field_messages, key, render, Chrome};
use crate::auth::{csrf_refusal, Signed};
use crate::error::PageError;
use crate::AppState;
use anjian_app::tasks::{CampaignBoard, ReportInput};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

/// Photos a progress report may carry, each as its own form field.
const PHOTO_FIELDS: [&str; 3] = ["photo1", "photo2", "photo3"];

pub fn router() -> Router<AppState> {
    Router::new().route("/campaign/board", get(page)).route(
        "/campaign/tasks/{no}/reports",
        post(report).layer(axum::extract::DefaultBodyLimit::max(crate::api::IMPORT_LIMIT)),
    )
}

#[derive(Template)]
#[template(path = "board.html")]
struct Page {
    p: Chrome,
    title: &'static str,
    b: CampaignBoard,
    errors: Vec<String>,
    error_task: u32,
}

fn status_key(s: &anjian_domain::campaign::TaskStatus) -> &'static str {
    key("taskstatus", s.as_str())
}

async fn page_with(state: &AppState, s: &Signed, errors: Vec<String>, error_task: u32) -> Response {
    match state.app.campaign_board(s.actor()).await {
        Ok(b) => render(&Page {
            p: Chrome::signed(s, "/campaign/board"),
            title: s.lang.t("board.title"),
            b,
            errors,
            error_task,
        }),
        Err(e) => PageError::new(e, s.lang).into_response(),
    }
}

async fn page(State(state): State<AppState>, s: Signed) -> Response {
    page_with(&state, &s, Vec::new(), 0).await
}

async fn report(
    State(state): State<AppState>,
    s: Signed,
    Path(no): Path<u32>,
    form: axum::extract::Multipart,
) -> Response {
    let Some(fields) = super::multipart_fields(form).await else {
        let msg = vec![s.lang.code_message("too_large").to_owned()];
        return (StatusCode::PAYLOAD_TOO_LARGE, page_with(&state, &s, msg, no).await).into_response();
    };
    if let Some(r) = csrf_refusal(&s.ctx, &super::text_field(&fields, "_csrf"), s.lang) {
        return r;
    }
    let input =
        ReportInput { progress: super::text_field(&fields, "progress"), body: super::text_field(&fields, "body") };
    let photos: Vec<Vec<u8>> =
        PHOTO_FIELDS.iter().filter_map(|f| fields.get(*f)).filter(|b| !b.is_empty()).cloned().collect();
    let idem = super::text_field(&fields, "idempotency_key");
    let key = (!idem.is_empty()).then_some(idem.as_str());
    match state.app.report_task_progress(s.actor(), no, input, photos, key).await {
        Ok(_) => Redirect::to(&format!("/campaign/board#task-{no}")).into_response(),
        Err(e) => {
            let (status, _) = crate::error::status_and_code(&e);
            (status, page_with(&state, &s, field_messages(s.lang, &e), no).await).into_response()
        }
    }
}
