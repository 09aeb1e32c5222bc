//! Organisations: created inside the caller's jurisdiction, idempotently; listed by scope.

use crate::audit::entry;
use crate::crypto::digest_json;
use crate::{Actor, App, AppError, FieldError, Result};
use anjian_domain::org::OrgKind;
use anjian_domain::role::Permission;
use anjian_store::orgs::{self, NewOrg, Org, OrgFilter};
use anjian_store::{jurisdictions, sites};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct CreateOrg {
    pub name: String,
    pub kind: String,
    pub jurisdiction_id: i64,
    pub parent_id: Option<i64>,
    pub park_id: Option<i64>,
    pub industry: Option<String>,
    pub address: Option<String>,
}

/// The result of a create: the record, and whether it was made now or by an earlier request
/// with the same idempotency key.
#[derive(Debug, Clone)]
pub struct Created<T> {
    pub value: T,
    pub replayed: bool,
}

/// Checks an idempotency key: a UUID, which becomes the record's permanent id.
pub fn parse_idempotency_key(key: &str) -> Result<String> {
    uuid_like(key).then(|| key.to_ascii_lowercase()).ok_or_else(|| AppError::invalid("Idempotency-Key", "invalid_uuid"))
}

fn uuid_like(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

impl App {
    /// Creates a supervised organisation in the caller's scope. With an idempotency key, a
    /// replay returns the record made the first time; the same key with another body is refused.
    #[tracing::instrument(skip_all)]
    pub async fn create_org(
        &self,
        actor: &Actor,
        input: CreateOrg,
        idempotency_key: Option<&str>,
    ) -> Result<Created<Org>> {
        actor.require(Permission::ManageOrgs)?;
        let uid = match idempotency_key {
            Some(k) => parse_idempotency_key(k)?,
            None => uuid::Uuid::new_v4().to_string(),
        };
        let digest = digest_json(&input);
        if let Some(existing) = orgs::by_uid(&self.store.db, &uid).await? {
            return replay(actor, existing, &digest);
        }
        let mut errors = Vec::new();
        let name = input.name.trim().to_owned();
        errors.extend(FieldError::text("name", &name, 100));
        // Kinds and industries are the plan's words: one it does not declare is refused.
        let vocabulary = self.vocabulary().await;
        match OrgKind::known(&input.kind) {
            Some(k) if k.is_supervised() && vocabulary.knows_org_kind(k) => {}
            _ => errors.push(FieldError::new("kind", "invalid_kind")),
        }
        if let Some(i) = input.industry.as_deref().filter(|i| !i.is_empty()) {
            if anjian_domain::org::Industry::known(i).and_then(|i| vocabulary.industry(i)).is_none() {
                errors.push(FieldError::new("industry", "invalid_kind"));
            }
        }
        // Outside the caller's scope, a jurisdiction or parent does not exist for them.
        let jurisdiction = jurisdictions::by_id(&self.store.db, input.jurisdiction_id)
            .await?
            .filter(|j| actor.scope.admits_jurisdiction(&j.path));
        if jurisdiction.is_none() {
            errors.push(FieldError::new("jurisdiction_id", "not_found"));
        }
        let parent = match input.parent_id {
            Some(id) => match orgs::get(&self.store.db, &actor.scope, id).await {
                Ok(p) => Some(p),
                Err(_) => {
                    errors.push(FieldError::new("parent_id", "not_found"));
                    None
                }
            },
            None => None,
        };
        if let Some(park) = input.park_id {
            match orgs::get(&self.store.db, &actor.scope, park).await {
                Ok(p) if p.kind == OrgKind::PARK.as_str() => {}
                _ => errors.push(FieldError::new("park_id", "not_found")),
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let txn = self.store.begin_write().await?;
        let inserted = orgs::insert(
            &*txn,
            NewOrg {
                parent,
                park_id: input.park_id,
                industry: input.industry.clone(),
                address: input.address.clone(),
                request_digest: Some(digest.clone()),
                ..NewOrg::new(uid.clone(), name, &input.kind, jurisdiction.expect("checked above"))
            },
            self.clock.now(),
        )
        .await;
        let org = match inserted {
            Ok(o) => o,
            // Another request with the same key won the race: answer as a replay.
            Err(anjian_store::StoreError::Conflict(_)) => {
                drop(txn);
                let existing = orgs::by_uid(&self.store.db, &uid).await?.ok_or(AppError::Conflict("uid"))?;
                return replay(actor, existing, &digest);
            }
            Err(e) => return Err(e.into()),
        };
        let mut e = entry(Some(actor), "org.create", "org", org.id);
        e.after_digest = Some(digest_json(&org));
        self.record(&*txn, e).await?;
        txn.commit().await?;
        self.world_changed();
        Ok(Created { value: org, replayed: false })
    }

    pub async fn rename_org(&self, actor: &Actor, id: i64, name: &str) -> Result<Org> {
        actor.require(Permission::ManageOrgs).map_err(|_| AppError::NotFound)?;
        let name = name.trim();
        if let Some(e) = FieldError::text("name", name, 100) {
            return Err(AppError::Invalid(vec![e]));
        }
        let txn = self.store.begin_write().await?;
        let before = orgs::get(&*txn, &actor.scope, id).await?;
        let after = orgs::rename(&*txn, &actor.scope, id, name, self.clock.now()).await?;
        let mut e = entry(Some(actor), "org.rename", "org", id);
        e.before_digest = Some(digest_json(&before));
        e.after_digest = Some(digest_json(&after));
        self.record(&*txn, e).await?;
        txn.commit().await?;
        self.world_changed();
        Ok(after)
    }

    pub async fn list_orgs(&self, actor: &Actor, f: &OrgFilter, after: Option<i64>, limit: u64) -> Result<Vec<Org>> {
        actor.require(Permission::ViewOrgs)?;
        Ok(orgs::list(&self.store.db, &actor.scope, f, after, limit.clamp(1, 500)).await?)
    }

    /// The organisation a form's field names, by name, 统一社会信用代码 or number, within the
    /// caller's scope: an exact name or code wins; otherwise the one organisation whose name
    /// contains the text; none is `not_found`, several `org_ambiguous` (pick one of them).
    pub async fn pick_org(&self, actor: &Actor, text: &str, field: &str) -> Result<i64> {
        let text = text.trim();
        if text.is_empty() {
            return Err(AppError::invalid(field, "required"));
        }
        if let Ok(id) = text.parse::<i64>() {
            if orgs::get(&self.store.db, &actor.scope, id).await.is_ok() {
                return Ok(id);
            }
        }
        let found =
            self.list_orgs(actor, &OrgFilter { q: Some(text.to_owned()), ..Default::default() }, None, 20).await?;
        let exact = found.iter().find(|o| o.name == text || o.code.as_deref() == Some(text));
        match (exact, found.as_slice()) {
            (Some(o), _) => Ok(o.id),
            (None, [one]) => Ok(one.id),
            (None, []) => Err(AppError::invalid(field, "not_found")),
            (None, _) => Err(AppError::invalid(field, "org_ambiguous")),
        }
    }

    pub async fn count_orgs(&self, actor: &Actor, f: &OrgFilter) -> Result<u64> {
        actor.require(Permission::ViewOrgs)?;
        Ok(orgs::count(&self.store.db, &actor.scope, f).await?)
    }

    /// The names of those among `ids` the caller may see (the others are absent).
    pub async fn org_names(
        &self,
        actor: &Actor,
        ids: impl IntoIterator<Item = i64>,
    ) -> Result<std::collections::HashMap<i64, String>> {
        if actor.require(Permission::ViewOrgs).is_err() {
            return Ok(Default::default());
        }
        let ids: std::collections::BTreeSet<i64> = ids.into_iter().collect();
        Ok(orgs::names(&self.store.db, &actor.scope, &ids.into_iter().collect::<Vec<_>>()).await?)
    }

    pub async fn get_org(&self, actor: &Actor, id: i64) -> Result<(Org, Vec<sites::Site>)> {
        actor.require(Permission::ViewOrgs).map_err(|_| AppError::NotFound)?;
        let org = orgs::get(&self.store.db, &actor.scope, id).await?;
        let sites = sites::of_org(&self.store.db, &actor.scope, id).await?;
        Ok((org, sites))
    }

    /// Jurisdictions the caller can see (for filters and the org tree).
    pub async fn visible_jurisdictions(&self, actor: &Actor) -> Result<Vec<jurisdictions::Jurisdiction>> {
        let all = jurisdictions::all(&self.store.db).await?;
        Ok(match &actor.scope {
            anjian_domain::scope::Scope::All => all,
            anjian_domain::scope::Scope::Jurisdiction { path } => {
                all.into_iter().filter(|j| j.path.starts_with(path.as_str())).collect()
            }
            _ => match &actor.org {
                Some(o) => all.into_iter().filter(|j| j.id == o.jurisdiction_id).collect(),
                None => Vec::new(),
            },
        })
    }

    /// The areas a bureau's figures are broken down by: the jurisdictions one level under the
    /// top of what the reader sees inside `within` (a city's counties, a province's
    /// prefectures), or the top ones themselves when nothing lies under them.
    pub async fn areas(&self, actor: &Actor, within: Option<&str>) -> Result<Vec<jurisdictions::Jurisdiction>> {
        let seen: Vec<_> = self
            .visible_jurisdictions(actor)
            .await?
            .into_iter()
            .filter(|j| within.is_none_or(|w| j.path.starts_with(w)))
            .collect();
        Ok(areas_of(seen))
    }
}

/// See [`App::areas`].
pub fn areas_of(seen: Vec<jurisdictions::Jurisdiction>) -> Vec<jurisdictions::Jurisdiction> {
    let depth = |j: &jurisdictions::Jurisdiction| j.path.matches('/').count();
    let Some(top) = seen.iter().map(depth).min() else { return seen };
    let below = if seen.iter().any(|j| depth(j) == top + 1) { top + 1 } else { top };
    seen.into_iter().filter(|j| depth(j) == below).collect()
}

/// The uid a create takes: the client's idempotency key, or a fresh one.
pub fn uid_for(key: Option<&str>) -> Result<String> {
    match key {
        Some(k) => parse_idempotency_key(k),
        None => Ok(uuid::Uuid::new_v4().to_string()),
    }
}

/// A create sent again under the same key: the same author with the same body gets the record
/// back (a retry from a phone); anything else is refused rather than silently merged.
pub fn replayed<T>(existing: T, same_author: bool, stored: Option<&str>, digest: &str) -> Result<Created<T>> {
    if same_author && stored == Some(digest) {
        Ok(Created { value: existing, replayed: true })
    } else {
        Err(AppError::IdempotencyMismatch)
    }
}

fn replay(actor: &Actor, existing: Org, digest: &str) -> Result<Created<Org>> {
    let visible = actor.scope.admits(existing.id, &existing.jurisdiction_path, &existing.org_path, existing.park_id);
    if visible && existing.request_digest.as_deref() == Some(digest) {
        Ok(Created { value: existing, replayed: true })
    } else {
        Err(AppError::IdempotencyMismatch)
    }
}

impl App {
    /// The path a list filters on for "inside this jurisdiction". An unknown jurisdiction must
    /// match nothing, not everything, so it becomes a path no row has.
    pub async fn jurisdiction_filter(&self, id: Option<i64>) -> Result<Option<String>> {
        match id {
            None => Ok(None),
            Some(id) => {
                Ok(Some(jurisdictions::by_id(&self.store.db, id).await?.map_or_else(|| "/-/".to_owned(), |j| j.path)))
            }
        }
    }

    /// The same, for a jurisdiction named by its code (a county in a page's filter).
    pub async fn jurisdiction_filter_by_code(&self, code: &str) -> Result<String> {
        Ok(jurisdictions::by_code(&self.store.db, code).await?.map_or_else(|| "/-/".to_owned(), |j| j.path))
    }

    pub async fn jurisdiction(&self, id: i64) -> Result<Option<jurisdictions::Jurisdiction>> {
        Ok(jurisdictions::by_id(&self.store.db, id).await?)
    }
}
