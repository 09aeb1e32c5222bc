//! What an attacker with an ordinary account tried, and what must hold against it: a workbook
//! that claims the whole grid, guessed second factors, a cut audit tail, tokens that outlive a
//! reset, reports read across counties, REPLACE past the append-only guard, readings published
//! for another enterprise's sensor, timing that tells who exists, half-sent requests, and the
//! separation of the three administrators.

use anjian_test_support::*;
use serde_json::{json, Value};

/// A workbook of two filled cells, A1 and XFD1048576: 1.5 KB that once made the reader allocate
/// the whole sheet's grid and abort the server.
fn far_cell_workbook() -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "名称").unwrap();
    ws.write_string(1_048_575, 16_383, "x").unwrap();
    wb.save_to_buffer().unwrap()
}

on_both_databases!(a_workbook_that_claims_the_whole_grid_is_refused_by_every_import, |backend| async move {
    let t = TestApp::start(backend).await;
    let zezhou = t.org_by_code("bureau-zezhou").await;
    let county = t.user("hx.county", "county_staff", Some(zezhou.id)).await;
    let (_, org) = post_json(
        &t,
        &county.token,
        "/api/v1/orgs",
        json!({"name": "泽州丹河机械制造有限公司", "kind": "enterprise", "jurisdiction_id": zezhou.jurisdiction_id}),
    )
    .await;
    let org = org["id"].as_i64().unwrap();
    let principal = t.user("hx.principal", "principal", Some(org)).await;
    let bomb = far_cell_workbook();
    assert!(bomb.len() < 8 * 1024, "{} bytes", bomb.len());
    let imports = [
        format!("/api/v1/orgs/{org}/points/import?apply=true"),
        format!("/api/v1/orgs/{org}/hazards/import?apply=false"),
        format!("/api/v1/orgs/{org}/hazards/import?apply=true"),
        format!("/api/v1/orgs/{org}/checklists/import?name=x"),
        format!("/api/v1/orgs/{org}/crossings/import?apply=true"),
        "/api/v1/tests/questions/import?apply=true".to_owned(),
    ];
    for path in &imports {
        let r = t.http.post(t.url(path)).bearer_auth(&principal.token).body(bomb.clone()).send().await.unwrap();
        let status = r.status().as_u16();
        let v: Value = r.json().await.unwrap();
        assert_eq!((status, field_codes(&v)), (422, vec![("file".to_owned(), "too_wide".to_owned())]), "{path}");
    }
    // Ten at once: each refused, and the server answers meanwhile and after.
    let sends =
        (0..10).map(|_| t.http.post(t.url(&imports[1])).bearer_auth(&principal.token).body(bomb.clone()).send());
    for r in futures_join(sends).await {
        assert_eq!(r.unwrap().status(), 422);
    }
    assert_eq!(t.http.get(t.url("/healthz")).send().await.unwrap().status(), 200);
    // The page's import says why, in Chinese.
    let cookie = t.sign_in(&principal).await;
    let (_, _, html) = t.page(&cookie, &format!("/hazards/import?org_id={org}")).await;
    let csrf = hidden(&html, "_csrf").unwrap();
    let form = reqwest::multipart::Form::new()
        .text("_csrf", csrf)
        .text("org_id", org.to_string())
        .part("file", reqwest::multipart::Part::bytes(bomb).file_name("台账.xlsx"));
    let r = t.http.post(t.url("/hazards/import")).header("cookie", &cookie).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("表格过宽"));
    t.finish().await;
});

/// Runs the requests side by side and gives their answers in order.
async fn futures_join<F: std::future::Future>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output>
where
    F: Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

/// The audit rows with this action, newest first.
async fn audit_actions(t: &TestApp, action: &str) -> Vec<anjian_store::audit::AuditRow> {
    let rows = anjian_store::audit::page(&t.store.db, &Default::default(), None, 1000).await.unwrap();
    rows.into_iter().filter(|r| r.action == action).collect()
}

