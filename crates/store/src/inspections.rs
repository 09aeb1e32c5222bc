//! Inspections, their findings and the points they covered. Append-only records.

use crate::entity::inspection::{self, Entity as Inspections};
use crate::entity::{inspection_coverage, inspection_finding};
use crate::rows::Decode;
use crate::scope::copied_paths;
use crate::{Result, StoreError};
use anjian_domain::scope::Scope;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

pub use anjian_domain::inspection::Finding;
pub use anjian_domain::inspection::Inspection;
pub use anjian_domain::inspection::InspectionFilter;

fn scoped(scope: &Scope) -> sea_orm::Select<Inspections> {
    Inspections::find().filter(copied_paths(
        scope,
        inspection::Column::JurisdictionPath,
        inspection::Column::OrgPath,
        inspection::Column::OrgId,
    ))
}

#[derive(Debug, Clone)]
pub struct NewInspection {
    pub uid: String,
    pub org: crate::orgs::Org,
    pub kind: String,
    pub at: DateTime<Utc>,
    pub inspector_id: i64,
    pub inspector: String,
    pub summary: String,
    pub request_digest: Option<String>,
    pub checklist_version_id: Option<i64>,
    pub site_id: Option<i64>,
}

pub async fn insert(db: &impl ConnectionTrait, n: NewInspection, now: DateTime<Utc>) -> Result<Inspection> {
    inspection::ActiveModel {
        uid: Set(n.uid),
        org_id: Set(n.org.id),
        jurisdiction_path: Set(n.org.jurisdiction_path),
        org_path: Set(n.org.org_path),
        kind: Set(n.kind),
        at: Set(n.at),
        inspector_id: Set(n.inspector_id),
        inspector: Set(n.inspector),
        summary: Set(n.summary),
        request_digest: Set(n.request_digest),
        created_at: Set(now),
        checklist_version_id: Set(n.checklist_version_id),
        site_id: Set(n.site_id),
        ..Default::default()
    }
    .insert(db)
    .await?
    .decode()
}

pub async fn insert_finding(
    db: &impl ConnectionTrait,
    inspection_id: i64,
    point_id: Option<i64>,
    item: &str,
    passed: bool,
    note: &str,
    hazard_id: Option<i64>,
) -> Result<Finding> {
    inspection_finding::ActiveModel {
        inspection_id: Set(inspection_id),
        point_id: Set(point_id),
        item: Set(item.to_owned()),
        passed: Set(passed),
        note: Set(note.to_owned()),
        hazard_id: Set(hazard_id),
        ..Default::default()
    }
    .insert(db)
    .await?
    .decode()
}

pub async fn insert_coverage(db: &impl ConnectionTrait, inspection_id: i64, point_id: i64) -> Result<()> {
    inspection_coverage::ActiveModel { inspection_id: Set(inspection_id), point_id: Set(point_id) }.insert(db).await?;
    Ok(())
}

pub async fn get(db: &impl ConnectionTrait, scope: &Scope, id: i64) -> Result<Inspection> {
    scoped(scope).filter(inspection::Column::Id.eq(id)).one(db).await?.ok_or(StoreError::NotFound)?.decode()
}

pub async fn by_uid(db: &impl ConnectionTrait, uid: &str) -> Result<Option<Inspection>> {
    Inspections::find().filter(inspection::Column::Uid.eq(uid)).one(db).await?.decode()
}

/// Newest first, by id below the cursor.
pub async fn list(
    db: &impl ConnectionTrait,
    scope: &Scope,
    f: &InspectionFilter,
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<Inspection>> {
    let mut q = scoped(scope);
    if let Some(o) = f.org_id {
        q = q.filter(inspection::Column::OrgId.eq(o));
    }
    if let Some(k) = &f.kind {
        q = q.filter(inspection::Column::Kind.eq(k.as_str()));
    }
    if let Some(s) = f.since {
        q = q.filter(inspection::Column::At.gte(s));
    }
    if let Some(u) = f.until {
        q = q.filter(inspection::Column::At.lt(u));
    }
    if let Some(ids) = &f.inspectors {
        q = q.filter(inspection::Column::InspectorId.is_in(ids.iter().copied()));
    }
    if let Some(b) = before {
        q = q.filter(inspection::Column::Id.lt(b));
    }
    q.order_by_desc(inspection::Column::Id).limit(limit).all(db).await?.decode()
}

pub async fn findings_of(db: &impl ConnectionTrait, inspection_id: i64) -> Result<Vec<Finding>> {
    inspection_finding::Entity::find()
        .filter(inspection_finding::Column::InspectionId.eq(inspection_id))
        .order_by_asc(inspection_finding::Column::Id)
        .all(db)
        .await?
        .decode()
}

pub async fn coverage_of(db: &impl ConnectionTrait, inspection_id: i64) -> Result<Vec<i64>> {
    Ok(inspection_coverage::Entity::find()
        .filter(inspection_coverage::Column::InspectionId.eq(inspection_id))
        .select_only()
        .column(inspection_coverage::Column::PointId)
        .into_tuple()
        .all(db)
        .await?)
}

/// Points of `org_id` covered by its self-inspections in `[since, until)`.
pub async fn covered_points(
    db: &impl ConnectionTrait,
    org_id: i64,
    kind: &str,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<i64>> {
    let ids: Vec<i64> = Inspections::find()
        .filter(inspection::Column::OrgId.eq(org_id))
        .filter(inspection::Column::Kind.eq(kind))
        .filter(inspection::Column::At.gte(since))
        .filter(inspection::Column::At.lt(until))
        .select_only()
        .column(inspection::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut points: Vec<i64> = inspection_coverage::Entity::find()
        .filter(inspection_coverage::Column::InspectionId.is_in(ids))
        .select_only()
        .column(inspection_coverage::Column::PointId)
        .into_tuple()
        .all(db)
        .await?;
    points.sort_unstable();
    points.dedup();
    Ok(points)
}
