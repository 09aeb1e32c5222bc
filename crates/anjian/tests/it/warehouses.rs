//! Explosives warehouses: readings from gateways (bad ones counted, good ones kept, resent ones
//! taken once), alarms that open on a held excursion and do not flap, offline sensors, escalation,
//! hourly patrols by checkpoint, loadings with vehicle checks, facilities with upkeep.

use anjian_test_support::anjian_domain::scope::Scope;
use anjian_test_support::*;
use anjian_test_support::{get_json as get, post_json as post};
use chrono::{Duration, SecondsFormat};
use serde_json::{json, Value};

struct Warehouse {
    org_id: i64,
    site_id: i64,
    temp: String,
    hum: String,
    token: String,
    principal: TestUser,
    county: TestUser,
}

async fn warehouse(t: &TestApp) -> Warehouse {
    let zezhou = t.org_by_code("bureau-zezhou").await;
    let county = t.user("zz.wh", "county_staff", Some(zezhou.id)).await;
    let (_, org) = post(
        t,
        &county.token,
        "/api/v1/orgs",
        json!({"name": "泽州民爆器材专营公司", "kind": "explosives_enterprise", "jurisdiction_id": zezhou.jurisdiction_id}),
    )
    .await;
    let org_id = org["id"].as_i64().unwrap();
    let principal = t.user("mb.boss", "principal", Some(org_id)).await;
    let (st, site) =
        post(t, &principal.token, &format!("/api/v1/orgs/{org_id}/warehouses"), json!({"name": "1号库"})).await;
    assert_eq!(st, 201, "{site}");
    let site_id = site["id"].as_i64().unwrap();
    let (_, temp) =
        post(t, &principal.token, &format!("/api/v1/warehouses/{site_id}/sensors"), json!({"kind": "temperature"}))
            .await;
    let (_, hum) = post(
        t,
        &principal.token,
        &format!("/api/v1/warehouses/{site_id}/sensors"),
        json!({"kind": "humidity", "low": 35.0, "high": 70.0}),
    )
    .await;
    assert_eq!((temp["low"].as_f64(), temp["high"].as_f64()), (Some(0.0), Some(30.0)), "the plan's range by default");
    let (_, g) = post(t, &principal.token, &format!("/api/v1/orgs/{org_id}/gateways"), json!({"name": "网关1"})).await;
    Warehouse {
        org_id,
        site_id,
        temp: temp["code"].as_str().unwrap().to_owned(),
        hum: hum["code"].as_str().unwrap().to_owned(),
        token: g["token"].as_str().unwrap().to_owned(),
        principal,
        county,
    }
}

/// The token of a gateway of another explosives enterprise in the same county.
async fn stranger_gateway(t: &TestApp, w: &Warehouse) -> String {
    let zezhou = t.org_by_code("bureau-zezhou").await;
    let (_, other) = post(
        t,
        &w.county.token,
        "/api/v1/orgs",
        json!({"name": "另一民爆公司", "kind": "explosives_enterprise", "jurisdiction_id": zezhou.jurisdiction_id}),
    )
    .await;
    let (_, g) =
        post(t, &w.county.token, &format!("/api/v1/orgs/{}/gateways", other["id"]), json!({"name": "x"})).await;
    g["token"].as_str().unwrap().to_owned()
}

fn at(t: &TestApp, minutes: i64) -> String {
    (t.clock.now_value() + Duration::minutes(minutes)).to_rfc3339_opts(SecondsFormat::Secs, true)
}

