//! Faults an operator meets in the field, with the real binary: a disk that fills up.

use super::binary::{explosives_sensor, json_of, open_data, own_jurisdiction, prepare, start, terminate, BIN};
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// A small file system of its own (tmpfs), so the test can fill it to the last byte without
/// touching the machine's disk. Unmounted when dropped.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(megabytes: u32) -> SmallDisk {
        let dir = tempfile::tempdir().unwrap();
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(dir.path())
            .status()
            .is_ok_and(|s| s.success());
        assert!(mounted, "the full-disk test mounts a {megabytes} MB tmpfs: it needs root (CI runs as root)");
        SmallDisk { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a filler file until the file system refuses another byte.
    fn fill(&self) -> PathBuf {
        let filler = self.path().join("filler");
        let mut f = std::fs::File::create(&filler).unwrap();
        for chunk in [1 << 20, 4096, 1] {
            let block = vec![0u8; chunk];
            while f.write_all(&block).is_ok() {}
        }
        // What is still buffered cannot be written either; the file is as full as the disk.
        drop(f);
        filler
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        Command::new("umount").arg("-l").arg(self.dir.path()).status().ok();
    }
}

/// What one write attempt came back with: its status and, for an error, its stable code.
async fn outcome(r: reqwest::Result<reqwest::Response>) -> (u16, String) {
    let r = r.expect("the server answers (a refused write must not hang the client)");
    let status = r.status().as_u16();
    let body: Value = r.json().await.unwrap_or(Value::Null);
    (status, body["error"]["code"].as_str().unwrap_or_default().to_owned())
}

/// A full disk: every write is refused with 507 `storage_full` (none waits on a lock left behind
/// by an earlier refusal, none answers anything else), reads go on, nothing stored is harmed, and
/// writing resumes as soon as space returns — without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_writes_clearly_and_writing_resumes_when_space_returns() {
    let disk = SmallDisk::mount(64);
    let data = disk.path().join("data");
    let token = prepare(&data).await;
    let s = start(&data, &[]);
    let base = format!("http://{}", s.addr);
    let (_, code, gateway, _) = explosives_sensor(&base, &token).await;
    // Short timeouts: a write stuck behind SQLite's 15 s busy timeout fails the test, not CI.
    let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    let jid = own_jurisdiction(&base, &token).await;
    let t0 = anjian_store::readings::to_stored_precision(chrono::Utc::now() - chrono::Duration::hours(3));
    let mut sent = 0i64;
    let create_org = |name: String| {
        let body = json!({"name": name, "kind": "enterprise", "jurisdiction_id": jid});
        http.post(format!("{base}/api/v1/orgs")).bearer_auth(&token).json(&body).send()
    };
    let mut send_readings = || {
        let body: Vec<Value> = (0..100)
            .map(|k| {
                let at = t0 + chrono::Duration::milliseconds(sent * 100 + k);
                json!({"sensor": code, "at": at.to_rfc3339(), "value": 20.5})
            })
            .collect();
        sent += 1;
        http.post(format!("{base}/api/v1/telemetry/readings")).header("x-gateway-token", &gateway).json(&body).send()
    };
    let mut stored = Vec::new();
    for i in 0..20 {
        let name = format!("满盘前{i}");
        assert_eq!(outcome(create_org(name.clone()).await).await.0, 201);
        stored.push(name);
    }
    assert_eq!(outcome(send_readings().await).await.0, 200);
    let org_id = json_of(http.get(format!("{base}/api/v1/orgs?q=满盘前0")).bearer_auth(&token)).await["items"][0]["id"]
        .as_i64()
        .unwrap();
    let body = json!({"org_id": org_id, "description": "配电箱未接地", "grade": "general"});
    let hazard = json_of(http.post(format!("{base}/api/v1/hazards")).bearer_auth(&token).json(&body)).await;
    let photo_url = format!("{base}/api/v1/hazards/{}/photos?role=before", hazard["id"]);
    let upload_photo =
        || http.post(&photo_url).bearer_auth(&token).body(anjian_test_support::jpeg_with_exif("满盘")).send();

    let filler = disk.fill();
    // The first writes may still fit in space SQLite holds already (the WAL); soon none does.
    let (mut refused, mut taken_while_full) = (0, 0);
    for i in 0..400 {
        let name = format!("满盘时{i}");
        let org = outcome(create_org(name.clone()).await).await;
        let batch = outcome(send_readings().await).await;
        for (status, code) in [&org, &batch] {
            match *status {
                200 | 201 => taken_while_full += 1,
                507 => {
                    assert_eq!(code, "storage_full");
                    refused += 1;
                }
                other => panic!("a write on a full disk answered {other} {code} (after {refused} refusals)"),
            }
        }
        if org.0 == 201 {
            stored.push(name);
        }
        if refused >= 60 {
            break;
        }
    }
    assert!(refused >= 60, "a full disk refuses writes: {refused} refused, {taken_while_full} taken");
    // A photo is a file beside the database: refused the same way, and no half-written file is
    // left to hold on to the space.
    assert_eq!(outcome(upload_photo().await).await, (507, "storage_full".to_owned()));
    let leftovers: Vec<_> = anjian_test_support::files_under(&data)
        .into_iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "tmp"))
        .map(|(p, _)| p)
        .collect();
    assert!(leftovers.is_empty(), "half-written files: {leftovers:?}");
    // On a page the refusal reads in the user's language. (A failed sign-in is a write: it counts
    // towards the lockout.)
    let page = http
        .post(format!("{base}/login"))
        .header("accept-language", "zh-CN")
        .form(&[("username", "writer"), ("password", "not-the-password")])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 507);
    assert!(page.text().await.unwrap().contains("存储空间已满"), "the page says the storage is full");
    // Reads go on.
    let list = json_of(http.get(format!("{base}/api/v1/orgs?q=满盘前")).bearer_auth(&token)).await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(20), "{list}");
    assert_eq!(http.get(format!("{base}/readyz")).send().await.unwrap().status(), 200);

    // Space returns; writing resumes at once, every write taken.
    std::fs::remove_file(filler).unwrap();
    for i in 0..20 {
        let name = format!("满盘后{i}");
        let org = outcome(create_org(name.clone()).await).await;
        assert_eq!(org.0, 201, "a write after space returned: {org:?}");
        stored.push(name);
        let batch = outcome(send_readings().await).await;
        assert_eq!(batch.0, 200, "a batch after space returned: {batch:?}");
    }
    assert_eq!(outcome(upload_photo().await).await.0, 201, "a photo after space returned");
    assert!(terminate(s).success());

    let store = open_data(&data).await;
    assert_eq!(store.integrity_check().await.unwrap(), "ok");
    for name in &stored {
        let found = anjian_store::orgs::list(
            &store.db,
            &anjian_test_support::anjian_domain::scope::Scope::All,
            &anjian_store::orgs::OrgFilter { q: Some(name.clone()), ..Default::default() },
            None,
            10,
        )
        .await
        .unwrap();
        assert!(found.iter().any(|o| &o.name == name), "acknowledged organisation {name} is stored");
    }
    store.close().await.unwrap();
    let verify = Command::new(BIN).arg("--data-dir").arg(&data).args(["audit", "verify"]).output().unwrap();
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stdout));
    println!("full disk: {refused} writes refused with 507, {taken_while_full} still fitted; all resumed");
}
