//! Explosives warehouses' live picture: which readings are taken, when an out-of-range value
//! becomes an alarm (and when it stops being one, with hysteresis so a value dithering at the
//! limit does not flap), and when an hourly patrol round is complete. Pure: the app keeps the
//! state on the sensor row and feeds it every reading in time order.

use chrono::{DateTime, Duration, DurationRound, Utc};
use serde::{Deserialize, Serialize};

/// A sensor's allowed range and how alarms on it behave.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Limits {
    pub low: f64,
    pub high: f64,
    /// How far back inside the range a value must come before the condition counts as over.
    pub hysteresis: f64,
    /// How long a value must stay out of range before an alarm opens.
    pub min_seconds: i64,
}

/// Where a sensor stands, as kept between readings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Condition {
    Normal,
    /// Out of range since `since` (below the range when `low`), not yet long enough.
    Pending {
        since: DateTime<Utc>,
        low: bool,
    },
    /// An alarm is open for this excursion.
    Alarm {
        low: bool,
    },
}

impl Condition {
    /// The stored form: `normal`, `pending_low`, `pending_high`, `alarm_low`, `alarm_high`.
    pub fn code(&self) -> &'static str {
        match self {
            Condition::Normal => "normal",
            Condition::Pending { low: true, .. } => "pending_low",
            Condition::Pending { low: false, .. } => "pending_high",
            Condition::Alarm { low: true } => "alarm_low",
            Condition::Alarm { low: false } => "alarm_high",
        }
    }

    pub fn from_code(code: &str, since: Option<DateTime<Utc>>) -> Condition {
        match (code, since) {
            ("pending_low", Some(s)) => Condition::Pending { since: s, low: true },
            ("pending_high", Some(s)) => Condition::Pending { since: s, low: false },
            ("alarm_low", _) => Condition::Alarm { low: true },
            ("alarm_high", _) => Condition::Alarm { low: false },
            _ => Condition::Normal,
        }
    }

    pub fn since(&self) -> Option<DateTime<Utc>> {
        match self {
            Condition::Pending { since, .. } => Some(*since),
            _ => None,
        }
    }
}

/// What a reading changed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Change {
    None,
    /// Open an alarm: the value went below (`low`) or above the range and stayed there.
    Open {
        low: bool,
    },
    /// The excursion is over (the value is back inside the range by the hysteresis margin).
    Clear,
}

/// Feeds one reading (in time order) to a sensor's condition.
pub fn observe(c: Condition, at: DateTime<Utc>, value: f64, l: &Limits) -> (Condition, Change) {
    let below = value < l.low;
    let above = value > l.high;
    let settled = value >= l.low + l.hysteresis && value <= l.high - l.hysteresis;
    let held = |since: DateTime<Utc>| (at - since).num_seconds() >= l.min_seconds;
    match c {
        Condition::Normal if below || above => {
            let p = Condition::Pending { since: at, low: below };
            if held(at) {
                (Condition::Alarm { low: below }, Change::Open { low: below })
            } else {
                (p, Change::None)
            }
        }
        Condition::Normal => (c, Change::None),
        Condition::Pending { since, low } => {
            if settled {
                (Condition::Normal, Change::None)
            } else if (below || above) && held(since) {
                (Condition::Alarm { low }, Change::Open { low })
            } else {
                // Between the limit and the margin, or out but not yet long enough: the
                // excursion goes on; a dip back just inside the limit does not restart it.
                (c, Change::None)
            }
        }
        Condition::Alarm { .. } if settled => (Condition::Normal, Change::Clear),
        Condition::Alarm { .. } => (c, Change::None),
    }
}

/// Why a reading was not taken. Each is counted; none stops the rest of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reject {
    /// Not a reading at all (missing field, wrong type, not JSON).
    Malformed,
    UnknownSensor,
    /// Not a finite number.
    NotFinite,
    /// More than five minutes ahead of the server's clock.
    FarFuture,
    /// Older than the raw readings are kept.
    TooOld,
    /// The same sensor and time again (a gateway resending): taken once.
    Duplicate,
}

impl Reject {
    pub fn as_str(self) -> &'static str {
        match self {
            Reject::Malformed => "malformed",
            Reject::UnknownSensor => "unknown_sensor",
            Reject::NotFinite => "not_finite",
            Reject::FarFuture => "far_future",
            Reject::TooOld => "too_old",
            Reject::Duplicate => "duplicate",
        }
    }
}

/// Checks a reading's time and value against the server's clock and the retention window.
pub fn check(at: DateTime<Utc>, value: f64, now: DateTime<Utc>, retention_days: i64) -> Result<(), Reject> {
    if !value.is_finite() {
        return Err(Reject::NotFinite);
    }
    if at > now + Duration::minutes(5) {
        return Err(Reject::FarFuture);
    }
    if at < now - Duration::days(retention_days) {
        return Err(Reject::TooOld);
    }
    Ok(())
}

/// The start of the hour a time falls in (hours are the same in UTC and Asia/Shanghai).
pub fn hour_of(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_trunc(Duration::hours(1)).unwrap_or(t)
}

#[cfg(test)]
#[path = "telemetry_tests.rs"]
mod tests;

/// The user name a gateway connects to the MQTT broker with, which is also the segment of the
/// topic it alone may publish to (`<prefix>/gw-<id>/readings`; the broker's ACL pattern
/// `anjian/%u/readings` says so).
pub fn gateway_mqtt_user(gateway_id: i64) -> String {
    format!("gw-{gateway_id}")
}

/// The gateway a topic segment names, if it is one.
pub fn gateway_of_mqtt_user(user: &str) -> Option<i64> {
    user.strip_prefix("gw-").filter(|n| n.bytes().all(|b| b.is_ascii_digit())).and_then(|n| n.parse().ok())
}

#[cfg(test)]
mod gateway_names {
    use super::*;

    #[test]
    fn a_gateways_broker_name_reads_back_and_nothing_else_does() {
        assert_eq!(gateway_of_mqtt_user(&gateway_mqtt_user(12)), Some(12));
        for other in ["gw-", "gw-+1", "gw-1/x", "gw--1", "12", "GW-1", "gw-99999999999999999999"] {
            assert_eq!(gateway_of_mqtt_user(other), None, "{other}");
        }
    }
}
