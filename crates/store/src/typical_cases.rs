//! Typical cases (典型案例), scoped like the hazards they come from.

use crate::entity::typical_case::{self, Entity as Cases};
use crate::rows::Decode;
use crate::scope::copied_paths;
use crate::Result;
use anjian_domain::scope::Scope;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};

pub use anjian_domain::attachment::TypicalCase;

pub async fn insert(
    db: &impl ConnectionTrait,
    hazard: &crate::hazards::Hazard,
    title: &str,
    narrative: &str,
    by: i64,
    now: DateTime<Utc>,
) -> Result<TypicalCase> {
    typical_case::ActiveModel {
        hazard_id: Set(hazard.id),
        org_id: Set(hazard.org_id),
        jurisdiction_path: Set(hazard.jurisdiction_path.clone()),
        org_path: Set(hazard.org_path.clone()),
        title: Set(title.to_owned()),
        narrative: Set(narrative.to_owned()),
        marked_by: Set(by),
        marked_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?
    .decode()
}

pub async fn of_hazard(db: &impl ConnectionTrait, hazard_id: i64) -> Result<Option<TypicalCase>> {
    Cases::find().filter(typical_case::Column::HazardId.eq(hazard_id)).one(db).await?.decode()
}

/// Cases in scope marked in `[since, until)`, newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    scope: &Scope,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<TypicalCase>> {
    Cases::find()
        .filter(copied_paths(
            scope,
            typical_case::Column::JurisdictionPath,
            typical_case::Column::OrgPath,
            typical_case::Column::OrgId,
        ))
        .filter(typical_case::Column::MarkedAt.gte(since))
        .filter(typical_case::Column::MarkedAt.lt(until))
        .order_by_desc(typical_case::Column::Id)
        .all(db)
        .await?
        .decode()
}
