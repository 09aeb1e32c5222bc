use sea_orm::entity::prelude::*;
use serde::Serialize;

/// The governance plan of a major hazard (重大隐患治理方案), six parts (append-only).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "hazard_plans")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub hazard_id: i64,
    #[sea_orm(column_type = "Text")]
    pub goals: String,
    #[sea_orm(column_type = "Text")]
    pub measures: String,
    #[sea_orm(column_type = "Text")]
    pub funds_materials: String,
    #[sea_orm(column_type = "Text")]
    pub responsible: String,
    #[sea_orm(column_type = "Text")]
    pub time_limit: String,
    #[sea_orm(column_type = "Text")]
    pub safety_emergency: String,
    /// The affected work is suspended until the hazard is closed (停产停业整改).
    pub suspends_work: bool,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
