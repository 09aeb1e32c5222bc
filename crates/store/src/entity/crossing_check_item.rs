use sea_orm::entity::prelude::*;
use serde::Serialize;

/// One piece of equipment's state in a check round. Append-only.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "crossing_check_items")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub check_id: i64,
    pub equipment_id: i64,
    pub ok: bool,
    #[sea_orm(column_type = "Text")]
    pub note: String,
    pub hazard_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
