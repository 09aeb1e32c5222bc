//! The inbox.

pub mod api;
pub mod pages;
