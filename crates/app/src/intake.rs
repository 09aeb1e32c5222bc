//! The telemetry intake: the one path every batch of readings takes, from HTTP or from MQTT.
//!
//! Batches that arrive while another is being written wait together and are then written in one
//! transaction (group commit). A batch spanning many sensors touches about a page per sensor
//! however few readings each has, so four waiting batches cost little more than one; each batch
//! still gets its own report, and its answer only once the transaction holding it has committed.
//! The writing runs in a task of its own, so a client that hangs up mid-way cannot cut short the
//! transaction that carries other clients' batches.

use crate::warehouses::{sensor_limits, IngestReport, RawReading, MAX_BATCH};
use crate::{App, AppError, Result};
use anjian_domain::telemetry::{self, Change, Condition, Reject};
use anjian_store::readings::to_stored_precision;
use anjian_store::warehouses::{self as store, AlarmChange, Hour, NewAlarm, Reading};
use chrono::{DateTime, Duration, Utc};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

/// A reading and the batch (its index in the group) it came in.
type Taken = (Reading, usize);

/// Readings written in one transaction, at most (batches beyond wait for the next).
const GROUP_READINGS: usize = MAX_BATCH;

/// Batches waiting to be written, and whose turn it is to write them.
#[derive(Default)]
pub(crate) struct Intake {
    waiting: Mutex<VecDeque<Batch>>,
    turn: Arc<tokio::sync::Mutex<()>>,
    next_id: AtomicU64,
}

struct Batch {
    id: u64,
    /// The enterprise whose sensors alone the batch may report for (HTTP: the gateway's).
    org: Option<i64>,
    readings: Vec<RawReading>,
    report: IngestReport,
    answer: oneshot::Sender<Result<IngestReport>>,
}

impl Intake {
    /// The oldest waiting batches, up to a group's size (always at least one).
    fn next_group(&self) -> Vec<Batch> {
        let mut waiting = self.waiting.lock().unwrap_or_else(|e| e.into_inner());
        let mut group = Vec::new();
        let mut n = 0;
        while let Some(b) = waiting.front() {
            if !group.is_empty() && n + b.readings.len() > GROUP_READINGS {
                break;
            }
            n += b.readings.len();
            group.extend(waiting.pop_front());
        }
        group
    }
}

/// The same failure for every batch of a failed group.
fn shared(e: &AppError) -> AppError {
    match e {
        AppError::Store(s) => AppError::Store(s.repeated()),
        AppError::StorageFull(m) => AppError::StorageFull(m.clone()),
        AppError::Conflict(c) => AppError::Conflict(c),
        e => AppError::Internal(e.to_string()),
    }
}

impl App {
    /// Checks a batch and has it stored once, aggregated by hour and fed in time order to its
    /// sensors' alarm conditions; answers when that is committed, so an acknowledged batch
    /// (HTTP 200, MQTT PUBACK) is whole in the database.
    pub async fn ingest(&self, org: Option<i64>, readings: Vec<RawReading>, malformed: usize) -> Result<IngestReport> {
        let mut report = IngestReport::default();
        report.reject(Reject::Malformed, malformed);
        if readings.len() > MAX_BATCH {
            return Err(AppError::invalid("readings", "too_many"));
        }
        if readings.is_empty() {
            return Ok(report);
        }
        let (answer, mut answered) = oneshot::channel();
        let id = self.intake.next_id.fetch_add(1, Ordering::Relaxed);
        self.intake.waiting.lock().unwrap_or_else(|e| e.into_inner()).push_back(Batch {
            id,
            org,
            readings,
            report,
            answer,
        });
        let turn = self.intake.turn.clone().lock_owned().await;
        // Written meanwhile by the one whose turn it was.
        if let Ok(r) = answered.try_recv() {
            return r;
        }
        let app = self.clone();
        tokio::spawn(async move {
            let _turn = turn;
            loop {
                let group = app.intake.next_group();
                let ours = group.iter().any(|b| b.id == id);
                if group.is_empty() {
                    break;
                }
                app.write_group(group).await;
                if ours {
                    break;
                }
            }
        });
        answered.await.map_err(|_| AppError::Internal("the intake stopped before answering".into()))?
    }

