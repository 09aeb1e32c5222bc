//! Inspection points and self-inspection coverage over the API.

use crate::auth::ApiActor;
use crate::error::{ApiError, ErrorBody};
use crate::kit::api::{
    import_result, read_sheet, ApiJson, ApiPath, ApiQuery, ImportParams, ImportResult, IMPORT_LIMIT,
};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orgs/{id}/points", get(list_points).post(add_point))
        .route("/orgs/{id}/self-inspection-coverage", get(coverage))
        .route(
            "/orgs/{id}/points/import",
            post(import_points).layer(axum::extract::DefaultBodyLimit::max(IMPORT_LIMIT)),
        )
}

#[derive(Serialize, ToSchema)]
pub struct PointDto {
    pub id: i64,
    pub uid: String,
    /// `unit` (单元), `process` (环节), `post` (岗位) or `location` (部位).
    pub kind: String,
    pub name: String,
}

#[derive(Deserialize, ToSchema)]
pub struct NewPoint {
    pub kind: String,
    pub name: String,
}

#[utoipa::path(get, path = "/api/v1/orgs/{id}/points", params(("id" = i64, Path)), responses((status = 200, body = Vec<PointDto>), (status = 404, body = ErrorBody)))]
pub async fn list_points(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<PointDto>>, ApiError> {
    let p = s.app.points_of(&a, id).await?;
    Ok(Json(p.into_iter().map(|p| PointDto { id: p.id, uid: p.uid, kind: p.kind, name: p.name }).collect()))
}

#[utoipa::path(post, path = "/api/v1/orgs/{id}/points", params(("id" = i64, Path)), request_body = NewPoint, responses((status = 201, body = PointDto), (status = 422, body = ErrorBody)))]
pub async fn add_point(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<NewPoint>,
) -> Result<(StatusCode, Json<PointDto>), ApiError> {
    let p = s.app.add_point(&a, id, &b.kind, &b.name).await?;
    Ok((StatusCode::CREATED, Json(PointDto { id: p.id, uid: p.uid, kind: p.kind, name: p.name })))
}

#[derive(Serialize, ToSchema)]
pub struct CoverageDto {
    pub total: usize,
    pub covered: Vec<i64>,
    pub left: Vec<PointDto>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AtParam {
    /// The month containing this instant (default: now).
    pub at: Option<DateTime<Utc>>,
}

#[utoipa::path(get, path = "/api/v1/orgs/{id}/self-inspection-coverage", params(("id" = i64, Path), AtParam), responses((status = 200, body = CoverageDto)))]
pub async fn coverage(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<AtParam>,
) -> Result<Json<CoverageDto>, ApiError> {
    let c = s.app.self_inspection_coverage(&a, id, q.at.unwrap_or_else(|| s.app.clock.now())).await?;
    Ok(Json(CoverageDto {
        total: c.total,
        covered: c.covered,
        left: c.left.into_iter().map(|p| PointDto { id: p.id, uid: p.uid, kind: p.kind, name: p.name }).collect(),
    }))
}

/// Imports inspection points from an .xlsx with the columns 类型 and 名称 (body: the file).
#[utoipa::path(post, path = "/api/v1/orgs/{id}/points/import", params(("id" = i64, Path), ImportParams),
    request_body(content = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    responses((status = 200, body = ImportResult), (status = 422, body = ErrorBody)))]
pub async fn import_points(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ImportParams>,
    body: axum::body::Bytes,
) -> Result<Json<ImportResult>, ApiError> {
    let sheet = read_sheet(&body).await?;
    let out = s.app.import_points(&a, id, sheet, &crate::points::pages::kind_labels(), q.apply).await?;
    import_result(out, q.apply)
}
