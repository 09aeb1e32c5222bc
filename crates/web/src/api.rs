//! The JSON API under `/api/v1`: the same use cases as the pages, one error shape
//! (`{"error":{"code","message","fields"}}`), keyset pagination (`after` → `next`), and its
//! OpenAPI document at `/api/v1/openapi.json`, composed from the features' own routers.

use crate::error::json_error;
use crate::AppState;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;

// The features' API modules, each under its feature's name: the name tags its operations in
// the description.
use crate::account::api as account;
use crate::audit::api as audit;
use crate::bureau_reports::api as bureau_reports;
use crate::campaign::api as campaign;
use crate::campaign::board_api as campaign_board;
use crate::checklists::api as checklists;
use crate::cockpit::api as cockpit;
use crate::crossings::api as crossings;
use crate::fundamentals::api as fundamentals;
use crate::hazards::api as hazards;
use crate::inspections::api as inspections;
use crate::ledgers::api as ledgers;
use crate::liaison::api as liaison;
use crate::notifications::api as notifications;
use crate::obligations::api as obligations;
use crate::orgs::api as orgs;
use crate::points::api as points;
use crate::safety_test::api as safety_test;
use crate::tips::api as tips;
use crate::typical_cases::api as typical_cases;
use crate::users::api as users;
use crate::warehouses::api as warehouses;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
        .merge(account::router())
        .merge(orgs::router())
        .merge(users::router())
        .merge(campaign::router())
        .merge(audit::router())
        .merge(points::router())
        .merge(inspections::router())
        .merge(crate::hazards::supervision::api_router())
        .merge(crate::papers::api_router())
        .merge(hazards::router())
        .merge(typical_cases::router())
        .merge(ledgers::router())
        .merge(checklists::router())
        .merge(cockpit::router())
        .merge(bureau_reports::router())
        .merge(obligations::router())
        .merge(campaign_board::router())
        .merge(liaison::router())
        .merge(notifications::router())
        .merge(crossings::router())
        .merge(safety_test::router())
        .merge(fundamentals::router())
        .merge(tips::router())
        .merge(warehouses::router())
        .fallback(|| async { json_error(StatusCode::NOT_FOUND, "not_found", "no such endpoint".into(), Vec::new()) })
}

#[derive(OpenApi)]
#[openapi(
    info(title = "anjian API", version = "1", description = "安监 work-safety supervision platform. Authenticate with `Authorization: Bearer <personal access token>`, or with the session cookie plus an `X-CSRF-Token` header on writes."),
    paths(
        account::me, account::jurisdictions, account::list_tokens, account::create_token, account::revoke_token,
        orgs::list, orgs::count, orgs::get_one, orgs::sites, orgs::create, orgs::rename,
        users::list, users::get_one, users::create, users::reset_password, users::pending_requests, users::approve,
        users::refuse, users::set_signing_secret,
        campaign::campaign,
        checklists::list, checklists::create, checklists::get_one, checklists::revise, checklists::export, checklists::import,
        audit::list,
        points::list_points, points::add_point, points::coverage, points::import_points,
        inspections::record_inspection, inspections::list_inspections, inspections::get_inspection,
        hazards::report_hazard, hazards::list_hazards, hazards::export_hazards, hazards::import_hazards, hazards::get_hazard, hazards::act, hazards::set_deadline, crate::hazards::supervision::api_get, crate::hazards::supervision::api_step, crate::hazards::supervision::api_list, crate::papers::api_list, crate::papers::api_issue, crate::papers::api_get, crate::papers::api_docx, hazards::add_photo, hazards::get_attachment, typical_cases::mark_typical_case, typical_cases::list_typical_cases,
        ledgers::draft_ledger, ledgers::sign_ledger, ledgers::list_ledgers, ledgers::get_ledger,
        cockpit::cockpit, bureau_reports::bureau_report, bureau_reports::save_bureau_report, bureau_reports::bureau_report_docx, obligations::mine, obligations::of_org, obligations::detail, obligations::matrix, obligations::overdue, obligations::overdue_xlsx,
        campaign_board::board, campaign_board::report_task, liaison::leaders, liaison::liaison_report,
        liaison::save_liaison_report, liaison::liaison_docx, liaison::list_analyses, liaison::record_analysis,
        notifications::notifications, notifications::read,
        crossings::list, crossings::export, crossings::one, crossings::check, crossings::import, crossings::guards, crossings::add_guard,
        crossings::renew, crossings::shift, crossings::trainings, crossings::add_training,
        safety_test::import, safety_test::start, safety_test::sitting, safety_test::answer, safety_test::submit,
        safety_test::results, safety_test::results_xlsx, safety_test::level, safety_test::supervision, safety_test::notice,
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
