//! Typical cases (典型案例).

pub mod api;
pub mod pages;
