//! Requests to create or reset an account that a second admin must approve (a tip custodian's).
//! A request is decided once; the row keeps who asked, who decided, and when.

use crate::entity::account_request::{self, Entity as Requests};
use crate::rows::Decode;
use crate::{Result, StoreError};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};

pub use anjian_domain::account::AccountRequest;

#[derive(Debug, Clone)]
pub struct NewRequest {
    pub action: &'static str,
    pub target_user_id: Option<i64>,
    pub username: Option<String>,
    pub display_name: Option<String>,
    pub role: String,
    pub org_id: Option<i64>,
    pub requested_by: i64,
}

pub async fn insert(db: &impl ConnectionTrait, r: NewRequest, now: DateTime<Utc>) -> Result<AccountRequest> {
    account_request::ActiveModel {
        action: Set(r.action.to_owned()),
        target_user_id: Set(r.target_user_id),
        username: Set(r.username),
        display_name: Set(r.display_name),
        role: Set(r.role),
        org_id: Set(r.org_id),
        requested_by: Set(r.requested_by),
        requested_at: Set(now),
        decided_by: Set(None),
        decided_at: Set(None),
        decision: Set(None),
        user_id: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?
    .decode()
}

pub async fn get(db: &impl ConnectionTrait, id: i64) -> Result<AccountRequest> {
    Requests::find_by_id(id).one(db).await?.ok_or(StoreError::NotFound)?.decode()
}

/// Requests still waiting for a decision, oldest first.
pub async fn pending(db: &impl ConnectionTrait) -> Result<Vec<AccountRequest>> {
    Requests::find()
        .filter(account_request::Column::Decision.is_null())
        .order_by_asc(account_request::Column::Id)
        .all(db)
        .await?
        .decode()
}

/// Records the decision on a pending request; a request already decided is a conflict.
pub async fn decide(
    db: &impl ConnectionTrait,
    id: i64,
    decided_by: i64,
    decision: &str,
    user_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<()> {
    let res = Requests::update_many()
        .col_expr(account_request::Column::DecidedBy, Expr::value(Some(decided_by)))
        .col_expr(account_request::Column::DecidedAt, Expr::value(Some(now)))
        .col_expr(account_request::Column::Decision, Expr::value(Some(decision.to_owned())))
        .col_expr(account_request::Column::UserId, Expr::value(user_id))
        .filter(account_request::Column::Id.eq(id))
        .filter(account_request::Column::Decision.is_null())
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::Conflict("account_request_decided".into()));
    }
    Ok(())
}
