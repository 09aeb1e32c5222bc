//! Inspection points and inspections. An inspection records who, when, where, what it covered and
//! what it found; a failed item becomes a hazard in the same action.

use crate::audit::entry;
use crate::crypto::digest_json;
use crate::hazards::HazardInput;
use crate::orgs::{replayed, uid_for, Created};
use crate::{Actor, App, AppError, FieldError, Result};
use anjian_domain::inspection::PointKind;
use anjian_domain::obligation::{Activity, Evidence, Source};
use anjian_domain::period::{Period, PeriodKind};
use anjian_domain::plan::ActivityKind;
use anjian_domain::role::Permission;
use anjian_store::inspections::{self, Finding, Inspection, InspectionFilter, NewInspection};
use anjian_store::{jurisdictions, orgs, points};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FindingInput {
    pub point_id: Option<i64>,
    pub item: String,
    pub passed: bool,
    #[serde(default)]
    pub note: String,
    /// For a failed item: the hazard to file for it.
    pub hazard: Option<HazardInput>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordInspection {
    pub org_id: i64,
    pub kind: String,
    /// When it took place; defaults to now and cannot be in the future.
    pub at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub covered_point_ids: Vec<i64>,
    #[serde(default)]
    pub findings: Vec<FindingInput>,
    /// The checklist version followed, kept with the inspection.
    #[serde(default)]
    pub checklist_version_id: Option<i64>,
    /// The organisation's site inspected (a railway crossing, a warehouse), if any.
    #[serde(default)]
    pub site_id: Option<i64>,
    /// For an expert panel's check: the bureau that commissioned it, whose obligation it counts
    /// for. By default the bureau of the panel's own area.
    #[serde(default)]
    pub for_bureau_id: Option<i64>,
}

/// What a month's full self-inspection has covered of an organisation's points, and what is left.
#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    pub total: usize,
    pub covered: Vec<i64>,
    pub left: Vec<points::Point>,
}

impl App {
    pub async fn add_point(&self, actor: &Actor, org_id: i64, kind: &str, name: &str) -> Result<points::Point> {
        actor.require(Permission::ManagePoints)?;
        let org = orgs::get(&self.store.db, &actor.scope, org_id).await?;
        let mut errors = Vec::new();
        if kind.parse::<PointKind>().is_err() {
            errors.push(FieldError::new("kind", "invalid_kind"));
        }
        let name = name.trim();
        errors.extend(FieldError::text("name", name, 100));
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let txn = self.store.begin_write().await?;
        let p = points::insert(
            &*txn,
            &uuid::Uuid::new_v4().to_string(),
            org.id,
            kind,
            name,
            Some(actor.id()),
            self.clock.now(),
        )
        .await
        .map_err(|e| match e {
            anjian_store::StoreError::Conflict(_) => AppError::invalid("name", "taken"),
            e => e.into(),
        })?;
        let mut e = entry(Some(actor), "point.create", "inspection_point", p.id);
        e.after_digest = Some(digest_json(&p));
        self.record(&*txn, e).await?;
        txn.commit().await?;
        self.world_changed();
        Ok(p)
    }

    /// The sites of an organisation the caller may inspect: those inside its scope (a county
    /// sees the crossings in the county whoever owns them).
    pub async fn inspectable_sites(&self, actor: &Actor, org_id: i64) -> Result<Vec<anjian_store::sites::Site>> {
        actor.require(Permission::ViewHazards)?;
        // A railway operator above the county is seen through its crossings in the county; an
        // organisation with nothing in the caller's scope is not there, rather than there with
        // no sites.
        let sites = anjian_store::sites::of_org(&self.store.db, &actor.scope, org_id).await?;
        if sites.is_empty() {
            orgs::get(&self.store.db, &actor.scope, org_id).await?;
        }
        Ok(sites)
    }

    pub async fn points_of(&self, actor: &Actor, org_id: i64) -> Result<Vec<points::Point>> {
        actor.require(Permission::ViewHazards).map_err(|_| AppError::NotFound)?;
        let org = orgs::get(&self.store.db, &actor.scope, org_id).await?;
        Ok(points::of_org(&self.store.db, org.id).await?)
    }

