//! Railway crossings on pages: the bureau list (county filter, Excel export, import), one
//! crossing (equipment with due checks, a check round, shifts), and the guards' roster with
//! certificates, trainings and drills.

use crate::auth::{csrf_refusal, Signed};
use crate::error::PageError;
use crate::kit::page::{field_messages, local_time, render, Chrome};
use crate::AppState;
use anjian_app::crossings::{
    CheckInput, CrossingDetail, CrossingRow, GuardInput, GuardView, ItemInput, ShiftInput, TrainingInput,
};
use anjian_reports::ledger_sheet::Cell;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    let upload = || axum::extract::DefaultBodyLimit::max(crate::kit::api::IMPORT_LIMIT);
    Router::new()
        .route("/crossings", get(list))
        .route("/crossings/export.xlsx", get(export))
        .route("/crossings/import", post(import).layer(upload()))
        .route("/crossings/{id}", get(detail))
        .route("/crossings/{id}/checks", post(check))
        .route("/crossings/{id}/shifts", post(shift))
        .route("/guards", get(guards).post(add_guard))
        .route("/guards/export.xlsx", get(guards_xlsx))
        .route("/guards/{id}/certificates", post(renew))
        .route("/trainings", post(training).layer(upload()))
}

fn when(t: &Option<(DateTime<Utc>, String)>) -> String {
    t.as_ref().map(|(at, _)| local_time(*at)).unwrap_or_default()
}

#[derive(Template)]
#[template(path = "crossings.html")]
struct ListPage {
    p: Chrome,
    title: &'static str,
    rows: Vec<CrossingRow>,
    counties: Vec<(i64, String, bool)>,
    jurisdiction_id: Option<i64>,
    covered: usize,
    /// What the coverage counts: the plan's crossing coverage rule.
    coverage: String,
    /// An operator importing its own crossings, or a bureau picking one.
    /// The operator whose crossings a sheet brings, picked by name.
    org_picker: crate::kit::picker::OrgPicker,
    messages: Vec<String>,
    message_class: &'static str,
}

#[derive(Deserialize, Default)]
struct ListQ {
    jurisdiction_id: Option<i64>,
}

async fn list_page(state: &AppState, s: &Signed, q: ListQ, messages: Vec<String>, class: &'static str) -> Response {
    let rows = match state.app.crossings(s.actor(), q.jurisdiction_id).await {
        Ok(r) => r,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let counties = state
        .app
        .areas(s.actor(), None)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|j| (j.id, j.name, Some(j.id) == q.jurisdiction_id))
        .collect();
    let plan = state.app.current_plan().await.ok();
    let words = crate::kit::words::Words::of(state, s.lang).await;
    let operators = words.vocabulary().org_kinds_keeping(anjian_domain::plan::SiteRecord::RailwayCrossing);
    let own = s.actor().org.as_ref().filter(|o| operators.iter().any(|k| k.as_str() == o.kind)).map(|o| o.id);
    let kind = operators.first().map(|k| k.as_str());
    let level = match s.actor().org.as_ref() {
        Some(o) => state.app.jurisdiction(o.jurisdiction_id).await.ok().flatten().map(|j| j.level),
        None => None,
    };
    let rule = plan
        .as_deref()
        .and_then(|p| anjian_app::crossings::coverage_rule(p, level.as_deref()))
        .map(|r| r.title.clone());
    let coverage = s.lang.fill("crossings.coverage", &[("rule", &rule.unwrap_or_default())]);
    let org_picker =
        crate::kit::picker::org_picker(state, s.actor(), "org_id", "crossings.operator", kind, own, true).await;
    render(&ListPage {
        p: Chrome::signed(s, "/crossings"),
        title: s.lang.t("crossings.title"),
        covered: rows.iter().filter(|r| r.covered).count(),
        coverage,
        rows,
        counties,
        jurisdiction_id: q.jurisdiction_id,
        org_picker,
        messages,
        message_class: class,
    })
}

async fn list(State(state): State<AppState>, s: Signed, Query(q): Query<ListQ>) -> Response {
    list_page(&state, &s, q, Vec::new(), "ok").await
}

