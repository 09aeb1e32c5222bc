//! Recording to and reading from the audit chain, and verifying it.

use crate::{Actor, App, AppError, Result};
use anjian_domain::audit::ChainBreak;
use anjian_domain::role::Permission;
use anjian_store::audit::{self as store_audit, AuditFilter, AuditRow, Entry, Verified};
use anjian_store::ConnectionTrait;
use std::path::Path;

/// Builds an entry for an action by `actor` (or by the system when `None`).
pub fn entry(actor: Option<&Actor>, action: &str, object_type: &str, object_id: impl ToString) -> Entry {
    Entry {
        actor_id: actor.map(|a| a.id()),
        actor: actor.map_or_else(|| "system".to_owned(), |a| a.name().to_owned()),
        action: action.to_owned(),
        object_type: object_type.to_owned(),
        object_id: object_id.to_string(),
        result: "ok".to_owned(),
        ..Default::default()
    }
}

impl App {
    /// Appends an entry inside the caller's transaction.
    pub async fn record(&self, db: &impl ConnectionTrait, e: Entry) -> Result<i64> {
        Ok(store_audit::append(db, self.settings.audit_alg, e, self.clock.now()).await?)
    }

    /// Appends an entry in a transaction of its own (security events that change nothing else).
    pub async fn record_alone(&self, e: Entry) -> Result<i64> {
        let txn = self.store.begin_write().await?;
        let seq = self.record(&*txn, e).await?;
        txn.commit().await?;
        Ok(seq)
    }

    pub async fn audit_page(
        &self,
        actor: &Actor,
        f: &AuditFilter,
        before: Option<i64>,
        limit: u64,
    ) -> Result<Vec<AuditRow>> {
        actor.require(Permission::ViewAudit)?;
        Ok(store_audit::page(&self.store.db, f, before, limit.clamp(1, 500)).await?)
    }

    /// Walks the whole chain; compares with the checkpoint file if there is one and, when the
    /// chain is whole, writes the new head to it.
    pub async fn verify_audit(&self, checkpoint: Option<&Path>) -> Result<Result<Verified, ChainBreak>> {
        let cp = match checkpoint {
            Some(p) if p.exists() => Some(read_checkpoint(p)?),
            _ => None,
        };
        let outcome = store_audit::verify(&self.store.db, cp).await?;
        if let (Ok(v), Some(p)) = (&outcome, checkpoint) {
            write_checkpoint(p, v.head_seq, &v.head_hash)?;
        }
        Ok(outcome)
    }
}

fn read_checkpoint(p: &Path) -> Result<(i64, String)> {
    let text = std::fs::read_to_string(p).map_err(|e| AppError::Internal(format!("reading {}: {e}", p.display())))?;
    let mut it = text.split_whitespace();
    match (it.next().and_then(|s| s.parse().ok()), it.next()) {
        (Some(seq), Some(hash)) => Ok((seq, hash.to_owned())),
        _ => Err(AppError::Internal(format!("{} is not an audit checkpoint", p.display()))),
    }
}

/// Writes `seq hash` atomically (temp file, fsync, rename), outside the database.
pub fn write_checkpoint(p: &Path, seq: i64, hash: &str) -> Result<()> {
    use std::io::Write;
    let tmp = p.with_extension("tmp");
    let io = |e: std::io::Error| AppError::Internal(format!("writing {}: {e}", p.display()));
    let mut f = std::fs::File::create(&tmp).map_err(io)?;
    writeln!(f, "{seq} {hash}").map_err(io)?;
    f.sync_all().map_err(io)?;
    std::fs::rename(&tmp, p).map_err(io)?;
    Ok(())
}
