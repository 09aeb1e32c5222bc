//! Explosives warehouses (民爆库房): sensors and the readings that arrive from gateways over HTTP
//! or MQTT (one code path), alarms that open on a held excursion, on silence and on a missed
//! patrol hour, and escalate when nobody acknowledges them; hourly patrols by QR checkpoint;
//! loadings with their vehicle check; fire and drainage facilities with their upkeep.

use crate::hazards::HazardInput;
use crate::reminders::local_minute;
use crate::ZH;
use crate::{Actor, App, AppError, FieldError, Result};
use anjian_domain::obligation::{Activity, Evidence, Source};
use anjian_domain::patrol::PatrolRound;
use anjian_domain::plan::ActivityKind;
use anjian_domain::role::{Permission, Role};
use anjian_domain::scope::Scope;
use anjian_domain::telemetry::{self, Limits, Reject};
use anjian_domain::warehouse::AlarmState;
use anjian_store::warehouses::{self as store, Alarm, AlarmChange, AlarmFilter, Hour, NewAlarm, Reading};
use anjian_store::{sites, Db};
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Readings in one batch, at most.
pub const MAX_BATCH: usize = 50_000;

/// The explosives settings of the plan in force (defaults when it has none).
#[derive(Debug, Clone)]
pub struct WarehouseRules {
    pub temperature: (f64, f64),
    pub humidity: (f64, f64),
    pub hysteresis_c: f64,
    pub hysteresis_pct: f64,
    pub alarm_after_seconds: i64,
    pub offline_after_minutes: i64,
    pub escalate_after_minutes: i64,
    pub raw_retention_days: i64,
}

impl WarehouseRules {
    fn of(plan: Option<&anjian_domain::plan::Plan>) -> WarehouseRules {
        match plan.and_then(|p| p.explosives.as_ref()) {
            Some(x) => WarehouseRules {
                temperature: (x.temperature_c.get_ref().min, x.temperature_c.get_ref().max),
                humidity: (x.humidity_pct.get_ref().min, x.humidity_pct.get_ref().max),
                hysteresis_c: x.hysteresis_c,
                hysteresis_pct: x.hysteresis_pct,
                alarm_after_seconds: x.alarm_after_seconds,
                offline_after_minutes: x.offline_after_minutes,
                escalate_after_minutes: x.escalate_after_minutes,
                raw_retention_days: x.raw_retention_days,
            },
            None => WarehouseRules {
                temperature: (0.0, 30.0),
                humidity: (30.0, 75.0),
                hysteresis_c: 1.0,
                hysteresis_pct: 3.0,
                alarm_after_seconds: 120,
                offline_after_minutes: 15,
                escalate_after_minutes: 30,
                raw_retention_days: 90,
            },
        }
    }
}

/// One reading as a gateway sends it.
#[derive(Debug, Clone, Deserialize)]
pub struct RawReading {
    pub sensor: String,
    pub at: DateTime<Utc>,
    pub value: f64,
}

/// What became of a batch: how many readings were taken, and why the others were not.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IngestReport {
    pub accepted: usize,
    /// Readings older than the sensor's newest: stored, but not fed to its alarm (out of order).
    pub out_of_order: usize,
    pub rejected: BTreeMap<&'static str, usize>,
    pub alarms_opened: usize,
}

impl IngestReport {
    pub(crate) fn reject(&mut self, r: Reject, n: usize) {
        if n > 0 {
            *self.rejected.entry(r.as_str()).or_default() += n;
        }
    }
}

/// Parses a batch: a JSON array of readings, or NDJSON (one per line). A malformed element is
/// counted and skipped; the good ones in the same batch are kept.
pub fn parse_batch(body: &[u8]) -> (Vec<RawReading>, usize) {
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim_start();
    let values: Vec<Option<serde_json::Value>> = if trimmed.starts_with('[') {
        match serde_json::from_str::<Vec<serde_json::Value>>(trimmed) {
            Ok(items) => items.into_iter().map(Some).collect(),
            Err(_) => vec![None],
        }
    } else {
        // NDJSON: each line straight into a reading (no intermediate value).
        let mut good = Vec::new();
        let mut bad = 0;
        for l in trimmed.lines().filter(|l| !l.trim().is_empty()) {
            match serde_json::from_str::<RawReading>(l) {
                Ok(r) => good.push(r),
                Err(_) => bad += 1,
            }
        }
        return (good, bad);
    };
    let mut good = Vec::with_capacity(values.len());
    let mut bad = 0;
    for v in values {
        match v.and_then(|v| serde_json::from_value::<RawReading>(v).ok()) {
            Some(r) => good.push(r),
            None => bad += 1,
        }
    }
    (good, bad)
}

/// A warehouse's live picture.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WarehouseView {
    pub site: sites::Site,
    pub sensors: Vec<store::Sensor>,
    pub live_alarms: Vec<Alarm>,
    pub checkpoints: Vec<store::Checkpoint>,
    pub facilities: Vec<FacilityView>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FacilityView {
    pub facility: store::Facility,
    pub last_upkeep: Option<DateTime<Utc>>,
    pub due: DateTime<Utc>,
    pub overdue: bool,
}

