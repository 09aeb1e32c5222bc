//! 隐患排查治理 end to end over the API: inspection points, an inspection whose failed item files
//! a hazard, the lifecycle with its two-person and regulator rules, overdue hazards, and the
//! principal's signed monthly list.

use anjian_test_support::*;
use chrono::Duration;
use serde_json::{json, Value};

struct Site {
    org_id: i64,
    principal: TestUser,
    officer: TestUser,
    deputy: TestUser,
    county: TestUser,
    other_county: TestUser,
}

async fn site(t: &TestApp) -> Site {
    let zezhou = t.org_by_code("bureau-zezhou").await;
    let gaoping = t.org_by_code("bureau-gaoping").await;
    let county = t.user("zz.staff", "county_staff", Some(zezhou.id)).await;
    let other_county = t.user("gp.staff", "county_staff", Some(gaoping.id)).await;
    let r = t.http.post(t.url("/api/v1/orgs")).bearer_auth(&county.token)
        .json(&json!({"name": "泽州丹河机械制造有限公司", "kind": "enterprise", "jurisdiction_id": zezhou.jurisdiction_id}))
        .send().await.unwrap();
    let org_id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    Site {
        org_id,
        principal: t.user("principal.dh", "principal", Some(org_id)).await,
        officer: t.user("officer.dh", "safety_officer", Some(org_id)).await,
        deputy: t.user("deputy.dh", "deputy", Some(org_id)).await,
        county,
        other_county,
    }
}

