//! Persistence for anjian. The only crate that speaks SQL: one code path for SQLite (the default,
//! one file in the data folder) and PostgreSQL (for many instances), through sea-orm.
//!
//! Every read of supervised data takes a [`Scope`](anjian_domain::scope::Scope); see [`scope`].

pub mod account_requests;
pub mod activities;
pub mod attachments;
pub mod audit;
pub mod blobs;
pub mod checklists;
pub mod console;
pub mod crossings;
mod entity;
mod error;
pub mod fundamentals;
pub mod hazard_counts;
pub mod hazards;
pub mod images;
pub mod inspections;
pub mod jurisdictions;
pub mod ledgers;
pub mod liaison;
mod migration;
pub mod notifications;
pub mod orgs;
pub mod papers;
pub mod plans;
pub mod points;
pub mod readings;
mod rows;
pub mod safety_tests;
pub mod scope;
pub mod search;
pub mod sessions;
pub mod sites;
pub mod supervision;
pub mod task_reports;
pub mod tips;
pub mod tokens;
pub mod typical_cases;
pub mod users;
pub mod warehouses;

pub use error::StoreError;
// Nothing above the store names the database layer: the app passes [`Db`] down, and what goes
// beneath the use cases on purpose (tampering tests, raw ceilings) uses [`console`].
use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend};

/// Something a query runs on: the pool, or a transaction. What the app's use cases pass down
/// without naming the database layer.
pub trait Db: ConnectionTrait {}

impl<T: ConnectionTrait> Db for T {}

use sea_orm::{ConnectOptions, Database, TransactionTrait};
use sea_orm_migration::MigratorTrait;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};

/// The database layer's log targets, quieted to warnings: every statement at `info` would drown
/// the server's own log. The server adds this to its filter without naming the layer itself.
pub const QUIET_LOG_TARGETS: &str = "sqlx=warn,sea_orm=warn,sea_orm_migration=warn";

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Where the data lives.
#[derive(Clone)]
pub struct StoreOptions {
    /// `sqlite:PATH` (or `sqlite://PATH`) or `postgres://…`.
    pub url: String,
    /// PostgreSQL only: the schema to use (created if missing). Tests give each run its own.
    pub pg_schema: Option<String>,
    pub max_connections: u32,
}

impl std::fmt::Debug for StoreOptions {
    // The URL may hold a password; never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreOptions")
            .field("backend", &if self.url.starts_with("postgres") { "postgres" } else { "sqlite" })
            .field("pg_schema", &self.pg_schema)
            .finish()
    }
}

/// The database handle shared by the whole process.
#[derive(Clone)]
pub struct Store {
    pub db: DatabaseConnection,
    /// Where write transactions run. On SQLite a connection of its own: a writer that has its
    /// turn must not then wait for a pooled connection behind hundreds of readers (under a mixed
    /// load of 500 clients that wait made every write take seconds). On PostgreSQL the pool.
    writer: DatabaseConnection,
    /// SQLite takes one writer at a time; queuing writers here, in the process, spares them
    /// `database is locked` errors and lock-upgrade deadlocks. PostgreSQL needs no such queue.
    write_queue: Option<Arc<Mutex<()>>>,
}

/// A write transaction; on SQLite it also holds the process's write turn until dropped.
pub struct WriteTxn {
    txn: DatabaseTransaction,
    _turn: Option<OwnedMutexGuard<()>>,
}

impl std::ops::Deref for WriteTxn {
    type Target = DatabaseTransaction;
    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}

impl WriteTxn {
    pub async fn commit(self) -> Result<()> {
        self.txn.commit().await?;
        Ok(())
    }
}

/// The database and its WAL and shared-memory files are readable by their owner alone: they hold
/// password hashes, sealed secrets and the records. A new database is created that way (SQLite
/// gives the WAL files the database's mode); an existing one is corrected.
fn owner_only(db: &std::path::Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        if db.as_os_str().is_empty() || db.to_str().is_some_and(|p| p.contains(":memory:")) {
            return Ok(());
        }
        let io = |e: std::io::Error| StoreError::Db(sea_orm::DbErr::Custom(format!("{}: {e}", db.display())));
        if !db.exists() {
            std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(db).map_err(io)?;
        }
        for suffix in ["", "-wal", "-shm"] {
            let f = std::path::PathBuf::from(format!("{}{suffix}", db.display()));
            if f.exists() {
                std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o600)).map_err(io)?;
            }
        }
    }
    Ok(())
}

fn sqlite_url(url: &str) -> Option<String> {
    let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = path.split('?').next().unwrap_or(path);
    Some(format!("sqlite://{path}?mode=rwc"))
}

