//! Sensor readings and their hourly aggregates: the telemetry intake's fast path.
//!
//! Both tables are keyed by (sensor, epoch milliseconds). A batch goes to the database as one
//! JSON text parameter that the database unpacks itself (`json_each` on SQLite,
//! `jsonb_array_elements` on PostgreSQL): binding three values per reading one by one cost more
//! than the insert did, and a statement with thousands of placeholders is parsed anew for every
//! batch size. Readings newer than their sensor's newest cannot be stored yet, so they are
//! appended without asking which were taken; only the others go through the slower insert that
//! returns what it took — so a gateway resending a batch changes nothing.

use crate::Result;
use chrono::{DateTime, TimeZone, Utc};
use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult, Statement, Value};
use std::fmt::Write;

/// Rows per statement: bounds the JSON text and the database's work per statement.
const CHUNK: usize = 10_000;

/// One reading as stored.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading {
    pub sensor_id: i64,
    pub at: DateTime<Utc>,
    pub value: f64,
}

/// One hour's aggregate of a sensor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hour {
    pub sensor_id: i64,
    pub hour: DateTime<Utc>,
    pub n: i64,
    pub min: f64,
    pub max: f64,
    pub sum: f64,
}

/// The instant as stored: epoch milliseconds.
pub fn to_ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub fn from_ms(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

/// The instant as it will be stored (readings are kept to the millisecond), so that two readings
/// the database will see as one are one before they get there.
pub fn to_stored_precision(t: DateTime<Utc>) -> DateTime<Utc> {
    from_ms(to_ms(t))
}

/// A timestamp as the database driver writes one into a SQLite timestamp column, so that values
/// written through JSON compare (as text) with those written through bound parameters.
pub(crate) fn timestamp_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
}

/// `SELECT c0, c1, … FROM <the JSON array of arrays in parameter 1>`, with PostgreSQL's types.
pub(crate) fn unpack(backend: DbBackend, pg_types: &[&str]) -> String {
    let mut sql = String::from("SELECT ");
    for (i, ty) in pg_types.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        match backend {
            DbBackend::Postgres => write!(sql, "(e->>{i})::{ty} AS c{i}"),
            _ => write!(sql, "value->>{i} AS c{i}"),
        }
        .ok();
    }
    sql.push_str(match backend {
        DbBackend::Postgres => " FROM jsonb_array_elements($1::jsonb) AS e",
        _ => " FROM json_each($1)",
    });
    sql
}

/// Writes a JSON array of arrays, one per item (numbers are finite: checked at the intake).
pub(crate) fn json_rows<T>(items: &[T], mut row: impl FnMut(&mut String, &T)) -> String {
    let mut s = String::with_capacity(items.len() * 40 + 2);
    s.push('[');
    for (i, it) in items.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push('[');
        row(&mut s, it);
        s.push(']');
    }
    s.push(']');
    s
}

fn reading_row(s: &mut String, r: &Reading) {
    write!(s, "{},{},{}", r.sensor_id, to_ms(r.at), r.value).ok();
}

fn statement(backend: DbBackend, sql: String, json: String) -> Statement {
    Statement::from_sql_and_values(backend, sql, [Value::from(json)])
}

/// Stores readings each newer than anything stored for its sensor (the caller holds the sensors'
/// rows, so nothing else can store one meanwhile). Returns how many were stored.
pub async fn append_readings(db: &impl ConnectionTrait, rows: &[Reading]) -> Result<u64> {
    let backend = db.get_database_backend();
    let sql = format!(
        "INSERT INTO readings (sensor_id, at_ms, value) {} WHERE true ON CONFLICT DO NOTHING",
        unpack(backend, &["bigint", "bigint", "double precision"])
    );
    let mut n = 0;
    for chunk in rows.chunks(CHUNK) {
        n += db.execute(statement(backend, sql.clone(), json_rows(chunk, reading_row))).await?.rows_affected();
    }
    Ok(n)
}

#[derive(FromQueryResult)]
struct StoredReading {
    sensor_id: i64,
    at_ms: i64,
    value: f64,
}

impl From<StoredReading> for Reading {
    fn from(r: StoredReading) -> Reading {
        Reading { sensor_id: r.sensor_id, at: from_ms(r.at_ms), value: r.value }
    }
}

/// Stores readings that may be stored already (late or resent), skipping those; returns the
/// ones taken.
pub async fn insert_readings(db: &impl ConnectionTrait, rows: &[Reading]) -> Result<Vec<Reading>> {
    let backend = db.get_database_backend();
    let sql = format!(
        "INSERT INTO readings (sensor_id, at_ms, value) {} WHERE true ON CONFLICT DO NOTHING \
         RETURNING sensor_id, at_ms, value",
        unpack(backend, &["bigint", "bigint", "double precision"])
    );
    let mut taken = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(CHUNK) {
        let stmt = statement(backend, sql.clone(), json_rows(chunk, reading_row));
        taken.extend(StoredReading::find_by_statement(stmt).all(db).await?.into_iter().map(Reading::from));
    }
    Ok(taken)
}

