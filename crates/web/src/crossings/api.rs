//! Railway crossings over JSON: the bureau list (and .xlsx), one crossing, the import from
//! Excel, equipment check rounds, guards with certificates and shifts, trainings and drills.

use crate::auth::ApiActor;
use crate::error::{ApiError, ErrorBody};
use crate::kit::api::{import_result, read_sheet, ApiJson, ApiPath, ApiQuery, ImportParams, ImportResult};
use crate::AppState;
use anjian_app::crossings::{CheckInput, GuardInput, ShiftInput, TrainingInput};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/crossings", get(list))
        .route("/crossings/export.xlsx", get(export))
        .route("/crossings/{id}", get(one))
        .route("/crossings/{id}/checks", post(check))
        .route(
            "/orgs/{id}/crossings/import",
            post(import).layer(axum::extract::DefaultBodyLimit::max(crate::kit::api::IMPORT_LIMIT)),
        )
        .route("/guards", get(guards).post(add_guard))
        .route("/guards/{id}/certificates", post(renew))
        .route("/guards/{id}/shifts", post(shift))
        .route("/trainings", get(trainings).post(add_training))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CrossingParams {
    pub jurisdiction_id: Option<i64>,
}

/// Every crossing in scope with its last bureau inspection, open equipment faults, overdue
/// equipment, uncertified guards on duty and task-5 coverage.
#[utoipa::path(get, path = "/api/v1/crossings", params(CrossingParams), responses((status = 200, body = [anjian_app::crossings::CrossingRow])))]
pub async fn list(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(p): ApiQuery<CrossingParams>,
) -> Result<Json<Vec<anjian_app::crossings::CrossingRow>>, ApiError> {
    crate::kit::api::json_of(s.app.crossings(&a, p.jurisdiction_id).await?)
}

/// The same list as .xlsx.
#[utoipa::path(get, path = "/api/v1/crossings/export.xlsx", params(CrossingParams),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>)))]
pub async fn export(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(p): ApiQuery<CrossingParams>,
) -> Result<Response, ApiError> {
    let rows = s.app.crossings(&a, p.jurisdiction_id).await?;
    Ok(crate::sheets::xlsx_response(
        crate::crossings::pages::crossings_sheet(&crate::sheets::head(&s, &a, None).await, &rows)?,
        crate::sheets::zh("sheet.crossings.file"),
    ))
}

