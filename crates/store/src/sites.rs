//! Sites of organisations (warehouses, crossings), scoped like the organisations that own them.

use crate::entity::site::{self, Entity as Sites};
use crate::rows::Decode;
use crate::Result;
use anjian_domain::org::Org;
use anjian_domain::scope::Scope;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};

pub use anjian_domain::org::Site;

fn condition(scope: &Scope) -> sea_orm::Condition {
    crate::scope::copied_paths(scope, site::Column::JurisdictionPath, site::Column::OrgPath, site::Column::OrgId)
}

/// Inserts a site of `owner` located in `jurisdiction` (a crossing of a city-level operator
/// lies in a county; a warehouse lies where its enterprise is).
pub async fn insert(
    db: &impl ConnectionTrait,
    uid: &str,
    kind: &str,
    name: &str,
    owner: &Org,
    jurisdiction: &crate::jurisdictions::Jurisdiction,
    now: DateTime<Utc>,
) -> Result<Site> {
    site::ActiveModel {
        uid: Set(uid.to_owned()),
        kind: Set(kind.to_owned()),
        name: Set(name.to_owned()),
        org_id: Set(owner.id),
        jurisdiction_id: Set(jurisdiction.id),
        jurisdiction_path: Set(jurisdiction.path.clone()),
        org_path: Set(owner.org_path.clone()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?
    .decode()
}

pub async fn of_org(db: &impl ConnectionTrait, scope: &Scope, org_id: i64) -> Result<Vec<Site>> {
    Sites::find()
        .filter(condition(scope))
        .filter(site::Column::OrgId.eq(org_id))
        .order_by_asc(site::Column::Id)
        .all(db)
        .await?
        .decode()
}

/// One site inside the scope (a county sees the crossings in the county whoever owns them).
pub async fn get(db: &impl ConnectionTrait, scope: &Scope, id: i64) -> Result<Site> {
    Sites::find_by_id(id).filter(condition(scope)).one(db).await?.ok_or(crate::StoreError::NotFound)?.decode()
}

/// Sites of a kind in scope.
pub async fn of_kind(db: &impl ConnectionTrait, scope: &Scope, kind: &str) -> Result<Vec<Site>> {
    Sites::find()
        .filter(condition(scope))
        .filter(site::Column::Kind.eq(kind))
        .order_by_asc(site::Column::Id)
        .all(db)
        .await?
        .decode()
}

/// Sites by id, unscoped (for background jobs that act on what they were given).
pub async fn by_ids(db: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<Site>> {
    Sites::find().filter(site::Column::Id.is_in(ids.iter().copied())).all(db).await?.decode()
}
