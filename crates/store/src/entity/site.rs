use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A physical site of an organisation: an explosives warehouse, a railway crossing.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "sites")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub uid: String,
    pub kind: String,
    pub name: String,
    pub org_id: i64,
    pub jurisdiction_id: i64,
    /// Copied from the owning organisation so that scoped reads need no join.
    pub jurisdiction_path: String,
    pub org_path: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
