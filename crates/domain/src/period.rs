//! Periods as the plan counts them, cut in Asia/Shanghai: the hour, the week from Monday, the
//! half-month (1–15 and 16–end), the month, the quarter and the year. A period is a half-open UTC interval
//! `[start, end)`, so consecutive periods tile time with no gap and no overlap.

use crate::TZ;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};
use serde::{Deserialize, Serialize};

/// A calendar period kind that repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    Hour,
    Week,
    HalfMonth,
    Month,
    Quarter,
    Year,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub kind: PeriodKind,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// Local midnight of `date` in Asia/Shanghai, as UTC. Shanghai has no DST since 1991, but the
/// zone database is asked anyway so that history stays right.
pub fn local_midnight(date: NaiveDate) -> DateTime<Utc> {
    local_to_utc(date.and_hms_opt(0, 0, 0).expect("midnight exists"))
}

fn local_to_utc(local: NaiveDateTime) -> DateTime<Utc> {
    TZ.from_local_datetime(&local).earliest().expect("Asia/Shanghai has no gaps at these times").with_timezone(&Utc)
}

/// The local (Asia/Shanghai) calendar date of an instant.
pub fn local_date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&TZ).date_naive()
}

fn first_of_month(year: i32, month: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, 1).expect("valid month")
}

fn add_months(d: NaiveDate, months: u32) -> NaiveDate {
    let total = d.year() * 12 + d.month0() as i32 + months as i32;
    first_of_month(total.div_euclid(12), total.rem_euclid(12) as u32 + 1)
}

impl Period {
    /// The period of `kind` that contains the instant `t`.
    pub fn containing(kind: PeriodKind, t: DateTime<Utc>) -> Period {
        let local = t.with_timezone(&TZ);
        let date = local.date_naive();
        let (start, end) = match kind {
            PeriodKind::Hour => {
                let start = local_to_utc(date.and_hms_opt(local.hour(), 0, 0).expect("whole hour exists"));
                (start, start + Duration::hours(1))
            }
            PeriodKind::Week => {
                let monday = date - Duration::days(date.weekday().num_days_from_monday() as i64);
                (local_midnight(monday), local_midnight(monday + Duration::days(7)))
            }
            PeriodKind::HalfMonth => {
                let first = first_of_month(date.year(), date.month());
                let sixteenth = first + Duration::days(15);
                if date.day() <= 15 {
                    (local_midnight(first), local_midnight(sixteenth))
                } else {
                    (local_midnight(sixteenth), local_midnight(add_months(first, 1)))
                }
            }
            PeriodKind::Month => {
                let first = first_of_month(date.year(), date.month());
                (local_midnight(first), local_midnight(add_months(first, 1)))
            }
            PeriodKind::Quarter => {
                let first = first_of_month(date.year(), date.month0() / 3 * 3 + 1);
                (local_midnight(first), local_midnight(add_months(first, 3)))
            }
            PeriodKind::Year => {
                let first = first_of_month(date.year(), 1);
                (local_midnight(first), local_midnight(add_months(first, 12)))
            }
        };
        Period { kind, start, end }
    }

    /// The period right after this one.
    pub fn next(&self) -> Period {
        Period::containing(self.kind, self.end)
    }

    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.start <= t && t < self.end
    }

    /// How much of the period has passed at `t`, from 0.0 to 1.0.
    pub fn elapsed_fraction(&self, t: DateTime<Utc>) -> f64 {
        let total = (self.end - self.start).num_milliseconds() as f64;
        let gone = (t - self.start).num_milliseconds() as f64;
        (gone / total).clamp(0.0, 1.0)
    }
}

/// An inclusive range of local dates (a phase, a campaign), as a half-open UTC interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DateSpan {
    pub starts: NaiveDate,
    pub ends: NaiveDate,
}

