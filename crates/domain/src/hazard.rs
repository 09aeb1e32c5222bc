//! The hazard lifecycle (安全生产事故隐患排查治理暂行规定, 2007): draft → reported → rectifying →
//! awaiting verification → closed (销号). Verification may send it back to rectifying with a reason.
//! A major hazard needs its governance plan before rectifying starts, and only a regulator may
//! close it. Whoever fixed a hazard cannot be the one who closes it. Being overdue is not a state:
//! it is derived from the deadline and the clock, and escalates one tier up (挂牌督办).

use crate::money::Fen;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum HazardState {
    Draft,
    Reported,
    Rectifying,
    AwaitingVerification,
    Closed,
}

impl HazardState {
    pub fn as_str(self) -> &'static str {
        match self {
            HazardState::Draft => "draft",
            HazardState::Reported => "reported",
            HazardState::Rectifying => "rectifying",
            HazardState::AwaitingVerification => "awaiting_verification",
            HazardState::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<HazardState> {
        [Self::Draft, Self::Reported, Self::Rectifying, Self::AwaitingVerification, Self::Closed]
            .into_iter()
            .find(|x| x.as_str() == s)
    }

    pub fn is_open(self) -> bool {
        self != HazardState::Closed
    }
}

impl std::str::FromStr for HazardState {
    type Err = crate::org::UnknownCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        HazardState::parse(s).ok_or_else(|| crate::org::UnknownCode(s.to_owned()))
    }
}

/// What the lifecycle needs to know about a hazard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HazardFacts {
    pub state: HazardState,
    /// The grade asks for a governance plan (重大隐患治理方案) and a regulator's verification.
    pub major: bool,
    pub has_governance_plan: bool,
    /// Who submitted the rectification (or fixed it on the spot).
    pub fixed_by: Option<i64>,
    /// A photo of the fixed state is attached (即查即改 needs one).
    pub has_after_photo: bool,
    /// A deadline is set: 限期整改 means rectification by a date.
    pub has_deadline: bool,
}

/// Who acts, as far as the lifecycle cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Doer {
    pub user_id: i64,
    /// Works for a regulator (bureau), not for the enterprise.
    pub regulator: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// The finder files the hazard.
    Report,
    /// 即查即改: fixed on the spot, with an after photo; goes straight to verification.
    FixOnSpot,
    /// The governance plan of a major hazard is attached.
    AttachPlan,
    /// 限期整改: rectification starts.
    StartRectifying,
    /// The owner says it is fixed.
    SubmitRectification,
    /// 销号: someone other than the fixer confirms it is fixed.
    Verify,
    /// Not fixed: back to rectifying, with a reason.
    Reject { reason: String },
}

impl Action {
    pub fn name(&self) -> &'static str {
        match self {
            Action::Report => "report",
            Action::FixOnSpot => "fix_on_spot",
            Action::AttachPlan => "attach_plan",
            Action::StartRectifying => "start_rectifying",
            Action::SubmitRectification => "submit_rectification",
            Action::Verify => "verify",
            Action::Reject { .. } => "reject",
        }
    }
}

