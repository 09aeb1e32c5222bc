use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A question of the safety-test bank.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "questions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub uid: String,
    pub kind: String,
    pub topic: String,
    pub difficulty: i32,
    #[sea_orm(column_type = "Text")]
    pub stem: String,
    #[sea_orm(column_type = "Text")]
    pub options_json: String,
    pub answer_json: String,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
