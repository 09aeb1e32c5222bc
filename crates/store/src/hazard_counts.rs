//! Hazards found and closed per month, jurisdiction, grade and industry, kept up as hazards are
//! filed and closed (in the same transaction), so that a city's cockpit reads a few hundred rows
//! instead of every hazard of the year. Months are local (Asia/Shanghai), as the cockpit shows
//! them; the industry is the organisation's (empty for none).

use crate::entity::hazard_count::{self, Entity as Counts};
use crate::Result;
use anjian_domain::TZ;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, Set};
use std::collections::HashMap;

/// The month key of an instant: `YYYY-MM` in local time.
pub fn month_of(at: DateTime<Utc>) -> String {
    at.with_timezone(&TZ).format("%Y-%m").to_string()
}

/// Where a count belongs: jurisdiction path, month key, grade, industry.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CountKey {
    pub jurisdiction_path: String,
    pub month: String,
    pub grade: String,
    pub industry: String,
}

impl CountKey {
    /// The key of a hazard of `org` in the month of `at`.
    pub fn of(org: &crate::orgs::Org, at: DateTime<Utc>, grade: &str) -> CountKey {
        CountKey {
            jurisdiction_path: org.jurisdiction_path.clone(),
            month: month_of(at),
            grade: grade.to_owned(),
            industry: org.industry.clone().unwrap_or_default(),
        }
    }
}

/// Adds to one key's counts (creating the row on first use).
pub(crate) async fn add(db: &impl ConnectionTrait, key: CountKey, found: i64, closed: i64) -> Result<()> {
    use hazard_count::Column;
    let row = hazard_count::ActiveModel {
        jurisdiction_path: Set(key.jurisdiction_path),
        month: Set(key.month),
        grade: Set(key.grade),
        industry: Set(key.industry),
        found: Set(found),
        closed: Set(closed),
    };
    let on_conflict = OnConflict::columns([Column::JurisdictionPath, Column::Month, Column::Grade, Column::Industry])
        .value(Column::Found, Expr::col((Counts, Column::Found)).add(found))
        .value(Column::Closed, Expr::col((Counts, Column::Closed)).add(closed))
        .to_owned();
    Counts::insert(row).on_conflict(on_conflict).exec_without_returning(db).await?;
    Ok(())
}

/// What the counts are summed by.
#[derive(Debug, Clone, Copy)]
pub enum By {
    Month,
    Grade,
    Industry,
    Jurisdiction,
}

/// Found and closed in `months`, inside a jurisdiction path (None: everywhere), summed by month,
/// grade, industry or jurisdiction path. Keys without a hazard are absent.
pub async fn summed(
    db: &impl ConnectionTrait,
    within: Option<&str>,
    months: &[String],
    by: By,
) -> Result<HashMap<String, (u64, u64)>> {
    use hazard_count::Column;
    let column = match by {
        By::Month => Column::Month,
        By::Grade => Column::Grade,
        By::Industry => Column::Industry,
        By::Jurisdiction => Column::JurisdictionPath,
    };
    let mut q = Query::select();
    q.from(Counts)
        .column(column)
        // SUM of a bigint is numeric on PostgreSQL; both read it back as an integer this way.
        .expr(Expr::cust("CAST(SUM(found) AS BIGINT)"))
        .expr(Expr::cust("CAST(SUM(closed) AS BIGINT)"))
        .and_where(Column::Month.is_in(months.iter().cloned()))
        .group_by_col(column);
    if let Some(path) = within {
        q.and_where(Column::JurisdictionPath.starts_with(path));
    }
    let rows = db.query_all(db.get_database_backend().build(&q)).await?;
    let mut out = HashMap::new();
    for r in rows {
        let key: String = r.try_get_by_index(0)?;
        let found: i64 = r.try_get_by_index(1)?;
        let closed: i64 = r.try_get_by_index(2)?;
        out.insert(key, (found.max(0) as u64, closed.max(0) as u64));
    }
    Ok(out)
}

/// Found and closed under a jurisdiction path, from counts summed by jurisdiction.
pub fn under(per_place: &HashMap<String, (u64, u64)>, path: &str) -> (u64, u64) {
    per_place.iter().filter(|(p, _)| p.starts_with(path)).fold((0, 0), |(f, c), (_, v)| (f + v.0, c + v.1))
}

/// Found and closed per month key, inside a jurisdiction path (None: everywhere).
pub async fn by_month(
    db: &impl ConnectionTrait,
    within: Option<&str>,
    months: &[String],
) -> Result<HashMap<String, (u64, u64)>> {
    summed(db, within, months, By::Month).await
}
