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
    let org = zezhou_enterprise(&t, &county, "泽州丹河机械制造有限公司").await;
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
async fn futures_join<F>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
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
async fn audit_actions(t: &TestApp, action: &str) -> Vec<anjian_domain::audit::AuditRecord> {
    let rows = anjian_store::audit::page(&t.store.db, &Default::default(), None, 1000).await.unwrap();
    rows.into_iter().map(|l| l.record).filter(|r| r.action == action).collect()
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

/// The first column of every row of a query, as text.
async fn sql_texts(store: &anjian_store::Store, sql: &str) -> Vec<String> {
    store.sql_texts(sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
}

on_both_databases!(no_append_only_table_takes_update_delete_or_replace, |backend| async move {
    let t = TestApp::start(backend).await;
    t.demo(20).await;
    // A signed ledger, which the demo city does not make.
    let zezhou = t.org_by_code("bureau-zezhou").await;
    let county = t.user("ao.county", "county_staff", Some(zezhou.id)).await;
    let org = zezhou_enterprise(&t, &county, "泽州台账测试公司").await;
    let principal = t.user("ao.principal", "principal", Some(org)).await;
    let hazard = json!({"org_id": org, "description": "除尘器积尘", "grade": "general"});
    assert_eq!(post_json(&t, &principal.token, "/api/v1/hazards", hazard).await.0, 201);
    let sign = format!("/api/v1/orgs/{org}/ledgers/2022-08/sign");
    assert_eq!(post_json(&t, &principal.token, &sign, json!({"password": principal.password})).await.0, 201);
    let db = &t.store;
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
        Some(dir) => Some(anjian_store::console::PlainConnection::sqlite(&dir.join("test.db")).await.unwrap()),
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
            let err = db.execute_sql(sql).await.expect_err(sql);
            assert!(err.to_string().contains("append-only"), "{sql}: {err}");
            if let Some(raw) = &raw {
                let err = raw.execute_sql(sql).await.expect_err(sql);
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
    let db = &t.store;
    let exec = |sql: String| async move {
        db.execute_sql(&sql).await.unwrap();
    };
    let guards: &[&str] = match backend {
        Backend::Sqlite => &["DROP TRIGGER audit_log_no_delete", "DROP TRIGGER audit_log_no_update"],
        Backend::Postgres => &["DROP TRIGGER audit_log_append_only ON audit_log"],
    };
    for sql in guards {
        exec((*sql).to_owned()).await;
    }
    let kept = head.seq - 3;
    let kept_hash = sql_texts(&t.store, &format!("SELECT hash FROM audit_log WHERE seq = {kept}")).await.remove(0);
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
        // anjian's own account is there before the broker starts: a reload signal sent before
        // mosquitto has set up its handlers would stop it.
        passwd_add(&passwd, "anjian", "anjian-broker-pass");
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
                 persistence false\nlog_dest stderr\n",
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
                .stderr(std::fs::File::create(dir.path().join("mosquitto.log")).unwrap())
                .spawn()
                .expect("mosquitto is installed (apt-get install mosquitto)"),
            port,
            dir,
        };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "the test's mosquitto listens: {}",
                std::fs::read_to_string(b.dir.path().join("mosquitto.log")).unwrap_or_default()
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        b
    }

    /// Adds a broker account and has the broker reload its password file, as an operator does.
    fn add_user(&self, user: &str, password: &str) {
        passwd_add(&self.dir.path().join("passwd"), user, password);
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

fn passwd_add(passwd: &std::path::Path, user: &str, password: &str) {
    let ok = std::process::Command::new("mosquitto_passwd")
        .args(["-b", &passwd.display().to_string(), user, password])
        .status()
        .expect("mosquitto_passwd is installed");
    assert!(ok.success());
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

/// Half-sent requests are closed once the header timeout passes, and while they are open the
/// connection cap keeps the server answering: 60 connections that stop mid-headers against a
/// cap of 20 and a 2-second timeout, and a real request still gets its answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_sent_requests_are_timed_out_and_cannot_exhaust_the_server() {
    use crate::binary::{prepare, start_cmd, terminate, BIN};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().unwrap();
    prepare(&dir.path().join("data")).await;
    let config = dir.path().join("anjian.toml");
    std::fs::write(&config, "header_read_timeout_seconds = 2\nmax_connections = 20\n").unwrap();
    let mut cmd = std::process::Command::new(BIN);
    cmd.arg("--config").arg(&config).arg("--data-dir").arg(dir.path().join("data"));
    cmd.args(["serve", "--listen", "127.0.0.1:0"]);
    let s = start_cmd(cmd);
    let addr = s.addr.clone();
    let started = std::time::Instant::now();
    let mut slow = Vec::new();
    for _ in 0..60 {
        let mut c = tokio::net::TcpStream::connect(&addr).await.unwrap();
        c.write_all(b"GET /healthz HTTP/1.1\r\nHost: anjian\r\nX-Slow: ").await.unwrap();
        slow.push(c);
    }
    let r = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .unwrap()
        .get(format!("http://{addr}/healthz"))
        .send()
        .await
        .expect("a real request is answered while half-sent ones wait");
    assert_eq!(r.status(), 200);
    // Every half-sent connection is closed by the server (end of stream, or a reset).
    for mut c in slow {
        let mut buf = [0u8; 256];
        let closed = tokio::time::timeout(std::time::Duration::from_secs(20), async {
            loop {
                match c.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(_) => continue,
                }
            }
        })
        .await;
        assert!(closed.is_ok(), "a half-sent request is still open after {:?}", started.elapsed());
    }
    assert!(terminate(s).success());
    // What the server left on disk is its owner's alone.
    use std::os::unix::fs::PermissionsExt;
    let data = dir.path().join("data");
    for f in ["", "anjian.db", "anjian.db-wal", "audit-checkpoint.key", "audit.checkpoint", "signing.key", "tips.key"] {
        let p = data.join(f);
        if p.exists() {
            let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode & 0o077, 0, "{} is mode {mode:o}", p.display());
        }
    }
}

on_both_databases!(the_three_admins_create_and_reset_only_what_the_table_allows, |backend| async move {
    let t = TestApp::start(backend).await;
    let zezhou = t.org_by_code("bureau-zezhou").await;
    let sys = t.user("ra.sys", "sys_admin", None).await;
    let sec = t.user("ra.sec", "security_admin", None).await;
    let audit = t.user("ra.audit", "audit_admin", None).await;
    let staff = t.user("ra.staff", "county_staff", Some(zezhou.id)).await;
    let new = |role: &str, name: &str| {
        let org = if role.ends_with("_admin") { Value::Null } else { json!(zezhou.id) };
        json!({"username": name, "display_name": "测试账号", "role": role, "org_id": org})
    };
    let create = |token: String, role: &'static str, name: &'static str| {
        let body = new(role, name);
        let t = &t;
        async move { post_json(t, &token, "/api/v1/users", body).await }
    };
    // The system admin: bureau and enterprise accounts, no admin and no custodian.
    assert_eq!(create(sys.token.clone(), "county_staff", "ra.c1").await.0, 201);
    assert_eq!(create(sys.token.clone(), "principal", "ra.p1").await.0, 201);
    for role in ["tip_custodian", "security_admin", "audit_admin", "sys_admin"] {
        assert_eq!(create(sys.token.clone(), role, "ra.x1").await.0, 403, "sys_admin creating {role}");
    }
    // The security admin: the audit admin; a custodian only as a request; nothing else.
    assert_eq!(create(sec.token.clone(), "audit_admin", "ra.a2").await.0, 201);
    for role in ["county_staff", "city_staff", "principal", "sys_admin", "security_admin"] {
        assert_eq!(create(sec.token.clone(), role, "ra.x2").await.0, 403, "security_admin creating {role}");
    }
    // The audit admin creates nothing.
    for role in ["county_staff", "tip_custodian", "audit_admin"] {
        assert_eq!(create(audit.token.clone(), role, "ra.x3").await.0, 403, "audit_admin creating {role}");
    }
    // Resets follow the same table: the security admin cannot reset bureau staff.
    assert_eq!(reset(&t, &sec.token, staff.id).await.0, 403);
    assert_eq!(reset(&t, &sys.token, sec.id).await.0, 403);

    // A custodian: requested by the security admin, approved by a system admin.
    let (st, request) = create(sec.token.clone(), "tip_custodian", "ra.keeper").await;
    assert_eq!((st, request["status"].as_str()), (202, Some("pending_approval")), "{request}");
    assert!(request.get("one_time_password").is_none(), "the requester never holds the credential");
    let id = request["id"].as_i64().unwrap();
    let (_, pending) = get_json(&t, &sys.token, "/api/v1/account-requests").await;
    assert_eq!(pending.as_array().unwrap().len(), 1);
    let approve = format!("/api/v1/account-requests/{id}/approve");
    assert_eq!(post_json(&t, &sec.token, &approve, json!({})).await.0, 403, "not by the one who asked");
    assert_eq!(post_json(&t, &audit.token, &approve, json!({})).await.0, 403, "not by the audit admin");
    assert_eq!(post_json(&t, &staff.token, &approve, json!({})).await.0, 403);
    let (st, made) = post_json(&t, &sys.token, &approve, json!({})).await;
    assert_eq!((st, made["user"]["role"].as_str()), (200, Some("tip_custodian")), "{made}");
    assert!(made["one_time_password"].as_str().is_some_and(|p| p.len() >= 16));
    assert_eq!(post_json(&t, &sys.token, &approve, json!({})).await.0, 409, "decided once");
    let keeper = made["user"]["id"].as_i64().unwrap();
    // Its reset is a request too; a refused request changes nothing.
    let (st, r) = reset(&t, &sec.token, keeper).await;
    assert_eq!(st, 202, "{r}");
    let refuse = format!("/api/v1/account-requests/{}/refuse", r["id"]);
    assert_eq!(post_json(&t, &sys.token, &refuse, json!({})).await.0, 204);
    assert_eq!(get_json(&t, &sys.token, "/api/v1/account-requests").await.1, json!([]));
    // Every step is in the audit log.
    for action in ["account_request.file", "account_request.approved", "account_request.refused"] {
        assert!(!audit_actions(&t, action).await.is_empty(), "{action}");
    }
    // The page shows the request to the system admin with its buttons, in Chinese.
    let (_, again) = create(sec.token.clone(), "tip_custodian", "ra.keeper2").await;
    let cookie = t.sign_in(&sys).await;
    let (_, _, html) = t.page(&cookie, "/users").await;
    assert!(html.contains("待批准的账号申请") && html.contains(&format!("/users/requests/{}/approve", again["id"])));
    // A reset is offered only where the table allows it: the bureau's staff, not the admins.
    assert!(html.contains(&format!("/users/{}/reset-password", staff.id)));
    assert!(!html.contains(&format!("/users/{}/reset-password", sec.id)));
    t.finish().await;
});

on_both_databases!(a_principal_reset_by_an_admin_signs_again_only_with_a_new_signing_secret, |backend| async move {
    let t = TestApp::start(backend).await;
    let zezhou = t.org_by_code("bureau-zezhou").await;
    let county = t.user("sg.county", "county_staff", Some(zezhou.id)).await;
    let sys = t.user("sg.sys", "sys_admin", None).await;
    let org = zezhou_enterprise(&t, &county, "泽州签名测试公司").await;
    let principal = t.user("sg.principal", "principal", Some(org)).await;
    let hazard = |d: &str| json!({"org_id": org, "description": d, "grade": "general"});
    assert_eq!(post_json(&t, &principal.token, "/api/v1/hazards", hazard("配电柜未上锁")).await.0, 201);
    let sign = format!("/api/v1/orgs/{org}/ledgers/2022-08/sign");
    let (st, v1) = post_json(&t, &principal.token, &sign, json!({"password": principal.password})).await;
    assert_eq!(st, 201, "{v1}");

    // The admin resets the account and takes it over: the new login password signs nothing.
    let (_, r) = post_json(&t, &sys.token, &format!("/api/v1/users/{}/reset-password", principal.id), json!({})).await;
    let one_time = r["one_time_password"].as_str().unwrap().to_owned();
    let cookie = t.login_form(&principal.username, &one_time).await.unwrap();
    let (_, _, html) = t.page(&cookie, "/account/password").await;
    let csrf = hidden(&html, "_csrf").unwrap();
    let login = "Wk5-after-Reset-9";
    let form = [("_csrf", csrf.as_str()), ("current", one_time.as_str()), ("new", login), ("repeat", login)];
    assert_eq!(t.post_form(&cookie, "/account/password", &form).await.0, 303);
    let token = t.app.create_token(&actor_of(&t, principal.id).await, "phone").await.unwrap().1;
    assert_eq!(post_json(&t, &token, "/api/v1/hazards", hazard("安全出口堵塞")).await.0, 201);
    let (st, v) = post_json(&t, &token, &sign, json!({"password": login})).await;
    assert_eq!((st, field_codes(&v)), (422, vec![("password".into(), "signing_secret_required".into())]), "{v}");
    // The account page says why, and takes a signing secret (never the login password).
    let (_, _, html) = t.page(&cookie, "/account").await;
    assert!(html.contains("签署台账前须先设置新的签名口令"));
    let put = |body: Value| crate::hardening::put(&t, &token, "/api/v1/me/signing-secret", body);
    assert_eq!(put(json!({"current_password": login, "secret": login})).await.0, 422);
    assert_eq!(put(json!({"current_password": "wrong", "secret": "Sg7-sign-Secret"})).await.0, 422);
    assert_eq!(put(json!({"current_password": login, "secret": "Sg7-sign-Secret"})).await.0, 204);
    let (st, _) = post_json(&t, &token, &sign, json!({"password": login})).await;
    assert_eq!(st, 422, "the login password no longer signs");
    let (st, v2) = post_json(&t, &token, &sign, json!({"password": "Sg7-sign-Secret"})).await;
    assert_eq!((st, v2["version"].as_i64()), (201, Some(2)), "{v2}");
    // What was signed before the reset still verifies.
    let (_, one) = get_json(&t, &county.token, &format!("/api/v1/ledgers/{}", v1["id"])).await;
    assert_eq!(one["intact"], true);
    assert!(!audit_actions(&t, "user.signing_secret.set").await.is_empty());
    t.finish().await;
});

async fn reset(t: &TestApp, token: &str, id: i64) -> (u16, Value) {
    post_json(t, token, &format!("/api/v1/users/{id}/reset-password"), json!({})).await
}

async fn put(t: &TestApp, token: &str, path: &str, body: Value) -> (u16, Value) {
    let r = t.http.put(t.url(path)).bearer_auth(token).json(&body).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

on_both_databases!(the_idle_limit_counts_from_the_last_use_never_from_an_older_one, |backend| async move {
    use chrono::Duration;
    let t = TestApp::start(backend).await;
    let city = t.org_by_code("bureau-jincheng").await;
    let u = t.user("idle.one", "principal", Some(city.id)).await;
    // Used 10 seconds after signing in (too soon to be saved), then idle 29 min 59 s: still on.
    let c = t.login_form(&u.username, &u.password).await.unwrap();
    t.clock.advance(Duration::seconds(10));
    assert_eq!(t.page(&c, "/campaign").await.0, 200);
    t.clock.advance(Duration::minutes(30) - Duration::seconds(1));
    assert_eq!(t.page(&c, "/campaign").await.0, 200, "the limit ran short of 30 idle minutes");
    // Idle 30 minutes and 16 seconds after the last use: gone.
    let c = t.login_form(&u.username, &u.password).await.unwrap();
    t.clock.advance(Duration::seconds(10));
    assert_eq!(t.page(&c, "/campaign").await.0, 200);
    t.clock.advance(Duration::minutes(30) + Duration::seconds(16));
    assert_eq!(t.page(&c, "/campaign").await.0, 303);
    t.finish().await;
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_posted_from_another_origin_is_refused() {
    let t = TestApp::start(Backend::Sqlite).await;
    let city = t.org_by_code("bureau-jincheng").await;
    let u = t.user("origin.one", "principal", Some(city.id)).await;
    let post = |origin: Option<&str>| {
        let mut r = t.http.post(t.url("/login")).form(&[("username", u.username.as_str()), ("password", &u.password)]);
        if let Some(o) = origin {
            r = r.header("origin", o);
        }
        async move { r.send().await.unwrap().status().as_u16() }
    };
    // No Sec-Fetch-Site (an older browser): the Origin decides.
    assert_eq!(post(Some("http://evil.example")).await, 403);
    assert_eq!(post(Some(&format!("http://{}.evil.example", t.addr.ip()))).await, 403);
    assert_eq!(post(Some(&format!("http://{}", t.addr))).await, 303);
    // An opaque origin is what a browser sends for a same-site post from a no-referrer page.
    assert_eq!(post(Some("null")).await, 303);
    assert_eq!(post(None).await, 303, "a client that sends no Origin (a script, a test) signs in");
    t.finish().await;
}

on_both_databases!(text_with_a_nul_character_is_refused_on_both_databases, |backend| async move {
    let t = TestApp::start(backend).await;
    let zezhou = t.org_by_code("bureau-zezhou").await;
    let county = t.user("nul.county", "county_staff", Some(zezhou.id)).await;
    let body = format!(
        "{{\"name\": \"泽州\\u0000公司\", \"kind\": \"enterprise\", \"jurisdiction_id\": {}}}",
        zezhou.jurisdiction_id
    );
    let r = t.http.post(t.url("/api/v1/orgs")).bearer_auth(&county.token).header("content-type", "application/json");
    let r = r.body(body).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let v: Value = r.json().await.unwrap();
    assert_eq!(field_codes(&v), vec![("body".to_owned(), "nul_character".to_owned())]);
    // An escaped backslash before the letters u0000 is ordinary text.
    let body = format!(
        "{{\"name\": \"泽州\\\\u0000公司\", \"kind\": \"enterprise\", \"jurisdiction_id\": {}}}",
        zezhou.jurisdiction_id
    );
    let r = t.http.post(t.url("/api/v1/orgs")).bearer_auth(&county.token).header("content-type", "application/json");
    assert_eq!(r.body(body).send().await.unwrap().status(), 201);
    t.finish().await;
});

on_both_databases!(an_organisations_sites_outside_the_scope_are_not_found, |backend| async move {
    let t = TestApp::start(backend).await;
    let zezhou = t.org_by_code("bureau-zezhou").await;
    let gaoping = t.org_by_code("bureau-gaoping").await;
    let county = t.user("st.zz", "county_staff", Some(zezhou.id)).await;
    let other = t.user("st.gp", "county_staff", Some(gaoping.id)).await;
    let org = zezhou_enterprise(&t, &county, "泽州场所测试公司").await;
    let path = format!("/api/v1/orgs/{org}/sites");
    assert_eq!(t.get(&county.token, &path).await.status(), 200);
    assert_eq!(t.get(&other.token, &path).await.status(), 404);
    assert_eq!(t.get(&other.token, "/api/v1/orgs/999999/sites").await.status(), 404);
    t.finish().await;
});

on_both_databases!(second_factor_secrets_are_sealed_in_the_database, |backend| async move {
    let t = TestApp::start(backend).await;
    let city = t.org_by_code("bureau-jincheng").await;
    let u = t.user("seal.one", "city_staff", Some(city.id)).await;
    let secret = u.totp_secret.clone().unwrap();
    let stored = sql_texts(&t.store, &format!("SELECT totp_secret FROM users WHERE id = {}", u.id)).await.remove(0);
    assert!(!stored.contains(&secret) && stored.starts_with("chacha20poly1305:"), "{stored}");
    // A secret an earlier release stored plain is sealed at start-up, and codes still work.
    let plain = t.user("seal.two", "city_staff", Some(city.id)).await;
    let plain_secret = plain.totp_secret.clone().unwrap();
    anjian_store::users::replace_totp_secret_text(&t.store.db, plain.id, &plain_secret).await.unwrap();
    assert_eq!(t.app.seal_totp_secrets().await.unwrap(), 1);
    let stored = sql_texts(&t.store, &format!("SELECT totp_secret FROM users WHERE id = {}", plain.id)).await.remove(0);
    assert!(!stored.contains(&plain_secret));
    for user in [&u, &plain] {
        let cookie = t.sign_in(user).await;
        assert_eq!(t.page(&cookie, "/campaign").await.0, 200, "{} signs in with a code", user.username);
    }
    t.finish().await;
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_size_outside_the_described_range_is_refused() {
    let t = TestApp::start(Backend::Sqlite).await;
    let zezhou = t.org_by_code("bureau-zezhou").await;
    let county = t.user("lim.county", "county_staff", Some(zezhou.id)).await;
    for (query, status) in [
        ("", 200),
        ("?limit=1", 200),
        ("?limit=200", 200),
        ("?limit=0", 400),
        ("?limit=201", 400),
        ("?limit=9223372036854775808", 400),
        ("?limit=x", 400),
    ] {
        for path in ["/api/v1/orgs", "/api/v1/hazards", "/api/v1/users", "/api/v1/inspections"] {
            let r = t.get(&county.token, &format!("{path}{query}")).await;
            assert_eq!(r.status().as_u16(), status, "{path}{query}");
        }
    }
    t.finish().await;
}

/// The real server advances the signed checkpoint on its schedule and at shutdown; the command
/// line then catches a tail cut afterwards, and refuses a key that is not the auditor's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_keeps_the_checkpoint_and_the_command_line_catches_a_cut() {
    use crate::binary::{open_data, prepare, start_cmd, terminate, BIN};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let token = prepare(&data).await;
    let config = dir.path().join("anjian.toml");
    std::fs::write(&config, "audit_checkpoint_seconds = 1\n").unwrap();
    let cli = |args: &[&str]| {
        std::process::Command::new(BIN)
            .arg("--config")
            .arg(&config)
            .arg("--data-dir")
            .arg(&data)
            .args(args)
            .output()
            .unwrap()
    };
    let mut cmd = std::process::Command::new(BIN);
    cmd.arg("--config").arg(&config).arg("--data-dir").arg(&data).args(["serve", "--listen", "127.0.0.1:0"]);
    let s = start_cmd(cmd);
    let jid = crate::binary::own_jurisdiction(&format!("http://{}", s.addr), &token).await;
    let http = reqwest::Client::new();
    let seq_of = |text: &str| -> i64 {
        text.lines().find_map(|l| l.strip_prefix("seq ")).and_then(|n| n.parse().ok()).unwrap_or(0)
    };
    let checkpoint = data.join("audit.checkpoint");
    let head = || async {
        let store = open_data(&data).await;
        let (seq, _) = anjian_store::audit::head(&store.db).await.unwrap();
        store.close().await.unwrap();
        seq
    };
    for i in 0..3 {
        let body = json!({"name": format!("检查点测试{i}"), "kind": "enterprise", "jurisdiction_id": jid});
        let r =
            http.post(format!("http://{}/api/v1/orgs", s.addr)).bearer_auth(&token).json(&body).send().await.unwrap();
        assert_eq!(r.status(), 201);
    }
    // On its schedule: the checkpoint reaches the records just written.
    let written = head().await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while seq_of(&std::fs::read_to_string(&checkpoint).unwrap_or_default()) < written {
        assert!(std::time::Instant::now() < deadline, "the checkpoint did not advance to record {written}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    // At shutdown: whatever was written last is under it.
    let body = json!({"name": "检查点测试-末", "kind": "enterprise", "jurisdiction_id": jid});
    let r = http.post(format!("http://{}/api/v1/orgs", s.addr)).bearer_auth(&token).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 201);
    assert!(terminate(s).success());
    let last = head().await;
    assert_eq!(seq_of(&std::fs::read_to_string(&checkpoint).unwrap()), last);
    let out = cli(&["audit", "verify"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    // The auditor's key verifies; another key does not.
    let public = String::from_utf8(cli(&["audit", "public-key"]).stdout).unwrap().trim().to_owned();
    assert!(public.starts_with("ed25519:") && public.len() == 8 + 64, "{public}");
    assert!(cli(&["audit", "verify", "--public-key", &public]).status.success());
    let other = format!("ed25519:{}", "3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29");
    let out = cli(&["audit", "verify", "--public-key", &other]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    // The newest records cut and the head moved back to match: the command line says so.
    let store = open_data(&data).await;
    for sql in ["DROP TRIGGER audit_log_no_delete", "DROP TRIGGER audit_log_no_update"] {
        store.execute_sql(sql).await.unwrap();
    }
    let keep = last - 2;
    let hash = sql_texts(&store, &format!("SELECT hash FROM audit_log WHERE seq = {keep}")).await.remove(0);
    store.execute_sql(&format!("DELETE FROM audit_log WHERE seq > {keep}")).await.unwrap();
    store.execute_sql(&format!("UPDATE audit_head SET seq = {keep}, hash = '{hash}'")).await.unwrap();
    store.close().await.unwrap();
    let out = cli(&["audit", "verify"]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("BROKEN") && said.contains(&format!("head says {last}")), "{said}");
    // And a checkpoint removed is no way out.
    std::fs::remove_file(&checkpoint).unwrap();
    let out = cli(&["audit", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("no audit checkpoint"));
}

/// An enterprise the county bureau registers in Zezhou; its id.
async fn zezhou_enterprise(t: &TestApp, county: &TestUser, name: &str) -> i64 {
    let zezhou = t.org_by_code("bureau-zezhou").await;
    let body = json!({"name": name, "kind": "enterprise", "jurisdiction_id": zezhou.jurisdiction_id});
    let (status, org) = post_json(t, &county.token, "/api/v1/orgs", body).await;
    assert_eq!(status, 201, "{org}");
    org["id"].as_i64().unwrap()
}
