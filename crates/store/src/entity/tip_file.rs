use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A file of a tip (the reporter's photos, the verification's evidence), stripped of metadata and
/// kept by its hash. Append-only.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "tip_files")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tip_id: i64,
    /// `report` (from the reporter) or `evidence` (from the verification).
    pub role: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub width: i32,
    pub height: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
