use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A guard's certificate (持证上岗); the newest counts. Append-only.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "guard_certificates")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub guard_id: i64,
    pub number: String,
    pub issued: String,
    pub expires: String,
    pub recorded_by: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
