use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A signed monthly hazard list of an organisation (append-only; a correction is a new version).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "ledgers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub uid: String,
    pub org_id: i64,
    pub jurisdiction_path: String,
    pub org_path: String,
    pub period: String,
    pub version: i32,
    #[sea_orm(column_type = "Text")]
    pub items_json: String,
    pub item_count: i32,
    pub content_hash: String,
    pub signature: String,
    pub signed_by: i64,
    pub signer: String,
    pub signed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
