use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A round of equipment checks at a crossing. Append-only.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "crossing_checks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub uid: String,
    pub site_id: i64,
    pub org_id: i64,
    pub jurisdiction_path: String,
    pub org_path: String,
    pub at: DateTimeUtc,
    pub checked_by: i64,
    pub checker: String,
    #[sea_orm(column_type = "Text")]
    pub note: String,
    #[serde(skip)]
    pub request_digest: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
