use sea_orm::entity::prelude::*;
use serde::Serialize;

/// An item of a bureau's list of powers and responsibilities. Append-only.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "powers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_id: i64,
    pub jurisdiction_path: String,
    pub org_path: String,
    pub category: String,
    pub name: String,
    #[sea_orm(column_type = "Text")]
    pub basis: String,
    pub responsible: String,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