async fn send(t: &TestApp, token: &str, body: String) -> (u16, Value) {
    let r = t
        .http
        .post(t.url("/api/v1/telemetry/readings"))
        .header("x-gateway-token", token)
        .body(body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn alarms(t: &TestApp, u: &TestUser, site: i64) -> Vec<Value> {
    let (_, v) = get(t, &u.token, &format!("/api/v1/alarms?site_id={site}")).await;
    v.as_array().unwrap().clone()
}

on_both_databases!(readings_are_checked_counted_and_kept_once_and_a_held_excursion_alarms, |backend| async move {
    let t = TestApp::start(backend).await;
    let w = warehouse(&t).await;

    // A mixed batch: good, malformed, unknown sensor, far future, too old, and a repeat.
    let batch = json!([
        {"sensor": w.temp, "at": at(&t, -10), "value": 21.5},
        {"sensor": w.temp, "at": at(&t, -9), "value": 22.0},
        {"sensor": w.hum, "at": at(&t, -9), "value": 55.0},
        {"sensor": w.temp, "value": 20.0},
        {"sensor": w.temp, "at": at(&t, -8), "value": "hot"},
        {"sensor": "NO-SUCH", "at": at(&t, -8), "value": 1.0},
        {"sensor": w.temp, "at": at(&t, 60), "value": 1.0},
        {"sensor": w.temp, "at": at(&t, -200 * 24 * 60), "value": 1.0},
        {"sensor": w.temp, "at": at(&t, -10), "value": 21.5},
    ]);
    let (st, r) = send(&t, &w.token, batch.to_string()).await;
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["accepted"], 3);
    assert_eq!(
        r["rejected"],
        json!({"malformed": 2, "unknown_sensor": 1, "far_future": 1, "too_old": 1, "duplicate": 1})
    );
    // The gateway resends the same batch: nothing new.
    let (_, r) = send(&t, &w.token, batch.to_string()).await;
    assert_eq!(r["accepted"], 0);
    assert_eq!(r["rejected"]["duplicate"], 4, "{r}");
    // NDJSON with a broken line in the middle: the lines around it are kept.
    let nd = format!(
        "{}\nnot json\n{}\n",
        json!({"sensor": w.temp, "at": at(&t, -7), "value": 23.0}),
        json!({"sensor": w.temp, "at": at(&t, -6), "value": 24.0})
    );
    let (_, r) = send(&t, &w.token, nd).await;
    assert_eq!((r["accepted"].as_u64(), r["rejected"]["malformed"].as_u64()), (Some(2), Some(1)));
    // A late reading (older than the sensor's newest, never sent before): stored and aggregated,
    // counted as out of order, not fed to the alarm condition; sent again, a duplicate.
    let late = json!([{"sensor": w.temp, "at": at(&t, -8), "value": 22.5}]).to_string();
    let (_, r) = send(&t, &w.token, late.clone()).await;
    assert_eq!((r["accepted"].as_u64(), r["out_of_order"].as_u64()), (Some(1), Some(1)), "{r}");
    let (_, r) = send(&t, &w.token, late).await;
    assert_eq!((r["accepted"].as_u64(), r["rejected"]["duplicate"].as_u64()), (Some(0), Some(1)), "{r}");
    // Wrong token: refused; another enterprise's gateway cannot report for these sensors.
    assert_eq!(send(&t, "nope", "[]".into()).await.0, 401);
    let stranger = stranger_gateway(&t, &w).await;
    let (_, r) = send(&t, &stranger, json!([{"sensor": w.temp, "at": at(&t, -5), "value": 1.0}]).to_string()).await;
    assert_eq!(r["rejected"]["unknown_sensor"], 1);

    // Hourly aggregates of exactly what was taken.
    let sensors = anjian_store::warehouses::sensors_of_sites(&t.store.db, &[w.site_id]).await.unwrap();
    let temp = sensors.iter().find(|s| s.code == w.temp).unwrap();
    let hours = anjian_store::warehouses::hours_between(
        &t.store.db,
        temp.id,
        t.clock.now_value() - Duration::days(1),
        t.clock.now_value() + Duration::hours(1),
    )
    .await
    .unwrap();
    let n: i64 = hours.iter().map(|h| h.n).sum();
    let sum: f64 = hours.iter().map(|h| h.sum).sum();
    assert_eq!(n, 5);
    assert!((sum - (21.5 + 22.0 + 22.5 + 23.0 + 24.0)).abs() < 1e-9);
    assert_eq!(hours.iter().map(|h| h.max).fold(f64::MIN, f64::max), 24.0);

    // Out of range: pending for two minutes, then one alarm; dithering at the limit changes nothing.
    let excursion: Vec<Value> =
        (0..6).map(|i| json!({"sensor": w.temp, "at": at(&t, -5 + i), "value": 31.0 + i as f64 * 0.1})).collect();
    let (_, r) = send(&t, &w.token, Value::Array(excursion).to_string()).await;
    assert_eq!(r["alarms_opened"], 1, "{r}");
    let list = alarms(&t, &w.principal, w.site_id).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["kind"], "high");
    let dither: Vec<Value> = (0..10)
        .map(|i| json!({"sensor": w.temp, "at": at(&t, 1 + i), "value": if i % 2 == 0 { 29.5 } else { 30.5 }}))
        .collect();
    let (_, r) = send(&t, &w.token, Value::Array(dither).to_string()).await;
    assert_eq!(r["alarms_opened"], 0);
    assert!(
        alarms(&t, &w.principal, w.site_id).await[0]["cleared_at"].is_null(),
        "no flapping: still the same excursion"
    );
    // Back well inside: the excursion is over (the alarm stays until someone resolves it).
    t.clock.advance(Duration::minutes(12));
    send(
        &t,
        &w.token,
        json!([{"sensor": w.temp, "at": at(&t, 0), "value": 25.0}, {"sensor": w.hum, "at": at(&t, 0), "value": 50.0}])
            .to_string(),
    )
    .await;
    let a = &alarms(&t, &w.principal, w.site_id).await[0];
    assert!(!a["cleared_at"].is_null());
    assert_eq!(a["state"], "open");
    // The principal was told.
    let (_, inbox) = get(&t, &w.principal.token, "/api/v1/notifications").await;
    assert!(
        inbox["items"].as_array().unwrap().iter().any(|n| n["title"].as_str().unwrap().contains("超上限")),
        "{inbox}"
    );

    // Acknowledge, resolve with a note (not without), and one step to a hazard.
    let id = a["id"].as_i64().unwrap();
    assert_eq!(post(&t, &w.principal.token, &format!("/api/v1/alarms/{id}/acknowledge"), json!({})).await.0, 200);
    assert_eq!(post(&t, &w.principal.token, &format!("/api/v1/alarms/{id}/acknowledge"), json!({})).await.0, 409);
    assert_eq!(
        post(&t, &w.principal.token, &format!("/api/v1/alarms/{id}/resolve"), json!({"note": " "})).await.0,
        422
    );
    let (st, h) = post(&t, &w.principal.token, &format!("/api/v1/alarms/{id}/hazard"), json!({})).await;
    assert_eq!(st, 201);
    let (_, hz) = get(&t, &w.principal.token, &format!("/api/v1/hazards/{}", h["hazard_id"])).await;
    assert!(hz["description"].as_str().unwrap().contains("温湿度超限"), "{hz}");
    assert_eq!(
        post(&t, &w.principal.token, &format!("/api/v1/alarms/{id}/resolve"), json!({"note": "空调故障已修复"}))
            .await
            .0,
        200
    );
    let kept = alarms(&t, &w.principal, w.site_id).await;
    assert_eq!((kept.len(), kept[0]["state"].as_str()), (1, Some("resolved")), "resolved, and kept");

    // Silence: both sensors go offline after 15 minutes; nobody acknowledges; the county hears.
    t.clock.advance(Duration::minutes(16));
    let run = t.app.run_watch("one").await.unwrap().unwrap();
    assert_eq!(run.offline, 2);
    assert_eq!(t.app.run_watch("one").await.unwrap().unwrap().offline, 0, "once per silence");
    t.clock.advance(Duration::minutes(31));
    // The city's staff work in the bureau's departments (科室); they hear too.
    let dept = t.org_by_code("dept-chanye").await;
    let city = t.user("wh.city", "city_staff", Some(dept.id)).await;
    let run = t.app.run_watch("one").await.unwrap().unwrap();
    assert_eq!(run.escalated, 2);
    for who in [&w.county, &city] {
        let (_, inbox) = get(&t, &who.token, "/api/v1/notifications").await;
        assert!(
            inbox["items"].as_array().unwrap().iter().any(|n| n["title"].as_str().unwrap().starts_with("升级报警")),
            "{}: {inbox}",
            who.username
        );
    }
    // The county's list of live alarms, and the same list in Excel.
    let cookie = t.sign_in(&w.county).await;
    let (st, _, html) = t.page(&cookie, "/alarms").await;
    assert_eq!(st, 200);
    assert!(html.contains("/alarms/export.xlsx"), "the page offers its sheet");
    let sheet = crate::page_sheet(&t, &cookie, "/alarms/export.xlsx", "未处置报警").await;
    let (_, live) = get(&t, &w.county.token, "/api/v1/alarms?live=true").await;
    let live = live.as_array().map(Vec::len).unwrap_or_else(|| panic!("{live}"));
    assert_eq!((sheet.height(), live), (3, 2), "a header and the two offline sensors");
    assert_eq!(sheet.get((1, 1)).map(|c| c.to_string()), Some("传感器离线".to_owned()));
    assert!(matches!(sheet.get((1, 5)), Some(calamine::Data::DateTime(_))), "escalated, with the time");
    let sheet = crate::page_sheet(&t, &cookie, "/warehouses/export.xlsx", "库房").await;
    assert_eq!(sheet.height(), 2, "the county's one warehouse");
    assert_eq!(sheet.get((1, 2)), Some(&calamine::Data::Float(2.0)), "with its two live alarms");
    assert!(!sheet.get((1, 1)).map(|v| v.to_string()).unwrap_or_default().is_empty(), "and its enterprise");
    // A reading ends the offline spell.
    send(&t, &w.token, json!([{"sensor": w.temp, "at": at(&t, 0), "value": 20.0}]).to_string()).await;
    let offline: Vec<Value> = alarms(&t, &w.principal, w.site_id)
        .await
        .into_iter()
        .filter(|a| a["kind"] == "offline" && a["sensor_id"] == temp.id)
        .collect();
    assert!(!offline[0]["cleared_at"].is_null());
    let _ = w.org_id;
    t.finish().await;
});

