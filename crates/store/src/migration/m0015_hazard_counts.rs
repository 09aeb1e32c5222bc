//! Hazards found and closed per month, jurisdiction, grade and industry (`hazard_counts`), counted from
//! the hazards already stored; from now on kept up by every write that files or closes a hazard.
//! And an index that covers what a cockpit asks of the open hazards — grade, county, deadline,
//! plan, age, organisation (for its industry) — state first, so the open ones are read by state
//! without touching the closed ones or the table.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0015_hazard_counts"
    }
}

/// The local (Asia/Shanghai, no daylight saving) month of a stored timestamp, `YYYY-MM`.
fn local_month(backend: DbBackend, col: &str) -> String {
    match backend {
        DbBackend::Postgres => format!("to_char({col} AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')"),
        _ => format!("strftime('%Y-%m', {col}, '+8 hours')"),
    }
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let backend = m.get_database_backend();
        let (found_month, closed_month) =
            (local_month(backend, "h.discovered_at"), local_month(backend, "h.closed_at"));
        let steps: String = [
            "CREATE TABLE hazard_counts (jurisdiction_path VARCHAR NOT NULL, month VARCHAR NOT NULL, \
             grade VARCHAR NOT NULL, industry VARCHAR NOT NULL, found BIGINT NOT NULL DEFAULT 0, \
             closed BIGINT NOT NULL DEFAULT 0, PRIMARY KEY (jurisdiction_path, month, grade, industry))"
                .to_owned(),
            format!(
                "INSERT INTO hazard_counts (jurisdiction_path, month, grade, industry, found, closed) \
                 SELECT jurisdiction_path, month, grade, industry, SUM(found), SUM(closed) FROM ( \
                   SELECT h.jurisdiction_path, {found_month} AS month, h.grade, COALESCE(o.industry, '') AS industry, \
                   1 AS found, 0 AS closed FROM hazards h JOIN orgs o ON o.id = h.org_id \
                   UNION ALL \
                   SELECT h.jurisdiction_path, {closed_month} AS month, h.grade, COALESCE(o.industry, '') AS industry, \
                   0 AS found, 1 AS closed FROM hazards h JOIN orgs o ON o.id = h.org_id WHERE h.closed_at IS NOT NULL \
                 ) AS each_hazard GROUP BY jurisdiction_path, month, grade, industry"
            ),
            "CREATE INDEX ix_hazards_open ON hazards \
             (state, jurisdiction_path, grade, deadline, has_plan, discovered_at, org_id)"
                .into(),
        ]
        .join(";\n");
        let script = match backend {
            DbBackend::Postgres => steps,
            _ => format!("BEGIN IMMEDIATE;\n{steps};\nCOMMIT"),
        };
        m.get_connection().execute_unprepared(&script).await?;
        Ok(())
    }
}
