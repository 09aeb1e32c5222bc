//! Who has done what the plan asks: the live obligation board, "my obligations", the
//! compliance matrix and the overdue list.
//!
//! The board is a materialised view of the activity log. It is built once per plan version and
//! city (a change to organisations, accounts, sites or points rebuilds it) and then kept current
//! by reading only the activities appended since it last looked, so that one new record updates
//! the instances it falls in and never re-evaluates the city. Every instance tails the same
//! append-only log, so several anjian processes agree.

use crate::{Actor, App, AppError, Result};
use anjian_domain::obligation::{Board, Evidence, Obligation, RuleSummary, Source, Status, Subject};
use anjian_domain::plan::{ActivityKind, Plan};
use anjian_domain::scope::Scope;
use anjian_store::activities;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, MutexGuard};

/// How long a checked city fingerprint is trusted before it is read again.
const STAMP_TTL: Duration = Duration::from_secs(2);
/// Activities read per query while building or catching up.
const PAGE: u64 = 20_000;

pub struct LiveBoard {
    plan_row: i64,
    stamp: String,
    stamp_checked: Instant,
    last_activity: i64,
    pub board: Board,
}

#[derive(Default)]
pub struct BoardCache {
    board: Mutex<Option<LiveBoard>>,
    /// Set by this process's own changes to the city, so they show at once; other processes'
    /// changes are noticed by the fingerprint within [`STAMP_TTL`].
    dirty: std::sync::atomic::AtomicBool,
}

/// An obligation instance as pages and the API show it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ObligationView {
    pub rule_id: String,
    pub title: String,
    pub source: String,
    pub task: Option<u32>,
    pub subject: String,
    pub subject_name: String,
    pub window_index: usize,
    pub window: String,
    pub starts: DateTime<Utc>,
    pub ends: DateTime<Utc>,
    pub status: Status,
    pub need: u32,
    /// Counted from entries made in time.
    pub done: u32,
    /// Made up by entries made after the window closed (补录).
    pub late: u32,
    pub targets: usize,
    pub targets_met: usize,
    pub assumption: Option<String>,
    /// What the rule requires that is still missing (`principal_signature`, `report_by_tier`).
    pub missing_requirements: Vec<String>,
    /// The checklist a record must go through to count (its name), if the rule names one …
    pub checklist: Option<String>,
    /// … and, while the window is short, the items the records entered left out.
    pub missing_items: Vec<String>,
}

impl ObligationView {
    pub fn new(plan: &Plan, o: &Obligation) -> ObligationView {
        let rule = &plan.rules[o.rule_index];
        ObligationView {
            rule_id: o.rule_id.clone(),
            title: rule.title.clone(),
            source: rule.source.clone(),
            task: rule.task.as_ref().map(|t| *t.get_ref()),
            subject: o.subject.to_string(),
            subject_name: o.subject_name.clone(),
            window_index: o.window_index,
            window: o.window.label(),
            starts: o.window.start,
            ends: o.window.end,
            status: o.status,
            need: o.need,
            done: o.done,
            late: o.late,
            targets: o.targets,
            targets_met: o.targets_met,
            assumption: rule.assumption.clone(),
            missing_requirements: o.missing.iter().map(|m| (*m).to_owned()).collect(),
            checklist: rule
                .checklist
                .as_ref()
                .and_then(|id| plan.checklists.iter().find(|c| c.id.get_ref() == id.get_ref()))
                .map(|c| c.name.clone()),
            missing_items: o.missing_items.clone(),
        }
    }

    /// The page that shows the records behind it.
    pub fn link(&self) -> String {
        format!("/obligations/{}/{}/{}", self.rule_id, self.subject, self.window_index)
    }
}

#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyObligations {
    /// This period's instances (the one containing now, for each rule and subject).
    pub current: Vec<ObligationView>,
    /// Closed windows that ended short, newest first.
    pub overdue: Vec<ObligationView>,
    pub overdue_total: usize,
}

