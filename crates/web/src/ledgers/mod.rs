//! Signed hazard ledgers, reported upward.

pub mod api;
pub mod pages;
