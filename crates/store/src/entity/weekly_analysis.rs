use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A weekly analysis and arrangement (分析研判和安排部署). Append-only.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "weekly_analyses")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub uid: String,
    pub org_id: i64,
    pub jurisdiction_path: String,
    pub org_path: String,
    pub week_start: String,
    #[sea_orm(column_type = "Text")]
    pub analysis: String,
    #[sea_orm(column_type = "Text")]
    pub arrangements: String,
    pub author_id: i64,
    pub author: String,
    #[serde(skip)]
    pub request_digest: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
