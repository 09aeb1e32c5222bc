//! A plan in another bureau's words: its own jurisdiction levels, kinds of organisation, site and
//! inspection, and periods — imported and run with no change to the program. And the program
//! itself speaks none of the seed plan's words.

use anjian_domain::plan::{lint, Severity};
use anjian_test_support::*;
use anjian_test_support::{get_json as get, post_json as post};
use serde_json::json;

const PROVINCE: &str = include_str!("fixtures/province-tailings.toml");

fn errors(text: &str) -> Vec<String> {
    lint(text).into_iter().filter(|f| f.severity == Severity::Error).map(|f| f.message).collect()
}

fn status_of(list: &serde_json::Value, rule: &str) -> String {
    list.as_array().unwrap().iter().find(|o| o["rule_id"] == rule).unwrap_or_else(|| panic!("no {rule} in {list}"))
        ["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

on_both_databases!(a_plan_in_its_own_words_runs_without_a_code_change, |backend| async move {
    let t = TestApp::start(backend).await;
    assert!(errors(PROVINCE).is_empty(), "{:?}", errors(PROVINCE));
    t.app.import_plan(None, PROVINCE).await.expect("the province's plan imports");

    // Three levels, each bureau named as its level says; the province's is the issuer.
    assert_eq!(t.org_by_code("bureau-sheng").await.name, "某省应急管理厅");
    assert_eq!(t.org_by_code("bureau-jiashi").await.name, "甲市应急管理局");
    let county = t.org_by_code("bureau-yixian").await;
    assert_eq!(county.name, "乙县应急管理局");
    let staff = t.user("yx.staff", "county_staff", Some(county.id)).await;

    // An organisation of the plan's own kind and industry; a kind it does not declare is refused.
    let (st, v) = post(
        &t,
        &staff.token,
        "/api/v1/orgs",
        json!({"name": "乙县青山尾矿库有限公司", "kind": "tailings_operator", "industry": "non_coal_mining", "jurisdiction_id": county.jurisdiction_id}),
    )
    .await;
    assert_eq!(st, 201, "{v}");
    let operator = v["id"].as_i64().unwrap();
    for (kind, industry, field) in
        [("explosives_enterprise", None, "kind"), ("tailings_operator", Some("explosives"), "industry")]
    {
        let (st, v) = post(
            &t,
            &staff.token,
            "/api/v1/orgs",
            json!({"name": "另一家", "kind": kind, "industry": industry, "jurisdiction_id": county.jurisdiction_id}),
        )
        .await;
        assert_eq!(st, 422, "{kind}: {v}");
        assert_eq!(field_codes(&v), vec![(field.to_owned(), "invalid_kind".to_owned())], "{v}");
    }
    let principal = t.user("qs.principal", "principal", Some(operator)).await;

    // The plan's own inspection kind, recorded by the roles it names and by no one else.
    let dam = json!({"org_id": operator, "kind": "dam_inspection", "summary": "坝体检查"});
    let (st, v) = post(&t, &principal.token, "/api/v1/inspections", dam.clone()).await;
    assert_eq!(st, 403, "a principal does not inspect the dam for the bureau: {v}");
    let (st, v) = post(&t, &staff.token, "/api/v1/inspections", dam).await;
    assert_eq!(st, 201, "{v}");
    let jincheng_kind = json!({"org_id": operator, "kind": "spot_check", "summary": "抽查"});
    let (st, v) = post(&t, &staff.token, "/api/v1/inspections", jincheng_kind).await;
    assert_eq!((st, field_codes(&v)), (422, vec![("kind".to_owned(), "invalid_kind".to_owned())]), "{v}");
    let own = json!({"org_id": operator, "kind": "self_inspection", "summary": "年度自查"});
    assert_eq!(post(&t, &principal.token, "/api/v1/inspections", own).await.0, 201);

    // They count: the county's quarterly coverage and the operator's yearly self-inspection.
    let (st, mine) = get(&t, &staff.token, "/api/v1/obligations/mine").await;
    assert_eq!(st, 200, "{mine}");
    assert_eq!(status_of(&mine["current"], "county-dam-inspection"), "met", "{mine}");
    let (_, mine) = get(&t, &principal.token, "/api/v1/obligations/mine").await;
    let yearly = mine["current"].as_array().unwrap().iter().find(|o| o["rule_id"] == "operator-yearly-self-inspection");
    let yearly = yearly.unwrap_or_else(|| panic!("{mine}"));
    assert_eq!(yearly["status"], "met", "{yearly}");
    let ends = yearly["ends"].as_str().unwrap();
    assert!(ends.starts_with("2022-12-31T16:00:00"), "the year's end, cut in Shanghai: {yearly}");

    // Pages name things in the plan's words.
    let cookie = t.sign_in(&staff).await;
    let (_, _, html) = t.page(&cookie, "/inspections").await;
    assert!(html.contains("坝体专项检查"), "the inspection kind by its name");
    let (_, _, html) = t.page(&cookie, &format!("/orgs/{operator}")).await;
    assert!(html.contains("尾矿库运营企业"), "the organisation kind by its name");
    t.finish().await;
});

#[test]
fn lint_refuses_words_the_plan_does_not_declare() {
    let with = |a: &str, b: &str| {
        assert!(PROVINCE.contains(a), "fixture text not found: {a}");
        PROVINCE.replacen(a, b, 1)
    };
    let e = errors(&with("activity = \"dam_inspection\"", "activity = \"pond_walk\""));
    assert!(e.iter().any(|m| m.contains("activity `pond_walk` is not declared, so no record produces it")), "{e:?}");
    let e = errors(&with("org_kinds = [\"tailings_operator\"], each", "org_kinds = [\"explosives_enterprise\"], each"));
    assert!(e.iter().any(|m| m.contains("organisation kind `explosives_enterprise` is not declared")), "{e:?}");
    let e = errors(&with("level = \"county\"\nparent = \"jiashi\"", "level = \"county\"\nparent = \"sheng\""));
    assert!(e.iter().any(|m| m.contains("must sit under a jurisdiction of the level above (prefecture)")), "{e:?}");
    let e = errors(&with("code = \"dam_inspection\"", "code = \"patrol_round\""));
    assert!(e.iter().any(|m| m.contains("produced by its own record, not by an inspection")), "{e:?}");
    let e = errors(&with(
        "record = \"inspection\"\nrecorded_by = [\"county_staff\", \"city_staff\"]",
        "record = \"builtin\"",
    ));
    assert!(e.iter().any(|m| m.contains("no record of the program produces it")), "{e:?}");
    let e = errors(&with("recorded_by = [\"county_staff\", \"city_staff\"]", "recorded_by = []"));
    assert!(e.iter().any(|m| m.contains("nobody could record it")), "{e:?}");
    let e = errors(&with("level = \"prefecture\"\nparent", "level = \"district\"\nparent"));
    assert!(e.iter().any(|m| m.contains("level `district` is not declared")), "{e:?}");
    let e = errors(&with("per = \"year\"", "per = \"decade\""));
    assert!(!e.is_empty(), "an unknown period is refused");
}

/// `docs/plan-format.md` is the program's own reference, as `anjian plan reference` prints it.
#[test]
fn the_format_reference_is_the_programs() {
    let out = std::process::Command::new(crate::binary::BIN).args(["plan", "reference"]).output().unwrap();
    assert!(out.status.success());
    let printed = String::from_utf8(out.stdout).unwrap();
    assert_eq!(printed, anjian_domain::plan::reference::markdown());
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/plan-format.md");
    let kept = std::fs::read_to_string(path).unwrap_or_default();
    assert!(kept == printed, "docs/plan-format.md is stale: run `anjian plan reference > docs/plan-format.md`");
    for field in
        ["vocabulary.levels[].bureau", "rules[].per", "rules[].requires", "vocabulary.activity_kinds[].recorded_by"]
    {
        assert!(kept.contains(&format!("`{field}`")), "{field}");
    }
}

/// The product crates speak of no particular city: the seed plan's campaign name, its city and
/// county names and its task numbers live in `plans/`, never in the program (tests may use them).
#[test]
fn the_product_speaks_no_seed_words() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let seed = anjian_domain::plan::Plan::parse(SEED_PLAN).unwrap();
    let mut words: Vec<String> = vec!["三大战役".into(), "晋城".into()];
    words.extend(seed.jurisdictions.iter().map(|j| j.name.clone()));
    let task_number = |text: &str| -> Option<String> {
        for marker in ["任务", "任务清单第", "task ", "Task "] {
            for (i, _) in text.match_indices(marker) {
                let rest = text[i + marker.len()..].trim_start();
                if rest.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                    return Some(text[i..(i + marker.len() + 4).min(text.len())].to_owned());
                }
            }
        }
        None
    };
    let mut found = Vec::new();
    for krate in ["anjian", "app", "domain", "i18n", "reports", "store", "web"] {
        for dir in ["src", "templates", "messages"] {
            let base = root.join("crates").join(krate).join(dir);
            for (path, bytes) in files_under(&base) {
                let Ok(text) = String::from_utf8(bytes) else { continue };
                // Unit tests may speak of the seed; the program may not.
                let program = match text.find("#[cfg(test)]") {
                    Some(i) if path.extension().is_some_and(|e| e == "rs") => &text[..i],
                    _ => &text[..],
                };
                if path.components().any(|c| c.as_os_str() == "snapshots") {
                    continue;
                }
                for w in &words {
                    if program.contains(w.as_str()) {
                        found.push(format!("{}: {w}", path.display()));
                    }
                }
                if let Some(t) = task_number(program) {
                    found.push(format!("{}: {t}", path.display()));
                }
            }
        }
    }
    assert!(found.is_empty(), "seed words in the program: {found:#?}");
}

// The plan's addressee of a report, and the annex that names another, show with the rule.
on_both_databases!(a_reports_addressee_and_its_contradiction_show_with_the_rule, |backend| async move {
    let t = TestApp::start(backend).await;
    let city = t.org_by_code("bureau-jincheng").await;
    let staff = t.user("city.words", "city_staff", Some(city.id)).await;
    let cookie = t.sign_in(&staff).await;
    let (st, _, html) = t.page(&cookie, "/campaign").await;
    assert_eq!(st, 200);
    assert!(html.contains("要求报送领导小组") && html.contains("写为市政府分管领导"), "the liaison report's addressee");
    t.finish().await;
});
