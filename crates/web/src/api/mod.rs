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
        users::list, users::get_one, users::create, users::reset_password, users::pending_requests, users::approve,
        users::refuse, users::set_signing_secret,
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
    modifiers(&Security, &CommonErrors),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct Security;

/// The errors any operation may answer, in the one error shape, added to every operation that
/// does not describe them itself: a body, query or path it cannot read (400), no or a spent
/// token (401), a role that may not (403), an object outside the caller's scope (404), a body too
/// large (413) or of another type (415), invalid input (422), too many attempts (429), the
/// database away (503) or the disk full (507). A generated client then knows every answer.
struct CommonErrors;

impl utoipa::Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        const COMMON: &[(&str, &str)] = &[
            ("400", "The body, query or path could not be read"),
            ("401", "Not signed in, or the token is spent"),
            ("403", "The caller's role may not do this"),
            ("404", "Not there, or outside the caller's scope"),
            ("413", "The body is too large"),
            ("415", "The body is not of the type the operation takes"),
            ("422", "Invalid input; `fields` names each problem"),
            ("429", "Too many attempts from this client"),
            ("503", "The database is unavailable for a moment"),
            ("507", "The server's storage is full; nothing was saved"),
        ];
        for item in openapi.paths.paths.values_mut() {
            let ops = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
                &mut item.head,
                &mut item.options,
                &mut item.trace,
            ];
            for op in ops.into_iter().flatten() {
                for (status, description) in COMMON {
                    op.responses.responses.entry((*status).to_owned()).or_insert_with(|| {
                        ResponseBuilder::new()
                            .description(*description)
                            .content(
                                "application/json",
                                ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build(),
                            )
                            .build()
                            .into()
                    });
                }
            }
        }
    }
}

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

/// A JSON body read into `T`. Text holding a NUL character (`\u0000`) is refused with 422
/// before anything is stored: PostgreSQL cannot keep it in text, and on SQLite it would cut
/// strings short wherever C reads them.
pub struct ApiJson<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Rejection;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let json = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.split(';').next().is_some_and(|m| m.trim().ends_with("json")));
        if !json {
            return Err(reject(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Expected request with `Content-Type: application/json`".into(),
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state).await.map_err(|e| {
            let status = e.status();
            let code = if status == StatusCode::PAYLOAD_TOO_LARGE { "too_large" } else { "bad_request" };
            Rejection(json_error(status, code, e.body_text(), Vec::new()))
        })?;
        if holds_nul(&bytes) {
            return Err(Rejection(json_error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                "text may not contain the NUL character".into(),
                vec![crate::error::FieldProblem { field: "body".into(), code: "nul_character".into() }],
            )));
        }
        axum::Json::<T>::from_bytes(&bytes).map(|axum::Json(v)| ApiJson(v)).map_err(Rejection::from)
    }
}

/// Whether JSON text escapes a NUL character: `\u0000` behind an odd run of backslashes (an
/// even run is an escaped backslash followed by the letters `u0000`).
fn holds_nul(body: &[u8]) -> bool {
    body.windows(6).enumerate().any(|(i, w)| {
        w[0] == b'\\'
            && w[1..].eq_ignore_ascii_case(b"u0000")
            && body[..i].iter().rev().take_while(|b| **b == b'\\').count() % 2 == 0
    })
}

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(Rejection))]
pub struct ApiQuery<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(Rejection))]
pub struct ApiPath<T>(pub T);

/// An answer as its typed JSON body (its schema is in the API description).
pub fn json_of<T: serde::Serialize>(v: T) -> Result<Json<T>, crate::error::ApiError> {
    Ok(Json(v))
}

/// The `Idempotency-Key` header of a create from a phone.
pub fn idempotency_key(h: &axum::http::HeaderMap) -> Option<&str> {
    h.get("idempotency-key").and_then(|v| v.to_str().ok())
}

/// Page size: 50 unless asked, at most 200.
pub fn limit(asked: Option<u64>) -> u64 {
    asked.unwrap_or(50).clamp(1, 200)
}

/// The most rows a page may ask for.
pub const MAX_PAGE: u64 = 200;

