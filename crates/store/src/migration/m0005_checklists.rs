//! Checklist templates, versioned: a revision is a new version, and an inspection keeps the
//! version it used. Append-only.

use super::m0001_foundation::append_only_sql;
use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0005_checklists"
    }
}

#[derive(DeriveIden)]
enum Checklists {
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
enum ChecklistVersions {
    Table,
    Id,
    ChecklistId,
    Version,
    ItemsJson,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Inspections {
    Table,
    ChecklistVersionId,
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Checklists::Table)
                .col(pk_auto(Checklists::Id).big_integer())
                .col(string_uniq(Checklists::Uid))
                .col(big_integer(Checklists::OrgId))
                .col(string(Checklists::JurisdictionPath))
                .col(string(Checklists::OrgPath))
                .col(string(Checklists::Name))
                .col(big_integer(Checklists::CreatedBy))
                .col(timestamp_with_time_zone(Checklists::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ChecklistVersions::Table)
                .col(pk_auto(ChecklistVersions::Id).big_integer())
                .col(big_integer(ChecklistVersions::ChecklistId))
                .col(integer(ChecklistVersions::Version))
                .col(text(ChecklistVersions::ItemsJson))
                .col(big_integer(ChecklistVersions::CreatedBy))
                .col(timestamp_with_time_zone(ChecklistVersions::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(ChecklistVersions::Table, ChecklistVersions::ChecklistId)
                        .to(Checklists::Table, Checklists::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_checklist_versions")
                .table(ChecklistVersions::Table)
                .col(ChecklistVersions::ChecklistId)
                .col(ChecklistVersions::Version)
                .unique()
                .to_owned(),
        )
        .await?;
        // Added to an append-only table: existing rows keep NULL; new rows set it on insert.
        m.alter_table(
            Table::alter()
                .table(Inspections::Table)
                .add_column(big_integer_null(Inspections::ChecklistVersionId))
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        for table in ["checklists", "checklist_versions"] {
            for sql in append_only_sql(m.get_database_backend(), table) {
                db.execute_unprepared(&sql).await?;
            }
        }
        Ok(())
    }
}
