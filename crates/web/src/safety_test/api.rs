//! Safety tests and supervision levels over JSON.

use crate::auth::ApiActor;
use crate::error::{ApiError, ErrorBody};
use crate::kit::api::{import_result, read_sheet, ApiJson, ApiPath, ApiQuery, ImportParams, ImportResult};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/tests/questions/import",
            post(import).layer(axum::extract::DefaultBodyLimit::max(crate::kit::api::IMPORT_LIMIT)),
        )
        .route("/tests/sittings", post(start))
        .route("/tests/sittings/{id}", get(sitting))
        .route("/tests/sittings/{id}/answers/{question}", put(answer))
        .route("/tests/sittings/{id}/submit", post(submit))
        .route("/tests/results", get(results))
        .route("/tests/results.xlsx", get(results_xlsx))
        .route("/orgs/{id}/supervision-level", post(level))
        .route("/orgs/supervision", get(supervision))
        .route("/orgs/{id}/test-notice", get(notice))
}

/// Questions from an .xlsx (题型, 题干, 选项A–F, 答案, 主题, 难度); bureaus only.
#[utoipa::path(post, path = "/api/v1/tests/questions/import", params(ImportParams),
    request_body(content = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    responses((status = 200, body = ImportResult), (status = 422, body = ErrorBody)))]
pub async fn import(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<ImportParams>,
    body: axum::body::Bytes,
) -> Result<Json<ImportResult>, ApiError> {
    let out = s.app.import_questions(&a, read_sheet(&body).await?, q.apply).await?;
    import_result(out, q.apply)
}

/// Starts a sitting (principals), or returns the one still open.
#[utoipa::path(post, path = "/api/v1/tests/sittings", responses((status = 201, body = anjian_app::safety_test::SittingView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn start(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<(StatusCode, Json<anjian_app::safety_test::SittingView>), ApiError> {
    let sitting = s.app.start_sitting(&a).await?;
    Ok((StatusCode::CREATED, crate::kit::api::json_of(s.app.sitting_view(&a, sitting.id).await?)?))
}

/// A sitting with its questions, answers so far, time left, and (graded) the questions missed.
#[utoipa::path(get, path = "/api/v1/tests/sittings/{id}", params(("id" = i64, Path)), responses((status = 200, body = anjian_app::safety_test::SittingView), (status = 404, body = ErrorBody)))]
pub async fn sitting(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<anjian_app::safety_test::SittingView>, ApiError> {
    crate::kit::api::json_of(s.app.sitting_view(&a, id).await?)
}

#[derive(Deserialize, ToSchema)]
pub struct AnswerBody {
    /// Option indexes (0 = A).
    pub answer: Vec<usize>,
}

/// Saves one answer as it is given; refused once time is up.
#[utoipa::path(put, path = "/api/v1/tests/sittings/{id}/answers/{question}", params(("id" = i64, Path), ("question" = i64, Path)), request_body = AnswerBody,
    responses((status = 204), (status = 422, body = ErrorBody)))]
pub async fn answer(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath((id, q)): ApiPath<(i64, i64)>,
    ApiJson(b): ApiJson<AnswerBody>,
) -> Result<StatusCode, ApiError> {
    s.app.save_test_answer(&a, id, q, b.answer).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Grades the sitting; a failed retest raises the enterprise's supervision level.
#[utoipa::path(post, path = "/api/v1/tests/sittings/{id}/submit", params(("id" = i64, Path)), responses((status = 200, body = anjian_app::safety_test::SittingView), (status = 422, body = ErrorBody)))]
pub async fn submit(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<anjian_app::safety_test::SittingView>, ApiError> {
    s.app.submit_sitting(&a, id).await?;
    crate::kit::api::json_of(s.app.sitting_view(&a, id).await?)
}

/// Every principal in scope: attempts, last score, standing (not_tested, passed, retest_due, failed_retest).
#[utoipa::path(get, path = "/api/v1/tests/results", responses((status = 200, body = [anjian_app::safety_test::ResultRow]), (status = 403, body = ErrorBody)))]
pub async fn results(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<Vec<anjian_app::safety_test::ResultRow>>, ApiError> {
    crate::kit::api::json_of(s.app.test_results(&a).await?)
}

#[utoipa::path(get, path = "/api/v1/tests/results.xlsx", responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>)))]
pub async fn results_xlsx(State(s): State<AppState>, ApiActor(a): ApiActor) -> Result<Response, ApiError> {
    let rows = s.app.test_results(&a).await?;
    Ok(crate::sheets::xlsx_response(
        crate::safety_test::pages::test_results_sheet(&crate::sheets::head(&s, &a, None).await, &rows)?,
        crate::sheets::zh("sheet.tests.file"),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct LevelBody {
    pub level: String,
    pub reason: String,
}

/// Changes an enterprise's supervision level with a reason (bureaus).
#[utoipa::path(post, path = "/api/v1/orgs/{id}/supervision-level", params(("id" = i64, Path)), request_body = LevelBody,
    responses((status = 200, body = anjian_domain::safety_test::SupervisionChange), (status = 422, body = ErrorBody)))]
pub async fn level(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<LevelBody>,
) -> Result<Json<anjian_domain::safety_test::SupervisionChange>, ApiError> {
    crate::kit::api::json_of(s.app.set_supervision_level(&a, id, &b.level, &b.reason).await?)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SupervisionParams {
    /// A supervision level code; `key` when absent.
    pub level: Option<String>,
}

/// Enterprises at a supervision level (the key-supervision list by default), with the last change.
#[utoipa::path(get, path = "/api/v1/orgs/supervision", params(SupervisionParams), responses((status = 200, body = [SupervisedOrg])))]
pub async fn supervision(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(p): ApiQuery<SupervisionParams>,
) -> Result<Json<Vec<SupervisedOrg>>, ApiError> {
    let list = s.app.supervision_list(&a, p.level.as_deref().unwrap_or("key")).await?;
    crate::kit::api::json_of(list.into_iter().map(|(org, change)| SupervisedOrg { org, change }).collect())
}

/// An enterprise's public notice of its principals' scores.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/test-notice", params(("id" = i64, Path)), responses((status = 200, body = anjian_app::safety_test::Notice), (status = 404, body = ErrorBody)))]
pub async fn notice(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<anjian_app::safety_test::Notice>, ApiError> {
    crate::kit::api::json_of(s.app.test_notice(&a, id).await?)
}

/// An enterprise on a supervision list, with the decision that put it there.
#[derive(serde::Serialize, ToSchema)]
pub struct SupervisedOrg {
    pub org: anjian_domain::org::Org,
    pub change: Option<anjian_domain::safety_test::SupervisionChange>,
}
