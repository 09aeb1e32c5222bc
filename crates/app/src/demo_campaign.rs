//! The demo campaign as a bureau would have run it: progress reports on the tasks (most on
//! time, some late, one month missing), county inspections of the railway crossings, the
//! papers served on enterprises (orders to rectify, reviews after the deadline), typical cases
//! with their before/after photos, and the monthly hazard lists signed by the principals.

use crate::demo_history::actor_of;
use crate::papers::PaperInput;
use crate::{Actor, App, Result};
use anjian_domain::obligation::{Activity, Evidence, Source, World};
use anjian_domain::paper::PaperKind;
use anjian_domain::period::{local_date, local_midnight, Period, PeriodKind};
use anjian_domain::plan::ActivityKind;
use anjian_domain::scope::Scope;
use anjian_store::hazards::HazardFilter;
use anjian_store::inspections::{self, NewInspection};
use anjian_store::task_reports::{self, NewTaskReport};
use anjian_store::{hazards, orgs, sites, users};
use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::Rng;

/// A photo of the demo: a flat scene in the given colour with a darker band, as a JPEG.
fn photo(rng: &mut StdRng, rgb: [u8; 3]) -> Vec<u8> {
    let (w, h) = (480u32, 320u32);
    let band = rng.gen_range(100..220);
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        let shade = if y > band && y < band + 60 { 0.6 } else { 1.0 } * (0.8 + 0.2 * (x as f64 / w as f64));
        image::Rgb(rgb.map(|c| (f64::from(c) * shade) as u8))
    });
    let mut out = std::io::Cursor::new(Vec::new());
    let _ = img.write_to(&mut out, image::ImageFormat::Jpeg);
    out.into_inner()
}

