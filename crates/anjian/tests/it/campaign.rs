//! The campaign engine end to end: obligations counted from what people record, with their
//! evidence; the compliance matrix and the overdue list (and its Excel); the task board and its
//! progress reports; leaders' monthly reports (and their .docx); weekly analyses; reminders into
//! the inbox and out through a signed, retried webhook, with one instance at a time.

use anjian_test_support::*;
use anjian_test_support::{get_json as get, post_json as post};
use chrono::Duration;
use serde_json::{json, Value};

fn code(v: &Value) -> String {
    v["error"]["fields"][0]["code"].as_str().or(v["error"]["code"].as_str()).unwrap_or("").to_owned()
}

/// The instance of `rule` among `list` (the first one).
fn find<'a>(list: &'a Value, rule: &str) -> &'a Value {
    list.as_array().unwrap().iter().find(|o| o["rule_id"] == rule).unwrap_or_else(|| panic!("no {rule} in {list}"))
}

struct City {
    enterprise: i64,
    principal: TestUser,
    deputy: TestUser,
    county: TestUser,
    other_county: TestUser,
    city: TestUser,
}

async fn city(t: &TestApp) -> City {
    let zezhou = t.org_by_code("bureau-zezhou").await;
    let gaoping = t.org_by_code("bureau-gaoping").await;
    let county = t.user_with("zz.head", "county_staff", Some(zezhou.id), None, Some("bureau_head")).await;
    let other_county = t.user("gp.staff", "county_staff", Some(gaoping.id)).await;
    let city_bureau = t.org_by_code("bureau-jincheng").await;
    let city = t.user("city.staff", "city_staff", Some(city_bureau.id)).await;
    let (st, v) = post(
        t,
        &county.token,
        "/api/v1/orgs",
        json!({"name": "泽州丹河机械制造有限公司", "kind": "enterprise", "jurisdiction_id": zezhou.jurisdiction_id}),
    )
    .await;
    assert_eq!(st, 201, "{v}");
    let enterprise = v["id"].as_i64().unwrap();
    City {
        enterprise,
        principal: t.user("principal.dh", "principal", Some(enterprise)).await,
        deputy: t.user("deputy.dh", "deputy", Some(enterprise)).await,
        county,
        other_county,
        city,
    }
}

// A check dated back into a week that has closed is 补录: it shows as such, and the week stays
// overdue in every count of its period. Within the plan's grace (24 h) it still counts in time.
on_both_databases!(a_late_entry_does_not_rewrite_a_closed_week, |backend| async move {
    let t = TestApp::start(backend).await;
    let c = city(&t).await;
    // The accounts were made on Monday 08-15; two weeks pass with no check.
    let first_week = campaign_monday() + Duration::days(1);
    t.clock.advance(Duration::days(7) + Duration::hours(2)); // Monday 08-22, 12:00: within the grace
    let check = |who: &TestUser, at: chrono::DateTime<chrono::Utc>, summary: &str| {
        let body = json!({"org_id": c.enterprise, "kind": "site_check", "at": at, "summary": summary, "findings": []});
        let (t, token) = (&t, who.token.clone());
        async move { post(t, &token, "/api/v1/inspections", body).await }
    };
    // The deputy enters last Tuesday's check two hours after the week closed: in time.
    let (st, v) = check(&c.deputy, first_week, "上周二现场排查").await;
    assert_eq!(st, 201, "{v}");
    assert_eq!(v["late"], false, "{v}");
    // A week later, the principal dates a check back into that first week: 补录.
    t.clock.advance(Duration::days(7));
    let (st, late) = check(&c.principal, first_week, "补记上上周现场排查").await;
    assert_eq!(st, 201, "{late}");
    assert_eq!(late["late"], true, "{late}");
    assert_eq!(late["recorded_at"].as_str().map(|s| s.starts_with("2022-08-29")), Some(true), "{late}");
    let (_, mine) = get(&t, &c.principal.token, "/api/v1/obligations/mine").await;
    let weeks: Vec<&Value> =
        mine["overdue"].as_array().unwrap().iter().filter(|o| o["rule_id"] == "principal-weekly-site-check").collect();
    let first = weeks.iter().find(|o| o["starts"].as_str() < Some("2022-08-20")).expect("the first week is listed");
    assert_eq!(
        (first["status"].as_str(), first["done"].as_i64(), first["late"].as_i64()),
        (Some("met_late"), Some(0), Some(1))
    );
    assert_eq!(weeks.len(), 2, "both closed weeks still count as overdue: {weeks:?}");
    let link = format!(
        "/api/v1/obligations/principal-weekly-site-check/{}/{}",
        first["subject"].as_str().unwrap(),
        first["window_index"]
    );
    let (_, detail) = get(&t, &c.principal.token, &link).await;
    assert_eq!(
        (detail["evidence"][0]["id"].clone(), detail["evidence"][0]["late"].clone()),
        (late["id"].clone(), json!(true))
    );
    // The deputy's in-time entry made the first week met; the matrix counts the principal's week
    // among the overdue and says it was made up.
    let (_, dmine) = get(&t, &c.deputy.token, "/api/v1/obligations/mine").await;
    assert!(
        !dmine["overdue"].as_array().unwrap().iter().any(|o| o["rule_id"] == "deputy-weekly-site-check"
            && o["starts"].as_str() < Some("2022-08-20")
            && o["status"] != "overdue"),
        "{dmine}"
    );
    let (_, m) = get(&t, &c.county.token, "/api/v1/compliance/matrix").await;
    let col = m["rules"].as_array().unwrap().iter().position(|r| r["id"] == "principal-weekly-site-check").unwrap();
    let row = m["rows"].as_array().unwrap().iter().find(|r| r["org_id"] == c.enterprise).expect("enterprise row");
    assert_eq!(
        (row["cells"][col]["overdue"].as_i64(), row["cells"][col]["met_late"].as_i64()),
        (Some(2), Some(1)),
        "{row}"
    );
    // The page shows the record and the week as 补录.
    let cookie = t.sign_in(&c.county).await;
    let (_, _, html) = t.page(&cookie, &format!("/inspections?org_id={}", c.enterprise)).await;
    assert_eq!(html.matches("class=\"late\"").count(), 1, "one late record among the two");
    let cookie = t.sign_in(&c.principal).await;
    let (_, _, html) = t.page(&cookie, &link.replace("/api/v1", "")).await;
    assert!(html.contains("补录完成") && html.contains("class=\"late\""), "{html}");
    t.finish().await;
});

on_both_databases!(a_point_left_out_of_the_monthly_round_is_named, |backend| async move {
    let t = TestApp::start(backend).await;
    let c = city(&t).await;
    let mut ids = Vec::new();
    for (kind, name) in [("location", "配电室"), ("process", "动火作业")] {
        let path = format!("/api/v1/orgs/{}/points", c.enterprise);
        let (st, p) = post(&t, &c.principal.token, &path, json!({"kind": kind, "name": name})).await;
        assert_eq!(st, 201, "{p}");
        ids.push(p["id"].as_i64().unwrap());
    }
    let body = json!({"org_id": c.enterprise, "kind": "self_inspection", "summary": "月度自查", "covered_point_ids": [ids[0]], "findings": []});
    assert_eq!(post(&t, &c.principal.token, "/api/v1/inspections", body).await.0, 201);
    let (_, mine) = get(&t, &c.principal.token, "/api/v1/obligations/mine").await;
    let all = mine["current"].clone();
    let o = all
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["rule_id"] == "enterprise-monthly-self-inspection")
        .unwrap_or_else(|| panic!("{all}"))
        .clone();
    let link = format!(
        "/api/v1/obligations/enterprise-monthly-self-inspection/{}/{}",
        o["subject"].as_str().unwrap(),
        o["window_index"]
    );
    let (_, d) = get(&t, &c.principal.token, &link).await;
    assert_eq!(d["missing"], json!(["动火作业"]), "named, not numbered: {d}");
    t.finish().await;
});

