//! `anjian-bench obligations`: the obligation engine at city scale. For each size (enterprises),
//! on SQLite and PostgreSQL, it builds a synthetic city with a principal and a deputy per
//! enterprise, six inspection points each, and one campaign of activities (weekly site checks,
//! monthly self-inspections over every point, the counties' full-coverage checks, leaders'
//! liaison checks), then measures in the same run:
//!
//! - building the board from the database (load the city, read every activity, count it);
//! - evaluating every obligation instance of the plan at one moment;
//! - the naive way: one query per subject and rule, counted per window — for the three rules
//!   with a subject per enterprise or person, on a sample of subjects, extrapolated to all of
//!   them; its statuses are checked against the board's;
//! - adding one activity: the time for the board to take it in, beside a full rebuild;
//! - memory: resident set growth of the process while the board is built.

use anjian_app::{App, Settings};
use anjian_domain::clock::FixedClock;
use anjian_domain::obligation::{status, windows, Activity, Evidence, Source, Status, Subject};
use anjian_domain::plan::{ActivityKind, Plan};
use anjian_store::users::NewUser;
use anjian_store::{activities, points, Store, StoreOptions};
use anyhow::Context;
use chrono::{Duration, TimeZone, Utc};
use rand::{Rng, SeedableRng};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

#[derive(clap::Args, Clone)]
pub struct ObligationBenchArgs {
    /// City sizes in enterprises, comma separated.
    #[arg(long, default_value = "500,5000,50000", value_delimiter = ',')]
    sizes: Vec<u32>,
    /// Subjects per rule the naive way is timed on (then extrapolated to all).
    #[arg(long, default_value_t = 1000)]
    naive_sample: usize,
    #[arg(long, env = "ANJIAN_BENCH_POSTGRES")]
    postgres: Option<String>,
    #[arg(long)]
    skip_sqlite: bool,
}

fn rss_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(field)).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()))
        .unwrap_or(0)
}

struct Figures {
    backend: &'static str,
    enterprises: u32,
    activities: u64,
    instances: u64,
    setup_s: f64,
    build_s: f64,
    evaluate_s: f64,
    naive_s: f64,
    naive_measured: usize,
    naive_subjects: usize,
    engine_same_rules_s: f64,
    add_one_ms: f64,
    rss_growth_mib: f64,
    board_mib: f64,
    mismatches: usize,
}

pub async fn run(args: &ObligationBenchArgs) -> anyhow::Result<()> {
    let mut out = Vec::new();
    for &n in &args.sizes {
        if !args.skip_sqlite {
            let db = crate::writes::Scratch::sqlite(&format!("obl-{n}"), 8)?;
            let r = measure("SQLite", db.opts.clone(), n, args).await;
            db.finish().await;
            out.push(r?);
        }
        if let Some(url) = &args.postgres {
            let db = crate::writes::Scratch::postgres(url, &format!("o_{n}"), 8);
            let r = measure("PostgreSQL", db.opts.clone(), n, args).await;
            db.finish().await;
            out.push(r?);
        }
    }
    println!();
    println!("| backend | enterprises | activities | instances | build board (s) | evaluate all (s) | naive, 3 rules (s) | engine, same 3 rules (s) | naive / engine | add one activity (ms) | full rebuild / add one | board (MiB, est.) | peak RSS growth (MiB) | status mismatches |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for f in &out {
        println!(
            "| {} | {} | {} | {} | {:.2} | {:.2} | {:.1}{} | {:.3} | {:.0}× | {:.1} | {:.0}× | {:.0} | {:.0} | {} |",
            f.backend,
            f.enterprises,
            f.activities,
            f.instances,
            f.build_s,
            f.evaluate_s,
            f.naive_s,
            if f.naive_measured < f.naive_subjects {
                format!(" (est. from {} of {} subjects)", f.naive_measured, f.naive_subjects)
            } else {
                String::new()
            },
            f.engine_same_rules_s,
            f.naive_s / f.engine_same_rules_s.max(1e-9),
            f.add_one_ms,
            f.build_s * 1000.0 / f.add_one_ms.max(1e-9),
            f.board_mib,
            f.rss_growth_mib,
            f.mismatches
        );
    }
    println!(
        "\nsetup (city and activities written) per run, seconds: {}",
        out.iter().map(|f| format!("{} {} {:.0}", f.backend, f.enterprises, f.setup_s)).collect::<Vec<_>>().join("; ")
    );
    if out.iter().any(|f| f.mismatches > 0) {
        anyhow::bail!("the naive evaluation disagrees with the board");
    }
    Ok(())
}

