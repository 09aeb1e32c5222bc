//! The in-app inbox, job leases (so that one instance runs a job at a time) and the outgoing
//! webhook queue.

use crate::entity::job_lease::{self, Entity as Leases};
use crate::entity::notification::{self, Entity as Notifications};
use crate::entity::webhook_delivery::{self, Entity as Deliveries};
use crate::rows::Decode;
use crate::Result;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Set,
};

pub use anjian_domain::notification::Notification;
pub use anjian_domain::notification::{Delivery, DeliveryState};

#[derive(Debug, Clone)]
pub struct NewNotification {
    pub user_id: i64,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub link: String,
    /// The same reminder is never sent twice: a second insert with this key does nothing.
    pub dedupe_key: String,
}

/// Adds a notification unless one with its key exists; returns it when it was new.
pub async fn insert(db: &impl ConnectionTrait, n: NewNotification, now: DateTime<Utc>) -> Result<Option<Notification>> {
    let model = notification::ActiveModel {
        user_id: Set(n.user_id),
        kind: Set(n.kind),
        title: Set(n.title),
        body: Set(n.body),
        link: Set(n.link),
        dedupe_key: Set(n.dedupe_key.clone()),
        created_at: Set(now),
        read_at: Set(None),
        ..Default::default()
    };
    let inserted = Notifications::insert(model)
        .on_conflict(OnConflict::column(notification::Column::DedupeKey).do_nothing().to_owned())
        .exec_without_returning(db)
        .await?;
    if inserted == 0 {
        return Ok(None);
    }
    Notifications::find().filter(notification::Column::DedupeKey.eq(n.dedupe_key)).one(db).await?.decode()
}

pub async fn of_user(db: &impl ConnectionTrait, user_id: i64, limit: u64) -> Result<Vec<Notification>> {
    Notifications::find()
        .filter(notification::Column::UserId.eq(user_id))
        .order_by_desc(notification::Column::Id)
        .limit(limit)
        .all(db)
        .await?
        .decode()
}

pub async fn unread_count(db: &impl ConnectionTrait, user_id: i64) -> Result<u64> {
    Ok(Notifications::find()
        .filter(notification::Column::UserId.eq(user_id))
        .filter(notification::Column::ReadAt.is_null())
        .count(db)
        .await?)
}