on_both_databases!(obligations_follow_what_is_recorded_with_the_records_behind_them, |backend| async move {
    let t = TestApp::start(backend).await;
    let c = city(&t).await;
    // Monday 10:00 of a campaign week: the principal's weekly check is due, not yet done.
    let (st, mine) = get(&t, &c.principal.token, "/api/v1/obligations/mine").await;
    assert_eq!(st, 200, "{mine}");
    let weekly = find(&mine["current"], "principal-weekly-site-check");
    assert_eq!(
        (weekly["status"].as_str(), weekly["done"].as_i64(), weekly["need"].as_i64()),
        (Some("due"), Some(0), Some(1))
    );
    // The account was made today: it owes nothing for the weeks of the campaign before it.
    assert!(mine["overdue"].as_array().unwrap().is_empty(), "{mine}");

    let (st, ins) = post(
        &t,
        &c.principal.token,
        "/api/v1/inspections",
        json!({"org_id": c.enterprise, "kind": "site_check", "summary": "周一现场排查", "findings": []}),
    )
    .await;
    assert_eq!(st, 201, "{ins}");
    let (_, mine) = get(&t, &c.principal.token, "/api/v1/obligations/mine").await;
    let weekly = find(&mine["current"], "principal-weekly-site-check");
    assert_eq!(weekly["status"], "met", "{weekly}");
    let link = format!(
        "/api/v1/obligations/{}/{}/{}",
        weekly["rule_id"].as_str().unwrap(),
        weekly["subject"].as_str().unwrap(),
        weekly["window_index"]
    );
    let (st, detail) = get(&t, &c.principal.token, &link).await;
    assert_eq!(st, 200, "{detail}");
    assert_eq!(detail["evidence"][0]["id"], ins["id"]);
    assert_eq!(detail["evidence"][0]["source"], "inspection");
    // The deputy's check by the principal does not count for the deputy.
    let (_, dmine) = get(&t, &c.deputy.token, "/api/v1/obligations/mine").await;
    assert_eq!(find(&dmine["current"], "deputy-weekly-site-check")["done"], 0);
    // Another county's staff cannot see the principal's obligations; the county can.
    assert_eq!(get(&t, &c.other_county.token, &link).await.0, 404);
    assert_eq!(get(&t, &c.county.token, &link).await.0, 200);
    assert_eq!(get(&t, &c.principal.token, "/api/v1/obligations/no-such-rule/org-1/0").await.0, 404);

    // Two weeks later: the principal's week stays met, the deputy's two weeks closed overdue.
    t.clock.advance(Duration::days(14));
    let (_, dmine) = get(&t, &c.deputy.token, "/api/v1/obligations/mine").await;
    let overdue: Vec<&Value> =
        dmine["overdue"].as_array().unwrap().iter().filter(|o| o["rule_id"] == "deputy-weekly-site-check").collect();
    assert!(overdue.len() >= 2, "{dmine}");
    let (_, detail) = get(&t, &c.principal.token, &link).await;
    assert_eq!(detail["obligation"]["status"], "met");
    // The deputy's list in Excel, as the page shows it: this period's, then the overdue ones.
    let cookie = t.sign_in(&c.deputy).await;
    let (_, _, html) = t.page(&cookie, "/obligations").await;
    assert!(html.contains("/obligations/export.xlsx"), "the page offers its sheet");
    let sheet = crate::page_sheet(&t, &cookie, "/obligations/export.xlsx", "履职清单").await;
    let listed = dmine["current"].as_array().unwrap().len() + dmine["overdue"].as_array().unwrap().len();
    assert_eq!(sheet.height(), listed + 1);
    let overdue_rows =
        (1..sheet.height()).filter(|&i| sheet.get((i, 7)).map(|v| v.to_string()).as_deref() == Some("逾期")).count();
    assert!(overdue_rows >= 2, "{overdue_rows} overdue rows");

    // Where the seed contradicts itself (the body asks the deputy for 2 checks a week, task list
    // 2 for 1), every place the rule shows says so and what applies: the obligation, the
    // campaign's rules, the matrix column.
    let said = "任务清单 2 写为 1 次；两处不一致，平台按较严的 2 次执行";
    let deputy_week = overdue[0];
    let link = format!(
        "/obligations/deputy-weekly-site-check/{}/{}",
        deputy_week["subject"].as_str().unwrap(),
        deputy_week["window_index"]
    );
    let (_, _, html) = t.page(&cookie, &link).await;
    assert!(html.contains(said), "the obligation page explains the count");
    let county_cookie = t.sign_in(&c.county).await;
    for page in ["/campaign", "/compliance"] {
        let (_, _, html) = t.page(&county_cookie, page).await;
        assert!(html.contains(said), "{page} explains the count");
    }

    // The county's matrix lists the enterprise; the city's lists the counties.
    let zezhou = t.org_by_code("bureau-zezhou").await;
    let (st, m) = get(&t, &c.county.token, "/api/v1/compliance/matrix").await;
    assert_eq!(st, 200, "{m}");
    let rules: Vec<&str> = m["rules"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    let col = rules.iter().position(|r| *r == "deputy-weekly-site-check").expect("deputy rule in the matrix");
    let row = m["rows"].as_array().unwrap().iter().find(|r| r["org_id"] == c.enterprise).expect("enterprise row");
    assert!(row["cells"][col]["overdue"].as_i64().unwrap() >= 2, "{row}");
    // The same matrix in Excel, from the page: four numeric columns per rule (met, due, overdue,
    // rate), the enterprise's overdue count as a number to sum, a totals row.
    let cookie = county_cookie.clone();
    let sheet = crate::page_sheet(&t, &cookie, "/compliance/export.xlsx", "履职情况").await;
    assert_eq!(sheet.height(), m["rows"].as_array().unwrap().len() + 2, "a header, the rows, the totals");
    let first = 1 + 4 * col;
    let heads: Vec<String> =
        (first..first + 4).map(|c| sheet.get((0, c)).map(|v| v.to_string()).unwrap_or_default()).collect();
    assert_eq!(
        heads,
        [
            "分管负责人每周现场排查·已完成",
            "分管负责人每周现场排查·应完成",
            "分管负责人每周现场排查·逾期",
            "分管负责人每周现场排查·完成率"
        ]
    );
    let line = (1..sheet.height())
        .find(|&i| sheet.get((i, 0)).map(|v| v.to_string()) == row["name"].as_str().map(str::to_owned))
        .expect("the enterprise's row");
    let cell = row["cells"][col].clone();
    let number = |c: usize| match sheet.get((line, c)) {
        Some(calamine::Data::Float(f)) => *f,
        other => panic!("column {c} is not a number: {other:?}"),
    };
    assert_eq!(number(first + 2), cell["overdue"].as_f64().unwrap(), "the overdue count, as the page has it");
    assert_eq!(number(first), cell["met"].as_f64().unwrap());
    let due = number(first + 1);
    if due > 0.0 {
        assert!((number(first + 3) - number(first) / due).abs() < 1e-9, "the rate is met / due");
    }
    let (_, cm) = get(&t, &c.city.token, "/api/v1/compliance/matrix").await;
    let names: Vec<&str> = cm["rows"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"泽州县") && names.contains(&"高平市"), "{names:?}");
    let (_, drill) =
        get(&t, &c.city.token, &format!("/api/v1/compliance/matrix?jurisdiction_id={}", zezhou.jurisdiction_id)).await;
    assert!(drill["rows"].as_array().unwrap().iter().any(|r| r["org_id"] == c.enterprise));
    // A county cannot read another county's matrix; an enterprise no matrix at all.
    let (_, other) = get(
        &t,
        &c.other_county.token,
        &format!("/api/v1/compliance/matrix?jurisdiction_id={}", zezhou.jurisdiction_id),
    )
    .await;
    assert!(other["rows"].as_array().unwrap().iter().all(|r| r["org_id"] != c.enterprise));
    assert_eq!(get(&t, &c.principal.token, "/api/v1/compliance/matrix").await.0, 403);

    // The overdue list, filtered by rule, and the same as Excel.
    let (st, list) = get(&t, &c.county.token, "/api/v1/compliance/overdue?rule=deputy-weekly-site-check").await;
    assert_eq!(st, 200);
    assert!(list.as_array().unwrap().iter().all(|o| o["rule_id"] == "deputy-weekly-site-check"));
    assert!(!list.as_array().unwrap().is_empty());
    assert_eq!(code(&get(&t, &c.county.token, "/api/v1/compliance/overdue?rule=nope").await.1), "unknown_rule");
    let r = t.get(&c.county.token, "/api/v1/compliance/overdue.xlsx?rule=deputy-weekly-site-check").await;
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.unwrap().to_vec();
    use calamine::Reader;
    let mut x: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let range = crate::filed(x.worksheet_range("逾期未完成").unwrap());
    assert_eq!(
        range.height(),
        list.as_array().unwrap().len() + 1,
        "a week's windows are longer than a day: one row each"
    );
    assert_eq!(range.get((1, 0)).map(|c| c.to_string()), Some("分管负责人每周现场排查".to_owned()));
    t.finish().await;
});