/// Why an action was refused; each has a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// The action does not apply in this state (verify before rectify, sign twice …).
    OutOfOrder,
    /// A major hazard cannot start rectifying without its governance plan.
    PlanRequired,
    /// Only major hazards have governance plans; fixing on the spot is for general ones.
    NotForThisGrade,
    /// The fixer cannot verify their own fix.
    SamePerson,
    /// Only a regulator verifies a major hazard.
    RegulatorRequired,
    /// Rejecting needs a reason.
    ReasonRequired,
    /// Fixing on the spot needs a photo of the result.
    PhotoRequired,
    /// 限期整改 needs its deadline first.
    DeadlineRequired,
    /// A deadline lies ahead.
    DeadlinePast,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::OutOfOrder => "hazard_out_of_order",
            Refusal::PlanRequired => "hazard_plan_required",
            Refusal::NotForThisGrade => "hazard_not_for_grade",
            Refusal::SamePerson => "hazard_same_person",
            Refusal::RegulatorRequired => "hazard_regulator_required",
            Refusal::ReasonRequired => "hazard_reason_required",
            Refusal::PhotoRequired => "hazard_photo_required",
            Refusal::DeadlineRequired => "hazard_deadline_required",
            Refusal::DeadlinePast => "hazard_deadline_past",
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Applies an action; returns the hazard after it, or why it is refused.
pub fn apply(h: &HazardFacts, action: &Action, by: Doer) -> Result<HazardFacts, Refusal> {
    use HazardState::*;
    let mut next = h.clone();
    match (h.state, action) {
        (Draft, Action::Report) => next.state = Reported,
        (Reported, Action::FixOnSpot) => {
            if h.major {
                return Err(Refusal::NotForThisGrade);
            }
            if !h.has_after_photo {
                return Err(Refusal::PhotoRequired);
            }
            next.state = AwaitingVerification;
            next.fixed_by = Some(by.user_id);
        }
        (Draft | Reported | Rectifying, Action::AttachPlan) => {
            if !h.major {
                return Err(Refusal::NotForThisGrade);
            }
            next.has_governance_plan = true;
        }
        (Reported, Action::StartRectifying) => {
            if h.major && !h.has_governance_plan {
                return Err(Refusal::PlanRequired);
            }
            if !h.has_deadline {
                return Err(Refusal::DeadlineRequired);
            }
            next.state = Rectifying;
        }
        (Rectifying, Action::SubmitRectification) => {
            next.state = AwaitingVerification;
            next.fixed_by = Some(by.user_id);
        }
        (AwaitingVerification, Action::Verify | Action::Reject { .. }) => {
            if h.fixed_by == Some(by.user_id) {
                return Err(Refusal::SamePerson);
            }
            if h.major && !by.regulator {
                return Err(Refusal::RegulatorRequired);
            }
            match action {
                Action::Verify => next.state = Closed,
                Action::Reject { reason } if reason.trim().is_empty() => return Err(Refusal::ReasonRequired),
                _ => next.state = Rectifying,
            }
        }
        _ => return Err(Refusal::OutOfOrder),
    }
    Ok(next)
}

/// A change of a hazard's deadline, as the history records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineChange {
    /// The first deadline (限期).
    Set,
    /// A later one than before: only a bureau grants it, and only for a reason (延期).
    Extended,
    /// An earlier one: only a bureau, with a reason.
    Shortened,
}

impl DeadlineChange {
    pub fn name(self) -> &'static str {
        match self {
            DeadlineChange::Set => "set_deadline",
            DeadlineChange::Extended => "extend_deadline",
            DeadlineChange::Shortened => "shorten_deadline",
        }
    }
}

/// Whether `by` may move an open hazard's deadline from `current` to `new` at `now`, and what
/// the change is. The first deadline is the rectifier's to set; changing one that is set is a
/// bureau's decision, with a reason — so nobody quietly moves a deadline out of being overdue.
pub fn change_deadline(
    state: HazardState,
    current: Option<DateTime<Utc>>,
    new: DateTime<Utc>,
    by: Doer,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<DeadlineChange, Refusal> {
    if !state.is_open() {
        return Err(Refusal::OutOfOrder);
    }
    if new <= now {
        return Err(Refusal::DeadlinePast);
    }
    let change = match current {
        None => return Ok(DeadlineChange::Set),
        Some(c) if new > c => DeadlineChange::Extended,
        Some(c) if new < c => DeadlineChange::Shortened,
        Some(_) => return Err(Refusal::OutOfOrder),
    };
    if !by.regulator {
        return Err(Refusal::RegulatorRequired);
    }
    if reason.trim().is_empty() {
        return Err(Refusal::ReasonRequired);
    }
    Ok(change)
}

/// Overdue: open past its deadline.
pub fn is_overdue(state: HazardState, deadline: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    state.is_open() && state != HazardState::Draft && deadline.is_some_and(|d| now > d)
}

/// A hazard as it stands now; its history is in `hazard_events`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Hazard {
    pub id: i64,
    pub uid: String,
    pub org_id: i64,
    pub jurisdiction_path: String,
    pub org_path: String,
    pub point_id: Option<i64>,
    pub inspection_id: Option<i64>,
    pub source: String,
    pub description: String,
    pub grade: String,
    pub category: Option<String>,
    pub measures: String,
    pub funds_fen: Fen,
    pub owner: String,
    pub deadline: Option<DateTime<Utc>>,
    pub state: HazardState,
    pub has_plan: bool,
    pub fixed_by: Option<i64>,
    pub discovered_at: DateTime<Utc>,
    pub discovered_by: i64,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_by: Option<i64>,
    #[serde(skip)]
    pub request_digest: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Hazard {
    /// Open past its deadline (the ledger's 逾期, the cue for 挂牌督办).
    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        is_overdue(self.state, self.deadline, now)
    }

    pub fn is_closed(&self) -> bool {
        self.state == HazardState::Closed
    }
}

