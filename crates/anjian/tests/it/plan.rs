//! Importing plans: idempotent, versioned, shown before applied, and refused with line numbers
//! when wrong — with nothing stored.

use anjian_app::AppError;
use anjian_test_support::*;

on_both_databases!(imports_are_idempotent_and_keep_every_version, |backend| async move {
    let t = TestApp::start(backend).await;
    let audit_before = anjian_store::audit::head(&t.store.db).await.unwrap().0;
    // The seed again: unchanged, nothing written.
    let again = t.app.import_plan(None, SEED_PLAN).await.unwrap();
    assert!(again.preview.unchanged);
    assert_eq!(again.version, 1);
    assert_eq!(anjian_store::audit::head(&t.store.db).await.unwrap().0, audit_before);

    // A revision: shown first, then kept as version 2 beside version 1.
    let revised = SEED_PLAN.replacen(
        "due = 2022-11-30\ndue_text = \"11 月底前\"",
        "due = 2022-11-20\ndue_text = \"11 月20日前\"",
        1,
    );
    let preview = t.app.preview_plan(&revised).await.unwrap();
    assert_eq!(preview.current_version, Some(1));
    assert_eq!(preview.changes.len(), 1);
    assert_eq!((preview.changes[0].section, preview.changes[0].key.as_str()), ("tasks", "05"));
    let v2 = t.app.import_plan(None, &revised).await.unwrap();
    assert_eq!(v2.version, 2);
    let history = anjian_store::plans::history(&t.store.db, "jincheng-2022-sandazhanyi").await.unwrap();
    assert_eq!(history.iter().map(|h| h.version).collect::<Vec<_>>(), vec![1, 2]);
    assert_eq!(history[0].source, SEED_PLAN, "the old version is kept as it was");
    let (plan, version) = t.app.current_campaign().await.unwrap();
    assert_eq!(version, 2);
    assert_eq!(plan.tasks[4].due.as_ref().unwrap().get_ref().0.to_string(), "2022-11-20");

    // A broken plan: refused with the line, nothing stored.
    let broken = SEED_PLAN.replacen("departments = [\"chanye\"]", "departments = [\"nosuch\"]", 1);
    match t.app.import_plan(None, &broken).await {
        Err(AppError::PlanInvalid(findings)) => {
            let line = broken[..broken.find("[\"nosuch\"]").unwrap()].matches('\n').count() + 1;
            assert!(findings.iter().any(|f| f.line == line && f.message.contains("nosuch")), "{findings:?}");
        }
        other => panic!("expected PlanInvalid, got {other:?}"),
    }
    assert_eq!(anjian_store::plans::history(&t.store.db, "jincheng-2022-sandazhanyi").await.unwrap().len(), 2);
    // The jurisdictions, bureaus and departments the plan names exist once each.
    assert_eq!(anjian_store::jurisdictions::all(&t.store.db).await.unwrap().len(), 8);
    t.org_by_code("dept-jiaotong").await;
    t.finish().await;
});

#[tokio::test]
async fn the_demo_city_is_deterministic_and_generated_once() {
    let a = TestApp::start(Backend::Sqlite).await;
    let b = TestApp::start(Backend::Sqlite).await;
    a.demo(30).await;
    b.demo(30).await;
    let names = |t: &TestApp| {
        let db = t.store.db.clone();
        async move {
            anjian_store::orgs::list(
                &db,
                &anjian_test_support::anjian_domain::scope::Scope::All,
                &Default::default(),
                None,
                10_000,
            )
            .await
            .unwrap()
            .into_iter()
            // Bureaus come from the plan with random uids; demo organisations have seeded ones.
            .map(|o| (o.name, o.kind, if o.uid.starts_with("demo-") { o.uid } else { String::new() }))
            .collect::<Vec<_>>()
        }
    };
    let (na, nb) = (names(&a).await, names(&b).await);
    assert_eq!(na, nb, "same seed, same city");
    assert!(na.iter().any(|(_, k, _)| k == "explosives_enterprise") && na.iter().any(|(_, k, _)| k == "group_company"));
    let again = a.app.generate_demo(anjian_app::demo::DemoSpec { enterprises: 30, seed: 7 }, &|_| {}).await.unwrap();
    assert!(again.is_none(), "a second run changes nothing");
    assert_eq!(names(&a).await.len(), na.len());
    a.finish().await;
    b.finish().await;
}