on_both_databases!(the_task_board_tracks_progress_reports, |backend| async move {
    let t = TestApp::start(backend).await;
    let c = city(&t).await;
    let (st, b) = get(&t, &c.city.token, "/api/v1/campaign/board").await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["tasks"].as_array().unwrap().len(), 20);
    assert_eq!(b["current_phase"], "集中攻坚阶段");
    let task = |b: &Value, no: i64| b["tasks"].as_array().unwrap().iter().find(|t| t["no"] == no).unwrap().clone();
    assert_eq!(task(&b, 4)["status"], "not_started");
    // Continuous task 1 owes June and July reports by mid-August: overdue.
    assert_eq!(task(&b, 1)["status"], "overdue");
    assert_eq!(task(&b, 1)["months_missing"], json!(["2022-06", "2022-07"]));

    let (st, v) =
        post(&t, &c.city.token, "/api/v1/campaign/tasks/1/reports", json!({"progress": "done", "body": "全面自查"}))
            .await;
    assert_eq!((st, code(&v).as_str()), (422, "continuous_task_never_done"));
    let (st, v) =
        post(&t, &c.city.token, "/api/v1/campaign/tasks/4/reports", json!({"progress": "finished", "body": ""})).await;
    assert_eq!(st, 422);
    let codes: Vec<&str> =
        v["error"]["fields"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["invalid_progress", "required"]);
    assert_eq!(
        post(&t, &c.city.token, "/api/v1/campaign/tasks/99/reports", json!({"progress": "done", "body": "x"})).await.0,
        404
    );
    assert_eq!(
        post(&t, &c.principal.token, "/api/v1/campaign/tasks/4/reports", json!({"progress": "done", "body": "x"}))
            .await
            .0,
        403
    );

    let key = "3f1c2b8e-8d4a-4f0e-9c43-1b2a3c4d5e6f";
    let send = || {
        t.http
            .post(t.url("/api/v1/campaign/tasks/4/reports"))
            .bearer_auth(&c.city.token)
            .header("Idempotency-Key", key)
            .json(&json!({"progress": "done", "body": "已完成全市工业园区专家体检 12 家"}))
            .send()
    };
    assert_eq!(send().await.unwrap().status(), 201);
    assert_eq!(send().await.unwrap().status(), 200, "a retried submit makes no second report");
    let (_, b) = get(&t, &c.city.token, "/api/v1/campaign/board").await;
    let t4 = task(&b, 4);
    assert_eq!(t4["status"], "done");
    assert_eq!(t4["reports"].as_array().unwrap().len(), 1);
    assert_eq!(b["done"], 1);
    // A report saying "done" does not overrule the records: the county's principal safety test
    // (task 19) has an enterprise not yet tested, so the task stays open and the board says both.
    let report = |who: &TestUser, progress: &str, body: &str| {
        let (t, token, body) = (&t, who.token.clone(), json!({"progress": progress, "body": body}));
        async move { post(t, &token, "/api/v1/campaign/tasks/19/reports", body).await }
    };
    assert_eq!(report(&c.county, "done", "已组织测试").await.0, 201);
    let (_, b) = get(&t, &c.county.token, "/api/v1/campaign/board").await;
    let t19 = task(&b, 19);
    assert_eq!(
        (t19["status"].as_str(), t19["reported_done"].as_bool(), t19["rules_short"].as_bool()),
        (Some("in_progress"), Some(true), Some(true)),
        "{t19}"
    );
    let cookie = t.sign_in(&c.county).await;
    let (_, _, html) = t.page(&cookie, "/campaign/board").await;
    assert!(html.contains("id=\"task-19-short\""), "the board shows the report and the shortfall");
    // Only a bureau head closes it, and the reason is kept.
    assert_eq!(report(&c.other_county, "closed", "不再开展").await.0, 403);
    let (st, v) = report(&c.county, "closed", "该企业已停产，经局务会研究结束本任务").await;
    assert_eq!(st, 201, "{v}");
    let (_, b) = get(&t, &c.county.token, "/api/v1/campaign/board").await;
    let t19 = task(&b, 19);
    assert_eq!(t19["status"], "done");
    assert_eq!(t19["closed"]["body"], "该企业已停产，经局务会研究结束本任务");
    // Task 6 was due 09-30 with no report: overdue from 10-01.
    t.clock.set(t.clock.now_value() + Duration::days(48));
    let (_, b) = get(&t, &c.city.token, "/api/v1/campaign/board").await;
    assert_eq!(task(&b, 6)["status"], "overdue");
    assert_eq!(b["current_phase"], "升级管控阶段");
    // The board in Excel from the page: every task, its status, the newest report.
    let cookie = t.sign_in(&c.city).await;
    let sheet = crate::page_sheet(&t, &cookie, "/campaign/board/export.xlsx", "任务进度").await;
    assert_eq!(sheet.height(), b["tasks"].as_array().unwrap().len() + 1);
    let line = |no: f64| (1..sheet.height()).find(|&i| sheet.get((i, 0)) == Some(&calamine::Data::Float(no))).unwrap();
    let text = |row: usize, col: usize| sheet.get((row, col)).map(|v| v.to_string()).unwrap_or_default();
    assert_eq!(text(line(6.0), 6), "逾期");
    assert_eq!(text(line(4.0), 6), "已完成");
    assert!(text(line(4.0), 8).contains("已完成全市工业园区专家体检 12 家"), "{}", text(line(4.0), 8));
    // A county sees its own reports, not the city's.
    let (_, cb) = get(&t, &c.county.token, "/api/v1/campaign/board").await;
    assert_eq!(task(&cb, 4)["reports"].as_array().unwrap().len(), 0);
    t.finish().await;
});

