//! Inspections and their findings.

pub mod api;
pub mod pages;
