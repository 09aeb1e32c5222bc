//! Principals' safety tests (安全测试): questions of three kinds, papers drawn from a bank
//! by the plan's parts, grading, and the escalation the plan prescribes — a first fail asks for a
//! retest, a failed retest raises the enterprise to key supervision.

use crate::org::string_enum;
use crate::plan::PaperPart;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

string_enum! {
    QuestionKind {
        Single => "single",
        Multiple => "multiple",
        TrueFalse => "true_false",
    }
}

impl QuestionKind {
    /// More than one option may be right (a checkbox, not a radio button).
    pub fn is_multiple(self) -> bool {
        self == QuestionKind::Multiple
    }
}

/// A question as the grader needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub id: i64,
    pub kind: QuestionKind,
    pub topic: String,
    /// Indexes of the correct options, sorted.
    pub answer: Vec<usize>,
    pub options: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuestionError {
    #[error("a question needs its text")]
    NoStem,
    #[error("wrong number of options for the kind")]
    Options,
    #[error("the answer does not fit the kind or the options")]
    Answer,
}

impl QuestionError {
    pub fn code(&self) -> &'static str {
        match self {
            QuestionError::NoStem => "required",
            QuestionError::Options => "invalid_options",
            QuestionError::Answer => "invalid_answer",
        }
    }
}

/// Checks a question as entered: single choice has one answer among 2–6 options, multiple choice
/// two or more, true/false exactly the two options 正确/错误 and one answer.
pub fn check_question(kind: QuestionKind, stem: &str, options: usize, answer: &[usize]) -> Result<(), QuestionError> {
    if stem.trim().is_empty() {
        return Err(QuestionError::NoStem);
    }
    let ok_options = match kind {
        QuestionKind::TrueFalse => options == 2,
        _ => (2..=6).contains(&options),
    };
    if !ok_options {
        return Err(QuestionError::Options);
    }
    let mut a = answer.to_vec();
    a.sort_unstable();
    a.dedup();
    let fits = a.len() == answer.len()
        && a.iter().all(|i| *i < options)
        && match kind {
            QuestionKind::Multiple => a.len() >= 2,
            _ => a.len() == 1,
        };
    if fits {
        Ok(())
    } else {
        Err(QuestionError::Answer)
    }
}

/// `A`, `AC`, `B` … as option indexes; None for anything else.
pub fn parse_letters(s: &str) -> Option<Vec<usize>> {
    let mut out: Vec<usize> = Vec::new();
    for c in s.trim().chars().filter(|c| !matches!(c, ',' | '，' | ' ' | '、')) {
        let c = c.to_ascii_uppercase();
        if !('A'..='F').contains(&c) {
            return None;
        }
        out.push(c as usize - 'A' as usize);
    }
    (!out.is_empty()).then_some(out)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the bank has {have} {kind} questions{topic}, the paper asks for {need}")]
pub struct DrawError {
    pub kind: String,
    pub topic: String,
    pub have: usize,
    pub need: usize,
}

/// Draws a paper: for each part, `count` questions of its kind (and topic) not drawn yet, picked
/// by `pick(n)` (an index below `n`; the caller's random source). Order follows the parts.
pub fn draw(
    bank: &[Question],
    parts: &[PaperPart],
    mut pick: impl FnMut(usize) -> usize,
) -> Result<Vec<i64>, DrawError> {
    let mut chosen: Vec<i64> = Vec::new();
    for part in parts {
        let mut pool: Vec<i64> = bank
            .iter()
            .filter(|q| q.kind.as_str() == part.kind && part.topic.as_ref().is_none_or(|t| *t == q.topic))
            .filter(|q| !chosen.contains(&q.id))
            .map(|q| q.id)
            .collect();
        let need = part.count as usize;
        if pool.len() < need {
            return Err(DrawError {
                kind: part.kind.clone(),
                topic: part.topic.as_ref().map(|t| format!(" on {t}")).unwrap_or_default(),
                have: pool.len(),
                need,
            });
        }
        for _ in 0..need {
            let i = pick(pool.len());
            chosen.push(pool.swap_remove(i.min(pool.len() - 1)));
        }
    }
    Ok(chosen)
}

/// Score out of 100 (rounded down) and the questions missed. A multiple-choice answer counts
/// only when it is exactly right; an unanswered question is missed.
pub fn grade(paper: &[Question], answers: &std::collections::HashMap<i64, Vec<usize>>) -> (u32, Vec<i64>) {
    if paper.is_empty() {
        return (0, Vec::new());
    }
    let mut missed = Vec::new();
    for q in paper {
        let mut given = answers.get(&q.id).cloned().unwrap_or_default();
        given.sort_unstable();
        given.dedup();
        if given != q.answer {
            missed.push(q.id);
        }
    }
    let right = paper.len() - missed.len();
    ((right * 100 / paper.len()) as u32, missed)
}

/// Where a principal stands after their graded sittings, oldest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Standing {
    NotTested,
    Passed,
    /// Failed once: a retest is due.
    RetestDue,
    /// Failed the retest too: the enterprise goes to key supervision.
    FailedRetest,
}

