//! Checklist templates on a page: what there is, each version as Excel, and uploads of new
//! checklists and revisions.

use crate::auth::{csrf_refusal, Signed};
use crate::error::PageError;
use crate::kit::page::{field_messages, multipart_fields, render, text_field, Chrome};
use crate::AppState;
use anjian_domain::role::Permission;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/checklists", get(page))
        .route("/checklists/export.xlsx", get(index_xlsx))
        .route("/checklists/{id}/export.xlsx", get(export))
        .route(
            "/checklists/import",
            post(import).layer(axum::extract::DefaultBodyLimit::max(crate::kit::api::IMPORT_LIMIT)),
        )
}

#[derive(Template)]
#[template(path = "checklists.html")]
struct Page {
    p: Chrome,
    title: &'static str,
    rows: Vec<(i64, String, String, Vec<i32>)>,
    can_keep: bool,
    default_org: String,
    saved: bool,
    errors: Vec<String>,
}

#[derive(Deserialize, Default)]
struct Q {
    saved: Option<String>,
    version: Option<i32>,
}

async fn render_page(state: &AppState, s: &Signed, saved: bool, errors: Vec<String>) -> Response {
    let actor = s.actor();
    let list = match state.app.list_checklists(actor).await {
        Ok(l) => l,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let names = crate::kit::page::org_names(state, actor, list.iter().map(|(c, _)| c.org_id)).await;
    render(&Page {
        p: Chrome::signed(s, "/inspections"),
        title: s.lang.t("checklists.title"),
        rows: list
            .into_iter()
            .map(|(c, v)| {
                (
                    c.id,
                    c.name,
                    names.get(&c.org_id).cloned().unwrap_or_default(),
                    v.into_iter().map(|v| v.version).collect(),
                )
            })
            .collect(),
        can_keep: actor.role.can(Permission::ManagePoints) || actor.role.is_bureau(),
        default_org: actor.org.as_ref().map(|o| o.id.to_string()).unwrap_or_default(),
        saved,
        errors,
    })
}

async fn page(State(state): State<AppState>, s: Signed, Query(q): Query<Q>) -> Response {
    render_page(&state, &s, q.saved.is_some(), Vec::new()).await
}

/// The index of checklists as an .xlsx: name, whose, versions, the newest and when it was made.
async fn index_xlsx(State(state): State<AppState>, s: Signed) -> Response {
    use anjian_reports::ledger_sheet::Cell;
    let list = match state.app.list_checklists(s.actor()).await {
        Ok(l) => l,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let names = crate::kit::page::org_names(&state, s.actor(), list.iter().map(|(c, _)| c.org_id)).await;
    let rows: Vec<Vec<Cell>> = list
        .into_iter()
        .map(|(c, versions)| {
            let newest = versions.iter().max_by_key(|v| v.version);
            vec![
                Cell::Text(c.name),
                Cell::Text(names.get(&c.org_id).cloned().unwrap_or_default()),
                Cell::Number(versions.len() as f64),
                newest.map_or(Cell::Empty, |v| Cell::Text(format!("v{}", v.version))),
                newest.map_or(Cell::Empty, |v| Cell::DateTime(crate::sheets::local(v.created_at))),
            ]
        })
        .collect();
    crate::sheets::table_response(
        s.lang,
        &crate::sheets::head(&state, s.actor(), None).await,
        crate::sheets::zh("sheet.checklists.file"),
        crate::sheets::zh("checklists.title"),
        &crate::sheets::zh_all(&[
            "checklists.name",
            "users.org",
            "sheet.checklists.versions",
            "sheet.checklists.latest",
            "sheet.checklists.latest_at",
        ]),
        &[30.0, 30.0, 8.0, 10.0, 18.0],
        &rows,
    )
}

async fn export(State(state): State<AppState>, s: Signed, Path(id): Path<i64>, Query(q): Query<Q>) -> Response {
    match state.app.checklist_version(s.actor(), id, q.version).await {
        Ok((c, v, items)) => crate::checklists::api::sheet_response(&c.name, v.version, &items)
            .unwrap_or_else(|e| PageError::new(e, s.lang).into_response()),
        Err(e) => PageError::new(e, s.lang).into_response(),
    }
}

async fn import(State(state): State<AppState>, s: Signed, form: axum::extract::Multipart) -> Response {
    let Some(fields) = multipart_fields(form).await else {
        return crate::kit::page::error_page(s.lang, StatusCode::PAYLOAD_TOO_LARGE, s.lang.code_message("too_large"));
    };
    if let Some(r) = csrf_refusal(&s.ctx, &text_field(&fields, "_csrf"), s.lang) {
        return r;
    }
    // The checklist's owner, by name, code or number; none named: the use case's own default.
    let org_id = match text_field(&fields, "org_id").trim() {
        "" => 0,
        text => match state.app.pick_org(s.actor(), text, "org_id").await {
            Ok(id) => id,
            Err(e) => return crate::error::PageError::new(e, s.lang).into_response(),
        },
    };
    let checklist_id = text_field(&fields, "checklist_id").parse::<i64>().ok();
    let name = text_field(&fields, "name");
    let file = fields.get("file").map_or(&[][..], |v| v.as_slice());
    match crate::checklists::api::import_sheet(&state, s.actor(), org_id, Some(&name), checklist_id, file).await {
        Ok(_) => Redirect::to("/checklists?saved=1").into_response(),
        Err(e) => {
            let (status, _) = crate::error::status_and_code(&e);
            (status, render_page(&state, &s, false, field_messages(s.lang, &e)).await).into_response()
        }
    }
}
