use super::*;
use crate::org::{OrgKind, SiteKind};
use crate::period::{local_midnight, PeriodKind};
use crate::plan::{Plan, Position};
use crate::role::Role;
use chrono::{Duration, NaiveDate, TimeZone};
use proptest::prelude::*;
use std::sync::Arc;

/// A code of the plan's vocabulary (the test plan is Jincheng's).
fn code<T: std::str::FromStr>(s: &str) -> T {
    s.parse().unwrap_or_else(|_| panic!("code {s}"))
}

fn plan() -> Arc<Plan> {
    Arc::new(Plan::parse(include_str!("../../../../plans/jincheng-2022.toml")).expect("seed plan parses"))
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Local noon of a date.
fn noon(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    local_midnight(day(y, m, d)) + Duration::hours(12)
}

const CITY: i64 = 1;
const CHENGQU: i64 = 2;
const ZEZHOU: i64 = 3;
const CITY_BUREAU: i64 = 10;
const CHENGQU_BUREAU: i64 = 11;
const ZEZHOU_BUREAU: i64 = 12;
const ACME: i64 = 20; // enterprise in chengqu
const BOOM: i64 = 21; // explosives enterprise in zezhou, key supervision
const PARK: i64 = 22; // park in zezhou
const GROUP: i64 = 23; // group company in chengqu
const SUB: i64 = 24; // its subsidiary
const PRINCIPAL: i64 = 100;
const DEPUTY: i64 = 101;
const COUNTY_STAFF: i64 = 102;
const JIN: i64 = 103; // leader jin-haifeng, liaison county chengqu
const LIAN: i64 = 104; // leader lian-lujun: zezhou, parks and explosives
const CITY_STAFF: i64 = 105;
const POINT_1: i64 = 300;
const POINT_2: i64 = 301;

fn org(id: i64, kind: OrgKind, j: i64, parent: Option<i64>, level: &str) -> OrgFacts {
    OrgFacts {
        id,
        name: format!("org{id}"),
        kind,
        jurisdiction_id: j,
        jurisdiction_path: if j == CITY { "/1/".into() } else { format!("/1/{j}/") },
        parent_id: parent,
        org_path: match parent {
            Some(p) => format!("/{p}/{id}/"),
            None => format!("/{id}/"),
        },
        park_id: None,
        supervision_level: level.into(),
        industry: None,
        since: None,
        level_changed: None,
    }
}

fn user(id: i64, role: Role, org_id: i64, leader: Option<&str>, position: Option<Position>) -> UserFacts {
    UserFacts {
        id,
        name: format!("u{id}"),
        role,
        org_id: Some(org_id),
        leader_code: leader.map(Into::into),
        position,
        since: None,
    }
}

fn world() -> World {
    let j = |id, code: &str, level, path: &str| JurisdictionFacts {
        id,
        code: code.into(),
        name: code.into(),
        level,
        path: path.into(),
    };
    World {
        jurisdictions: vec![
            j(CITY, "jincheng", code("city"), "/1/"),
            j(CHENGQU, "chengqu", code("county"), "/1/2/"),
            j(ZEZHOU, "zezhou", code("county"), "/1/3/"),
        ],
        orgs: vec![
            org(CITY_BUREAU, OrgKind::REGULATOR, CITY, None, "general"),
            org(CHENGQU_BUREAU, OrgKind::REGULATOR, CHENGQU, None, "general"),
            org(ZEZHOU_BUREAU, OrgKind::REGULATOR, ZEZHOU, None, "general"),
            org(ACME, code("enterprise"), CHENGQU, None, "general"),
            org(BOOM, code("explosives_enterprise"), ZEZHOU, None, "key"),
            org(PARK, OrgKind::PARK, ZEZHOU, None, "general"),
            org(GROUP, code("group_company"), CHENGQU, None, "general"),
            org(SUB, code("enterprise"), CHENGQU, Some(GROUP), "general"),
        ],
        users: vec![
            user(PRINCIPAL, Role::Principal, ACME, None, None),
            user(DEPUTY, Role::Deputy, ACME, None, None),
            user(COUNTY_STAFF, Role::CountyStaff, CHENGQU_BUREAU, None, Some(Position::BureauHead)),
            user(JIN, Role::CityLeader, CITY_BUREAU, Some("jin-haifeng"), None),
            user(LIAN, Role::CityLeader, CITY_BUREAU, Some("lian-lujun"), None),
            user(CITY_STAFF, Role::CityStaff, CITY_BUREAU, None, None),
        ],
        sites: vec![SiteFacts {
            id: 400,
            name: "道口".into(),
            kind: SiteKind::RAILWAY_CROSSING,
            org_id: ACME,
            jurisdiction_path: "/1/2/".into(),
            since: None,
        }],
        points: vec![
            Owned { id: POINT_1, org_id: ACME, since: None },
            Owned { id: POINT_2, org_id: ACME, since: None },
        ],
        guards: vec![],
    }
}

fn act(kind: ActivityKind, at: DateTime<Utc>, user: i64, actor_org: i64, target_org: i64, id: i64) -> Activity {
    Activity {
        kind,
        at,
        recorded_at: at,
        actor_user: Some(user),
        actor_org: Some(actor_org),
        target_org: Some(target_org),
        target_site: None,
        target_point: None,
        target_guard: None,
        target_jurisdiction: None,
        evidence: Evidence { source: Source::Inspection, id },
        items: None,
    }
}

/// An organisation's monthly list for the month of `at`, signed at `entered`.
fn signed(org: i64, at: DateTime<Utc>, entered: DateTime<Utc>, id: i64) -> Activity {
    Activity {
        target_org: Some(org),
        ..Activity::new(ActivityKind::LEDGER_SIGNED, at, Evidence { source: Source::Ledger, id }).entered(entered)
    }
}

fn rule_index(p: &Plan, id: &str) -> usize {
    p.rules.iter().position(|r| r.id.get_ref() == id).unwrap()
}

fn one(b: &Board, rule: &str, subject: Subject, at: DateTime<Utc>, now: DateTime<Utc>) -> Obligation {
    let r = rule_index(b.plan(), rule);
    let w = b.window_at(r, at).expect("a window at that time");
    b.get(b.key(r, &subject, w).expect("subject has the rule"), now)
}

#[test]
fn weeks_start_on_monday_and_are_clipped_to_the_campaign() {
    let p = plan();
    let r = &p.rules[rule_index(&p, "principal-weekly-site-check")];
    let ws = windows(&p, r, p.span().end());
    // The campaign starts on Thursday 2022-06-23: the first window is Thursday to Monday.
    assert_eq!(ws[0].start, local_midnight(day(2022, 6, 23)));
    assert_eq!(ws[0].end, local_midnight(day(2022, 6, 27)));
    assert_eq!(ws[1].end - ws[1].start, Duration::days(7));
    assert_eq!(ws.last().unwrap().end, local_midnight(day(2023, 1, 1)));
    for pair in ws.windows(2) {
        assert_eq!(pair[0].end, pair[1].start, "windows tile the campaign");
    }
    // A rule limited to the last two phases starts on 10-01.
    let late = &p.rules[rule_index(&p, "county-liaison-weekly-check")];
    assert_eq!(windows(&p, late, p.span().end())[0].start, local_midnight(day(2022, 10, 1)));
    // A deadline rule has one window, from the start up to the end of the deadline day.
    let by = &p.rules[rule_index(&p, "city-park-expert-check")];
    let w = windows(&p, by, p.span().end());
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].end, local_midnight(day(2022, 10, 1)));
}

