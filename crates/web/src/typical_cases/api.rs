//! Typical cases (典型案例) over the API.

use crate::auth::ApiActor;
use crate::error::{ApiError, ErrorBody};
use crate::kit::api::{ApiJson, ApiPath, ApiQuery};
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
        .route("/hazards/{id}/typical-case", post(mark_typical_case))
        .route("/typical-cases", get(list_typical_cases))
}

#[derive(Deserialize, ToSchema)]
pub struct TypicalCaseBody {
    pub title: String,
    pub narrative: String,
}

#[derive(Serialize, ToSchema)]
pub struct TypicalCaseDto {
    pub id: i64,
    pub hazard_id: i64,
    pub org_id: i64,
    pub title: String,
    pub narrative: String,
    pub marked_at: DateTime<Utc>,
}

impl From<anjian_domain::attachment::TypicalCase> for TypicalCaseDto {
    fn from(c: anjian_domain::attachment::TypicalCase) -> Self {
        TypicalCaseDto {
            id: c.id,
            hazard_id: c.hazard_id,
            org_id: c.org_id,
            title: c.title,
            narrative: c.narrative,
            marked_at: c.marked_at,
        }
    }
}

/// A bureau marks a closed major hazard as a typical case (典型案例).
#[utoipa::path(post, path = "/api/v1/hazards/{id}/typical-case", params(("id" = i64, Path)), request_body = TypicalCaseBody,
    responses((status = 201, body = TypicalCaseDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn mark_typical_case(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<TypicalCaseBody>,
) -> Result<(StatusCode, Json<TypicalCaseDto>), ApiError> {
    let c = s.app.mark_typical_case(&a, id, &b.title, &b.narrative).await?;
    Ok((StatusCode::CREATED, Json(c.into())))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodParam {
    /// `YYYY-MM`.
    pub period: String,
}

#[utoipa::path(get, path = "/api/v1/typical-cases", params(PeriodParam), responses((status = 200, body = Vec<TypicalCaseDto>)))]
pub async fn list_typical_cases(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<PeriodParam>,
) -> Result<Json<Vec<TypicalCaseDto>>, ApiError> {
    Ok(Json(s.app.typical_cases(&a, &q.period).await?.into_iter().map(Into::into).collect()))
}
