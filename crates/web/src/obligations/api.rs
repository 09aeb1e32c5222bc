//! Obligations over the API: mine, an organisation's, one instance, the compliance matrix and the overdue list (also as .xlsx).

use crate::auth::ApiActor;
use crate::error::{ApiError, ErrorBody};
use crate::kit::api::{ApiPath, ApiQuery, PlaceParams};
use crate::AppState;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/obligations/mine", get(mine))
        .route("/orgs/{id}/obligations", get(of_org))
        .route("/obligations/{rule}/{subject}/{window}", get(detail))
        .route("/compliance/matrix", get(matrix))
        .route("/compliance/overdue", get(overdue))
        .route("/compliance/overdue.xlsx", get(overdue_xlsx))
}

/// This period's and the overdue obligations of everything the caller answers for.
#[utoipa::path(get, path = "/api/v1/obligations/mine", responses((status = 200, body = anjian_app::obligations::MyObligations, description = "MyObligations: current[], overdue[], overdue_total")))]
pub async fn mine(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<anjian_app::obligations::MyObligations>, ApiError> {
    crate::kit::api::json_of(s.app.my_obligations(&a).await?)
}

/// An organisation's obligations and its people's (a bureau drilling down, or the organisation).
#[utoipa::path(get, path = "/api/v1/orgs/{id}/obligations", params(("id" = i64, Path)), responses((status = 200, body = anjian_app::obligations::MyObligations), (status = 404, body = ErrorBody)))]
pub async fn of_org(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<anjian_app::obligations::MyObligations>, ApiError> {
    crate::kit::api::json_of(s.app.org_obligations(&a, id).await?)
}

/// One obligation instance (rule id, subject `org-12` / `user-5` / `leader-director`, window
/// index) with the records that count toward it and the targets still short.
#[utoipa::path(get, path = "/api/v1/obligations/{rule}/{subject}/{window}",
    params(("rule" = String, Path), ("subject" = String, Path), ("window" = usize, Path)),
    responses((status = 200, body = anjian_app::obligations::ObligationDetail), (status = 404, body = ErrorBody)))]
pub async fn detail(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath((rule, subject, window)): ApiPath<(String, String, usize)>,
) -> Result<Json<anjian_app::obligations::ObligationDetail>, ApiError> {
    crate::kit::api::json_of(s.app.obligation_detail(&a, &rule, &subject, window).await?)
}

/// County × rule (or organisation × rule inside a county): instances to date by status.
#[utoipa::path(get, path = "/api/v1/compliance/matrix", params(PlaceParams), responses((status = 200, body = anjian_app::obligations::Matrix), (status = 403, body = ErrorBody)))]
pub async fn matrix(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(p): ApiQuery<PlaceParams>,
) -> Result<Json<anjian_app::obligations::Matrix>, ApiError> {
    crate::kit::api::json_of(s.app.compliance_matrix(&a, p.jurisdiction_id).await?)
}

/// Every overdue instance inside the caller's jurisdiction, newest first.
#[utoipa::path(get, path = "/api/v1/compliance/overdue", params(PlaceParams), responses((status = 200, body = [anjian_app::obligations::ObligationView]), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn overdue(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(p): ApiQuery<PlaceParams>,
) -> Result<Json<Vec<anjian_app::obligations::ObligationView>>, ApiError> {
    crate::kit::api::json_of(s.app.overdue_obligations(&a, p.jurisdiction_id, p.rule.as_deref()).await?)
}

/// The overdue list as .xlsx, with the same filters.
#[utoipa::path(get, path = "/api/v1/compliance/overdue.xlsx", params(PlaceParams), responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>), (status = 403, body = ErrorBody)))]
pub async fn overdue_xlsx(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(p): ApiQuery<PlaceParams>,
) -> Result<Response, ApiError> {
    let list = s.app.overdue_obligations(&a, p.jurisdiction_id, p.rule.as_deref()).await?;
    Ok(crate::sheets::xlsx_response(
        crate::obligations::pages::overdue_sheet(&crate::sheets::head(&s, &a, None).await, &list)?,
        crate::sheets::zh("sheet.overdue.file"),
    ))
}