/// The SQLite pool, built here rather than by sea-orm for one reason: a connection whose
/// transaction could not be closed must not go back to the pool. When a full disk (or an I/O
/// error) makes `COMMIT` fail, the rollback that follows can fail too; the connection then still
/// sits in its transaction — holding the write lock, or a snapshot too old to write from — and
/// every later writer that draws it waits out the busy timeout or is refused "database is
/// locked" until the process restarts. Closing such a connection ends its transaction; the pool
/// opens a fresh one.
async fn sqlite_pool(url: &str, max_connections: u32) -> Result<DatabaseConnection> {
    use sea_orm::sqlx::sqlite::{
        SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous, SqliteTransactionManager,
    };
    use sea_orm::sqlx::{ConnectOptions as _, Connection as _, TransactionManager as _};
    let connect = |e: sea_orm::sqlx::Error| StoreError::Db(sea_orm::DbErr::Conn(sea_orm::RuntimeErr::SqlxError(e)));
    let file = std::path::PathBuf::from(url.strip_prefix("sqlite://").unwrap_or(url).split('?').next().unwrap_or(""));
    owner_only(&file)?;
    let options = url
        .parse::<SqliteConnectOptions>()
        .map_err(connect)?
        // WAL with synchronous=FULL: a committed write survives a power cut (SECURITY.md).
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(Duration::from_secs(15))
        .foreign_keys(true)
        // REPLACE deletes the row in its way; with recursive triggers that delete meets the
        // append-only tables' DELETE trigger instead of slipping past it (m0016).
        .pragma("recursive_triggers", "ON")
        .disable_statement_logging();
    let pool = SqlitePoolOptions::new()
        .max_connections(max_connections)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        .after_release(|conn, _| {
            Box::pin(async move {
                if SqliteTransactionManager::get_transaction_depth(conn) == 0 {
                    return Ok(true);
                }
                // A dropped transaction's rollback is queued on the connection; let it run.
                conn.ping().await?;
                let closed = SqliteTransactionManager::get_transaction_depth(conn) == 0;
                if !closed {
                    tracing::warn!("a SQLite connection left inside a failed transaction is closed");
                }
                Ok(closed)
            })
        })
        .connect_with(options)
        .await
        .map_err(connect)?;
    Ok(sea_orm::SqlxSqliteConnector::from_sqlx_sqlite_pool(pool))
}

impl Store {
    /// Connects, applies the durability settings and runs pending migrations.
    pub async fn open(opts: &StoreOptions) -> Result<Store> {
        Self::open_migrated_to(opts, None).await
    }

    /// Opens with only the first `steps` migrations applied (None: all): a database as an
    /// earlier release left it, for upgrade tests.
    pub async fn open_migrated_to(opts: &StoreOptions, steps: Option<u32>) -> Result<Store> {
        let is_sqlite = sqlite_url(&opts.url).is_some();
        let url = sqlite_url(&opts.url).unwrap_or_else(|| opts.url.clone());
        if let Some(schema) = &opts.pg_schema {
            let admin = Database::connect(&url).await?;
            admin.execute_unprepared(&format!("CREATE SCHEMA IF NOT EXISTS \"{}\"", schema.replace('"', ""))).await?;
            admin.close().await?;
        }
        let db = if is_sqlite {
            sqlite_pool(&url, opts.max_connections).await?
        } else {
            let mut co = ConnectOptions::new(url.clone());
            co.max_connections(opts.max_connections)
                .min_connections(1)
                .acquire_timeout(Duration::from_secs(10))
                .sqlx_logging(false);
            if let Some(schema) = &opts.pg_schema {
                co.set_schema_search_path(schema.clone());
            }
            Database::connect(co).await?
        };
        migration::Migrator::up(&db, steps).await?;
        let writer = if is_sqlite { sqlite_pool(&url, 1).await? } else { db.clone() };
        Ok(Store { db, writer, write_queue: is_sqlite.then(|| Arc::new(Mutex::new(()))) })
    }

    pub(crate) fn backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }

    /// Starts a write transaction. On SQLite it takes the write lock at once (a statement that
    /// writes nothing), so that a transaction may read before it writes: otherwise a commit from
    /// outside the queue (a session's or token's last use) between its first read and its first
    /// write would make SQLite refuse the write at once with "database is locked".
    pub async fn begin_write(&self) -> Result<WriteTxn> {
        let turn = match &self.write_queue {
            Some(q) => Some(q.clone().lock_owned().await),
            None => None,
        };
        let txn = self.writer.begin().await?;
        if turn.is_some() {
            txn.execute_unprepared("UPDATE seaql_migrations SET version = version WHERE 0").await?;
        }
        Ok(WriteTxn { txn, _turn: turn })
    }

    /// Whether the database answers (for `/readyz`).
    pub async fn ping(&self) -> Result<()> {
        self.db.ping().await?;
        Ok(())
    }

    /// SQLite's own consistency check, or a catalogue query on PostgreSQL.
    pub async fn integrity_check(&self) -> Result<String> {
        use sea_orm::Statement;
        let sql = match self.backend() {
            DbBackend::Sqlite => "PRAGMA integrity_check",
            _ => "SELECT 'ok'",
        };
        let row = self.db.query_one(Statement::from_string(self.backend(), sql)).await?;
        Ok(row.and_then(|r| r.try_get_by_index::<String>(0).ok()).unwrap_or_default())
    }

    /// An online, consistent copy of a SQLite database into `path` (`VACUUM INTO`: one read
    /// transaction, so writers carry on and the copy is a single moment). PostgreSQL is backed
    /// up with `pg_dump`.
    pub async fn backup_sqlite(&self, path: &std::path::Path) -> Result<()> {
        use sea_orm::Statement;
        if self.backend() != DbBackend::Sqlite {
            return Err(StoreError::Conflict("backup_sqlite needs SQLite; use pg_dump for PostgreSQL".into()));
        }
        let target = path.to_string_lossy().replace('\'', "''");
        self.db.execute(Statement::from_string(DbBackend::Sqlite, format!("VACUUM INTO '{target}'"))).await?;
        Ok(())
    }

    /// Drops a test schema (PostgreSQL).
    pub async fn drop_schema(&self, schema: &str) -> Result<()> {
        self.db.execute_unprepared(&format!("DROP SCHEMA IF EXISTS \"{}\" CASCADE", schema.replace('"', ""))).await?;
        Ok(())
    }

    pub async fn close(self) -> Result<()> {
        if self.write_queue.is_some() {
            self.writer.close().await?;
        }
        self.db.close().await?;
        Ok(())
    }
}
