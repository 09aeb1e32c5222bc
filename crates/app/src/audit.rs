//! Recording to and reading from the audit chain, and verifying it.

use crate::audit_checkpoint::{Checkpoint, CheckpointError, CheckpointFile, PublicKey};
use crate::{Actor, App, AppError, Result};
use anjian_domain::audit::ChainBreak;
use anjian_domain::audit::Linked;
use anjian_domain::role::Permission;
use anjian_store::audit::{self as store_audit, AuditFilter, Entry, Verified};
use anjian_store::Db;
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
    pub async fn record(&self, db: &impl Db, e: Entry) -> Result<i64> {
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
    ) -> Result<Vec<Linked>> {
        actor.require(Permission::ViewAudit)?;
        Ok(store_audit::page(&self.store.db, f, before, limit.clamp(1, 500)).await?)
    }

    /// Walks the whole chain. With a checkpoint (its file and the public key to read it with),
    /// the checkpoint must be there, signed by that key, and inside the chain, matching the
    /// record at its place. Nothing is written: the server alone advances the checkpoint.
    pub async fn verify_audit(&self, checkpoint: Option<(&Path, &PublicKey)>) -> Result<Result<Verified, AuditBreak>> {
        let cp = match checkpoint {
            Some((path, public)) => match CheckpointFile::read(path, public) {
                Ok(cp) => Some((cp.seq, cp.hash)),
                Err(e) => return Ok(Err(e.into())),
            },
            None => None,
        };
        Ok(store_audit::verify(&self.store.db, cp).await?.map_err(AuditBreak::from))
    }

    /// The audit admin's check from the audit page: the chain and this server's checkpoint.
    pub async fn verify_audit_as(&self, actor: &Actor) -> Result<Result<Verified, AuditBreak>> {
        actor.require(Permission::ViewAudit)?;
        match &self.settings.audit_checkpoint {
            Some(file) => self.verify_audit(Some((&file.path, &file.key.public()))).await,
            None => self.verify_audit(None).await,
        }
    }

    /// Advances the signed checkpoint to the chain's head: the records written since the last
    /// checkpoint must link to it, or nothing is written and the break is returned. A checkpoint
    /// that cannot be read with this server's key is never overwritten. `None` when this server
    /// keeps no checkpoint (tests, tools).
    #[tracing::instrument(skip_all)]
    pub async fn advance_audit_checkpoint(&self) -> Result<Option<std::result::Result<Checkpoint, AuditBreak>>> {
        let Some(file) = &self.settings.audit_checkpoint else { return Ok(None) };
        let since = match CheckpointFile::read(&file.path, &file.key.public()) {
            Ok(cp) => Some(cp),
            // The first checkpoint of an installation: the whole chain is walked from its start.
            Err(CheckpointError::Missing(_)) => None,
            Err(e) => return Ok(Some(Err(e.into()))),
        };
        let outcome = match &since {
            Some(cp) => store_audit::verify_since(&self.store.db, (cp.seq, &cp.hash)).await?,
            None => store_audit::verify(&self.store.db, None).await?,
        };
        let v = match outcome {
            Ok(v) => v,
            Err(b) => return Ok(Some(Err(b.into()))),
        };
        if let Some(cp) = since.filter(|cp| cp.seq == v.head_seq) {
            return Ok(Some(Ok(cp)));
        }
        let cp = Checkpoint { seq: v.head_seq, hash: v.head_hash, at: self.clock.now() };
        file.write(&cp).map_err(|e| AppError::Internal(format!("writing {}: {e}", file.path.display())))?;
        Ok(Some(Ok(cp)))
    }
}

/// Why the audit trail cannot be trusted: a record of the chain, or the checkpoint beside it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditBreak {
    #[error("{0}")]
    Chain(#[from] ChainBreak),
    #[error("{0}")]
    Checkpoint(#[from] CheckpointError),
}
