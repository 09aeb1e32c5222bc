//! Explosives warehouses: sensors and their gateways, raw readings (kept for a window) and hourly
//! aggregates (kept for good), alarms, patrol checkpoints and check-ins, loadings with their
//! vehicle checks, fire and drainage facilities with their upkeep.

use super::m0001_foundation::append_only_sql;
use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0013_warehouses"
    }
}

#[derive(DeriveIden)]
enum Gateways {
    Table,
    Id,
    OrgId,
    Name,
    TokenDigest,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Sensors {
    Table,
    Id,
    Code,
    SiteId,
    OrgId,
    JurisdictionPath,
    OrgPath,
    Kind,
    Low,
    High,
    Hysteresis,
    Condition,
    PendingSince,
    LastAt,
    LastValue,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Readings {
    Table,
    SensorId,
    At,
    Value,
}

#[derive(DeriveIden)]
enum ReadingHours {
    Table,
    SensorId,
    Hour,
    N,
    Min,
    Max,
    Sum,
}

#[derive(DeriveIden)]
enum Alarms {
    Table,
    Id,
    DedupeKey,
    SiteId,
    SensorId,
    OrgId,
    JurisdictionPath,
    OrgPath,
    Kind,
    Value,
    OpenedAt,
    ClearedAt,
    State,
    AcknowledgedBy,
    AcknowledgedAt,
    ResolvedBy,
    ResolvedAt,
    Note,
    EscalatedAt,
    HazardId,
}

#[derive(DeriveIden)]
enum Checkpoints {
    Table,
    Id,
    SiteId,
    Name,
    Code,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PatrolCheckins {
    Table,
    Id,
    SiteId,
    CheckpointId,
    UserId,
    Guard,
    At,
    Note,
    PhotoSha256,
}

#[derive(DeriveIden)]
enum Loadings {
    Table,
    Id,
    Uid,
    SiteId,
    OrgId,
    Direction,
    Vehicle,
    Driver,
    Items,
    Failed,
    ByUser,
    At,
    RequestDigest,
}

#[derive(DeriveIden)]
enum Facilities {
    Table,
    Id,
    SiteId,
    OrgId,
    Kind,
    Name,
    IntervalDays,
    CreatedAt,
}

#[derive(DeriveIden)]
enum FacilityUpkeep {
    Table,
    Id,
    FacilityId,
    ByUser,
    At,
    Note,
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Gateways::Table)
                .col(pk_auto(Gateways::Id).big_integer())
                .col(big_integer(Gateways::OrgId))
                .col(string(Gateways::Name))
                .col(string(Gateways::TokenDigest).unique_key())
                .col(timestamp_with_time_zone(Gateways::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Sensors::Table)
                .col(pk_auto(Sensors::Id).big_integer())
                .col(string(Sensors::Code).unique_key())
                .col(big_integer(Sensors::SiteId))
                .col(big_integer(Sensors::OrgId))
                .col(string(Sensors::JurisdictionPath))
                .col(string(Sensors::OrgPath))
                .col(string(Sensors::Kind))
                .col(double(Sensors::Low))
                .col(double(Sensors::High))
                .col(double(Sensors::Hysteresis))
                .col(string(Sensors::Condition))
                .col(timestamp_with_time_zone_null(Sensors::PendingSince))
                .col(timestamp_with_time_zone_null(Sensors::LastAt))
                .col(double_null(Sensors::LastValue))
                .col(timestamp_with_time_zone(Sensors::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Readings::Table)
                .col(big_integer(Readings::SensorId))
                .col(timestamp_with_time_zone(Readings::At))
                .col(double(Readings::Value))
                .primary_key(Index::create().col(Readings::SensorId).col(Readings::At))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ReadingHours::Table)
                .col(big_integer(ReadingHours::SensorId))
                .col(timestamp_with_time_zone(ReadingHours::Hour))
                .col(big_integer(ReadingHours::N))
                .col(double(ReadingHours::Min))
                .col(double(ReadingHours::Max))
                .col(double(ReadingHours::Sum))
                .primary_key(Index::create().col(ReadingHours::SensorId).col(ReadingHours::Hour))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Alarms::Table)
                .col(pk_auto(Alarms::Id).big_integer())
                .col(string(Alarms::DedupeKey).unique_key())
                .col(big_integer(Alarms::SiteId))
                .col(big_integer_null(Alarms::SensorId))
                .col(big_integer(Alarms::OrgId))
                .col(string(Alarms::JurisdictionPath))
                .col(string(Alarms::OrgPath))
                .col(string(Alarms::Kind))
                .col(double_null(Alarms::Value))
                .col(timestamp_with_time_zone(Alarms::OpenedAt))
                .col(timestamp_with_time_zone_null(Alarms::ClearedAt))
                .col(string(Alarms::State))
                .col(big_integer_null(Alarms::AcknowledgedBy))
                .col(timestamp_with_time_zone_null(Alarms::AcknowledgedAt))
                .col(big_integer_null(Alarms::ResolvedBy))
                .col(timestamp_with_time_zone_null(Alarms::ResolvedAt))
                .col(text(Alarms::Note))
                .col(timestamp_with_time_zone_null(Alarms::EscalatedAt))
                .col(big_integer_null(Alarms::HazardId))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("ix_alarms_state").table(Alarms::Table).col(Alarms::State).col(Alarms::Id).to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Checkpoints::Table)
                .col(pk_auto(Checkpoints::Id).big_integer())
                .col(big_integer(Checkpoints::SiteId))
                .col(string(Checkpoints::Name))
                .col(string(Checkpoints::Code).unique_key())
                .col(timestamp_with_time_zone(Checkpoints::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(PatrolCheckins::Table)
                .col(pk_auto(PatrolCheckins::Id).big_integer())
                .col(big_integer(PatrolCheckins::SiteId))
                .col(big_integer(PatrolCheckins::CheckpointId))
                .col(big_integer(PatrolCheckins::UserId))
                .col(string(PatrolCheckins::Guard))
                .col(timestamp_with_time_zone(PatrolCheckins::At))
                .col(text(PatrolCheckins::Note))
                .col(string_null(PatrolCheckins::PhotoSha256))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_patrol_checkins_site_at")
                .table(PatrolCheckins::Table)
                .col(PatrolCheckins::SiteId)
                .col(PatrolCheckins::At)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Loadings::Table)
                .col(pk_auto(Loadings::Id).big_integer())
                .col(string(Loadings::Uid).unique_key())
                .col(big_integer(Loadings::SiteId))
                .col(big_integer(Loadings::OrgId))
                .col(string(Loadings::Direction))
                .col(string(Loadings::Vehicle))
                .col(string(Loadings::Driver))
                .col(text(Loadings::Items))
                .col(integer(Loadings::Failed))
                .col(big_integer(Loadings::ByUser))
                .col(timestamp_with_time_zone(Loadings::At))
                .col(string_null(Loadings::RequestDigest))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Facilities::Table)
                .col(pk_auto(Facilities::Id).big_integer())
                .col(big_integer(Facilities::SiteId))
                .col(big_integer(Facilities::OrgId))
                .col(string(Facilities::Kind))
                .col(string(Facilities::Name))
                .col(integer(Facilities::IntervalDays))
                .col(timestamp_with_time_zone(Facilities::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(FacilityUpkeep::Table)
                .col(pk_auto(FacilityUpkeep::Id).big_integer())
                .col(big_integer(FacilityUpkeep::FacilityId))
                .col(big_integer(FacilityUpkeep::ByUser))
                .col(timestamp_with_time_zone(FacilityUpkeep::At))
                .col(text(FacilityUpkeep::Note))
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        for t in ["patrol_checkins", "loadings", "facility_upkeep"] {
            for sql in append_only_sql(m.get_database_backend(), t) {
                db.execute_unprepared(&sql).await?;
            }
        }
        Ok(())
    }
}
