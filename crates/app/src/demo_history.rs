//! A campaign's worth of records for the demo city, up to today: the principal's and deputy's
//! weekly checks (some weeks missed), monthly self-inspections over the registered points, the
//! counties' full-coverage checks, the city's expert health checks of parks, group checks of
//! subsidiaries, leaders' liaison checks and bureau heads' weekly analyses; and a year of hazard
//! ledgers. Real rows with their activities and histories, so every figure on the obligation pages
//! and the cockpit leads to a record.

use crate::{App, Result};
use anjian_domain::hazard::{self, Action, HazardState};
use anjian_domain::obligation::{Activity, Evidence, Source, World};
use anjian_domain::org::OrgKind;
use anjian_domain::period::{Period, PeriodKind};
use anjian_domain::plan::{ActivityKind, Position};
use anjian_domain::role::Role;
use anjian_store::inspections::{self, NewInspection};
use anjian_store::liaison::{self, NewAnalysis};
use anjian_store::{activities, orgs, points};
use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::Rng;

/// One record to write: who, on which organisation, what kind, when, and the points covered.
struct Planned {
    user: i64,
    user_org: Option<i64>,
    name: String,
    org: i64,
    kind: ActivityKind,
    at: DateTime<Utc>,
    points: Vec<i64>,
    summary: &'static str,
    /// When it was entered, if not as it happened: a week made up afterwards (补录).
    entered: Option<DateTime<Utc>>,
}

/// Who takes a step of a hazard's history.
struct Step {
    user: i64,
    name: String,
    regulator: bool,
}

/// The six parts of a major hazard's governance plan (治理方案), filled for the demo.
fn governance_plan(measures: &str, officer: &Step) -> anjian_store::hazards::PlanParts {
    anjian_store::hazards::PlanParts {
        goals: "消除重大事故隐患，恢复安全运行".into(),
        measures: measures.into(),
        funds_materials: "企业安全生产费用列支，材料已落实".into(),
        responsible: format!("{}（安全员）", officer.name),
        time_limit: "按限期整改指令完成".into(),
        safety_emergency: "治理期间划定警戒区，停用相关设备，配备应急器材并专人值守".into(),
        suspends_work: true,
    }
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马",
    "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧", "程", "曹", "袁", "邓", "许", "傅", "沈", "曾",
    "彭", "吕",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞",
    "平", "刚", "桂英", "建华", "志强", "海燕", "晓东", "国庆", "红梅", "文博", "雪峰", "春生", "立新", "振华", "宏伟",
    "晋生",
];

/// An actor for a stored user, as a session would make it.
pub(crate) async fn actor_of(app: &App, username: &str) -> Result<Option<crate::Actor>> {
    let Some(user) = anjian_store::users::by_username(&app.store.db, username).await? else { return Ok(None) };
    let org = anjian_store::users::org_of(&app.store.db, &user).await?;
    Ok(Some(crate::Actor::new(user, org)))
}

/// A person of an enterprise on record under a Chinese name, whose account has no password yet:
/// it signs in after an administrator's reset, like any account an enterprise asks for.
pub(crate) async fn person_on_record(
    db: &impl anjian_store::Db,
    rng: &mut StdRng,
    username: &str,
    role: Role,
    org_id: i64,
    since: DateTime<Utc>,
) -> Result<anjian_domain::account::User> {
    Ok(anjian_store::users::insert(
        db,
        anjian_store::users::NewUser {
            username: username.to_owned(),
            display_name: person_name(rng),
            password_hash: crate::users::NO_PASSWORD_YET.into(),
            role: role.as_str().into(),
            org_id: Some(org_id),
            leader_code: None,
            position: None,
            must_change_password: true,
        },
        since,
    )
    .await?)
}

/// A believable Chinese name for a person of the demo city.
pub(crate) fn person_name(rng: &mut StdRng) -> String {
    format!("{}{}", SURNAMES[rng.gen_range(0..SURNAMES.len())], GIVEN[rng.gen_range(0..GIVEN.len())])
}

fn at_in(rng: &mut StdRng, from: DateTime<Utc>, to: DateTime<Utc>) -> DateTime<Utc> {
    let span = (to - from).num_minutes().max(1);
    // Working hours are not modelled; any minute of the window will do for a demo.
    from + Duration::minutes(rng.gen_range(0..span))
}

