//! The hourly patrol of a warehouse (每小时巡查): in every hour a guard visits each of its
//! checkpoints. One [`PatrolRound`] judges an hour for everyone who asks — the day's patrol page,
//! a check-in that completes the round (and so counts toward the hourly patrol rule), and the
//! watch that opens an alarm for a missed hour — so the three can never disagree.

use crate::warehouse::{Checkin, Checkpoint};
use chrono::{DateTime, Duration, Utc};

/// One hour's round at one warehouse.
#[derive(Clone, Debug, PartialEq)]
pub struct PatrolRound {
    /// The hour's start.
    pub hour: DateTime<Utc>,
    /// The checkpoints the round must visit: every one set up before the hour ended. (A point
    /// added at 10:40 is part of the 10:00 round: the guard who put it up is on site.)
    pub due: Vec<i64>,
    /// The due checkpoints visited in the hour, each once, in order of id.
    pub visited: Vec<i64>,
    /// Who checked in during the hour, each once, by name.
    pub guards: Vec<String>,
}

impl PatrolRound {
    /// The round of `hour` (its start) from a warehouse's checkpoints and check-ins; check-ins
    /// outside the hour and checkpoints of other warehouses are simply not part of it.
    pub fn of(hour: DateTime<Utc>, checkpoints: &[Checkpoint], checkins: &[Checkin]) -> PatrolRound {
        let end = hour + Duration::hours(1);
        let mut due: Vec<i64> = checkpoints.iter().filter(|c| c.created_at < end).map(|c| c.id).collect();
        due.sort_unstable();
        due.dedup();
        let in_hour = || checkins.iter().filter(|c| c.at >= hour && c.at < end);
        let mut visited: Vec<i64> = in_hour().map(|c| c.checkpoint_id).filter(|id| due.contains(id)).collect();
        visited.sort_unstable();
        visited.dedup();
        let mut guards: Vec<String> = in_hour().map(|c| c.guard.clone()).collect();
        guards.sort();
        guards.dedup();
        PatrolRound { hour, due, visited, guards }
    }

    pub fn end(&self) -> DateTime<Utc> {
        self.hour + Duration::hours(1)
    }

    /// Every due checkpoint was visited. A warehouse without checkpoints has no round to complete.
    pub fn is_complete(&self) -> bool {
        !self.due.is_empty() && self.due.len() == self.visited.len()
    }

    /// The hour is over, there was something to visit, and the round was not completed.
    pub fn is_missed(&self, now: DateTime<Utc>) -> bool {
        !self.due.is_empty() && !self.is_complete() && self.end() <= now
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(minutes: i64) -> DateTime<Utc> {
        "2022-08-01T02:00:00Z".parse::<DateTime<Utc>>().unwrap() + Duration::minutes(minutes)
    }

    fn point(id: i64, created: i64) -> Checkpoint {
        Checkpoint { id, site_id: 1, name: format!("点{id}"), code: format!("c{id}"), created_at: at(created) }
    }

    fn visit(checkpoint_id: i64, minute: i64, guard: &str) -> Checkin {
        Checkin {
            id: minute,
            site_id: 1,
            checkpoint_id,
            user_id: 1,
            guard: guard.into(),
            at: at(minute),
            note: String::new(),
            photo_sha256: None,
        }
    }

    #[test]
    fn a_round_is_complete_when_every_point_is_visited_in_the_hour() {
        let points = [point(1, -30), point(2, -30)];
        let r = PatrolRound::of(at(0), &points, &[visit(1, 5, "王"), visit(2, 50, "李"), visit(2, 70, "李")]);
        assert!(r.is_complete());
        assert_eq!(r.guards, vec!["李".to_owned(), "王".to_owned()]);
        let r = PatrolRound::of(at(0), &points, &[visit(1, 5, "王"), visit(2, 60, "李")]);
        assert!(!r.is_complete(), "a visit at the next hour's first second is the next round's");
        assert!(!r.is_missed(at(59)), "not missed while the hour runs");
        assert!(r.is_missed(at(60)));
    }

    #[test]
    fn a_point_added_during_the_hour_is_part_of_its_round() {
        let points = [point(1, -30), point(2, 40)];
        let r = PatrolRound::of(at(0), &points, &[visit(1, 5, "王")]);
        assert_eq!(r.due, vec![1, 2]);
        assert!(!r.is_complete());
        let before = PatrolRound::of(at(-60), &points, &[]);
        assert_eq!(before.due, vec![1], "not part of the hour before it existed");
    }

    #[test]
    fn a_warehouse_without_points_has_no_round() {
        let r = PatrolRound::of(at(0), &[], &[]);
        assert!(!r.is_complete());
        assert!(!r.is_missed(at(600)));
    }

    proptest! {
        /// Complete and missed never hold together; a finished hour is one or the other unless
        /// nothing was due; and visits to the same points in another order judge the same.
        #[test]
        fn complete_and_missed_exclude_each_other(
            created in proptest::collection::vec(-120i64..60, 0..5),
            visits in proptest::collection::vec((0i64..6, -30i64..90), 0..12),
            now in 0i64..180,
        ) {
            let points: Vec<Checkpoint> = created.iter().enumerate().map(|(i, c)| point(i as i64, *c)).collect();
            let mut checkins: Vec<Checkin> = visits.iter().map(|(p, m)| visit(*p, *m, "王")).collect();
            let r = PatrolRound::of(at(0), &points, &checkins);
            prop_assert!(!(r.is_complete() && r.is_missed(at(now))));
            if now >= 60 && !r.due.is_empty() {
                prop_assert!(r.is_complete() || r.is_missed(at(now)));
            }
            checkins.reverse();
            prop_assert_eq!(PatrolRound::of(at(0), &points, &checkins), r);
        }
    }
}
