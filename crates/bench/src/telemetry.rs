//! `anjian-bench telemetry`: warehouse readings per second through the HTTP batch intake and
//! through MQTT (publisher → broker → anjian → database), beside the raw insert ceiling of the
//! same rows into the same database in the same run; the time from an out-of-range reading to an
//! open alarm while the load runs; and the process's resident memory sampled over the run.

use anjian_app::warehouses::RawReading;
use anjian_app::{App, Settings};
use anjian_domain::clock::SystemClock;
use anjian_store::warehouses::{self as store, Reading};
use anjian_store::{Store, StoreOptions};
use anyhow::Context;
use chrono::{Duration as Cd, Utc};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct TelemetryBenchArgs {
    /// Sensors (spread over warehouses of 4 sensors each).
    #[arg(long, default_value_t = 2000)]
    sensors: usize,
    /// Readings per HTTP batch / MQTT message.
    #[arg(long, default_value_t = 5000)]
    batch: usize,
    /// Batches in flight at once.
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    /// Seconds of sustained HTTP load.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Batches published through the broker.
    #[arg(long, default_value_t = 40)]
    mqtt_batches: usize,
    /// The broker for the MQTT phase (skipped when empty).
    #[arg(long, default_value = "mqtt://127.0.0.1:1883")]
    mqtt: String,
    /// Also measure PostgreSQL at this URL (a schema is created and dropped).
    #[arg(long, env = "ANJIAN_BENCH_POSTGRES")]
    postgres: Option<String>,
}

struct Outcome {
    backend: &'static str,
    raw: f64,
    http: f64,
    http_errors: usize,
    mqtt: Option<f64>,
    alarm_ms: Vec<f64>,
    rss_mib: Vec<f64>,
}

pub async fn run(args: &TelemetryBenchArgs) -> anyhow::Result<()> {
    let db = crate::writes::Scratch::sqlite("telemetry", 16)?;
    let r = measure("sqlite", db.opts.clone(), args).await;
    db.finish().await;
    let mut results = vec![r?];
    if let Some(url) = &args.postgres {
        let db = crate::writes::Scratch::postgres(url, "telemetry", 16);
        let r = measure("postgres", db.opts.clone(), args).await;
        db.finish().await;
        results.push(r?);
    }
    println!();
    println!("| backend | raw inserts/s | HTTP batch readings/s | HTTP / raw | errors | MQTT readings/s | alarm latency p50 / max (ms) | RSS start → end (max) MiB |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for r in &results {
        let mut a = r.alarm_ms.clone();
        a.sort_by(f64::total_cmp);
        let p50 = a.get(a.len() / 2).copied().unwrap_or(f64::NAN);
        let max = a.last().copied().unwrap_or(f64::NAN);
        let rss_max = r.rss_mib.iter().copied().fold(0.0, f64::max);
        println!(
            "| {} | {:.0} | {:.0} | {:.2} | {} | {} | {:.0} / {:.0} | {:.0} → {:.0} ({:.0}) |",
            r.backend,
            r.raw,
            r.http,
            r.http / r.raw,
            r.http_errors,
            r.mqtt.map_or("—".into(), |m| format!("{m:.0}")),
            p50,
            max,
            r.rss_mib.first().copied().unwrap_or(0.0),
            r.rss_mib.last().copied().unwrap_or(0.0),
            rss_max
        );
    }
    for r in &results {
        // Every twelfth sample (about a minute apart): growth that goes on shows here.
        let minutes: Vec<String> = r.rss_mib.iter().step_by(12).map(|m| format!("{m:.0}")).collect();
        println!("\n{}: resident MiB about every minute: {}", r.backend, minutes.join(" → "));
    }
    println!(
        "\n{} sensors, batches of {}, {} in flight, {} s of HTTP load; each batch is checked, stored once (duplicates skipped), aggregated by hour and fed to each sensor's alarm condition; batches waiting together are written in one transaction.",
        args.sensors, args.batch, args.concurrency, args.seconds
    );
    Ok(())
}

/// Resident memory of this process in MiB (Linux).
fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1).and_then(|p| p.parse::<f64>().ok()))
        .map_or(0.0, |pages| pages * 4096.0 / 1_048_576.0)
}

