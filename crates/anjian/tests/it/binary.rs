//! The real binary as an operator runs it: first start, restart, SIGTERM, and SIGKILL in the
//! middle of a burst of writes.

use anjian_app::App;
use anjian_store::{Store, StoreOptions};
use anjian_test_support::*;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_anjian");

pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) addr: String,
    output: Vec<String>,
}

pub(crate) fn start(data: &Path, extra: &[&str]) -> Server {
    let mut cmd = Command::new(BIN);
    cmd.arg("--data-dir").arg(data).args(["serve", "--listen", "127.0.0.1:0"]).args(extra);
    start_cmd(cmd)
}

#[expect(clippy::zombie_processes, reason = "the child goes to the caller, which waits for it or kills it")]
pub(crate) fn start_cmd(mut cmd: Command) -> Server {
    cmd.env("RUST_LOG", "warn").stdout(Stdio::piped()).stderr(Stdio::null());
    let mut child = cmd.spawn().expect("anjian starts");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut output = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let line =
            rx.recv_timeout(deadline.saturating_duration_since(Instant::now())).expect("anjian prints its address");
        output.push(line.clone());
        if let Some(rest) = line.strip_prefix("anjian listening on http://") {
            return Server { child, addr: rest.trim_end_matches('/').to_owned(), output };
        }
    }
}

/// A server a failed assertion leaves behind is killed, not left running.
impl Drop for Server {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            self.child.kill().ok();
            self.child.wait().ok();
        }
    }
}

pub(crate) fn terminate(mut s: Server) -> std::process::ExitStatus {
    Command::new("kill").args(["-TERM", &s.child.id().to_string()]).status().unwrap();
    s.child.wait().unwrap()
}

fn one_time_password(output: &[String]) -> Option<String> {
    output.iter().find_map(|l| l.split("one-time password:").nth(1).map(|p| p.trim().to_owned()))
}

/// The SQLite database of a data folder, opened beside (or after) the server.
pub(crate) async fn open_data(data: &Path) -> Store {
    Store::open(&StoreOptions {
        url: format!("sqlite:{}", data.join("anjian.db").display()),
        pg_schema: None,
        max_connections: 2,
    })
    .await
    .unwrap()
}

async fn org_count(data: &Path) -> u64 {
    let store = open_data(data).await;
    let n = anjian_store::orgs::count(
        &store.db,
        &anjian_test_support::anjian_domain::scope::Scope::All,
        &Default::default(),
    )
    .await
    .unwrap();
    store.close().await.unwrap();
    n
}

#[tokio::test]
async fn first_start_prints_a_fresh_password_and_a_restart_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path(), &["--demo", "--enterprises", "30"]);
    let pw = one_time_password(&s.output).expect("the admin's one-time password is printed");
    assert_eq!(anjian_test_support::anjian_domain::password::check(&pw, "admin"), Ok(()));
    let r = reqwest::get(format!("http://{}/readyz", s.addr)).await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(terminate(s).success(), "SIGTERM stops it cleanly");
    let n = org_count(dir.path()).await;
    assert!(n > 30);
    let credentials = std::fs::read_to_string(dir.path().join("demo-accounts.txt")).unwrap();
    assert!(credentials.contains("leader.director") && credentials.contains("county.zezhou"));

    let s = start(dir.path(), &["--demo", "--enterprises", "30"]);
    assert!(one_time_password(&s.output).is_none(), "no new admin on restart: {:?}", s.output);
    assert!(s.output.iter().any(|l| l.contains("already present")));
    assert!(terminate(s).success());
    assert_eq!(org_count(dir.path()).await, n, "a restart changes nothing");

    // Another installation is set up from a plan, and gets another password: there is no
    // default. Until it is, `serve` says how instead of importing a plan it was not given.
    let other = tempfile::tempdir().unwrap();
    let anjian = |args: &[&str]| {
        let out = Command::new(BIN).arg("--data-dir").arg(other.path()).args(args).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
        (out.status.code(), text)
    };
    let (code, text) = anjian(&["serve", "--listen", "127.0.0.1:0"]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("anjian init --plan") && text.contains("anjian serve --demo"), "{text}");
    let seed = concat!(env!("CARGO_MANIFEST_DIR"), "/../../plans/jincheng-2022.toml");
    let broken = other.path().join("broken.toml");
    std::fs::write(&broken, SEED_PLAN.replacen("level = \"county\"", "level = \"district\"", 1)).unwrap();
    let (code, text) = anjian(&["init", "--plan", broken.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("level `district` is not declared"), "a plan that does not lint is refused: {text}");
    assert!(one_time_password(&[text]).is_none(), "and nothing is set up");
    let (code, text) = anjian(&["init", "--plan", seed]);
    assert_eq!(code, Some(0), "{text}");
    let other_pw = one_time_password(&text.lines().map(str::to_owned).collect::<Vec<_>>()).expect("printed once");
    assert_ne!(other_pw, pw);
    let (code, text) = anjian(&["init", "--plan", seed]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("already imported") && !text.contains("one-time password"), "{text}");
    let s = start(other.path(), &[]);
    assert!(one_time_password(&s.output).is_none(), "{:?}", s.output);
    terminate(s);
}

