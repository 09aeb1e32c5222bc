//! Inspection points, inspections and their findings, hazards with their history and governance
//! plans, and signed hazard ledgers. Records (inspections, findings, events, plans, ledgers) are
//! append-only; the `hazards` row is the current state, derived from its events.

use super::m0001_foundation::append_only_sql;
use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0002_hazards"
    }
}

#[derive(DeriveIden)]
enum Orgs {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum InspectionPoints {
    Table,
    Id,
    Uid,
    OrgId,
    Kind,
    Name,
    CreatedAt,
    CreatedBy,
}

#[derive(DeriveIden)]
enum Inspections {
    Table,
    Id,
    Uid,
    OrgId,
    JurisdictionPath,
    OrgPath,
    Kind,
    At,
    InspectorId,
    Inspector,
    Summary,
    RequestDigest,
    CreatedAt,
}

#[derive(DeriveIden)]
enum InspectionFindings {
    Table,
    Id,
    InspectionId,
    PointId,
    Item,
    Passed,
    Note,
    HazardId,
}

#[derive(DeriveIden)]
enum InspectionCoverage {
    Table,
    InspectionId,
    PointId,
}

#[derive(DeriveIden)]
enum Hazards {
    Table,
    Id,
    Uid,
    OrgId,
    JurisdictionPath,
    OrgPath,
    PointId,
    InspectionId,
    Source,
    Description,
    Grade,
    Category,
    Measures,
    FundsFen,
    Owner,
    Deadline,
    State,
    HasPlan,
    FixedBy,
    DiscoveredAt,
    DiscoveredBy,
    ClosedAt,
    ClosedBy,
    RequestDigest,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum HazardEvents {
    Table,
    Id,
    HazardId,
    Action,
    FromState,
    ToState,
    ActorId,
    Actor,
    At,
    Reason,
}

#[derive(DeriveIden)]
enum HazardPlans {
    Table,
    Id,
    HazardId,
    Goals,
    Measures,
    FundsMaterials,
    Responsible,
    TimeLimit,
    SafetyEmergency,
    SuspendsWork,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Ledgers {
    Table,
    Id,
    Uid,
    OrgId,
    JurisdictionPath,
    OrgPath,
    Period,
    Version,
    ItemsJson,
    ItemCount,
    ContentHash,
    Signature,
    SignedBy,
    Signer,
    SignedAt,
}

const APPEND_ONLY: &[&str] =
    &["inspections", "inspection_findings", "inspection_coverage", "hazard_events", "hazard_plans", "ledgers"];

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(InspectionPoints::Table)
                .col(pk_auto(InspectionPoints::Id).big_integer())
                .col(string_uniq(InspectionPoints::Uid))
                .col(big_integer(InspectionPoints::OrgId))
                .col(string(InspectionPoints::Kind))
                .col(string(InspectionPoints::Name))
                .col(timestamp_with_time_zone(InspectionPoints::CreatedAt))
                .col(big_integer_null(InspectionPoints::CreatedBy))
                .foreign_key(
                    ForeignKey::create()
                        .from(InspectionPoints::Table, InspectionPoints::OrgId)
                        .to(Orgs::Table, Orgs::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_inspection_points_name")
                .table(InspectionPoints::Table)
                .col(InspectionPoints::OrgId)
                .col(InspectionPoints::Kind)
                .col(InspectionPoints::Name)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Inspections::Table)
                .col(pk_auto(Inspections::Id).big_integer())
                .col(string_uniq(Inspections::Uid))
                .col(big_integer(Inspections::OrgId))
                .col(string(Inspections::JurisdictionPath))
                .col(string(Inspections::OrgPath))
                .col(string(Inspections::Kind))
                .col(timestamp_with_time_zone(Inspections::At))
                .col(big_integer(Inspections::InspectorId))
                .col(string(Inspections::Inspector))
                .col(text(Inspections::Summary))
                .col(string_null(Inspections::RequestDigest))
                .col(timestamp_with_time_zone(Inspections::CreatedAt))
                .foreign_key(
                    ForeignKey::create().from(Inspections::Table, Inspections::OrgId).to(Orgs::Table, Orgs::Id),
                )
                .foreign_key(
                    ForeignKey::create().from(Inspections::Table, Inspections::InspectorId).to(Users::Table, Users::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_inspections_org_at")
                .table(Inspections::Table)
                .col(Inspections::OrgId)
                .col(Inspections::At)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Hazards::Table)
                .col(pk_auto(Hazards::Id).big_integer())
                .col(string_uniq(Hazards::Uid))
                .col(big_integer(Hazards::OrgId))
                .col(string(Hazards::JurisdictionPath))
                .col(string(Hazards::OrgPath))
                .col(big_integer_null(Hazards::PointId))
                .col(big_integer_null(Hazards::InspectionId))
                .col(string(Hazards::Source))
                .col(text(Hazards::Description))
                .col(string(Hazards::Grade))
                .col(string_null(Hazards::Category))
                .col(text(Hazards::Measures))
                .col(big_integer(Hazards::FundsFen))
                .col(string(Hazards::Owner))
                .col(timestamp_with_time_zone_null(Hazards::Deadline))
                .col(string(Hazards::State))
                .col(boolean(Hazards::HasPlan))
                .col(big_integer_null(Hazards::FixedBy))
                .col(timestamp_with_time_zone(Hazards::DiscoveredAt))
                .col(big_integer(Hazards::DiscoveredBy))
                .col(timestamp_with_time_zone_null(Hazards::ClosedAt))
                .col(big_integer_null(Hazards::ClosedBy))
                .col(string_null(Hazards::RequestDigest))
                .col(timestamp_with_time_zone(Hazards::CreatedAt))
                .col(timestamp_with_time_zone(Hazards::UpdatedAt))
                .foreign_key(ForeignKey::create().from(Hazards::Table, Hazards::OrgId).to(Orgs::Table, Orgs::Id))
                .foreign_key(
                    ForeignKey::create()
                        .from(Hazards::Table, Hazards::PointId)
                        .to(InspectionPoints::Table, InspectionPoints::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Hazards::Table, Hazards::InspectionId)
                        .to(Inspections::Table, Inspections::Id),
                )
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            ("ix_hazards_org", vec![Hazards::OrgId, Hazards::DiscoveredAt]),
            ("ix_hazards_jurisdiction", vec![Hazards::JurisdictionPath, Hazards::State]),
            ("ix_hazards_deadline", vec![Hazards::State, Hazards::Deadline]),
        ] {
            let mut ix = Index::create().name(name).table(Hazards::Table).to_owned();
            for c in cols {
                ix.col(c);
            }
            m.create_index(ix).await?;
        }

        m.create_table(
            Table::create()
                .table(InspectionFindings::Table)
                .col(pk_auto(InspectionFindings::Id).big_integer())
                .col(big_integer(InspectionFindings::InspectionId))
                .col(big_integer_null(InspectionFindings::PointId))
                .col(text(InspectionFindings::Item))
                .col(boolean(InspectionFindings::Passed))
                .col(text(InspectionFindings::Note))
                .col(big_integer_null(InspectionFindings::HazardId))
                .foreign_key(
                    ForeignKey::create()
                        .from(InspectionFindings::Table, InspectionFindings::InspectionId)
                        .to(Inspections::Table, Inspections::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(InspectionFindings::Table, InspectionFindings::PointId)
                        .to(InspectionPoints::Table, InspectionPoints::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(InspectionFindings::Table, InspectionFindings::HazardId)
                        .to(Hazards::Table, Hazards::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_findings_inspection")
                .table(InspectionFindings::Table)
                .col(InspectionFindings::InspectionId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(InspectionCoverage::Table)
                .col(big_integer(InspectionCoverage::InspectionId))
                .col(big_integer(InspectionCoverage::PointId))
                .primary_key(Index::create().col(InspectionCoverage::InspectionId).col(InspectionCoverage::PointId))
                .foreign_key(
                    ForeignKey::create()
                        .from(InspectionCoverage::Table, InspectionCoverage::InspectionId)
                        .to(Inspections::Table, Inspections::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(InspectionCoverage::Table, InspectionCoverage::PointId)
                        .to(InspectionPoints::Table, InspectionPoints::Id),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(HazardEvents::Table)
                .col(pk_auto(HazardEvents::Id).big_integer())
                .col(big_integer(HazardEvents::HazardId))
                .col(string(HazardEvents::Action))
                .col(string(HazardEvents::FromState))
                .col(string(HazardEvents::ToState))
                .col(big_integer(HazardEvents::ActorId))
                .col(string(HazardEvents::Actor))
                .col(timestamp_with_time_zone(HazardEvents::At))
                .col(text(HazardEvents::Reason))
                .foreign_key(
                    ForeignKey::create()
                        .from(HazardEvents::Table, HazardEvents::HazardId)
                        .to(Hazards::Table, Hazards::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("ix_hazard_events").table(HazardEvents::Table).col(HazardEvents::HazardId).to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(HazardPlans::Table)
                .col(pk_auto(HazardPlans::Id).big_integer())
                .col(big_integer(HazardPlans::HazardId))
                .col(text(HazardPlans::Goals))
                .col(text(HazardPlans::Measures))
                .col(text(HazardPlans::FundsMaterials))
                .col(text(HazardPlans::Responsible))
                .col(text(HazardPlans::TimeLimit))
                .col(text(HazardPlans::SafetyEmergency))
                .col(boolean(HazardPlans::SuspendsWork).default(false))
                .col(big_integer(HazardPlans::CreatedBy))
                .col(timestamp_with_time_zone(HazardPlans::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(HazardPlans::Table, HazardPlans::HazardId)
                        .to(Hazards::Table, Hazards::Id),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Ledgers::Table)
                .col(pk_auto(Ledgers::Id).big_integer())
                .col(string_uniq(Ledgers::Uid))
                .col(big_integer(Ledgers::OrgId))
                .col(string(Ledgers::JurisdictionPath))
                .col(string(Ledgers::OrgPath))
                .col(string(Ledgers::Period))
                .col(integer(Ledgers::Version))
                .col(text(Ledgers::ItemsJson))
                .col(integer(Ledgers::ItemCount))
                .col(string(Ledgers::ContentHash))
                .col(string(Ledgers::Signature))
                .col(big_integer(Ledgers::SignedBy))
                .col(string(Ledgers::Signer))
                .col(timestamp_with_time_zone(Ledgers::SignedAt))
                .foreign_key(ForeignKey::create().from(Ledgers::Table, Ledgers::OrgId).to(Orgs::Table, Orgs::Id))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_ledgers_version")
                .table(Ledgers::Table)
                .col(Ledgers::OrgId)
                .col(Ledgers::Period)
                .col(Ledgers::Version)
                .unique()
                .to_owned(),
        )
        .await?;

        let db = m.get_connection();
        for table in APPEND_ONLY {
            for sql in append_only_sql(m.get_database_backend(), table) {
                db.execute_unprepared(&sql).await?;
            }
        }
        Ok(())
    }
}
