use sea_orm::entity::prelude::*;
use serde::Serialize;

/// One sitting of a safety test: the paper drawn, the deadline, the grade.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "sittings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    pub org_id: i64,
    pub jurisdiction_path: String,
    pub org_path: String,
    #[sea_orm(column_type = "Text")]
    pub question_ids_json: String,
    pub started_at: DateTimeUtc,
    pub deadline: DateTimeUtc,
    pub submitted_at: Option<DateTimeUtc>,
    pub score: Option<i32>,
    pub passed: Option<bool>,
    #[sea_orm(column_type = "Text")]
    pub missed_json: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
