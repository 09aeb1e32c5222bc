//! Railway crossings and what is kept about them: equipment, equipment check rounds, guards and
//! their certificates, shifts, training sessions and drills. Scoped like the sites and
//! organisations they belong to.

use crate::entity::{
    crossing_check, crossing_check_item, equipment, guard, guard_certificate, guard_shift, inspection, site, training,
    training_attendee,
};
use crate::rows::Decode;
use crate::scope::copied_paths;
use crate::{Result, StoreError};
use anjian_domain::scope::Scope;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

pub use anjian_domain::crossing::Certificate;
pub use anjian_domain::crossing::CheckItem;
pub use anjian_domain::crossing::CrossingCheck;
pub use anjian_domain::crossing::Equipment;
pub use anjian_domain::crossing::Guard;
pub use anjian_domain::crossing::Shift;
pub use anjian_domain::crossing::Training;

/// A crossing's particulars as entered or imported.
#[derive(Debug, Clone, Default)]
pub struct Particulars {
    pub line: Option<String>,
    pub km_post: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub guard_posts: Option<i32>,
    pub status: Option<String>,
}

/// A crossing of `owner` lying in `county`, with its particulars.
pub async fn insert_crossing(
    db: &impl ConnectionTrait,
    uid: &str,
    name: &str,
    owner: &crate::orgs::Org,
    county: &crate::jurisdictions::Jurisdiction,
    p: &Particulars,
    now: DateTime<Utc>,
) -> Result<crate::sites::Site> {
    let s = crate::sites::insert(db, uid, "railway_crossing", name, owner, county, now).await?;
    let mut am: site::ActiveModel = s.into();
    am.line = Set(p.line.clone());
    am.km_post = Set(p.km_post.clone());
    am.latitude = Set(p.latitude);
    am.longitude = Set(p.longitude);
    am.guard_posts = Set(p.guard_posts);
    am.status = Set(p.status.clone());
    am.update(db).await?.decode()
}

/// The crossings in scope, optionally inside one jurisdiction path, by name.
pub async fn crossings(
    db: &impl ConnectionTrait,
    scope: &Scope,
    within: Option<&str>,
) -> Result<Vec<crate::sites::Site>> {
    let mut q = site::Entity::find()
        .filter(copied_paths(scope, site::Column::JurisdictionPath, site::Column::OrgPath, site::Column::OrgId))
        .filter(site::Column::Kind.eq("railway_crossing"));
    if let Some(p) = within {
        q = q.filter(site::Column::JurisdictionPath.starts_with(p));
    }
    q.order_by_asc(site::Column::JurisdictionPath).order_by_asc(site::Column::Name).all(db).await?.decode()
}

