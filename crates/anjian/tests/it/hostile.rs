//! Hostile input generated from the API's own description: schemathesis (from PyPI) reads
//! `/api/v1/openapi.json` and sends a bounded number of generated requests to every operation,
//! signed in as a county bureau's staff; no answer may be a server error, and every answer must
//! match the schema the API publishes.

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
        .args(["--checks", "not_a_server_error,response_schema_conformance"])
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
