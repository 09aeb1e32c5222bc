//! The campaign board: the task list's tasks with their departments, deadlines, status and
//! progress reports (with photos), the phases and where today falls among them.

use crate::audit::entry;
use crate::crypto::digest_json;
use crate::hazards::photo_attachment;
use crate::orgs::{replayed, uid_for, Created};
use crate::{Actor, App, AppError, FieldError, Result};
use anjian_domain::campaign::{month_of, months_missing, task_status, TaskFacts, TaskStatus};
use anjian_domain::obligation::RuleSummary;
use anjian_domain::period::local_date;
use anjian_domain::scope::Scope;
use anjian_store::attachments::{self, Attachment};
use anjian_store::task_reports::{self, NewTaskReport, TaskReport};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhaseView {
    pub code: String,
    pub name: String,
    pub starts: NaiveDate,
    pub ends: NaiveDate,
    pub current: bool,
    pub past: bool,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportView {
    pub report: TaskReport,
    pub photos: Vec<Attachment>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleProgress {
    pub id: String,
    pub title: String,
    pub summary: RuleSummary,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskView {
    pub no: u32,
    pub battle: String,
    pub area: String,
    pub content: String,
    pub departments: Vec<String>,
    pub responsible: Option<String>,
    pub continuous: bool,
    pub due: Option<NaiveDate>,
    pub due_text: String,
    pub status: TaskStatus,
    /// A progress report said it is done …
    pub reported_done: bool,
    /// … while a rule of the task is overdue or not yet met (the board shows both).
    pub rules_short: bool,
    /// A bureau head's closing of the task, with its reason.
    pub closed: Option<TaskReport>,
    /// Continuous tasks: finished months without a progress report.
    pub months_missing: Vec<String>,
    pub reports: Vec<ReportView>,
    /// The plan rules that belong to the task, with their compliance to date.
    pub rules: Vec<RuleProgress>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignBoard {
    pub title: String,
    /// The campaign's short name, as the plan gives it.
    pub campaign: String,
    pub today: NaiveDate,
    pub phases: Vec<PhaseView>,
    pub current_phase: Option<String>,
    pub tasks: Vec<TaskView>,
    pub not_started: usize,
    pub in_progress: usize,
    pub done: usize,
    pub overdue: usize,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ReportInput {
    /// `in_progress` or `done`.
    pub progress: String,
    pub body: String,
}

fn visible(scope: &Scope, r: &TaskReport) -> bool {
    match scope {
        Scope::All => true,
        Scope::Jurisdiction { path } => r.jurisdiction_path.starts_with(path.as_str()),
        _ => false,
    }
}

impl App {
    /// The board as the caller's bureau sees it (reports from its jurisdiction).
    pub async fn campaign_board(&self, actor: &Actor) -> Result<CampaignBoard> {
        actor.require_oversight()?;
        let (plan, _) = self.current_campaign().await?;
        let now = self.clock.now();
        let today = local_date(now);
        let reports: Vec<TaskReport> = task_reports::of_plan(&self.store.db, plan.plan.id.as_str())
            .await?
            .into_iter()
            .filter(|r| visible(&actor.scope, r))
            .collect();
        let place = match &actor.scope {
            Scope::Jurisdiction { path } => path.clone(),
            _ => "/".to_owned(),
        };
        let summaries = {
            let guard = self.live_board().await?;
            let board = &guard.as_ref().expect("built").board;
            App::summaries_by_rule(board, now, &place)
        };
        // Every report's photos in one read.
        let ids: Vec<i64> = reports.iter().map(|r| r.id).collect();
        let mut photos: std::collections::HashMap<i64, Vec<Attachment>> = std::collections::HashMap::new();
        for a in attachments::of_owners(&self.store.db, "task_report", &ids).await? {
            photos.entry(a.owner_id).or_default().push(a);
        }
        let mut tasks = Vec::new();
        for t in &plan.tasks {
            let no = *t.no.get_ref();
            let mine: Vec<&TaskReport> = reports.iter().filter(|r| r.task_no as u32 == no).collect();
            let rules: Vec<RuleProgress> = plan
                .rules
                .iter()
                .enumerate()
                .filter(|(_, r)| r.task.as_ref().map(|x| *x.get_ref()) == Some(no))
                .map(|(i, r)| RuleProgress {
                    id: r.id.get_ref().clone(),
                    title: r.title.clone(),
                    summary: summaries[i].clone(),
                })
                .collect();
            let closed = mine.iter().rev().find(|r| r.progress == "closed").map(|r| (*r).clone());
            let facts = TaskFacts {
                due: t.due.as_ref().map(|d| d.get_ref().0),
                continuous: t.continuous,
                any_report: !mine.is_empty(),
                reported_done: mine.iter().any(|r| r.progress == "done"),
                rules_short: rules.iter().any(|r| r.summary.overdue + r.summary.due + r.summary.at_risk > 0),
                closed_by_head: closed.is_some(),
                months_reported: mine.iter().map(|r| r.month.clone()).collect(),
            };
            let views = mine
                .iter()
                .rev()
                .map(|r| ReportView { report: (*r).clone(), photos: photos.remove(&r.id).unwrap_or_default() })
                .collect();
            tasks.push(TaskView {
                no,
                battle: plan.battle(t.battle.get_ref()).map_or_else(|| t.battle.get_ref().clone(), |b| b.name.clone()),
                area: t.area.clone(),
                content: t.content.clone(),
                departments: t
                    .departments
                    .iter()
                    .map(|d| plan.department(d.get_ref()).map_or_else(|| d.get_ref().clone(), |x| x.name.clone()))
                    .collect(),
                responsible: t.responsible.clone(),
                continuous: t.continuous,
                due: facts.due,
                due_text: t.due_text.clone(),
                status: task_status(plan.span(), &facts, today),
                reported_done: facts.reported_done,
                rules_short: facts.rules_short,
                closed,
                months_missing: if t.continuous {
                    months_missing(plan.span(), today, &facts.months_reported)
                } else {
                    Vec::new()
                },
                reports: views,
                rules,
            });
        }
        let count = |s: TaskStatus| tasks.iter().filter(|t| t.status == s).count();
        let phases: Vec<PhaseView> = plan
            .phases
            .iter()
            .map(|p| PhaseView {
                code: p.code.get_ref().clone(),
                name: p.name.clone(),
                starts: p.starts.0,
                ends: p.ends.0,
                current: p.span().contains_date(today),
                past: p.ends.0 < today,
            })
            .collect();
        Ok(CampaignBoard {
            title: plan.plan.title.clone(),
            campaign: plan.short_title().to_owned(),
            today,
            current_phase: phases.iter().find(|p| p.current).map(|p| p.name.clone()),
            phases,
            not_started: count(TaskStatus::NotStarted),
            in_progress: count(TaskStatus::InProgress),
            done: count(TaskStatus::Done),
            overdue: count(TaskStatus::Overdue),
            tasks,
        })
    }

    /// A bureau reports progress on a task (for this month), optionally with photos.
    pub async fn report_task_progress(
        &self,
        actor: &Actor,
        task_no: u32,
        input: ReportInput,
        photos: Vec<Vec<u8>>,
        key: Option<&str>,
    ) -> Result<Created<TaskReport>> {
        actor.require_oversight()?;
        let org = actor.org.clone().ok_or(AppError::Forbidden)?;
        let uid = uid_for(key)?;
        let digest = digest_json(&(task_no, &input, photos.len()));
        if let Some(existing) = task_reports::by_uid(&self.store.db, &uid).await? {
            let mine = existing.author_id == actor.id();
            let stored = existing.request_digest.clone();
            return replayed(existing, mine, stored.as_deref(), &digest);
        }
        let (plan, _) = self.current_campaign().await?;
        let mut errors = Vec::new();
        let task = plan.task(task_no).ok_or(AppError::NotFound)?;
        if !matches!(input.progress.as_str(), "in_progress" | "done" | "closed") {
            errors.push(FieldError::new("progress", "invalid_progress"));
        }
        // Closing a task whose records fall short is a bureau head's decision, with the reason.
        if input.progress == "closed" && actor.user.position.as_deref() != Some("bureau_head") {
            return Err(AppError::Forbidden);
        }
        if task.continuous && input.progress == "done" {
            errors.push(FieldError::new("progress", "continuous_task_never_done"));
        }
        let body = input.body.trim().to_owned();
        errors.extend(FieldError::text("body", &body, 10_000));
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let stored = self.store_photos(photos).await?;
        let now = self.clock.now();
        let txn = self.store.begin_write().await?;
        let row = task_reports::insert(
            &*txn,
            NewTaskReport {
                uid,
                plan_id: plan.plan.id.clone(),
                task_no: task_no as i32,
                month: month_of(local_date(now)),
                progress: input.progress.clone(),
                org: org.clone(),
                author_id: actor.id(),
                author: actor.user.display_name.clone(),
                body,
                request_digest: Some(digest),
            },
            now,
        )
        .await?;
        for (clean, key) in stored {
            let photo = photo_attachment("task_report", row.id, "photo", org.clone(), &clean, key, actor.id());
            attachments::insert(&*txn, photo, now).await?;
        }
        let mut e = entry(Some(actor), "task.report", "task", task_no);
        e.after_digest = Some(digest_json(&row));
        e.detail = format!("progress={} report={}", row.progress, row.id);
        self.record(&*txn, e).await?;
        txn.commit().await?;
        Ok(Created { value: row, replayed: false })
    }
}
