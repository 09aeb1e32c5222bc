//! Principals' safety tests (sittings, results) and supervision levels.

pub mod api;
pub mod pages;