#[test]
fn at_risk_is_late_in_the_window_or_behind_half_way() {
    let w = Window {
        start: noon(2022, 7, 1),
        end: noon(2022, 7, 1) + Duration::hours(100),
        period: Some(PeriodKind::Week),
    };
    let at = |h| w.start + Duration::hours(h);
    assert_eq!(status(1, 0, 0, &w, at(10)), Status::Due);
    assert_eq!(status(1, 0, 0, &w, at(74)), Status::Due);
    assert_eq!(status(1, 0, 0, &w, at(75)), Status::AtRisk);
    assert_eq!(status(1, 1, 0, &w, at(99)), Status::Met);
    assert_eq!(status(1, 0, 0, &w, at(100)), Status::Overdue);
    // Two needed: none done half-way is behind; one done half-way is on course.
    assert_eq!(status(2, 0, 0, &w, at(50)), Status::AtRisk);
    assert_eq!(status(2, 1, 0, &w, at(50)), Status::Due);
    assert_eq!(status(0, 0, 0, &w, at(50)), Status::NotApplicable);
}

#[test]
fn a_full_self_inspection_covers_every_point() {
    let b0 = plan();
    let mut b = Board::new(b0, world());
    let now = noon(2022, 7, 20);
    let mut a = act(ActivityKind::SELF_INSPECTION, noon(2022, 7, 5), PRINCIPAL, ACME, ACME, 1);
    a.target_point = Some(POINT_1);
    b.apply(&a);
    let o = one(&b, "enterprise-monthly-self-inspection", Subject::Org(ACME), noon(2022, 7, 5), now);
    assert_eq!((o.targets, o.targets_met, o.status), (2, 1, Status::Due));
    assert_eq!(b.evidence(b.key(o.rule_index, &o.subject, o.window_index).unwrap()).1, vec![POINT_2]);
    let mut a2 = a.clone();
    a2.target_point = Some(POINT_2);
    a2.evidence.id = 2;
    b.apply(&a2);
    // Every point covered, but the month counts only once the principal has signed its list.
    let o = one(&b, "enterprise-monthly-self-inspection", Subject::Org(ACME), noon(2022, 7, 5), now);
    assert_eq!((o.targets_met, o.status), (2, Status::Due));
    assert_eq!(o.missing, vec!["principal_signature", "report_by_tier"]);
    b.apply(&signed(ACME, noon(2022, 7, 31), noon(2022, 7, 31), 7));
    let o = one(&b, "enterprise-monthly-self-inspection", Subject::Org(ACME), noon(2022, 7, 5), now);
    assert_eq!((o.targets_met, o.status), (2, Status::Met));
    assert!(o.missing.is_empty());
    // June was never inspected: overdue once it ended.
    let june = one(&b, "enterprise-monthly-self-inspection", Subject::Org(ACME), noon(2022, 6, 25), now);
    assert_eq!(june.status, Status::Overdue);
}

