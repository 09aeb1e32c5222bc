//! Checklist templates (检查表): items with their requirement, the rule they come from and an
//! optional score; kept by bureaus and enterprises; revised only by adding a version.

use crate::audit::entry;
use crate::{Actor, App, AppError, FieldError, Result};
use anjian_domain::role::Permission;
use anjian_reports::ledger_sheet::{Cell, SheetRows};
use anjian_store::checklists::{self, Checklist, ChecklistVersion};
use anjian_store::orgs;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChecklistItem {
    /// 检查项目
    pub item: String,
    /// 检查要求
    #[serde(default)]
    pub requirement: String,
    /// 依据: the rule or standard it comes from.
    #[serde(default)]
    pub reference: String,
    /// 分值
    pub score: Option<f64>,
}

/// The sheet columns of a checklist.
pub const CHECKLIST_COLUMNS: [&str; 4] = ["检查项目", "检查要求", "依据", "分值"];

fn check_items(items: &[ChecklistItem]) -> Result<()> {
    let mut errors = Vec::new();
    if items.is_empty() || items.len() > 500 {
        errors.push(FieldError::new("items", "required"));
    }
    for (i, it) in items.iter().enumerate() {
        errors.extend(FieldError::text(&format!("items[{i}].item"), &it.item, 500));
        if it.score.is_some_and(|s| !(0.0..=1000.0).contains(&s)) {
            errors.push(FieldError::new(&format!("items[{i}].score"), "invalid_amount"));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(errors))
    }
}

/// Items from a sheet in the checklist's columns; errors by row.
pub fn items_from_sheet(sheet: SheetRows) -> Result<Vec<ChecklistItem>, Vec<crate::hazard_import::RowError>> {
    let mut items = Vec::new();
    let mut errors = Vec::new();
    for (row, cells) in sheet {
        let get = |k: &str| cells.iter().find(|(h, _)| h == k).map(|(_, c)| c.clone()).unwrap_or(Cell::Empty);
        let item = get("检查项目").text();
        if item.is_empty() {
            errors.push(crate::hazard_import::RowError { row, column: "检查项目".into(), code: "required".into() });
        }
        let score = match get("分值") {
            Cell::Empty => None,
            Cell::Number(n) => Some(n),
            _ => {
                errors.push(crate::hazard_import::RowError {
                    row,
                    column: "分值".into(),
                    code: "invalid_amount".into(),
                });
                None
            }
        };
        items.push(ChecklistItem {
            item, requirement: get("检查要求").text(), reference: get("依据").text(), score
        });
    }
    if errors.is_empty() {
        Ok(items)
    } else {
        Err(errors)
    }
}

