use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A guard at a checkpoint, at the server's time. Append-only.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "patrol_checkins")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub site_id: i64,
    pub checkpoint_id: i64,
    pub user_id: i64,
    pub guard: String,
    pub at: DateTimeUtc,
    #[sea_orm(column_type = "Text")]
    pub note: String,
    pub photo_sha256: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
