//! Hazards (隐患): filed from an inspection, a tip, an alarm or an order; moved through the
//! lifecycle the domain decides; every transition kept with who, when and why.

use crate::audit::entry;
use crate::crypto::digest_json;
use crate::orgs::{replayed, uid_for, Created};
use crate::{Actor, App, AppError, FieldError, Result};
use anjian_domain::hazard::{self, Action, Doer, HazardFacts, HazardState};
use anjian_domain::money::Fen;
use anjian_domain::obligation::{Activity, Evidence, Source};
use anjian_domain::plan::ActivityKind;
use anjian_domain::plan::Plan;
use anjian_domain::role::Permission;
use anjian_store::hazards::{self, Hazard, HazardEvent, HazardFilter, HazardPlan, NewHazard, PlanParts, StateChange};
use anjian_store::orgs::{self, Org};
use anjian_store::StoreError;
use anjian_store::{points, Db};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a hazard came from.
pub const SOURCES: &[&str] = &[
    "self_inspection",
    "site_check",
    "group_check",
    "expert_health_check",
    "cross_region_check",
    "full_coverage_check",
    "spot_check",
    "unannounced_check",
    "liaison_check",
    "tip",
    "alarm",
    "order",
    "report",
];

/// What a person enters for a hazard.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HazardInput {
    pub description: String,
    pub point_id: Option<i64>,
    /// A grade code of the plan (`general`, `major`, or one the plan adds).
    pub grade: String,
    pub category: Option<String>,
    #[serde(default)]
    pub measures: String,
    /// 资金 in fen (1/100 yuan).
    #[serde(default)]
    pub funds_fen: i64,
    #[serde(default)]
    pub owner: String,
    pub deadline: Option<DateTime<Utc>>,
}

impl HazardInput {
    /// A hazard another record found (a failed check item, an alarm, a verified tip): what,
    /// grade and category; measures, funds and deadline come later with its rectification.
    pub fn finding(description: String, grade: &str, category: &str) -> HazardInput {
        HazardInput {
            description,
            point_id: None,
            grade: grade.to_owned(),
            category: Some(category.to_owned()),
            measures: String::new(),
            funds_fen: 0,
            owner: String::new(),
            deadline: None,
        }
    }

    /// Field checks that need no database: text present, grade known, deadline after discovery.
    pub fn check(&self, plan: &Plan, discovered_at: DateTime<Utc>) -> Result<(), Vec<FieldError>> {
        let mut e = Vec::new();
        let d = self.description.trim();
        e.extend(FieldError::text("description", d, 2000));
        if !plan.hazard_grades.iter().any(|g| g.code.get_ref() == &self.grade) {
            e.push(FieldError::new("grade", "invalid_grade"));
        }
        if self.deadline.is_some_and(|dl| dl < discovered_at) {
            e.push(FieldError::new("deadline", "before_discovery"));
        }
        if self.funds_fen < 0 {
            e.push(FieldError::new("funds_fen", "negative"));
        }
        if self.owner.chars().count() > 64 {
            e.push(FieldError::too_long("owner", 64));
        }
        if self.measures.chars().count() > 2000 {
            e.push(FieldError::too_long("measures", 2000));
        }
        if e.is_empty() {
            Ok(())
        } else {
            Err(e)
        }
    }
}

fn is_major(plan: &Plan, grade: &str) -> bool {
    plan.hazard_grades.iter().any(|g| g.code.get_ref() == grade && g.needs_governance_plan)
}

fn facts(h: &Hazard, plan: &Plan, has_after_photo: bool) -> HazardFacts {
    HazardFacts {
        state: h.state,
        major: is_major(plan, &h.grade),
        has_governance_plan: h.has_plan,
        fixed_by: h.fixed_by,
        has_after_photo,
        has_deadline: h.deadline.is_some(),
    }
}

/// Roles a photo of a hazard can have.
pub const PHOTO_ROLES: &[&str] = &["before", "after"];

