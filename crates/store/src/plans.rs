//! Versions of imported plans. Append-only: a revised plan is a new version, the old one stays.

use crate::entity::plan_version::{self, Entity as PlanVersions};
use crate::rows::Decode;
use crate::Result;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};

pub use anjian_domain::plan::PlanVersion;

/// The newest version of a plan.
pub async fn latest(db: &impl ConnectionTrait, plan_id: &str) -> Result<Option<PlanVersion>> {
    PlanVersions::find()
        .filter(plan_version::Column::PlanId.eq(plan_id))
        .order_by_desc(plan_version::Column::Version)
        .one(db)
        .await?
        .decode()
}

/// The plan imported last, whichever it is: the one in force.
pub async fn current(db: &impl ConnectionTrait) -> Result<Option<PlanVersion>> {
    PlanVersions::find().order_by_desc(plan_version::Column::Id).one(db).await?.decode()
}

/// Id and version of the plan in force, without its text (asked on every campaign page).
pub async fn current_id(db: &impl ConnectionTrait) -> Result<Option<(i64, i32)>> {
    use sea_orm::QuerySelect;
    Ok(PlanVersions::find()
        .select_only()
        .column(plan_version::Column::Id)
        .column(plan_version::Column::Version)
        .order_by_desc(plan_version::Column::Id)
        .into_tuple()
        .one(db)
        .await?)
}

pub async fn by_id(db: &impl ConnectionTrait, id: i64) -> Result<Option<PlanVersion>> {
    PlanVersions::find_by_id(id).one(db).await?.decode()
}

pub async fn history(db: &impl ConnectionTrait, plan_id: &str) -> Result<Vec<PlanVersion>> {
    PlanVersions::find()
        .filter(plan_version::Column::PlanId.eq(plan_id))
        .order_by_asc(plan_version::Column::Version)
        .all(db)
        .await?
        .decode()
}

#[expect(clippy::too_many_arguments, reason = "one row, one column each")]
pub async fn insert(
    db: &impl ConnectionTrait,
    plan_id: &str,
    version: i32,
    sha256: &str,
    source: &str,
    changes_json: &str,
    now: DateTime<Utc>,
    by: Option<i64>,
) -> Result<PlanVersion> {
    plan_version::ActiveModel {
        plan_id: Set(plan_id.to_owned()),
        version: Set(version),
        sha256: Set(sha256.to_owned()),
        source: Set(source.to_owned()),
        changes: Set(changes_json.to_owned()),
        imported_at: Set(now),
        imported_by: Set(by),
        ..Default::default()
    }
    .insert(db)
    .await?
    .decode()
}
