//! Hazards found and closed per month, jurisdiction and grade, kept up as hazards are filed and
//! closed (in the same transaction), so that a city's cockpit reads a few hundred rows instead of
//! every hazard of the year. Months are local (Asia/Shanghai), as the cockpit shows them.

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

/// Adds to one month's counts (creating the row on first use).
pub(crate) async fn add(
    db: &impl ConnectionTrait,
    jurisdiction_path: &str,
    month: String,
    grade: &str,
    found: i64,
    closed: i64,
) -> Result<()> {
    use hazard_count::Column;
    let row = hazard_count::ActiveModel {
        jurisdiction_path: Set(jurisdiction_path.to_owned()),
        month: Set(month),
        grade: Set(grade.to_owned()),
        found: Set(found),
        closed: Set(closed),
    };
    let on_conflict = OnConflict::columns([Column::JurisdictionPath, Column::Month, Column::Grade])
        .value(Column::Found, Expr::col((Counts, Column::Found)).add(found))
        .value(Column::Closed, Expr::col((Counts, Column::Closed)).add(closed))
        .to_owned();
    Counts::insert(row).on_conflict(on_conflict).exec_without_returning(db).await?;
    Ok(())
}

/// Found and closed per month key, inside a jurisdiction path (None: everywhere). Months
/// without a hazard are absent.
pub async fn by_month(
    db: &impl ConnectionTrait,
    within: Option<&str>,
    months: &[String],
) -> Result<HashMap<String, (u64, u64)>> {
    use hazard_count::Column;
    let mut q = Query::select();
    q.from(Counts)
        .column(Column::Month)
        // SUM of a bigint is numeric on PostgreSQL; both read it back as an integer this way.
        .expr(Expr::cust("CAST(SUM(found) AS BIGINT)"))
        .expr(Expr::cust("CAST(SUM(closed) AS BIGINT)"))
        .and_where(Column::Month.is_in(months.iter().cloned()))
        .group_by_col(Column::Month);
    if let Some(path) = within {
        q.and_where(Column::JurisdictionPath.starts_with(path));
    }
    let rows = db.query_all(db.get_database_backend().build(&q)).await?;
    let mut out = HashMap::new();
    for r in rows {
        let month: String = r.try_get_by_index(0)?;
        let found: i64 = r.try_get_by_index(1)?;
        let closed: i64 = r.try_get_by_index(2)?;
        out.insert(month, (found.max(0) as u64, closed.max(0) as u64));
    }
    Ok(out)
}
