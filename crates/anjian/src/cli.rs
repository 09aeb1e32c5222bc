//! The command line.

use crate::config::{self, FileConfig, Layers, Resolved};
use crate::serve;
use anjian_app::demo::DemoSpec;
use anjian_app::AppError;
use anjian_domain::plan::{self, Severity};
use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "anjian", version, about = "安监 — work-safety supervision platform")]
pub struct Cli {
    /// Configuration file (TOML). Flags and ANJIAN_* variables override it.
    #[arg(long, global = true, env = "ANJIAN_CONFIG")]
    config: Option<PathBuf>,
    /// Folder for the SQLite database, the audit checkpoint and demo credentials.
    #[arg(long, global = true, env = "ANJIAN_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// `sqlite:PATH` or `postgres://user@host/db`. Default: SQLite in the data folder.
    #[arg(long, global = true, env = "ANJIAN_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the web server (pages, API, health and metrics).
    Serve {
        /// Address to listen on.
        #[arg(long, env = "ANJIAN_LISTEN")]
        listen: Option<String>,
        /// On first start, generate a demo city from the seed plan.
        #[arg(long)]
        demo: bool,
        #[arg(long, default_value_t = 300)]
        enterprises: u32,
        #[arg(long, default_value_t = 2022)]
        seed: u64,
        /// Cookies without the Secure flag, for trials over plain HTTP on a non-local address.
        #[arg(long)]
        insecure_cookies: bool,
    },
    /// Sets up an installation from a plan: its jurisdictions, their bureaus and the system
    /// admin (whose one-time password is printed once).
    Init {
        /// The plan file (`anjian plan lint` it first).
        #[arg(long)]
        plan: PathBuf,
        /// Run the plan's campaign in another year: every date moves to this year.
        #[arg(long)]
        year: Option<i32>,
    },
    /// Applies pending database migrations and exits.
    Migrate,
    /// Plan files: lint and import.
    Plan {
        #[command(subcommand)]
        command: PlanCommand,
    },
    /// Generates a deterministic synthetic city (once per database).
    Demo {
        #[arg(long, default_value_t = 300)]
        enterprises: u32,
        #[arg(long, default_value_t = 2022)]
        seed: u64,
    },
    /// Accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// An online, consistent backup of a SQLite installation into a new folder: the database,
    /// the uploaded files, the keys and the audit checkpoint.
    Backup {
        /// The folder to create (it must not exist).
        to: PathBuf,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Subcommand)]
