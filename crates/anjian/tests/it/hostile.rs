//! Hostile input. Generated from the API's own description: schemathesis (from PyPI) reads
//! `/api/v1/openapi.json` and sends a bounded number of generated requests to every operation,
//! signed in as a county bureau's staff; no answer may be a server error, and every answer must
//! match the schema the API publishes. By hand: paths that climb out, oversized bodies, SQL and
//! template text, slow clients.

use anjian_test_support::*;

/// Generated requests per operation (the CI bound).
const EXAMPLES: &str = "12";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_requests_get_no_server_error_and_answers_that_match_the_schema() {
    let t = TestApp::start(Backend::Sqlite).await;
    let zezhou = t.org_by_code("bureau-zezhou").await;
    let county = t.user("st.county", "county_staff", Some(zezhou.id)).await;
    // It keeps a cache of what it found in its working folder: a temporary one, not the source.
    let work = tempfile::tempdir().unwrap();
    let out = tokio::process::Command::new("schemathesis")
        .current_dir(work.path())
        .args(["run", &t.url("/api/v1/openapi.json")])
        // Every answer documented, every answer of the documented shape, invalid requests refused
        // and valid ones taken; the generated cases of the coverage phase, the fuzzing phase and
        // stateful sequences that follow links from one operation to the next.
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,response_schema_conformance,negative_data_rejection",
        ])
        // Revoking a token by id would revoke the very token the run signs in with, and every
        // later request would test only the sign-in; revocation has its own tests.
        .args(["--exclude-path-regex", "^/api/v1/tokens/"])
        .args(["--phases", "examples,coverage,fuzzing,stateful"])
        .args(["--max-examples", EXAMPLES, "--seed", "20221", "--generation-deterministic"])
        .args(["--header", &format!("Authorization: Bearer {}", county.token)])
        // Serializers for the Excel and NDJSON bodies (tests/schemathesis_hooks.py).
        .env("PYTHONPATH", concat!(env!("CARGO_MANIFEST_DIR"), "/tests"))
        .env("SCHEMATHESIS_HOOKS", "schemathesis_hooks")
        .env("NO_COLOR", "1")
        .output()
        .await
        .unwrap_or_else(|e| panic!("schemathesis is not installed ({e}): pip install schemathesis"));
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "schemathesis found problems:\n{report}\n{}", String::from_utf8_lossy(&out.stderr));
    t.finish().await;
}

/// Paths that try to climb out of the routes — to the source, the data folder, the system's
/// files — reach nothing: a 404 or a 400, never a file's content.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paths_that_climb_out_reach_nothing() {
    let t = TestApp::start(Backend::Sqlite).await;
    let zezhou = t.org_by_code("bureau-zezhou").await;
    let county = t.user("tr.county", "county_staff", Some(zezhou.id)).await;
    for path in [
        "/assets/../Cargo.toml",
        "/assets/..%2f..%2fCargo.toml",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/assets/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/api/v1/attachments/..%2f..%2fanjian.db",
        "/api/v1/attachments/1%2f..%2f..%2fetc%2fpasswd",
        "/tips/1/files/..%2f..%2f..%2fetc%2fpasswd",
    ] {
        let r = t.http.get(t.url(path)).bearer_auth(&county.token).send().await.unwrap();
        let status = r.status().as_u16();
        let body = r.text().await.unwrap();
        // 303: a page's way to the sign-in form.
        assert!(matches!(status, 303 | 400 | 401 | 403 | 404), "{path}: {status}");
        assert!(!body.contains("root:") && !body.contains("[workspace]") && !body.contains("SQLite format"), "{path}");
    }
    t.finish().await;
}

