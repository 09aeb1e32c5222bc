//! An inspection can be of one site of the organisation (a railway crossing, a warehouse), so
//! that coverage rules over sites can be met.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0007_inspection_sites"
    }
}

#[derive(DeriveIden)]
enum Inspections {
    Table,
    SiteId,
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Added to an append-only table: existing rows keep NULL; new rows set it on insert.
        m.alter_table(
            Table::alter().table(Inspections::Table).add_column(big_integer_null(Inspections::SiteId)).to_owned(),
        )
        .await
    }
}
