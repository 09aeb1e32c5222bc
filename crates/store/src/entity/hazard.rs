use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A hazard as it stands now; its history is in `hazard_events`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "hazards")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub uid: String,
    pub org_id: i64,
    pub jurisdiction_path: String,
    pub org_path: String,
    pub point_id: Option<i64>,
    pub inspection_id: Option<i64>,
    pub source: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub grade: String,
    pub category: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub measures: String,
    pub funds_fen: i64,
    pub owner: String,
    pub deadline: Option<DateTimeUtc>,
    pub state: String,
    pub has_plan: bool,
    pub fixed_by: Option<i64>,
    pub discovered_at: DateTimeUtc,
    pub discovered_by: i64,
    pub closed_at: Option<DateTimeUtc>,
    pub closed_by: Option<i64>,
    #[serde(skip)]
    pub request_digest: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
