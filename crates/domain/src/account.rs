//! Accounts: people who sign in, their sessions and API tokens, and the requests to create or
//! reset an account that a second person decides.

use crate::role::Role;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// A record of `users`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: Role,
    pub org_id: Option<i64>,
    pub leader_code: Option<String>,
    /// 部门负责人 (`bureau_head`) or 包联领导 (`liaison_leader`) inside a bureau.
    pub position: Option<String>,
    pub must_change_password: bool,
    pub password_changed_at: DateTime<Utc>,
    pub failed_logins: i32,
    pub locked_until: Option<DateTime<Utc>>,
    pub totp_secret: Option<String>,
    pub totp_last_step: Option<i64>,
    pub disabled: bool,
    /// The secret ledgers are signed with, once the user set one (argon2id).
    pub signing_secret_hash: Option<String>,
    /// An admin reset the account: no signature until the user sets a signing secret.
    pub signing_secret_required: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A record of `sessions`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Session {
    /// SHA-256 of the session token; the token itself is never stored.
    pub id: String,
    pub user_id: i64,
    pub csrf_token: String,
    pub mfa_done: bool,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A record of `api_tokens`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiToken {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub token_hash: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A security admin's request to create or reset an account that needs a second admin's approval.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountRequest {
    pub id: i64,
    /// `create` or `reset`.
    pub action: String,
    pub target_user_id: Option<i64>,
    pub username: Option<String>,
    pub display_name: Option<String>,
    pub role: Role,
    pub org_id: Option<i64>,
    pub requested_by: i64,
    pub requested_at: DateTime<Utc>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTime<Utc>>,
    /// `approved` or `refused`; none while pending.
    pub decision: Option<String>,
    /// The account created (or reset) on approval.
    pub user_id: Option<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub role: Option<String>,
    pub org_id: Option<i64>,
    pub q: Option<String>,
}
