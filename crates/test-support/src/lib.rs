//! Test helpers: a fresh database per test on SQLite (a file in a temp dir) and PostgreSQL (a
//! schema of its own), the real router served on a random port, a fixed clock, and users with
//! known passwords, second factors and tokens.
//!
//! PostgreSQL is at `ANJIAN_TEST_DATABASE_URL` (default `postgres://postgres@127.0.0.1:5432/test`).
//! If it is not there the test fails and says so: it never skips.

use anjian_app::settings::Argon2Params;
use anjian_app::{Actor, App, Settings};
use anjian_domain::clock::FixedClock;
use anjian_store::{orgs, users, Store, StoreOptions};
use chrono::{DateTime, TimeZone, Utc};
use rand::Rng;
use std::net::SocketAddr;
use std::sync::Arc;

pub use anjian_domain;
pub use anjian_store;

pub use anjian_app::demo::SEED_PLAN;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub fn postgres_url() -> String {
    std::env::var("ANJIAN_TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// A database made for one test.
pub struct TestDb {
    pub backend: Backend,
    pub options: StoreOptions,
    _dir: Option<tempfile::TempDir>,
    /// Uploaded files of this test.
    pub blob_dir: tempfile::TempDir,
}

impl TestDb {
    pub fn new(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite:{}", dir.path().join("test.db").display());
                TestDb {
                    backend,
                    options: StoreOptions { url, pg_schema: None, max_connections: 8 },
                    _dir: Some(dir),
                    blob_dir: tempfile::tempdir().expect("temp dir"),
                }
            }
            Backend::Postgres => {
                let schema = format!("anjian_t_{:016x}", rand::thread_rng().gen::<u64>());
                TestDb {
                    backend,
                    options: StoreOptions { url: postgres_url(), pg_schema: Some(schema), max_connections: 5 },
                    _dir: None,
                    blob_dir: tempfile::tempdir().expect("temp dir"),
                }
            }
        }
    }

    pub fn dir(&self) -> Option<&std::path::Path> {
        self._dir.as_ref().map(|d| d.path())
    }

    pub async fn open(&self) -> Store {
        match Store::open(&self.options).await {
            Ok(s) => s,
            Err(e) if self.backend == Backend::Postgres => panic!(
                "PostgreSQL at {} is not reachable ({e}). Start it: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
                postgres_url()
            ),
            Err(e) => panic!("opening SQLite: {e}"),
        }
    }
}

/// 2022-08-15 10:00 in Shanghai: a Monday inside the 集中攻坚阶段.
pub fn campaign_monday() -> DateTime<Utc> {
    chrono_tz::Asia::Shanghai.with_ymd_and_hms(2022, 8, 15, 10, 0, 0).unwrap().with_timezone(&Utc)
}

/// Settings for tests: the real policy, a cheap password hash.
pub fn test_settings() -> Settings {
    // A light proof of work too: the tests solve it in Rust, the browser test in the page's script.
    Settings { argon2: Argon2Params { m_kib: 256, t: 1, p: 1 }, tip_pow_bits: 10, ..Settings::default() }
}

/// A user the test knows everything about.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: i64,
    pub username: String,
    pub password: String,
    pub token: String,
    pub totp_secret: Option<String>,
    pub org_id: Option<i64>,
}

pub struct TestApp {
    pub db: TestDb,
    pub store: Store,
    pub app: App,
    pub clock: Arc<FixedClock>,
    pub addr: SocketAddr,
    pub http: reqwest::Client,
    server: tokio::task::JoinHandle<()>,
}

impl TestApp {
    /// A fresh database with the seed plan imported, served on a random port.
    pub async fn start(backend: Backend) -> TestApp {
        Self::start_with(backend, |_| {}).await
    }

    pub async fn start_with(backend: Backend, tweak: impl FnOnce(&mut anjian_web::AppState)) -> TestApp {
        Self::start_configured(backend, |_| {}, tweak).await
    }

    /// A test app whose settings the test adjusts first (a webhook URL, say).
    pub async fn start_with_settings(backend: Backend, settings: impl FnOnce(&mut Settings)) -> TestApp {
        Self::start_configured(backend, settings, |_| {}).await
    }

