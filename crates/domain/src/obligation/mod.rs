//! The obligation engine: from a plan, the city's subjects and the activities recorded, every
//! obligation instance (subject × rule × window) with its status, its progress and the records
//! that count toward it.
//!
//! The [`Board`] is built once and then kept current one activity at a time: adding a record
//! touches only the windows it falls in, never the whole city.

mod board;
mod window;
mod world;

pub use board::{Board, Obligation, RuleSummary, SubjectInfo};
pub use window::{find as find_window, windows, Window};
pub use world::{Indexed, JurisdictionFacts, LevelChange, OrgFacts, Owned, SiteFacts, UserFacts, World};

use crate::org::string_enum;
use crate::plan::ActivityKind;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

string_enum! {
    /// The kind of record an activity comes from; with its id it is the evidence shown to users.
    Source {
        Inspection => "inspection",
        Hazard => "hazard",
        TypicalCase => "typical_case",
        LiaisonReport => "liaison_report",
        WeeklyAnalysis => "weekly_analysis",
        PatrolRound => "patrol_round",
        Maintenance => "maintenance",
        Training => "training",
        Drill => "drill",
        TestSitting => "test_sitting",
        Loading => "loading",
        Ledger => "ledger",
    }
}

/// A record that counts toward obligations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Evidence {
    pub source: Source,
    pub id: i64,
}

/// One countable thing that happened: who did it, on what, when — and when it was entered.
#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    pub kind: ActivityKind,
    /// When it happened, as the record says.
    pub at: DateTime<Utc>,
    /// When it was entered, by the server's clock. An entry made after its window closed (and
    /// the plan's grace) is 补录: it still shows, but it does not turn a window that closed short
    /// into "met" — see [`Status::MetLate`].
    pub recorded_at: DateTime<Utc>,
    pub actor_user: Option<i64>,
    pub actor_org: Option<i64>,
    pub target_org: Option<i64>,
    pub target_site: Option<i64>,
    pub target_point: Option<i64>,
    pub target_guard: Option<i64>,
    pub target_jurisdiction: Option<i64>,
    pub evidence: Evidence,
    /// The checklist items the record went through (a crossing check's equipment, a loading's
    /// vehicle items), for the kinds that keep them ([`ActivityKind::records_items`]); a rule
    /// with a `checklist` counts the record only when it went through every item of it.
    /// `None`: kept no items (a record entered before a release kept them is judged as it was
    /// then, not failed after the fact).
    pub items: Option<Vec<String>>,
}

impl Activity {
    /// An activity entered as it happened, with no actor or target yet; see [`Activity::by`],
    /// [`Activity::on_org`] and [`Activity::entered`].
    pub fn new(kind: ActivityKind, at: DateTime<Utc>, evidence: Evidence) -> Activity {
        Activity {
            kind,
            at,
            recorded_at: at,
            actor_user: None,
            actor_org: None,
            target_org: None,
            target_site: None,
            target_point: None,
            target_guard: None,
            target_jurisdiction: None,
            evidence,
            items: None,
        }
    }

    /// The record went through these checklist items.
    pub fn covering(mut self, items: impl IntoIterator<Item = impl Into<String>>) -> Activity {
        self.items = Some(items.into_iter().map(Into::into).collect());
        self
    }

    /// Done by this account, of this organisation.
    pub fn by(mut self, user: i64, org: Option<i64>) -> Activity {
        self.actor_user = Some(user);
        self.actor_org = org;
        self
    }

    /// Done on (or for) this organisation.
    pub fn on_org(mut self, org: i64) -> Activity {
        self.target_org = Some(org);
        self
    }

    /// Entered at `t` (the server's clock), which may be long after it happened.
    pub fn entered(mut self, t: DateTime<Utc>) -> Activity {
        self.recorded_at = t;
        self
    }
}

/// Who an obligation falls on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Subject {
    Org(i64),
    User(i64),
    /// A leader of 附件1, by code.
    Leader(String),
}

impl fmt::Display for Subject {
    /// `org-12`, `user-5`, `leader-director`: the form used in links.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Org(id) => write!(f, "org-{id}"),
            Subject::User(id) => write!(f, "user-{id}"),
            Subject::Leader(code) => write!(f, "leader-{code}"),
        }
    }
}

impl FromStr for Subject {
    type Err = crate::org::UnknownCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || crate::org::UnknownCode(s.to_owned());
        match s.split_once('-') {
            Some(("org", id)) => id.parse().map(Subject::Org).map_err(|_| bad()),
            Some(("user", id)) => id.parse().map(Subject::User).map_err(|_| bad()),
            Some(("leader", code)) if !code.is_empty() => Ok(Subject::Leader(code.to_owned())),
            _ => Err(bad()),
        }
    }
}

/// Where an obligation stands. Ordered from worst to best, so that "adding an activity never
/// lowers a status" reads as `new >= old`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Status {
    /// The window closed short of the count.
    Overdue,
    /// The window closed short of the count, and entries made after it closed (补录) make up the
    /// rest. It still counts among the overdue of its period.
    MetLate,
    /// Open, but so much of the window has gone that the rest is unlikely to be done: see
    /// [`status`].
    AtRisk,
    /// Open and on course.
    Due,
    Met,
    /// Nothing to do: the rule's targets do not exist for this subject.
    NotApplicable,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Overdue => "overdue",
            Status::MetLate => "met_late",
            Status::AtRisk => "at_risk",
            Status::Due => "due",
            Status::Met => "met",
            Status::NotApplicable => "not_applicable",
        }
    }

    /// The window closed short of its count in time — whether or not 补录 made it up later.
    /// What overdue statistics and overdue lists count.
    pub fn closed_short(self) -> bool {
        matches!(self, Status::Overdue | Status::MetLate)
    }
}

/// A window is at risk once this share of it has passed with anything still missing …
pub const AT_RISK_LATE: f64 = 0.75;
/// … or once this share has passed with less than this share of the count done.
pub const AT_RISK_BEHIND: f64 = 0.5;

/// The status of `done` out of `need` in `window` at `now`, where `late` more were entered
/// after the window closed (补录).
///
/// At risk means the remaining count is unlikely: three quarters of the window have gone and it
/// is not met, or — when more than one is needed — half of it has gone and less than half is done
/// (behind a steady pace).
pub fn status(need: u32, done: u32, late: u32, window: &Window, now: DateTime<Utc>) -> Status {
    if need == 0 {
        return Status::NotApplicable;
    }
    if done >= need {
        return Status::Met;
    }
    if now >= window.end {
        return if done + late >= need { Status::MetLate } else { Status::Overdue };
    }
    let gone = window.elapsed(now);
    let behind = need >= 2 && gone >= AT_RISK_BEHIND && f64::from(done) < f64::from(need) * AT_RISK_BEHIND;
    if gone >= AT_RISK_LATE || behind {
        Status::AtRisk
    } else {
        Status::Due
    }
}

#[cfg(test)]
mod tests;
