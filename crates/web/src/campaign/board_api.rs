//! The task board and progress reports over the API.

use crate::auth::ApiActor;
use crate::error::{ApiError, ErrorBody};
use crate::kit::api::{ApiJson, ApiPath};
use crate::AppState;
use anjian_app::tasks::ReportInput;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new().route("/campaign/board", get(board)).route("/campaign/tasks/{no}/reports", post(report_task))
}

/// The 20 tasks with status, reports and their rules' compliance; the phases and today's phase.
#[utoipa::path(get, path = "/api/v1/campaign/board", responses((status = 200, body = anjian_app::tasks::CampaignBoard), (status = 403, body = ErrorBody)))]
pub async fn board(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<anjian_app::tasks::CampaignBoard>, ApiError> {
    crate::kit::api::json_of(s.app.campaign_board(&a).await?)
}

#[derive(Deserialize, ToSchema)]
pub struct TaskReportBody {
    /// `in_progress` or `done` (a continuous task is never done); `closed` by a bureau head, the
    /// body giving the reason, closes a task whose rules fall short.
    pub progress: String,
    pub body: String,
}

/// A progress report on a task, for this month. Photos go through the page form.
#[utoipa::path(post, path = "/api/v1/campaign/tasks/{no}/reports", params(("no" = u32, Path), ("Idempotency-Key" = Option<String>, Header)),
    request_body = TaskReportBody, responses((status = 201, body = anjian_domain::report::TaskReport), (status = 422, body = ErrorBody)))]
pub async fn report_task(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    headers: HeaderMap,
    ApiPath(no): ApiPath<u32>,
    ApiJson(b): ApiJson<TaskReportBody>,
) -> Result<(StatusCode, Json<anjian_domain::report::TaskReport>), ApiError> {
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok());
    let c =
        s.app.report_task_progress(&a, no, ReportInput { progress: b.progress, body: b.body }, Vec::new(), key).await?;
    Ok((if c.replayed { StatusCode::OK } else { StatusCode::CREATED }, crate::kit::api::json_of(c.value)?))
}
