//! Enterprises' fundamentals (安全生产基础) and the powers list.

pub mod api;
pub mod pages;
