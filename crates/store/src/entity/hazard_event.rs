use sea_orm::entity::prelude::*;
use serde::Serialize;

/// One transition of a hazard: who, when, why (append-only).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "hazard_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub hazard_id: i64,
    pub action: String,
    pub from_state: String,
    pub to_state: String,
    pub actor_id: i64,
    pub actor: String,
    pub at: DateTimeUtc,
    #[sea_orm(column_type = "Text")]
    pub reason: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
