//! An enterprise's safety fundamentals (强基固本): the year's safety production fees, safety
//! staff (配齐配足), staff training, and safety liability insurance — and what of it is missing or
//! expired on a given day.

use crate::crossing::{cert_status, CertStatus};
use crate::money::Fen;
use chrono::{DateTime, Utc};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// The latest facts kept for an enterprise.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// Years with a fees record: (year, extracted fen, used fen).
    pub fees: Vec<(i32, i64, i64)>,
    /// The latest staffing record: (required, actual).
    pub staff: Option<(i32, i32)>,
    /// Training hours recorded this year.
    pub training_hours: f64,
    /// The latest policy's last day.
    pub insurance_ends: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Assessment {
    /// No fees record for this year.
    pub fees_missing: bool,
    /// More used than extracted this year (which the rules do not allow to go unexplained).
    pub fees_overspent: bool,
    /// Fewer safety staff than required, or no staffing record.
    pub staff_short: bool,
    pub no_training_this_year: bool,
    pub insurance: CertStatus,
}

impl Assessment {
    /// Anything a bureau should follow up.
    pub fn gaps(&self) -> usize {
        [self.fees_missing, self.staff_short, self.no_training_this_year, !self.insurance.may_serve()]
            .iter()
            .filter(|x| **x)
            .count()
    }
}

pub fn assess(f: &Facts, today: NaiveDate) -> Assessment {
    let this_year = f.fees.iter().rev().find(|(y, _, _)| *y == today.year());
    Assessment {
        fees_missing: this_year.is_none(),
        fees_overspent: this_year.is_some_and(|(_, extracted, used)| used > extracted),
        staff_short: f.staff.is_none_or(|(required, actual)| actual < required),
        no_training_this_year: f.training_hours <= 0.0,
        insurance: cert_status(f.insurance_ends, today),
    }
}

/// A dated record of an enterprise's fundamentals: `fee`, `staff`, `training` or `insurance`. Append-only.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Fundamental {
    pub id: i64,
    pub org_id: i64,
    pub jurisdiction_path: String,
    pub org_path: String,
    pub kind: String,
    pub year: Option<i32>,
    pub amount_fen: Option<Fen>,
    pub used_fen: Option<Fen>,
    pub required: Option<i32>,
    pub actual: Option<i32>,
    pub person: String,
    pub hours: Option<f64>,
    pub reference: String,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub note: String,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
}

/// An item of a bureau's list of powers and responsibilities. Append-only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Power {
    pub id: i64,
    pub org_id: i64,
    pub jurisdiction_path: String,
    pub org_path: String,
    pub category: String,
    pub name: String,
    pub basis: String,
    pub responsible: String,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_are_what_is_missing_short_or_expired() {
        let today = NaiveDate::from_ymd_opt(2022, 8, 15).unwrap();
        let nothing = assess(&Facts::default(), today);
        assert_eq!(nothing.gaps(), 4);
        assert_eq!(nothing.insurance, CertStatus::Missing);
        let good = Facts {
            fees: vec![(2021, 100, 90), (2022, 500_000, 320_000)],
            staff: Some((3, 3)),
            training_hours: 24.0,
            insurance_ends: NaiveDate::from_ymd_opt(2023, 3, 31),
        };
        assert_eq!(assess(&good, today).gaps(), 0);
        let expiring = Facts { insurance_ends: NaiveDate::from_ymd_opt(2022, 9, 1), ..good.clone() };
        assert_eq!(assess(&expiring, today).insurance, CertStatus::Expiring);
        assert_eq!(assess(&expiring, today).gaps(), 0, "expiring is a warning, not a gap");
        let short = Facts { staff: Some((3, 2)), fees: vec![(2022, 100, 200)], ..good };
        let a = assess(&short, today);
        assert!(a.staff_short && a.fees_overspent && !a.fees_missing);
    }
}
