//! Railway crossings: equipment, checks, guards, shifts, trainings.

pub mod api;
pub mod pages;
