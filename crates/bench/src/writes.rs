//! `anjian-bench writes`: authenticated write requests per second over HTTP, side by side with the raw
//! insert rate of the same rows into the same database in the same run (the ceiling). The ratio
//! is what to compare between machines and versions, not the absolute numbers.

use anjian_app::{Actor, App, Settings};
use anjian_domain::clock::SystemClock;
use anjian_store::orgs::{self, NewOrg};
use anjian_store::{jurisdictions, Store, StoreOptions};
use anyhow::Context;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct WritesArgs {
    /// Rows to write in each phase.
    #[arg(long, default_value_t = 2000)]
    requests: usize,
    /// Requests (and raw writers) in flight at once.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Also measure PostgreSQL at this URL (a schema is created and dropped).
    #[arg(long, env = "ANJIAN_BENCH_POSTGRES")]
    postgres: Option<String>,
}

struct Outcome {
    backend: &'static str,
    http_rate: f64,
    http_errors: usize,
    raw_rate: f64,
}

/// A database of one bench phase's own: a SQLite file in a temporary folder, or a schema on
/// PostgreSQL; `finish` removes it whether the phase succeeded or not.
pub struct Scratch {
    pub opts: StoreOptions,
    dir: Option<std::path::PathBuf>,
}

impl Scratch {
    pub fn sqlite(tag: &str, max_connections: u32) -> anyhow::Result<Scratch> {
        let dir = std::env::temp_dir().join(format!("anjian-bench-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let url = format!("sqlite:{}", dir.join("bench.db").display());
        Ok(Scratch { opts: StoreOptions { url, pg_schema: None, max_connections }, dir: Some(dir) })
    }

    pub fn postgres(url: &str, tag: &str, max_connections: u32) -> Scratch {
        let schema = format!("anjian_bench_{tag}_{}", std::process::id());
        Scratch { opts: StoreOptions { url: url.to_owned(), pg_schema: Some(schema), max_connections }, dir: None }
    }

    pub async fn finish(self) {
        if let Some(dir) = &self.dir {
            std::fs::remove_dir_all(dir).ok();
        }
        if let Some(schema) = &self.opts.pg_schema {
            if let Ok(s) = Store::open(&self.opts).await {
                s.drop_schema(schema).await.ok();
            }
        }
    }
}

pub async fn run(args: &WritesArgs) -> anyhow::Result<()> {
    let db = Scratch::sqlite("writes", 16)?;
    let r = measure("sqlite", db.opts.clone(), args).await;
    db.finish().await;
    let mut results = vec![r?];
    if let Some(url) = &args.postgres {
        let db = Scratch::postgres(url, "writes", 16);
        let r = measure("postgres", db.opts.clone(), args).await;
        db.finish().await;
        results.push(r?);
    }
    println!();
    println!("| backend | HTTP writes/s | errors | raw inserts/s | HTTP / raw |");
    println!("|---|---:|---:|---:|---:|");
    for r in &results {
        println!(
            "| {} | {:.0} | {} | {:.0} | {:.2} |",
            r.backend,
            r.http_rate,
            r.http_errors,
            r.raw_rate,
            r.http_rate / r.raw_rate
        );
    }
    println!("\n{} rows per phase, {} in flight; each HTTP write authenticates a token, checks scope, inserts, appends to the audit chain and commits.", args.requests, args.concurrency);
    Ok(())
}

/// The account the benches act as, staff of the Zezhou county bureau, and its API token.
pub async fn county_staff(app: &App, store: &Store) -> anyhow::Result<(Actor, String)> {
    let bureau = orgs::by_code(&store.db, "bureau-zezhou").await?.context("bureau")?;
    let (user, token) = app
        .create_token_account(anjian_app::users::CreateUser {
            username: "bench".into(),
            display_name: "bench".into(),
            role: "county_staff".into(),
            org_id: Some(bureau.id),
            leader_code: None,
            position: None,
        })
        .await?;
    Ok((Actor::new(user, Some(bureau)), token))
}

async fn measure(backend: &'static str, opts: StoreOptions, args: &WritesArgs) -> anyhow::Result<Outcome> {
    let store = Store::open(&opts).await.with_context(|| format!("opening {backend}"))?;
    let app = App::new(store.clone(), Arc::new(SystemClock), Settings::default());
    app.import_plan(None, anjian_app::demo::SEED_PLAN).await?;
    let county = jurisdictions::by_code(&store.db, "zezhou").await?.context("seed plan has 泽州县")?;
    let (_, token) = county_staff(&app, &store).await?;

    let router = anjian_web::router(anjian_web::AppState::new(app.clone()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await.ok();
    });

    // Phase 1: over HTTP, through authentication, scope, validation, audit.
    let client = reqwest::Client::builder().pool_max_idle_per_host(args.concurrency).build()?;
    let next = Arc::new(AtomicUsize::new(0));
    let errors = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..args.concurrency {
        let (client, next, errors, token) = (client.clone(), next.clone(), errors.clone(), token.clone());
        let n = args.requests;
        let url = format!("http://{addr}/api/v1/orgs");
        let jid = county.id;
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                let body = serde_json::json!({"name": format!("压测企业{i:06}"), "kind": "enterprise", "jurisdiction_id": jid});
                let ok = client
                    .post(&url)
                    .bearer_auth(&token)
                    .header("idempotency-key", uuid_for(1, i))
                    .json(&body)
                    .send()
                    .await
                    .map(|r| r.status().is_success())
                    .unwrap_or(false);
                if !ok {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for t in tasks {
        t.await?;
    }
    let http = start.elapsed();
    server.abort();

    // Phase 2: the same rows straight into the store, one transaction each, same concurrency.
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..args.concurrency {
        let (store, next, county) = (store.clone(), next.clone(), county.clone());
        let n = args.requests;
        let now = app.clock.now();
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break Ok::<(), anyhow::Error>(());
                }
                let txn = store.begin_write().await?;
                orgs::insert(
                    &*txn,
                    NewOrg::new(uuid_for(2, i), format!("基准企业{i:06}"), "enterprise", county.clone()),
                    now,
                )
                .await?;
                txn.commit().await?;
            }
        }));
    }
    for t in tasks {
        t.await??;
    }
    let raw = start.elapsed();
    store.close().await.ok();
    let rate = |d: Duration| args.requests as f64 / d.as_secs_f64();
    Ok(Outcome { backend, http_rate: rate(http), http_errors: errors.load(Ordering::Relaxed), raw_rate: rate(raw) })
}

fn uuid_for(phase: u32, i: usize) -> String {
    format!("00000000-0000-4000-8{phase:03}-{i:012}")
}
