//! The tip channel: anyone reports without an account and follows with the receipt code; the
//! bureau verifies, files a hazard, and pays a reward approved by a second person; nobody who
//! should not can see a tip, and the reporter's identity is nowhere but sealed.

use anjian_test_support::anjian_domain::scope::Scope;
use anjian_test_support::anjian_domain::tip::solve_proof_of_work;
use anjian_test_support::*;
use anjian_test_support::{get_json as get, post_json as post};
use chrono::Duration;
use serde_json::{json, Value};

/// A fresh challenge, solved.
async fn proof(t: &TestApp) -> (String, String) {
    let c: Value = t.http.get(t.url("/api/v1/tips/challenge")).send().await.unwrap().json().await.unwrap();
    let challenge = c["challenge"].as_str().unwrap().to_owned();
    let nonce = solve_proof_of_work(&challenge, c["bits"].as_u64().unwrap() as u32);
    (challenge, nonce)
}

/// Submits a tip without any account; returns the status and body.
async fn submit(t: &TestApp, mut body: Value) -> (u16, Value) {
    let (challenge, nonce) = proof(t).await;
    body["challenge"] = json!(challenge);
    body["nonce"] = json!(nonce);
    let r = t.http.post(t.url("/api/v1/tips/submit")).json(&body).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn follow(t: &TestApp, receipt: &str) -> (u16, Value) {
    let r = t.http.post(t.url("/api/v1/tips/follow")).json(&json!({ "receipt": receipt })).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn tip_count(t: &TestApp) -> usize {
    anjian_store::tips::list(&t.store.db, &Scope::All, &Default::default(), 1000).await.unwrap().len()
}

on_both_databases!(a_tip_runs_from_receipt_to_a_paid_reward_and_a_hazard, |backend| async move {
    let t = TestApp::start(backend).await;
    let zezhou = t.org_by_code("bureau-zezhou").await;
    let county = t.user("zz.tips", "county_staff", Some(zezhou.id)).await;
    let second = t.user("zz.tips2", "county_staff", Some(zezhou.id)).await;
    let custodian = t.user("zz.keeper", "tip_custodian", Some(zezhou.id)).await;
    let (_, org) = post(
        &t,
        &county.token,
        "/api/v1/orgs",
        json!({"name": "泽州县宏达化工有限公司", "kind": "enterprise", "jurisdiction_id": zezhou.jurisdiction_id}),
    )
    .await;
    let org_id = org["id"].as_i64().unwrap();
    let principal = t.user("hd.principal", "principal", Some(org_id)).await;
    let other_county = t.org_by_code("bureau-gaoping").await;
    let outsider = t.user("gp.tips", "county_staff", Some(other_county.id)).await;
    let admin = t.user("sys.tips", "sys_admin", None).await;

    // Bad input: every problem named, nothing stored.
    let today = t.clock.now_value().date_naive();
    let (st, v) = submit(
        &t,
        json!({"category": "不存在", "county": "nowhere", "subject": "", "body": " ", "happened_on": (today + Duration::days(3)).to_string()}),
    )
    .await;
    assert_eq!(st, 422, "{v}");
    let codes = field_codes(&v);
    for f in ["category", "county", "body", "subject", "happened_on"] {
        assert!(codes.iter().any(|(k, _)| k == f), "{f} in {codes:?}");
    }
    // A wrong nonce is refused too.
    let c: Value = t.http.get(t.url("/api/v1/tips/challenge")).send().await.unwrap().json().await.unwrap();
    // A nonce that does not solve this challenge (at the tests' low difficulty some would).
    let challenge = c["challenge"].as_str().unwrap();
    let bits = c["bits"].as_u64().unwrap() as u32;
    let wrong = (0..)
        .map(|i| format!("x{i}"))
        .find(|n| !anjian_test_support::anjian_domain::tip::proof_of_work_ok(challenge, n, bits))
        .unwrap();
    let bad = json!({"category": "事故隐患", "subject": "宏达化工", "body": "仓库堆放", "challenge": challenge, "nonce": wrong});
    let r = t.http.post(t.url("/api/v1/tips/submit")).json(&bad).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 422);
    assert_eq!(field_codes(&r.json().await.unwrap()), [("proof".into(), "proof_of_work".into())]);
    assert_eq!(tip_count(&t).await, 0);

    // A good one returns a receipt of 20 characters (100 bits) once.
    let body = json!({
        "category": "事故隐患", "county": "zezhou", "subject": "泽州县宏达化工有限公司", "place": "二号仓库",
        "happened_on": today.to_string(), "body": "夜间无人值守，危化品混放。", "contact": "王先生 13912345678",
    });
    let (challenge, nonce) = proof(&t).await;
    let mut first = body.clone();
    first["challenge"] = json!(challenge);
    first["nonce"] = json!(nonce);
    let r = t.http.post(t.url("/api/v1/tips/submit")).json(&first).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let receipt = r.json::<Value>().await.unwrap()["receipt"].as_str().unwrap().to_owned();
    assert_eq!(receipt.replace('-', "").len(), 20);
    // The same solved challenge cannot send a second tip.
    let r = t.http.post(t.url("/api/v1/tips/submit")).json(&first).send().await.unwrap();
    assert_eq!(field_codes(&r.json().await.unwrap()), [("proof".into(), "proof_reused".into())]);
    assert_eq!(tip_count(&t).await, 1);

    // The receipt code is kept only as a hash; the contact only sealed.
    let row = &anjian_store::tips::list(&t.store.db, &Scope::All, &Default::default(), 10).await.unwrap()[0];
    assert!(!row.receipt_hash.contains(&receipt.replace('-', "")));
    assert!(row.contact_sealed.as_deref().unwrap().starts_with("chacha20poly1305:"));
    assert!(!row.contact_sealed.as_deref().unwrap().contains("1391234"));
    let id = row.id;

    // The reporter follows it however they type the code back; a wrong code finds nothing.
    let typed = receipt.to_lowercase().replace('-', " ");
    let (st, v) = follow(&t, &typed).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["state"], "received");
    let wrong = format!("{}0", &receipt.replace('-', "")[..19]);
    let wrong = if wrong == receipt.replace('-', "") { format!("{}1", &wrong[..19]) } else { wrong };
    assert_eq!(follow(&t, &wrong).await.0, 404);
    let r = t
        .http
        .post(t.url("/api/v1/tips/follow/messages"))
        .json(&json!({"receipt": receipt, "body": "仓库后门也没锁。"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);

    // Who sees it: the county bureau; not the enterprise, not another county, not the admin.
    let path = format!("/api/v1/tips/{id}");
    let (st, d) = get(&t, &county.token, &path).await;
    assert_eq!(st, 200);
    assert_eq!(d["messages"][0]["body"], "仓库后门也没锁。");
    assert!(d["has_contact"].as_bool().unwrap());
    assert!(!d.to_string().contains("13912345678") && !d.to_string().contains("chacha20"), "no identity in {d}");
    assert_eq!(get(&t, &principal.token, &path).await.0, 403);
    assert_eq!(get(&t, &principal.token, "/api/v1/tips").await.0, 403);
    assert_eq!(get(&t, &outsider.token, &path).await.0, 404);
    let (_, list) = get(&t, &outsider.token, "/api/v1/tips").await;
    assert_eq!(list.as_array().unwrap().len(), 0);
    assert_eq!(get(&t, &admin.token, &path).await.0, 403);

    // Triage and assignment; verification with the outcome.
    let (st, v) = post(
        &t,
        &county.token,
        &format!("{path}/assign"),
        json!({"category": "事故隐患", "org_id": org_id, "assignee_org_id": zezhou.id, "note": "请核查"}),
    )
    .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["state"], "assigned");
    let due: chrono::DateTime<chrono::Utc> = v["due_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(due, t.clock.now_value() + Duration::days(15), "the plan's 15 days to verify");
    // A reward before the outcome is a conflict, not a silent change.
    let (st, _) =
        post(&t, &county.token, &format!("{path}/reward"), json!({"finding": "major_hazard", "penalty_yuan": 1})).await;
    assert_eq!(st, 409);
    let (st, v) = post(
        &t,
        &county.token,
        &format!("{path}/conclude"),
        json!({"outcome": "true", "findings": "现场核实：危化品与普通货物混放，无人值守。"}),
    )
    .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["state"], "concluded");

    // One step to the hazard ledger of the enterprise concerned, described in the bureau's words.
    let (st, v) =
        post(&t, &county.token, &format!("{path}/hazard"), json!({"grade": "major", "description": " "})).await;
    assert_eq!((st, v["error"]["fields"][0]["field"].as_str()), (422, Some("description")), "{v}");
    let found = "二号仓库危化品与普通货物混放，未设专人管理。";
    let (st, h) =
        post(&t, &county.token, &format!("{path}/hazard"), json!({"grade": "major", "description": found})).await;
    assert_eq!(st, 201, "{h}");
    let hazard_id = h["hazard_id"].as_i64().unwrap();
    let (st, hz) = get(&t, &principal.token, &format!("/api/v1/hazards/{hazard_id}")).await;
    assert_eq!(st, 200, "the enterprise sees the hazard in its ledger");
    assert_eq!(hz["description"], found);
    assert!(!hz.to_string().contains("13912345678") && !hz.to_string().contains("夜间无人值守"), "{hz}");
    let again = json!({"grade": "major", "description": found});
    assert_eq!(post(&t, &county.token, &format!("{path}/hazard"), again).await.0, 409);

    // The reward is computed by the plan's rules; the proposer cannot approve it.
    let (st, v) =
        post(&t, &county.token, &format!("{path}/reward"), json!({"finding": "major_hazard", "penalty_yuan": 100000}))
            .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["reward_yuan"], 15000, "15 % of a 100,000 yuan penalty");
    let (st, v) = post(&t, &county.token, &format!("{path}/decision"), json!({"approve": true})).await;
    assert_eq!(st, 422);
    assert_eq!(field_codes(&v), [("approver".into(), "same_person".into())]);
    let (_, v) = follow(&t, &receipt).await;
    assert!(v["reward_yuan"].is_null(), "the reporter sees no amount before approval");
    let (st, v) = post(&t, &second.token, &format!("{path}/decision"), json!({"approve": true, "note": "同意"})).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["state"], "reward_approved");
    let (st, _) = post(&t, &second.token, &format!("{path}/payment"), json!({"text": ""})).await;
    assert_eq!(st, 422);
    let (st, v) = post(&t, &second.token, &format!("{path}/payment"), json!({"text": "财拨〔2022〕18号"})).await;
    assert_eq!(st, 200);
    assert_eq!(v["state"], "closed");
    let (_, v) =
        post(&t, &county.token, &format!("{path}/messages"), json!({"text": "经核查属实，已发放奖励。"})).await;
    assert_eq!(v["sent"], true);

    // The reporter sees the outcome, the reward and the bureau's message.
    let (_, v) = follow(&t, &receipt).await;
    assert_eq!(v["state"], "closed");
    assert_eq!(v["outcome"], "true");
    assert_eq!(v["reward_yuan"], 15000);
    assert_eq!(v["reward_paid"], true);
    assert_eq!(v["messages"].as_array().unwrap().len(), 2);

    // Only the custodian opens the contact, with a reason, and it is on record.
    let (st, _) = post(&t, &county.token, &format!("{path}/reveal"), json!({"text": "发放奖励需要"})).await;
    assert_eq!(st, 403);
    let (st, _) = post(&t, &custodian.token, &format!("{path}/reveal"), json!({"text": ""})).await;
    assert_eq!(st, 422);
    let (st, v) = post(&t, &custodian.token, &format!("{path}/reveal"), json!({"text": "核对奖励领取人身份"})).await;
    assert_eq!(st, 200);
    assert_eq!(v["contact"], "王先生 13912345678");
    let audit: Vec<_> = anjian_store::audit::page(&t.store.db, &Default::default(), None, 500)
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.record)
        .collect();
    let opened = audit.iter().find(|a| a.action == "tip.contact_revealed").expect("the opening is audited");
    assert!(opened.detail.contains("核对奖励领取人身份") && !opened.detail.contains("13912345678"));
    assert!(audit.iter().any(|a| a.action == "tip.submit" && a.actor == "举报人"));
    let (_, d) = get(&t, &county.token, &path).await;
    let kinds: Vec<&str> = d["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "received",
            "assigned",
            "concluded",
            "hazard_filed",
            "reward_proposed",
            "reward_approved",
            "reward_paid",
            "contact_revealed"
        ]
    );

    // Statistics by month, county, category and outcome.
    let (_, stats) = get(&t, &county.token, "/api/v1/tips/stats").await;
    assert_eq!(stats[0]["outcome"], "true");
    assert_eq!(stats[0]["count"], 1);
    assert_eq!(stats[0]["county"], "泽州县");
    t.finish().await;
});

