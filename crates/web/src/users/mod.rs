//! Accounts and account requests.

pub mod api;
pub mod pages;