const POINT_KINDS: [&str; 6] = ["unit", "unit", "process", "post", "post", "location"];

async fn measure(
    backend: &'static str,
    opts: StoreOptions,
    n: u32,
    args: &ObligationBenchArgs,
) -> anyhow::Result<Figures> {
    let setup = Instant::now();
    let store = Store::open(&opts).await.with_context(|| format!("opening {backend}"))?;
    let plan = Plan::parse(anjian_app::demo::SEED_PLAN).map_err(|e| anyhow::anyhow!("{e}"))?;
    // Ten days before the campaign ends: nearly all of it has happened.
    let now = anjian_domain::TZ.with_ymd_and_hms(2022, 12, 21, 10, 0, 0).unwrap().with_timezone(&Utc);
    let clock = Arc::new(FixedClock::new(now));
    let settings = Settings { blob_dir: Some(std::env::temp_dir()), ..Settings::default() };
    let app = App::new(store.clone(), clock.clone(), settings);
    app.import_plan(None, anjian_app::demo::SEED_PLAN).await?;
    eprintln!("{backend} {n}: generating the city …");
    app.generate_demo(anjian_app::demo::DemoSpec { enterprises: n, seed: 1 }, &|_| {}).await?;
    let world = activities::load_world(&store.db).await?;
    let enterprises: Vec<_> = world
        .orgs
        .iter()
        .filter(|o| o.kind.is_supervised() && o.kind != anjian_domain::org::OrgKind::PARK)
        .map(|o| (o.id, o.jurisdiction_path.clone()))
        .collect();

    // A principal and a deputy per enterprise, six points each.
    let t0 = now - Duration::days(200);
    let txn = store.begin_write().await?;
    let mut people = Vec::new();
    for (id, _) in &enterprises {
        for role in ["principal", "deputy"] {
            people.push(NewUser {
                username: format!("b.{role}.{id}"),
                display_name: format!("{role} {id}"),
                password_hash: "!".into(),
                role: role.into(),
                org_id: Some(*id),
                leader_code: None,
                position: None,
                must_change_password: true,
            });
        }
    }
    anjian_store::users::insert_many_raw(&*txn, people, t0).await?;
    let pts: Vec<(String, i64, &str, String)> = enterprises
        .iter()
        .flat_map(|(id, _)| {
            POINT_KINDS
                .iter()
                .enumerate()
                .map(move |(k, kind)| (format!("b.pt.{id}.{k}"), *id, *kind, format!("点位{k}")))
        })
        .collect();
    points::insert_many_raw(&*txn, &pts, t0).await?;
    txn.commit().await?;

    // One campaign of activities.
    eprintln!("{backend} {n}: writing the campaign's activities …");
    let world = activities::load_world(&store.db).await?;
    let role_of: HashMap<(i64, &str), i64> =
        world.users.iter().filter_map(|u| Some(((u.org_id?, u.role.as_str()), u.id))).collect();
    let points_of: HashMap<i64, Vec<i64>> = world.points.iter().fold(HashMap::new(), |mut m, p| {
        m.entry(p.org_id).or_default().push(p.id);
        m
    });
    let county_staff: HashMap<String, (i64, Option<i64>)> = world
        .users
        .iter()
        .filter(|u| u.role == anjian_domain::role::Role::CountyStaff)
        .filter_map(|u| {
            let o = world.orgs.iter().find(|o| Some(o.id) == u.org_id)?;
            Some((o.jurisdiction_path.clone(), (u.id, u.org_id)))
        })
        .collect();
    let mut rng = rand::rngs::StdRng::seed_from_u64(n as u64);
    let (start, end) = (plan.span().start(), now);
    let mut next_id = 1_000_000_000i64;
    let mut batch: Vec<Activity> = Vec::new();
    let mut written = 0u64;
    let mut ev = |rng: &mut rand::rngs::StdRng,
                  kind,
                  from: chrono::DateTime<Utc>,
                  to: chrono::DateTime<Utc>,
                  user: i64,
                  org: i64,
                  at_org: i64| {
        next_id += 1;
        let at = from + Duration::minutes(rng.gen_range(0..(to - from).num_minutes().max(1)));
        Activity::new(kind, at, Evidence { source: Source::Inspection, id: next_id }).by(user, Some(org)).on_org(at_org)
    };
    for (org, path) in &enterprises {
        let (Some(&principal), Some(&deputy)) = (role_of.get(&(*org, "principal")), role_of.get(&(*org, "deputy")))
        else {
            continue;
        };
        let mut week = anjian_domain::period::Period::containing(anjian_domain::period::PeriodKind::Week, start);
        while week.start < end {
            let (from, to) = (week.start.max(start), week.end.min(end));
            if rng.gen_bool(0.9) {
                batch.push(ev(&mut rng, ActivityKind::SITE_CHECK, from, to, principal, *org, *org));
            }
            for _ in 0..rng.gen_range(0..=2) {
                batch.push(ev(&mut rng, ActivityKind::SITE_CHECK, from, to, deputy, *org, *org));
            }
            week = week.next();
        }
        let mut month = anjian_domain::period::Period::containing(anjian_domain::period::PeriodKind::Month, start);
        while month.start < end {
            let a = ev(
                &mut rng,
                ActivityKind::SELF_INSPECTION,
                month.start.max(start),
                month.end.min(end),
                principal,
                *org,
                *org,
            );
            let pts = &points_of[org];
            let covered = if rng.gen_bool(0.85) { pts.len() } else { pts.len() / 2 };
            batch.extend(pts[..covered].iter().map(|p| Activity { target_point: Some(*p), ..a.clone() }));
            month = month.next();
        }
        if let Some((_, &(staff, staff_org))) = county_staff.iter().find(|(p, _)| path.starts_with(p.as_str())) {
            if rng.gen_bool(0.7) {
                batch.push(ev(
                    &mut rng,
                    ActivityKind::FULL_COVERAGE_CHECK,
                    start,
                    end,
                    staff,
                    staff_org.unwrap_or_default(),
                    *org,
                ));
            }
        }
        if batch.len() >= 20_000 {
            let txn = store.begin_write().await?;
            activities::insert_history(&*txn, &batch).await?;
            txn.commit().await?;
            written += batch.len() as u64;
            batch.clear();
        }
    }
    let txn = store.begin_write().await?;
    activities::insert_history(&*txn, &batch).await?;
    txn.commit().await?;
    written += batch.len() as u64;
    let setup_s = setup.elapsed().as_secs_f64();
    let total_activities = activities::last_id(&store.db).await? as u64;
    eprintln!("{backend} {n}: {written} synthetic activities ({total_activities} in all) in {setup_s:.0} s");

    // Build the board from the database, as a fresh process would.
    std::fs::write("/proc/self/clear_refs", "5").ok();
    let rss0 = rss_kib("VmRSS:");
    let t = Instant::now();
    let (instances, evaluate_s, engine_same, board_statuses, board_mib) = {
        let guard = app.live_board().await?;
        let build_s = t.elapsed().as_secs_f64();
        let board = &guard.as_ref().expect("built").board;
        let t = Instant::now();
        let mut count = 0u64;
        let mut by_status = [0u64; 6];
        for k in board.keys(now, "/") {
            by_status[board.status_of(k, now) as usize] += 1;
            count += 1;
        }
        let evaluate_s = t.elapsed().as_secs_f64();
        eprintln!("{backend} {n}: board built in {build_s:.2} s; {count} instances evaluated in {evaluate_s:.2} s; by status {by_status:?}");
        // The engine's own time for the rules the naive way evaluates.
        let t = Instant::now();
        let mut statuses: HashMap<(usize, Subject, usize), Status> = HashMap::new();
        for rule in NAIVE_RULES {
            let ri = plan.rules.iter().position(|r| r.id.get_ref() == rule).expect("rule");
            let n_windows = windows(&plan, &plan.rules[ri], now).len();
            for s in board.subjects_of(ri) {
                let Some(first) = board.key(ri, s, 0) else { continue };
                for w in 0..n_windows {
                    let k = (first.0, first.1, w as u32);
                    statuses.insert((ri, s.clone(), w), board.status_of(k, now));
                }
            }
        }
        (count, evaluate_s, t.elapsed().as_secs_f64(), statuses, board.footprint() as f64 / 1048576.0)
    };
    let build_s = t.elapsed().as_secs_f64() - evaluate_s - engine_same;
    let rss_growth_mib = rss_kib("VmHWM:").saturating_sub(rss0) as f64 / 1024.0;

    // The naive way, one query per subject and rule.
    for sql in [
        "CREATE INDEX IF NOT EXISTS ix_bench_act_user ON activities (actor_user_id, kind, at)",
        "CREATE INDEX IF NOT EXISTS ix_bench_act_target ON activities (target_org_id, kind, at)",
    ] {
        store.execute_sql(sql).await?;
    }
    let (naive_s, measured, subjects, mismatches) =
        naive(&store, &plan, &world, now, args.naive_sample, &board_statuses).await?;

    // One more activity: the board takes in just that one.
    let principal = world
        .users
        .iter()
        .find(|u| u.role == anjian_domain::role::Role::Principal && u.name.starts_with("principal "))
        .context("a principal")?;
    let act = Activity::new(
        ActivityKind::SITE_CHECK,
        now - Duration::minutes(5),
        Evidence { source: Source::Inspection, id: 42 },
    )
    .by(principal.id, principal.org_id)
    .on_org(principal.org_id.unwrap_or_default());
    let mut best = f64::MAX;
    for _ in 0..5 {
        let txn = store.begin_write().await?;
        activities::insert_many(&*txn, std::slice::from_ref(&act), now).await?;
        txn.commit().await?;
        let t = Instant::now();
        drop(app.live_board().await?);
        best = best.min(t.elapsed().as_secs_f64() * 1000.0);
    }
    let ri = plan.rules.iter().position(|r| r.id.get_ref() == "principal-weekly-site-check").expect("rule");
    {
        let guard = app.live_board().await?;
        let board = &guard.as_ref().expect("built").board;
        let w = board.window_at(ri, act.at).expect("window");
        let k = board.key(ri, &Subject::User(principal.id), w).expect("instance");
        anyhow::ensure!(board.status_of(k, now) == Status::Met, "the added activity was not counted");
    }
    store.close().await.ok();
    Ok(Figures {
        backend,
        enterprises: n,
        activities: total_activities,
        instances,
        setup_s,
        build_s,
        evaluate_s,
        naive_s,
        naive_measured: measured,
        naive_subjects: subjects,
        engine_same_rules_s: engine_same,
        add_one_ms: best,
        rss_growth_mib,
        board_mib,
        mismatches,
    })
}

