//! Opening the store, preparing a fresh installation, and running the server until SIGTERM.

use crate::config::Resolved;
use anjian_app::demo::DemoSpec;
use anjian_app::demo::SEED_PLAN;
use anjian_app::App;
use anjian_domain::clock::SystemClock;
use anjian_store::{Store, StoreOptions};
use anyhow::Context;
use std::sync::Arc;

pub fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("info,{}", anjian_store::QUIET_LOG_TARGETS)));
    let b = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = if json { b.json().try_init() } else { b.try_init() };
}

pub async fn open(cfg: &Resolved) -> anyhow::Result<App> {
    std::fs::create_dir_all(&cfg.data_dir).with_context(|| format!("creating {}", cfg.data_dir.display()))?;
    // The data folder holds the database, the keys and the uploads: its owner's alone.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&cfg.data_dir, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("restricting {}", cfg.data_dir.display()))?;
    }
    let mut settings = cfg.settings.clone();
    settings.signing_key = signing_key(&cfg.data_dir.join("signing.key"))?;
    settings.blob_dir = Some(cfg.data_dir.join("blobs"));
    settings.webhook_secret = signing_key(&cfg.data_dir.join("webhook.key"))?;
    // Seals tip contact details and salts receipt codes; losing it loses every reporter's way back.
    settings.sealing_key = signing_key(&cfg.data_dir.join("tips.key"))?;
    settings.audit_checkpoint = Some(Arc::new(anjian_app::audit_checkpoint::CheckpointFile {
        path: cfg.checkpoint_path(),
        key: checkpoint_key(cfg)?,
    }));
    let store = Store::open(&StoreOptions { url: cfg.database_url().to_owned(), pg_schema: None, max_connections: 16 })
        .await
        .context("opening the database")?;
    let app = App::new(store, Arc::new(SystemClock), settings);
    let sealed = app.seal_totp_secrets().await.context("sealing second-factor secrets")?;
    if sealed > 0 {
        tracing::info!(sealed, "second-factor secrets sealed");
    }
    Ok(app)
}

/// The key that signs hazard ledgers: made once, kept in the data folder (mode 0600), and never
/// replaced — a new key would make every earlier signature fail to verify. Several instances on
/// one PostgreSQL must share the same file.
fn signing_key(path: &std::path::Path) -> anyhow::Result<Vec<u8>> {
    if path.exists() {
        let key = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        anyhow::ensure!(key.len() >= 32, "{} is shorter than 32 bytes", path.display());
        return Ok(key);
    }
    let mut key = vec![0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut key);
    write_private_bytes(path, &key)?;
    Ok(key)
}

/// The key that signs the audit checkpoint (made once, mode 0600, like the ledger key).
pub fn checkpoint_key(cfg: &Resolved) -> anyhow::Result<anjian_app::audit_checkpoint::CheckpointKey> {
    let path = cfg.checkpoint_key_path();
    anjian_app::audit_checkpoint::CheckpointKey::from_bytes(&signing_key(&path)?)
        .with_context(|| format!("{} is not a checkpoint key", path.display()))
}

/// What `serve` says on a database no plan was set up in: the two ways to begin.
pub const NOT_INITIALISED: &str = "\
这个安装还没有专项方案。请先选择一种方式：
  anjian init --plan 方案.toml     用本局的方案建立安装（辖区、监管部门、系统管理员）
  anjian serve --demo              用内置示例方案生成演示城市
This installation has no plan yet. Either
  anjian init --plan PLAN.toml     set it up from your bureau's plan (jurisdictions, bureaus, the admin)
  anjian serve --demo              build the demo city from the bundled sample plan
Writing a plan: README.md, \"Your bureau's plan\"; docs/plan-format.md lists every field.";

/// Whether the database holds a plan (an installation that was set up).
pub async fn initialised(app: &App) -> bool {
    app.current_plan().await.is_ok()
}

/// Sets up an installation from a plan: lints and imports it, then makes the system admin.
/// Run again with the same plan, it changes nothing; a different plan is `plan import`'s job.
pub async fn init(app: &App, text: &str) -> anyhow::Result<Result<(), Vec<anjian_domain::plan::Finding>>> {
    let new = match anjian_domain::plan::Plan::parse(text) {
        Ok(p) => p,
        Err(_) => return Ok(Err(anjian_domain::plan::lint(text))),
    };
    if let Ok(current) = app.current_plan().await {
        anyhow::ensure!(
            current.plan.id == new.plan.id,
            "already set up with plan `{}`; add or revise plans with `anjian plan import`",
            current.plan.id
        );
    }
    match app.import_plan(None, text).await {
        Ok(imported) if imported.preview.unchanged => {
            println!("plan {} already imported (version {})", imported.preview.plan_id, imported.version)
        }
        Ok(imported) => println!("imported plan {} (version {})", imported.preview.plan_id, imported.version),
        Err(anjian_app::AppError::PlanInvalid(findings)) => return Ok(Err(findings)),
        Err(e) => return Err(e.into()),
    }
    print_admin(app).await?;
    Ok(Ok(()))
}

/// The system admin, made once: its one-time password is printed the one time it exists.
async fn print_admin(app: &App) -> anyhow::Result<()> {
    if let Some(pw) = app.bootstrap_admin("admin").await? {
        println!();
        println!("  系统管理员 system admin:  admin");
        println!("  一次性密码 one-time password:  {pw}");
        println!("  (首次登录须修改密码并绑定动态口令; change it and set up a second factor at first sign-in)");
        println!();
    }
    Ok(())
}