/// Bodies past the limits are refused with 413 before they are read whole, and the server goes
/// on answering.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_bodies_are_refused_and_the_server_goes_on() {
    let t = TestApp::start(Backend::Sqlite).await;
    let zezhou = t.org_by_code("bureau-zezhou").await;
    let county = t.user("big.county", "county_staff", Some(zezhou.id)).await;
    // Just past the 2 MiB limit, so that the client has sent it all when the answer comes (a
    // body far past it is cut off mid-send, which is right, but leaves no answer to read).
    let huge = format!("{{\"name\":\"{}\"}}", "大".repeat(700_000));
    let r = t
        .http
        .post(t.url("/api/v1/orgs"))
        .bearer_auth(&county.token)
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "too_large", "{body}");
    let readings = "x".repeat(9 * 1024 * 1024);
    let r = t.http.post(t.url("/api/v1/telemetry/readings")).header("x-gateway-token", "t").body(readings).send().await;
    // Refused outright (413), or the connection cut while the client was still sending.
    assert!(r.map_or(true, |r| r.status() == 413 || r.status() == 401));
    // On a new connection: the one the server cut may still sit in the client's pool.
    assert_eq!(reqwest::Client::new().get(t.url("/healthz")).send().await.unwrap().status(), 200);
    t.finish().await;
}

/// Text that looks like SQL or like a template is stored and shown as the text it is: the
/// statement is not run, the expression is not evaluated, the markup is escaped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sql_and_template_text_is_kept_as_text() {
    let t = TestApp::start(Backend::Sqlite).await;
    let zezhou = t.org_by_code("bureau-zezhou").await;
    let county = t.user("inj.county", "county_staff", Some(zezhou.id)).await;
    let name = "泽州'); DROP TABLE orgs; -- {{ 7*7 }} {% raw %} <script>alert(1)</script>";
    let (st, org) = post_json(
        &t,
        &county.token,
        "/api/v1/orgs",
        serde_json::json!({"name": name, "kind": "enterprise", "jurisdiction_id": zezhou.jurisdiction_id}),
    )
    .await;
    assert_eq!(st, 201, "{org}");
    assert_eq!(org["name"], name);
    let (st, found) = get_json(&t, &county.token, "/api/v1/orgs?q=%27%20OR%20%271%27%3D%271").await;
    assert_eq!(st, 200);
    assert_eq!(found["items"].as_array().map(Vec::len), Some(0), "a quote in the search is text: {found}");
    // LIKE's wildcards are text too: only the name above has a "%" in it, none a "_" or "%%".
    for (q, n) in [("%25", 1), ("_", 0), ("%25%25", 0)] {
        let (_, found) = get_json(&t, &county.token, &format!("/api/v1/orgs?q={q}")).await;
        assert_eq!(found["items"].as_array().map(Vec::len), Some(n), "q={q}: {found}");
    }
    let (_, found) = get_json(&t, &county.token, "/api/v1/orgs?q=DROP%20TABLE").await;
    assert_eq!(found["items"].as_array().map(Vec::len), Some(1), "{found}");
    let cookie = t.sign_in(&county).await;
    let (st, _, html) = t.page(&cookie, &format!("/orgs/{}", org["id"])).await;
    assert_eq!(st, 200);
    assert!(html.contains("{{ 7*7 }}") && !html.contains(" 49 "), "the expression is shown, not evaluated");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") || html.contains("&#60;script&#62;"), "escaped");
    assert!(!html.contains("<script>alert(1)</script>"));
    t.finish().await;
}

/// Clients that open connections and send their requests a byte at a time (or not at all) do not
/// hold up anyone else.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_do_not_hold_up_the_others() {
    use tokio::io::AsyncWriteExt;
    let t = TestApp::start(Backend::Sqlite).await;
    let mut slow = Vec::new();
    for i in 0..200 {
        let mut c = tokio::net::TcpStream::connect(t.addr).await.unwrap();
        // Half a request line, or headers without their end, or a body shorter than promised.
        let part = match i % 3 {
            0 => "GET /healthz HT".to_owned(),
            1 => "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ".to_owned(),
            _ => "POST /api/v1/orgs HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{\"name\":".to_owned(),
        };
        c.write_all(part.as_bytes()).await.unwrap();
        slow.push(c);
    }
    for _ in 0..20 {
        assert_eq!(t.http.get(t.url("/healthz")).send().await.unwrap().status(), 200);
    }
    let zezhou = t.org_by_code("bureau-zezhou").await;
    let county = t.user("slow.county", "county_staff", Some(zezhou.id)).await;
    let (st, _) = get_json(&t, &county.token, "/api/v1/orgs").await;
    assert_eq!(st, 200);
    drop(slow);
    t.finish().await;
}