/// Submits a second-factor code on the sign-in's second step; the status.
async fn second_factor(t: &TestApp, cookie: &str, code: &str) -> u16 {
    let (_, _, html) = t.page(cookie, "/login/second-factor").await;
    let csrf = hidden(&html, "_csrf").expect("second-factor form");
    t.post_form(cookie, "/login/second-factor", &[("_csrf", &csrf), ("code", code)]).await.0
}

on_both_databases!(wrong_second_factor_codes_lock_the_account_like_wrong_passwords, |backend| async move {
    let t = TestApp::start(backend).await;
    let city = t.org_by_code("bureau-jincheng").await;
    let u = t.user("mfa.guess", "city_staff", Some(city.id)).await;
    let secret = u.totp_secret.clone().unwrap();
    let wrong = |n: u32| format!("{:06}", (t.totp(&secret, 0).parse::<u32>().unwrap() + 1 + n) % 1_000_000);
    // Signing in again with the password does not reset the count of guessed codes.
    let cookie = t.login_form(&u.username, &u.password).await.unwrap();
    for n in 0..3 {
        assert_eq!(second_factor(&t, &cookie, &wrong(n)).await, 401);
    }
    let cookie = t.login_form(&u.username, &u.password).await.unwrap();
    assert_eq!(second_factor(&t, &cookie, &wrong(3)).await, 401);
    // The fifth wrong code locks the account; the right code is then refused too.
    assert_eq!(second_factor(&t, &cookie, &wrong(4)).await, 423);
    assert_eq!(second_factor(&t, &cookie, &t.totp(&secret, 0)).await, 423);
    assert_eq!(t.page(&cookie, "/campaign").await.0, 303, "the session never got past the second step");
    // Guessing on writes nothing more: five failures and one lock are on record.
    for n in 0..10 {
        assert_eq!(second_factor(&t, &cookie, &wrong(n)).await, 423);
    }
    assert_eq!(audit_actions(&t, "account.locked").await.len(), 1);
    let guesses = audit_actions(&t, "login.second_factor").await;
    assert_eq!(guesses.len(), 5);
    assert!(guesses.iter().all(|r| r.result.starts_with("bad_code:")), "{guesses:?}");
    // The password step is refused as well while the lock lasts; after it, the right code works.
    assert_eq!(t.login_form(&u.username, &u.password).await.unwrap_err().as_u16(), 401);
    t.clock.advance(chrono::Duration::minutes(31));
    let cookie = t.login_form(&u.username, &u.password).await.unwrap();
    assert_eq!(second_factor(&t, &cookie, &t.totp(&secret, 0)).await, 303);
    assert_eq!(t.page(&cookie, "/campaign").await.0, 200);
    t.finish().await;
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_guessing_codes_is_throttled() {
    let t = TestApp::start(Backend::Sqlite).await;
    let city = t.org_by_code("bureau-jincheng").await;
    // Four wrong codes on each of five accounts: none locks, and the address is then throttled,
    // for codes and passwords alike.
    let mut last = None;
    for i in 0..5 {
        let u = t.user(&format!("mfa.ip{i}"), "city_staff", Some(city.id)).await;
        let cookie = t.login_form(&u.username, &u.password).await.unwrap();
        for _ in 0..4 {
            assert_eq!(second_factor(&t, &cookie, "000000").await, 401);
        }
        last = Some((u, cookie));
    }
    let (u, cookie) = last.unwrap();
    assert_eq!(second_factor(&t, &cookie, &t.totp(u.totp_secret.as_deref().unwrap(), 0)).await, 429);
    assert_eq!(t.login_form(&u.username, &u.password).await.unwrap_err().as_u16(), 429);
    t.finish().await;
}

/// Counts password checks: a refused sign-in must cost one, whoever it names.
struct CountingCrypto {
    inner: anjian_app::crypto::SoftwareCrypto,
    checks: std::sync::atomic::AtomicUsize,
}

impl anjian_app::crypto::Crypto for CountingCrypto {
    fn hash_password(&self, password: &str) -> String {
        self.inner.hash_password(password)
    }
    fn verify_password(&self, password: &str, hash: &str) -> bool {
        self.checks.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.inner.verify_password(password, hash)
    }
    fn random_token(&self) -> String {
        self.inner.random_token()
    }
    fn token_digest(&self, token: &str) -> String {
        self.inner.token_digest(token)
    }
    fn new_totp_secret(&self) -> String {
        self.inner.new_totp_secret()
    }
    fn totp_code(&self, secret_b32: &str, step: i64) -> Option<String> {
        self.inner.totp_code(secret_b32, step)
    }
    fn sign(&self, message: &[u8]) -> String {
        self.inner.sign(message)
    }
    fn verify_signature(&self, message: &[u8], signature: &str) -> bool {
        self.inner.verify_signature(message, signature)
    }
    fn seal(&self, plaintext: &str) -> String {
        self.inner.seal(plaintext)
    }
    fn open(&self, sealed: &str) -> Option<String> {
        self.inner.open(sealed)
    }
    fn receipt_digest(&self, canonical_code: &str) -> String {
        self.inner.receipt_digest(canonical_code)
    }
}

on_both_databases!(a_locked_account_answers_as_an_unknown_name_does, |backend| async move {
    let counting = std::sync::Arc::new(CountingCrypto {
        inner: {
            let s = test_settings();
            anjian_app::crypto::SoftwareCrypto::new(s.argon2.clone(), s.signing_key.clone(), &s.sealing_key)
        },
        checks: Default::default(),
    });
    let c = counting.clone();
    let t = TestApp::start_with(backend, move |state| state.app.crypto = c).await;
    let city = t.org_by_code("bureau-jincheng").await;
    let u = t.user("locked.one", "principal", Some(city.id)).await;
    for _ in 0..5 {
        t.login_form(&u.username, "Wrong-pass-1").await.unwrap_err();
    }
    let attempt = |name: &'static str, password: String| {
        let before = counting.checks.load(std::sync::atomic::Ordering::SeqCst);
        let r = t.http.post(t.url("/login")).form(&[("username", name), ("password", &password)]).send();
        let counting = counting.clone();
        async move {
            let r = r.await.unwrap();
            let status = r.status().as_u16();
            let body = r.text().await.unwrap().replace(name, "");
            (status, body, counting.checks.load(std::sync::atomic::Ordering::SeqCst) - before)
        }
    };
    let locked = attempt("locked.one", u.password.clone()).await;
    let unknown = attempt("nobody.here", u.password.clone()).await;
    assert_eq!(locked.0, 401);
    assert_eq!((locked.0, &locked.1), (unknown.0, &unknown.1), "the same answer for a locked and an unknown name");
    assert_eq!((locked.2, unknown.2), (1, 1), "each costs one password check");
    t.finish().await;
});

on_both_databases!(a_reset_a_password_change_and_signing_out_everywhere_end_every_token, |backend| async move {
    let t = TestApp::start(backend).await;
    let city = t.org_by_code("bureau-jincheng").await;
    let admin = t.user("tk.admin", "sys_admin", None).await;
    let principal = t.user("tk.principal", "principal", Some(city.id)).await;
    // An admin's reset: the old token ends at once; a token the user makes before choosing a new
    // password is refused with a clear code until they have.
    let cookie = t.sign_in(&principal).await;
    assert_eq!(t.get(&principal.token, "/api/v1/me").await.status().as_u16(), 200);
    let (st, v) =
        post_json(&t, &admin.token, &format!("/api/v1/users/{}/reset-password", principal.id), json!({})).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(t.get(&principal.token, "/api/v1/me").await.status().as_u16(), 401, "the token from before the reset");
    assert_eq!(t.page(&cookie, "/campaign").await.0, 303, "the session from before the reset");
    let one_time = v["one_time_password"].as_str().unwrap().to_owned();
    let cookie = t.login_form(&principal.username, &one_time).await.unwrap();
    let fresh = t.app.create_token(&actor_of(&t, principal.id).await, "phone").await.unwrap().1;
    let r = t.get(&fresh, "/api/v1/me").await;
    assert_eq!(r.status(), 403);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "password_change_required");
    // Choosing a new password ends every token, the fresh one included.
    let (_, _, html) = t.page(&cookie, "/account/password").await;
    let csrf = hidden(&html, "_csrf").unwrap();
    let new_password = "Vq8-new-Pass-k2";
    let (st, _, _) = t
        .post_form(
            &cookie,
            "/account/password",
            &[("_csrf", &csrf), ("current", &one_time), ("new", new_password), ("repeat", new_password)],
        )
        .await;
    assert_eq!(st, 303);
    assert_eq!(t.get(&fresh, "/api/v1/me").await.status().as_u16(), 401);
    // Signing out everywhere ends the tokens made since.
    let newest = t.app.create_token(&actor_of(&t, principal.id).await, "laptop").await.unwrap().1;
    assert_eq!(t.get(&newest, "/api/v1/me").await.status().as_u16(), 200);
    let (_, _, html) = t.page(&cookie, "/account").await;
    let csrf = hidden(&html, "_csrf").unwrap();
    t.post_form(&cookie, "/account/logout-everywhere", &[("_csrf", &csrf)]).await;
    assert_eq!(t.get(&newest, "/api/v1/me").await.status().as_u16(), 401);
    assert_eq!(t.page(&cookie, "/campaign").await.0, 303);
    t.finish().await;
});