/// Prepares a database with the plan, a county account and its token, as the server will find it.
pub(crate) async fn prepare(data: &Path) -> String {
    std::fs::create_dir_all(data).unwrap();
    let store = open_data(data).await;
    let token = prepare_store(&store).await;
    store.close().await.unwrap();
    token
}

/// The plan and a county account with its token, in any database.
async fn prepare_store(store: &Store) -> String {
    let app = App::new(
        store.clone(),
        std::sync::Arc::new(anjian_test_support::anjian_domain::clock::SystemClock),
        test_settings(),
    );
    app.import_plan(None, SEED_PLAN).await.unwrap();
    account_in(store, "writer", "county_staff").await
}

/// An account of the Zezhou county bureau in a prepared data folder, and its API token.
async fn account(data: &Path, username: &str, role: &str) -> String {
    let store = open_data(data).await;
    let token = account_in(&store, username, role).await;
    store.close().await.unwrap();
    token
}

async fn account_in(store: &Store, username: &str, role: &str) -> String {
    let (app, input) = zezhou_account(store, username, role).await;
    app.create_token_account(input).await.unwrap().1
}

/// An account of the Zezhou county bureau, and its one-time password.
async fn user_in(store: &Store, username: &str, role: &str) -> String {
    let (app, input) = zezhou_account(store, username, role).await;
    app.create_user(None, input).await.unwrap().1
}

/// An app on the store, and an account of the Zezhou county bureau to create.
async fn zezhou_account(store: &Store, username: &str, role: &str) -> (App, anjian_app::users::CreateUser) {
    let app = App::new(
        store.clone(),
        std::sync::Arc::new(anjian_test_support::anjian_domain::clock::SystemClock),
        test_settings(),
    );
    let bureau = anjian_store::orgs::by_code(&store.db, "bureau-zezhou").await.unwrap().unwrap();
    let input = anjian_app::users::CreateUser {
        username: username.into(),
        display_name: username.into(),
        role: role.into(),
        org_id: Some(bureau.id),
        leader_code: None,
        position: None,
    };
    (app, input)
}

/// The JSON a request is answered with.
pub(crate) async fn json_of(r: reqwest::RequestBuilder) -> serde_json::Value {
    r.send().await.unwrap().json().await.unwrap()
}

/// The jurisdiction of the bureau whose account holds `token`, through the API.
pub(crate) async fn own_jurisdiction(base: &str, token: &str) -> i64 {
    let http = reqwest::Client::new();
    let get = |path: String| {
        let r = http.get(format!("{base}{path}")).bearer_auth(token).send();
        async move { r.await.unwrap().json::<serde_json::Value>().await.unwrap() }
    };
    let me = get("/api/v1/me".into()).await;
    let bureau = get(format!("/api/v1/orgs/{}", me["org_id"])).await;
    bureau["jurisdiction_id"].as_i64().unwrap_or_else(|| panic!("{bureau}"))
}

/// Through the API of a running server: an explosives enterprise in the account's county, a
/// warehouse with a temperature sensor, and a gateway — (warehouse id, sensor code, gateway token,
/// the gateway's MQTT user name, which is also its topic segment).
pub(crate) async fn explosives_sensor(base: &str, token: &str) -> (i64, String, String, String) {
    use serde_json::{json, Value};
    let http = reqwest::Client::new();
    let call = |method: reqwest::Method, path: &str, body: Value| {
        let r = http.request(method, format!("{base}{path}")).bearer_auth(token).json(&body).send();
        async move { r.await.unwrap().json::<Value>().await.unwrap() }
    };
    let jid = own_jurisdiction(base, token).await;
    let org = call(
        reqwest::Method::POST,
        "/api/v1/orgs",
        json!({"name": "民爆公司", "kind": "explosives_enterprise", "jurisdiction_id": jid}),
    )
    .await;
    let site =
        call(reqwest::Method::POST, &format!("/api/v1/orgs/{}/warehouses", org["id"]), json!({"name": "2号库"})).await;
    let sensor = call(
        reqwest::Method::POST,
        &format!("/api/v1/warehouses/{}/sensors", site["id"]),
        json!({"kind": "temperature"}),
    )
    .await;
    let gateway =
        call(reqwest::Method::POST, &format!("/api/v1/orgs/{}/gateways", org["id"]), json!({"name": "网关"})).await;
    (
        site["id"].as_i64().unwrap_or_else(|| panic!("{site}")),
        sensor["code"].as_str().unwrap_or_else(|| panic!("{sensor}")).to_owned(),
        gateway["token"].as_str().unwrap_or_else(|| panic!("{gateway}")).to_owned(),
        gateway["mqtt_username"].as_str().unwrap_or_else(|| panic!("{gateway}")).to_owned(),
    )
}