on_both_databases!(an_untrue_tip_earns_nothing_and_an_internal_reward_is_safety_investment, |backend| async move {
    let t = TestApp::start(backend).await;
    let zezhou = t.org_by_code("bureau-zezhou").await;
    let county = t.user("zz.int", "county_staff", Some(zezhou.id)).await;
    let leader = t.user("city.leader", "city_leader", Some(t.org_by_code("bureau-jincheng").await.id)).await;
    let (_, org) = post(
        &t,
        &county.token,
        "/api/v1/orgs",
        json!({"name": "泽州民爆器材有限公司", "kind": "explosives_enterprise", "jurisdiction_id": zezhou.jurisdiction_id}),
    )
    .await;
    let org_id = org["id"].as_i64().unwrap();
    let principal = t.user("mb.principal", "principal", Some(org_id)).await;

    // An untrue tip closes at once; no reward can follow.
    let (st, _) = submit(
        &t,
        json!({"category": "违法违规行为", "county": "zezhou", "subject": "某企业", "body": "听说超量储存"}),
    )
    .await;
    assert_eq!(st, 201);
    let id = anjian_store::tips::list(&t.store.db, &Scope::All, &Default::default(), 10).await.unwrap()[0].id;
    let path = format!("/api/v1/tips/{id}");
    post(
        &t,
        &county.token,
        &format!("{path}/assign"),
        json!({"category": "违法违规行为", "assignee_org_id": zezhou.id}),
    )
    .await;
    let (_, v) = post(
        &t,
        &county.token,
        &format!("{path}/conclude"),
        json!({"outcome": "untrue", "findings": "库存与台账一致"}),
    )
    .await;
    assert_eq!(v["state"], "closed");
    let (st, _) =
        post(&t, &county.token, &format!("{path}/reward"), json!({"finding": "violation", "penalty_yuan": 0})).await;
    assert_eq!(st, 409);
    let body = json!({"grade": "general", "description": "超量储存"});
    assert_eq!(post(&t, &county.token, &format!("{path}/hazard"), body).await.0, 422);

    // An internal whistleblower (吹哨人) down to the work team.
    let (st, v) = submit(
        &t,
        json!({"channel": "internal", "category": "事故隐患", "county": "zezhou", "subject": "泽州民爆器材有限公司",
               "work_team": "装卸二班", "body": "装车前未检查车辆防静电装置。", "contact": "工号 0417"}),
    )
    .await;
    assert_eq!(st, 201, "{v}");
    let id = anjian_store::tips::list(&t.store.db, &Scope::All, &Default::default(), 10).await.unwrap()[0].id;
    let path = format!("/api/v1/tips/{id}");
    let (_, d) = get(&t, &county.token, &path).await;
    assert_eq!(d["tip"]["channel"], "internal");
    assert_eq!(d["tip"]["work_team"], "装卸二班");
    // The enterprise's own managers never see it.
    assert_eq!(get(&t, &principal.token, &path).await.0, 403);
    post(
        &t,
        &county.token,
        &format!("{path}/assign"),
        json!({"category": "事故隐患", "org_id": org_id, "assignee_org_id": zezhou.id}),
    )
    .await;
    post(
        &t,
        &county.token,
        &format!("{path}/conclude"),
        json!({"outcome": "partly_true", "findings": "部分车辆未检查"}),
    )
    .await;
    // The page that files its hazard warns about the whistleblower and starts from the
    // verification's words, not the tip's.
    let cookie = t.sign_in(&county).await;
    let (_, _, html) = t.page(&cookie, &format!("/tips/{id}")).await;
    assert!(html.contains("id=\"internal-warning\""), "the warning is shown");
    let form = &html[html.find("name=\"description\"").expect("the description field")..];
    let prefilled = &form[..form.find("</textarea>").unwrap()];
    assert!(
        prefilled.contains("部分车辆未检查") && !prefilled.contains("装卸二班") && !prefilled.contains("防静电"),
        "{prefilled}"
    );
    let found = json!({"grade": "general", "description": "部分运输车辆装车前未检查防静电装置。"});
    let (st, h) = post(&t, &county.token, &format!("{path}/hazard"), found).await;
    assert_eq!(st, 201, "{h}");
    let (_, hz) = get(&t, &principal.token, &format!("/api/v1/hazards/{}", h["hazard_id"])).await;
    assert!(!hz.to_string().contains("装卸二班") && !hz.to_string().contains("0417"), "{hz}");
    let (_, v) = post(&t, &county.token, &format!("{path}/reward"), json!({"finding": "general_hazard"})).await;
    assert_eq!(v["reward_yuan"], 100, "half of the 200 yuan floor for a partly true tip");
    // The city leader may approve as the second person; a rejection needs a reason and goes back.
    let (st, _) = post(&t, &leader.token, &format!("{path}/decision"), json!({"approve": false})).await;
    assert_eq!(st, 422);
    let (_, v) =
        post(&t, &leader.token, &format!("{path}/decision"), json!({"approve": false, "note": "金额需复核"})).await;
    assert_eq!(v["state"], "concluded");
    assert!(v["reward_yuan"].is_null());
    post(&t, &county.token, &format!("{path}/reward"), json!({"finding": "general_hazard"})).await;
    let (_, v) = post(&t, &leader.token, &format!("{path}/decision"), json!({"approve": true})).await;
    assert_eq!(v["state"], "reward_approved");
    post(&t, &county.token, &format!("{path}/payment"), json!({"text": "企业安全投入支付 No.7"})).await;

    // The reward is in the enterprise's fundamentals as safety investment, with nothing about who.
    let (_, p) = get(&t, &principal.token, &format!("/api/v1/orgs/{org_id}/fundamentals")).await;
    let rec = p["records"].as_array().unwrap().iter().find(|r| r["kind"] == "whistleblower_reward").expect("recorded");
    assert_eq!(rec["amount_fen"], 10000);
    assert!(!p.to_string().contains("装卸二班") && !p.to_string().contains("0417"));
    t.finish().await;
});

