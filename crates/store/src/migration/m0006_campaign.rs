//! The campaign engine's tables: the activity log every obligation is counted from (filled from
//! the inspections, major hazards and typical cases already recorded), task progress reports,
//! liaison reports, weekly analyses, the reminder inbox, job leases and webhook deliveries.

use super::m0001_foundation::append_only_sql;
use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0006_campaign"
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Position,
}

#[derive(DeriveIden)]
enum Activities {
    Table,
    Id,
    Kind,
    At,
    ActorUserId,
    ActorOrgId,
    TargetOrgId,
    TargetSiteId,
    TargetPointId,
    TargetGuardId,
    TargetJurisdictionId,
    Source,
    SourceId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TaskReports {
    Table,
    Id,
    Uid,
    PlanId,
    TaskNo,
    Month,
    Progress,
    OrgId,
    JurisdictionPath,
    OrgPath,
    AuthorId,
    Author,
    Body,
    RequestDigest,
    CreatedAt,
}

#[derive(DeriveIden)]
enum LiaisonReports {
    Table,
    Id,
    LeaderCode,
    Month,
    Version,
    State,
    Body,
    AuthorId,
    Author,
    CreatedAt,
}

#[derive(DeriveIden)]
enum WeeklyAnalyses {
    Table,
    Id,
    Uid,
    OrgId,
    JurisdictionPath,
    OrgPath,
    WeekStart,
    Analysis,
    Arrangements,
    AuthorId,
    Author,
    RequestDigest,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    Id,
    UserId,
    Kind,
    Title,
    Body,
    Link,
    DedupeKey,
    CreatedAt,
    ReadAt,
}

#[derive(DeriveIden)]
enum JobLeases {
    Table,
    Name,
    Holder,
    ExpiresAt,
    Cursor,
}

#[derive(DeriveIden)]
enum WebhookDeliveries {
    Table,
    Id,
    NotificationId,
    Url,
    Body,
    Attempts,
    NextAttemptAt,
    State,
    LastError,
    DeliveredAt,
    CreatedAt,
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Users::Table).add_column(string_null(Users::Position)).to_owned()).await?;
        m.create_table(
            Table::create()
                .table(Activities::Table)
                .col(pk_auto(Activities::Id).big_integer())
                .col(string(Activities::Kind))
                .col(timestamp_with_time_zone(Activities::At))
                .col(big_integer_null(Activities::ActorUserId))
                .col(big_integer_null(Activities::ActorOrgId))
                .col(big_integer_null(Activities::TargetOrgId))
                .col(big_integer_null(Activities::TargetSiteId))
                .col(big_integer_null(Activities::TargetPointId))
                .col(big_integer_null(Activities::TargetGuardId))
                .col(big_integer_null(Activities::TargetJurisdictionId))
                .col(string(Activities::Source))
                .col(big_integer(Activities::SourceId))
                .col(timestamp_with_time_zone(Activities::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_activities_source")
                .table(Activities::Table)
                .col(Activities::Source)
                .col(Activities::SourceId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(TaskReports::Table)
                .col(pk_auto(TaskReports::Id).big_integer())
                .col(string_uniq(TaskReports::Uid))
                .col(string(TaskReports::PlanId))
                .col(integer(TaskReports::TaskNo))
                .col(string(TaskReports::Month))
                .col(string(TaskReports::Progress))
                .col(big_integer(TaskReports::OrgId))
                .col(string(TaskReports::JurisdictionPath))
                .col(string(TaskReports::OrgPath))
                .col(big_integer(TaskReports::AuthorId))
                .col(string(TaskReports::Author))
                .col(text(TaskReports::Body))
                .col(string_null(TaskReports::RequestDigest))
                .col(timestamp_with_time_zone(TaskReports::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_task_reports_task")
                .table(TaskReports::Table)
                .col(TaskReports::PlanId)
                .col(TaskReports::TaskNo)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(LiaisonReports::Table)
                .col(pk_auto(LiaisonReports::Id).big_integer())
                .col(string(LiaisonReports::LeaderCode))
                .col(string(LiaisonReports::Month))
                .col(integer(LiaisonReports::Version))
                .col(string(LiaisonReports::State))
                .col(text(LiaisonReports::Body))
                .col(big_integer(LiaisonReports::AuthorId))
                .col(string(LiaisonReports::Author))
                .col(timestamp_with_time_zone(LiaisonReports::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_liaison_reports")
                .table(LiaisonReports::Table)
                .col(LiaisonReports::LeaderCode)
                .col(LiaisonReports::Month)
                .col(LiaisonReports::Version)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(WeeklyAnalyses::Table)
                .col(pk_auto(WeeklyAnalyses::Id).big_integer())
                .col(string_uniq(WeeklyAnalyses::Uid))
                .col(big_integer(WeeklyAnalyses::OrgId))
                .col(string(WeeklyAnalyses::JurisdictionPath))
                .col(string(WeeklyAnalyses::OrgPath))
                .col(string(WeeklyAnalyses::WeekStart))
                .col(text(WeeklyAnalyses::Analysis))
                .col(text(WeeklyAnalyses::Arrangements))
                .col(big_integer(WeeklyAnalyses::AuthorId))
                .col(string(WeeklyAnalyses::Author))
                .col(string_null(WeeklyAnalyses::RequestDigest))
                .col(timestamp_with_time_zone(WeeklyAnalyses::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Notifications::Table)
                .col(pk_auto(Notifications::Id).big_integer())
                .col(big_integer(Notifications::UserId))
                .col(string(Notifications::Kind))
                .col(string(Notifications::Title))
                .col(text(Notifications::Body))
                .col(string(Notifications::Link))
                .col(string_uniq(Notifications::DedupeKey))
                .col(timestamp_with_time_zone(Notifications::CreatedAt))
                .col(timestamp_with_time_zone_null(Notifications::ReadAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_notifications_user")
                .table(Notifications::Table)
                .col(Notifications::UserId)
                .col(Notifications::Id)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(JobLeases::Table)
                .col(string(JobLeases::Name).primary_key())
                .col(string(JobLeases::Holder))
                .col(timestamp_with_time_zone(JobLeases::ExpiresAt))
                .col(timestamp_with_time_zone_null(JobLeases::Cursor))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(WebhookDeliveries::Table)
                .col(pk_auto(WebhookDeliveries::Id).big_integer())
                .col(big_integer(WebhookDeliveries::NotificationId))
                .col(string(WebhookDeliveries::Url))
                .col(text(WebhookDeliveries::Body))
                .col(integer(WebhookDeliveries::Attempts))
                .col(timestamp_with_time_zone(WebhookDeliveries::NextAttemptAt))
                .col(string(WebhookDeliveries::State))
                .col(text_null(WebhookDeliveries::LastError))
                .col(timestamp_with_time_zone_null(WebhookDeliveries::DeliveredAt))
                .col(timestamp_with_time_zone(WebhookDeliveries::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_webhook_deliveries_due")
                .table(WebhookDeliveries::Table)
                .col(WebhookDeliveries::State)
                .col(WebhookDeliveries::NextAttemptAt)
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        // What was recorded before the engine existed counts too.
        for sql in [
            "INSERT INTO activities (kind, at, actor_user_id, actor_org_id, target_org_id, target_point_id, source, source_id, created_at) \
             SELECT i.kind, i.at, i.inspector_id, u.org_id, i.org_id, c.point_id, 'inspection', i.id, i.created_at \
             FROM inspections i JOIN users u ON u.id = i.inspector_id \
             LEFT JOIN inspection_coverage c ON c.inspection_id = i.id ORDER BY i.id",
            "INSERT INTO activities (kind, at, actor_user_id, actor_org_id, target_org_id, source, source_id, created_at) \
             SELECT 'major_hazard_resolved', h.closed_at, h.closed_by, u.org_id, h.org_id, 'hazard', h.id, h.closed_at \
             FROM hazards h JOIN users u ON u.id = h.closed_by \
             WHERE h.grade = 'major' AND h.state = 'closed' ORDER BY h.id",
            "INSERT INTO activities (kind, at, actor_user_id, actor_org_id, target_org_id, source, source_id, created_at) \
             SELECT 'typical_case', t.marked_at, t.marked_by, u.org_id, t.org_id, 'typical_case', t.id, t.marked_at \
             FROM typical_cases t JOIN users u ON u.id = t.marked_by ORDER BY t.id",
        ] {
            db.execute_unprepared(sql).await?;
        }
        for table in ["activities", "task_reports", "liaison_reports", "weekly_analyses"] {
            for sql in append_only_sql(m.get_database_backend(), table) {
                db.execute_unprepared(&sql).await?;
            }
        }
        Ok(())
    }
}