enum PlanCommand {
    /// Reports errors, contradictions and ambiguities as FILE:LINE:COLUMN lines.
    Lint { file: PathBuf },
    /// Prints the plan format's reference (every field, its type, its effect) as Markdown.
    Reference,
    /// Imports a plan: shows what changes, then keeps it as a new version.
    Import {
        file: PathBuf,
        /// Apply without asking.
        #[arg(long)]
        yes: bool,
        /// Show what would change and stop.
        #[arg(long)]
        dry_run: bool,
        /// Run the same campaign in another year: every date moves to this year.
        #[arg(long)]
        year: Option<i32>,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Creates an account and prints its one-time password.
    Create {
        #[arg(long)]
        username: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        role: String,
        #[arg(long)]
        org_id: Option<i64>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walks the hash chain and checks it against the signed checkpoint; names the first bad
    /// record or the checkpoint's problem. Exit code 1 if either cannot be trusted.
    Verify {
        /// The auditor's copy of the checkpoint's public key (`anjian audit public-key`);
        /// without it, the key in the data folder is used.
        #[arg(long)]
        public_key: Option<String>,
        /// A checkpoint kept elsewhere (a copy taken off the machine) instead of the data folder's.
        #[arg(long)]
        checkpoint: Option<PathBuf>,
    },
    /// Advances the signed checkpoint to the chain's head, as a running server does every few
    /// seconds; exit code 1 if the chain since the last checkpoint does not verify.
    Checkpoint,
    /// Prints the public key that verifies the checkpoint, for the auditor to keep.
    PublicKey,
}

fn resolved(cli: &Cli, listen: Option<String>, insecure_cookies: bool) -> anyhow::Result<Resolved> {
    let file = FileConfig::load(cli.config.as_deref())?;
    config::resolve(Layers {
        file: &file,
        data_dir: cli.data_dir.clone(),
        database_url: cli.database_url.clone(),
        listen,
        insecure_cookies,
    })
}

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match &cli.command {
        Command::Plan { command: PlanCommand::Lint { file } } => return lint(file),
        Command::Plan { command: PlanCommand::Reference } => {
            print!("{}", plan::reference::markdown());
            return Ok(ExitCode::SUCCESS);
        }
        _ => {}
    }
    let (listen, insecure) = match &cli.command {
        Command::Serve { listen, insecure_cookies, .. } => (listen.clone(), *insecure_cookies),
        _ => (None, false),
    };
    let cfg = resolved(&cli, listen, insecure)?;
    serve::init_logging(cfg.log_json);
    let app = serve::open(&cfg).await?;
    match cli.command {
        Command::Serve { demo, enterprises, seed, .. } => {
            if !demo && !serve::initialised(&app).await {
                eprintln!("{}", serve::NOT_INITIALISED);
                return Ok(ExitCode::from(2));
            }
            serve::prepare(&app, &cfg, demo.then_some(DemoSpec { enterprises, seed })).await?;
            serve::run(app, &cfg).await?;
        }
        Command::Init { plan, year } => {
            let text = plan_text(&plan, year)?;
            if let Err(findings) = serve::init(&app, &text).await? {
                for f in findings.iter().filter(|f| f.severity == Severity::Error) {
                    println!("{}:{f}", plan.display());
                }
                return Ok(ExitCode::from(1));
            }
        }
        Command::Migrate => println!("migrations applied"),
        Command::Plan { command: PlanCommand::Import { file, yes, dry_run, year } } => {
            return import(&app, &file, yes, dry_run, year).await
        }
        Command::Plan { command: PlanCommand::Lint { .. } | PlanCommand::Reference } => {
            unreachable!("handled above")
        }
        Command::Demo { enterprises, seed } => {
            serve::import_demo_plan(&app).await?;
            serve::demo(&app, &cfg, DemoSpec { enterprises, seed }).await?;
        }
        Command::User { command: UserCommand::Create { username, name, role, org_id } } => {
            let input = anjian_app::users::CreateUser {
                username,
                display_name: name,
                role,
                org_id,
                leader_code: None,
                position: None,
            };
            match app.create_user(None, input).await {
                Ok((u, pw)) => println!("created {} ({}); one-time password: {pw}", u.username, u.role),
                Err(AppError::Invalid(f)) => bail!(
                    "invalid: {}",
                    f.iter().map(|f| format!("{} {}", f.field, f.code)).collect::<Vec<_>>().join(", ")
                ),
                Err(e) => return Err(e.into()),
            }
        }
        Command::Backup { to } => {
            crate::backup::run(&app, &cfg, &to).await?;
        }
        Command::Audit { command: AuditCommand::Verify { public_key, checkpoint } } => {
            let public = match public_key {
                Some(k) => k.parse().map_err(|e| anyhow::anyhow!("--public-key: {e}"))?,
                None => serve::checkpoint_key(&cfg)?.public(),
            };
            let path = checkpoint.unwrap_or_else(|| cfg.checkpoint_path());
            return match app.verify_audit(Some((&path, &public))).await? {
                Ok(v) => {
                    println!("audit chain ok: {} records, head {} {}", v.records, v.head_seq, v.head_hash);
                    Ok(ExitCode::SUCCESS)
                }
                Err(b) => {
                    println!("audit chain BROKEN: {b}");
                    Ok(ExitCode::from(1))
                }
            };
        }
        Command::Audit { command: AuditCommand::Checkpoint } => {
            return match app.advance_audit_checkpoint().await? {
                Some(Ok(cp)) => {
                    println!("audit checkpoint at record {} {}", cp.seq, cp.hash);
                    Ok(ExitCode::SUCCESS)
                }
                Some(Err(b)) => {
                    println!("audit checkpoint NOT advanced: {b}");
                    Ok(ExitCode::from(1))
                }
                None => unreachable!("the binary always keeps a checkpoint"),
            };
        }
        Command::Audit { command: AuditCommand::PublicKey } => {
            println!("{}", serve::checkpoint_key(&cfg)?.public());
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn lint(file: &PathBuf) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let findings = plan::lint(&text);
    for f in &findings {
        println!("{}:{f}", file.display());
    }
    let errors = findings.iter().filter(|f| f.severity == Severity::Error).count();
    let warnings = findings.iter().filter(|f| f.severity == Severity::Warning).count();
    let notes = findings.len() - errors - warnings;
    println!("{errors} errors, {warnings} warnings, {notes} notes");
    Ok(if errors > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// A plan file's text, its dates moved to `year` when asked.
fn plan_text(file: &PathBuf, year: Option<i32>) -> anyhow::Result<String> {
    let mut text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    if let Some(y) = year {
        let plan = anjian_domain::plan::Plan::parse(&text).map_err(|e| anyhow::anyhow!("{}:{e}", file.display()))?;
        let from = chrono::Datelike::year(&plan.plan.starts.get_ref().0);
        text = anjian_domain::plan::redate(&text, y - from);
        println!("{}: dates moved from {from} to {y}", file.display());
    }
    Ok(text)
}

async fn import(
    app: &anjian_app::App,
    file: &PathBuf,
    yes: bool,
    dry_run: bool,
    year: Option<i32>,
) -> anyhow::Result<ExitCode> {
    let text = plan_text(file, year)?;
    let preview = match app.preview_plan(&text).await {
        Ok(p) => p,
        Err(AppError::PlanInvalid(findings)) => {
            for f in findings.iter().filter(|f| f.severity == Severity::Error) {
                println!("{}:{f}", file.display());
            }
            return Ok(ExitCode::from(1));
        }
        Err(e) => return Err(e.into()),
    };
    if preview.unchanged {
        println!("{}: unchanged (version {})", preview.plan_id, preview.current_version.unwrap_or(0));
        return Ok(ExitCode::SUCCESS);
    }
    match preview.current_version {
        None => println!("{}: new plan", preview.plan_id),
        Some(v) => {
            println!("{}: changes against version {v}:", preview.plan_id);
            for c in &preview.changes {
                println!("  {:?} {} {}", c.kind, c.section, c.key);
                for f in &c.fields {
                    let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
                    println!("      {}: {} → {}", f.field, show(&f.old), show(&f.new));
                }
            }
            if preview.changes.is_empty() {
                println!("  (comments or layout only)");
            }
        }
    }
    if dry_run {
        return Ok(ExitCode::SUCCESS);
    }
    if !yes && preview.current_version.is_some() {
        print!("apply? [y/N] ");
        std::io::stdout().flush().ok();
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer).ok();
        if !answer.trim().eq_ignore_ascii_case("y") {
            println!("not applied");
            return Ok(ExitCode::from(2));
        }
    }
    let done = app.import_plan(None, &text).await?;
    println!("imported as version {}", done.version);
    Ok(ExitCode::SUCCESS)
}
