//! Principals' safety tests end to end: the bank from Excel (all or nothing), a sitting drawn by
//! the plan's paper with answers saved as they go, the server's time limit, grading, the plan's
//! escalation to key supervision (and what the obligation engine makes of it), a bureau lowering
//! it again with a reason, the notice and the bureau's list in Excel.

use anjian_test_support::*;
use anjian_test_support::{get_json as get, post_json as post, put_json as put};
use chrono::Duration;
use serde_json::{json, Value};

fn bank(rows: &[(&str, String, &str)]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["题型", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "主题", "难度"].iter().enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, (kind, stem, answer)) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        ws.write_string(r, 0, *kind).unwrap();
        ws.write_string(r, 1, stem).unwrap();
        if *kind != "判断" {
            for (c, o) in ["甲", "乙", "丙", "丁"].iter().enumerate() {
                ws.write_string(r, 2 + c as u16, *o).unwrap();
            }
        }
        ws.write_string(r, 6, *answer).unwrap();
        ws.write_string(r, 7, "安全管理").unwrap();
    }
    wb.save_to_buffer().unwrap()
}

fn good_bank() -> Vec<u8> {
    let mut rows = Vec::new();
    for i in 0..12 {
        rows.push(("单选", format!("单选题{i}"), "A"));
    }
    for i in 0..6 {
        rows.push(("多选", format!("多选题{i}"), "AB"));
    }
    for i in 0..6 {
        rows.push(("判断", format!("判断题{i}"), "正确"));
    }
    bank(&rows)
}