#[test]
fn an_entry_made_after_its_window_closed_is_late_and_the_window_stays_overdue() {
    let p = plan();
    let week = noon(2022, 7, 12); // Tuesday; the week ends on Monday 07-18 at midnight
    let now = noon(2022, 7, 25);
    // Entered on Monday evening after the week: within the 24 hours' grace, it counts in time.
    let in_grace = act(ActivityKind::SITE_CHECK, week, PRINCIPAL, ACME, ACME, 1)
        .entered(local_midnight(day(2022, 7, 18)) + Duration::hours(20));
    let b = Board::build(p.clone(), world(), [&in_grace]);
    assert_eq!(one(&b, "principal-weekly-site-check", Subject::User(PRINCIPAL), week, now).status, Status::Met);
    // Entered a week later, dated back into the week: 补录. It shows, the week stays overdue.
    let late = act(ActivityKind::SITE_CHECK, week, PRINCIPAL, ACME, ACME, 2).entered(noon(2022, 7, 25));
    let mut b = Board::build(p, world(), [&late]);
    let o = one(&b, "principal-weekly-site-check", Subject::User(PRINCIPAL), week, now);
    assert_eq!((o.done, o.late, o.status), (0, 1, Status::MetLate));
    let k = b.key(o.rule_index, &o.subject, o.window_index).unwrap();
    assert_eq!(b.evidence(k).0, vec![(late.evidence, true)]);
    let mut summary = RuleSummary::default();
    summary.add(o.status);
    assert_eq!((summary.overdue, summary.met_late, summary.met), (1, 1, 0), "still overdue for its week");
    // The same record entered again changes nothing; one entered in time makes the week met.
    assert!(b.apply(&late).is_empty());
    b.apply(&act(ActivityKind::SITE_CHECK, week, PRINCIPAL, ACME, ACME, 3));
    assert_eq!(one(&b, "principal-weekly-site-check", Subject::User(PRINCIPAL), week, now).status, Status::Met);
}

