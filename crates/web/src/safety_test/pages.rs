//! Safety tests on pages: a principal's sitting one question at a time (each answer saved as it
//! is given, so a dropped connection loses nothing), the result with the questions missed; the
//! bureau's list of who is tested, passed, due for a retest or not tested (Excel), the question
//! import, the key-supervision list, and each enterprise's printable notice (张榜公告).

use crate::auth::{csrf_refusal, Signed};
use crate::error::PageError;
use crate::kit::page::{field_messages, key, render, Chrome};
use crate::AppState;
use anjian_app::safety_test::{Notice, ResultRow, SittingView};
use anjian_reports::ledger_sheet::Cell;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/tests", get(page))
        .route("/tests/start", post(start))
        .route("/tests/import", post(import).layer(axum::extract::DefaultBodyLimit::max(crate::kit::api::IMPORT_LIMIT)))
        .route("/tests/results.xlsx", get(export))
        .route("/tests/sittings/{id}", get(sitting).post(answer))
        .route("/tests/sittings/{id}/submit", post(submit))
        .route("/orgs/{id}/notice", get(notice))
        .route("/orgs/{id}/supervision", post(level))
}

fn letters(v: &[usize]) -> String {
    v.iter().map(|i| (b'A' + *i as u8) as char).collect()
}

fn letter(i: &usize) -> char {
    (b'A' + *i as u8) as char
}

#[derive(Template)]
#[template(path = "tests.html")]
struct Page {
    p: Chrome,
    title: &'static str,
    is_principal: bool,
    is_bureau: bool,
    history: Vec<anjian_domain::safety_test::Sitting>,
    open: Option<anjian_domain::safety_test::Sitting>,
    results: Vec<ResultRow>,
    key_list: Vec<(anjian_domain::org::Org, Option<anjian_domain::safety_test::SupervisionChange>)>,
    messages: Vec<String>,
    message_class: &'static str,
}

async fn page_with(state: &AppState, s: &Signed, messages: Vec<String>, class: &'static str) -> Response {
    let a = s.actor();
    let is_principal = a.role == anjian_domain::role::Role::Principal;
    let is_bureau = a.role.is_bureau();
    use crate::kit::page::unless_forbidden;
    let parts = async {
        let mine = if is_principal { unless_forbidden(state.app.my_sittings(a).await)? } else { Default::default() };
        let results = if is_bureau { unless_forbidden(state.app.test_results(a).await)? } else { Vec::new() };
        let key_list = unless_forbidden(state.app.supervision_list(a, "key").await)?;
        anjian_app::Result::Ok((mine, results, key_list))
    };
    let ((history, open), results, key_list) = match parts.await {
        Ok(p) => p,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    render(&Page {
        p: Chrome::signed(s, "/tests"),
        title: s.lang.t("tests.title"),
        is_principal,
        is_bureau,
        history,
        open,
        results,
        key_list,
        messages,
        message_class: class,
    })
}

async fn page(State(state): State<AppState>, s: Signed) -> Response {
    page_with(&state, &s, Vec::new(), "ok").await
}

#[derive(Deserialize)]
struct CsrfForm {
    _csrf: String,
}

async fn start(State(state): State<AppState>, s: Signed, Form(f): Form<CsrfForm>) -> Response {
    if let Some(r) = csrf_refusal(&s.ctx, &f._csrf, s.lang) {
        return r;
    }
    match state.app.start_sitting(s.actor()).await {
        Ok(sitting) => Redirect::to(&format!("/tests/sittings/{}", sitting.id)).into_response(),
        Err(e) => {
            let (status, _) = crate::error::status_and_code(&e);
            (status, page_with(&state, &s, field_messages(s.lang, &e), "alert").await).into_response()
        }
    }
}

async fn import(State(state): State<AppState>, s: Signed, form: axum::extract::Multipart) -> Response {
    let Some(fields) = crate::kit::page::multipart_fields(form).await else {
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            page_with(&state, &s, vec![s.lang.code_message("too_large").into()], "alert").await,
        )
            .into_response();
    };
    if let Some(r) = csrf_refusal(&s.ctx, &crate::kit::page::text_field(&fields, "_csrf"), s.lang) {
        return r;
    }
    let sheet = match crate::sheets::read_upload(fields.get("file").cloned().unwrap_or_default()).await {
        Ok(x) => x,
        Err(e) => {
            let msg = vec![s.lang.code_message(crate::kit::api::sheet_code(&e)).to_owned()];
            return (StatusCode::UNPROCESSABLE_ENTITY, page_with(&state, &s, msg, "alert").await).into_response();
        }
    };
    match state.app.import_questions(s.actor(), sheet, fields.contains_key("apply")).await {
        Ok(out) => {
            let (summary, class, mut errors, status) = crate::sheets::import_summary(s.lang, &out);
            errors.insert(0, summary);
            (status, page_with(&state, &s, errors, class).await).into_response()
        }
        Err(e) => {
            let (status, _) = crate::error::status_and_code(&e);
            (status, page_with(&state, &s, field_messages(s.lang, &e), "alert").await).into_response()
        }
    }
}

