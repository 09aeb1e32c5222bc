use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A progress report on a task of the task list. Append-only.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "task_reports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub uid: String,
    pub plan_id: String,
    pub task_no: i32,
    pub month: String,
    pub progress: String,
    pub org_id: i64,
    pub jurisdiction_path: String,
    pub org_path: String,
    pub author_id: i64,
    pub author: String,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    #[serde(skip)]
    pub request_digest: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
