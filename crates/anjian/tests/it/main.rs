//! End-to-end tests of anjian: the real router on a random port (and the real binary where the
//! process matters), against SQLite and PostgreSQL alike.

mod api;
mod audit;
mod auth;
mod binary;
mod browser;
mod campaign;
mod crossings;
mod faults;
mod fundamentals;
mod hazards;
mod hostile;
mod plan;
mod safety_tests;
mod scope;
mod tips;
mod upgrade;
mod warehouses;
