//! Leaders' liaison reports (also as .docx) and bureaus' weekly analyses over the API.

use crate::auth::ApiActor;
use crate::error::{ApiError, ErrorBody};
use crate::kit::api::{ApiJson, ApiPath, ApiQuery, LiaisonReportBody};
use crate::AppState;
use anjian_app::liaison::AnalysisInput;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/liaison/leaders", get(leaders))
        .route("/liaison/reports/{month}", get(liaison_report).put(save_liaison_report))
        .route("/liaison/reports/{month}/export.docx", get(liaison_docx))
        .route("/weekly-analyses", get(list_analyses).post(record_analysis))
}

/// The leaders of 附件1 with assignments, linked accounts and this period's duties.
#[utoipa::path(get, path = "/api/v1/liaison/leaders", responses((status = 200, body = [anjian_app::liaison::LeaderView])))]
pub async fn leaders(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<Vec<anjian_app::liaison::LeaderView>>, ApiError> {
    crate::kit::api::json_of(s.app.liaison_overview(&a).await?)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LeaderParams {
    /// A leader code; the caller's own when absent.
    pub leader: Option<String>,
    /// Export marked 草稿 (a document to circulate before submitting).
    pub draft: Option<bool>,
}

/// A leader's report for a month (`2022-08`): the newest version, or a draft from the records.
#[utoipa::path(get, path = "/api/v1/liaison/reports/{month}", params(("month" = String, Path), LeaderParams), responses((status = 200, body = anjian_app::liaison::ReportState), (status = 403, body = ErrorBody)))]
pub async fn liaison_report(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(month): ApiPath<String>,
    ApiQuery(p): ApiQuery<LeaderParams>,
) -> Result<Json<anjian_app::liaison::ReportState>, ApiError> {
    crate::kit::api::json_of(s.app.liaison_report(&a, p.leader.as_deref(), &month).await?)
}

/// Saves the caller's report as a new version (leaders only); unchanged text is refused.
#[utoipa::path(put, path = "/api/v1/liaison/reports/{month}", params(("month" = String, Path)), request_body = LiaisonReportBody,
    responses((status = 200, body = anjian_domain::report::LiaisonReport), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn save_liaison_report(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(month): ApiPath<String>,
    ApiJson(b): ApiJson<LiaisonReportBody>,
) -> Result<Json<anjian_domain::report::LiaisonReport>, ApiError> {
    crate::kit::api::json_of(s.app.save_liaison_report(&a, &month, &b.body, b.submit).await?)
}

/// The report as .docx.
#[utoipa::path(get, path = "/api/v1/liaison/reports/{month}/export.docx", params(("month" = String, Path), LeaderParams),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document", body = Vec<u8>), (status = 403, body = ErrorBody)))]
pub async fn liaison_docx(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(month): ApiPath<String>,
    ApiQuery(p): ApiQuery<LeaderParams>,
) -> Result<Response, ApiError> {
    let (name, bytes) = s.app.liaison_report_docx(&a, p.leader.as_deref(), &month, p.draft.unwrap_or(false)).await?;
    Ok(crate::sheets::docx_response(bytes, &name))
}

#[utoipa::path(get, path = "/api/v1/weekly-analyses", responses((status = 200, body = [anjian_domain::report::WeeklyAnalysis])))]
pub async fn list_analyses(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<Vec<anjian_domain::report::WeeklyAnalysis>>, ApiError> {
    crate::kit::api::json_of(s.app.weekly_analyses(&a).await?)
}

#[derive(Deserialize, ToSchema)]
pub struct AnalysisBody {
    /// Monday of the week (`2022-08-01`); this week when absent.
    pub week_start: Option<String>,
    pub analysis: String,
    pub arrangements: String,
}

/// Records a weekly analysis and arrangement (分析研判和安排部署) for the caller's bureau.
#[utoipa::path(post, path = "/api/v1/weekly-analyses", params(("Idempotency-Key" = Option<String>, Header)), request_body = AnalysisBody,
    responses((status = 201, body = anjian_domain::report::WeeklyAnalysis), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn record_analysis(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    headers: HeaderMap,
    ApiJson(b): ApiJson<AnalysisBody>,
) -> Result<(StatusCode, Json<anjian_domain::report::WeeklyAnalysis>), ApiError> {
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok());
    let input = AnalysisInput { week_start: b.week_start, analysis: b.analysis, arrangements: b.arrangements };
    let c = s.app.record_weekly_analysis(&a, input, key).await?;
    Ok((if c.replayed { StatusCode::OK } else { StatusCode::CREATED }, crate::kit::api::json_of(c.value)?))
}