/// The principals' standings as .xlsx.
pub fn test_results_sheet(
    head: &anjian_reports::sheet_head::SheetHead,
    rows: &[ResultRow],
) -> Result<Vec<u8>, anjian_app::AppError> {
    let zh = crate::i18n::Lang::Zh;
    let local = crate::sheets::local;
    let data: Vec<Vec<Cell>> = rows
        .iter()
        .map(|r| {
            vec![
                Cell::Text(r.org.clone()),
                Cell::Text(r.principal.clone()),
                Cell::Number(r.attempts as f64),
                r.last_score.map_or(Cell::Empty, |x| Cell::Number(f64::from(x))),
                r.last_at.map_or(Cell::Empty, |t| Cell::DateTime(local(t))),
                Cell::Text(zh.t(key("standing", r.standing.as_str())).to_owned()),
                Cell::Text(zh.t(key("level", &r.supervision_level)).to_owned()),
            ]
        })
        .collect();
    crate::sheets::table_xlsx(
        head,
        crate::sheets::zh("sheet.tests.sheet"),
        &crate::sheets::zh_all(&[
            "sheet.enterprise",
            "tests.principal",
            "tests.attempts",
            "tests.last_score",
            "sheet.tests.last_at",
            "ob.status",
            "tests.level",
        ]),
        &[30.0, 12.0, 8.0, 8.0, 18.0, 12.0, 10.0],
        &data,
    )
}

async fn export(State(state): State<AppState>, s: Signed) -> Response {
    let head = crate::sheets::head(&state, s.actor(), None).await;
    match state.app.test_results(s.actor()).await.and_then(|r| test_results_sheet(&head, &r)) {
        Ok(bytes) => crate::sheets::xlsx_response(bytes, crate::sheets::zh("sheet.tests.file")),
        Err(e) => PageError::new(e, s.lang).into_response(),
    }
}

#[derive(Template)]
#[template(path = "sitting.html")]
struct SittingPage {
    p: Chrome,
    title: &'static str,
    v: SittingView,
    /// The question shown (0-based) while the sitting is open.
    q: usize,
    errors: Vec<String>,
}

impl SittingPage {
    fn current(&self) -> Option<&anjian_app::safety_test::QuestionView> {
        self.v.questions.get(self.q)
    }
}

#[derive(Deserialize, Default)]
struct SittingQ {
    q: Option<usize>,
}

async fn sitting_page(state: &AppState, s: &Signed, id: i64, q: usize, errors: Vec<String>) -> Response {
    match state.app.sitting_view(s.actor(), id).await {
        Ok(v) => {
            let q = q.min(v.questions.len().saturating_sub(1));
            render(&SittingPage { p: Chrome::signed(s, "/tests"), title: s.lang.t("tests.sitting"), v, q, errors })
        }
        Err(e) => PageError::new(e, s.lang).into_response(),
    }
}

