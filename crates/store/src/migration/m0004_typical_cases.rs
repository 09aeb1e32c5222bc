//! Typical cases (典型案例): a closed major hazard a bureau holds up as an example, with a short
//! narrative. Append-only.

use super::m0001_foundation::append_only_sql;
use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0004_typical_cases"
    }
}

#[derive(DeriveIden)]
enum TypicalCases {
    Table,
    Id,
    HazardId,
    OrgId,
    JurisdictionPath,
    OrgPath,
    Title,
    Narrative,
    MarkedBy,
    MarkedAt,
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(TypicalCases::Table)
                .col(pk_auto(TypicalCases::Id).big_integer())
                .col(big_integer_uniq(TypicalCases::HazardId))
                .col(big_integer(TypicalCases::OrgId))
                .col(string(TypicalCases::JurisdictionPath))
                .col(string(TypicalCases::OrgPath))
                .col(string(TypicalCases::Title))
                .col(text(TypicalCases::Narrative))
                .col(big_integer(TypicalCases::MarkedBy))
                .col(timestamp_with_time_zone(TypicalCases::MarkedAt))
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        for sql in append_only_sql(m.get_database_backend(), "typical_cases") {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }
}