    async fn write_group(&self, mut group: Vec<Batch>) {
        match self.write_readings(&mut group).await {
            Ok(()) => {
                for b in group {
                    b.answer.send(Ok(b.report)).ok();
                }
            }
            Err(e) => {
                tracing::warn!(batches = group.len(), error = %e, "telemetry group not written");
                for b in group {
                    b.answer.send(Err(shared(&e))).ok();
                }
            }
        }
    }

    /// One transaction for a group of batches; each batch's report counts its own readings.
    async fn write_readings(&self, group: &mut [Batch]) -> Result<()> {
        let now = self.clock.now();
        let rules = self.warehouse_rules().await;
        let mut codes: Vec<String> = group.iter().flat_map(|b| b.readings.iter().map(|r| r.sensor.clone())).collect();
        codes.sort_unstable();
        codes.dedup();
        let txn = self.store.begin_write().await?;
        let sensors: HashMap<String, store::Sensor> =
            store::sensors_by_codes(&*txn, &codes).await?.into_iter().map(|s| (s.code.clone(), s)).collect();
        // Each good reading with the batch it came in.
        let mut rows: Vec<Taken> = Vec::with_capacity(group.iter().map(|b| b.readings.len()).sum());
        for (k, b) in group.iter_mut().enumerate() {
            for r in &b.readings {
                let Some(s) = sensors.get(&r.sensor).filter(|s| b.org.is_none_or(|o| s.org_id == o)) else {
                    b.report.reject(Reject::UnknownSensor, 1);
                    continue;
                };
                match telemetry::check(r.at, r.value, now, rules.raw_retention_days) {
                    Ok(()) => {
                        rows.push((Reading { sensor_id: s.id, at: to_stored_precision(r.at), value: r.value }, k))
                    }
                    Err(e) => b.report.reject(e, 1),
                }
            }
        }
        let mut checked = vec![0usize; group.len()];
        for (_, k) in &rows {
            checked[*k] += 1;
        }
        // The same (sensor, time) twice — in one batch or in two of the group: the first is
        // taken (the sort is stable), the others are duplicates of their own batches.
        rows.sort_by_key(|(r, _)| (r.sensor_id, r.at));
        rows.dedup_by(|a, b| a.0.sensor_id == b.0.sensor_id && a.0.at == b.0.at);
        let by_id: HashMap<i64, &store::Sensor> = sensors.values().map(|s| (s.id, s)).collect();
        // A reading newer than its sensor's newest cannot be stored yet (the sensors' rows are
        // held by this transaction), so those are appended without asking which were taken; only
        // late or resent ones take the insert that returns what it took.
        let (mut taken, late): (Vec<Taken>, Vec<Taken>) =
            rows.into_iter().partition(|(r, _)| by_id[&r.sensor_id].last_at.is_none_or(|t| r.at > t));
        let fresh: Vec<Reading> = taken.iter().map(|(r, _)| *r).collect();
        let appended = store::append_readings(&*txn, &fresh).await?;
        if appended != fresh.len() as u64 {
            return Err(AppError::Internal(format!(
                "{} of {} new readings were stored already",
                fresh.len() as u64 - appended,
                fresh.len()
            )));
        }
        if !late.is_empty() {
            let batch_of: HashMap<(i64, DateTime<Utc>), usize> =
                late.iter().map(|(r, k)| ((r.sensor_id, r.at), *k)).collect();
            let late: Vec<Reading> = late.into_iter().map(|(r, _)| r).collect();
            for r in store::insert_readings(&*txn, &late).await? {
                if let Some(k) = batch_of.get(&(r.sensor_id, r.at)) {
                    taken.push((r, *k));
                }
            }
            taken.sort_by_key(|(r, _)| (r.sensor_id, r.at));
        }
        let mut accepted = vec![0usize; group.len()];
        for (_, k) in &taken {
            accepted[*k] += 1;
        }
        for (k, b) in group.iter_mut().enumerate() {
            b.report.reject(Reject::Duplicate, checked[k].saturating_sub(accepted[k]));
            b.report.accepted = accepted[k];
        }
        store::add_to_hours(&*txn, &hours_of(&taken)).await?;

        // Alarms: each sensor's new readings in time order.
        let mut opened = Vec::new();
        let mut states = Vec::new();
        // Sensors whose excursion ended, and sensors heard again after a silence long enough to
        // be offline: their live alarms are looked up together after the loop, not one by one.
        let (mut cleared_at, mut back) = (HashMap::new(), Vec::new());
        let silent_since = now - Duration::minutes(rules.offline_after_minutes);
        for chunk in taken.chunk_by(|a, b| a.0.sensor_id == b.0.sensor_id) {
            let s = by_id[&chunk[0].0.sensor_id];
            let limits = sensor_limits(s, &rules);
            let mut c = Condition::from_code(&s.condition, s.pending_since);
            let mut last = s.last_at.zip(s.last_value);
            let mut cleared = None;
            for (r, k) in chunk {
                if last.is_some_and(|(at, _)| r.at <= at) {
                    group[*k].report.out_of_order += 1;
                    continue;
                }
                let (next, change) = telemetry::observe(c, r.at, r.value, &limits);
                match change {
                    Change::Open { low } => opened.push((s, low, r.value, c.since().unwrap_or(r.at), r.at, *k)),
                    Change::Clear => cleared = Some(r.at),
                    Change::None => {}
                }
                c = next;
                last = Some((r.at, r.value));
            }
            if let Some(at) = cleared {
                cleared_at.insert(s.id, at);
            }
            // A sensor back after a silence long enough to be offline ends that spell (only
            // then can an offline alarm exist, so only then is it looked for).
            if s.last_at.is_none_or(|t| t < silent_since)
                && last.is_some_and(|(at, _)| s.last_at.is_none_or(|t| at > t))
            {
                back.push(s.id);
            }
            states.push(store::SensorState {
                id: s.id,
                condition: c.code(),
                pending_since: c.since(),
                last_at: last.map(|l| l.0),
                last_value: last.map(|l| l.1),
            });
        }
        store::save_sensor_states(&*txn, &states).await?;
        let ended: Vec<i64> = cleared_at.keys().copied().collect();
        for a in store::live_alarms_of_sensors(&*txn, &ended, &["high", "low"]).await? {
            let at = a.sensor_id.and_then(|id| cleared_at.get(&id).copied());
            store::change_alarm(&*txn, a.id, None, AlarmChange { cleared_at: at, ..Default::default() }).await?;
        }
        for a in store::live_alarms_of_sensors(&*txn, &back, &["offline"]).await? {
            store::change_alarm(&*txn, a.id, None, AlarmChange { cleared_at: Some(now), ..Default::default() }).await?;
        }
        let sites_by_id = self.sites_of(&*txn, opened.iter().map(|o| o.0.site_id)).await?;
        for (s, low, value, since, at, k) in opened {
            let Some(site) = sites_by_id.get(&s.site_id) else { continue };
            let a = NewAlarm {
                dedupe_key: format!("range:{}:{}", s.id, since.timestamp()),
                site: site.clone(),
                sensor_id: Some(s.id),
                kind: if low { "low" } else { "high" }.to_owned(),
                value: Some(value),
                opened_at: at,
            };
            if let Some(a) = store::open_alarm(&*txn, a).await? {
                group[k].report.alarms_opened += 1;
                self.alarm_notice(&*txn, &a, site, false).await?;
            }
        }
        txn.commit().await?;
        Ok(())
    }
}

/// Hourly aggregates of the readings taken (sorted by sensor and time).
fn hours_of(taken: &[Taken]) -> Vec<Hour> {
    let mut hours: BTreeMap<(i64, DateTime<Utc>), Hour> = BTreeMap::new();
    for (r, _) in taken {
        let h = telemetry::hour_of(r.at);
        let e = hours.entry((r.sensor_id, h)).or_insert(Hour {
            sensor_id: r.sensor_id,
            hour: h,
            n: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            sum: 0.0,
        });
        e.n += 1;
        e.min = e.min.min(r.value);
        e.max = e.max.max(r.value);
        e.sum += r.value;
    }
    hours.into_values().collect()
}