/// Unread notifications of a user created in `[since, until]`.
pub async fn unread_between(
    db: &impl ConnectionTrait,
    user_id: i64,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<Notification>> {
    Notifications::find()
        .filter(notification::Column::UserId.eq(user_id))
        .filter(notification::Column::ReadAt.is_null())
        .filter(notification::Column::CreatedAt.gte(since))
        .filter(notification::Column::CreatedAt.lte(until))
        .filter(notification::Column::Kind.ne("digest"))
        .order_by_asc(notification::Column::Id)
        .all(db)
        .await?
        .decode()
}

/// Users with unread reminders created in `[since, until]`.
pub async fn users_with_unread(
    db: &impl ConnectionTrait,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<i64>> {
    Ok(Notifications::find()
        .select_only()
        .column(notification::Column::UserId)
        .distinct()
        .filter(notification::Column::ReadAt.is_null())
        .filter(notification::Column::CreatedAt.gte(since))
        .filter(notification::Column::CreatedAt.lte(until))
        .filter(notification::Column::Kind.ne("digest"))
        .into_tuple()
        .all(db)
        .await?)
}

/// Marks a user's notifications read (all of them, or one); a read notification stays read.
pub async fn mark_read(db: &impl ConnectionTrait, user_id: i64, id: Option<i64>, now: DateTime<Utc>) -> Result<u64> {
    let mut q = Notifications::update_many()
        .col_expr(notification::Column::ReadAt, Expr::value(now))
        .filter(notification::Column::UserId.eq(user_id))
        .filter(notification::Column::ReadAt.is_null());
    if let Some(id) = id {
        q = q.filter(notification::Column::Id.eq(id));
    }
    Ok(q.exec(db).await?.rows_affected)
}

/// Takes (or renews) the lease on `name` for `holder` until `until`, if it is free, expired or
/// already ours. Returns the job's cursor when the lease is taken.
pub async fn take_lease(
    db: &impl ConnectionTrait,
    name: &str,
    holder: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Option<Option<DateTime<Utc>>>> {
    let fresh = job_lease::ActiveModel {
        name: Set(name.to_owned()),
        holder: Set(holder.to_owned()),
        expires_at: Set(until),
        cursor: Set(None),
    };
    Leases::insert(fresh)
        .on_conflict(OnConflict::column(job_lease::Column::Name).do_nothing().to_owned())
        .exec_without_returning(db)
        .await?;
    // One conditional UPDATE decides between racing instances: only one sees a row change.
    let taken = Leases::update_many()
        .col_expr(job_lease::Column::Holder, Expr::value(holder))
        .col_expr(job_lease::Column::ExpiresAt, Expr::value(until))
        .filter(job_lease::Column::Name.eq(name))
        .filter(job_lease::Column::Holder.eq(holder).or(job_lease::Column::ExpiresAt.lte(now)))
        .exec(db)
        .await?
        .rows_affected;
    if taken == 0 {
        return Ok(None);
    }
    Ok(Leases::find_by_id(name.to_owned()).one(db).await?.map(|l| l.cursor))
}

/// Lets go of every lease `holder` has (its cursors stay), so that another instance takes the
/// jobs over at once instead of when the leases would have run out.
pub async fn release_leases(db: &impl ConnectionTrait, holder: &str, now: DateTime<Utc>) -> Result<u64> {
    Ok(Leases::update_many()
        .col_expr(job_lease::Column::ExpiresAt, Expr::value(now))
        .filter(job_lease::Column::Holder.eq(holder))
        .filter(job_lease::Column::ExpiresAt.gt(now))
        .exec(db)
        .await?
        .rows_affected)
}

/// Records how far a job got, while holding its lease.
pub async fn advance_cursor(
    db: &impl ConnectionTrait,
    name: &str,
    holder: &str,
    cursor: DateTime<Utc>,
) -> Result<bool> {
    Ok(Leases::update_many()
        .col_expr(job_lease::Column::Cursor, Expr::value(cursor))
        .filter(job_lease::Column::Name.eq(name))
        .filter(job_lease::Column::Holder.eq(holder))
        .exec(db)
        .await?
        .rows_affected
        == 1)
}

pub async fn enqueue_delivery(
    db: &impl ConnectionTrait,
    notification_id: i64,
    url: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    webhook_delivery::ActiveModel {
        notification_id: Set(notification_id),
        url: Set(url.to_owned()),
        body: Set(body.to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        state: Set(DeliveryState::Pending.as_str().into()),
        last_error: Set(None),
        delivered_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

pub async fn due_deliveries(db: &impl ConnectionTrait, now: DateTime<Utc>, limit: u64) -> Result<Vec<Delivery>> {
    Deliveries::find()
        .filter(webhook_delivery::Column::State.eq(DeliveryState::Pending.as_str()))
        .filter(webhook_delivery::Column::NextAttemptAt.lte(now))
        .order_by_asc(webhook_delivery::Column::Id)
        .limit(limit)
        .all(db)
        .await?
        .decode()
}

/// Records one attempt's outcome: delivered, retry at `next`, or given up (`next` None).
pub async fn record_attempt(
    db: &impl ConnectionTrait,
    d: &Delivery,
    now: DateTime<Utc>,
    error: Option<String>,
    next: Option<DateTime<Utc>>,
) -> Result<()> {
    let mut m: webhook_delivery::ActiveModel = d.clone().into();
    m.attempts = Set(d.attempts + 1);
    match error {
        None => {
            m.state = Set(DeliveryState::Delivered.as_str().into());
            m.delivered_at = Set(Some(now));
            m.last_error = Set(None);
        }
        Some(e) => {
            m.last_error = Set(Some(e));
            match next {
                Some(t) => m.next_attempt_at = Set(t),
                None => m.state = Set(DeliveryState::Failed.as_str().into()),
            }
        }
    }
    m.update(db).await?;
    Ok(())
}

pub async fn deliveries(db: &impl ConnectionTrait, limit: u64) -> Result<Vec<Delivery>> {
    Deliveries::find().order_by_desc(webhook_delivery::Column::Id).limit(limit).all(db).await?.decode()
}
