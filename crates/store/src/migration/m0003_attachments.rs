//! Attachments (photos before and after, evidence): a row per file, the file itself in the blob
//! store under its SHA-256. Append-only.

use super::m0001_foundation::append_only_sql;
use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0003_attachments"
    }
}

#[derive(DeriveIden)]
enum Attachments {
    Table,
    Id,
    OwnerType,
    OwnerId,
    Role,
    OrgId,
    JurisdictionPath,
    OrgPath,
    ContentType,
    Size,
    Sha256,
    Width,
    Height,
    CreatedBy,
    CreatedAt,
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Attachments::Table)
                .col(pk_auto(Attachments::Id).big_integer())
                .col(string(Attachments::OwnerType))
                .col(big_integer(Attachments::OwnerId))
                .col(string(Attachments::Role))
                .col(big_integer(Attachments::OrgId))
                .col(string(Attachments::JurisdictionPath))
                .col(string(Attachments::OrgPath))
                .col(string(Attachments::ContentType))
                .col(big_integer(Attachments::Size))
                .col(string(Attachments::Sha256))
                .col(integer(Attachments::Width))
                .col(integer(Attachments::Height))
                .col(big_integer(Attachments::CreatedBy))
                .col(timestamp_with_time_zone(Attachments::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_attachments_owner")
                .table(Attachments::Table)
                .col(Attachments::OwnerType)
                .col(Attachments::OwnerId)
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        for sql in append_only_sql(m.get_database_backend(), "attachments") {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }
}
