//! The audit log: an append-only, hash-chained table and its head.

use crate::entity::{audit_head, audit_log};
use crate::rows::Decode;
use crate::{Result, StoreError};
use anjian_domain::audit::{AuditRecord, ChainBreak, HashAlg, Linked, Verifier};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

pub use anjian_domain::audit::AuditFilter;

/// An audit entry before the chain gives it a number and a hash.
#[derive(Debug, Clone, Default)]
pub struct Entry {
    pub actor_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub result: String,
    pub before_digest: Option<String>,
    pub after_digest: Option<String>,
    pub detail: String,
}

/// Appends to the chain inside the caller's transaction, so the record commits with the write
/// it describes or not at all.
pub async fn append(db: &impl ConnectionTrait, alg: HashAlg, e: Entry, at: DateTime<Utc>) -> Result<i64> {
    // Bump the head first: it is a write, so it takes SQLite's write lock or PostgreSQL's row lock
    // before the head is read. Concurrent appends queue here and the chain cannot fork.
    audit_head::Entity::update_many()
        .col_expr(audit_head::Column::Seq, Expr::col(audit_head::Column::Seq).add(1))
        .filter(audit_head::Column::Id.eq(1))
        .exec(db)
        .await?;
    let head = audit_head::Entity::find_by_id(1).one(db).await?.ok_or(StoreError::NotFound)?;
    let record = AuditRecord {
        seq: head.seq,
        at,
        actor_id: e.actor_id,
        actor: e.actor,
        action: e.action,
        object_type: e.object_type,
        object_id: e.object_id,
        result: e.result,
        before_digest: e.before_digest,
        after_digest: e.after_digest,
        detail: e.detail,
    };
    let hash = record.chain_hash(alg, &head.hash);
    audit_log::ActiveModel {
        seq: Set(record.seq),
        at: Set(record.at),
        actor_id: Set(record.actor_id),
        actor: Set(record.actor),
        action: Set(record.action),
        object_type: Set(record.object_type),
        object_id: Set(record.object_id),
        result: Set(record.result),
        before_digest: Set(record.before_digest),
        after_digest: Set(record.after_digest),
        detail: Set(record.detail),
        alg: Set(alg.as_str().to_owned()),
        prev_hash: Set(head.hash),
        hash: Set(hash.clone()),
    }
    .insert(db)
    .await?;
    audit_head::Entity::update_many()
        .col_expr(audit_head::Column::Hash, Expr::value(hash))
        .filter(audit_head::Column::Id.eq(1))
        .exec(db)
        .await?;
    Ok(head.seq)
}

/// Newest first, by sequence number below the cursor.
pub async fn page(db: &impl ConnectionTrait, f: &AuditFilter, before: Option<i64>, limit: u64) -> Result<Vec<Linked>> {
    let mut c = Condition::all();
    if let Some(b) = before {
        c = c.add(audit_log::Column::Seq.lt(b));
    }
    if let Some(a) = f.actor.as_deref().filter(|s| !s.is_empty()) {
        c = c.add(audit_log::Column::Actor.eq(a));
    }
    if let Some(a) = f.action.as_deref().filter(|s| !s.is_empty()) {
        c = c.add(audit_log::Column::Action.starts_with(a));
    }
    if let Some(o) = f.object_type.as_deref().filter(|s| !s.is_empty()) {
        c = c.add(audit_log::Column::ObjectType.eq(o));
    }
    if let Some(s) = f.since {
        c = c.add(audit_log::Column::At.gte(s));
    }
    if let Some(u) = f.until {
        c = c.add(audit_log::Column::At.lt(u));
    }
    audit_log::Entity::find().filter(c).order_by_desc(audit_log::Column::Seq).limit(limit).all(db).await?.decode()
}

pub async fn head(db: &impl ConnectionTrait) -> Result<(i64, String)> {
    let h = audit_head::Entity::find_by_id(1).one(db).await?.ok_or(StoreError::NotFound)?;
    Ok((h.seq, h.hash))
}

/// The outcome of walking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub records: u64,
    pub head_seq: i64,
    pub head_hash: String,
}

/// Walks the records written after `since` (a head verified before: a checkpoint), checking
/// that they link to it, up to the head row. The chain cut below `since` is `Truncated`.
pub async fn verify_since(db: &impl ConnectionTrait, since: (i64, &str)) -> Result<Result<Verified, ChainBreak>> {
    let mut v = Verifier::resume(since.0, since.1);
    if let Err(b) = walk(db, &mut v, since.0).await? {
        return Ok(Err(b));
    }
    let (seq, hash) = head(db).await?;
    if let Err(b) = v.finish(seq, &hash) {
        return Ok(Err(b));
    }
    if seq < since.0 {
        return Ok(Err(ChainBreak::Truncated { last_seq: seq, head_seq: since.0 }));
    }
    let (last_seq, last_hash) = v.last();
    Ok(Ok(Verified { records: v.checked, head_seq: last_seq, head_hash: last_hash.to_owned() }))
}

/// Feeds the records after `after` to the verifier, in batches.
async fn walk(db: &impl ConnectionTrait, v: &mut Verifier, mut after: i64) -> Result<Result<(), ChainBreak>> {
    loop {
        let batch = audit_log::Entity::find()
            .filter(audit_log::Column::Seq.gt(after))
            .order_by_asc(audit_log::Column::Seq)
            .limit(2000)
            .all(db)
            .await?;
        let Some(last) = batch.last() else { return Ok(Ok(())) };
        after = last.seq;
        for row in batch {
            if let Err(b) = v.push(&row.decode()?) {
                return Ok(Err(b));
            }
        }
    }
}

/// Walks the chain in batches and compares its end with the head row. `checkpoint`, when
/// given, is a (seq, hash) kept outside the database: a chain shorter than it was cut.
pub async fn verify(
    db: &impl ConnectionTrait,
    checkpoint: Option<(i64, String)>,
) -> Result<Result<Verified, ChainBreak>> {
    let mut v = Verifier::default();
    if let Err(b) = walk(db, &mut v, 0).await? {
        return Ok(Err(b));
    }
    let (seq, hash) = head(db).await?;
    if let Err(b) = v.finish(seq, &hash) {
        return Ok(Err(b));
    }
    if let Some((cseq, chash)) = checkpoint {
        if let Err(b) = v.finish(cseq, &chash) {
            return Ok(Err(b));
        }
        // A checkpoint inside the chain must match the record at that point.
        if cseq < seq {
            let at = audit_log::Entity::find_by_id(cseq).one(db).await?;
            if at.map(|r| r.hash) != Some(chash) {
                return Ok(Err(ChainBreak::HeadMismatch { head_seq: cseq }));
            }
        }
    }
    let (last_seq, last_hash) = v.last();
    Ok(Ok(Verified { records: v.checked, head_seq: last_seq, head_hash: last_hash.to_owned() }))
}
