//! Accounts. Lists are scoped through the account's organisation; admins without one are only
//! visible to callers whose scope is everything.

use crate::entity::org;
use crate::entity::user::{self, Entity as Users};
use crate::rows::Decode;
use crate::scope::org_condition;
use crate::{Result, StoreError};
use anjian_domain::scope::Scope;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, JoinType, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, RelationTrait, Set,
};

pub use anjian_domain::account::User;
pub use anjian_domain::account::UserFilter;

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: String,
    pub org_id: Option<i64>,
    pub leader_code: Option<String>,
    pub position: Option<String>,
    pub must_change_password: bool,
}

fn row(new: NewUser, now: DateTime<Utc>) -> user::ActiveModel {
    user::ActiveModel {
        username: Set(new.username),
        display_name: Set(new.display_name),
        password_hash: Set(new.password_hash),
        role: Set(new.role),
        org_id: Set(new.org_id),
        leader_code: Set(new.leader_code),
        position: Set(new.position),
        must_change_password: Set(new.must_change_password),
        password_changed_at: Set(now),
        failed_logins: Set(0),
        locked_until: Set(None),
        totp_secret: Set(None),
        totp_last_step: Set(None),
        disabled: Set(false),
        signing_secret_hash: Set(None),
        signing_secret_required: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}

pub async fn insert(db: &impl ConnectionTrait, new: NewUser, now: DateTime<Utc>) -> Result<User> {
    row(new, now).insert(db).await?.decode()
}

/// Many accounts in one statement, for synthetic cities in benchmarks (no audit, no checks).
pub async fn insert_many_raw(db: &impl ConnectionTrait, rows: Vec<NewUser>, now: DateTime<Utc>) -> Result<()> {
    for chunk in rows.chunks(500) {
        let models = chunk.iter().cloned().map(|new| row(new, now));
        Users::insert_many(models).exec_without_returning(db).await?;
    }
    Ok(())
}

/// For authentication only: finds an account by name with no scope.
pub async fn by_username(db: &impl ConnectionTrait, username: &str) -> Result<Option<User>> {
    Users::find().filter(user::Column::Username.eq(username)).one(db).await?.decode()
}

/// For authentication only: the account behind a session or token.
pub async fn by_id_for_auth(db: &impl ConnectionTrait, id: i64) -> Result<Option<User>> {
    Users::find_by_id(id).one(db).await?.decode()
}

/// The names people go by (not their logins), by id: what a record's page shows for whoever
/// acted on it.
pub async fn display_names(db: &impl ConnectionTrait, ids: &[i64]) -> Result<std::collections::HashMap<i64, String>> {
    let rows: Vec<(i64, String)> = Users::find()
        .select_only()
        .column(user::Column::Id)
        .column(user::Column::DisplayName)
        .filter(user::Column::Id.is_in(ids.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

fn scoped(scope: &Scope) -> sea_orm::Select<Users> {
    match scope {
        Scope::All => Users::find(),
        s => Users::find().join(JoinType::InnerJoin, user::Relation::Org.def()).filter(org_condition(s)),
    }
}

fn filtered(scope: &Scope, f: &UserFilter) -> sea_orm::Select<Users> {
    let mut cond = Condition::all();
    if let Some(r) = &f.role {
        cond = cond.add(user::Column::Role.eq(r.as_str()));
    }
    if let Some(o) = f.org_id {
        cond = cond.add(user::Column::OrgId.eq(o));
    }
    if let Some(q) = f.q.as_deref().filter(|q| !q.is_empty()) {
        cond = cond.add(
            Condition::any()
                .add(crate::search::contains(user::Column::Username, q))
                .add(crate::search::contains(user::Column::DisplayName, q)),
        );
    }
    scoped(scope).filter(cond)
}

pub async fn list(
    db: &impl ConnectionTrait,
    scope: &Scope,
    f: &UserFilter,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<User>> {
    let mut q = filtered(scope, f);
    if let Some(a) = after {
        q = q.filter(user::Column::Id.gt(a));
    }
    q.order_by_asc(user::Column::Id).limit(limit).all(db).await?.decode()
}

pub async fn count(db: &impl ConnectionTrait, scope: &Scope, f: &UserFilter) -> Result<u64> {
    Ok(filtered(scope, f).count(db).await?)
}

pub async fn get(db: &impl ConnectionTrait, scope: &Scope, id: i64) -> Result<User> {
    scoped(scope).filter(user::Column::Id.eq(id)).one(db).await?.ok_or(StoreError::NotFound)?.decode()
}

/// Counts a failed login atomically and locks the account when the count reaches `max`.
/// Returns the count after this failure.
pub async fn record_failed_login(
    db: &impl ConnectionTrait,
    id: i64,
    max: i32,
    lock_until: DateTime<Utc>,
) -> Result<i32> {
    Users::update_many()
        .col_expr(user::Column::FailedLogins, Expr::col(user::Column::FailedLogins).add(1))
        .filter(user::Column::Id.eq(id))
        .exec(db)
        .await?;
    Users::update_many()
        .col_expr(user::Column::LockedUntil, Expr::value(Some(lock_until)))
        .filter(user::Column::Id.eq(id))
        .filter(user::Column::FailedLogins.gte(max))
        .exec(db)
        .await?;
    let u = Users::find_by_id(id).one(db).await?.ok_or(StoreError::NotFound)?;
    Ok(u.failed_logins)
}

pub async fn clear_failed_logins(db: &impl ConnectionTrait, id: i64) -> Result<()> {
    Users::update_many()
        .col_expr(user::Column::FailedLogins, Expr::value(0))
        .col_expr(user::Column::LockedUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(user::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn set_password(
    db: &impl ConnectionTrait,
    id: i64,
    hash: &str,
    must_change: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    let res = Users::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(hash))
        .col_expr(user::Column::MustChangePassword, Expr::value(must_change))
        .col_expr(user::Column::PasswordChangedAt, Expr::value(now))
        .col_expr(user::Column::FailedLogins, Expr::value(0))
        .col_expr(user::Column::LockedUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(id))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// After an admin's reset of an account that signs: the old signing secret is gone and the next
/// signature waits for a new one.
pub async fn require_new_signing_secret(db: &impl ConnectionTrait, id: i64, now: DateTime<Utc>) -> Result<()> {
    Users::update_many()
        .col_expr(user::Column::SigningSecretHash, Expr::value(Option::<String>::None))
        .col_expr(user::Column::SigningSecretRequired, Expr::value(true))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn set_signing_secret(db: &impl ConnectionTrait, id: i64, hash: &str, now: DateTime<Utc>) -> Result<()> {
    Users::update_many()
        .col_expr(user::Column::SigningSecretHash, Expr::value(Some(hash.to_owned())))
        .col_expr(user::Column::SigningSecretRequired, Expr::value(false))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Second-factor secrets stored plain (no sealing scheme before them), by account.
pub async fn plain_totp_secrets(db: &impl ConnectionTrait) -> Result<Vec<(i64, String)>> {
    Ok(Users::find()
        .filter(user::Column::TotpSecret.is_not_null())
        .filter(user::Column::TotpSecret.not_like("%:%"))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|u| Some((u.id, u.totp_secret?)))
        .collect())
}

/// Rewrites how a secret is kept (sealing it), leaving the spent steps as they are.
pub async fn replace_totp_secret_text(db: &impl ConnectionTrait, id: i64, text: &str) -> Result<()> {
    Users::update_many()
        .col_expr(user::Column::TotpSecret, Expr::value(Some(text.to_owned())))
        .filter(user::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn set_totp_secret(
    db: &impl ConnectionTrait,
    id: i64,
    secret: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    Users::update_many()
        .col_expr(user::Column::TotpSecret, Expr::value(secret.map(str::to_owned)))
        .col_expr(user::Column::TotpLastStep, Expr::value(Option::<i64>::None))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Marks a TOTP time step as used. Returns false if this step (or a later one) was used
/// already: each code is good once, even when two requests race with it.
pub async fn consume_totp_step(db: &impl ConnectionTrait, id: i64, step: i64) -> Result<bool> {
    let res = Users::update_many()
        .col_expr(user::Column::TotpLastStep, Expr::value(Some(step)))
        .filter(user::Column::Id.eq(id))
        .filter(Condition::any().add(user::Column::TotpLastStep.is_null()).add(user::Column::TotpLastStep.lt(step)))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Whether any account exists at all (the first start creates the admin).
pub async fn any(db: &impl ConnectionTrait) -> Result<bool> {
    Ok(Users::find().one(db).await?.is_some())
}

/// The organisation a user belongs to, if any; for computing their scope.
pub async fn org_of(db: &impl ConnectionTrait, user: &User) -> Result<Option<crate::orgs::Org>> {
    match user.org_id {
        Some(id) => crate::orgs::get_unscoped_for_auth(db, id).await,
        None => Ok(None),
    }
}

/// Active accounts of an organisation holding one of `roles` (for notices about its own sites).
pub async fn of_org_with_roles(db: &impl ConnectionTrait, org_id: i64, roles: &[&str]) -> Result<Vec<i64>> {
    Ok(Users::find()
        .select_only()
        .column(user::Column::Id)
        .filter(user::Column::OrgId.eq(org_id))
        .filter(user::Column::Role.is_in(roles.iter().copied()))
        .order_by_asc(user::Column::Id)
        .into_tuple()
        .all(db)
        .await?)
}

/// Accounts holding one of `roles` at the bureaus (regulators) whose area contains
/// `jurisdiction_path`: the county's, and the city's above it.
pub async fn of_bureaus_over(db: &impl ConnectionTrait, jurisdiction_path: &str, roles: &[&str]) -> Result<Vec<i64>> {
    // A bureau's staff sit in the bureau itself or in one of its departments (科室).
    let bureaus: Vec<(i64, String)> = org::Entity::find()
        .select_only()
        .column(org::Column::Id)
        .column(org::Column::JurisdictionPath)
        .filter(org::Column::Kind.is_in(["regulator", "department"]))
        .into_tuple()
        .all(db)
        .await?;
    let ids: Vec<i64> =
        bureaus.into_iter().filter(|(_, p)| jurisdiction_path.starts_with(p.as_str())).map(|(id, _)| id).collect();
    Ok(Users::find()
        .select_only()
        .column(user::Column::Id)
        .filter(user::Column::OrgId.is_in(ids))
        .filter(user::Column::Role.is_in(roles.iter().copied()))
        .order_by_asc(user::Column::Id)
        .into_tuple()
        .all(db)
        .await?)
}
