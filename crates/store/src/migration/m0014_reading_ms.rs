//! Readings and their hourly aggregates keyed by integer milliseconds instead of timestamp text.
//!
//! A reading's key was (sensor, timestamp) with the timestamp stored as 32 characters of text on
//! SQLite, in a rowid table beside a unique index: two B-trees and long keys for every reading.
//! Keyed by (sensor, epoch milliseconds) — on SQLite a `WITHOUT ROWID` table, one B-tree — the
//! intake writes a third as many bytes per reading. The rows already stored are carried over with
//! the same instants, to the millisecond (what gateways send). Alarms get an index by sensor, which
//! the intake looks them up by.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0014_reading_ms"
    }
}

/// Epoch milliseconds of a stored timestamp column, in each database's own words.
fn epoch_ms(backend: DbBackend, col: &str) -> String {
    match backend {
        DbBackend::Postgres => format!("round(extract(epoch from {col}) * 1000)::bigint"),
        _ => format!("CAST(round((julianday({col}) - 2440587.5) * 86400000.0) AS INTEGER)"),
    }
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let backend = m.get_database_backend();
        let (int, real, without_rowid) = match backend {
            DbBackend::Postgres => ("bigint", "double precision", ""),
            _ => ("INTEGER", "REAL", " WITHOUT ROWID"),
        };
        let at = epoch_ms(backend, "at");
        let hour = epoch_ms(backend, "hour");
        let steps: String = [
            format!(
                "CREATE TABLE readings_ms (sensor_id {int} NOT NULL, at_ms {int} NOT NULL, value {real} NOT NULL, \
                 PRIMARY KEY (sensor_id, at_ms)){without_rowid}"
            ),
            format!("INSERT INTO readings_ms (sensor_id, at_ms, value) SELECT sensor_id, {at}, value FROM readings"),
            "DROP TABLE readings".into(),
            "ALTER TABLE readings_ms RENAME TO readings".into(),
            format!(
                "CREATE TABLE reading_hours_ms (sensor_id {int} NOT NULL, hour_ms {int} NOT NULL, n {int} NOT NULL, \
                 min {real} NOT NULL, max {real} NOT NULL, sum {real} NOT NULL, \
                 PRIMARY KEY (sensor_id, hour_ms)){without_rowid}"
            ),
            format!(
                "INSERT INTO reading_hours_ms (sensor_id, hour_ms, n, min, max, sum) \
                 SELECT sensor_id, {hour}, n, min, max, sum FROM reading_hours"
            ),
            "DROP TABLE reading_hours".into(),
            "ALTER TABLE reading_hours_ms RENAME TO reading_hours".into(),
            // The intake looks up the live alarms of the sensors a batch clears.
            "CREATE INDEX ix_alarms_sensor ON alarms (sensor_id, kind)".into(),
        ]
        .join(";\n");
        // One script on one connection: SQLite migrations run outside a transaction on the pool,
        // and a second connection that has not seen the DROP refuses the RENAME. On SQLite the
        // script is its own transaction; on PostgreSQL the migration already is one.
        let script = match backend {
            DbBackend::Postgres => steps,
            _ => format!("BEGIN IMMEDIATE;\n{steps};\nCOMMIT"),
        };
        m.get_connection().execute_unprepared(&script).await?;
        Ok(())
    }
}
