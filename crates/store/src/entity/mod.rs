//! sea-orm entities: the rows as stored. Repositories turn them into what callers need.

pub mod api_token;
pub mod attachment;
pub mod audit_head;
pub mod audit_log;
pub mod checklist;
pub mod checklist_version;
pub mod hazard;
pub mod hazard_event;
pub mod hazard_plan;
pub mod inspection;
pub mod inspection_coverage;
pub mod inspection_finding;
pub mod inspection_point;
pub mod jurisdiction;
pub mod ledger;
pub mod org;
pub mod plan_version;
pub mod session;
pub mod site;
pub mod typical_case;
pub mod user;