impl App {
    /// Writes the history; returns how many records it made.
    pub(crate) async fn generate_demo_history(&self, rng: &mut StdRng) -> Result<u64> {
        let plan = self.current_plan().await?;
        let now = self.clock.now();
        let (start, end) = (plan.span().start(), plan.span().end().min(now));
        if end <= start {
            return Ok(0);
        }
        let world: World = activities::load_world(&self.store.db).await?;
        let mut planned: Vec<Planned> = Vec::new();
        let enterprises: Vec<_> = world
            .orgs
            .iter()
            .filter(|o| ["enterprise", "explosives_enterprise", "group_company"].contains(&o.kind.as_str()))
            .collect();

        // The first enterprise's people: points, weekly checks, monthly self-inspection.
        if let Some(principal) = anjian_store::users::by_username(&self.store.db, "principal.1").await? {
            let org = principal.org_id.unwrap_or_default();
            let mut pts = points::of_org(&self.store.db, org).await?.into_iter().map(|p| p.id).collect::<Vec<_>>();
            if pts.is_empty() {
                let txn = self.store.begin_write().await?;
                for (kind, name) in
                    [("unit", "生产车间"), ("process", "动火作业"), ("post", "电工岗"), ("location", "配电室")]
                {
                    let uid = uuid::Uuid::new_v4().to_string();
                    pts.push(points::insert(&*txn, &uid, org, kind, name, Some(principal.id), start).await?.id);
                }
                txn.commit().await?;
            }
            let deputy = anjian_store::users::by_username(&self.store.db, "deputy.1").await?;
            let officer = anjian_store::users::by_username(&self.store.db, "officer.1").await?;
            let mut week = Period::containing(PeriodKind::Week, start);
            while week.start < end {
                let (from, to) = (week.start.max(start), week.end.min(end));
                if rng.gen_bool(0.85) {
                    planned.push(Planned {
                        user: principal.id,
                        user_org: Some(org),
                        name: principal.display_name.clone(),
                        org,
                        kind: ActivityKind::SITE_CHECK,
                        at: at_in(rng, from, to),
                        points: vec![],
                        summary: "主要负责人现场排查",
                        entered: None,
                    });
                } else if rng.gen_bool(0.5) && week.end + Duration::days(6) < end {
                    // A missed week made up afterwards: dated in the week, entered days after it
                    // closed. It shows as 补录 and the week stays among the overdue.
                    planned.push(Planned {
                        user: principal.id,
                        user_org: Some(org),
                        name: principal.display_name.clone(),
                        org,
                        kind: ActivityKind::SITE_CHECK,
                        at: at_in(rng, from, to),
                        points: vec![],
                        summary: "主要负责人现场排查（补录）",
                        entered: Some(week.end + Duration::days(rng.gen_range(2..6))),
                    });
                }
                if let Some(d) = &deputy {
                    for _ in 0..rng.gen_range(0..=2) {
                        planned.push(Planned {
                            user: d.id,
                            user_org: Some(org),
                            name: d.display_name.clone(),
                            org,
                            kind: ActivityKind::SITE_CHECK,
                            at: at_in(rng, from, to),
                            points: vec![],
                            summary: "分管负责人现场排查",
                            entered: None,
                        });
                    }
                }
                week = week.next();
            }
            if let Some(o) = &officer {
                let mut month = Period::containing(PeriodKind::Month, start);
                while month.start < end {
                    let (from, to) = (month.start.max(start), month.end.min(end));
                    let covered: Vec<i64> = if rng.gen_bool(0.8) { pts.clone() } else { pts[..pts.len() / 2].to_vec() };
                    planned.push(Planned {
                        user: o.id,
                        user_org: Some(org),
                        name: o.display_name.clone(),
                        org,
                        kind: ActivityKind::SELF_INSPECTION,
                        at: at_in(rng, from, to),
                        points: covered,
                        summary: "月度全面自查",
                        entered: None,
                    });
                    month = month.next();
                }
            }
        }

        // Counties: a full-coverage check of most of their enterprises; heads' weekly analyses.
        for j in world.jurisdictions.iter().filter(|j| j.level == crate::demo::code("county")) {
            let Some(staff) = anjian_store::users::by_username(&self.store.db, &format!("county.{}", j.code)).await?
            else {
                continue;
            };
            for e in enterprises.iter().filter(|e| e.jurisdiction_path.starts_with(&j.path)) {
                if rng.gen_bool(0.7) {
                    planned.push(Planned {
                        user: staff.id,
                        user_org: staff.org_id,
                        name: staff.display_name.clone(),
                        org: e.id,
                        kind: ActivityKind::FULL_COVERAGE_CHECK,
                        at: at_in(rng, start, end),
                        points: vec![],
                        summary: "行业管理企业全覆盖检查",
                        entered: None,
                    });
                }
            }
        }

        // The city: expert health checks of parks before 09-30, spot checks each month.
        if let Some(staff) = anjian_store::users::by_username(&self.store.db, "city.staff").await? {
            let parks: Vec<_> = world.orgs.iter().filter(|o| o.kind == OrgKind::PARK).collect();
            let by = plan
                .rules
                .iter()
                .find(|r| r.activity == ActivityKind::EXPERT_HEALTH_CHECK)
                .and_then(|r| r.by.as_ref())
                .map(|d| anjian_domain::period::local_midnight(d.get_ref().0))
                .unwrap_or(end);
            for p in parks {
                if rng.gen_bool(0.8) {
                    planned.push(Planned {
                        user: staff.id,
                        user_org: staff.org_id,
                        name: staff.display_name.clone(),
                        org: p.id,
                        kind: ActivityKind::EXPERT_HEALTH_CHECK,
                        at: at_in(rng, start, by.min(end)),
                        points: vec![],
                        summary: "工业园区专家体检",
                        entered: None,
                    });
                }
            }
            let mut month = Period::containing(PeriodKind::Month, start);
            while month.start < end && !enterprises.is_empty() {
                for _ in 0..rng.gen_range(0..=2) {
                    let e = enterprises[rng.gen_range(0..enterprises.len())];
                    planned.push(Planned {
                        user: staff.id,
                        user_org: staff.org_id,
                        name: staff.display_name.clone(),
                        org: e.id,
                        kind: ActivityKind::SPOT_CHECK,
                        at: at_in(rng, month.start.max(start), month.end.min(end)),
                        points: vec![],
                        summary: "行业管理企业抽查",
                        entered: None,
                    });
                }
                month = month.next();
            }
        }

        // Group companies check their subsidiaries each quarter.
        if let Some(g) = anjian_store::users::by_username(&self.store.db, "group.1").await? {
            let group = g.org_id.unwrap_or_default();
            let subs: Vec<_> = world.orgs.iter().filter(|o| o.parent_id == Some(group)).collect();
            let mut q = Period::containing(PeriodKind::Quarter, start);
            while q.start < end {
                for s in &subs {
                    if rng.gen_bool(0.75) {
                        planned.push(Planned {
                            user: g.id,
                            user_org: Some(group),
                            name: g.display_name.clone(),
                            org: s.id,
                            kind: ActivityKind::GROUP_CHECK,
                            at: at_in(rng, q.start.max(start), q.end.min(end)),
                            points: vec![],
                            summary: "集团季度全覆盖检查",
                            entered: None,
                        });
                    }
                }
                q = q.next();
            }
        }

        // Leaders: a liaison check in their county most weeks.
        for l in &plan.leaders {
            let Some(u) = world.users.iter().find(|u| u.leader_code.as_deref() == Some(l.code.get_ref().as_str()))
            else {
                continue;
            };
            let counties: Vec<&str> = l.counties.iter().map(|c| c.get_ref().as_str()).collect();
            let targets: Vec<_> = enterprises
                .iter()
                .filter(|e| {
                    counties.is_empty()
                        || world
                            .jurisdictions
                            .iter()
                            .any(|j| counties.contains(&j.code.as_str()) && e.jurisdiction_path.starts_with(&j.path))
                })
                .collect();
            if targets.is_empty() {
                continue;
            }
            let mut week = Period::containing(PeriodKind::Week, start);
            while week.start < end {
                if rng.gen_bool(0.8) {
                    let e = targets[rng.gen_range(0..targets.len())];
                    planned.push(Planned {
                        user: u.id,
                        user_org: u.org_id,
                        name: u.name.clone(),
                        org: e.id,
                        kind: ActivityKind::LIAISON_CHECK,
                        at: at_in(rng, week.start.max(start), week.end.min(end)),
                        points: vec![],
                        summary: "包联督导检查",
                        entered: None,
                    });
                }
                week = week.next();
            }
        }
        planned.sort_by_key(|p| p.at);

        let mut made = 0u64;
        for chunk in planned.chunks(300) {
            let txn = self.store.begin_write().await?;
            for p in chunk {
                let Some(org) = orgs::get_unscoped_for_auth(&*txn, p.org).await? else { continue };
                let ins = inspections::insert(
                    &*txn,
                    NewInspection {
                        uid: uuid::Uuid::new_v4().to_string(),
                        org,
                        kind: p.kind.as_str().to_owned(),
                        at: p.at,
                        inspector_id: p.user,
                        inspector: p.name.clone(),
                        summary: p.summary.to_owned(),
                        request_digest: None,
                        checklist_version_id: None,
                        site_id: None,
                    },
                    p.entered.unwrap_or(p.at),
                )
                .await?;
                let base = Activity::new(p.kind, p.at, Evidence { source: Source::Inspection, id: ins.id })
                    .by(p.user, p.user_org)
                    .on_org(p.org);
                let acts: Vec<Activity> = if p.points.is_empty() {
                    vec![base]
                } else {
                    for pt in &p.points {
                        inspections::insert_coverage(&*txn, ins.id, *pt).await?;
                    }
                    p.points.iter().map(|pt| Activity { target_point: Some(*pt), ..base.clone() }).collect()
                };
                activities::insert_many(&*txn, &acts, p.entered.unwrap_or(p.at)).await?;
                made += 1;
            }
            txn.commit().await?;
        }
        made += self.demo_weekly_analyses(rng, &world, start, end).await?;
        made += self.demo_hazards(rng, &world, end).await?;
        made += self.demo_safety_tests(rng, &world, start, end).await?;
        made += self.demo_signed_lists(start, end).await?;
        made += self.demo_campaign(rng, &world, start, end).await?;
        made += self.demo_warehouses(rng).await?;
        Ok(made)
    }