/// One hour of a day's patrol as the page and the API show it: how many of its checkpoints were
/// visited, whether the round is complete or missed, and who checked in.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PatrolHour {
    pub hour: DateTime<Utc>,
    pub visited: usize,
    pub of: usize,
    pub complete: bool,
    pub missed: bool,
    pub guards: Vec<String>,
}

/// The hour's round at one warehouse, by checkpoint name.
#[derive(Debug, Clone)]
pub struct CurrentRound {
    pub site: sites::Site,
    pub hour: DateTime<Utc>,
    pub done: Vec<String>,
    pub to_visit: Vec<String>,
    pub complete: bool,
    pub guards: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Default)]
pub struct LoadingInput {
    /// `load` or `unload`.
    pub direction: String,
    pub vehicle: String,
    pub driver: String,
    pub items: Vec<LoadingItem>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct LoadingItem {
    pub item: String,
    pub ok: bool,
    #[serde(default)]
    pub note: String,
}

/// The 四防 checklist as an inspection template: people, physical, dogs, technical.
pub(crate) fn sensor_limits(s: &store::Sensor, rules: &WarehouseRules) -> Limits {
    Limits { low: s.low, high: s.high, hysteresis: s.hysteresis, min_seconds: rules.alarm_after_seconds }
}

fn may_manage(actor: &Actor) -> Result<()> {
    // The enterprise's own managers, and the bureaus over it.
    match actor.role {
        Role::Principal | Role::Deputy | Role::SafetyOfficer | Role::CityStaff | Role::CountyStaff | Role::SysAdmin => {
            Ok(())
        }
        _ => Err(AppError::Forbidden),
    }
}

impl App {
    pub async fn warehouse_rules(&self) -> WarehouseRules {
        WarehouseRules::of(self.current_plan().await.ok().as_deref())
    }

    /// A new warehouse of an explosives enterprise, located where the enterprise is.
    pub async fn add_warehouse(&self, actor: &Actor, org_id: i64, name: &str) -> Result<sites::Site> {
        may_manage(actor)?;
        let org = anjian_store::orgs::get(&self.store.db, &actor.scope, org_id)
            .await
            .map_err(|_| AppError::invalid("org_id", "not_found"))?;
        if org.kind != "explosives_enterprise" {
            return Err(AppError::invalid("org_id", "not_explosives"));
        }
        let name = name.trim();
        if let Some(e) = FieldError::text("name", name, 100) {
            return Err(AppError::Invalid(vec![e]));
        }
        let j =
            anjian_store::jurisdictions::by_id(&self.store.db, org.jurisdiction_id).await?.ok_or(AppError::NotFound)?;
        let now = self.clock.now();
        let txn = self.store.begin_write().await?;
        let site = sites::insert(&*txn, &uuid::Uuid::new_v4().to_string(), "warehouse", name, &org, &j, now).await?;
        self.record(&*txn, crate::audit::entry(Some(actor), "warehouse.create", "site", site.id)).await?;
        txn.commit().await?;
        self.world_changed();
        Ok(site)
    }

    /// A warehouse in the caller's scope.
    pub async fn warehouse(&self, actor: &Actor, site_id: i64) -> Result<sites::Site> {
        actor.require(Permission::ViewHazards)?;
        let s = sites::get(&self.store.db, &actor.scope, site_id).await?;
        if s.kind != "warehouse" {
            return Err(AppError::NotFound);
        }
        Ok(s)
    }

    /// Every warehouse in scope.
    pub async fn warehouses(&self, actor: &Actor) -> Result<Vec<sites::Site>> {
        actor.require(Permission::ViewHazards)?;
        Ok(sites::of_kind(&self.store.db, &actor.scope, "warehouse").await?)
    }

    /// A sensor in a warehouse; its range defaults to the plan's for its kind.
    pub async fn add_sensor(
        &self,
        actor: &Actor,
        site_id: i64,
        kind: &str,
        range: Option<(f64, f64)>,
    ) -> Result<store::Sensor> {
        may_manage(actor)?;
        let site = self.warehouse(actor, site_id).await?;
        let rules = self.warehouse_rules().await;
        let (default, hysteresis) = match kind {
            "temperature" => (rules.temperature, rules.hysteresis_c),
            "humidity" => (rules.humidity, rules.hysteresis_pct),
            _ => return Err(AppError::invalid("kind", "invalid_kind")),
        };
        let (low, high) = range.unwrap_or(default);
        if !(low.is_finite() && high.is_finite() && low < high) {
            return Err(AppError::invalid("range", "out_of_range"));
        }
        let mut b = [0u8; 6];
        rand::rngs::OsRng.fill_bytes(&mut b);
        let code = format!("{}-{}-{}", if kind == "temperature" { "T" } else { "H" }, site.id, hex::encode(b));
        let now = self.clock.now();
        let txn = self.store.begin_write().await?;
        let s = store::insert_sensor(
            &*txn,
            store::NewSensor { code, site, kind: kind.to_owned(), low, high, hysteresis },
            now,
        )
        .await?;
        self.record(&*txn, crate::audit::entry(Some(actor), "sensor.create", "sensor", s.id)).await?;
        txn.commit().await?;
        Ok(s)
    }

