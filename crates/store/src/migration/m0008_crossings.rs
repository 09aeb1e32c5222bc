//! Railway crossings: their particulars on the sites table, their equipment, equipment check
//! rounds with each item's state, guards with their certificates, shifts on duty, and training
//! sessions and drills with who attended. Records are append-only; a renewed certificate is a new
//! row beside the old one.

use super::m0001_foundation::append_only_sql;
use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0008_crossings"
    }
}

#[derive(DeriveIden)]
enum Sites {
    Table,
    Line,
    KmPost,
    Latitude,
    Longitude,
    GuardPosts,
    Status,
}

#[derive(DeriveIden)]
enum Equipment {
    Table,
    Id,
    SiteId,
    Kind,
    Name,
    IntervalDays,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CrossingChecks {
    Table,
    Id,
    Uid,
    SiteId,
    OrgId,
    JurisdictionPath,
    OrgPath,
    At,
    CheckedBy,
    Checker,
    Note,
    RequestDigest,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CrossingCheckItems {
    Table,
    Id,
    CheckId,
    EquipmentId,
    Ok,
    Note,
    HazardId,
}

#[derive(DeriveIden)]
enum Guards {
    Table,
    Id,
    Uid,
    OrgId,
    JurisdictionPath,
    OrgPath,
    Name,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum GuardCertificates {
    Table,
    Id,
    GuardId,
    Number,
    Issued,
    Expires,
    RecordedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum GuardShifts {
    Table,
    Id,
    GuardId,
    SiteId,
    StartsAt,
    EndsAt,
    AssignedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Trainings {
    Table,
    Id,
    Uid,
    OrgId,
    JurisdictionPath,
    OrgPath,
    Kind,
    HeldOn,
    Topic,
    Scenario,
    Result,
    CreatedBy,
    RequestDigest,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TrainingAttendees {
    Table,
    TrainingId,
    GuardId,
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER.
        for col in [
            string_null(Sites::Line),
            string_null(Sites::KmPost),
            double_null(Sites::Latitude),
            double_null(Sites::Longitude),
            integer_null(Sites::GuardPosts),
            string_null(Sites::Status),
        ] {
            m.alter_table(Table::alter().table(Sites::Table).add_column(col).to_owned()).await?;
        }
        m.create_table(
            Table::create()
                .table(Equipment::Table)
                .col(pk_auto(Equipment::Id).big_integer())
                .col(big_integer(Equipment::SiteId))
                .col(string(Equipment::Kind))
                .col(string(Equipment::Name))
                .col(integer(Equipment::IntervalDays))
                .col(timestamp_with_time_zone(Equipment::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("ix_equipment_site").table(Equipment::Table).col(Equipment::SiteId).to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(CrossingChecks::Table)
                .col(pk_auto(CrossingChecks::Id).big_integer())
                .col(string_uniq(CrossingChecks::Uid))
                .col(big_integer(CrossingChecks::SiteId))
                .col(big_integer(CrossingChecks::OrgId))
                .col(string(CrossingChecks::JurisdictionPath))
                .col(string(CrossingChecks::OrgPath))
                .col(timestamp_with_time_zone(CrossingChecks::At))
                .col(big_integer(CrossingChecks::CheckedBy))
                .col(string(CrossingChecks::Checker))
                .col(text(CrossingChecks::Note))
                .col(string_null(CrossingChecks::RequestDigest))
                .col(timestamp_with_time_zone(CrossingChecks::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_crossing_checks_site")
                .table(CrossingChecks::Table)
                .col(CrossingChecks::SiteId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(CrossingCheckItems::Table)
                .col(pk_auto(CrossingCheckItems::Id).big_integer())
                .col(big_integer(CrossingCheckItems::CheckId))
                .col(big_integer(CrossingCheckItems::EquipmentId))
                .col(boolean(CrossingCheckItems::Ok))
                .col(text(CrossingCheckItems::Note))
                .col(big_integer_null(CrossingCheckItems::HazardId))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_crossing_check_items_eq")
                .table(CrossingCheckItems::Table)
                .col(CrossingCheckItems::EquipmentId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Guards::Table)
                .col(pk_auto(Guards::Id).big_integer())
                .col(string_uniq(Guards::Uid))
                .col(big_integer(Guards::OrgId))
                .col(string(Guards::JurisdictionPath))
                .col(string(Guards::OrgPath))
                .col(string(Guards::Name))
                .col(big_integer(Guards::CreatedBy))
                .col(timestamp_with_time_zone(Guards::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(GuardCertificates::Table)
                .col(pk_auto(GuardCertificates::Id).big_integer())
                .col(big_integer(GuardCertificates::GuardId))
                .col(string(GuardCertificates::Number))
                .col(string(GuardCertificates::Issued))
                .col(string(GuardCertificates::Expires))
                .col(big_integer(GuardCertificates::RecordedBy))
                .col(timestamp_with_time_zone(GuardCertificates::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(GuardShifts::Table)
                .col(pk_auto(GuardShifts::Id).big_integer())
                .col(big_integer(GuardShifts::GuardId))
                .col(big_integer(GuardShifts::SiteId))
                .col(timestamp_with_time_zone(GuardShifts::StartsAt))
                .col(timestamp_with_time_zone(GuardShifts::EndsAt))
                .col(big_integer(GuardShifts::AssignedBy))
                .col(timestamp_with_time_zone(GuardShifts::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Trainings::Table)
                .col(pk_auto(Trainings::Id).big_integer())
                .col(string_uniq(Trainings::Uid))
                .col(big_integer(Trainings::OrgId))
                .col(string(Trainings::JurisdictionPath))
                .col(string(Trainings::OrgPath))
                .col(string(Trainings::Kind))
                .col(string(Trainings::HeldOn))
                .col(string(Trainings::Topic))
                .col(text(Trainings::Scenario))
                .col(text(Trainings::Result))
                .col(big_integer(Trainings::CreatedBy))
                .col(string_null(Trainings::RequestDigest))
                .col(timestamp_with_time_zone(Trainings::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(TrainingAttendees::Table)
                .col(big_integer(TrainingAttendees::TrainingId))
                .col(big_integer(TrainingAttendees::GuardId))
                .primary_key(Index::create().col(TrainingAttendees::TrainingId).col(TrainingAttendees::GuardId))
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        for table in [
            "crossing_checks",
            "crossing_check_items",
            "guard_certificates",
            "guard_shifts",
            "trainings",
            "training_attendees",
        ] {
            for sql in append_only_sql(m.get_database_backend(), table) {
                db.execute_unprepared(&sql).await?;
            }
        }
        Ok(())
    }
}
