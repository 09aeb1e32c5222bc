//! A person in headless Chromium: signs in with a password and a second factor, sees the
//! campaign in Chinese on a desktop and on a phone-sized screen, and switches to English; a
//! principal on a phone records an inspection and sees the obligation it met.
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

/// A Chromium session of this window size, with its driver (stopped when dropped).
async fn browser(width: u32, height: u32) -> (Driver, fantoccini::Client) {
    let (driver, port) = chromedriver();
    let c = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities(width, height))
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a Chromium session");
    (driver, c)
}

/// An organisation a county officer registers in Zezhou; its id.
async fn registered(t: &TestApp, county: &TestUser, name: &str, kind: &str) -> i64 {
    let zezhou = t.org_by_code("bureau-zezhou").await;
    let r = t
        .http
        .post(t.url("/api/v1/orgs"))
        .bearer_auth(&county.token)
        .json(&serde_json::json!({"name": name, "kind": kind, "jurisdiction_id": zezhou.jurisdiction_id}))
        .send()
        .await
        .unwrap();
    r.json::<serde_json::Value>().await.unwrap()["id"].as_i64().unwrap()
}

fn capabilities(width: u32, height: u32) -> serde_json::Map<String, serde_json::Value> {
    let binary = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": binary,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync", format!("--window-size={width},{height}"), "--lang=zh-CN"]
        }),
    );
    caps
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_principal_records_an_inspection_on_a_phone_and_finds_the_hazard_it_filed() {
    let t = TestApp::start_with(Backend::Sqlite, |s| s.secure_cookies = true).await;
    let zezhou = t.org_by_code("bureau-zezhou").await;
    let county = t.user("zz.county", "county_staff", Some(zezhou.id)).await;
    let org_id = registered(&t, &county, "泽州丹河铸造有限公司", "enterprise").await;
    let u = t.user("principal.phone", "principal", Some(org_id)).await;
    t.http
        .post(t.url(&format!("/api/v1/orgs/{org_id}/points")))
        .bearer_auth(&u.token)
        .json(&serde_json::json!({"kind": "location", "name": "熔炼炉平台"}))
        .send()
        .await
        .unwrap();
    let (_driver, c) = browser(390, 844).await;
    let result = async {
        // Chromium clamps --window-size below 500 px at start; a resize afterwards is honoured.
        c.set_window_size(390, 844).await?;
        c.goto(&t.url("/login")).await?;
        fill(&c, "input[name=username]", &u.username).await?;
        fill(&c, "input[name=password]", &u.password).await?;
        submit(&c, "main button.primary").await?;
        c.goto(&t.url("/inspections/new")).await?;
        assert!(c.source().await?.contains("熔炼炉平台"), "the enterprise's own points are offered");
        c.find(Locator::Css("input[name=covered]")).await?.click().await?;
        fill(&c, "input[name=item0]", "护栏完好").await?;
        // 合格 / 不合格 / 不适用 are three large buttons; 不合格 opens the hazard's fields.
        assert!(!c.find(Locator::Css("input[name=note0]")).await?.is_displayed().await?, "closed until failed");
        c.find(Locator::Css(".finding:nth-of-type(1) label.fail span")).await?.click().await?;
        fill(&c, "input[name=note0]", "东侧护栏缺失").await?;
        fill(&c, "input[name=measures0]", "补装护栏").await?;
        // The camera's photo of the failed item goes with it.
        let photo = std::env::temp_dir().join(format!("anjian-rail-{}.jpg", std::process::id()));
        std::fs::write(&photo, jpeg_with_exif("phone")).unwrap();
        c.find(Locator::Css("input[name=photo0]")).await?.send_keys(photo.to_str().unwrap()).await?;
        // A second item does not apply here.
        fill(&c, "input[name=item1]", "行车限位器").await?;
        c.find(Locator::Css(".finding:nth-of-type(2) label.na span")).await?.click().await?;
        let progress = c.find(Locator::Id("inspection-progress")).await?.text().await?;
        assert_eq!(progress.trim(), "已检查 2 / 2 项");
        // More items than the form came with, with script.
        let rows = c.find_all(Locator::Css(".finding")).await?.len();
        c.find(Locator::Id("add-item")).await?.click().await?;
        assert_eq!(c.find_all(Locator::Css(".finding")).await?.len(), rows + 1);
        fill(&c, &format!("input[name=item{rows}]"), "灭火器压力").await?;
        c.find(Locator::Css(&format!(".finding:nth-of-type({}) label.pass span", rows + 1))).await?.click().await?;
        let progress = c.find(Locator::Id("inspection-progress")).await?.text().await?;
        assert_eq!(progress.trim(), "已检查 3 / 3 项");
        // … and removes one again: it no longer counts, and is not recorded.
        c.find(Locator::Css(&format!(".finding:nth-of-type({}) .remove-item", rows + 1))).await?.click().await?;
        let progress = c.find(Locator::Id("inspection-progress")).await?.text().await?;
        assert_eq!(progress.trim(), "已检查 2 / 2 项");
        save(&c, "inspection-phone").await;
        submit(&c, "#inspection-form button.primary").await?;
        assert_eq!(c.current_url().await?.path(), "/inspections");
        assert!(c.source().await?.contains("检查已保存"));
        c.goto(&t.url("/hazards")).await?;
        c.find(Locator::LinkText("护栏完好：东侧护栏缺失")).await?.click().await?;
        assert_eq!(c.find(Locator::Id("hazard-state")).await?.text().await?.trim(), "已上报");
        assert!(c.source().await?.contains("/attachments/"), "the item's photo is the hazard's");
        save(&c, "hazard-phone").await;
        let width: i64 = c.execute("return document.documentElement.scrollWidth", vec![]).await?.as_i64().unwrap_or(0);
        let widest = c
            .execute(
                "let w=[...document.querySelectorAll('body *')].filter(e=>e.getBoundingClientRect().right>window.innerWidth+1);\
                 return w.slice(-3).map(e=>e.tagName+'.'+e.className+' '+(e.name||'')+' '+Math.round(e.getBoundingClientRect().right)).join(' | ')",
                vec![],
            )
            .await?;
        assert!(width <= 390, "the hazard page fits a phone ({width}px): {widest}");
        // The self-inspection covered the one point, but the month counts once the principal
        // has signed its list: the obligation says what is missing …
        c.goto(&t.url("/obligations")).await?;
        let row = c.find(Locator::XPath("//tr[td/a[text()='企业每月全面自查自改']]")).await?;
        assert!(row.text().await?.contains("进行中"), "{}", row.text().await?);
        row.find(Locator::Css("a")).await?.click().await?;
        assert!(c.find(Locator::Id("missing-requirements")).await?.text().await?.contains("主要负责人签字确认"));
        // … the principal signs the month's list on the phone …
        c.goto(&t.url("/ledgers")).await?;
        fill(&c, "form[action='/ledgers/sign'] input[name=password]", &u.password).await?;
        submit(&c, "form[action='/ledgers/sign'] button.primary").await?;
        assert!(c.source().await?.contains("role=\"status\""), "signed");
        // … and the month is met, with the inspection behind it.
        c.goto(&t.url("/obligations")).await?;
        let row = c.find(Locator::XPath("//tr[td/a[text()='企业每月全面自查自改']]")).await?;
        assert!(row.text().await?.contains("已完成"), "{}", row.text().await?);
        row.find(Locator::Css("a")).await?.click().await?;
        assert_eq!(c.find(Locator::Id("status")).await?.text().await?.trim(), "已完成");
        assert!(c.find(Locator::Css("ul.evidence a")).await?.text().await?.starts_with("检查记录"));
        save(&c, "obligation-phone").await;
        let width: i64 = c.execute("return document.documentElement.scrollWidth", vec![]).await?.as_i64().unwrap_or(0);
        assert!(width <= 390, "the obligation page fits a phone ({width}px)");
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    c.close().await.ok();
    result.expect("browser steps");
    t.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leader_signs_in_and_reads_the_campaign_in_chinese_on_desktop_and_phone() {
    // The default cookie (`__Host-`, Secure): browsers accept it from http://127.0.0.1.
    let t = TestApp::start_with(Backend::Sqlite, |s| s.secure_cookies = true).await;
    t.demo(40).await;
    let city = t.org_by_code("bureau-jincheng").await;
    let u = t.user("leader.lian", "city_leader", Some(city.id)).await;
    let (_driver, c) = browser(1280, 900).await;

    let result = async {
        c.goto(&t.url("/login")).await?;
        assert!(c.source().await?.contains("安全生产监管平台"));
        fill(&c, "input[name=username]", &u.username).await?;
        fill(&c, "input[name=password]", &u.password).await?;
        submit(&c, "main button.primary").await?;
        assert!(c.current_url().await?.path().ends_with("/login/second-factor"), "asked for the second factor");
        let code = t.totp(u.totp_secret.as_deref().unwrap(), 0);
        fill(&c, "input[name=code]", &code).await?;
        submit(&c, "main button.primary").await?;
        let after = c.current_url().await?;
        assert_eq!(
            after.path(),
            "/cockpit",
            "a leader lands on the cockpit (second factor refused?): {}",
            c.find(Locator::Css("main")).await?.text().await?
        );
        assert!(c.find(Locator::Id("needs-action")).await.is_ok(), "what waits for the leader comes first");
        c.goto(&t.url("/campaign")).await?;
        let html = c.source().await?;
        assert!(html.contains("晋城市工业和信息化局（国资委）安全生产“三大战役”工作方案"));
        assert!(html.contains("集中攻坚阶段"));
        assert_eq!(c.find_all(Locator::Css("table.tasks tbody tr")).await?.len(), 20, "20 tasks");
        assert_eq!(c.find_all(Locator::Css("table.leaders tbody tr")).await?.len(), 8, "8 leaders");
        let now = c.find(Locator::Css(".timeline .now strong")).await?.text().await?;
        assert_eq!(now, "集中攻坚阶段");
        save(&c, "campaign-desktop").await;

        // The compliance matrix: the city level and its seven counties, each cell a link away
        // from its records; the task board with the phases.
        c.goto(&t.url("/compliance")).await?;
        // Rules down, places across: the city, its seven counties and the total.
        assert_eq!(
            c.find_all(Locator::Css("table.matrix thead th")).await?.len(),
            1 + 1 + 7 + 1,
            "rule, city, 7 counties, total"
        );
        assert!(c.find_all(Locator::Css("table.matrix tbody tr")).await?.len() >= 20, "a row per rule");
        save(&c, "compliance-desktop").await;
        c.find(Locator::LinkText("泽州县")).await?.click().await?;
        assert!(c.current_url().await?.query().unwrap_or("").starts_with("jurisdiction_id="));
        save(&c, "compliance-county-desktop").await;
        c.goto(&t.url("/campaign/board")).await?;
        assert_eq!(c.find_all(Locator::Css("section.task")).await?.len(), 20);
        save(&c, "board-desktop").await;
        // The cockpit: its charts are SVG drawn on the server, shown with no script.
        c.goto(&t.url("/cockpit")).await?;
        assert_eq!(c.find_all(Locator::Css("section.chart svg")).await?.len(), 5);
        save(&c, "cockpit-desktop").await;
        assert_eq!(overlapping_chart_text(&c).await?, "", "no chart text sits on another (desktop)");
        c.set_window_size(390, 844).await?;
        assert_eq!(overlapping_chart_text(&c).await?, "", "no chart text sits on another (phone)");
        save(&c, "cockpit-phone").await;
        c.set_window_size(1280, 900).await?;
        c.goto(&t.url("/campaign")).await?;

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

/// A member of the public reports on a phone, without an account: the page's script does the
/// proof of work (no outside service), the receipt code is shown once, and the code finds the tip.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn someone_reports_a_hazard_on_a_phone_and_follows_it_with_the_receipt_code() {
    let t = TestApp::start_with(Backend::Sqlite, |s| s.secure_cookies = true).await;
    let (_driver, c) = browser(390, 844).await;
    let result = async {
        c.set_window_size(390, 844).await?;
        c.goto(&t.url("/report")).await?;
        // The submit button is enabled once the script has found the nonce.
        let button = c.find(Locator::Id("tip-submit")).await?;
        for _ in 0..100 {
            if button.prop("disabled").await?.as_deref() == Some("false") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(button.prop("disabled").await?.as_deref(), Some("false"), "the proof of work finished");
        assert!(!c.find(Locator::Css("input[name=nonce]")).await?.prop("value").await?.unwrap_or_default().is_empty());
        fill(&c, "input[name=subject]", "城区某加油站").await?;
        fill(&c, "textarea[name=body]", "卸油时无人监护，现场有人吸烟。").await?;
        save(&c, "tip-phone").await;
        let width: i64 = c.execute("return document.documentElement.scrollWidth", vec![]).await?.as_i64().unwrap_or(0);
        assert!(width <= 390, "the report form fits a phone ({width}px)");
        button.click().await?;
        let code = c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Id("receipt")).await?.text().await?;
        assert_eq!(code.trim().len(), 23, "{code}");
        save(&c, "tip-receipt-phone").await;
        c.goto(&t.url("/report/follow")).await?;
        fill(&c, "input[name=code]", code.trim()).await?;
        c.find(Locator::Css("main button.primary")).await?.click().await?;
        let state =
            c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Id("tip-state")).await?.text().await?;
        assert_eq!(state.trim(), "待受理");
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    c.close().await.ok();
    result.expect("browser steps");
    assert_eq!(
        anjian_store::tips::list(
            &t.store.db,
            &anjian_test_support::anjian_domain::scope::Scope::All,
            &Default::default(),
            5
        )
        .await
        .unwrap()
        .len(),
        1
    );
    t.finish().await;
}

/// The width a page lays out at, and the elements (if any) that stick out past the window.
async fn sideways(c: &fantoccini::Client) -> Result<(i64, String), fantoccini::error::CmdError> {
    let width = c.execute("return document.documentElement.scrollWidth", vec![]).await?.as_i64().unwrap_or(0);
    let widest = c
        .execute(
            "let w=[...document.querySelectorAll('body *')].filter(e=>e.getBoundingClientRect().right>window.innerWidth+1);\
             return w.slice(-3).map(e=>e.tagName+'.'+e.className+' '+Math.round(e.getBoundingClientRect().right)).join(' | ')",
            vec![],
        )
        .await?;
    Ok((width, widest.as_str().unwrap_or_default().to_owned()))
}

/// Signs in on the open page (the login form, wherever it was asked for); a second factor when
/// the role has one.
async fn sign_in(c: &fantoccini::Client, t: &TestApp, u: &TestUser) -> Result<(), fantoccini::error::CmdError> {
    fill(c, "input[name=username]", &u.username).await?;
    fill(c, "input[name=password]", &u.password).await?;
    submit(c, "main button.primary").await?;
    if c.current_url().await?.path().ends_with("/login/second-factor") {
        let code = t.totp(u.totp_secret.as_deref().unwrap(), 0);
        fill(c, "input[name=code]", &code).await?;
        submit(c, "main button.primary").await?;
    }
    Ok(())
}

/// Each role lands where its work is, on a phone: the public on the tip form, a guard who
/// scanned a checkpoint while signed out back at that checkpoint and then on the round under
/// way, a principal on the workbench with this period's duties, a county officer on the cockpit
/// with what waits for them. No page scrolls sideways.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_lands_where_its_work_is() {
    let t = TestApp::start_with(Backend::Sqlite, |s| s.secure_cookies = true).await;
    let zezhou = t.org_by_code("bureau-zezhou").await;
    let county = t.user("zz.home", "county_staff", Some(zezhou.id)).await;
    let org_id = registered(&t, &county, "泽州民爆器材专营公司", "explosives_enterprise").await;
    let principal = t.user("mb.home", "principal", Some(org_id)).await;
    let guard = t.user("mb.guard.home", "patrol_guard", Some(org_id)).await;
    let post = |path: String, body: serde_json::Value| {
        let req = t.http.post(t.url(&path)).bearer_auth(&principal.token).json(&body);
        async move { req.send().await.unwrap().json::<serde_json::Value>().await.unwrap() }
    };
    let site = post(format!("/api/v1/orgs/{org_id}/warehouses"), serde_json::json!({"name": "1号库"})).await;
    let site_id = site["id"].as_i64().unwrap();
    let gate = post(format!("/api/v1/warehouses/{site_id}/checkpoints"), serde_json::json!({"name": "库区大门"})).await;
    post(format!("/api/v1/warehouses/{site_id}/checkpoints"), serde_json::json!({"name": "后围墙"})).await;
    let code = gate["code"].as_str().unwrap().to_owned();

    let (_driver, c) = browser(390, 844).await;
    let fits = |page: &'static str| {
        let c = c.clone();
        async move {
            let (width, widest) = sideways(&c).await?;
            assert!(width <= 390, "{page} fits a phone ({width}px): {widest}");
            save(&c, &format!("home-{page}-phone")).await;
            Ok::<(), fantoccini::error::CmdError>(())
        }
    };
    let result = async {
        c.set_window_size(390, 844).await?;
        // The public: the site's address is the tip form, and sign-in offers it too.
        c.goto(&t.url("/")).await?;
        assert_eq!(c.current_url().await?.path(), "/report");
        fits("public").await?;

        // A guard scans the gate's code while signed out, signs in, and is back at the gate.
        c.goto(&t.url(&format!("/patrol/{code}"))).await?;
        assert_eq!(c.current_url().await?.path(), "/login");
        sign_in(&c, &t, &guard).await?;
        assert_eq!(c.current_url().await?.path(), format!("/patrol/{code}"), "back at the scanned checkpoint");
        submit(&c, "main button.primary").await?;
        assert!(c.find(Locator::Id("checked-in")).await.is_ok());
        // Home is the round under way: the gate done, the back wall still to visit.
        c.goto(&t.url("/")).await?;
        assert_eq!(c.current_url().await?.path(), "/patrol");
        let round = c.find(Locator::Id(&format!("round-{site_id}"))).await?.text().await?;
        assert!(round.contains("1/2") && round.contains("后围墙"), "{round}");
        fits("guard").await?;

        // The principal: the workbench, each unmet duty one tap from its form.
        c.delete_all_cookies().await?;
        c.goto(&t.url("/")).await?;
        c.goto(&t.url("/login")).await?;
        sign_in(&c, &t, &principal).await?;
        assert_eq!(c.current_url().await?.path(), "/today");
        let duties = c.find(Locator::Id("duties")).await?.text().await?;
        assert!(duties.contains("主要负责人每周现场排查"), "{duties}");
        let record = c.find(Locator::Css("#duties a.record[href^='/inspections/new?kind=site_check']")).await?;
        fits("principal").await?;
        record.click().await?;
        let kind = c.find(Locator::Css("select[name=kind]")).await?.prop("value").await?;
        assert_eq!(kind.as_deref(), Some("site_check"), "the form offers the duty's kind first");
        // Every list a principal works from fits the phone: cards, status first.
        for page in ["/obligations", "/hazards", "/ledgers", "/inspections", "/hazards/supervised"] {
            c.goto(&t.url(page)).await?;
            let (width, widest) = sideways(&c).await?;
            assert!(width <= 390, "{page} fits a phone ({width}px): {widest}");
        }
        c.goto(&t.url("/obligations")).await?;
        save(&c, "obligations-cards-phone").await;

        // A county officer: the cockpit, with what waits for action first.
        c.delete_all_cookies().await?;
        c.goto(&t.url("/login")).await?;
        sign_in(&c, &t, &county).await?;
        assert_eq!(c.current_url().await?.path(), "/cockpit");
        assert!(c.find(Locator::Id("needs-action")).await.is_ok());
        fits("county").await?;
        c.set_window_size(1366, 900).await?;
        save(&c, "home-county-desktop").await;
        // The navigation fits one row on a desktop.
        let rows: i64 = c
            .execute(
                "let ys=new Set([...document.querySelectorAll('nav.main-nav > a, nav.main-nav > .nav-group > .nav-head')].map(e=>Math.round(e.getBoundingClientRect().top)));return ys.size",
                vec![],
            )
            .await?
            .as_i64()
            .unwrap_or(0);
        assert_eq!(rows, 1, "the navigation is one row at 1366 px");
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    c.close().await.ok();
    result.expect("browser steps");
    t.finish().await;
}

/// A county officer acts on an overdue hazard in the browser: 挂牌督办 with a deadline and what
/// is required, 催办, and a 延期 with a reason; the enterprise sees the notice on its hazard, the
/// city finds it on its list of supervised hazards with its age.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_county_officer_supervises_an_overdue_hazard_and_the_enterprise_and_city_see_it() {
    let t = TestApp::start_with(Backend::Sqlite, |s| s.secure_cookies = true).await;
    let zezhou = t.org_by_code("bureau-zezhou").await;
    let county = t.user("zz.dubang", "county_staff", Some(zezhou.id)).await;
    let city = t.user("jc.dubang", "city_staff", Some(t.org_by_code("bureau-jincheng").await.id)).await;
    let org_id = registered(&t, &county, "泽州丹河铸造有限公司", "enterprise").await;
    let principal = t.user("dh.boss", "principal", Some(org_id)).await;
    let body = serde_json::json!({"org_id": org_id, "description": "熔炼炉冷却水管渗漏", "grade": "general",
        "deadline": t.clock.now_value() + chrono::Duration::days(2)});
    let h = t.http.post(t.url("/api/v1/hazards")).bearer_auth(&county.token).json(&body).send().await.unwrap();
    let id = h.json::<serde_json::Value>().await.unwrap()["id"].as_i64().unwrap();
    t.clock.advance(chrono::Duration::days(5));
    let day = |d: i64| (t.clock.now_value() + chrono::Duration::days(d)).format("%Y-%m-%d").to_string();
    let (_driver, c) = browser(1366, 900).await;
    let set = |css: &'static str, v: String| {
        let c = c.clone();
        async move {
            c.execute(&format!("document.querySelector({css:?}).value = {v:?}"), vec![]).await?;
            Ok::<(), fantoccini::error::CmdError>(())
        }
    };
    let result = async {
        c.goto(&t.url("/login")).await?;
        sign_in(&c, &t, &county).await?;
        c.goto(&t.url(&format!("/hazards/{id}"))).await?;
        set("#supervise-form input[name=until]", day(10)).await?;
        fill(&c, "#supervise-form textarea[name=text]", "十日内更换管段并书面报告").await?;
        submit(&c, "#supervise-form button").await?;
        let notice = c.find(Locator::Id("notice")).await?.text().await?;
        assert!(notice.contains("泽县工信督〔") && notice.contains("第1号"), "{notice}");
        fill(&c, "#urge-form input[name=text]", "请于明日报送整改进度").await?;
        submit(&c, "#urge-form button").await?;
        set("#deadline-form input[name=deadline]", day(15)).await?;
        fill(&c, "#deadline-form input[name=reason]", "需停炉检修").await?;
        submit(&c, "#deadline-form button").await?;
        let history = c.find(Locator::Css("#supervision ol.events")).await?.text().await?;
        assert!(history.contains("挂牌督办") && history.contains("催办"), "{history}");
        save(&c, "supervision-county-desktop").await;

        // The enterprise sees the notice on its hazard, and the reminder in its inbox.
        c.delete_all_cookies().await?;
        c.goto(&t.url("/login")).await?;
        sign_in(&c, &t, &principal).await?;
        c.set_window_size(390, 844).await?;
        c.goto(&t.url(&format!("/hazards/{id}"))).await?;
        assert!(c.find(Locator::Id("notice")).await?.text().await?.contains("十日内更换管段"));
        assert!(c.source().await?.contains(&day(15)), "the extended deadline shows");
        let (width, widest) = sideways(&c).await?;
        assert!(width <= 390, "the hazard page fits a phone ({width}px): {widest}");
        save(&c, "supervision-principal-phone").await;
        c.goto(&t.url("/inbox")).await?;
        assert!(c.source().await?.contains("催办：熔炼炉冷却水管渗漏"));

        // The city finds it among the supervised hazards, with its age.
        c.delete_all_cookies().await?;
        c.set_window_size(1366, 900).await?;
        c.goto(&t.url("/login")).await?;
        sign_in(&c, &t, &city).await?;
        c.goto(&t.url("/hazards/supervised")).await?;
        let list = c.find(Locator::Id("supervised")).await?.text().await?;
        assert!(list.contains("熔炼炉冷却水管渗漏") && list.contains("泽县工信督〔"), "{list}");
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    c.close().await.ok();
    result.expect("browser steps");
    t.finish().await;
}

/// Pairs of text elements of one chart whose boxes overlap (titles, legends, axis labels,
/// values), as "chart: a / b"; empty when every label can be read.
async fn overlapping_chart_text(c: &fantoccini::Client) -> Result<String, fantoccini::error::CmdError> {
    let found = c
        .execute(
            "const bad=[];document.querySelectorAll('section.chart svg').forEach((svg,si)=>{\
               const ts=[...svg.querySelectorAll('text')].map(t=>[t.textContent,t.getBoundingClientRect()]).filter(x=>x[1].width>0);\
               for(let i=0;i<ts.length;i++)for(let j=i+1;j<ts.length;j++){const a=ts[i][1],b=ts[j][1];\
                 if(a.left<b.right-0.5&&b.left<a.right-0.5&&a.top<b.bottom-0.5&&b.top<a.bottom-0.5)bad.push(si+': '+ts[i][0]+' / '+ts[j][0]);}});\
             return bad.slice(0,6).join(' | ')",
            vec![],
        )
        .await?;
    Ok(found.as_str().unwrap_or_default().to_owned())
}

/// Types into a field and checks it holds exactly that: under load a page can still be settling
/// when the first keys arrive, and a half-typed code is simply a wrong code.
async fn fill(c: &fantoccini::Client, css: &str, text: &str) -> Result<(), fantoccini::error::CmdError> {
    for _ in 0..5 {
        let e = c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css(css)).await?;
        e.clear().await?;
        e.send_keys(text).await?;
        if e.prop("value").await?.as_deref() == Some(text) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("could not type into {css}");
}

/// Clicks a submit button and waits until the browser has left the current page: under load the
/// click can return before the navigation it starts.
async fn submit(c: &fantoccini::Client, css: &str) -> Result<(), fantoccini::error::CmdError> {
    let before = c.current_url().await?;
    c.find(Locator::Css(css)).await?.click().await?;
    for _ in 0..100 {
        if c.current_url().await? != before {
            // Let the new page finish loading before anyone looks at it.
            c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css("body")).await?;
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

async fn save(c: &fantoccini::Client, name: &str) {
    if let Ok(png) = c.screenshot().await {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/screenshots");
        std::fs::create_dir_all(dir).ok();
        std::fs::write(format!("{dir}/{name}.png"), png).ok();
    }
}