    /// The bureau an expert panel's check counts for: the one named on the form (a regulator),
    /// or the bureau of the panel's own area. `None` for everyone else, whose own organisation
    /// is credited; naming a bureau is only for experts.
    async fn credited_bureau(&self, actor: &Actor, named: Option<i64>) -> Result<Option<i64>> {
        let panel = actor.org.as_ref().filter(|o| o.kind == anjian_domain::org::OrgKind::EXPERT_PANEL.as_str());
        let Some(panel) = panel else {
            return match named {
                Some(_) => Err(AppError::invalid("for_bureau_id", "not_allowed")),
                None => Ok(None),
            };
        };
        let bureau = match named {
            Some(id) => orgs::get_unscoped_for_auth(&self.store.db, id).await?,
            None => match jurisdictions::by_id(&self.store.db, panel.jurisdiction_id).await? {
                Some(j) => orgs::by_code(&self.store.db, &crate::plans::bureau_code(&j.code)).await?,
                None => None,
            },
        };
        match bureau.filter(|b| b.kind == anjian_domain::org::OrgKind::REGULATOR.as_str()) {
            Some(b) => Ok(Some(b.id)),
            None => Err(AppError::invalid("for_bureau_id", "not_found")),
        }
    }

    /// Records an inspection; with an idempotency key, a retried submit returns the first record.
    #[tracing::instrument(skip_all, fields(kind = %input.kind))]
    pub async fn record_inspection(
        &self,
        actor: &Actor,
        input: RecordInspection,
        key: Option<&str>,
    ) -> Result<Created<Inspection>> {
        self.record_inspection_with_photos(actor, input, key, Vec::new()).await
    }

