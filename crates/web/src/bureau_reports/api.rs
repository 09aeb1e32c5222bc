//! A bureau's weekly and monthly reports over the API (also as .docx).

use crate::auth::ApiActor;
use crate::error::{ApiError, ErrorBody};
use crate::kit::api::{ApiJson, ApiPath, LiaisonReportBody};
use crate::AppState;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/bureau-reports/{kind}/{period}", get(bureau_report).put(save_bureau_report))
        .route("/bureau-reports/{kind}/{period}/export.docx", get(bureau_report_docx))
}

/// The caller's bureau's `monthly` (`2022-08`) or `weekly` (the Monday, `2022-08-15`) report: the
/// newest version, or a draft from the period's records.
#[utoipa::path(get, path = "/api/v1/bureau-reports/{kind}/{period}", params(("kind" = String, Path), ("period" = String, Path)),
    responses((status = 200, body = anjian_app::bureau_reports::BureauReportState), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn bureau_report(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath((kind, period)): ApiPath<(String, String)>,
) -> Result<Json<anjian_app::bureau_reports::BureauReportState>, ApiError> {
    crate::kit::api::json_of(s.app.bureau_report(&a, &kind, &period).await?)
}

/// Saves the report as a new version (`submit: true` reports it).
#[utoipa::path(put, path = "/api/v1/bureau-reports/{kind}/{period}", params(("kind" = String, Path), ("period" = String, Path)), request_body = LiaisonReportBody,
    responses((status = 200, body = anjian_domain::report::BureauReport), (status = 422, body = ErrorBody)))]
pub async fn save_bureau_report(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath((kind, period)): ApiPath<(String, String)>,
    ApiJson(b): ApiJson<LiaisonReportBody>,
) -> Result<Json<anjian_domain::report::BureauReport>, ApiError> {
    crate::kit::api::json_of(s.app.save_bureau_report(&a, &kind, &period, &b.body, b.submit).await?)
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DraftParams {
    /// Export marked 草稿 (a document to circulate before submitting).
    pub draft: Option<bool>,
}

/// The report as .docx, in the bureau's name, with its chart, 落款 and page numbers.
#[utoipa::path(get, path = "/api/v1/bureau-reports/{kind}/{period}/export.docx", params(("kind" = String, Path), ("period" = String, Path), DraftParams),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document", body = Vec<u8>)))]
pub async fn bureau_report_docx(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath((kind, period)): ApiPath<(String, String)>,
    crate::kit::api::ApiQuery(q): crate::kit::api::ApiQuery<DraftParams>,
) -> Result<Response, ApiError> {
    let (name, bytes) = s.app.bureau_report_docx(&a, &kind, &period, q.draft.unwrap_or(false)).await?;
    Ok(crate::sheets::docx_response(bytes, &name))
}
