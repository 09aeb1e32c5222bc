use sea_orm::entity::prelude::*;
use serde::Serialize;

/// Who attended a training or drill. Append-only.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "training_attendees")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub training_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub guard_id: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
