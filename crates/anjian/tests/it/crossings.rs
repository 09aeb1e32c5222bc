//! Unmanned railway crossings end to end: the import from Excel (all or nothing), equipment
//! check rounds whose faults file hazards, guards with certificates and shifts (持证上岗),
//! trainings and drills with attendance, the bureau list and its Excel, and what the obligation
//! engine and the reminder job make of it.

use anjian_test_support::*;
use anjian_test_support::{get_json as get, post_json as post};
use chrono::Duration;
use serde_json::{json, Value};

fn codes(v: &Value) -> Vec<String> {
    v["error"]["fields"].as_array().map_or_else(
        || vec![v["error"]["code"].as_str().unwrap_or("").to_owned()],
        |f| f.iter().map(|x| x["code"].as_str().unwrap().to_owned()).collect(),
    )
}

fn sheet(rows: &[[&str; 8]]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["名称", "线路", "公里标", "所在县区", "纬度", "经度", "看守点数", "状态"].iter().enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

async fn import(t: &TestApp, token: &str, org: i64, bytes: Vec<u8>, apply: bool) -> (u16, Value) {
    let r = t
        .http
        .post(t.url(&format!("/api/v1/orgs/{org}/crossings/import?apply={apply}")))
        .bearer_auth(token)
        .body(bytes)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

fn find<'a>(list: &'a Value, rule: &str) -> &'a Value {
    list.as_array().unwrap().iter().find(|o| o["rule_id"] == rule).unwrap_or_else(|| panic!("no {rule} in {list}"))
}

