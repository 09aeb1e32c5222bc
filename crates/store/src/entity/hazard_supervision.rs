use sea_orm::entity::prelude::*;
use serde::Serialize;

/// One step of a hazard's supervision (挂牌督办, 催办, 约谈, an extension asked and answered).
/// Append-only.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "hazard_supervision")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub hazard_id: i64,
    pub step: String,
    pub number: Option<String>,
    pub bureau_id: Option<i64>,
    /// The year and place of a notice in its bureau's sequence (unique together).
    pub year: Option<i32>,
    pub seq: Option<i32>,
    pub until: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text")]
    pub text: String,
    pub people: String,
    pub held_at: Option<DateTimeUtc>,
    pub by_user: i64,
    pub by_name: String,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
