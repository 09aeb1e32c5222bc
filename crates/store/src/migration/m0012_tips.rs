//! Tips (举报, 吹哨人). The tip row carries its current state; every step is an append-only event,
//! every message and file append-only. No column holds anything about the reporter but the
//! sealed contact details they chose to give, and the receipt code only as a slow hash.

use super::m0001_foundation::append_only_sql;
use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0012_tips"
    }
}

#[derive(DeriveIden)]
enum Tips {
    Table,
    Id,
    ReceiptHash,
    Channel,
    Category,
    JurisdictionPath,
    OrgId,
    OrgPath,
    Subject,
    Place,
    HappenedOn,
    WorkTeam,
    Body,
    ContactSealed,
    State,
    Outcome,
    AssignedOrgId,
    DueAt,
    Finding,
    PenaltyYuan,
    RewardYuan,
    RewardProposedBy,
    HazardId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum TipEvents {
    Table,
    Id,
    TipId,
    Kind,
    ActorId,
    Actor,
    Note,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TipMessages {
    Table,
    Id,
    TipId,
    FromReporter,
    AuthorId,
    Author,
    Body,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TipFiles {
    Table,
    Id,
    TipId,
    Role,
    ContentType,
    Size,
    Sha256,
    Width,
    Height,
    CreatedAt,
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Tips::Table)
                .col(pk_auto(Tips::Id).big_integer())
                .col(string(Tips::ReceiptHash).unique_key())
                .col(string(Tips::Channel))
                .col(string(Tips::Category))
                .col(string(Tips::JurisdictionPath))
                .col(big_integer_null(Tips::OrgId))
                .col(string(Tips::OrgPath))
                .col(string(Tips::Subject))
                .col(string(Tips::Place))
                .col(string(Tips::HappenedOn))
                .col(string(Tips::WorkTeam))
                .col(text(Tips::Body))
                .col(text_null(Tips::ContactSealed))
                .col(string(Tips::State))
                .col(string_null(Tips::Outcome))
                .col(big_integer_null(Tips::AssignedOrgId))
                .col(timestamp_with_time_zone_null(Tips::DueAt))
                .col(string_null(Tips::Finding))
                .col(big_integer_null(Tips::PenaltyYuan))
                .col(big_integer_null(Tips::RewardYuan))
                .col(big_integer_null(Tips::RewardProposedBy))
                .col(big_integer_null(Tips::HazardId))
                .col(timestamp_with_time_zone(Tips::CreatedAt))
                .col(timestamp_with_time_zone(Tips::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_tips_scope")
                .table(Tips::Table)
                .col(Tips::JurisdictionPath)
                .col(Tips::Id)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(TipEvents::Table)
                .col(pk_auto(TipEvents::Id).big_integer())
                .col(big_integer(TipEvents::TipId))
                .col(string(TipEvents::Kind))
                .col(big_integer_null(TipEvents::ActorId))
                .col(string(TipEvents::Actor))
                .col(text(TipEvents::Note))
                .col(timestamp_with_time_zone(TipEvents::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(TipMessages::Table)
                .col(pk_auto(TipMessages::Id).big_integer())
                .col(big_integer(TipMessages::TipId))
                .col(boolean(TipMessages::FromReporter))
                .col(big_integer_null(TipMessages::AuthorId))
                .col(string(TipMessages::Author))
                .col(text(TipMessages::Body))
                .col(timestamp_with_time_zone(TipMessages::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(TipFiles::Table)
                .col(pk_auto(TipFiles::Id).big_integer())
                .col(big_integer(TipFiles::TipId))
                .col(string(TipFiles::Role))
                .col(string(TipFiles::ContentType))
                .col(big_integer(TipFiles::Size))
                .col(string(TipFiles::Sha256))
                .col(integer(TipFiles::Width))
                .col(integer(TipFiles::Height))
                .col(timestamp_with_time_zone(TipFiles::CreatedAt))
                .to_owned(),
        )
        .await?;
        for (name, table, col) in [
            ("ix_tip_events_tip", TipEvents::Table.to_string(), TipEvents::TipId.to_string()),
            ("ix_tip_messages_tip", TipMessages::Table.to_string(), TipMessages::TipId.to_string()),
            ("ix_tip_files_tip", TipFiles::Table.to_string(), TipFiles::TipId.to_string()),
        ] {
            m.create_index(Index::create().name(name).table(Alias::new(table)).col(Alias::new(col)).to_owned()).await?;
        }
        let db = m.get_connection();
        for t in ["tip_events", "tip_messages", "tip_files"] {
            for sql in append_only_sql(m.get_database_backend(), t) {
                db.execute_unprepared(&sql).await?;
            }
        }
        Ok(())
    }
}
