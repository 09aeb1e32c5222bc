//! Organisations and their sites.

pub mod api;
pub mod pages;
