//! The JSON API under `/api/v1`: the same use cases as the pages, one error shape
//! (`{"error":{"code","message","fields"}}`), keyset pagination (`after` → `next`), and its
//! OpenAPI document at `/api/v1/openapi.json`.

mod audit;
mod campaign;
mod campaign_work;
mod checklists;
mod crossings;
mod fundamentals;
mod hazards;
pub use checklists::{import_sheet as import_checklist_sheet, sheet_response as checklist_sheet};
pub use hazards::{
    attachment_response, import_result, parse_action, read_sheet, sheet_code, ImportParams, ImportResult, IMPORT_LIMIT,
};
mod me;
mod orgs;
mod safety_tests;
mod tips;
mod users;
mod warehouses;

use crate::error::json_error;
use crate::AppState;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::FromRequest;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
        .merge(me::router())
        .merge(orgs::router())
        .merge(users::router())
        .merge(campaign::router())
        .merge(audit::router())
        .merge(hazards::router())
        .merge(checklists::router())
        .merge(campaign_work::router())
        .merge(crossings::router())
        .merge(safety_tests::router())
        .merge(fundamentals::router())
        .merge(tips::router())
        .merge(warehouses::router())
        .fallback(|| async { json_error(StatusCode::NOT_FOUND, "not_found", "no such endpoint".into(), Vec::new()) })
}

#[derive(OpenApi)]
#[openapi(
    info(title = "anjian API", version = "1", description = "安监 work-safety supervision platform. Authenticate with `Authorization: Bearer <personal access token>`, or with the session cookie plus an `X-CSRF-Token` header on writes."),
    paths(
        me::me, me::jurisdictions, me::list_tokens, me::create_token, me::revoke_token,
        orgs::list, orgs::count, orgs::get_one, orgs::sites, orgs::create, orgs::rename,
        users::list, users::get_one, users::create, users::reset_password,
        campaign::campaign,
        checklists::list, checklists::create, checklists::get_one, checklists::revise, checklists::export, checklists::import,
        audit::list,
        hazards::list_points, hazards::add_point, hazards::coverage, hazards::import_points,
        hazards::record_inspection, hazards::list_inspections, hazards::get_inspection,
        hazards::report_hazard, hazards::list_hazards, hazards::export_hazards, hazards::import_hazards, hazards::get_hazard, hazards::act, hazards::add_photo, hazards::get_attachment, hazards::mark_typical_case, hazards::list_typical_cases,
        hazards::draft_ledger, hazards::sign_ledger, hazards::list_ledgers, hazards::get_ledger,
        campaign_work::cockpit, campaign_work::bureau_report, campaign_work::save_bureau_report, campaign_work::bureau_report_docx, campaign_work::mine, campaign_work::of_org, campaign_work::detail, campaign_work::matrix, campaign_work::overdue, campaign_work::overdue_xlsx,
        campaign_work::board, campaign_work::report_task, campaign_work::leaders, campaign_work::liaison_report,
        campaign_work::save_liaison_report, campaign_work::liaison_docx, campaign_work::list_analyses, campaign_work::record_analysis,
        campaign_work::notifications, campaign_work::read,
        crossings::list, crossings::export, crossings::one, crossings::check, crossings::import, crossings::guards, crossings::add_guard,
        crossings::renew, crossings::shift, crossings::trainings, crossings::add_training,
        safety_tests::import, safety_tests::start, safety_tests::sitting, safety_tests::answer, safety_tests::submit,
        safety_tests::results, safety_tests::results_xlsx, safety_tests::level, safety_tests::supervision, safety_tests::notice,
        fundamentals::profile, fundamentals::record, fundamentals::overview, fundamentals::graded, fundamentals::powers, fundamentals::add_power, fundamentals::powers_xlsx,
        tips::challenge, tips::submit, tips::follow, tips::reporter_message, tips::list, tips::stats, tips::one, tips::assign,
        tips::conclude, tips::hazard, tips::reward, tips::decision, tips::payment, tips::close, tips::message, tips::reveal,
        warehouses::readings, warehouses::add_warehouse, warehouses::list, warehouses::one, warehouses::add_sensor, warehouses::add_gateway,
        warehouses::alarms, warehouses::acknowledge, warehouses::resolve, warehouses::to_hazard, warehouses::add_checkpoint, warehouses::checkin,
        warehouses::patrol, warehouses::add_loading, warehouses::loadings, warehouses::add_facility, warehouses::upkeep,
    ),
    components(schemas(crate::error::ErrorBody, crate::error::ErrorDetail, crate::error::FieldProblem)),
    modifiers(&Security),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let c = openapi.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// A body, query or path the API could not read, as the one error shape.
pub struct Rejection(Response);

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        self.0
    }
}

fn reject(status: StatusCode, text: String) -> Rejection {
    // axum's rejection texts name the problem (a missing field, a wrong type), not internals.
    Rejection(json_error(status, "bad_request", text, Vec::new()))
}

impl From<JsonRejection> for Rejection {
    fn from(r: JsonRejection) -> Self {
        // A body past the limit says so (413), rather than passing for malformed JSON.
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return Rejection(json_error(StatusCode::PAYLOAD_TOO_LARGE, "too_large", r.body_text(), Vec::new()));
        }
        reject(StatusCode::BAD_REQUEST, r.body_text())
    }
}
impl From<QueryRejection> for Rejection {
    fn from(r: QueryRejection) -> Self {
        reject(StatusCode::BAD_REQUEST, r.body_text())
    }
}
impl From<PathRejection> for Rejection {
    fn from(r: PathRejection) -> Self {
        reject(StatusCode::BAD_REQUEST, r.body_text())
    }
}

#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(Rejection))]
pub struct ApiJson<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(Rejection))]
pub struct ApiQuery<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(Rejection))]
pub struct ApiPath<T>(pub T);

/// Any serialisable answer as a JSON body.
pub fn json_of<T: serde::Serialize>(v: &T) -> Result<Json<serde_json::Value>, crate::error::ApiError> {
    Ok(Json(serde_json::to_value(v).map_err(|e| anjian_app::AppError::Internal(e.to_string()))?))
}

/// The `Idempotency-Key` header of a create from a phone.
pub fn idempotency_key(h: &axum::http::HeaderMap) -> Option<&str> {
    h.get("idempotency-key").and_then(|v| v.to_str().ok())
}

/// Page size: 50 unless asked, at most 200.
pub fn limit(asked: Option<u64>) -> u64 {
    asked.unwrap_or(50).clamp(1, 200)
}
