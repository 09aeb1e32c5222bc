//! REPLACE could rewrite an append-only row on SQLite: `INSERT OR REPLACE` deletes the row in its
//! way without firing the DELETE trigger (SQLite fires it only with `recursive_triggers` on) and
//! then inserts the forged one. Every connection anjian opens now turns `recursive_triggers` on,
//! so REPLACE meets the DELETE trigger whatever key it collides on; and each append-only table
//! gets a guard that needs no setting at all: an insert whose primary key is already taken is
//! refused, so even a connection that never set the pragma cannot rewrite a row in place.
//! PostgreSQL has no REPLACE; its `ON CONFLICT DO UPDATE` fires the statement-level UPDATE
//! trigger the tables already have.

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0016_append_only_replace"
    }
}

/// Every table made append-only by an earlier migration.
pub const APPEND_ONLY: &[&str] = &[
    "activities",
    "attachments",
    "audit_log",
    "bureau_reports",
    "checklist_versions",
    "checklists",
    "crossing_check_items",
    "crossing_checks",
    "facility_upkeep",
    "fundamentals",
    "guard_certificates",
    "guard_shifts",
    "hazard_events",
    "hazard_plans",
    "inspection_coverage",
    "inspection_findings",
    "inspections",
    "ledgers",
    "liaison_reports",
    "loadings",
    "patrol_checkins",
    "plan_versions",
    "powers",
    "supervision_changes",
    "task_reports",
    "tip_events",
    "tip_files",
    "tip_messages",
    "training_attendees",
    "trainings",
    "typical_cases",
    "weekly_analyses",
];

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DbBackend::Sqlite {
            return Ok(());
        }
        let db = m.get_connection();
        for table in APPEND_ONLY {
            let pk: Vec<String> = db
                .query_all(Statement::from_string(
                    DbBackend::Sqlite,
                    format!("SELECT name FROM pragma_table_info('{table}') WHERE pk > 0 ORDER BY pk"),
                ))
                .await?
                .iter()
                .map(|r| r.try_get_by_index::<String>(0))
                .collect::<Result<_, _>>()?;
            // A table without a declared key is keyed by its rowid.
            let taken = if pk.is_empty() {
                "rowid = NEW.rowid".to_owned()
            } else {
                pk.iter().map(|c| format!("\"{c}\" = NEW.\"{c}\"")).collect::<Vec<_>>().join(" AND ")
            };
            db.execute_unprepared(&format!(
                "CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} \
                 WHEN EXISTS (SELECT 1 FROM {table} WHERE {taken}) \
                 BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            ))
            .await?;
        }
        Ok(())
    }
}
