//! Explosives warehouses' records: gateways and sensors, readings and their hourly aggregates,
//! alarms, patrol checkpoints and check-ins, loadings, facilities and their upkeep.
//!
//! Readings and their hourly aggregates are in `readings` (the intake's fast path).

use crate::entity::{alarm, checkpoint, facility, facility_upkeep, gateway, loading, patrol_checkin, sensor};
use crate::rows::Decode;
use crate::Result;
use anjian_domain::scope::Scope;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

pub use crate::readings::{
    add_to_hours, append_readings, hours_between, insert_readings, prune_readings, readings_between, Hour, Reading,
};
pub use anjian_domain::warehouse::AlarmFilter;
pub use anjian_domain::warehouse::Checkin;
pub use anjian_domain::warehouse::Checkpoint;
pub use anjian_domain::warehouse::Facility;
pub use anjian_domain::warehouse::Gateway;
pub use anjian_domain::warehouse::Loading;
pub use anjian_domain::warehouse::Sensor;
pub use anjian_domain::warehouse::Upkeep;
pub use anjian_domain::warehouse::{Alarm, AlarmState};

fn scoped<C: ColumnTrait>(scope: &Scope, j: C, o: C, id: C) -> sea_orm::Condition {
    crate::scope::copied_paths(scope, j, o, id)
}

// ---- gateways and sensors ----