async fn actor_of(t: &TestApp, id: i64) -> anjian_app::Actor {
    let user = anjian_store::users::by_id_for_auth(&t.store.db, id).await.unwrap().unwrap();
    let org = anjian_store::users::org_of(&t.store.db, &user).await.unwrap();
    anjian_app::Actor::new(user, org)
}

on_both_databases!(a_liaison_report_is_read_by_its_leader_the_city_and_that_county_only, |backend| async move {
    let t = TestApp::start(backend).await;
    let city = t.user("lr.city", "city_staff", Some(t.org_by_code("bureau-jincheng").await.id)).await;
    let zezhou = t.user("lr.zezhou", "county_staff", Some(t.org_by_code("bureau-zezhou").await.id)).await;
    let gaoping = t.user("lr.gaoping", "county_staff", Some(t.org_by_code("bureau-gaoping").await.id)).await;
    let bureau = t.org_by_code("bureau-jincheng").await.id;
    let leader = t.user_with("lr.lian", "city_leader", Some(bureau), Some("lian-lujun"), None).await;
    let paths = [
        "/api/v1/liaison/reports/2022-08?leader=lian-lujun",
        "/api/v1/liaison/reports/2022-08/export.docx?leader=lian-lujun",
    ];
    for path in paths {
        assert_eq!(t.get(&leader.token, path).await.status(), 200, "{path}: the leader");
        assert_eq!(t.get(&city.token, path).await.status(), 200, "{path}: the city bureau");
        assert_eq!(t.get(&zezhou.token, path).await.status(), 200, "{path}: his county, 泽州");
        assert_eq!(t.get(&gaoping.token, path).await.status(), 404, "{path}: another county");
    }
    // The director's report covers the whole city: no county reads it.
    let director = "/api/v1/liaison/reports/2022-08?leader=director";
    assert_eq!(t.get(&city.token, director).await.status(), 200);
    assert_eq!(t.get(&zezhou.token, director).await.status(), 404);
    // The page says the same.
    let cookie = t.sign_in(&gaoping).await;
    assert_eq!(t.page(&cookie, "/liaison/report?month=2022-08&leader=lian-lujun").await.0, 404);
    assert_eq!(t.page(&cookie, "/liaison/report.docx?month=2022-08&leader=lian-lujun").await.0, 404);
    let cookie = t.sign_in(&zezhou).await;
    assert_eq!(t.page(&cookie, "/liaison/report?month=2022-08&leader=lian-lujun").await.0, 200);
    t.finish().await;
});

