//! Upgrades: a database as the first release left it (migrations m0001–m0005, with an
//! inspection over two points, a closed major hazard and its typical case) is migrated by this
//! release, and what was recorded before counts toward the obligations at once; readings stored
//! by the warehouses release (m0013) keep their instants and values under the new keys.

use anjian_app::App;
use anjian_store::console::Param;
use anjian_store::Store;
use anjian_test_support::*;
use chrono::{DateTime, Duration, Utc};
use std::sync::Arc;

/// Inserts one row as an old release wrote it, with `?` placeholders; its id.
async fn exec(store: &Store, sql: &str, values: Vec<Param>) -> i64 {
    store.insert_sql(sql, values).await.expect("old-release insert")
}

fn t(v: DateTime<Utc>) -> Param {
    v.into()
}

on_both_databases!(a_database_of_the_first_release_upgrades_and_its_records_count, |backend| async move {
    let db = TestDb::new(backend);
    let old = Store::open_migrated_to(&db.options, Some(5)).await.expect("the first release's schema");
    let at = campaign_monday() - Duration::hours(2);
    let clock = Arc::new(anjian_test_support::anjian_domain::clock::FixedClock::new(campaign_monday()));
    // The plan import only touches tables the first release had.
    let app = App::new(old.clone(), clock.clone(), test_settings());
    app.import_plan(None, SEED_PLAN).await.unwrap();
    let bureau = anjian_store::orgs::by_code(&old.db, "bureau-zezhou").await.unwrap().unwrap();
    let city = anjian_store::orgs::by_code(&old.db, "bureau-jincheng").await.unwrap().unwrap();
    let org = exec(
        &old,
        "INSERT INTO orgs (uid, name, kind, jurisdiction_id, jurisdiction_path, org_path, supervision_level, created_at, updated_at) VALUES (?, ?, 'enterprise', ?, ?, '/x/', 'general', ?, ?)",
        vec!["old-org".into(), "泽州老企业有限公司".into(), bureau.jurisdiction_id.into(), bureau.jurisdiction_path.clone().into(), t(at), t(at)],
    )
    .await;
    let user = |name: &'static str, role: &'static str, org_id: i64| {
        let old = old.clone();
        async move {
            exec(
                &old,
                "INSERT INTO users (username, display_name, password_hash, role, org_id, must_change_password, password_changed_at, failed_logins, disabled, created_at, updated_at) VALUES (?, ?, '!', ?, ?, false, ?, 0, false, ?, ?)",
                vec![name.into(), name.into(), role.into(), org_id.into(), t(at), t(at), t(at)],
            )
            .await
        }
    };
    let officer = user("old.officer", "safety_officer", org).await;
    let principal = user("old.principal", "principal", org).await;
    let regulator = user("old.city", "city_staff", city.id).await;
    let p1 = exec(
        &old,
        "INSERT INTO inspection_points (uid, org_id, kind, name, created_at) VALUES ('p1', ?, 'unit', '车间', ?)",
        vec![org.into(), t(at)],
    )
    .await;
    let p2 = exec(
        &old,
        "INSERT INTO inspection_points (uid, org_id, kind, name, created_at) VALUES ('p2', ?, 'post', '电工岗', ?)",
        vec![org.into(), t(at)],
    )
    .await;
    let ins = exec(
        &old,
        "INSERT INTO inspections (uid, org_id, jurisdiction_path, org_path, kind, at, inspector_id, inspector, summary, created_at) VALUES ('i1', ?, ?, '/x/', 'self_inspection', ?, ?, 'old.officer', '月度自查', ?)",
        vec![org.into(), bureau.jurisdiction_path.clone().into(), t(at), officer.into(), t(at)],
    )
    .await;
    for p in [p1, p2] {
        old.execute_sql(&format!("INSERT INTO inspection_coverage (inspection_id, point_id) VALUES ({ins}, {p})"))
            .await
            .unwrap();
    }
    let hazard = exec(
        &old,
        "INSERT INTO hazards (uid, org_id, jurisdiction_path, org_path, source, description, grade, measures, funds_fen, owner, state, has_plan, discovered_at, discovered_by, closed_at, closed_by, created_at, updated_at) VALUES ('h1', ?, ?, '/x/', 'spot_check', '液氨泄漏', 'major', '更换阀门', 0, '王工', 'closed', true, ?, ?, ?, ?, ?, ?)",
        vec![org.into(), bureau.jurisdiction_path.clone().into(), t(at - Duration::days(3)), regulator.into(), t(at), regulator.into(), t(at), t(at)],
    )
    .await;
    exec(
        &old,
        "INSERT INTO typical_cases (hazard_id, org_id, jurisdiction_path, org_path, title, narrative, marked_by, marked_at) VALUES (?, ?, ?, '/x/', '液氨泄漏治理', '经过', ?, ?)",
        vec![hazard.into(), org.into(), bureau.jurisdiction_path.clone().into(), regulator.into(), t(at)],
    )
    .await;
    // Two more hazards on a local month's edge: filed at 00:30 on 1 August in Beijing (still 31
    // July in UTC) and closed at 23:59:59 on 31 August; filed at 23:30 on 31 July, still open.
    let utc = |s: &str| t(s.parse::<DateTime<Utc>>().unwrap());
    for (uid, found, closed) in
        [("h2", "2022-07-31T16:30:00Z", Some("2022-08-31T15:59:59Z")), ("h3", "2022-07-31T15:30:00Z", None)]
    {
        exec(
            &old,
            "INSERT INTO hazards (uid, org_id, jurisdiction_path, org_path, source, description, grade, measures, funds_fen, owner, state, has_plan, discovered_at, discovered_by, closed_at, closed_by, created_at, updated_at) VALUES (?, ?, ?, '/x/', 'report', '月末隐患', 'general', '', 0, '', ?, false, ?, ?, ?, ?, ?, ?)",
            vec![uid.into(), org.into(), bureau.jurisdiction_path.clone().into(), if closed.is_some() { "closed" } else { "reported" }.into(), utc(found), regulator.into(), Param::Time(closed.map(|s| s.parse().unwrap())), closed.map(|_| regulator).into(), utc(found), utc(found)],
        )
        .await;
    }
    drop(app);
    old.close().await.unwrap();

    // This release opens it: the migrations run and carry the old records into the activity log.
    let store = Store::open(&db.options).await.expect("upgrade");
    let app = App::new(store.clone(), clock, test_settings());
    let who = |id: i64| {
        let store = store.clone();
        async move {
            let u = anjian_store::users::by_id_for_auth(&store.db, id).await.unwrap().unwrap();
            let o = anjian_store::users::org_of(&store.db, &u).await.unwrap();
            anjian_app::Actor::new(u, o)
        }
    };
    let mine = app.org_obligations(&who(regulator).await, org).await.unwrap();
    let monthly = mine
        .current
        .iter()
        .find(|o| o.rule_id == "enterprise-monthly-self-inspection")
        .expect("the self-inspection rule");
    assert_eq!((monthly.targets, monthly.targets_met), (2, 2), "the old inspection covered both points");
    let city_mine = app.my_obligations(&who(regulator).await).await.unwrap();
    let done = |rule: &str| city_mine.current.iter().find(|o| o.rule_id == rule).map(|o| o.done);
    assert_eq!(done("city-monthly-major-hazards"), Some(1), "the closed major hazard counts");
    assert_eq!(done("city-monthly-typical-cases"), Some(1), "the typical case counts");
    let p = app.my_obligations(&who(principal).await).await.unwrap();
    assert!(p.current.iter().any(|o| o.rule_id == "principal-weekly-site-check"));
    // The hazards already stored are counted per local month for the cockpit.
    let months = ["2022-07".to_owned(), "2022-08".to_owned()];
    let counted = anjian_store::hazard_counts::by_month(&store.db, None, &months).await.unwrap();
    assert_eq!(counted.get("2022-07"), Some(&(1, 0)), "{counted:?}");
    assert_eq!(counted.get("2022-08"), Some(&(2, 2)), "{counted:?}");
    let county =
        anjian_store::hazard_counts::by_month(&store.db, Some(&bureau.jurisdiction_path), &months).await.unwrap();
    assert_eq!(county, counted);
    // The audit chain the first release wrote still verifies after the upgrade.
    assert!(app.verify_audit(None).await.unwrap().is_ok());
    store.close().await.unwrap();
    if let Some(schema) = &db.options.pg_schema {
        Store::open(&db.options).await.unwrap().drop_schema(schema).await.ok();
    }
});

