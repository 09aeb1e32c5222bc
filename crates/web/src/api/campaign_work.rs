//! The campaign's live picture as JSON: my obligations, one obligation's evidence, the
//! compliance matrix, the overdue list (also as .xlsx), the task board and progress reports,
//! liaison reports (also as .docx), weekly analyses and the inbox.

use super::{ApiJson, ApiPath, ApiQuery};
use crate::auth::ApiActor;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use anjian_app::liaison::AnalysisInput;
use anjian_app::tasks::ReportInput;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cockpit", get(cockpit))
        .route("/bureau-reports/{kind}/{period}", get(bureau_report).put(save_bureau_report))
        .route("/bureau-reports/{kind}/{period}/export.docx", get(bureau_report_docx))
        .route("/obligations/mine", get(mine))
        .route("/orgs/{id}/obligations", get(of_org))
        .route("/obligations/{rule}/{subject}/{window}", get(detail))
        .route("/compliance/matrix", get(matrix))
        .route("/compliance/overdue", get(overdue))
        .route("/compliance/overdue.xlsx", get(overdue_xlsx))
        .route("/campaign/board", get(board))
        .route("/campaign/tasks/{no}/reports", post(report_task))
        .route("/liaison/leaders", get(leaders))
        .route("/liaison/reports/{month}", get(liaison_report).put(save_liaison_report))
        .route("/liaison/reports/{month}/export.docx", get(liaison_docx))
        .route("/weekly-analyses", get(list_analyses).post(record_analysis))
        .route("/notifications", get(notifications))
        .route("/notifications/read", post(read))
}

/// The cockpit's figures for the caller's jurisdiction (or one county in it).
#[utoipa::path(get, path = "/api/v1/cockpit", params(PlaceParams), responses((status = 200, body = anjian_app::cockpit::Cockpit), (status = 403, body = ErrorBody)))]
pub async fn cockpit(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(p): ApiQuery<PlaceParams>,
) -> Result<Json<anjian_app::cockpit::Cockpit>, ApiError> {
    super::json_of(s.app.cockpit(&a, p.jurisdiction_id).await?)
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
    super::json_of(s.app.bureau_report(&a, &kind, &period).await?)
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
    super::json_of(s.app.save_bureau_report(&a, &kind, &period, &b.body, b.submit).await?)
}

