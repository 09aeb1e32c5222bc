//! Fundamentals, the graded table and the powers list over JSON.

use crate::auth::ApiActor;
use crate::error::{ApiError, ErrorBody};
use crate::kit::api::{ApiJson, ApiPath};
use crate::AppState;
use anjian_app::fundamentals::FundamentalInput;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orgs/{id}/fundamentals", get(profile).post(record))
        .route("/fundamentals", get(overview))
        .route("/graded-table.xlsx", get(graded))
        .route("/powers", get(powers).post(add_power))
        .route("/powers.xlsx", get(powers_xlsx))
}

/// An enterprise's fundamentals records and what is missing or expired.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/fundamentals", params(("id" = i64, Path)), responses((status = 200, body = anjian_app::fundamentals::Profile), (status = 404, body = ErrorBody)))]
pub async fn profile(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<anjian_app::fundamentals::Profile>, ApiError> {
    crate::kit::api::json_of(s.app.fundamentals_profile(&a, id).await?)
}

/// Records a fee, staffing, training or insurance fact (photos of evidence through the page form).
#[utoipa::path(post, path = "/api/v1/orgs/{id}/fundamentals", params(("id" = i64, Path)),
    request_body = anjian_app::fundamentals::FundamentalInput,
    responses((status = 201, body = anjian_domain::fundamentals::Fundamental), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn record(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<FundamentalInput>,
) -> Result<(StatusCode, Json<anjian_domain::fundamentals::Fundamental>), ApiError> {
    Ok((StatusCode::CREATED, crate::kit::api::json_of(s.app.record_fundamental(&a, id, b, Vec::new()).await?)?))
}

/// Every supervised enterprise in scope with its assessment, those with gaps first.
#[utoipa::path(get, path = "/api/v1/fundamentals", responses((status = 200, body = [FundamentalsRow])))]
pub async fn overview(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<Vec<FundamentalsRow>>, ApiError> {
    crate::kit::api::json_of(
        s.app
            .fundamentals_overview(&a)
            .await?
            .into_iter()
            .map(|(org, assessment)| FundamentalsRow { org, assessment })
            .collect(),
    )
}

/// The graded, classified table (分级分类"一张表") as .xlsx.
#[utoipa::path(get, path = "/api/v1/graded-table.xlsx", responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>)))]
pub async fn graded(State(s): State<AppState>, ApiActor(a): ApiActor) -> Result<Response, ApiError> {
    let counties = s.app.visible_jurisdictions(&a).await?.into_iter().map(|j| (j.id, j.name)).collect();
    let orgs = s.app.graded_table(&a).await?;
    Ok(crate::sheets::xlsx_response(
        crate::fundamentals::pages::graded_sheet(
            &crate::sheets::head(&s, &a, None).await,
            &orgs,
            &counties,
            crate::kit::words::Words::of(&s, crate::i18n::Lang::Zh).await.vocabulary(),
        )?,
        crate::sheets::zh("sheet.graded.file"),
    ))
}

#[utoipa::path(get, path = "/api/v1/powers", responses((status = 200, body = [anjian_domain::fundamentals::Power])))]
pub async fn powers(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<Vec<anjian_domain::fundamentals::Power>>, ApiError> {
    crate::kit::api::json_of(s.app.powers(&a).await?)
}

#[derive(Deserialize, ToSchema)]
pub struct PowerBody {
    pub category: String,
    pub name: String,
    pub basis: String,
    pub responsible: String,
}

/// Adds an item to the caller's bureau's list of powers and responsibilities.
#[utoipa::path(post, path = "/api/v1/powers", request_body = PowerBody, responses((status = 201, body = anjian_domain::fundamentals::Power), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_power(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<PowerBody>,
) -> Result<(StatusCode, Json<anjian_domain::fundamentals::Power>), ApiError> {
    Ok((
        StatusCode::CREATED,
        crate::kit::api::json_of(s.app.add_power(&a, &b.category, &b.name, &b.basis, &b.responsible).await?)?,
    ))
}

#[utoipa::path(get, path = "/api/v1/powers.xlsx", responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>)))]
pub async fn powers_xlsx(State(s): State<AppState>, ApiActor(a): ApiActor) -> Result<Response, ApiError> {
    let list = s.app.powers(&a).await?;
    Ok(crate::sheets::xlsx_response(
        crate::fundamentals::pages::powers_sheet(&crate::sheets::head(&s, &a, None).await, &list)?,
        crate::sheets::zh("sheet.powers.file"),
    ))
}

/// An enterprise and how its fundamentals stand.
#[derive(serde::Serialize, ToSchema)]
pub struct FundamentalsRow {
    pub org: anjian_domain::org::Org,
    pub assessment: anjian_domain::fundamentals::Assessment,
}
