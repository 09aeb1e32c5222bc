use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A fire or drainage facility of a warehouse with its upkeep interval.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "facilities")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub site_id: i64,
    pub org_id: i64,
    /// `fire` or `drainage`.
    pub kind: String,
    pub name: String,
    pub interval_days: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
