use sea_orm::entity::prelude::*;
use serde::Serialize;

/// One version of a checklist's items. Append-only.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "checklist_versions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub checklist_id: i64,
    pub version: i32,
    #[sea_orm(column_type = "Text")]
    pub items_json: String,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