    /// The first enterprise's principal signs each finished month's hazard list the morning
    /// after the month ends — once, in the second month, a week late (补录) — so its monthly
    /// self-inspections count, and one shows as met late.
    async fn demo_signed_lists(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> Result<u64> {
        let Some(actor) = actor_of(self, "principal.1").await? else { return Ok(0) };
        let Some(o) = actor.org.clone() else { return Ok(0) };
        let mut made = 0;
        let mut month = Period::containing(PeriodKind::Month, start);
        let mut n = 0;
        while month.end + Duration::hours(10) < end {
            let signed_at = if n == 1 { month.end + Duration::days(7) } else { month.end + Duration::hours(10) };
            if signed_at < end {
                let period = anjian_domain::period::local_date(month.start).format("%Y-%m").to_string();
                self.write_signed_ledger(&actor, o.clone(), &period, signed_at).await?;
                made += 1;
            }
            month = month.next();
            n += 1;
        }
        Ok(made)
    }

    /// A year of hazard ledgers, up to today: the county bureaus find hazards in their
    /// enterprises (most general, a few major) and most are closed by their deadline. Each goes
    /// through the lifecycle the pages enforce, step by step through [`hazard::apply`]: the
    /// county reports it with its deadline (限期整改); the enterprise's safety officer attaches the
    /// governance plan of a major one before rectification starts, rectifies and reports it
    /// fixed; the county verifies it (a regulator, as a major hazard needs). A resolved major
    /// hazard counts toward the city's monthly quota.
    async fn demo_hazards(&self, rng: &mut StdRng, world: &World, end: DateTime<Utc>) -> Result<u64> {
        const GENERAL: [(&str, &str); 6] = [
            ("配电箱未接地", "在配电箱外壳加装接地线并检测"),
            ("消防通道堆放杂物", "清理通道，划线标识，专人巡查"),
            ("安全警示标志缺失", "补设警示标志"),
            ("特种作业人员证件过期", "停岗复训，取证后上岗"),
            ("防护栏杆松动", "紧固并加装踢脚板"),
            ("应急照明失效", "更换应急灯并每月试验"),
        ];
        const MAJOR: [(&str, &str); 2] =
            [("液氨储罐区泄漏报警装置失效", "更换报警装置，联锁调试"), ("煤气管道腐蚀减薄", "停用检测，更换管段")];
        let plan = self.current_plan().await?;
        let grade = |major: bool| {
            plan.hazard_grades.iter().find(|g| g.needs_governance_plan == major).map(|g| g.code.get_ref().clone())
        };
        let (Some(general), major) = (grade(false), grade(true)) else { return Ok(0) };
        let start = end - Duration::days(365);
        let mut made = 0;
        for j in world.jurisdictions.iter().filter(|j| j.level == crate::demo::code("county")) {
            let Some(staff) = anjian_store::users::by_username(&self.store.db, &format!("county.{}", j.code)).await?
            else {
                continue;
            };
            let filter = orgs::OrgFilter { jurisdiction_id: Some(j.id), ..Default::default() };
            let enterprises: Vec<_> =
                orgs::list(&self.store.db, &anjian_domain::scope::Scope::All, &filter, None, 100_000)
                    .await?
                    .into_iter()
                    .filter(|o| matches!(o.kind.as_str(), "enterprise" | "explosives_enterprise"))
                    .collect();
            let txn = self.store.begin_write().await?;
            let county = Step { user: staff.id, name: staff.display_name.clone(), regulator: true };
            for org in &enterprises {
                let officer = self.demo_safety_officer(&*txn, rng, world, org, start).await?;
                let mut month = Period::containing(PeriodKind::Month, start);
                while month.start < end {
                    for _ in 0..rng.gen_range(0..=2) {
                        let found = at_in(rng, month.start.max(start), month.end.min(end));
                        let is_major = major.is_some() && rng.gen_bool(0.03);
                        let (description, measures) = if is_major {
                            MAJOR[rng.gen_range(0..MAJOR.len())]
                        } else {
                            GENERAL[rng.gen_range(0..GENERAL.len())]
                        };
                        let deadline = found + Duration::days(rng.gen_range(7..45));
                        let closed_at = found + (deadline - found) * rng.gen_range(20..=100) / 100;
                        let closed = closed_at < end && rng.gen_bool(if deadline < end { 0.92 } else { 0.4 });
                        let h = anjian_store::hazards::insert(
                            &*txn,
                            anjian_store::hazards::NewHazard {
                                uid: uuid::Uuid::new_v4().to_string(),
                                org: org.clone(),
                                point_id: None,
                                inspection_id: None,
                                source: "full_coverage_check".into(),
                                description: description.into(),
                                grade: if is_major { major.clone().unwrap_or_default() } else { general.clone() },
                                category: None,
                                measures: measures.into(),
                                funds_fen: anjian_domain::money::Fen::new(rng.gen_range(0..2_000_000))
                                    .expect("not negative"),
                                owner: officer.name.clone(),
                                deadline: Some(deadline),
                                state: HazardState::Reported,
                                discovered_at: found,
                                discovered_by: staff.id,
                                request_digest: None,
                                closed: None,
                            },
                            found,
                        )
                        .await?;
                        // The history is checked step by step through the lifecycle, then written
                        // at once: its events in one statement, the hazard's final state in one.
                        let event = |action: &Action, from, to, who: &Step, at| anjian_store::hazards::NewEvent {
                            hazard_id: h.id,
                            action: action.name(),
                            from,
                            to,
                            actor_id: who.user,
                            actor: who.name.clone(),
                            at,
                        };
                        let mut events =
                            vec![event(&Action::Report, HazardState::Draft, HazardState::Reported, &county, found)];
                        // The steps after the report, each at its time, as the pages would take them.
                        let begun = found + Duration::hours(rng.gen_range(4..30));
                        let fixed = (closed_at - Duration::hours(rng.gen_range(2..48))).max(begun + Duration::hours(1));
                        // Where an open one stands — reported, rectifying, or fixed and awaiting the
                        // county — as far as today allows: no step is dated after it.
                        let stage = match (closed, rng.gen_range(0..3)) {
                            (true, _) => 3,
                            (false, _) if begun >= end => 0,
                            (false, 2) if fixed >= end => 1,
                            (false, n) => n,
                        };
                        let mut steps: Vec<(Action, &Step, DateTime<Utc>)> = Vec::new();
                        if is_major && begun - Duration::hours(1) < end {
                            steps.push((Action::AttachPlan, &officer, begun - Duration::hours(1)));
                        }
                        if stage >= 1 {
                            steps.push((Action::StartRectifying, &officer, begun));
                        }
                        if stage >= 2 {
                            steps.push((Action::SubmitRectification, &officer, fixed));
                        }
                        if stage >= 3 {
                            steps.push((Action::Verify, &county, closed_at.max(fixed + Duration::hours(1))));
                        }
                        let mut facts = hazard::HazardFacts {
                            state: HazardState::Reported,
                            major: is_major,
                            has_governance_plan: false,
                            fixed_by: None,
                            has_after_photo: false,
                            has_deadline: true,
                        };
                        let mut last = (found, &county);
                        for (action, who, at) in steps {
                            let doer = hazard::Doer { user_id: who.user, regulator: who.regulator };
                            let next = hazard::apply(&facts, &action, doer)
                                .map_err(|r| crate::AppError::Internal(format!("demo hazard history: {r}")))?;
                            if action == Action::AttachPlan {
                                anjian_store::hazards::insert_plan(
                                    &*txn,
                                    h.id,
                                    &governance_plan(measures, &officer),
                                    who.user,
                                    at,
                                )
                                .await?;
                            }
                            events.push(event(&action, facts.state, next.state, who, at));
                            facts = next;
                            last = (at, who);
                        }
                        anjian_store::hazards::insert_events(&*txn, &events).await?;
                        if facts.state != HazardState::Reported || facts.has_governance_plan {
                            let closes = facts.state == HazardState::Closed;
                            anjian_store::hazards::change_state(
                                &*txn,
                                h.id,
                                &anjian_store::hazards::StateChange {
                                    from: HazardState::Reported,
                                    to: facts.state,
                                    has_plan: facts.has_governance_plan,
                                    fixed_by: facts.fixed_by,
                                    closed: closes.then_some((last.0, last.1.user)),
                                },
                                last.0,
                            )
                            .await?;
                            if closes && is_major {
                                let act = Activity::new(
                                    ActivityKind::MAJOR_HAZARD_RESOLVED,
                                    last.0,
                                    Evidence { source: Source::Hazard, id: h.id },
                                )
                                .by(staff.id, staff.org_id)
                                .on_org(org.id);
                                activities::insert_many(&*txn, &[act], last.0).await?;
                            }
                        }
                        made += 1;
                    }
                    month = month.next();
                }
            }
            txn.commit().await?;
        }
        Ok(made)
    }

    /// The enterprise's safety officer (安全员), who rectifies its hazards: the demo's account
    /// when there is one, else a person on record whose account has no password yet — it signs
    /// in after an administrator's reset, like any account an enterprise asks for.
    async fn demo_safety_officer(
        &self,
        db: &impl anjian_store::Db,
        rng: &mut StdRng,
        world: &World,
        org: &anjian_domain::org::Org,
        since: DateTime<Utc>,
    ) -> Result<Step> {
        if let Some(u) = world.users.iter().find(|u| u.role == Role::SafetyOfficer && u.org_id == Some(org.id)) {
            return Ok(Step { user: u.id, name: u.name.clone(), regulator: false });
        }
        let u = person_on_record(db, rng, &format!("safety.{}", org.id), Role::SafetyOfficer, org.id, since).await?;
        Ok(Step { user: u.id, name: u.display_name, regulator: false })
    }

    /// Bureau heads record their weekly analysis in most weeks.
    async fn demo_weekly_analyses(
        &self,
        rng: &mut StdRng,
        world: &World,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<u64> {
        let heads: Vec<_> = world
            .users
            .iter()
            .filter(|u| {
                u.holds(Position::BureauHead)
                    && matches!(u.role, Role::CityLeader | Role::CityStaff | Role::CountyStaff)
            })
            .collect();
        let mut made = 0;
        let txn = self.store.begin_write().await?;
        for h in heads {
            let Some(org) = orgs::get_unscoped_for_auth(&*txn, h.org_id.unwrap_or_default()).await? else { continue };
            let mut week = Period::containing(PeriodKind::Week, start);
            while week.start < end {
                if rng.gen_bool(0.8) {
                    let at = at_in(rng, week.start.max(start), week.end.min(end));
                    let row = liaison::insert_analysis(
                        &*txn,
                        NewAnalysis {
                            uid: uuid::Uuid::new_v4().to_string(),
                            org: org.clone(),
                            week_start: anjian_domain::period::local_date(week.start).format("%Y-%m-%d").to_string(),
                            analysis: "本周辖区隐患排查治理总体平稳，机械、建材行业一般隐患较多。".into(),
                            arrangements: "下周组织对重点企业开展督导检查，跟踪重大隐患整改进度。".into(),
                            author_id: h.id,
                            author: h.name.clone(),
                            request_digest: None,
                        },
                        at,
                    )
                    .await?;
                    let act = Activity::new(
                        ActivityKind::WEEKLY_ANALYSIS,
                        at,
                        Evidence { source: Source::WeeklyAnalysis, id: row.id },
                    )
                    .by(h.id, Some(org.id))
                    .on_org(org.id);
                    activities::insert_many(&*txn, &[act], at).await?;
                    made += 1;
                }
                week = week.next();
            }
        }
        txn.commit().await?;
        Ok(made)
    }
}
