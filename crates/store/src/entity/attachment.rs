use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A file attached to a record (a photo before or after, evidence). Append-only.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "attachments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub owner_type: String,
    pub owner_id: i64,
    pub role: String,
    pub org_id: i64,
    pub jurisdiction_path: String,
    pub org_path: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub width: i32,
    pub height: i32,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