#[test]
fn nobody_owes_for_windows_that_ended_before_they_existed() {
    let p = plan();
    let mut w = world();
    // The principal's account was made on Wednesday 07-13; the enterprise registered on 07-05.
    w.users.iter_mut().find(|u| u.id == PRINCIPAL).unwrap().since = Some(noon(2022, 7, 13));
    w.orgs.iter_mut().find(|o| o.id == ACME).unwrap().since = Some(noon(2022, 7, 5));
    // Point 2 was added in August.
    w.points[1].since = Some(noon(2022, 8, 2));
    let b = Board::build(p, w, std::iter::empty());
    let now = noon(2022, 9, 1);
    let weekly = |at| one(&b, "principal-weekly-site-check", Subject::User(PRINCIPAL), at, now).status;
    assert_eq!(weekly(noon(2022, 7, 5)), Status::NotApplicable, "the week before the account");
    assert_eq!(weekly(noon(2022, 7, 12)), Status::Overdue, "the week it was made in is owed");
    let monthly = |at| one(&b, "enterprise-monthly-self-inspection", Subject::Org(ACME), at, now);
    assert_eq!(monthly(noon(2022, 6, 25)).status, Status::NotApplicable, "June ended before it registered");
    assert_eq!(monthly(noon(2022, 7, 20)).targets, 1, "July's round did not have point 2");
    assert_eq!(monthly(noon(2022, 8, 20)).targets, 2);
}

#[test]
fn a_bureau_the_plan_names_answers_for_the_whole_campaign() {
    let mut w = world();
    // Its row was made when the plan was imported, mid-campaign.
    w.orgs.iter_mut().find(|o| o.id == ZEZHOU_BUREAU).unwrap().since = Some(noon(2022, 9, 1));
    let b = Board::build(plan(), w, std::iter::empty());
    // July's inspection of its key enterprise is owed all the same.
    let o = one(&b, "key-enterprise-inspection", Subject::Org(ZEZHOU_BUREAU), noon(2022, 7, 10), noon(2022, 12, 1));
    assert_eq!((o.targets, o.status), (1, Status::Overdue));
}

#[test]
fn a_raised_supervision_level_is_owed_from_the_window_it_was_decided_in() {
    let p = plan();
    let mut w = world();
    let acme = w.orgs.iter_mut().find(|o| o.id == ACME).unwrap();
    acme.supervision_level = "key".into();
    acme.level_changed = Some(LevelChange { at: noon(2022, 9, 14), from: "general".into() });
    let b = Board::build(p, w, std::iter::empty());
    let now = noon(2022, 10, 20);
    let key_checks = |at| {
        let o = one(&b, "key-enterprise-inspection", Subject::Org(CHENGQU_BUREAU), at, now);
        (o.targets, o.status)
    };
    assert_eq!(key_checks(noon(2022, 8, 10)), (0, Status::NotApplicable), "not key in August");
    assert_eq!(key_checks(noon(2022, 9, 20)), (1, Status::Overdue), "owed from September, the month it was raised");
}

#[test]
fn a_month_signed_late_is_met_late() {
    let mut b = Board::new(plan(), world());
    for (pt, id) in [(POINT_1, 1), (POINT_2, 2)] {
        let mut a = act(ActivityKind::SELF_INSPECTION, noon(2022, 7, 5), PRINCIPAL, ACME, ACME, id);
        a.target_point = Some(pt);
        b.apply(&a);
    }
    // July's list signed in mid-August.
    b.apply(&signed(ACME, noon(2022, 7, 31), noon(2022, 8, 15), 9));
    let o = one(&b, "enterprise-monthly-self-inspection", Subject::Org(ACME), noon(2022, 7, 5), noon(2022, 8, 20));
    assert_eq!(o.status, Status::MetLate);
}

#[test]
fn every_loading_owes_its_vehicle_check() {
    let mut b = Board::new(plan(), world());
    let loading = |id: i64, at| Activity {
        target_site: None,
        ..Activity::new(ActivityKind::LOADING, at, Evidence { source: Source::Loading, id })
            .by(PRINCIPAL, Some(BOOM))
            .on_org(BOOM)
    };
    let check = |id: i64, at| {
        Activity::new(ActivityKind::VEHICLE_CHECK, at, Evidence { source: Source::Loading, id })
            .by(PRINCIPAL, Some(BOOM))
            .on_org(BOOM)
    };
    let (t1, t2, now) = (noon(2022, 8, 2), noon(2022, 8, 9), noon(2022, 8, 20));
    b.apply(&loading(1, t1));
    b.apply(&check(1, t1));
    b.apply(&loading(2, t2));
    let mine = b.for_subject(&Subject::Org(BOOM), now);
    let per_event: Vec<&Obligation> = mine.iter().filter(|o| o.rule_id == "explosives-loading-vehicle-check").collect();
    assert_eq!(per_event.len(), 2, "one instance per loading");
    assert_eq!((per_event[0].status, per_event[1].status), (Status::Met, Status::Overdue));
    assert_eq!(per_event[1].window.start, t2);
    // The second loading's check arrives: met. Another enterprise's check meets nothing here.
    b.apply(&check(2, t2));
    let o = &b
        .for_subject(&Subject::Org(BOOM), now)
        .into_iter()
        .filter(|o| o.rule_id == "explosives-loading-vehicle-check")
        .collect::<Vec<_>>()[1];
    assert_eq!(o.status, Status::Met);
    assert!(b.keys(now, "/").any(|k| b.rule_index(k) == rule_index(b.plan(), "explosives-loading-vehicle-check")));
}

