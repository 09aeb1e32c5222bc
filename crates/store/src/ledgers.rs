//! Signed monthly hazard lists. Append-only: a correction is a new version beside the old.

use crate::entity::ledger::{self, Entity as Ledgers};
use crate::rows::Decode;
use crate::scope::copied_paths;
use crate::{Result, StoreError};
use anjian_domain::scope::Scope;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

pub use anjian_domain::ledger::Ledger;

fn scoped(scope: &Scope) -> sea_orm::Select<Ledgers> {
    Ledgers::find().filter(copied_paths(
        scope,
        ledger::Column::JurisdictionPath,
        ledger::Column::OrgPath,
        ledger::Column::OrgId,
    ))
}

#[derive(Debug, Clone)]
pub struct NewLedger {
    pub uid: String,
    pub org: crate::orgs::Org,
    pub period: String,
    pub version: i32,
    pub items_json: String,
    pub item_count: i32,
    pub content_hash: String,
    pub signature: String,
    pub signed_by: i64,
    pub signer: String,
    pub signed_at: DateTime<Utc>,
}

pub async fn insert(db: &impl ConnectionTrait, n: NewLedger) -> Result<Ledger> {
    ledger::ActiveModel {
        uid: Set(n.uid),
        org_id: Set(n.org.id),
        jurisdiction_path: Set(n.org.jurisdiction_path),
        org_path: Set(n.org.org_path),
        period: Set(n.period),
        version: Set(n.version),
        items_json: Set(n.items_json),
        item_count: Set(n.item_count),
        content_hash: Set(n.content_hash),
        signature: Set(n.signature),
        signed_by: Set(n.signed_by),
        signer: Set(n.signer),
        signed_at: Set(n.signed_at),
        ..Default::default()
    }
    .insert(db)
    .await?
    .decode()
}

pub async fn latest(db: &impl ConnectionTrait, org_id: i64, period: &str) -> Result<Option<Ledger>> {
    Ledgers::find()
        .filter(ledger::Column::OrgId.eq(org_id))
        .filter(ledger::Column::Period.eq(period))
        .order_by_desc(ledger::Column::Version)
        .limit(1)
        .one(db)
        .await?
        .decode()
}

pub async fn get(db: &impl ConnectionTrait, scope: &Scope, id: i64) -> Result<Ledger> {
    scoped(scope).filter(ledger::Column::Id.eq(id)).one(db).await?.ok_or(StoreError::NotFound)?.decode()
}

/// Signed lists in scope, newest first: what a bureau has received.
pub async fn list(
    db: &impl ConnectionTrait,
    scope: &Scope,
    period: Option<&str>,
    org_id: Option<i64>,
    limit: u64,
) -> Result<Vec<Ledger>> {
    let mut q = scoped(scope);
    if let Some(p) = period {
        q = q.filter(ledger::Column::Period.eq(p));
    }
    if let Some(o) = org_id {
        q = q.filter(ledger::Column::OrgId.eq(o));
    }
    q.order_by_desc(ledger::Column::Id).limit(limit).all(db).await?.decode()
}