/// A backup taken while the server is writing is consistent, and restores: the same records, a
/// clean integrity check and an intact audit chain.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_taken_under_writes_restores_whole() {
    let dir = tempfile::tempdir().unwrap();
    let token = prepare(dir.path()).await;
    let s = start(dir.path(), &["--insecure-cookies"]);
    let client = reqwest::Client::new();
    let zezhou = {
        let store = open_data(dir.path()).await;
        let j = anjian_store::orgs::by_code(&store.db, "bureau-zezhou").await.unwrap().unwrap().jurisdiction_id;
        store.close().await.unwrap();
        j
    };
    // Writes keep going while the backup runs.
    let addr = s.addr.clone();
    let writer = tokio::spawn(async move {
        let mut ok = 0;
        for i in 0..60 {
            let r = client
                .post(format!("http://{addr}/api/v1/orgs"))
                .bearer_auth(&token)
                .json(&serde_json::json!({"name": format!("备份测试企业{i}"), "kind": "enterprise", "jurisdiction_id": zezhou}))
                .send()
                .await
                .unwrap();
            ok += usize::from(r.status().as_u16() == 201);
        }
        ok
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let backup = dir.path().join("backup-1");
    let out = Command::new(BIN).arg("--data-dir").arg(dir.path()).arg("backup").arg(&backup).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("backup written"));
    assert_eq!(writer.await.unwrap(), 60, "writes carried on during the backup");
    assert!(terminate(s).success());
    // Into an existing folder: refused, nothing overwritten.
    let again = Command::new(BIN).arg("--data-dir").arg(dir.path()).arg("backup").arg(&backup).output().unwrap();
    assert!(!again.status.success());

    // Restore: the backup folder is a data folder.
    let restored = open_data(&backup).await;
    assert_eq!(restored.integrity_check().await.unwrap(), "ok");
    let n = anjian_store::orgs::count(
        &restored.db,
        &anjian_test_support::anjian_domain::scope::Scope::All,
        &Default::default(),
    )
    .await
    .unwrap();
    let live = org_count(dir.path()).await;
    assert!(n <= live && n >= live - 60, "a moment of the live data: {n} of {live}");
    restored.close().await.unwrap();
    let verify = Command::new(BIN).arg("--data-dir").arg(&backup).args(["audit", "verify"]).output().unwrap();
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stdout));
    let s = start(&backup, &[]);
    assert_eq!(reqwest::get(format!("http://{}/readyz", s.addr)).await.unwrap().status(), 200);
    terminate(s);
}

/// SIGKILL at a random moment in a burst of writes — organisations from six clients and
/// telemetry batches from a gateway — `ANJIAN_CRASH_ROUNDS` times (3 here; `scripts/crash-loop.sh`
/// runs 100): every write that was answered 2xx is there after the restarts, SQLite's integrity
/// check is clean and the audit chain verifies.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_during_writes_loses_no_acknowledged_write() {
    use rand::Rng;
    let rounds: u32 = std::env::var("ANJIAN_CRASH_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(3);
    let dir = tempfile::tempdir().unwrap();
    let token = prepare(dir.path()).await;
    let (site, code, gateway, _) = {
        let s = start(dir.path(), &[]);
        let made = explosives_sensor(&format!("http://{}", s.addr), &token).await;
        assert!(terminate(s).success());
        made
    };
    let jid = {
        let store = open_data(dir.path()).await;
        let j = anjian_store::jurisdictions::by_code(&store.db, "zezhou").await.unwrap().unwrap().id;
        store.close().await.unwrap();
        j
    };
    // Readings a few weeks back, a millisecond apart per round and batch: all distinct.
    let t0 = anjian_store::readings::to_stored_precision(chrono::Utc::now() - chrono::Duration::days(20));
    let mut acknowledged: Vec<(String, String)> = Vec::new();
    let mut readings_acked: Vec<chrono::DateTime<chrono::Utc>> = Vec::new();
    for round in 0..rounds {
        let s = start(dir.path(), &[]);
        let url = format!("http://{}/api/v1/orgs", s.addr);
        let client = reqwest::Client::new();
        let mut writers = Vec::new();
        for w in 0..6 {
            let (client, url, token) = (client.clone(), url.clone(), token.clone());
            writers.push(tokio::spawn(async move {
                let mut acked = Vec::new();
                for i in 0.. {
                    let key = format!("00000000-0000-4000-8000-{round:04}{w:02}{i:06}");
                    let name = format!("崩溃测试{round}-{w}-{i}");
                    let body = serde_json::json!({"name": name, "kind": "enterprise", "jurisdiction_id": jid});
                    match client.post(&url).bearer_auth(&token).header("idempotency-key", &key).json(&body).send().await
                    {
                        Ok(r) if r.status().is_success() => acked.push((key, name)),
                        _ => break,
                    }
                }
                acked
            }));
        }
        let telemetry = {
            let (client, code, gateway) = (client.clone(), code.clone(), gateway.clone());
            let url = format!("http://{}/api/v1/telemetry/readings", s.addr);
            tokio::spawn(async move {
                let mut acked = Vec::new();
                for i in 0i64.. {
                    let ats: Vec<_> = (0..50)
                        .map(|k| t0 + chrono::Duration::milliseconds(i64::from(round) * 10_000_000 + i * 50 + k))
                        .collect();
                    let body: Vec<serde_json::Value> = ats
                        .iter()
                        .map(|at| serde_json::json!({"sensor": code, "at": at.to_rfc3339(), "value": 20.0}))
                        .collect();
                    let sent = client.post(&url).header("x-gateway-token", &gateway).json(&body).send().await;
                    let Ok(r) = sent else { break };
                    if !r.status().is_success() {
                        break;
                    }
                    let Ok(report) = r.json::<serde_json::Value>().await else { break };
                    assert_eq!(report["accepted"], 50, "{report}");
                    acked.extend(ats);
                }
                acked
            })
        };
        let pause = rand::thread_rng().gen_range(300..1500);
        tokio::time::sleep(Duration::from_millis(pause)).await;
        let mut s = s;
        s.child.kill().unwrap(); // SIGKILL
        s.child.wait().unwrap();
        for w in writers {
            acknowledged.extend(w.await.unwrap());
        }
        readings_acked.extend(telemetry.await.unwrap());
    }
    assert!(acknowledged.len() > 20, "the burst wrote something: {}", acknowledged.len());
    assert!(readings_acked.len() >= 50, "the gateway wrote something: {}", readings_acked.len());

    let store = open_data(dir.path()).await;
    assert_eq!(store.integrity_check().await.unwrap(), "ok");
    for (key, name) in &acknowledged {
        let org = anjian_store::orgs::by_uid(&store.db, key)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("acknowledged write {key} lost"));
        assert_eq!(&org.name, name);
    }
    let sensor = anjian_store::warehouses::sensors_of_sites(&store.db, &[site]).await.unwrap()[0].id;
    let stored: std::collections::HashSet<_> =
        anjian_store::warehouses::readings_between(&store.db, sensor, t0, chrono::Utc::now())
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.at)
            .collect();
    let lost = readings_acked.iter().filter(|at| !stored.contains(*at)).count();
    assert_eq!(lost, 0, "{lost} of {} acknowledged readings lost", readings_acked.len());
    store.close().await.unwrap();
    let verify = Command::new(BIN).arg("--data-dir").arg(dir.path()).args(["audit", "verify"]).output().unwrap();
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stdout));
    println!(
        "{rounds} SIGKILLs: {} acknowledged organisations and {} acknowledged readings, none lost",
        acknowledged.len(),
        readings_acked.len()
    );
}

