//! Signed hazard ledgers over the API: the draft, the signature, the list.

use crate::auth::ApiActor;
use crate::error::{ApiError, ErrorBody};
use crate::kit::api::{ApiJson, ApiPath, ApiQuery};
use crate::AppState;
use anjian_domain::ledger::LedgerItem;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orgs/{id}/ledgers/{period}", get(draft_ledger))
        .route("/orgs/{id}/ledgers/{period}/sign", post(sign_ledger))
        .route("/ledgers", get(list_ledgers))
        .route("/ledgers/{id}", get(get_ledger))
}

#[derive(Serialize, ToSchema)]
pub struct DraftLedger {
    pub org_id: i64,
    pub period: String,
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<LedgerItem>,
}

#[utoipa::path(get, path = "/api/v1/orgs/{id}/ledgers/{period}", params(("id" = i64, Path), ("period" = String, Path, description = "YYYY-MM")), responses((status = 200, body = DraftLedger)))]
pub async fn draft_ledger(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath((id, period)): ApiPath<(i64, String)>,
) -> Result<Json<DraftLedger>, ApiError> {
    let items = s.app.draft_ledger(&a, id, &period).await?;
    Ok(Json(DraftLedger { org_id: id, period, items }))
}

#[derive(Deserialize, ToSchema)]
pub struct SignBody {
    /// The principal's password, asked again for the signature.
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct LedgerDto {
    pub id: i64,
    pub org_id: i64,
    pub period: String,
    pub version: i32,
    pub item_count: i32,
    pub content_hash: String,
    pub signature: String,
    pub signer: String,
    pub signed_at: DateTime<Utc>,
    /// The content still matches what was signed.
    pub intact: Option<bool>,
}

fn ledger_dto(l: anjian_domain::ledger::Ledger, intact: Option<bool>) -> LedgerDto {
    LedgerDto {
        id: l.id,
        org_id: l.org_id,
        period: l.period,
        version: l.version,
        item_count: l.item_count,
        content_hash: l.content_hash,
        signature: l.signature,
        signer: l.signer,
        signed_at: l.signed_at,
        intact,
    }
}

#[utoipa::path(post, path = "/api/v1/orgs/{id}/ledgers/{period}/sign", params(("id" = i64, Path), ("period" = String, Path)), request_body = SignBody,
    responses((status = 201, body = LedgerDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn sign_ledger(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath((id, period)): ApiPath<(i64, String)>,
    ApiJson(b): ApiJson<SignBody>,
) -> Result<(StatusCode, Json<LedgerDto>), ApiError> {
    let l = s.app.sign_ledger(&a, id, &period, &b.password).await?;
    Ok((StatusCode::CREATED, Json(ledger_dto(l, Some(true)))))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LedgerParams {
    pub period: Option<String>,
    pub org_id: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/ledgers", params(LedgerParams), responses((status = 200, body = Vec<LedgerDto>)))]
pub async fn list_ledgers(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(p): ApiQuery<LedgerParams>,
) -> Result<Json<Vec<LedgerDto>>, ApiError> {
    let rows = s.app.list_ledgers(&a, p.period.as_deref(), p.org_id).await?;
    Ok(Json(rows.into_iter().map(|l| ledger_dto(l, None)).collect()))
}

#[derive(Serialize, ToSchema)]
pub struct LedgerDetail {
    #[serde(flatten)]
    pub ledger: LedgerDto,
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<LedgerItem>,
}

#[utoipa::path(get, path = "/api/v1/ledgers/{id}", params(("id" = i64, Path)), responses((status = 200, body = LedgerDetail), (status = 404, body = ErrorBody)))]
pub async fn get_ledger(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<LedgerDetail>, ApiError> {
    let c = s.app.get_ledger(&a, id).await?;
    Ok(Json(LedgerDetail { ledger: ledger_dto(c.ledger, Some(c.intact)), items: c.items }))
}
