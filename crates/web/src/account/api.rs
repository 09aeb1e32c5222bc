//! The caller, the jurisdictions they can see, and their personal access tokens.

use crate::auth::ApiActor;
use crate::error::{ApiError, ErrorBody};
use crate::kit::api::{ApiJson, ApiPath};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me", get(me))
        .route("/jurisdictions", get(jurisdictions))
        .route("/tokens", get(list_tokens).post(create_token))
        .route("/tokens/{id}", delete(revoke_token))
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub org_id: Option<i64>,
    /// The data scope: `all`, `jurisdiction`, `org`, `park` or `nothing`.
    pub scope: String,
}

#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn me(ApiActor(a): ApiActor) -> Json<Me> {
    let scope = match &a.scope {
        anjian_domain::scope::Scope::All => "all",
        anjian_domain::scope::Scope::Jurisdiction { .. } => "jurisdiction",
        anjian_domain::scope::Scope::Org { .. } => "org",
        anjian_domain::scope::Scope::Park { .. } => "park",
        anjian_domain::scope::Scope::Nothing => "nothing",
    };
    Json(Me {
        id: a.user.id,
        username: a.user.username.clone(),
        display_name: a.user.display_name.clone(),
        role: a.user.role.as_str().to_owned(),
        org_id: a.user.org_id,
        scope: scope.into(),
    })
}

#[derive(Serialize, ToSchema)]
pub struct JurisdictionDto {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub level: String,
    pub parent_id: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/jurisdictions", responses((status = 200, body = Vec<JurisdictionDto>), (status = 401, body = ErrorBody)))]
pub async fn jurisdictions(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<Vec<JurisdictionDto>>, ApiError> {
    let j = s.app.visible_jurisdictions(&a).await?;
    Ok(Json(
        j.into_iter()
            .map(|j| JurisdictionDto { id: j.id, code: j.code, name: j.name, level: j.level, parent_id: j.parent_id })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct TokenDto {
    pub id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Serialize, ToSchema)]
pub struct NewTokenDto {
    #[serde(flatten)]
    pub token: TokenDto,
    /// The token itself: shown once, never stored.
    pub secret: String,
}

#[derive(Deserialize, ToSchema)]
pub struct CreateToken {
    pub name: String,
}

fn dto(t: anjian_domain::account::ApiToken) -> TokenDto {
    TokenDto {
        id: t.id,
        name: t.name,
        created_at: t.created_at,
        last_used_at: t.last_used_at,
        revoked_at: t.revoked_at,
    }
}

#[utoipa::path(get, path = "/api/v1/tokens", responses((status = 200, body = Vec<TokenDto>), (status = 401, body = ErrorBody)))]
pub async fn list_tokens(State(s): State<AppState>, ApiActor(a): ApiActor) -> Result<Json<Vec<TokenDto>>, ApiError> {
    Ok(Json(s.app.my_tokens(&a).await?.into_iter().map(dto).collect()))
}

#[utoipa::path(post, path = "/api/v1/tokens", request_body = CreateToken, responses((status = 201, body = NewTokenDto), (status = 422, body = ErrorBody)))]
pub async fn create_token(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(body): ApiJson<CreateToken>,
) -> Result<(StatusCode, Json<NewTokenDto>), ApiError> {
    let (t, secret) = s.app.create_token(&a, &body.name).await?;
    Ok((StatusCode::CREATED, Json(NewTokenDto { token: dto(t), secret })))
}

#[utoipa::path(delete, path = "/api/v1/tokens/{id}", params(("id" = i64, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn revoke_token(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    s.app.revoke_token(&a, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
