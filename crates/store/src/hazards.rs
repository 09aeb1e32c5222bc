//! Hazards: the current state row, its append-only events and governance plans.

use crate::entity::hazard::{self, Entity as Hazards};
use crate::entity::{hazard_event, hazard_plan};
use crate::hazard_counts::{self, CountKey};
use crate::rows::Decode;
use crate::scope::copied_paths;
use crate::{Result, StoreError};
use anjian_domain::hazard::HazardState;
use anjian_domain::money::Fen;
use anjian_domain::scope::Scope;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

pub use anjian_domain::hazard::Hazard;
pub use anjian_domain::hazard::HazardEvent;
pub use anjian_domain::hazard::HazardFilter;
pub use anjian_domain::hazard::HazardPlan;
pub use anjian_domain::hazard::PlanParts;

fn scoped(scope: &Scope) -> sea_orm::Select<Hazards> {
    Hazards::find().filter(copied_paths(
        scope,
        hazard::Column::JurisdictionPath,
        hazard::Column::OrgPath,
        hazard::Column::OrgId,
    ))
}

#[derive(Debug, Clone)]
pub struct NewHazard {
    pub uid: String,
    pub org: crate::orgs::Org,
    pub point_id: Option<i64>,
    pub inspection_id: Option<i64>,
    pub source: String,
    pub description: String,
    pub grade: String,
    pub category: Option<String>,
    pub measures: String,
    pub funds_fen: Fen,
    pub owner: String,
    pub deadline: Option<DateTime<Utc>>,
    pub state: HazardState,
    pub discovered_at: DateTime<Utc>,
    pub discovered_by: i64,
    pub request_digest: Option<String>,
    /// Already closed when written — past records loaded in bulk: when, and by whom.
    pub closed: Option<(DateTime<Utc>, i64)>,
}

fn active(n: NewHazard, now: DateTime<Utc>) -> hazard::ActiveModel {
    hazard::ActiveModel {
        uid: Set(n.uid),
        org_id: Set(n.org.id),
        jurisdiction_path: Set(n.org.jurisdiction_path),
        org_path: Set(n.org.org_path),
        point_id: Set(n.point_id),
        inspection_id: Set(n.inspection_id),
        source: Set(n.source),
        description: Set(n.description),
        grade: Set(n.grade),
        category: Set(n.category),
        measures: Set(n.measures),
        funds_fen: Set(n.funds_fen.fen()),
        owner: Set(n.owner),
        deadline: Set(n.deadline),
        state: Set(n.state.as_str().to_owned()),
        has_plan: Set(false),
        fixed_by: Set(None),
        discovered_at: Set(n.discovered_at),
        discovered_by: Set(n.discovered_by),
        closed_at: Set(n.closed.map(|c| c.0)),
        closed_by: Set(n.closed.map(|c| c.1)),
        request_digest: Set(n.request_digest),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}

pub async fn insert(db: &impl ConnectionTrait, n: NewHazard, now: DateTime<Utc>) -> Result<Hazard> {
    let found = CountKey::of(&n.org, n.discovered_at, &n.grade);
    let closed = n.closed.map(|(at, _)| CountKey::of(&n.org, at, &n.grade));
    let h = active(n, now).insert(db).await?;
    hazard_counts::add(db, found, 1, 0).await?;
    if let Some(key) = closed {
        hazard_counts::add(db, key, 0, 1).await?;
    }
    h.decode()
}

pub async fn get(db: &impl ConnectionTrait, scope: &Scope, id: i64) -> Result<Hazard> {
    scoped(scope).filter(hazard::Column::Id.eq(id)).one(db).await?.ok_or(StoreError::NotFound)?.decode()
}

/// The hazards among `ids` that are in `scope`.
pub async fn by_ids(db: &impl ConnectionTrait, scope: &Scope, ids: &[i64]) -> Result<Vec<Hazard>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        out.extend(scoped(scope).filter(hazard::Column::Id.is_in(chunk.iter().copied())).all(db).await?.decode()?);
    }
    Ok(out)
}

