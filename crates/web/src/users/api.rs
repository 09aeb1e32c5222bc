//! Accounts over the API. Password hashes and second-factor secrets never leave the server.

use crate::auth::ApiActor;
use crate::error::{ApiError, ErrorBody};
use crate::kit::api::{limit, ApiJson, ApiPath, ApiQuery};
use crate::AppState;
use anjian_app::users::CreateUser;
use anjian_domain::account::{User, UserFilter};
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
        .route("/account-requests", get(pending_requests))
        .route("/account-requests/{id}/approve", post(approve))
        .route("/account-requests/{id}/refuse", post(refuse))
        .route("/me/signing-secret", axum::routing::put(set_signing_secret))
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
        role: u.role.as_str().to_owned(),
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
#[into_params(parameter_in = Query)]
pub struct ListParams {
    pub role: Option<String>,
    pub org_id: Option<i64>,
    pub q: Option<String>,
    pub after: Option<i64>,
    /// Rows per page, 1 to 200 (50 when absent); outside that range the request is refused.
    #[param(minimum = 1, maximum = 200)]
    #[serde(default, deserialize_with = "crate::kit::api::page_limit")]
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

/// A request that waits for a second admin (a tip custodian's account, created or reset).
#[derive(Serialize, ToSchema)]
pub struct AccountRequestDto {
    pub id: i64,
    /// `create` or `reset`.
    pub action: String,
    pub username: Option<String>,
    pub display_name: Option<String>,
    pub role: String,
    pub org_id: Option<i64>,
    pub target_user_id: Option<i64>,
    pub requested_by: i64,
    pub requested_at: DateTime<Utc>,
    /// Always `pending_approval` here: a decided request is no longer listed.
    pub status: &'static str,
}

fn request_dto(r: anjian_domain::account::AccountRequest) -> AccountRequestDto {
    AccountRequestDto {
        id: r.id,
        action: r.action,
        username: r.username,
        display_name: r.display_name,
        role: r.role.as_str().to_owned(),
        org_id: r.org_id,
        target_user_id: r.target_user_id,
        requested_by: r.requested_by,
        requested_at: r.requested_at,
        status: "pending_approval",
    }
}

/// What creating or resetting an account came to: done (201/200 with the one-time password) or
/// filed for a second admin's approval (202).
fn outcome<T>(
    s: &AppState,
    o: anjian_app::users::AccountOutcome,
    done: StatusCode,
    wrap: impl FnOnce(UserDto, String) -> T,
) -> axum::response::Response
where
    Json<T>: axum::response::IntoResponse,
{
    use axum::response::IntoResponse;
    match o {
        anjian_app::users::AccountOutcome::Done { user, one_time_password } => {
            (done, Json(wrap(dto(user, s.app.clock.now()), one_time_password))).into_response()
        }
        anjian_app::users::AccountOutcome::Requested(r) => (StatusCode::ACCEPTED, Json(request_dto(r))).into_response(),
    }
}

#[utoipa::path(post, path = "/api/v1/users", request_body = CreateUserBody,
    responses((status = 201, body = CreatedUser), (status = 202, body = AccountRequestDto, description = "filed for a second admin's approval"),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<CreateUserBody>,
) -> Result<axum::response::Response, ApiError> {
    let input = CreateUser {
        username: b.username,
        display_name: b.display_name,
        role: b.role,
        org_id: b.org_id,
        leader_code: b.leader_code,
        position: b.position,
    };
    let o = s.app.create_account(&a, input).await?;
    Ok(outcome(&s, o, StatusCode::CREATED, |user, one_time_password| CreatedUser { user, one_time_password }))
}

#[derive(Serialize, ToSchema)]
pub struct OneTimePassword {
    pub one_time_password: String,
}

#[utoipa::path(post, path = "/api/v1/users/{id}/reset-password", params(("id" = i64, Path)),
    responses((status = 200, body = OneTimePassword), (status = 202, body = AccountRequestDto, description = "filed for a second admin's approval"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn reset_password(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<axum::response::Response, ApiError> {
    let o = s.app.reset_account(&a, id).await?;
    Ok(outcome(&s, o, StatusCode::OK, |_, one_time_password| OneTimePassword { one_time_password }))
}

/// Requests waiting for a second admin (system and security admins).
#[utoipa::path(get, path = "/api/v1/account-requests",
    responses((status = 200, body = [AccountRequestDto]), (status = 403, body = ErrorBody)))]
pub async fn pending_requests(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<Vec<AccountRequestDto>>, ApiError> {
    Ok(Json(s.app.pending_account_requests(&a).await?.into_iter().map(request_dto).collect()))
}

/// The approval of a request by the second admin; the account's one-time password is in this
/// answer only.
#[utoipa::path(post, path = "/api/v1/account-requests/{id}/approve", params(("id" = i64, Path)),
    responses((status = 200, body = CreatedUser), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn approve(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<CreatedUser>, ApiError> {
    let (u, pw) = s.app.decide_account_request(&a, id, true).await?.ok_or(anjian_app::AppError::NotFound)?;
    Ok(Json(CreatedUser { user: dto(u, s.app.clock.now()), one_time_password: pw }))
}

#[utoipa::path(post, path = "/api/v1/account-requests/{id}/refuse", params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn refuse(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    s.app.decide_account_request(&a, id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct SigningSecretBody {
    /// The login password, asked again.
    pub current_password: String,
    /// The secret the hazard ledger will be signed with from now on.
    pub secret: String,
}

/// The principal's signing secret (after an admin's reset, required before the next signature).
#[utoipa::path(put, path = "/api/v1/me/signing-secret", request_body = SigningSecretBody,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_signing_secret(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<SigningSecretBody>,
) -> Result<StatusCode, ApiError> {
    s.app.set_signing_secret(&a, &b.current_password, &b.secret).await?;
    Ok(StatusCode::NO_CONTENT)
}
