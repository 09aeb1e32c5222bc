use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "orgs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Permanent unique id; the client's idempotency key when it sent one.
    #[sea_orm(unique)]
    pub uid: String,
    pub code: Option<String>,
    pub name: String,
    pub kind: String,
    pub jurisdiction_id: i64,
    pub jurisdiction_path: String,
    pub parent_id: Option<i64>,
    /// Materialised path of org ids from the top group down, `/5/9/`.
    pub org_path: String,
    pub park_id: Option<i64>,
    pub supervision_level: String,
    pub industry: Option<String>,
    pub address: Option<String>,
    /// Digest of the create request, to tell a replay from a different body with the same key.
    #[serde(skip)]
    pub request_digest: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