pub async fn by_uid(db: &impl ConnectionTrait, uid: &str) -> Result<Option<Hazard>> {
    Hazards::find().filter(hazard::Column::Uid.eq(uid)).one(db).await?.decode()
}

/// Filed and not yet closed (a draft is not filed). Named, not "not closed or draft": an index
/// whose first column is the state can then read just these.
const OPEN_STATES: [HazardState; 3] =
    [HazardState::Reported, HazardState::Rectifying, HazardState::AwaitingVerification];

fn filtered(scope: &Scope, f: &HazardFilter) -> sea_orm::Select<Hazards> {
    scoped(scope).filter(condition(f))
}

/// The filter as a condition, without the scope.
fn condition(f: &HazardFilter) -> Condition {
    let mut c = Condition::all();
    if f.with_plan {
        c = c.add(hazard::Column::HasPlan.eq(true));
    }
    if let Some(o) = f.org_id {
        c = c.add(hazard::Column::OrgId.eq(o));
    }
    if let Some(s) = &f.state {
        c = c.add(hazard::Column::State.eq(s.as_str()));
    }
    if let Some(g) = &f.grade {
        c = c.add(hazard::Column::Grade.eq(g.as_str()));
    }
    if f.open_only || f.overdue_at.is_some() {
        c = c.add(hazard::Column::State.is_in(OPEN_STATES.map(HazardState::as_str)));
    }
    if let Some(now) = f.overdue_at {
        c = c.add(hazard::Column::Deadline.lt(now));
    }
    if let Some(s) = f.since {
        c = c.add(hazard::Column::DiscoveredAt.gte(s));
    }
    if let Some(u) = f.until {
        c = c.add(hazard::Column::DiscoveredAt.lt(u));
    }
    if let Some(s) = f.closed_since {
        c = c.add(hazard::Column::ClosedAt.gte(s));
    }
    if let Some(u) = f.closed_until {
        c = c.add(hazard::Column::ClosedAt.lt(u));
    }
    if let Some(q) = f.q.as_deref().filter(|q| !q.is_empty()) {
        c = c.add(crate::search::contains(hazard::Column::Description, q));
    }
    if let Some(p) = &f.jurisdiction_path {
        c = c.add(hazard::Column::JurisdictionPath.starts_with(p));
    }
    if let Some(i) = &f.industry {
        c = c.add(
            hazard::Column::OrgId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(crate::entity::org::Column::Id)
                    .from(crate::entity::org::Entity)
                    .and_where(crate::entity::org::Column::Industry.eq(i.as_str()))
                    .to_owned(),
            ),
        );
    }
    c
}

/// Many counts in one pass over the hazards in scope that match `within`: for each filter, how
/// many match. A cockpit asks dozens of questions of the same rows; one scan answers them all.
pub async fn tallies(
    db: &impl ConnectionTrait,
    scope: &Scope,
    within: &HazardFilter,
    filters: &[HazardFilter],
) -> Result<Vec<u64>> {
    use sea_orm::sea_query::{Expr, Func, SimpleExpr};
    use sea_orm::QueryTrait;
    if filters.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = filtered(scope, within).select_only();
    for (i, f) in filters.iter().enumerate() {
        let case: SimpleExpr = Expr::case(condition(f), Expr::val(1)).finally(Expr::val(0)).into();
        q = q.expr_as(Func::coalesce([Func::sum(case).into(), Expr::val(0).into()]), format!("t{i}"));
    }
    // Read by position as integers: SQLite gives a computed column no declared type.
    let row = db.query_one(q.build(db.get_database_backend())).await?;
    Ok((0..filters.len())
        .map(|i| row.as_ref().and_then(|r| r.try_get_by_index::<i64>(i).ok()).unwrap_or(0).max(0) as u64)
        .collect())
}

