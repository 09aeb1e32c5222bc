//! Jurisdictions, organisations, accounts, sessions, tokens, plan versions and the audit chain.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0001_foundation"
    }
}

#[derive(DeriveIden)]
enum Jurisdictions {
    Table,
    Id,
    Code,
    Name,
    Level,
    ParentId,
    Path,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Orgs {
    Table,
    Id,
    Uid,
    Code,
    Name,
    Kind,
    JurisdictionId,
    JurisdictionPath,
    ParentId,
    OrgPath,
    ParkId,
    SupervisionLevel,
    Industry,
    Address,
    RequestDigest,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Username,
    DisplayName,
    PasswordHash,
    Role,
    OrgId,
    LeaderCode,
    MustChangePassword,
    PasswordChangedAt,
    FailedLogins,
    LockedUntil,
    TotpSecret,
    TotpLastStep,
    Disabled,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    UserId,
    CsrfToken,
    MfaDone,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum ApiTokens {
    Table,
    Id,
    UserId,
    Name,
    TokenHash,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum Sites {
    Table,
    Id,
    Uid,
    Kind,
    Name,
    OrgId,
    JurisdictionId,
    JurisdictionPath,
    OrgPath,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PlanVersions {
    Table,
    Id,
    PlanId,
    Version,
    Sha256,
    Source,
    Changes,
    ImportedAt,
    ImportedBy,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Seq,
    At,
    ActorId,
    Actor,
    Action,
    ObjectType,
    ObjectId,
    Result,
    BeforeDigest,
    AfterDigest,
    Detail,
    Alg,
    PrevHash,
    Hash,
}

#[derive(DeriveIden)]
enum AuditHead {
    Table,
    Id,
    Seq,
    Hash,
}

/// Tables whose rows may never be changed or removed: the database itself refuses.
const APPEND_ONLY: &[&str] = &["audit_log", "plan_versions"];

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Jurisdictions::Table)
                .col(pk_auto(Jurisdictions::Id).big_integer())
                .col(string_uniq(Jurisdictions::Code))
                .col(string(Jurisdictions::Name))
                .col(string(Jurisdictions::Level))
                .col(big_integer_null(Jurisdictions::ParentId))
                .col(string(Jurisdictions::Path))
                .col(timestamp_with_time_zone(Jurisdictions::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Jurisdictions::Table, Jurisdictions::ParentId)
                        .to(Jurisdictions::Table, Jurisdictions::Id),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Orgs::Table)
                .col(pk_auto(Orgs::Id).big_integer())
                .col(string_uniq(Orgs::Uid))
                .col(string_null(Orgs::Code).unique_key())
                .col(string(Orgs::Name))
                .col(string(Orgs::Kind))
                .col(big_integer(Orgs::JurisdictionId))
                .col(string(Orgs::JurisdictionPath))
                .col(big_integer_null(Orgs::ParentId))
                .col(string(Orgs::OrgPath))
                .col(big_integer_null(Orgs::ParkId))
                .col(string(Orgs::SupervisionLevel).default("general"))
                .col(string_null(Orgs::Industry))
                .col(string_null(Orgs::Address))
                .col(string_null(Orgs::RequestDigest))
                .col(timestamp_with_time_zone(Orgs::CreatedAt))
                .col(timestamp_with_time_zone(Orgs::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Orgs::Table, Orgs::JurisdictionId)
                        .to(Jurisdictions::Table, Jurisdictions::Id),
                )
                .foreign_key(ForeignKey::create().from(Orgs::Table, Orgs::ParentId).to(Orgs::Table, Orgs::Id))
                .foreign_key(ForeignKey::create().from(Orgs::Table, Orgs::ParkId).to(Orgs::Table, Orgs::Id))
                .to_owned(),
        )
        .await?;
        for (name, col) in [
            ("ix_orgs_jurisdiction_path", Orgs::JurisdictionPath),
            ("ix_orgs_org_path", Orgs::OrgPath),
            ("ix_orgs_park", Orgs::ParkId),
        ] {
            m.create_index(Index::create().name(name).table(Orgs::Table).col(col).to_owned()).await?;
        }

        m.create_table(
            Table::create()
                .table(Users::Table)
                .col(pk_auto(Users::Id).big_integer())
                .col(string_uniq(Users::Username))
                .col(string(Users::DisplayName))
                .col(string(Users::PasswordHash))
                .col(string(Users::Role))
                .col(big_integer_null(Users::OrgId))
                .col(string_null(Users::LeaderCode))
                .col(boolean(Users::MustChangePassword))
                .col(timestamp_with_time_zone(Users::PasswordChangedAt))
                .col(integer(Users::FailedLogins).default(0))
                .col(timestamp_with_time_zone_null(Users::LockedUntil))
                .col(string_null(Users::TotpSecret))
                .col(big_integer_null(Users::TotpLastStep))
                .col(boolean(Users::Disabled).default(false))
                .col(timestamp_with_time_zone(Users::CreatedAt))
                .col(timestamp_with_time_zone(Users::UpdatedAt))
                .foreign_key(ForeignKey::create().from(Users::Table, Users::OrgId).to(Orgs::Table, Orgs::Id))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("ix_users_org").table(Users::Table).col(Users::OrgId).to_owned()).await?;

        m.create_table(
            Table::create()
                .table(Sessions::Table)
                .col(string(Sessions::Id).primary_key())
                .col(big_integer(Sessions::UserId))
                .col(string(Sessions::CsrfToken))
                .col(boolean(Sessions::MfaDone))
                .col(timestamp_with_time_zone(Sessions::CreatedAt))
                .col(timestamp_with_time_zone(Sessions::LastSeenAt))
                .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                .col(timestamp_with_time_zone_null(Sessions::RevokedAt))
                .foreign_key(ForeignKey::create().from(Sessions::Table, Sessions::UserId).to(Users::Table, Users::Id))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("ix_sessions_user").table(Sessions::Table).col(Sessions::UserId).to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ApiTokens::Table)
                .col(pk_auto(ApiTokens::Id).big_integer())
                .col(big_integer(ApiTokens::UserId))
                .col(string(ApiTokens::Name))
                .col(string_uniq(ApiTokens::TokenHash))
                .col(timestamp_with_time_zone(ApiTokens::CreatedAt))
                .col(timestamp_with_time_zone_null(ApiTokens::LastUsedAt))
                .col(timestamp_with_time_zone_null(ApiTokens::RevokedAt))
                .foreign_key(ForeignKey::create().from(ApiTokens::Table, ApiTokens::UserId).to(Users::Table, Users::Id))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Sites::Table)
                .col(pk_auto(Sites::Id).big_integer())
                .col(string_uniq(Sites::Uid))
                .col(string(Sites::Kind))
                .col(string(Sites::Name))
                .col(big_integer(Sites::OrgId))
                .col(big_integer(Sites::JurisdictionId))
                .col(string(Sites::JurisdictionPath))
                .col(string(Sites::OrgPath))
                .col(timestamp_with_time_zone(Sites::CreatedAt))
                .foreign_key(ForeignKey::create().from(Sites::Table, Sites::OrgId).to(Orgs::Table, Orgs::Id))
                .foreign_key(
                    ForeignKey::create()
                        .from(Sites::Table, Sites::JurisdictionId)
                        .to(Jurisdictions::Table, Jurisdictions::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("ix_sites_org").table(Sites::Table).col(Sites::OrgId).to_owned()).await?;

        m.create_table(
            Table::create()
                .table(PlanVersions::Table)
                .col(pk_auto(PlanVersions::Id).big_integer())
                .col(string(PlanVersions::PlanId))
                .col(integer(PlanVersions::Version))
                .col(string(PlanVersions::Sha256))
                .col(text(PlanVersions::Source))
                .col(text(PlanVersions::Changes))
                .col(timestamp_with_time_zone(PlanVersions::ImportedAt))
                .col(big_integer_null(PlanVersions::ImportedBy))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_plan_versions")
                .table(PlanVersions::Table)
                .col(PlanVersions::PlanId)
                .col(PlanVersions::Version)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AuditLog::Table)
                .col(big_integer(AuditLog::Seq).primary_key())
                .col(timestamp_with_time_zone(AuditLog::At))
                .col(big_integer_null(AuditLog::ActorId))
                .col(string(AuditLog::Actor))
                .col(string(AuditLog::Action))
                .col(string(AuditLog::ObjectType))
                .col(string(AuditLog::ObjectId))
                .col(string(AuditLog::Result))
                .col(string_null(AuditLog::BeforeDigest))
                .col(string_null(AuditLog::AfterDigest))
                .col(text(AuditLog::Detail))
                .col(string(AuditLog::Alg))
                .col(string(AuditLog::PrevHash))
                .col(string(AuditLog::Hash))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("ix_audit_at").table(AuditLog::Table).col(AuditLog::At).to_owned()).await?;

