//! The JSON API under `/api/v1`: the same use cases as the pages, one error shape
//! (`{"error":{"code","message","fields"}}`), keyset pagination (`after` → `next`), and its
//! OpenAPI document at `/api/v1/openapi.json`, composed from the features' own routers.

use crate::error::json_error;
use crate::AppState;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
        .merge(crate::account::api::router())
        .merge(crate::orgs::api::router())
        .merge(crate::users::api::router())
        .merge(crate::campaign::api::router())
        .merge(crate::audit::api::router())
        .merge(crate::points::api::router())
        .merge(crate::inspections::api::router())
        .merge(crate::hazards::api::router())
        .merge(crate::typical_cases::api::router())
        .merge(crate::ledgers::api::router())
        .merge(crate::checklists::api::router())
        .merge(crate::cockpit::api::router())
        .merge(crate::bureau_reports::api::router())
        .merge(crate::obligations::api::router())
        .merge(crate::campaign::board_api::router())
        .merge(crate::liaison::api::router())
        .merge(crate::notifications::api::router())
        .merge(crate::crossings::api::router())
        .merge(crate::safety_test::api::router())
        .merge(crate::fundamentals::api::router())
        .merge(crate::tips::api::router())
        .merge(crate::warehouses::api::router())
        .fallback(|| async { json_error(StatusCode::NOT_FOUND, "not_found", "no such endpoint".into(), Vec::new()) })
}

#[derive(OpenApi)]
#[openapi(
    info(title = "anjian API", version = "1", description = "安监 work-safety supervision platform. Authenticate with `Authorization: Bearer <personal access token>`, or with the session cookie plus an `X-CSRF-Token` header on writes."),
    paths(
        crate::account::api::me, crate::account::api::jurisdictions, crate::account::api::list_tokens, crate::account::api::create_token, crate::account::api::revoke_token,
        crate::orgs::api::list, crate::orgs::api::count, crate::orgs::api::get_one, crate::orgs::api::sites, crate::orgs::api::create, crate::orgs::api::rename,
        crate::users::api::list, crate::users::api::get_one, crate::users::api::create, crate::users::api::reset_password, crate::users::api::pending_requests, crate::users::api::approve,
        crate::users::api::refuse, crate::users::api::set_signing_secret,
        crate::campaign::api::campaign,
        crate::checklists::api::list, crate::checklists::api::create, crate::checklists::api::get_one, crate::checklists::api::revise, crate::checklists::api::export, crate::checklists::api::import,
        crate::audit::api::list,
        crate::points::api::list_points, crate::points::api::add_point, crate::points::api::coverage, crate::points::api::import_points,
        crate::inspections::api::record_inspection, crate::inspections::api::list_inspections, crate::inspections::api::get_inspection,
        crate::hazards::api::report_hazard, crate::hazards::api::list_hazards, crate::hazards::api::export_hazards, crate::hazards::api::import_hazards, crate::hazards::api::get_hazard, crate::hazards::api::act, crate::hazards::api::add_photo, crate::hazards::api::get_attachment, crate::typical_cases::api::mark_typical_case, crate::typical_cases::api::list_typical_cases,
        crate::ledgers::api::draft_ledger, crate::ledgers::api::sign_ledger, crate::ledgers::api::list_ledgers, crate::ledgers::api::get_ledger,
        crate::cockpit::api::cockpit, crate::bureau_reports::api::bureau_report, crate::bureau_reports::api::save_bureau_report, crate::bureau_reports::api::bureau_report_docx, crate::obligations::api::mine, crate::obligations::api::of_org, crate::obligations::api::detail, crate::obligations::api::matrix, crate::obligations::api::overdue, crate::obligations::api::overdue_xlsx,
        crate::campaign::board_api::board, crate::campaign::board_api::report_task, crate::liaison::api::leaders, crate::liaison::api::liaison_report,
        crate::liaison::api::save_liaison_report, crate::liaison::api::liaison_docx, crate::liaison::api::list_analyses, crate::liaison::api::record_analysis,
        crate::notifications::api::notifications, crate::notifications::api::read,
        crate::crossings::api::list, crate::crossings::api::export, crate::crossings::api::one, crate::crossings::api::check, crate::crossings::api::import, crate::crossings::api::guards, crate::crossings::api::add_guard,
        crate::crossings::api::renew, crate::crossings::api::shift, crate::crossings::api::trainings, crate::crossings::api::add_training,
        crate::safety_test::api::import, crate::safety_test::api::start, crate::safety_test::api::sitting, crate::safety_test::api::answer, crate::safety_test::api::submit,
        crate::safety_test::api::results, crate::safety_test::api::results_xlsx, crate::safety_test::api::level, crate::safety_test::api::supervision, crate::safety_test::api::notice,
        crate::fundamentals::api::profile, crate::fundamentals::api::record, crate::fundamentals::api::overview, crate::fundamentals::api::graded, crate::fundamentals::api::powers, crate::fundamentals::api::add_power, crate::fundamentals::api::powers_xlsx,
        crate::tips::api::challenge, crate::tips::api::submit, crate::tips::api::follow, crate::tips::api::reporter_message, crate::tips::api::list, crate::tips::api::stats, crate::tips::api::one, crate::tips::api::assign,
        crate::tips::api::conclude, crate::tips::api::hazard, crate::tips::api::reward, crate::tips::api::decision, crate::tips::api::payment, crate::tips::api::close, crate::tips::api::message, crate::tips::api::reveal,
        crate::warehouses::api::readings, crate::warehouses::api::add_warehouse, crate::warehouses::api::list, crate::warehouses::api::one, crate::warehouses::api::add_sensor, crate::warehouses::api::add_gateway,
        crate::warehouses::api::alarms, crate::warehouses::api::acknowledge, crate::warehouses::api::resolve, crate::warehouses::api::to_hazard, crate::warehouses::api::add_checkpoint, crate::warehouses::api::checkin,
        crate::warehouses::api::patrol, crate::warehouses::api::add_loading, crate::warehouses::api::loadings, crate::warehouses::api::add_facility, crate::warehouses::api::upkeep,
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
