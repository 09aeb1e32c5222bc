use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A tip and where its handling stands. Nothing here identifies the reporter: the contact
/// details are sealed, the receipt code is kept only as a slow hash.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "tips")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[serde(skip)]
    pub receipt_hash: String,
    pub channel: String,
    pub category: String,
    pub jurisdiction_path: String,
    pub org_id: Option<i64>,
    pub org_path: String,
    /// The enterprise or place named by the reporter, as typed.
    pub subject: String,
    pub place: String,
    pub happened_on: String,
    /// The work team (班组) of an internal tip.
    pub work_team: String,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    #[serde(skip)]
    #[sea_orm(column_type = "Text", nullable)]
    pub contact_sealed: Option<String>,
    pub state: String,
    pub outcome: Option<String>,
    pub assigned_org_id: Option<i64>,
    pub due_at: Option<DateTimeUtc>,
    pub finding: Option<String>,
    pub penalty_yuan: Option<i64>,
    pub reward_yuan: Option<i64>,
    pub reward_proposed_by: Option<i64>,
    pub hazard_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