on_both_databases!(a_tip_past_its_deadline_reminds_the_office_holding_it, |backend| async move {
    let t = TestApp::start(backend).await;
    let zezhou = t.org_by_code("bureau-zezhou").await;
    let county = t.user("zz.late", "county_staff", Some(zezhou.id)).await;
    let (st, _) = submit(&t, json!({"category": "安全风险", "county": "zezhou", "place": "北石店镇", "body": "河道旁堆放炸药包装物", "contact": "李女士"})).await;
    assert_eq!(st, 201);
    let (_, list) = get(&t, &county.token, "/api/v1/tips?overdue=true").await;
    assert_eq!(list.as_array().unwrap().len(), 0);
    t.clock.advance(Duration::days(4));
    let (_, list) = get(&t, &county.token, "/api/v1/tips?overdue=true").await;
    assert_eq!(list.as_array().unwrap().len(), 1, "3 days to assign, 4 gone");
    t.app.run_reminders("one").await.unwrap().unwrap();
    let (_, inbox) = get(&t, &county.token, "/api/v1/notifications").await;
    let n = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["link"].as_str().unwrap().starts_with("/tips/"))
        .expect("reminded");
    assert!(!n.to_string().contains("李女士"));
    // Once per step: a second run adds nothing.
    t.app.run_reminders("one").await.unwrap();
    let (_, again) = get(&t, &county.token, "/api/v1/notifications").await;
    assert_eq!(again["items"].as_array().unwrap().len(), inbox["items"].as_array().unwrap().len());
    t.finish().await;
});

