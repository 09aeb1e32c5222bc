//! The anjian server as a library: configuration, wiring, the MQTT consumer and the command line.
//! The `anjian` binary is a thin `main` over [`cli::run`]; `anjian-bench` reuses the wiring.

pub mod backup;
pub mod cli;
pub mod config;
pub mod jobs;
pub mod mqtt;
pub mod serve;