/// One text column of a query's first row.
async fn sql_texts(db: &sea_orm::DatabaseConnection, sql: &str) -> Vec<String> {
    use sea_orm::{ConnectionTrait, Statement};
    db.query_all(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .iter()
        .map(|r| {
            r.try_get_by_index::<String>(0)
                .or_else(|_| r.try_get_by_index::<i64>(0).map(|n| n.to_string()))
                .unwrap_or_else(|e| panic!("{sql}: {e}"))
        })
        .collect()
}

on_both_databases!(no_append_only_table_takes_update_delete_or_replace, |backend| async move {
    use sea_orm::ConnectionTrait;
    let t = TestApp::start(backend).await;
    t.demo(20).await;
    // A signed ledger, which the demo city does not make.
    let zezhou = t.org_by_code("bureau-zezhou").await;
    let county = t.user("ao.county", "county_staff", Some(zezhou.id)).await;
    let (_, org) = post_json(
        &t,
        &county.token,
        "/api/v1/orgs",
        json!({"name": "泽州台账测试公司", "kind": "enterprise", "jurisdiction_id": zezhou.jurisdiction_id}),
    )
    .await;
    let org = org["id"].as_i64().unwrap();
    let principal = t.user("ao.principal", "principal", Some(org)).await;
    let hazard = json!({"org_id": org, "description": "除尘器积尘", "grade": "general"});
    assert_eq!(post_json(&t, &principal.token, "/api/v1/hazards", hazard).await.0, 201);
    let sign = format!("/api/v1/orgs/{org}/ledgers/2022-08/sign");
    assert_eq!(post_json(&t, &principal.token, &sign, json!({"password": principal.password})).await.0, 201);
    let db = &t.store.db;
    let sqlite = backend == Backend::Sqlite;
    if sqlite {
        // Every append-only table has the guard that needs no setting, and anjian's own
        // connections fire DELETE triggers for REPLACE.
        let guarded = sql_texts(
            db,
            "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_no_replace' ORDER BY 1",
        )
        .await;
        let tables = sql_texts(
            db,
            "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_no_delete' ORDER BY 1",
        )
        .await;
        assert_eq!(guarded, tables);
        assert_eq!(sql_texts(db, "PRAGMA recursive_triggers").await, vec!["1".to_owned()]);
    }
    let tables = if sqlite {
        sql_texts(
            db,
            "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_no_delete' ORDER BY 1",
        )
        .await
    } else {
        sql_texts(
            db,
            "SELECT DISTINCT event_object_table FROM information_schema.triggers \
             WHERE trigger_name LIKE '%_append_only' AND trigger_schema = current_schema() ORDER BY 1",
        )
        .await
    };
    assert!(tables.len() >= 29, "{tables:?}");
    // A second connection that never turned on recursive triggers, as a tool an operator opens.
    let raw = match &t.db.dir() {
        Some(dir) => {
            Some(sea_orm::Database::connect(format!("sqlite://{}", dir.join("test.db").display())).await.unwrap())
        }
        None => None,
    };
    let mut tried = Vec::new();
    for table in &tables {
        // The table's primary key: an upsert on it is what could rewrite a row in place.
        let pk = if sqlite {
            sql_texts(db, &format!("SELECT name FROM pragma_table_info('{table}') WHERE pk > 0 ORDER BY pk")).await
        } else {
            sql_texts(
                db,
                &format!(
                    "SELECT k.column_name::text FROM information_schema.table_constraints c \
                     JOIN information_schema.key_column_usage k ON k.constraint_name = c.constraint_name \
                     AND k.table_schema = c.table_schema WHERE c.table_schema = current_schema() \
                     AND c.table_name = '{table}' AND c.constraint_type = 'PRIMARY KEY' ORDER BY k.ordinal_position"
                ),
            )
            .await
        };
        let key = match (pk.first(), sqlite) {
            (Some(k), _) => k.clone(),
            (None, true) => "rowid".to_owned(),
            (None, false) => sql_texts(
                db,
                &format!(
                    "SELECT column_name::text FROM information_schema.columns WHERE table_schema = current_schema() \
                     AND table_name = '{table}' ORDER BY ordinal_position LIMIT 1"
                ),
            )
            .await
            .remove(0),
        };
        let Some(id) = sql_texts(db, &format!("SELECT {key} FROM {table} ORDER BY {key} DESC LIMIT 1")).await.pop()
        else {
            continue;
        };
        let id = id.replace('\'', "''");
        let count = format!("SELECT COUNT(*) FROM {table}");
        let before = sql_texts(db, &count).await;
        let mut statements = vec![
            format!("UPDATE {table} SET {key} = {key} WHERE {key} = '{id}'"),
            format!("DELETE FROM {table} WHERE {key} = '{id}'"),
        ];
        if sqlite {
            statements.push(format!("INSERT OR REPLACE INTO {table} SELECT * FROM {table} WHERE {key} = '{id}'"));
            statements.push(format!("REPLACE INTO {table} SELECT * FROM {table} WHERE {key} = '{id}'"));
        } else if !pk.is_empty() {
            statements.push(format!(
                "INSERT INTO {table} SELECT * FROM {table} WHERE {key} = '{id}' ON CONFLICT ({}) DO UPDATE SET {key} = EXCLUDED.{key}",
                pk.join(", ")
            ));
        }
        for sql in &statements {
            let err = db.execute_unprepared(sql).await.expect_err(sql);
            assert!(err.to_string().contains("append-only"), "{sql}: {err}");
            if let Some(raw) = &raw {
                let err = raw.execute_unprepared(sql).await.expect_err(sql);
                assert!(err.to_string().contains("append-only"), "{sql} (raw connection): {err}");
            }
        }
        assert_eq!(sql_texts(db, &count).await, before, "{table}");
        tried.push(table.clone());
    }
    for must in ["audit_log", "hazard_events", "ledgers", "inspections", "activities", "plan_versions"] {
        assert!(tried.iter().any(|t| t == must), "{must} was not tried: {tried:?}");
    }
    t.finish().await;
});

on_both_databases!(the_signed_checkpoint_catches_a_cut_tail_and_a_rewritten_chain, |backend| async move {
    use anjian_app::audit::AuditBreak;
    use anjian_app::audit_checkpoint::{Checkpoint, CheckpointError, CheckpointKey};
    use anjian_test_support::anjian_domain::audit::ChainBreak;
    use sea_orm::ConnectionTrait;
    let (file, _dir) = crate::audit::checkpoint_file(3);
    let (path, public) = (file.path.clone(), file.key.public());
    let t = TestApp::start_with_settings(backend, |s| s.audit_checkpoint = Some(file)).await;
    let verify = || t.app.verify_audit(Some((&path, &public)));
    // No checkpoint yet: verification fails, it does not write one.
    assert!(matches!(verify().await.unwrap(), Err(AuditBreak::Checkpoint(CheckpointError::Missing(_)))));
    assert!(!path.exists());
    let city = t.org_by_code("bureau-jincheng").await;
    for i in 0..4 {
        t.user(&format!("cp.{i}"), "principal", Some(city.id)).await;
    }
    let first = t.app.advance_audit_checkpoint().await.unwrap().unwrap().unwrap();
    t.user("cp.late", "principal", Some(city.id)).await;
    let head = t.app.advance_audit_checkpoint().await.unwrap().unwrap().unwrap();
    assert!(head.seq > first.seq);
    assert_eq!(verify().await.unwrap().unwrap().head_seq, head.seq);

    // The newest records deleted and the head moved back to match: caught, and the server's next
    // advance refuses to sign over it and leaves the checkpoint as it was.
    let db = &t.store.db;
    let exec = |sql: String| async move {
        db.execute_unprepared(&sql).await.unwrap();
    };
    let guards: &[&str] = match backend {
        Backend::Sqlite => &["DROP TRIGGER audit_log_no_delete", "DROP TRIGGER audit_log_no_update"],
        Backend::Postgres => &["DROP TRIGGER audit_log_append_only ON audit_log"],
    };
    for sql in guards {
        exec((*sql).to_owned()).await;
    }
    let kept = head.seq - 3;
    let kept_hash = sql_texts(&t.store.db, &format!("SELECT hash FROM audit_log WHERE seq = {kept}")).await.remove(0);
    exec(format!("DELETE FROM audit_log WHERE seq > {kept}")).await;
    exec(format!("UPDATE audit_head SET seq = {kept}, hash = '{kept_hash}'")).await;
    assert!(t.app.verify_audit(None).await.unwrap().is_ok(), "the chain alone looks whole");
    let cut = verify().await.unwrap().unwrap_err();
    assert_eq!(cut, AuditBreak::Chain(ChainBreak::Truncated { last_seq: kept, head_seq: head.seq }));
    let before = std::fs::read_to_string(&path).unwrap();
    assert!(t.app.advance_audit_checkpoint().await.unwrap().unwrap().is_err());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), before, "the checkpoint is not rewritten");

    // Rewriting the checkpoint too, without the key: a checkpoint signed by another key, one with
    // its figures edited, and one without a signature are each refused.
    let forged = Checkpoint { seq: kept, hash: kept_hash.clone(), at: first.at };
    std::fs::write(&path, forged.signed_text(&CheckpointKey::from_bytes(&[9; 32]).unwrap())).unwrap();
    assert!(matches!(verify().await.unwrap(), Err(AuditBreak::Checkpoint(CheckpointError::BadSignature(_)))));
    let edited = before.replace(&format!("seq {}", head.seq), &format!("seq {kept}"));
    std::fs::write(&path, &edited).unwrap();
    assert!(matches!(verify().await.unwrap(), Err(AuditBreak::Checkpoint(CheckpointError::BadSignature(_)))));
    let unsigned: String = before.lines().filter(|l| !l.starts_with("signature")).map(|l| format!("{l}\n")).collect();
    std::fs::write(&path, unsigned).unwrap();
    assert!(matches!(verify().await.unwrap(), Err(AuditBreak::Checkpoint(CheckpointError::Unsigned(_)))));
    t.finish().await;
});