pub async fn insert_gateway(
    db: &impl ConnectionTrait,
    org_id: i64,
    name: &str,
    digest: &str,
    now: DateTime<Utc>,
) -> Result<Gateway> {
    gateway::ActiveModel {
        org_id: Set(org_id),
        name: Set(name.to_owned()),
        token_digest: Set(digest.to_owned()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?
    .decode()
}

pub async fn gateway_by_id(db: &impl ConnectionTrait, id: i64) -> Result<Option<Gateway>> {
    gateway::Entity::find_by_id(id).one(db).await?.decode()
}

pub async fn gateway_by_digest(db: &impl ConnectionTrait, digest: &str) -> Result<Option<Gateway>> {
    gateway::Entity::find().filter(gateway::Column::TokenDigest.eq(digest)).one(db).await?.decode()
}

#[derive(Debug, Clone)]
pub struct NewSensor {
    pub code: String,
    pub site: crate::sites::Site,
    pub kind: String,
    pub low: f64,
    pub high: f64,
    pub hysteresis: f64,
}

pub async fn insert_sensor(db: &impl ConnectionTrait, n: NewSensor, now: DateTime<Utc>) -> Result<Sensor> {
    sensor::ActiveModel {
        code: Set(n.code),
        site_id: Set(n.site.id),
        org_id: Set(n.site.org_id),
        jurisdiction_path: Set(n.site.jurisdiction_path.clone()),
        org_path: Set(n.site.org_path.clone()),
        kind: Set(n.kind),
        low: Set(n.low),
        high: Set(n.high),
        hysteresis: Set(n.hysteresis),
        condition: Set("normal".into()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?
    .decode()
}

/// The sensors behind a batch's codes. On PostgreSQL the rows are locked for the transaction, so
/// two instances taking batches of one sensor apply them one after the other.
pub async fn sensors_by_codes(db: &impl ConnectionTrait, codes: &[String]) -> Result<Vec<Sensor>> {
    let mut out = Vec::new();
    for chunk in codes.chunks(500) {
        let mut q = sensor::Entity::find()
            .filter(sensor::Column::Code.is_in(chunk.iter().cloned()))
            .order_by_asc(sensor::Column::Id);
        if db.get_database_backend() == DbBackend::Postgres {
            q = q.lock_exclusive();
        }
        out.extend(q.all(db).await?.decode()?);
    }
    Ok(out)
}

pub async fn sensors_of_sites(db: &impl ConnectionTrait, site_ids: &[i64]) -> Result<Vec<Sensor>> {
    sensor::Entity::find()
        .filter(sensor::Column::SiteId.is_in(site_ids.iter().copied()))
        .order_by_asc(sensor::Column::Id)
        .all(db)
        .await?
        .decode()
}

/// Sensors last heard before `before` (or never, and created before it).
pub async fn silent_sensors(db: &impl ConnectionTrait, before: DateTime<Utc>) -> Result<Vec<Sensor>> {
    sensor::Entity::find()
        .filter(sea_orm::Condition::any().add(sensor::Column::LastAt.lt(before)).add(
            sea_orm::Condition::all().add(sensor::Column::LastAt.is_null()).add(sensor::Column::CreatedAt.lt(before)),
        ))
        .all(db)
        .await?
        .decode()
}

/// A sensor's state after a batch: condition, when the pending excursion began, newest reading.
#[derive(Debug, Clone)]
pub struct SensorState {
    pub id: i64,
    pub condition: &'static str,
    pub pending_since: Option<DateTime<Utc>>,
    pub last_at: Option<DateTime<Utc>>,
    pub last_value: Option<f64>,
}

/// Saves many sensors' states in one statement (`WITH v AS (…) UPDATE … FROM v`, which SQLite
/// and PostgreSQL both take) instead of one UPDATE each.
pub async fn save_sensor_states(db: &impl ConnectionTrait, states: &[SensorState]) -> Result<()> {
    use crate::readings::{json_rows, timestamp_text, unpack};
    use std::fmt::Write;
    let backend = db.get_database_backend();
    let sql = format!(
        "WITH v AS ({}) UPDATE sensors SET condition = v.c1, pending_since = v.c2, \
         last_at = COALESCE(v.c3, sensors.last_at), last_value = COALESCE(v.c4, sensors.last_value) \
         FROM v WHERE sensors.id = v.c0",
        unpack(backend, &["bigint", "text", "timestamptz", "timestamptz", "double precision"])
    );
    let text = |t: Option<DateTime<Utc>>| t.map_or("null".to_owned(), |t| format!("\"{}\"", timestamp_text(t)));
    for chunk in states.chunks(5_000) {
        let json = json_rows(chunk, |s, st| {
            let value = st.last_value.map_or("null".to_owned(), |v| v.to_string());
            write!(s, "{},\"{}\",{},{},{}", st.id, st.condition, text(st.pending_since), text(st.last_at), value).ok();
        });
        db.execute(sea_orm::Statement::from_sql_and_values(backend, sql.clone(), [json.into()])).await?;
    }
    Ok(())
}

/// Every sensor's id (for retention, which goes sensor by sensor).
pub async fn sensor_ids(db: &impl ConnectionTrait) -> Result<Vec<i64>> {
    Ok(sensor::Entity::find().select_only().column(sensor::Column::Id).into_tuple().all(db).await?)
}

// ---- alarms ----

#[derive(Debug, Clone)]
pub struct NewAlarm {
    /// One alarm per excursion, offline spell or missed hour: a repeat is a no-op.
    pub dedupe_key: String,
    pub site: crate::sites::Site,
    pub sensor_id: Option<i64>,
    pub kind: String,
    pub value: Option<f64>,
    pub opened_at: DateTime<Utc>,
}

/// Opens an alarm unless one with the same key exists; `None` then.
pub async fn open_alarm(db: &impl ConnectionTrait, n: NewAlarm) -> Result<Option<Alarm>> {
    let model = alarm::ActiveModel {
        dedupe_key: Set(n.dedupe_key.clone()),
        site_id: Set(n.site.id),
        sensor_id: Set(n.sensor_id),
        org_id: Set(n.site.org_id),
        jurisdiction_path: Set(n.site.jurisdiction_path.clone()),
        org_path: Set(n.site.org_path.clone()),
        kind: Set(n.kind),
        value: Set(n.value),
        opened_at: Set(n.opened_at),
        state: Set("open".into()),
        note: Set(String::new()),
        ..Default::default()
    };
    let r = alarm::Entity::insert(model)
        .on_conflict(OnConflict::column(alarm::Column::DedupeKey).do_nothing().to_owned())
        .exec_without_returning(db)
        .await?;
    if r == 0 {
        return Ok(None);
    }
    alarm::Entity::find().filter(alarm::Column::DedupeKey.eq(n.dedupe_key)).one(db).await?.decode()
}

pub async fn alarms(db: &impl ConnectionTrait, scope: &Scope, f: &AlarmFilter, limit: u64) -> Result<Vec<Alarm>> {
    let mut q = alarm::Entity::find().filter(scoped(
        scope,
        alarm::Column::JurisdictionPath,
        alarm::Column::OrgPath,
        alarm::Column::OrgId,
    ));
    if let Some(s) = f.site_id {
        q = q.filter(alarm::Column::SiteId.eq(s));
    }
    if f.live {
        q = q.filter(alarm::Column::State.ne("resolved"));
    }
    if let Some(k) = &f.kind {
        q = q.filter(alarm::Column::Kind.eq(k.as_str()));
    }
    q.order_by_desc(alarm::Column::Id).limit(limit).all(db).await?.decode()
}

pub async fn alarm(db: &impl ConnectionTrait, scope: &Scope, id: i64) -> Result<Option<Alarm>> {
    alarm::Entity::find_by_id(id)
        .filter(scoped(scope, alarm::Column::JurisdictionPath, alarm::Column::OrgPath, alarm::Column::OrgId))
        .one(db)
        .await?
        .decode()
}

/// Open alarms nobody acknowledged, opened before `before`, not escalated yet.
pub async fn unacknowledged(db: &impl ConnectionTrait, before: DateTime<Utc>) -> Result<Vec<Alarm>> {
    alarm::Entity::find()
        .filter(alarm::Column::State.eq("open"))
        .filter(alarm::Column::OpenedAt.lt(before))
        .filter(alarm::Column::EscalatedAt.is_null())
        .all(db)
        .await?
        .decode()
}

/// The sensors' alarms of these kinds not cleared yet (an excursion or a silence that ends
/// clears them).
pub async fn live_alarms_of_sensors(
    db: &impl ConnectionTrait,
    sensor_ids: &[i64],
    kinds: &[&str],
) -> Result<Vec<Alarm>> {
    let mut out = Vec::new();
    for chunk in sensor_ids.chunks(500) {
        out.extend(
            alarm::Entity::find()
                .filter(alarm::Column::SensorId.is_in(chunk.iter().copied()))
                .filter(alarm::Column::Kind.is_in(kinds.iter().map(|k| k.to_string())))
                .filter(alarm::Column::ClearedAt.is_null())
                .all(db)
                .await?
                .into_iter()
                .map(crate::rows::Decode::decode)
                .collect::<Result<Vec<_>>>()?,
        );
    }
    Ok(out)
}

/// A change to an alarm, applied only if it is still in `from_state`.
#[derive(Debug, Clone, Default)]
pub struct AlarmChange {
    pub state: Option<AlarmState>,
    pub acknowledged: Option<(i64, DateTime<Utc>)>,
    pub resolved: Option<(i64, DateTime<Utc>)>,
    pub note: Option<String>,
    pub escalated_at: Option<DateTime<Utc>>,
    pub cleared_at: Option<DateTime<Utc>>,
    pub hazard_id: Option<i64>,
}

pub async fn change_alarm(
    db: &impl ConnectionTrait,
    id: i64,
    from_state: Option<AlarmState>,
    c: AlarmChange,
) -> Result<bool> {
    let mut u = alarm::Entity::update_many().filter(alarm::Column::Id.eq(id));
    if let Some(s) = from_state {
        u = u.filter(alarm::Column::State.eq(s.as_str()));
    }
    if let Some(v) = c.state {
        u = u.col_expr(alarm::Column::State, Expr::value(v.as_str()));
    }
    if let Some((by, at)) = c.acknowledged {
        u = u
            .col_expr(alarm::Column::AcknowledgedBy, Expr::value(by))
            .col_expr(alarm::Column::AcknowledgedAt, Expr::value(at));
    }
    if let Some((by, at)) = c.resolved {
        u = u.col_expr(alarm::Column::ResolvedBy, Expr::value(by)).col_expr(alarm::Column::ResolvedAt, Expr::value(at));
    }
    if let Some(v) = c.note {
        u = u.col_expr(alarm::Column::Note, Expr::value(v));
    }
    if let Some(v) = c.escalated_at {
        u = u.col_expr(alarm::Column::EscalatedAt, Expr::value(v));
    }
    if let Some(v) = c.cleared_at {
        u = u.col_expr(alarm::Column::ClearedAt, Expr::value(v));
    }
    if let Some(v) = c.hazard_id {
        u = u.col_expr(alarm::Column::HazardId, Expr::value(v));
    }
    Ok(u.exec(db).await?.rows_affected == 1)
}

// ---- patrols ----

pub async fn insert_checkpoint(
    db: &impl ConnectionTrait,
    site_id: i64,
    name: &str,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Checkpoint> {
    checkpoint::ActiveModel {
        site_id: Set(site_id),
        name: Set(name.to_owned()),
        code: Set(code.to_owned()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?
    .decode()
}

pub async fn checkpoints_of(db: &impl ConnectionTrait, site_ids: &[i64]) -> Result<Vec<Checkpoint>> {
    checkpoint::Entity::find()
        .filter(checkpoint::Column::SiteId.is_in(site_ids.iter().copied()))
        .order_by_asc(checkpoint::Column::Id)
        .all(db)
        .await?
        .decode()
}

pub async fn checkpoint_by_code(db: &impl ConnectionTrait, code: &str) -> Result<Option<Checkpoint>> {
    checkpoint::Entity::find().filter(checkpoint::Column::Code.eq(code)).one(db).await?.decode()
}

/// Every site that has checkpoints (the warehouses patrolled).
pub async fn patrolled_sites(db: &impl ConnectionTrait) -> Result<Vec<i64>> {
    let rows: Vec<i64> = checkpoint::Entity::find()
        .select_only()
        .column(checkpoint::Column::SiteId)
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows)
}

pub async fn insert_checkin(
    db: &impl ConnectionTrait,
    cp: &Checkpoint,
    user: (i64, &str),
    at: DateTime<Utc>,
    note: &str,
    photo: Option<String>,
) -> Result<Checkin> {
    patrol_checkin::ActiveModel {
        site_id: Set(cp.site_id),
        checkpoint_id: Set(cp.id),
        user_id: Set(user.0),
        guard: Set(user.1.to_owned()),
        at: Set(at),
        note: Set(note.to_owned()),
        photo_sha256: Set(photo),
        ..Default::default()
    }
    .insert(db)
    .await?
    .decode()
}

pub async fn checkins_between(
    db: &impl ConnectionTrait,
    site_ids: &[i64],
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<Checkin>> {
    patrol_checkin::Entity::find()
        .filter(patrol_checkin::Column::SiteId.is_in(site_ids.iter().copied()))
        .filter(patrol_checkin::Column::At.gte(from))
        .filter(patrol_checkin::Column::At.lt(until))
        .order_by_asc(patrol_checkin::Column::At)
        .all(db)
        .await?
        .decode()
}

// ---- loadings and facilities ----

#[derive(Debug, Clone)]
pub struct NewLoading {
    pub uid: String,
    pub site_id: i64,
    pub org_id: i64,
    pub direction: String,
    pub vehicle: String,
    pub driver: String,
    pub items: String,
    pub failed: i32,
    pub by_user: i64,
    pub request_digest: String,
}

pub async fn insert_loading(db: &impl ConnectionTrait, n: NewLoading, now: DateTime<Utc>) -> Result<Loading> {
    loading::ActiveModel {
        uid: Set(n.uid),
        site_id: Set(n.site_id),
        org_id: Set(n.org_id),
        direction: Set(n.direction),
        vehicle: Set(n.vehicle),
        driver: Set(n.driver),
        items: Set(n.items),
        failed: Set(n.failed),
        by_user: Set(n.by_user),
        at: Set(now),
        request_digest: Set(Some(n.request_digest)),
        ..Default::default()
    }
    .insert(db)
    .await?
    .decode()
}

pub async fn loading_by_uid(db: &impl ConnectionTrait, uid: &str) -> Result<Option<Loading>> {
    loading::Entity::find().filter(loading::Column::Uid.eq(uid)).one(db).await?.decode()
}

pub async fn loadings_of(db: &impl ConnectionTrait, site_id: i64, limit: u64) -> Result<Vec<Loading>> {
    loading::Entity::find()
        .filter(loading::Column::SiteId.eq(site_id))
        .order_by_desc(loading::Column::Id)
        .limit(limit)
        .all(db)
        .await?
        .decode()
}

pub async fn insert_facility(
    db: &impl ConnectionTrait,
    site: &crate::sites::Site,
    kind: &str,
    name: &str,
    interval_days: i32,
    now: DateTime<Utc>,
) -> Result<Facility> {
    facility::ActiveModel {
        site_id: Set(site.id),
        org_id: Set(site.org_id),
        kind: Set(kind.to_owned()),
        name: Set(name.to_owned()),
        interval_days: Set(interval_days),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?
    .decode()
}

pub async fn facilities_of(db: &impl ConnectionTrait, site_ids: &[i64]) -> Result<Vec<Facility>> {
    facility::Entity::find()
        .filter(facility::Column::SiteId.is_in(site_ids.iter().copied()))
        .order_by_asc(facility::Column::Id)
        .all(db)
        .await?
        .decode()
}

pub async fn facility(db: &impl ConnectionTrait, id: i64) -> Result<Option<Facility>> {
    facility::Entity::find_by_id(id).one(db).await?.decode()
}

pub async fn insert_upkeep(
    db: &impl ConnectionTrait,
    facility_id: i64,
    by: i64,
    note: &str,
    now: DateTime<Utc>,
) -> Result<Upkeep> {
    facility_upkeep::ActiveModel {
        facility_id: Set(facility_id),
        by_user: Set(by),
        at: Set(now),
        note: Set(note.to_owned()),
        ..Default::default()
    }
    .insert(db)
    .await?
    .decode()
}

pub async fn upkeep_of(db: &impl ConnectionTrait, facility_ids: &[i64]) -> Result<Vec<Upkeep>> {
    facility_upkeep::Entity::find()
        .filter(facility_upkeep::Column::FacilityId.is_in(facility_ids.iter().copied()))
        .order_by_asc(facility_upkeep::Column::Id)
        .all(db)
        .await?
        .decode()
}

/// Every facility (for the reminder job).
pub async fn all_facilities(db: &impl ConnectionTrait) -> Result<Vec<Facility>> {
    facility::Entity::find().order_by_asc(facility::Column::Id).all(db).await?.decode()
}
