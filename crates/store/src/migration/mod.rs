//! Embedded, forward-only migrations; the same set serves SQLite and PostgreSQL. A migration is
//! never edited once released: a change is a new migration, and a test pins the SHA-256 of every
//! released one, so an edit fails the build.

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
mod m0018_activity_items;
mod m0019_hazard_supervision;
mod m0020_papers;

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
            Box::new(m0018_activity_items::Migration),
            Box::new(m0019_hazard_supervision::Migration),
            Box::new(m0020_papers::Migration),
        ]
    }
}

#[cfg(test)]
mod tests {
    use sea_orm_migration::MigratorTrait;
    use sha2::{Digest, Sha256};

    /// Every migration that has shipped, with the SHA-256 of its source as released. sea-orm
    /// records only a migration's name, so an edit to one that an installation has already run
    /// would pass unseen there and differ from a fresh install; this pins each file. A new
    /// migration is added here in the release that ships it; a change is a new migration.
    const RELEASED: &[(&str, &str, &str)] = &[
        (
            "m0001_foundation",
            include_str!("m0001_foundation.rs"),
            "479dcd5dfc2cad2475b8b6fe4367f1be5923f98cd3ab65ef9b25ccab3fa3dca7",
        ),
        (
            "m0002_hazards",
            include_str!("m0002_hazards.rs"),
            "ba9e9b14fdb726ce5a5343f24226625cf26b414357d26a63d6a62fef054eecef",
        ),
        (
            "m0003_attachments",
            include_str!("m0003_attachments.rs"),
            "637928795c10eb03d83ca4cf6604172298c56d8ab934290cc3c7fb5a3d1201a4",
        ),
        (
            "m0004_typical_cases",
            include_str!("m0004_typical_cases.rs"),
            "c9f66e9ec271e309ba6c49f11e1fcac72c42a5ef7579d2b35e7e0bf5de91e287",
        ),
        (
            "m0005_checklists",
            include_str!("m0005_checklists.rs"),
            "6e9e3ab80e0dcc242a227b3ad18cb215a9c45b41810b98897fce81ac30bba97b",
        ),
        (
            "m0006_campaign",
            include_str!("m0006_campaign.rs"),
            "ab5c5a76b5142aa36f40b0d82b79799b4ae6f4f56ea2a890008dfb9e087bb8fd",
        ),
        (
            "m0007_inspection_sites",
            include_str!("m0007_inspection_sites.rs"),
            "cf5e610007d3913ade3d050ece4316c0f05f1d0762d03a49d6cb5ee87f457447",
        ),
        (
            "m0008_crossings",
            include_str!("m0008_crossings.rs"),
            "b86427bf7a4253f86a4f8baf07c93018f5c5dae7c0db9dbae9716f0d34f26210",
        ),
        (
            "m0009_safety_tests",
            include_str!("m0009_safety_tests.rs"),
            "4562b650a35d4462bcaa56223c6a93d462c24c4aa30b75348e93fc2945d65802",
        ),
        (
            "m0010_fundamentals",
            include_str!("m0010_fundamentals.rs"),
            "7129690f1250b155691509794eedcde82c0ee33872d29adc901900b0c28259a8",
        ),
        (
            "m0011_bureau_reports",
            include_str!("m0011_bureau_reports.rs"),
            "2bb3b7eb477bc1d5906e2726161b0958572404b9df9f680de0ee1e294b31a878",
        ),
        (
            "m0012_tips",
            include_str!("m0012_tips.rs"),
            "56e4cec422bfc5eafaee76c7f01611c22057bc1f1bf4ce3fbea5c45dd3c620b4",
        ),
        (
            "m0013_warehouses",
            include_str!("m0013_warehouses.rs"),
            "b73798cb70bf733b1349954369f6cd78ab0ec275d5fc87fd42e5bdf2eafbfad4",
        ),
        (
            "m0014_reading_ms",
            include_str!("m0014_reading_ms.rs"),
            "efd581f3ad3b9fe0e35c3cfd3c810d11dcacf197aace76403e7fa85b52ef3b68",
        ),
        (
            "m0015_hazard_counts",
            include_str!("m0015_hazard_counts.rs"),
            "63ee6e3e8153425029b302a2ad1675950bf37685aba1eb00e4c5e9566fdabcf5",
        ),
        (
            "m0016_append_only_replace",
            include_str!("m0016_append_only_replace.rs"),
            "998fac8c827c356f70383ef9f4971908bb1d3c2957409804106ce6cdaa784442",
        ),
        (
            "m0017_account_approvals",
            include_str!("m0017_account_approvals.rs"),
            "3599f15f2f802d00f22b1ce3927607fa63986ea65c7e119a83d71bc0ed9fc72e",
        ),
        (
            "m0018_activity_items",
            include_str!("m0018_activity_items.rs"),
            "14def4585dd0079e8ab0ab84452bfa95d3e4c4983e7ec4a3e33a9e739d810716",
        ),
        (
            "m0019_hazard_supervision",
            include_str!("m0019_hazard_supervision.rs"),
            "7fe23b2b55c4b4373c5c1f3381a3d38b1c66c156a63e8931539ae3740f87e1f4",
        ),
        (
            "m0020_papers",
            include_str!("m0020_papers.rs"),
            "6809087d6460acfea0110c4cb4d02fc11d8b5a7217af425ca2865a737eaaf05f",
        ),
    ];

    #[test]
    fn no_released_migration_is_edited() {
        for (name, source, pinned) in RELEASED {
            let now = hex::encode(Sha256::digest(source.as_bytes()));
            assert_eq!(&now, pinned, "{name} was edited after its release: write a new migration instead");
        }
    }

    #[test]
    fn every_migration_is_pinned_in_order() {
        let names: Vec<String> = super::Migrator::migrations().iter().map(|m| m.name().to_owned()).collect();
        let pinned: Vec<String> = RELEASED.iter().map(|(n, _, _)| (*n).to_owned()).collect();
        assert_eq!(names, pinned, "pin a new migration in RELEASED when it ships");
    }
}
