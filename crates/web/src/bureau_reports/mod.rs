//! A bureau's weekly and monthly reports.

pub mod api;
pub mod pages;
