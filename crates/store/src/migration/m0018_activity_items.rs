//! The checklist items an activity's record went through (a crossing check's equipment, a
//! loading's vehicle items), as a JSON array, so that a rule naming a `checklist` counts only a
//! record that covered it. Rows written before stay NULL: they kept no items and are judged as
//! they were when entered.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0018_activity_items"
    }
}

#[derive(DeriveIden)]
enum Activities {
    Table,
    Items,
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Activities::Table)
                .add_column(ColumnDef::new(Activities::Items).text().null())
                .to_owned(),
        )
        .await
    }
}
