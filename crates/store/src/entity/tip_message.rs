use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A message between the reporter and the bureau. Append-only.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "tip_messages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tip_id: i64,
    pub from_reporter: bool,
    pub author_id: Option<i64>,
    pub author: String,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