impl App {
    /// Everything here, in order; returns how many records it made.
    pub(crate) async fn demo_campaign(
        &self,
        rng: &mut StdRng,
        world: &World,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<u64> {
        let mut made = self.demo_progress_reports(rng, world, end).await?;
        made += self.demo_crossing_inspections(rng, start, end).await?;
        made += self.demo_papers(rng, world, end).await?;
        made += self.demo_typical_cases(rng, end).await?;
        made += self.demo_tips(world).await?;
        Ok(made)
    }

    /// Tips from the public at every stage of their handling, in the first county: one just
    /// received, one assigned for verification, one found untrue, one true and filed as a
    /// hazard, one whose reward waits for approval, one rewarded and paid — each submitted and
    /// handled through the tip use cases, proof of work included.
    async fn demo_tips(&self, world: &World) -> Result<u64> {
        use crate::tips::{AssignInput, RewardInput, TipInput};
        let Some(j) = world.jurisdictions.iter().find(|j| j.level == crate::demo::code("county")) else {
            return Ok(0);
        };
        let (Some(county), Some(city)) =
            (actor_of(self, &format!("county.{}", j.code)).await?, actor_of(self, "city.staff").await?)
        else {
            return Ok(0);
        };
        let Some(bureau) = county.org.clone() else { return Ok(0) };
        let firms: Vec<_> = world
            .orgs
            .iter()
            .filter(|o| o.kind == crate::demo::code("enterprise") && o.jurisdiction_path.starts_with(&j.path))
            .collect();
        let tips: [(&str, &str, &str); 6] = [
            ("事故隐患", "厂区东侧配电房门长期敞开，里面堆放纸箱杂物。", "received"),
            ("违法违规行为", "夜班经常一个人操作冲床，没有安全员在场。", "assigned"),
            ("安全风险", "听说仓库要存放油漆，不知道有没有审批。", "untrue"),
            ("事故隐患", "二号车间行车钢丝绳起毛断丝，工人还在用。", "true"),
            ("事故隐患", "液氨罐区报警器一直不响，上周有刺鼻气味。", "proposed"),
            ("违法违规行为", "特种作业人员无证上岗，电焊工都没有证。", "paid"),
        ];
        let mut made = 0;
        for (i, (category, body, stage)) in tips.iter().enumerate() {
            let firm = firms.get(i % firms.len().max(1));
            let c = self.tip_challenge();
            let nonce = anjian_domain::tip::solve_proof_of_work(&c.challenge, c.bits);
            let input = TipInput {
                channel: String::new(),
                category: (*category).into(),
                county: j.code.clone(),
                subject: firm.map(|f| f.name.clone()).unwrap_or_default(),
                place: String::new(),
                happened_on: String::new(),
                work_team: String::new(),
                body: (*body).into(),
                contact: String::new(),
                challenge: c.challenge,
                nonce,
            };
            self.submit_tip(None, input, Vec::new()).await?;
            made += 1;
            if *stage == "received" {
                continue;
            }
            let filter = anjian_store::tips::TipFilter::default();
            let Some(tip) = self
                .tips(&county, &filter, 50)
                .await?
                .into_iter()
                .find(|t| t.state == anjian_domain::tip::TipState::Received)
            else {
                continue;
            };
            let assign = AssignInput {
                category: (*category).into(),
                county: j.code.clone(),
                org_id: firm.map(|f| f.id),
                assignee_org_id: bureau.id,
                note: "请核查并按期反馈".into(),
            };
            self.assign_tip(&county, tip.id, assign).await?;
            match *stage {
                "assigned" => continue,
                "untrue" => {
                    self.conclude_tip(
                        &county,
                        tip.id,
                        "untrue",
                        "现场核查：该企业未存放油漆，举报不属实。",
                        Vec::new(),
                    )
                    .await?;
                    continue;
                }
                _ => {}
            }
            self.conclude_tip(&county, tip.id, "true", "现场核实：举报情况属实，已责令企业立即整改。", Vec::new())
                .await?;
            match *stage {
                "true" => {
                    self.tip_to_hazard(&county, tip.id, "general", "二号车间行车钢丝绳断丝超标仍在使用。").await?;
                }
                "proposed" => {
                    self.propose_reward(
                        &county,
                        tip.id,
                        RewardInput { finding: "major_hazard".into(), penalty_yuan: 50_000 },
                    )
                    .await?;
                }
                _ => {
                    self.propose_reward(
                        &county,
                        tip.id,
                        RewardInput { finding: "violation".into(), penalty_yuan: 20_000 },
                    )
                    .await?;
                    self.decide_reward(&city, tip.id, true, "同意").await?;
                    self.record_reward_payment(&city, tip.id, "财拨〔2026〕7号").await?;
                }
            }
        }
        Ok(made)
    }

    /// The city's departments and each county bureau report on the tasks (each board shows its
    /// own bureau's reports): a continuous task each month (one month forgotten), a task with a
    /// deadline when it is under way and when it is done — most in time, a few days late now
    /// and then.
    async fn demo_progress_reports(&self, rng: &mut StdRng, world: &World, end: DateTime<Utc>) -> Result<u64> {
        let mut made = 0;
        let mut who = vec!["city.staff".to_owned()];
        who.extend(
            world
                .jurisdictions
                .iter()
                .filter(|j| j.level == crate::demo::code("county"))
                .map(|j| format!("county.{}", j.code)),
        );
        for username in who {
            if let Some(actor) = actor_of(self, &username).await? {
                made += self.demo_reports_of(rng, &actor, end).await?;
            }
        }
        Ok(made)
    }

    async fn demo_reports_of(&self, rng: &mut StdRng, actor: &Actor, end: DateTime<Utc>) -> Result<u64> {
        let (plan, _) = self.current_campaign().await?;
        let Some(org) = actor.org.clone() else { return Ok(0) };
        let span = plan.span();
        let mut made = 0;
        let mut forgot = false;
        let txn = self.store.begin_write().await?;
        for task in &plan.tasks {
            let no = *task.no.get_ref();
            let mut reports: Vec<(DateTime<Utc>, &str, String)> = Vec::new();
            if task.continuous {
                let mut month = Period::containing(PeriodKind::Month, local_midnight(span.starts));
                while month.start < end {
                    let at =
                        (month.start + Duration::days(24) + Duration::hours(8)).min(month.end - Duration::hours(2));
                    // One task misses one month's report: the board shows it overdue.
                    if !forgot && no % 2 == 0 && month.start > local_midnight(span.starts) + Duration::days(60) {
                        forgot = true;
                    } else if at < end {
                        let body = format!(
                            "本月围绕“{}”持续推进，按计划完成阶段性工作，下月继续跟踪落实。",
                            task.content.chars().take(24).collect::<String>()
                        );
                        reports.push((at, "in_progress", body));
                    }
                    month = month.next();
                }
            } else if let Some(due) = task.due.as_ref().map(|d| local_midnight(d.get_ref().0)) {
                let begun =
                    (due - Duration::days(rng.gen_range(20..40))).max(local_midnight(span.starts) + Duration::days(3));
                reports.push((
                    begun + Duration::hours(10),
                    "in_progress",
                    "已制定工作方案，明确责任人和时间节点，正在组织实施。".to_owned(),
                ));
                // Most are done in time; one in five a few days after the deadline.
                let done = if rng.gen_bool(0.8) {
                    due - Duration::days(rng.gen_range(1..6)) + Duration::hours(15)
                } else {
                    due + Duration::days(rng.gen_range(2..9)) + Duration::hours(15)
                };
                if done < end {
                    reports.push((done, "done", "已按方案完成，相关记录和佐证材料已归档。".to_owned()));
                }
            }
            for (at, progress, body) in reports {
                task_reports::insert(
                    &*txn,
                    NewTaskReport {
                        uid: format!("demo-task-{}-{no}-{}", org.id, at.timestamp()),
                        plan_id: plan.plan.id.clone(),
                        task_no: no as i32,
                        month: anjian_domain::campaign::month_of(local_date(at)),
                        progress: progress.to_owned(),
                        org: org.clone(),
                        author_id: actor.id(),
                        author: actor.user.display_name.clone(),
                        body,
                        request_digest: None,
                    },
                    at,
                )
                .await?;
                made += 1;
            }
        }
        txn.commit().await?;
        Ok(made)
    }

    /// Each county inspects most of its railway crossings once in the campaign (the plan's
    /// crossing coverage rule, a full-coverage check), on the site itself.
    async fn demo_crossing_inspections(
        &self,
        rng: &mut StdRng,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<u64> {
        let db = &self.store.db;
        let crossings = sites::of_kind(db, &Scope::All, "railway_crossing").await?;
        let places = anjian_store::jurisdictions::all(db).await?;
        let mut made = 0;
        let txn = self.store.begin_write().await?;
        for site in crossings {
            if !rng.gen_bool(0.8) {
                continue;
            }
            let Some(j) = places.iter().find(|j| j.path == site.jurisdiction_path) else { continue };
            let Some(staff) = users::by_username(db, &format!("county.{}", j.code)).await? else { continue };
            let Some(org) = orgs::get_unscoped_for_auth(&*txn, site.org_id).await? else { continue };
            let at = start + Duration::minutes(rng.gen_range(0..(end - start).num_minutes().max(1)));
            let ins = inspections::insert(
                &*txn,
                NewInspection {
                    uid: uuid::Uuid::new_v4().to_string(),
                    org,
                    kind: ActivityKind::FULL_COVERAGE_CHECK.as_str().to_owned(),
                    at,
                    inspector_id: staff.id,
                    inspector: staff.display_name.clone(),
                    summary: format!("无人看守铁路道口全覆盖检查：{}", site.name),
                    request_digest: None,
                    checklist_version_id: None,
                    site_id: Some(site.id),
                },
                at,
            )
            .await?;
            let act = Activity {
                target_site: Some(site.id),
                ..Activity::new(
                    ActivityKind::FULL_COVERAGE_CHECK,
                    at,
                    Evidence { source: Source::Inspection, id: ins.id },
                )
                .by(staff.id, staff.org_id)
                .on_org(site.org_id)
            };
            anjian_store::activities::insert_many(&*txn, &[act], at).await?;
            made += 1;
        }
        txn.commit().await?;
        Ok(made)
    }

    /// The counties serve papers on the hazards they found: an order to rectify for most, and
    /// once the deadline has passed and the hazard is closed, the review that says so.
    async fn demo_papers(&self, rng: &mut StdRng, world: &World, end: DateTime<Utc>) -> Result<u64> {
        let mut made = 0;
        for (n, j) in world.jurisdictions.iter().filter(|j| j.level == crate::demo::code("county")).enumerate() {
            let Some(actor) = actor_of(self, &format!("county.{}", j.code)).await? else { continue };
            // The record of a site inspection, written on the day of the county's newest check.
            let filter = anjian_domain::inspection::InspectionFilter {
                inspectors: Some(vec![actor.id()]),
                ..Default::default()
            };
            if let Some(i) = inspections::list(&self.store.db, &actor.scope, &filter, None, 1).await?.first() {
                let input = PaperInput {
                    kind: PaperKind::SiteRecord,
                    inspection_id: Some(i.id),
                    hazard_ids: vec![],
                    order_id: None,
                    corrects_id: None,
                    text: String::new(),
                };
                let at = i.at + Duration::hours(1);
                if at < end
                    && self.issue_paper_at(&actor, &input, &uuid::Uuid::new_v4().to_string(), at, true).await.is_ok()
                {
                    made += 1;
                }
            }
            // The first county puts an open major hazard (or else an overdue one) under 挂牌督办
            // today.
            if n == 0 {
                let major = HazardFilter { grade: Some("major".into()), open_only: true, ..Default::default() };
                let overdue = HazardFilter { overdue_at: Some(self.clock.now()), ..Default::default() };
                let mut picked = hazards::list(&self.store.db, &actor.scope, &major, None, 1).await?;
                if picked.is_empty() {
                    picked = hazards::list(&self.store.db, &actor.scope, &overdue, None, 1).await?;
                }
                if let Some(h) = picked.first() {
                    let step = crate::hazard_supervision::StepInput {
                        step: anjian_domain::supervision::Step::Supervise,
                        until: Some(self.clock.now() + Duration::days(15)),
                        text: "十五日内完成整改，整改期间落实监控措施，每周报送整改进度。".into(),
                        people: String::new(),
                        held_at: None,
                    };
                    if self.supervision_step(&actor, h.id, step).await.is_ok() {
                        made += 1;
                    }
                }
            }
            let found = hazards::list(&self.store.db, &actor.scope, &HazardFilter::default(), None, 200).await?;
            let mine: Vec<_> =
                found.into_iter().filter(|h| h.discovered_by == actor.id() && h.deadline.is_some()).collect();
            for h in mine.iter().rev().take(6) {
                if !rng.gen_bool(0.7) {
                    continue;
                }
                let at = h.discovered_at + Duration::hours(2);
                let input = PaperInput {
                    kind: PaperKind::RectificationOrder,
                    inspection_id: None,
                    hazard_ids: vec![h.id],
                    order_id: None,
                    corrects_id: None,
                    text: String::new(),
                };
                // An order needs the hazard open: it was, when it was served.
                let Ok(order) = self.issue_paper_at(&actor, &input, &uuid::Uuid::new_v4().to_string(), at, true).await
                else {
                    continue;
                };
                made += 1;
                if let (Some(closed), Some(deadline)) = (h.closed_at, h.deadline) {
                    let at = closed.max(deadline) + Duration::days(1);
                    if at < end {
                        let review = PaperInput {
                            kind: PaperKind::ReviewOpinion,
                            order_id: Some(order.id),
                            hazard_ids: vec![],
                            ..input
                        };
                        if self
                            .issue_paper_at(&actor, &review, &uuid::Uuid::new_v4().to_string(), at, true)
                            .await
                            .is_ok()
                        {
                            made += 1;
                        }
                    }
                }
            }
        }
        Ok(made)
    }

    /// A few closed major hazards held up as typical cases by their county, each with a photo
    /// from before and after the rectification.
    async fn demo_typical_cases(&self, rng: &mut StdRng, end: DateTime<Utc>) -> Result<u64> {
        let db = &self.store.db;
        let plan = self.current_plan().await?;
        let majors: Vec<String> =
            plan.hazard_grades.iter().filter(|g| g.needs_governance_plan).map(|g| g.code.get_ref().clone()).collect();
        let mut made = 0;
        let all = hazards::list(db, &Scope::All, &HazardFilter::default(), None, 200).await?;
        for h in all.iter().filter(|h| majors.contains(&h.grade) && h.closed_at.is_some()).take(3) {
            let Some(closed) = h.closed_at else { continue };
            let marked = closed + Duration::days(2);
            if marked >= end {
                continue;
            }
            let Some(org) = orgs::get_unscoped_for_auth(db, h.org_id).await? else { continue };
            let mut photos = Vec::new();
            for (role, rgb) in [("before", [150, 110, 90]), ("after", [120, 150, 170])] {
                let (clean, key) = self.store_photo(photo(rng, rgb)).await?;
                photos.push((role, clean, key));
            }
            let txn = self.store.begin_write().await?;
            for (role, clean, key) in &photos {
                let at = if *role == "before" { h.discovered_at } else { closed - Duration::hours(2) };
                let a = crate::hazards::photo_attachment(
                    "hazard",
                    h.id,
                    role,
                    org.clone(),
                    clean,
                    key.clone(),
                    h.discovered_by,
                );
                anjian_store::attachments::insert(&*txn, a, at).await?;
            }
            let title = format!("{}{}治理", org.name, h.description.chars().take(16).collect::<String>());
            let narrative = "县局检查发现后当场下达责令限期整改指令书，企业制定治理方案、落实资金和责任人，\
                             整改期间停用相关设备；整改完成后经县局复查验收销号。该案例反映出企业日常排查不深入、\
                             设备维护不到位等问题，各企业应举一反三、开展自查。";
            let row = anjian_store::typical_cases::insert(&*txn, h, &title, narrative, h.discovered_by, marked).await?;
            let act =
                Activity::new(ActivityKind::TYPICAL_CASE, marked, Evidence { source: Source::TypicalCase, id: row.id })
                    .by(h.discovered_by, None)
                    .on_org(h.org_id);
            anjian_store::activities::insert_many(&*txn, &[act], marked).await?;
            txn.commit().await?;
            made += 1;
        }
        Ok(made)
    }
}
