use sea_orm::entity::prelude::*;
use serde::Serialize;

/// An alarm: out of range, offline, or a missed patrol hour; acknowledged and resolved with a note.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "alarms")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[serde(skip)]
    pub dedupe_key: String,
    pub site_id: i64,
    pub sensor_id: Option<i64>,
    pub org_id: i64,
    pub jurisdiction_path: String,
    pub org_path: String,
    /// `high`, `low`, `offline`, `patrol_missed`.
    pub kind: String,
    pub value: Option<f64>,
    pub opened_at: DateTimeUtc,
    pub cleared_at: Option<DateTimeUtc>,
    /// `open`, `acknowledged`, `resolved`.
    pub state: String,
    pub acknowledged_by: Option<i64>,
    pub acknowledged_at: Option<DateTimeUtc>,
    pub resolved_by: Option<i64>,
    pub resolved_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text")]
    pub note: String,
    pub escalated_at: Option<DateTimeUtc>,
    pub hazard_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
