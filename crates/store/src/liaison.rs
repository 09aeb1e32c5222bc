//! Leaders' monthly liaison reports (each save a new version) and bureaus' weekly analyses.
//! Both append-only.

use crate::entity::liaison_report::{self, Entity as Reports};
use crate::entity::weekly_analysis::{self, Entity as Analyses};
use crate::rows::Decode;
use crate::scope::copied_paths;
use crate::Result;
use anjian_domain::scope::Scope;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

pub use anjian_domain::report::LiaisonReport;
pub use anjian_domain::report::WeeklyAnalysis;
pub use anjian_domain::report::{BureauReport, ReportState};

/// The newest version of a leader's report for a month.
pub async fn latest_report(db: &impl ConnectionTrait, leader: &str, month: &str) -> Result<Option<LiaisonReport>> {
    Reports::find()
        .filter(liaison_report::Column::LeaderCode.eq(leader))
        .filter(liaison_report::Column::Month.eq(month))
        .order_by_desc(liaison_report::Column::Version)
        .limit(1)
        .one(db)
        .await?
        .decode()
}

pub async fn report_versions(db: &impl ConnectionTrait, leader: &str, month: &str) -> Result<Vec<LiaisonReport>> {
    Reports::find()
        .filter(liaison_report::Column::LeaderCode.eq(leader))
        .filter(liaison_report::Column::Month.eq(month))
        .order_by_asc(liaison_report::Column::Version)
        .all(db)
        .await?
        .decode()
}

/// Appends a version; the unique (leader, month, version) index refuses a racing duplicate.
#[allow(clippy::too_many_arguments)]
pub async fn insert_report(
    db: &impl ConnectionTrait,
    leader: &str,
    month: &str,
    version: i32,
    state: ReportState,
    body: &str,
    author_id: i64,
    author: &str,
    now: DateTime<Utc>,
) -> Result<LiaisonReport> {
    liaison_report::ActiveModel {
        leader_code: Set(leader.to_owned()),
        month: Set(month.to_owned()),
        version: Set(version),
        state: Set(state.as_str().to_owned()),
        body: Set(body.to_owned()),
        author_id: Set(author_id),
        author: Set(author.to_owned()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?
    .decode()
}

/// Every submitted report of a month, newest version per leader last.
pub async fn reports_of_month(db: &impl ConnectionTrait, month: &str) -> Result<Vec<LiaisonReport>> {
    Reports::find()
        .filter(liaison_report::Column::Month.eq(month))
        .order_by_asc(liaison_report::Column::LeaderCode)
        .order_by_asc(liaison_report::Column::Version)
        .all(db)
        .await?
        .decode()
}

#[derive(Debug, Clone)]
pub struct NewAnalysis {
    pub uid: String,
    pub org: crate::orgs::Org,
    pub week_start: String,
    pub analysis: String,
    pub arrangements: String,
    pub author_id: i64,
    pub author: String,
    pub request_digest: Option<String>,
}

pub async fn insert_analysis(db: &impl ConnectionTrait, n: NewAnalysis, now: DateTime<Utc>) -> Result<WeeklyAnalysis> {
    weekly_analysis::ActiveModel {
        uid: Set(n.uid),
        org_id: Set(n.org.id),
        jurisdiction_path: Set(n.org.jurisdiction_path),
        org_path: Set(n.org.org_path),
        week_start: Set(n.week_start),
        analysis: Set(n.analysis),
        arrangements: Set(n.arrangements),
        author_id: Set(n.author_id),
        author: Set(n.author),
        request_digest: Set(n.request_digest),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?
    .decode()
}

pub async fn analysis_by_uid(db: &impl ConnectionTrait, uid: &str) -> Result<Option<WeeklyAnalysis>> {
    Analyses::find().filter(weekly_analysis::Column::Uid.eq(uid)).one(db).await?.decode()
}

/// Weekly analyses in scope, newest first.
pub async fn analyses(db: &impl ConnectionTrait, scope: &Scope, limit: u64) -> Result<Vec<WeeklyAnalysis>> {
    Analyses::find()
        .filter(copied_paths(
            scope,
            weekly_analysis::Column::JurisdictionPath,
            weekly_analysis::Column::OrgPath,
            weekly_analysis::Column::OrgId,
        ))
        .order_by_desc(weekly_analysis::Column::Id)
        .limit(limit)
        .all(db)
        .await?
        .decode()
}

pub async fn analysis(db: &impl ConnectionTrait, scope: &Scope, id: i64) -> Result<WeeklyAnalysis> {
    Analyses::find_by_id(id)
        .filter(copied_paths(
            scope,
            weekly_analysis::Column::JurisdictionPath,
            weekly_analysis::Column::OrgPath,
            weekly_analysis::Column::OrgId,
        ))
        .one(db)
        .await?
        .ok_or(crate::StoreError::NotFound)?
        .decode()
}

use crate::entity::bureau_report;

/// Every version of a bureau's report of a kind and period, oldest first.
pub async fn bureau_report_versions(
    db: &impl ConnectionTrait,
    org_id: i64,
    kind: &str,
    period: &str,
) -> Result<Vec<BureauReport>> {
    bureau_report::Entity::find()
        .filter(bureau_report::Column::OrgId.eq(org_id))
        .filter(bureau_report::Column::Kind.eq(kind))
        .filter(bureau_report::Column::Period.eq(period))
        .order_by_asc(bureau_report::Column::Version)
        .all(db)
        .await?
        .decode()
}

/// Appends a version; the unique index refuses a racing duplicate.
#[allow(clippy::too_many_arguments)]
pub async fn insert_bureau_report(
    db: &impl ConnectionTrait,
    org: &crate::orgs::Org,
    kind: &str,
    period: &str,
    version: i32,
    state: ReportState,
    body: &str,
    author: (i64, &str),
    now: DateTime<Utc>,
) -> Result<BureauReport> {
    bureau_report::ActiveModel {
        org_id: Set(org.id),
        jurisdiction_path: Set(org.jurisdiction_path.clone()),
        org_path: Set(org.org_path.clone()),
        kind: Set(kind.to_owned()),
        period: Set(period.to_owned()),
        version: Set(version),
        state: Set(state.as_str().to_owned()),
        body: Set(body.to_owned()),
        author_id: Set(author.0),
        author: Set(author.1.to_owned()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?
    .decode()
}
