use sea_orm::entity::prelude::*;
use serde::Serialize;

/// An inspection point an inspection covered (append-only).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "inspection_coverage")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub inspection_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub point_id: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
