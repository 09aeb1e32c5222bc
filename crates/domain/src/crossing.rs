//! Unmanned railway crossings (无人看守铁路道口): the equipment the seed names with the interval
//! each is checked at, when a check is due, and whether a guard's certificate lets them be on
//! duty (持证上岗).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// When the next check of a piece of equipment is due: its interval after the last check (or
/// after it was registered, if never checked).
pub fn check_due(registered: DateTime<Utc>, last_checked: Option<DateTime<Utc>>, interval_days: i32) -> DateTime<Utc> {
    last_checked.unwrap_or(registered) + Duration::days(i64::from(interval_days.max(1)))
}

/// How long before expiry a guard (and the operator) is warned.
pub const CERT_WARNING_DAYS: i64 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CertStatus {
    Valid,
    /// Valid, but expiring within [`CERT_WARNING_DAYS`].
    Expiring,
    Expired,
    /// No certificate recorded.
    Missing,
}

impl CertStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CertStatus::Valid => "valid",
            CertStatus::Expiring => "expiring",
            CertStatus::Expired => "expired",
            CertStatus::Missing => "missing",
        }
    }

    /// Whether the guard may be put on duty (an expiring certificate still holds).
    pub fn may_serve(self) -> bool {
        matches!(self, CertStatus::Valid | CertStatus::Expiring)
    }
}

/// A certificate valid through `expires` (inclusive), seen on `today`.
pub fn cert_status(expires: Option<NaiveDate>, today: NaiveDate) -> CertStatus {
    match expires {
        None => CertStatus::Missing,
        Some(e) if e < today => CertStatus::Expired,
        Some(e) if e - today <= Duration::days(CERT_WARNING_DAYS) => CertStatus::Expiring,
        Some(_) => CertStatus::Valid,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    #[error("the certificate expires before it was issued")]
    ExpiryBeforeIssue,
    #[error("a certificate number is required")]
    NumberRequired,
}

impl CertificateError {
    pub fn code(self) -> &'static str {
        match self {
            CertificateError::ExpiryBeforeIssue => "expiry_before_issue",
            CertificateError::NumberRequired => "required",
        }
    }
}

/// Checks a certificate as entered.
pub fn check_certificate(number: &str, issued: NaiveDate, expires: NaiveDate) -> Result<(), CertificateError> {
    if number.trim().is_empty() {
        return Err(CertificateError::NumberRequired);
    }
    if expires < issued {
        return Err(CertificateError::ExpiryBeforeIssue);
    }
    Ok(())
}

/// Whether a guard may take a shift that ends on `shift_ends`: the certificate must hold for the
/// whole shift.
pub fn may_take_shift(expires: Option<NaiveDate>, shift_ends: NaiveDate) -> bool {
    expires.is_some_and(|e| e >= shift_ends)
}

/// A round of equipment checks at a crossing. Append-only.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CrossingCheck {
    pub id: i64,
    pub uid: String,
    pub site_id: i64,
    pub org_id: i64,
    pub jurisdiction_path: String,
    pub org_path: String,
    pub at: DateTime<Utc>,
    pub checked_by: i64,
    pub checker: String,
    pub note: String,
    #[serde(skip)]
    pub request_digest: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// One piece of equipment's state in a check round. Append-only.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckItem {
    pub id: i64,
    pub check_id: i64,
    pub equipment_id: i64,
    pub ok: bool,
    pub note: String,
    pub hazard_id: Option<i64>,
}

/// A piece of a crossing's equipment and the interval it is checked at.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Equipment {
    pub id: i64,
    pub site_id: i64,
    pub kind: String,
    pub name: String,
    pub interval_days: i32,
    pub created_at: DateTime<Utc>,
}

/// A crossing guard (监护员) of a railway operator.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Guard {
    pub id: i64,
    pub uid: String,
    pub org_id: i64,
    pub jurisdiction_path: String,
    pub org_path: String,
    pub name: String,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
}

/// A guard's certificate (持证上岗); the newest counts. Append-only.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Certificate {
    pub id: i64,
    pub guard_id: i64,
    pub number: String,
    pub issued: String,
    pub expires: String,
    pub recorded_by: i64,
    pub created_at: DateTime<Utc>,
}

/// A guard on duty at a crossing. Append-only.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Shift {
    pub id: i64,
    pub guard_id: i64,
    pub site_id: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub assigned_by: i64,
    pub created_at: DateTime<Utc>,
}

/// A training session or emergency drill (应急处置演练). Append-only.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Training {
    pub id: i64,
    pub uid: String,
    pub org_id: i64,
    pub jurisdiction_path: String,
    pub org_path: String,
    pub kind: String,
    pub held_on: String,
    pub topic: String,
    pub scenario: String,
    pub result: String,
    pub created_by: i64,
    #[serde(skip)]
    pub request_digest: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn certificates_warn_thirty_days_ahead_and_expire_after_their_last_day() {
        let today = d(2022, 8, 15);
        assert_eq!(cert_status(Some(d(2022, 12, 31)), today), CertStatus::Valid);
        assert_eq!(cert_status(Some(d(2022, 9, 14)), today), CertStatus::Expiring);
        assert_eq!(cert_status(Some(d(2022, 8, 15)), today), CertStatus::Expiring, "valid through its last day");
        assert_eq!(cert_status(Some(d(2022, 8, 14)), today), CertStatus::Expired);
        assert_eq!(cert_status(None, today), CertStatus::Missing);
        assert!(!CertStatus::Expired.may_serve() && CertStatus::Expiring.may_serve());
        assert_eq!(
            check_certificate("JC-001", d(2022, 1, 1), d(2021, 12, 31)),
            Err(CertificateError::ExpiryBeforeIssue)
        );
        assert_eq!(check_certificate(" ", d(2022, 1, 1), d(2023, 1, 1)), Err(CertificateError::NumberRequired));
        assert!(may_take_shift(Some(d(2022, 8, 20)), d(2022, 8, 20)));
        assert!(!may_take_shift(Some(d(2022, 8, 19)), d(2022, 8, 20)));
    }

    proptest! {
        /// A later check never brings the next one forward.
        #[test]
        fn checking_again_never_makes_the_next_check_earlier(a in 0i64..1000, b in 0i64..1000, interval in 1i32..400) {
            let t0 = DateTime::<Utc>::from_timestamp(1_650_000_000, 0).unwrap();
            let (first, later) = (t0 + Duration::hours(a), t0 + Duration::hours(a + b));
            prop_assert!(check_due(t0, Some(later), interval) >= check_due(t0, Some(first), interval));
            prop_assert!(check_due(t0, Some(first), interval) > first);
        }
    }
}
