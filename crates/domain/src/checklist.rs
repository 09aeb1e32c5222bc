//! Checklists (检查表): templates of inspection items, kept in versions.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// A checklist template, owned by a bureau or an enterprise. Append-only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Checklist {
    pub id: i64,
    pub uid: String,
    pub org_id: i64,
    pub jurisdiction_path: String,
    pub org_path: String,
    pub name: String,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
}

/// One version of a checklist's items. Append-only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChecklistVersion {
    pub id: i64,
    pub checklist_id: i64,
    pub version: i32,
    pub items_json: String,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
}
