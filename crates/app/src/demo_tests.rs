//! The demo's question bank and its principals' safety tests: sixty-odd questions on
//! the plan's subjects, and principals who passed, who failed and passed the retest, and one
//! who failed the retest too — whose enterprise is raised to key supervision, as the plan says.

use crate::{App, Result};
use anjian_domain::obligation::World;
use anjian_domain::obligation::{Activity, Evidence, Source};
use anjian_domain::plan::ActivityKind;
use anjian_domain::role::Role;
use anjian_domain::safety_test::{self as test, Question, QuestionKind};
use anjian_store::safety_tests::{self as store, NewQuestion};
use anjian_store::{orgs, users};
use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::Rng;
use std::collections::HashMap;

/// The bank as data: `kind|stem|options;…|answer letters|topic`, options in their right order;
/// the demo shuffles them so the right answer is not always A.
const BANK: &str = include_str!("demo_questions.txt");

fn kind(word: &str) -> Option<QuestionKind> {
    match word {
        "单选" => Some(QuestionKind::Single),
        "多选" => Some(QuestionKind::Multiple),
        "判断" => Some(QuestionKind::TrueFalse),
        _ => None,
    }
}

/// The bank's questions, options shuffled by `rng`.
fn bank(rng: &mut StdRng) -> Vec<NewQuestion> {
    let mut out = Vec::new();
    for line in BANK.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let parts: Vec<&str> = line.split('|').collect();
        let [k, stem, options, answer, topic] = parts[..] else { continue };
        let Some(k) = kind(k) else { continue };
        let (options, answer): (Vec<String>, Vec<usize>) = if k == QuestionKind::TrueFalse {
            (vec!["正确".into(), "错误".into()], vec![if answer == "正确" { 0 } else { 1 }])
        } else {
            let right = test::parse_letters(answer).unwrap_or_default();
            let mut tagged: Vec<(String, bool)> =
                options.split(';').enumerate().map(|(i, o)| (o.to_owned(), right.contains(&i))).collect();
            tagged.shuffle(rng);
            let answer = tagged.iter().enumerate().filter(|(_, t)| t.1).map(|(i, _)| i).collect();
            (tagged.into_iter().map(|t| t.0).collect(), answer)
        };
        out.push(NewQuestion {
            uid: format!("demo-question-{}", out.len() + 1),
            kind: k.as_str().into(),
            topic: topic.into(),
            difficulty: rng.gen_range(2..=4),
            stem: stem.into(),
            options,
            answer,
        });
    }
    out
}

impl App {
    /// The bank, then a sitting or two for the principals of the first enterprises.
    pub(crate) async fn demo_safety_tests(
        &self,
        rng: &mut StdRng,
        world: &World,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<u64> {
        let plan = self.current_plan().await?;
        let Some(rules) = plan.safety_test.clone() else { return Ok(0) };
        let db = &self.store.db;
        let Some(city) = users::by_username(db, "city.staff").await? else { return Ok(0) };
        let txn = self.store.begin_write().await?;
        let mut questions: Vec<Question> = Vec::new();
        for q in bank(rng) {
            let stored = store::insert_question(&*txn, q, city.id, start).await?;
            questions.extend(crate::safety_test::to_domain(&stored));
        }
        txn.commit().await?;
        let mut made = questions.len() as u64;

        // Principals of the first enterprises: the demo's own account, then people on record.
        let firms: Vec<_> = world
            .orgs
            .iter()
            .filter(|o| ["enterprise", "explosives_enterprise"].contains(&o.kind.as_str()))
            .take(12)
            .collect();
        for (n, firm) in firms.iter().enumerate() {
            let org = orgs::get_unscoped_for_auth(db, firm.id).await?.ok_or(crate::AppError::NotFound)?;
            let principal = match world.users.iter().find(|u| u.role == Role::Principal && u.org_id == Some(org.id)) {
                Some(u) => u.id,
                None => {
                    let txn = self.store.begin_write().await?;
                    let username = format!("principal.{}", org.id);
                    let u =
                        crate::demo_history::person_on_record(&*txn, rng, &username, Role::Principal, org.id, start)
                            .await?;
                    txn.commit().await?;
                    u.id
                }
            };
            // Most pass at once; two fail and pass the retest; one fails the retest as well.
            let outcomes: &[bool] = match n {
                3 | 7 => &[false, true],
                5 => &[false, false],
                _ => &[true],
            };
            let bureau = match anjian_store::jurisdictions::by_id(db, org.jurisdiction_id).await? {
                Some(j) => orgs::by_code(db, &crate::plans::bureau_code(&j.code)).await?,
                None => None,
            };
            let mut at = start + Duration::days(rng.gen_range(20..50));
            let mut history = Vec::new();
            for pass in outcomes {
                if at >= end {
                    break;
                }
                let paper = test::draw(&questions, &rules.paper, |k| rng.gen_range(0..k))
                    .map_err(|_| crate::AppError::invalid("bank", "bank_too_small"))?;
                let by_id: HashMap<i64, &Question> = questions.iter().map(|q| (q.id, q)).collect();
                let right = if *pass { 0.95 } else { 0.55 };
                let answers: HashMap<i64, Vec<usize>> = paper
                    .iter()
                    .filter_map(|id| by_id.get(id))
                    .map(|q| {
                        let a =
                            if rng.gen_bool(right) { q.answer.clone() } else { vec![(q.answer[0] + 1) % q.options] };
                        (q.id, a)
                    })
                    .collect();
                let drawn: Vec<Question> = paper.iter().filter_map(|id| by_id.get(id).map(|q| (*q).clone())).collect();
                let (score, missed) = test::grade(&drawn, &answers);
                let passed = score >= *rules.pass_mark.get_ref();
                let finished = at + Duration::minutes(rng.gen_range(25..55));
                let txn = self.store.begin_write().await?;
                let s = store::insert_sitting(
                    &*txn,
                    principal,
                    &org,
                    &paper,
                    at,
                    at + Duration::minutes(i64::from(rules.time_limit_minutes)),
                )
                .await?;
                for (q, a) in &answers {
                    store::save_answer(&*txn, s.id, *q, a, at + Duration::minutes(10)).await?;
                }
                store::finish_sitting(&*txn, s.id, finished, score as i32, passed, &missed).await?;
                let act = Activity::new(
                    ActivityKind::SAFETY_TEST,
                    finished,
                    Evidence { source: Source::TestSitting, id: s.id },
                )
                .by(principal, bureau.as_ref().map(|b| b.id))
                .on_org(org.id);
                anjian_store::activities::insert_many(&*txn, &[act], finished).await?;
                history.push(passed);
                let to = rules.on_retest_fail_level.get_ref();
                if test::escalates(&history, rules.on_first_fail) && org.supervision_level != *to {
                    let reason = crate::ZH.fill("record.retest_failed", &[("score", &score)]);
                    store::change_level(&*txn, org.id, &org.supervision_level, to, &reason, None, finished).await?;
                }
                txn.commit().await?;
                made += 1;
                // A retest a fortnight later.
                at = finished + Duration::days(rng.gen_range(10..20));
            }
        }
        Ok(made)
    }
}
