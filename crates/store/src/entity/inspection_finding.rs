use sea_orm::entity::prelude::*;
use serde::Serialize;

/// One checklist item of an inspection and its result (append-only).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "inspection_findings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub inspection_id: i64,
    pub point_id: Option<i64>,
    #[sea_orm(column_type = "Text")]
    pub item: String,
    pub passed: bool,
    #[sea_orm(column_type = "Text")]
    pub note: String,
    pub hazard_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