/// A Mosquitto of the test's own, configured as docs/deploy.md says: no anonymous clients, a
/// password per gateway (its token), and an ACL that lets each gateway publish to its own topic
/// alone. Killed when dropped.
struct Broker {
    child: std::process::Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Broker {
    fn start() -> Broker {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let (passwd, acl) = (dir.path().join("passwd"), dir.path().join("acl"));
        std::fs::write(&passwd, "").unwrap();
        std::fs::write(
            &acl,
            "user anjian\ntopic read anjian/+/readings\ntopic read $share/anjian/anjian/+/readings\n\n\
             pattern write anjian/%u/readings\n",
        )
        .unwrap();
        let conf = dir.path().join("mosquitto.conf");
        std::fs::write(
            &conf,
            format!(
                "user root\nlistener {port} 127.0.0.1\nallow_anonymous false\npassword_file {}\nacl_file {}\n\
                 persistence false\nlog_dest none\n",
                passwd.display(),
                acl.display()
            ),
        )
        .unwrap();
        let b = Broker {
            child: std::process::Command::new("mosquitto")
                .arg("-c")
                .arg(&conf)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .expect("mosquitto is installed (apt-get install mosquitto)"),
            port,
            dir,
        };
        b.add_user("anjian", "anjian-broker-pass");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(std::time::Instant::now() < deadline, "the test's mosquitto listens");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        b
    }

    /// Adds a broker account and has the broker reload its password file, as an operator does.
    fn add_user(&self, user: &str, password: &str) {
        let passwd = self.dir.path().join("passwd");
        let ok = std::process::Command::new("mosquitto_passwd")
            .args(["-b", &passwd.display().to_string(), user, password])
            .status()
            .expect("mosquitto_passwd is installed");
        assert!(ok.success());
        std::process::Command::new("kill").args(["-HUP", &self.child.id().to_string()]).status().unwrap();
    }

    async fn client(&self, user: Option<(&str, &str)>) -> rumqttc::AsyncClient {
        let mut opts = rumqttc::MqttOptions::new(format!("c{}", uuid::Uuid::new_v4().simple()), "127.0.0.1", self.port);
        opts.set_keep_alive(std::time::Duration::from_secs(10));
        if let Some((u, p)) = user {
            opts.set_credentials(u, p);
        }
        let (client, mut events) = rumqttc::AsyncClient::new(opts, 10);
        tokio::spawn(async move { while events.poll().await.is_ok() {} });
        client
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// A reading for another enterprise's sensor is refused the same way over HTTP and MQTT: the
/// gateway the broker authenticated reports for its own enterprise's sensors alone, and it can
/// publish under its own topic only.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn mqtt_readings_are_checked_against_the_gateway_that_sent_them() {
    use crate::binary::{explosives_sensor, prepare, start_cmd, terminate, BIN};
    let broker = Broker::start();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let token = prepare(&data).await;
    let mut cmd = std::process::Command::new(BIN);
    cmd.arg("--data-dir")
        .arg(&data)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("ANJIAN_MQTT_URL", format!("mqtt://127.0.0.1:{}", broker.port))
        .env("ANJIAN_MQTT_USERNAME", "anjian")
        .env("ANJIAN_MQTT_PASSWORD", "anjian-broker-pass");
    let s = start_cmd(cmd);
    let base = format!("http://{}", s.addr);
    let (_, code_a, token_a, user_a) = explosives_sensor(&base, &token).await;
    let (site_b, code_b, token_b, user_b) = explosives_sensor(&base, &token).await;
    broker.add_user(&user_a, &token_a);
    broker.add_user(&user_b, &token_b);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let http = reqwest::Client::new();
    let sensor = |code: &str, value: f64| {
        json!([{"sensor": code, "at": chrono::Utc::now().to_rfc3339(), "value": value}]).to_string()
    };
    // Over HTTP, gateway A's reading for B's sensor is refused as unknown.
    let r = http.post(format!("{base}/api/v1/telemetry/readings")).header("x-gateway-token", &token_a);
    let v: Value = r.body(sensor(&code_b, 95.0)).send().await.unwrap().json().await.unwrap();
    assert_eq!((v["accepted"].as_u64(), v["rejected"]["unknown_sensor"].as_u64()), (Some(0), Some(1)), "{v}");

    // Over MQTT: A's reading for B's sensor on A's topic, on B's topic, and anonymously.
    let a = broker.client(Some((&user_a, &token_a))).await;
    let anonymous = broker.client(None).await;
    let qos = rumqttc::QoS::AtLeastOnce;
    a.publish(format!("anjian/{user_a}/readings"), qos, false, sensor(&code_b, 95.0)).await.unwrap();
    a.publish(format!("anjian/{user_b}/readings"), qos, false, sensor(&code_b, 96.0)).await.unwrap();
    anonymous.publish(format!("anjian/{user_b}/readings"), qos, false, sensor(&code_b, 97.0)).await.ok();
    // A's own reading, published after them, arrives: the server is listening.
    let warehouse = |site: i64| {
        let r = http.get(format!("{base}/api/v1/warehouses/{site}")).bearer_auth(&token).send();
        async move { r.await.unwrap().json::<Value>().await.unwrap() }
    };
    let site_a = {
        let list: Value = http
            .get(format!("{base}/api/v1/warehouses"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let items = list.as_array().cloned().unwrap_or_default();
        items.iter().map(|w| w["id"].as_i64().unwrap()).find(|id| *id != site_b).unwrap()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        a.publish(format!("anjian/{user_a}/readings"), qos, false, sensor(&code_a, 19.25)).await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        if warehouse(site_a).await["sensors"][0]["last_value"].as_f64() == Some(19.25) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "gateway A's own readings arrive through the broker");
    }
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let b = warehouse(site_b).await;
    assert!(b["sensors"][0]["last_value"].is_null(), "no reading reached B's sensor: {b}");
    assert_eq!(b["live_alarms"].as_array().map(Vec::len), Some(0), "no alarm for B: {b}");
    assert!(terminate(s).success());
}