#[test]
fn plan_lint_reports_the_seeds_contradictions_with_lines() {
    let out = Command::new(BIN)
        .args(["plan", "lint", concat!(env!("CARGO_MANIFEST_DIR"), "/../../plans/jincheng-2022.toml")])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.lines().any(|l| l.contains("jincheng-2022.toml:")
            && l.contains("warning: contradiction")
            && l.contains("deputy-weekly-site-check")),
        "{text}"
    );
    assert!(text.contains("0 errors"));
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, SEED_PLAN.replacen("per = \"quarter\"", "per = \"fortnight\"", 1)).unwrap();
    let out = Command::new(BIN).args(["plan", "lint"]).arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let line = SEED_PLAN[..SEED_PLAN.find("per = \"quarter\"").unwrap()].matches('\n').count() + 1;
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&format!("bad.toml:{line}:")),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[tokio::test]
async fn the_same_binary_runs_on_postgresql() {
    // A schema of the test's own, chosen through the connection's search_path.
    let db = TestDb::new(Backend::Postgres);
    let schema = db.options.pg_schema.clone().unwrap();
    db.open().await.close().await.unwrap();
    let url = format!("{}?options=-c%20search_path%3D{schema}", postgres_url());
    let dir = tempfile::tempdir().unwrap();
    let run = |extra: &'static [&'static str]| {
        let mut cmd = Command::new(BIN);
        cmd.arg("--data-dir").arg(dir.path()).args(["serve", "--listen", "127.0.0.1:0"]).args(extra);
        cmd.env("ANJIAN_DATABASE_URL", &url);
        cmd
    };
    let s = start_cmd(run(&["--demo", "--enterprises", "20"]));
    assert!(one_time_password(&s.output).is_some());
    assert_eq!(reqwest::get(format!("http://{}/readyz", s.addr)).await.unwrap().status().as_u16(), 200);
    assert!(terminate(s).success());
    assert!(!dir.path().join("anjian.db").exists(), "nothing went to SQLite");
    let s = start_cmd(run(&["--demo", "--enterprises", "20"]));
    assert!(one_time_password(&s.output).is_none());
    assert!(terminate(s).success());
    let store = db.open().await;
    let n = anjian_store::orgs::count(
        &store.db,
        &anjian_test_support::anjian_domain::scope::Scope::All,
        &Default::default(),
    )
    .await
    .unwrap();
    assert!(n > 20);
    store.drop_schema(&schema).await.unwrap();
}

