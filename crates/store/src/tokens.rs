//! Personal access tokens for the API, stored by hash, revocable (a revoked token is kept).

use crate::entity::api_token::{self, Entity as Tokens};
use crate::rows::Decode;
use crate::{Result, StoreError};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};

pub use anjian_domain::account::ApiToken;

pub async fn insert(
    db: &impl ConnectionTrait,
    user_id: i64,
    name: &str,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<ApiToken> {
    api_token::ActiveModel {
        user_id: Set(user_id),
        name: Set(name.to_owned()),
        token_hash: Set(hash.to_owned()),
        created_at: Set(now),
        last_used_at: Set(None),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?
    .decode()
}

/// An unrevoked token by its hash.
pub async fn active_by_hash(db: &impl ConnectionTrait, hash: &str) -> Result<Option<ApiToken>> {
    Tokens::find()
        .filter(api_token::Column::TokenHash.eq(hash))
        .filter(api_token::Column::RevokedAt.is_null())
        .one(db)
        .await?
        .decode()
}

pub async fn touch(db: &impl ConnectionTrait, id: i64, now: DateTime<Utc>) -> Result<()> {
    Tokens::update_many()
        .col_expr(api_token::Column::LastUsedAt, Expr::value(Some(now)))
        .filter(api_token::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn list_for_user(db: &impl ConnectionTrait, user_id: i64) -> Result<Vec<ApiToken>> {
    Tokens::find()
        .filter(api_token::Column::UserId.eq(user_id))
        .order_by_asc(api_token::Column::Id)
        .all(db)
        .await?
        .decode()
}

/// Revokes every token of an account (a reset, a password change, signing out everywhere);
/// the rows are kept, as revoked.
pub async fn revoke_all(db: &impl ConnectionTrait, user_id: i64, now: DateTime<Utc>) -> Result<u64> {
    let res = Tokens::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(Some(now)))
        .filter(api_token::Column::UserId.eq(user_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

/// Revokes one of the user's own tokens.
pub async fn revoke(db: &impl ConnectionTrait, user_id: i64, id: i64, now: DateTime<Utc>) -> Result<()> {
    let res = Tokens::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(Some(now)))
        .filter(api_token::Column::Id.eq(id))
        .filter(api_token::Column::UserId.eq(user_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