/// A hazard with what a reader needs to see with it.
#[derive(Debug, Clone)]
pub struct HazardView {
    pub hazard: Hazard,
    pub major: bool,
    pub overdue: bool,
    pub events: Vec<HazardEvent>,
    pub plan: Option<HazardPlan>,
    pub photos: Vec<anjian_store::attachments::Attachment>,
    pub typical_case: Option<anjian_store::typical_cases::TypicalCase>,
}

impl App {
    /// Inserts a reported hazard and its first event inside the caller's transaction.
    #[expect(clippy::too_many_arguments, reason = "the parts of one record")]
    pub(crate) async fn insert_hazard(
        &self,
        db: &impl Db,
        actor: &Actor,
        org: &Org,
        h: &HazardInput,
        inspection_id: Option<i64>,
        source: &str,
        discovered_at: DateTime<Utc>,
        uid: Option<String>,
        digest: Option<String>,
    ) -> Result<Hazard> {
        let now = self.clock.now();
        let row = hazards::insert(
            db,
            NewHazard {
                uid: uid.unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
                org: org.clone(),
                point_id: h.point_id,
                inspection_id,
                source: source.to_owned(),
                description: h.description.trim().to_owned(),
                grade: h.grade.clone(),
                category: h.category.clone().filter(|c| !c.trim().is_empty()),
                measures: h.measures.trim().to_owned(),
                funds_fen: Fen::new(h.funds_fen).ok_or_else(|| AppError::invalid("funds_fen", "negative"))?,
                owner: h.owner.trim().to_owned(),
                deadline: h.deadline,
                state: HazardState::Reported,
                discovered_at,
                discovered_by: actor.id(),
                request_digest: digest,
                closed: None,
            },
            now,
        )
        .await?;
        hazards::insert_event(
            db,
            row.id,
            "report",
            HazardState::Draft,
            HazardState::Reported,
            actor.id(),
            actor.name(),
            "",
            now,
        )
        .await?;
        let mut e = entry(Some(actor), "hazard.report", "hazard", row.id);
        e.after_digest = Some(digest_json(&row));
        e.detail = format!("org={} grade={} source={source}", org.id, row.grade);
        self.record(db, e).await?;
        Ok(row)
    }

