//! Checklists (检查表) and their versions.

pub mod api;
pub mod pages;
