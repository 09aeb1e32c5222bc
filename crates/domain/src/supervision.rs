//! 挂牌督办: a bureau's hold on a hazard that is overdue or major — the notice with its number,
//! supervising bureau, deadline and requirements; reminders (催办); recorded interviews (约谈);
//! an enterprise's request for more time and the bureau's answer. Every step is a record of its
//! own; what a hazard's supervision is now is derived from them, here, once.

use crate::org::string_enum;
use chrono::{DateTime, Datelike, Utc};
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

string_enum! {
    /// A step of a hazard's supervision.
    Step {
        Supervise => "supervise",
        Urge => "urge",
        Interview => "interview",
        RequestExtension => "request_extension",
        ApproveExtension => "approve_extension",
        RefuseExtension => "refuse_extension",
    }
}

/// One recorded step.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SupervisionStep {
    pub id: i64,
    pub hazard_id: i64,
    pub step: Step,
    /// The notice's number (挂牌 only): `泽县工信督〔2026〕第3号`.
    pub number: Option<String>,
    /// The supervising bureau (挂牌) or the bureau that acted.
    pub bureau_id: Option<i64>,
    /// The notice's deadline, or the date an extension asks for.
    pub until: Option<DateTime<Utc>>,
    /// The requirements, the reminder's message, the interview's outcome, or the reason.
    pub text: String,
    /// Who took part in an interview.
    pub people: String,
    /// When an interview was held.
    pub held_at: Option<DateTime<Utc>>,
    pub by_user: i64,
    pub by_name: String,
    pub at: DateTime<Utc>,
}

/// Where a hazard's supervision stands.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Supervision {
    /// The notice (挂牌督办), if the hazard is under one.
    pub notice: Option<SupervisionStep>,
    /// An extension asked for and not yet answered.
    pub pending_extension: Option<SupervisionStep>,
    pub reminders: u32,
    pub interviews: u32,
}

impl Supervision {
    /// From a hazard's steps in the order they were taken.
    pub fn of(steps: &[SupervisionStep]) -> Supervision {
        let mut s = Supervision::default();
        for st in steps {
            match st.step {
                Step::Supervise => s.notice = Some(st.clone()),
                Step::Urge => s.reminders += 1,
                Step::Interview => s.interviews += 1,
                Step::RequestExtension => s.pending_extension = Some(st.clone()),
                Step::ApproveExtension | Step::RefuseExtension => s.pending_extension = None,
            }
        }
        s
    }

    /// Whole days the notice has stood.
    pub fn age_days(&self, now: DateTime<Utc>) -> Option<i64> {
        self.notice.as_ref().map(|n| (now - n.at).num_days())
    }

    /// Who may close (销号) the hazard: under a notice, only the supervising bureau.
    pub fn may_close(&self, bureau_id: Option<i64>) -> bool {
        self.notice.as_ref().and_then(|n| n.bureau_id).is_none_or(|b| Some(b) == bureau_id)
    }
}

/// Why a step is refused; each has a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Only an open hazard that is overdue or major is put under supervision.
    NotSupervisable,
    AlreadySupervised,
    /// The notice's deadline, or the extension asked for, lies in the past or not after the
    /// current deadline.
    UntilTooEarly,
    TextRequired,
    /// An extension is already waiting for an answer.
    ExtensionPending,
    NoPendingExtension,
    /// The hazard is closed.
    Closed,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::NotSupervisable => "supervision_not_applicable",
            Refusal::AlreadySupervised => "supervision_exists",
            Refusal::UntilTooEarly => "supervision_until_too_early",
            Refusal::TextRequired => "required",
            Refusal::ExtensionPending => "extension_pending",
            Refusal::NoPendingExtension => "extension_not_pending",
            Refusal::Closed => "hazard_closed",
        }
    }
}

/// Whether a step may be taken now on a hazard (`open`, `overdue`, `major`, its deadline) with
/// this supervision.
#[allow(clippy::too_many_arguments)]
pub fn check(
    step: Step,
    open: bool,
    overdue: bool,
    major: bool,
    deadline: Option<DateTime<Utc>>,
    s: &Supervision,
    until: Option<DateTime<Utc>>,
    text: &str,
    now: DateTime<Utc>,
) -> Result<(), Refusal> {
    if !open {
        return Err(Refusal::Closed);
    }
    match step {
        Step::Supervise => {
            if !(overdue || major) {
                return Err(Refusal::NotSupervisable);
            }
            if s.notice.is_some() {
                return Err(Refusal::AlreadySupervised);
            }
            if until.is_none_or(|u| u <= now) {
                return Err(Refusal::UntilTooEarly);
            }
        }
        Step::RequestExtension => {
            if s.pending_extension.is_some() {
                return Err(Refusal::ExtensionPending);
            }
            if until.is_none_or(|u| u <= now || deadline.is_some_and(|d| u <= d)) {
                return Err(Refusal::UntilTooEarly);
            }
        }
        Step::ApproveExtension | Step::RefuseExtension if s.pending_extension.is_none() => {
            return Err(Refusal::NoPendingExtension);
        }
        _ => {}
    }
    if text.trim().is_empty() && step != Step::ApproveExtension {
        return Err(Refusal::TextRequired);
    }
    Ok(())
}

