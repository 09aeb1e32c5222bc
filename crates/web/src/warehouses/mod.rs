//! Explosives warehouses: sensors, alarms, patrol, loadings, facilities.

pub mod api;
pub mod pages;
