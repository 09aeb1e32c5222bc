//! The anjian binary. Every command calls the same use cases as the web pages (see `anjian::cli`).

use clap::Parser;

fn main() -> std::process::ExitCode {
    let args = anjian::cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("anjian: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(anjian::cli::run(args)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("anjian: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