/// A notice's number: the bureau's place, the year, and its place in the year's sequence.
pub fn number(place: &str, at: DateTime<Utc>, seq: i32) -> String {
    format!("{place}督〔{}〕第{seq}号", at.with_timezone(&crate::TZ).year())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use proptest::prelude::*;

    fn step(s: Step, at: DateTime<Utc>) -> SupervisionStep {
        SupervisionStep {
            id: 0,
            hazard_id: 1,
            step: s,
            number: None,
            bureau_id: Some(7),
            until: None,
            text: "x".into(),
            people: String::new(),
            held_at: None,
            by_user: 1,
            by_name: "王".into(),
            at,
        }
    }

    #[test]
    fn only_an_open_overdue_or_major_hazard_is_put_under_supervision_once() {
        let now = DateTime::<Utc>::from_timestamp(1_700_000_000, 0).unwrap();
        let later = Some(now + Duration::days(10));
        let none = Supervision::default();
        let go = |open, overdue, major, s: &Supervision| {
            check(Step::Supervise, open, overdue, major, None, s, later, "限期整改", now)
        };
        assert_eq!(go(true, false, false, &none), Err(Refusal::NotSupervisable));
        assert_eq!(go(false, true, true, &none), Err(Refusal::Closed));
        assert_eq!(go(true, true, false, &none), Ok(()));
        assert_eq!(go(true, false, true, &none), Ok(()));
        let held = Supervision::of(&[step(Step::Supervise, now)]);
        assert_eq!(go(true, true, false, &held), Err(Refusal::AlreadySupervised));
        assert!(!held.may_close(Some(8)) && held.may_close(Some(7)));
        assert!(none.may_close(None));
        assert_eq!(
            check(Step::Supervise, true, true, false, None, &none, Some(now), "x", now),
            Err(Refusal::UntilTooEarly)
        );
    }

    #[test]
    fn an_extension_is_asked_for_once_and_answered_once() {
        let now = DateTime::<Utc>::from_timestamp(1_700_000_000, 0).unwrap();
        let deadline = Some(now + Duration::days(3));
        let ask = |s: &Supervision, until| {
            check(Step::RequestExtension, true, false, false, deadline, s, until, "停产检修", now)
        };
        let none = Supervision::default();
        assert_eq!(ask(&none, Some(now + Duration::days(2))), Err(Refusal::UntilTooEarly), "not after the deadline");
        assert_eq!(ask(&none, Some(now + Duration::days(20))), Ok(()));
        assert_eq!(
            check(Step::ApproveExtension, true, false, false, deadline, &none, None, "", now),
            Err(Refusal::NoPendingExtension)
        );
        let asked = Supervision::of(&[step(Step::RequestExtension, now)]);
        assert_eq!(ask(&asked, Some(now + Duration::days(20))), Err(Refusal::ExtensionPending));
        assert_eq!(check(Step::ApproveExtension, true, false, false, deadline, &asked, None, "", now), Ok(()));
        assert_eq!(
            check(Step::RefuseExtension, true, false, false, deadline, &asked, None, " ", now),
            Err(Refusal::TextRequired),
            "a refusal says why"
        );
    }

    proptest! {
        /// However steps interleave, an answer closes the request it answers, and the counts
        /// are the number of reminders and interviews taken.
        #[test]
        fn the_state_follows_the_last_request_and_answer(kinds in proptest::collection::vec(0usize..6, 0..30)) {
            let t0 = DateTime::<Utc>::from_timestamp(1_700_000_000, 0).unwrap();
            let steps: Vec<SupervisionStep> =
                kinds.iter().enumerate().map(|(i, k)| step(Step::ALL[*k], t0 + Duration::hours(i as i64))).collect();
            let s = Supervision::of(&steps);
            let last_ask = steps.iter().rposition(|x| x.step == Step::RequestExtension);
            let last_answer = steps.iter().rposition(|x| matches!(x.step, Step::ApproveExtension | Step::RefuseExtension));
            prop_assert_eq!(s.pending_extension.is_some(), last_ask.is_some_and(|a| last_answer.is_none_or(|b| b < a)));
            prop_assert_eq!(s.reminders as usize, steps.iter().filter(|x| x.step == Step::Urge).count());
            prop_assert_eq!(s.interviews as usize, steps.iter().filter(|x| x.step == Step::Interview).count());
        }
    }
}
