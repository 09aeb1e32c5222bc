//! sea-orm entities: the rows as stored. Repositories turn them into what callers need.

pub mod api_token;
pub mod audit_head;
pub mod audit_log;
pub mod jurisdiction;
pub mod org;
pub mod plan_version;
pub mod session;
pub mod site;
pub mod user;
