//! Importing a plan: lint, show what changes, then keep it as a new version (never replacing
//! the old one) and bring the jurisdictions, bureaus and departments it names into being.

use crate::audit::entry;
use crate::{Actor, App, AppError, Result};
use anjian_domain::org::OrgKind;
use anjian_domain::plan::{self, Change, Finding, Plan, Severity};
use anjian_domain::role::Permission;
use anjian_store::orgs::{self, NewOrg};
use anjian_store::{jurisdictions, plans, Db};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// What an import would do.
#[derive(Debug, Clone)]
pub struct ImportPreview {
    pub plan_id: String,
    pub current_version: Option<i32>,
    /// Same bytes as the current version: nothing to do.
    pub unchanged: bool,
    pub changes: Vec<Change>,
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone)]
pub struct Imported {
    pub version: i32,
    pub preview: ImportPreview,
}

fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// Code of the regulator (bureau) org of a jurisdiction.
pub fn bureau_code(jurisdiction_code: &str) -> String {
    format!("bureau-{jurisdiction_code}")
}

pub fn department_code(code: &str) -> String {
    format!("dept-{code}")
}

impl App {
    /// Lints a plan and compares it with the version in force.
    pub async fn preview_plan(&self, text: &str) -> Result<ImportPreview> {
        let findings = plan::lint(text);
        if findings.iter().any(|f| f.severity == Severity::Error) {
            return Err(AppError::PlanInvalid(findings));
        }
        let new = Plan::parse(text).map_err(|_| AppError::PlanInvalid(findings.clone()))?;
        let latest = plans::latest(&self.store.db, &new.plan.id).await?;
        let (unchanged, changes, current_version) = match &latest {
            Some(v) => {
                let old = Plan::parse(&v.source).map_err(|e| AppError::Internal(format!("stored plan: {e}")))?;
                (v.sha256 == sha256_hex(text), plan::diff(&old, &new), Some(v.version))
            }
            None => (false, Vec::new(), None),
        };
        Ok(ImportPreview { plan_id: new.plan.id.clone(), current_version, unchanged, changes, findings })
    }

    /// Imports a plan. Importing the same file again changes nothing.
    pub async fn import_plan(&self, actor: Option<&Actor>, text: &str) -> Result<Imported> {
        if let Some(a) = actor {
            a.require(Permission::ManagePlan)?;
        }
        let preview = self.preview_plan(text).await?;
        if preview.unchanged {
            return Ok(Imported { version: preview.current_version.unwrap_or(1), preview });
        }
        let plan = Plan::parse(text).map_err(|_| AppError::PlanInvalid(preview.findings.clone()))?;
        let now = self.clock.now();
        let version = preview.current_version.unwrap_or(0) + 1;
        let changes = serde_json::to_string(&preview.changes).unwrap_or_else(|_| "[]".into());
        let txn = self.store.begin_write().await?;
        let row =
            plans::insert(&*txn, &plan.plan.id, version, &sha256_hex(text), text, &changes, now, actor.map(|a| a.id()))
                .await
                .map_err(|e| match e {
                    // Two imports at once: the other one took this version number.
                    anjian_store::StoreError::Conflict(_) => AppError::Conflict("plan_version"),
                    e => e.into(),
                })?;
        materialise(&*txn, &plan, now).await?;
        crate::checklists::ensure_templates(&*txn, &plan, now).await?;
        let mut e = entry(actor, "plan.import", "plan_version", row.id);
        e.after_digest = Some(row.sha256.clone());
        e.detail = format!("plan={} version={version} changes={}", plan.plan.id, preview.changes.len());
        self.record(&*txn, e).await?;
        txn.commit().await?;
        Ok(Imported { version, preview })
    }

    /// The plan in force, parsed once per version and shared.
    pub async fn current_plan(&self) -> Result<Arc<Plan>> {
        Ok(self.current_campaign().await?.0)
    }

