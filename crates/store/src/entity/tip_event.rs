use sea_orm::entity::prelude::*;
use serde::Serialize;

/// One step in a tip's handling. Append-only.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "tip_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tip_id: i64,
    pub kind: String,
    pub actor_id: Option<i64>,
    pub actor: String,
    #[sea_orm(column_type = "Text")]
    pub note: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
