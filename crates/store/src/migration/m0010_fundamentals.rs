//! Each enterprise's safety fundamentals (fees, staff, training, insurance), kept as dated
//! records — the newest of a kind is current — and each bureau's list of powers and
//! responsibilities (权力和责任清单). Append-only.

use super::m0001_foundation::append_only_sql;
use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0010_fundamentals"
    }
}

#[derive(DeriveIden)]
enum Fundamentals {
    Table,
    Id,
    OrgId,
    JurisdictionPath,
    OrgPath,
    Kind,
    Year,
    AmountFen,
    UsedFen,
    Required,
    Actual,
    Person,
    Hours,
    Reference,
    StartsOn,
    EndsOn,
    Note,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Powers {
    Table,
    Id,
    OrgId,
    JurisdictionPath,
    OrgPath,
    Category,
    Name,
    Basis,
    Responsible,
    CreatedBy,
    CreatedAt,
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Fundamentals::Table)
                .col(pk_auto(Fundamentals::Id).big_integer())
                .col(big_integer(Fundamentals::OrgId))
                .col(string(Fundamentals::JurisdictionPath))
                .col(string(Fundamentals::OrgPath))
                .col(string(Fundamentals::Kind))
                .col(integer_null(Fundamentals::Year))
                .col(big_integer_null(Fundamentals::AmountFen))
                .col(big_integer_null(Fundamentals::UsedFen))
                .col(integer_null(Fundamentals::Required))
                .col(integer_null(Fundamentals::Actual))
                .col(text(Fundamentals::Person))
                .col(double_null(Fundamentals::Hours))
                .col(string(Fundamentals::Reference))
                .col(string_null(Fundamentals::StartsOn))
                .col(string_null(Fundamentals::EndsOn))
                .col(text(Fundamentals::Note))
                .col(big_integer(Fundamentals::CreatedBy))
                .col(timestamp_with_time_zone(Fundamentals::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("ix_fundamentals_org").table(Fundamentals::Table).col(Fundamentals::OrgId).to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Powers::Table)
                .col(pk_auto(Powers::Id).big_integer())
                .col(big_integer(Powers::OrgId))
                .col(string(Powers::JurisdictionPath))
                .col(string(Powers::OrgPath))
                .col(string(Powers::Category))
                .col(string(Powers::Name))
                .col(text(Powers::Basis))
                .col(string(Powers::Responsible))
                .col(big_integer(Powers::CreatedBy))
                .col(timestamp_with_time_zone(Powers::CreatedAt))
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        for table in ["fundamentals", "powers"] {
            for sql in append_only_sql(m.get_database_backend(), table) {
                db.execute_unprepared(&sql).await?;
            }
        }
        Ok(())
    }
}
