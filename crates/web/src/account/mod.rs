//! The signed-in person: sign-in, the account page, tokens and the second factor.

pub mod api;
pub mod login;
pub mod pages;
