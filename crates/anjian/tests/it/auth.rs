//! Signing in as a person does, through the login form: lockout, throttling, session limits,
//! CSRF, forced password change and the second factor, with the clock fixed and moved.

use anjian_test_support::*;
use chrono::Duration;

on_both_databases!(five_failures_lock_the_account_even_for_the_right_password, |backend| async move {
    let t = TestApp::start(backend).await;
    let city = t.org_by_code("bureau-jincheng").await;
    let u = t.user("lockme", "principal", Some(city.id)).await;
    for _ in 0..5 {
        assert_eq!(t.login_form("lockme", "Wrong-pass-1").await.unwrap_err().as_u16(), 401);
    }
    // The 6th attempt, with the right password, is refused as a wrong one is: the account is locked.
    assert_eq!(t.login_form("lockme", &u.password).await.unwrap_err().as_u16(), 401);
    t.clock.advance(Duration::minutes(29));
    assert_eq!(t.login_form("lockme", &u.password).await.unwrap_err().as_u16(), 401);
    t.clock.advance(Duration::minutes(2));
    assert!(t.login_form("lockme", &u.password).await.is_ok(), "unlocked after 30 minutes");
    // The security events are in the audit log.
    let rows: Vec<_> = anjian_store::audit::page(&t.store.db, &Default::default(), None, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.record)
        .collect();
    assert!(rows.iter().any(|r| r.action == "account.locked"));
    assert!(rows.iter().any(|r| r.action == "login.refused" && r.result == "locked"));
    t.finish().await;
});

#[tokio::test]
async fn one_address_is_throttled_after_twenty_failures_across_accounts() {
    let t = TestApp::start(Backend::Sqlite).await;
    for i in 0..20 {
        assert_eq!(t.login_form(&format!("nobody{i}"), "x").await.unwrap_err().as_u16(), 401);
    }
    assert_eq!(t.login_form("nobody", "x").await.unwrap_err().as_u16(), 429);
    t.finish().await;
}

on_both_databases!(sessions_end_when_idle_too_long_after_twelve_hours_and_everywhere, |backend| async move {
    let t = TestApp::start(backend).await;
    let city = t.org_by_code("bureau-jincheng").await;
    let u = t.user("sess", "principal", Some(city.id)).await;
    let c = t.login_form("sess", &u.password).await.unwrap();
    assert_eq!(t.page(&c, "/campaign").await.0, 200);
    // Idle 31 minutes: gone.
    t.clock.advance(Duration::minutes(31));
    let (status, loc, _) = t.page(&c, "/campaign").await;
    // To the sign-in, which will bring them back to the page they asked for.
    assert_eq!((status, loc.as_deref()), (303, Some("/login?next=%2Fcampaign")));
    // Active every 20 minutes: lives up to 12 hours, then ends.
    let c = t.login_form("sess", &u.password).await.unwrap();
    for _ in 0..35 {
        t.clock.advance(Duration::minutes(20));
        assert_eq!(t.page(&c, "/campaign").await.0, 200);
    }
    t.clock.advance(Duration::minutes(20));
    assert_eq!(t.page(&c, "/campaign").await.0, 303, "absolute limit of 12 hours");
    // Log out everywhere ends every session of the account.
    let a = t.login_form("sess", &u.password).await.unwrap();
    let b = t.login_form("sess", &u.password).await.unwrap();
    let (_, _, html) = t.page(&a, "/account").await;
    let csrf = hidden(&html, "_csrf").unwrap();
    assert_eq!(t.post_form(&a, "/account/logout-everywhere", &[("_csrf", &csrf)]).await.0, 303);
    assert_eq!(t.page(&a, "/campaign").await.0, 303);
    assert_eq!(t.page(&b, "/campaign").await.0, 303);
    t.finish().await;
});

