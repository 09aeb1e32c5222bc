//! Organisations: bureaus and their sections, enterprises, group companies and their
//! subsidiaries, parks, explosives enterprises, railway operators. Every read takes a scope.

use crate::entity::org::{self, Entity as Orgs};
use crate::rows::Decode;
use crate::scope::org_condition;
use crate::{Result, StoreError};
use anjian_domain::scope::Scope;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

pub use anjian_domain::org::Org;
pub use anjian_domain::org::OrgFilter;

/// What is needed to create an organisation.
#[derive(Debug, Clone)]
pub struct NewOrg {
    pub uid: String,
    pub code: Option<String>,
    pub name: String,
    pub kind: String,
    pub jurisdiction: crate::jurisdictions::Jurisdiction,
    pub parent: Option<Org>,
    pub park_id: Option<i64>,
    pub supervision_level: String,
    pub industry: Option<String>,
    pub address: Option<String>,
    pub request_digest: Option<String>,
}

impl NewOrg {
    /// An organisation at the top of its tree, under general supervision; set the rest as needed.
    pub fn new(uid: String, name: String, kind: &str, jurisdiction: crate::jurisdictions::Jurisdiction) -> NewOrg {
        NewOrg {
            uid,
            code: None,
            name,
            kind: kind.to_owned(),
            jurisdiction,
            parent: None,
            park_id: None,
            supervision_level: "general".to_owned(),
            industry: None,
            address: None,
            request_digest: None,
        }
    }
}

pub async fn insert(db: &impl ConnectionTrait, new: NewOrg, now: DateTime<Utc>) -> Result<Org> {
    let row = org::ActiveModel {
        uid: Set(new.uid),
        code: Set(new.code),
        name: Set(new.name),
        kind: Set(new.kind),
        jurisdiction_id: Set(new.jurisdiction.id),
        jurisdiction_path: Set(new.jurisdiction.path.clone()),
        parent_id: Set(new.parent.as_ref().map(|p| p.id)),
        org_path: Set(String::new()),
        park_id: Set(new.park_id),
        supervision_level: Set(new.supervision_level),
        industry: Set(new.industry),
        address: Set(new.address),
        request_digest: Set(new.request_digest),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let path = match &new.parent {
        Some(p) => format!("{}{}/", p.org_path, row.id),
        None => format!("/{}/", row.id),
    };
    let mut am: org::ActiveModel = row.into();
    am.org_path = Set(path);
    am.update(db).await?.decode()
}

fn filtered(scope: &Scope, f: &OrgFilter) -> sea_orm::Select<Orgs> {
    let mut cond = Condition::all().add(org_condition(scope));
    if let Some(k) = &f.kind {
        cond = cond.add(org::Column::Kind.eq(k.as_str()));
    }
    if let Some(j) = f.jurisdiction_id {
        cond = cond.add(org::Column::JurisdictionId.eq(j));
    }
    if let Some(q) = f.q.as_deref().filter(|q| !q.is_empty()) {
        // A name's part, or the whole of its code (统一社会信用代码).
        cond = cond.add(
            Condition::any().add(crate::search::contains(org::Column::Name, q)).add(org::Column::Code.eq(q.trim())),
        );
    }
    if let Some(u) = f.under {
        cond = cond.add(Condition::any().add(org::Column::ParentId.eq(u)).add(org::Column::ParkId.eq(u)));
    }
    Orgs::find().filter(cond)
}

/// One page of organisations in scope, by id after the cursor.
pub async fn list(
    db: &impl ConnectionTrait,
    scope: &Scope,
    f: &OrgFilter,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<Org>> {
    let mut q = filtered(scope, f);
    if let Some(a) = after {
        q = q.filter(org::Column::Id.gt(a));
    }
    q.order_by_asc(org::Column::Id).limit(limit).all(db).await?.decode()
}

pub async fn count(db: &impl ConnectionTrait, scope: &Scope, f: &OrgFilter) -> Result<u64> {
    Ok(filtered(scope, f).count(db).await?)
}

/// An organisation if it is in scope; outside the scope it does not exist for the caller.
pub async fn get(db: &impl ConnectionTrait, scope: &Scope, id: i64) -> Result<Org> {
    Orgs::find_by_id(id).filter(org_condition(scope)).one(db).await?.ok_or(StoreError::NotFound)?.decode()
}

/// The names of the organisations among `ids` that are in scope, in one query per thousand ids
/// (those outside the scope are absent): for lists that show whose each row is.
pub async fn names(
    db: &impl ConnectionTrait,
    scope: &Scope,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, String>> {
    let mut out = std::collections::HashMap::new();
    for chunk in ids.chunks(1000) {
        let rows: Vec<(i64, String)> = Orgs::find()
            .select_only()
            .column(org::Column::Id)
            .column(org::Column::Name)
            .filter(org_condition(scope))
            .filter(org::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        out.extend(rows);
    }
    Ok(out)
}

/// Looks an organisation up by id with no scope: for building a caller's own scope only.
pub async fn get_unscoped_for_auth(db: &impl ConnectionTrait, id: i64) -> Result<Option<Org>> {
    Orgs::find_by_id(id).one(db).await?.decode()
}

pub async fn by_uid(db: &impl ConnectionTrait, uid: &str) -> Result<Option<Org>> {
    Orgs::find().filter(org::Column::Uid.eq(uid)).one(db).await?.decode()
}

pub async fn by_code(db: &impl ConnectionTrait, code: &str) -> Result<Option<Org>> {
    Orgs::find().filter(org::Column::Code.eq(code)).one(db).await?.decode()
}

/// Renames an organisation in scope. Writes first (see `Store::begin_write`), then reads back.
pub async fn rename(db: &impl ConnectionTrait, scope: &Scope, id: i64, name: &str, now: DateTime<Utc>) -> Result<Org> {
    let res = Orgs::update_many()
        .col_expr(org::Column::Name, Expr::value(name))
        .col_expr(org::Column::UpdatedAt, Expr::value(now))
        .filter(org::Column::Id.eq(id))
        .filter(org_condition(scope))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    get(db, scope, id).await
}