/// The bureau list as .xlsx, labels in Chinese.
pub fn crossings_sheet(
    head: &anjian_reports::sheet_head::SheetHead,
    rows: &[CrossingRow],
) -> Result<Vec<u8>, anjian_app::AppError> {
    let local = crate::sheets::local;
    let text = |s: Option<&String>| s.map_or(Cell::Empty, |s| Cell::Text(s.clone()));
    let data: Vec<Vec<Cell>> = rows
        .iter()
        .map(|r| {
            vec![
                Cell::Text(r.site.name.clone()),
                Cell::Text(r.county.clone()),
                text(r.site.line.as_ref()),
                text(r.site.km_post.as_ref()),
                Cell::Text(r.operator.clone()),
                r.last_bureau_inspection.as_ref().map_or(Cell::Empty, |(t, _)| Cell::DateTime(local(*t))),
                Cell::Text(
                    crate::sheets::zh(if r.covered { "crossings.inspected" } else { "crossings.not_inspected" }).into(),
                ),
                Cell::Number(r.open_faults as f64),
                Cell::Number(r.overdue_equipment as f64),
                Cell::Number(r.uncertified_on_duty as f64),
            ]
        })
        .collect();
    crate::sheets::table_xlsx(
        head,
        crate::sheets::zh("crossings.title"),
        &crate::sheets::zh_all(&[
            "crossings.name",
            "sheet.county",
            "sheet.crossings.line",
            "sheet.crossings.km_post",
            "crossings.operator",
            "crossings.last_inspection",
            "sheet.crossings.coverage",
            "crossings.faults",
            "sheet.crossings.overdue_equipment",
            "sheet.crossings.uncertified",
        ]),
        &[28.0, 10.0, 12.0, 12.0, 30.0, 18.0, 16.0, 10.0, 12.0, 14.0],
        &data,
    )
}

async fn export(State(state): State<AppState>, s: Signed, Query(q): Query<ListQ>) -> Response {
    let head = crate::sheets::head(&state, s.actor(), None).await;
    match state.app.crossings(s.actor(), q.jurisdiction_id).await.and_then(|r| crossings_sheet(&head, &r)) {
        Ok(bytes) => crate::sheets::xlsx_response(bytes, crate::sheets::zh("sheet.crossings.file")),
        Err(e) => PageError::new(e, s.lang).into_response(),
    }
}

async fn import(State(state): State<AppState>, s: Signed, form: axum::extract::Multipart) -> Response {
    let Some(fields) = crate::kit::page::multipart_fields(form).await else {
        let msg = vec![s.lang.code_message("too_large").to_owned()];
        return (StatusCode::PAYLOAD_TOO_LARGE, list_page(&state, &s, ListQ::default(), msg, "alert").await)
            .into_response();
    };
    if let Some(r) = csrf_refusal(&s.ctx, &crate::kit::page::text_field(&fields, "_csrf"), s.lang) {
        return r;
    }
    let apply = fields.contains_key("apply");
    let org = match state.app.pick_org(s.actor(), &crate::kit::page::text_field(&fields, "org_id"), "org_id").await {
        Ok(id) => id,
        Err(e) => {
            let msg = crate::kit::page::field_messages(s.lang, &e);
            return (StatusCode::UNPROCESSABLE_ENTITY, list_page(&state, &s, ListQ::default(), msg, "alert").await)
                .into_response();
        }
    };
    let sheet = match crate::sheets::read_upload(fields.get("file").cloned().unwrap_or_default()).await {
        Ok(x) => x,
        Err(e) => {
            let msg = vec![s.lang.code_message(crate::kit::api::sheet_code(&e)).to_owned()];
            return (StatusCode::UNPROCESSABLE_ENTITY, list_page(&state, &s, ListQ::default(), msg, "alert").await)
                .into_response();
        }
    };
    match state.app.import_crossings(s.actor(), org, sheet, apply).await {
        Ok(out) => {
            let (summary, class, mut errors, status) = crate::sheets::import_summary(s.lang, &out);
            errors.insert(0, summary);
            (status, list_page(&state, &s, ListQ::default(), errors, class).await).into_response()
        }
        Err(e) => {
            let (status, _) = crate::error::status_and_code(&e);
            (status, list_page(&state, &s, ListQ::default(), field_messages(s.lang, &e), "alert").await).into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "crossing.html")]
struct DetailPage {
    p: Chrome,
    title: String,
    d: CrossingDetail,
    can_manage: bool,
    errors: Vec<String>,
    idempotency_key: String,
}

async fn detail_page(state: &AppState, s: &Signed, id: i64, errors: Vec<String>) -> Response {
    match state.app.crossing(s.actor(), id).await {
        Ok(d) => render(&DetailPage {
            p: Chrome::signed(s, "/crossings"),
            title: d.row.site.name.clone(),
            can_manage: s
                .actor()
                .org
                .as_ref()
                .is_some_and(|o| o.id == d.row.site.org_id && o.kind == "railway_operator"),
            d,
            errors,
            idempotency_key: uuid::Uuid::new_v4().to_string(),
        }),
        Err(e) => PageError::new(e, s.lang).into_response(),
    }
}

async fn detail(State(state): State<AppState>, s: Signed, Path(id): Path<i64>) -> Response {
    detail_page(&state, &s, id, Vec::new()).await
}

async fn check(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let get = |n: &str| fields.iter().find(|(k, _)| k == n).map(|(_, v)| v.trim().to_owned()).unwrap_or_default();
    if let Some(r) = csrf_refusal(&s.ctx, &get("_csrf"), s.lang) {
        return r;
    }
    // One pair of fields per piece of equipment: `state_{id}` (ok/fault) and `note_{id}`.
    let items = fields
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("state_")?.parse::<i64>().ok()?, v)))
        .map(|(eq, v)| ItemInput { equipment_id: eq, ok: v == "ok", note: get(&format!("note_{eq}")) })
        .collect();
    let key = get("idempotency_key");
    let input = CheckInput { items, note: get("note") };
    match state.app.record_crossing_check(s.actor(), id, input, Some(key.as_str()).filter(|k| !k.is_empty())).await {
        Ok(_) => Redirect::to(&format!("/crossings/{id}")).into_response(),
        Err(e) => {
            let (status, _) = crate::error::status_and_code(&e);
            (status, detail_page(&state, &s, id, field_messages(s.lang, &e)).await).into_response()
        }
    }
}

