use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A physical site of an organisation: an explosives warehouse, a railway crossing.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
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
    /// Railway crossings: line, kilometre post, position and guard posts.
    pub line: Option<String>,
    pub km_post: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub guard_posts: Option<i32>,
    /// `in_service` or `closed` (在用 / 停用).
    pub status: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