    /// A gateway of an enterprise; the token is returned once and kept as a digest.
    pub async fn add_gateway(&self, actor: &Actor, org_id: i64, name: &str) -> Result<(store::Gateway, String)> {
        may_manage(actor)?;
        let org = anjian_store::orgs::get(&self.store.db, &actor.scope, org_id)
            .await
            .map_err(|_| AppError::invalid("org_id", "not_found"))?;
        let token = self.crypto.random_token();
        let now = self.clock.now();
        let txn = self.store.begin_write().await?;
        let g = store::insert_gateway(&*txn, org.id, name.trim(), &self.crypto.token_digest(&token), now).await?;
        self.record(&*txn, crate::audit::entry(Some(actor), "gateway.create", "gateway", g.id)).await?;
        txn.commit().await?;
        Ok((g, token))
    }

    /// Readings posted by a gateway over HTTP: the token names the gateway.
    pub async fn ingest_http(&self, token: &str, body: &[u8]) -> Result<IngestReport> {
        let g = store::gateway_by_digest(&self.store.db, &self.crypto.token_digest(token))
            .await?
            .ok_or(AppError::Unauthenticated)?;
        self.ingest_from(&g, body).await
    }

    /// Readings from the MQTT broker, published under `<prefix>/<gateway>/readings`. The broker
    /// has authenticated the gateway: its user name is that topic segment (`gw-<id>`, see
    /// `anjian_domain::telemetry::gateway_mqtt_user`) and its ACL lets it publish there alone.
    /// An unknown gateway is refused as over HTTP.
    pub async fn ingest_mqtt(&self, gateway: &str, payload: &[u8]) -> Result<IngestReport> {
        let id = anjian_domain::telemetry::gateway_of_mqtt_user(gateway).ok_or(AppError::Unauthenticated)?;
        let g = store::gateway_by_id(&self.store.db, id).await?.ok_or(AppError::Unauthenticated)?;
        self.ingest_from(&g, payload).await
    }

    /// The one path both transports take: a gateway reports for its own enterprise's sensors
    /// alone; a reading for any other sensor is refused as `unknown_sensor`.
    async fn ingest_from(&self, g: &store::Gateway, body: &[u8]) -> Result<IngestReport> {
        let (readings, malformed) = parse_batch(body);
        self.ingest(Some(g.org_id), readings, malformed).await
    }

    pub(crate) async fn sites_of(
        &self,
        db: &impl Db,
        ids: impl Iterator<Item = i64>,
    ) -> Result<HashMap<i64, sites::Site>> {
        let mut ids: Vec<i64> = ids.collect();
        ids.sort_unstable();
        ids.dedup();
        Ok(sites::by_ids(db, &ids).await?.into_iter().map(|s| (s.id, s)).collect())
    }

    /// Tells the enterprise's managers (or, escalated, the county bureau's staff) about an alarm.
    pub(crate) async fn alarm_notice(
        &self,
        db: &impl Db,
        a: &Alarm,
        site: &sites::Site,
        escalated: bool,
    ) -> Result<()> {
        let roles: &[&str] =
            if escalated { &["county_staff", "city_staff"] } else { &["principal", "deputy", "safety_officer"] };
        let users = if escalated {
            anjian_store::users::of_bureaus_over(db, &site.jurisdiction_path, roles).await?
        } else {
            anjian_store::users::of_org_with_roles(db, site.org_id, roles).await?
        };
        let value = a.value.map(|v| format!("{v:.1}")).unwrap_or_default();
        let what = match a.kind.as_str() {
            "high" => ZH.fill("notify.alarm_high", &[("value", &value)]),
            "low" => ZH.fill("notify.alarm_low", &[("value", &value)]),
            "offline" => ZH.t("notify.alarm_offline").to_owned(),
            _ => ZH.t("notify.alarm_patrol").to_owned(),
        };
        let title = if escalated { "notify.alarm_escalated_title" } else { "notify.alarm_title" };
        for u in users {
            self.notify(
                db,
                anjian_store::notifications::NewNotification {
                    user_id: u,
                    kind: if escalated { "escalated".into() } else { "alarm".into() },
                    title: ZH.fill(title, &[("site", &site.name), ("what", &what)]),
                    body: ZH.fill("notify.alarm_body", &[("at", &local_minute(a.opened_at))]),
                    link: format!("/warehouses/{}", site.id),
                    dedupe_key: format!("alarm:{}:{}:{u}", a.id, escalated),
                },
                self.clock.now(),
            )
            .await?;
        }
        Ok(())
    }

