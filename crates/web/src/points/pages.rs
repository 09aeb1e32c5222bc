//! An organisation's inspection points with printable QR codes, added one by one or from Excel.

use crate::auth::{csrf_refusal, Signed};
use crate::error::PageError;
use crate::i18n::Lang;
use crate::kit::page::{field_messages, key, multipart_fields, render, text_field, Chrome};
use crate::AppState;
use anjian_domain::inspection::PointKind;
use anjian_domain::role::Permission;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new().route("/points", get(page)).route("/points/export.xlsx", get(export)).route(
        "/points/import",
        post(import).layer(axum::extract::DefaultBodyLimit::max(crate::kit::api::IMPORT_LIMIT)),
    )
}

/// The labels a sheet may use for the kind of a point (and the codes themselves).
pub fn kind_labels() -> HashMap<String, String> {
    PointKind::ALL
        .iter()
        .flat_map(|k| {
            [
                (Lang::Zh.t(key("point_kind", k.as_str())).to_owned(), k.as_str().to_owned()),
                (k.as_str().to_owned(), k.as_str().to_owned()),
            ]
        })
        .collect()
}

#[derive(Template)]
#[template(path = "points.html")]
struct Page {
    p: Chrome,
    title: &'static str,
    org_id: i64,
    org_name: String,
    points: Vec<(i64, &'static str, String, String)>,
    can_manage: bool,
    point_kinds: Vec<(&'static str, &'static str)>,
    result: Option<String>,
    result_class: &'static str,
    errors: Vec<String>,
}

#[derive(Deserialize)]
struct Q {
    org_id: Option<i64>,
}

/// Where a scanned code leads: the inspection form for that point on this server.
fn scan_url(headers: &HeaderMap, state: &AppState, org_id: i64, point_id: i64) -> String {
    let (base, _) = state.public_base(headers);
    format!("{base}/inspections/new?org_id={org_id}&point={point_id}")
}

async fn render_page(
    state: &AppState,
    s: &Signed,
    headers: &HeaderMap,
    org_id: Option<i64>,
    result: Option<(String, &'static str)>,
    errors: Vec<String>,
) -> Response {
    let actor = s.actor();
    let Some(org_id) = org_id.or_else(|| actor.org.as_ref().map(|o| o.id)) else {
        return PageError::new(anjian_app::AppError::NotFound, s.lang).into_response();
    };
    let (org, _) = match state.app.get_org(actor, org_id).await {
        Ok(x) => x,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let points = match state.app.points_of(actor, org_id).await {
        Ok(p) => p,
        Err(e) => return PageError::new(e, s.lang).into_response(),
    };
    let (result, result_class) = match result {
        Some((r, c)) => (Some(r), c),
        None => (None, ""),
    };
    render(&Page {
        p: Chrome::signed(s, "/inspections"),
        title: s.lang.t("inspections.points"),
        org_id,
        org_name: org.name,
        points: points
            .into_iter()
            .map(|p| {
                let qr = anjian_reports::qr::svg(&scan_url(headers, state, org_id, p.id), 160).unwrap_or_default();
                // The SVG's XML declaration is not wanted inside HTML.
                let qr = qr.find("<svg").map_or(qr.clone(), |i| qr[i..].to_owned());
                (p.id, key("point_kind", &p.kind), p.name, qr)
            })
            .collect(),
        can_manage: actor.role.can(Permission::ManagePoints),
        point_kinds: PointKind::ALL.iter().map(|k| (k.as_str(), key("point_kind", k.as_str()))).collect(),
        result,
        result_class,
        errors,
    })
}

async fn page(State(state): State<AppState>, s: Signed, headers: HeaderMap, Query(q): Query<Q>) -> Response {
    render_page(&state, &s, &headers, q.org_id, None, Vec::new()).await
}

/// The points as an .xlsx in the import's own columns (类型, 名称): edited and imported again,
/// only the rows added are new.
async fn export(State(state): State<AppState>, s: Signed, Query(q): Query<Q>) -> Response {
    use anjian_reports::ledger_sheet::Cell;
    let Some(org_id) = q.org_id.or_else(|| s.actor().org.as_ref().map(|o| o.id)) else {
        return PageError::new(anjian_app::AppError::NotFound, s.lang).into_response();
    };
    let (org, points) = match (state.app.get_org(s.actor(), org_id).await, state.app.points_of(s.actor(), org_id).await)
    {
        (Ok((org, _)), Ok(points)) => (org, points),
        (Err(e), _) | (_, Err(e)) => return PageError::new(e, s.lang).into_response(),
    };
    let rows: Vec<Vec<Cell>> = points
        .into_iter()
        .map(|p| vec![Cell::Text(Lang::Zh.t(key("point_kind", &p.kind)).to_owned()), Cell::Text(p.name)])
        .collect();
    crate::sheets::table_response(
        s.lang,
        &crate::sheets::head(&state, s.actor(), None).await,
        &crate::i18n::Lang::Zh.fill("sheet.points.file", &[("org", &org.name)]),
        crate::sheets::zh("sheet.points.sheet"),
        &crate::sheets::zh_all(&["orgs.kind", "orgs.name"]),
        &[10.0, 40.0],
        &rows,
    )
}

async fn import(
    State(state): State<AppState>,
    s: Signed,
    headers: HeaderMap,
    form: axum::extract::Multipart,
) -> Response {
    let Some(fields) = multipart_fields(form).await else {
        return crate::kit::page::error_page(s.lang, StatusCode::PAYLOAD_TOO_LARGE, s.lang.code_message("too_large"));
    };
    if let Some(r) = csrf_refusal(&s.ctx, &text_field(&fields, "_csrf"), s.lang) {
        return r;
    }
    let org_id = text_field(&fields, "org_id").parse::<i64>().ok();
    let Some(id) = org_id else {
        return PageError::new(anjian_app::AppError::NotFound, s.lang).into_response();
    };
    let sheet = match crate::sheets::read_upload(fields.get("file").cloned().unwrap_or_default()).await {
        Ok(x) => x,
        Err(e) => {
            let msg = vec![s.lang.code_message(crate::kit::api::sheet_code(&e)).to_owned()];
            return (StatusCode::UNPROCESSABLE_ENTITY, render_page(&state, &s, &headers, org_id, None, msg).await)
                .into_response();
        }
    };
    let apply = fields.contains_key("apply");
    match state.app.import_points(s.actor(), id, sheet, &kind_labels(), apply).await {
        Ok(out) => {
            let (text, class, errors, status) = crate::sheets::import_summary(s.lang, &out);
            (status, render_page(&state, &s, &headers, org_id, Some((text, class)), errors).await).into_response()
        }
        Err(e) => {
            let (status, _) = crate::error::status_and_code(&e);
            (status, render_page(&state, &s, &headers, org_id, None, field_messages(s.lang, &e)).await).into_response()
        }
    }
}
