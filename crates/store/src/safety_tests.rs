//! The safety-test bank, sittings and their answers, and supervision-level changes.

use crate::entity::{org, question, sitting, sitting_answer, supervision_change};
use crate::rows::Decode;
use crate::scope::copied_paths;
use crate::{Result, StoreError};
use anjian_domain::scope::Scope;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};

pub use anjian_domain::safety_test::BankQuestion as Question;
pub use anjian_domain::safety_test::Sitting;
pub use anjian_domain::safety_test::SupervisionChange;

#[derive(Debug, Clone)]
pub struct NewQuestion {
    pub uid: String,
    pub kind: String,
    pub topic: String,
    pub difficulty: i32,
    pub stem: String,
    pub options: Vec<String>,
    pub answer: Vec<usize>,
}

pub async fn insert_question(
    db: &impl ConnectionTrait,
    q: NewQuestion,
    by: i64,
    now: DateTime<Utc>,
) -> Result<Question> {
    question::ActiveModel {
        uid: Set(q.uid),
        kind: Set(q.kind),
        topic: Set(q.topic),
        difficulty: Set(q.difficulty),
        stem: Set(q.stem),
        options_json: Set(serde_json::to_string(&q.options).unwrap_or_default()),
        answer_json: Set(serde_json::to_string(&q.answer).unwrap_or_default()),
        created_by: Set(by),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?
    .decode()
}

pub async fn questions(db: &impl ConnectionTrait) -> Result<Vec<Question>> {
    question::Entity::find().order_by_asc(question::Column::Id).all(db).await?.decode()
}

pub async fn questions_by_id(db: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<Question>> {
    question::Entity::find().filter(question::Column::Id.is_in(ids.iter().copied())).all(db).await?.decode()
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_sitting(
    db: &impl ConnectionTrait,
    user_id: i64,
    org: &crate::orgs::Org,
    question_ids: &[i64],
    started_at: DateTime<Utc>,
    deadline: DateTime<Utc>,
) -> Result<Sitting> {
    sitting::ActiveModel {
        user_id: Set(user_id),
        org_id: Set(org.id),
        jurisdiction_path: Set(org.jurisdiction_path.clone()),
        org_path: Set(org.org_path.clone()),
        question_ids_json: Set(serde_json::to_string(question_ids).unwrap_or_default()),
        started_at: Set(started_at),
        deadline: Set(deadline),
        submitted_at: Set(None),
        score: Set(None),
        passed: Set(None),
        missed_json: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?
    .decode()
}

/// The sitting of a user not yet graded, if any.
pub async fn open_sitting(db: &impl ConnectionTrait, user_id: i64) -> Result<Option<Sitting>> {
    sitting::Entity::find()
        .filter(sitting::Column::UserId.eq(user_id))
        .filter(sitting::Column::SubmittedAt.is_null())
        .one(db)
        .await?
        .decode()
}

pub async fn sitting(db: &impl ConnectionTrait, scope: &Scope, id: i64) -> Result<Sitting> {
    sitting::Entity::find_by_id(id)
        .filter(copied_paths(
            scope,
            sitting::Column::JurisdictionPath,
            sitting::Column::OrgPath,
            sitting::Column::OrgId,
        ))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?
        .decode()
}

/// Graded sittings of a user, oldest first.
pub async fn graded_of_user(db: &impl ConnectionTrait, user_id: i64) -> Result<Vec<Sitting>> {
    sitting::Entity::find()
        .filter(sitting::Column::UserId.eq(user_id))
        .filter(sitting::Column::SubmittedAt.is_not_null())
        .order_by_asc(sitting::Column::SubmittedAt)
        .order_by_asc(sitting::Column::Id)
        .all(db)
        .await?
        .decode()
}

/// Graded sittings in scope, oldest first.
pub async fn graded_in(db: &impl ConnectionTrait, scope: &Scope) -> Result<Vec<Sitting>> {
    sitting::Entity::find()
        .filter(copied_paths(
            scope,
            sitting::Column::JurisdictionPath,
            sitting::Column::OrgPath,
            sitting::Column::OrgId,
        ))
        .filter(sitting::Column::SubmittedAt.is_not_null())
        .order_by_asc(sitting::Column::SubmittedAt)
        .order_by_asc(sitting::Column::Id)
        .all(db)
        .await?
        .decode()
}

/// Keeps the latest answer to a question of an open sitting.
pub async fn save_answer(
    db: &impl ConnectionTrait,
    sitting_id: i64,
    question_id: i64,
    answer: &[usize],
    now: DateTime<Utc>,
) -> Result<()> {
    let row = sitting_answer::ActiveModel {
        sitting_id: Set(sitting_id),
        question_id: Set(question_id),
        answer_json: Set(serde_json::to_string(answer).unwrap_or_default()),
        saved_at: Set(now),
    };
    sitting_answer::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([sitting_answer::Column::SittingId, sitting_answer::Column::QuestionId])
                .update_columns([sitting_answer::Column::AnswerJson, sitting_answer::Column::SavedAt])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

pub async fn answers_of(
    db: &impl ConnectionTrait,
    sitting_id: i64,
) -> Result<std::collections::HashMap<i64, Vec<usize>>> {
    Ok(sitting_answer::Entity::find()
        .filter(sitting_answer::Column::SittingId.eq(sitting_id))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.question_id, serde_json::from_str(&a.answer_json).unwrap_or_default()))
        .collect())
}

/// Grades an open sitting; false when it was graded meanwhile (by another request).
pub async fn finish_sitting(
    db: &impl ConnectionTrait,
    id: i64,
    at: DateTime<Utc>,
    score: i32,
    passed: bool,
    missed: &[i64],
) -> Result<bool> {
    Ok(sitting::Entity::update_many()
        .col_expr(sitting::Column::SubmittedAt, Expr::value(at))
        .col_expr(sitting::Column::Score, Expr::value(score))
        .col_expr(sitting::Column::Passed, Expr::value(passed))
        .col_expr(sitting::Column::MissedJson, Expr::value(serde_json::to_string(missed).unwrap_or_default()))
        .filter(sitting::Column::Id.eq(id))
        .filter(sitting::Column::SubmittedAt.is_null())
        .exec(db)
        .await?
        .rows_affected
        == 1)
}

/// Sets an organisation's supervision level and keeps the change with its reason.
pub async fn change_level(
    db: &impl ConnectionTrait,
    org_id: i64,
    from: &str,
    to: &str,
    reason: &str,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<SupervisionChange> {
    org::Entity::update_many()
        .col_expr(org::Column::SupervisionLevel, Expr::value(to))
        .col_expr(org::Column::UpdatedAt, Expr::value(now))
        .filter(org::Column::Id.eq(org_id))
        .exec(db)
        .await?;
    supervision_change::ActiveModel {
        org_id: Set(org_id),
        from_level: Set(from.to_owned()),
        to_level: Set(to.to_owned()),
        reason: Set(reason.to_owned()),
        changed_by: Set(by),
        changed_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?
    .decode()
}

pub async fn changes_of(db: &impl ConnectionTrait, org_id: i64) -> Result<Vec<SupervisionChange>> {
    supervision_change::Entity::find()
        .filter(supervision_change::Column::OrgId.eq(org_id))
        .order_by_asc(supervision_change::Column::Id)
        .all(db)
        .await?
        .decode()
}
