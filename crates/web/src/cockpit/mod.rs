//! The cockpit (驾驶舱).

pub mod api;
pub mod pages;
