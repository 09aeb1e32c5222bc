//! The campaign board's arithmetic: where a task of the task list stands, and which months a
//! continuous task (全周期开展) still owes a progress report for.

use crate::period::DateSpan;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum TaskStatus {
    NotStarted,
    InProgress,
    Done,
    Overdue,
}

impl TaskStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::NotStarted => "not_started",
            TaskStatus::InProgress => "in_progress",
            TaskStatus::Done => "done",
            TaskStatus::Overdue => "overdue",
        }
    }
}

/// `2022-07`
pub fn month_of(d: NaiveDate) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

/// The months of the campaign up to `today`'s, oldest first.
pub fn months_until(campaign: DateSpan, today: NaiveDate) -> Vec<String> {
    let last = today.min(campaign.ends);
    let mut out = Vec::new();
    let mut d = NaiveDate::from_ymd_opt(campaign.starts.year(), campaign.starts.month(), 1).expect("first of month");
    while d <= last {
        out.push(month_of(d));
        d = if d.month() == 12 {
            NaiveDate::from_ymd_opt(d.year() + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(d.year(), d.month() + 1, 1)
        }
        .expect("valid month");
    }
    out
}

/// Months a continuous task has no report for, among those already over at `today` (the
/// current month is still open).
pub fn months_missing(campaign: DateSpan, today: NaiveDate, reported: &[String]) -> Vec<String> {
    let current = month_of(today);
    let over = today > campaign.ends;
    months_until(campaign, today)
        .into_iter()
        .filter(|m| over || *m != current)
        .filter(|m| !reported.contains(m))
        .collect()
}

/// What we know of a task's reports.
#[derive(Debug, Clone, Default)]
pub struct TaskFacts {
    pub due: Option<NaiveDate>,
    pub continuous: bool,
    pub any_report: bool,
    /// A report said the task is done (for a task with a deadline).
    pub reported_done: bool,
    /// A rule of the task is overdue or not yet met to date: what the records show, which a
    /// report saying "done" cannot overrule.
    pub rules_short: bool,
    /// A bureau head closed the task with a reason (kept with the task's reports).
    pub closed_by_head: bool,
    /// Months with a progress report (continuous tasks).
    pub months_reported: Vec<String>,
}

/// Where a task stands on `today`.
///
/// A task with a deadline is done once a report says so and its rules are met — or once a
/// bureau head closes it with a reason; overdue past its deadline otherwise. A continuous task
/// is overdue while a finished month lacks its progress report, and done when the campaign has
/// ended with every month reported.
pub fn task_status(campaign: DateSpan, t: &TaskFacts, today: NaiveDate) -> TaskStatus {
    if t.closed_by_head {
        return TaskStatus::Done;
    }
    if t.continuous {
        let missing = months_missing(campaign, today, &t.months_reported);
        return if !missing.is_empty() {
            TaskStatus::Overdue
        } else if today > campaign.ends {
            TaskStatus::Done
        } else if t.any_report {
            TaskStatus::InProgress
        } else {
            TaskStatus::NotStarted
        };
    }
    if t.reported_done && !t.rules_short {
        TaskStatus::Done
    } else if t.due.is_some_and(|d| today > d) {
        TaskStatus::Overdue
    } else if t.any_report {
        TaskStatus::InProgress
    } else {
        TaskStatus::NotStarted
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }
    fn campaign() -> DateSpan {
        DateSpan { starts: d(2022, 6, 23), ends: d(2022, 12, 31) }
    }

    #[test]
    fn months_run_from_the_campaigns_first_month() {
        assert_eq!(months_until(campaign(), d(2022, 8, 3)), ["2022-06", "2022-07", "2022-08"]);
        assert_eq!(months_until(campaign(), d(2023, 3, 1)).len(), 7);
        assert!(months_until(campaign(), d(2022, 5, 1)).is_empty());
    }

    #[test]
    fn a_deadline_task_is_overdue_after_its_day_unless_done() {
        let t = TaskFacts { due: Some(d(2022, 9, 30)), ..Default::default() };
        assert_eq!(task_status(campaign(), &t, d(2022, 9, 30)), TaskStatus::NotStarted);
        assert_eq!(task_status(campaign(), &t, d(2022, 10, 1)), TaskStatus::Overdue);
        let started = TaskFacts { any_report: true, ..t.clone() };
        assert_eq!(task_status(campaign(), &started, d(2022, 9, 1)), TaskStatus::InProgress);
        let done = TaskFacts { any_report: true, reported_done: true, ..t.clone() };
        assert_eq!(task_status(campaign(), &done, d(2022, 12, 1)), TaskStatus::Done);
        // A report saying "done" does not overrule the records: a rule short keeps it open …
        let short = TaskFacts { rules_short: true, ..done.clone() };
        assert_eq!(task_status(campaign(), &short, d(2022, 9, 1)), TaskStatus::InProgress);
        assert_eq!(task_status(campaign(), &short, d(2022, 12, 1)), TaskStatus::Overdue);
        // … until a bureau head closes it with a reason.
        let closed = TaskFacts { closed_by_head: true, ..short };
        assert_eq!(task_status(campaign(), &closed, d(2022, 12, 1)), TaskStatus::Done);
    }

    #[test]
    fn a_continuous_task_owes_a_report_for_every_finished_month() {
        let mut t = TaskFacts { continuous: true, any_report: true, ..Default::default() };
        t.months_reported = vec!["2022-06".into()];
        assert_eq!(task_status(campaign(), &t, d(2022, 7, 20)), TaskStatus::InProgress, "july is still open");
        assert_eq!(task_status(campaign(), &t, d(2022, 8, 1)), TaskStatus::Overdue);
        assert_eq!(months_missing(campaign(), d(2022, 8, 1), &t.months_reported), ["2022-07"]);
        t.months_reported = months_until(campaign(), d(2022, 12, 31));
        assert_eq!(task_status(campaign(), &t, d(2023, 1, 5)), TaskStatus::Done);
    }

    proptest! {
        /// Reporting a month never makes a continuous task's missing list longer.
        #[test]
        fn reporting_never_adds_a_missing_month(day in 0i64..400, extra in 0usize..7) {
            let today = d(2022, 6, 1) + chrono::Duration::days(day);
            let all = months_until(campaign(), d(2022, 12, 31));
            let before = months_missing(campaign(), today, &[]);
            let after = months_missing(campaign(), today, &[all[extra].clone()]);
            prop_assert!(after.len() <= before.len());
            prop_assert!(after.iter().all(|m| before.contains(m)));
        }
    }
}
