//! Inspections and their points: the kinds the seed names, who may record each, and which plan
//! activity each counts as.

use crate::org::string_enum;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

string_enum! {
    /// 单元 / 环节 / 岗位 / 部位: what a full self-inspection must cover.
    PointKind {
        Unit => "unit",
        Process => "process",
        Post => "post",
        Location => "location",
    }
}

/// One inspection (append-only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Inspection {
    pub id: i64,
    pub uid: String,
    pub org_id: i64,
    pub jurisdiction_path: String,
    pub org_path: String,
    pub kind: String,
    pub at: DateTime<Utc>,
    pub inspector_id: i64,
    pub inspector: String,
    pub summary: String,
    #[serde(skip)]
    pub request_digest: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The checklist version the inspection followed, if any.
    pub checklist_version_id: Option<i64>,
    /// The site inspected (a crossing, a warehouse), if the inspection was of one.
    pub site_id: Option<i64>,
}

/// One checklist item of an inspection and its result (append-only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Finding {
    pub id: i64,
    pub inspection_id: i64,
    pub point_id: Option<i64>,
    pub item: String,
    pub passed: bool,
    pub note: String,
    pub hazard_id: Option<i64>,
}

/// An inspection point: a 单元, 环节, 岗位 or 部位 of an organisation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Point {
    pub id: i64,
    pub uid: String,
    pub org_id: i64,
    pub kind: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct InspectionFilter {
    pub org_id: Option<i64>,
    pub kind: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Recorded by one of these accounts.
    pub inspectors: Option<Vec<i64>>,
}