/// The report as .docx, with its chart.
#[utoipa::path(get, path = "/api/v1/bureau-reports/{kind}/{period}/export.docx", params(("kind" = String, Path), ("period" = String, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document", body = Vec<u8>)))]
pub async fn bureau_report_docx(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath((kind, period)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    let (name, bytes) = s.app.bureau_report_docx(&a, &kind, &period).await?;
    Ok(crate::sheets::docx_response(bytes, &name))
}

/// This period's and the overdue obligations of everything the caller answers for.
#[utoipa::path(get, path = "/api/v1/obligations/mine", responses((status = 200, body = anjian_app::obligations::MyObligations, description = "MyObligations: current[], overdue[], overdue_total")))]
pub async fn mine(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<anjian_app::obligations::MyObligations>, ApiError> {
    super::json_of(s.app.my_obligations(&a).await?)
}

/// An organisation's obligations and its people's (a bureau drilling down, or the organisation).
#[utoipa::path(get, path = "/api/v1/orgs/{id}/obligations", params(("id" = i64, Path)), responses((status = 200, body = anjian_app::obligations::MyObligations), (status = 404, body = ErrorBody)))]
pub async fn of_org(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<anjian_app::obligations::MyObligations>, ApiError> {
    super::json_of(s.app.org_obligations(&a, id).await?)
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
    super::json_of(s.app.obligation_detail(&a, &rule, &subject, window).await?)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlaceParams {
    /// A county inside the caller's jurisdiction.
    pub jurisdiction_id: Option<i64>,
    /// A rule id of the plan.
    pub rule: Option<String>,
}

/// County × rule (or organisation × rule inside a county): instances to date by status.
#[utoipa::path(get, path = "/api/v1/compliance/matrix", params(PlaceParams), responses((status = 200, body = anjian_app::obligations::Matrix), (status = 403, body = ErrorBody)))]
pub async fn matrix(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(p): ApiQuery<PlaceParams>,
) -> Result<Json<anjian_app::obligations::Matrix>, ApiError> {
    super::json_of(s.app.compliance_matrix(&a, p.jurisdiction_id).await?)
}

/// Every overdue instance inside the caller's jurisdiction, newest first.
#[utoipa::path(get, path = "/api/v1/compliance/overdue", params(PlaceParams), responses((status = 200, body = [anjian_app::obligations::ObligationView]), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn overdue(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(p): ApiQuery<PlaceParams>,
) -> Result<Json<Vec<anjian_app::obligations::ObligationView>>, ApiError> {
    super::json_of(s.app.overdue_obligations(&a, p.jurisdiction_id, p.rule.as_deref()).await?)
}

/// The overdue list as .xlsx, with the same filters.
#[utoipa::path(get, path = "/api/v1/compliance/overdue.xlsx", params(PlaceParams), responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>), (status = 403, body = ErrorBody)))]
pub async fn overdue_xlsx(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(p): ApiQuery<PlaceParams>,
) -> Result<Response, ApiError> {
    let list = s.app.overdue_obligations(&a, p.jurisdiction_id, p.rule.as_deref()).await?;
    Ok(crate::sheets::xlsx_response(crate::pages::overdue_sheet(&list)?, "逾期未完成清单.xlsx"))
}

/// The 20 tasks with status, reports and their rules' compliance; the phases and today's phase.
#[utoipa::path(get, path = "/api/v1/campaign/board", responses((status = 200, body = anjian_app::tasks::CampaignBoard), (status = 403, body = ErrorBody)))]
pub async fn board(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<anjian_app::tasks::CampaignBoard>, ApiError> {
    super::json_of(s.app.campaign_board(&a).await?)
}

#[derive(Deserialize, ToSchema)]
pub struct TaskReportBody {
    /// `in_progress` or `done` (a continuous task is never done).
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
    Ok((if c.replayed { StatusCode::OK } else { StatusCode::CREATED }, super::json_of(c.value)?))
}

/// The leaders of 附件1 with assignments, linked accounts and this period's duties.
#[utoipa::path(get, path = "/api/v1/liaison/leaders", responses((status = 200, body = [anjian_app::liaison::LeaderView])))]
pub async fn leaders(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<Vec<anjian_app::liaison::LeaderView>>, ApiError> {
    super::json_of(s.app.liaison_overview(&a).await?)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LeaderParams {
    /// A leader code; the caller's own when absent.
    pub leader: Option<String>,
}

/// A leader's report for a month (`2022-08`): the newest version, or a draft from the records.
#[utoipa::path(get, path = "/api/v1/liaison/reports/{month}", params(("month" = String, Path), LeaderParams), responses((status = 200, body = anjian_app::liaison::ReportState), (status = 403, body = ErrorBody)))]
pub async fn liaison_report(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(month): ApiPath<String>,
    ApiQuery(p): ApiQuery<LeaderParams>,
) -> Result<Json<anjian_app::liaison::ReportState>, ApiError> {
    super::json_of(s.app.liaison_report(&a, p.leader.as_deref(), &month).await?)
}

#[derive(Deserialize, ToSchema)]
pub struct LiaisonReportBody {
    pub body: String,
    /// Report it to the leadership group (otherwise a draft version).
    #[serde(default)]
    pub submit: bool,
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
    super::json_of(s.app.save_liaison_report(&a, &month, &b.body, b.submit).await?)
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
    let (name, bytes) = s.app.liaison_report_docx(&a, p.leader.as_deref(), &month).await?;
    Ok(crate::sheets::docx_response(bytes, &name))
}

#[utoipa::path(get, path = "/api/v1/weekly-analyses", responses((status = 200, body = [anjian_domain::report::WeeklyAnalysis])))]
pub async fn list_analyses(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<Vec<anjian_domain::report::WeeklyAnalysis>>, ApiError> {
    super::json_of(s.app.weekly_analyses(&a).await?)
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
    Ok((if c.replayed { StatusCode::OK } else { StatusCode::CREATED }, super::json_of(c.value)?))
}

#[derive(Serialize, ToSchema)]
pub struct Inbox {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Value>,
    pub unread: u64,
}

/// The caller's inbox, newest first, with the unread count.
#[utoipa::path(get, path = "/api/v1/notifications", responses((status = 200, body = Inbox)))]
pub async fn notifications(State(s): State<AppState>, ApiActor(a): ApiActor) -> Result<Json<Inbox>, ApiError> {
    let (list, unread) = s.app.inbox(&a).await?;
    let items = list.iter().map(|n| serde_json::to_value(n).unwrap_or(Value::Null)).collect();
    Ok(Json(Inbox { items, unread }))
}

#[derive(Deserialize, ToSchema)]
pub struct ReadBody {
    /// One notification; all of the caller's when absent.
    pub id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ReadResult {
    pub marked: u64,
}

#[utoipa::path(post, path = "/api/v1/notifications/read", request_body = ReadBody, responses((status = 200, body = ReadResult)))]
pub async fn read(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<ReadBody>,
) -> Result<Json<ReadResult>, ApiError> {
    Ok(Json(ReadResult { marked: s.app.mark_read(&a, b.id).await? }))
}
