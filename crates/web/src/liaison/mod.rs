//! Leaders' liaison reports and weekly analyses.

pub mod api;
pub mod pages;
