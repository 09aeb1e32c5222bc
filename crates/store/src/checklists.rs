//! Checklist templates and their versions. A caller sees those of organisations in scope and
//! every bureau's (bureaus publish checklists for the enterprises they supervise).

use crate::entity::checklist::{self, Entity as Checklists};
use crate::entity::checklist_version::{self, Entity as Versions};
use crate::entity::org;
use crate::rows::Decode;
use crate::scope::copied_paths;
use crate::{Result, StoreError};
use anjian_domain::scope::Scope;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Condition, Query};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

pub use anjian_domain::checklist::Checklist;
pub use anjian_domain::checklist::ChecklistVersion;

fn visible(scope: &Scope) -> Condition {
    Condition::any()
        .add(copied_paths(
            scope,
            checklist::Column::JurisdictionPath,
            checklist::Column::OrgPath,
            checklist::Column::OrgId,
        ))
        .add(
            checklist::Column::OrgId.in_subquery(
                Query::select()
                    .column(org::Column::Id)
                    .from(org::Entity)
                    .and_where(org::Column::Kind.is_in(["regulator", "department"]))
                    .to_owned(),
            ),
        )
}

pub async fn insert(
    db: &impl ConnectionTrait,
    uid: &str,
    owner: &crate::orgs::Org,
    name: &str,
    by: i64,
    now: DateTime<Utc>,
) -> Result<Checklist> {
    checklist::ActiveModel {
        uid: Set(uid.to_owned()),
        org_id: Set(owner.id),
        jurisdiction_path: Set(owner.jurisdiction_path.clone()),
        org_path: Set(owner.org_path.clone()),
        name: Set(name.to_owned()),
        created_by: Set(by),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?
    .decode()
}

pub async fn insert_version(
    db: &impl ConnectionTrait,
    checklist_id: i64,
    version: i32,
    items_json: &str,
    by: i64,
    now: DateTime<Utc>,
) -> Result<ChecklistVersion> {
    checklist_version::ActiveModel {
        checklist_id: Set(checklist_id),
        version: Set(version),
        items_json: Set(items_json.to_owned()),
        created_by: Set(by),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?
    .decode()
}

/// A checklist the caller can see.
pub async fn get(db: &impl ConnectionTrait, scope: &Scope, id: i64) -> Result<Checklist> {
    Checklists::find_by_id(id).filter(visible(scope)).one(db).await?.ok_or(StoreError::NotFound)?.decode()
}

/// A checklist the caller may revise: owned by an organisation in scope.
pub async fn get_owned(db: &impl ConnectionTrait, scope: &Scope, id: i64) -> Result<Checklist> {
    Checklists::find_by_id(id)
        .filter(copied_paths(
            scope,
            checklist::Column::JurisdictionPath,
            checklist::Column::OrgPath,
            checklist::Column::OrgId,
        ))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?
        .decode()
}

pub async fn list(db: &impl ConnectionTrait, scope: &Scope) -> Result<Vec<Checklist>> {
    Checklists::find().filter(visible(scope)).order_by_asc(checklist::Column::Id).limit(1000).all(db).await?.decode()
}

pub async fn versions(db: &impl ConnectionTrait, checklist_id: i64) -> Result<Vec<ChecklistVersion>> {
    Versions::find()
        .filter(checklist_version::Column::ChecklistId.eq(checklist_id))
        .order_by_asc(checklist_version::Column::Version)
        .all(db)
        .await?
        .decode()
}

pub async fn version_by_id(db: &impl ConnectionTrait, id: i64) -> Result<Option<ChecklistVersion>> {
    Versions::find_by_id(id).one(db).await?.decode()
}
