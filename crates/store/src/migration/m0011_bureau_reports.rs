//! Bureaus' monthly reports and weekly summaries, drafted from the records and kept in versions
//! (append-only: an edit is a new version).

use super::m0001_foundation::append_only_sql;
use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0011_bureau_reports"
    }
}

#[derive(DeriveIden)]
enum BureauReports {
    Table,
    Id,
    OrgId,
    JurisdictionPath,
    OrgPath,
    Kind,
    Period,
    Version,
    State,
    Body,
    AuthorId,
    Author,
    CreatedAt,
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(BureauReports::Table)
                .col(pk_auto(BureauReports::Id).big_integer())
                .col(big_integer(BureauReports::OrgId))
                .col(string(BureauReports::JurisdictionPath))
                .col(string(BureauReports::OrgPath))
                .col(string(BureauReports::Kind))
                .col(string(BureauReports::Period))
                .col(integer(BureauReports::Version))
                .col(string(BureauReports::State))
                .col(text(BureauReports::Body))
                .col(big_integer(BureauReports::AuthorId))
                .col(string(BureauReports::Author))
                .col(timestamp_with_time_zone(BureauReports::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_bureau_reports")
                .table(BureauReports::Table)
                .col(BureauReports::OrgId)
                .col(BureauReports::Kind)
                .col(BureauReports::Period)
                .col(BureauReports::Version)
                .unique()
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        for sql in append_only_sql(m.get_database_backend(), "bureau_reports") {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }
}
