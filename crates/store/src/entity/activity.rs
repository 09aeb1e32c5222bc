use sea_orm::entity::prelude::*;
use serde::Serialize;

/// An activity counted toward obligations. Append-only.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "activities")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: String,
    pub at: DateTimeUtc,
    pub actor_user_id: Option<i64>,
    pub actor_org_id: Option<i64>,
    pub target_org_id: Option<i64>,
    pub target_site_id: Option<i64>,
    pub target_point_id: Option<i64>,
    pub target_guard_id: Option<i64>,
    pub target_jurisdiction_id: Option<i64>,
    pub source: String,
    pub source_id: i64,
    pub created_at: DateTimeUtc,
    /// JSON array of checklist items; NULL when the record kept none.
    pub items: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
