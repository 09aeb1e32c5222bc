//! Inspection points (单元/环节/岗位/部位) of an organisation.

use crate::entity::inspection_point::{self, Entity as Points};
use crate::rows::Decode;
use crate::Result;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};

pub use anjian_domain::inspection::Point;

pub async fn insert(
    db: &impl ConnectionTrait,
    uid: &str,
    org_id: i64,
    kind: &str,
    name: &str,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Point> {
    inspection_point::ActiveModel {
        uid: Set(uid.to_owned()),
        org_id: Set(org_id),
        kind: Set(kind.to_owned()),
        name: Set(name.to_owned()),
        created_at: Set(now),
        created_by: Set(by),
        ..Default::default()
    }
    .insert(db)
    .await?
    .decode()
}

/// Many points in one statement, for synthetic cities in benchmarks: (uid, org, kind, name).
pub async fn insert_many_raw(
    db: &impl ConnectionTrait,
    rows: &[(String, i64, &str, String)],
    now: DateTime<Utc>,
) -> Result<()> {
    for chunk in rows.chunks(1000) {
        let models = chunk.iter().map(|(uid, org_id, kind, name)| inspection_point::ActiveModel {
            uid: Set(uid.clone()),
            org_id: Set(*org_id),
            kind: Set((*kind).to_owned()),
            name: Set(name.clone()),
            created_at: Set(now),
            created_by: Set(None),
            ..Default::default()
        });
        inspection_point::Entity::insert_many(models).exec_without_returning(db).await?;
    }
    Ok(())
}

/// The points of one organisation; callers check the organisation is in scope first.
pub async fn of_org(db: &impl ConnectionTrait, org_id: i64) -> Result<Vec<Point>> {
    Points::find()
        .filter(inspection_point::Column::OrgId.eq(org_id))
        .order_by_asc(inspection_point::Column::Kind)
        .order_by_asc(inspection_point::Column::Id)
        .all(db)
        .await?
        .decode()
}

pub async fn by_uid(db: &impl ConnectionTrait, uid: &str) -> Result<Option<Point>> {
    Points::find().filter(inspection_point::Column::Uid.eq(uid)).one(db).await?.decode()
}
