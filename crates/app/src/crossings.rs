//! Unmanned railway crossings (无人看守铁路道口): particulars (from Excel too), equipment and its
//! check rounds (a failed item files a hazard), guards with certificates (持证上岗) and shifts,
//! training sessions and emergency drills with attendance, and the bureaus' view of every
//! crossing with its last inspection, open faults, uncertified guards and task-5 coverage.

use crate::audit::entry;
use crate::crypto::digest_json;
use crate::hazard_import::{ImportOutcome, RowError};
use crate::hazards::{photo_attachment, HazardInput};
use crate::orgs::{replayed, uid_for, Created};
use crate::ZH;
use crate::{Actor, App, AppError, FieldError, Result};
use anjian_domain::crossing::{cert_status, check_certificate, check_due, may_take_shift, CertStatus};
use anjian_domain::obligation::{Activity, Evidence, Source};
use anjian_domain::period::{local_date, Period, PeriodKind};
use anjian_domain::plan::ActivityKind;
use anjian_domain::role::{Permission, Role};
use anjian_reports::ledger_sheet::SheetRows;
use anjian_store::crossings::{
    self as store, Certificate, CrossingCheck, Equipment, Guard, NewCheck, NewTraining, Particulars, Shift, Training,
};
use anjian_store::sites::Site;
use anjian_store::{attachments, jurisdictions, orgs};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EquipmentState {
    pub equipment: Equipment,
    pub last_checked: Option<DateTime<Utc>>,
    /// The state found at the last check; None if never checked.
    pub last_ok: Option<bool>,
    pub due: DateTime<Utc>,
    pub overdue: bool,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GuardView {
    pub guard: Guard,
    pub certificate: Option<Certificate>,
    pub cert_status: CertStatus,
    /// Trainings and drills attended this quarter.
    pub trained_this_quarter: usize,
}

/// The plan's rule that every crossing be inspected by a bureau (a coverage rule on sites kept
/// as crossings, met by an inspection made from outside): what the crossings page counts. Where
/// the plan has one per level, the one for bureaus at `level` (the reader's).
pub fn coverage_rule<'p>(
    plan: &'p anjian_domain::plan::Plan,
    level: Option<&str>,
) -> Option<&'p anjian_domain::plan::Rule> {
    let v = plan.vocabulary();
    let crossings: Vec<_> = v.site_kinds_of(anjian_domain::plan::SiteRecord::RailwayCrossing).collect();
    let mut rules = plan.rules.iter().filter(|r| {
        r.on.each
            && r.on.site_kinds.iter().any(|k| crossings.contains(k))
            && v.activity_kind(r.activity).is_some_and(|k| k.external)
    });
    let first = rules.clone().next();
    let at_level = |r: &&anjian_domain::plan::Rule| matches!(&r.who, anjian_domain::plan::Who::Regulator { level: l } if Some(l.as_str()) == level);
    rules.find(at_level).or(first)
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CrossingRow {
    pub site: Site,
    pub county: String,
    pub operator: String,
    /// The last inspection by a bureau (kind and time).
    /// A tuple on the wire (an array of its values, in order).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<serde_json::Value>>))]
    pub last_bureau_inspection: Option<(DateTime<Utc>, String)>,
    /// The plan's crossing coverage: inspected by a bureau within the campaign up to its deadline.
    pub covered: bool,
    pub open_faults: usize,
    pub overdue_equipment: usize,
    /// Guards on duty now or later whose certificate will not hold.
    pub uncertified_on_duty: usize,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CrossingDetail {
    pub row: CrossingRow,
    pub equipment: Vec<EquipmentState>,
    /// A tuple on the wire (an array of its values, in order).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Vec<serde_json::Value>>))]
    pub checks: Vec<(CrossingCheck, Vec<anjian_store::crossings::CheckItem>)>,
    /// A tuple on the wire (an array of its values, in order).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Vec<serde_json::Value>>))]
    pub shifts: Vec<(Shift, String)>,
    /// The operator's guards, for assigning shifts.
    pub guards: Vec<GuardView>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemInput {
    pub equipment_id: i64,
    pub ok: bool,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckInput {
    pub items: Vec<ItemInput>,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GuardInput {
    pub name: String,
    pub certificate_no: String,
    pub issued: String,
    pub expires: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShiftInput {
    pub site_id: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrainingInput {
    /// `training` or `drill` (应急处置演练).
    pub kind: String,
    pub held_on: String,
    pub topic: String,
    #[serde(default)]
    pub scenario: String,
    #[serde(default)]
    pub result: String,
    pub attendees: Vec<i64>,
}

fn date(field: &str, s: &str, errors: &mut Vec<FieldError>) -> Option<NaiveDate> {
    match NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(FieldError::new(field, "invalid_date"));
            None
        }
    }
}

/// The latest certificate of each guard.
fn current_certificates(all: Vec<Certificate>) -> HashMap<i64, Certificate> {
    all.into_iter().map(|c| (c.guard_id, c)).collect()
}

fn expires(c: Option<&Certificate>) -> Option<NaiveDate> {
    c.and_then(|c| NaiveDate::parse_from_str(&c.expires, "%Y-%m-%d").ok())
}

impl App {
    /// The operator an account manages crossings for: a railway operator's own organisation.
    fn operator_of(&self, actor: &Actor) -> Result<orgs::Org> {
        match (&actor.org, actor.role) {
            (Some(o), Role::RailwayOperator) if o.kind == "railway_operator" => Ok(o.clone()),
            _ => Err(AppError::Forbidden),
        }
    }

    /// Crossings in scope (optionally one county) with what the bureau view shows.
    pub async fn crossings(&self, actor: &Actor, jurisdiction: Option<i64>) -> Result<Vec<CrossingRow>> {
        actor.require(Permission::ViewHazards)?;
        let within = self.jurisdiction_filter(jurisdiction).await?;
        let sites = store::crossings(&self.store.db, &actor.scope, within.as_deref()).await?;
        self.crossing_rows(sites).await
    }

    async fn crossing_rows(&self, sites: Vec<Site>) -> Result<Vec<CrossingRow>> {
        let now = self.clock.now();
        let ids: Vec<i64> = sites.iter().map(|s| s.id).collect();
        let counties: HashMap<i64, String> =
            jurisdictions::all(&self.store.db).await?.into_iter().map(|j| (j.id, j.name)).collect();
        let inspections = store::bureau_inspections(&self.store.db, &ids).await?;
        let equipment = store::equipment_of(&self.store.db, &ids).await?;
        let states = self.equipment_states(equipment, &ids, now).await?;
        let shifts = store::shifts_at(&self.store.db, &ids, now).await?;
        let guard_ids: Vec<i64> = shifts.iter().map(|s| s.guard_id).collect();
        let certs = current_certificates(store::certificates_of(&self.store.db, &guard_ids).await?);
        let plan = self.current_plan().await?;
        // The coverage deadline, from the plan's crossing coverage rule.
        let deadline = coverage_rule(&plan, None)
            .and_then(|r| r.by.as_ref())
            .map(|d| anjian_domain::period::DateSpan { starts: plan.span().starts, ends: d.get_ref().0 })
            .unwrap_or_else(|| plan.span());
        let mut operators: HashMap<i64, String> = HashMap::new();
        let mut out = Vec::new();
        for s in sites {
            if let std::collections::hash_map::Entry::Vacant(v) = operators.entry(s.org_id) {
                v.insert(
                    orgs::get_unscoped_for_auth(&self.store.db, s.org_id).await?.map(|o| o.name).unwrap_or_default(),
                );
            }
            let mine: Vec<&(i64, DateTime<Utc>, String)> = inspections.iter().filter(|i| i.0 == s.id).collect();
            let here: Vec<&EquipmentState> = states.iter().filter(|e| e.equipment.site_id == s.id).collect();
            out.push(CrossingRow {
                county: counties.get(&s.jurisdiction_id).cloned().unwrap_or_default(),
                operator: operators[&s.org_id].clone(),
                last_bureau_inspection: mine.first().map(|i| (i.1, i.2.clone())),
                covered: mine.iter().any(|i| deadline.contains(i.1)),
                open_faults: here.iter().filter(|e| e.last_ok == Some(false)).count(),
                overdue_equipment: here.iter().filter(|e| e.overdue).count(),
                uncertified_on_duty: shifts
                    .iter()
                    .filter(|sh| sh.site_id == s.id)
                    .filter(|sh| !may_take_shift(expires(certs.get(&sh.guard_id)), local_date(sh.ends_at)))
                    .count(),
                site: s,
            });
        }
        Ok(out)
    }

    async fn equipment_states(
        &self,
        equipment: Vec<Equipment>,
        site_ids: &[i64],
        now: DateTime<Utc>,
    ) -> Result<Vec<EquipmentState>> {
        let checks = store::checks_of(&self.store.db, site_ids, 10_000).await?;
        let at: HashMap<i64, DateTime<Utc>> = checks.iter().map(|c| (c.id, c.at)).collect();
        let ids: Vec<i64> = checks.iter().map(|c| c.id).collect();
        // The newest item for each piece of equipment.
        let mut last: HashMap<i64, (DateTime<Utc>, bool)> = HashMap::new();
        for item in store::items_of(&self.store.db, &ids).await? {
            let t = at[&item.check_id];
            let e = last.entry(item.equipment_id).or_insert((t, item.ok));
            if t >= e.0 {
                *e = (t, item.ok);
            }
        }
        Ok(equipment
            .into_iter()
            .map(|e| {
                let l = last.get(&e.id).copied();
                let due = check_due(e.created_at, l.map(|x| x.0), e.interval_days);
                EquipmentState {
                    last_checked: l.map(|x| x.0),
                    last_ok: l.map(|x| x.1),
                    overdue: due <= now,
                    due,
                    equipment: e,
                }
            })
            .collect())
    }

    /// Equipment past its check interval (for the reminder job).
    pub(crate) async fn equipment_overdue(
        &self,
        equipment: Vec<Equipment>,
        site_ids: &[i64],
        now: DateTime<Utc>,
    ) -> Result<Vec<EquipmentState>> {
        Ok(self.equipment_states(equipment, site_ids, now).await?.into_iter().filter(|e| e.overdue).collect())
    }

    /// Every guard with certificate status, for the reminder job.
    pub(crate) async fn guard_views_unscoped(&self) -> Result<Vec<GuardView>> {
        self.guard_views_in(&anjian_domain::scope::Scope::All, None).await
    }

    /// One crossing with its equipment, recent checks, shifts and the operator's guards.
    pub async fn crossing(&self, actor: &Actor, site_id: i64) -> Result<CrossingDetail> {
        actor.require(Permission::ViewHazards)?;
        let site = anjian_store::sites::get(&self.store.db, &actor.scope, site_id).await?;
        if site.kind != "railway_crossing" {
            return Err(AppError::NotFound);
        }
        let now = self.clock.now();
        let equipment =
            self.equipment_states(store::equipment_of(&self.store.db, &[site.id]).await?, &[site.id], now).await?;
        let checks = store::checks_of(&self.store.db, &[site.id], 20).await?;
        let items = store::items_of(&self.store.db, &checks.iter().map(|c| c.id).collect::<Vec<_>>()).await?;
        let checks = checks
            .into_iter()
            .map(|c| {
                let mine = items.iter().filter(|i| i.check_id == c.id).cloned().collect();
                (c, mine)
            })
            .collect();
        let guards = self.guard_views(actor, Some(site.org_id)).await.unwrap_or_default();
        let names: HashMap<i64, String> = guards.iter().map(|g| (g.guard.id, g.guard.name.clone())).collect();
        let shifts = store::shifts_at(&self.store.db, &[site.id], now - chrono::Duration::days(7))
            .await?
            .into_iter()
            .map(|s| {
                let n = names.get(&s.guard_id).cloned().unwrap_or_else(|| format!("#{}", s.guard_id));
                (s, n)
            })
            .collect();
        let row = self.crossing_rows(vec![site]).await?.pop().ok_or(AppError::NotFound)?;
        Ok(CrossingDetail { row, equipment, checks, shifts, guards })
    }

    /// Imports crossings of an operator from a sheet (名称, 线路, 公里标, 所在县区, 纬度, 经度,
    /// 看守点数, 状态 在用/停用): all or nothing, a crossing already there (same name) is left as it is. Each new
    /// crossing gets the plan's six pieces of equipment.
    pub async fn import_crossings(
        &self,
        actor: &Actor,
        operator_id: i64,
        sheet: SheetRows,
        apply: bool,
    ) -> Result<ImportOutcome> {
        let operator = orgs::get(&self.store.db, &actor.scope, operator_id)
            .await
            .map_err(|_| AppError::invalid("org_id", "not_found"))?;
        let own = actor.role == Role::RailwayOperator && actor.org.as_ref().map(|o| o.id) == Some(operator.id);
        let operators = self.vocabulary().await.org_kinds_keeping(anjian_domain::plan::SiteRecord::RailwayCrossing);
        if !operators.iter().any(|k| k.as_str() == operator.kind) {
            return Err(AppError::invalid("org_id", "not_an_operator"));
        }
        if !own && !actor.role.is_bureau() {
            return Err(AppError::Forbidden);
        }
        let counties = jurisdictions::all(&self.store.db).await?;
        let existing: std::collections::HashSet<String> =
            store::crossings(&self.store.db, &anjian_domain::scope::Scope::All, None)
                .await?
                .into_iter()
                .filter(|s| s.org_id == operator.id)
                .map(|s| s.name)
                .collect();
        let mut out = ImportOutcome { rows: sheet.len(), ..Default::default() };
        let mut fresh = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (row, cells) in sheet {
            let get = |k: &str| cells.iter().find(|(h, _)| h == k).map(|(_, c)| c.text()).unwrap_or_default();
            let mut err =
                |column: &str, code: &str| out.errors.push(RowError { row, column: column.into(), code: code.into() });
            let name = get("名称");
            if name.is_empty() || name.chars().count() > 100 {
                err("名称", "required");
            }
            let county_text = get("所在县区");
            let county =
                counties.iter().find(|j| j.parent_id.is_some() && (j.name == county_text || j.code == county_text));
            if county.is_none() {
                err("所在县区", "unknown_county");
            }
            let num = |k: &str| -> Result<Option<f64>, ()> {
                let t = get(k);
                if t.is_empty() {
                    Ok(None)
                } else {
                    t.parse::<f64>().map(Some).map_err(|_| ())
                }
            };
            let lat = num("纬度");
            let lon = num("经度");
            let posts = num("看守点数");
            if !matches!(lat, Ok(None) | Ok(Some(-90.0..=90.0))) {
                err("纬度", "invalid_number");
            }
            if !matches!(lon, Ok(None) | Ok(Some(-180.0..=180.0))) {
                err("经度", "invalid_number");
            }
            if !matches!(posts, Ok(None) | Ok(Some(0.0..=100.0))) {
                err("看守点数", "invalid_number");
            }
            let status = match get("状态").as_str() {
                "" | "在用" => Some("in_service"),
                "停用" => Some("closed"),
                _ => None,
            };
            if status.is_none() {
                err("状态", "invalid_status");
            }
            let (Some(county), false, Some(status)) = (county, name.is_empty(), status) else { continue };
            if existing.contains(&name) {
                out.existing += 1;
            } else if !seen.insert(name.clone()) {
                out.errors.push(RowError { row, column: "名称".into(), code: "duplicate_row".into() });
            } else {
                let p = Particulars {
                    line: Some(get("线路")).filter(|s| !s.is_empty()),
                    km_post: Some(get("公里标")).filter(|s| !s.is_empty()),
                    latitude: lat.ok().flatten(),
                    longitude: lon.ok().flatten(),
                    guard_posts: posts.ok().flatten().map(|p| p as i32),
                    status: Some(status.to_owned()),
                };
                fresh.push((name, county.clone(), p));
            }
        }
        out.new = fresh.len();
        if !apply || !out.errors.is_empty() {
            return Ok(out);
        }
        let now = self.clock.now();
        // Each new crossing gets the equipment the plan's checklists give crossings.
        let equipment = self.current_plan().await?.equipment_for(anjian_domain::org::SiteKind::RAILWAY_CROSSING);
        let txn = self.store.begin_write().await?;
        for (name, county, p) in &fresh {
            let site =
                store::insert_crossing(&*txn, &uuid::Uuid::new_v4().to_string(), name, &operator, county, p, now)
                    .await?;
            for (item, days) in &equipment {
                store::insert_equipment(&*txn, site.id, item, item, *days as i32, now).await?;
            }
        }
        let mut e = entry(Some(actor), "crossing.import", "org", operator.id);
        e.detail = format!("rows={} new={} existing={}", out.rows, out.new, out.existing);
        self.record(&*txn, e).await?;
        txn.commit().await?;
        self.world_changed();
        out.applied = true;
        Ok(out)
    }

    /// A round of equipment checks at a crossing by its operator: each item ok or faulty; a
    /// faulty one files a hazard in the ledger in the same transaction.
    pub async fn record_crossing_check(
        &self,
        actor: &Actor,
        site_id: i64,
        input: CheckInput,
        key: Option<&str>,
    ) -> Result<Created<CrossingCheck>> {
        let operator = self.operator_of(actor)?;
        let uid = uid_for(key)?;
        let digest = digest_json(&(site_id, &input));
        if let Some(existing) = store::check_by_uid(&self.store.db, &uid).await? {
            let mine = existing.checked_by == actor.id();
            let stored = existing.request_digest.clone();
            return replayed(existing, mine, stored.as_deref(), &digest);
        }
        let site =
            anjian_store::sites::get(&self.store.db, &actor.scope, site_id).await.map_err(|_| AppError::NotFound)?;
        if site.kind != "railway_crossing" || site.org_id != operator.id {
            return Err(AppError::NotFound);
        }
        let equipment = store::equipment_of(&self.store.db, &[site.id]).await?;
        let mut errors = Vec::new();
        if input.items.is_empty() {
            errors.push(FieldError::new("items", "required"));
        }
        let mut seen = std::collections::HashSet::new();
        for (i, it) in input.items.iter().enumerate() {
            if !equipment.iter().any(|e| e.id == it.equipment_id) {
                errors.push(FieldError::new(&format!("items[{i}].equipment_id"), "not_found"));
            } else if !seen.insert(it.equipment_id) {
                errors.push(FieldError::new(&format!("items[{i}].equipment_id"), "duplicate_row"));
            }
            if !it.ok && it.note.trim().is_empty() {
                errors.push(FieldError::new(&format!("items[{i}].note"), "required"));
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let now = self.clock.now();
        let txn = self.store.begin_write().await?;
        let check = store::insert_check(
            &*txn,
            NewCheck {
                uid,
                site: site.clone(),
                at: now,
                checked_by: actor.id(),
                checker: actor.user.display_name.clone(),
                note: input.note.trim().to_owned(),
                request_digest: Some(digest),
            },
            now,
        )
        .await?;
        // The hazard is filed where the crossing is, so its county sees it.
        let mut owner = operator.clone();
        owner.jurisdiction_path = site.jurisdiction_path.clone();
        let mut faults = 0;
        for it in &input.items {
            let e = equipment.iter().find(|e| e.id == it.equipment_id).expect("checked above");
            let hazard = if it.ok {
                None
            } else {
                faults += 1;
                let h = HazardInput {
                    description: ZH.fill(
                        "record.equipment_fault",
                        &[("site", &site.name), ("equipment", &e.name), ("note", &it.note.trim())],
                    ),
                    point_id: None,
                    grade: "general".into(),
                    category: Some("设施设备".into()),
                    measures: String::new(),
                    funds_fen: 0,
                    owner: String::new(),
                    deadline: None,
                };
                Some(self.insert_hazard(&*txn, actor, &owner, &h, None, "self_inspection", now, None, None).await?.id)
            };
            store::insert_check_item(&*txn, check.id, e.id, it.ok, it.note.trim(), hazard).await?;
        }
        // The check went through the plan's checklist items of the equipment it covered; a
        // monthly rule with the `crossing-equipment` checklist counts it only when all are there.
        let covered = input.items.iter().filter_map(|it| {
            let e = equipment.iter().find(|e| e.id == it.equipment_id)?;
            Some(e.name.as_str())
        });
        let act = Activity {
            target_site: Some(site.id),
            ..Activity::new(
                ActivityKind::EQUIPMENT_INSPECTION,
                now,
                Evidence { source: Source::Maintenance, id: check.id },
            )
            .by(actor.id(), Some(operator.id))
            .on_org(operator.id)
            .covering(covered)
        };
        anjian_store::activities::insert_many(&*txn, &[act], now).await?;
        let mut e = entry(Some(actor), "crossing.check", "site", site.id);
        e.after_digest = Some(digest_json(&check));
        e.detail = format!("check={} items={} faults={faults}", check.id, input.items.len());
        self.record(&*txn, e).await?;
        txn.commit().await?;
        Ok(Created { value: check, replayed: false })
    }

    /// The guards in scope (or of one operator) with their certificate and this quarter's training.
    pub async fn guard_views(&self, actor: &Actor, org_id: Option<i64>) -> Result<Vec<GuardView>> {
        actor.require(Permission::ViewHazards)?;
        self.guard_views_in(&actor.scope, org_id).await
    }

    async fn guard_views_in(&self, scope: &anjian_domain::scope::Scope, org_id: Option<i64>) -> Result<Vec<GuardView>> {
        let guards = store::guards(&self.store.db, scope, org_id).await?;
        let ids: Vec<i64> = guards.iter().map(|g| g.id).collect();
        let certs = current_certificates(store::certificates_of(&self.store.db, &ids).await?);
        let now = self.clock.now();
        let quarter = Period::containing(PeriodKind::Quarter, now);
        let (from, to) = (
            local_date(quarter.start).format("%Y-%m-%d").to_string(),
            local_date(quarter.end - chrono::Duration::seconds(1)).format("%Y-%m-%d").to_string(),
        );
        let trainings = store::trainings(&self.store.db, scope, 10_000).await?;
        let this_quarter: Vec<i64> =
            trainings.iter().filter(|t| t.held_on >= from && t.held_on <= to).map(|t| t.id).collect();
        let attended = store::attendees_of(&self.store.db, &this_quarter).await?;
        let today = local_date(now);
        Ok(guards
            .into_iter()
            .map(|g| {
                let c = certs.get(&g.id).cloned();
                GuardView {
                    cert_status: cert_status(expires(c.as_ref()), today),
                    certificate: c,
                    trained_this_quarter: attended.iter().filter(|a| a.1 == g.id).count(),
                    guard: g,
                }
            })
            .collect())
    }

    /// Adds a guard to the caller's operator with their certificate.
    pub async fn add_guard(&self, actor: &Actor, input: GuardInput, key: Option<&str>) -> Result<Created<Guard>> {
        let operator = self.operator_of(actor)?;
        let uid = uid_for(key)?;
        if let Some(existing) = store::guard_by_uid(&self.store.db, &uid).await? {
            let mine = existing.created_by == actor.id() && existing.name == input.name.trim();
            return replayed(existing, mine, Some(""), "");
        }
        let mut errors = Vec::new();
        let name = input.name.trim();
        errors.extend(FieldError::text("name", name, 50));
        let (issued, expires) =
            (date("issued", &input.issued, &mut errors), date("expires", &input.expires, &mut errors));
        if let (Some(i), Some(e)) = (issued, expires) {
            if let Err(c) = check_certificate(&input.certificate_no, i, e) {
                let field = if c.code() == "required" { "certificate_no" } else { "expires" };
                errors.push(FieldError::new(field, c.code()));
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let now = self.clock.now();
        let txn = self.store.begin_write().await?;
        let g = store::insert_guard(&*txn, &uid, &operator, name, actor.id(), now).await?;
        store::insert_certificate(
            &*txn,
            g.id,
            input.certificate_no.trim(),
            input.issued.trim(),
            input.expires.trim(),
            actor.id(),
            now,
        )
        .await?;
        let mut e = entry(Some(actor), "guard.create", "guard", g.id);
        e.detail = format!("certificate={} expires={}", input.certificate_no.trim(), input.expires.trim());
        self.record(&*txn, e).await?;
        txn.commit().await?;
        self.world_changed();
        Ok(Created { value: g, replayed: false })
    }

    /// A renewed certificate, kept beside the old one.
    pub async fn renew_certificate(
        &self,
        actor: &Actor,
        guard_id: i64,
        number: &str,
        issued: &str,
        expires_on: &str,
    ) -> Result<Certificate> {
        let operator = self.operator_of(actor)?;
        let g = store::guard(&self.store.db, &actor.scope, guard_id).await?;
        if g.org_id != operator.id {
            return Err(AppError::NotFound);
        }
        let mut errors = Vec::new();
        let (i, e) = (date("issued", issued, &mut errors), date("expires", expires_on, &mut errors));
        if let (Some(i), Some(e)) = (i, e) {
            if let Err(c) = check_certificate(number, i, e) {
                errors
                    .push(FieldError::new(if c.code() == "required" { "certificate_no" } else { "expires" }, c.code()));
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let now = self.clock.now();
        let txn = self.store.begin_write().await?;
        let c =
            store::insert_certificate(&*txn, g.id, number.trim(), issued.trim(), expires_on.trim(), actor.id(), now)
                .await?;
        let mut en = entry(Some(actor), "guard.certificate", "guard", g.id);
        en.detail = format!("certificate={} expires={}", c.number, c.expires);
        self.record(&*txn, en).await?;
        txn.commit().await?;
        Ok(c)
    }

    /// Puts a guard on duty at a crossing: the guard must be the crossing operator's and hold a
    /// certificate valid for the whole shift.
    pub async fn assign_shift(&self, actor: &Actor, guard_id: i64, input: ShiftInput) -> Result<Shift> {
        let operator = self.operator_of(actor)?;
        // Looked up beyond the caller's scope so that another operator's guard gets a clear
        // answer rather than "not found"; nothing about that guard is returned.
        let g = store::guard(&self.store.db, &anjian_domain::scope::Scope::All, guard_id).await?;
        let site = anjian_store::sites::get(&self.store.db, &actor.scope, input.site_id)
            .await
            .ok()
            .filter(|s| s.kind == "railway_crossing")
            .ok_or_else(|| AppError::invalid("site_id", "unknown_crossing"))?;
        let mut errors = Vec::new();
        if site.org_id != operator.id || g.org_id != site.org_id {
            errors.push(FieldError::new("guard_id", "guard_of_another_operator"));
        }
        if input.ends_at <= input.starts_at || input.ends_at - input.starts_at > chrono::Duration::hours(24) {
            errors.push(FieldError::new("ends_at", "invalid_shift"));
        }
        let cert = current_certificates(store::certificates_of(&self.store.db, &[g.id]).await?).remove(&g.id);
        if !may_take_shift(expires(cert.as_ref()), local_date(input.ends_at)) {
            errors.push(FieldError::new("guard_id", "certificate_expired"));
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let now = self.clock.now();
        let txn = self.store.begin_write().await?;
        let s = store::insert_shift(&*txn, g.id, site.id, input.starts_at, input.ends_at, actor.id(), now).await?;
        let mut e = entry(Some(actor), "guard.shift", "site", site.id);
        e.detail = format!("guard={} shift={}", g.id, s.id);
        self.record(&*txn, e).await?;
        txn.commit().await?;
        Ok(s)
    }

    /// Records a training session or an emergency drill with who attended (and photos).
    pub async fn record_training(
        &self,
        actor: &Actor,
        input: TrainingInput,
        photos: Vec<Vec<u8>>,
        key: Option<&str>,
    ) -> Result<Created<Training>> {
        let operator = self.operator_of(actor)?;
        let uid = uid_for(key)?;
        let digest = digest_json(&(&input, photos.len()));
        if let Some(existing) = store::training_by_uid(&self.store.db, &uid).await? {
            let mine = existing.created_by == actor.id();
            let stored = existing.request_digest.clone();
            return replayed(existing, mine, stored.as_deref(), &digest);
        }
        let mut errors = Vec::new();
        if !matches!(input.kind.as_str(), "training" | "drill") {
            errors.push(FieldError::new("kind", "invalid_kind"));
        }
        let held = date("held_on", &input.held_on, &mut errors);
        if held.is_some_and(|d| d > local_date(self.clock.now())) {
            errors.push(FieldError::new("held_on", "in_future"));
        }
        errors.extend(FieldError::text("topic", &input.topic, 200));
        if input.kind == "drill" && input.scenario.trim().is_empty() {
            errors.push(FieldError::new("scenario", "required"));
        }
        if input.attendees.is_empty() {
            errors.push(FieldError::new("attendees", "no_attendees"));
        }
        let guards = store::guards(&self.store.db, &anjian_domain::scope::Scope::All, Some(operator.id)).await?;
        if input.attendees.iter().any(|a| !guards.iter().any(|g| g.id == *a)) {
            errors.push(FieldError::new("attendees", "guard_of_another_operator"));
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let stored = self.store_photos(photos).await?;
        let mut attendees = input.attendees.clone();
        attendees.sort_unstable();
        attendees.dedup();
        let now = self.clock.now();
        let held_at = held
            .map(|d| anjian_domain::period::local_midnight(d) + chrono::Duration::hours(12))
            .unwrap_or(now)
            .min(now);
        let txn = self.store.begin_write().await?;
        let t = store::insert_training(
            &*txn,
            NewTraining {
                uid,
                org: operator.clone(),
                kind: input.kind.clone(),
                held_on: input.held_on.trim().to_owned(),
                topic: input.topic.trim().to_owned(),
                scenario: input.scenario.trim().to_owned(),
                result: input.result.trim().to_owned(),
                created_by: actor.id(),
                request_digest: Some(digest),
            },
            &attendees,
            now,
        )
        .await?;
        for (clean, key) in stored {
            attachments::insert(
                &*txn,
                photo_attachment("training", t.id, "photo", operator.clone(), &clean, key, actor.id()),
                now,
            )
            .await?;
        }
        let base = |kind, source| {
            Activity::new(kind, held_at, Evidence { source, id: t.id })
                .by(actor.id(), Some(operator.id))
                .on_org(operator.id)
        };
        let mut acts: Vec<Activity> = attendees
            .iter()
            .map(|g| Activity { target_guard: Some(*g), ..base(ActivityKind::GUARD_TRAINING, Source::Training) })
            .collect();
        if t.kind == "drill" {
            acts.push(base(ActivityKind::EMERGENCY_DRILL, Source::Drill));
        }
        anjian_store::activities::insert_many(&*txn, &acts, now).await?;
        let mut e = entry(Some(actor), "training.record", "training", t.id);
        e.detail = format!("kind={} attendees={}", t.kind, attendees.len());
        self.record(&*txn, e).await?;
        txn.commit().await?;
        Ok(Created { value: t, replayed: false })
    }

    pub async fn trainings(&self, actor: &Actor) -> Result<Vec<(Training, Vec<i64>)>> {
        actor.require(Permission::ViewHazards)?;
        let list = store::trainings(&self.store.db, &actor.scope, 200).await?;
        let att = store::attendees_of(&self.store.db, &list.iter().map(|t| t.id).collect::<Vec<_>>()).await?;
        Ok(list
            .into_iter()
            .map(|t| {
                let who = att.iter().filter(|a| a.0 == t.id).map(|a| a.1).collect();
                (t, who)
            })
            .collect())
    }
}
