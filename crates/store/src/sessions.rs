//! Browser sessions, stored by the hash of their token.

use crate::entity::session::{self, Entity as Sessions};
use crate::rows::Decode;
use crate::Result;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

pub use anjian_domain::account::Session;

pub async fn insert(
    db: &impl ConnectionTrait,
    id_hash: &str,
    user_id: i64,
    csrf: &str,
    mfa_done: bool,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<Session> {
    session::ActiveModel {
        id: Set(id_hash.to_owned()),
        user_id: Set(user_id),
        csrf_token: Set(csrf.to_owned()),
        mfa_done: Set(mfa_done),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(expires_at),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?
    .decode()
}

pub async fn get(db: &impl ConnectionTrait, id_hash: &str) -> Result<Option<Session>> {
    Sessions::find_by_id(id_hash.to_owned()).one(db).await?.decode()
}

pub async fn touch(db: &impl ConnectionTrait, id_hash: &str, now: DateTime<Utc>) -> Result<()> {
    Sessions::update_many()
        .col_expr(session::Column::LastSeenAt, Expr::value(now))
        .filter(session::Column::Id.eq(id_hash))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn mark_mfa_done(db: &impl ConnectionTrait, id_hash: &str) -> Result<()> {
    Sessions::update_many()
        .col_expr(session::Column::MfaDone, Expr::value(true))
        .filter(session::Column::Id.eq(id_hash))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn revoke(db: &impl ConnectionTrait, id_hash: &str, now: DateTime<Utc>) -> Result<()> {
    Sessions::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(Some(now)))
        .filter(session::Column::Id.eq(id_hash))
        .filter(session::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Ends every session of a user ("log out everywhere", a password reset). Returns how many.
pub async fn revoke_all(db: &impl ConnectionTrait, user_id: i64, now: DateTime<Utc>) -> Result<u64> {
    let res = Sessions::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(Some(now)))
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

/// Ends every other session of a user (after they change their own password).
pub async fn revoke_all_except(db: &impl ConnectionTrait, user_id: i64, keep: &str, now: DateTime<Utc>) -> Result<u64> {
    let res = Sessions::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(Some(now)))
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::Id.ne(keep))
        .filter(session::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}
