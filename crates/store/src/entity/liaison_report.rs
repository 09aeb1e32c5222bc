use sea_orm::entity::prelude::*;
use serde::Serialize;

/// One version of a leader's monthly liaison report. Append-only: an edit is a new version.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "liaison_reports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub leader_code: String,
    pub month: String,
    pub version: i32,
    pub state: String,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    pub author_id: i64,
    pub author: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