    async fn start_configured(
        backend: Backend,
        adjust: impl FnOnce(&mut Settings),
        tweak: impl FnOnce(&mut anjian_web::AppState),
    ) -> TestApp {
        let db = TestDb::new(backend);
        let store = db.open().await;
        let clock = Arc::new(FixedClock::new(campaign_monday()));
        let mut settings = test_settings();
        settings.blob_dir = Some(db.blob_dir.path().to_owned());
        adjust(&mut settings);
        let app = App::new(store.clone(), clock.clone(), settings);
        app.import_plan(None, SEED_PLAN).await.expect("seed plan imports");
        let mut state = anjian_web::AppState::new(app.clone());
        state.secure_cookies = false;
        tweak(&mut state);
        let router = anjian_web::router(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let server = tokio::spawn(async move {
            axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await.ok();
        });
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        TestApp { db, store, app, clock, addr, http, server }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Generates the demo city (small, deterministic).
    pub async fn demo(&self, enterprises: u32) {
        self.app
            .generate_demo(anjian_app::demo::DemoSpec { enterprises, seed: 7 }, &|_| {})
            .await
            .expect("demo generates");
    }

    pub async fn org_by_code(&self, code: &str) -> orgs::Org {
        orgs::by_code(&self.store.db, code).await.unwrap().unwrap_or_else(|| panic!("no org {code}"))
    }

    /// Creates a user with a known password (no forced change), a token, and for roles that need
    /// it a second factor.
    pub async fn user(&self, username: &str, role: &str, org_id: Option<i64>) -> TestUser {
        self.user_with(username, role, org_id, None, None).await
    }

    /// A user who is also a leader of 附件1 (`leader`) or holds a position in a bureau.
    pub async fn user_with(
        &self,
        username: &str,
        role: &str,
        org_id: Option<i64>,
        leader: Option<&str>,
        position: Option<&str>,
    ) -> TestUser {
        let (u, _) = self
            .app
            .create_user(
                None,
                anjian_app::users::CreateUser {
                    username: username.to_owned(),
                    display_name: format!("测试{username}"),
                    role: role.to_owned(),
                    org_id,
                    leader_code: leader.map(Into::into),
                    position: position.map(Into::into),
                },
            )
            .await
            .expect("user created");
        let password = format!("Tq7-{username}-x9Z");
        let hash = self.app.crypto.hash_password(&password);
        users::set_password(&self.store.db, u.id, &hash, false, self.clock.now_value()).await.unwrap();
        let role_v: anjian_domain::role::Role = role.parse().unwrap();
        let totp_secret = if role_v.requires_second_factor() {
            let s = self.app.crypto.new_totp_secret();
            let sealed = self.app.crypto.seal(&s);
            users::set_totp_secret(&self.store.db, u.id, Some(&sealed), self.clock.now_value()).await.unwrap();
            Some(s)
        } else {
            None
        };
        let user = users::by_id_for_auth(&self.store.db, u.id).await.unwrap().unwrap();
        let org = users::org_of(&self.store.db, &user).await.unwrap();
        let (_, token) = self.app.create_token(&Actor::new(user, org), "test").await.unwrap();
        TestUser { id: u.id, username: username.to_owned(), password, token, totp_secret, org_id }
    }

    /// The TOTP code for a secret at the fixed clock's current step (+ `offset` steps).
    pub fn totp(&self, secret: &str, offset: i64) -> String {
        let step = self.clock.now_value().timestamp().div_euclid(30) + offset;
        self.app.crypto.totp_code(secret, step).expect("valid secret")
    }

    pub async fn get(&self, token: &str, path: &str) -> reqwest::Response {
        self.http.get(self.url(path)).bearer_auth(token).send().await.expect("request")
    }

    /// Signs in through the login form; returns the session cookie (`name=value`).
    pub async fn login_form(&self, username: &str, password: &str) -> Result<String, reqwest::StatusCode> {
        let r = self
            .http
            .post(self.url("/login"))
            .form(&[("username", username), ("password", password)])
            .send()
            .await
            .expect("login request");
        if r.status() != reqwest::StatusCode::SEE_OTHER {
            return Err(r.status());
        }
        Ok(session_cookie(&r).expect("session cookie"))
    }

    /// Signs a user in through the login form (and the second factor when the role needs one);
    /// returns the session cookie.
    pub async fn sign_in(&self, u: &TestUser) -> String {
        let cookie = self.login_form(&u.username, &u.password).await.expect("signs in");
        if let Some(secret) = &u.totp_secret {
            let code = self.totp(secret, 0);
            let (_, _, html) = self.page(&cookie, "/login/second-factor").await;
            let csrf = hidden(&html, "_csrf").expect("second-factor form");
            self.post_form(&cookie, "/login/second-factor", &[("_csrf", &csrf), ("code", &code)]).await;
        }
        cookie
    }

    /// A page with a session cookie; returns status, Location and body.
    pub async fn page(&self, cookie: &str, path: &str) -> (u16, Option<String>, String) {
        let r = self.http.get(self.url(path)).header("cookie", cookie).send().await.expect("page");
        let status = r.status().as_u16();
        let loc = r.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_owned);
        (status, loc, r.text().await.unwrap_or_default())
    }

    pub async fn post_form(&self, cookie: &str, path: &str, form: &[(&str, &str)]) -> (u16, Option<String>, String) {
        let r = self.http.post(self.url(path)).header("cookie", cookie).form(form).send().await.expect("post");
        let status = r.status().as_u16();
        let loc = r.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_owned);
        (status, loc, r.text().await.unwrap_or_default())
    }