#[tokio::test]
async fn forms_and_cookie_api_writes_need_the_csrf_token() {
    let t = TestApp::start(Backend::Sqlite).await;
    let zezhou = t.org_by_code("bureau-zezhou").await;
    let u = t.user("csrf", "principal", Some(zezhou.id)).await;
    let c = t.login_form("csrf", &u.password).await.unwrap();
    let (status, _, body) = t.post_form(&c, "/account/tokens", &[("_csrf", "forged"), ("name", "x")]).await;
    assert_eq!(status, 403);
    assert!(body.contains("表单已过期"), "the refusal is explained in Chinese");
    let (_, _, html) = t.page(&c, "/account").await;
    let csrf = hidden(&html, "_csrf").unwrap();
    let (status, _, body) = t.post_form(&c, "/account/tokens", &[("_csrf", &csrf), ("name", "手机")]).await;
    assert_eq!(status, 200);
    assert!(by_id(&body, "new-token").unwrap().starts_with("ajt_"));
    // The API with a session cookie: writes need X-CSRF-Token.
    let r = t
        .http
        .post(t.url("/api/v1/tokens"))
        .header("cookie", &c)
        .json(&serde_json::json!({"name": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let r = t
        .http
        .post(t.url("/api/v1/tokens"))
        .header("cookie", &c)
        .header("x-csrf-token", &csrf)
        .json(&serde_json::json!({"name": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    // A cross-site login post is refused outright.
    let r = t
        .http
        .post(t.url("/login"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("username", "csrf"), ("password", &u.password)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    t.finish().await;
}

on_both_databases!(
    a_new_bureau_account_changes_its_password_then_enrols_a_second_factor_used_once,
    |backend| async move {
        let t = TestApp::start(backend).await;
        let zezhou = t.org_by_code("bureau-zezhou").await;
        let admin = t.user("root", "sys_admin", None).await;
        // The admin creates the account over the API and gets a one-time password.
        let r = t.http.post(t.url("/api/v1/users")).bearer_auth(&admin.token)
        .json(&serde_json::json!({"username": "wang.li", "display_name": "王丽", "role": "county_staff", "org_id": zezhou.id}))
        .send().await.unwrap();
        assert_eq!(r.status().as_u16(), 201);
        let v: serde_json::Value = r.json().await.unwrap();
        let otp = v["one_time_password"].as_str().unwrap().to_owned();

        let c = t.login_form("wang.li", &otp).await.unwrap();
        // Everything leads to the password change first.
        let (status, loc, _) = t.page(&c, "/campaign").await;
        assert_eq!((status, loc.as_deref()), (303, Some("/account/password")));
        let (_, _, html) = t.page(&c, "/account/password").await;
        let csrf = hidden(&html, "_csrf").unwrap();
        let (status, _, body) = t
            .post_form(
                &c,
                "/account/password",
                &[("_csrf", &csrf), ("current", &otp), ("new", "password1"), ("repeat", "password1")],
            )
            .await;
        assert_eq!(status, 422);
        assert!(body.contains("至少三类") || body.contains("常见密码"), "policy explained: {body}");
        let (status, _, _) = t
            .post_form(
                &c,
                "/account/password",
                &[("_csrf", &csrf), ("current", &otp), ("new", "泽州-Safe-2022"), ("repeat", "泽州-Safe-2022")],
            )
            .await;
        assert_eq!(status, 303);
        // Then the second factor: bureau staff may not go on without one.
        let (status, loc, _) = t.page(&c, "/campaign").await;
        assert_eq!((status, loc.as_deref()), (303, Some("/account/second-factor")));
        let (_, _, html) = t.page(&c, "/account/second-factor").await;
        // Shown in groups of four to read off, and drawn as a QR code of the setup link.
        let secret = by_id(&html, "totp-secret").unwrap().replace(' ', "");
        assert_eq!(secret.len(), 32, "160-bit secret in base32");
        assert!(html.contains("id=\"totp-qr\"") && html.contains("<svg"), "a QR code to scan");
        let (status, _, _) = t
            .post_form(&c, "/account/second-factor", &[("_csrf", &csrf), ("secret", &secret), ("code", "000000")])
            .await;
        assert_eq!(status, 401);
        let code = t.totp(&secret, 0);
        let (status, loc, _) =
            t.post_form(&c, "/account/second-factor", &[("_csrf", &csrf), ("secret", &secret), ("code", &code)]).await;
        // Home, which sends a county officer on to the cockpit.
        assert_eq!((status, loc.as_deref()), (303, Some("/")));
        assert_eq!(t.page(&c, "/").await.1.as_deref(), Some("/cockpit"));
        let (status, _, html) = t.page(&c, "/campaign").await;
        assert_eq!(status, 200);
        assert!(html.contains("集中攻坚阶段"));

        // Next sign-in asks for the code; the code already used is refused, the next one works.
        let c2 = t.login_form("wang.li", "泽州-Safe-2022").await.unwrap();
        let (status, loc, _) = t.page(&c2, "/campaign").await;
        assert_eq!((status, loc.as_deref()), (303, Some("/login/second-factor")));
        let (_, _, html) = t.page(&c2, "/login/second-factor").await;
        let csrf2 = hidden(&html, "_csrf").unwrap();
        let (status, _, _) = t.post_form(&c2, "/login/second-factor", &[("_csrf", &csrf2), ("code", &code)]).await;
        assert_eq!(status, 401, "a code is good once");
        t.clock.advance(Duration::seconds(30));
        let next = t.totp(&secret, 0);
        let (status, loc, _) = t.post_form(&c2, "/login/second-factor", &[("_csrf", &csrf2), ("code", &next)]).await;
        assert_eq!((status, loc.as_deref()), (303, Some("/")));
        assert_eq!(t.page(&c2, "/campaign").await.0, 200);
        t.finish().await;
    }
);

#[tokio::test]
async fn pages_speak_chinese_first_and_english_on_request() {
    let t = TestApp::start(Backend::Sqlite).await;
    let city = t.org_by_code("bureau-jincheng").await;
    let u = t.user("lang", "principal", Some(city.id)).await;
    let c = t.login_form("lang", &u.password).await.unwrap();
    let (_, _, zh) = t.page(&c, "/campaign").await;
    assert!(zh.contains("lang=\"zh-CN\"") && zh.contains("任务清单"));
    let (_, _, en) = t.page(&format!("{c}; lang=en"), "/campaign").await;
    assert!(en.contains("lang=\"en\"") && en.contains("Frequency rules"));
    // A wrong password is explained in the user's language.
    let r = t
        .http
        .post(t.url("/login"))
        .header("cookie", "lang=en")
        .form(&[("username", "lang"), ("password", "nope")])
        .send()
        .await
        .unwrap();
    assert!(r.text().await.unwrap().contains("Wrong user name or password"));
    t.finish().await;
}

on_both_databases!(an_admin_reset_forces_a_new_password_and_ends_sessions, |backend| async move {
    let t = TestApp::start(backend).await;
    let city = t.org_by_code("bureau-jincheng").await;
    let admin = t.user("root", "sys_admin", None).await;
    let u = t.user("forgetful", "principal", Some(city.id)).await;
    let c = t.login_form("forgetful", &u.password).await.unwrap();
    assert_eq!(t.page(&c, "/campaign").await.0, 200);
    let r = t
        .http
        .post(t.url(&format!("/api/v1/users/{}/reset-password", u.id)))
        .bearer_auth(&admin.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let otp = r.json::<serde_json::Value>().await.unwrap()["one_time_password"].as_str().unwrap().to_owned();
    assert_eq!(t.page(&c, "/campaign").await.0, 303, "the old session ended");
    assert_eq!(t.login_form("forgetful", &u.password).await.unwrap_err().as_u16(), 401);
    let c = t.login_form("forgetful", &otp).await.unwrap();
    let (_, loc, _) = t.page(&c, "/orgs").await;
    assert_eq!(loc.as_deref(), Some("/account/password"));
    // The reset ended the account's API token too.
    assert_eq!(t.get(&u.token, "/api/v1/me").await.status(), 401);
    // Only admins reset; a principal cannot reset anyone.
    let other = t.user("another", "principal", Some(city.id)).await;
    let r = t
        .http
        .post(t.url(&format!("/api/v1/users/{}/reset-password", admin.id)))
        .bearer_auth(&other.token)
        .send()
        .await
        .unwrap();
    assert!(matches!(r.status().as_u16(), 403 | 404));
    t.finish().await;
});

on_both_databases!(the_audit_admin_browses_filters_and_verifies_the_log, |backend| async move {
    let t = TestApp::start(backend).await;
    let city = t.org_by_code("bureau-jincheng").await;
    let p = t.user("someone", "principal", Some(city.id)).await;
    assert!(t.login_form("someone", "wrong-Pass-1").await.is_err());
    t.login_form("someone", &p.password).await.unwrap();
    let auditor = t.user("auditor", "audit_admin", None).await;
    let code = t.totp(auditor.totp_secret.as_deref().unwrap(), 0);
    let c = t.login_form("auditor", &auditor.password).await.unwrap();
    let (_, _, html) = t.page(&c, "/login/second-factor").await;
    let csrf = hidden(&html, "_csrf").unwrap();
    assert_eq!(t.post_form(&c, "/login/second-factor", &[("_csrf", &csrf), ("code", &code)]).await.0, 303);
    let (status, _, html) = t.page(&c, "/audit?action=login").await;
    assert_eq!(status, 200);
    assert!(html.contains("login.failure") && html.contains("login.success"));
    assert!(html.contains("ip=127.0.0.1"), "security events carry the client address");
    assert!(!html.contains("plan.import"), "the filter applies");
    // The same filter in Excel.
    let r = t.http.get(t.url("/audit/export.xlsx?action=login")).header("cookie", &c).send().await.unwrap();
    assert_eq!(r.status(), 200);
    {
        use calamine::Reader;
        let mut x: calamine::Xlsx<_> =
            calamine::Xlsx::new(std::io::Cursor::new(r.bytes().await.unwrap().to_vec())).unwrap();
        let range = crate::filed(x.worksheet_range("审计日志").unwrap());
        let actions: Vec<String> = (1..range.height()).map(|i| range.get((i, 3)).unwrap().to_string()).collect();
        assert!(
            actions.contains(&"login.failure".to_owned()) && actions.iter().all(|a| a.starts_with("login")),
            "{actions:?}"
        );
    }
    let (status, _, html) = t.post_form(&c, "/audit/verify", &[("_csrf", &csrf)]).await;
    assert_eq!(status, 200);
    assert!(by_id(&html, "verify-result").unwrap().contains("哈希链完整"), "{html}");
    // The navigation shows the audit admin only the audit log.
    assert!(!html.contains("href=\"/orgs\"") && html.contains("href=\"/audit\""));
    // Nobody else reads it.
    let pc = t.login_form("someone", &p.password).await.unwrap();
    assert_eq!(t.page(&pc, "/audit").await.0, 403);
    t.finish().await;
});
