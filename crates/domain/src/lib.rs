//! The pure domain of anjian: what the plan says, how periods are cut, who may see what, what a
//! good password is and how the audit chain is computed. No I/O, no async, no SQL, no HTTP: every
//! rule decided here is tested here.

pub mod account;
pub mod attachment;
pub mod audit;
pub mod campaign;
pub mod checklist;
pub mod clock;
pub mod code;
pub mod crossing;
pub mod fundamentals;
pub mod hazard;
pub mod inspection;
pub mod ledger;
pub mod money;
pub mod notification;
pub mod obligation;
pub mod org;
pub mod paper;
pub mod password;
pub mod patrol;
pub mod period;
pub mod plan;
pub mod report;
pub mod role;
pub mod safety_test;
pub mod scope;
pub mod supervision;
pub mod telemetry;
pub mod tip;
pub mod warehouse;

/// The time zone every period and every date on a page is computed in.
pub const TZ: chrono_tz::Tz = chrono_tz::Asia::Shanghai;
