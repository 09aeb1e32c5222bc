//! Embedded, forward-only migrations; the same set serves SQLite and PostgreSQL. A migration is
//! never edited once released: a change is a new migration.

use sea_orm_migration::prelude::*;

mod m0001_foundation;
mod m0002_hazards;
mod m0003_attachments;
mod m0004_typical_cases;
mod m0005_checklists;
mod m0006_campaign;
mod m0007_inspection_sites;
mod m0008_crossings;
mod m0009_safety_tests;
mod m0010_fundamentals;
mod m0011_bureau_reports;
mod m0012_tips;
mod m0013_warehouses;
mod m0014_reading_ms;
mod m0015_hazard_counts;
mod m0016_append_only_replace;
mod m0017_account_approvals;

pub struct Migrator;

#[sea_orm_migration::async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_foundation::Migration),
            Box::new(m0002_hazards::Migration),
            Box::new(m0003_attachments::Migration),
            Box::new(m0004_typical_cases::Migration),
            Box::new(m0005_checklists::Migration),
            Box::new(m0006_campaign::Migration),
            Box::new(m0007_inspection_sites::Migration),
            Box::new(m0008_crossings::Migration),
            Box::new(m0009_safety_tests::Migration),
            Box::new(m0010_fundamentals::Migration),
            Box::new(m0011_bureau_reports::Migration),
            Box::new(m0012_tips::Migration),
            Box::new(m0013_warehouses::Migration),
            Box::new(m0014_reading_ms::Migration),
            Box::new(m0015_hazard_counts::Migration),
            Box::new(m0016_append_only_replace::Migration),
            Box::new(m0017_account_approvals::Migration),
        ]
    }
}