    /// One run of the watch by instance `holder` (None when another holds it): silent sensors
    /// go offline, a finished hour without a complete round opens a patrol alarm, alarms left
    /// unacknowledged escalate, and raw readings past retention go.
    pub async fn run_watch(&self, holder: &str) -> Result<Option<WatchRun>> {
        let now = self.clock.now();
        let lease =
            anjian_store::notifications::take_lease(&self.store.db, "watch", holder, now, now + Duration::minutes(5))
                .await?;
        let Some(cursor) = lease else { return Ok(None) };
        let rules = self.warehouse_rules().await;
        let mut out = WatchRun::default();
        let txn = self.store.begin_write().await?;
        // Offline.
        let silent = store::silent_sensors(&*txn, now - Duration::minutes(rules.offline_after_minutes)).await?;
        let sites = self.sites_of(&*txn, silent.iter().map(|s| s.site_id)).await?;
        for s in &silent {
            let Some(site) = sites.get(&s.site_id) else { continue };
            let since = s.last_at.unwrap_or(s.created_at);
            let a = NewAlarm {
                dedupe_key: format!("offline:{}:{}", s.id, since.timestamp()),
                site: site.clone(),
                sensor_id: Some(s.id),
                kind: "offline".into(),
                value: None,
                opened_at: now,
            };
            if let Some(a) = store::open_alarm(&*txn, a).await? {
                out.offline += 1;
                self.alarm_notice(&*txn, &a, site, false).await?;
            }
        }
        // Missed patrol hours: every hour that ended since the last run (a day at most).
        let patrolled = store::patrolled_sites(&*txn).await?;
        if !patrolled.is_empty() {
            let first = telemetry::hour_of(cursor.unwrap_or(now - Duration::hours(1)).max(now - Duration::hours(24)));
            let last = telemetry::hour_of(now);
            let checkpoints = store::checkpoints_of(&*txn, &patrolled).await?;
            let checkins = store::checkins_between(&*txn, &patrolled, first, last).await?;
            let sites = self.sites_of(&*txn, patrolled.iter().copied()).await?;
            // Each warehouse's checkpoints and check-ins, sorted out once for every hour.
            let mut by_site: HashMap<i64, (Vec<store::Checkpoint>, Vec<store::Checkin>)> = HashMap::new();
            for c in checkpoints {
                by_site.entry(c.site_id).or_default().0.push(c);
            }
            for c in checkins {
                by_site.entry(c.site_id).or_default().1.push(c);
            }
            let mut h = first;
            while h < last {
                for site_id in &patrolled {
                    let Some((points, visits)) = by_site.get(site_id) else { continue };
                    if !PatrolRound::of(h, points, visits).is_missed(now) {
                        continue;
                    }
                    let Some(site) = sites.get(site_id) else { continue };
                    let a = NewAlarm {
                        dedupe_key: format!("patrol:{site_id}:{}", h.timestamp()),
                        site: site.clone(),
                        sensor_id: None,
                        kind: "patrol_missed".into(),
                        value: None,
                        opened_at: h + Duration::hours(1),
                    };
                    if let Some(a) = store::open_alarm(&*txn, a).await? {
                        out.patrol_missed += 1;
                        self.alarm_notice(&*txn, &a, site, false).await?;
                    }
                }
                h += Duration::hours(1);
            }
        }
        // Escalation.
        let late = store::unacknowledged(&*txn, now - Duration::minutes(rules.escalate_after_minutes)).await?;
        let sites = self.sites_of(&*txn, late.iter().map(|a| a.site_id)).await?;
        for a in late {
            if store::change_alarm(
                &*txn,
                a.id,
                Some(AlarmState::Open),
                AlarmChange { escalated_at: Some(now), ..Default::default() },
            )
            .await?
            {
                out.escalated += 1;
                if let Some(site) = sites.get(&a.site_id) {
                    self.alarm_notice(&*txn, &a, site, true).await?;
                }
            }
        }
        txn.commit().await?;
        // Retention: raw readings older than the window (aggregates stay), a few sensors per
        // transaction so that the intake never waits long behind it.
        let before = now - Duration::days(rules.raw_retention_days);
        for ids in store::sensor_ids(&self.store.db).await?.chunks(100) {
            let txn = self.store.begin_write().await?;
            out.pruned += store::prune_readings(&*txn, ids, before).await?;
            txn.commit().await?;
        }
        anjian_store::notifications::advance_cursor(&self.store.db, "watch", holder, telemetry::hour_of(now)).await?;
        Ok(Some(out))
    }

    async fn alarm_in_scope(&self, actor: &Actor, id: i64) -> Result<Alarm> {
        actor.require(Permission::ViewHazards)?;
        store::alarm(&self.store.db, &actor.scope, id).await?.ok_or(AppError::NotFound)
    }

    pub async fn alarms(&self, actor: &Actor, f: &AlarmFilter) -> Result<Vec<Alarm>> {
        actor.require(Permission::ViewHazards)?;
        Ok(store::alarms(&self.store.db, &actor.scope, f, 500).await?)
    }

