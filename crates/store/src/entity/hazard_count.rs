use sea_orm::entity::prelude::*;
use serde::Serialize;

/// Hazards found and closed in one local month, in one jurisdiction, of one grade and industry.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "hazard_counts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub jurisdiction_path: String,
    /// `YYYY-MM`, in Asia/Shanghai.
    #[sea_orm(primary_key, auto_increment = false)]
    pub month: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub grade: String,
    /// The organisation's industry; empty for none.
    #[sea_orm(primary_key, auto_increment = false)]
    pub industry: String,
    pub found: i64,
    pub closed: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