    /// Records an inspection with a photo for any failed item (by the item's index in
    /// `findings`): each is cleaned like every hazard photo and kept as the photo of the hazard
    /// that item files, in the same transaction. A photo for an item that passed is refused.
    pub async fn record_inspection_with_photos(
        &self,
        actor: &Actor,
        input: RecordInspection,
        key: Option<&str>,
        photos: Vec<(usize, Vec<u8>)>,
    ) -> Result<Created<Inspection>> {
        let uid = uid_for(key)?;
        let digest = digest_json(&input);
        if let Some(existing) = inspections::by_uid(&self.store.db, &uid).await? {
            let mine = existing.inspector_id == actor.id();
            let stored = existing.request_digest.clone();
            return replayed(existing, mine, stored.as_deref(), &digest);
        }
        let plan = self.current_plan().await?;
        let vocabulary = plan.vocabulary();
        let kind = match ActivityKind::known(&input.kind) {
            Some(k) if vocabulary.inspection_kinds().any(|d| *d.code.get_ref() == k) => k,
            _ => return Err(AppError::invalid("kind", "invalid_kind")),
        };
        if !vocabulary.recordable_by(kind, actor.role) {
            return Err(AppError::Forbidden);
        }
        // An inspection of a site is filed where the site is: a county inspects the crossings in
        // the county even though the operator that owns them sits at the city level.
        let org = match input.site_id {
            Some(site_id) => {
                let site = anjian_store::sites::get(&self.store.db, &actor.scope, site_id)
                    .await
                    .map_err(|_| AppError::invalid("site_id", "not_found"))?;
                let mut owner = orgs::get_unscoped_for_auth(&self.store.db, site.org_id)
                    .await?
                    .filter(|o| o.id == input.org_id)
                    .ok_or_else(|| AppError::invalid("site_id", "not_found"))?;
                owner.jurisdiction_path = site.jurisdiction_path;
                owner
            }
            None => orgs::get(&self.store.db, &actor.scope, input.org_id)
                .await
                .map_err(|_| AppError::invalid("org_id", "not_found"))?,
        };
        let now = self.clock.now();
        let at = input.at.unwrap_or(now);
        let mut errors = Vec::new();
        if at > now + chrono::Duration::minutes(5) {
            errors.push(FieldError::new("at", "in_future"));
        }
        let known: std::collections::HashSet<i64> =
            points::of_org(&self.store.db, org.id).await?.into_iter().map(|p| p.id).collect();
        if input.covered_point_ids.iter().any(|p| !known.contains(p)) {
            errors.push(FieldError::new("covered_point_ids", "not_found"));
        }
        if let Some(v) = input.checklist_version_id {
            if let Err(AppError::Invalid(mut e)) = self.visible_checklist_version(actor, v).await {
                errors.append(&mut e);
            }
        }
        let credited = match self.credited_bureau(actor, input.for_bureau_id).await {
            Ok(c) => c,
            Err(AppError::Invalid(mut e)) => {
                errors.append(&mut e);
                None
            }
            Err(e) => return Err(e),
        };
        let plan = self.current_plan().await?;
        for (i, f) in input.findings.iter().enumerate() {
            if f.item.trim().is_empty() {
                errors.push(FieldError::new(&format!("findings[{i}].item"), "required"));
            }
            if f.point_id.is_some_and(|p| !known.contains(&p)) {
                errors.push(FieldError::new(&format!("findings[{i}].point_id"), "not_found"));
            }
            match (&f.hazard, f.passed) {
                (Some(_), true) => errors.push(FieldError::new(&format!("findings[{i}].hazard"), "passed_item")),
                (Some(h), false) => {
                    for mut e in h.check(&plan, at).err().unwrap_or_default() {
                        e.field = format!("findings[{i}].hazard.{}", e.field);
                        errors.push(e);
                    }
                }
                _ => {}
            }
        }
        for (i, _) in &photos {
            if input.findings.get(*i).is_none_or(|f| f.passed || f.hazard.is_none()) {
                errors.push(FieldError::new(&format!("findings[{i}].photo"), "passed_item"));
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        // Cleaned (type from the bytes, metadata dropped) and stored before the transaction: a
        // file without its row after a crash is harmless, a row without its file is not.
        let mut cleaned = Vec::new();
        for (i, bytes) in photos {
            let (clean, key) = self.store_photo(bytes).await.map_err(|e| match e {
                AppError::Invalid(mut fs) => {
                    fs.iter_mut().for_each(|f| f.field = format!("findings[{i}].photo"));
                    AppError::Invalid(fs)
                }
                e => e,
            })?;
            cleaned.push((i, clean, key));
        }

        let txn = self.store.begin_write().await?;
        let ins = inspections::insert(
            &*txn,
            NewInspection {
                uid,
                org: org.clone(),
                kind: kind.as_str().to_owned(),
                at,
                inspector_id: actor.id(),
                inspector: actor.user.display_name.clone(),
                summary: input.summary.trim().to_owned(),
                request_digest: Some(digest),
                checklist_version_id: input.checklist_version_id,
                site_id: input.site_id,
            },
            now,
        )
        .await?;
        let mut covered: Vec<i64> = input.covered_point_ids.clone();
        covered.sort_unstable();
        covered.dedup();
        for p in &covered {
            inspections::insert_coverage(&*txn, ins.id, *p).await?;
        }
        // What the obligation engine counts: one activity per point covered (or one for the org).
        let activity = |point| Activity {
            target_point: point,
            target_site: input.site_id,
            ..Activity::new(kind, at, Evidence { source: Source::Inspection, id: ins.id })
                .by(actor.id(), credited.or(actor.user.org_id))
                .on_org(org.id)
        };
        let acts: Vec<Activity> = if covered.is_empty() {
            vec![activity(None)]
        } else {
            covered.iter().map(|p| activity(Some(*p))).collect()
        };
        anjian_store::activities::insert_many(&*txn, &acts, now).await?;
        let mut hazards_filed = 0;
        for (i, f) in input.findings.iter().enumerate() {
            let hazard_id = match &f.hazard {
                Some(h) if !f.passed => {
                    let mut h = h.clone();
                    h.point_id = h.point_id.or(f.point_id);
                    let hz =
                        self.insert_hazard(&*txn, actor, &org, &h, Some(ins.id), kind.as_str(), at, None, None).await?;
                    hazards_filed += 1;
                    for (_, clean, key) in cleaned.iter().filter(|(j, ..)| *j == i) {
                        let photo = crate::hazards::photo_attachment(
                            "hazard",
                            hz.id,
                            "before",
                            org.clone(),
                            clean,
                            key.clone(),
                            actor.id(),
                        );
                        anjian_store::attachments::insert(&*txn, photo, now).await?;
                    }
                    Some(hz.id)
                }
                _ => None,
            };
            inspections::insert_finding(&*txn, ins.id, f.point_id, f.item.trim(), f.passed, f.note.trim(), hazard_id)
                .await?;
        }
        let mut e = entry(Some(actor), "inspection.record", "inspection", ins.id);
        e.after_digest = Some(digest_json(&ins));
        e.detail =
            format!("kind={} org={} findings={} hazards={hazards_filed}", kind.as_str(), org.id, input.findings.len());
        self.record(&*txn, e).await?;
        txn.commit().await?;
        Ok(Created { value: ins, replayed: false })
    }

    pub async fn get_inspection(&self, actor: &Actor, id: i64) -> Result<(Inspection, Vec<Finding>, Vec<i64>)> {
        actor.require(Permission::ViewHazards).map_err(|_| AppError::NotFound)?;
        let ins = inspections::get(&self.store.db, &actor.scope, id).await?;
        let findings = inspections::findings_of(&self.store.db, id).await?;
        let covered = inspections::coverage_of(&self.store.db, id).await?;
        Ok((ins, findings, covered))
    }

    pub async fn list_inspections(
        &self,
        actor: &Actor,
        f: &InspectionFilter,
        before: Option<i64>,
        limit: u64,
    ) -> Result<Vec<Inspection>> {
        actor.require(Permission::ViewHazards)?;
        Ok(inspections::list(&self.store.db, &actor.scope, f, before, limit.clamp(1, 200)).await?)
    }

    /// The month's full self-inspection coverage of an organisation at `at`.
    pub async fn self_inspection_coverage(&self, actor: &Actor, org_id: i64, at: DateTime<Utc>) -> Result<Coverage> {
        let all = self.points_of(actor, org_id).await?;
        let month = Period::containing(PeriodKind::Month, at);
        let covered = inspections::covered_points(
            &self.store.db,
            org_id,
            ActivityKind::SELF_INSPECTION.as_str(),
            month.start,
            month.end,
        )
        .await?;
        let left = all.iter().filter(|p| !covered.contains(&p.id)).cloned().collect();
        Ok(Coverage { total: all.len(), covered, left })
    }
}

impl App {
    /// Imports inspection points from a sheet with the columns 类型 and 名称. `kinds` maps the
    /// labels a sheet may use (单元, 环节, 岗位, 部位) to kind codes. All or nothing; points that
    /// exist already are skipped, so a sheet imported twice adds nothing the second time.
    pub async fn import_points(
        &self,
        actor: &Actor,
        org_id: i64,
        sheet: anjian_reports::ledger_sheet::SheetRows,
        kinds: &std::collections::HashMap<String, String>,
        apply: bool,
    ) -> Result<crate::hazard_import::ImportOutcome> {
        use crate::hazard_import::{ImportOutcome, RowError};
        actor.require(Permission::ManagePoints)?;
        let org = orgs::get(&self.store.db, &actor.scope, org_id)
            .await
            .map_err(|_| AppError::invalid("org_id", "not_found"))?;
        let existing: std::collections::HashSet<(String, String)> =
            points::of_org(&self.store.db, org.id).await?.into_iter().map(|p| (p.kind, p.name)).collect();
        let mut out = ImportOutcome { rows: sheet.len(), ..Default::default() };
        let mut fresh = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (row, cells) in sheet {
            let get = |k: &str| cells.iter().find(|(h, _)| h == k).map(|(_, c)| c.text()).unwrap_or_default();
            let kind = kinds.get(&get("类型")).cloned();
            let name = get("名称");
            if kind.is_none() {
                out.errors.push(RowError { row, column: "类型".into(), code: "invalid_kind".into() });
            }
            if name.is_empty() || name.chars().count() > 100 {
                out.errors.push(RowError { row, column: "名称".into(), code: "required".into() });
            }
            let Some(kind) = kind else { continue };
            if name.is_empty() {
                continue;
            }
            if existing.contains(&(kind.clone(), name.clone())) {
                out.existing += 1;
            } else if !seen.insert((kind.clone(), name.clone())) {
                out.errors.push(RowError { row, column: "名称".into(), code: "duplicate_row".into() });
            } else {
                fresh.push((kind, name));
            }
        }
        out.new = fresh.len();
        if !apply || !out.errors.is_empty() {
            return Ok(out);
        }
        let now = self.clock.now();
        let txn = self.store.begin_write().await?;
        for (kind, name) in &fresh {
            points::insert(&*txn, &uuid::Uuid::new_v4().to_string(), org.id, kind, name, Some(actor.id()), now).await?;
        }
        let mut e = entry(Some(actor), "point.import", "org", org.id);
        e.detail = format!("rows={} new={} existing={}", out.rows, out.new, out.existing);
        self.record(&*txn, e).await?;
        txn.commit().await?;
        self.world_changed();
        out.applied = true;
        Ok(out)
    }
}