impl DateSpan {
    pub fn start(&self) -> DateTime<Utc> {
        local_midnight(self.starts)
    }
    /// The first instant after the last day.
    pub fn end(&self) -> DateTime<Utc> {
        local_midnight(self.ends + Duration::days(1))
    }
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.start() <= t && t < self.end()
    }
    pub fn contains_date(&self, d: NaiveDate) -> bool {
        self.starts <= d && d <= self.ends
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        local_to_utc(NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, 0, 0).unwrap())
    }

    #[test]
    fn week_starts_on_monday_in_shanghai() {
        // 2022-07-31 is a Sunday; 23:00 Shanghai is still in the week of Monday 07-25,
        // although in UTC it is 15:00 on Sunday too. 2022-08-01 00:30 local is Sunday 16:30 UTC
        // but belongs to the new week.
        let p = Period::containing(PeriodKind::Week, at(2022, 7, 31, 23));
        assert_eq!(local_date(p.start), NaiveDate::from_ymd_opt(2022, 7, 25).unwrap());
        let q = Period::containing(PeriodKind::Week, at(2022, 8, 1, 0) + Duration::minutes(30));
        assert_eq!(local_date(q.start), NaiveDate::from_ymd_opt(2022, 8, 1).unwrap());
        assert_eq!(q.start, p.end);
    }

    #[test]
    fn half_months_split_after_the_fifteenth() {
        let a = Period::containing(PeriodKind::HalfMonth, at(2022, 2, 15, 23));
        let b = Period::containing(PeriodKind::HalfMonth, at(2022, 2, 16, 0));
        assert_eq!(a.end, b.start);
        assert_eq!(local_date(b.end), NaiveDate::from_ymd_opt(2022, 3, 1).unwrap());
    }

    #[test]
    fn quarters_start_in_january_april_july_october() {
        let q = Period::containing(PeriodKind::Quarter, at(2022, 11, 30, 12));
        assert_eq!(local_date(q.start), NaiveDate::from_ymd_opt(2022, 10, 1).unwrap());
        assert_eq!(local_date(q.end), NaiveDate::from_ymd_opt(2023, 1, 1).unwrap());
    }

    fn kind() -> impl Strategy<Value = PeriodKind> {
        prop_oneof![
            Just(PeriodKind::Hour),
            Just(PeriodKind::Week),
            Just(PeriodKind::HalfMonth),
            Just(PeriodKind::Month),
            Just(PeriodKind::Quarter),
            Just(PeriodKind::Year),
        ]
    }

    fn instant() -> impl Strategy<Value = DateTime<Utc>> {
        // 1995..2060, to the second.
        (788_918_400i64..2_840_140_800i64).prop_map(|s| DateTime::from_timestamp(s, 0).unwrap())
    }

    proptest! {
        #[test]
        fn the_containing_period_contains_the_instant(k in kind(), t in instant()) {
            let p = Period::containing(k, t);
            prop_assert!(p.contains(t));
            prop_assert!(p.start < p.end);
        }

        #[test]
        fn periods_tile_time(k in kind(), t in instant()) {
            let p = Period::containing(k, t);
            let n = p.next();
            prop_assert_eq!(n.start, p.end);
            prop_assert_eq!(Period::containing(k, p.end - Duration::microseconds(1)), p);
        }

        #[test]
        fn periods_begin_on_the_right_local_boundary(k in kind(), t in instant()) {
            let p = Period::containing(k, t);
            let local = p.start.with_timezone(&TZ);
            let d = local.date_naive();
            match k {
                PeriodKind::Hour => prop_assert_eq!((local.minute(), local.second()), (0, 0)),
                PeriodKind::Week => prop_assert_eq!(d.weekday(), chrono::Weekday::Mon),
                PeriodKind::HalfMonth => prop_assert!(d.day() == 1 || d.day() == 16),
                PeriodKind::Month => prop_assert_eq!(d.day(), 1),
                PeriodKind::Quarter => prop_assert!(d.day() == 1 && (d.month() - 1).is_multiple_of(3)),
                PeriodKind::Year => prop_assert_eq!((d.month(), d.day()), (1, 1)),
            }
            if k != PeriodKind::Hour {
                prop_assert_eq!((local.hour(), local.minute()), (0, 0));
            }
        }

        #[test]
        fn two_half_months_make_a_month(t in instant()) {
            let m = Period::containing(PeriodKind::Month, t);
            let first = Period::containing(PeriodKind::HalfMonth, m.start);
            prop_assert_eq!(first.start, m.start);
            prop_assert_eq!(first.next().end, m.end);
        }

        #[test]
        fn four_quarters_make_a_year(t in instant()) {
            let y = Period::containing(PeriodKind::Year, t);
            let mut q = Period::containing(PeriodKind::Quarter, y.start);
            prop_assert_eq!(q.start, y.start);
            for _ in 0..3 {
                q = q.next();
            }
            prop_assert_eq!(q.end, y.end);
        }

        #[test]
        fn elapsed_fraction_grows_with_time(k in kind(), t in instant(), dt in 0i64..10_000_000) {
            let p = Period::containing(k, t);
            let later = t + Duration::seconds(dt);
            prop_assert!(p.elapsed_fraction(later) >= p.elapsed_fraction(t));
        }
    }
}
