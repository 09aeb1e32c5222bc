//! `anjian-bench`: the benchmarks of anjian, each one command, and the load test's preparation.
//! Every figure is a ratio against a baseline measured in the same run on the same database (the
//! raw store, or the naive way); BENCHMARKS.md records them with these commands.

mod hazards;
mod load_test;
mod obligations;
mod telemetry;
mod writes;

use anjian_store::{Store, StoreOptions};
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(name = "anjian-bench", version, about = "安监 benchmarks and load-test preparation")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Authenticated write requests per second against the raw insert rate.
    Writes(writes::WritesArgs),
    /// The hazard ledger at city scale: writes, ledger queries, exports.
    Hazards(hazards::HazardBenchArgs),
    /// The obligation engine at several city sizes, against the naive way.
    Obligations(obligations::ObligationBenchArgs),
    /// Warehouse readings per second over HTTP and MQTT against the raw insert ceiling; alarm latency.
    Telemetry(telemetry::TelemetryBenchArgs),
    /// Prepares a running demo installation for `scripts/load-test.sh`: accounts, a token, a
    /// warehouse with sensors and a gateway, written as a Lua table for wrk. Reads the same
    /// configuration as `anjian serve` (file, data folder, database URL).
    LoadPrepare {
        #[arg(long, env = "ANJIAN_CONFIG")]
        config: Option<PathBuf>,
        #[arg(long, env = "ANJIAN_DATA_DIR")]
        data_dir: Option<PathBuf>,
        #[arg(long, env = "ANJIAN_DATABASE_URL", hide_env_values = true)]
        database_url: Option<String>,
        #[command(flatten)]
        args: load_test::LoadPrepareArgs,
    },
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Writes(args) => writes::run(&args).await,
        Command::Hazards(args) => hazards::run(&args).await,
        Command::Obligations(args) => obligations::run(&args).await,
        Command::Telemetry(args) => telemetry::run(&args).await,
        Command::LoadPrepare { config, data_dir, database_url, args } => {
            let file = anjian::config::FileConfig::load(config.as_deref())?;
            let cfg = anjian::config::resolve(anjian::config::Layers {
                file: &file,
                data_dir,
                database_url,
                listen: None,
                insecure_cookies: false,
            })?;
            let app = anjian::serve::open(&cfg).await?;
            // The preparation looks the demo's bureau and enterprises up in the store itself.
            let opts = StoreOptions { url: cfg.database_url().to_owned(), pg_schema: None, max_connections: 2 };
            let store = Store::open(&opts).await?;
            load_test::prepare(&app, &store, &args).await
        }
    }
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("anjian-bench: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("anjian-bench: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
