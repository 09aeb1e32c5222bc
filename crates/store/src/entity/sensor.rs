use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A sensor in a warehouse with its range and where its readings left it.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "sensors")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub code: String,
    pub site_id: i64,
    pub org_id: i64,
    pub jurisdiction_path: String,
    pub org_path: String,
    /// `temperature` or `humidity`.
    pub kind: String,
    pub low: f64,
    pub high: f64,
    pub hysteresis: f64,
    /// The alarm condition (`normal`, `pending_high`, `alarm_low`, …), see domain::telemetry.
    pub condition: String,
    pub pending_since: Option<DateTimeUtc>,
    pub last_at: Option<DateTimeUtc>,
    pub last_value: Option<f64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
