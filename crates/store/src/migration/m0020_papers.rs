//! 执法文书: the papers a bureau serves, append-only, each numbered in its bureau's sequence for
//! its kind and year (the unique index makes one number twice impossible, however issues race),
//! and the hazards each names, so a hazard's page finds the papers served about it.

use super::m0001_foundation::append_only_sql;
use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0020_papers"
    }
}

#[derive(DeriveIden)]
enum Papers {
    Table,
    Id,
    Uid,
    Kind,
    Number,
    BureauId,
    Year,
    Seq,
    OrgId,
    JurisdictionPath,
    OrgPath,
    InspectionId,
    RefersToId,
    Corrects,
    Content,
    ContentHash,
    IssuedBy,
    IssuedByName,
    IssuedAt,
}

#[derive(DeriveIden)]
enum PaperHazards {
    Table,
    PaperId,
    HazardId,
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Papers::Table)
                .col(pk_auto(Papers::Id).big_integer())
                .col(string_uniq(Papers::Uid))
                .col(string(Papers::Kind))
                .col(string_uniq(Papers::Number))
                .col(big_integer(Papers::BureauId))
                .col(integer(Papers::Year))
                .col(integer(Papers::Seq))
                .col(big_integer(Papers::OrgId))
                .col(string(Papers::JurisdictionPath))
                .col(string(Papers::OrgPath))
                .col(big_integer_null(Papers::InspectionId))
                .col(big_integer_null(Papers::RefersToId))
                .col(boolean(Papers::Corrects))
                .col(text(Papers::Content))
                .col(string(Papers::ContentHash))
                .col(big_integer(Papers::IssuedBy))
                .col(string(Papers::IssuedByName))
                .col(timestamp_with_time_zone(Papers::IssuedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_papers_sequence")
                .table(Papers::Table)
                .col(Papers::BureauId)
                .col(Papers::Kind)
                .col(Papers::Year)
                .col(Papers::Seq)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("ix_papers_org").table(Papers::Table).col(Papers::OrgId).to_owned())
            .await?;
        m.create_table(
            Table::create()
                .table(PaperHazards::Table)
                .col(big_integer(PaperHazards::PaperId))
                .col(big_integer(PaperHazards::HazardId))
                .primary_key(Index::create().col(PaperHazards::PaperId).col(PaperHazards::HazardId))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_paper_hazards_hazard")
                .table(PaperHazards::Table)
                .col(PaperHazards::HazardId)
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        for table in ["papers", "paper_hazards"] {
            for sql in append_only_sql(m.get_database_backend(), table) {
                db.execute_unprepared(&sql).await?;
            }
        }
        // REPLACE onto a taken id would rewrite an issued paper in place (m0016).
        if m.get_database_backend() == DbBackend::Sqlite {
            db.execute_unprepared(
                "CREATE TRIGGER papers_no_replace BEFORE INSERT ON papers \
                 WHEN EXISTS (SELECT 1 FROM papers WHERE \"id\" = NEW.\"id\") \
                 BEGIN SELECT RAISE(ABORT, 'papers is append-only'); END",
            )
            .await?;
            db.execute_unprepared(
                "CREATE TRIGGER paper_hazards_no_replace BEFORE INSERT ON paper_hazards \
                 WHEN EXISTS (SELECT 1 FROM paper_hazards WHERE \"paper_id\" = NEW.\"paper_id\" \
                 AND \"hazard_id\" = NEW.\"hazard_id\") \
                 BEGIN SELECT RAISE(ABORT, 'paper_hazards is append-only'); END",
            )
            .await?;
        }
        Ok(())
    }
}
