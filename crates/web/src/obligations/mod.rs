//! Obligations: mine, an organisation's, compliance and the overdue list.

pub mod api;
pub mod pages;
