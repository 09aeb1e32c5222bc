//! Progress reports on the tasks of the task list. Append-only.

use crate::entity::task_report::{self, Entity as Reports};
use crate::rows::Decode;
use crate::Result;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};

pub use anjian_domain::report::TaskReport;

#[derive(Debug, Clone)]
pub struct NewTaskReport {
    pub uid: String,
    pub plan_id: String,
    pub task_no: i32,
    pub month: String,
    pub progress: String,
    pub org: crate::orgs::Org,
    pub author_id: i64,
    pub author: String,
    pub body: String,
    pub request_digest: Option<String>,
}

pub async fn insert(db: &impl ConnectionTrait, n: NewTaskReport, now: DateTime<Utc>) -> Result<TaskReport> {
    task_report::ActiveModel {
        uid: Set(n.uid),
        plan_id: Set(n.plan_id),
        task_no: Set(n.task_no),
        month: Set(n.month),
        progress: Set(n.progress),
        org_id: Set(n.org.id),
        jurisdiction_path: Set(n.org.jurisdiction_path),
        org_path: Set(n.org.org_path),
        author_id: Set(n.author_id),
        author: Set(n.author),
        body: Set(n.body),
        request_digest: Set(n.request_digest),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?
    .decode()
}

pub async fn by_uid(db: &impl ConnectionTrait, uid: &str) -> Result<Option<TaskReport>> {
    Reports::find().filter(task_report::Column::Uid.eq(uid)).one(db).await?.decode()
}

/// Every report on the plan's tasks, oldest first.
pub async fn of_plan(db: &impl ConnectionTrait, plan_id: &str) -> Result<Vec<TaskReport>> {
    Reports::find()
        .filter(task_report::Column::PlanId.eq(plan_id))
        .order_by_asc(task_report::Column::Id)
        .all(db)
        .await?
        .decode()
}

pub async fn get(db: &impl ConnectionTrait, id: i64) -> Result<Option<TaskReport>> {
    Reports::find_by_id(id).one(db).await?.decode()
}