fn may_keep(actor: &Actor) -> Result<()> {
    if actor.role.can(Permission::ManagePoints) || actor.role.is_bureau() {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

impl App {
    /// A new checklist owned by an organisation in the caller's scope, as version 1.
    pub async fn create_checklist(
        &self,
        actor: &Actor,
        org_id: i64,
        name: &str,
        items: Vec<ChecklistItem>,
    ) -> Result<(Checklist, ChecklistVersion)> {
        may_keep(actor)?;
        let owner = orgs::get(&self.store.db, &actor.scope, org_id)
            .await
            .map_err(|_| AppError::invalid("org_id", "not_found"))?;
        let name = name.trim();
        if let Some(e) = FieldError::text("name", name, 100) {
            return Err(AppError::Invalid(vec![e]));
        }
        check_items(&items)?;
        let now = self.clock.now();
        let txn = self.store.begin_write().await?;
        let c = checklists::insert(&*txn, &uuid::Uuid::new_v4().to_string(), &owner, name, actor.id(), now).await?;
        let json = serde_json::to_string(&items).map_err(|e| AppError::Internal(e.to_string()))?;
        let v = checklists::insert_version(&*txn, c.id, 1, &json, actor.id(), now).await?;
        let mut e = entry(Some(actor), "checklist.create", "checklist", c.id);
        e.detail = format!("items={}", items.len());
        self.record(&*txn, e).await?;
        txn.commit().await?;
        Ok((c, v))
    }

    /// A revision: a new version; the old ones stay as they were.
    pub async fn revise_checklist(
        &self,
        actor: &Actor,
        id: i64,
        items: Vec<ChecklistItem>,
    ) -> Result<ChecklistVersion> {
        may_keep(actor)?;
        let c = checklists::get_owned(&self.store.db, &actor.scope, id).await?;
        check_items(&items)?;
        let last = checklists::versions(&self.store.db, c.id).await?.last().map_or(0, |v| v.version);
        let json = serde_json::to_string(&items).map_err(|e| AppError::Internal(e.to_string()))?;
        let txn = self.store.begin_write().await?;
        let v = checklists::insert_version(&*txn, c.id, last + 1, &json, actor.id(), self.clock.now()).await.map_err(
            |e| match e {
                anjian_store::StoreError::Conflict(_) => AppError::Conflict("checklist_version"),
                e => e.into(),
            },
        )?;
        let mut e = entry(Some(actor), "checklist.revise", "checklist", c.id);
        e.detail = format!("version={} items={}", v.version, items.len());
        self.record(&*txn, e).await?;
        txn.commit().await?;
        Ok(v)
    }

    pub async fn list_checklists(&self, actor: &Actor) -> Result<Vec<(Checklist, Vec<ChecklistVersion>)>> {
        actor.require(Permission::ViewHazards)?;
        let mut out = Vec::new();
        for c in checklists::list(&self.store.db, &actor.scope).await? {
            let v = checklists::versions(&self.store.db, c.id).await?;
            out.push((c, v));
        }
        Ok(out)
    }

    /// One version of a visible checklist (the latest when `version` is None), with its items.
    pub async fn checklist_version(
        &self,
        actor: &Actor,
        id: i64,
        version: Option<i32>,
    ) -> Result<(Checklist, ChecklistVersion, Vec<ChecklistItem>)> {
        actor.require(Permission::ViewHazards).map_err(|_| AppError::NotFound)?;
        let c = checklists::get(&self.store.db, &actor.scope, id).await?;
        let all = checklists::versions(&self.store.db, c.id).await?;
        let v = match version {
            Some(n) => all.into_iter().find(|v| v.version == n),
            None => all.into_iter().last(),
        }
        .ok_or(AppError::NotFound)?;
        let items = serde_json::from_str(&v.items_json).map_err(|e| AppError::Internal(e.to_string()))?;
        Ok((c, v, items))
    }

    /// Checks that a checklist version exists and is visible to the caller (for an inspection).
    pub(crate) async fn visible_checklist_version(&self, actor: &Actor, version_id: i64) -> Result<ChecklistVersion> {
        let v = checklists::version_by_id(&self.store.db, version_id)
            .await?
            .ok_or_else(|| AppError::invalid("checklist_version_id", "not_found"))?;
        checklists::get(&self.store.db, &actor.scope, v.checklist_id)
            .await
            .map_err(|_| AppError::invalid("checklist_version_id", "not_found"))?;
        Ok(v)
    }
}

/// Makes the issuing bureau's inspection templates the plan declares (`template_for`) that it
/// does not keep yet, item by item with their requirements; one it keeps is left as it is (a
/// bureau may have revised it).
pub(crate) async fn ensure_templates(
    db: &impl anjian_store::Db,
    plan: &anjian_domain::plan::Plan,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    let Some(j) = plan.issuer_jurisdiction() else { return Ok(()) };
    let Some(bureau) = orgs::by_code(db, &crate::plans::bureau_code(j.code.get_ref())).await? else { return Ok(()) };
    let owned = checklists::list(db, &anjian_domain::scope::Scope::Org { path: bureau.org_path.clone() }).await?;
    for c in plan.checklists.iter().filter(|c| !c.template_for.is_empty()) {
        if owned.iter().any(|o| o.name == c.name) {
            continue;
        }
        let items: Vec<ChecklistItem> = c
            .items
            .iter()
            .enumerate()
            .map(|(i, item)| ChecklistItem {
                item: item.clone(),
                requirement: c.requirements.get(i).cloned().unwrap_or_default(),
                reference: c.source.clone(),
                score: None,
            })
            .collect();
        let json = serde_json::to_string(&items).map_err(|e| AppError::Internal(e.to_string()))?;
        // Made by the plan's import, not by a person: author 0 (the system).
        let row = checklists::insert(db, &uuid::Uuid::new_v4().to_string(), &bureau, &c.name, 0, now).await?;
        checklists::insert_version(db, row.id, 1, &json, 0, now).await?;
    }
    Ok(())
}

/// Whether a plan's template may be offered for an organisation of `kind`: a checklist that is
/// no plan template is offered to all; a template only where the kind keeps its sites.
pub fn offered_for(plan: &anjian_domain::plan::Plan, checklist_name: &str, kind: Option<&str>) -> bool {
    let Some(t) = plan.checklists.iter().find(|c| c.name == checklist_name && !c.template_for.is_empty()) else {
        return true;
    };
    let keepers = plan.vocabulary().org_kinds_keeping_sites(&t.template_for);
    kind.is_some_and(|k| keepers.iter().any(|x| x.as_str() == k))
}
