//! The activity log the obligation engine counts from, and the facts of the city it counts over.
//! Append-only; read in id order so that a reader can tail it.

use crate::entity::activity::{self, Entity as Activities};
use crate::entity::{inspection_point, jurisdiction, org, site, supervision_change, user};
use crate::Result;
use anjian_domain::obligation::{
    Activity, Evidence, JurisdictionFacts, LevelChange, OrgFacts, Owned, SiteFacts, Source, UserFacts, World,
};
use anjian_domain::plan::{ActivityKind, Position};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::NotSet, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    Statement,
};
use std::collections::HashMap;

fn to_model(a: &Activity, now: DateTime<Utc>) -> activity::ActiveModel {
    activity::ActiveModel {
        id: NotSet,
        kind: Set(a.kind.as_str().to_owned()),
        at: Set(a.at),
        actor_user_id: Set(a.actor_user),
        actor_org_id: Set(a.actor_org),
        target_org_id: Set(a.target_org),
        target_site_id: Set(a.target_site),
        target_point_id: Set(a.target_point),
        target_guard_id: Set(a.target_guard),
        target_jurisdiction_id: Set(a.target_jurisdiction),
        source: Set(a.evidence.source.as_str().to_owned()),
        source_id: Set(a.evidence.id),
        created_at: Set(now),
        items: Set(a.items.as_ref().map(|i| serde_json::to_string(i).expect("a list of strings serialises"))),
    }
}

/// Records activities (in the caller's transaction, beside the record they come from), entered
/// `now`.
pub async fn insert_many(db: &impl ConnectionTrait, acts: &[Activity], now: DateTime<Utc>) -> Result<()> {
    for chunk in acts.chunks(500) {
        Activities::insert_many(chunk.iter().map(|a| to_model(a, now))).exec_without_returning(db).await?;
    }
    Ok(())
}

/// Records a generated history (a benchmark's campaign), each activity entered when its
/// `recorded_at` says.
pub async fn insert_history(db: &impl ConnectionTrait, acts: &[Activity]) -> Result<()> {
    for chunk in acts.chunks(500) {
        Activities::insert_many(chunk.iter().map(|a| to_model(a, a.recorded_at))).exec_without_returning(db).await?;
    }
    Ok(())
}

fn from_model(m: activity::Model) -> Option<(i64, Activity)> {
    Some((
        m.id,
        Activity {
            kind: m.kind.parse::<ActivityKind>().ok()?,
            at: m.at,
            recorded_at: m.created_at,
            actor_user: m.actor_user_id,
            actor_org: m.actor_org_id,
            target_org: m.target_org_id,
            target_site: m.target_site_id,
            target_point: m.target_point_id,
            target_guard: m.target_guard_id,
            target_jurisdiction: m.target_jurisdiction_id,
            evidence: Evidence { source: m.source.parse::<Source>().ok()?, id: m.source_id },
            items: m.items.map(|j| serde_json::from_str(&j)).transpose().ok()?,
        },
    ))
}