#[test]
fn a_check_counts_only_when_it_went_through_the_rules_checklist() {
    let p = plan();
    let items = p.checklist_items(ActivityKind::VEHICLE_CHECK).to_vec();
    assert_eq!(items.len(), 9);
    let mut b = Board::new(p, world());
    let at = noon(2022, 8, 2);
    let of = |kind| {
        Activity::new(kind, at, Evidence { source: Source::Loading, id: 1 }).by(PRINCIPAL, Some(BOOM)).on_org(BOOM)
    };
    b.apply(&of(ActivityKind::LOADING));
    // The vehicle checked on two items of nine: not a vehicle check, and the page says what is missing.
    b.apply(&of(ActivityKind::VEHICLE_CHECK).covering(items[..2].iter().cloned()));
    let now = noon(2022, 8, 20);
    let get = |b: &Board| {
        b.for_subject(&Subject::Org(BOOM), now)
            .into_iter()
            .find(|o| o.rule_id == "explosives-loading-vehicle-check")
            .unwrap()
    };
    let o = get(&b);
    assert_eq!(o.status, Status::Overdue);
    assert_eq!(o.missing_items, items[2..].to_vec());
    // The whole checklist: met, and nothing is named missing any more.
    let mut whole = of(ActivityKind::VEHICLE_CHECK).covering(items.iter().cloned());
    whole.evidence.id = 1;
    b.apply(&whole);
    let o = get(&b);
    assert_eq!(o.status, Status::Met);
    assert!(o.missing_items.is_empty());
}

#[test]
fn weekly_checks_count_only_for_the_person_who_made_them() {
    let p = plan();
    let week = noon(2022, 7, 12); // Tuesday
    let acts = [act(ActivityKind::SITE_CHECK, week, PRINCIPAL, ACME, ACME, 1)];
    let b = Board::build(p, world(), &acts);
    let now = noon(2022, 7, 13);
    assert_eq!(one(&b, "principal-weekly-site-check", Subject::User(PRINCIPAL), week, now).status, Status::Met);
    let deputy = one(&b, "deputy-weekly-site-check", Subject::User(DEPUTY), week, now);
    assert_eq!((deputy.done, deputy.need, deputy.status), (0, 2, Status::Due));
    // The week before ended with nothing.
    assert_eq!(
        one(&b, "principal-weekly-site-check", Subject::User(PRINCIPAL), week - Duration::days(7), now).status,
        Status::Overdue
    );
    // A check made on Friday evening of a week with nothing yet is at risk.
    let late = noon(2022, 7, 16);
    assert_eq!(one(&b, "deputy-weekly-site-check", Subject::User(DEPUTY), late, late).status, Status::AtRisk);
}

#[test]
fn liaison_checks_count_in_the_leaders_own_county_and_industry() {
    let p = plan();
    let at = noon(2022, 7, 12);
    let acts = [
        act(ActivityKind::LIAISON_CHECK, at, JIN, CITY_BUREAU, ACME, 1), // chengqu: counts
        act(ActivityKind::LIAISON_CHECK, at, LIAN, CITY_BUREAU, ACME, 2), // chengqu: not lian's county
        act(ActivityKind::LIAISON_CHECK, at, LIAN, CITY_BUREAU, BOOM, 3), // zezhou explosives: county and industry
    ];
    let b = Board::build(p, world(), &acts);
    let now = noon(2022, 7, 13);
    let jin = one(&b, "liaison-weekly-county-check", Subject::Leader("jin-haifeng".into()), at, now);
    assert_eq!(jin.status, Status::Met);
    let lian = one(&b, "liaison-weekly-county-check", Subject::Leader("lian-lujun".into()), at, now);
    assert_eq!(lian.status, Status::Met);
    assert_eq!(
        b.evidence(b.key(lian.rule_index, &lian.subject, lian.window_index).unwrap()).0,
        vec![(Evidence { source: Source::Inspection, id: 3 }, false)]
    );
    let ind = one(&b, "liaison-weekly-industry-check", Subject::Leader("lian-lujun".into()), at, now);
    assert_eq!(ind.status, Status::Met);
    let other = one(&b, "liaison-weekly-industry-check", Subject::Leader("yuan-xiangdong".into()), at, now);
    assert_eq!(other.status, Status::Due, "a leader with no account still has the obligation");
    let absent = one(&b, "liaison-weekly-county-check", Subject::Leader("yuan-xiangdong".into()), at, now);
    assert_eq!(absent.status, Status::NotApplicable, "yangcheng is not in this world");
}