async fn measure(backend: &'static str, opts: StoreOptions, args: &TelemetryBenchArgs) -> anyhow::Result<Outcome> {
    let store = Store::open(&opts).await.with_context(|| format!("opening {backend}"))?;
    let app = App::new(store.clone(), Arc::new(SystemClock), Settings::default());
    app.import_plan(None, anjian_app::demo::SEED_PLAN).await?;
    // An explosives enterprise with warehouses of four sensors each, and its gateway.
    let (actor, _) = crate::writes::county_staff(&app, &store).await?;
    let county = anjian_store::jurisdictions::by_code(&store.db, "zezhou").await?.context("county")?;
    let org = app
        .create_org(
            &actor,
            anjian_app::orgs::CreateOrg {
                name: "压测民爆公司".into(),
                kind: "explosives_enterprise".into(),
                jurisdiction_id: county.id,
                parent_id: None,
                park_id: None,
                industry: None,
                address: None,
            },
            None,
        )
        .await?
        .value;
    let mut codes = Vec::with_capacity(args.sensors);
    let mut ids = Vec::with_capacity(args.sensors);
    for w in 0..args.sensors.div_ceil(4) {
        let site = app.add_warehouse(&actor, org.id, &format!("{w}号库")).await?;
        for k in 0..4 {
            if codes.len() == args.sensors {
                break;
            }
            let s = app
                .add_sensor(
                    &actor,
                    site.id,
                    if k % 2 == 0 { "temperature" } else { "humidity" },
                    Some((-1000.0, 1000.0)),
                )
                .await?;
            codes.push(s.code);
            ids.push(s.id);
        }
    }
    let (gateway, token) = app.add_gateway(&actor, org.id, "bench").await?;
    let gateway = anjian_domain::telemetry::gateway_mqtt_user(gateway.id);
    let base = Utc::now() - Cd::days(2);
    // Distinct (sensor, time) for reading number i: a reading per sensor per second from `base`.
    let reading_at = |i: usize| (i % args.sensors, base + Cd::milliseconds((i / args.sensors) as i64 * 1000 + 1));
    let rss = Arc::new(std::sync::Mutex::new(vec![rss_mib()]));

    // Phase 1: the raw insert ceiling — the same kind of rows straight into the readings table.
    let raw_n = args.batch * 40;
    let start = Instant::now();
    let mut i = 0;
    while i < raw_n {
        let rows: Vec<Reading> = (i..(i + args.batch).min(raw_n))
            .map(|j| {
                let (s, at) = reading_at(j);
                Reading { sensor_id: ids[s], at: at - Cd::days(1), value: 20.0 }
            })
            .collect();
        let txn = store.begin_write().await?;
        store::append_readings(&*txn, &rows).await?;
        txn.commit().await?;
        i += args.batch;
    }
    let raw = raw_n as f64 / start.elapsed().as_secs_f64();

    // Phase 2: sustained HTTP batches, with alarm latency probes and memory samples.
    let router = anjian_web::router(anjian_web::AppState::new(app.clone()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await.ok();
    });
    let client = reqwest::Client::builder().pool_max_idle_per_host(args.concurrency).build()?;
    let next = Arc::new(AtomicUsize::new(0));
    let taken = Arc::new(AtomicUsize::new(0));
    let errors = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let codes = Arc::new(codes);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..args.concurrency {
        let (client, next, taken, errors, stop, codes, token) =
            (client.clone(), next.clone(), taken.clone(), errors.clone(), stop.clone(), codes.clone(), token.clone());
        let (batch, sensors) = (args.batch, args.sensors);
        let url = format!("http://{addr}/api/v1/telemetry/readings");
        tasks.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let first = next.fetch_add(batch, Ordering::Relaxed);
                let mut body = String::with_capacity(batch * 80);
                for j in first..first + batch {
                    let at = base + Cd::milliseconds((j / sensors) as i64 * 1000 + 1);
                    body.push_str(&format!(
                        "{{\"sensor\":\"{}\",\"at\":\"{}\",\"value\":{}}}\n",
                        codes[j % sensors],
                        at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                        20.0 + (j % 7) as f64
                    ));
                }
                match client.post(&url).header("x-gateway-token", &token).body(body).send().await {
                    Ok(r) if r.status().is_success() => {
                        let v: serde_json::Value = r.json().await.unwrap_or_default();
                        taken.fetch_add(v["accepted"].as_u64().unwrap_or(0) as usize, Ordering::Relaxed);
                    }
                    _ => {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    // Alarm probes: a sensor of its own, in range, then out of range held past the plan's time;
    // the clock starts when the batch that completes the excursion is sent.
    let probe_site = app.add_warehouse(&actor, org.id, "探针库").await?;
    let probe = app.add_sensor(&actor, probe_site.id, "temperature", None).await?;
    let rules = app.warehouse_rules().await;
    let mut alarm_ms = Vec::new();
    // Memory every five seconds, whatever the probes are doing.
    let sampler = {
        let (rss, stop) = (rss.clone(), stop.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                tokio::time::sleep(Duration::from_secs(5)).await;
                rss.lock().map(|mut v| v.push(rss_mib())).ok();
            }
        })
    };
    let mut round = 0i64;
    while start.elapsed() < Duration::from_secs(args.seconds) {
        let t0 = Utc::now() - Cd::hours(20) + Cd::minutes(round * 10);
        round += 1;
        let feed = |vals: Vec<(chrono::DateTime<Utc>, f64)>| {
            vals.into_iter().map(|(at, value)| RawReading { sensor: probe.code.clone(), at, value }).collect::<Vec<_>>()
        };
        app.ingest(None, feed(vec![(t0, 20.0), (t0 + Cd::seconds(1), 45.0)]), 0).await?;
        let before =
            store::alarms(&store.db, &anjian_domain::scope::Scope::All, &Default::default(), 10_000).await?.len();
        let sent = Instant::now();
        let body: String = feed(vec![(t0 + Cd::seconds(1 + rules.alarm_after_seconds), 46.0)])
            .iter()
            .map(|r| {
                format!("{{\"sensor\":\"{}\",\"at\":\"{}\",\"value\":{}}}\n", r.sensor, r.at.to_rfc3339(), r.value)
            })
            .collect();
        let (ptoken, pclient) = (token.clone(), client.clone());
        let url = format!("http://{addr}/api/v1/telemetry/readings");
        // The probe's gateway is the same enterprise's, so the token admits it.
        tokio::spawn(async move { pclient.post(url).header("x-gateway-token", ptoken).body(body).send().await });
        loop {
            let n =
                store::alarms(&store.db, &anjian_domain::scope::Scope::All, &Default::default(), 10_000).await?.len();
            if n > before {
                alarm_ms.push(sent.elapsed().as_secs_f64() * 1000.0);
                break;
            }
            if sent.elapsed() > Duration::from_secs(30) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        // Back in range so the next probe starts a new excursion.
        app.ingest(None, feed(vec![(t0 + Cd::seconds(2 + rules.alarm_after_seconds), 20.0)]), 0).await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await?;
    }
    sampler.await?;
    let http = taken.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64();
    server.abort();
    rss.lock().map(|mut v| v.push(rss_mib())).ok();

    // Phase 3: through the broker.
    let mqtt = if args.mqtt.is_empty() {
        None
    } else {
        match mqtt_phase(&app, &store, args, &codes, &ids, &gateway).await {
            Ok(r) => Some(r),
            Err(e) => {
                eprintln!("{backend}: MQTT phase: {e:#}");
                None
            }
        }
    };
    store.close().await.ok();
    let rss_mib = rss.lock().map(|v| v.clone()).unwrap_or_default();
    Ok(Outcome { backend, raw, http, http_errors: errors.load(Ordering::Relaxed), mqtt, alarm_ms, rss_mib })
}

/// Publishes batches to the broker with QoS 1 and times until every reading is committed.
async fn mqtt_phase(
    app: &App,
    store: &Store,
    args: &TelemetryBenchArgs,
    codes: &[String],
    ids: &[i64],
    gateway: &str,
) -> anyhow::Result<f64> {
    let prefix = format!("bench{}{}", std::process::id(), uuid::Uuid::new_v4().simple());
    let consumer = tokio::spawn(anjian::mqtt::run(
        app.clone(),
        args.mqtt.clone(),
        format!("anjian-bench-{}", uuid::Uuid::new_v4().simple()),
        prefix.clone(),
        None,
    ));
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (host, port) = anjian::mqtt::parse_url(&args.mqtt)?;
    let mut opts = rumqttc::MqttOptions::new(format!("bench-pub-{}", std::process::id()), host, port);
    opts.set_max_packet_size(16 * 1024 * 1024, 16 * 1024 * 1024);
    opts.set_inflight(100);
    let (client, mut events) = rumqttc::AsyncClient::new(opts, 100);
    tokio::spawn(async move { while events.poll().await.is_ok() {} });
    let base = Utc::now() - Cd::days(3);
    let probe_sensor = ids[0];
    let count_before = store::readings_between(&store.db, probe_sensor, base, base + Cd::days(1)).await?.len();
    let start = Instant::now();
    for b in 0..args.mqtt_batches {
        let mut body = String::with_capacity(args.batch * 80);
        for k in 0..args.batch {
            let j = b * args.batch + k;
            let at = base + Cd::milliseconds((j / codes.len()) as i64 * 1000 + 1);
            body.push_str(&format!(
                "{{\"sensor\":\"{}\",\"at\":\"{}\",\"value\":21}}\n",
                codes[j % codes.len()],
                at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
            ));
        }
        client.publish(format!("{prefix}/{gateway}/readings"), rumqttc::QoS::AtLeastOnce, false, body).await?;
    }
    // Every sensor gets the same number of readings; wait for the first one's to be complete.
    let total = args.mqtt_batches * args.batch;
    let per_sensor = total / codes.len();
    loop {
        let n = store::readings_between(&store.db, probe_sensor, base, base + Cd::days(1)).await?.len() - count_before;
        if n >= per_sensor {
            break;
        }
        anyhow::ensure!(
            start.elapsed() < Duration::from_secs(300),
            "MQTT readings did not all arrive ({n}/{per_sensor})"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let rate = total as f64 / start.elapsed().as_secs_f64();
    consumer.abort();
    Ok(rate)
}
