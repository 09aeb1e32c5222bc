//! The access-control matrix: every role, over every organisation of a generated city, sees
//! exactly its subtree — in single reads, lists, counts and search — and cannot write outside it.
//! The expected set is computed from the tree's relations, not from the scope code under test.

use anjian_store::orgs::{Org, OrgFilter};
use anjian_test_support::anjian_domain::scope::Scope;
use anjian_test_support::*;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};

fn ancestors_include(o: &Org, anc: i64, by_id: &HashMap<i64, Org>) -> bool {
    let mut cur = Some(o);
    while let Some(c) = cur {
        if c.id == anc {
            return true;
        }
        cur = c.parent_id.and_then(|p| by_id.get(&p));
    }
    false
}

async fn all_pages(t: &TestApp, token: &str, path: &str) -> (u16, Vec<Value>) {
    let mut items = Vec::new();
    let mut after: Option<i64> = None;
    loop {
        let sep = if path.contains('?') { '&' } else { '?' };
        let url = match after {
            Some(a) => format!("{path}{sep}limit=37&after={a}"),
            None => format!("{path}{sep}limit=37"),
        };
        let r = t.get(token, &url).await;
        let status = r.status().as_u16();
        if status != 200 {
            return (status, items);
        }
        let v: Value = r.json().await.unwrap();
        items.extend(v["items"].as_array().unwrap().iter().cloned());
        match v["next"].as_i64() {
            Some(n) => after = Some(n),
            None => return (200, items),
        }
    }
}