    /// Files a hazard on an organisation in the caller's scope.
    pub async fn report_hazard(
        &self,
        actor: &Actor,
        org_id: i64,
        source: &str,
        input: HazardInput,
        key: Option<&str>,
    ) -> Result<Created<Hazard>> {
        actor.require(Permission::ReportHazard)?;
        let uid = uid_for(key)?;
        let digest = digest_json(&(org_id, source, &input));
        if let Some(existing) = hazards::by_uid(&self.store.db, &uid).await? {
            let mine = existing.discovered_by == actor.id();
            let stored = existing.request_digest.clone();
            return replayed(existing, mine, stored.as_deref(), &digest);
        }
        let org = orgs::get(&self.store.db, &actor.scope, org_id)
            .await
            .map_err(|_| AppError::invalid("org_id", "not_found"))?;
        let plan = self.current_plan().await?;
        let now = self.clock.now();
        let mut errors = input.check(&plan, now).err().unwrap_or_default();
        if !SOURCES.contains(&source) {
            errors.push(FieldError::new("source", "invalid_source"));
        }
        if let Some(p) = input.point_id {
            if !points::of_org(&self.store.db, org.id).await?.iter().any(|x| x.id == p) {
                errors.push(FieldError::new("point_id", "not_found"));
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let txn = self.store.begin_write().await?;
        let h = self.insert_hazard(&*txn, actor, &org, &input, None, source, now, Some(uid), Some(digest)).await?;
        txn.commit().await?;
        Ok(Created { value: h, replayed: false })
    }

    /// Moves a hazard through its lifecycle. `plan` goes with `AttachPlan` (all six parts).
    #[tracing::instrument(skip_all, fields(hazard = id, action = action.name()))]
    pub async fn act_on_hazard(
        &self,
        actor: &Actor,
        id: i64,
        action: Action,
        plan_parts: Option<PlanParts>,
    ) -> Result<Hazard> {
        let needed = match action {
            Action::Verify | Action::Reject { .. } => Permission::VerifyHazard,
            Action::Report => Permission::ReportHazard,
            _ => Permission::RectifyHazard,
        };
        actor.require(needed).map_err(|_| AppError::NotFound)?;
        let h = hazards::get(&self.store.db, &actor.scope, id).await?;
        let plan = self.current_plan().await?;
        let photos = anjian_store::attachments::of_owner(&self.store.db, "hazard", h.id).await?;
        let before = facts(&h, &plan, photos.iter().any(|p| p.role == "after"));
        let doer = Doer { user_id: actor.id(), regulator: actor.role.is_bureau() };
        let after = hazard::apply(&before, &action, doer).map_err(|r| AppError::invalid("action", r.code()))?;
        // Under a 挂牌督办 notice, only the supervising bureau closes (销号) or sends it back.
        if matches!(action, Action::Verify | Action::Reject { .. }) {
            let steps = anjian_store::supervision::of_hazard(&self.store.db, h.id).await?;
            // The notice is the bureau's: its departments (科室) act for it.
            let bureau = match actor.role.is_bureau() {
                true => self.issuing_bureau(actor).await.ok().map(|b| b.id),
                false => actor.user.org_id,
            };
            if !anjian_domain::supervision::Supervision::of(&steps).may_close(bureau) {
                return Err(AppError::invalid("action", "hazard_supervising_bureau_only"));
            }
        }
        let parts = match (&action, plan_parts) {
            (Action::AttachPlan, Some(p)) => {
                let missing: Vec<FieldError> = [
                    ("goals", &p.goals),
                    ("measures", &p.measures),
                    ("funds_materials", &p.funds_materials),
                    ("responsible", &p.responsible),
                    ("time_limit", &p.time_limit),
                    ("safety_emergency", &p.safety_emergency),
                ]
                .iter()
                .filter(|(_, v)| v.trim().is_empty())
                .map(|(f, _)| FieldError::new(&format!("plan.{f}"), "required"))
                .collect();
                if !missing.is_empty() {
                    return Err(AppError::Invalid(missing));
                }
                Some(p)
            }
            (Action::AttachPlan, None) => return Err(AppError::invalid("plan", "required")),
            _ => None,
        };
        let reason = match &action {
            Action::Reject { reason } => reason.trim().to_owned(),
            _ => String::new(),
        };
        let now = self.clock.now();
        let txn = self.store.begin_write().await?;
        hazards::change_state(
            &*txn,
            h.id,
            &StateChange {
                from: h.state,
                to: after.state,
                has_plan: after.has_governance_plan,
                fixed_by: after.fixed_by,
                closed: (after.state == HazardState::Closed).then_some((now, actor.id())),
            },
            now,
        )
        .await
        .map_err(|e| match e {
            anjian_store::StoreError::Conflict(_) => AppError::invalid("action", "hazard_out_of_order"),
            e => e.into(),
        })?;
        if let Some(p) = &parts {
            hazards::insert_plan(&*txn, h.id, p, actor.id(), now).await?;
        }
        hazards::insert_event(&*txn, h.id, action.name(), h.state, after.state, actor.id(), actor.name(), &reason, now)
            .await?;
        if after.state == HazardState::Closed && is_major(&plan, &h.grade) {
            let act =
                Activity::new(ActivityKind::MAJOR_HAZARD_RESOLVED, now, Evidence { source: Source::Hazard, id: h.id })
                    .by(actor.id(), actor.user.org_id)
                    .on_org(h.org_id);
            anjian_store::activities::insert_many(&*txn, &[act], now).await?;
        }
        let mut e = entry(Some(actor), &format!("hazard.{}", action.name()), "hazard", h.id);
        e.before_digest = Some(digest_json(&h));
        e.detail = format!("{} -> {}", h.state.as_str(), after.state.as_str());
        self.record(&*txn, e).await?;
        let updated = hazards::get(&*txn, &actor.scope, h.id).await?;
        txn.commit().await?;
        Ok(updated)
    }

    /// 限期: sets a hazard's deadline, or — a bureau, with a reason — moves it. Every change is an
    /// event in the hazard's history with the old and the new date.
    pub async fn set_hazard_deadline(
        &self,
        actor: &Actor,
        id: i64,
        deadline: DateTime<Utc>,
        reason: &str,
    ) -> Result<Hazard> {
        if !actor.role.can(Permission::RectifyHazard) && !actor.role.can(Permission::VerifyHazard) {
            return Err(AppError::NotFound);
        }
        let h = hazards::get(&self.store.db, &actor.scope, id).await?;
        let now = self.clock.now();
        let txn = self.store.begin_write().await?;
        self.move_deadline(&*txn, actor, &h, deadline, reason, now, "deadline").await?;
        let updated = hazards::get(&*txn, &actor.scope, h.id).await?;
        txn.commit().await?;
        Ok(updated)
    }

    /// Moves a deadline inside the caller's transaction — set by anyone who may, moved only by
    /// a bureau with a reason (a 延期 on the page, an approved extension) — with its event in
    /// the history and its audit entry. `field` names the input a refusal is about.
    #[expect(clippy::too_many_arguments, reason = "one change, its parts")]
    pub(crate) async fn move_deadline(
        &self,
        db: &impl Db,
        actor: &Actor,
        h: &Hazard,
        deadline: DateTime<Utc>,
        reason: &str,
        now: DateTime<Utc>,
        field: &str,
    ) -> Result<()> {
        let doer = Doer { user_id: actor.id(), regulator: actor.role.is_bureau() };
        let change = hazard::change_deadline(h.state, h.deadline, deadline, doer, reason, now)
            .map_err(|r| AppError::invalid(field, r.code()))?;
        let local = |t: DateTime<Utc>| t.with_timezone(&anjian_domain::TZ).format("%Y-%m-%d").to_string();
        let note = match h.deadline {
            Some(old) => format!("{} → {}：{}", local(old), local(deadline), reason.trim()),
            None => local(deadline),
        };
        self.write_deadline(db, actor, h, deadline, change, note, now).await
    }

    #[expect(clippy::too_many_arguments, reason = "one change, its parts")]
    async fn write_deadline(
        &self,
        db: &impl Db,
        actor: &Actor,
        h: &Hazard,
        deadline: DateTime<Utc>,
        change: hazard::DeadlineChange,
        note: String,
        now: DateTime<Utc>,
    ) -> Result<()> {
        hazards::set_deadline(db, h.id, h.deadline, deadline, now).await.map_err(|e| match e {
            anjian_store::StoreError::Conflict(_) => AppError::Conflict("hazard_changed_meanwhile"),
            e => e.into(),
        })?;
        hazards::insert_event(db, h.id, change.name(), h.state, h.state, actor.id(), actor.name(), &note, now).await?;
        let mut e = entry(Some(actor), &format!("hazard.{}", change.name()), "hazard", h.id);
        e.before_digest = Some(digest_json(h));
        e.detail = note;
        self.record(db, e).await?;
        Ok(())
    }

    /// The names of the people behind records' actor ids (a hazard's history): a page shows
    /// who acted by the name they go by, whatever the record kept.
    pub async fn people_names(&self, ids: &[i64]) -> Result<std::collections::HashMap<i64, String>> {
        Ok(anjian_store::users::display_names(&self.store.db, ids).await?)
    }

    pub async fn get_hazard(&self, actor: &Actor, id: i64) -> Result<HazardView> {
        actor.require(Permission::ViewHazards).map_err(|_| AppError::NotFound)?;
        let h = hazards::get(&self.store.db, &actor.scope, id).await?;
        let plan = self.current_plan().await?;
        let events = hazards::events_of(&self.store.db, id).await?;
        let gov = hazards::plan_of(&self.store.db, id).await?;
        let photos = anjian_store::attachments::of_owner(&self.store.db, "hazard", id).await?;
        let now = self.clock.now();
        Ok(HazardView {
            major: is_major(&plan, &h.grade),
            overdue: h.is_overdue(now),
            hazard: h,
            events,
            plan: gov,
            photos,
            typical_case: anjian_store::typical_cases::of_hazard(&self.store.db, id).await?,
        })
    }

    pub async fn list_hazards(
        &self,
        actor: &Actor,
        f: &HazardFilter,
        before: Option<i64>,
        limit: u64,
    ) -> Result<Vec<Hazard>> {
        actor.require(Permission::ViewHazards)?;
        Ok(hazards::list(&self.store.db, &actor.scope, f, before, limit.clamp(1, 200)).await?)
    }

    pub async fn count_hazards(&self, actor: &Actor, f: &HazardFilter) -> Result<u64> {
        actor.require(Permission::ViewHazards)?;
        Ok(hazards::count(&self.store.db, &actor.scope, f).await?)
    }
}

impl App {
    /// Attaches a photo to a hazard (before or after). The image is checked and re-encoded off the
    /// async runtime, written to the blob store and synced, and only then is its row committed.
    pub async fn attach_photo(
        &self,
        actor: &Actor,
        hazard_id: i64,
        role: &str,
        bytes: Vec<u8>,
    ) -> Result<anjian_store::attachments::Attachment> {
        actor.require(Permission::ReportHazard).map_err(|_| AppError::NotFound)?;
        let h = hazards::get(&self.store.db, &actor.scope, hazard_id).await?;
        if !PHOTO_ROLES.contains(&role) {
            return Err(AppError::invalid("role", "invalid_role"));
        }
        if h.is_closed() {
            return Err(AppError::invalid("action", "hazard_out_of_order"));
        }
        let (clean, key) = self.store_photo(bytes).await?;
        let org = orgs::get(&self.store.db, &actor.scope, h.org_id).await?;
        let txn = self.store.begin_write().await?;
        let photo = photo_attachment("hazard", h.id, role, org, &clean, key, actor.id());
        let row = anjian_store::attachments::insert(&*txn, photo, self.clock.now()).await?;
        let mut e = entry(Some(actor), "hazard.photo", "hazard", h.id);
        e.after_digest = Some(row.sha256.clone());
        e.detail = format!("role={role} attachment={}", row.id);
        self.record(&*txn, e).await?;
        txn.commit().await?;
        Ok(row)
    }

    /// An attachment's file, if the attachment is in the caller's scope.
    pub async fn attachment(&self, actor: &Actor, id: i64) -> Result<(anjian_store::attachments::Attachment, Vec<u8>)> {
        actor.require(Permission::ViewHazards).map_err(|_| AppError::NotFound)?;
        let a = anjian_store::attachments::get(&self.store.db, &actor.scope, id).await?;
        let blobs = anjian_store::blobs::BlobStore::new(self.settings.blob_dir.clone().ok_or(AppError::NotFound)?);
        let key = a.sha256.clone();
        let bytes =
            tokio_blocking(move || blobs.get(&key).map_err(|e| AppError::Internal(format!("reading a file: {e}"))))
                .await?;
        Ok((a, bytes))
    }
}

/// Runs blocking work (image decoding, file writes) on the blocking pool.
impl App {
    /// Checks and re-encodes an uploaded photo (no EXIF/GPS survives) and keeps it by its hash;
    /// the file is on disk before the caller's row commits.
    pub(crate) async fn store_photo(&self, bytes: Vec<u8>) -> Result<(anjian_store::images::CleanImage, String)> {
        let blobs = anjian_store::blobs::BlobStore::new(
            self.settings.blob_dir.clone().ok_or_else(|| AppError::Internal("no blob folder configured".into()))?,
        );
        tokio_blocking(move || {
            let clean = anjian_store::images::clean(&bytes).map_err(|e| AppError::invalid("file", e.code()))?;
            let key = blobs.put(&clean.bytes).map_err(StoreError::from)?;
            Ok((clean, key))
        })
        .await
    }
}

/// The attachment row of a stored photo.
pub(crate) fn photo_attachment(
    owner_type: &'static str,
    owner_id: i64,
    role: &str,
    org: anjian_store::orgs::Org,
    clean: &anjian_store::images::CleanImage,
    sha256: String,
    by: i64,
) -> anjian_store::attachments::NewAttachment {
    anjian_store::attachments::NewAttachment {
        owner_type,
        owner_id,
        role: role.to_owned(),
        org,
        content_type: clean.content_type.to_owned(),
        size: clean.bytes.len() as i64,
        sha256,
        width: clean.width as i32,
        height: clean.height as i32,
        created_by: by,
    }
}

impl App {
    /// Several photos for one record, each checked and stored before anything is written, so a
    /// bad one changes nothing; at most nine.
    pub(crate) async fn store_photos(
        &self,
        photos: Vec<Vec<u8>>,
    ) -> Result<Vec<(anjian_store::images::CleanImage, String)>> {
        if photos.len() > 9 {
            return Err(AppError::invalid("photos", "too_many"));
        }
        let mut stored = Vec::new();
        for p in photos {
            stored.push(self.store_photo(p).await?);
        }
        Ok(stored)
    }
}

async fn tokio_blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| AppError::Internal(format!("blocking task: {e}")))?
}