impl Standing {
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::NotTested => "not_tested",
            Standing::Passed => "passed",
            Standing::RetestDue => "retest_due",
            Standing::FailedRetest => "failed_retest",
        }
    }
}

/// The standing after these results (true = passed), oldest first. A pass ends any run of
/// fails; the second fail in a row is a failed retest, and so is every fail after it.
pub fn standing(results: &[bool]) -> Standing {
    match results.last() {
        None => Standing::NotTested,
        Some(true) => Standing::Passed,
        Some(false) if results.len() >= 2 && !results[results.len() - 2] => Standing::FailedRetest,
        Some(false) => Standing::RetestDue,
    }
}

/// What a plan does with a principal's first failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FirstFail {
    /// A retest is due; failing it too raises the enterprise's supervision level.
    Retest,
    /// The first failure raises the level at once; there is no retest to wait for.
    RaiseLevel,
}

/// Whether the sitting just graded (the last of `results`) raises the enterprise's supervision
/// level: a failed retest, or — where the plan says so — any failure.
pub fn escalates(results: &[bool], first_fail: FirstFail) -> bool {
    match first_fail {
        FirstFail::Retest => standing(results) == Standing::FailedRetest,
        FirstFail::RaiseLevel => results.last() == Some(&false),
    }
}

/// A question of the safety-test bank.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BankQuestion {
    pub id: i64,
    pub uid: String,
    pub kind: QuestionKind,
    pub topic: String,
    pub difficulty: i32,
    pub stem: String,
    pub options_json: String,
    pub answer_json: String,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
}

/// One sitting of a safety test: the paper drawn, the deadline, the grade.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Sitting {
    pub id: i64,
    pub user_id: i64,
    pub org_id: i64,
    pub jurisdiction_path: String,
    pub org_path: String,
    pub question_ids_json: String,
    pub started_at: DateTime<Utc>,
    pub deadline: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub score: Option<i32>,
    pub passed: Option<bool>,
    pub missed_json: Option<String>,
}