    /// Someone has seen the alarm and is on it.
    pub async fn acknowledge_alarm(&self, actor: &Actor, id: i64) -> Result<()> {
        let a = self.alarm_in_scope(actor, id).await?;
        let now = self.clock.now();
        let txn = self.store.begin_write().await?;
        let change = AlarmChange {
            state: Some(AlarmState::Acknowledged),
            acknowledged: Some((actor.id(), now)),
            ..Default::default()
        };
        if !store::change_alarm(&*txn, a.id, Some(AlarmState::Open), change).await? {
            return Err(AppError::Conflict("alarm_state"));
        }
        self.record(&*txn, crate::audit::entry(Some(actor), "alarm.acknowledge", "alarm", a.id)).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Resolved, with a note saying what was done.
    pub async fn resolve_alarm(&self, actor: &Actor, id: i64, note: &str) -> Result<()> {
        let a = self.alarm_in_scope(actor, id).await?;
        if note.trim().is_empty() {
            return Err(AppError::invalid("note", "required"));
        }
        if a.state == AlarmState::Resolved {
            return Err(AppError::Conflict("alarm_state"));
        }
        let now = self.clock.now();
        let txn = self.store.begin_write().await?;
        let change = AlarmChange {
            state: Some(AlarmState::Resolved),
            acknowledged: a.acknowledged_at.is_none().then_some((actor.id(), now)),
            resolved: Some((actor.id(), now)),
            note: Some(note.trim().to_owned()),
            ..Default::default()
        };
        if !store::change_alarm(&*txn, a.id, Some(a.state), change).await? {
            return Err(AppError::Conflict("alarm_state"));
        }
        let mut e = crate::audit::entry(Some(actor), "alarm.resolve", "alarm", a.id);
        e.detail = note.trim().chars().take(200).collect();
        self.record(&*txn, e).await?;
        txn.commit().await?;
        Ok(())
    }

    /// An alarm becomes a hazard in the enterprise's ledger in one step.
    pub async fn alarm_to_hazard(&self, actor: &Actor, id: i64) -> Result<i64> {
        actor.require(Permission::ReportHazard)?;
        let a = self.alarm_in_scope(actor, id).await?;
        if a.hazard_id.is_some() {
            return Err(AppError::Conflict("alarm_has_hazard"));
        }
        let site = sites::get(&self.store.db, &Scope::All, a.site_id).await?;
        let mut org = anjian_store::orgs::get(&self.store.db, &Scope::All, a.org_id).await?;
        org.jurisdiction_path = site.jurisdiction_path.clone();
        let what = match a.kind.as_str() {
            "high" | "low" => ZH.fill(
                "record.alarm_out_of_range",
                &[("value", &a.value.map(|v| format!("{v:.1}")).unwrap_or_default())],
            ),
            "offline" => ZH.t("record.alarm_offline").to_owned(),
            _ => ZH.t("record.alarm_patrol").to_owned(),
        };
        let h = HazardInput {
            description: ZH.fill(
                "record.alarm_hazard",
                &[("site", &site.name), ("what", &what), ("at", &local_minute(a.opened_at))],
            ),
            point_id: None,
            grade: "general".into(),
            category: Some("民爆库房".into()),
            measures: String::new(),
            funds_fen: 0,
            owner: String::new(),
            deadline: None,
        };
        let now = self.clock.now();
        let txn = self.store.begin_write().await?;
        let hz = self.insert_hazard(&*txn, actor, &org, &h, None, "alarm", now, None, None).await?;
        if !store::change_alarm(&*txn, a.id, None, AlarmChange { hazard_id: Some(hz.id), ..Default::default() }).await?
        {
            return Err(AppError::NotFound);
        }
        let mut e = crate::audit::entry(Some(actor), "alarm.hazard", "alarm", a.id);
        e.detail = format!("hazard={}", hz.id);
        self.record(&*txn, e).await?;
        txn.commit().await?;
        Ok(hz.id)
    }

    /// A warehouse's sensors, live alarms, checkpoints and facilities.
    pub async fn warehouse_view(&self, actor: &Actor, site_id: i64) -> Result<WarehouseView> {
        let site = self.warehouse(actor, site_id).await?;
        let db = &self.store.db;
        let now = self.clock.now();
        let facilities = store::facilities_of(db, &[site.id]).await?;
        let upkeep = store::upkeep_of(db, &facilities.iter().map(|f| f.id).collect::<Vec<_>>()).await?;
        let facilities = facilities
            .into_iter()
            .map(|f| {
                let last = upkeep.iter().filter(|u| u.facility_id == f.id).map(|u| u.at).max();
                let due = last.unwrap_or(f.created_at) + Duration::days(i64::from(f.interval_days));
                FacilityView { facility: f, last_upkeep: last, due, overdue: due < now }
            })
            .collect();
        Ok(WarehouseView {
            sensors: store::sensors_of_sites(db, &[site.id]).await?,
            live_alarms: store::alarms(
                db,
                &actor.scope,
                &AlarmFilter { site_id: Some(site.id), live: true, kind: None },
                100,
            )
            .await?,
            checkpoints: store::checkpoints_of(db, &[site.id]).await?,
            facilities,
            site,
        })
    }

    /// A sensor's raw readings over the last `hours` (for the 24-hour chart).
    pub async fn sensor_readings(&self, actor: &Actor, sensor: &store::Sensor, hours: i64) -> Result<Vec<Reading>> {
        self.warehouse(actor, sensor.site_id).await?;
        let now = self.clock.now();
        Ok(store::readings_between(&self.store.db, sensor.id, now - Duration::hours(hours), now + Duration::minutes(5))
            .await?)
    }

    /// A sensor's hourly aggregates over the last `days` (for the 30-day chart).
    pub async fn sensor_hours(&self, actor: &Actor, sensor: &store::Sensor, days: i64) -> Result<Vec<Hour>> {
        self.warehouse(actor, sensor.site_id).await?;
        let now = self.clock.now();
        Ok(store::hours_between(&self.store.db, sensor.id, now - Duration::days(days), now + Duration::hours(1))
            .await?)
    }

    /// A checkpoint whose QR code a guard will scan.
    pub async fn add_checkpoint(&self, actor: &Actor, site_id: i64, name: &str) -> Result<store::Checkpoint> {
        may_manage(actor)?;
        let site = self.warehouse(actor, site_id).await?;
        let name = name.trim();
        if let Some(e) = FieldError::text("name", name, 60) {
            return Err(AppError::Invalid(vec![e]));
        }
        let mut b = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut b);
        let now = self.clock.now();
        let txn = self.store.begin_write().await?;
        let cp = store::insert_checkpoint(&*txn, site.id, name, &hex::encode(b), now).await?;
        self.record(&*txn, crate::audit::entry(Some(actor), "checkpoint.create", "checkpoint", cp.id)).await?;
        txn.commit().await?;
        Ok(cp)
    }