#[test]
fn plan_import_shows_the_changes_before_applying_and_keeps_the_old_version() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.toml");
    std::fs::write(&plan, SEED_PLAN).unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(BIN)
            .arg("--data-dir")
            .arg(dir.path().join("data"))
            .args(args)
            .arg(&plan)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let (code, out) = run(&["plan", "import"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("new plan") && out.contains("imported as version 1"), "{out}");
    let (_, out) = run(&["plan", "import"]);
    assert!(out.contains("unchanged (version 1)"), "{out}");

    std::fs::write(&plan, SEED_PLAN.replacen("pass_mark = 80", "pass_mark = 85", 1)).unwrap();
    let (code, out) = run(&["plan", "import", "--dry-run"]);
    assert_eq!(code, Some(0));
    assert!(out.contains("changes against version 1") && out.contains("Changed header"), "{out}");
    assert!(
        out.contains("Changed header safety_test") && out.contains("pass_mark: 80 → 85"),
        "each field with its old and new value: {out}"
    );
    // Without --yes and nobody to answer, nothing is applied.
    let (code, out) = run(&["plan", "import"]);
    assert_eq!(code, Some(2), "{out}");
    let (code, out) = run(&["plan", "import", "--yes"]);
    assert_eq!(code, Some(0));
    assert!(out.contains("imported as version 2"), "{out}");
}

