use sea_orm::entity::prelude::*;
use serde::Serialize;

/// One inspection (append-only).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "inspections")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub uid: String,
    pub org_id: i64,
    pub jurisdiction_path: String,
    pub org_path: String,
    pub kind: String,
    pub at: DateTimeUtc,
    pub inspector_id: i64,
    pub inspector: String,
    #[sea_orm(column_type = "Text")]
    pub summary: String,
    #[serde(skip)]
    pub request_digest: Option<String>,
    pub created_at: DateTimeUtc,
    /// The checklist version the inspection followed, if any.
    pub checklist_version_id: Option<i64>,
    /// The site inspected (a crossing, a warehouse), if the inspection was of one.
    pub site_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
