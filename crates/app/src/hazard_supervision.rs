//! 挂牌督办 as a workflow: a bureau puts an overdue or major hazard under a numbered notice,
//! reminds (催办), records interviews (约谈), answers an enterprise's request for more time; the
//! tier above sees every notice of its area and its age; under a notice only the supervising
//! bureau closes the hazard (checked in `act_on_hazard`). Each step is a record, an event in the
//! hazard's history, an audit entry, and a notice in the inbox (and the webhook) of those it
//! concerns.

use crate::audit::entry;
use crate::{Actor, App, AppError, Result, ZH};
use anjian_domain::hazard::{self, Hazard};
use anjian_domain::role::Permission;
use anjian_domain::supervision::{self, Step, Supervision, SupervisionStep};
use anjian_store::notifications::NewNotification;
use anjian_store::supervision::{self as store, NewStep};
use anjian_store::{hazards, Db};
use chrono::{DateTime, Datelike, Utc};
use serde::Deserialize;

/// A step as a form or the API gives it.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StepInput {
    pub step: Step,
    /// The notice's deadline (挂牌), or the date an extension asks for.
    #[serde(default)]
    pub until: Option<DateTime<Utc>>,
    /// Requirements, message, outcome or reason.
    #[serde(default)]
    pub text: String,
    /// An interview's participants.
    #[serde(default)]
    pub people: String,
    /// When an interview was held (default: now).
    #[serde(default)]
    pub held_at: Option<DateTime<Utc>>,
}

/// A hazard under a notice, for the list of the tier that issued it and the tiers above.
#[derive(Debug, Clone)]
pub struct SupervisedHazard {
    pub hazard: Hazard,
    pub notice: SupervisionStep,
    pub age_days: i64,
    pub overdue: bool,
}

impl App {
    /// A hazard's supervision and the steps behind it.
    pub async fn hazard_supervision(&self, actor: &Actor, id: i64) -> Result<(Supervision, Vec<SupervisionStep>)> {
        actor.require(Permission::ViewHazards).map_err(|_| AppError::NotFound)?;
        let h = hazards::get(&self.store.db, &actor.scope, id).await?;
        let steps = store::of_hazard(&self.store.db, h.id).await?;
        Ok((Supervision::of(&steps), steps))
    }

    /// Takes one step of a hazard's supervision. Two notices of one bureau issued at the same
    /// moment race for a number; the one that loses is taken again with the next number.
    pub async fn supervision_step(&self, actor: &Actor, id: i64, input: StepInput) -> Result<SupervisionStep> {
        let mut tries = 0;
        loop {
            match self.supervision_step_once(actor, id, input.clone()).await {
                Err(AppError::Conflict("supervision_number_taken")) if tries < 5 => tries += 1,
                r => return r,
            }
        }
    }