/// Before serving: the system admin (on an installation set up before `init` made it) and the
/// demo city when asked. The caller has checked that there is a plan, or that a demo is asked.
/// Run again on the same data, it changes nothing.
pub async fn prepare(app: &App, cfg: &Resolved, demo_spec: Option<DemoSpec>) -> anyhow::Result<()> {
    if demo_spec.is_some() {
        import_demo_plan(app).await?;
    }
    print_admin(app).await?;
    if let Some(spec) = demo_spec {
        demo(app, cfg, spec).await?;
    }
    Ok(())
}

/// The demo runs the seed plan in the calendar of the latest campaign that has begun by today
/// (the 2022 campaign moved to this year, or last year before 06-23), so that its weeks and
/// months are live. An installation with a plan keeps it.
pub async fn import_demo_plan(app: &App) -> anyhow::Result<()> {
    if app.current_plan().await.is_ok() {
        return Ok(());
    }
    let seed = anjian_domain::plan::Plan::parse(SEED_PLAN).map_err(|e| anyhow::anyhow!("seed plan: {e}"))?;
    let starts = seed.plan.starts.get_ref().0;
    let today = anjian_domain::period::local_date(app.clock.now());
    let mut year = chrono::Datelike::year(&today);
    if chrono::NaiveDate::from_ymd_opt(year, chrono::Datelike::month(&starts), chrono::Datelike::day(&starts))
        .is_some_and(|d| d > today)
    {
        year -= 1;
    }
    let text = anjian_domain::plan::redate(SEED_PLAN, year - chrono::Datelike::year(&starts));
    let imported = app.import_plan(None, &text).await?;
    println!(
        "imported plan {} (version {}), dates moved to the {year} campaign for the demo",
        imported.preview.plan_id, imported.version
    );
    Ok(())
}

pub async fn demo(app: &App, cfg: &Resolved, spec: DemoSpec) -> anyhow::Result<()> {
    let bar = indicatif::ProgressBar::new(spec.enterprises as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("  demo city {bar:40} {pos}/{len} orgs")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let b = bar.clone();
    let city = app.generate_demo(spec, &move |n| b.inc(n)).await?;
    bar.finish_and_clear();
    match city {
        None => println!("demo data already present; nothing generated"),
        Some(city) => {
            std::fs::create_dir_all(&cfg.data_dir)?;
            let path = cfg.data_dir.join("demo-accounts.txt");
            let mut text =
                String::from("# anjian demo accounts: one-time passwords, to be changed at first sign-in.\n");
            for a in &city.accounts {
                text.push_str(&format!(
                    "{}\t{}\t{}\t{}\n",
                    a.username,
                    a.role,
                    a.password,
                    a.org.as_deref().unwrap_or("-")
                ));
            }
            write_private(&path, &text)?;
            println!(
                "demo city: {} organisations, {} sites, {} accounts, {} records (passwords in {})",
                city.orgs,
                city.sites,
                city.accounts.len(),
                city.records,
                path.display()
            );
        }
    }
    Ok(())
}

/// Writes a file only its owner can read.
fn write_private(path: &std::path::Path, text: &str) -> anyhow::Result<()> {
    write_private_bytes(path, text.as_bytes())
}

fn write_private_bytes(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let mut f = o.open(path).with_context(|| format!("writing {}", path.display()))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(())
}

pub async fn run(app: App, cfg: &Resolved) -> anyhow::Result<()> {
    let mut state = anjian_web::AppState::new(app);
    state.secure_cookies = cfg.secure_cookies;
    state.hsts = cfg.hsts;
    state.public_url = cfg.public_url.clone();
    let holder = crate::jobs::holder();
    let jobs = tokio::spawn(crate::jobs::run(state.app.clone(), cfg.reminder_interval, holder.clone()));
    let checkpoints = tokio::spawn(crate::jobs::advance_checkpoints(state.app.clone(), cfg.audit_checkpoint_interval));
    let app = state.app.clone();
    let mqtt = match &cfg.mqtt_url {
        Some(url) => Some(tokio::spawn(crate::mqtt::run(
            state.app.clone(),
            url.clone(),
            crate::mqtt::client_id(&cfg.data_dir)?,
            cfg.mqtt_topic_prefix.clone(),
            cfg.mqtt_credentials.clone().map(|(user, password)| (user, password.0)),
        ))),
        None => None,
    };
    let router = anjian_web::router(state);
    let shutdown = shutdown_signal();
    let listener =
        tokio::net::TcpListener::bind(&cfg.listen).await.with_context(|| format!("listening on {}", cfg.listen))?;
    let addr = listener.local_addr()?;
    println!("anjian listening on http://{addr}/");
    tracing::info!(%addr, "listening");
    anjian_web::server::serve(listener, router, cfg.http_limits, shutdown).await?;
    jobs.abort();
    checkpoints.abort();
    // Wait until the jobs have stopped (a statement in flight would otherwise renew a lease after
    // it was released). A job cut off mid-run rolled back; its lease goes so the next instance
    // need not wait it out.
    let _ = jobs.await;
    if let Err(e) = app.release_job_leases(&holder).await {
        tracing::warn!(error = %e, "job leases not released; they run out on their own");
    }
    if let Some(m) = mqtt {
        m.abort();
    }
    // The last records written are under the checkpoint before the process ends.
    crate::jobs::advance_checkpoint_once(&app).await;
    tracing::info!("stopped");
    Ok(())
}

/// SIGTERM or Ctrl-C: stop accepting, let requests in flight finish (each commits whole or not
/// at all), then exit. The SIGTERM handler is installed here, before the address is announced,
/// so that a stop sent the moment the server is up is not lost.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    async move {
        #[cfg(unix)]
        let term = async {
            match term.as_mut() {
                Some(s) => {
                    s.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let term = std::future::pending::<()>();
        tokio::select! { _ = tokio::signal::ctrl_c() => {}, _ = term => {} }
    }
}
