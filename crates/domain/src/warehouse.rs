//! Explosives warehouses (民爆仓库): their sensors and alarms, facilities and upkeep, loadings,
//! checkpoints and the hourly patrol.

use crate::org::string_enum;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

string_enum! {
    /// An alarm is open until someone acknowledges it, and resolved when the reading is back in
    /// range (or someone resolves it by hand).
    AlarmState {
        Open => "open",
        Acknowledged => "acknowledged",
        Resolved => "resolved",
    }
}

/// An alarm: out of range, offline, or a missed patrol hour; acknowledged and resolved with a note.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Alarm {
    pub id: i64,
    #[serde(skip)]
    pub dedupe_key: String,
    pub site_id: i64,
    pub sensor_id: Option<i64>,
    pub org_id: i64,
    pub jurisdiction_path: String,
    pub org_path: String,
    /// `high`, `low`, `offline`, `patrol_missed`.
    pub kind: String,
    pub value: Option<f64>,
    pub opened_at: DateTime<Utc>,
    pub cleared_at: Option<DateTime<Utc>>,
    /// `open`, `acknowledged`, `resolved`.
    pub state: AlarmState,
    pub acknowledged_by: Option<i64>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub resolved_by: Option<i64>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub note: String,
    pub escalated_at: Option<DateTime<Utc>>,
    pub hazard_id: Option<i64>,
}

impl Alarm {
    /// Nobody has acknowledged it yet.
    pub fn is_open(&self) -> bool {
        self.state == AlarmState::Open
    }
}

/// A patrol checkpoint of a warehouse; its code is what the QR sheet carries.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Checkpoint {
    pub id: i64,
    pub site_id: i64,
    pub name: String,
    pub code: String,
    pub created_at: DateTime<Utc>,
}

/// A fire or drainage facility of a warehouse with its upkeep interval.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Facility {
    pub id: i64,
    pub site_id: i64,
    pub org_id: i64,
    /// `fire` or `drainage`.
    pub kind: String,
    pub name: String,
    pub interval_days: i32,
    pub created_at: DateTime<Utc>,
}

/// One maintenance of a facility. Append-only.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Upkeep {
    pub id: i64,
    pub facility_id: i64,
    pub by_user: i64,
    pub at: DateTime<Utc>,
    pub note: String,
}

/// A gateway that posts readings; its token is kept only as a digest.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Gateway {
    pub id: i64,
    pub org_id: i64,
    pub name: String,
    #[serde(skip)]
    pub token_digest: String,
    pub created_at: DateTime<Utc>,
}

/// A loading or unloading with its procedure and vehicle checklist. Append-only.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Loading {
    pub id: i64,
    pub uid: String,
    pub site_id: i64,
    pub org_id: i64,
    /// `load` or `unload`.
    pub direction: String,
    pub vehicle: String,
    pub driver: String,
    /// JSON: `[{"item": "…", "ok": true, "note": "…"}]`.
    pub items: String,
    pub failed: i32,
    pub by_user: i64,
    pub at: DateTime<Utc>,
    #[serde(skip)]
    pub request_digest: Option<String>,
}

/// A guard at a checkpoint, at the server's time. Append-only.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Checkin {
    pub id: i64,
    pub site_id: i64,
    pub checkpoint_id: i64,
    pub user_id: i64,
    pub guard: String,
    pub at: DateTime<Utc>,
    pub note: String,
    pub photo_sha256: Option<String>,
}

/// A sensor in a warehouse with its range and where its readings left it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Sensor {
    pub id: i64,
    pub code: String,
    pub site_id: i64,
    pub org_id: i64,
    pub jurisdiction_path: String,
    pub org_path: String,
    /// `temperature` or `humidity`.
    pub kind: String,
    pub low: f64,
    pub high: f64,
    pub hysteresis: f64,
    /// The alarm condition (`normal`, `pending_high`, `alarm_low`, …), see domain::telemetry.
    pub condition: String,
    pub pending_since: Option<DateTime<Utc>>,
    pub last_at: Option<DateTime<Utc>>,
    pub last_value: Option<f64>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default)]
pub struct AlarmFilter {
    pub site_id: Option<i64>,
    /// Not resolved yet.
    pub live: bool,
    pub kind: Option<String>,
}
