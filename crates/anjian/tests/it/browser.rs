//! A person in headless Chromium: signs in with a password and a second factor, sees the
//! campaign in Chinese on a desktop and on a phone-sized screen, and switches to English.
//! Needs `chromium` and `chromium-driver` (Debian); `.ci/run` installs them.

use anjian_test_support::*;
use fantoccini::{ClientBuilder, Locator};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

fn chromedriver() -> (Driver, u16) {
    let path = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    assert!(
        std::path::Path::new(&path).exists(),
        "chromedriver not found at {path}: install it with `apt-get install -y chromium chromium-driver` (or set CHROMEDRIVER)"
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new(path)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not listen on {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
    (Driver(child), port)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leader_signs_in_and_reads_the_campaign_in_chinese_on_desktop_and_phone() {
    // The default cookie (`__Host-`, Secure): browsers accept it from http://127.0.0.1.
    let t = TestApp::start_with(Backend::Sqlite, |s| s.secure_cookies = true).await;
    let city = t.org_by_code("bureau-jincheng").await;
    let u = t.user("leader.lian", "city_leader", Some(city.id)).await;
    let (_driver, port) = chromedriver();
    let binary = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": binary,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1280,900", "--lang=zh-CN"]
        }),
    );
    let c = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a Chromium session");

    let result = async {
        c.goto(&t.url("/login")).await?;
        assert!(c.source().await?.contains("安全生产监管平台"));
        c.find(Locator::Css("input[name=username]")).await?.send_keys(&u.username).await?;
        c.find(Locator::Css("input[name=password]")).await?.send_keys(&u.password).await?;
        c.find(Locator::Css("main button.primary")).await?.click().await?;
        assert!(c.current_url().await?.path().ends_with("/login/second-factor"), "asked for the second factor");
        let code = t.totp(u.totp_secret.as_deref().unwrap(), 0);
        c.find(Locator::Css("input[name=code]")).await?.send_keys(&code).await?;
        c.find(Locator::Css("main button.primary")).await?.click().await?;
        assert_eq!(c.current_url().await?.path(), "/campaign");
        let html = c.source().await?;
        assert!(html.contains("晋城市工业和信息化局（国资委）安全生产“三大战役”工作方案"));
        assert!(html.contains("集中攻坚阶段"));
        assert_eq!(c.find_all(Locator::Css("table.tasks tbody tr")).await?.len(), 20, "20 tasks");
        assert_eq!(c.find_all(Locator::Css("table.leaders tbody tr")).await?.len(), 8, "8 leaders");
        let now = c.find(Locator::Css(".timeline .now strong")).await?.text().await?;
        assert_eq!(now, "集中攻坚阶段");
        save(&c, "campaign-desktop").await;

        // A phone: the menu folds behind a button and opens without any script.
        c.set_window_size(390, 844).await?;
        let nav = c.find(Locator::Css("nav.main-nav")).await?;
        assert!(!nav.is_displayed().await?, "menu folded on a phone");
        c.find(Locator::Css("label.nav-button")).await?.click().await?;
        assert!(nav.is_displayed().await?, "menu opens");
        let width: i64 = c.execute("return document.documentElement.scrollWidth", vec![]).await?.as_i64().unwrap_or(0);
        assert!(width <= 390, "no sideways scrolling of the page on a phone ({width}px)");
        save(&c, "campaign-phone").await;

        // English by a switch.
        c.find(Locator::Css("a.lang")).await?.click().await?;
        assert_eq!(c.current_url().await?.path(), "/campaign");
        let html = c.source().await?;
        assert!(html.contains("lang=\"en\"") && html.contains("Frequency rules"));
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    c.close().await.ok();
    result.expect("browser steps");
    t.finish().await;
}

async fn save(c: &fantoccini::Client, name: &str) {
    if let Ok(png) = c.screenshot().await {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/screenshots");
        std::fs::create_dir_all(dir).ok();
        std::fs::write(format!("{dir}/{name}.png"), png).ok();
    }
}
