//! The steps of hazards' supervision (挂牌督办), append-only, and the notices in a scope.

use crate::entity::hazard_supervision::{self as row, Entity as Steps};
use crate::rows::Decode;
use crate::{Result, StoreError};
use anjian_domain::hazard::Hazard;
use anjian_domain::scope::Scope;
use anjian_domain::supervision::{Step, SupervisionStep};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::NotSet, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

/// A step to record.
#[derive(Debug, Clone)]
pub struct NewStep {
    pub hazard_id: i64,
    pub step: Step,
    pub bureau_id: Option<i64>,
    pub until: Option<DateTime<Utc>>,
    pub text: String,
    pub people: String,
    pub held_at: Option<DateTime<Utc>>,
    pub by_user: i64,
    pub by_name: String,
}

/// Records a step. A notice (`number_in` = its year and a way to write its number from its
/// place in the year) takes the bureau's next number; two at once cannot take the same one
/// (the unique index refuses the second, which reports a conflict to retry).
pub async fn insert(
    db: &impl ConnectionTrait,
    s: NewStep,
    number_in: Option<(i32, &(dyn Fn(i32) -> String + Sync))>,
    now: DateTime<Utc>,
) -> Result<SupervisionStep> {
    let (year, seq, number) = match (number_in, s.bureau_id) {
        (Some((year, write)), Some(bureau)) => {
            let last: Option<Option<i32>> = Steps::find()
                .select_only()
                .column_as(row::Column::Seq.max(), "m")
                .filter(row::Column::BureauId.eq(bureau))
                .filter(row::Column::Year.eq(year))
                .into_tuple()
                .one(db)
                .await?;
            let seq = last.flatten().unwrap_or(0) + 1;
            (Some(year), Some(seq), Some(write(seq)))
        }
        _ => (None, None, None),
    };
    let m = row::ActiveModel {
        id: NotSet,
        hazard_id: Set(s.hazard_id),
        step: Set(s.step.as_str().to_owned()),
        number: Set(number),
        bureau_id: Set(s.bureau_id),
        year: Set(year),
        seq: Set(seq),
        until: Set(s.until),
        text: Set(s.text),
        people: Set(s.people),
        held_at: Set(s.held_at),
        by_user: Set(s.by_user),
        by_name: Set(s.by_name),
        at: Set(now),
    };
    match Steps::insert(m).exec_with_returning(db).await {
        Ok(r) => r.decode(),
        Err(e) if e.to_string().to_lowercase().contains("unique") => {
            Err(StoreError::Conflict("supervision number taken meanwhile".into()))
        }
        Err(e) => Err(e.into()),
    }
}

/// A hazard's steps, in the order they were taken.
pub async fn of_hazard(db: &impl ConnectionTrait, hazard_id: i64) -> Result<Vec<SupervisionStep>> {
    Steps::find().filter(row::Column::HazardId.eq(hazard_id)).order_by_asc(row::Column::Id).all(db).await?.decode()
}

/// Every notice on a hazard in `scope`, newest first, with its hazard.
pub async fn notices_in(db: &impl ConnectionTrait, scope: &Scope) -> Result<Vec<(Hazard, SupervisionStep)>> {
    let notices: Vec<SupervisionStep> = Steps::find()
        .filter(row::Column::Step.eq(Step::Supervise.as_str()))
        .order_by_desc(row::Column::Id)
        .all(db)
        .await?
        .decode()?;
    let ids: Vec<i64> = notices.iter().map(|n| n.hazard_id).collect();
    let hazards = crate::hazards::by_ids(db, scope, &ids).await?;
    Ok(notices
        .into_iter()
        .filter_map(|n| hazards.iter().find(|h| h.id == n.hazard_id).cloned().map(|h| (h, n)))
        .collect())
}