/// A record counted toward an obligation, with a line to show and a link to it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EvidenceView {
    pub source: Source,
    pub id: i64,
    pub link: String,
    /// Entered after the window had closed (补录).
    pub late: bool,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ObligationDetail {
    pub obligation: ObligationView,
    pub evidence: Vec<EvidenceView>,
    /// Coverage rules: the targets still short, by name.
    pub missing: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MatrixRule {
    pub id: String,
    pub title: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MatrixRow {
    pub name: String,
    /// Drill into a county (its jurisdiction id) …
    pub jurisdiction_id: Option<i64>,
    /// … or to one subject's organisation.
    pub org_id: Option<i64>,
    pub cells: Vec<RuleSummary>,
}

/// County × rule (or, inside a county, organisation × rule): instances to date by status.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Matrix {
    pub at: DateTime<Utc>,
    pub rules: Vec<MatrixRule>,
    pub rows: Vec<MatrixRow>,
    pub totals: Vec<RuleSummary>,
}

fn evidence_link(e: &Evidence) -> String {
    match e.source {
        Source::Inspection => format!("/inspections/{}", e.id),
        Source::Hazard => format!("/hazards/{}", e.id),
        Source::TypicalCase => "/typical-cases".to_owned(),
        Source::LiaisonReport => format!("/liaison/reports/{}", e.id),
        Source::WeeklyAnalysis => format!("/weekly-analyses/{}", e.id),
        Source::Ledger => format!("/ledgers/{}", e.id),
        _ => String::new(),
    }
}

impl App {
    /// The board, current up to the last activity recorded.
    pub async fn live_board(&self) -> Result<MutexGuard<'_, Option<LiveBoard>>> {
        let mut guard = self.boards.board.lock().await;
        let dirty = self.boards.dirty.swap(false, std::sync::atomic::Ordering::SeqCst);
        let (plan_row, plan, _) = self.current_plan_row().await?;
        let stale = match guard.as_mut() {
            None => true,
            Some(live) if live.plan_row != plan_row => true,
            Some(live) if dirty || live.stamp_checked.elapsed() >= STAMP_TTL => {
                let stamp = activities::world_stamp(&self.store.db).await?;
                live.stamp_checked = Instant::now();
                stamp != live.stamp
            }
            Some(_) => false,
        };
        if stale {
            let stamp = activities::world_stamp(&self.store.db).await?;
            let world = activities::load_world(&self.store.db).await?;
            *guard = Some(LiveBoard {
                plan_row,
                stamp,
                stamp_checked: Instant::now(),
                last_activity: 0,
                board: Board::new(plan, world),
            });
        }
        let live = guard.as_mut().expect("set above");
        loop {
            let page = activities::after(&self.store.db, live.last_activity, PAGE).await?;
            for (id, a) in &page {
                live.board.apply(a);
                live.last_activity = *id;
            }
            if (page.len() as u64) < PAGE {
                break;
            }
        }
        Ok(guard)
    }

    /// Organisations, accounts or points changed here: the next read rechecks the city.
    pub(crate) fn world_changed(&self) {
        self.boards.dirty.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// The subjects an account answers for: itself, its organisation, its bureau, its leader code.
    fn own_subjects(&self, actor: &Actor, board: &Board) -> Vec<Subject> {
        let mut out = vec![Subject::User(actor.id())];
        if let Some(org) = &actor.org {
            out.push(Subject::Org(org.id));
            if let Some(b) = board.world().bureau_of(org.id) {
                if b.id != org.id {
                    out.push(Subject::Org(b.id));
                }
            }
        }
        if let Some(code) = &actor.user.leader_code {
            out.push(Subject::Leader(code.clone()));
        }
        out
    }

    /// Whether the account may see obligations of `subject`: its own, or inside its scope.
    fn may_see(&self, actor: &Actor, board: &Board, subject: &Subject) -> bool {
        if self.own_subjects(actor, board).contains(subject) {
            return true;
        }
        let w = board.world();
        let org = match subject {
            Subject::Org(id) => w.org(*id),
            Subject::User(id) => w.user(*id).and_then(|u| u.org_id).and_then(|o| w.org(o)),
            Subject::Leader(_) => None,
        };
        match (&actor.scope, org) {
            (scope, Some(o)) => scope.admits(o.id, &o.jurisdiction_path, &o.org_path, o.park_id),
            (Scope::All, None) => true,
            // Leaders answer to the issuer: a scope over the issuer's whole jurisdiction sees them.
            (Scope::Jurisdiction { path }, None) => {
                let issuer = board.plan().issuer_jurisdiction().map(|j| j.code.get_ref().as_str());
                w.world.jurisdictions.iter().any(|j| j.path == *path && issuer == Some(j.code.as_str()))
            }
            _ => false,
        }
    }

    /// "My obligations": this period's and the overdue ones for everything the account answers for.
    pub async fn my_obligations(&self, actor: &Actor) -> Result<MyObligations> {
        let guard = self.live_board().await?;
        let board = &guard.as_ref().expect("built").board;
        let subjects = self.own_subjects(actor, board);
        Ok(self.obligations_of(board, &subjects))
    }

    /// An organisation's obligations and its people's, for a bureau drilling down from the
    /// matrix (or for the organisation itself).
    pub async fn org_obligations(&self, actor: &Actor, org_id: i64) -> Result<MyObligations> {
        let guard = self.live_board().await?;
        let board = &guard.as_ref().expect("built").board;
        if !self.may_see(actor, board, &Subject::Org(org_id)) {
            return Err(AppError::NotFound);
        }
        let mut subjects = vec![Subject::Org(org_id)];
        subjects
            .extend(board.world().world.users.iter().filter(|u| u.org_id == Some(org_id)).map(|u| Subject::User(u.id)));
        Ok(self.obligations_of(board, &subjects))
    }

    fn obligations_of(&self, board: &Board, subjects: &[Subject]) -> MyObligations {
        let now = self.clock.now();
        let plan = board.plan();
        let mut current = Vec::new();
        let mut overdue = Vec::new();
        for s in subjects {
            let all = board.for_subject(s, now);
            for o in &all {
                if o.status == Status::NotApplicable {
                    continue;
                }
                if o.window.contains(now) {
                    current.push(ObligationView::new(plan, o));
                } else if o.status.closed_short() {
                    overdue.push(ObligationView::new(plan, o));
                }
            }
            // After the campaign: the last window of each rule stands for "this period".
            if !plan.span().contains(now) {
                let mut last: std::collections::HashMap<usize, &Obligation> = Default::default();
                for o in all.iter().filter(|o| o.status != Status::NotApplicable) {
                    last.insert(o.rule_index, o);
                }
                let mut tail: Vec<_> = last.values().map(|o| ObligationView::new(plan, o)).collect();
                tail.sort_by(|a, b| a.rule_id.cmp(&b.rule_id));
                current.extend(tail);
            }
        }
        current.sort_by_key(|o| (o.status, o.ends));
        overdue.sort_by_key(|o| std::cmp::Reverse(o.ends));
        let overdue_total = overdue.len();
        overdue.truncate(100);
        MyObligations { current, overdue, overdue_total }
    }

    /// Which of these inspections were entered after a window they count in had closed (补录),
    /// in the same order. Before a plan is imported nothing counts, so nothing is late.
    pub async fn inspections_entered_late(&self, list: &[anjian_domain::inspection::Inspection]) -> Result<Vec<bool>> {
        if list.is_empty() {
            return Ok(Vec::new());
        }
        let guard = match self.live_board().await {
            Ok(g) => g,
            Err(AppError::NoPlan) => return Ok(vec![false; list.len()]),
            Err(e) => return Err(e),
        };
        let board = &guard.as_ref().expect("built").board;
        Ok(list
            .iter()
            .map(|i| ActivityKind::known(&i.kind).is_some_and(|k| board.entered_late(k, i.at, i.created_at)))
            .collect())
    }

    /// One instance with the records that count toward it.
    pub async fn obligation_detail(
        &self,
        actor: &Actor,
        rule_id: &str,
        subject: &str,
        window: usize,
    ) -> Result<ObligationDetail> {
        let now = self.clock.now();
        let subject: Subject = subject.parse().map_err(|_| AppError::NotFound)?;
        let guard = self.live_board().await?;
        let board = &guard.as_ref().expect("built").board;
        let plan = board.plan();
        let rule_index = plan.rules.iter().position(|r| r.id.get_ref() == rule_id).ok_or(AppError::NotFound)?;
        if !self.may_see(actor, board, &subject) {
            return Err(AppError::NotFound);
        }
        let key = board.key(rule_index, &subject, window).ok_or(AppError::NotFound)?;
        let o = board.get(key, now);
        if o.window.start > now {
            return Err(AppError::NotFound);
        }
        let (evidence, missing) = board.evidence(key);
        let w = board.world();
        let rule = &plan.rules[rule_index];
        use anjian_domain::plan::TargetKind;
        // Points and guards are named by what the enterprise called them (配电室), not by number.
        let owner = board.subject_info(key).org_id;
        let owned: HashMap<i64, String> = match (rule.on.kind, owner) {
            (TargetKind::InspectionPoints, Some(org)) if !missing.is_empty() => {
                anjian_store::points::of_org(&self.store.db, org).await?.into_iter().map(|p| (p.id, p.name)).collect()
            }
            (TargetKind::Guards, Some(org)) if !missing.is_empty() => {
                anjian_store::crossings::guards(&self.store.db, &Scope::All, Some(org))
                    .await?
                    .into_iter()
                    .map(|g| (g.id, g.name))
                    .collect()
            }
            _ => HashMap::new(),
        };
        let missing = missing
            .into_iter()
            .map(|id| {
                match rule.on.kind {
                    TargetKind::Orgs | TargetKind::Subsidiaries => w.org(id).map(|o| o.name.clone()),
                    TargetKind::Sites => w.site(id).map(|s| s.name.clone()),
                    TargetKind::LiaisonCounties => w.jurisdiction(id).map(|j| j.name.clone()),
                    TargetKind::InspectionPoints | TargetKind::Guards => owned.get(&id).cloned(),
                    _ => None,
                }
                .unwrap_or_else(|| format!("#{id}"))
            })
            .collect();
        Ok(ObligationDetail {
            obligation: ObligationView::new(plan, &o),
            evidence: evidence
                .iter()
                .map(|(e, late)| EvidenceView { source: e.source, id: e.id, link: evidence_link(e), late: *late })
                .collect(),
            missing,
        })
    }

    /// The jurisdiction path a bureau account looks at, narrowed to `jurisdiction` if given.
    async fn bureau_place(&self, actor: &Actor, jurisdiction: Option<i64>) -> Result<String> {
        actor.require_oversight()?;
        let own = match &actor.scope {
            Scope::All => "/".to_owned(),
            Scope::Jurisdiction { path } => path.clone(),
            _ => return Err(AppError::Forbidden),
        };
        match self.jurisdiction_filter(jurisdiction).await? {
            None => Ok(own),
            Some(p) if p.starts_with(&own) => Ok(p),
            // A county outside the caller's own matches nothing, like every other filter.
            Some(_) => Ok("\u{0}none".to_owned()),
        }
    }

    /// County × rule for the caller's jurisdiction, or organisation × rule inside one county.
    pub async fn compliance_matrix(&self, actor: &Actor, jurisdiction: Option<i64>) -> Result<Matrix> {
        let place = self.bureau_place(actor, jurisdiction).await?;
        let now = self.clock.now();
        let guard = self.live_board().await?;
        let board = &guard.as_ref().expect("built").board;
        let plan = board.plan();
        let w = board.world();
        // Rows: the counties under `place` (and the level itself), or organisations when
        // `place` is a county.
        let counties: Vec<_> =
            w.world.jurisdictions.iter().filter(|j| j.path.starts_with(&place) && j.path != place).collect();
        let by_county = !counties.is_empty();
        let mut rows: Vec<MatrixRow> = Vec::new();
        let mut row_of_place: std::collections::HashMap<String, usize> = Default::default();
        let mut row_of_org: std::collections::HashMap<Option<i64>, usize> = Default::default();
        if by_county {
            let here = w.world.jurisdictions.iter().find(|j| j.path == place);
            rows.push(MatrixRow {
                name: here.map_or_else(|| "—".to_owned(), |j| format!("{}（本级）", j.name)),
                jurisdiction_id: None,
                org_id: None,
                cells: vec![RuleSummary::default(); plan.rules.len()],
            });
            for c in &counties {
                row_of_place.insert(c.path.clone(), rows.len());
                rows.push(MatrixRow {
                    name: c.name.clone(),
                    jurisdiction_id: Some(c.id),
                    org_id: None,
                    cells: vec![RuleSummary::default(); plan.rules.len()],
                });
            }
        }
        let mut totals = vec![RuleSummary::default(); plan.rules.len()];
        for key in board.keys(now, &place) {
            let info = board.subject_info(key);
            let status = board.status_of(key, now);
            let rule = board.rule_index(key);
            let row = if by_county {
                counties.iter().find(|c| info.place.starts_with(&c.path)).map_or(0, |c| row_of_place[&c.path])
            } else {
                *row_of_org.entry(info.org_id).or_insert_with(|| {
                    let name =
                        info.org_id.and_then(|id| w.org(id)).map_or_else(|| info.name.clone(), |o| o.name.clone());
                    rows.push(MatrixRow {
                        name,
                        jurisdiction_id: None,
                        org_id: info.org_id,
                        cells: vec![RuleSummary::default(); plan.rules.len()],
                    });
                    rows.len() - 1
                })
            };
            rows[row].cells[rule].add(status);
            totals[rule].add(status);
        }
        // Only the rules that apply here, in plan order.
        let used: Vec<usize> = (0..plan.rules.len()).filter(|&r| totals[r].total() > 0).collect();
        let pick = |v: &Vec<RuleSummary>| used.iter().map(|&r| v[r].clone()).collect::<Vec<_>>();
        for r in &mut rows {
            r.cells = pick(&r.cells);
        }
        if !by_county {
            rows.sort_by(|a, b| a.name.cmp(&b.name));
        }
        Ok(Matrix {
            at: now,
            rules: used
                .iter()
                .map(|&r| MatrixRule { id: plan.rules[r].id.get_ref().clone(), title: plan.rules[r].title.clone() })
                .collect(),
            totals: pick(&totals),
            rows,
        })
    }

    /// Who is overdue, inside the caller's jurisdiction (optionally one county, one rule),
    /// newest first.
    pub async fn overdue_obligations(
        &self,
        actor: &Actor,
        jurisdiction: Option<i64>,
        rule_id: Option<&str>,
    ) -> Result<Vec<ObligationView>> {
        let place = self.bureau_place(actor, jurisdiction).await?;
        let now = self.clock.now();
        let guard = self.live_board().await?;
        let board = &guard.as_ref().expect("built").board;
        let plan = board.plan();
        let rule = match rule_id.filter(|r| !r.is_empty()) {
            Some(id) => Some(
                plan.rules
                    .iter()
                    .position(|r| r.id.get_ref() == id)
                    .ok_or_else(|| AppError::invalid("rule", "unknown_rule"))?,
            ),
            None => None,
        };
        let mut out: Vec<ObligationView> = board
            .keys(now, &place)
            .filter(|k| rule.is_none_or(|r| board.rule_index(*k) == r))
            .filter(|k| board.status_of(*k, now).closed_short())
            .map(|k| ObligationView::new(plan, &board.get(k, now)))
            .collect();
        out.sort_by(|a, b| b.ends.cmp(&a.ends).then_with(|| a.subject_name.cmp(&b.subject_name)));
        Ok(out)
    }

    /// The plan's rules with their compliance to date inside `place`, by task number.
    pub(crate) fn summaries_by_rule(board: &Board, now: DateTime<Utc>, place: &str) -> Vec<RuleSummary> {
        let mut totals = vec![RuleSummary::default(); board.plan().rules.len()];
        for key in board.keys(now, place) {
            totals[board.rule_index(key)].add(board.status_of(key, now));
        }
        totals
    }

    /// For callers that need the plan a board was built from.
    pub async fn board_plan(&self) -> Result<Arc<Plan>> {
        Ok(self.current_campaign().await?.0)
    }
}