pub async fn insert_equipment(
    db: &impl ConnectionTrait,
    site_id: i64,
    kind: &str,
    name: &str,
    interval_days: i32,
    now: DateTime<Utc>,
) -> Result<Equipment> {
    equipment::ActiveModel {
        site_id: Set(site_id),
        kind: Set(kind.to_owned()),
        name: Set(name.to_owned()),
        interval_days: Set(interval_days),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?
    .decode()
}

pub async fn equipment_of(db: &impl ConnectionTrait, site_ids: &[i64]) -> Result<Vec<Equipment>> {
    equipment::Entity::find()
        .filter(equipment::Column::SiteId.is_in(site_ids.iter().copied()))
        .order_by_asc(equipment::Column::Id)
        .all(db)
        .await?
        .decode()
}

#[derive(Debug, Clone)]
pub struct NewCheck {
    pub uid: String,
    pub site: crate::sites::Site,
    pub at: DateTime<Utc>,
    pub checked_by: i64,
    pub checker: String,
    pub note: String,
    pub request_digest: Option<String>,
}

pub async fn insert_check(db: &impl ConnectionTrait, n: NewCheck, now: DateTime<Utc>) -> Result<CrossingCheck> {
    crossing_check::ActiveModel {
        uid: Set(n.uid),
        site_id: Set(n.site.id),
        org_id: Set(n.site.org_id),
        jurisdiction_path: Set(n.site.jurisdiction_path),
        org_path: Set(n.site.org_path),
        at: Set(n.at),
        checked_by: Set(n.checked_by),
        checker: Set(n.checker),
        note: Set(n.note),
        request_digest: Set(n.request_digest),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?
    .decode()
}

pub async fn insert_check_item(
    db: &impl ConnectionTrait,
    check_id: i64,
    equipment_id: i64,
    ok: bool,
    note: &str,
    hazard_id: Option<i64>,
) -> Result<()> {
    crossing_check_item::ActiveModel {
        check_id: Set(check_id),
        equipment_id: Set(equipment_id),
        ok: Set(ok),
        note: Set(note.to_owned()),
        hazard_id: Set(hazard_id),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

pub async fn check_by_uid(db: &impl ConnectionTrait, uid: &str) -> Result<Option<CrossingCheck>> {
    crossing_check::Entity::find().filter(crossing_check::Column::Uid.eq(uid)).one(db).await?.decode()
}

/// Check rounds at these crossings, newest first.
pub async fn checks_of(db: &impl ConnectionTrait, site_ids: &[i64], limit: u64) -> Result<Vec<CrossingCheck>> {
    crossing_check::Entity::find()
        .filter(crossing_check::Column::SiteId.is_in(site_ids.iter().copied()))
        .order_by_desc(crossing_check::Column::At)
        .order_by_desc(crossing_check::Column::Id)
        .limit(limit)
        .all(db)
        .await?
        .decode()
}

pub async fn items_of(db: &impl ConnectionTrait, check_ids: &[i64]) -> Result<Vec<CheckItem>> {
    crossing_check_item::Entity::find()
        .filter(crossing_check_item::Column::CheckId.is_in(check_ids.iter().copied()))
        .order_by_asc(crossing_check_item::Column::Id)
        .all(db)
        .await?
        .decode()
}

/// Regulators' inspections of these crossings (kinds other than the operator's own), newest first.
pub async fn bureau_inspections(
    db: &impl ConnectionTrait,
    site_ids: &[i64],
) -> Result<Vec<(i64, DateTime<Utc>, String)>> {
    let rows: Vec<(Option<i64>, DateTime<Utc>, String)> = inspection::Entity::find()
        .select_only()
        .columns([inspection::Column::SiteId, inspection::Column::At, inspection::Column::Kind])
        .filter(inspection::Column::SiteId.is_in(site_ids.iter().copied()))
        .filter(inspection::Column::Kind.is_not_in(["self_inspection", "site_check"]))
        .order_by_desc(inspection::Column::At)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().filter_map(|(s, at, k)| Some((s?, at, k))).collect())
}

pub async fn insert_guard(
    db: &impl ConnectionTrait,
    uid: &str,
    owner: &crate::orgs::Org,
    name: &str,
    by: i64,
    now: DateTime<Utc>,
) -> Result<Guard> {
    guard::ActiveModel {
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

pub async fn guard_by_uid(db: &impl ConnectionTrait, uid: &str) -> Result<Option<Guard>> {
    guard::Entity::find().filter(guard::Column::Uid.eq(uid)).one(db).await?.decode()
}

fn guards_in(scope: &Scope) -> sea_orm::Select<guard::Entity> {
    guard::Entity::find().filter(copied_paths(
        scope,
        guard::Column::JurisdictionPath,
        guard::Column::OrgPath,
        guard::Column::OrgId,
    ))
}

pub async fn guards(db: &impl ConnectionTrait, scope: &Scope, org_id: Option<i64>) -> Result<Vec<Guard>> {
    let mut q = guards_in(scope);
    if let Some(o) = org_id {
        q = q.filter(guard::Column::OrgId.eq(o));
    }
    q.order_by_asc(guard::Column::Name).order_by_asc(guard::Column::Id).all(db).await?.decode()
}

pub async fn guard(db: &impl ConnectionTrait, scope: &Scope, id: i64) -> Result<Guard> {
    guards_in(scope).filter(guard::Column::Id.eq(id)).one(db).await?.ok_or(StoreError::NotFound)?.decode()
}

/// Every guard id with its owner, for the obligation engine.
pub async fn all_guards(db: &impl ConnectionTrait) -> Result<Vec<(i64, i64, DateTime<Utc>)>> {
    Ok(guard::Entity::find()
        .select_only()
        .columns([guard::Column::Id, guard::Column::OrgId, guard::Column::CreatedAt])
        .order_by_asc(guard::Column::Id)
        .into_tuple()
        .all(db)
        .await?)
}

pub async fn insert_certificate(
    db: &impl ConnectionTrait,
    guard_id: i64,
    number: &str,
    issued: &str,
    expires: &str,
    by: i64,
    now: DateTime<Utc>,
) -> Result<Certificate> {
    guard_certificate::ActiveModel {
        guard_id: Set(guard_id),
        number: Set(number.to_owned()),
        issued: Set(issued.to_owned()),
        expires: Set(expires.to_owned()),
        recorded_by: Set(by),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?
    .decode()
}

/// Every certificate of these guards, oldest first (the last one of a guard is current).
pub async fn certificates_of(db: &impl ConnectionTrait, guard_ids: &[i64]) -> Result<Vec<Certificate>> {
    guard_certificate::Entity::find()
        .filter(guard_certificate::Column::GuardId.is_in(guard_ids.iter().copied()))
        .order_by_asc(guard_certificate::Column::Id)
        .all(db)
        .await?
        .decode()
}

pub async fn insert_shift(
    db: &impl ConnectionTrait,
    guard_id: i64,
    site_id: i64,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    by: i64,
    now: DateTime<Utc>,
) -> Result<Shift> {
    guard_shift::ActiveModel {
        guard_id: Set(guard_id),
        site_id: Set(site_id),
        starts_at: Set(starts_at),
        ends_at: Set(ends_at),
        assigned_by: Set(by),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?
    .decode()
}

/// Shifts at these crossings ending after `after`, earliest first.
pub async fn shifts_at(db: &impl ConnectionTrait, site_ids: &[i64], after: DateTime<Utc>) -> Result<Vec<Shift>> {
    guard_shift::Entity::find()
        .filter(guard_shift::Column::SiteId.is_in(site_ids.iter().copied()))
        .filter(guard_shift::Column::EndsAt.gt(after))
        .order_by_asc(guard_shift::Column::StartsAt)
        .all(db)
        .await?
        .decode()
}

#[derive(Debug, Clone)]
pub struct NewTraining {
    pub uid: String,
    pub org: crate::orgs::Org,
    pub kind: String,
    pub held_on: String,
    pub topic: String,
    pub scenario: String,
    pub result: String,
    pub created_by: i64,
    pub request_digest: Option<String>,
}

pub async fn insert_training(
    db: &impl ConnectionTrait,
    n: NewTraining,
    attendees: &[i64],
    now: DateTime<Utc>,
) -> Result<Training> {
    let t = training::ActiveModel {
        uid: Set(n.uid),
        org_id: Set(n.org.id),
        jurisdiction_path: Set(n.org.jurisdiction_path),
        org_path: Set(n.org.org_path),
        kind: Set(n.kind),
        held_on: Set(n.held_on),
        topic: Set(n.topic),
        scenario: Set(n.scenario),
        result: Set(n.result),
        created_by: Set(n.created_by),
        request_digest: Set(n.request_digest),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    for g in attendees {
        training_attendee::ActiveModel { training_id: Set(t.id), guard_id: Set(*g) }.insert(db).await?;
    }
    t.decode()
}

pub async fn training_by_uid(db: &impl ConnectionTrait, uid: &str) -> Result<Option<Training>> {
    training::Entity::find().filter(training::Column::Uid.eq(uid)).one(db).await?.decode()
}

/// Trainings and drills in scope, newest first.
pub async fn trainings(db: &impl ConnectionTrait, scope: &Scope, limit: u64) -> Result<Vec<Training>> {
    training::Entity::find()
        .filter(copied_paths(
            scope,
            training::Column::JurisdictionPath,
            training::Column::OrgPath,
            training::Column::OrgId,
        ))
        .order_by_desc(training::Column::HeldOn)
        .order_by_desc(training::Column::Id)
        .limit(limit)
        .all(db)
        .await?
        .decode()
}

/// (training, guard) pairs for these trainings.
pub async fn attendees_of(db: &impl ConnectionTrait, training_ids: &[i64]) -> Result<Vec<(i64, i64)>> {
    Ok(training_attendee::Entity::find()
        .filter(training_attendee::Column::TrainingId.is_in(training_ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.training_id, a.guard_id))
        .collect())
}