/// A change of an enterprise's supervision level and why. Append-only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SupervisionChange {
    pub id: i64,
    pub org_id: i64,
    pub from_level: String,
    pub to_level: String,
    pub reason: String,
    pub changed_by: Option<i64>,
    pub changed_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    fn q(id: i64, kind: QuestionKind, topic: &str, answer: &[usize]) -> Question {
        Question { id, kind, topic: topic.into(), answer: answer.to_vec(), options: 4 }
    }

    #[test]
    fn questions_are_checked_by_kind() {
        use QuestionKind::*;
        assert!(check_question(Single, "题", 4, &[1]).is_ok());
        assert_eq!(check_question(Single, "题", 4, &[1, 2]), Err(QuestionError::Answer));
        assert_eq!(check_question(Multiple, "题", 4, &[1]), Err(QuestionError::Answer));
        assert!(check_question(Multiple, "题", 4, &[0, 3]).is_ok());
        assert_eq!(check_question(Single, "题", 4, &[4]), Err(QuestionError::Answer));
        assert_eq!(check_question(TrueFalse, "题", 3, &[0]), Err(QuestionError::Options));
        assert_eq!(check_question(Single, " ", 4, &[0]), Err(QuestionError::NoStem));
        assert_eq!(parse_letters("A、C"), Some(vec![0, 2]));
        assert_eq!(parse_letters("ab"), Some(vec![0, 1]));
        assert_eq!(parse_letters("Z"), None);
        assert_eq!(parse_letters(""), None);
    }

    #[test]
    fn a_paper_takes_each_part_from_its_kind_and_refuses_a_thin_bank() {
        let bank: Vec<Question> = (0..6)
            .map(|i| {
                q(
                    i,
                    if i < 4 { QuestionKind::Single } else { QuestionKind::TrueFalse },
                    if i % 2 == 0 { "消防" } else { "用电" },
                    &[0],
                )
            })
            .collect();
        let parts = vec![
            PaperPart { kind: "single".into(), count: 2, topic: Some("消防".into()) },
            PaperPart { kind: "true_false".into(), count: 2, topic: None },
        ];
        let paper = draw(&bank, &parts, |n| n - 1).unwrap();
        assert_eq!(paper.len(), 4);
        assert!(paper[..2].iter().all(|id| [0, 2].contains(id)));
        assert!(paper[2..].iter().all(|id| [4, 5].contains(id)));
        let more = vec![PaperPart { kind: "single".into(), count: 5, topic: None }];
        assert_eq!(draw(&bank, &more, |_| 0).unwrap_err().have, 4);
    }

    #[test]
    fn grading_counts_exact_answers_only() {
        let paper = vec![
            q(1, QuestionKind::Single, "", &[0]),
            q(2, QuestionKind::Multiple, "", &[1, 2]),
            q(3, QuestionKind::TrueFalse, "", &[1]),
            q(4, QuestionKind::Single, "", &[3]),
        ];
        let answers: HashMap<i64, Vec<usize>> = [(1, vec![0]), (2, vec![2, 1]), (3, vec![0])].into_iter().collect();
        assert_eq!(grade(&paper, &answers), (50, vec![3, 4]));
        let partial: HashMap<i64, Vec<usize>> = [(2, vec![1])].into_iter().collect();
        assert_eq!(grade(&paper[1..2], &partial).0, 0, "half of a multiple choice is wrong");
    }

    #[test]
    fn the_second_fail_in_a_row_escalates() {
        assert_eq!(standing(&[]), Standing::NotTested);
        assert_eq!(standing(&[false]), Standing::RetestDue);
        assert!(!escalates(&[false], FirstFail::Retest));
        assert!(escalates(&[false, false], FirstFail::Retest));
        assert_eq!(standing(&[false, true]), Standing::Passed);
        assert!(!escalates(&[false, true, false], FirstFail::Retest), "a pass in between starts over");
    }

    #[test]
    fn a_plan_may_raise_the_level_at_the_first_fail() {
        assert!(escalates(&[false], FirstFail::RaiseLevel));
        assert!(escalates(&[true, false], FirstFail::RaiseLevel));
        assert!(!escalates(&[false, true], FirstFail::RaiseLevel), "a pass raises nothing");
        let plan = |v: &str| {
            let text = include_str!("../../../plans/jincheng-2022.toml").replace("on_first_fail = \"retest\"", v);
            crate::plan::lint(&text).into_iter().filter(|f| f.severity == crate::plan::Severity::Error).count()
        };
        assert_eq!(plan("on_first_fail = \"raise_level\""), 0);
        assert_eq!(plan("on_first_fail = \"warn\""), 1, "anything else is refused");
    }

    proptest! {
        /// A paper never repeats a question and never takes one of the wrong kind.
        #[test]
        fn papers_have_no_repeats(seed in any::<u64>(), n in 4usize..40) {
            let bank: Vec<Question> = (0..n as i64).map(|i| q(i, QuestionKind::ALL[i as usize % 3], "t", &[0])).collect();
            let parts: Vec<PaperPart> = QuestionKind::ALL.iter().map(|k| PaperPart { kind: k.as_str().into(), count: 1, topic: None }).collect();
            let mut s = seed;
            let paper = draw(&bank, &parts, |m| { s = s.wrapping_mul(6364136223846793005).wrapping_add(1); (s >> 33) as usize % m }).unwrap();
            let mut sorted = paper.clone();
            sorted.sort_unstable();
            sorted.dedup();
            prop_assert_eq!(sorted.len(), paper.len());
            for (i, id) in paper.iter().enumerate() {
                prop_assert_eq!(bank[*id as usize].kind, QuestionKind::ALL[i]);
            }
        }

        /// Escalation happens exactly when the last two results are fails.
        #[test]
        fn escalation_is_two_fails_in_a_row(results in prop::collection::vec(any::<bool>(), 0..12)) {
            let n = results.len();
            let expected = n >= 2 && !results[n - 1] && !results[n - 2];
            prop_assert_eq!(escalates(&results, FirstFail::Retest), expected);
        }
    }
}