        m.create_table(
            Table::create()
                .table(AuditHead::Table)
                .col(integer(AuditHead::Id).primary_key())
                .col(big_integer(AuditHead::Seq))
                .col(string(AuditHead::Hash))
                .to_owned(),
        )
        .await?;
        m.exec_stmt(
            Query::insert()
                .into_table(AuditHead::Table)
                .columns([AuditHead::Id, AuditHead::Seq, AuditHead::Hash])
                .values_panic([1.into(), 0i64.into(), anjian_domain::audit::GENESIS.into()])
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

/// Triggers that make the database refuse UPDATE and DELETE on a table.
pub(crate) fn append_only_sql(backend: DbBackend, table: &str) -> Vec<String> {
    match backend {
        DbBackend::Sqlite => ["UPDATE", "DELETE"]
            .iter()
            .map(|op| {
                format!(
                    "CREATE TRIGGER {table}_no_{lower} BEFORE {op} ON {table} \
                     BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
                    lower = op.to_lowercase()
                )
            })
            .collect(),
        _ => vec![
            format!(
                "CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$ \
                 BEGIN RAISE EXCEPTION '{table} is append-only'; END $$ LANGUAGE plpgsql"
            ),
            format!(
                "CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {table} \
                 FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()"
            ),
        ],
    }
}