on_both_databases!(guards_patrol_every_hour_and_a_missed_hour_alarms, |backend| async move {
    let t = TestApp::start(backend).await;
    let w = warehouse(&t).await;
    let (_, a) =
        post(&t, &w.principal.token, &format!("/api/v1/warehouses/{}/checkpoints", w.site_id), json!({"name": "东门"}))
            .await;
    let (_, b) = post(
        &t,
        &w.principal.token,
        &format!("/api/v1/warehouses/{}/checkpoints", w.site_id),
        json!({"name": "库区北侧"}),
    )
    .await;
    let guard = t.user("mb.guard", "patrol_guard", Some(w.org_id)).await;
    // A new hour starts; the guard visits both points.
    t.clock.advance(Duration::minutes(55));
    let (st, c) = post(&t, &guard.token, "/api/v1/patrol/checkins", json!({"code": a["code"], "note": "正常"})).await;
    assert_eq!(st, 201, "{c}");
    assert_eq!(c["round_complete"], false);
    let (_, c) = post(&t, &guard.token, "/api/v1/patrol/checkins", json!({"code": b["code"]})).await;
    assert_eq!(c["round_complete"], true, "the second point completes the hour's round");
    let (_, c) = post(&t, &guard.token, "/api/v1/patrol/checkins", json!({"code": b["code"]})).await;
    assert_eq!(c["round_complete"], false, "a round completes once");
    // The round counts for the hourly patrol obligation.
    let rounds = anjian_store::activities::of_kind_between(
        &t.store.db,
        anjian_test_support::anjian_domain::plan::ActivityKind::PATROL_ROUND,
        None,
        Some(w.org_id),
        t.clock.now_value() - Duration::hours(1),
        t.clock.now_value() + Duration::hours(1),
    )
    .await
    .unwrap();
    assert_eq!(rounds.len(), 1);
    // A guard of another enterprise cannot check in here; an unknown code is not found.
    let stranger = t.user("other.guard", "patrol_guard", Some(t.org_by_code("bureau-zezhou").await.id)).await;
    assert_ne!(post(&t, &stranger.token, "/api/v1/patrol/checkins", json!({"code": a["code"]})).await.0, 201);
    assert_eq!(post(&t, &guard.token, "/api/v1/patrol/checkins", json!({"code": "nope"})).await.0, 404);

    // The next hour only one point is visited; when it ends the watch opens a patrol alarm.
    t.clock.advance(Duration::hours(1));
    post(&t, &guard.token, "/api/v1/patrol/checkins", json!({"code": a["code"]})).await;
    t.app.run_watch("one").await.unwrap();
    t.clock.advance(Duration::hours(1));
    let run = t.app.run_watch("one").await.unwrap().unwrap();
    assert_eq!(run.patrol_missed, 1, "{run:?}");
    let missed: Vec<Value> =
        alarms(&t, &w.principal, w.site_id).await.into_iter().filter(|a| a["kind"] == "patrol_missed").collect();
    assert_eq!(missed.len(), 1);
    let (_, day) = get(&t, &w.principal.token, &format!("/api/v1/warehouses/{}/patrol", w.site_id)).await;
    let hours = day.as_array().unwrap();
    assert_eq!(hours.len(), 24);
    assert_eq!(hours.iter().filter(|h| h["complete"] == true).count(), 1);
    assert!(hours.iter().any(|h| h["missed"] == true && h["visited"] == 1 && h["of"] == 2));
    assert!(hours.iter().any(|h| h["guards"][0] == "测试mb.guard"));
    t.finish().await;
});