/// Newest first, by id below the cursor.
pub async fn list(
    db: &impl ConnectionTrait,
    scope: &Scope,
    f: &HazardFilter,
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<Hazard>> {
    let mut q = filtered(scope, f);
    if let Some(b) = before {
        q = q.filter(hazard::Column::Id.lt(b));
    }
    q.order_by_desc(hazard::Column::Id).limit(limit).all(db).await?.decode()
}

pub async fn count(db: &impl ConnectionTrait, scope: &Scope, f: &HazardFilter) -> Result<u64> {
    Ok(filtered(scope, f).count(db).await?)
}

/// Every hazard of an organisation discovered before `until` that was still open at `since` or
/// discovered after it: the items of that period's list.
pub async fn for_ledger(
    db: &impl ConnectionTrait,
    org_id: i64,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<Hazard>> {
    Hazards::find()
        .filter(hazard::Column::OrgId.eq(org_id))
        .filter(hazard::Column::DiscoveredAt.lt(until))
        .filter(hazard::Column::State.ne("draft"))
        .filter(Condition::any().add(hazard::Column::ClosedAt.is_null()).add(hazard::Column::ClosedAt.gte(since)))
        .order_by_asc(hazard::Column::DiscoveredAt)
        .order_by_asc(hazard::Column::Id)
        .all(db)
        .await?
        .decode()
}

/// The new state after a transition, written only if the hazard is still in `from` (another
/// request may have moved it meanwhile).
#[derive(Debug, Clone)]
pub struct StateChange {
    pub from: HazardState,
    pub to: HazardState,
    pub has_plan: bool,
    pub fixed_by: Option<i64>,
    pub closed: Option<(DateTime<Utc>, i64)>,
}

/// Moves a hazard's deadline from `from` to `to`; refused (a conflict) when someone changed it
/// meanwhile.
pub async fn set_deadline(
    db: &impl ConnectionTrait,
    id: i64,
    from: Option<DateTime<Utc>>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut q = Hazards::update_many()
        .col_expr(hazard::Column::Deadline, Expr::value(to))
        .col_expr(hazard::Column::UpdatedAt, Expr::value(now))
        .filter(hazard::Column::Id.eq(id));
    q = match from {
        Some(f) => q.filter(hazard::Column::Deadline.eq(f)),
        None => q.filter(hazard::Column::Deadline.is_null()),
    };
    if q.exec(db).await?.rows_affected != 1 {
        return Err(StoreError::Conflict("hazard deadline changed meanwhile".into()));
    }
    Ok(())
}

pub async fn change_state(db: &impl ConnectionTrait, id: i64, c: &StateChange, now: DateTime<Utc>) -> Result<()> {
    let res = Hazards::update_many()
        .col_expr(hazard::Column::State, Expr::value(c.to.as_str()))
        .col_expr(hazard::Column::HasPlan, Expr::value(c.has_plan))
        .col_expr(hazard::Column::FixedBy, Expr::value(c.fixed_by))
        .col_expr(hazard::Column::ClosedAt, Expr::value(c.closed.map(|x| x.0)))
        .col_expr(hazard::Column::ClosedBy, Expr::value(c.closed.map(|x| x.1)))
        .col_expr(hazard::Column::UpdatedAt, Expr::value(now))
        .filter(hazard::Column::Id.eq(id))
        .filter(hazard::Column::State.eq(c.from.as_str()))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::Conflict("hazard state changed meanwhile".into()));
    }
    if let (Some((at, _)), false) = (c.closed, c.from == HazardState::Closed) {
        let h = Hazards::find_by_id(id).one(db).await?.ok_or(StoreError::NotFound)?;
        let org = crate::orgs::get_unscoped_for_auth(db, h.org_id).await?.ok_or(StoreError::NotFound)?;
        // The jurisdiction the hazard was filed under, whatever has happened to the organisation.
        let key = CountKey { jurisdiction_path: h.jurisdiction_path, ..CountKey::of(&org, at, &h.grade) };
        hazard_counts::add(db, key, 0, 1).await?;
    }
    Ok(())
}

/// One event to record with [`insert_events`].
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub hazard_id: i64,
    pub action: &'static str,
    pub from: HazardState,
    pub to: HazardState,
    pub actor_id: i64,
    pub actor: String,
    pub at: DateTime<Utc>,
}

