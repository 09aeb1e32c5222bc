use sea_orm::entity::prelude::*;
use serde::Serialize;

/// An answer saved during a sitting (the latest one counts).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "sitting_answers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub sitting_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub question_id: i64,
    pub answer_json: String,
    pub saved_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
