//! The one place a [`Scope`] becomes SQL: a condition on the `orgs` table.

use crate::entity::org;
use anjian_domain::scope::Scope;
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::ColumnTrait;

pub fn org_condition(scope: &Scope) -> Condition {
    match scope {
        Scope::All => Condition::all(),
        Scope::Jurisdiction { path } => Condition::all().add(org::Column::JurisdictionPath.starts_with(path)),
        Scope::Org { path } => Condition::all().add(org::Column::OrgPath.starts_with(path)),
        Scope::Park { park_id } => {
            Condition::any().add(org::Column::Id.eq(*park_id)).add(org::Column::ParkId.eq(*park_id))
        }
        Scope::Nothing => Condition::all().add(Expr::val(1).eq(0)),
    }
}

/// The same scope for a table that copies its organisation's paths (sites, inspections, hazards,
/// ledgers), so that scoped reads of those need no join.
pub fn copied_paths<C: ColumnTrait>(scope: &Scope, jurisdiction_path: C, org_path: C, org_id: C) -> Condition {
    match scope {
        Scope::All => Condition::all(),
        Scope::Jurisdiction { path } => Condition::all().add(jurisdiction_path.starts_with(path)),
        Scope::Org { path } => Condition::all().add(org_path.starts_with(path)),
        Scope::Park { park_id } => Condition::all().add(
            org_id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(org::Column::Id)
                    .from(org::Entity)
                    .cond_where(org_condition(&Scope::Park { park_id: *park_id }))
                    .to_owned(),
            ),
        ),
        Scope::Nothing => Condition::all().add(Expr::val(1).eq(0)),
    }
}
