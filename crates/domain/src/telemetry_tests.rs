use super::*;
use chrono::TimeZone;
use proptest::prelude::*;

const L: Limits = Limits { low: 0.0, high: 30.0, hysteresis: 1.0, min_seconds: 120 };

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2022, 8, 15, 2, 0, 0).unwrap()
}

/// Feeds values a minute apart; returns how many alarms opened and cleared.
fn run(values: &[f64]) -> (usize, usize, Condition) {
    let mut c = Condition::Normal;
    let (mut opened, mut cleared) = (0, 0);
    for (i, v) in values.iter().enumerate() {
        let (n, ch) = observe(c, t0() + Duration::minutes(i as i64), *v, &L);
        match ch {
            Change::Open { .. } => opened += 1,
            Change::Clear => cleared += 1,
            Change::None => {}
        }
        c = n;
    }
    (opened, cleared, c)
}

#[test]
fn an_excursion_opens_one_alarm_after_the_minimum_time_and_clears_inside_the_margin() {
    // 31 at minutes 0, 1: pending; at minute 2 it has held 120 s: open.
    assert_eq!(run(&[31.0, 31.0]).0, 0);
    let (o, c, end) = run(&[31.0, 31.0, 31.5, 32.0, 29.5, 30.5, 29.5]);
    assert_eq!((o, c), (1, 0), "29.5 is inside the range but not by the 1.0 margin");
    assert_eq!(end, Condition::Alarm { low: false });
    let (o, c, end) = run(&[31.0, 31.0, 31.0, 28.9]);
    assert_eq!((o, c, end), (1, 1, Condition::Normal));
    // Below the range: a low alarm.
    assert_eq!(run(&[-1.0, -2.0, -3.0]).2, Condition::Alarm { low: true });
    // A short spike never opens one.
    assert_eq!(run(&[20.0, 35.0, 20.0, 35.0, 20.0]).0, 0);
}

#[test]
fn readings_are_checked_against_the_clock_and_retention() {
    let now = t0();
    assert_eq!(check(now, 1.0, now, 90), Ok(()));
    assert_eq!(check(now + Duration::minutes(6), 1.0, now, 90), Err(Reject::FarFuture));
    assert_eq!(check(now - Duration::days(91), 1.0, now, 90), Err(Reject::TooOld));
    assert_eq!(check(now, f64::NAN, now, 90), Err(Reject::NotFinite));
    assert_eq!(hour_of(now + Duration::minutes(59)), now);
}

#[test]
fn the_stored_form_round_trips() {
    for c in [
        Condition::Normal,
        Condition::Pending { since: t0(), low: true },
        Condition::Pending { since: t0(), low: false },
        Condition::Alarm { low: true },
        Condition::Alarm { low: false },
    ] {
        assert_eq!(Condition::from_code(c.code(), c.since()), c);
    }
}

proptest! {
    /// A value dithering at the limit (anywhere between just inside the margin and just out of
    /// range) opens at most one alarm and never clears it: no flapping.
    #[test]
    fn dithering_at_the_limit_opens_at_most_one_alarm(values in proptest::collection::vec(29.01f64..30.99, 1..200)) {
        let (opened, cleared, _) = run(&values);
        prop_assert!(opened <= 1);
        prop_assert_eq!(cleared, 0);
    }

    /// Alarms and clears alternate: never two opens without a clear between them.
    #[test]
    fn opens_and_clears_alternate(values in proptest::collection::vec(-5.0f64..35.0, 1..300)) {
        let mut c = Condition::Normal;
        let mut open = false;
        for (i, v) in values.iter().enumerate() {
            let (n, ch) = observe(c, t0() + Duration::seconds(30 * i as i64), *v, &L);
            match ch {
                Change::Open { .. } => { prop_assert!(!open); open = true; }
                Change::Clear => { prop_assert!(open); open = false; }
                Change::None => {}
            }
            c = n;
        }
    }

    /// A value out of range for at least the minimum time always ends in an alarm.
    #[test]
    fn a_sustained_excursion_always_alarms(v in 30.01f64..100.0, minutes in 2usize..30) {
        let (opened, _, end) = run(&vec![v; minutes + 1]);
        prop_assert_eq!(opened, 1);
        prop_assert_eq!(end, Condition::Alarm { low: false });
    }
}
