use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A guard on duty at a crossing. Append-only.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "guard_shifts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub guard_id: i64,
    pub site_id: i64,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub assigned_by: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