/// One transition of a hazard: who, when, why (append-only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HazardEvent {
    pub id: i64,
    pub hazard_id: i64,
    pub action: String,
    pub from_state: String,
    pub to_state: String,
    pub actor_id: i64,
    pub actor: String,
    pub at: DateTime<Utc>,
    pub reason: String,
}

/// The governance plan of a major hazard (重大隐患治理方案), six parts (append-only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HazardPlan {
    pub id: i64,
    pub hazard_id: i64,
    pub goals: String,
    pub measures: String,
    pub funds_materials: String,
    pub responsible: String,
    pub time_limit: String,
    pub safety_emergency: String,
    /// The affected work is suspended until the hazard is closed (停产停业整改).
    pub suspends_work: bool,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default)]
pub struct HazardFilter {
    pub org_id: Option<i64>,
    pub state: Option<HazardState>,
    pub grade: Option<String>,
    /// Only open hazards past their deadline at this instant.
    pub overdue_at: Option<DateTime<Utc>>,
    pub open_only: bool,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub q: Option<String>,
    /// Inside this jurisdiction (its materialised path, e.g. a county's `/1/3/`).
    pub jurisdiction_path: Option<String>,
    /// Of organisations in this industry.
    pub industry: Option<String>,
    /// Closed (销号) in `[closed_since, closed_until)`.
    pub closed_since: Option<DateTime<Utc>>,
    pub closed_until: Option<DateTime<Utc>>,
    /// Only those with a governance plan attached.
    pub with_plan: bool,
}