    async fn supervision_step_once(&self, actor: &Actor, id: i64, input: StepInput) -> Result<SupervisionStep> {
        actor.require(Permission::ViewHazards).map_err(|_| AppError::NotFound)?;
        let bureau = actor.role.is_bureau() && actor.role.can(Permission::VerifyHazard);
        let allowed = match input.step {
            Step::RequestExtension => !actor.role.is_bureau() && actor.role.can(Permission::RectifyHazard),
            _ => bureau,
        };
        if !allowed {
            return Err(AppError::Forbidden);
        }
        let h = hazards::get(&self.store.db, &actor.scope, id).await?;
        let plan = self.current_plan().await?;
        let major = plan.hazard_grades.iter().any(|g| g.code.get_ref() == &h.grade && g.needs_governance_plan);
        let now = self.clock.now();
        // Notices are numbered in the name of the bureau (a department's, its bureau's) under
        // its 代字, as its other papers are. Read before the transaction: a read from the pool
        // inside it could wait on connections held by notices being issued at the same moment.
        let issuer = match bureau {
            true if actor.org.is_some() => Some(self.issuing_bureau(actor).await?),
            _ => None,
        };
        let place = match &issuer {
            Some(b) => self.doc_code(b).await,
            None => String::new(),
        };
        let txn = self.store.begin_write().await?;
        let steps = store::of_hazard(&*txn, h.id).await?;
        let current = Supervision::of(&steps);
        let field = match input.step {
            Step::Supervise | Step::RequestExtension => "until",
            _ => "text",
        };
        supervision::check(
            input.step,
            !h.is_closed(),
            h.is_overdue(now),
            major,
            h.deadline,
            &current,
            input.until,
            &input.text,
            now,
        )
        .map_err(|r| {
            AppError::invalid(if r == supervision::Refusal::TextRequired { "text" } else { field }, r.code())
        })?;
        let write = |seq: i32| supervision::number(&place, now, seq);
        let numbered = (input.step == Step::Supervise)
            .then(|| (now.with_timezone(&anjian_domain::TZ).year(), &write as &(dyn Fn(i32) -> String + Sync)));
        let row = store::insert(
            &*txn,
            NewStep {
                hazard_id: h.id,
                step: input.step,
                bureau_id: issuer.as_ref().map(|o| o.id),
                until: input.until,
                text: input.text.trim().to_owned(),
                people: input.people.trim().to_owned(),
                held_at: match input.step {
                    Step::Interview => Some(input.held_at.unwrap_or(now)),
                    _ => None,
                },
                by_user: actor.id(),
                by_name: actor.name().to_owned(),
            },
            numbered,
            now,
        )
        .await
        .map_err(|e| match e {
            anjian_store::StoreError::Conflict(_) => AppError::Conflict("supervision_number_taken"),
            e => e.into(),
        })?;
        let local = |t: DateTime<Utc>| t.with_timezone(&anjian_domain::TZ).format("%Y-%m-%d").to_string();
        let summary = match input.step {
            Step::Supervise => format!(
                "{}，{}：{}",
                row.number.clone().unwrap_or_default(),
                input.until.map(local).unwrap_or_default(),
                row.text
            ),
            Step::RequestExtension => format!("{}：{}", input.until.map(local).unwrap_or_default(), row.text),
            Step::Interview => {
                format!("{}（{}）：{}", row.held_at.map(local).unwrap_or_default(), row.people, row.text)
            }
            _ => row.text.clone(),
        };
        hazards::insert_event(
            &*txn,
            h.id,
            input.step.as_str(),
            h.state,
            h.state,
            actor.id(),
            actor.name(),
            &summary,
            now,
        )
        .await?;
        // An approved extension moves the deadline, as a bureau's 延期 does.
        if input.step == Step::ApproveExtension {
            let until = current
                .pending_extension
                .as_ref()
                .and_then(|p| p.until)
                .ok_or(AppError::Internal("a pending extension without its date".into()))?;
            let reason = ZH.fill("record.extension_approved", &[("reason", &row.text)]);
            self.move_deadline(&*txn, actor, &h, until, &reason, now, "until").await?;
        }
        let mut e = entry(Some(actor), &format!("hazard.{}", input.step.as_str()), "hazard", h.id);
        e.detail = summary.clone();
        self.record(&*txn, e).await?;
        if let (Step::Supervise, Some(b)) = (input.step, &issuer) {
            let grades = plan.grade_names().into_iter().collect();
            let of = crate::papers::NoticeOf { bureau: b, hazard: &h, notice: &row, grades: &grades, major };
            self.supervision_paper(&*txn, actor, of).await?;
        }
        self.tell_about_step(&*txn, &h, &row, &summary, now).await?;
        txn.commit().await?;
        Ok(row)
    }

    /// Who hears of a step: the enterprise's managers of a bureau's step, the bureaus over the
    /// hazard of an enterprise's request; a new notice also reaches the city above.
    async fn tell_about_step(
        &self,
        db: &impl Db,
        h: &Hazard,
        s: &SupervisionStep,
        summary: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut users = match s.step {
            Step::RequestExtension => {
                anjian_store::users::of_bureaus_over(db, &h.jurisdiction_path, &["county_staff", "city_staff"]).await?
            }
            _ => {
                anjian_store::users::of_org_with_roles(db, h.org_id, &["principal", "deputy", "safety_officer"]).await?
            }
        };
        if s.step == Step::Supervise {
            users.extend(
                anjian_store::users::of_bureaus_over(db, &h.jurisdiction_path, &["city_staff", "city_leader"]).await?,
            );
        }
        users.sort_unstable();
        users.dedup();
        let what = ZH.t(&format!("supervision.step.{}", s.step.as_str())).to_owned();
        for u in users.into_iter().filter(|u| *u != s.by_user) {
            let n = NewNotification {
                user_id: u,
                kind: "supervision".into(),
                title: ZH.fill("notify.supervision", &[("what", &what), ("hazard", &h.description)]),
                body: summary.to_owned(),
                link: format!("/hazards/{}", h.id),
                dedupe_key: format!("supervision:{}:{u}", s.id),
            };
            self.notify(db, n, now).await?;
        }
        Ok(())
    }

    /// Every hazard under a notice in the caller's area, oldest notice first, with its age.
    pub async fn supervised_hazards(&self, actor: &Actor) -> Result<Vec<SupervisedHazard>> {
        actor.require(Permission::ViewHazards).map_err(|_| AppError::Forbidden)?;
        let now = self.clock.now();
        let mut out: Vec<SupervisedHazard> = store::notices_in(&self.store.db, &actor.scope)
            .await?
            .into_iter()
            .map(|(hazard, notice)| SupervisedHazard {
                age_days: (now - notice.at).num_days(),
                overdue: hazard::is_overdue(hazard.state, notice.until.or(hazard.deadline), now),
                hazard,
                notice,
            })
            .collect();
        out.sort_by_key(|s| s.notice.at);
        Ok(out)
    }
}
