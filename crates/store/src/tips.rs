//! Tips, their steps, messages and files. Reads are limited to a jurisdiction scope: no
//! enterprise-side scope ever reaches a tip.

use crate::entity::{tip, tip_event, tip_file, tip_message};
use crate::rows::Decode;
use crate::Result;
use anjian_domain::scope::Scope;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

pub use anjian_domain::tip::TipEvent;
pub use anjian_domain::tip::TipFile;
pub use anjian_domain::tip::TipFilter;
pub use anjian_domain::tip::TipMessage;
pub use anjian_domain::tip::{Outcome, Tip, TipState};

/// A tip as received.
#[derive(Debug, Clone)]
pub struct NewTip {
    pub receipt_hash: String,
    pub channel: String,
    pub category: String,
    pub jurisdiction_path: String,
    pub org_id: Option<i64>,
    pub org_path: String,
    pub subject: String,
    pub place: String,
    pub happened_on: String,
    pub work_team: String,
    pub body: String,
    pub contact_sealed: Option<String>,
    pub due_at: DateTime<Utc>,
}

pub async fn insert(db: &impl ConnectionTrait, n: NewTip, now: DateTime<Utc>) -> Result<Tip> {
    tip::ActiveModel {
        receipt_hash: Set(n.receipt_hash),
        channel: Set(n.channel),
        category: Set(n.category),
        jurisdiction_path: Set(n.jurisdiction_path),
        org_id: Set(n.org_id),
        org_path: Set(n.org_path),
        subject: Set(n.subject),
        place: Set(n.place),
        happened_on: Set(n.happened_on),
        work_team: Set(n.work_team),
        body: Set(n.body),
        contact_sealed: Set(n.contact_sealed),
        state: Set("received".to_owned()),
        due_at: Set(Some(n.due_at)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?
    .decode()
}

/// Only the rows a jurisdiction scope admits; any other scope admits none.
fn in_scope(scope: &Scope) -> Condition {
    match scope {
        Scope::All => Condition::all(),
        Scope::Jurisdiction { path } => Condition::all().add(tip::Column::JurisdictionPath.starts_with(path)),
        _ => Condition::all().add(Expr::val(1).eq(0)),
    }
}

pub async fn get(db: &impl ConnectionTrait, scope: &Scope, id: i64) -> Result<Option<Tip>> {
    tip::Entity::find_by_id(id).filter(in_scope(scope)).one(db).await?.decode()
}

/// The tip behind a receipt code's hash (the reporter's only key).
pub async fn by_receipt(db: &impl ConnectionTrait, receipt_hash: &str) -> Result<Option<Tip>> {
    tip::Entity::find().filter(tip::Column::ReceiptHash.eq(receipt_hash)).one(db).await?.decode()
}

/// The filter as a condition on tips.
fn condition(f: &TipFilter) -> Condition {
    let mut c = Condition::all();
    if let Some(s) = &f.state {
        c = c.add(tip::Column::State.eq(s.as_str()));
    }
    if let Some(s) = &f.category {
        c = c.add(tip::Column::Category.eq(s.as_str()));
    }
    if let Some(s) = &f.channel {
        c = c.add(tip::Column::Channel.eq(s.as_str()));
    }
    if let Some(p) = &f.county_path {
        c = c.add(tip::Column::JurisdictionPath.starts_with(p));
    }
    if let Some(t) = f.from {
        c = c.add(tip::Column::CreatedAt.gte(t));
    }
    if let Some(t) = f.until {
        c = c.add(tip::Column::CreatedAt.lt(t));
    }
    if let Some(t) = f.overdue_at {
        c = c.add(tip::Column::DueAt.lt(t)).add(tip::Column::State.ne("closed"));
    }
    c
}

/// Tips in scope matching the filter, newest first, `limit` at most.
pub async fn list(db: &impl ConnectionTrait, scope: &Scope, f: &TipFilter, limit: u64) -> Result<Vec<Tip>> {
    tip::Entity::find()
        .filter(in_scope(scope))
        .filter(condition(f))
        .order_by_desc(tip::Column::Id)
        .limit(limit)
        .all(db)
        .await?
        .decode()
}

/// What changes with a step; `None` leaves a column as it is.
#[derive(Debug, Clone, Default)]
pub struct TipChange {
    pub state: Option<TipState>,
    pub category: Option<String>,
    pub jurisdiction_path: Option<String>,
    pub org: Option<(i64, String)>,
    pub outcome: Option<Outcome>,
    pub assigned_org_id: Option<i64>,
    pub due_at: Option<Option<DateTime<Utc>>>,
    pub finding: Option<String>,
    pub penalty_yuan: Option<i64>,
    pub reward_yuan: Option<Option<i64>>,
    pub reward_proposed_by: Option<Option<i64>>,
    pub hazard_id: Option<i64>,
}

/// Applies a step to the tip, only if it is still in `expected_state`: two people acting at
/// once cannot both move it (the second gets `false` and the caller reports a conflict).
pub async fn change(
    db: &impl ConnectionTrait,
    id: i64,
    expected_state: TipState,
    c: TipChange,
    now: DateTime<Utc>,
) -> Result<bool> {
    let mut u = tip::Entity::update_many()
        .col_expr(tip::Column::UpdatedAt, Expr::value(now))
        .filter(tip::Column::Id.eq(id))
        .filter(tip::Column::State.eq(expected_state.as_str()));
    if let Some(v) = c.state {
        u = u.col_expr(tip::Column::State, Expr::value(v.as_str()));
    }
    if let Some(v) = c.category {
        u = u.col_expr(tip::Column::Category, Expr::value(v));
    }
    if let Some(v) = c.jurisdiction_path {
        u = u.col_expr(tip::Column::JurisdictionPath, Expr::value(v));
    }
    if let Some((oid, path)) = c.org {
        u = u.col_expr(tip::Column::OrgId, Expr::value(oid)).col_expr(tip::Column::OrgPath, Expr::value(path));
    }
    if let Some(v) = c.outcome {
        u = u.col_expr(tip::Column::Outcome, Expr::value(v.as_str()));
    }
    if let Some(v) = c.assigned_org_id {
        u = u.col_expr(tip::Column::AssignedOrgId, Expr::value(v));
    }
    if let Some(v) = c.due_at {
        u = u.col_expr(tip::Column::DueAt, Expr::value(v));
    }
    if let Some(v) = c.finding {
        u = u.col_expr(tip::Column::Finding, Expr::value(v));
    }
    if let Some(v) = c.penalty_yuan {
        u = u.col_expr(tip::Column::PenaltyYuan, Expr::value(v));
    }
    if let Some(v) = c.reward_yuan {
        u = u.col_expr(tip::Column::RewardYuan, Expr::value(v));
    }
    if let Some(v) = c.reward_proposed_by {
        u = u.col_expr(tip::Column::RewardProposedBy, Expr::value(v));
    }
    if let Some(v) = c.hazard_id {
        u = u.col_expr(tip::Column::HazardId, Expr::value(v));
    }
    Ok(u.exec(db).await?.rows_affected == 1)
}

pub async fn add_event(
    db: &impl ConnectionTrait,
    tip_id: i64,
    kind: &str,
    actor: Option<(i64, &str)>,
    note: &str,
    now: DateTime<Utc>,
) -> Result<TipEvent> {
    tip_event::ActiveModel {
        tip_id: Set(tip_id),
        kind: Set(kind.to_owned()),
        actor_id: Set(actor.map(|a| a.0)),
        actor: Set(actor.map_or_else(String::new, |a| a.1.to_owned())),
        note: Set(note.to_owned()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?
    .decode()
}

pub async fn add_message(
    db: &impl ConnectionTrait,
    tip_id: i64,
    author: Option<(i64, &str)>,
    body: &str,
    now: DateTime<Utc>,
) -> Result<TipMessage> {
    tip_message::ActiveModel {
        tip_id: Set(tip_id),
        from_reporter: Set(author.is_none()),
        author_id: Set(author.map(|a| a.0)),
        author: Set(author.map_or_else(String::new, |a| a.1.to_owned())),
        body: Set(body.to_owned()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?
    .decode()
}

#[derive(Debug, Clone)]
pub struct NewTipFile {
    pub role: &'static str,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub width: i32,
    pub height: i32,
}

pub async fn add_file(db: &impl ConnectionTrait, tip_id: i64, f: NewTipFile, now: DateTime<Utc>) -> Result<TipFile> {
    tip_file::ActiveModel {
        tip_id: Set(tip_id),
        role: Set(f.role.to_owned()),
        content_type: Set(f.content_type),
        size: Set(f.size),
        sha256: Set(f.sha256),
        width: Set(f.width),
        height: Set(f.height),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?
    .decode()
}

pub async fn events(db: &impl ConnectionTrait, tip_id: i64) -> Result<Vec<TipEvent>> {
    tip_event::Entity::find()
        .filter(tip_event::Column::TipId.eq(tip_id))
        .order_by_asc(tip_event::Column::Id)
        .all(db)
        .await?
        .decode()
}

pub async fn messages(db: &impl ConnectionTrait, tip_id: i64) -> Result<Vec<TipMessage>> {
    tip_message::Entity::find()
        .filter(tip_message::Column::TipId.eq(tip_id))
        .order_by_asc(tip_message::Column::Id)
        .all(db)
        .await?
        .decode()
}

pub async fn files(db: &impl ConnectionTrait, tip_id: i64) -> Result<Vec<TipFile>> {
    tip_file::Entity::find()
        .filter(tip_file::Column::TipId.eq(tip_id))
        .order_by_asc(tip_file::Column::Id)
        .all(db)
        .await?
        .decode()
}

pub async fn file(db: &impl ConnectionTrait, tip_id: i64, file_id: i64) -> Result<Option<TipFile>> {
    tip_file::Entity::find_by_id(file_id).filter(tip_file::Column::TipId.eq(tip_id)).one(db).await?.decode()
}