#[tokio::test]
async fn the_channel_throttles_a_flood_without_knowing_who_floods() {
    let t = TestApp::start_with_settings(Backend::Sqlite, |s| s.tip_hourly_limit = 3).await;
    let body = json!({"category": "事故隐患", "place": "某地", "body": "内容"});
    // Following up ten times (limit × 6 an hour) does not use up the reports an address may make.
    for _ in 0..10 {
        assert_eq!(follow(&t, "ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ").await.0, 404);
    }
    for _ in 0..3 {
        assert_eq!(submit(&t, body.clone()).await.0, 201);
    }
    let (st, v) = submit(&t, body.clone()).await;
    assert_eq!(st, 429);
    assert_eq!(v["error"]["code"], "throttled");
    // Behind the reverse proxy on the same machine, each client counts apart (X-Real-IP).
    let (challenge, nonce) = proof(&t).await;
    let mut other = body.clone();
    other["challenge"] = json!(challenge);
    other["nonce"] = json!(nonce);
    let r =
        t.http.post(t.url("/api/v1/tips/submit")).header("x-real-ip", "10.1.2.3").json(&other).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 201);
    // The next hour starts afresh.
    t.clock.advance(Duration::hours(1));
    assert_eq!(submit(&t, body).await.0, 201);
    t.finish().await;
}

