//! The demo's explosives warehouses as they run today: a temperature and a humidity sensor per
//! warehouse reporting every minute for the last day and a half — through the intake every
//! gateway uses — with one excursion held long enough to alarm, acknowledged and resolved by the
//! enterprise's safety officer; two checkpoints per warehouse and the guard's hourly rounds,
//! a few of them missed.

use crate::warehouses::RawReading;
use crate::{App, Result};
use anjian_domain::obligation::{Activity, Evidence, Source};
use anjian_domain::plan::ActivityKind;
use anjian_domain::scope::Scope;
use anjian_domain::warehouse::AlarmState;
use anjian_store::warehouses::{self as store, AlarmChange};
use anjian_store::{sites, users};
use chrono::{DateTime, Duration, DurationRound, Utc};
use rand::rngs::StdRng;
use rand::Rng;

/// How far back the demo's live data reaches.
const LIVE_HOURS: i64 = 36;
/// The warehouses that get sensors and rounds: every one of a demo city (a few dozen at most);
/// a benchmark city of thousands of enterprises keeps its setup to the obligations it measures.
const LIVE_WAREHOUSES: usize = 20;

impl App {
    /// Sensors, readings, an alarm handled, checkpoints and rounds for every warehouse.
    pub(crate) async fn demo_warehouses(&self, rng: &mut StdRng) -> Result<u64> {
        let db = &self.store.db;
        let now = self.clock.now().duration_trunc(Duration::minutes(1)).unwrap_or_else(|_| self.clock.now());
        let from = now - Duration::hours(LIVE_HOURS);
        let rules = self.warehouse_rules().await;
        let mut warehouses = sites::of_kind(db, &Scope::All, "warehouse").await?;
        warehouses.truncate(LIVE_WAREHOUSES);
        let mut made = 0u64;
        for (i, site) in warehouses.iter().enumerate() {
            let txn = self.store.begin_write().await?;
            let mut sensors = Vec::new();
            for (kind, (low, high), hysteresis) in [
                ("temperature", rules.temperature, rules.hysteresis_c),
                ("humidity", rules.humidity, rules.hysteresis_pct),
            ] {
                let code = format!(
                    "{}-{}-{:012x}",
                    if kind == "temperature" { "T" } else { "H" },
                    site.id,
                    rng.gen::<u64>() >> 16
                );
                let n = store::NewSensor { code, site: site.clone(), kind: kind.to_owned(), low, high, hysteresis };
                sensors.push(store::insert_sensor(&*txn, n, from - Duration::days(30)).await?);
            }
            let mut checkpoints = Vec::new();
            for name in ["库区大门", "库房门口"] {
                let code = format!("{:024x}", rng.gen::<u128>() >> 32);
                checkpoints
                    .push(store::insert_checkpoint(&*txn, site.id, name, &code, from - Duration::days(30)).await?);
            }
            txn.commit().await?;

            // A reading a minute: temperature round 18 ℃ and humidity round 55 %, drifting
            // with the day; at the first warehouse the temperature climbs past its upper limit
            // for half an hour in the afternoon of yesterday.
            let excursion_at = (now - Duration::hours(20)).duration_trunc(Duration::hours(1)).unwrap_or(now);
            let mut readings = Vec::new();
            let mut t = from;
            while t < now {
                let hours = (t - from).num_minutes() as f64 / 60.0;
                let day = (hours / 24.0 * std::f64::consts::TAU).sin();
                let mut temp = 18.0 + 2.5 * day + rng.gen_range(-0.3..0.3);
                if i == 0 && t >= excursion_at && t < excursion_at + Duration::minutes(30) {
                    temp = rules.temperature.1 + 2.0 + rng.gen_range(0.0..1.0);
                }
                let hum = 55.0 - 6.0 * day + rng.gen_range(-1.0..1.0);
                readings.push(RawReading {
                    sensor: sensors[0].code.clone(),
                    at: t,
                    value: (temp * 10.0).round() / 10.0,
                });
                readings.push(RawReading {
                    sensor: sensors[1].code.clone(),
                    at: t,
                    value: (hum * 10.0).round() / 10.0,
                });
                t += Duration::minutes(1);
            }
            for batch in readings.chunks(1000) {
                let r = self.ingest(Some(site.org_id), batch.to_vec(), 0).await?;
                made += r.accepted as u64;
            }

            // The excursion's alarm, seen within minutes and resolved once the ventilation ran.
            let handler = users::of_org_with_roles(db, site.org_id, &["safety_officer", "principal"]).await?;
            if let Some(user) = handler.first().copied() {
                let open = store::alarms(db, &Scope::All, &Default::default(), 50).await?;
                for a in open.iter().filter(|a| a.site_id == site.id && a.state == AlarmState::Open && a.kind == "high")
                {
                    let txn = self.store.begin_write().await?;
                    let change = AlarmChange {
                        state: Some(AlarmState::Resolved),
                        acknowledged: Some((user, a.opened_at + Duration::minutes(6))),
                        resolved: Some((user, a.opened_at + Duration::minutes(48))),
                        note: Some("库房排风扇故障，已启用备用排风并更换风机，温度恢复正常。".into()),
                        ..Default::default()
                    };
                    store::change_alarm(&*txn, a.id, Some(AlarmState::Open), change).await?;
                    txn.commit().await?;
                }
            }

            // The hourly rounds: both checkpoints a few minutes apart; a few hours missed.
            let guard =
                users::of_org_with_roles(db, site.org_id, &["patrol_guard", "safety_officer", "principal"]).await?;
            let Some(guard_id) = guard.first().copied() else { continue };
            let guard_name = users::get(db, &Scope::All, guard_id).await.map(|u| u.display_name).unwrap_or_default();
            let txn = self.store.begin_write().await?;
            let mut hour = from.duration_trunc(Duration::hours(1)).unwrap_or(from) + Duration::hours(1);
            while hour + Duration::hours(1) <= now {
                if rng.gen_bool(0.95) {
                    let mut at: DateTime<Utc> = hour + Duration::minutes(rng.gen_range(2..20));
                    let mut last = None;
                    for cp in &checkpoints {
                        last = Some(store::insert_checkin(&*txn, cp, (guard_id, &guard_name), at, "", None).await?);
                        at += Duration::minutes(rng.gen_range(3..9));
                    }
                    if let Some(c) = last {
                        let act = Activity {
                            target_site: Some(site.id),
                            ..Activity::new(
                                ActivityKind::PATROL_ROUND,
                                c.at,
                                Evidence { source: Source::PatrolRound, id: c.id },
                            )
                            .by(guard_id, Some(site.org_id))
                            .on_org(site.org_id)
                        };
                        anjian_store::activities::insert_many(&*txn, &[act], c.at).await?;
                        made += 1;
                    }
                }
                hour += Duration::hours(1);
            }
            txn.commit().await?;
        }
        Ok(made)
    }
}
