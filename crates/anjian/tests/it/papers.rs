//! 执法文书 end to end: a county serves an order to rectify on an enterprise from its hazards, a
//! review after the deadline and a correction; every paper is numbered in the bureau's sequence
//! for its kind and year — never one number twice and never a gap, however many are issued at
//! once — shows on the hazard, the enterprise and the ledger, opens in Word in the standard
//! layout, and never changes once issued.

use anjian_test_support::*;
use chrono::Duration;
use serde_json::{json, Value};
use std::io::Read;

async fn post(t: &TestApp, token: &str, path: &str, body: Value) -> (u16, Value) {
    let r = t.http.post(t.url(path)).bearer_auth(token).json(&body).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

fn code(v: &Value) -> String {
    v["error"]["fields"][0]["code"].as_str().or(v["error"]["code"].as_str()).unwrap_or("").to_owned()
}

struct Firm {
    org_id: i64,
    county: TestUser,
    other_county: TestUser,
    principal: TestUser,
}

async fn firm(t: &TestApp) -> Firm {
    let zezhou = t.org_by_code("bureau-zezhou").await;
    let gaoping = t.org_by_code("bureau-gaoping").await;
    let county = t.user("zz.law", "county_staff", Some(zezhou.id)).await;
    let other_county = t.user("gp.law", "county_staff", Some(gaoping.id)).await;
    let body = json!({"name": "泽州丹河机械制造有限公司", "kind": "enterprise", "jurisdiction_id": zezhou.jurisdiction_id, "address": "泽州县南村镇"});
    let (st, org) = post(t, &county.token, "/api/v1/orgs", body).await;
    assert_eq!(st, 201, "{org}");
    let org_id = org["id"].as_i64().unwrap();
    Firm { org_id, principal: t.user("principal.law", "principal", Some(org_id)).await, county, other_county }
}

async fn hazard(t: &TestApp, f: &Firm, description: &str, days: Option<i64>) -> i64 {
    let mut body = json!({"org_id": f.org_id, "description": description, "grade": "general"});
    if let Some(d) = days {
        body["deadline"] = json!(t.clock.now_value() + Duration::days(d));
    }
    let (st, v) = post(t, &f.county.token, "/api/v1/hazards", body).await;
    assert_eq!(st, 201, "{v}");
    v["id"].as_i64().unwrap()
}

fn docx_part(bytes: &[u8], name: &str) -> String {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut xml = String::new();
    z.by_name(name).unwrap().read_to_string(&mut xml).unwrap();
    xml
}

on_both_databases!(a_county_serves_an_order_reviews_it_and_corrects_it_never_edits_it, |backend| async move {
    let t = TestApp::start(backend).await;
    let f = firm(&t).await;
    let a = hazard(&t, &f, "配电柜前堆放杂物", Some(7)).await;
    let b = hazard(&t, &f, "行车钢丝绳断丝超标", Some(10)).await;
    let undated = hazard(&t, &f, "警示标志褪色", None).await;

    // Only a bureau issues; an order needs hazards with deadlines.
    let order = json!({"kind": "rectification_order", "hazard_ids": [a, b]});
    assert_eq!(post(&t, &f.principal.token, "/api/v1/papers", order.clone()).await.0, 403);
    let (st, v) =
        post(&t, &f.county.token, "/api/v1/papers", json!({"kind": "rectification_order", "hazard_ids": [a, undated]}))
            .await;
    assert_eq!((st, code(&v).as_str()), (422, "paper_hazard_without_deadline"));
    let (st, v) =
        post(&t, &f.county.token, "/api/v1/papers", json!({"kind": "supervision_notice", "hazard_ids": [a]})).await;
    assert_eq!((st, code(&v).as_str()), (422, "paper_from_supervision"));

    // The order: the bureau's first of the year, filled from the records.
    let (st, p) = post(&t, &f.county.token, "/api/v1/papers", order).await;
    assert_eq!(st, 201, "{p}");
    let id = p["id"].as_i64().unwrap();
    let year = p["year"].as_i64().unwrap();
    assert_eq!(p["number"], format!("泽县工信责改〔{year}〕第1号"));
    assert_eq!(p["content"]["enterprise"], "泽州丹河机械制造有限公司");
    assert_eq!(p["content"]["county"], "泽州县");
    assert_eq!(p["content"]["items"].as_array().unwrap().len(), 2);
    assert!(p["content"]["items"][0]["deadline"].as_str().is_some_and(|d| d.len() == 10), "{p}");
    assert_eq!(p["content_hash"].as_str().unwrap().len(), 64);
    // People by name on a paper, never by their login.
    assert!(p["issued_by_name"] != "zz.law" && p["content"]["inspectors"][0] == p["issued_by_name"], "{p}");

    // Seen by the enterprise it was served on, not by another county.
    assert_eq!(t.get(&f.principal.token, &format!("/api/v1/papers/{id}")).await.status(), 200);
    assert_eq!(t.get(&f.other_county.token, &format!("/api/v1/papers/{id}")).await.status(), 404);
    let theirs: Value = t.get(&f.other_county.token, "/api/v1/papers").await.json().await.unwrap();
    assert!(theirs.as_array().unwrap().is_empty());

    // A review waits for the deadline while hazards are open.
    let review = json!({"kind": "review_opinion", "order_id": id});
    let (st, v) = post(&t, &f.county.token, "/api/v1/papers", review.clone()).await;
    assert_eq!((st, code(&v).as_str()), (422, "paper_review_before_deadline"));
    t.clock.advance(Duration::days(11));
    let (st, r) = post(&t, &f.county.token, "/api/v1/papers", review).await;
    assert_eq!(st, 201, "{r}");
    assert_eq!(r["number"], format!("泽县工信复查〔{year}〕第1号"), "its own sequence");
    assert_eq!(r["refers_to_id"], id);
    assert_eq!(r["content"]["items"][0]["fixed"], false);
    assert!(r["content"]["text"].as_str().unwrap().contains("2 项未按期整改完毕"), "{r}");

    // A correction is a new paper naming the old; the old one reads as issued.
    let (st, c) = post(&t, &f.county.token, "/api/v1/papers", json!({"kind": "rectification_order", "hazard_ids": [b], "corrects_id": id, "text": "更正：仅列行车钢丝绳一项"})).await;
    assert_eq!(st, 201, "{c}");
    assert_eq!(
        (c["number"].as_str().unwrap(), c["corrects"].as_bool(), c["refers_to_id"].as_i64()),
        (format!("泽县工信责改〔{year}〕第2号").as_str(), Some(true), Some(id))
    );
    let again: Value = t.get(&f.county.token, &format!("/api/v1/papers/{id}")).await.json().await.unwrap();
    assert_eq!(again, p, "the first paper is unchanged");
    // Not even the database lets an issued paper change or go.
    for sql in
        [format!("UPDATE papers SET content = '{{}}' WHERE id = {id}"), format!("DELETE FROM papers WHERE id = {id}")]
    {
        assert!(t.store.sql_texts(&sql).await.is_err(), "{sql} must be refused");
    }

    // Served papers show on the hazard, on the enterprise and in its ledger.
    let cookie = t.sign_in(&f.county).await;
    let (_, _, page) = t.page(&cookie, &format!("/hazards/{a}")).await;
    assert!(page.contains(&format!("泽县工信责改〔{year}〕第1号")) && page.contains("泽县工信复查"), "the hazard page");
    let (_, _, page) = t.page(&cookie, &format!("/orgs/{}", f.org_id)).await;
    assert!(page.contains(&format!("泽县工信责改〔{year}〕第2号")), "the enterprise page");
    let (_, _, page) = t.page(&cookie, &format!("/papers/{id}")).await;
    assert!(page.contains("文书内容与出具时一致"), "the paper's hash is checked");
    let sheet = crate::page_sheet(&t, &cookie, &format!("/hazards/export.xlsx?org_id={}", f.org_id), "隐患台账").await;
    let header: Vec<String> =
        (0..sheet.width()).map(|c| sheet.get((0, c)).map(|d| d.to_string()).unwrap_or_default()).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("{name} in {header:?}"));
    let row = (1..sheet.height())
        .find(|r| sheet.get((*r, col("隐患描述"))) == Some(&calamine::Data::String("配电柜前堆放杂物".into())))
        .unwrap();
    let papers = sheet.get((row, col("执法文书"))).unwrap().to_string();
    assert!(papers.contains(&format!("泽县工信责改〔{year}〕第1号")) && papers.contains("复查"), "{papers}");
    assert_eq!(sheet.get((row, col("单位"))).unwrap().to_string(), "泽州丹河机械制造有限公司");
    assert_eq!(sheet.get((row, col("县区"))).unwrap().to_string(), "泽州县");

    // In Word: the bureau and the paper's name, the number, the hazards with their deadlines,
    // the 落款 and the page numbers.
    let r = t.get(&f.county.token, &format!("/api/v1/papers/{id}/paper.docx")).await;
    assert_eq!(r.status(), 200);
    let disposition = r.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(disposition.contains("filename*=UTF-8''") && disposition.contains("%E8%B4%A3"), "{disposition}");
    let bytes = r.bytes().await.unwrap();
    let xml = docx_part(&bytes, "word/document.xml");
    for text in [
        "泽州县工业和信息化局",
        "责令限期整改指令书",
        &format!("泽县工信责改〔{year}〕第1号"),
        "行车钢丝绳断丝超标",
        "整改期限",
        "（印章）",
        "签收",
    ] {
        assert!(xml.contains(text), "{text} missing from the order");
    }
    let footer = docx_part(&bytes, "word/footer1.xml");
    assert!(footer.contains("PAGE") && footer.contains("NUMPAGES"));
    t.finish().await;
});

