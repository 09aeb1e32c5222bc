use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A typical case (典型案例) made of a closed major hazard. Append-only.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "typical_cases")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub hazard_id: i64,
    pub org_id: i64,
    pub jurisdiction_path: String,
    pub org_path: String,
    pub title: String,
    pub narrative: String,
    pub marked_by: i64,
    pub marked_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
