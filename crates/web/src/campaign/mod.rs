//! The campaign: its plan text, the task board and the live work on it.

pub mod api;
pub mod board;
pub mod board_api;
pub mod pages;