impl App {
    /// A bureau holds up a closed major hazard as a typical case (典型案例), with a narrative.
    pub async fn mark_typical_case(
        &self,
        actor: &Actor,
        hazard_id: i64,
        title: &str,
        narrative: &str,
    ) -> Result<anjian_store::typical_cases::TypicalCase> {
        if !actor.role.is_bureau() {
            return Err(AppError::Forbidden);
        }
        let h = hazards::get(&self.store.db, &actor.scope, hazard_id).await?;
        let plan = self.current_plan().await?;
        if !h.is_closed() || !is_major(&plan, &h.grade) {
            return Err(AppError::invalid("hazard", "typical_case_needs_closed_major"));
        }
        let (title, narrative) = (title.trim(), narrative.trim());
        let mut errors = Vec::new();
        errors.extend(FieldError::text("title", title, 100));
        errors.extend(FieldError::text("narrative", narrative, 5000));
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let txn = self.store.begin_write().await?;
        let row = anjian_store::typical_cases::insert(&*txn, &h, title, narrative, actor.id(), self.clock.now())
            .await
            .map_err(|e| match e {
                anjian_store::StoreError::Conflict(_) => AppError::invalid("hazard", "already_typical_case"),
                e => e.into(),
            })?;
        let act = Activity::new(
            ActivityKind::TYPICAL_CASE,
            row.marked_at,
            Evidence { source: Source::TypicalCase, id: row.id },
        )
        .by(actor.id(), actor.user.org_id)
        .on_org(h.org_id);
        anjian_store::activities::insert_many(&*txn, &[act], row.marked_at).await?;
        let mut e = entry(Some(actor), "hazard.typical_case", "hazard", h.id);
        e.detail = format!("case={}", row.id);
        self.record(&*txn, e).await?;
        txn.commit().await?;
        Ok(row)
    }

    /// Typical cases in scope marked in a month (`2022-08`).
    pub async fn typical_cases(
        &self,
        actor: &Actor,
        period: &str,
    ) -> Result<Vec<anjian_store::typical_cases::TypicalCase>> {
        actor.require(Permission::ViewHazards)?;
        let month = crate::ledgers::parse_period(period)?;
        Ok(anjian_store::typical_cases::list(&self.store.db, &actor.scope, month.start, month.end).await?)
    }
}