on_both_databases!(loadings_check_the_vehicle_and_facilities_are_kept_up, |backend| async move {
    let t = TestApp::start(backend).await;
    let w = warehouse(&t).await;
    // The 四防 template the plan's import made is there for the enterprise's inspections.
    let (_, lists) = get(&t, &w.principal.token, "/api/v1/checklists").await;
    let text = lists.to_string();
    assert!(text.contains("民爆库房“四防”检查表"), "{text}");
    let path = format!("/api/v1/warehouses/{}/loadings", w.site_id);
    // Every item of the loading checklist, each passed or failed.
    let plan = anjian_domain::plan::Plan::parse(anjian_app::demo::SEED_PLAN).unwrap();
    let checklist = plan.checklist_items(anjian_domain::plan::ActivityKind::VEHICLE_CHECK);
    assert_eq!(checklist.len(), 9, "the plan's loading checklist");
    let items: Vec<Value> = checklist
        .iter()
        .map(|i| match i.as_str() {
            "车辆防静电、阻火器完好" => json!({"item": i, "ok": false, "note": "阻火器缺失"}),
            _ => json!({"item": i, "ok": true}),
        })
        .collect();
    let body = json!({"direction": "load", "vehicle": "晋E·12345", "driver": "李师傅", "items": items});
    // Two items of nine is not a checked vehicle: the seven left out are named, nothing is kept.
    let partial = json!({"direction": "load", "vehicle": "晋E·12345", "driver": "李师傅", "items": [
        {"item": "车辆防静电、阻火器完好", "ok": false, "note": "阻火器缺失"},
        {"item": "车辆灭火器配备有效", "ok": true}
    ]});
    let (st, v) = post(&t, &w.principal.token, &path, partial).await;
    assert_eq!(st, 422, "{v}");
    assert_eq!(v["error"]["fields"].as_array().unwrap().len(), 7, "{v}");
    let send = |b: Value| {
        let t = &t;
        let token = w.principal.token.clone();
        let path = path.clone();
        async move {
            let r = t
                .http
                .post(t.url(&path))
                .bearer_auth(token)
                .header("idempotency-key", "7d0c2b8e-5b1e-4c1a-9a55-0c3f1d7a9e21")
                .json(&b)
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    let (st, first) = send(body.clone()).await;
    assert_eq!(st, 201, "{first}");
    assert_eq!(first["failed"], 1);
    let (_, again) = send(body.clone()).await;
    assert_eq!(again["id"], first["id"], "a retry gives the same record");
    let mut changed = body.clone();
    changed["vehicle"] = json!("晋E·99999");
    assert_eq!(send(changed).await.0, 422);
    let (_, hz) = get(&t, &w.principal.token, "/api/v1/hazards").await;
    assert!(hz.to_string().contains("阻火器缺失"), "the failed item is a hazard");
    // The loading opened an instance of the per-loading rule, met by its vehicle check.
    let (_, mine) = get(&t, &w.principal.token, "/api/v1/obligations/mine").await;
    let all: Vec<&Value> =
        mine["current"].as_array().unwrap().iter().chain(mine["overdue"].as_array().unwrap()).collect();
    let per_loading: Vec<&&Value> = all.iter().filter(|o| o["rule_id"] == "explosives-loading-vehicle-check").collect();
    assert_eq!(per_loading.len(), 1, "one loading, one instance: {mine}");
    assert_eq!(per_loading[0]["status"], "met");
    let (st, v) =
        post(&t, &w.principal.token, &path, json!({"direction": "fly", "vehicle": "", "driver": "", "items": []}))
            .await;
    assert_eq!(st, 422);
    assert_eq!(v["error"]["fields"].as_array().unwrap().len(), 3 + 9, "direction, vehicle, driver and the nine items");

    // A facility due every 30 days reminds when it is past; an upkeep resets it.
    let (st, f) = post(
        &t,
        &w.principal.token,
        &format!("/api/v1/warehouses/{}/facilities", w.site_id),
        json!({"kind": "fire", "name": "消防水池", "interval_days": 30}),
    )
    .await;
    assert_eq!(st, 201, "{f}");
    assert_eq!(
        post(
            &t,
            &w.principal.token,
            &format!("/api/v1/warehouses/{}/facilities", w.site_id),
            json!({"kind": "x", "name": "", "interval_days": 0})
        )
        .await
        .0,
        422
    );
    t.clock.advance(Duration::days(31));
    t.app.run_reminders("one").await.unwrap();
    let (_, inbox) = get(&t, &w.principal.token, "/api/v1/notifications").await;
    assert!(inbox["items"].as_array().unwrap().iter().any(|n| n["title"] == "维护保养逾期：消防水池"), "{inbox}");
    let (st, _) = post(
        &t,
        &w.principal.token,
        &format!("/api/v1/facilities/{}/upkeep", f["id"]),
        json!({"note": "清理水池、试水"}),
    )
    .await;
    assert_eq!(st, 201);
    let (_, v) = get(&t, &w.principal.token, &format!("/api/v1/warehouses/{}", w.site_id)).await;
    assert_eq!(v["facilities"][0]["overdue"], false);
    t.finish().await;
});

#[tokio::test]
async fn the_warehouse_page_draws_its_charts_and_the_qr_sheet_and_a_guard_checks_in_by_phone() {
    let t = TestApp::start(Backend::Sqlite).await;
    let w = warehouse(&t).await;
    let readings: Vec<Value> = (0..30)
        .map(|i| json!({"sensor": w.temp, "at": at(&t, -300 + i * 10), "value": 18.0 + (i % 5) as f64}))
        .collect();
    send(&t, &w.token, Value::Array(readings).to_string()).await;
    let (_, cp) =
        post(&t, &w.principal.token, &format!("/api/v1/warehouses/{}/checkpoints", w.site_id), json!({"name": "东门"}))
            .await;
    let cookie = t.sign_in(&w.principal).await;
    let (st, _, html) = t.page(&cookie, &format!("/warehouses/{}", w.site_id)).await;
    assert_eq!(st, 200);
    assert!(
        html.contains("<polyline") && html.contains("近 24 小时") && html.contains("近 30 天"),
        "server-drawn charts"
    );
    let (_, _, qr) = t.page(&cookie, &format!("/warehouses/{}/qr", w.site_id)).await;
    assert!(qr.contains("<svg") && qr.contains("1号库 · 东门"));
    let guard = t.user("mb.g2", "patrol_guard", Some(w.org_id)).await;
    let gc = t.sign_in(&guard).await;
    let (st, _, form) = t.page(&gc, &format!("/patrol/{}", cp["code"].as_str().unwrap())).await;
    assert_eq!(st, 200);
    let csrf = hidden(&form, "_csrf").unwrap();
    let f = reqwest::multipart::Form::new().text("_csrf", csrf).text("note", "门锁完好");
    let r = t
        .http
        .post(t.url(&format!("/patrol/{}", cp["code"].as_str().unwrap())))
        .header("cookie", &gc)
        .multipart(f)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let html = r.text().await.unwrap();
    assert!(by_id(&html, "checked-in").unwrap().contains("本轮完成"), "one checkpoint: the round is complete");
    let n = anjian_store::warehouses::checkins_between(
        &t.store.db,
        &[w.site_id],
        t.clock.now_value() - Duration::hours(1),
        t.clock.now_value() + Duration::hours(1),
    )
    .await
    .unwrap();
    assert_eq!(n.len(), 1);
    let _ = Scope::All;
    t.finish().await;
}

on_both_databases!(batches_sent_at_once_are_each_answered_for_their_own_readings, |backend| async move {
    let t = TestApp::start(backend).await;
    let w = warehouse(&t).await;
    // Another enterprise's gateway, whose batches name this enterprise's sensors.
    let stranger = stranger_gateway(&t, &w).await;
    // Twelve batches at once, written in as few transactions as the intake likes: batch i has
    // the temperature sensor's seconds 100·i … 100·i+149, so each overlaps the next by 50.
    let second = |s: i64| {
        (t.clock.now_value() - Duration::hours(1) + Duration::seconds(s)).to_rfc3339_opts(SecondsFormat::Secs, true)
    };
    let mut sends = Vec::new();
    for i in 0..12i64 {
        let body: Vec<Value> =
            (0..150).map(|s| json!({"sensor": w.temp, "at": second(100 * i + s), "value": 20.0})).collect();
        let token = if i == 5 { stranger.clone() } else { w.token.clone() };
        let (http, url) = (t.http.clone(), t.url("/api/v1/telemetry/readings"));
        sends.push(tokio::spawn(async move {
            let r = http.post(url).header("x-gateway-token", token).body(Value::Array(body).to_string()).send().await;
            let r = r.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap_or(Value::Null))
        }));
    }
    let mut answers = Vec::new();
    for s in sends {
        answers.push(s.await.unwrap());
    }
    let mut accepted = 0;
    for (i, (st, r)) in answers.iter().enumerate() {
        assert_eq!(*st, 200, "{r}");
        let dup = r["rejected"]["duplicate"].as_u64().unwrap_or(0);
        if i == 5 {
            assert_eq!((r["accepted"].as_u64(), r["rejected"]["unknown_sensor"].as_u64()), (Some(0), Some(150)));
        } else {
            assert_eq!(r["accepted"].as_u64().unwrap() + dup, 150, "batch {i}: {r}");
        }
        accepted += r["accepted"].as_u64().unwrap();
    }
    // Seconds 0 … 1249 except 550 … 599, which only the stranger's batch had.
    let stored = anjian_store::warehouses::readings_between(
        &t.store.db,
        anjian_store::warehouses::sensors_of_sites(&t.store.db, &[w.site_id]).await.unwrap()[0].id,
        t.clock.now_value() - Duration::days(1),
        t.clock.now_value(),
    )
    .await
    .unwrap();
    assert_eq!(stored.len(), 1250 - 50);
    assert_eq!(accepted, 1200, "each stored reading is counted as taken by exactly one batch");
    t.finish().await;
});