const NAIVE_RULES: [&str; 3] =
    ["principal-weekly-site-check", "deputy-weekly-site-check", "enterprise-monthly-self-inspection"];

/// One query per subject and rule, then counting per window: returns the time, extrapolated to
/// every subject, how many were measured, how many there are, and disagreements with the board.
async fn naive(
    store: &Store,
    plan: &Plan,
    world: &anjian_domain::obligation::World,
    now: chrono::DateTime<Utc>,
    sample: usize,
    board: &HashMap<(usize, Subject, usize), Status>,
) -> anyhow::Result<(f64, usize, usize, usize)> {
    let (start, end) = (plan.span().start(), plan.span().end());
    let mut total_s = 0.0;
    let (mut measured, mut subjects, mut mismatches) = (0, 0, 0);
    for rule in NAIVE_RULES {
        let ri = plan.rules.iter().position(|r| r.id.get_ref() == rule).expect("rule");
        let r = &plan.rules[ri];
        let wins = windows(plan, r, now);
        let all: Vec<Subject> = match rule {
            "enterprise-monthly-self-inspection" => world
                .orgs
                .iter()
                .filter(
                    |o| matches!(&r.who, anjian_domain::plan::Who::Org { org_kinds } if org_kinds.contains(&o.kind)),
                )
                .map(|o| Subject::Org(o.id))
                .collect(),
            _ => {
                let role = if rule.starts_with("principal") { "principal" } else { "deputy" };
                world
                    .users
                    .iter()
                    .filter(|u| u.role.as_str() == role)
                    .filter(|u| u.org_id.and_then(|o| world.orgs.iter().find(|x| x.id == o)).is_some_and(|o| matches!(&r.who, anjian_domain::plan::Who::Person { org_kinds, .. } if org_kinds.contains(&o.kind))))
                    .map(|u| Subject::User(u.id))
                    .collect()
            }
        };
        subjects += all.len();
        let take = all.len().min(sample);
        let t = Instant::now();
        for s in &all[..take] {
            let (user, org) = match s {
                Subject::User(id) => (Some(*id), None),
                Subject::Org(id) => (None, Some(*id)),
                Subject::Leader(_) => continue,
            };
            let acts = activities::of_kind_between(&store.db, r.activity, user, org, start, end).await?;
            let pts: Vec<i64> = match s {
                Subject::Org(id) => world.points.iter().filter(|p| p.org_id == *id).map(|p| p.id).collect(),
                _ => Vec::new(),
            };
            // The monthly self-inspection requires the principal's signature on the month's list.
            let signatures = if r.requires.is_empty() {
                Vec::new()
            } else {
                activities::of_kind_between(&store.db, ActivityKind::LEDGER_SIGNED, None, org, start, end).await?
            };
            let grace = chrono::Duration::hours(i64::from(plan.plan.late_entry_grace_hours));
            for (w, win) in wins.iter().enumerate() {
                // Entries made after the window closed (补录) count as late, not in time.
                let inside = |in_time_only: bool| {
                    acts.iter()
                        .filter(|a| win.contains(a.at))
                        .filter(move |a| !in_time_only || a.recorded_at <= win.end + grace)
                };
                let count = |in_time_only: bool| -> (u32, u32) {
                    if pts.is_empty() {
                        let ids: HashSet<i64> = inside(in_time_only).map(|a| a.evidence.id).collect();
                        (*r.at_least.get_ref(), (ids.len() as u32).min(*r.at_least.get_ref()))
                    } else {
                        let covered: HashSet<i64> = inside(in_time_only).filter_map(|a| a.target_point).collect();
                        (pts.len() as u32, pts.iter().filter(|p| covered.contains(p)).count() as u32)
                    }
                };
                let (need, mut done) = count(true);
                let mut late = count(false).1 - done;
                if !r.requires.is_empty() {
                    let signed: Vec<bool> = signatures
                        .iter()
                        .filter(|a| win.contains(a.at))
                        .map(|a| a.recorded_at > win.end + grace)
                        .collect();
                    match (signed.is_empty(), signed.iter().all(|l| *l)) {
                        (true, _) => {
                            done = done.min(need.saturating_sub(1));
                            late = late.min(need.saturating_sub(1) - done);
                        }
                        (false, true) if done == need => (done, late) = (done - 1, late + 1),
                        _ => {}
                    }
                }
                let st = status(need, done, late, win, now);
                if board.get(&(ri, s.clone(), w)) != Some(&st) {
                    mismatches += 1;
                }
            }
        }
        let took = t.elapsed().as_secs_f64();
        measured += take;
        total_s += if take == 0 { 0.0 } else { took * all.len() as f64 / take as f64 };
    }
    Ok((total_s, measured, subjects, mismatches))
}
