//! The campaign board: the 20 tasks by status with their departments, deadlines and progress
//! reports (with photos), the phase timeline, and a form to report progress.

use crate::auth::{csrf_refusal, Signed};
use crate::error::PageError;
use crate::kit::page::{field_messages, key, render, Chrome};
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
    Router::new().route("/campaign/board", get(page)).route("/campaign/board/export.xlsx", get(export)).route(
        "/campaign/tasks/{no}/reports",
        post(report).layer(axum::extract::DefaultBodyLimit::max(crate::kit::api::IMPORT_LIMIT)),
    )
}

#[derive(Template)]
#[template(path = "board.html")]
struct Page {
    p: Chrome,
    title: String,
    b: CampaignBoard,
    errors: Vec<String>,
    error_task: u32,
    /// A bureau head may close a task whose rules fall short, with a reason.
    is_head: bool,
}

fn status_key(s: &anjian_domain::campaign::TaskStatus) -> &'static str {
    key("taskstatus", s.as_str())
}

async fn page_with(state: &AppState, s: &Signed, errors: Vec<String>, error_task: u32) -> Response {
    match state.app.campaign_board(s.actor()).await {
        Ok(b) => render(&Page {
            p: Chrome::signed(s, "/campaign/board"),
            title: s.lang.fill("board.title", &[("campaign", &b.campaign)]),
            b,
            errors,
            error_task,
            is_head: s.actor().user.position.as_deref() == Some("bureau_head"),
        }),
        Err(e) => PageError::new(e, s.lang).into_response(),
    }
}

async fn page(State(state): State<AppState>, s: Signed) -> Response {
    page_with(&state, &s, Vec::new(), 0).await
}

/// The board as an .xlsx: a row per task with its status, its departments, what is missing, and
/// the newest progress report; labels in Chinese as bureaus file them.
async fn export(State(state): State<AppState>, s: Signed) -> Response {
    use anjian_reports::ledger_sheet::Cell;
    let b = match state.app.campaign_board(s.actor()).await {
        Ok(b) => b,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let zh = crate::i18n::Lang::Zh;
    let rows: Vec<Vec<Cell>> = b
        .tasks
        .into_iter()
        .map(|t| {
            let departments =
                if t.departments.is_empty() { t.responsible.unwrap_or_default() } else { t.departments.join("、") };
            let due = match t.due {
                Some(d) => format!("{}（{d}）", t.due_text),
                None => t.due_text,
            };
            let latest = t.reports.last().map(|r| format!("{} {}：{}", r.report.month, r.report.author, r.report.body));
            vec![
                Cell::Number(f64::from(t.no)),
                Cell::Text(t.battle),
                Cell::Text(t.area),
                Cell::Text(t.content),
                Cell::Text(departments),
                Cell::Text(due),
                Cell::Text(zh.t(status_key(&t.status)).to_owned()),
                Cell::Text(t.months_missing.join(" ")),
                latest.map_or(Cell::Empty, Cell::Text),
            ]
        })
        .collect();
    crate::sheets::table_response(
        s.lang,
        &crate::sheets::head(&state, s.actor(), None).await,
        crate::sheets::zh("sheet.tasks.file"),
        crate::sheets::zh("sheet.tasks.sheet"),
        &crate::sheets::zh_all(&[
            "campaign.task_no",
            "sheet.tasks.battle",
            "sheet.tasks.area",
            "sheet.tasks.content",
            "campaign.task_departments",
            "campaign.task_due",
            "ob.status",
            "sheet.tasks.months_missing",
            "sheet.tasks.latest",
        ]),
        &[6.0, 14.0, 16.0, 50.0, 24.0, 20.0, 10.0, 16.0, 50.0],
        &rows,
    )
}

async fn report(
    State(state): State<AppState>,
    s: Signed,
    Path(no): Path<u32>,
    form: axum::extract::Multipart,
) -> Response {
    let Some(fields) = crate::kit::page::multipart_fields(form).await else {
        let msg = vec![s.lang.code_message("too_large").to_owned()];
        return (StatusCode::PAYLOAD_TOO_LARGE, page_with(&state, &s, msg, no).await).into_response();
    };
    if let Some(r) = csrf_refusal(&s.ctx, &crate::kit::page::text_field(&fields, "_csrf"), s.lang) {
        return r;
    }
    let input = ReportInput {
        progress: crate::kit::page::text_field(&fields, "progress"),
        body: crate::kit::page::text_field(&fields, "body"),
    };
    let photos: Vec<Vec<u8>> =
        PHOTO_FIELDS.iter().filter_map(|f| fields.get(*f)).filter(|b| !b.is_empty()).cloned().collect();
    let idem = crate::kit::page::text_field(&fields, "idempotency_key");
    let key = (!idem.is_empty()).then_some(idem.as_str());
    match state.app.report_task_progress(s.actor(), no, input, photos, key).await {
        Ok(_) => Redirect::to(&format!("/campaign/board#task-{no}")).into_response(),
        Err(e) => {
            let (status, _) = crate::error::status_and_code(&e);
            (status, page_with(&state, &s, field_messages(s.lang, &e), no).await).into_response()
        }
    }
}