/// SECURITY.md's canary: a tip sent from 127.0.0.77 with the user agent `CANARY-UA`, a photo
/// whose EXIF names `CANARY-CAM` with a GPS position, and contact details `CANARY-CONTACT`;
/// then handled, messaged, counted and the contact opened by the custodian. Afterwards neither
/// the address, the agent, the camera nor the contact is in any file of the data folder (the
/// database, its WAL, the blobs), in the server's log at debug level, or in its temp folder.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_reporters_identity_is_in_no_file_no_log_and_no_temp_file() {
    use serde_json::json;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let county_token = prepare(&data).await;
    let custodian_token = account(&data, "keeper", "tip_custodian").await;
    let log_path = dir.path().join("server.log");
    let tmp = dir.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let mut cmd = Command::new(BIN);
    cmd.arg("--data-dir").arg(&data).args(["serve", "--listen", "127.0.0.1:0"]).env("TMPDIR", &tmp);
    let s = start_logged(cmd, &log_path);
    let base = format!("http://{}", s.addr);

    let reporter = reqwest::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 0, 77]))
        .user_agent("CANARY-UA")
        .build()
        .unwrap();
    let html = reporter.get(format!("{base}/report")).send().await.unwrap().text().await.unwrap();
    let challenge = hidden(&html, "challenge").unwrap();
    let bits: u32 = html.split("data-bits=\"").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
    let nonce = anjian_test_support::anjian_domain::tip::solve_proof_of_work(&challenge, bits);
    let form = reqwest::multipart::Form::new()
        .text("challenge", challenge)
        .text("nonce", nonce)
        .text("category", "事故隐患")
        .text("county", "zezhou")
        .text("subject", "泽州县某煤矿")
        .text("body", "井下通风设施损坏。")
        .text("contact", "CANARY-CONTACT 13800000000")
        .part("photo", reqwest::multipart::Part::bytes(jpeg_with_exif("CANARY-CAM")).file_name("CANARY-CAM.jpg"));
    let r = reporter.post(format!("{base}/report")).multipart(form).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let code = by_id(&r.text().await.unwrap(), "receipt").unwrap();
    // A refused submission with the same details says nothing about them either.
    let r = reporter
        .post(format!("{base}/api/v1/tips/submit"))
        .json(&json!({"category": "事故隐患", "body": "x", "place": "y", "contact": "CANARY-CONTACT 13800000000", "challenge": "bad", "nonce": "1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    assert!(!r.text().await.unwrap().contains("CANARY"));
    let r = reporter
        .post(format!("{base}/api/v1/tips/follow/messages"))
        .json(&json!({"receipt": code, "body": "补充：三号巷道。"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);

    let http = reqwest::Client::new();
    let bearer = |t: &str| format!("Bearer {t}");
    let list = json_of(http.get(format!("{base}/api/v1/tips")).header("authorization", bearer(&county_token))).await;
    let id = list[0]["id"].as_i64().unwrap();
    let bureau =
        json_of(http.get(format!("{base}/api/v1/orgs?kind=regulator")).header("authorization", bearer(&county_token)))
            .await;
    let assignee = bureau["items"][0]["id"].as_i64().unwrap_or_else(|| panic!("{bureau}"));
    for (path, body) in [
        ("assign", json!({"category": "事故隐患", "assignee_org_id": assignee})),
        ("conclude", json!({"outcome": "true", "findings": "属实"})),
        ("messages", json!({"text": "感谢举报。"})),
    ] {
        let r = http
            .post(format!("{base}/api/v1/tips/{id}/{path}"))
            .header("authorization", bearer(&county_token))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.text().await.unwrap());
    }
    for path in [format!("/api/v1/tips/{id}"), "/api/v1/tips/stats".to_owned(), "/api/v1/audit".to_owned()] {
        let text = http
            .get(format!("{base}{path}"))
            .header("authorization", bearer(&county_token))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!text.contains("CANARY") && !text.contains("127.0.0.77"), "{path}: {text}");
    }
    let r = json_of(
        http.post(format!("{base}/api/v1/tips/{id}/reveal"))
            .header("authorization", bearer(&custodian_token))
            .json(&json!({"text": "核实举报人身份以发放奖励"})),
    )
    .await;
    assert_eq!(r["contact"], "CANARY-CONTACT 13800000000", "the custodian can open it");
    assert!(terminate(s).success());

    let log = std::fs::read(&log_path).unwrap();
    assert!(log.len() > 1000, "the log was written at debug level ({} bytes)", log.len());
    let mut files = files_under(&data);
    files.extend(files_under(&tmp));
    files.push((log_path.clone(), log));
    assert!(files.iter().any(|(p, _)| p.ends_with("anjian.db")));
    // The search works: what the tip says is there, in the clear, where the records are.
    let said = "井下通风设施损坏".as_bytes();
    assert!(files.iter().any(|(_, b)| b.windows(said.len()).any(|w| w == said)), "the tip's text is stored");
    for canary in ["127.0.0.77", "CANARY-UA", "CANARY-CAM", "CANARY-CONTACT", "13800000000"] {
        for (p, bytes) in &files {
            assert!(!bytes.windows(canary.len()).any(|w| w == canary.as_bytes()), "{canary} found in {}", p.display());
        }
    }
}

/// The server with its log (stderr) written to a file.
#[expect(clippy::zombie_processes, reason = "the child goes to the caller, which waits for it or kills it")]
fn start_logged(mut cmd: Command, log: &Path) -> Server {
    let file = std::fs::File::create(log).unwrap();
    cmd.env("RUST_LOG", "debug").stdout(Stdio::piped()).stderr(file);
    let mut child = cmd.spawn().expect("anjian starts");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let mut output = Vec::new();
    loop {
        let line = lines.next().expect("anjian prints its address").unwrap();
        output.push(line.clone());
        if let Some(rest) = line.strip_prefix("anjian listening on http://") {
            // Keep draining stdout so the server never blocks on a full pipe.
            std::thread::spawn(move || for _ in lines {});
            return Server { child, addr: rest.trim_end_matches('/').to_owned(), output };
        }
    }
}

/// Telemetry through the real broker: a gateway publishes to Mosquitto (127.0.0.1:1883) with QoS
/// 1, the server's shared subscription takes the batch and commits it; a malformed message is
/// counted and dropped without stopping the consumer; a resent batch is taken once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn readings_published_to_mosquitto_reach_the_warehouse() {
    use serde_json::{json, Value};
    assert!(
        std::net::TcpStream::connect("127.0.0.1:1883").is_ok(),
        "Mosquitto is not running at 127.0.0.1:1883 (start it with `mosquitto -d -c /etc/mosquitto/mosquitto.conf`)"
    );
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let token = prepare(&data).await;
    let prefix = format!("t{}", uuid::Uuid::new_v4().simple());
    let mut cmd = Command::new(BIN);
    cmd.arg("--data-dir")
        .arg(&data)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("ANJIAN_MQTT_URL", "mqtt://127.0.0.1:1883")
        .env("ANJIAN_MQTT_TOPIC_PREFIX", &prefix);
    let s = start_cmd(cmd);
    let base = format!("http://{}", s.addr);
    let http = reqwest::Client::new();
    let call = |method: reqwest::Method, path: &str, body: Value| {
        http.request(method, format!("{base}{path}")).bearer_auth(&token).json(&body).send()
    };
    let (site, code, _, gateway) = explosives_sensor(&base, &token).await;

    let mut opts = rumqttc::MqttOptions::new(format!("gw-{prefix}"), "127.0.0.1", 1883);
    opts.set_keep_alive(std::time::Duration::from_secs(10));
    let (client, mut events) = rumqttc::AsyncClient::new(opts, 10);
    tokio::spawn(async move { while events.poll().await.is_ok() {} });
    let topic = format!("{prefix}/{gateway}/readings");
    let now = chrono::Utc::now();
    let batch = json!([
        {"sensor": code, "at": (now - chrono::Duration::seconds(30)).to_rfc3339(), "value": 18.5},
        {"sensor": code, "at": now.to_rfc3339(), "value": 19.25},
    ])
    .to_string();
    // The server may still be subscribing: publish until the readings are there.
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut last = Value::Null;
    while Instant::now() < deadline {
        client.publish(topic.as_str(), rumqttc::QoS::AtLeastOnce, false, "garbage, not readings").await.unwrap();
        client.publish(topic.as_str(), rumqttc::QoS::AtLeastOnce, false, batch.clone()).await.unwrap();
        tokio::time::sleep(Duration::from_millis(500)).await;
        last = call(reqwest::Method::GET, &format!("/api/v1/warehouses/{site}"), json!({}))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if last["sensors"][0]["last_value"].as_f64() == Some(19.25) {
            break;
        }
    }
    assert_eq!(
        last["sensors"][0]["last_value"].as_f64(),
        Some(19.25),
        "the readings arrived through the broker: {last}"
    );
    assert!(terminate(s).success());
    // Taken once however often it was published.
    let store = open_data(&data).await;
    let sid = last["sensors"][0]["id"].as_i64().unwrap();
    let n = anjian_store::warehouses::readings_between(
        &store.db,
        sid,
        now - chrono::Duration::hours(1),
        now + chrono::Duration::hours(1),
    )
    .await
    .unwrap();
    assert_eq!(n.len(), 2);
    store.close().await.unwrap();
}

/// Two instances on one PostgreSQL database and one data folder, behind no sticky sessions: a
/// token made for one is good on the other, a page session opened on one carries on on the other,
/// and the broker splits the gateways' batches between
/// them (a shared subscription; each instance with a client id of its own), every reading stored
/// once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_share_one_database_its_sessions_and_the_mqtt_load() {
    use serde_json::{json, Value};
    assert!(
        std::net::TcpStream::connect("127.0.0.1:1883").is_ok(),
        "Mosquitto is not running at 127.0.0.1:1883 (start it with `mosquitto -d -c /etc/mosquitto/mosquitto.conf`)"
    );
    let db = TestDb::new(Backend::Postgres);
    let schema = db.options.pg_schema.clone().unwrap();
    let (token, boss_password) = {
        let store = db.open().await;
        let token = prepare_store(&store).await;
        let password = user_in(&store, "twin.boss", "principal").await;
        store.close().await.unwrap();
        (token, password)
    };
    let url = format!("{}?options=-c%20search_path%3D{schema}", postgres_url());
    let dir = tempfile::tempdir().unwrap();
    let prefix = format!("t{}", uuid::Uuid::new_v4().simple());
    let instance = |name: &str| {
        let mut cmd = Command::new(BIN);
        cmd.arg("--data-dir")
            .arg(dir.path().join("data"))
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("ANJIAN_DATABASE_URL", &url)
            .env("ANJIAN_MQTT_URL", "mqtt://127.0.0.1:1883")
            .env("ANJIAN_MQTT_TOPIC_PREFIX", &prefix)
            .env("ANJIAN_MQTT_CLIENT_ID", format!("{prefix}-{name}"));
        start_logged(cmd, &dir.path().join(format!("{name}.log")))
    };
    let a = instance("a");
    let b = instance("b");
    let (base_a, base_b) = (format!("http://{}", a.addr), format!("http://{}", b.addr));
    let (_, code, _, gateway) = explosives_sensor(&base_a, &token).await;
    // Made on one, good on the other.
    let me = json_of(reqwest::Client::new().get(format!("{base_b}/api/v1/me")).bearer_auth(&token)).await;
    assert_eq!(me["username"], "writer", "{me}");
    // A page session opened on one instance carries on on the other, both ways: signed in on A,
    // the forced password change is made on B, and A then serves the campaign page.
    let pages = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let r = pages
        .post(format!("{base_a}/login"))
        .form(&[("username", "twin.boss"), ("password", boss_password.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let cookie = session_cookie(&r).expect("a session cookie");
    let form = pages.get(format!("{base_b}/account/password")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(form.status(), 200, "instance B knows the session");
    let csrf = hidden(&form.text().await.unwrap(), "_csrf").expect("the password form");
    let r = pages
        .post(format!("{base_b}/account/password"))
        .header("cookie", &cookie)
        .form(&[
            ("_csrf", csrf.as_str()),
            ("current", boss_password.as_str()),
            ("new", "Twin-Instances-2026"),
            ("repeat", "Twin-Instances-2026"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = pages.get(format!("{base_a}/campaign")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(page.status(), 200, "instance A sees the change made on B");
    // Both subscribed before the gateway publishes.
    let log = |name: &str| std::fs::read_to_string(dir.path().join(format!("{name}.log"))).unwrap_or_default();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !(log("a").contains("MQTT connected") && log("b").contains("MQTT connected")) {
        assert!(Instant::now() < deadline, "both instances connect to the broker");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    let mut opts = rumqttc::MqttOptions::new(format!("gw-{prefix}"), "127.0.0.1", 1883);
    opts.set_keep_alive(std::time::Duration::from_secs(10));
    let (client, mut events) = rumqttc::AsyncClient::new(opts, 100);
    tokio::spawn(async move { while events.poll().await.is_ok() {} });
    let t0 = anjian_store::readings::to_stored_precision(chrono::Utc::now() - chrono::Duration::hours(2));
    let (batches, per) = (40i64, 100i64);
    for i in 0..batches {
        let body: Vec<Value> = (0..per)
            .map(|k| {
                let at = t0 + chrono::Duration::milliseconds(i * per + k);
                json!({"sensor": code, "at": at.to_rfc3339(), "value": 20.0})
            })
            .collect();
        let topic = format!("{prefix}/{gateway}/readings");
        client.publish(topic, rumqttc::QoS::AtLeastOnce, false, Value::Array(body).to_string()).await.unwrap();
    }
    let store = db.open().await;
    let sensor = anjian_store::warehouses::sensor_ids(&store.db).await.unwrap()[0];
    let deadline = Instant::now() + Duration::from_secs(60);
    let stored = loop {
        let n =
            anjian_store::warehouses::readings_between(&store.db, sensor, t0, chrono::Utc::now()).await.unwrap().len();
        if n as i64 == batches * per || Instant::now() > deadline {
            break n;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(stored as i64, batches * per, "every reading published is stored once");
    let taken = |name: &str| log(name).lines().filter(|l| l.contains("MQTT batch")).count();
    let (by_a, by_b) = (taken("a"), taken("b"));
    assert!(by_a > 0 && by_b > 0, "the broker split the batches: {by_a} by one instance, {by_b} by the other");
    println!("{batches} batches: {by_a} taken by one instance, {by_b} by the other");
    assert!(terminate(a).success());
    assert!(terminate(b).success());
    store.drop_schema(&schema).await.unwrap();
    store.close().await.unwrap();
}

/// Two instances on one PostgreSQL database, both running the jobs every second: the leases make
/// one of them do each run, so every reminder reaches the webhook once — none twice, none lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_deliver_each_reminder_once() {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};
    let received: Arc<Mutex<HashMap<String, u32>>> = Arc::default();
    let hook = {
        let received = received.clone();
        axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: axum::http::HeaderMap| async move {
                let id = headers.get("x-anjian-delivery").and_then(|v| v.to_str().ok()).unwrap_or_default();
                *received.lock().unwrap().entry(id.to_owned()).or_default() += 1;
                axum::http::StatusCode::OK
            }),
        )
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook_url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, hook).await.ok() });

    let db = TestDb::new(Backend::Postgres);
    let schema = db.options.pg_schema.clone().unwrap();
    db.open().await.close().await.unwrap();
    let url = format!("{}?options=-c%20search_path%3D{schema}", postgres_url());
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("anjian.toml");
    std::fs::write(&config, format!("webhook_url = \"{hook_url}\"\nreminder_interval_seconds = 1\n")).unwrap();
    let instance = |extra: &[&str]| {
        let mut cmd = Command::new(BIN);
        cmd.arg("--config")
            .arg(&config)
            .arg("--data-dir")
            .arg(dir.path().join("data"))
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(extra)
            .env("ANJIAN_DATABASE_URL", &url);
        start_cmd(cmd)
    };
    let a = instance(&["--demo", "--enterprises", "30"]);
    let b = instance(&[]);
    // Until the deliveries stop coming: three quiet seconds in a row.
    let total = || received.lock().unwrap().values().sum::<u32>();
    let (mut last, mut quiet) = (0, 0);
    let deadline = Instant::now() + Duration::from_secs(120);
    while quiet < 3 {
        assert!(Instant::now() < deadline, "the deliveries settle ({} so far)", total());
        tokio::time::sleep(Duration::from_secs(1)).await;
        let now = total();
        quiet = if now > 0 && now == last { quiet + 1 } else { 0 };
        last = now;
    }
    let twice: Vec<_> =
        received.lock().unwrap().iter().filter(|(_, n)| **n > 1).map(|(id, n)| (id.clone(), *n)).collect();
    assert!(twice.is_empty(), "deliveries sent more than once: {twice:?}");
    let store = db.open().await;
    let count = |sql: &'static str| {
        let store = store.clone();
        async move { store.sql_count(sql).await.unwrap() }
    };
    let queued = count("SELECT count(*) FROM webhook_deliveries").await;
    let delivered = count("SELECT count(*) FROM webhook_deliveries WHERE state = 'delivered'").await;
    assert!(queued > 0, "the demo's reminders were queued for the webhook");
    assert_eq!(delivered, queued, "every queued delivery was delivered");
    assert_eq!(last as i64, queued, "the webhook heard each delivery once");
    println!("two instances: {queued} reminders, each delivered once");
    assert!(terminate(a).success());
    assert!(terminate(b).success());
    store.drop_schema(&schema).await.unwrap();
    store.close().await.unwrap();
}

/// A stopped server lets go of its job leases: the next instance runs the reminders and the
/// watch at once, not minutes later when the leases would have run out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_server_lets_go_of_its_job_leases() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    prepare(&data).await;
    let config = dir.path().join("anjian.toml");
    std::fs::write(&config, "reminder_interval_seconds = 1\n").unwrap();
    let mut cmd = Command::new(BIN);
    cmd.arg("--config").arg(&config).arg("--data-dir").arg(&data).args(["serve", "--listen", "127.0.0.1:0"]);
    let s = start_cmd(cmd);
    // The jobs have run: the server holds the reminders' and the watch's leases.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let store = open_data(&data).await;
        let held =
            store.sql_count("SELECT count(*) FROM job_leases WHERE name IN ('reminders', 'watch')").await.unwrap();
        store.close().await.unwrap();
        if held == 2 {
            break;
        }
        assert!(Instant::now() < deadline, "the jobs did not run");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(terminate(s).success());
    let store = open_data(&data).await;
    let now = chrono::Utc::now();
    for job in ["reminders", "watch"] {
        let taken = anjian_store::notifications::take_lease(
            &store.db,
            job,
            "next-instance",
            now,
            now + chrono::Duration::minutes(5),
        )
        .await
        .unwrap();
        assert!(taken.is_some(), "{job}: still held by the stopped server");
    }
    store.close().await.unwrap();
}
