//! Enterprises' fundamentals records and bureaus' powers lists, scoped like their organisations.

use crate::entity::{fundamental, power};
use crate::rows::Decode;
use crate::scope::copied_paths;
use crate::Result;
use anjian_domain::money::Fen;
use anjian_domain::scope::Scope;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};

pub use anjian_domain::fundamentals::Fundamental;
pub use anjian_domain::fundamentals::Power;

/// A fundamentals record as entered; fields not of its kind stay empty.
#[derive(Debug, Clone, Default)]
pub struct NewFundamental {
    pub kind: String,
    pub year: Option<i32>,
    pub amount_fen: Option<Fen>,
    pub used_fen: Option<Fen>,
    pub required: Option<i32>,
    pub actual: Option<i32>,
    pub person: String,
    pub hours: Option<f64>,
    pub reference: String,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub note: String,
}

pub async fn insert(
    db: &impl ConnectionTrait,
    org: &crate::orgs::Org,
    n: NewFundamental,
    by: i64,
    now: DateTime<Utc>,
) -> Result<Fundamental> {
    fundamental::ActiveModel {
        org_id: Set(org.id),
        jurisdiction_path: Set(org.jurisdiction_path.clone()),
        org_path: Set(org.org_path.clone()),
        kind: Set(n.kind),
        year: Set(n.year),
        amount_fen: Set(n.amount_fen.map(Fen::fen)),
        used_fen: Set(n.used_fen.map(Fen::fen)),
        required: Set(n.required),
        actual: Set(n.actual),
        person: Set(n.person),
        hours: Set(n.hours),
        reference: Set(n.reference),
        starts_on: Set(n.starts_on),
        ends_on: Set(n.ends_on),
        note: Set(n.note),
        created_by: Set(by),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?
    .decode()
}

/// Every fundamentals record in scope (optionally of one organisation), oldest first.
pub async fn records(db: &impl ConnectionTrait, scope: &Scope, org_id: Option<i64>) -> Result<Vec<Fundamental>> {
    let mut q = fundamental::Entity::find().filter(copied_paths(
        scope,
        fundamental::Column::JurisdictionPath,
        fundamental::Column::OrgPath,
        fundamental::Column::OrgId,
    ));
    if let Some(o) = org_id {
        q = q.filter(fundamental::Column::OrgId.eq(o));
    }
    q.order_by_asc(fundamental::Column::Id).all(db).await?.decode()
}

/// An item of a powers list: its category, the power, its legal basis and who exercises it.
#[derive(Debug, Clone)]
pub struct NewPower {
    pub category: String,
    pub name: String,
    pub basis: String,
    pub responsible: String,
}

pub async fn insert_power(
    db: &impl ConnectionTrait,
    bureau: &crate::orgs::Org,
    p: NewPower,
    by: i64,
    now: DateTime<Utc>,
) -> Result<Power> {
    power::ActiveModel {
        org_id: Set(bureau.id),
        jurisdiction_path: Set(bureau.jurisdiction_path.clone()),
        org_path: Set(bureau.org_path.clone()),
        category: Set(p.category),
        name: Set(p.name),
        basis: Set(p.basis),
        responsible: Set(p.responsible),
        created_by: Set(by),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?
    .decode()
}

/// The powers lists of the bureaus in scope.
pub async fn powers(db: &impl ConnectionTrait, scope: &Scope) -> Result<Vec<Power>> {
    power::Entity::find()
        .filter(copied_paths(scope, power::Column::JurisdictionPath, power::Column::OrgPath, power::Column::OrgId))
        .order_by_asc(power::Column::OrgId)
        .order_by_asc(power::Column::Id)
        .all(db)
        .await?
        .decode()
}
