//! The JSON API's contract: one error shape, idempotent creates, the OpenAPI document, and the
//! operations endpoints.

use anjian_test_support::*;
use serde_json::Value;

fn assert_error_shape(v: &Value, code: &str) {
    assert_eq!(v["error"]["code"], code, "{v}");
    assert!(v["error"]["message"].is_string(), "{v}");
    assert!(v["error"]["fields"].is_array(), "{v}");
}

on_both_databases!(the_same_idempotency_key_ten_times_at_once_makes_one_record, |backend| async move {
    let t = TestApp::start(backend).await;
    let zezhou = t.org_by_code("bureau-zezhou").await;
    let u = t.user("phone", "county_staff", Some(zezhou.id)).await;
    let key = "6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f";
    let body = serde_json::json!({"name": "阳光煤化工有限公司", "kind": "enterprise", "jurisdiction_id": zezhou.jurisdiction_id});
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let (http, url, token, body) = (t.http.clone(), t.url("/api/v1/orgs"), u.token.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            let r = http.post(url).bearer_auth(token).header("idempotency-key", key).json(&body).send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }));
    }
    let mut ids = std::collections::BTreeSet::new();
    let mut created = 0;
    for task in tasks {
        let (status, v) = task.await.unwrap();
        assert!(status == 201 || status == 200, "{status} {v}");
        created += usize::from(status == 201);
        ids.insert(v["id"].as_i64().unwrap());
        assert_eq!(v["uid"], key);
    }
    assert_eq!(ids.len(), 1, "one record");
    assert_eq!(created, 1, "created once, replayed nine times");
    // The same key with another body is refused and changes nothing.
    let other =
        serde_json::json!({"name": "另一家公司", "kind": "enterprise", "jurisdiction_id": zezhou.jurisdiction_id});
    let r = t
        .http
        .post(t.url("/api/v1/orgs"))
        .bearer_auth(&u.token)
        .header("idempotency-key", key)
        .json(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    assert_error_shape(&r.json().await.unwrap(), "idempotency_mismatch");
    let org = anjian_store::orgs::by_uid(&t.store.db, key).await.unwrap().unwrap();
    assert_eq!(org.name, "阳光煤化工有限公司");
    let r = t
        .http
        .post(t.url("/api/v1/orgs"))
        .bearer_auth(&u.token)
        .header("idempotency-key", "not-a-uuid")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    t.finish().await;
});

#[tokio::test]
async fn every_error_has_one_shape() {
    let t = TestApp::start(Backend::Sqlite).await;
    let zezhou = t.org_by_code("bureau-zezhou").await;
    let u = t.user("shape", "county_staff", Some(zezhou.id)).await;
    let r = t.http.get(t.url("/api/v1/orgs")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert_error_shape(&r.json().await.unwrap(), "unauthenticated");
    let r = t.http.get(t.url("/api/v1/orgs")).bearer_auth("ajt_revoked-or-made-up").send().await.unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let r = t.get(&u.token, "/api/v1/no/such/thing").await;
    assert_eq!(r.status().as_u16(), 404);
    assert_error_shape(&r.json().await.unwrap(), "not_found");
    let r = t
        .http
        .post(t.url("/api/v1/orgs"))
        .bearer_auth(&u.token)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert_error_shape(&r.json().await.unwrap(), "bad_request");
    let r = t.get(&u.token, "/api/v1/orgs?after=abc").await;
    assert_eq!(r.status().as_u16(), 400);
    assert_error_shape(&r.json().await.unwrap(), "bad_request");
    let r = t
        .http
        .post(t.url("/api/v1/orgs"))
        .bearer_auth(&u.token)
        .json(&serde_json::json!({"name": "", "kind": "regulator", "jurisdiction_id": 99999}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let v: Value = r.json().await.unwrap();
    assert_error_shape(&v, "invalid");
    let fields: Vec<&str> =
        v["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["name", "kind", "jurisdiction_id"]);
    // A revoked token stops working at once.
    let list: Value = t.get(&u.token, "/api/v1/tokens").await.json().await.unwrap();
    let id = list[0]["id"].as_i64().unwrap();
    assert_eq!(
        t.http
            .delete(t.url(&format!("/api/v1/tokens/{id}")))
            .bearer_auth(&u.token)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        204
    );
    assert_eq!(t.get(&u.token, "/api/v1/me").await.status().as_u16(), 401);
    t.finish().await;
}

#[tokio::test]
async fn openapi_health_readiness_metrics_and_headers() {
    let t = TestApp::start(Backend::Sqlite).await;
    let doc: Value = t.http.get(t.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for p in
        ["/api/v1/orgs", "/api/v1/orgs/{id}", "/api/v1/users", "/api/v1/campaign", "/api/v1/audit", "/api/v1/tokens"]
    {
        assert!(doc["paths"][p].is_object(), "{p} documented");
    }
    assert_eq!(t.http.get(t.url("/healthz")).send().await.unwrap().status().as_u16(), 200);
    assert_eq!(t.http.get(t.url("/readyz")).send().await.unwrap().status().as_u16(), 200);
    let r = t.http.get(t.url("/login")).send().await.unwrap();
    let h = r.headers();
    assert!(h["content-security-policy"].to_str().unwrap().contains("script-src 'self'"));
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["cache-control"], "no-store");
    assert!(h.contains_key("x-request-id"));
    let m = t.http.get(t.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(m.contains("anjian_http_requests_total{method=\"GET\",route=\"/login\",status=\"200\"}"), "{m}");
    // Readiness follows the database.
    t.store.clone().close().await.unwrap();
    assert_eq!(t.http.get(t.url("/readyz")).send().await.unwrap().status().as_u16(), 503);
    t.finish().await;
}

#[tokio::test]
async fn the_campaign_is_served_as_data() {
    let t = TestApp::start(Backend::Sqlite).await;
    let city = t.org_by_code("bureau-jincheng").await;
    let u = t.user("reader", "city_leader", Some(city.id)).await;
    let v: Value = t.get(&u.token, "/api/v1/campaign").await.json().await.unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["plan"]["tasks"].as_array().unwrap().len(), 20);
    assert_eq!(v["plan"]["leaders"].as_array().unwrap().len(), 8);
    assert_eq!(v["plan"]["phases"][1]["name"], "集中攻坚阶段");
    t.finish().await;
}