on_both_databases!(papers_issued_at_once_take_every_number_once_without_gaps, |backend| async move {
    let t = TestApp::start(backend).await;
    let f = firm(&t).await;
    let mut ids = Vec::new();
    for i in 0..12 {
        ids.push(hazard(&t, &f, &format!("隐患{i}"), Some(5)).await);
    }
    let mut set = tokio::task::JoinSet::new();
    for id in &ids {
        let (http, url, token) = (t.http.clone(), t.url("/api/v1/papers"), f.county.token.clone());
        let body = json!({"kind": "rectification_order", "hazard_ids": [id]});
        set.spawn(async move {
            let r = http.post(url).bearer_auth(token).json(&body).send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap_or(Value::Null))
        });
    }
    let answers = set.join_all().await;
    let mut seqs: Vec<i64> = answers
        .iter()
        .map(|(st, v)| {
            assert_eq!(*st, 201, "{v}");
            v["seq"].as_i64().unwrap()
        })
        .collect();
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=12).collect::<Vec<_>>(), "each number once, none skipped");
    t.finish().await;
});

on_both_databases!(a_site_record_says_what_was_checked_and_found, |backend| async move {
    let t = TestApp::start(backend).await;
    let f = firm(&t).await;
    let deadline = t.clock.now_value() + Duration::days(7);
    let inspection = json!({
        "org_id": f.org_id, "kind": "spot_check", "summary": "行业管理企业抽查",
        "findings": [
            {"item": "安全通道畅通", "passed": true},
            {"item": "灭火器在有效期内", "passed": false, "note": "2具过期",
             "hazard": {"description": "仓库灭火器过期", "grade": "general", "measures": "更换灭火器", "deadline": deadline}}
        ]
    });
    let (st, ins) = post(&t, &f.county.token, "/api/v1/inspections", inspection).await;
    assert_eq!(st, 201, "{ins}");
    let ins_id = ins["id"].as_i64().unwrap();
    let (st, p) =
        post(&t, &f.county.token, "/api/v1/papers", json!({"kind": "site_record", "inspection_id": ins_id})).await;
    assert_eq!(st, 201, "{p}");
    assert_eq!(p["content"]["checked"].as_array().unwrap().len(), 2);
    assert_eq!(p["content"]["checked"][1][1], "不合格：2具过期");
    assert_eq!(p["content"]["items"][0]["description"], "仓库灭火器过期");
    // The order from the same inspection lists its open hazard.
    let (st, o) =
        post(&t, &f.county.token, "/api/v1/papers", json!({"kind": "rectification_order", "inspection_id": ins_id}))
            .await;
    assert_eq!(st, 201, "{o}");
    assert_eq!(o["content"]["items"][0]["description"], "仓库灭火器过期");
    assert_eq!(o["inspection_id"], ins_id);
    t.finish().await;
});

