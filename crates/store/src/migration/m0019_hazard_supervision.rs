//! 挂牌督办 and what goes with it: each step on a hazard's supervision as a row of its own
//! (append-only), a notice numbered in its bureau's sequence for the year — the unique index
//! makes two notices with one number impossible, however they race.

use super::m0001_foundation::append_only_sql;
use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0019_hazard_supervision"
    }
}

#[derive(DeriveIden)]
enum HazardSupervision {
    Table,
    Id,
    HazardId,
    Step,
    Number,
    BureauId,
    Year,
    Seq,
    Until,
    Text,
    People,
    HeldAt,
    ByUser,
    ByName,
    At,
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(HazardSupervision::Table)
                .col(pk_auto(HazardSupervision::Id).big_integer())
                .col(big_integer(HazardSupervision::HazardId))
                .col(string(HazardSupervision::Step))
                .col(string_null(HazardSupervision::Number))
                .col(big_integer_null(HazardSupervision::BureauId))
                .col(integer_null(HazardSupervision::Year))
                .col(integer_null(HazardSupervision::Seq))
                .col(timestamp_with_time_zone_null(HazardSupervision::Until))
                .col(text(HazardSupervision::Text))
                .col(string(HazardSupervision::People))
                .col(timestamp_with_time_zone_null(HazardSupervision::HeldAt))
                .col(big_integer(HazardSupervision::ByUser))
                .col(string(HazardSupervision::ByName))
                .col(timestamp_with_time_zone(HazardSupervision::At))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_hazard_supervision_hazard")
                .table(HazardSupervision::Table)
                .col(HazardSupervision::HazardId)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_hazard_supervision_number")
                .table(HazardSupervision::Table)
                .col(HazardSupervision::BureauId)
                .col(HazardSupervision::Year)
                .col(HazardSupervision::Seq)
                .unique()
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        for sql in append_only_sql(m.get_database_backend(), "hazard_supervision") {
            db.execute_unprepared(&sql).await?;
        }
        // As for every append-only table on SQLite: an insert onto a taken key is refused, so
        // REPLACE cannot rewrite a step in place (m0016).
        if m.get_database_backend() == DbBackend::Sqlite {
            db.execute_unprepared(
                "CREATE TRIGGER hazard_supervision_no_replace BEFORE INSERT ON hazard_supervision \
                 WHEN EXISTS (SELECT 1 FROM hazard_supervision WHERE \"id\" = NEW.\"id\") \
                 BEGIN SELECT RAISE(ABORT, 'hazard_supervision is append-only'); END",
            )
            .await?;
        }
        Ok(())
    }
}
