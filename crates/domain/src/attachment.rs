//! Files attached to records (photos of a hazard before and after, documents), and the typical
//! cases (典型案例) a bureau compiles from closed major hazards.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// A file attached to a record (a photo before or after, evidence). Append-only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attachment {
    pub id: i64,
    pub owner_type: String,
    pub owner_id: i64,
    pub role: String,
    pub org_id: i64,
    pub jurisdiction_path: String,
    pub org_path: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub width: i32,
    pub height: i32,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
}

/// A typical case (典型案例) made of a closed major hazard. Append-only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TypicalCase {
    pub id: i64,
    pub hazard_id: i64,
    pub org_id: i64,
    pub jurisdiction_path: String,
    pub org_path: String,
    pub title: String,
    pub narrative: String,
    pub marked_by: i64,
    pub marked_at: DateTime<Utc>,
}
