//! Inspection points (units, posts, locations) and their QR sheet.

pub mod api;
pub mod pages;