on_both_databases!(a_leaders_monthly_report_is_drafted_from_the_records_and_submitted, |backend| async move {
    let t = TestApp::start(backend).await;
    let c = city(&t).await;
    let city_bureau = t.org_by_code("bureau-jincheng").await;
    // 连陆军: liaison county 泽州, industries parks and explosives.
    let leader = t.user_with("leader.lian", "city_leader", Some(city_bureau.id), Some("lian-lujun"), None).await;
    let (st, v) = post(
        &t,
        &leader.token,
        "/api/v1/inspections",
        json!({"org_id": c.enterprise, "kind": "liaison_check", "summary": "督导检查丹河机械", "findings": []}),
    )
    .await;
    assert_eq!(st, 201, "{v}");
    let (_, leaders) = get(&t, &leader.token, "/api/v1/liaison/leaders").await;
    let lian = leaders.as_array().unwrap().iter().find(|l| l["code"] == "lian-lujun").unwrap();
    assert_eq!(lian["counties"], json!(["泽州县"]));
    assert_eq!(find(&lian["obligations"], "liaison-weekly-county-check")["status"], "met");
    assert_eq!(
        find(&lian["obligations"], "liaison-weekly-industry-check")["status"],
        "due",
        "an ordinary enterprise is not his industry"
    );

    // In his county: a hazard found in July and closed now, in August; another found now and
    // left past its deadline. August counts the first as closed and the second as overdue — in
    // the report's text and in its table alike.
    let july = campaign_monday() - Duration::days(20);
    let finding = json!({"item": "消防通道", "passed": false, "hazard": {"description": "消防通道堵塞", "grade": "general", "deadline": t.clock.now_value() + Duration::days(1)}});
    let body =
        json!({"org_id": c.enterprise, "kind": "site_check", "at": july, "summary": "七月检查", "findings": [finding]});
    let (st, ins) = post(&t, &c.principal.token, "/api/v1/inspections", body).await;
    assert_eq!(st, 201, "{ins}");
    let (_, detail) = get(&t, &c.principal.token, &format!("/api/v1/inspections/{}", ins["id"])).await;
    let closed_id = detail["findings"][0]["hazard_id"].as_i64().unwrap();
    for (who, action) in
        [(&c.principal, "start_rectifying"), (&c.principal, "submit_rectification"), (&c.county, "verify")]
    {
        let (st, v) =
            post(&t, &who.token, &format!("/api/v1/hazards/{closed_id}/actions"), json!({"action": action})).await;
        assert_eq!(st, 200, "{action}: {v}");
    }
    let late = json!({"org_id": c.enterprise, "description": "配电室门锁损坏", "grade": "general", "deadline": t.clock.now_value() + Duration::days(1)});
    assert_eq!(post(&t, &c.principal.token, "/api/v1/hazards", late).await.0, 201);
    t.clock.advance(Duration::days(2));
    let (st, r) = get(&t, &leader.token, "/api/v1/liaison/reports/2022-08").await;
    assert_eq!(st, 200, "{r}");
    let body = r["body"].as_str().unwrap();
    assert!(body.contains("泽州县：本月发现隐患 1 项（其中重大隐患 0 项），已销号 1 项"), "{body}");
    assert!(body.contains("泽州县：逾期未整改隐患 1 项") && !body.contains("无逾期未完成事项"), "{body}");
    assert!(body.contains("本月共开展安全生产督导检查 1 次"), "{body}");
    assert!(body.contains("督导检查丹河机械"));
    assert!(!body.contains("包联工作每月书面报告"), "the report is not a duty of its own text: {body}");
    assert!(r["latest"].is_null());

    let put =
        |b: Value| t.http.put(t.url("/api/v1/liaison/reports/2022-08")).bearer_auth(&leader.token).json(&b).send();
    let edited = format!("{body}\n下周重点检查民爆企业。");
    assert_eq!(put(json!({"body": edited})).await.unwrap().status(), 200);
    let r = put(json!({"body": edited})).await.unwrap();
    assert_eq!(r.status(), 422, "the same draft twice is refused");
    let r = put(json!({"body": edited, "submit": true})).await.unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!((v["version"].as_i64(), v["state"].as_str()), (Some(2), Some("submitted")));
    let (_, mine) = get(&t, &leader.token, "/api/v1/obligations/mine").await;
    assert_eq!(find(&mine["current"], "liaison-monthly-report")["status"], "met");
    // July's report submitted now is July's, entered late — not a second one for August.
    let r = t
        .http
        .put(t.url("/api/v1/liaison/reports/2022-07"))
        .bearer_auth(&leader.token)
        .json(&json!({"body": "七月包联工作情况（补报）", "submit": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (_, mine) = get(&t, &leader.token, "/api/v1/obligations/mine").await;
    let july = mine["overdue"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["rule_id"] == "liaison-monthly-report" && o["window"].as_str().is_some_and(|w| w.contains('7')))
        .unwrap_or_else(|| panic!("{mine}"));
    assert_eq!(july["status"], "met_late", "{july}");
    // Someone else cannot write a leader's report; the city bureau can read it.
    let r = t
        .http
        .put(t.url("/api/v1/liaison/reports/2022-08"))
        .bearer_auth(&c.city.token)
        .json(&json!({"body": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let (st, r) = get(&t, &c.city.token, "/api/v1/liaison/reports/2022-08?leader=lian-lujun").await;
    assert_eq!((st, r["versions"].as_i64()), (200, Some(2)));
    assert!(r["body"].as_str().unwrap().ends_with("下周重点检查民爆企业。"));
    assert_eq!(code(&get(&t, &leader.token, "/api/v1/liaison/reports/2022-13").await.1), "invalid_period");

    // A hazard filed in his county this month is in the document's chart and table.
    let hazard = json!({"org_id": c.enterprise, "description": "配电柜未上锁", "grade": "general"});
    assert_eq!(post(&t, &c.principal.token, "/api/v1/hazards", hazard).await.0, 201);
    // The .docx opens as a Word document with the report's text.
    let r = t.get(&leader.token, "/api/v1/liaison/reports/2022-08/export.docx").await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().contains("wordprocessingml"));
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(r.bytes().await.unwrap().to_vec())).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut z.by_name("word/document.xml").unwrap(), &mut xml).unwrap();
    assert!(xml.contains("2022年8月包联工作开展和分析研判情况报告"));
    assert!(xml.contains("下周重点检查民爆企业。"));
    assert!(!xml.contains("版（已报送）") && !xml.contains("草稿"), "a version line is not part of what is submitted");
    assert!(xml.contains("附：各县（市、区）隐患发现与销号"), "the appendix with the chart");
    // The chart is a Word chart naming the counties; the leader signs it, dated; pages numbered.
    let mut chart = String::new();
    std::io::Read::read_to_string(&mut z.by_name("word/charts/chart1.xml").unwrap(), &mut chart).unwrap();
    assert!(chart.contains("<c:v>泽州县</c:v>") && chart.contains("<c:v>发现</c:v>"), "{chart}");
    let (_, report) = get(&t, &leader.token, "/api/v1/liaison/reports/2022-08").await;
    let name = report["leader_name"].as_str().unwrap().to_owned();
    let signed = xml.rfind(&name).unwrap_or_else(|| panic!("{name} signs it"));
    assert!(xml[signed..].contains("2022年8月"), "the 落款: the leader, then the date");
    let mut footer = String::new();
    std::io::Read::read_to_string(&mut z.by_name("word/footer1.xml").unwrap(), &mut footer).unwrap();
    assert!(footer.contains("NUMPAGES"), "第 X 页 共 Y 页");
    let cells: Vec<&str> =
        xml.split("<w:t xml:space=\"preserve\">").skip(1).map(|c| c.split('<').next().unwrap()).collect();
    let zezhou = cells.iter().position(|c| *c == "泽州县").expect("his county's row");
    assert_eq!(&cells[zezhou + 1..zezhou + 3], ["2", "1"], "found 2, closed 1 this month, as the text counts");
    // The city's cockpit for the county gives August the same figures.
    let zz = t.org_by_code("bureau-zezhou").await;
    let (_, cockpit) = get(&t, &c.city.token, &format!("/api/v1/cockpit?jurisdiction_id={}", zz.jurisdiction_id)).await;
    let months = cockpit["months"].as_array().unwrap();
    let aug = months.iter().position(|m| m == "2022-08").expect("August on the axis");
    assert_eq!((cockpit["found"][aug].as_u64(), cockpit["closed"][aug].as_u64()), (Some(2), Some(1)), "{cockpit}");
    assert!(z.by_name("word/charts/chart1.xml").is_ok(), "the chart is in it");

    // The county head's weekly analysis counts for the bureau-weekly-analysis rule.
    let (st, v) = post(
        &t,
        &c.county.token,
        "/api/v1/weekly-analyses",
        json!({"analysis": "本周隐患集中在机械行业", "arrangements": "下周开展专项检查"}),
    )
    .await;
    assert_eq!(st, 201, "{v}");
    assert_eq!(v["week_start"], "2022-08-15");
    let (_, mine) = get(&t, &c.county.token, "/api/v1/obligations/mine").await;
    assert_eq!(find(&mine["current"], "bureau-weekly-analysis")["status"], "met");
    let (st, v) = post(
        &t,
        &c.county.token,
        "/api/v1/weekly-analyses",
        json!({"week_start": "2022-09-05", "analysis": "x", "arrangements": ""}),
    )
    .await;
    assert_eq!(st, 422);
    let codes: Vec<&str> =
        v["error"]["fields"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["in_future", "required"]);
    assert_eq!(get(&t, &c.county.token, "/api/v1/weekly-analyses").await.1.as_array().unwrap().len(), 1);
    let cookie = t.sign_in(&c.county).await;
    let range = crate::page_sheet(&t, &cookie, "/weekly-analyses/export.xlsx", "分析研判").await;
    assert_eq!(range.get((1, 3)).unwrap().to_string(), "本周隐患集中在机械行业");
    t.finish().await;
});

/// A webhook receiver on a random port that refuses its first `fail` deliveries.
async fn receiver(fail: usize) -> (String, std::sync::Arc<std::sync::Mutex<Vec<(axum::http::HeaderMap, String)>>>) {
    use std::sync::{Arc, Mutex};
    let got: Arc<Mutex<Vec<(axum::http::HeaderMap, String)>>> = Arc::default();
    let seen = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (g, s) = (got.clone(), seen.clone());
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
            let (g, s) = (g.clone(), s.clone());
            async move {
                if s.fetch_add(1, std::sync::atomic::Ordering::SeqCst) < fail {
                    return axum::http::StatusCode::SERVICE_UNAVAILABLE;
                }
                g.lock().unwrap().push((headers, body));
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    (format!("http://{addr}/hook"), got)
}

on_both_databases!(reminders_reach_the_inbox_and_a_signed_webhook_once, |backend| async move {
    let (url, got) = receiver(1).await;
    let secret = b"webhook-secret-for-tests-0123456".to_vec();
    let t = TestApp::start_with_settings(backend, |s| {
        s.webhook_url = Some(url.clone());
        s.webhook_secret = secret.clone();
    })
    .await;
    let c = city(&t).await;
    // Saturday 10:00: more than three quarters of the week gone, the principal's check not done.
    t.clock.set(campaign_monday() + Duration::days(5));
    let run = t.app.run_reminders("instance-a").await.unwrap().expect("lease taken");
    assert!(run.due_soon >= 1, "{run:?}");
    assert_eq!(t.app.run_reminders("instance-b").await.unwrap(), None, "the other instance waits for the lease");
    let again = t.app.run_reminders("instance-a").await.unwrap().unwrap();
    assert_eq!((again.due_soon, again.overdue), (0, 0), "a reminder is sent once");
    let (_, inbox) = get(&t, &c.principal.token, "/api/v1/notifications").await;
    assert!(inbox["unread"].as_u64().unwrap() >= 1);
    let item = inbox["items"].as_array().unwrap().iter().find(|n| n["kind"] == "due_soon").expect("due_soon").clone();
    assert!(item["title"].as_str().unwrap().contains("主要负责人每周现场排查"), "{item}");
    // The digest went out too (it is past 08:00).
    assert!(inbox["items"].as_array().unwrap().iter().any(|n| n["kind"] == "digest"));
    // The inbox in Excel: every message, unread ones marked.
    let cookie = t.sign_in(&c.principal).await;
    let sheet = crate::page_sheet(&t, &cookie, "/inbox/export.xlsx", "消息").await;
    assert_eq!(sheet.height(), inbox["items"].as_array().unwrap().len() + 1);
    assert!((1..sheet.height()).any(|i| sheet
        .get((i, 1))
        .map(|v| v.to_string())
        .unwrap_or_default()
        .contains("主要负责人每周现场排查")));
    assert!((1..sheet.height()).all(|i| sheet.get((i, 3)).map(|v| v.to_string()).as_deref() == Some("未读")));

    // Monday 01:00: the week closed short; the lease has expired, so another instance runs.
    t.clock.set(campaign_monday() + Duration::days(7) - Duration::hours(9));
    let run = t.app.run_reminders("instance-b").await.unwrap().expect("expired lease taken over");
    assert!(run.overdue >= 1, "{run:?}");
    let (_, inbox) = get(&t, &c.principal.token, "/api/v1/notifications").await;
    let overdue = inbox["items"].as_array().unwrap().iter().find(|n| n["kind"] == "overdue").unwrap().clone();
    assert!(overdue["link"].as_str().unwrap().starts_with("/obligations/"));

    // Webhooks: the first attempt meets a 503 and waits; the retry is delivered and signed.
    let client = reqwest::Client::new();
    let first = t.app.deliver_webhooks("instance-b", &client).await.unwrap().unwrap();
    assert_eq!(first.retrying, 1, "{first:?}");
    let waiting = t.app.deliver_webhooks("instance-b", &client).await.unwrap().unwrap();
    assert_eq!(waiting.delivered + waiting.retrying, 0, "nothing is due before the back-off");
    t.clock.advance(Duration::seconds(31));
    let second = t.app.deliver_webhooks("instance-b", &client).await.unwrap().unwrap();
    assert_eq!(second.retrying, 0);
    let received = got.lock().unwrap().clone();
    let total = first.delivered + second.delivered;
    assert_eq!(received.len(), total);
    assert!(total >= 3, "due_soon, digest and overdue at least: {total}");
    for (headers, body) in &received {
        let ts: i64 = headers["x-anjian-timestamp"].to_str().unwrap().parse().unwrap();
        let sig = headers["x-anjian-signature"].to_str().unwrap();
        assert_eq!(sig, anjian_app::reminders::webhook_signature(&secret, ts, body));
        assert_ne!(sig, anjian_app::reminders::webhook_signature(b"another key", ts, body));
        let v: Value = serde_json::from_str(body).unwrap();
        assert!(v["user"].is_string() && v["title"].is_string());
    }

    // Reading marks it read; the count drops; another user's id changes nothing.
    let (st, v) = post(&t, &c.principal.token, "/api/v1/notifications/read", json!({"id": item["id"]})).await;
    assert_eq!((st, v["marked"].as_u64()), (200, Some(1)));
    let (_, v) = post(&t, &c.deputy.token, "/api/v1/notifications/read", json!({"id": overdue["id"]})).await;
    assert_eq!(v["marked"], 0);
    let (_, after) = get(&t, &c.principal.token, "/api/v1/notifications").await;
    assert_eq!(after["unread"].as_u64().unwrap() + 1, inbox["unread"].as_u64().unwrap());
    t.finish().await;
});

on_both_databases!(campaign_pages_render_in_chinese_and_refuse_forged_forms, |backend| async move {
    let t = TestApp::start(backend).await;
    let c = city(&t).await;
    let cookie = t.sign_in(&c.principal).await;
    let (st, _, html) = t.page(&cookie, "/obligations").await;
    assert_eq!(st, 200);
    assert!(html.contains("我的任务") && html.contains("主要负责人每周现场排查"), "{html}");
    let (st, _, html) = t.page(&cookie, "/inbox").await;
    assert_eq!(st, 200);
    assert!(html.contains("暂无提醒"));
    assert_eq!(t.page(&cookie, "/compliance").await.0, 403);

    let city_bureau = t.org_by_code("bureau-jincheng").await;
    let leader = t.user_with("leader.jin", "city_leader", Some(city_bureau.id), Some("jin-haifeng"), None).await;
    let lcookie = t.sign_in(&leader).await;
    for (path, text) in [
        ("/compliance", "履职督办矩阵"),
        ("/compliance/overdue", "逾期未完成清单"),
        ("/campaign/board", "任务看板"),
        ("/liaison", "靳海峰"),
        ("/liaison/report", "包联工作月度书面报告"),
        ("/weekly-analyses", "每周分析研判和安排部署"),
    ] {
        let (st, _, html) = t.page(&lcookie, path).await;
        assert_eq!(st, 200, "{path}");
        assert!(html.contains(text), "{path}: {text}");
    }
    let (st, _, _) =
        t.post_form(&lcookie, "/liaison/report", &[("_csrf", "forged"), ("month", "2022-08"), ("body", "x")]).await;
    assert_eq!(st, 403);
    let (_, _, html) = t.page(&lcookie, "/liaison/report").await;
    let csrf = hidden(&html, "_csrf").unwrap();
    let (st, loc, _) = t
        .post_form(
            &lcookie,
            "/liaison/report",
            &[("_csrf", &csrf), ("month", "2022-08"), ("body", "本月报告"), ("submit", "1")],
        )
        .await;
    assert_eq!((st, loc.as_deref()), (303, Some("/liaison/report?month=2022-08&saved=1")));
    let (_, _, html) = t.page(&lcookie, "/liaison/report?month=2022-08").await;
    assert!(by_id(&html, "report-state").unwrap().contains("已报送"));
    let r = t.http.get(t.url("/compliance/overdue.xlsx")).header("cookie", &lcookie).send().await.unwrap();
    assert_eq!(r.status(), 200);
    // The leaders' overview in Excel: every leader of the plan, the page's duties with status.
    let sheet = crate::page_sheet(&t, &lcookie, "/liaison/export.xlsx", "包联工作").await;
    let (_, leaders) = get(&t, &leader.token, "/api/v1/liaison/leaders").await;
    let duties: usize =
        leaders.as_array().unwrap().iter().map(|l| l["obligations"].as_array().unwrap().len().max(1)).sum();
    assert_eq!(sheet.height(), duties + 1, "a row per leader and duty");
    let jin = (1..sheet.height())
        .find(|&i| sheet.get((i, 0)).map(|v| v.to_string()).unwrap_or_default().contains("靳海峰"))
        .expect("his rows");
    assert!(!sheet.get((jin, 6)).map(|v| v.to_string()).unwrap_or_default().is_empty(), "with a status");
    t.finish().await;
});

on_both_databases!(
    inspections_of_crossings_count_for_full_coverage_and_drill_down_by_organisation,
    |backend| async move {
        let t = TestApp::start(backend).await;
        t.demo(20).await;
        let zezhou = t.org_by_code("bureau-zezhou").await;
        let county = t.user("zz.cov", "county_staff", Some(zezhou.id)).await;
        let other = t.user("gp.cov", "county_staff", Some(t.org_by_code("bureau-gaoping").await.id)).await;
        // The demo's railway operator sits at the city level; its crossings lie in the counties.
        let (_, orgs) = get(&t, &county.token, "/api/v1/orgs?kind=railway_operator").await;
        assert!(orgs["items"].as_array().unwrap().is_empty(), "the operator is outside the county's scope");
        let city = t.user("city.cov", "city_staff", Some(t.org_by_code("bureau-jincheng").await.id)).await;
        let (_, orgs) = get(&t, &city.token, "/api/v1/orgs?kind=railway_operator").await;
        let operator = orgs["items"][0]["id"].as_i64().unwrap();
        let (_, sites) = get(&t, &city.token, &format!("/api/v1/orgs/{operator}/sites")).await;
        let (_, county_sites) = get(&t, &county.token, &format!("/api/v1/orgs/{operator}/sites")).await;
        assert!(county_sites.as_array().unwrap().iter().all(|s| s["jurisdiction_id"] == zezhou.jurisdiction_id));
        let crossings: Vec<(i64, i64)> = sites
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["id"].as_i64().unwrap(), s["jurisdiction_id"].as_i64().unwrap()))
            .collect();
        let in_zezhou: Vec<i64> = crossings.iter().filter(|c| c.1 == zezhou.jurisdiction_id).map(|c| c.0).collect();
        let elsewhere = crossings.iter().find(|c| c.1 != zezhou.jurisdiction_id).unwrap().0;
        assert!(!in_zezhou.is_empty());

        let check = |token: String, site: i64| {
            let body = json!({"org_id": operator, "site_id": site, "kind": "full_coverage_check", "summary": "道口全覆盖检查", "findings": []});
            let req = t.http.post(t.url("/api/v1/inspections")).bearer_auth(token).json(&body);
            async move {
                let r = req.send().await.unwrap();
                (r.status().as_u16(), r.json::<Value>().await.unwrap_or(Value::Null))
            }
        };
        let (st, v) = check(county.token.clone(), elsewhere).await;
        assert_eq!((st, code(&v).as_str()), (422, "not_found"), "another county's crossing: {v}");
        assert_eq!(v["error"]["fields"][0]["field"], "site_id");
        let (st, v) = check(county.token.clone(), in_zezhou[0]).await;
        assert_eq!(st, 201, "{v}");
        assert_eq!(v["site_id"].as_i64(), Some(in_zezhou[0]));
        // The county sees its own inspection; the other county does not.
        assert_eq!(get(&t, &county.token, &format!("/api/v1/inspections/{}", v["id"])).await.0, 200);
        assert_eq!(get(&t, &other.token, &format!("/api/v1/inspections/{}", v["id"])).await.0, 404);

        let (_, mine) = get(&t, &county.token, "/api/v1/obligations/mine").await;
        let cov = find(&mine["current"], "county-crossings-full-coverage");
        assert_eq!(
            (cov["targets"].as_u64(), cov["targets_met"].as_u64()),
            (Some(in_zezhou.len() as u64), Some(1)),
            "{cov}"
        );
        let link = format!(
            "/api/v1/obligations/county-crossings-full-coverage/{}/{}",
            cov["subject"].as_str().unwrap(),
            cov["window_index"]
        );
        let (_, d) = get(&t, &county.token, &link).await;
        assert_eq!(d["missing"].as_array().unwrap().len(), in_zezhou.len() - 1);
        // The city's own rule counts only the city's inspections.
        let (_, cmine) = get(&t, &city.token, "/api/v1/obligations/mine").await;
        assert_eq!(find(&cmine["current"], "city-crossings-full-coverage")["targets_met"], 0);
        let (st, _) = check(city.token.clone(), elsewhere).await;
        assert_eq!(st, 201);
        let (_, cmine) = get(&t, &city.token, "/api/v1/obligations/mine").await;
        let c = find(&cmine["current"], "city-crossings-full-coverage");
        assert_eq!((c["targets"].as_u64(), c["targets_met"].as_u64()), (Some(crossings.len() as u64), Some(1)));

        // Drilling down from the matrix: an enterprise's and its people's obligations.
        let (_, m) = get(&t, &county.token, "/api/v1/compliance/matrix").await;
        let org = m["rows"].as_array().unwrap().iter().find_map(|r| r["org_id"].as_i64()).expect("an organisation row");
        let (st, o) = get(&t, &county.token, &format!("/api/v1/orgs/{org}/obligations")).await;
        assert_eq!(st, 200, "{o}");
        assert!(o["current"]
            .as_array()
            .unwrap()
            .iter()
            .chain(o["overdue"].as_array().unwrap())
            .all(|x| x["subject"] == format!("org-{org}") || x["subject"].as_str().unwrap().starts_with("user-")));
        assert_eq!(get(&t, &other.token, &format!("/api/v1/orgs/{org}/obligations")).await.0, 404);
        t.finish().await;
    }
);

on_both_databases!(the_cockpit_counts_what_was_recorded, |backend| async move {
    let t = TestApp::start(backend).await;
    let c = city(&t).await;
    let (_, before) = get(&t, &c.city.token, "/api/v1/cockpit").await;
    let month =
        before["months"].as_array().unwrap().iter().position(|m| m == "2022-08").expect("August is a campaign month");
    for (grade, desc) in [("general", "配电箱门未关闭"), ("general", "消防通道堆物"), ("major", "液氨储罐区无泄漏报警")]
    {
        let (st, v) = post(
            &t,
            &c.principal.token,
            "/api/v1/hazards",
            json!({"org_id": c.enterprise, "description": desc, "grade": grade, "deadline": t.clock.now_value() + Duration::days(3)}),
        )
        .await;
        assert_eq!(st, 201, "{v}");
    }
    let (st, after) = get(&t, &c.city.token, "/api/v1/cockpit").await;
    assert_eq!(st, 200, "{after}");
    assert_eq!(after["found"][month].as_u64().unwrap(), before["found"][month].as_u64().unwrap() + 3);
    let zezhou = after["by_county"].as_array().unwrap().iter().find(|x| x[1] == "泽州县").unwrap();
    assert_eq!(zezhou[2].as_u64(), Some(3));
    assert_eq!(after["major_open"], 1);
    let grade = |code: &str| after["by_grade"].as_array().unwrap().iter().find(|g| g[0] == code).unwrap().clone();
    assert_eq!((grade("general")[4].as_u64(), grade("major")[4].as_u64()), (Some(2), Some(1)), "found per grade");
    // Each open figure links to exactly the hazards it counts, on the page and in the API.
    let cookie = t.sign_in(&c.city).await;
    let (_, _, cockpit) = t.page(&cookie, "/cockpit").await;
    for code in ["general", "major"] {
        let open = grade(code)[2].as_u64().unwrap();
        let href = format!("/hazards?grade={code}&open=true");
        assert!(cockpit.contains(&format!("href=\"{href}\"")), "the {code} figure links to its list");
        let (_, list) = get(&t, &c.city.token, &format!("/api/v1{href}")).await;
        assert_eq!(list["count"].as_u64(), Some(open), "{code}: {list}");
        let (_, _, page) = t.page(&cookie, &href).await;
        assert!(page.contains(&format!("共 {open} ")), "{code}: the page counts {open}");
    }
    assert_eq!(after["tasks"].as_array().unwrap().len(), 4, "one row per phase");
    // The county's monthly report is drafted from the same records, edited, submitted, and
    // exported with its chart.
    let (st, r) = get(&t, &c.county.token, "/api/v1/bureau-reports/monthly/2022-08").await;
    assert_eq!(st, 200, "{r}");
    let body = r["body"].as_str().unwrap().to_owned();
    assert!(body.contains("本月共发现隐患 3 项（其中重大隐患 1 项）") && body.contains("泽州县：发现 3 项"), "{body}");
    let (_, w) = get(&t, &c.county.token, "/api/v1/bureau-reports/weekly/2022-08-15").await;
    assert!(w["body"].as_str().unwrap().contains("本周共发现隐患 3 项"));
    assert_eq!(get(&t, &c.county.token, "/api/v1/bureau-reports/yearly/2022").await.0, 422);
    assert_eq!(get(&t, &c.principal.token, "/api/v1/bureau-reports/monthly/2022-08").await.0, 403);
    let r = t
        .http
        .put(t.url("/api/v1/bureau-reports/monthly/2022-08"))
        .bearer_auth(&c.county.token)
        .json(&json!({"body": format!("{body}\n下月开展化工企业专项检查。"), "submit": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = t.get(&c.county.token, "/api/v1/bureau-reports/monthly/2022-08/export.docx").await;
    assert_eq!(r.status(), 200);
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(r.bytes().await.unwrap().to_vec())).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut z.by_name("word/document.xml").unwrap(), &mut xml).unwrap();
    assert!(
        xml.contains("泽州县工业和信息化局2022年8月安全生产工作月报") && xml.contains("下月开展化工企业专项检查。"),
        "issued in the bureau's name: {xml}"
    );
    assert!(!xml.contains("请填写") && !xml.contains("草稿"), "no placeholder, no draft mark in what is submitted");
    let mut chart = String::new();
    std::io::Read::read_to_string(&mut z.by_name("word/charts/chart1.xml").unwrap(), &mut chart).unwrap();
    assert!(chart.contains("<c:v>泽州县</c:v>") && chart.contains("隐患数（项）"), "a chart with its words: {chart}");
    let signed = xml.rfind("泽州县工业和信息化局").unwrap();
    assert!(xml[signed..].contains("年") && xml[signed..].contains("日"), "the 落款: the bureau, then the date");
    let mut footer = String::new();
    std::io::Read::read_to_string(&mut z.by_name("word/footer1.xml").unwrap(), &mut footer).unwrap();
    assert!(footer.contains(">PAGE<") && footer.contains("NUMPAGES"), "第 X 页 共 Y 页");
    // Asked for as a draft, it says so; the file has the report's Chinese name.
    let r = t.get(&c.county.token, "/api/v1/bureau-reports/monthly/2022-08/export.docx?draft=true").await;
    let disposition = r.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(disposition.contains("filename*=UTF-8''%E6%B3%BD%E5%B7%9E"), "{disposition}");
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(r.bytes().await.unwrap().to_vec())).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut z.by_name("word/document.xml").unwrap(), &mut xml).unwrap();
    assert!(xml.contains("草稿"));

    // Four days on, all three are overdue.
    t.clock.advance(Duration::days(4));
    let (_, later) = get(&t, &c.county.token, "/api/v1/cockpit").await;
    let open_overdue: u64 = later["by_grade"].as_array().unwrap().iter().map(|g| g[3].as_u64().unwrap()).sum();
    assert_eq!(open_overdue, 3);
    // By industry and by age: a hazard at an explosives enterprise, then the clock a month on.
    let zezhou = t.org_by_code("bureau-zezhou").await;
    let body = json!({"name": "泽州民爆器材公司", "kind": "explosives_enterprise", "jurisdiction_id": zezhou.jurisdiction_id, "industry": "explosives"});
    let (st, org) = post(&t, &c.county.token, "/api/v1/orgs", body).await;
    assert_eq!(st, 201, "{org}");
    let hazard = json!({"org_id": org["id"], "description": "库房温湿度计失灵", "grade": "general"});
    assert_eq!(post(&t, &c.county.token, "/api/v1/hazards", hazard).await.0, 201);
    let (_, now) = get(&t, &c.county.token, "/api/v1/cockpit").await;
    let industry = |v: &Value, code: &str| v["by_industry"].as_array().unwrap().iter().find(|i| i[0] == code).cloned();
    assert_eq!(industry(&now, "explosives"), Some(json!(["explosives", 1, 0, 1, 0])), "{now}");
    let zezhou_now = now["by_county"].as_array().unwrap().iter().find(|x| x[1] == "泽州县").unwrap().clone();
    assert_eq!((zezhou_now[4].as_u64(), zezhou_now[5].as_u64()), (Some(4), Some(0)), "found 4, closed 0: {zezhou_now}");
    assert_eq!(now["open_by_age"], json!([4, 0, 0]));
    t.clock.advance(Duration::days(40));
    let (_, month_on) = get(&t, &c.county.token, "/api/v1/cockpit").await;
    assert_eq!(month_on["open_by_age"], json!([0, 4, 0]), "found 40 and 44 days ago");
    assert_eq!(get(&t, &c.principal.token, "/api/v1/cockpit").await.0, 403);
    let cookie = t.sign_in(&c.city).await;
    let (st, _, html) = t.page(&cookie, "/cockpit").await;
    assert_eq!(st, 200);
    assert_eq!(html.matches("<svg").count(), 5);
    assert!(html.contains("/hazards?period=2022-08") && html.contains("隐患发现与销号"));
    // The month axis reads 6月 … 9月, no placeholder for a missing message.
    assert!(html.contains(">8月<") && !html.contains("8?"), "the month axis");
    t.finish().await;
});

on_both_databases!(lists_export_to_excel_with_the_pages_filters, |backend| async move {
    let t = TestApp::start(backend).await;
    let c = city(&t).await;
    let (st, _) = post(
        &t,
        &c.principal.token,
        "/api/v1/inspections",
        json!({"org_id": c.enterprise, "kind": "site_check", "summary": "导出测试检查", "findings": []}),
    )
    .await;
    assert_eq!(st, 201);
    let cookie = t.sign_in(&c.county).await;
    let fetch = |path: &'static str| {
        let req = t.http.get(t.url(path)).header("cookie", cookie.clone());
        async move {
            let r = req.send().await.unwrap();
            assert_eq!(r.status(), 200, "{path}");
            r.bytes().await.unwrap().to_vec()
        }
    };
    use calamine::Reader;
    let rows = |bytes: Vec<u8>, sheet: &str| -> Vec<Vec<String>> {
        let mut x: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        crate::filed(x.worksheet_range(sheet).unwrap())
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect()
    };
    let orgs = rows(fetch("/orgs/export.xlsx?kind=enterprise").await, "单位");
    assert_eq!(orgs.len(), 2, "the header and the one enterprise the filter keeps: {orgs:?}");
    assert_eq!(orgs[1][1], "泽州丹河机械制造有限公司");
    let all = rows(fetch("/orgs/export.xlsx").await, "单位");
    assert!(all.len() > 2, "without the filter the bureau is there too");
    let accounts = rows(fetch("/users/export.xlsx").await, "账号");
    let names: Vec<&str> = accounts.iter().map(|r| r[0].as_str()).collect();
    assert!(names.contains(&"principal.dh") && names.contains(&"zz.head") && !names.contains(&"gp.staff"), "{names:?}");
    assert!(accounts.iter().all(|r| r.len() == 6), "no secrets, six columns");
    let ins = rows(fetch("/inspections/export.xlsx").await, "检查记录");
    assert_eq!(ins.len(), 2);
    assert_eq!(ins[1][4], "导出测试检查");
    t.finish().await;
});

