//! `anjian-bench hazards`: the hazard ledger at city scale. Loads a synthetic city (5,000
//! enterprises) with a million hazards, then measures, in the same run and on the same database:
//! hazard creates per second over HTTP against the raw insert ceiling; p50/p99 of a filtered,
//! paginated ledger query as a county user and as the city; the time and peak memory to export a
//! 100,000-row ledger.

use anjian_app::{Actor, App, Settings};
use anjian_domain::clock::SystemClock;
use anjian_domain::scope::Scope;
use anjian_store::hazards::{self, HazardFilter, NewHazard};
use anjian_store::orgs::{self, OrgFilter};
use anjian_store::{Store, StoreOptions};
use anyhow::Context;
use rand::{Rng, SeedableRng};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(clap::Args, Clone)]
pub struct HazardBenchArgs {
    #[arg(long, default_value_t = 5000)]
    enterprises: u32,
    #[arg(long, default_value_t = 1_000_000)]
    hazards: usize,
    /// Creates per phase for the write comparison.
    #[arg(long, default_value_t = 2000)]
    writes: usize,
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Ledger queries per user for the latency figures.
    #[arg(long, default_value_t = 200)]
    queries: usize,
    #[arg(long, default_value_t = 100_000)]
    export_rows: usize,
    #[arg(long, env = "ANJIAN_BENCH_POSTGRES")]
    postgres: Option<String>,
    /// Measure PostgreSQL only.
    #[arg(long)]
    skip_sqlite: bool,
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn current_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// Resets the peak-RSS counter so the next reading is the peak of what follows (Linux).
fn reset_peak() {
    std::fs::write("/proc/self/clear_refs", "5").ok();
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

struct Figures {
    backend: &'static str,
    load_s: f64,
    http_rate: f64,
    raw_rate: f64,
    county: (f64, f64),
    city: (f64, f64),
    /// Cockpit p50 in ms, county and city.
    cockpit: (f64, f64),
    export_s: f64,
    export_mib: f64,
    export_rows: usize,
}

pub async fn run(args: &HazardBenchArgs) -> anyhow::Result<()> {
    let mut out = Vec::new();
    if !args.skip_sqlite {
        let db = crate::writes::Scratch::sqlite("hazards", 16)?;
        let r = measure("SQLite", db.opts.clone(), args).await;
        db.finish().await;
        out.push(r?);
    }
    if let Some(url) = &args.postgres {
        let db = crate::writes::Scratch::postgres(url, "h", 16);
        let r = measure("PostgreSQL", db.opts.clone(), args).await;
        db.finish().await;
        out.push(r?);
    }
    println!("\n{} enterprises, {} hazards; {} creates per phase with {} in flight; {} queries per user; export of {} rows.\n", args.enterprises, args.hazards, args.writes, args.concurrency, args.queries, args.export_rows);
    println!("| backend | load (s) | HTTP creates/s | raw inserts/s | HTTP / raw | county p50 / p99 (ms) | city p50 / p99 (ms) | export (s) | export peak RSS growth (MiB) | cockpit p50 county / city (ms) |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for f in out {
        println!(
            "| {} | {:.0} | {:.0} | {:.0} | {:.2} | {:.1} / {:.1} | {:.1} / {:.1} | {:.2} ({} rows) | {:.0} | {:.0} / {:.0} |",
            f.backend,
            f.load_s,
            f.http_rate,
            f.raw_rate,
            f.http_rate / f.raw_rate,
            f.county.0,
            f.county.1,
            f.city.0,
            f.city.1,
            f.export_s,
            f.export_rows,
            f.export_mib,
            f.cockpit.0,
            f.cockpit.1
        );
    }
    Ok(())
}

async fn measure(backend: &'static str, opts: StoreOptions, args: &HazardBenchArgs) -> anyhow::Result<Figures> {
    let store = Store::open(&opts).await.with_context(|| format!("opening {backend}"))?;
    let settings = Settings { blob_dir: Some(std::env::temp_dir()), ..Settings::default() };
    let app = App::new(store.clone(), Arc::new(SystemClock), settings);
    app.import_plan(None, anjian_app::demo::SEED_PLAN).await?;
    let load = Instant::now();
    eprintln!("{backend}: generating {} enterprises …", args.enterprises);
    app.generate_demo(anjian_app::demo::DemoSpec { enterprises: args.enterprises, seed: 1 }, &|_| {}).await?;
    let enterprises = orgs::list(
        &store.db,
        &Scope::All,
        &OrgFilter { kind: Some("enterprise".into()), ..Default::default() },
        None,
        1_000_000,
    )
    .await?;
    let admin = anjian_store::users::by_username(&store.db, "security").await?.context("demo accounts")?;
    eprintln!("{backend}: loading {} hazards …", args.hazards);
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let start_t = chrono::Utc::now() - chrono::Duration::days(365);
    use anjian_domain::hazard::HazardState;
    let states =
        [HazardState::Reported, HazardState::Rectifying, HazardState::AwaitingVerification, HazardState::Closed];
    let mut i = 0;
    while i < args.hazards {
        let n = (args.hazards - i).min(5000);
        let now = chrono::Utc::now();
        let rows: Vec<NewHazard> = (0..n)
            .map(|k| {
                let org = &enterprises[rng.gen_range(0..enterprises.len())];
                let found = start_t + chrono::Duration::minutes(rng.gen_range(0..525_600));
                let deadline = found + chrono::Duration::days(rng.gen_range(1..60));
                // A year of records: nineteen in twenty closed by their deadline once it has
                // passed, about half of those still within it; a closed hazard has its time.
                let closed_at = found + (deadline - found) * rng.gen_range(1..=100) / 100;
                let closed = if deadline < now { rng.gen_bool(0.95) } else { closed_at < now && rng.gen_bool(0.5) };
                NewHazard {
                    uid: format!("bench-{}", i + k),
                    org: org.clone(),
                    point_id: None,
                    inspection_id: None,
                    source: "self_inspection".into(),
                    description: format!("第{}号隐患：设备防护缺失", i + k),
                    grade: if rng.gen_range(0..50) == 0 { "major".into() } else { "general".into() },
                    category: None,
                    measures: "限期整改".into(),
                    funds_fen: anjian_domain::money::Fen::new(rng.gen_range(0..500_000)).expect("not negative"),
                    owner: "责任人".into(),
                    deadline: Some(deadline),
                    state: if closed { HazardState::Closed } else { states[rng.gen_range(0..3)] },
                    discovered_at: found,
                    discovered_by: admin.id,
                    request_digest: None,
                    closed: closed.then_some((closed_at, admin.id)),
                }
            })
            .collect();
        // One statement holds at most ~65k bound values on PostgreSQL; 500 rows of 22 columns fit.
        let txn = store.begin_write().await?;
        for chunk in rows.chunks(500) {
            hazards::insert_many_raw(&*txn, chunk.to_vec(), now).await?;
        }
        txn.commit().await?;
        i += n;
    }
    let load_s = load.elapsed().as_secs_f64();

    // Users: a county bureau, the city.
    let county_bureau = orgs::by_code(&store.db, "bureau-zezhou").await?.context("bureau")?;
    let city_bureau = orgs::by_code(&store.db, "bureau-jincheng").await?.context("bureau")?;
    let mk = |name: &str, role: &str, org: &orgs::Org| anjian_app::users::CreateUser {
        username: name.into(),
        display_name: name.into(),
        role: role.into(),
        org_id: Some(org.id),
        leader_code: None,
        position: None,
    };
    let (cu, token) = app.create_token_account(mk("bench.county", "county_staff", &county_bureau)).await?;
    let (ci, _) = app.create_user(None, mk("bench.city", "city_staff", &city_bureau)).await?;
    let county = Actor::new(cu, Some(county_bureau.clone()));
    let city = Actor::new(ci, Some(city_bureau.clone()));

    // Writes: HTTP against the raw ceiling.
    let router = anjian_web::router(anjian_web::AppState::new(app.clone()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await.ok();
    });
    let target = enterprises
        .iter()
        .find(|o| o.jurisdiction_id == county_bureau.jurisdiction_id)
        .context("an enterprise in the county")?
        .clone();
    let client = reqwest::Client::new();
    let next = Arc::new(AtomicUsize::new(0));
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..args.concurrency {
        let (client, next, token) = (client.clone(), next.clone(), token.clone());
        let (n, url, org) = (args.writes, format!("http://{addr}/api/v1/hazards"), target.id);
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                let body =
                    serde_json::json!({"org_id": org, "description": format!("压测隐患{i}"), "grade": "general"});
                client
                    .post(&url)
                    .bearer_auth(&token)
                    .header("idempotency-key", format!("00000000-0000-4000-9000-{i:012}"))
                    .json(&body)
                    .send()
                    .await
                    .ok();
            }
        }));
    }
    for t in tasks {
        t.await?;
    }
    let http_rate = args.writes as f64 / t0.elapsed().as_secs_f64();
    server.abort();
    let next = Arc::new(AtomicUsize::new(0));
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..args.concurrency {
        let (store, next, org, by) = (store.clone(), next.clone(), target.clone(), admin.id);
        let n = args.writes;
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break Ok::<(), anyhow::Error>(());
                }
                let now = chrono::Utc::now();
                let txn = store.begin_write().await?;
                hazards::insert(
                    &*txn,
                    NewHazard {
                        uid: format!("raw-{i}"),
                        org: org.clone(),
                        point_id: None,
                        inspection_id: None,
                        source: "report".into(),
                        description: format!("基准隐患{i}"),
                        grade: "general".into(),
                        category: None,
                        measures: String::new(),
                        funds_fen: anjian_domain::money::Fen::ZERO,
                        owner: String::new(),
                        deadline: None,
                        state: anjian_domain::hazard::HazardState::Reported,
                        discovered_at: now,
                        discovered_by: by,
                        request_digest: None,
                        closed: None,
                    },
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
    let raw_rate = args.writes as f64 / t0.elapsed().as_secs_f64();

    // Reads: a filtered, paginated ledger page (50 rows + the count), as the two users.
    let latencies = |who: &Actor| {
        let (app, who) = (app.clone(), who.clone());
        let queries = args.queries;
        async move {
            let mut rng = rand::rngs::StdRng::seed_from_u64(11);
            let mut times = Vec::with_capacity(queries);
            for _ in 0..queries {
                let f = HazardFilter {
                    state: Some(states[rng.gen_range(0..4)]),
                    grade: rng.gen_bool(0.3).then(|| "general".into()),
                    open_only: false,
                    ..Default::default()
                };
                let t = Instant::now();
                let page = app.list_hazards(&who, &f, None, 50).await?;
                let _ = app.count_hazards(&who, &f).await?;
                if let Some(last) = page.last() {
                    app.list_hazards(&who, &f, Some(last.id), 50).await?;
                }
                times.push(t.elapsed());
            }
            times.sort();
            Ok::<_, anyhow::Error>((percentile(&times, 0.5), percentile(&times, 0.99)))
        }
    };
    let county_lat = latencies(&county).await?;
    let city_lat = latencies(&city).await?;

    // The cockpit (every hazard figure in one pass, plus the obligation matrix and the board of
    // tasks), as the county and the city; the first call builds the obligation board and is
    // left out.
    app.cockpit(&city, None).await?;
    let mut cockpit = Vec::new();
    for who in [&county, &city] {
        let mut times = Vec::new();
        for _ in 0..5 {
            let t = Instant::now();
            app.cockpit(who, None).await?;
            times.push(t.elapsed());
        }
        times.sort();
        cockpit.push(percentile(&times, 0.5));
    }

    // Export: the city's ledger, 100,000 rows, to .xlsx bytes.
    reset_peak();
    let base = current_rss_kib();
    let t0 = Instant::now();
    let rows = app.export_hazards(&city, &HazardFilter::default(), args.export_rows).await?;
    let n = rows.len();
    let sheet_rows: Vec<anjian_reports::ledger_sheet::LedgerRow> = rows
        .into_iter()
        .map(|e| anjian_reports::ledger_sheet::LedgerRow {
            description: e.hazard.description,
            location: e.location,
            grade: e.hazard.grade,
            source: e.hazard.source,
            discovered_at: e.hazard.discovered_at.naive_utc(),
            measures: e.hazard.measures,
            funds_yuan: e.hazard.funds_fen.yuan_f64(),
            owner: e.hazard.owner,
            deadline: e.hazard.deadline.map(|d| d.naive_utc()),
            state: e.hazard.state.as_str().to_owned(),
            verified_by: e.verified_by,
            number: e.hazard.uid.clone(),
            closed_at: e.hazard.closed_at.map(|d| d.naive_utc()),
            org: e.org,
            county: e.county,
            industry: e.industry.unwrap_or_default(),
            papers: e.papers.join("、"),
        })
        .collect();
    let bytes =
        anjian_reports::ledger_sheet::write(&anjian_reports::sheet_head::SheetHead::titled("隐患台账"), &sheet_rows)?;
    let export_s = t0.elapsed().as_secs_f64();
    let export_mib = peak_rss_kib().saturating_sub(base) as f64 / 1024.0;
    eprintln!("{backend}: export {} rows → {} KiB", n, bytes.len() / 1024);
    store.close().await.ok();
    Ok(Figures {
        cockpit: (cockpit[0], cockpit[1]),
        backend,
        load_s,
        http_rate,
        raw_rate,
        county: county_lat,
        city: city_lat,
        export_s,
        export_mib,
        export_rows: n,
    })
}
