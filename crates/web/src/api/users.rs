//! Accounts over the API. Password hashes and second-factor secrets never leave the server.

use super::{limit, ApiJson, ApiPath, ApiQuery};
use crate::auth::ApiActor;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use anjian_app::users::CreateUser;
use anjian_store::users::{User, UserFilter};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/users", get(list).post(create))
        .route("/users/{id}", get(get_one))
        .route("/users/{id}/reset-password", post(reset_password))
}

#[derive(Serialize, ToSchema)]
pub struct UserDto {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub org_id: Option<i64>,
    pub leader_code: Option<String>,
    pub must_change_password: bool,
    pub locked: bool,
    pub second_factor: bool,
    pub created_at: DateTime<Utc>,
}

fn dto(u: User, now: DateTime<Utc>) -> UserDto {
    UserDto {
        id: u.id,
        locked: u.locked_until.is_some_and(|t| t > now),
        second_factor: u.totp_secret.is_some(),
        username: u.username,
        display_name: u.display_name,
        role: u.role,
        org_id: u.org_id,
        leader_code: u.leader_code,
        must_change_password: u.must_change_password,
        created_at: u.created_at,
    }
}

#[derive(Serialize, ToSchema)]
pub struct UserPage {
    pub items: Vec<UserDto>,
    pub next: Option<i64>,
}

#[derive(Deserialize, IntoParams)]
pub struct ListParams {
    pub role: Option<String>,
    pub org_id: Option<i64>,
    pub q: Option<String>,
    pub after: Option<i64>,
    pub limit: Option<u64>,
}

#[utoipa::path(get, path = "/api/v1/users", params(ListParams), responses((status = 200, body = UserPage), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(p): ApiQuery<ListParams>,
) -> Result<Json<UserPage>, ApiError> {
    let n = limit(p.limit);
    let f = UserFilter { role: p.role, org_id: p.org_id, q: p.q };
    let rows = s.app.list_users(&a, &f, p.after, n).await?;
    let next = (rows.len() as u64 == n).then(|| rows.last().map(|u| u.id)).flatten();
    let now = s.app.clock.now();
    Ok(Json(UserPage { items: rows.into_iter().map(|u| dto(u, now)).collect(), next }))
}

#[utoipa::path(get, path = "/api/v1/users/{id}", params(("id" = i64, Path)), responses((status = 200, body = UserDto), (status = 404, body = ErrorBody)))]
pub async fn get_one(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<UserDto>, ApiError> {
    Ok(Json(dto(s.app.get_user(&a, id).await?, s.app.clock.now())))
}

#[derive(Deserialize, ToSchema)]
pub struct CreateUserBody {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub org_id: Option<i64>,
    pub leader_code: Option<String>,
    /// `bureau_head` or `liaison_leader` for bureau accounts.
    pub position: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedUser {
    pub user: UserDto,
    /// One-time password; the user must change it at first sign-in.
    pub one_time_password: String,
}

#[utoipa::path(post, path = "/api/v1/users", request_body = CreateUserBody,
    responses((status = 201, body = CreatedUser), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<CreateUserBody>,
) -> Result<(StatusCode, Json<CreatedUser>), ApiError> {
    let input = CreateUser {
        username: b.username,
        display_name: b.display_name,
        role: b.role,
        org_id: b.org_id,
        leader_code: b.leader_code,
        position: b.position,
    };
    let (u, pw) = s.app.create_user(Some(&a), input).await?;
    Ok((StatusCode::CREATED, Json(CreatedUser { user: dto(u, s.app.clock.now()), one_time_password: pw })))
}

#[derive(Serialize, ToSchema)]
pub struct OneTimePassword {
    pub one_time_password: String,
}

#[utoipa::path(post, path = "/api/v1/users/{id}/reset-password", params(("id" = i64, Path)),
    responses((status = 200, body = OneTimePassword), (status = 404, body = ErrorBody)))]
pub async fn reset_password(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<OneTimePassword>, ApiError> {
    Ok(Json(OneTimePassword { one_time_password: s.app.reset_password(&a, id).await? }))
}