on_both_databases!(an_expert_panels_health_check_counts_for_the_bureau_that_commissioned_it, |backend| async move {
    let t = TestApp::start(backend).await;
    let zezhou = t.org_by_code("bureau-zezhou").await;
    let city_bureau = t.org_by_code("bureau-jincheng").await;
    let county = t.user("ex.county", "county_staff", Some(zezhou.id)).await;
    let city = t.user("ex.city", "city_staff", Some(city_bureau.id)).await;
    let park = json!({"name": "泽州经济技术开发区", "kind": "park", "jurisdiction_id": zezhou.jurisdiction_id});
    let (st, park) = post(&t, &county.token, "/api/v1/orgs", park).await;
    assert_eq!(st, 201, "{park}");
    // Expert panels are set up with the city, not through the API.
    let jincheng = anjian_store::jurisdictions::by_code(&t.store.db, "jincheng").await.unwrap().unwrap();
    let new =
        anjian_store::orgs::NewOrg::new("panel-test".into(), "晋城市安全生产专家库".into(), "expert_panel", jincheng);
    let panel = anjian_store::orgs::insert(&t.store.db, new, t.clock.now_value()).await.unwrap();
    let expert = t.user("ex.expert", "expert", Some(panel.id)).await;
    let check = |for_bureau: Option<i64>| {
        let mut body =
            json!({"org_id": park["id"], "kind": "expert_health_check", "summary": "园区安全体检", "findings": []});
        if let Some(b) = for_bureau {
            body["for_bureau_id"] = json!(b);
        }
        let (t, token) = (&t, expert.token.clone());
        async move { post(t, &token, "/api/v1/inspections", body).await }
    };
    let status = |who: &TestUser, rule: &'static str| {
        let (t, token) = (&t, who.token.clone());
        async move {
            let (_, mine) = get(t, &token, "/api/v1/obligations/mine").await;
            find(&mine["current"], rule)["status"].as_str().unwrap().to_owned()
        }
    };
    assert_eq!(status(&city, "city-park-expert-check").await, "due");
    // By default the check counts for the panel's own area's bureau: the city.
    assert_eq!(check(None).await.0, 201);
    assert_eq!(status(&city, "city-park-expert-check").await, "met");
    assert_eq!(status(&county, "county-park-expert-check").await, "due");
    // Commissioned by the county: it counts for the county.
    let (st, v) = check(Some(zezhou.id)).await;
    assert_eq!(st, 201, "{v}");
    assert_eq!(status(&county, "county-park-expert-check").await, "met");
    // Only a regulator commissions; only an expert names one.
    let (st, v) = check(Some(park["id"].as_i64().unwrap())).await;
    assert_eq!((st, v["error"]["fields"][0]["field"].as_str()), (422, Some("for_bureau_id")), "{v}");
    let body =
        json!({"org_id": park["id"], "kind": "full_coverage_check", "for_bureau_id": city_bureau.id, "findings": []});
    let (st, v) = post(&t, &county.token, "/api/v1/inspections", body).await;
    assert_eq!((st, v["error"]["fields"][0]["code"].as_str()), (422, Some("not_allowed")), "{v}");
    t.finish().await;
});