async fn post(t: &TestApp, token: &str, path: &str, body: Value) -> (u16, Value) {
    let r = t.http.post(t.url(path)).bearer_auth(token).json(&body).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn act(t: &TestApp, token: &str, id: i64, body: Value) -> (u16, Value) {
    post(t, token, &format!("/api/v1/hazards/{id}/actions"), body).await
}

fn code(v: &Value) -> String {
    v["error"]["fields"][0]["code"].as_str().or(v["error"]["code"].as_str()).unwrap_or("").to_owned()
}

on_both_databases!(a_failed_item_becomes_a_hazard_closed_only_by_another_person, |backend| async move {
    let t = TestApp::start(backend).await;
    let s = site(&t).await;
    let mut points = Vec::new();
    for (kind, name) in [("unit", "铸造车间"), ("post", "行车司机岗"), ("location", "危化品库")] {
        let (st, v) = post(
            &t,
            &s.principal.token,
            &format!("/api/v1/orgs/{}/points", s.org_id),
            json!({"kind": kind, "name": name}),
        )
        .await;
        assert_eq!(st, 201, "{v}");
        points.push(v["id"].as_i64().unwrap());
    }
    let (st, v) = post(
        &t,
        &s.principal.token,
        &format!("/api/v1/orgs/{}/points", s.org_id),
        json!({"kind": "unit", "name": "铸造车间"}),
    )
    .await;
    assert_eq!((st, code(&v).as_str()), (422, "taken"));

    let deadline = t.clock.now_value() + Duration::days(7);
    let inspection = json!({
        "org_id": s.org_id, "kind": "self_inspection", "summary": "8月全面自查",
        "covered_point_ids": [points[0], points[2]],
        "findings": [
            {"point_id": points[0], "item": "安全通道畅通", "passed": true},
            {"point_id": points[2], "item": "灭火器在有效期内", "passed": false, "note": "2具过期",
             "hazard": {"description": "危化品库灭火器过期", "grade": "general", "measures": "更换灭火器", "funds_fen": 36000, "owner": "李强", "deadline": deadline}}
        ]
    });
    let key = "5a2b3c4d-0000-4000-8000-000000000001";
    let r = t
        .http
        .post(t.url("/api/v1/inspections"))
        .bearer_auth(&s.principal.token)
        .header("idempotency-key", key)
        .json(&inspection)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let ins: Value = r.json().await.unwrap();
    // The phone retries: the same record, not a second one.
    let r = t
        .http
        .post(t.url("/api/v1/inspections"))
        .bearer_auth(&s.principal.token)
        .header("idempotency-key", key)
        .json(&inspection)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["id"], ins["id"]);

    let cov: Value = t
        .get(&s.principal.token, &format!("/api/v1/orgs/{}/self-inspection-coverage", s.org_id))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(cov["total"], 3);
    assert_eq!(cov["left"][0]["name"], "行车司机岗", "the page shows what is left");

    let detail: Value =
        t.get(&s.principal.token, &format!("/api/v1/inspections/{}", ins["id"])).await.json().await.unwrap();
    let hazard_id = detail["findings"][1]["hazard_id"].as_i64().expect("the failed item filed a hazard");
    assert!(detail["findings"][0]["hazard_id"].is_null());

    // The county sees it at once; another county does not.
    let list: Value = t.get(&s.county.token, "/api/v1/hazards").await.json().await.unwrap();
    assert_eq!(list["count"], 1);
    assert_eq!(list["items"][0]["state"], "reported");
    assert_eq!(t.get(&s.other_county.token, &format!("/api/v1/hazards/{hazard_id}")).await.status().as_u16(), 404);
    assert_eq!(t.get(&s.other_county.token, "/api/v1/hazards").await.json::<Value>().await.unwrap()["count"], 0);

    // Out of order is refused and changes nothing.
    let (st, v) = act(&t, &s.officer.token, hazard_id, json!({"action": "verify"})).await;
    assert_eq!((st, code(&v).as_str()), (422, "hazard_out_of_order"));
    assert_eq!(act(&t, &s.principal.token, hazard_id, json!({"action": "start_rectifying"})).await.0, 200);
    assert_eq!(act(&t, &s.principal.token, hazard_id, json!({"action": "submit_rectification"})).await.0, 200);
    // The fixer cannot close their own fix.
    let (st, v) = act(&t, &s.principal.token, hazard_id, json!({"action": "verify"})).await;
    assert_eq!((st, code(&v).as_str()), (422, "hazard_same_person"));
    let (st, v) = act(&t, &s.officer.token, hazard_id, json!({"action": "verify"})).await;
    assert_eq!((st, v["state"].as_str()), (200, Some("closed")));
    let (st, _) = act(&t, &s.officer.token, hazard_id, json!({"action": "verify"})).await;
    assert_eq!(st, 422, "closing twice");

    let h: Value = t.get(&s.county.token, &format!("/api/v1/hazards/{hazard_id}")).await.json().await.unwrap();
    let trail: Vec<(&str, &str)> = h["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["action"].as_str().unwrap(), e["actor"].as_str().unwrap()))
        .collect();
    assert_eq!(
        trail,
        vec![
            ("report", "principal.dh"),
            ("start_rectifying", "principal.dh"),
            ("submit_rectification", "principal.dh"),
            ("verify", "officer.dh")
        ]
    );
    // The hazard's page names who acted by the name they go by, not by their login.
    let cookie = t.sign_in(&s.county).await;
    let (_, _, html) = t.page(&cookie, &format!("/hazards/{hazard_id}")).await;
    assert!(html.contains("测试principal.dh") && html.contains("测试officer.dh"), "names in the history");
    // Every transition is in the audit chain too, and it verifies.
    let audit = anjian_store::audit::page(
        &t.store.db,
        &anjian_store::audit::AuditFilter { action: Some("hazard.".into()), ..Default::default() },
        None,
        50,
    )
    .await
    .unwrap();
    assert_eq!(audit.len(), 4);
    assert!(t.app.verify_audit(None).await.unwrap().is_ok());
    t.finish().await;
});

on_both_databases!(a_major_hazard_needs_its_plan_and_a_regulator, |backend| async move {
    let t = TestApp::start(backend).await;
    let s = site(&t).await;
    let (st, h) = post(
        &t,
        &s.principal.token,
        "/api/v1/hazards",
        json!({
            "org_id": s.org_id, "source": "self_inspection", "description": "行车制动器失效", "grade": "major",
            "measures": "停用并更换制动器", "owner": "王刚", "deadline": t.clock.now_value() + Duration::days(30)
        }),
    )
    .await;
    assert_eq!(st, 201, "{h}");
    let id = h["id"].as_i64().unwrap();
    let (st, v) = act(&t, &s.principal.token, id, json!({"action": "start_rectifying"})).await;
    assert_eq!((st, code(&v).as_str()), (422, "hazard_plan_required"));
    let (st, v) = act(&t, &s.principal.token, id, json!({"action": "fix_on_spot"})).await;
    assert_eq!((st, code(&v).as_str()), (422, "hazard_not_for_grade"));
    let (st, v) = act(&t, &s.principal.token, id, json!({"action": "attach_plan", "plan": {"goals": "消除制动失效", "measures": "", "funds_materials": "", "responsible": "", "time_limit": "", "safety_emergency": ""}})).await;
    assert_eq!(st, 422);
    assert_eq!(v["error"]["fields"].as_array().unwrap().len(), 5, "each missing part is named: {v}");
    let plan = json!({"goals": "消除制动失效", "measures": "更换制动器并试验", "funds_materials": "2万元，备件1套", "responsible": "设备科王刚", "time_limit": "30日内", "safety_emergency": "停用行车，设警戒区", "suspends_work": true});
    assert_eq!(act(&t, &s.principal.token, id, json!({"action": "attach_plan", "plan": plan})).await.0, 200);
    assert_eq!(act(&t, &s.principal.token, id, json!({"action": "start_rectifying"})).await.0, 200);
    assert_eq!(act(&t, &s.deputy.token, id, json!({"action": "submit_rectification"})).await.0, 200);
    let (st, v) = act(&t, &s.officer.token, id, json!({"action": "verify"})).await;
    assert_eq!((st, code(&v).as_str()), (422, "hazard_regulator_required"));
    let (st, v) = act(&t, &s.county.token, id, json!({"action": "reject", "reason": "  "})).await;
    assert_eq!((st, code(&v).as_str()), (422, "hazard_reason_required"));
    let (st, v) = act(&t, &s.county.token, id, json!({"action": "reject", "reason": "试验记录缺失"})).await;
    assert_eq!((st, v["state"].as_str()), (200, Some("rectifying")));
    assert_eq!(act(&t, &s.deputy.token, id, json!({"action": "submit_rectification"})).await.0, 200);
    let (st, v) = act(&t, &s.county.token, id, json!({"action": "verify"})).await;
    assert_eq!((st, v["state"].as_str()), (200, Some("closed")));
    let d: Value = t.get(&s.principal.token, &format!("/api/v1/hazards/{id}")).await.json().await.unwrap();
    assert_eq!(d["governance_plan"]["safety_emergency"], "停用行车，设警戒区");
    assert_eq!(d["governance_plan"]["suspends_work"], true, "the affected work is suspended");
    assert_eq!(d["events"][4]["action"], "reject");
    assert_eq!(d["events"][4]["reason"], "试验记录缺失");
    t.finish().await;
});

on_both_databases!(bad_input_is_refused_and_nothing_is_stored, |backend| async move {
    let t = TestApp::start(backend).await;
    let s = site(&t).await;
    let now = t.clock.now_value();
    let base = json!({"org_id": s.org_id, "description": "配电箱未接地", "grade": "general", "deadline": now + Duration::days(3)});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    for (body, field, want) in [
        (with("grade", json!("catastrophic")), "grade", "invalid_grade"),
        (with("deadline", json!(now - Duration::days(1))), "deadline", "before_discovery"),
        (with("point_id", json!(999_999)), "point_id", "not_found"),
        (with("description", json!("")), "description", "required"),
    ] {
        let (st, v) = post(&t, &s.principal.token, "/api/v1/hazards", body).await;
        assert_eq!(st, 422, "{v}");
        assert_eq!(v["error"]["fields"][0]["field"], field, "{v}");
        assert_eq!(v["error"]["fields"][0]["code"], want, "{v}");
    }
    // Another county's enterprise does not exist for this county.
    let (st, v) = post(&t, &s.other_county.token, "/api/v1/hazards", base.clone()).await;
    assert_eq!((st, v["error"]["fields"][0]["field"].as_str()), (422, Some("org_id")));
    // An enterprise does not spot-check itself.
    let (st, _) =
        post(&t, &s.principal.token, "/api/v1/inspections", json!({"org_id": s.org_id, "kind": "spot_check"})).await;
    assert_eq!(st, 403);
    let (st, v) = post(
        &t,
        &s.principal.token,
        "/api/v1/inspections",
        json!({"org_id": s.org_id, "kind": "self_inspection", "covered_point_ids": [424242]}),
    )
    .await;
    assert_eq!((st, v["error"]["fields"][0]["field"].as_str()), (422, Some("covered_point_ids")));
    let all: Value = t.get(&s.county.token, "/api/v1/hazards").await.json().await.unwrap();
    assert_eq!(all["count"], 0, "nothing was stored");
    assert_eq!(
        t.get(&s.county.token, "/api/v1/inspections").await.json::<Value>().await.unwrap()["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    t.finish().await;
});

on_both_databases!(overdue_hazards_are_flagged, |backend| async move {
    let t = TestApp::start(backend).await;
    let s = site(&t).await;
    let (_, h) = post(&t, &s.principal.token, "/api/v1/hazards", json!({"org_id": s.org_id, "description": "护栏缺失", "grade": "general", "deadline": t.clock.now_value() + Duration::days(2)})).await;
    let overdue = "/api/v1/hazards?overdue=true";
    assert_eq!(t.get(&s.county.token, overdue).await.json::<Value>().await.unwrap()["count"], 0);
    t.clock.advance(Duration::days(3));
    let v: Value = t.get(&s.county.token, overdue).await.json().await.unwrap();
    assert_eq!(v["count"], 1);
    assert_eq!(v["items"][0]["id"], h["id"]);
    assert_eq!(v["items"][0]["overdue"], true);
    t.finish().await;
});

on_both_databases!(the_principal_signs_the_monthly_list_and_any_change_breaks_the_signature, |backend| async move {
    let t = TestApp::start(backend).await;
    let s = site(&t).await;
    let (_, h) = post(&t, &s.principal.token, "/api/v1/hazards", json!({"org_id": s.org_id, "description": "除尘器积尘", "grade": "general", "measures": "清理积尘", "owner": "赵敏", "funds_fen": 50000, "deadline": t.clock.now_value() + Duration::days(10)})).await;
    let path = format!("/api/v1/orgs/{}/ledgers/2022-08", s.org_id);
    let draft: Value = t.get(&s.principal.token, &path).await.json().await.unwrap();
    assert_eq!(draft["items"][0]["description"], "除尘器积尘");
    let (st, v) = post(&t, &s.principal.token, &format!("{path}/sign"), json!({"password": "not-mine"})).await;
    assert_eq!((st, code(&v).as_str()), (422, "wrong_password"));
    let (st, v) = post(&t, &s.deputy.token, &format!("{path}/sign"), json!({"password": s.deputy.password})).await;
    assert_eq!(st, 403, "only the principal signs: {v}");
    let (st, v1) =
        post(&t, &s.principal.token, &format!("{path}/sign"), json!({"password": s.principal.password})).await;
    assert_eq!(st, 201, "{v1}");
    assert_eq!(v1["version"], 1);
    let (st, v) =
        post(&t, &s.principal.token, &format!("{path}/sign"), json!({"password": s.principal.password})).await;
    assert_eq!((st, code(&v).as_str()), (422, "already_signed"));

    // Reported upward: the county has received it; the other county has not.
    let got: Value = t.get(&s.county.token, "/api/v1/ledgers?period=2022-08").await.json().await.unwrap();
    assert_eq!(got.as_array().unwrap().len(), 1);
    assert_eq!(
        t.get(&s.other_county.token, "/api/v1/ledgers").await.json::<Value>().await.unwrap().as_array().unwrap().len(),
        0
    );

    // The county reads the list as it was signed, on its page and in Excel.
    let cookie = t.sign_in(&s.county).await;
    let (st, _, html) = t.page(&cookie, &format!("/ledgers/{}", v1["id"])).await;
    assert_eq!(st, 200);
    assert!(html.contains("除尘器积尘") && html.contains("赵敏") && html.contains("✓"), "{html}");
    let (_, _, list) = t.page(&cookie, "/ledgers?period=2022-08").await;
    assert!(list.contains(&format!("href=\"/ledgers/{}\"", v1["id"])), "the received list links to it");
    let sheet = crate::page_sheet(&t, &cookie, &format!("/ledgers/{}/export.xlsx", v1["id"]), "隐患台账").await;
    assert_eq!(sheet.height(), 2, "a header and the signed item");
    assert_eq!(sheet.get((1, 5)).map(|v| v.to_string()).as_deref(), Some("除尘器积尘"));
    assert_eq!(sheet.get((1, 2)).map(|v| v.to_string()).as_deref(), Some("泽州丹河机械制造有限公司"), "whose list");

    // The records change; the signed list does not — a new signature makes version 2.
    act(&t, &s.principal.token, h["id"].as_i64().unwrap(), json!({"action": "start_rectifying"})).await;
    let (st, v2) =
        post(&t, &s.principal.token, &format!("{path}/sign"), json!({"password": s.principal.password})).await;
    assert_eq!((st, v2["version"].as_i64()), (201, Some(2)));
    let one: Value = t.get(&s.county.token, &format!("/api/v1/ledgers/{}", v1["id"])).await.json().await.unwrap();
    assert_eq!(one["intact"], true);
    assert_eq!(one["items"][0]["state"], "reported", "version 1 keeps what was signed");

    // The database refuses to change a signed list; forced anyway, verification fails.
    let update =
        format!("UPDATE ledgers SET items_json = replace(items_json, '除尘器积尘', '已整改') WHERE id = {}", v1["id"]);
    assert!(t.store.execute_sql(&update).await.unwrap_err().to_string().contains("append-only"));
    let drop = match t.store.engine() {
        anjian_store::console::Engine::Sqlite => "DROP TRIGGER ledgers_no_update",
        _ => "DROP TRIGGER ledgers_append_only ON ledgers",
    };
    t.store.execute_sql(drop).await.unwrap();
    t.store.execute_sql(&update).await.unwrap();
    let one: Value = t.get(&s.county.token, &format!("/api/v1/ledgers/{}", v1["id"])).await.json().await.unwrap();
    assert_eq!(one["intact"], false, "a changed field breaks the signature");
    let (st, loc, html) = t.page(&cookie, &format!("/ledgers/{}", v1["id"])).await;
    assert!(
        html.contains("badge-overdue") && html.contains("已整改"),
        "the page says the signature no longer holds: {st} {loc:?} {html}"
    );
    t.finish().await;
});

on_both_databases!(the_same_flow_through_the_pages, |backend| async move {
    let t = TestApp::start(backend).await;
    let s = site(&t).await;
    let (_, p) = post(
        &t,
        &s.principal.token,
        &format!("/api/v1/orgs/{}/points", s.org_id),
        json!({"kind": "location", "name": "配电室"}),
    )
    .await;
    let point = p["id"].as_i64().unwrap().to_string();
    let c = t.login_form("principal.dh", &s.principal.password).await.unwrap();
    let (status, _, html) = t.page(&c, "/inspections/new").await;
    assert_eq!(status, 200);
    assert!(html.contains("配电室") && html.contains("全面自查"));
    let csrf = hidden(&html, "_csrf").unwrap();
    let key = hidden(&html, "idempotency_key").unwrap();
    let org = s.org_id.to_string();
    let form = vec![
        ("_csrf", csrf.as_str()),
        ("idempotency_key", key.as_str()),
        ("org_id", org.as_str()),
        ("kind", "self_inspection"),
        ("summary", "月度自查"),
        ("covered", point.as_str()),
        ("item0", "配电柜接地"),
        ("point0", point.as_str()),
        ("result0", "fail"),
        ("note0", "接地线松脱"),
        ("grade0", "general"),
        ("measures0", "紧固接地线"),
        ("owner0", "电工刘"),
        ("deadline0", "2022-08-20"),
        ("item1", "绝缘垫完好"),
        ("result1", "pass"),
    ];
    let (status, loc, _) = t.post_form(&c, "/inspections", &form).await;
    assert_eq!((status, loc.as_deref()), (303, Some("/inspections?saved=1")));
    // Pressing submit again (a flaky connection) makes no second inspection.
    assert_eq!(t.post_form(&c, "/inspections", &form).await.0, 303);
    let list: Value = t.get(&s.county.token, "/api/v1/inspections").await.json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);

    let (_, _, html) = t.page(&c, "/hazards").await;
    assert!(html.contains("配电柜接地：接地线松脱"), "{html}");
    let hazards: Value = t.get(&s.principal.token, "/api/v1/hazards").await.json().await.unwrap();
    let id = hazards["items"][0]["id"].as_i64().unwrap();
    assert_eq!(hazards["items"][0]["deadline"], "2022-08-20T15:59:59Z", "end of the day in Shanghai");
    let (_, _, html) = t.page(&c, &format!("/hazards/{id}")).await;
    assert!(html.contains("id=\"action-start_rectifying\""));
    assert!(!html.contains("action-fix_on_spot"), "fixing on the spot waits for a photo of the result");
    assert!(!html.contains("action-verify"), "nothing to verify yet");
    assert_eq!(upload_photo(&t, &s.principal.token, id, "after").await, 201);
    let (_, _, html) = t.page(&c, &format!("/hazards/{id}")).await;
    assert!(html.contains("id=\"action-fix_on_spot\"") && html.contains("<img src=\"/attachments/"));
    assert_eq!(
        t.post_form(&c, &format!("/hazards/{id}/actions"), &[("_csrf", &csrf), ("action", "fix_on_spot")]).await.0,
        303
    );
    let (_, _, html) = t.page(&c, &format!("/hazards/{id}")).await;
    assert!(!html.contains("action-verify"), "the fixer is not offered verification");
    assert_eq!(by_id(&html, "hazard-state").unwrap().trim(), "待验收");

    let oc = t.login_form("officer.dh", &s.officer.password).await.unwrap();
    let (_, _, html) = t.page(&oc, &format!("/hazards/{id}")).await;
    let ocsrf = hidden(&html, "_csrf").unwrap();
    assert!(html.contains("action-verify"));
    assert_eq!(
        t.post_form(&oc, &format!("/hazards/{id}/actions"), &[("_csrf", &ocsrf), ("action", "verify")]).await.0,
        303
    );
    let (_, _, html) = t.page(&oc, &format!("/hazards/{id}")).await;
    assert_eq!(by_id(&html, "hazard-state").unwrap().trim(), "已销号");

    // The principal signs August's list on the ledger page.
    let (_, _, html) = t.page(&c, "/ledgers?period=2022-08").await;
    assert!(html.contains("配电柜接地") && html.contains("主要负责人签字确认并上报"));
    let (status, _, html) =
        t.post_form(&c, "/ledgers/sign", &[("_csrf", &csrf), ("period", "2022-08"), ("password", "wrong")]).await;
    assert_eq!(status, 422);
    assert!(html.contains("当前密码错误"));
    let (status, loc, _) = t
        .post_form(&c, "/ledgers/sign", &[("_csrf", &csrf), ("period", "2022-08"), ("password", &s.principal.password)])
        .await;
    assert_eq!((status, loc.as_deref()), (303, Some("/ledgers?period=2022-08&signed=1")));
    // The county bureau sees it received, with a valid signature.
    let county_cookie = {
        let u = t.user("zz.leader", "county_staff", Some(t.org_by_code("bureau-zezhou").await.id)).await;
        t.sign_in(&u).await
    };
    let (status, _, html) = t.page(&county_cookie, "/ledgers?period=2022-08").await;
    assert_eq!(status, 200);
    assert!(html.contains("泽州丹河机械制造有限公司") && html.contains("签名有效"), "{html}");
    assert!(!html.contains("主要负责人签字确认并上报"), "a bureau does not sign");
    // The received list in Excel, the page's period and rows.
    assert!(html.contains("/ledgers/export.xlsx?period=2022-08"), "the page offers its sheet");
    let sheet = crate::page_sheet(&t, &county_cookie, "/ledgers/export.xlsx?period=2022-08", "签署清单").await;
    assert_eq!(sheet.height(), 2, "a header and the one signed ledger");
    let row: Vec<String> = (0..7).map(|c| sheet.get((1, c)).map(|v| v.to_string()).unwrap_or_default()).collect();
    assert_eq!((row[0].as_str(), row[1].as_str(), row[6].as_str()), ("泽州丹河机械制造有限公司", "2022-08", "完好"));
    let bad =
        t.http.get(t.url("/ledgers/export.xlsx?period=August")).header("cookie", &county_cookie).send().await.unwrap();
    assert_eq!(bad.status(), 422);
    t.finish().await;
});

mod excel {
    use super::*;
    use anjian_reports::ledger_sheet::{self, Cell, LedgerRow};

    fn sheet_row(desc: &str, grade: &str, found: &str, deadline: Option<&str>) -> LedgerRow {
        let t = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        LedgerRow {
            description: desc.into(),
            location: String::new(),
            grade: grade.into(),
            source: "企业自查".into(),
            discovered_at: t(found),
            measures: "限期整改".into(),
            funds_yuan: 1200.0,
            owner: "周工".into(),
            deadline: deadline.map(t),
            state: String::new(),
            verified_by: String::new(),
            number: String::new(),
            closed_at: None,
            ..Default::default()
        }
    }

    async fn import(t: &TestApp, token: &str, org: i64, bytes: Vec<u8>, apply: bool) -> (u16, Value) {
        let r = t
            .http
            .post(t.url(&format!("/api/v1/orgs/{org}/hazards/import?apply={apply}")))
            .bearer_auth(token)
            .body(bytes)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap())
    }

    on_both_databases!(a_sheet_is_checked_whole_imported_once_and_exported_in_scope, |backend| async move {
        let t = TestApp::start(backend).await;
        let s = site(&t).await;
        let good = ledger_sheet::write(
            &anjian_reports::sheet_head::SheetHead::titled("导入"),
            &[
                sheet_row("储罐区静电接地断开", "一般隐患", "2022-08-10 09:00", Some("2022-08-25 00:00")),
                sheet_row("=HYPERLINK(\"http://evil\")", "重大隐患", "2022-08-11 14:30", None),
            ],
        )
        .unwrap();
        let (st, v) = import(&t, &s.principal.token, s.org_id, good.clone(), false).await;
        assert_eq!((st, v["new"].as_u64(), v["applied"].as_bool()), (200, Some(2), Some(false)), "{v}");
        assert_eq!(
            t.get(&s.county.token, "/api/v1/hazards").await.json::<Value>().await.unwrap()["count"],
            0,
            "a preview stores nothing"
        );
        let (st, v) = import(&t, &s.principal.token, s.org_id, good.clone(), true).await;
        assert_eq!((st, v["applied"].as_bool()), (200, Some(true)), "{v}");
        let (st, v) = import(&t, &s.principal.token, s.org_id, good, true).await;
        assert_eq!(
            (st, v["new"].as_u64(), v["existing"].as_u64()),
            (200, Some(0), Some(2)),
            "the same sheet again creates nothing"
        );
        assert_eq!(t.get(&s.county.token, "/api/v1/hazards").await.json::<Value>().await.unwrap()["count"], 2);

        // One bad row: all refused, explained by row and column in Chinese.
        let bad = ledger_sheet::write(
            &anjian_reports::sheet_head::SheetHead::titled("导入"),
            &[
                sheet_row("新隐患一", "一般隐患", "2022-08-12 08:00", None),
                sheet_row("新隐患二", "很大", "2022-08-12 08:00", Some("2022-08-01 00:00")),
            ],
        )
        .unwrap();
        let (st, v) = import(&t, &s.principal.token, s.org_id, bad.clone(), false).await;
        assert_eq!(st, 200);
        let messages: Vec<&str> =
            v["errors"].as_array().unwrap().iter().map(|e| e["message"].as_str().unwrap()).collect();
        assert_eq!(
            messages,
            vec!["第 5 行「等级」：无效的隐患等级。", "第 5 行「完成时限」：完成时限不能早于发现时间。"],
            "{v}"
        );
        let (st, v) = import(&t, &s.principal.token, s.org_id, bad, true).await;
        assert_eq!(st, 422, "{v}");
        assert_eq!(v["error"]["fields"][0]["field"], "rows[5].等级");
        assert_eq!(
            t.get(&s.county.token, "/api/v1/hazards").await.json::<Value>().await.unwrap()["count"],
            2,
            "nothing stored"
        );
        let (st, v) = import(&t, &s.principal.token, s.org_id, b"PK\x03\x04 not really".to_vec(), true).await;
        assert_eq!((st, v["error"]["fields"][0]["code"].as_str()), (422, Some("not_xlsx")));
        // Another county cannot import into this enterprise.
        let (st, _) = import(
            &t,
            &s.other_county.token,
            s.org_id,
            ledger_sheet::write(&anjian_reports::sheet_head::SheetHead::titled("x"), &[]).unwrap(),
            true,
        )
        .await;
        assert_eq!(st, 422);

        // The export: the bureau's columns, dates as dates, formulas defused, scope kept.
        let r = t.get(&s.county.token, "/api/v1/hazards/export.xlsx").await;
        assert_eq!(r.headers()["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        let rows = ledger_sheet::read(&r.bytes().await.unwrap()).unwrap();
        assert_eq!(rows.len(), 2);
        let cell = |i: usize, k: &str| rows[i].1.iter().find(|(h, _)| h == k).unwrap().1.clone();
        let descriptions: Vec<Cell> = (0..2).map(|i| cell(i, "隐患描述")).collect();
        assert!(descriptions.contains(&Cell::Text("'=HYPERLINK(\"http://evil\")".into())), "{descriptions:?}");
        assert!(matches!(cell(0, "发现时间"), Cell::DateTime(_)));
        assert!((0..2).any(|i| cell(i, "等级") == Cell::Text("重大隐患".into())));
        assert!((0..2).all(|i| cell(i, "状态") == Cell::Text("已上报".into())));
        let r = t.get(&s.other_county.token, "/api/v1/hazards/export.xlsx").await;
        assert_eq!(ledger_sheet::read(&r.bytes().await.unwrap()).unwrap().len(), 0, "no rows outside the scope");
        // The page's export link carries the page's filters.
        let only_major = t.get(&s.county.token, "/api/v1/hazards/export.xlsx?grade=major").await;
        assert_eq!(ledger_sheet::read(&only_major.bytes().await.unwrap()).unwrap().len(), 1);
        // Exported and brought back: every row carries its number (编号), so nothing is new.
        let exported = t.get(&s.principal.token, &format!("/api/v1/hazards/export.xlsx?org_id={}", s.org_id)).await;
        let bytes = exported.bytes().await.unwrap().to_vec();
        let numbers: Vec<Cell> = ledger_sheet::read(&bytes)
            .unwrap()
            .iter()
            .map(|r| r.1.iter().find(|(h, _)| h == "编号").unwrap().1.clone())
            .collect();
        assert!(numbers.iter().all(|n| matches!(n, Cell::Text(t) if !t.is_empty())), "{numbers:?}");
        let (st, v) = import(&t, &s.principal.token, s.org_id, bytes.clone(), true).await;
        assert_eq!(st, 200, "{v}");
        assert_eq!((v["new"].as_u64(), v["existing"].as_u64()), (Some(0), Some(2)), "{v}");
        // A number this enterprise does not have is named, not taken as new.
        let mut row = sheet_row("编号不存在的隐患", "一般隐患", "2022-08-10 09:00", None);
        row.number = "no-such-number".into();
        let (st, v) = import(
            &t,
            &s.principal.token,
            s.org_id,
            ledger_sheet::write(&anjian_reports::sheet_head::SheetHead::titled("x"), &[row]).unwrap(),
            true,
        )
        .await;
        assert_eq!(
            (st, v["error"]["fields"][0]["field"].as_str(), v["error"]["fields"][0]["code"].as_str()),
            (422, Some("rows[4].编号"), Some("unknown_hazard_number")),
            "{v}"
        );
        t.finish().await;
    });
}

on_both_databases!(photos_are_cleaned_kept_in_scope_and_needed_to_fix_on_the_spot, |backend| async move {
    let t = TestApp::start(backend).await;
    let s = site(&t).await;
    let (_, h) = post(
        &t,
        &s.principal.token,
        "/api/v1/hazards",
        json!({"org_id": s.org_id, "description": "消防通道堵塞", "grade": "general"}),
    )
    .await;
    let id = h["id"].as_i64().unwrap();
    let (st, v) = act(&t, &s.principal.token, id, json!({"action": "fix_on_spot"})).await;
    assert_eq!((st, code(&v).as_str()), (422, "hazard_photo_required"));
    let upload = |role: &'static str, body: Vec<u8>| {
        let (http, url, token) =
            (t.http.clone(), t.url(&format!("/api/v1/hazards/{id}/photos?role={role}")), s.principal.token.clone());
        async move {
            let r = http.post(url).bearer_auth(token).body(body).send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    let (st, before) = upload("before", jpeg_with_exif("CANARY-CAM")).await;
    assert_eq!(st, 201, "{before}");
    let (st, v) = upload("after", b"%PDF-1.4 this is no photo".to_vec()).await;
    assert_eq!((st, code(&v).as_str()), (422, "not_image"));
    let (st, v) = upload("sideways", jpeg_with_exif("Y")).await;
    assert_eq!((st, code(&v).as_str()), (422, "invalid_role"));
    let (st, _) = upload("after", jpeg_with_exif("CANARY-CAM")).await;
    assert_eq!(st, 201);
    // What was stored carries no camera metadata, on disk or over the wire.
    for (path, bytes) in files_under(t.db.blob_dir.path()) {
        assert!(!bytes.windows(10).any(|w| w == b"CANARY-CAM"), "metadata left in {}", path.display());
        assert!(!bytes.windows(8).any(|w| w == b"35.4908N"), "a position left in {}", path.display());
    }
    let r = t.get(&s.county.token, &format!("/api/v1/attachments/{}", before["id"])).await;
    assert_eq!(r.headers()["content-type"], "image/jpeg");
    let img = r.bytes().await.unwrap();
    assert!(!img.windows(10).any(|w| w == b"CANARY-CAM"));
    assert_eq!(image_size(&img), (48, 32));
    assert_eq!(
        t.get(&s.other_county.token, &format!("/api/v1/attachments/{}", before["id"])).await.status().as_u16(),
        404
    );
    // With a photo of the result, the fix on the spot goes to verification.
    let (st, v) = act(&t, &s.principal.token, id, json!({"action": "fix_on_spot"})).await;
    assert_eq!((st, v["state"].as_str()), (200, Some("awaiting_verification")));
    let d: Value = t.get(&s.principal.token, &format!("/api/v1/hazards/{id}")).await.json().await.unwrap();
    assert_eq!(d["photos"].as_array().unwrap().len(), 2);
    t.finish().await;
});

/// A photo (a JPEG carrying EXIF) uploaded to a hazard in a role; the answer's status.
async fn upload_photo(t: &TestApp, token: &str, id: i64, role: &str) -> u16 {
    let url = t.url(&format!("/api/v1/hazards/{id}/photos?role={role}"));
    t.http.post(url).bearer_auth(token).body(jpeg_with_exif("X")).send().await.unwrap().status().as_u16()
}

fn image_size(jpeg: &[u8]) -> (u32, u32) {
    let img = image::load_from_memory(jpeg).expect("a readable image");
    (img.width(), img.height())
}

on_both_databases!(bureaus_mark_closed_major_hazards_as_typical_cases, |backend| async move {
    let t = TestApp::start(backend).await;
    let s = site(&t).await;
    let (_, h) = post(
        &t,
        &s.principal.token,
        "/api/v1/hazards",
        json!({"org_id": s.org_id, "description": "煤气管道泄漏", "grade": "major", "deadline": t.clock.now_value() + Duration::days(20)}),
    )
    .await;
    let id = h["id"].as_i64().unwrap();
    let case = json!({"title": "煤气管道泄漏治理", "narrative": "企业制定治理方案，停产检修，县局验收销号。"});
    let (st, v) = post(&t, &s.county.token, &format!("/api/v1/hazards/{id}/typical-case"), case.clone()).await;
    assert_eq!((st, code(&v).as_str()), (422, "typical_case_needs_closed_major"));
    let plan = json!({"goals": "a", "measures": "b", "funds_materials": "c", "responsible": "d", "time_limit": "e", "safety_emergency": "f"});
    act(&t, &s.principal.token, id, json!({"action": "attach_plan", "plan": plan})).await;
    act(&t, &s.principal.token, id, json!({"action": "start_rectifying"})).await;
    // Photos from before and after the rectification, which the compilation shows.
    for role in ["before", "after"] {
        assert_eq!(upload_photo(&t, &s.principal.token, id, role).await, 201);
    }
    act(&t, &s.principal.token, id, json!({"action": "submit_rectification"})).await;
    assert_eq!(act(&t, &s.county.token, id, json!({"action": "verify"})).await.0, 200);
    let (st, _) = post(&t, &s.principal.token, &format!("/api/v1/hazards/{id}/typical-case"), case.clone()).await;
    assert_eq!(st, 403, "an enterprise does not mark its own case");
    let (st, v) = post(&t, &s.county.token, &format!("/api/v1/hazards/{id}/typical-case"), case.clone()).await;
    assert_eq!(st, 201, "{v}");
    let (st, v) = post(&t, &s.county.token, &format!("/api/v1/hazards/{id}/typical-case"), case).await;
    assert_eq!((st, code(&v).as_str()), (422, "already_typical_case"));
    let month: Value = t.get(&s.county.token, "/api/v1/typical-cases?period=2022-08").await.json().await.unwrap();
    assert_eq!(month.as_array().unwrap().len(), 1);
    assert_eq!(
        t.get(&s.other_county.token, "/api/v1/typical-cases?period=2022-08")
            .await
            .json::<Value>()
            .await
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        0
    );
    // The month's compilation opens as a Word document with the case in it; the page lists it.
    let cookie = t.sign_in(&s.county).await;
    let r = t
        .http
        .get(t.url("/typical-cases/compilation.docx?month=2022-08"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(r.bytes().await.unwrap().to_vec())).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut z.by_name("word/document.xml").unwrap(), &mut xml).unwrap();
    assert!(
        xml.contains("2022年8月典型案例汇编") && xml.contains("一、煤气管道泄漏治理") && xml.contains("停产检修"),
        "{xml}"
    );
    // Each case with its enterprise, county, grade and dates, its governance plan and photos;
    // the bureau's 落款 and the page numbers.
    for text in [
        "泽州丹河机械制造有限公司（泽州县）",
        "隐患等级：重大隐患",
        "发现时间：2022年8月",
        "销号时间：2022年8月",
        "治理情况：b",
        "整改前",
        "整改后",
    ] {
        assert!(xml.contains(text), "{text} missing");
    }
    let pictures = (0..z.len()).filter(|i| z.by_index(*i).unwrap().name().unwrap().starts_with("word/media/")).count();
    assert_eq!(pictures, 2, "the before and after photos");
    let signed = xml.rfind("泽州县工业和信息化局").expect("the 落款");
    assert!(xml[signed..].contains("年"), "dated");
    let mut footer = String::new();
    std::io::Read::read_to_string(&mut z.by_name("word/footer1.xml").unwrap(), &mut footer).unwrap();
    assert!(footer.contains(">PAGE<") && footer.contains("NUMPAGES"));
    // A month without cases has nothing to compile, and says so.
    let (st, _, html) = t.page(&cookie, "/typical-cases/compilation.docx?month=2022-07").await;
    assert_eq!(st, 422);
    assert!(html.contains("该月没有典型案例"), "{html}");
    let (st, _, html) = t.page(&cookie, "/typical-cases?month=2022-08").await;
    assert_eq!(st, 200);
    assert!(html.contains("煤气管道泄漏治理"));
    t.finish().await;
});

#[tokio::test]
async fn a_group_sees_one_ledger_per_subsidiary() {
    let t = TestApp::start(Backend::Sqlite).await;
    t.demo(30).await;
    let all = anjian_store::orgs::list(
        &t.store.db,
        &anjian_test_support::anjian_domain::scope::Scope::All,
        &Default::default(),
        None,
        10_000,
    )
    .await
    .unwrap();
    let group = all.iter().find(|o| o.kind == "group_company").unwrap();
    let subs: Vec<_> = all.iter().filter(|o| o.parent_id == Some(group.id)).collect();
    let g = t.user("group.safety", "group_safety", Some(group.id)).await;
    let (st, h) = post(
        &t,
        &g.token,
        "/api/v1/hazards",
        json!({"org_id": subs[0].id, "description": "子公司配电房漏水", "grade": "general"}),
    )
    .await;
    assert_eq!(st, 201, "{h}");
    let c = t.login_form("group.safety", &g.password).await.unwrap();
    let (_, _, html) = t.page(&c, "/ledgers?period=2022-08").await;
    for s in &subs {
        assert!(html.contains(&s.name), "subsidiary {} listed", s.name);
    }
    let (_, _, html) = t.page(&c, &format!("/ledgers?period=2022-08&org_id={}", subs[0].id)).await;
    assert!(html.contains("子公司配电房漏水"));
    let (_, _, other) = t.page(&c, &format!("/ledgers?period=2022-08&org_id={}", subs[1].id)).await;
    assert!(!other.contains("子公司配电房漏水"), "each subsidiary has its own ledger");
    t.finish().await;
}

#[tokio::test]
async fn the_lists_filter_by_county_industry_and_month() {
    let t = TestApp::start(Backend::Sqlite).await;
    t.demo(30).await;
    let all = anjian_store::orgs::list(
        &t.store.db,
        &anjian_test_support::anjian_domain::scope::Scope::All,
        &Default::default(),
        None,
        10_000,
    )
    .await
    .unwrap();
    let explosives = all.iter().find(|o| o.kind == "explosives_enterprise").unwrap();
    let other = all.iter().find(|o| o.kind == "enterprise" && o.jurisdiction_id != explosives.jurisdiction_id).unwrap();
    let city = t.user("city.viewer", "city_staff", Some(t.org_by_code("bureau-jincheng").await.id)).await;
    let count = |q: String| {
        let (t, token) = (&t, city.token.clone());
        async move {
            t.get(&token, &format!("/api/v1/hazards?{q}")).await.json::<Value>().await.unwrap()["count"]
                .as_u64()
                .unwrap()
        }
    };
    // The demo city has a year of hazards already; what the filters add is counted on top.
    let queries = [
        String::new(),
        format!("jurisdiction_id={}", explosives.jurisdiction_id),
        "industry=explosives".into(),
        "jurisdiction_id=999999".into(),
        "since=2022-08-01T00:00:00%2B08:00&until=2022-09-01T00:00:00%2B08:00".into(),
    ];
    let mut before = Vec::new();
    for q in &queries {
        before.push(count(q.clone()).await);
    }
    assert!(before[0] > 30, "the demo's enterprises have a year of hazards: {}", before[0]);
    for (org, desc) in [(explosives.id, "库房温湿度计失灵"), (other.id, "车间照明不足")] {
        assert_eq!(
            post(
                &t,
                &city.token,
                "/api/v1/hazards",
                json!({"org_id": org, "description": desc, "grade": "general", "source": "spot_check"})
            )
            .await
            .0,
            201
        );
    }
    t.clock.advance(Duration::days(31));
    post(
        &t,
        &city.token,
        "/api/v1/hazards",
        json!({"org_id": other.id, "description": "九月的隐患", "grade": "general"}),
    )
    .await;
    let added = |i: usize| {
        let q = queries[i].clone();
        let count = &count;
        let before = before[i];
        async move { count(q).await - before }
    };
    assert_eq!(added(0).await, 3);
    assert_eq!(added(1).await, 1);
    assert_eq!(added(2).await, 1);
    assert_eq!(count(queries[3].clone()).await, 0, "an unknown county matches nothing, not everything");
    assert_eq!(added(4).await, 2);
    let c = t.login_form("city.viewer", &city.password).await;
    // City staff need a second factor: sign in through it for the page.
    let c = c.unwrap();
    let (_, _, h) = t.page(&c, "/login/second-factor").await;
    let csrf = hidden(&h, "_csrf").unwrap();
    t.post_form(
        &c,
        "/login/second-factor",
        &[("_csrf", &csrf), ("code", &t.totp(city.totp_secret.as_deref().unwrap(), 0))],
    )
    .await;
    let (_, _, html) = t.page(&c, "/hazards?period=2022-09").await;
    assert!(html.contains("九月的隐患") && !html.contains("车间照明不足"), "the month filter on the page");
    let (_, _, html) = t.page(&c, "/hazards?industry=explosives").await;
    assert!(html.contains("库房温湿度计失灵") && !html.contains("车间照明不足"));
    t.finish().await;
}

fn points_sheet(rows: &[(&str, &str)]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "类型").unwrap();
    ws.write_string(0, 1, "名称").unwrap();
    for (i, (k, n)) in rows.iter().enumerate() {
        ws.write_string(i as u32 + 1, 0, *k).unwrap();
        ws.write_string(i as u32 + 1, 1, *n).unwrap();
    }
    wb.save_to_buffer().unwrap()
}

on_both_databases!(points_come_from_excel_and_print_as_qr_codes, |backend| async move {
    let t = TestApp::start(backend).await;
    let s = site(&t).await;
    let url = t.url(&format!("/api/v1/orgs/{}/points/import?apply=true", s.org_id));
    // An import applied: its status and answer.
    let import = |sheet: Vec<u8>| {
        let r = t.http.post(&url).bearer_auth(&s.principal.token).body(sheet).send();
        async move {
            let r = r.await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    let bad = points_sheet(&[("单元", "炼钢车间"), ("岗位", "天车工"), ("部位", "危化品库"), ("车间", "错误的类型")]);
    let (st, v) = import(bad).await;
    assert_eq!(st, 422);
    assert_eq!(v["error"]["fields"][0]["field"], "rows[5].类型");
    let good = points_sheet(&[("单元", "炼钢车间"), ("岗位", "天车工"), ("部位", "危化品库")]);
    let (_, v) = import(good.clone()).await;
    assert_eq!((v["new"].as_u64(), v["applied"].as_bool()), (Some(3), Some(true)), "{v}");
    let (_, v) = import(good).await;
    assert_eq!((v["new"].as_u64(), v["existing"].as_u64()), (Some(0), Some(3)));
    let points: Value =
        t.get(&s.principal.token, &format!("/api/v1/orgs/{}/points", s.org_id)).await.json().await.unwrap();
    assert_eq!(points.as_array().unwrap().len(), 3);
    let store_id = points.as_array().unwrap().iter().find(|p| p["name"] == "危化品库").unwrap()["id"].as_i64().unwrap();

    let c = t.login_form("principal.dh", &s.principal.password).await.unwrap();
    let (status, _, html) = t.page(&c, &format!("/points?org_id={}", s.org_id)).await;
    assert_eq!(status, 200);
    assert_eq!(html.matches("<svg").count(), 3, "a QR code per point");
    assert!(html.contains("危化品库") && !html.contains("<?xml"));
    // Exported in the import's own columns: imported again, nothing is new.
    let sheet = t
        .http
        .get(t.url(&format!("/points/export.xlsx?org_id={}", s.org_id)))
        .header("cookie", &c)
        .send()
        .await
        .unwrap();
    assert_eq!(sheet.status(), 200);
    let (_, v) = import(sheet.bytes().await.unwrap().to_vec()).await;
    assert_eq!((v["new"].as_u64(), v["existing"].as_u64()), (Some(0), Some(3)), "{v}");
    // Scanning a code opens the inspection form with that point ticked.
    let (_, _, html) = t.page(&c, &format!("/inspections/new?org_id={}&point={store_id}", s.org_id)).await;
    assert!(html.contains(&format!("value=\"{store_id}\" checked")), "the scanned point is ticked");
    t.finish().await;
});

on_both_databases!(checklists_are_versioned_and_inspections_keep_theirs, |backend| async move {
    let t = TestApp::start(backend).await;
    let s = site(&t).await;
    let zezhou = t.org_by_code("bureau-zezhou").await;
    let items = json!([
        {"item": "特种设备定期检验", "requirement": "检验合格证在有效期内", "reference": "《特种设备安全法》第四十条", "score": 10},
        {"item": "安全通道", "requirement": "畅通无堵塞"}
    ]);
    let (st, county_list) = post(
        &t,
        &s.county.token,
        "/api/v1/checklists",
        json!({"org_id": zezhou.id, "name": "县局通用检查表", "items": items}),
    )
    .await;
    assert_eq!(st, 201, "{county_list}");
    // Enterprises see the bureau's checklist but cannot revise it.
    let lists: Value = t.get(&s.principal.token, "/api/v1/checklists").await.json().await.unwrap();
    assert!(lists.as_array().unwrap().iter().any(|c| c["name"] == "县局通用检查表"));
    let (st, _) = post(
        &t,
        &s.principal.token,
        &format!("/api/v1/checklists/{}/versions", county_list["checklist_id"]),
        json!({"items": [{"item": "x"}]}),
    )
    .await;
    assert_eq!(st, 404);

    // The enterprise keeps its own, from Excel; a revision is version 2 and version 1 stays.
    let sheet = anjian_reports::ledger_sheet::write_checklist(
        "车间检查表",
        &[
            ("配电柜".into(), "接地可靠".into(), "GB 50054".into(), Some(5.0)),
            ("=危险".into(), String::new(), String::new(), None),
        ],
    )
    .unwrap();
    let r = t
        .http
        .post(t.url(&format!("/api/v1/orgs/{}/checklists/import?name=车间检查表", s.org_id)))
        .bearer_auth(&s.principal.token)
        .body(sheet)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let v1: Value = r.json().await.unwrap();
    let id = v1["checklist_id"].as_i64().unwrap();
    assert_eq!(v1["items"][1]["item"], "'=危险", "the sheet's defused formula comes back as text");
    let sheet2 = anjian_reports::ledger_sheet::write_checklist(
        "车间检查表",
        &[("配电柜".into(), "接地可靠，每月测试".into(), "GB 50054".into(), Some(5.0))],
    )
    .unwrap();
    let r = t
        .http
        .post(t.url(&format!("/api/v1/orgs/{}/checklists/import?checklist_id={id}", s.org_id)))
        .bearer_auth(&s.principal.token)
        .body(sheet2)
        .send()
        .await
        .unwrap();
    let v2: Value = r.json().await.unwrap();
    assert_eq!(v2["version"], 2, "{v2}");
    let old: Value =
        t.get(&s.principal.token, &format!("/api/v1/checklists/{id}?version=1")).await.json().await.unwrap();
    assert_eq!(old["items"].as_array().unwrap().len(), 2, "version 1 unchanged");
    let x = t.get(&s.principal.token, &format!("/api/v1/checklists/{id}/export.xlsx?version=2")).await;
    let rows = anjian_reports::ledger_sheet::read(&x.bytes().await.unwrap()).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].1[1].1, anjian_reports::ledger_sheet::Cell::Text("接地可靠，每月测试".into()));

    // An inspection keeps the version it followed, even after a later revision.
    let (st, ins) = post(&t, &s.principal.token, "/api/v1/inspections", json!({"org_id": s.org_id, "kind": "site_check", "checklist_version_id": v1["version_id"], "findings": [{"item": "配电柜", "passed": true}]})).await;
    assert_eq!(st, 201, "{ins}");
    assert_eq!(ins["checklist_version_id"], v1["version_id"]);
    let (st, v) = post(
        &t,
        &s.principal.token,
        "/api/v1/inspections",
        json!({"org_id": s.org_id, "kind": "site_check", "checklist_version_id": 999999}),
    )
    .await;
    assert_eq!((st, v["error"]["fields"][0]["field"].as_str()), (422, Some("checklist_version_id")));
    // On a phone the chosen checklist fills the form's rows.
    let c = t.login_form("principal.dh", &s.principal.password).await.unwrap();
    let (_, _, html) = t.page(&c, &format!("/inspections/new?org_id={}&checklist_id={id}", s.org_id)).await;
    assert!(
        html.contains("value=\"配电柜\"")
            && html.contains(&format!("name=\"checklist_version_id\" value=\"{}\"", v2["version_id"]))
    );
    // The index of checklists in Excel: the principal's own, with its two versions.
    let r = t.http.get(t.url("/checklists/export.xlsx")).header("cookie", &c).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let index = anjian_reports::ledger_sheet::read(&r.bytes().await.unwrap()).unwrap();
    let own = index
        .iter()
        .find(|(_, cells)| cells[0].1 == anjian_reports::ledger_sheet::Cell::Text("车间检查表".into()))
        .expect("the enterprise's checklist");
    assert_eq!(own.1[2].1, anjian_reports::ledger_sheet::Cell::Number(2.0));
    assert_eq!(own.1[3].1, anjian_reports::ledger_sheet::Cell::Text("v2".into()));
    t.finish().await;
});

// The cockpit reads hazards found and closed per month from counts kept as hazards are filed and
// closed. Filed one at a time and in bulk, closed at random later instants — a quarter of them
// within an hour of a local month's edge, where a UTC month and a Beijing month differ — the
// counts agree with a count of the hazards themselves, for the city and for each county.
on_both_databases!(monthly_counts_agree_with_the_hazards_they_count, |backend| async move {
    use anjian_store::hazards::{self, HazardFilter, NewHazard, StateChange};
    use anjian_test_support::anjian_domain::period::{Period, PeriodKind};
    use anjian_test_support::anjian_domain::scope::Scope;
    use chrono::{TimeZone, Utc};
    use rand::{Rng, SeedableRng};
    let t = TestApp::start(backend).await;
    t.demo(12).await;
    let db = &t.store.db;
    let orgs = anjian_store::orgs::list(
        db,
        &Scope::All,
        &anjian_store::orgs::OrgFilter { kind: Some("enterprise".into()), ..Default::default() },
        None,
        100,
    )
    .await
    .unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(20221);
    let months: Vec<Period> = (6..=12)
        .map(|m| Period::containing(PeriodKind::Month, Utc.with_ymd_and_hms(2022, m, 15, 0, 0, 0).unwrap()))
        .collect();
    let instant = |rng: &mut rand::rngs::StdRng| {
        let m = &months[rng.gen_range(0..months.len() - 1)];
        if rng.gen_bool(0.25) && m.start > months[0].start {
            // Within an hour either side of the month's local start.
            m.start + Duration::seconds(rng.gen_range(-3600..3600))
        } else {
            m.start + Duration::seconds(rng.gen_range(0..(m.end - m.start).num_seconds()))
        }
    };
    let new_hazard = |rng: &mut rand::rngs::StdRng, at| NewHazard {
        uid: uuid::Uuid::new_v4().to_string(),
        org: orgs[rng.gen_range(0..orgs.len())].clone(),
        point_id: None,
        inspection_id: None,
        source: "report".into(),
        description: "计数核对".into(),
        grade: if rng.gen_bool(0.2) { "major" } else { "general" }.into(),
        category: None,
        measures: String::new(),
        funds_fen: anjian_test_support::anjian_domain::money::Fen::ZERO,
        owner: String::new(),
        deadline: None,
        state: anjian_domain::hazard::HazardState::Reported,
        discovered_at: at,
        discovered_by: 1,
        request_digest: None,
        closed: None,
    };
    let now = t.clock.now_value();
    let keys: Vec<String> = months.iter().map(|m| anjian_store::hazard_counts::month_of(m.start)).collect();
    // The demo city has a year of hazards of its own.
    let before: u64 = anjian_store::hazard_counts::by_month(db, None, &keys).await.unwrap().values().map(|v| v.0).sum();
    let mut filed = Vec::new();
    for _ in 0..120 {
        let at = instant(&mut rng);
        filed.push((hazards::insert(db, new_hazard(&mut rng, at), now).await.unwrap().id, at));
    }
    let bulk: Vec<NewHazard> = (0..150)
        .map(|_| {
            let at = instant(&mut rng);
            new_hazard(&mut rng, at)
        })
        .collect();
    hazards::insert_many_raw(db, bulk, now).await.unwrap();
    for (id, at) in &filed {
        if !rng.gen_bool(0.6) {
            continue;
        }
        let closed_at = (*at + Duration::seconds(rng.gen_range(60..40 * 86_400))).min(months[6].start);
        let change = StateChange {
            from: anjian_domain::hazard::HazardState::Reported,
            to: anjian_domain::hazard::HazardState::Closed,
            has_plan: false,
            fixed_by: None,
            closed: Some((closed_at, 1)),
        };
        hazards::change_state(db, *id, &change, now).await.unwrap();
    }
    let counties: std::collections::BTreeSet<String> = orgs.iter().map(|o| o.jurisdiction_path.clone()).collect();
    assert!(counties.len() > 1, "the demo city spreads its enterprises over counties");
    let mut places: Vec<Option<String>> = vec![None];
    places.extend(counties.into_iter().map(Some));
    let (mut total_found, mut total_closed) = (0, 0);
    for place in places {
        let counted = anjian_store::hazard_counts::by_month(db, place.as_deref(), &keys).await.unwrap();
        let base = HazardFilter { jurisdiction_path: place.clone(), ..Default::default() };
        let mut questions = Vec::new();
        for m in &months {
            questions.push(HazardFilter { since: Some(m.start), until: Some(m.end), ..base.clone() });
            questions.push(HazardFilter { closed_since: Some(m.start), closed_until: Some(m.end), ..base.clone() });
        }
        let recount = hazards::tallies(db, &Scope::All, &HazardFilter::default(), &questions).await.unwrap();
        for (i, k) in keys.iter().enumerate() {
            let (found, closed) = counted.get(k).copied().unwrap_or_default();
            assert_eq!((found, closed), (recount[2 * i], recount[2 * i + 1]), "{k} in {place:?}");
            if place.is_none() {
                total_found += found;
                total_closed += closed;
            }
        }
    }
    assert_eq!(total_found, before + 270, "every hazard filed falls in one of the months");
    // By industry too (the demo's explosives enterprises have a year of hazards).
    let by_industry =
        anjian_store::hazard_counts::summed(db, None, &keys, anjian_store::hazard_counts::By::Industry).await.unwrap();
    let campaign = |f: HazardFilter| HazardFilter { industry: Some("explosives".into()), ..f };
    let recount = hazards::tallies(
        db,
        &Scope::All,
        &HazardFilter::default(),
        &[
            campaign(HazardFilter { since: Some(months[0].start), until: Some(months[6].end), ..Default::default() }),
            campaign(HazardFilter {
                closed_since: Some(months[0].start),
                closed_until: Some(months[6].end),
                ..Default::default()
            }),
        ],
    )
    .await
    .unwrap();
    let explosives = by_industry.get("explosives").copied().unwrap_or_default();
    assert_eq!(explosives, (recount[0], recount[1]));
    assert!(explosives.0 > 0, "the demo's explosives enterprises have hazards in the campaign");
    assert!(total_closed > 40, "{total_closed} closed");
    t.finish().await;
});

on_both_databases!(an_unknown_stored_state_is_an_error_not_a_guess, |backend| async move {
    let t = TestApp::start(backend).await;
    let s = site(&t).await;
    let body = json!({
        "org_id": s.org_id, "source": "self_inspection", "description": "配电箱未接地", "grade": "general",
        "measures": "重新接地", "owner": "王刚", "deadline": t.clock.now_value() + Duration::days(7)
    });
    let (st, h) = post(&t, &s.principal.token, "/api/v1/hazards", body).await;
    assert_eq!(st, 201, "{h}");
    let id = h["id"].as_i64().unwrap();
    let one = |token: String| {
        let t = &t;
        async move { t.get(&token, &format!("/api/v1/hazards/{id}")).await }
    };
    assert_eq!(one(s.county.token.clone()).await.json::<Value>().await.unwrap()["state"], "reported");

    // A state no release ever wrote (a hand edit, a newer version's row read by an older one).
    t.store.execute_sql(&format!("UPDATE hazards SET state = 'suspended' WHERE id = {id}")).await.unwrap();
    let r = one(s.county.token.clone()).await;
    assert_eq!(r.status().as_u16(), 500, "the record is not shown as some other state");
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "internal", "{v}");
    assert!(!v.to_string().contains("reported"), "{v}");
    // The list does not quietly drop or relabel it either.
    assert_eq!(t.get(&s.county.token, "/api/v1/hazards").await.status().as_u16(), 500);
    t.finish().await;
});

on_both_databases!(rectification_by_a_date_needs_the_date_and_only_a_bureau_moves_it, |backend| async move {
    let t = TestApp::start(backend).await;
    let s = site(&t).await;
    let (st, h) = post(
        &t,
        &s.principal.token,
        "/api/v1/hazards",
        json!({"org_id": s.org_id, "description": "配电室门锁损坏", "grade": "general"}),
    )
    .await;
    assert_eq!(st, 201, "{h}");
    let id = h["id"].as_i64().unwrap();
    // 限期整改 without a date is refused, with a clear reason.
    let (st, v) = act(&t, &s.principal.token, id, json!({"action": "start_rectifying"})).await;
    assert_eq!((st, code(&v).as_str()), (422, "hazard_deadline_required"), "{v}");
    let deadline =
        |d: i64, reason: &str| json!({"deadline": t.clock.now_value() + Duration::days(d), "reason": reason});
    let path = format!("/api/v1/hazards/{id}/deadline");
    let (st, v) = post(&t, &s.principal.token, &path, deadline(-1, "")).await;
    assert_eq!((st, code(&v).as_str()), (422, "hazard_deadline_past"));
    let (st, v) = post(&t, &s.principal.token, &path, deadline(7, "")).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(act(&t, &s.principal.token, id, json!({"action": "start_rectifying"})).await.0, 200);
    // The enterprise cannot move its own deadline; a bureau can, with a reason.
    let (st, v) = post(&t, &s.principal.token, &path, deadline(30, "配件未到")).await;
    assert_eq!((st, code(&v).as_str()), (422, "hazard_regulator_required"));
    let (st, v) = post(&t, &s.county.token, &path, deadline(30, " ")).await;
    assert_eq!((st, code(&v).as_str()), (422, "hazard_reason_required"));
    let (st, v) = post(&t, &s.county.token, &path, deadline(30, "门锁需定制，批准延期")).await;
    assert_eq!(st, 200, "{v}");
    // Every change is in the history, with the old and the new date and the reason.
    let one: Value = t.get(&s.county.token, &format!("/api/v1/hazards/{id}")).await.json().await.unwrap();
    let actions: Vec<&str> = one["events"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["report", "set_deadline", "start_rectifying", "extend_deadline"], "{one}");
    let last = one["events"].as_array().unwrap().last().unwrap();
    assert!(
        last["reason"].as_str().unwrap().contains("批准延期") && last["reason"].as_str().unwrap().contains("→"),
        "{last}"
    );
    // The county officer's page offers the change.
    let cookie = t.sign_in(&s.county).await;
    let (_, _, html) = t.page(&cookie, &format!("/hazards/{id}")).await;
    assert!(
        html.contains("id=\"deadline-form\"") && html.contains("name=\"reason\""),
        "the bureau may move the deadline"
    );
    t.finish().await;
});

on_both_databases!(a_text_over_its_limit_is_refused_as_too_long_in_words, |backend| async move {
    let t = TestApp::start(backend).await;
    let s = site(&t).await;
    let long = "积".repeat(2001);
    let (st, v) = post(
        &t,
        &s.principal.token,
        "/api/v1/hazards",
        json!({"org_id": s.org_id, "description": long, "grade": "general"}),
    )
    .await;
    assert_eq!(st, 422, "{v}");
    let f = &v["error"]["fields"][0];
    assert_eq!(
        (f["field"].as_str(), f["code"].as_str(), f["max"].as_u64()),
        (Some("description"), Some("too_long"), Some(2000)),
        "{v}"
    );
    assert_eq!(
        v["error"]["message"], "description: Too long: at most 2000 characters.",
        "the message says what is wrong"
    );
    let (_, v) = post(
        &t,
        &s.principal.token,
        "/api/v1/hazards",
        json!({"org_id": s.org_id, "description": "  ", "grade": "general"}),
    )
    .await;
    assert_eq!(v["error"]["fields"][0]["code"], "required", "empty is required, not too long");
    // On the page, the field by its name in the user's language, with the limit.
    let cookie = t.sign_in(&s.principal).await;
    let (_, _, html) = t.page(&cookie, "/hazards").await;
    let csrf = hidden(&html, "_csrf").unwrap();
    let org = s.org_id.to_string();
    let form = [
        ("_csrf", csrf.as_str()),
        ("idempotency_key", "5b0e8f1c-1d2e-4c3b-9a8f-7e6d5c4b3a21"),
        ("org_id", org.as_str()),
        ("grade", "general"),
        ("description", long.as_str()),
    ];
    let (st, _, html) = t.post_form(&cookie, "/hazards", &form).await;
    assert_eq!(st, 422);
    assert!(html.contains("描述：字数超过上限 2000。"), "{}", &html[..html.len().min(3000)]);
    t.finish().await;
});

// The demo's hazard histories could each have been made on the pages: replayed through the
// lifecycle, every step is one the app allows to the person who took it, in order and dated no
// later than today; a closed hazard went through rectification; a major one had its governance
// plan before rectification started and a regulator verified it.
on_both_databases!(the_demos_hazard_histories_follow_the_lifecycle, |backend| async move {
    use anjian_domain::hazard::{apply, Action, Doer, HazardFacts, HazardState};
    let t = TestApp::start(backend).await;
    t.demo(12).await;
    let db = &t.store.db;
    let scope = anjian_domain::scope::Scope::All;
    let plan = t.app.current_plan().await.unwrap();
    let hazards = anjian_store::hazards::list(db, &scope, &Default::default(), None, 100_000).await.unwrap();
    assert!(hazards.len() > 50, "a year of hazards: {}", hazards.len());
    let now = t.clock.now_value();
    let (mut closed, mut majors_closed) = (0, 0);
    for h in &hazards {
        let major = plan.hazard_grades.iter().any(|g| g.code.get_ref() == &h.grade && g.needs_governance_plan);
        let events = anjian_store::hazards::events_of(db, h.id).await.unwrap();
        assert_eq!(events[0].action, "report", "hazard {} starts with its report", h.id);
        let mut facts = HazardFacts {
            state: HazardState::Reported,
            major,
            has_governance_plan: false,
            fixed_by: None,
            has_after_photo: false,
            has_deadline: h.deadline.is_some(),
        };
        let mut last = events[0].at;
        for e in &events[1..] {
            let who = anjian_store::users::get(db, &scope, e.actor_id).await.unwrap();
            // A step of 挂牌督办 is an event of the hazard's history, not a move of its state.
            if ["supervise", "urge", "interview"].contains(&e.action.as_str()) {
                assert_eq!(e.from_state, e.to_state, "hazard {}: {} moves no state", h.id, e.action);
                continue;
            }
            let action = match e.action.as_str() {
                "attach_plan" => Action::AttachPlan,
                "start_rectifying" => Action::StartRectifying,
                "submit_rectification" => Action::SubmitRectification,
                "verify" => Action::Verify,
                other => panic!("hazard {}: the demo wrote `{other}`", h.id),
            };
            let doer = Doer { user_id: who.id, regulator: who.role.is_bureau() };
            let may = match action {
                Action::Verify => who.role.can(anjian_domain::role::Permission::VerifyHazard),
                _ => who.role.can(anjian_domain::role::Permission::RectifyHazard),
            };
            assert!(may, "hazard {}: {} may not {}", h.id, who.role.as_str(), e.action);
            assert_eq!(
                e.from_state,
                facts.state.as_str(),
                "hazard {}: {} starts where the last step ended",
                h.id,
                e.action
            );
            facts =
                apply(&facts, &action, doer).unwrap_or_else(|r| panic!("hazard {}: {} refused: {r}", h.id, e.action));
            assert_eq!(e.to_state, facts.state.as_str());
            assert!(e.at >= last && e.at <= now, "hazard {}: {} dated out of order or in the future", h.id, e.action);
            last = e.at;
        }
        assert_eq!(facts.state, h.state, "hazard {}: its state is where its history leads", h.id);
        assert_eq!(facts.has_governance_plan, h.has_plan);
        if major {
            assert_eq!(anjian_store::hazards::plan_of(db, h.id).await.unwrap().is_some(), h.has_plan);
        }
        if h.state == HazardState::Closed {
            closed += 1;
            majors_closed += usize::from(major);
            assert!(h.closed_at.is_some_and(|c| c == last));
        }
    }
    assert!(closed > 0 && closed < hazards.len(), "most closed, some open: {closed} of {}", hazards.len());
    assert!(majors_closed > 0, "a major hazard resolved, verified by its county");
    t.finish().await;
});

// 挂牌督办 as a workflow: a county puts an overdue hazard under a numbered notice, reminds,
// interviews; the enterprise asks for more time and the county grants it; the city sees the
// notice and its age; the enterprise and the city are told; only the county closes it.
on_both_databases!(a_county_supervises_an_overdue_hazard_until_it_closes_it, |backend| async move {
    let t = TestApp::start(backend).await;
    let s = site(&t).await;
    let city = t.user("city.sup", "city_staff", Some(t.org_by_code("bureau-jincheng").await.id)).await;
    let report = |description: &str, days: i64| json!({"org_id": s.org_id, "description": description, "grade": "general", "deadline": t.clock.now_value() + Duration::days(days)});
    let (_, h) = post(&t, &s.county.token, "/api/v1/hazards", report("配电柜前堆放杂物", 2)).await;
    let (_, fresh) = post(&t, &s.county.token, "/api/v1/hazards", report("警示标志褪色", 30)).await;
    let id = h["id"].as_i64().unwrap();
    let path = format!("/api/v1/hazards/{id}/supervision");
    t.clock.advance(Duration::days(3));
    let until = t.clock.now_value() + Duration::days(10);
    let notice = json!({"step": "supervise", "until": until, "text": "十日内完成整改并书面报告"});

    // Neither the enterprise nor a hazard that is on time can be put under a notice.
    assert_eq!(post(&t, &s.principal.token, &path, notice.clone()).await.0, 403);
    let on_time = format!("/api/v1/hazards/{}/supervision", fresh["id"]);
    let (st, v) = post(&t, &s.county.token, &on_time, notice.clone()).await;
    assert_eq!((st, code(&v).as_str()), (422, "supervision_not_applicable"));
    // The county's notice is numbered in its sequence for the year.
    let (st, n) = post(&t, &s.county.token, &path, notice.clone()).await;
    assert_eq!(st, 201, "{n}");
    let number = n["number"].as_str().unwrap().to_owned();
    assert!(number.starts_with("泽县工信督〔") && number.ends_with("〕第1号"), "{number}");
    let (st, v) = post(&t, &s.county.token, &path, notice).await;
    assert_eq!((st, code(&v).as_str()), (422, "supervision_exists"));
    assert_eq!(post(&t, &s.county.token, &path, json!({"step": "urge", "text": "请于周五前报送进度"})).await.0, 201);
    let interview = json!({"step": "interview", "people": "主要负责人", "text": "责令立即清理，停用配电柜"});
    assert_eq!(post(&t, &s.county.token, &path, interview).await.0, 201);

    // The enterprise asks for more time, once; the county grants it and the deadline moves.
    let later = t.clock.now_value() + Duration::days(20);
    let ask = json!({"step": "request_extension", "until": later, "text": "需停电检修，等待供电部门"});
    assert_eq!(post(&t, &s.principal.token, &path, ask.clone()).await.0, 201);
    let (st, v) = post(&t, &s.principal.token, &path, ask).await;
    assert_eq!((st, code(&v).as_str()), (422, "extension_pending"));
    assert_eq!(post(&t, &s.principal.token, &path, json!({"step": "approve_extension"})).await.0, 403);
    assert_eq!(post(&t, &s.county.token, &path, json!({"step": "approve_extension", "text": "同意"})).await.0, 201);
    let (_, detail) = get_json(&t, &s.county.token, &format!("/api/v1/hazards/{id}")).await;
    let deadline: chrono::DateTime<chrono::Utc> = serde_json::from_value(detail["deadline"].clone()).unwrap();
    assert_eq!(deadline, later, "{detail}");
    let (_, sup) = get_json(&t, &s.principal.token, &path).await;
    assert_eq!(
        (sup["supervision"]["reminders"].as_u64(), sup["supervision"]["interviews"].as_u64()),
        (Some(1), Some(1))
    );
    assert!(sup["supervision"]["pending_extension"].is_null());

    // The enterprise was told of each bureau step, the city of the notice; the city lists it.
    let (_, inbox) = get_json(&t, &s.principal.token, "/api/v1/notifications").await;
    let titles = inbox.to_string();
    assert!(
        titles.contains("挂牌督办：配电柜前堆放杂物") && titles.contains("催办") && titles.contains("约谈"),
        "{titles}"
    );
    let (_, city_inbox) = get_json(&t, &city.token, "/api/v1/notifications").await;
    assert!(city_inbox.to_string().contains(&number), "{city_inbox}");
    t.clock.advance(Duration::days(2));
    let (_, listed) = get_json(&t, &city.token, "/api/v1/hazards/supervised").await;
    let mine =
        listed.as_array().unwrap().iter().find(|x| x["hazard"]["id"] == id).expect("the city sees the notice").clone();
    assert_eq!((mine["notice"]["number"].as_str(), mine["age_days"].as_i64()), (Some(number.as_str()), Some(2)));
    let (_, theirs) = get_json(&t, &s.other_county.token, "/api/v1/hazards/supervised").await;
    assert!(theirs.as_array().unwrap().is_empty(), "another county sees none of it");

    // Rectified; the city may not close it, the supervising county does.
    assert_eq!(act(&t, &s.officer.token, id, json!({"action": "start_rectifying"})).await.0, 200);
    assert_eq!(act(&t, &s.officer.token, id, json!({"action": "submit_rectification"})).await.0, 200);
    let (st, v) = act(&t, &city.token, id, json!({"action": "verify"})).await;
    assert_eq!((st, code(&v).as_str()), (422, "hazard_supervising_bureau_only"));
    let (st, v) = act(&t, &s.county.token, id, json!({"action": "verify"})).await;
    assert_eq!((st, v["state"].as_str()), (200, Some("closed")), "{v}");
    let (_, detail) = get_json(&t, &s.county.token, &format!("/api/v1/hazards/{id}")).await;
    let actions: Vec<&str> =
        detail["events"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    for a in ["supervise", "urge", "interview", "request_extension", "approve_extension", "extend_deadline", "verify"] {
        assert!(actions.contains(&a), "{a} in the history: {actions:?}");
    }
    // The enterprise's page of the hazard shows the notice and its steps.
    let c = t.login_form(&s.principal.username, &s.principal.password).await.unwrap();
    let (_, _, html) = t.page(&c, &format!("/hazards/{id}")).await;
    assert!(html.contains(&number) && html.contains("id=\"notice\""), "the notice on the hazard's page");
    t.finish().await;
});

// Two notices of one bureau issued at the same moment never share a number.
on_both_databases!(notices_issued_at_once_get_different_numbers, |backend| async move {
    let t = TestApp::start(backend).await;
    let s = site(&t).await;
    let mut ids = Vec::new();
    for i in 0..6 {
        let body = json!({"org_id": s.org_id, "description": format!("隐患{i}"), "grade": "general", "deadline": t.clock.now_value() + Duration::days(1)});
        ids.push(post(&t, &s.county.token, "/api/v1/hazards", body).await.1["id"].as_i64().unwrap());
    }
    t.clock.advance(Duration::days(2));
    let until = t.clock.now_value() + Duration::days(10);
    let notice = |i: usize| {
        let path = format!("/api/v1/hazards/{}/supervision", ids[i]);
        let (t, token) = (&t, s.county.token.clone());
        async move { post(t, &token, &path, json!({"step": "supervise", "until": until, "text": "限期整改"})).await }
    };
    let (a, b, c, d, e, f) = tokio::join!(notice(0), notice(1), notice(2), notice(3), notice(4), notice(5));
    let answers = [a, b, c, d, e, f];
    let mut numbers: Vec<String> = answers
        .iter()
        .map(|(st, v)| {
            assert_eq!(*st, 201, "{v}");
            v["number"].as_str().unwrap().to_owned()
        })
        .collect();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 6, "no number twice: {numbers:?}");
    t.finish().await;
});

// Forms name organisations, not numbers: a county officer reports a hazard on an enterprise by
// its name (or its 统一社会信用代码), opens the inspection form by name, and a name that fits
// several is refused with a request to pick one; nothing is filed on a guess.
on_both_databases!(forms_take_an_organisation_by_name_not_by_number, |backend| async move {
    let t = TestApp::start(backend).await;
    let s = site(&t).await;
    let (_, other) = post(
        &t,
        &s.county.token,
        "/api/v1/orgs",
        json!({"name": "泽州丹河机械配件有限公司", "kind": "enterprise", "jurisdiction_id": t.org_by_code("bureau-zezhou").await.jurisdiction_id}),
    )
    .await;
    let c = t.sign_in(&s.county).await;
    let (_, _, html) = t.page(&c, "/hazards").await;
    assert!(
        html.contains("list=\"org_id-options\"") && html.contains("泽州丹河机械制造有限公司"),
        "a picker offers the county's firms"
    );
    let csrf = hidden(&html, "_csrf").unwrap();
    let report = |org: &str, key: &str| {
        vec![
            ("_csrf", csrf.clone()),
            ("idempotency_key", key.to_owned()),
            ("org_id", org.to_owned()),
            ("grade", "general".to_owned()),
            ("description", format!("消防通道堵塞（{org}）")),
        ]
    };
    let send = |form: Vec<(&'static str, String)>| {
        let c = c.clone();
        let t = &t;
        async move {
            let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            t.post_form(&c, "/hazards", &pairs).await
        }
    };
    // "泽州丹河机械" fits two firms: refused, nothing filed.
    let (st, _, html) = send(report("泽州丹河机械", &uuid::Uuid::new_v4().to_string())).await;
    assert_eq!(st, 422);
    assert!(html.contains("有多个单位名称包含所填文字"), "the page asks to pick one");
    // The full name files it on that firm; a part that fits one firm only does too.
    let (st, _, _) = send(report("泽州丹河机械制造有限公司", &uuid::Uuid::new_v4().to_string())).await;
    assert_eq!(st, 303);
    let (st, _, _) = send(report("机械配件", &uuid::Uuid::new_v4().to_string())).await;
    assert_eq!(st, 303);
    let (_, mine) = get_json(&t, &s.county.token, &format!("/api/v1/hazards?org_id={}", s.org_id)).await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 1, "{mine}");
    let (_, theirs) = get_json(&t, &s.county.token, &format!("/api/v1/hazards?org_id={}", other["id"])).await;
    assert_eq!(theirs["items"].as_array().unwrap().len(), 1, "{theirs}");
    // A name outside the county is not found.
    let (st, _, html) = send(report("高平某某公司", &uuid::Uuid::new_v4().to_string())).await;
    assert!(st == 422 && html.contains("单位"), "{st}");
    // The inspection form opens on a firm by name, with its points.
    let (st, _, html) = t.page(&c, "/inspections/new?org_id=%E6%B3%BD%E5%B7%9E%E4%B8%B9%E6%B2%B3%E6%9C%BA%E6%A2%B0%E5%88%B6%E9%80%A0%E6%9C%89%E9%99%90%E5%85%AC%E5%8F%B8").await;
    assert_eq!(st, 200);
    assert!(html.contains(&format!("name=\"org_id\" value=\"{}\"", s.org_id)), "the form is the firm's");
    // An enterprise's own people never see the field: their organisation goes hidden.
    let p = t.sign_in(&s.principal).await;
    let (_, _, html) = t.page(&p, "/hazards").await;
    assert!(
        !html.contains("org_id-options")
            && html.contains(&format!("type=\"hidden\" name=\"org_id\" value=\"{}\"", s.org_id))
    );
    t.finish().await;
});

// On the inspection form an item is answered 合格, 不合格 or 不适用: one left unanswered is not
// taken as passed (nothing is saved), and one that does not apply is named in the record.
on_both_databases!(an_inspection_item_is_answered_not_assumed_and_not_applicable_is_kept, |backend| async move {
    let t = TestApp::start(backend).await;
    let s = site(&t).await;
    let c = t.sign_in(&s.principal).await;
    let (_, _, html) = t.page(&c, "/inspections/new").await;
    let csrf = hidden(&html, "_csrf").unwrap();
    let org = s.org_id.to_string();
    let form = |result: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("idempotency_key", uuid::Uuid::new_v4().to_string()),
            ("org_id", org.clone()),
            ("kind", "self_inspection".to_owned()),
            ("item0", "安全出口标识".to_owned()),
            ("result0", "pass".to_owned()),
            ("item1", "危化品储存".to_owned()),
            ("result1", result.to_owned()),
        ]
    };
    let send = |f: Vec<(&'static str, String)>| {
        let (c, t) = (c.clone(), &t);
        async move {
            let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            t.post_form(&c, "/inspections", &pairs).await
        }
    };
    let (st, _, html) = send(form("")).await;
    assert_eq!(st, 422);
    assert!(html.contains("role=\"alert\""), "the page says which item is unanswered");
    let (_, list) = get_json(&t, &s.principal.token, "/api/v1/inspections").await;
    assert!(list["items"].as_array().unwrap().is_empty(), "nothing saved");
    let (st, _, _) = send(form("na")).await;
    assert_eq!(st, 303);
    let (_, list) = get_json(&t, &s.principal.token, "/api/v1/inspections").await;
    let one = &list["items"][0];
    assert!(one["summary"].as_str().unwrap().contains("不适用：危化品储存"), "{one}");
    t.finish().await;
});

// The checklist offered fits the organisation: the warehouses' 四防 template is offered for an
// explosives enterprise and not for a foundry.
on_both_databases!(the_checklists_offered_fit_the_organisation, |backend| async move {
    let t = TestApp::start(backend).await;
    let s = site(&t).await;
    let zezhou = t.org_by_code("bureau-zezhou").await;
    let (_, boom) = post(
        &t,
        &s.county.token,
        "/api/v1/orgs",
        json!({"name": "泽州民爆器材专营公司", "kind": "explosives_enterprise", "jurisdiction_id": zezhou.jurisdiction_id}),
    )
    .await;
    let c = t.sign_in(&s.county).await;
    let (_, _, foundry) = t.page(&c, &format!("/inspections/new?org_id={}", s.org_id)).await;
    let (_, _, magazine) = t.page(&c, &format!("/inspections/new?org_id={}", boom["id"])).await;
    assert!(magazine.contains("民爆库房“四防”检查表"), "offered for the explosives enterprise");
    assert!(!foundry.contains("民爆库房“四防”检查表"), "not for a foundry");
    t.finish().await;
});