/// Records a generated history's events in one statement per 500 (the demo city's hazards).
pub async fn insert_events(db: &impl ConnectionTrait, events: &[NewEvent]) -> Result<()> {
    for chunk in events.chunks(500) {
        hazard_event::Entity::insert_many(chunk.iter().map(|e| hazard_event::ActiveModel {
            hazard_id: Set(e.hazard_id),
            action: Set(e.action.to_owned()),
            from_state: Set(e.from.as_str().to_owned()),
            to_state: Set(e.to.as_str().to_owned()),
            actor_id: Set(e.actor_id),
            actor: Set(e.actor.clone()),
            at: Set(e.at),
            reason: Set(String::new()),
            ..Default::default()
        }))
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

#[expect(clippy::too_many_arguments, reason = "one row, one column each")]
pub async fn insert_event(
    db: &impl ConnectionTrait,
    hazard_id: i64,
    action: &str,
    from: HazardState,
    to: HazardState,
    actor_id: i64,
    actor: &str,
    reason: &str,
    at: DateTime<Utc>,
) -> Result<HazardEvent> {
    hazard_event::ActiveModel {
        hazard_id: Set(hazard_id),
        action: Set(action.to_owned()),
        from_state: Set(from.as_str().to_owned()),
        to_state: Set(to.as_str().to_owned()),
        actor_id: Set(actor_id),
        actor: Set(actor.to_owned()),
        at: Set(at),
        reason: Set(reason.to_owned()),
        ..Default::default()
    }
    .insert(db)
    .await?
    .decode()
}

pub async fn events_of(db: &impl ConnectionTrait, hazard_id: i64) -> Result<Vec<HazardEvent>> {
    hazard_event::Entity::find()
        .filter(hazard_event::Column::HazardId.eq(hazard_id))
        .order_by_asc(hazard_event::Column::Id)
        .all(db)
        .await?
        .decode()
}

pub async fn insert_plan(
    db: &impl ConnectionTrait,
    hazard_id: i64,
    p: &PlanParts,
    by: i64,
    now: DateTime<Utc>,
) -> Result<HazardPlan> {
    hazard_plan::ActiveModel {
        hazard_id: Set(hazard_id),
        goals: Set(p.goals.clone()),
        measures: Set(p.measures.clone()),
        funds_materials: Set(p.funds_materials.clone()),
        responsible: Set(p.responsible.clone()),
        time_limit: Set(p.time_limit.clone()),
        safety_emergency: Set(p.safety_emergency.clone()),
        suspends_work: Set(p.suspends_work),
        created_by: Set(by),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?
    .decode()
}

/// The latest governance plan of a hazard.
pub async fn plan_of(db: &impl ConnectionTrait, hazard_id: i64) -> Result<Option<HazardPlan>> {
    hazard_plan::Entity::find()
        .filter(hazard_plan::Column::HazardId.eq(hazard_id))
        .order_by_desc(hazard_plan::Column::Id)
        .limit(1)
        .one(db)
        .await?
        .decode()
}

/// Inserts many hazards in one statement (benchmarks and bulk loads; no events, no audit).
pub async fn insert_many_raw(db: &impl ConnectionTrait, rows: Vec<NewHazard>, now: DateTime<Utc>) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    // Found and closed per key, added once per key rather than per row.
    let mut counts: std::collections::HashMap<CountKey, (i64, i64)> = Default::default();
    for n in &rows {
        counts.entry(CountKey::of(&n.org, n.discovered_at, &n.grade)).or_default().0 += 1;
        if let Some((at, _)) = n.closed {
            counts.entry(CountKey::of(&n.org, at, &n.grade)).or_default().1 += 1;
        }
    }
    Hazards::insert_many(rows.into_iter().map(|n| active(n, now))).exec_without_returning(db).await?;
    for (key, (found, closed)) in counts {
        hazard_counts::add(db, key, found, closed).await?;
    }
    Ok(())
}
