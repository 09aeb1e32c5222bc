use sea_orm::entity::prelude::*;
use serde::Serialize;

/// One version of a bureau's monthly report or weekly summary. Append-only.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "bureau_reports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_id: i64,
    pub jurisdiction_path: String,
    pub org_path: String,
    /// `monthly` or `weekly`.
    pub kind: String,
    /// `2022-08`, or the week's Monday `2022-08-15`.
    pub period: String,
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