    /// The checkpoint behind a scanned code, if the guard may patrol it.
    pub async fn checkpoint_for(&self, actor: &Actor, code: &str) -> Result<(store::Checkpoint, sites::Site)> {
        let cp = store::checkpoint_by_code(&self.store.db, code).await?.ok_or(AppError::NotFound)?;
        let site = self.warehouse(actor, cp.site_id).await?;
        Ok((cp, site))
    }

    /// A guard checks in at a checkpoint, at the server's time. When this check-in completes the
    /// hour's round, the round counts toward the hourly patrol obligation.
    pub async fn check_in(
        &self,
        actor: &Actor,
        code: &str,
        note: &str,
        photo: Option<Vec<u8>>,
    ) -> Result<(store::Checkin, bool)> {
        let (cp, site) = self.checkpoint_for(actor, code).await?;
        if !matches!(actor.role, Role::PatrolGuard | Role::Staff | Role::SafetyOfficer | Role::Deputy | Role::Principal)
            || actor.org.as_ref().is_none_or(|o| o.id != site.org_id)
        {
            return Err(AppError::Forbidden);
        }
        let photo = match photo {
            Some(p) if !p.is_empty() => Some(self.store_photo(p).await?.1),
            _ => None,
        };
        let now = self.clock.now();
        let hour = telemetry::hour_of(now);
        let txn = self.store.begin_write().await?;
        let points = store::checkpoints_of(&*txn, &[site.id]).await?;
        let mut visits = store::checkins_between(&*txn, &[site.id], hour, now + Duration::seconds(1)).await?;
        let before = PatrolRound::of(hour, &points, &visits).is_complete();
        let c =
            store::insert_checkin(&*txn, &cp, (actor.id(), &actor.user.display_name), now, note.trim(), photo).await?;
        visits.push(c.clone());
        let completes = !before && PatrolRound::of(hour, &points, &visits).is_complete();
        if completes {
            let act = Activity {
                target_site: Some(site.id),
                ..Activity::new(ActivityKind::PATROL_ROUND, now, Evidence { source: Source::PatrolRound, id: c.id })
                    .by(actor.id(), Some(site.org_id))
                    .on_org(site.org_id)
            };
            anjian_store::activities::insert_many(&*txn, &[act], now).await?;
        }
        self.record(&*txn, crate::audit::entry(Some(actor), "patrol.checkin", "checkpoint", cp.id)).await?;
        txn.commit().await?;
        Ok((c, completes))
    }

    /// The round under way now at each warehouse of the caller's organisation: the checkpoints
    /// visited this hour and those still to visit — what a guard opens first.
    pub async fn current_rounds(&self, actor: &Actor) -> Result<Vec<CurrentRound>> {
        let Some(org) = actor.org.as_ref() else { return Ok(Vec::new()) };
        let sites: Vec<sites::Site> =
            self.warehouses(actor).await?.into_iter().filter(|s| s.org_id == org.id).collect();
        let ids: Vec<i64> = sites.iter().map(|s| s.id).collect();
        let now = self.clock.now();
        let hour = telemetry::hour_of(now);
        let db = &self.store.db;
        let cps = store::checkpoints_of(db, &ids).await?;
        let visits = store::checkins_between(db, &ids, hour, now + Duration::seconds(1)).await?;
        Ok(sites
            .into_iter()
            .map(|site| {
                let mine: Vec<_> = cps.iter().filter(|c| c.site_id == site.id).cloned().collect();
                let round = PatrolRound::of(
                    hour,
                    &mine,
                    &visits.iter().filter(|v| v.site_id == site.id).cloned().collect::<Vec<_>>(),
                );
                let name = |id: &i64| mine.iter().find(|c| c.id == *id).map(|c| c.name.clone()).unwrap_or_default();
                CurrentRound {
                    done: round.visited.iter().map(name).collect(),
                    to_visit: round.due.iter().filter(|id| !round.visited.contains(id)).map(name).collect(),
                    complete: round.is_complete(),
                    hour: round.hour,
                    guards: round.guards,
                    site,
                }
            })
            .collect())
    }

