//! Hazards (隐患): the ledger, one hazard's lifecycle, photos, imports and exports.

pub mod api;
pub mod pages;
pub mod supervision;