    /// Stops the server and drops the test's PostgreSQL schema.
    pub async fn finish(self) {
        self.server.abort();
        if let Some(schema) = &self.db.options.pg_schema {
            self.store.drop_schema(schema).await.ok();
        }
        self.store.close().await.ok();
    }
}

/// Extracts the value of a hidden input (`name="_csrf" value="…"`) from a page.
/// The session cookie a sign-in answer sets (`name=value`, ready for a `Cookie` header).
pub fn session_cookie(r: &reqwest::Response) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("anjian=") || v.starts_with("__Host-anjian="))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
}

pub fn hidden(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\" value=\""))?;
    let rest = &html[at + name.len() + 15..];
    Some(rest[..rest.find('"')?].to_owned())
}

/// Text inside the element with this id.
pub fn by_id(html: &str, id: &str) -> Option<String> {
    let at = html.find(&format!("id=\"{id}\""))?;
    let rest = &html[at..];
    let start = rest.find('>')? + 1;
    let end = rest[start..].find('<')?;
    Some(rest[start..start + end].to_owned())
}

/// Runs a scenario once on SQLite and once on PostgreSQL, as two tests.
#[macro_export]
macro_rules! on_both_databases {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                ($body)($crate::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                ($body)($crate::Backend::Postgres).await
            }
        }
    };
}

/// `FixedClock::now` without importing the trait everywhere.
pub trait NowValue {
    fn now_value(&self) -> DateTime<Utc>;
}

impl NowValue for FixedClock {
    fn now_value(&self) -> DateTime<Utc> {
        anjian_domain::clock::Clock::now(self)
    }
}

/// A small JPEG carrying an Exif segment with `marker` and a GPS position, as a phone camera
/// writes one.
pub fn jpeg_with_exif(marker: &str) -> Vec<u8> {
    let img = image::RgbImage::from_fn(48, 32, |x, y| image::Rgb([(x * 5) as u8, (y * 7) as u8, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img).write_to(&mut out, image::ImageFormat::Jpeg).expect("encode");
    let jpeg = out.into_inner();
    let payload = format!("Exif\0\0{marker} GPS 35.4908N 112.8513E");
    let len = (payload.len() + 2) as u16;
    let mut with = vec![0xFF, 0xD8, 0xFF, 0xE1];
    with.extend_from_slice(&len.to_be_bytes());
    with.extend_from_slice(payload.as_bytes());
    with.extend_from_slice(&jpeg[2..]);
    with
}

/// Every file under a folder, read whole (to look for what must not be there).
pub fn files_under(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(b) = std::fs::read(&p) {
                out.push((p, b));
            }
        }
    }
    out
}

/// The (field, code) pairs of an API error body.
pub fn field_codes(v: &serde_json::Value) -> Vec<(String, String)> {
    v["error"]["fields"]
        .as_array()
        .map(|f| {
            f.iter()
                .map(|x| (x["field"].as_str().unwrap_or("").to_owned(), x["code"].as_str().unwrap_or("").to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

/// A JSON POST with a token: status and body (Null when the body is not JSON).
pub async fn post_json(t: &TestApp, token: &str, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
    let r = t.http.post(t.url(path)).bearer_auth(token).json(&body).send().await.expect("request");
    (r.status().as_u16(), r.json().await.unwrap_or(serde_json::Value::Null))
}

/// A JSON PUT with a token.
pub async fn put_json(t: &TestApp, token: &str, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
    let r = t.http.put(t.url(path)).bearer_auth(token).json(&body).send().await.expect("request");
    (r.status().as_u16(), r.json().await.unwrap_or(serde_json::Value::Null))
}

/// A GET with a token, read as JSON.
pub async fn get_json(t: &TestApp, token: &str, path: &str) -> (u16, serde_json::Value) {
    let r = t.get(token, path).await;
    (r.status().as_u16(), r.json().await.unwrap_or(serde_json::Value::Null))
}