    /// A day's patrol at a warehouse, hour by hour (local day), with who checked in.
    pub async fn patrol_day(&self, actor: &Actor, site_id: i64, day: chrono::NaiveDate) -> Result<Vec<PatrolHour>> {
        let site = self.warehouse(actor, site_id).await?;
        let start = anjian_domain::period::local_midnight(day);
        let now = self.clock.now();
        let db = &self.store.db;
        let cps = store::checkpoints_of(db, &[site.id]).await?;
        let checkins = store::checkins_between(db, &[site.id], start, start + Duration::days(1)).await?;
        Ok((0..24)
            .map(|i| {
                let round = PatrolRound::of(start + Duration::hours(i), &cps, &checkins);
                PatrolHour {
                    hour: round.hour,
                    visited: round.visited.len(),
                    of: round.due.len(),
                    complete: round.is_complete(),
                    missed: round.is_missed(now),
                    guards: round.guards,
                }
            })
            .collect())
    }

    /// A loading or unloading with its checklist; each failed item files a hazard, and the
    /// vehicle check counts toward the per-loading rule.
    pub async fn record_loading(
        &self,
        actor: &Actor,
        site_id: i64,
        input: LoadingInput,
        key: Option<&str>,
    ) -> Result<store::Loading> {
        may_manage(actor)?;
        let site = self.warehouse(actor, site_id).await?;
        let digest =
            crate::crypto::digest_json(&(site_id, &input.direction, &input.vehicle, &input.driver, &input.items));
        let uid = crate::orgs::uid_for(key)?;
        if let Some(prev) = store::loading_by_uid(&self.store.db, &uid).await? {
            let (same_author, stored) = (prev.by_user == actor.id(), prev.request_digest.clone());
            return Ok(crate::orgs::replayed(prev, same_author, stored.as_deref(), &digest)?.value);
        }
        let mut errors = Vec::new();
        if !matches!(input.direction.as_str(), "load" | "unload") {
            errors.push(FieldError::new("direction", "invalid_kind"));
        }
        if input.vehicle.trim().is_empty() {
            errors.push(FieldError::new("vehicle", "required"));
        }
        if input.driver.trim().is_empty() {
            errors.push(FieldError::new("driver", "required"));
        }
        // The checklist is whole: every item of the plan's loading checklist once, each passed or
        // failed — an item left out is not a pass.
        let plan = self.current_plan().await?;
        let checklist = plan.checklist_items(ActivityKind::VEHICLE_CHECK);
        for (i, item) in checklist.iter().enumerate() {
            match input.items.iter().filter(|it| it.item == *item).count() {
                1 => {}
                0 => errors.push(FieldError::new(&format!("items[{i}]"), "required")),
                _ => errors.push(FieldError::new(&format!("items[{i}]"), "duplicate_row")),
            }
        }
        if input.items.iter().any(|it| !checklist.contains(&it.item)) {
            errors.push(FieldError::new("items", "unknown_item"));
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let failed: Vec<&LoadingItem> = input.items.iter().filter(|i| !i.ok).collect();
        let now = self.clock.now();
        let org = anjian_store::orgs::get(&self.store.db, &Scope::All, site.org_id).await?;
        let txn = self.store.begin_write().await?;
        let row = store::insert_loading(
            &*txn,
            store::NewLoading {
                uid,
                site_id: site.id,
                org_id: site.org_id,
                direction: input.direction.clone(),
                vehicle: input.vehicle.trim().to_owned(),
                driver: input.driver.trim().to_owned(),
                items: serde_json::to_string(&input.items).map_err(|e| AppError::Internal(e.to_string()))?,
                failed: failed.len() as i32,
                by_user: actor.id(),
                request_digest: digest,
            },
            now,
        )
        .await?;
        for it in failed {
            let h = HazardInput {
                description: ZH.fill(
                    "record.loading_hazard",
                    &[
                        ("site", &site.name),
                        ("vehicle", &input.vehicle.trim()),
                        ("item", &it.item),
                        ("note", &it.note.trim()),
                    ],
                ),
                point_id: None,
                grade: "general".into(),
                category: Some("民爆装卸".into()),
                measures: String::new(),
                funds_fen: 0,
                owner: String::new(),
                deadline: None,
            };
            self.insert_hazard(&*txn, actor, &org, &h, None, "self_inspection", now, None, None).await?;
        }
        // The loading is an event the per-loading rule opens an instance for; its checklist is the
        // vehicle check that meets it (the same record, so the two always agree).
        let of = |kind| Activity {
            target_site: Some(site.id),
            ..Activity::new(kind, now, Evidence { source: Source::Loading, id: row.id })
                .by(actor.id(), Some(site.org_id))
                .on_org(site.org_id)
        };
        let check = of(ActivityKind::VEHICLE_CHECK).covering(input.items.iter().map(|it| it.item.clone()));
        let acts = [of(ActivityKind::LOADING), check];
        anjian_store::activities::insert_many(&*txn, &acts, now).await?;
        self.record(&*txn, crate::audit::entry(Some(actor), "loading.create", "loading", row.id)).await?;
        txn.commit().await?;
        Ok(row)
    }

    /// The items a loading is checked against: the plan's loading checklist.
    pub async fn loading_items(&self) -> Result<Vec<String>> {
        Ok(self.current_plan().await?.checklist_items(ActivityKind::VEHICLE_CHECK).to_vec())
    }

    pub async fn loadings(&self, actor: &Actor, site_id: i64) -> Result<Vec<store::Loading>> {
        let site = self.warehouse(actor, site_id).await?;
        Ok(store::loadings_of(&self.store.db, site.id, 100).await?)
    }

    /// A fire or drainage facility with its upkeep interval.
    pub async fn add_facility(
        &self,
        actor: &Actor,
        site_id: i64,
        kind: &str,
        name: &str,
        interval_days: i32,
    ) -> Result<store::Facility> {
        may_manage(actor)?;
        let site = self.warehouse(actor, site_id).await?;
        let mut errors = Vec::new();
        if !matches!(kind, "fire" | "drainage") {
            errors.push(FieldError::new("kind", "invalid_kind"));
        }
        if name.trim().is_empty() {
            errors.push(FieldError::new("name", "required"));
        }
        if !(1..=3650).contains(&interval_days) {
            errors.push(FieldError::new("interval_days", "out_of_range"));
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let now = self.clock.now();
        let txn = self.store.begin_write().await?;
        let f = store::insert_facility(&*txn, &site, kind, name.trim(), interval_days, now).await?;
        self.record(&*txn, crate::audit::entry(Some(actor), "facility.create", "facility", f.id)).await?;
        txn.commit().await?;
        Ok(f)
    }

    /// One upkeep of a facility; it counts toward the quarterly upkeep rule.
    pub async fn record_upkeep(&self, actor: &Actor, facility_id: i64, note: &str) -> Result<store::Upkeep> {
        may_manage(actor)?;
        let f = store::facility(&self.store.db, facility_id).await?.ok_or(AppError::NotFound)?;
        let site = self.warehouse(actor, f.site_id).await?;
        if note.trim().is_empty() {
            return Err(AppError::invalid("note", "required"));
        }
        let now = self.clock.now();
        let txn = self.store.begin_write().await?;
        let u = store::insert_upkeep(&*txn, f.id, actor.id(), note.trim(), now).await?;
        let act =
            Activity::new(ActivityKind::FACILITY_MAINTENANCE, now, Evidence { source: Source::Maintenance, id: u.id })
                .by(actor.id(), Some(site.org_id))
                .on_org(site.org_id);
        anjian_store::activities::insert_many(&*txn, &[Activity { target_site: Some(site.id), ..act }], now).await?;
        self.record(&*txn, crate::audit::entry(Some(actor), "facility.upkeep", "facility", f.id)).await?;
        txn.commit().await?;
        Ok(u)
    }

    /// Facilities past their upkeep interval: a reminder to the enterprise, once per due date.
    pub(crate) async fn facility_reminders(
        &self,
        accounts: &[(i64, Role, Option<i64>)],
    ) -> Result<Vec<anjian_store::notifications::NewNotification>> {
        let now = self.clock.now();
        let db = &self.store.db;
        let all = store::all_facilities(db).await?;
        if all.is_empty() {
            return Ok(Vec::new());
        }
        let upkeep = store::upkeep_of(db, &all.iter().map(|f| f.id).collect::<Vec<_>>()).await?;
        let mut out = Vec::new();
        for f in all {
            let last = upkeep.iter().filter(|u| u.facility_id == f.id).map(|u| u.at).max();
            let due = last.unwrap_or(f.created_at) + Duration::days(i64::from(f.interval_days));
            if due >= now {
                continue;
            }
            for (user, role, org) in accounts {
                if *org != Some(f.org_id) || !matches!(role, Role::Principal | Role::SafetyOfficer) {
                    continue;
                }
                out.push(anjian_store::notifications::NewNotification {
                    user_id: *user,
                    kind: "overdue".into(),
                    title: ZH.fill("notify.upkeep_overdue", &[("facility", &f.name)]),
                    body: ZH.fill("notify.upkeep_overdue_body", &[("due", &local_minute(due))]),
                    link: format!("/warehouses/{}", f.site_id),
                    dedupe_key: format!("facility:{}:{}:{user}", f.id, due.timestamp()),
                });
            }
        }
        Ok(out)
    }
}

/// What one watch run did.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct WatchRun {
    pub offline: usize,
    pub patrol_missed: usize,
    pub escalated: usize,
    pub pruned: u64,
}
