//! Each enterprise's fundamentals (fees, staff, training, insurance) with what is missing or
//! expired, the reminder for expiring insurance, the bureaus' overview, the graded table and the
//! powers list, each in Excel.

use anjian_test_support::*;
use anjian_test_support::{get_json as get, post_json as post};
use chrono::Duration;
use serde_json::{json, Value};

fn sheet_rows(bytes: Vec<u8>, name: &str) -> Vec<Vec<String>> {
    use calamine::Reader;
    let mut x: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let r = crate::filed(x.worksheet_range(name).unwrap());
    r.rows().map(|row| row.iter().map(|c| c.to_string()).collect()).collect()
}

on_both_databases!(fundamentals_show_what_is_missing_and_expiring, |backend| async move {
    let t = TestApp::start(backend).await;
    let zezhou = t.org_by_code("bureau-zezhou").await;
    let county = t.user("zz.fund", "county_staff", Some(zezhou.id)).await;
    let (_, org) = post(
        &t,
        &county.token,
        "/api/v1/orgs",
        json!({"name": "泽州鑫磊建材有限公司", "kind": "enterprise", "jurisdiction_id": zezhou.jurisdiction_id}),
    )
    .await;
    let org_id = org["id"].as_i64().unwrap();
    let principal = t.user("principal.xl", "principal", Some(org_id)).await;
    let path = format!("/api/v1/orgs/{org_id}/fundamentals");

    let (_, p) = get(&t, &principal.token, &path).await;
    assert_eq!(p["assessment"]["insurance"], "missing");
    assert!(p["assessment"]["fees_missing"].as_bool().unwrap());

    // Bad input is refused field by field and stores nothing.
    let (st, v) = post(&t, &principal.token, &path, json!({"kind": "fee", "extracted_yuan": -5})).await;
    assert_eq!(st, 422);
    assert_eq!(
        field_codes(&v),
        [
            ("year".into(), "invalid_number".into()),
            ("extracted_yuan".into(), "invalid_number".into()),
            ("used_yuan".into(), "invalid_number".into())
        ]
    );
    let today = t.clock.now_value().date_naive();
    let day = |d: i64| (today + Duration::days(d)).format("%Y-%m-%d").to_string();
    let (st, v) = post(&t, &principal.token, &path, json!({"kind": "insurance", "person": "中国人保", "reference": "PICC-1", "starts_on": day(0), "ends_on": day(-1)})).await;
    assert_eq!((st, field_codes(&v)), (422, vec![("ends_on".into(), "expiry_before_issue".into())]));
    assert_eq!(post(&t, &principal.token, &path, json!({"kind": "bonus"})).await.0, 422);
    assert!(get(&t, &principal.token, &path).await.1["records"].as_array().unwrap().is_empty());

    for body in [
        json!({"kind": "fee", "year": 2022, "extracted_yuan": 520000.0, "used_yuan": 310500.5}),
        json!({"kind": "staff", "required": 3, "actual": 2, "person": "刘工、陈工"}),
        json!({"kind": "training", "person": "刘工", "hours": 24, "starts_on": day(-10), "reference": "AQ-2022-018"}),
        json!({"kind": "insurance", "person": "中国人保", "reference": "PICC-2", "starts_on": day(-345), "ends_on": day(20)}),
    ] {
        let (st, v) = post(&t, &principal.token, &path, body).await;
        assert_eq!(st, 201, "{v}");
    }
    let (_, p) = get(&t, &principal.token, &path).await;
    let a = &p["assessment"];
    assert_eq!(
        (
            a["fees_missing"].as_bool(),
            a["staff_short"].as_bool(),
            a["no_training_this_year"].as_bool(),
            a["insurance"].as_str()
        ),
        (Some(false), Some(true), Some(false), Some("expiring"))
    );
    assert_eq!(p["records"][0]["amount_fen"], 52_000_000);
    // Another county sees nothing of it.
    let other = t.user("gp.fund", "county_staff", Some(t.org_by_code("bureau-gaoping").await.id)).await;
    assert_eq!(get(&t, &other.token, &path).await.0, 404);
    let (_, overview) = get(&t, &county.token, "/api/v1/fundamentals").await;
    let row = overview.as_array().unwrap().iter().find(|r| r["org"]["id"] == org_id).unwrap();
    assert_eq!(row["assessment"]["staff_short"], true);

    // Insurance expiring within 30 days reminds the principal, once.
    t.app.run_reminders("test").await.unwrap();
    t.app.run_reminders("test").await.unwrap();
    let (_, inbox) = get(&t, &principal.token, "/api/v1/notifications").await;
    let ins: Vec<&Value> = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["title"].as_str().unwrap().contains("安全生产责任保险即将到期"))
        .collect();
    assert_eq!(ins.len(), 1, "{inbox}");

    // The graded table and the powers list, kept and exported.
    let r = t.get(&county.token, "/api/v1/graded-table.xlsx").await;
    assert_eq!(r.status(), 200);
    let rows = sheet_rows(r.bytes().await.unwrap().to_vec(), "分级分类一张表");
    assert_eq!(rows[0], ["单位", "所在县区", "类别", "行业", "监管等级"]);
    assert!(rows.iter().any(|r| r[0] == "泽州鑫磊建材有限公司" && r[1] == "泽州县" && r[4] == "一般监管"), "{rows:?}");
    let (st, v) = post(
        &t,
        &county.token,
        "/api/v1/powers",
        json!({"category": "行政检查", "name": "", "basis": "《安全生产法》第六十五条", "responsible": "安全科"}),
    )
    .await;
    assert_eq!((st, field_codes(&v)), (422, vec![("name".into(), "required".into())]));
    assert_eq!(
        post(
            &t,
            &principal.token,
            "/api/v1/powers",
            json!({"category": "x", "name": "x", "basis": "x", "responsible": "x"})
        )
        .await
        .0,
        403
    );
    let (st, _) = post(&t, &county.token, "/api/v1/powers", json!({"category": "行政检查", "name": "工业企业安全生产监督检查", "basis": "《安全生产法》第六十五条", "responsible": "安全科"})).await;
    assert_eq!(st, 201);
    let r = t.get(&county.token, "/api/v1/powers.xlsx").await;
    let rows = sheet_rows(r.bytes().await.unwrap().to_vec(), "权力和责任清单");
    assert_eq!(rows[1], ["行政检查", "工业企业安全生产监督检查", "《安全生产法》第六十五条", "安全科"]);
    assert!(
        get(&t, &other.token, "/api/v1/powers").await.1.as_array().unwrap().is_empty(),
        "a county's list is its own"
    );

    // The profile page, as the principal sees it; a record made there with a photo of its
    // evidence shows the photo, and the API lists it.
    let cookie = t.sign_in(&principal).await;
    let (_, _, html) = t.page(&cookie, &format!("/orgs/{org_id}/fundamentals")).await;
    let csrf = hidden(&html, "_csrf").unwrap();
    let form = reqwest::multipart::Form::new()
        .text("_csrf", csrf)
        .text("kind", "training")
        .text("person", "全员")
        .text("hours", "8")
        .text("starts_on", "2022-08-10")
        .text("reference", "培训签到表")
        .part("photo", reqwest::multipart::Part::bytes(jpeg_with_exif("SIGN-IN")).file_name("sign-in.jpg"));
    let r = t
        .http
        .post(t.url(&format!("/orgs/{org_id}/fundamentals")))
        .header("cookie", &cookie)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection() || r.status().is_success(), "{}", r.status());
    let (_, p) = get(&t, &principal.token, &format!("/api/v1/orgs/{org_id}/fundamentals")).await;
    let photo = p["photos"].as_array().unwrap().first().expect("the evidence photo").clone();
    let record = p["records"].as_array().unwrap().iter().find(|r| r["id"] == photo["owner_id"]).expect("its record");
    assert_eq!(record["reference"], "培训签到表");
    let (st, _, html) = t.page(&cookie, &format!("/orgs/{org_id}/fundamentals")).await;
    assert_eq!(st, 200);
    assert!(html.contains(&format!("/attachments/{}", photo["id"])), "the photo is on the page");
    assert_eq!(t.get(&principal.token, &format!("/api/v1/attachments/{}", photo["id"])).await.status(), 200);
    assert!(html.contains("未配齐配足") && html.contains("30 天内到期") && html.contains("AQ-2022-018"), "{html}");
    let overview = sheet_rows(
        t.http
            .get(t.url("/fundamentals/export.xlsx"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()
            .to_vec(),
        "安全生产基础",
    );
    assert_eq!(overview[1][..3], ["泽州鑫磊建材有限公司".to_owned(), "正常".to_owned(), "未配齐配足".to_owned()]);
    t.finish().await;
});
