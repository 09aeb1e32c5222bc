//! Reports handed upward: a bureau's weekly and monthly reports, a leader's liaison reports and
//! weekly analyses, and progress reports on the campaign's tasks.

use crate::org::string_enum;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

string_enum! {
    /// A report is a draft until it is submitted (报送); a submitted version never changes.
    ReportState {
        Draft => "draft",
        Submitted => "submitted",
    }
}

/// One version of a bureau's monthly report or weekly summary. Append-only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BureauReport {
    pub id: i64,
    pub org_id: i64,
    pub jurisdiction_path: String,
    pub org_path: String,
    /// `monthly` or `weekly`.
    pub kind: String,
    /// `2022-08`, or the week's Monday `2022-08-15`.
    pub period: String,
    pub version: i32,
    pub state: ReportState,
    pub body: String,
    pub author_id: i64,
    pub author: String,
    pub created_at: DateTime<Utc>,
}

/// One version of a leader's monthly liaison report. Append-only: an edit is a new version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LiaisonReport {
    pub id: i64,
    pub leader_code: String,
    pub month: String,
    pub version: i32,
    pub state: ReportState,
    pub body: String,
    pub author_id: i64,
    pub author: String,
    pub created_at: DateTime<Utc>,
}

/// A weekly analysis and arrangement (分析研判和安排部署). Append-only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WeeklyAnalysis {
    pub id: i64,
    pub uid: String,
    pub org_id: i64,
    pub jurisdiction_path: String,
    pub org_path: String,
    pub week_start: String,
    pub analysis: String,
    pub arrangements: String,
    pub author_id: i64,
    pub author: String,
    #[serde(skip)]
    pub request_digest: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A progress report on a task of the task list. Append-only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskReport {
    pub id: i64,
    pub uid: String,
    pub plan_id: String,
    pub task_no: i32,
    pub month: String,
    pub progress: String,
    pub org_id: i64,
    pub jurisdiction_path: String,
    pub org_path: String,
    pub author_id: i64,
    pub author: String,
    pub body: String,
    #[serde(skip)]
    pub request_digest: Option<String>,
    pub created_at: DateTime<Utc>,
}