on_both_databases!(every_role_sees_exactly_its_subtree, |backend| async move {
    let t = TestApp::start(backend).await;
    t.demo(40).await;
    let everything: Vec<Org> =
        anjian_store::orgs::list(&t.store.db, &Scope::All, &OrgFilter::default(), None, 10_000).await.unwrap();
    let by_id: HashMap<i64, Org> = everything.iter().map(|o| (o.id, o.clone())).collect();
    let first = |kind: &str| everything.iter().find(|o| o.kind == kind).unwrap().clone();
    let zezhou = t.org_by_code("bureau-zezhou").await;
    let city = t.org_by_code("bureau-jincheng").await;
    let group = first("group_company");
    let park = everything
        .iter()
        .find(|o| o.kind == "park" && everything.iter().any(|x| x.park_id == Some(o.id)))
        .unwrap()
        .clone();
    let subsidiary = everything.iter().find(|o| o.parent_id == Some(group.id)).unwrap().clone();
    let explosives = first("explosives_enterprise");
    let railway = first("railway_operator");

    type Rule = Box<dyn Fn(&Org) -> bool>;
    let cases: Vec<(&str, &str, Option<&Org>, Rule)> = vec![
        ("sysadmin", "sys_admin", None, Box::new(|_| true)),
        ("leader", "city_leader", Some(&city), Box::new(|_| true)),
        ("county", "county_staff", Some(&zezhou), {
            let j = zezhou.jurisdiction_id;
            Box::new(move |o| o.jurisdiction_id == j)
        }),
        ("parkstaff", "park_staff", Some(&park), {
            let p = park.id;
            Box::new(move |o| o.id == p || o.park_id == Some(p))
        }),
        ("groupsafety", "group_safety", Some(&group), {
            let g = group.id;
            let m = by_id.clone();
            Box::new(move |o| ancestors_include(o, g, &m))
        }),
        ("principal", "principal", Some(&subsidiary), {
            let s = subsidiary.id;
            Box::new(move |o| o.id == s)
        }),
        ("guard", "patrol_guard", Some(&explosives), {
            let x = explosives.id;
            Box::new(move |o| o.id == x)
        }),
        ("railway", "railway_operator", Some(&railway), {
            let r = railway.id;
            Box::new(move |o| o.id == r)
        }),
    ];

    for (name, role, org, visible) in &cases {
        let u = t.user(name, role, org.map(|o| o.id)).await;
        let expected: BTreeSet<i64> = everything.iter().filter(|o| visible(o)).map(|o| o.id).collect();
        assert!(!expected.is_empty(), "{role}: the fixture gives every role something to see");

        // Single reads: 200 inside, 404 outside — never 403, which would confirm existence.
        for o in &everything {
            let status = t.get(&u.token, &format!("/api/v1/orgs/{}", o.id)).await.status().as_u16();
            let want = if expected.contains(&o.id) { 200 } else { 404 };
            assert_eq!(status, want, "{role} reading org {} ({})", o.id, o.kind);
        }
        // Lists, across pages, and counts.
        let (status, items) = all_pages(&t, &u.token, "/api/v1/orgs").await;
        assert_eq!(status, 200, "{role} lists orgs");
        let listed: BTreeSet<i64> = items.iter().map(|i| i["id"].as_i64().unwrap()).collect();
        assert_eq!(listed, expected, "{role}: the list is exactly the subtree");
        let count: Value = t.get(&u.token, "/api/v1/orgs/count").await.json().await.unwrap();
        assert_eq!(count["count"].as_u64().unwrap() as usize, expected.len(), "{role}: count");
        // Search by the exact name of an organisation outside finds nothing of it.
        if let Some(outside) = everything.iter().find(|o| !expected.contains(&o.id)) {
            let q = format!("/api/v1/orgs?q={}", urlencode(&outside.name));
            let v: Value = t.get(&u.token, &q).await.json().await.unwrap();
            assert!(
                v["items"].as_array().unwrap().iter().all(|i| i["id"].as_i64() != Some(outside.id)),
                "{role}: search leaks {}",
                outside.name
            );
            // Writes outside: refused, nothing changed.
            let r = t
                .http
                .patch(t.url(&format!("/api/v1/orgs/{}", outside.id)))
                .bearer_auth(&u.token)
                .json(&serde_json::json!({"name": "被篡改"}))
                .send()
                .await
                .unwrap();
            assert!(matches!(r.status().as_u16(), 403 | 404), "{role}: rename outside gave {}", r.status());
            let after = anjian_store::orgs::get(&t.store.db, &Scope::All, outside.id).await.unwrap();
            assert_eq!(after.name, outside.name);
            let r = t.http.post(t.url("/api/v1/orgs")).bearer_auth(&u.token)
                .json(&serde_json::json!({"name": "越权企业", "kind": "enterprise", "jurisdiction_id": outside.jurisdiction_id, "parent_id": outside.id}))
                .send().await.unwrap();
            assert!(matches!(r.status().as_u16(), 403 | 404 | 422), "{role}: create under outside gave {}", r.status());
        }
        // Single accounts: readable only when their organisation is in the subtree.
        let all_users =
            anjian_store::users::list(&t.store.db, &Scope::All, &Default::default(), None, 10_000).await.unwrap();
        if anjian_test_support::anjian_domain::role::Role::can(
            role.parse().unwrap(),
            anjian_test_support::anjian_domain::role::Permission::ViewUsers,
        ) {
            for x in &all_users {
                let want = match x.org_id {
                    Some(o) => expected.contains(&o),
                    None => *role == "sys_admin",
                };
                let status = t.get(&u.token, &format!("/api/v1/users/{}", x.id)).await.status().as_u16();
                assert_eq!(status, if want { 200 } else { 404 }, "{role} reading user {}", x.username);
            }
        }
        // Accounts: only those of organisations in the subtree (admins without one only for admins).
        let (status, users) = all_pages(&t, &u.token, "/api/v1/users").await;
        if status == 200 {
            for x in &users {
                match x["org_id"].as_i64() {
                    Some(o) => assert!(expected.contains(&o), "{role} sees user {} of org {o}", x["username"]),
                    None => assert_eq!(*role, "sys_admin", "{role} sees an admin account"),
                }
            }
        } else {
            assert_eq!(status, 403, "{role}: users list");
        }
    }

    // The audit admin sees no supervised data at all; the county never sees the audit log.
    let auditor = t.user("auditor2", "audit_admin", None).await;
    assert_eq!(t.get(&auditor.token, "/api/v1/orgs").await.status().as_u16(), 403);
    assert_eq!(t.get(&auditor.token, &format!("/api/v1/orgs/{}", city.id)).await.status().as_u16(), 404);
    assert_eq!(t.get(&auditor.token, "/api/v1/audit").await.status().as_u16(), 200);
    let county = t.user("county2", "county_staff", Some(zezhou.id)).await;
    assert_eq!(t.get(&county.token, "/api/v1/audit").await.status().as_u16(), 403);
    t.finish().await;
});

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

on_both_databases!(county_staff_create_inside_and_not_outside, |backend| async move {
    let t = TestApp::start(backend).await;
    let zezhou = t.org_by_code("bureau-zezhou").await;
    let gaoping = t.org_by_code("bureau-gaoping").await;
    let u = t.user("zezhou.staff", "county_staff", Some(zezhou.id)).await;
    let body = |j: i64| serde_json::json!({"name": "泽州测试机械有限公司", "kind": "enterprise", "jurisdiction_id": j});
    let r = t
        .http
        .post(t.url("/api/v1/orgs"))
        .bearer_auth(&u.token)
        .json(&body(zezhou.jurisdiction_id))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let r = t
        .http
        .post(t.url("/api/v1/orgs"))
        .bearer_auth(&u.token)
        .json(&body(gaoping.jurisdiction_id))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["fields"][0]["field"], "jurisdiction_id");
    let n = anjian_store::orgs::count(
        &t.store.db,
        &Scope::All,
        &OrgFilter { q: Some("泽州测试机械".into()), ..Default::default() },
    )
    .await
    .unwrap();
    assert_eq!(n, 1, "only the inside create was stored");
    t.finish().await;
});