/// `2022-08-15T08:00` entered in local time.
fn local_input(s: &str) -> Option<DateTime<Utc>> {
    let n = NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%dT%H:%M").ok()?;
    anjian_domain::TZ.from_local_datetime(&n).earliest().map(|t| t.with_timezone(&Utc))
}

#[derive(Deserialize)]
struct ShiftForm {
    _csrf: String,
    guard_id: i64,
    starts_at: String,
    ends_at: String,
}

async fn shift(State(state): State<AppState>, s: Signed, Path(id): Path<i64>, Form(f): Form<ShiftForm>) -> Response {
    if let Some(r) = csrf_refusal(&s.ctx, &f._csrf, s.lang) {
        return r;
    }
    let (Some(starts_at), Some(ends_at)) = (local_input(&f.starts_at), local_input(&f.ends_at)) else {
        let msg = field_messages(s.lang, &anjian_app::AppError::invalid("starts_at", "invalid_date"));
        return (StatusCode::UNPROCESSABLE_ENTITY, detail_page(&state, &s, id, msg).await).into_response();
    };
    match state.app.assign_shift(s.actor(), f.guard_id, ShiftInput { site_id: id, starts_at, ends_at }).await {
        Ok(_) => Redirect::to(&format!("/crossings/{id}")).into_response(),
        Err(e) => {
            let (status, _) = crate::error::status_and_code(&e);
            (status, detail_page(&state, &s, id, field_messages(s.lang, &e)).await).into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "guards.html")]
struct GuardsPage {
    p: Chrome,
    title: &'static str,
    guards: Vec<GuardView>,
    trainings: Vec<(anjian_domain::crossing::Training, Vec<i64>)>,
    can_manage: bool,
    errors: Vec<String>,
    idempotency_key: String,
}

async fn guards_page(state: &AppState, s: &Signed, errors: Vec<String>) -> Response {
    let guards = match state.app.guard_views(s.actor(), None).await {
        Ok(g) => g,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let trainings = match crate::kit::page::unless_forbidden(state.app.trainings(s.actor()).await) {
        Ok(t) => t,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    render(&GuardsPage {
        p: Chrome::signed(s, "/crossings"),
        title: s.lang.t("guards.title"),
        guards,
        trainings,
        can_manage: s.actor().org.as_ref().is_some_and(|o| o.kind == "railway_operator"),
        errors,
        idempotency_key: uuid::Uuid::new_v4().to_string(),
    })
}

async fn guards(State(state): State<AppState>, s: Signed) -> Response {
    guards_page(&state, &s, Vec::new()).await
}

/// The guards' roster with certificates and this quarter's training, as .xlsx.
async fn guards_xlsx(State(state): State<AppState>, s: Signed) -> Response {
    let guards = match state.app.guard_views(s.actor(), None).await {
        Ok(g) => g,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let zh = crate::i18n::Lang::Zh;
    let rows: Vec<Vec<Cell>> = guards
        .iter()
        .map(|g| {
            vec![
                Cell::Text(g.guard.name.clone()),
                Cell::Text(g.certificate.as_ref().map(|c| c.number.clone()).unwrap_or_default()),
                Cell::Text(g.certificate.as_ref().map(|c| c.expires.clone()).unwrap_or_default()),
                Cell::Text(zh.t(crate::kit::page::key("cert", g.cert_status.as_str())).to_owned()),
                Cell::Number(g.trained_this_quarter as f64),
            ]
        })
        .collect();
    crate::sheets::table_response(
        s.lang,
        &crate::sheets::head(&state, s.actor(), None).await,
        crate::sheets::zh("sheet.guards.file"),
        crate::sheets::zh("guards.guard"),
        &crate::sheets::zh_all(&[
            "guards.guard",
            "guards.certificate",
            "guards.expires",
            "guards.status",
            "guards.trained",
        ]),
        &[12.0, 16.0, 12.0, 10.0, 14.0],
        &rows,
    )
}

#[derive(Deserialize)]
struct GuardForm {
    _csrf: String,
    name: String,
    certificate_no: String,
    issued: String,
    expires: String,
    #[serde(default)]
    idempotency_key: String,
}

async fn add_guard(State(state): State<AppState>, s: Signed, Form(f): Form<GuardForm>) -> Response {
    if let Some(r) = csrf_refusal(&s.ctx, &f._csrf, s.lang) {
        return r;
    }
    let input = GuardInput { name: f.name, certificate_no: f.certificate_no, issued: f.issued, expires: f.expires };
    let key = Some(f.idempotency_key.as_str()).filter(|k| !k.is_empty());
    match state.app.add_guard(s.actor(), input, key).await {
        Ok(_) => Redirect::to("/guards").into_response(),
        Err(e) => {
            let (status, _) = crate::error::status_and_code(&e);
            (status, guards_page(&state, &s, field_messages(s.lang, &e)).await).into_response()
        }
    }
}

#[derive(Deserialize)]
struct RenewForm {
    _csrf: String,
    certificate_no: String,
    issued: String,
    expires: String,
}

async fn renew(State(state): State<AppState>, s: Signed, Path(id): Path<i64>, Form(f): Form<RenewForm>) -> Response {
    if let Some(r) = csrf_refusal(&s.ctx, &f._csrf, s.lang) {
        return r;
    }
    match state.app.renew_certificate(s.actor(), id, &f.certificate_no, &f.issued, &f.expires).await {
        Ok(_) => Redirect::to("/guards").into_response(),
        Err(e) => {
            let (status, _) = crate::error::status_and_code(&e);
            (status, guards_page(&state, &s, field_messages(s.lang, &e)).await).into_response()
        }
    }
}

async fn training(State(state): State<AppState>, s: Signed, form: axum::extract::Multipart) -> Response {
    let mut fields: Vec<(String, Vec<u8>)> = Vec::new();
    let mut form = form;
    loop {
        match form.next_field().await {
            Ok(Some(f)) => {
                let name = f.name().unwrap_or("").to_owned();
                match f.bytes().await {
                    Ok(b) => fields.push((name, b.to_vec())),
                    Err(_) => {
                        return (
                            StatusCode::PAYLOAD_TOO_LARGE,
                            guards_page(&state, &s, vec![s.lang.code_message("too_large").into()]).await,
                        )
                            .into_response()
                    }
                }
            }
            Ok(None) => break,
            Err(_) => {
                return (
                    StatusCode::PAYLOAD_TOO_LARGE,
                    guards_page(&state, &s, vec![s.lang.code_message("too_large").into()]).await,
                )
                    .into_response()
            }
        }
    }
    let text = |n: &str| {
        fields
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| String::from_utf8_lossy(v).trim().to_owned())
            .unwrap_or_default()
    };
    if let Some(r) = csrf_refusal(&s.ctx, &text("_csrf"), s.lang) {
        return r;
    }
    // Attendees are a repeated checkbox; photos one or more files.
    let attendees = fields
        .iter()
        .filter(|(k, _)| k == "attendee")
        .filter_map(|(_, v)| String::from_utf8_lossy(v).parse().ok())
        .collect();
    let photos = fields.iter().filter(|(k, v)| k == "photo" && !v.is_empty()).map(|(_, v)| v.clone()).collect();
    let input = TrainingInput {
        kind: text("kind"),
        held_on: text("held_on"),
        topic: text("topic"),
        scenario: text("scenario"),
        result: text("result"),
        attendees,
    };
    let key = text("idempotency_key");
    match state.app.record_training(s.actor(), input, photos, Some(key.as_str()).filter(|k| !k.is_empty())).await {
        Ok(_) => Redirect::to("/guards").into_response(),
        Err(e) => {
            let (status, _) = crate::error::status_and_code(&e);
            (status, guards_page(&state, &s, field_messages(s.lang, &e)).await).into_response()
        }
    }
}
