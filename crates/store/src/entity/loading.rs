use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A loading or unloading with its procedure and vehicle checklist. Append-only.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "loadings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub uid: String,
    pub site_id: i64,
    pub org_id: i64,
    /// `load` or `unload`.
    pub direction: String,
    pub vehicle: String,
    pub driver: String,
    /// JSON: `[{"item": "…", "ok": true, "note": "…"}]`.
    #[sea_orm(column_type = "Text")]
    pub items: String,
    pub failed: i32,
    pub by_user: i64,
    pub at: DateTimeUtc,
    #[serde(skip)]
    pub request_digest: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
