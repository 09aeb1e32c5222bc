//! The kit every feature shares and that depends on no feature: the page frame and rendering,
//! the API's extractors and typed answers, sign-in extractors, errors, spreadsheets and the
//! message catalogue.

pub mod api;
pub mod auth;
pub mod error;
pub mod page;
pub mod picker;
pub mod sheets;
pub mod words;

/// The catalogue lives below app and web alike (notifications and reports use it too).
pub use anjian_i18n as i18n;
