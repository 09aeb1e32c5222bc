use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A security admin's request to create or reset an account that needs a second admin's approval.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "account_requests")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// `create` or `reset`.
    pub action: String,
    pub target_user_id: Option<i64>,
    pub username: Option<String>,
    pub display_name: Option<String>,
    pub role: String,
    pub org_id: Option<i64>,
    pub requested_by: i64,
    pub requested_at: DateTimeUtc,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTimeUtc>,
    /// `approved` or `refused`; none while pending.
    pub decision: Option<String>,
    /// The account created (or reset) on approval.
    pub user_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
