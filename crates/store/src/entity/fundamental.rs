use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A dated record of an enterprise's fundamentals: `fee`, `staff`, `training` or `insurance`. Append-only.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "fundamentals")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_id: i64,
    pub jurisdiction_path: String,
    pub org_path: String,
    pub kind: String,
    pub year: Option<i32>,
    pub amount_fen: Option<i64>,
    pub used_fen: Option<i64>,
    pub required: Option<i32>,
    pub actual: Option<i32>,
    #[sea_orm(column_type = "Text")]
    pub person: String,
    pub hours: Option<f64>,
    pub reference: String,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub note: String,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