on_both_databases!(crossings_equipment_guards_and_drills, |backend| async move {
    let t = TestApp::start(backend).await;
    t.demo(20).await;
    let city = t.user("city.rail", "city_staff", Some(t.org_by_code("bureau-jincheng").await.id)).await;
    let zezhou = t.org_by_code("bureau-zezhou").await;
    let county = t.user("zz.rail", "county_staff", Some(zezhou.id)).await;
    let (_, ops) = get(&t, &city.token, "/api/v1/orgs?kind=railway_operator").await;
    let operator = ops["items"][0]["id"].as_i64().unwrap();
    let op = t.user("rail.op", "railway_operator", Some(operator)).await;
    let (_, before) = get(&t, &city.token, "/api/v1/crossings").await;
    let n0 = before.as_array().unwrap().len();

    // Import: a sheet with errors stores nothing; a good one adds; again adds nothing.
    let bad = sheet(&[
        ["泽州县 K88+120 道口", "太焦线", "K88+120", "泽州县", "35.5", "112.8", "2", "在用"],
        ["无名", "太焦线", "K1", "火星县", "", "", "", ""],
        ["纬度错", "太焦线", "K2", "泽州县", "135", "", "x", "拆除"],
        ["泽州县 K88+120 道口", "太焦线", "K88+120", "泽州县", "", "", "", ""],
    ]);
    let (st, v) = import(&t, &op.token, operator, bad.clone(), true).await;
    assert_eq!(st, 422, "{v}");
    let fields: Vec<&str> =
        v["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["rows[3].所在县区", "rows[4].纬度", "rows[4].看守点数", "rows[4].状态", "rows[5].名称"]);
    assert_eq!(get(&t, &city.token, "/api/v1/crossings").await.1.as_array().unwrap().len(), n0, "nothing stored");
    let good = sheet(&[["泽州县 K88+120 道口", "太焦线", "K88+120", "泽州县", "35.5", "112.8", "2", "在用"]]);
    let (st, v) = import(&t, &op.token, operator, good.clone(), true).await;
    assert_eq!((st, v["new"].as_u64(), v["applied"].as_bool()), (200, Some(1), Some(true)), "{v}");
    let (_, v) = import(&t, &op.token, operator, good, true).await;
    assert_eq!((v["new"].as_u64(), v["existing"].as_u64()), (Some(0), Some(1)));
    let (st, _) = import(&t, &county.token, operator, sheet(&[]), false).await;
    assert_eq!(st, 422, "a county cannot see the city-level operator");

    // The county's list shows only its crossings; the new one is there, uninspected.
    let (_, list) = get(&t, &county.token, "/api/v1/crossings").await;
    let ours = list.as_array().unwrap();
    assert!(ours.iter().all(|c| c["site"]["jurisdiction_id"] == zezhou.jurisdiction_id));
    let new = ours.iter().find(|c| c["site"]["name"] == "泽州县 K88+120 道口").expect("imported crossing").clone();
    let site = new["site"]["id"].as_i64().unwrap();
    assert_eq!((new["covered"].as_bool(), new["site"]["line"].as_str()), (Some(false), Some("太焦线")));

    // An equipment check round: one fault files a hazard the county sees.
    let (_, d) = get(&t, &op.token, &format!("/api/v1/crossings/{site}")).await;
    let eq: Vec<i64> =
        d["equipment"].as_array().unwrap().iter().map(|e| e["equipment"]["id"].as_i64().unwrap()).collect();
    assert_eq!(eq.len(), 6);
    // The plan's `crossing-equipment` checklist, with its intervals (protective gear quarterly).
    let plan_equipment: Vec<(String, i64)> = d["equipment"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (e["equipment"]["name"].as_str().unwrap().to_owned(), e["equipment"]["interval_days"].as_i64().unwrap())
        })
        .collect();
    assert!(
        plan_equipment.contains(&("防护用品".to_owned(), 90)) && plan_equipment.contains(&("无线列调".to_owned(), 30)),
        "{plan_equipment:?}"
    );
    let items = |fault_note: &str| {
        let mut v: Vec<Value> = eq.iter().map(|id| json!({"equipment_id": id, "ok": true})).collect();
        v[5] = json!({"equipment_id": eq[5], "ok": false, "note": fault_note});
        json!({"items": v})
    };
    let (st, v) = post(&t, &op.token, &format!("/api/v1/crossings/{site}/checks"), items("")).await;
    assert_eq!((st, codes(&v)), (422, vec!["required".to_owned()]), "a fault needs a note");
    let (st, v) = post(
        &t,
        &op.token,
        &format!("/api/v1/crossings/{site}/checks"),
        json!({"items": [{"equipment_id": 999999, "ok": true}]}),
    )
    .await;
    assert_eq!((st, codes(&v)), (422, vec!["not_found".to_owned()]));
    assert_eq!(post(&t, &op.token, "/api/v1/crossings/999999/checks", items("x")).await.0, 404);
    assert_eq!(post(&t, &county.token, &format!("/api/v1/crossings/{site}/checks"), items("x")).await.0, 403);
    // A check of two of the six items is kept, but it is not the month's equipment inspection:
    // the plan's checklist is 道口设施设备, and the obligation names the four left out.
    let two = json!({"items": [{"equipment_id": eq[0], "ok": true}, {"equipment_id": eq[1], "ok": true}]});
    let (st, v) = post(&t, &op.token, &format!("/api/v1/crossings/{site}/checks"), two).await;
    assert_eq!(st, 201, "{v}");
    let (_, mine) = get(&t, &op.token, "/api/v1/obligations/mine").await;
    let o = find(&mine["current"], "crossing-equipment-inspection");
    assert_eq!((o["targets_met"].as_u64(), o["checklist"].as_str()), (Some(0), Some("道口设施设备")), "{o}");
    assert_eq!(o["missing_items"].as_array().unwrap().len(), 4, "{o}");
    let (st, v) = post(&t, &op.token, &format!("/api/v1/crossings/{site}/checks"), items("栏门电机不转")).await;
    assert_eq!(st, 201, "{v}");
    let (_, hz) = get(&t, &county.token, "/api/v1/hazards?q=栏门电机不转").await;
    assert_eq!(hz["items"].as_array().unwrap().len(), 1, "{hz}");
    let (_, d) = get(&t, &county.token, &format!("/api/v1/crossings/{site}")).await;
    assert_eq!(d["row"]["open_faults"], 1);
    let (_, mine) = get(&t, &op.token, "/api/v1/obligations/mine").await;
    assert_eq!(find(&mine["current"], "crossing-equipment-inspection")["targets_met"], 1);

    // Guards: a certificate that expires before it was issued changes nothing.
    let today = t.clock.now_value().date_naive();
    let day = |d: i64| (today + Duration::days(d)).format("%Y-%m-%d").to_string();
    let guard = |name: &str, issued: String, expires: String| json!({"name": name, "certificate_no": format!("JC-{name}"), "issued": issued, "expires": expires});
    let (st, v) = post(&t, &op.token, "/api/v1/guards", guard("错证", day(0), day(-1))).await;
    assert_eq!((st, codes(&v)), (422, vec!["expiry_before_issue".to_owned()]));
    assert!(get(&t, &op.token, "/api/v1/guards").await.1.as_array().unwrap().is_empty());
    let a = post(&t, &op.token, "/api/v1/guards", guard("张卫", day(-300), day(400))).await.1["id"].as_i64().unwrap();
    let b = post(&t, &op.token, "/api/v1/guards", guard("李强", day(-300), day(10))).await.1["id"].as_i64().unwrap();
    let c = post(&t, &op.token, "/api/v1/guards", guard("王磊", day(-800), day(-2))).await.1["id"].as_i64().unwrap();
    let (_, roster) = get(&t, &op.token, "/api/v1/guards").await;
    let status =
        |id: i64| roster.as_array().unwrap().iter().find(|g| g["guard"]["id"] == id).unwrap()["cert_status"].clone();
    assert_eq!((status(a), status(b), status(c)), (json!("valid"), json!("expiring"), json!("expired")));

    // Shifts: only with a certificate that holds; only at a crossing of the guard's operator.
    let now = t.clock.now_value();
    let shift = |site: i64| json!({"site_id": site, "starts_at": now + Duration::hours(1), "ends_at": now + Duration::hours(9)});
    let (st, v) = post(&t, &op.token, &format!("/api/v1/guards/{c}/shifts"), shift(site)).await;
    assert_eq!((st, codes(&v)), (422, vec!["certificate_expired".to_owned()]));
    let (st, v) = post(&t, &op.token, &format!("/api/v1/guards/{a}/shifts"), shift(999999)).await;
    assert_eq!((st, codes(&v)), (422, vec!["unknown_crossing".to_owned()]));
    let other_op = {
        let (_, o) = post(
            &t,
            &city.token,
            "/api/v1/orgs",
            json!({"name": "晋城地方铁路公司", "kind": "railway_operator", "jurisdiction_id": zezhou.jurisdiction_id}),
        )
        .await;
        o["id"].as_i64().unwrap()
    };
    let other = t.user("rail.other", "railway_operator", Some(other_op)).await;
    let stranger =
        post(&t, &other.token, "/api/v1/guards", guard("赵六", day(-10), day(300))).await.1["id"].as_i64().unwrap();
    let (st, v) = post(&t, &op.token, &format!("/api/v1/guards/{stranger}/shifts"), shift(site)).await;
    assert_eq!((st, codes(&v)), (422, vec!["guard_of_another_operator".to_owned()]));
    assert_eq!(post(&t, &op.token, &format!("/api/v1/guards/{a}/shifts"), shift(site)).await.0, 201);
    let (_, d) = get(&t, &op.token, &format!("/api/v1/crossings/{site}")).await;
    assert_eq!((d["shifts"].as_array().unwrap().len(), d["row"]["uncertified_on_duty"].as_u64()), (1, Some(0)));

    // Trainings and drills: attendees required, and only the operator's own guards.
    let drill = |who: Vec<i64>, scenario: &str| json!({"kind": "drill", "held_on": day(0), "topic": "道口故障应急处置", "scenario": scenario, "result": "合格", "attendees": who});
    let (st, v) = post(&t, &op.token, "/api/v1/trainings", drill(vec![], "")).await;
    assert_eq!(
        (st, codes(&v)),
        (422, vec!["required".to_owned(), "no_attendees".to_owned()]),
        "a drill needs its scenario and attendees"
    );
    let (st, v) = post(&t, &op.token, "/api/v1/trainings", drill(vec![a, stranger], "栏门无法关闭")).await;
    assert_eq!((st, codes(&v)), (422, vec!["guard_of_another_operator".to_owned()]));
    assert!(get(&t, &op.token, "/api/v1/trainings").await.1.as_array().unwrap().is_empty(), "nothing stored");
    assert_eq!(post(&t, &op.token, "/api/v1/trainings", drill(vec![a, b], "栏门无法关闭")).await.0, 201);
    let (_, roster) = get(&t, &op.token, "/api/v1/guards").await;
    let trained = |id: i64| {
        roster.as_array().unwrap().iter().find(|g| g["guard"]["id"] == id).unwrap()["trained_this_quarter"].as_u64()
    };
    assert_eq!((trained(a), trained(b), trained(c)), (Some(1), Some(1), Some(0)));
    let (_, mine) = get(&t, &op.token, "/api/v1/obligations/mine").await;
    let training = find(&mine["current"], "crossing-guard-training");
    assert_eq!((training["targets"].as_u64(), training["targets_met"].as_u64()), (Some(3), Some(2)));
    assert_eq!(find(&mine["current"], "crossing-emergency-drill")["status"], "met");

    // The reminder job warns the operator of the expiring and the expired certificate.
    t.app.run_reminders("test").await.unwrap();
    let (_, inbox) = get(&t, &op.token, "/api/v1/notifications").await;
    let certs: Vec<&str> = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "certificate")
        .map(|n| n["title"].as_str().unwrap())
        .collect();
    assert_eq!(certs.len(), 2, "{certs:?}");
    assert!(certs.iter().any(|c| c.contains("即将到期") && c.contains("李强")));
    assert!(certs.iter().any(|c| c.contains("已失效") && c.contains("王磊")));

    // Task 5: the county inspects the crossing; the list and its Excel show it covered.
    let (st, _) = post(&t, &county.token, "/api/v1/inspections", json!({"org_id": operator, "site_id": site, "kind": "full_coverage_check", "summary": "道口检查", "findings": []})).await;
    assert_eq!(st, 201);
    let (_, list) = get(&t, &county.token, "/api/v1/crossings").await;
    let row = list.as_array().unwrap().iter().find(|c| c["site"]["id"] == site).unwrap();
    assert_eq!(row["covered"], true);
    let r = t.get(&county.token, "/api/v1/crossings/export.xlsx").await;
    assert_eq!(r.status(), 200);
    use calamine::Reader;
    let mut x: calamine::Xlsx<_> =
        calamine::Xlsx::new(std::io::Cursor::new(r.bytes().await.unwrap().to_vec())).unwrap();
    let range = crate::filed(x.worksheet_range("无人看守铁路道口").unwrap());
    assert_eq!(range.height(), list.as_array().unwrap().len() + 1);
    let names: Vec<String> = (1..range.height()).map(|i| range.get((i, 0)).unwrap().to_string()).collect();
    let i = names.iter().position(|n| n == "泽州县 K88+120 道口").unwrap() + 1;
    assert_eq!(range.get((i, 6)).unwrap().to_string(), "已检查");

    // The county's page counts the coverage its own rule asks for, named as the plan names it.
    let ccookie = t.sign_in(&county).await;
    let (_, _, html) = t.page(&ccookie, "/crossings").await;
    assert!(html.contains("县级：辖区无人看守铁路道口全覆盖检查已检查"), "the county's rule, not the city's");

    // The pages, as the operator sees them.
    let cookie = t.sign_in(&op).await;
    let (st, _, html) = t.page(&cookie, &format!("/crossings/{site}")).await;
    assert_eq!(st, 200);
    assert!(html.contains("电动栏门") && html.contains("栏门电机不转"));
    let (st, _, html) = t.page(&cookie, "/guards").await;
    assert_eq!(st, 200);
    assert!(html.contains("王磊") && html.contains("已过期") && html.contains("本季度未参加"));
    let roster = xlsx_rows(&t, &cookie, "/guards/export.xlsx", "监护员").await;
    assert!(roster.iter().any(|r| r[0] == "王磊" && r[3] == "已过期" && r[4] == "0"), "{roster:?}");

    // A month on, the monthly equipment is past its interval: it shows overdue and reminds.
    t.clock.advance(Duration::days(31));
    let (_, d) = get(&t, &op.token, &format!("/api/v1/crossings/{site}")).await;
    let overdue = d["equipment"].as_array().unwrap().iter().filter(|e| e["overdue"] == true).count();
    assert_eq!(overdue, 5, "all but the protective gear (checked quarterly)");
    t.app.run_reminders("test").await.unwrap();
    let (_, inbox) = get(&t, &op.token, "/api/v1/notifications").await;
    let eq_reminders = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["title"].as_str().unwrap().starts_with("设备巡检逾期"))
        .count();
    assert!(eq_reminders >= 5, "{inbox}");
    t.finish().await;
});

/// The rows of a sheet of an .xlsx fetched with a session cookie.
async fn xlsx_rows(t: &TestApp, cookie: &str, path: &str, sheet: &str) -> Vec<Vec<String>> {
    use calamine::Reader;
    let r = t.http.get(t.url(path)).header("cookie", cookie).send().await.unwrap();
    assert_eq!(r.status(), 200, "{path}");
    let mut x: calamine::Xlsx<_> =
        calamine::Xlsx::new(std::io::Cursor::new(r.bytes().await.unwrap().to_vec())).unwrap();
    x.worksheet_range(sheet).unwrap().rows().map(|row| row.iter().map(|c| c.to_string()).collect()).collect()
}
