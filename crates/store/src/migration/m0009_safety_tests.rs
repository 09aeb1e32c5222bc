//! Principals' safety tests: the question bank, sittings with their drawn paper and deadline,
//! answers saved as they are given, and every change of an enterprise's supervision level with
//! its reason (append-only).

use super::m0001_foundation::append_only_sql;
use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0009_safety_tests"
    }
}

#[derive(DeriveIden)]
enum Questions {
    Table,
    Id,
    Uid,
    Kind,
    Topic,
    Difficulty,
    Stem,
    OptionsJson,
    AnswerJson,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Sittings {
    Table,
    Id,
    UserId,
    OrgId,
    JurisdictionPath,
    OrgPath,
    QuestionIdsJson,
    StartedAt,
    Deadline,
    SubmittedAt,
    Score,
    Passed,
    MissedJson,
}

#[derive(DeriveIden)]
enum SittingAnswers {
    Table,
    SittingId,
    QuestionId,
    AnswerJson,
    SavedAt,
}

#[derive(DeriveIden)]
enum SupervisionChanges {
    Table,
    Id,
    OrgId,
    FromLevel,
    ToLevel,
    Reason,
    ChangedBy,
    ChangedAt,
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Questions::Table)
                .col(pk_auto(Questions::Id).big_integer())
                .col(string_uniq(Questions::Uid))
                .col(string(Questions::Kind))
                .col(string(Questions::Topic))
                .col(integer(Questions::Difficulty))
                .col(text(Questions::Stem))
                .col(text(Questions::OptionsJson))
                .col(string(Questions::AnswerJson))
                .col(big_integer(Questions::CreatedBy))
                .col(timestamp_with_time_zone(Questions::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Sittings::Table)
                .col(pk_auto(Sittings::Id).big_integer())
                .col(big_integer(Sittings::UserId))
                .col(big_integer(Sittings::OrgId))
                .col(string(Sittings::JurisdictionPath))
                .col(string(Sittings::OrgPath))
                .col(text(Sittings::QuestionIdsJson))
                .col(timestamp_with_time_zone(Sittings::StartedAt))
                .col(timestamp_with_time_zone(Sittings::Deadline))
                .col(timestamp_with_time_zone_null(Sittings::SubmittedAt))
                .col(integer_null(Sittings::Score))
                .col(boolean_null(Sittings::Passed))
                .col(text_null(Sittings::MissedJson))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("ix_sittings_user").table(Sittings::Table).col(Sittings::UserId).to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(SittingAnswers::Table)
                .col(big_integer(SittingAnswers::SittingId))
                .col(big_integer(SittingAnswers::QuestionId))
                .col(string(SittingAnswers::AnswerJson))
                .col(timestamp_with_time_zone(SittingAnswers::SavedAt))
                .primary_key(Index::create().col(SittingAnswers::SittingId).col(SittingAnswers::QuestionId))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(SupervisionChanges::Table)
                .col(pk_auto(SupervisionChanges::Id).big_integer())
                .col(big_integer(SupervisionChanges::OrgId))
                .col(string(SupervisionChanges::FromLevel))
                .col(string(SupervisionChanges::ToLevel))
                .col(text(SupervisionChanges::Reason))
                .col(big_integer_null(SupervisionChanges::ChangedBy))
                .col(timestamp_with_time_zone(SupervisionChanges::ChangedAt))
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        for table in ["supervision_changes"] {
            for sql in append_only_sql(m.get_database_backend(), table) {
                db.execute_unprepared(&sql).await?;
            }
        }
        Ok(())
    }
}