async fn sitting(State(state): State<AppState>, s: Signed, Path(id): Path<i64>, Query(q): Query<SittingQ>) -> Response {
    sitting_page(&state, &s, id, q.q.unwrap_or(0), Vec::new()).await
}

/// One answer: `question_id`, one or more `choice`, and where to go next (`go`).
async fn answer(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let get = |n: &str| fields.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone()).unwrap_or_default();
    if let Some(r) = csrf_refusal(&s.ctx, &get("_csrf"), s.lang) {
        return r;
    }
    let q: usize = get("q").parse().unwrap_or(0);
    let choices: Vec<usize> =
        fields.iter().filter(|(k, _)| k == "choice").filter_map(|(_, v)| v.parse().ok()).collect();
    let next = match get("go").as_str() {
        "prev" => q.saturating_sub(1),
        "stay" => q,
        _ => q + 1,
    };
    if !choices.is_empty() {
        let question: i64 = get("question_id").parse().unwrap_or(0);
        if let Err(e) = state.app.save_test_answer(s.actor(), id, question, choices).await {
            let (status, _) = crate::error::status_and_code(&e);
            return (status, sitting_page(&state, &s, id, q, field_messages(s.lang, &e)).await).into_response();
        }
    }
    Redirect::to(&format!("/tests/sittings/{id}?q={next}")).into_response()
}

async fn submit(State(state): State<AppState>, s: Signed, Path(id): Path<i64>, Form(f): Form<CsrfForm>) -> Response {
    if let Some(r) = csrf_refusal(&s.ctx, &f._csrf, s.lang) {
        return r;
    }
    match state.app.submit_sitting(s.actor(), id).await {
        Ok(_) => Redirect::to(&format!("/tests/sittings/{id}")).into_response(),
        Err(e) => {
            let (status, _) = crate::error::status_and_code(&e);
            (status, sitting_page(&state, &s, id, 0, field_messages(s.lang, &e)).await).into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "notice.html")]
struct NoticePage {
    p: Chrome,
    title: &'static str,
    n: Notice,
    org_id: i64,
    can_change: bool,
    levels: Vec<(String, String)>,
    errors: Vec<String>,
}

async fn notice_page(state: &AppState, s: &Signed, id: i64, errors: Vec<String>) -> Response {
    let levels = state
        .app
        .current_plan()
        .await
        .map(|p| p.supervision_levels.iter().map(|l| (l.code.get_ref().clone(), l.name.clone())).collect())
        .unwrap_or_default();
    match state.app.test_notice(s.actor(), id).await {
        Ok(n) => render(&NoticePage {
            p: Chrome::signed(s, "/tests"),
            title: s.lang.t("tests.notice"),
            n,
            org_id: id,
            can_change: s.actor().role.is_bureau(),
            levels,
            errors,
        }),
        Err(e) => PageError::new(e, s.lang).into_response(),
    }
}

async fn notice(State(state): State<AppState>, s: Signed, Path(id): Path<i64>) -> Response {
    notice_page(&state, &s, id, Vec::new()).await
}

#[derive(Deserialize)]
struct LevelForm {
    _csrf: String,
    level: String,
    reason: String,
}

async fn level(State(state): State<AppState>, s: Signed, Path(id): Path<i64>, Form(f): Form<LevelForm>) -> Response {
    if let Some(r) = csrf_refusal(&s.ctx, &f._csrf, s.lang) {
        return r;
    }
    match state.app.set_supervision_level(s.actor(), id, &f.level, &f.reason).await {
        Ok(_) => Redirect::to(&format!("/orgs/{id}/notice")).into_response(),
        Err(e) => {
            let (status, _) = crate::error::status_and_code(&e);
            (status, notice_page(&state, &s, id, field_messages(s.lang, &e)).await).into_response()
        }
    }
}