#[test]
fn coverage_rules_count_targets_in_the_bureaus_jurisdiction_and_key_supervision_needs_more() {
    let p = plan();
    let at = noon(2022, 8, 2);
    let mut acts = vec![
        act(ActivityKind::FULL_COVERAGE_CHECK, at, COUNTY_STAFF, CHENGQU_BUREAU, ACME, 1),
        act(ActivityKind::FULL_COVERAGE_CHECK, at, COUNTY_STAFF, CHENGQU_BUREAU, BOOM, 2), // not its county
    ];
    let b = Board::build(p.clone(), world(), &acts);
    let now = noon(2022, 8, 3);
    let chengqu = one(&b, "county-industry-full-coverage", Subject::Org(CHENGQU_BUREAU), at, now);
    // ACME, GROUP and SUB are chengqu's supervised enterprises; ACME is done.
    assert_eq!((chengqu.targets, chengqu.targets_met), (3, 1));
    let zezhou = one(&b, "county-industry-full-coverage", Subject::Org(ZEZHOU_BUREAU), at, now);
    assert_eq!((zezhou.targets, zezhou.need, zezhou.done), (1, 2, 0), "BOOM is key-supervised: 2 checks");
    // Park expert health check: the city must cover the one park by 09-30.
    acts.push(act(ActivityKind::EXPERT_HEALTH_CHECK, at, CITY_STAFF, CITY_BUREAU, PARK, 3));
    let b = Board::build(p, world(), &acts);
    assert_eq!(one(&b, "city-park-expert-check", Subject::Org(CITY_BUREAU), at, now).status, Status::Met);
    let county = one(&b, "county-park-expert-check", Subject::Org(CHENGQU_BUREAU), at, now);
    assert_eq!(county.status, Status::NotApplicable, "chengqu has no park");
}

#[test]
fn group_companies_cover_their_subsidiaries_each_quarter() {
    let p = plan();
    let at = noon(2022, 8, 2);
    let acts = [act(ActivityKind::GROUP_CHECK, at, PRINCIPAL, GROUP, SUB, 1)];
    let mut b = Board::build(p, world(), &acts);
    // The subsidiary is covered once it keeps its own signed list (一企一台账).
    let o = one(&b, "group-quarterly-subsidiary-check", Subject::Org(GROUP), at, at);
    assert_eq!((o.targets, o.status), (1, Status::Due));
    b.apply(&signed(SUB, at, at, 8));
    let o = one(&b, "group-quarterly-subsidiary-check", Subject::Org(GROUP), at, at);
    assert_eq!((o.targets, o.status), (1, Status::Met));
    assert_eq!(o.window.start, local_midnight(day(2022, 7, 1)));
}

#[test]
fn nothing_counts_outside_the_campaign() {
    let p = plan();
    let before = Utc.with_ymd_and_hms(2022, 6, 1, 4, 0, 0).unwrap();
    let mut b = Board::new(p.clone(), world());
    assert!(b.apply(&act(ActivityKind::SITE_CHECK, before, PRINCIPAL, ACME, ACME, 1)).is_empty());
    assert!(b.window_at(rule_index(&p, "principal-weekly-site-check"), before).is_none());
    let after = Utc.with_ymd_and_hms(2023, 1, 2, 4, 0, 0).unwrap();
    assert!(b.apply(&act(ActivityKind::SITE_CHECK, after, PRINCIPAL, ACME, ACME, 2)).is_empty());
}

