//! Principals' safety tests and supervision levels: the question bank (from Excel), a
//! sitting drawn from it by the plan's paper, answers saved as they are given, a time limit the
//! server enforces, grading on submit, and the plan's escalation — a first fail asks for a
//! retest, a failed retest raises the enterprise to key supervision (audited with the reason),
//! which raises its inspection frequency through the obligation engine. A bureau can lower it
//! again with a recorded reason.

use crate::audit::entry;
use crate::hazard_import::{ImportOutcome, RowError};
use crate::plans::bureau_code;
use crate::ZH;
use crate::{Actor, App, AppError, FieldError, Result};
use anjian_domain::obligation::{Activity, Evidence, Source};
use anjian_domain::plan::ActivityKind;
use anjian_domain::role::{Permission, Role};
use anjian_domain::safety_test::{
    check_question, draw, escalates, grade, parse_letters, standing, FirstFail, Question, QuestionKind, Standing,
};
use anjian_reports::ledger_sheet::SheetRows;
use anjian_store::safety_tests::{self as store, NewQuestion, Sitting, SupervisionChange};
use anjian_store::users::UserFilter;
use anjian_store::{jurisdictions, orgs, users};
use chrono::{DateTime, Utc};
use rand::Rng;
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuestionView {
    pub id: i64,
    pub kind: QuestionKind,
    pub stem: String,
    pub options: Vec<String>,
    /// What the principal has answered so far.
    pub given: Vec<usize>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SittingView {
    pub sitting: Sitting,
    pub questions: Vec<QuestionView>,
    /// Seconds left while open.
    pub remaining_seconds: i64,
    pub pass_mark: u32,
    /// When graded: the questions missed, with the right answer.
    /// A tuple on the wire (an array of its values, in order).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Vec<serde_json::Value>>))]
    pub missed: Vec<(QuestionView, Vec<usize>)>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResultRow {
    pub org_id: i64,
    pub org: String,
    pub principal_id: i64,
    pub principal: String,
    pub attempts: usize,
    pub last_score: Option<i32>,
    pub last_at: Option<DateTime<Utc>>,
    pub standing: Standing,
    pub supervision_level: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Notice {
    pub org: String,
    pub supervision_level: String,
    /// Principal, time, score (none where the plan does not publish scores), passed.
    /// A tuple on the wire (an array of its values, in order).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Vec<serde_json::Value>>))]
    pub scores: Vec<(String, DateTime<Utc>, Option<i32>, bool)>,
    pub changes: Vec<SupervisionChange>,
}

fn kind_of(text: &str) -> Option<QuestionKind> {
    match text.trim() {
        "单选" | "单选题" | "single" => Some(QuestionKind::Single),
        "多选" | "多选题" | "multiple" => Some(QuestionKind::Multiple),
        "判断" | "判断题" | "true_false" => Some(QuestionKind::TrueFalse),
        _ => None,
    }
}

pub(crate) fn to_domain(q: &store::Question) -> Option<Question> {
    let options: Vec<String> = serde_json::from_str(&q.options_json).ok()?;
    Some(Question {
        id: q.id,
        kind: q.kind,
        topic: q.topic.clone(),
        answer: serde_json::from_str(&q.answer_json).ok()?,
        options: options.len(),
    })
}

impl App {
    fn require_test_admin(&self, actor: &Actor) -> Result<()> {
        actor.require(Permission::ViewCampaign)?;
        if actor.role.is_bureau() {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Questions from a sheet: 题型 (单选/多选/判断), 题干, 选项A–选项F, 答案 (letters; 判断 also
    /// 正确/错误), 主题, 难度 (1–5). All or nothing; a question already in the bank (same kind and
    /// text) is not added twice.
    pub async fn import_questions(&self, actor: &Actor, sheet: SheetRows, apply: bool) -> Result<ImportOutcome> {
        self.require_test_admin(actor)?;
        let existing: std::collections::HashSet<(String, String)> =
            store::questions(&self.store.db).await?.into_iter().map(|q| (q.kind.as_str().to_owned(), q.stem)).collect();
        let mut out = ImportOutcome { rows: sheet.len(), ..Default::default() };
        let mut fresh: Vec<NewQuestion> = Vec::new();
        for (row, cells) in sheet {
            let get = |k: &str| cells.iter().find(|(h, _)| h == k).map(|(_, c)| c.text()).unwrap_or_default();
            let mut err =
                |column: &str, code: &str| out.errors.push(RowError { row, column: column.into(), code: code.into() });
            let Some(kind) = kind_of(&get("题型")) else {
                err("题型", "invalid_kind");
                continue;
            };
            let stem = get("题干");
            let options: Vec<String> = if kind == QuestionKind::TrueFalse {
                vec!["正确".into(), "错误".into()]
            } else {
                ["A", "B", "C", "D", "E", "F"]
                    .iter()
                    .map(|l| get(&format!("选项{l}")))
                    .take_while(|o| !o.is_empty())
                    .collect()
            };
            let answer_text = get("答案");
            let answer = match (kind, answer_text.as_str()) {
                (QuestionKind::TrueFalse, "正确" | "对" | "√") => Some(vec![0]),
                (QuestionKind::TrueFalse, "错误" | "错" | "×") => Some(vec![1]),
                _ => parse_letters(&answer_text),
            };
            let difficulty = match get("难度").as_str() {
                "" => Some(3),
                d => d.parse::<f64>().ok().filter(|d| (1.0..=5.0).contains(d) && d.fract() == 0.0).map(|d| d as i32),
            };
            if difficulty.is_none() {
                err("难度", "invalid_number");
            }
            let Some(answer) = answer else {
                err("答案", "invalid_answer");
                continue;
            };
            if let Err(e) = check_question(kind, &stem, options.len(), &answer) {
                let column = match e.code() {
                    "required" => "题干",
                    "invalid_options" => "选项A",
                    _ => "答案",
                };
                err(column, e.code());
                continue;
            }
            if existing.contains(&(kind.as_str().to_owned(), stem.clone())) {
                out.existing += 1;
            } else if fresh.iter().any(|q| q.kind == kind.as_str() && q.stem == stem) {
                err("题干", "duplicate_row");
            } else {
                let mut answer = answer;
                answer.sort_unstable();
                fresh.push(NewQuestion {
                    uid: uuid::Uuid::new_v4().to_string(),
                    kind: kind.as_str().into(),
                    topic: Some(get("主题")).filter(|t| !t.is_empty()).unwrap_or_else(|| "综合".into()),
                    difficulty: difficulty.unwrap_or(3),
                    stem,
                    options,
                    answer,
                });
            }
        }
        out.new = fresh.len();
        if !apply || !out.errors.is_empty() {
            return Ok(out);
        }
        let now = self.clock.now();
        let txn = self.store.begin_write().await?;
        for q in fresh {
            store::insert_question(&*txn, q, actor.id(), now).await?;
        }
        let mut e = entry(Some(actor), "questions.import", "question_bank", "bank");
        e.detail = format!("rows={} new={} existing={}", out.rows, out.new, out.existing);
        self.record(&*txn, e).await?;
        txn.commit().await?;
        out.applied = true;
        Ok(out)
    }

    /// Starts a sitting for a principal, or returns the one still open. One at a time.
    pub async fn start_sitting(&self, actor: &Actor) -> Result<Sitting> {
        let org = match (&actor.org, actor.role) {
            (Some(o), Role::Principal) => o.clone(),
            _ => return Err(AppError::Forbidden),
        };
        if let Some(open) = store::open_sitting(&self.store.db, actor.id()).await? {
            if open.deadline > self.clock.now() {
                return Ok(open);
            }
            self.grade_sitting(actor, open).await?;
        }
        let plan = self.current_plan().await?;
        let rules = plan.safety_test.as_ref().ok_or(AppError::Conflict("no_safety_test_in_plan"))?;
        let bank: Vec<Question> = store::questions(&self.store.db).await?.iter().filter_map(to_domain).collect();
        let mut rng = rand::rngs::OsRng;
        let paper = draw(&bank, &rules.paper, |n| rng.gen_range(0..n))
            .map_err(|_| AppError::invalid("bank", "bank_too_small"))?;
        let now = self.clock.now();
        let txn = self.store.begin_write().await?;
        let s = store::insert_sitting(
            &*txn,
            actor.id(),
            &org,
            &paper,
            now,
            now + chrono::Duration::minutes(i64::from(rules.time_limit_minutes)),
        )
        .await?;
        let mut e = entry(Some(actor), "safety_test.start", "sitting", s.id);
        e.detail = format!("questions={}", paper.len());
        self.record(&*txn, e).await?;
        txn.commit().await?;
        Ok(s)
    }

    async fn sitting_of(&self, actor: &Actor, id: i64) -> Result<Sitting> {
        actor.require(Permission::ViewHazards)?;
        let s = store::sitting(&self.store.db, &actor.scope, id).await?;
        if s.user_id != actor.id() && !actor.role.is_bureau() {
            return Err(AppError::NotFound);
        }
        Ok(s)
    }

    /// A sitting with its questions and answers so far; past its deadline it is graded first.
    pub async fn sitting_view(&self, actor: &Actor, id: i64) -> Result<SittingView> {
        let mut s = self.sitting_of(actor, id).await?;
        if s.submitted_at.is_none() && s.deadline <= self.clock.now() && s.user_id == actor.id() {
            s = self.grade_sitting(actor, s).await?;
        }
        let ids: Vec<i64> = serde_json::from_str(&s.question_ids_json).unwrap_or_default();
        let by_id: HashMap<i64, store::Question> =
            store::questions_by_id(&self.store.db, &ids).await?.into_iter().map(|q| (q.id, q)).collect();
        let answers = store::answers_of(&self.store.db, s.id).await?;
        let view = |q: &store::Question| QuestionView {
            id: q.id,
            kind: q.kind,
            stem: q.stem.clone(),
            options: serde_json::from_str(&q.options_json).unwrap_or_default(),
            given: answers.get(&q.id).cloned().unwrap_or_default(),
        };
        let questions: Vec<QuestionView> = ids.iter().filter_map(|i| by_id.get(i)).map(view).collect();
        let missed_ids: Vec<i64> =
            s.missed_json.as_deref().and_then(|m| serde_json::from_str(m).ok()).unwrap_or_default();
        let missed = missed_ids
            .iter()
            .filter_map(|i| by_id.get(i))
            .map(|q| (view(q), serde_json::from_str(&q.answer_json).unwrap_or_default()))
            .collect();
        let pass_mark = self.current_plan().await?.safety_test.as_ref().map_or(80, |t| *t.pass_mark.get_ref());
        Ok(SittingView {
            remaining_seconds: if s.submitted_at.is_none() {
                (s.deadline - self.clock.now()).num_seconds().max(0)
            } else {
                0
            },
            sitting: s,
            questions,
            pass_mark,
            missed,
        })
    }

    /// Saves one answer of an open sitting (the last one given counts). Refused after the
    /// deadline, which grades the sitting.
    pub async fn save_test_answer(&self, actor: &Actor, id: i64, question_id: i64, answer: Vec<usize>) -> Result<()> {
        let s = self.sitting_of(actor, id).await?;
        if s.user_id != actor.id() {
            return Err(AppError::Forbidden);
        }
        if s.submitted_at.is_some() {
            return Err(AppError::invalid("sitting", "already_submitted"));
        }
        if s.deadline <= self.clock.now() {
            self.grade_sitting(actor, s).await?;
            return Err(AppError::invalid("sitting", "time_up"));
        }
        let ids: Vec<i64> = serde_json::from_str(&s.question_ids_json).unwrap_or_default();
        if !ids.contains(&question_id) {
            return Err(AppError::invalid("question_id", "not_found"));
        }
        let q = store::questions_by_id(&self.store.db, &[question_id]).await?.pop().ok_or(AppError::NotFound)?;
        let n: usize = serde_json::from_str::<Vec<String>>(&q.options_json).map(|o| o.len()).unwrap_or(0);
        if answer.is_empty() || answer.iter().any(|a| *a >= n) || (q.kind != QuestionKind::Multiple && answer.len() > 1)
        {
            return Err(AppError::invalid("answer", "invalid_answer"));
        }
        let txn = self.store.begin_write().await?;
        store::save_answer(&*txn, s.id, question_id, &answer, self.clock.now()).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Submits (grades) the caller's sitting.
    pub async fn submit_sitting(&self, actor: &Actor, id: i64) -> Result<Sitting> {
        let s = self.sitting_of(actor, id).await?;
        if s.user_id != actor.id() {
            return Err(AppError::Forbidden);
        }
        if s.submitted_at.is_some() {
            return Err(AppError::invalid("sitting", "already_submitted"));
        }
        self.grade_sitting(actor, s).await
    }

    /// Grades a sitting (on submit or at its deadline) and applies the plan's escalation.
    async fn grade_sitting(&self, actor: &Actor, s: Sitting) -> Result<Sitting> {
        let plan = self.current_plan().await?;
        let rules = plan.safety_test.as_ref().ok_or(AppError::Conflict("no_safety_test_in_plan"))?;
        let ids: Vec<i64> = serde_json::from_str(&s.question_ids_json).unwrap_or_default();
        let paper: Vec<Question> = {
            let by_id: HashMap<i64, Question> = store::questions_by_id(&self.store.db, &ids)
                .await?
                .iter()
                .filter_map(to_domain)
                .map(|q| (q.id, q))
                .collect();
            ids.iter().filter_map(|i| by_id.get(i).cloned()).collect()
        };
        let answers = store::answers_of(&self.store.db, s.id).await?;
        let (score, missed) = grade(&paper, &answers);
        let passed = score >= *rules.pass_mark.get_ref();
        // Graded at the deadline if it ran out; the moment of submission otherwise.
        let at = self.clock.now().min(s.deadline);
        let mut history: Vec<bool> =
            store::graded_of_user(&self.store.db, s.user_id).await?.iter().filter_map(|x| x.passed).collect();
        history.push(passed);
        let org = orgs::get_unscoped_for_auth(&self.store.db, s.org_id).await?.ok_or(AppError::NotFound)?;
        // The sitting counts for the county bureau that supervises the enterprise.
        let bureau = match jurisdictions::by_id(&self.store.db, org.jurisdiction_id).await? {
            Some(j) => orgs::by_code(&self.store.db, &bureau_code(&j.code)).await?,
            None => None,
        };
        let now = self.clock.now();
        let txn = self.store.begin_write().await?;
        if !store::finish_sitting(&*txn, s.id, at, score as i32, passed, &missed).await? {
            return Err(AppError::invalid("sitting", "already_submitted"));
        }
        let act = Activity::new(ActivityKind::SAFETY_TEST, at, Evidence { source: Source::TestSitting, id: s.id })
            .by(s.user_id, bureau.as_ref().map(|b| b.id))
            .on_org(org.id);
        anjian_store::activities::insert_many(&*txn, &[act], now).await?;
        let mut e = entry(Some(actor), "safety_test.submit", "sitting", s.id);
        e.detail = format!("score={score} passed={passed} standing={}", standing(&history).as_str());
        self.record(&*txn, e).await?;
        let first_fail = rules.on_first_fail;
        if standing(&history) == Standing::RetestDue && first_fail == FirstFail::Retest {
            // The plan's "first fail: retest" — the principal is told in the inbox (and the webhook).
            let n = anjian_store::notifications::NewNotification {
                user_id: s.user_id,
                kind: "retest".into(),
                title: ZH.fill("notify.retest", &[("score", &score)]),
                body: ZH.fill("notify.retest_body", &[("pass_mark", rules.pass_mark.get_ref())]),
                link: "/tests".into(),
                dedupe_key: format!("retest:{}", s.id),
            };
            self.notify(&*txn, n, now).await?;
        }
        let to = rules.on_retest_fail_level.get_ref();
        if escalates(&history, first_fail) && org.supervision_level != *to {
            let reason = ZH.fill("record.retest_failed", &[("score", &score)]);
            store::change_level(&*txn, org.id, &org.supervision_level, to, &reason, None, now).await?;
            let mut e = entry(None, "supervision.raise", "org", org.id);
            e.detail = format!("{} -> {to}: {reason}", org.supervision_level);
            self.record(&*txn, e).await?;
        }
        txn.commit().await?;
        self.world_changed();
        Ok(store::sitting(&self.store.db, &anjian_domain::scope::Scope::All, s.id).await?)
    }

    /// A bureau changes an enterprise's supervision level (lowers it again, say), with a reason.
    pub async fn set_supervision_level(
        &self,
        actor: &Actor,
        org_id: i64,
        level: &str,
        reason: &str,
    ) -> Result<SupervisionChange> {
        self.require_test_admin(actor)?;
        let org = orgs::get(&self.store.db, &actor.scope, org_id).await?;
        let plan = self.current_plan().await?;
        let mut errors = Vec::new();
        if !plan.supervision_levels.iter().any(|l| l.code.get_ref() == level) {
            errors.push(FieldError::new("level", "unknown_level"));
        } else if org.supervision_level == level {
            errors.push(FieldError::new("level", "unchanged"));
        }
        errors.extend(FieldError::text("reason", reason, 1000));
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let now = self.clock.now();
        let txn = self.store.begin_write().await?;
        let c = store::change_level(&*txn, org.id, &org.supervision_level, level, reason.trim(), Some(actor.id()), now)
            .await?;
        let mut e = entry(Some(actor), "supervision.change", "org", org.id);
        e.detail = format!("{} -> {level}: {}", org.supervision_level, reason.trim());
        self.record(&*txn, e).await?;
        txn.commit().await?;
        self.world_changed();
        Ok(c)
    }

    /// Every principal in scope with their standing: tested, passed, failed, retest due, not tested.
    pub async fn test_results(&self, actor: &Actor) -> Result<Vec<ResultRow>> {
        self.require_test_admin(actor)?;
        let principals = users::list(
            &self.store.db,
            &actor.scope,
            &UserFilter { role: Some("principal".into()), ..Default::default() },
            None,
            100_000,
        )
        .await?;
        let graded = store::graded_in(&self.store.db, &actor.scope).await?;
        // The principals' organisations in one read, not one per row.
        let orgs: HashMap<i64, orgs::Org> =
            orgs::list(&self.store.db, &actor.scope, &Default::default(), None, 100_000)
                .await?
                .into_iter()
                .map(|o| (o.id, o))
                .collect();
        let mut out = Vec::new();
        for p in principals {
            let Some(org_id) = p.org_id else { continue };
            let Some(org) = orgs.get(&org_id).cloned() else { continue };
            let mine: Vec<&Sitting> = graded.iter().filter(|s| s.user_id == p.id).collect();
            let results: Vec<bool> = mine.iter().filter_map(|s| s.passed).collect();
            out.push(ResultRow {
                org_id,
                org: org.name,
                principal_id: p.id,
                principal: p.display_name,
                attempts: mine.len(),
                last_score: mine.last().and_then(|s| s.score),
                last_at: mine.last().and_then(|s| s.submitted_at),
                standing: standing(&results),
                supervision_level: org.supervision_level,
            });
        }
        out.sort_by(|a, b| a.org.cmp(&b.org));
        Ok(out)
    }

    /// Enterprises in scope under `level` (key supervision by default), with the last change.
    pub async fn supervision_list(
        &self,
        actor: &Actor,
        level: &str,
    ) -> Result<Vec<(orgs::Org, Option<SupervisionChange>)>> {
        actor.require(Permission::ViewOrgs)?;
        let all = orgs::list(&self.store.db, &actor.scope, &Default::default(), None, 100_000).await?;
        let mut out = Vec::new();
        for o in all.into_iter().filter(|o| o.supervision_level == level) {
            let last = store::changes_of(&self.store.db, o.id).await?.pop();
            out.push((o, last));
        }
        Ok(out)
    }

    /// The public notice (张榜公告) of an enterprise: its principals' scores and its level.
    pub async fn test_notice(&self, actor: &Actor, org_id: i64) -> Result<Notice> {
        actor.require(Permission::ViewOrgs)?;
        let org = orgs::get(&self.store.db, &actor.scope, org_id).await?;
        // The plan decides whether the notice posts the scores or only who passed.
        let published = self.current_plan().await?.safety_test.as_ref().is_none_or(|t| t.publish_scores);
        let graded = store::graded_in(&self.store.db, &anjian_domain::scope::Scope::All).await?;
        let mut scores = Vec::new();
        for s in graded.iter().filter(|s| s.org_id == org.id) {
            let name =
                users::by_id_for_auth(&self.store.db, s.user_id).await?.map(|u| u.display_name).unwrap_or_default();
            scores.push((
                name,
                s.submitted_at.unwrap_or(s.started_at),
                s.score.filter(|_| published),
                s.passed.unwrap_or(false),
            ));
        }
        Ok(Notice {
            changes: store::changes_of(&self.store.db, org.id).await?,
            org: org.name,
            supervision_level: org.supervision_level,
            scores,
        })
    }

    /// The principal's own sittings, newest first.
    pub async fn my_sittings(&self, actor: &Actor) -> Result<(Vec<Sitting>, Option<Sitting>)> {
        let mut graded = store::graded_of_user(&self.store.db, actor.id()).await?;
        graded.reverse();
        Ok((graded, store::open_sitting(&self.store.db, actor.id()).await?))
    }
}