    /// The plan in force and its version number.
    pub async fn current_campaign(&self) -> Result<(Arc<Plan>, i32)> {
        let (_, plan, version) = self.current_plan_row().await?;
        Ok((plan, version))
    }

    /// The plan in force with the id of its stored row (which changes with every import).
    pub(crate) async fn current_plan_row(&self) -> Result<(i64, Arc<Plan>, i32)> {
        let (id, version) = plans::current_id(&self.store.db).await?.ok_or(AppError::NoPlan)?;
        if let Some((cached, p)) = self.plan_cache.read().unwrap_or_else(|e| e.into_inner()).as_ref() {
            if *cached == id {
                return Ok((id, p.clone(), version));
            }
        }
        let row = plans::by_id(&self.store.db, id).await?.ok_or(AppError::NoPlan)?;
        let p = Arc::new(Plan::parse(&row.source).map_err(|e| AppError::Internal(format!("stored plan: {e}")))?);
        *self.plan_cache.write().unwrap_or_else(|e| e.into_inner()) = Some((row.id, p.clone()));
        Ok((row.id, p, row.version))
    }

    /// The words of the plan in force (format 1's before any plan is imported).
    pub async fn vocabulary(&self) -> anjian_domain::plan::Vocabulary {
        match self.current_plan().await {
            Ok(p) => p.vocabulary().clone(),
            Err(_) => anjian_domain::plan::Vocabulary::format1().clone(),
        }
    }

    pub async fn plan_history(&self, actor: &Actor, plan_id: &str) -> Result<Vec<plans::PlanVersion>> {
        actor.require(Permission::ViewCampaign)?;
        Ok(plans::history(&self.store.db, plan_id).await?)
    }
}

/// Creates what the plan names and the database lacks: jurisdictions, a bureau for each, the
/// issuing bureau's departments. Existing rows are renamed, never removed.
async fn materialise(db: &impl Db, plan: &Plan, now: DateTime<Utc>) -> Result<()> {
    // Parents before children: the top level first.
    let mut ordered: Vec<_> = plan.jurisdictions.iter().collect();
    ordered.sort_by_key(|j| plan.vocabulary().depth(j.level));
    let issuer = plan.issuer_jurisdiction().map(|j| j.code.get_ref().clone());
    let mut issuer_bureau = None;
    for j in ordered {
        let (row, _) = jurisdictions::upsert(
            db,
            j.code.get_ref(),
            &j.name,
            j.level.as_str(),
            j.parent.as_ref().map(|p| p.get_ref().as_str()),
            now,
        )
        .await?;
        let code = bureau_code(j.code.get_ref());
        let name = plan.bureau_name(j);
        let bureau = match orgs::by_code(db, &code).await? {
            Some(b) => b,
            None => {
                orgs::insert(
                    db,
                    NewOrg {
                        code: Some(code),
                        ..NewOrg::new(uuid::Uuid::new_v4().to_string(), name, OrgKind::REGULATOR.as_str(), row)
                    },
                    now,
                )
                .await?
            }
        };
        if issuer.as_ref() == Some(j.code.get_ref()) {
            issuer_bureau = Some(bureau);
        }
    }
    if let Some(city) = issuer_bureau {
        let jur = jurisdictions::by_id(db, city.jurisdiction_id).await?.ok_or(AppError::NotFound)?;
        for d in &plan.departments {
            let code = department_code(d.code.get_ref());
            if orgs::by_code(db, &code).await?.is_none() {
                orgs::insert(
                    db,
                    NewOrg {
                        code: Some(code),
                        parent: Some(city.clone()),
                        ..NewOrg::new(
                            uuid::Uuid::new_v4().to_string(),
                            d.name.clone(),
                            OrgKind::DEPARTMENT.as_str(),
                            jur.clone(),
                        )
                    },
                    now,
                )
                .await?;
            }
        }
    }
    Ok(())
}