#[utoipa::path(get, path = "/api/v1/crossings/{id}", params(("id" = i64, Path)), responses((status = 200, body = anjian_app::crossings::CrossingDetail), (status = 404, body = ErrorBody)))]
pub async fn one(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<anjian_app::crossings::CrossingDetail>, ApiError> {
    crate::kit::api::json_of(s.app.crossing(&a, id).await?)
}

/// A round of equipment checks by the operator; a faulty item files a hazard.
#[utoipa::path(post, path = "/api/v1/crossings/{id}/checks", params(("id" = i64, Path), ("Idempotency-Key" = Option<String>, Header)),
    request_body = anjian_app::crossings::CheckInput,
    responses((status = 201, body = anjian_domain::crossing::CrossingCheck), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn check(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<CheckInput>,
) -> Result<(StatusCode, Json<anjian_domain::crossing::CrossingCheck>), ApiError> {
    let c = s.app.record_crossing_check(&a, id, b, crate::kit::api::idempotency_key(&headers)).await?;
    Ok((if c.replayed { StatusCode::OK } else { StatusCode::CREATED }, crate::kit::api::json_of(c.value)?))
}

/// Crossings of an operator from an .xlsx with the columns 名称, 线路, 公里标, 所在县区, 纬度, 经度, 看守点数.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/crossings/import", params(("id" = i64, Path), ImportParams),
    request_body(content = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    responses((status = 200, body = ImportResult), (status = 422, body = ErrorBody)))]
pub async fn import(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ImportParams>,
    body: axum::body::Bytes,
) -> Result<Json<ImportResult>, ApiError> {
    let sheet = read_sheet(&body).await?;
    let out = s.app.import_crossings(&a, id, sheet, q.apply).await?;
    import_result(out, q.apply)
}

/// Guards in scope with their certificate status and this quarter's training.
#[utoipa::path(get, path = "/api/v1/guards", responses((status = 200, body = [anjian_app::crossings::GuardView])))]
pub async fn guards(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<Vec<anjian_app::crossings::GuardView>>, ApiError> {
    crate::kit::api::json_of(s.app.guard_views(&a, None).await?)
}

#[utoipa::path(post, path = "/api/v1/guards", params(("Idempotency-Key" = Option<String>, Header)),
    request_body = anjian_app::crossings::GuardInput,
    responses((status = 201, body = anjian_domain::crossing::Guard), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_guard(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    headers: HeaderMap,
    ApiJson(b): ApiJson<GuardInput>,
) -> Result<(StatusCode, Json<anjian_domain::crossing::Guard>), ApiError> {
    let c = s.app.add_guard(&a, b, crate::kit::api::idempotency_key(&headers)).await?;
    Ok((if c.replayed { StatusCode::OK } else { StatusCode::CREATED }, crate::kit::api::json_of(c.value)?))
}

#[derive(Deserialize, ToSchema)]
pub struct CertificateBody {
    pub certificate_no: String,
    pub issued: String,
    pub expires: String,
}

/// A renewed certificate, kept beside the old one.
#[utoipa::path(post, path = "/api/v1/guards/{id}/certificates", params(("id" = i64, Path)), request_body = CertificateBody,
    responses((status = 201, body = anjian_domain::crossing::Certificate), (status = 422, body = ErrorBody)))]
pub async fn renew(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<CertificateBody>,
) -> Result<(StatusCode, Json<anjian_domain::crossing::Certificate>), ApiError> {
    let c = s.app.renew_certificate(&a, id, &b.certificate_no, &b.issued, &b.expires).await?;
    Ok((StatusCode::CREATED, crate::kit::api::json_of(c)?))
}

/// Puts a guard on duty at a crossing (only with a certificate valid for the whole shift).
#[utoipa::path(post, path = "/api/v1/guards/{id}/shifts", params(("id" = i64, Path)),
    request_body = anjian_app::crossings::ShiftInput,
    responses((status = 201, body = anjian_domain::crossing::Shift), (status = 422, body = ErrorBody)))]
pub async fn shift(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ShiftInput>,
) -> Result<(StatusCode, Json<anjian_domain::crossing::Shift>), ApiError> {
    Ok((StatusCode::CREATED, crate::kit::api::json_of(s.app.assign_shift(&a, id, b).await?)?))
}

#[utoipa::path(get, path = "/api/v1/trainings", responses((status = 200, body = [TrainingRow])))]
pub async fn trainings(State(s): State<AppState>, ApiActor(a): ApiActor) -> Result<Json<Vec<TrainingRow>>, ApiError> {
    crate::kit::api::json_of(
        s.app
            .trainings(&a)
            .await?
            .into_iter()
            .map(|(training, attendees)| TrainingRow { training, attendees })
            .collect(),
    )
}

/// A training session or an emergency drill with its attendees (photos through the page form).
#[utoipa::path(post, path = "/api/v1/trainings", params(("Idempotency-Key" = Option<String>, Header)),
    request_body = anjian_app::crossings::TrainingInput,
    responses((status = 201, body = anjian_domain::crossing::Training), (status = 422, body = ErrorBody)))]
pub async fn add_training(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    headers: HeaderMap,
    ApiJson(b): ApiJson<TrainingInput>,
) -> Result<(StatusCode, Json<anjian_domain::crossing::Training>), ApiError> {
    let c = s.app.record_training(&a, b, Vec::new(), crate::kit::api::idempotency_key(&headers)).await?;
    Ok((if c.replayed { StatusCode::OK } else { StatusCode::CREATED }, crate::kit::api::json_of(c.value)?))
}

/// A training or drill with the guards who attended.
#[derive(serde::Serialize, ToSchema)]
pub struct TrainingRow {
    pub training: anjian_domain::crossing::Training,
    pub attendees: Vec<i64>,
}
