//! The anjian binary: configuration, wiring and the command line. Every command calls the same
//! use cases as the web pages.

mod backup;
mod bench;
mod bench_hazards;
mod bench_obligations;
mod bench_telemetry;
mod cli;
mod config;
mod jobs;
mod load_test;
mod mqtt;
mod serve;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let args = cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("anjian: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cli::run(args)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("anjian: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
