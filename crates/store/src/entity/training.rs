use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A training session or emergency drill (应急处置演练). Append-only.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "trainings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub uid: String,
    pub org_id: i64,
    pub jurisdiction_path: String,
    pub org_path: String,
    pub kind: String,
    pub held_on: String,
    pub topic: String,
    #[sea_orm(column_type = "Text")]
    pub scenario: String,
    #[sea_orm(column_type = "Text")]
    pub result: String,
    pub created_by: i64,
    #[serde(skip)]
    pub request_digest: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