fn arb_activity() -> impl Strategy<Value = Activity> {
    let kinds = prop::sample::select(vec![
        ActivityKind::SELF_INSPECTION,
        ActivityKind::SITE_CHECK,
        ActivityKind::GROUP_CHECK,
        ActivityKind::FULL_COVERAGE_CHECK,
        ActivityKind::LIAISON_CHECK,
        ActivityKind::EXPERT_HEALTH_CHECK,
        ActivityKind::WEEKLY_ANALYSIS,
        ActivityKind::LOADING,
        ActivityKind::VEHICLE_CHECK,
        ActivityKind::LEDGER_SIGNED,
    ]);
    let users = prop::sample::select(vec![PRINCIPAL, DEPUTY, COUNTY_STAFF, JIN, LIAN, CITY_STAFF]);
    let orgs = prop::sample::select(vec![CITY_BUREAU, CHENGQU_BUREAU, ACME, BOOM, PARK, GROUP, SUB]);
    let points = prop::option::of(prop::sample::select(vec![POINT_1, POINT_2]));
    // A third of the records are entered days or weeks after they happened (补录).
    let delay = prop::option::weighted(0.33, 0i64..24 * 40);
    (kinds, 0i64..200 * 24, users, orgs.clone(), orgs, points, 1i64..40, delay).prop_map(
        |(kind, h, u, ao, to, pt, id, delay)| {
            let at = noon(2022, 6, 23) + Duration::hours(h);
            let mut a = act(kind, at, u, ao, to, id).entered(at + Duration::hours(delay.unwrap_or(0)));
            a.target_point = pt;
            a
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Adding an activity never lowers the status of any instance, and counting one more
    /// activity into a board gives the same board as counting everything from the start.
    #[test]
    fn adding_an_activity_never_lowers_a_status(
        acts in prop::collection::vec(arb_activity(), 0..40),
        extra in arb_activity(),
        now_h in 0i64..200 * 24,
    ) {
        let p = plan();
        let now = noon(2022, 6, 23) + Duration::hours(now_h);
        let mut b = Board::build(p.clone(), world(), &acts);
        let before: Vec<_> = b.keys(now, "/").map(|k| (k, b.status_of(k, now))).collect();
        b.apply(&extra);
        for (k, old) in &before {
            let new = b.status_of(*k, now);
            prop_assert!(new >= *old, "{k:?}: {old:?} -> {new:?}");
        }
        let mut all = acts.clone();
        all.push(extra);
        let fresh = Board::build(p, world(), &all);
        for (k, _) in &before {
            prop_assert_eq!(b.status_of(*k, now), fresh.status_of(*k, now));
            prop_assert_eq!(b.evidence(*k), fresh.evidence(*k));
        }
    }

    /// Statuses only get worse with time when nothing is added: a met window stays met, and
    /// a window never goes back from overdue.
    #[test]
    fn time_only_moves_statuses_toward_overdue(
        acts in prop::collection::vec(arb_activity(), 0..30),
        a in 0i64..200 * 24, d in 0i64..500,
    ) {
        let b = Board::build(plan(), world(), &acts);
        let t1 = noon(2022, 6, 23) + Duration::hours(a);
        let t2 = t1 + Duration::hours(d);
        for k in b.keys(t1, "/") {
            let (s1, s2) = (b.status_of(k, t1), b.status_of(k, t2));
            match s1 {
                Status::Met | Status::NotApplicable | Status::Overdue | Status::MetLate => prop_assert_eq!(s1, s2),
                _ => prop_assert!(s2 <= s1),
            }
        }
    }
}

#[test]
fn subjects_read_back_from_links() {
    for s in [Subject::Org(12), Subject::User(5), Subject::Leader("jin-haifeng".into())] {
        assert_eq!(s.to_string().parse::<Subject>().unwrap(), s);
    }
    assert!("org-x".parse::<Subject>().is_err());
    assert!("leader-".parse::<Subject>().is_err());
    assert!("team-1".parse::<Subject>().is_err());
}

#[test]
fn industries_map_to_org_and_site_kinds() {
    let ix = Indexed::new(world());
    assert!(ix.org_in_industry(plan().vocabulary(), ix.org(BOOM).unwrap(), code("explosives")));
    assert!(ix.org_in_industry(plan().vocabulary(), ix.org(PARK).unwrap(), code("industrial_park")));
    assert!(!ix.org_in_industry(plan().vocabulary(), ix.org(ACME).unwrap(), code("explosives")));
    assert_eq!(ix.bureau_of(CITY_BUREAU).map(|o| o.id), Some(CITY_BUREAU));
    assert!(ix.bureau_of(ACME).is_none());
}