on_both_databases!(a_month_of_self_inspection_counts_once_the_principal_has_signed_it, |backend| async move {
    let t = TestApp::start(backend).await;
    let c = city(&t).await;
    let path = format!("/api/v1/orgs/{}/points", c.enterprise);
    let (_, p) = post(&t, &c.principal.token, &path, json!({"kind": "location", "name": "配电室"})).await;
    let body = json!({"org_id": c.enterprise, "kind": "self_inspection", "summary": "月度自查", "covered_point_ids": [p["id"]], "findings": []});
    assert_eq!(post(&t, &c.principal.token, "/api/v1/inspections", body).await.0, 201);
    let monthly = |who: &TestUser| {
        let (t, token) = (&t, who.token.clone());
        async move {
            let (_, mine) = get(t, &token, "/api/v1/obligations/mine").await;
            find(&mine["current"], "enterprise-monthly-self-inspection").clone()
        }
    };
    // Every point covered, but not signed and reported: the month is not met.
    let o = monthly(&c.principal).await;
    assert_eq!((o["targets_met"].as_i64(), o["status"].as_str()), (Some(1), Some("due")), "{o}");
    assert_eq!(o["missing_requirements"], json!(["principal_signature", "report_by_tier"]));
    let link = format!(
        "/obligations/enterprise-monthly-self-inspection/{}/{}",
        o["subject"].as_str().unwrap(),
        o["window_index"]
    );
    let cookie = t.sign_in(&c.principal).await;
    let (_, _, html) = t.page(&cookie, &link).await;
    assert!(html.contains("主要负责人签字确认"), "the page says what is missing");
    // The principal signs August's list: it is reported to the county, and the month is met.
    let sign = format!("/api/v1/orgs/{}/ledgers/2022-08/sign", c.enterprise);
    assert_eq!(post(&t, &c.principal.token, &sign, json!({"password": c.principal.password})).await.0, 201);
    let o = monthly(&c.principal).await;
    assert_eq!(o["status"], "met", "{o}");
    assert!(o["missing_requirements"].as_array().unwrap().is_empty());
    t.finish().await;
});
