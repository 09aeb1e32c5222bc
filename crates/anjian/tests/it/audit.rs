//! The audit chain as stored: every write leaves a record; the database refuses to change or
//! remove one; and if someone with DDL rights does it anyway, verification names the record.

use anjian_app::audit::AuditBreak;
use anjian_app::audit_checkpoint::{CheckpointFile, CheckpointKey};
use anjian_store::console::Engine;
use anjian_test_support::anjian_domain::audit::ChainBreak;
use anjian_test_support::*;

async fn exec(t: &TestApp, sql: &str) -> Result<(), String> {
    t.store.execute_sql(sql).await.map_err(|e| e.to_string())
}

/// A checkpoint file in a folder of its own, signed with a key made from `seed`.
pub(crate) fn checkpoint_file(seed: u8) -> (std::sync::Arc<CheckpointFile>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let file = CheckpointFile {
        path: dir.path().join("audit.checkpoint"),
        key: CheckpointKey::from_bytes(&[seed; 32]).unwrap(),
    };
    (std::sync::Arc::new(file), dir)
}

async fn drop_guards(t: &TestApp) {
    let sql: &[&str] = match t.store.engine() {
        Engine::Sqlite => &["DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete"],
        _ => &["DROP TRIGGER audit_log_append_only ON audit_log"],
    };
    for s in sql {
        exec(t, s).await.unwrap();
    }
}

on_both_databases!(the_chain_refuses_changes_and_names_the_first_bad_record, |backend| async move {
    let t = TestApp::start(backend).await;
    let zezhou = t.org_by_code("bureau-zezhou").await;
    let u = t.user("auditee", "county_staff", Some(zezhou.id)).await;
    for i in 0..5 {
        let r = t.http.post(t.url("/api/v1/orgs")).bearer_auth(&u.token)
            .json(&serde_json::json!({"name": format!("审计测试{i}"), "kind": "enterprise", "jurisdiction_id": zezhou.jurisdiction_id}))
            .send().await.unwrap();
        assert_eq!(r.status().as_u16(), 201);
    }
    let ok = t.app.verify_audit(None).await.unwrap().unwrap();
    assert!(ok.records >= 8, "plan import, user, token and five creates are recorded: {}", ok.records);
    let creates = anjian_store::audit::page(
        &t.store.db,
        &anjian_store::audit::AuditFilter { action: Some("org.create".into()), ..Default::default() },
        None,
        50,
    )
    .await
    .unwrap();
    assert_eq!(creates.len(), 5);
    assert!(creates.iter().map(|l| &l.record).all(|r| r.actor == "auditee" && r.after_digest.is_some()));

    // The database itself refuses to rewrite or delete history, and to renumber the plan.
    assert!(exec(&t, "UPDATE audit_log SET detail = 'x' WHERE seq = 3").await.unwrap_err().contains("append-only"));
    assert!(exec(&t, "DELETE FROM audit_log WHERE seq = 3").await.unwrap_err().contains("append-only"));
    assert!(exec(&t, "DELETE FROM plan_versions").await.unwrap_err().contains("append-only"));

    // With the guards dropped, an altered record is named.
    drop_guards(&t).await;
    exec(&t, "UPDATE audit_log SET actor = 'someone-else' WHERE seq = 4").await.unwrap();
    assert_eq!(t.app.verify_audit(None).await.unwrap().unwrap_err(), ChainBreak::Altered { seq: 4 }.into());
    exec(&t, "UPDATE audit_log SET actor = 'auditee' WHERE seq = 4").await.ok();
    t.finish().await;
});

on_both_databases!(removing_or_cutting_records_is_found, |backend| async move {
    let (checkpoint, _dir) = checkpoint_file(1);
    let public = checkpoint.key.public();
    let path = checkpoint.path.clone();
    let t = TestApp::start_with_settings(backend, |s| s.audit_checkpoint = Some(checkpoint)).await;
    let city = t.org_by_code("bureau-jincheng").await;
    for i in 0..6 {
        t.user(&format!("user{i}"), "principal", Some(city.id)).await;
    }
    let before = t.app.advance_audit_checkpoint().await.unwrap().unwrap().unwrap();
    drop_guards(&t).await;
    // A record removed from the middle.
    exec(&t, "DELETE FROM audit_log WHERE seq = 5").await.unwrap();
    assert_eq!(t.app.verify_audit(None).await.unwrap().unwrap_err(), ChainBreak::Gap { after: 4, found: 6 }.into());
    // The tail cut, and the head row rewound to match: the checkpoint outside the database catches it.
    let keep = before.seq - 2;
    exec(&t, "DELETE FROM audit_log WHERE seq >= 5").await.unwrap();
    let prev: String = {
        let rows = anjian_store::audit::page(&t.store.db, &Default::default(), Some(5), 1).await.unwrap();
        rows[0].hash.clone()
    };
    exec(&t, &format!("UPDATE audit_head SET seq = 4, hash = '{prev}'")).await.unwrap();
    assert!(t.app.verify_audit(None).await.unwrap().is_ok(), "without the checkpoint the cut is invisible");
    let broken = t.app.verify_audit(Some((&path, &public))).await.unwrap().unwrap_err();
    assert!(matches!(broken, AuditBreak::Chain(ChainBreak::Truncated { last_seq: 4, .. })), "{broken:?} (kept {keep})");
    t.finish().await;
});
