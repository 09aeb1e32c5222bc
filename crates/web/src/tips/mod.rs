//! Tips (举报) from the public and whistleblowers.

pub mod api;
pub mod pages;