async fn import(t: &TestApp, token: &str, bytes: Vec<u8>) -> (u16, Value) {
    let r = t
        .http
        .post(t.url("/api/v1/tests/questions/import?apply=true"))
        .bearer_auth(token)
        .body(bytes)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

/// Answers every question of a sitting, right ones for the first `right` questions.
async fn answer_all(t: &TestApp, token: &str, sitting: &Value, right: usize) {
    let id = sitting["sitting"]["id"].as_i64().unwrap();
    for (i, q) in sitting["questions"].as_array().unwrap().iter().enumerate() {
        let correct = match q["kind"].as_str().unwrap() {
            "multiple" => json!([0, 1]),
            _ => json!([0]),
        };
        let answer = if i < right { correct } else { json!([1]) };
        let (st, v) =
            put(t, token, &format!("/api/v1/tests/sittings/{id}/answers/{}", q["id"]), json!({"answer": answer})).await;
        assert_eq!(st, 204, "{v}");
    }
}

on_both_databases!(a_failed_retest_raises_the_enterprise_to_key_supervision, |backend| async move {
    let t = TestApp::start(backend).await;
    let zezhou = t.org_by_code("bureau-zezhou").await;
    let county = t.user("zz.test", "county_staff", Some(zezhou.id)).await;
    let (_, org) = post(
        &t,
        &county.token,
        "/api/v1/orgs",
        json!({"name": "泽州晋韵化工有限公司", "kind": "enterprise", "jurisdiction_id": zezhou.jurisdiction_id}),
    )
    .await;
    let org_id = org["id"].as_i64().unwrap();
    let principal = t.user("principal.jy", "principal", Some(org_id)).await;

    // The bank: a bad sheet stores nothing; a good one, once.
    let bad = bank(&[
        ("单选", "好题".into(), "A"),
        ("问答", "坏题型".into(), "A"),
        ("多选", "只有一个答案".into(), "B"),
        ("单选", "超出选项".into(), "E"),
    ]);
    let (st, v) = import(&t, &county.token, bad).await;
    assert_eq!(st, 422, "{v}");
    let fields: Vec<&str> =
        v["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["rows[3].题型", "rows[4].答案", "rows[5].答案"]);
    let (st, v) = post(&t, &principal.token, "/api/v1/tests/sittings", json!({})).await;
    assert_eq!((st, v["error"]["fields"][0]["code"].as_str()), (422, Some("bank_too_small")), "nothing was stored");
    assert_eq!(import(&t, &county.token, good_bank()).await.1["new"], 24);
    assert_eq!(import(&t, &county.token, good_bank()).await.1["existing"], 24);
    let r = t
        .http
        .post(t.url("/api/v1/tests/questions/import?apply=true"))
        .bearer_auth(&principal.token)
        .body(good_bank())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "only bureaus keep the bank");

    // First sitting: 20 questions as the plan's paper asks; starting again returns the same one.
    let (st, s1) = post(&t, &principal.token, "/api/v1/tests/sittings", json!({})).await;
    assert_eq!(st, 201, "{s1}");
    assert_eq!(s1["questions"].as_array().unwrap().len(), 20);
    let kinds: Vec<&str> = s1["questions"].as_array().unwrap().iter().map(|q| q["kind"].as_str().unwrap()).collect();
    assert_eq!(
        (kinds.iter().filter(|k| **k == "single").count(), kinds.iter().filter(|k| **k == "multiple").count()),
        (10, 5)
    );
    let again = post(&t, &principal.token, "/api/v1/tests/sittings", json!({})).await.1;
    assert_eq!(again["sitting"]["id"], s1["sitting"]["id"], "one sitting at a time");
    let id1 = s1["sitting"]["id"].as_i64().unwrap();
    answer_all(&t, &principal.token, &s1, 10).await;
    // A dropped connection loses nothing: the answers are there when the page is opened again.
    let (_, back) = get(&t, &principal.token, &format!("/api/v1/tests/sittings/{id1}")).await;
    assert!(back["questions"].as_array().unwrap().iter().all(|q| !q["given"].as_array().unwrap().is_empty()));
    let q0 = s1["questions"][0]["id"].as_i64().unwrap();
    let (st, v) =
        put(&t, &principal.token, &format!("/api/v1/tests/sittings/{id1}/answers/{q0}"), json!({"answer": [7]})).await;
    assert_eq!((st, v["error"]["fields"][0]["code"].as_str()), (422, Some("invalid_answer")));
    let (st, graded) = post(&t, &principal.token, &format!("/api/v1/tests/sittings/{id1}/submit"), json!({})).await;
    assert_eq!(st, 200);
    assert_eq!((graded["sitting"]["score"].as_i64(), graded["sitting"]["passed"].as_bool()), (Some(50), Some(false)));
    assert_eq!(graded["missed"].as_array().unwrap().len(), 10);
    let (_, results) = get(&t, &county.token, "/api/v1/tests/results").await;
    let row = results.as_array().unwrap().iter().find(|r| r["principal_id"] == principal.id).unwrap().clone();
    assert_eq!((row["standing"].as_str(), row["supervision_level"].as_str()), (Some("retest_due"), Some("general")));
    let (_, inbox) = get(&t, &principal.token, "/api/v1/notifications").await;
    assert!(inbox["items"][0]["title"].as_str().unwrap().contains("须参加复试"), "{inbox}");

    // The county's full-coverage obligation asks for one check of this enterprise …
    let need = |v: &Value| {
        v["current"].as_array().unwrap().iter().find(|o| o["rule_id"] == "county-industry-full-coverage").unwrap()
            ["need"]
            .as_i64()
            .unwrap()
    };
    let before = need(&get(&t, &county.token, "/api/v1/obligations/mine").await.1);

    // Retest failed: key supervision, with the reason kept and audited.
    let (_, s2) = post(&t, &principal.token, "/api/v1/tests/sittings", json!({})).await;
    let id2 = s2["sitting"]["id"].as_i64().unwrap();
    assert_ne!(id2, id1);
    answer_all(&t, &principal.token, &s2, 12).await;
    let (_, graded) = post(&t, &principal.token, &format!("/api/v1/tests/sittings/{id2}/submit"), json!({})).await;
    assert_eq!(graded["sitting"]["passed"], false);
    let (_, key) = get(&t, &county.token, "/api/v1/orgs/supervision").await;
    let entry =
        key.as_array().unwrap().iter().find(|k| k["org"]["id"] == org_id).expect("on the key-supervision list").clone();
    assert!(entry["change"]["reason"].as_str().unwrap().contains("复试仍不合格"));
    let auditor = t.user("auditor.t", "audit_admin", None).await;
    let (_, audit) = get(&t, &auditor.token, "/api/v1/audit?action=supervision.raise").await;
    assert_eq!(audit["items"].as_array().unwrap().len(), 1, "{audit}");
    // … and twice now: key supervision raises the inspection frequency.
    assert_eq!(need(&get(&t, &county.token, "/api/v1/obligations/mine").await.1), before + 1);

    // The server keeps time: past the limit an answer is refused and the sitting graded.
    let (_, s3) = post(&t, &principal.token, "/api/v1/tests/sittings", json!({})).await;
    let id3 = s3["sitting"]["id"].as_i64().unwrap();
    t.clock.advance(Duration::minutes(61));
    let q = s3["questions"][0]["id"].as_i64().unwrap();
    let (st, v) =
        put(&t, &principal.token, &format!("/api/v1/tests/sittings/{id3}/answers/{q}"), json!({"answer": [0]})).await;
    assert_eq!((st, v["error"]["fields"][0]["code"].as_str()), (422, Some("time_up")));
    let (_, s3) = get(&t, &principal.token, &format!("/api/v1/tests/sittings/{id3}")).await;
    assert_eq!((s3["sitting"]["score"].as_i64(), s3["remaining_seconds"].as_i64()), (Some(0), Some(0)));

    // A bureau lowers the level again, only with a reason.
    let (st, v) = post(
        &t,
        &county.token,
        &format!("/api/v1/orgs/{org_id}/supervision-level"),
        json!({"level": "general", "reason": " "}),
    )
    .await;
    assert_eq!((st, v["error"]["fields"][0]["code"].as_str()), (422, Some("required")));
    let (st, _) = post(
        &t,
        &county.token,
        &format!("/api/v1/orgs/{org_id}/supervision-level"),
        json!({"level": "general", "reason": "整改到位，复核通过"}),
    )
    .await;
    assert_eq!(st, 200);
    let (_, notice) = get(&t, &county.token, &format!("/api/v1/orgs/{org_id}/test-notice")).await;
    assert_eq!(
        (
            notice["supervision_level"].as_str(),
            notice["scores"].as_array().unwrap().len(),
            notice["changes"].as_array().unwrap().len()
        ),
        (Some("general"), 3, 2)
    );
    assert_eq!(
        post(
            &t,
            &principal.token,
            &format!("/api/v1/orgs/{org_id}/supervision-level"),
            json!({"level": "key", "reason": "x"})
        )
        .await
        .0,
        403
    );

    // The bureau's list in Excel, and the pages.
    let r = t.get(&county.token, "/api/v1/tests/results.xlsx").await;
    assert_eq!(r.status(), 200);
    use calamine::Reader;
    let mut x: calamine::Xlsx<_> =
        calamine::Xlsx::new(std::io::Cursor::new(r.bytes().await.unwrap().to_vec())).unwrap();
    let range = crate::filed(x.worksheet_range("安全测试情况").unwrap());
    assert_eq!(range.get((1, 0)).unwrap().to_string(), "泽州晋韵化工有限公司");
    assert_eq!(range.get((1, 5)).unwrap().to_string(), "复试不合格");
    let cookie = t.sign_in(&principal).await;
    let (_, _, html) = t.page(&cookie, "/tests").await;
    let csrf = hidden(&html, "_csrf").unwrap();
    let (st, loc, _) = t.post_form(&cookie, "/tests/start", &[("_csrf", &csrf)]).await;
    assert_eq!(st, 303);
    let loc = loc.unwrap();
    let (_, _, html) = t.page(&cookie, &loc).await;
    assert!(html.contains("保存并下一题"));
    let qid = hidden(&html, "question_id").unwrap();
    let (st, next, _) = t
        .post_form(
            &cookie,
            &loc,
            &[("_csrf", &csrf), ("q", "0"), ("question_id", &qid), ("choice", "0"), ("go", "next")],
        )
        .await;
    assert_eq!((st, next.as_deref()), (303, Some(format!("{loc}?q=1").as_str())));
    let (_, _, html) = t.page(&cookie, &format!("{loc}?q=0")).await;
    assert!(html.contains("value=\"0\" checked"), "the answer was saved");
    let ccookie = t.sign_in(&county).await;
    let (st, _, html) = t.page(&ccookie, &format!("/orgs/{org_id}/notice")).await;
    assert_eq!(st, 200);
    assert!(html.contains("安全测试成绩公告") && html.contains("整改到位，复核通过"));
    t.finish().await;
});

on_both_databases!(key_supervision_is_owed_from_the_month_it_is_decided, |backend| async move {
    let t = TestApp::start(backend).await;
    let zezhou = t.org_by_code("bureau-zezhou").await;
    let county = t.user("ks.county", "county_staff", Some(zezhou.id)).await;
    let body =
        json!({"name": "泽州重点监管测试有限公司", "kind": "enterprise", "jurisdiction_id": zezhou.jurisdiction_id});
    let (st, org) = post(&t, &county.token, "/api/v1/orgs", body).await;
    assert_eq!(st, 201, "{org}");
    let org_id = org["id"].as_i64().unwrap();
    // Registered in August; raised to key supervision on 10 October.
    t.clock.advance(Duration::days(56));
    let raise = json!({"level": "key", "reason": "多次检查发现重大隐患"});
    let (st, v) = post(&t, &county.token, &format!("/api/v1/orgs/{org_id}/supervision-level"), raise).await;
    assert_eq!(st, 200, "{v}");
    let (_, mine) = get(&t, &county.token, "/api/v1/obligations/mine").await;
    let key_rule = |o: &&Value| o["rule_id"] == "key-enterprise-inspection";
    let overdue: Vec<&Value> = mine["overdue"].as_array().unwrap().iter().filter(key_rule).collect();
    assert!(overdue.is_empty(), "August and September were not owed at the key level: {overdue:?}");
    let october = mine["current"].as_array().unwrap().iter().find(key_rule).expect("October's key inspections");
    assert_eq!((october["targets"].as_i64(), october["status"].as_str()), (Some(1), Some("due")), "{october}");
    t.finish().await;
});

// The plan decides what a first failure does and whether the notice posts scores: a plan that
// raises the level at once, and posts only who passed, is followed to the letter.
on_both_databases!(the_plan_decides_the_first_fail_and_whether_scores_are_posted, |backend| async move {
    let t = TestApp::start(backend).await;
    let stricter = SEED_PLAN.replacen("on_first_fail = \"retest\"", "on_first_fail = \"raise_level\"", 1).replacen(
        "publish_scores = true",
        "publish_scores = false",
        1,
    );
    t.app.import_plan(None, &stricter).await.expect("the revised plan imports");
    let zezhou = t.org_by_code("bureau-zezhou").await;
    let county = t.user("zz.strict", "county_staff", Some(zezhou.id)).await;
    let (_, org) = post(
        &t,
        &county.token,
        "/api/v1/orgs",
        json!({"name": "泽州严格化工有限公司", "kind": "enterprise", "jurisdiction_id": zezhou.jurisdiction_id}),
    )
    .await;
    let org_id = org["id"].as_i64().unwrap();
    let principal = t.user("principal.strict", "principal", Some(org_id)).await;
    assert_eq!(import(&t, &county.token, good_bank()).await.1["new"], 24);
    let (_, s1) = post(&t, &principal.token, "/api/v1/tests/sittings", json!({})).await;
    answer_all(&t, &principal.token, &s1, 10).await;
    let id = s1["sitting"]["id"].as_i64().unwrap();
    let (_, graded) = post(&t, &principal.token, &format!("/api/v1/tests/sittings/{id}/submit"), json!({})).await;
    assert_eq!(graded["sitting"]["passed"], false);
    // Raised at the first failure, with no retest to wait for and no retest notice.
    let (_, notice) = get(&t, &county.token, &format!("/api/v1/orgs/{org_id}/test-notice")).await;
    assert_eq!(notice["supervision_level"], "key", "{notice}");
    let (_, inbox) = get(&t, &principal.token, "/api/v1/notifications").await;
    assert!(!inbox.to_string().contains("须参加复试"), "{inbox}");
    // The notice names who sat and whether they passed, not the score.
    assert_eq!(notice["scores"][0][2], Value::Null, "{notice}");
    assert_eq!(notice["scores"][0][3], false);
    let cookie = t.sign_in(&county).await;
    let (st, _, html) = t.page(&cookie, &format!("/orgs/{org_id}/notice")).await;
    assert_eq!(st, 200);
    assert!(html.contains("不公布") && !html.contains(">50<"), "no score on the posted notice");
    t.finish().await;
});
