use sea_orm::entity::prelude::*;
use serde::Serialize;

/// An issued 执法文书. Append-only.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "papers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub uid: String,
    pub kind: String,
    pub number: String,
    pub bureau_id: i64,
    pub year: i32,
    pub seq: i32,
    pub org_id: i64,
    pub jurisdiction_path: String,
    pub org_path: String,
    pub inspection_id: Option<i64>,
    pub refers_to_id: Option<i64>,
    pub corrects: bool,
    /// The paper's words as issued (JSON of `PaperContent`).
    #[sea_orm(column_type = "Text")]
    pub content: String,
    pub content_hash: String,
    pub issued_by: i64,
    pub issued_by_name: String,
    pub issued_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