/// Adds new readings' aggregates to their hours.
pub async fn add_to_hours(db: &impl ConnectionTrait, hours: &[Hour]) -> Result<()> {
    let backend = db.get_database_backend();
    // Portable: a CASE instead of MIN()/LEAST(), which the two databases spell differently.
    let sql = format!(
        "INSERT INTO reading_hours (sensor_id, hour_ms, n, min, max, sum) {} WHERE true \
         ON CONFLICT (sensor_id, hour_ms) DO UPDATE SET n = reading_hours.n + excluded.n, \
         sum = reading_hours.sum + excluded.sum, \
         min = CASE WHEN excluded.min < reading_hours.min THEN excluded.min ELSE reading_hours.min END, \
         max = CASE WHEN excluded.max > reading_hours.max THEN excluded.max ELSE reading_hours.max END",
        unpack(backend, &["bigint", "bigint", "bigint", "double precision", "double precision", "double precision"])
    );
    for chunk in hours.chunks(CHUNK) {
        let json = json_rows(chunk, |s, h| {
            write!(s, "{},{},{},{},{},{}", h.sensor_id, to_ms(h.hour), h.n, h.min, h.max, h.sum).ok();
        });
        db.execute(statement(backend, sql.clone(), json)).await?;
    }
    Ok(())
}

/// A sensor's readings in `[from, until)`, oldest first.
pub async fn readings_between(
    db: &impl ConnectionTrait,
    sensor_id: i64,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<Reading>> {
    let stmt = Statement::from_sql_and_values(
        db.get_database_backend(),
        "SELECT sensor_id, at_ms, value FROM readings WHERE sensor_id = $1 AND at_ms >= $2 AND at_ms < $3 \
         ORDER BY at_ms",
        [sensor_id.into(), to_ms(from).into(), to_ms(until).into()],
    );
    Ok(StoredReading::find_by_statement(stmt).all(db).await?.into_iter().map(Reading::from).collect())
}

#[derive(FromQueryResult)]
struct StoredHour {
    sensor_id: i64,
    hour_ms: i64,
    n: i64,
    min: f64,
    max: f64,
    sum: f64,
}

/// A sensor's hourly aggregates in `[from, until)`, oldest first.
pub async fn hours_between(
    db: &impl ConnectionTrait,
    sensor_id: i64,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<Hour>> {
    let stmt = Statement::from_sql_and_values(
        db.get_database_backend(),
        "SELECT sensor_id, hour_ms, n, min, max, sum FROM reading_hours \
         WHERE sensor_id = $1 AND hour_ms >= $2 AND hour_ms < $3 ORDER BY hour_ms",
        [sensor_id.into(), to_ms(from).into(), to_ms(until).into()],
    );
    Ok(StoredHour::find_by_statement(stmt)
        .all(db)
        .await?
        .into_iter()
        .map(|h| Hour { sensor_id: h.sensor_id, hour: from_ms(h.hour_ms), n: h.n, min: h.min, max: h.max, sum: h.sum })
        .collect())
}

/// Drops the given sensors' raw readings older than `before` (the hourly aggregates stay). By
/// sensor, so that each deletion walks the key from the sensor's oldest reading rather than the
/// whole table.
pub async fn prune_readings(db: &impl ConnectionTrait, sensor_ids: &[i64], before: DateTime<Utc>) -> Result<u64> {
    if sensor_ids.is_empty() {
        return Ok(0);
    }
    let mut sql = String::from("DELETE FROM readings WHERE at_ms < $1 AND sensor_id IN (");
    let mut values: Vec<Value> = vec![to_ms(before).into()];
    for (i, id) in sensor_ids.iter().enumerate() {
        if i > 0 {
            sql.push(',');
        }
        write!(sql, "${}", i + 2).ok();
        values.push((*id).into());
    }
    sql.push(')');
    let stmt = Statement::from_sql_and_values(db.get_database_backend(), sql, values);
    Ok(db.execute(stmt).await?.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_one_json_array_of_arrays() {
        let at = from_ms(1_700_000_000_123);
        let rows = [Reading { sensor_id: 7, at, value: 20.5 }, Reading { sensor_id: 8, at, value: -3.0 }];
        let json = json_rows(&rows, reading_row);
        assert_eq!(json, "[[7,1700000000123,20.5],[8,1700000000123,-3]]");
        let back: Vec<(i64, i64, f64)> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, vec![(7, 1_700_000_000_123, 20.5), (8, 1_700_000_000_123, -3.0)]);
        assert_eq!(json_rows::<Reading>(&[], reading_row), "[]");
    }

    #[test]
    fn stored_precision_is_the_millisecond() {
        let t = Utc.timestamp_opt(1_700_000_000, 123_456_789).unwrap();
        assert_eq!(to_stored_precision(t), Utc.timestamp_opt(1_700_000_000, 123_000_000).unwrap());
        assert_eq!(from_ms(to_ms(t)), to_stored_precision(t));
    }

    #[test]
    fn timestamps_are_written_as_the_driver_writes_them() {
        let t = Utc.timestamp_opt(1_700_000_000, 0).unwrap();
        assert_eq!(timestamp_text(t), "2023-11-14T22:13:20+00:00");
    }
}