#[tokio::test]
async fn the_public_pages_work_without_an_account_and_the_bureau_exports_what_it_filters() {
    let t = TestApp::start(Backend::Sqlite).await;
    let zezhou = t.org_by_code("bureau-zezhou").await;
    // The form: no cookie set, the proof-of-work challenge in it.
    let r = t.http.get(t.url("/report")).send().await.unwrap();
    assert!(r.headers().get("set-cookie").is_none(), "the public channel sets no cookie");
    let html = r.text().await.unwrap();
    assert!(html.contains("安全生产举报") && html.contains("/assets/pow.js"));
    let challenge = hidden(&html, "challenge").unwrap();
    let nonce = solve_proof_of_work(&challenge, 10);
    let form = reqwest::multipart::Form::new()
        .text("challenge", challenge)
        .text("nonce", nonce)
        .text("channel", "public")
        .text("category", "事故隐患")
        .text("county", "zezhou")
        .text("subject", "某物流仓库")
        .text("body", "消防通道被堵。")
        .text("contact", "CANARY-CONTACT 13700000000")
        .part("photo", reqwest::multipart::Part::bytes(jpeg_with_exif("CANARY-CAM")).file_name("a.jpg"));
    let r = t.http.post(t.url("/report")).multipart(form).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let html = r.text().await.unwrap();
    let code = by_id(&html, "receipt").expect("the receipt is shown");
    assert_eq!(code.len(), 23);

    // Following by the form: the code goes in the body, never the URL.
    let r = t.http.post(t.url("/report/follow")).form(&[("code", code.as_str())]).send().await.unwrap();
    let html = r.text().await.unwrap();
    assert_eq!(by_id(&html, "tip-state").as_deref(), Some("待受理"));
    let r = t.http.post(t.url("/report/follow")).form(&[("code", "AAAAA-AAAAA-AAAAA-AAAAA")]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 404);
    assert!(r.text().await.unwrap().contains("没有找到这个查询码"));

    // The photo was re-encoded: the camera's marker is gone from the stored file.
    for (p, bytes) in files_under(t.db.blob_dir.path()) {
        assert!(!bytes.windows(10).any(|w| w == b"CANARY-CAM"), "{} keeps the EXIF", p.display());
    }

    // The bureau's list, its Excel with the same filter, and the statistics in Excel.
    let county = t.user("zz.page", "county_staff", Some(zezhou.id)).await;
    let cookie = t.sign_in(&county).await;
    let (st, _, html) = t.page(&cookie, "/tips?state=received").await;
    assert_eq!(st, 200);
    assert!(html.contains("某物流仓库"));
    let (_, _, none) = t.page(&cookie, "/tips?state=closed").await;
    assert!(!none.contains("某物流仓库"));
    for (path, sheet, expect_rows) in [
        ("/tips/export.xlsx?state=received", "举报受理", 2),
        ("/tips/export.xlsx?state=closed", "举报受理", 1),
        ("/tips/stats.xlsx", "举报统计", 2),
    ] {
        let r = t.http.get(t.url(path)).header("cookie", &cookie).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200, "{path}");
        let bytes = r.bytes().await.unwrap().to_vec();
        use calamine::Reader;
        let mut x: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let range = crate::filed(x.worksheet_range(sheet).unwrap());
        assert_eq!(range.rows().count(), expect_rows, "{path}");
        // The reporter's contact is in no cell of any export.
        assert!(!range.rows().flatten().any(|c| c.to_string().contains("CANARY")), "{path}");
    }
    let (_, _, detail) = t
        .page(
            &cookie,
            &format!(
                "/tips/{}",
                anjian_store::tips::list(&t.store.db, &Scope::All, &Default::default(), 1).await.unwrap()[0].id
            ),
        )
        .await;
    assert!(detail.contains("消防通道被堵") && detail.contains("/files/"));
    // A received tip offers the steps its state allows — assign, close — and none of the later
    // ones (the state machine decides, not the template).
    assert!(detail.contains("/assign\"") && detail.contains("/close\""), "received: assign and close");
    for later in ["/conclude\"", "/reward\"", "/decision\"", "/payment\""] {
        assert!(!detail.contains(later), "a received tip does not offer {later}");
    }
    // An unknown state in the filter is said to be one, not shown as an empty list.
    let (st, _, html) = t.page(&cookie, "/tips?state=lost").await;
    assert_ne!(st, 200, "{html}");
    t.finish().await;
}
