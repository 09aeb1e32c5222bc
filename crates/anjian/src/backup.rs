//! `anjian backup DIR`: a consistent copy of a running SQLite installation. The database is
//! copied in one read transaction (writers carry on); uploaded files are content-addressed and
//! never change, so copying them after the database misses nothing the copy refers to; the keys
//! and the audit checkpoint come along so that signatures and the chain still verify. Restore:
//! stop anjian, put the folder's files back in the data folder, start it.

use crate::config::Resolved;
use anjian_app::App;
use anyhow::Context;
use std::path::Path;

pub async fn run(app: &App, cfg: &Resolved, to: &Path) -> anyhow::Result<()> {
    anyhow::ensure!(!to.exists(), "{} exists; a backup goes into a new folder", to.display());
    anyhow::ensure!(
        cfg.database_url().starts_with("sqlite:"),
        "anjian backup copies SQLite installations; back up PostgreSQL with pg_dump (see the README)"
    );
    std::fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    // The checkpoint first: the database copied after it holds at least the records it names,
    // so the restored chain verifies against it.
    for name in ["signing.key", "webhook.key", "tips.key", "audit-checkpoint.key", "audit.checkpoint"] {
        let from = cfg.data_dir.join(name);
        if from.exists() {
            std::fs::copy(&from, to.join(name)).with_context(|| format!("copying {name}"))?;
        }
    }
    app.backup_sqlite(&to.join("anjian.db")).await.context("copying the database")?;
    // Files are written before the rows that name them commit and never change: copied after
    // the database, every file it refers to is there.
    let mut files = 0u64;
    let blobs = cfg.data_dir.join("blobs");
    if blobs.exists() {
        files = copy_tree(&blobs, &to.join("blobs"))?;
    }
    println!("backup written to {} (database, {files} uploaded files, keys)", to.display());
    Ok(())
}

fn copy_tree(from: &Path, to: &Path) -> anyhow::Result<u64> {
    std::fs::create_dir_all(to)?;
    let mut n = 0;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            n += copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
            n += 1;
        }
    }
    Ok(n)
}