/// A page size as the query gives it: 1 to 200, or the query is refused (400) rather than
/// quietly clamped, as the API's description says.
pub fn page_limit<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    use serde::Deserialize;
    // Query values arrive as text.
    let text = Option::<String>::deserialize(d)?;
    let Some(text) = text.filter(|t| !t.is_empty()) else { return Ok(None) };
    match text.parse::<u64>() {
        Ok(n) if (1..=MAX_PAGE).contains(&n) => Ok(Some(n)),
        _ => Err(serde::de::Error::custom(format!("limit must be a whole number from 1 to {MAX_PAGE}"))),
    }
}

/// A code from a query (a state, a channel …) parsed into its domain type: empty means "any",
/// an unknown code is the caller's error (422 on the API, a message on a page), never "any".
pub fn code<T: std::str::FromStr>(field: &str, v: Option<&str>) -> Result<Option<T>, anjian_app::AppError> {
    match v.filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|_| anjian_app::AppError::invalid(field, "invalid_kind")),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;
    use utoipa::OpenApi;

    fn description() -> Value {
        serde_json::to_value(super::ApiDoc::openapi()).unwrap()
    }

    /// The contract as a client generator reads it. Any change to a request, a response or an
    /// error shows in review as a change of `snapshots/…openapi.snap` (`cargo insta review`).
    #[test]
    fn the_api_description_is_the_reviewed_one() {
        insta::assert_json_snapshot!("openapi", description());
    }

    /// A schema that says nothing about its fields: `{}`, `{"type": "object"}` with no properties.
    fn is_bare(schema: &Value) -> bool {
        match schema {
            Value::Object(o) if o.contains_key("$ref") => false,
            Value::Object(o) => {
                let items_bare = o.get("items").is_some_and(is_bare);
                let no_fields = o.get("type").and_then(Value::as_str).is_none_or(|t| t == "object")
                    && !o.contains_key("properties")
                    && !o.contains_key("oneOf")
                    && !o.contains_key("allOf")
                    && !o.contains_key("enum");
                items_bare || (no_fields && !o.contains_key("items"))
            }
            _ => true,
        }
    }

    #[test]
    fn every_json_body_has_a_typed_schema() {
        let doc = description();
        let mut bare = Vec::new();
        for (path, ops) in doc["paths"].as_object().unwrap() {
            for (method, op) in ops.as_object().unwrap() {
                let request = op.pointer("/requestBody/content/application~1json/schema");
                let responses = op["responses"].as_object().into_iter().flatten().filter_map(|(status, r)| {
                    r.pointer("/content/application~1json/schema").map(|s| (status.as_str(), s))
                });
                for (what, schema) in request.map(|s| ("request", s)).into_iter().chain(responses) {
                    if is_bare(schema) {
                        bare.push(format!("{method} {path} {what}"));
                    }
                }
            }
        }
        assert!(bare.is_empty(), "bodies with no schema (a client cannot be generated): {bare:#?}");
        // Every named schema a body refers to is described.
        let text = doc.to_string();
        for name in text.split("\"#/components/schemas/").skip(1).filter_map(|s| s.split('"').next()) {
            assert!(doc["components"]["schemas"].get(name).is_some(), "{name} is referred to but not described");
        }
    }

    /// `items` must be one schema: a tuple field described as a list of schemas makes the whole
    /// description invalid for OpenAPI 3.1 tools (schemathesis refused the cockpit for it).
    #[test]
    fn every_array_schema_has_one_item_schema() {
        fn walk(v: &Value, at: &str, bad: &mut Vec<String>) {
            match v {
                Value::Object(o) => {
                    if o.get("items").is_some_and(Value::is_array) {
                        bad.push(at.to_owned());
                    }
                    for (k, v) in o {
                        walk(v, &format!("{at}/{k}"), bad);
                    }
                }
                Value::Array(a) => a.iter().enumerate().for_each(|(i, v)| walk(v, &format!("{at}/{i}"), bad)),
                _ => {}
            }
        }
        let mut bad = Vec::new();
        walk(&description(), "", &mut bad);
        assert!(bad.is_empty(), "array schemas with a list of item schemas: {bad:#?}");
    }

    #[test]
    fn a_bare_object_is_recognised() {
        assert!(is_bare(&serde_json::json!({"type": "object"})));
        assert!(is_bare(&serde_json::json!({})));
        assert!(is_bare(&serde_json::json!({"type": "array", "items": {"type": "object"}})));
        assert!(!is_bare(&serde_json::json!({"$ref": "#/components/schemas/Hazard"})));
        assert!(!is_bare(&serde_json::json!({"type": "array", "items": {"$ref": "#/components/schemas/Tip"}})));
    }
}