/// The six parts of a major hazard's governance plan.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct PlanParts {
    pub goals: String,
    pub measures: String,
    pub funds_materials: String,
    pub responsible: String,
    pub time_limit: String,
    pub safety_emergency: String,
    /// The affected work is suspended until the hazard is closed.
    #[serde(default)]
    pub suspends_work: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn action() -> impl Strategy<Value = Action> {
        prop_oneof![
            Just(Action::Report),
            Just(Action::FixOnSpot),
            Just(Action::AttachPlan),
            Just(Action::StartRectifying),
            Just(Action::SubmitRectification),
            Just(Action::Verify),
            Just(Action::Reject { reason: "未整改到位".into() }),
            Just(Action::Reject { reason: " ".into() }),
        ]
    }

    fn doer() -> impl Strategy<Value = Doer> {
        (1i64..4, any::<bool>()).prop_map(|(user_id, regulator)| Doer { user_id, regulator })
    }

    proptest! {
        /// Whatever is tried by whoever, in whatever order: a hazard closes only through a
        /// verification by someone other than its fixer (a regulator for a major one), and a
        /// major hazard is never rectifying without a plan.
        #[test]
        fn no_sequence_breaks_the_rules(major in any::<bool>(), photo in any::<bool>(), steps in prop::collection::vec((action(), doer()), 0..40)) {
            let mut h = HazardFacts { state: HazardState::Draft, major, has_governance_plan: false, fixed_by: None, has_after_photo: photo, has_deadline: true };
            for (a, by) in steps {
                let before = h.clone();
                match apply(&h, &a, by) {
                    Ok(next) => {
                        if next.state == HazardState::Closed {
                            prop_assert_eq!(&a, &Action::Verify);
                            prop_assert_eq!(before.state, HazardState::AwaitingVerification);
                            prop_assert!(before.fixed_by.is_some() && before.fixed_by != Some(by.user_id));
                            prop_assert!(!major || by.regulator);
                        }
                        if major && next.state == HazardState::Rectifying {
                            prop_assert!(next.has_governance_plan);
                        }
                        if a == Action::FixOnSpot {
                            prop_assert!(photo, "fixed on the spot without a photo");
                        }
                        h = next;
                    }
                    Err(_) => prop_assert_eq!(&h, &before, "a refused action changes nothing"),
                }
                if before.state == HazardState::Closed {
                    prop_assert_eq!(h.state, HazardState::Closed, "closed is final");
                }
            }
        }
    }

    #[test]
    fn the_usual_paths() {
        let fixer = Doer { user_id: 1, regulator: false };
        let checker = Doer { user_id: 2, regulator: false };
        let bureau = Doer { user_id: 3, regulator: true };
        let general = HazardFacts {
            state: HazardState::Draft,
            major: false,
            has_governance_plan: false,
            fixed_by: None,
            has_after_photo: false,
            has_deadline: true,
        };
        let h = apply(&general, &Action::Report, fixer).unwrap();
        let no_deadline = HazardFacts { has_deadline: false, ..h.clone() };
        assert_eq!(apply(&no_deadline, &Action::StartRectifying, fixer), Err(Refusal::DeadlineRequired));
        assert_eq!(apply(&h, &Action::FixOnSpot, fixer), Err(Refusal::PhotoRequired));
        let h = HazardFacts { has_after_photo: true, ..h };
        let h = apply(&h, &Action::FixOnSpot, fixer).unwrap();
        assert_eq!(apply(&h, &Action::Verify, fixer), Err(Refusal::SamePerson));
        assert_eq!(apply(&h, &Action::Verify, checker).unwrap().state, HazardState::Closed);

        let major = HazardFacts { major: true, ..general };
        let h = apply(&major, &Action::Report, fixer).unwrap();
        assert_eq!(apply(&h, &Action::StartRectifying, fixer), Err(Refusal::PlanRequired));
        assert_eq!(apply(&h, &Action::FixOnSpot, fixer), Err(Refusal::NotForThisGrade));
        let h = apply(&h, &Action::AttachPlan, fixer).unwrap();
        let h = apply(&h, &Action::StartRectifying, fixer).unwrap();
        let h = apply(&h, &Action::SubmitRectification, fixer).unwrap();
        assert_eq!(apply(&h, &Action::Verify, checker), Err(Refusal::RegulatorRequired));
        let back = apply(&h, &Action::Reject { reason: "资金未落实".into() }, bureau).unwrap();
        assert_eq!(back.state, HazardState::Rectifying);
        assert_eq!(apply(&h, &Action::Verify, bureau).unwrap().state, HazardState::Closed);
        assert_eq!(apply(&general, &Action::Verify, bureau), Err(Refusal::OutOfOrder));
    }

    #[test]
    fn a_deadline_is_set_once_and_moved_only_by_a_bureau_with_a_reason() {
        let now: DateTime<Utc> = "2022-08-15T02:00:00Z".parse().unwrap();
        let (day, enterprise, bureau) =
            (chrono::Duration::days(1), Doer { user_id: 1, regulator: false }, Doer { user_id: 2, regulator: true });
        let open = HazardState::Rectifying;
        assert_eq!(change_deadline(open, None, now + day, enterprise, "", now), Ok(DeadlineChange::Set));
        assert_eq!(change_deadline(open, None, now - day, enterprise, "", now), Err(Refusal::DeadlinePast));
        let set = Some(now + day);
        assert_eq!(
            change_deadline(open, set, now + day * 10, enterprise, "材料未到", now),
            Err(Refusal::RegulatorRequired)
        );
        assert_eq!(change_deadline(open, set, now + day * 10, bureau, " ", now), Err(Refusal::ReasonRequired));
        assert_eq!(
            change_deadline(open, set, now + day * 10, bureau, "设备订货周期长", now),
            Ok(DeadlineChange::Extended)
        );
        assert_eq!(
            change_deadline(HazardState::Closed, set, now + day * 10, bureau, "x", now),
            Err(Refusal::OutOfOrder)
        );
    }

    #[test]
    fn overdue_is_derived_from_the_deadline() {
        let d = DateTime::from_timestamp(1_660_000_000, 0).unwrap();
        let later = d + chrono::Duration::seconds(1);
        assert!(is_overdue(HazardState::Rectifying, Some(d), later));
        assert!(!is_overdue(HazardState::Closed, Some(d), later));
        assert!(!is_overdue(HazardState::Rectifying, Some(d), d));
        assert!(!is_overdue(HazardState::Reported, None, later));
    }
}