on_both_databases!(readings_stored_as_timestamps_are_carried_over_to_the_millisecond, |backend| async move {
    let db = TestDb::new(backend);
    // The schema of the release that brought warehouses: readings keyed by timestamp.
    let old = Store::open_migrated_to(&db.options, Some(13)).await.expect("the warehouses release's schema");
    let hour = campaign_monday();
    let ats = [hour + Duration::milliseconds(1), hour + Duration::milliseconds(59_123), hour + Duration::minutes(59)];
    for (i, at) in ats.iter().enumerate() {
        old.execute_sql_with(
            "INSERT INTO readings (sensor_id, at, value) VALUES (?, ?, ?)",
            vec![7i64.into(), t(*at), (20.0 + i as f64 / 4.0).into()],
        )
        .await
        .unwrap();
    }
    old.execute_sql_with(
        "INSERT INTO reading_hours (sensor_id, hour, n, min, max, sum) VALUES (?, ?, 3, 20.0, 20.5, 60.75)",
        vec![7i64.into(), t(hour)],
    )
    .await
    .unwrap();
    old.close().await.unwrap();

    let store = Store::open(&db.options).await.expect("upgrade");
    let r = anjian_store::warehouses::readings_between(&store.db, 7, hour, hour + Duration::hours(1)).await.unwrap();
    assert_eq!(r.iter().map(|r| r.at).collect::<Vec<_>>(), ats.to_vec());
    assert_eq!(r.iter().map(|r| r.value).collect::<Vec<_>>(), vec![20.0, 20.25, 20.5]);
    let h = anjian_store::warehouses::hours_between(&store.db, 7, hour, hour + Duration::hours(1)).await.unwrap();
    assert_eq!(h.len(), 1);
    assert_eq!((h[0].hour, h[0].n, h[0].min, h[0].max, h[0].sum), (hour, 3, 20.0, 20.5, 60.75));
    // A gateway resending one of the carried-over readings changes nothing.
    let txn = store.begin_write().await.unwrap();
    let again = anjian_store::warehouses::insert_readings(
        &*txn,
        &[anjian_store::warehouses::Reading { sensor_id: 7, at: ats[1], value: 99.0 }],
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();
    assert!(again.is_empty());
    if let Some(schema) = &db.options.pg_schema {
        store.drop_schema(schema).await.ok();
    }
    store.close().await.unwrap();
});