/// Up to `limit` activities after id `after`, in id order, with their ids.
pub async fn after(db: &impl ConnectionTrait, after: i64, limit: u64) -> Result<Vec<(i64, Activity)>> {
    let rows = Activities::find()
        .filter(activity::Column::Id.gt(after))
        .order_by_asc(activity::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    Ok(rows.into_iter().filter_map(from_model).collect())
}

/// The activities of one kind made by `actor_user` or done on `target_org` in `[from, to)` — the
/// way a per-subject query reads them (the benchmark's baseline).
pub async fn of_kind_between(
    db: &impl ConnectionTrait,
    kind: ActivityKind,
    actor_user: Option<i64>,
    target_org: Option<i64>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Activity>> {
    let mut q = Activities::find()
        .filter(activity::Column::Kind.eq(kind.as_str()))
        .filter(activity::Column::At.gte(from))
        .filter(activity::Column::At.lt(to));
    if let Some(u) = actor_user {
        q = q.filter(activity::Column::ActorUserId.eq(u));
    }
    if let Some(o) = target_org {
        q = q.filter(activity::Column::TargetOrgId.eq(o));
    }
    Ok(q.all(db).await?.into_iter().filter_map(from_model).map(|(_, a)| a).collect())
}

/// The newest activity id (0 when there is none).
pub async fn last_id(db: &impl ConnectionTrait) -> Result<i64> {
    let id: Option<i64> = Activities::find()
        .select_only()
        .column_as(activity::Column::Id.max(), "m")
        .into_tuple()
        .one(db)
        .await?
        .flatten();
    Ok(id.unwrap_or(0))
}

/// A cheap fingerprint of the facts the engine reads; it changes whenever an organisation,
/// account, site or point is added or changed.
pub async fn world_stamp(db: &impl ConnectionTrait) -> Result<String> {
    let sql = "SELECT CAST((SELECT count(*) FROM orgs) AS TEXT) || '/' || \
               COALESCE(CAST((SELECT max(updated_at) FROM orgs) AS TEXT), '') || '/' || \
               CAST((SELECT count(*) FROM users) AS TEXT) || '/' || \
               COALESCE(CAST((SELECT max(updated_at) FROM users) AS TEXT), '') || '/' || \
               CAST((SELECT count(*) FROM sites) AS TEXT) || '/' || \
               CAST((SELECT count(*) FROM inspection_points) AS TEXT) || '/' || \
               CAST((SELECT count(*) FROM guards) AS TEXT) AS stamp";
    let row = db.query_one(Statement::from_string(db.get_database_backend(), sql)).await?;
    Ok(row.map(|r| r.try_get::<String>("", "stamp")).transpose()?.unwrap_or_default())
}

/// Everything the engine needs to know about the city. A code that cannot be one (a stored text
/// no plan could declare) leaves the row out rather than fail the whole board.
pub async fn load_world(db: &impl ConnectionTrait) -> Result<World> {
    let jurisdictions = jurisdiction::Entity::find()
        .order_by_asc(jurisdiction::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|j| {
            Some(JurisdictionFacts { id: j.id, level: j.level.parse().ok()?, code: j.code, name: j.name, path: j.path })
        })
        .collect();
    // The last change of level of each organisation (ids grow with time).
    let mut changes: HashMap<i64, LevelChange> = HashMap::new();
    let rows: Vec<(i64, String, DateTime<Utc>)> = supervision_change::Entity::find()
        .select_only()
        .columns([
            supervision_change::Column::OrgId,
            supervision_change::Column::FromLevel,
            supervision_change::Column::ChangedAt,
        ])
        .order_by_asc(supervision_change::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    for (org_id, from, at) in rows {
        changes.insert(org_id, LevelChange { at, from });
    }
    type OrgRow =
        (i64, String, String, i64, String, Option<i64>, String, Option<i64>, String, Option<String>, DateTime<Utc>);
    let orgs: Vec<OrgRow> = org::Entity::find()
        .select_only()
        .columns([
            org::Column::Id,
            org::Column::Name,
            org::Column::Kind,
            org::Column::JurisdictionId,
            org::Column::JurisdictionPath,
            org::Column::ParentId,
            org::Column::OrgPath,
            org::Column::ParkId,
            org::Column::SupervisionLevel,
            org::Column::Industry,
            org::Column::CreatedAt,
        ])
        .order_by_asc(org::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let orgs = orgs
        .into_iter()
        .filter_map(
            |(
                id,
                name,
                kind,
                jurisdiction_id,
                jurisdiction_path,
                parent_id,
                org_path,
                park_id,
                supervision_level,
                industry,
                created_at,
            )| {
                Some(OrgFacts {
                    id,
                    name,
                    kind: kind.parse().ok()?,
                    jurisdiction_id,
                    jurisdiction_path,
                    parent_id,
                    org_path,
                    park_id,
                    supervision_level,
                    industry: industry.and_then(|i| i.parse().ok()),
                    since: Some(created_at),
                    level_changed: changes.remove(&id),
                })
            },
        )
        .collect();
    type UserRow = (i64, String, String, Option<i64>, Option<String>, Option<String>, DateTime<Utc>);
    let users: Vec<UserRow> = user::Entity::find()
        .select_only()
        .columns([
            user::Column::Id,
            user::Column::DisplayName,
            user::Column::Role,
            user::Column::OrgId,
            user::Column::LeaderCode,
            user::Column::Position,
            user::Column::CreatedAt,
        ])
        .filter(user::Column::Disabled.eq(false))
        .order_by_asc(user::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let users = users
        .into_iter()
        .filter_map(|(id, name, role, org_id, leader_code, position, created_at)| {
            Some(UserFacts {
                id,
                name,
                role: role.parse().ok()?,
                org_id,
                leader_code,
                position: position.as_deref().and_then(parse_position),
                since: Some(created_at),
            })
        })
        .collect();
    let sites: Vec<(i64, String, String, i64, String, DateTime<Utc>)> = site::Entity::find()
        .select_only()
        .columns([
            site::Column::Id,
            site::Column::Name,
            site::Column::Kind,
            site::Column::OrgId,
            site::Column::JurisdictionPath,
            site::Column::CreatedAt,
        ])
        .order_by_asc(site::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let sites = sites
        .into_iter()
        .filter_map(|(id, name, kind, org_id, jurisdiction_path, created_at)| {
            Some(SiteFacts { id, name, kind: kind.parse().ok()?, org_id, jurisdiction_path, since: Some(created_at) })
        })
        .collect();
    let points: Vec<(i64, i64, DateTime<Utc>)> = inspection_point::Entity::find()
        .select_only()
        .columns([inspection_point::Column::Id, inspection_point::Column::OrgId, inspection_point::Column::CreatedAt])
        .order_by_asc(inspection_point::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let points = points.into_iter().map(|(id, org_id, at)| Owned { id, org_id, since: Some(at) }).collect();
    let guards = crate::crossings::all_guards(db)
        .await?
        .into_iter()
        .map(|(id, org_id, at)| Owned { id, org_id, since: Some(at) })
        .collect();
    Ok(World { jurisdictions, orgs, users, sites, points, guards })
}

pub fn parse_position(s: &str) -> Option<Position> {
    match s {
        "bureau_head" => Some(Position::BureauHead),
        "liaison_leader" => Some(Position::LiaisonLeader),
        _ => None,
    }
}
