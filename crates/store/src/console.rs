//! The operator's SQL console: statements as written, answers as text. It is for what goes
//! beneath the use cases on purpose — a maintenance script, a benchmark's raw ceiling, and the
//! tests that tamper with the database as an intruder with a database tool would (drop a
//! trigger, cut the audit chain, write a row an old release left). The app never uses it.
//!
//! Statements take `?` placeholders on both databases; PostgreSQL's `$n` are written here.

use crate::{Result, Store};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement, Value};

/// Which database a store runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// One value bound to a `?`.
#[derive(Clone, Debug, PartialEq)]
pub enum Param {
    Int(Option<i64>),
    Real(f64),
    Bool(bool),
    Text(String),
    Time(Option<DateTime<Utc>>),
}

impl From<i64> for Param {
    fn from(v: i64) -> Self {
        Param::Int(Some(v))
    }
}
impl From<Option<i64>> for Param {
    fn from(v: Option<i64>) -> Self {
        Param::Int(v)
    }
}
impl From<f64> for Param {
    fn from(v: f64) -> Self {
        Param::Real(v)
    }
}
impl From<bool> for Param {
    fn from(v: bool) -> Self {
        Param::Bool(v)
    }
}
impl From<&str> for Param {
    fn from(v: &str) -> Self {
        Param::Text(v.to_owned())
    }
}
impl From<String> for Param {
    fn from(v: String) -> Self {
        Param::Text(v)
    }
}
impl From<DateTime<Utc>> for Param {
    fn from(v: DateTime<Utc>) -> Self {
        Param::Time(Some(v))
    }
}
impl From<Option<DateTime<Utc>>> for Param {
    fn from(v: Option<DateTime<Utc>>) -> Self {
        Param::Time(v)
    }
}

impl From<Param> for Value {
    fn from(p: Param) -> Value {
        match p {
            Param::Int(v) => v.into(),
            Param::Real(v) => v.into(),
            Param::Bool(v) => v.into(),
            Param::Text(v) => v.into(),
            Param::Time(v) => Value::ChronoDateTimeUtc(v.map(Box::new)),
        }
    }
}

/// A connection as another tool would open it: none of anjian's settings (no recursive
/// triggers, no busy timeout), to show what the database itself refuses.
pub struct PlainConnection(DatabaseConnection);

impl PlainConnection {
    /// Opens the SQLite file at `path` with the driver's defaults.
    pub async fn sqlite(path: &std::path::Path) -> Result<PlainConnection> {
        Ok(PlainConnection(Database::connect(format!("sqlite://{}", path.display())).await?))
    }

    pub async fn execute_sql(&self, sql: &str) -> Result<()> {
        self.0.execute_unprepared(sql).await?;
        Ok(())
    }
}

fn statement(backend: DbBackend, sql: &str, params: Vec<Param>) -> Statement {
    let sql = match backend {
        DbBackend::Postgres => {
            let mut n = 0;
            sql.chars()
                .map(|c| match c {
                    '?' => {
                        n += 1;
                        format!("${n}")
                    }
                    c => c.to_string(),
                })
                .collect()
        }
        _ => sql.to_owned(),
    };
    Statement::from_sql_and_values(backend, sql, params.into_iter().map(Value::from))
}

impl Store {
    pub fn engine(&self) -> Engine {
        match self.backend() {
            DbBackend::Postgres => Engine::Postgres,
            _ => Engine::Sqlite,
        }
    }

    /// Runs statements as they are (a benchmark's extra index, a maintenance script).
    pub async fn execute_sql(&self, sql: &str) -> Result<()> {
        self.db.execute_unprepared(sql).await?;
        Ok(())
    }

    /// Runs one statement with values bound to its `?`; the number of rows it touched.
    pub async fn execute_sql_with(&self, sql: &str, params: Vec<Param>) -> Result<u64> {
        Ok(self.db.execute(statement(self.backend(), sql, params)).await?.rows_affected())
    }

    /// Runs an `INSERT` with values bound to its `?` and answers the new row's `id`.
    pub async fn insert_sql(&self, sql: &str, params: Vec<Param>) -> Result<i64> {
        let stmt = statement(self.backend(), &format!("{sql} RETURNING id"), params);
        let row = self.db.query_one(stmt).await?;
        let row = row.ok_or_else(|| crate::StoreError::Conflict(format!("{sql}: no row returned")))?;
        Ok(row.try_get_by_index::<i64>(0)?)
    }

    /// The first column of every row a query answers, as text (numbers written in decimal).
    pub async fn sql_texts(&self, sql: &str) -> Result<Vec<String>> {
        let rows = self.db.query_all(Statement::from_string(self.backend(), sql)).await?;
        rows.iter()
            .map(|r| {
                r.try_get_by_index::<String>(0)
                    .or_else(|_| r.try_get_by_index::<i64>(0).map(|n| n.to_string()))
                    .map_err(Into::into)
            })
            .collect()
    }

    /// A query's single number (`SELECT count(*) …`).
    pub async fn sql_count(&self, sql: &str) -> Result<i64> {
        let row = self.db.query_one(Statement::from_string(self.backend(), sql)).await?;
        let row = row.ok_or_else(|| crate::StoreError::Conflict(format!("{sql}: no row returned")))?;
        Ok(row.try_get_by_index::<i64>(0)?)
    }
}