// The demo city a bureau believes: a question bank and principals who passed, failed and were
// retested; warehouses with a minute's readings for a day and a half, an excursion alarmed and
// resolved, hourly rounds; progress reports; crossing inspections; papers of every kind; typical
// cases with photos; tips at every stage — and the overdue list groups the patrol misses.
on_both_databases!(the_demo_city_runs_a_whole_campaign, |backend| async move {
    let t = TestApp::start(backend).await;
    t.demo(30).await;
    let count = |sql: String| {
        let store = &t.store;
        async move { store.sql_texts(&sql).await.unwrap()[0].parse::<i64>().unwrap() }
    };
    assert!(count("SELECT COUNT(*) FROM questions".into()).await >= 60, "a bank for the plan's paper");
    assert!(count("SELECT COUNT(*) FROM sittings WHERE passed = false".into()).await >= 2, "principals who failed");
    assert!(
        count("SELECT COUNT(DISTINCT user_id) FROM sittings WHERE passed = false AND user_id IN (SELECT user_id FROM sittings WHERE passed = true)".into()).await >= 1,
        "a principal who failed and passed the retest"
    );
    assert!(
        count("SELECT COUNT(*) FROM orgs WHERE supervision_level = 'key'".into()).await >= 1,
        "a failed retest raises the level"
    );
    let sensors = count("SELECT COUNT(*) FROM sensors".into()).await;
    assert!(sensors >= 2, "every warehouse has its sensors");
    assert!(
        count("SELECT COUNT(*) FROM readings".into()).await >= sensors * 36 * 60,
        "a reading a minute for 36 hours"
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM alarms WHERE kind = 'high' AND state = 'resolved' AND note <> ''".into()).await,
        1,
        "the excursion, handled"
    );
    assert!(count("SELECT COUNT(*) FROM patrol_checkins".into()).await >= 60, "hourly rounds");
    assert!(count("SELECT COUNT(*) FROM task_reports".into()).await >= 20, "progress reports on the tasks");
    assert!(
        count("SELECT COUNT(*) FROM inspections WHERE site_id IS NOT NULL".into()).await >= 1,
        "crossings inspected"
    );
    for kind in ["site_record", "rectification_order", "review_opinion", "supervision_notice"] {
        assert!(count(format!("SELECT COUNT(*) FROM papers WHERE kind = '{kind}'")).await >= 1, "a {kind}");
    }
    assert!(count("SELECT COUNT(*) FROM typical_cases".into()).await >= 1);
    assert!(
        count("SELECT COUNT(*) FROM attachments WHERE owner_type = 'hazard' AND role = 'after'".into()).await >= 1,
        "after photos"
    );
    for state in ["received", "assigned", "concluded", "reward_proposed", "closed"] {
        assert!(count(format!("SELECT COUNT(*) FROM tips WHERE state = '{state}'")).await >= 1, "a tip {state}");
    }
    // The city's overdue list in Excel: an hourly patrol's misses come a warehouse and a day a row.
    let zezhou = t.org_by_code("bureau-jincheng").await;
    let city = t.user("demo.city", "city_staff", Some(zezhou.id)).await;
    let cookie = t.sign_in(&city).await;
    let sheet = crate::page_sheet(&t, &cookie, "/compliance/overdue.xlsx", "逾期未完成").await;
    let windows: Vec<String> =
        (1..sheet.height()).map(|r| sheet.get((r, 3)).map(|c| c.to_string()).unwrap_or_default()).collect();
    assert!(
        windows.iter().any(|w| w.contains("个时段")),
        "grouped patrol misses: {:?}",
        &windows[..windows.len().min(5)]
    );
    t.finish().await;
});
