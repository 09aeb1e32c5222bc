//! Accounts: created by an admin inside their scope, reset by an admin, listed by scope.

use crate::audit::entry;
use crate::crypto::digest_json;
use crate::{Actor, App, AppError, FieldError, Result};
use anjian_domain::role::{Grant, Permission, Role};
use anjian_store::account_requests::{self, AccountRequest, NewRequest};
use anjian_store::users::{self, NewUser, User, UserFilter};
use anjian_store::{orgs, sessions, Db};
use chrono::{DateTime, Utc};
use rand::seq::SliceRandom;
use rand::Rng;

/// The password hash of an account on record that cannot sign in yet: no password verifies
/// against it (it is not a hash), so the first sign-in follows an administrator's reset, which
/// issues a one-time password.
pub const NO_PASSWORD_YET: &str = "!no-password-yet";

#[derive(Debug, Clone)]
pub struct CreateUser {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub org_id: Option<i64>,
    pub leader_code: Option<String>,
    /// `bureau_head` (部门负责人) or `liaison_leader` (包联领导), for bureau accounts.
    pub position: Option<String>,
}

/// A one-time password that meets the policy: four groups of four from an alphabet without
/// look-alikes (no 0/O, 1/l/I), joined by '-'.
pub fn generate_password() -> String {
    const LOWER: &[u8] = b"abcdefghijkmnpqrstuvwxyz";
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const DIGIT: &[u8] = b"23456789";
    let mut rng = rand::rngs::OsRng;
    let all: Vec<u8> = [LOWER, UPPER, DIGIT].concat();
    let mut chars: Vec<u8> = (0..13).map(|_| all[rng.gen_range(0..all.len())]).collect();
    for set in [LOWER, UPPER, DIGIT] {
        chars.push(set[rng.gen_range(0..set.len())]);
    }
    chars.shuffle(&mut rng);
    let s = String::from_utf8(chars).expect("ascii");
    format!("{}-{}-{}-{}", &s[0..4], &s[4..8], &s[8..12], &s[12..16])
}

fn validate_username(u: &str) -> Result<()> {
    let ok = (3..=32).contains(&u.len())
        && u.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        && u.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(AppError::invalid("username", "invalid_username"))
    }
}

/// An account's checked particulars, ready to be stored.
struct Checked {
    username: String,
    display_name: String,
    role: Role,
    org_id: Option<i64>,
    leader_code: Option<String>,
    position: Option<String>,
}

/// What a request to create or reset an account came to.
#[derive(Debug, Clone)]
pub enum AccountOutcome {
    /// Done: the account and its one-time password (shown once).
    Done { user: User, one_time_password: String },
    /// Waiting for a second admin's approval (a tip custodian's account).
    Requested(AccountRequest),
}

impl App {
    /// Validates a new account's particulars; the organisation must be in the creator's scope.
    async fn check_new_account(&self, actor: Option<&Actor>, input: CreateUser) -> Result<Checked> {
        let mut errors = Vec::new();
        let username = input.username.trim().to_owned();
        if let Err(AppError::Invalid(mut e)) = validate_username(&username) {
            errors.append(&mut e);
        }
        let display = input.display_name.trim().to_owned();
        errors.extend(FieldError::text("display_name", &display, 64));
        let role: Option<Role> = input.role.parse().ok();
        if role.is_none() {
            errors.push(FieldError::new("role", "invalid_role"));
        }
        let position = input.position.filter(|p| !p.is_empty());
        if let Some(p) = &position {
            let bureau = role.is_some_and(|r| r.is_bureau());
            if anjian_store::activities::parse_position(p).is_none() || !bureau {
                errors.push(FieldError::new("position", "invalid_position"));
            }
        }
        let leader_code = input.leader_code.filter(|s| !s.is_empty());
        if let Some(code) = &leader_code {
            if let Ok(plan) = self.current_plan().await {
                if plan.leader(code).is_none() {
                    errors.push(FieldError::new("leader_code", "unknown_leader"));
                }
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let role = role.expect("checked above");
        // Organisation: must be in the creator's scope; bureau and enterprise roles need one.
        let org = match input.org_id {
            Some(id) => Some(match actor {
                Some(a) => orgs::get(&self.store.db, &a.scope, id)
                    .await
                    .map_err(|_| AppError::invalid("org_id", "not_found"))?,
                None => orgs::get_unscoped_for_auth(&self.store.db, id)
                    .await?
                    .ok_or_else(|| AppError::invalid("org_id", "not_found"))?,
            }),
            None => None,
        };
        if org.is_none() && role.scope_basis() != anjian_domain::role::ScopeBasis::Everything {
            return Err(AppError::invalid("org_id", "required"));
        }
        Ok(Checked { username, display_name: display, role, org_id: org.map(|o| o.id), leader_code, position })
    }

    /// Stores a checked account with a one-time password, inside the caller's transaction.
    async fn insert_account(
        &self,
        db: &impl Db,
        actor: Option<&Actor>,
        c: Checked,
        registered: DateTime<Utc>,
    ) -> Result<(User, String)> {
        let pw = generate_password();
        let hash = self.crypto.hash_password(&pw);
        let user = users::insert(
            db,
            NewUser {
                username: c.username,
                display_name: c.display_name,
                password_hash: hash,
                role: c.role.as_str().to_owned(),
                org_id: c.org_id,
                leader_code: c.leader_code,
                position: c.position,
                must_change_password: true,
            },
            registered,
        )
        .await
        .map_err(|e| match e {
            anjian_store::StoreError::Conflict(_) => AppError::invalid("username", "taken"),
            e => e.into(),
        })?;
        let mut e = entry(actor, "user.create", "user", user.id);
        e.after_digest = Some(digest_json(&(user.id, &user.username, &user.role, user.org_id)));
        e.detail = format!("role={}", user.role);
        self.record(db, e).await?;
        Ok((user, pw))
    }

    /// Creates an account with a one-time password the user must change at first login.
    /// Returns the account and that password (shown once). From the command line (no actor)
    /// any role; from an admin only what the role-creation table says yes to.
    #[tracing::instrument(skip_all, fields(role = %input.role))]
    pub async fn create_user(&self, actor: Option<&Actor>, input: CreateUser) -> Result<(User, String)> {
        let checked = self.check_new_account(actor, input).await?;
        if let Some(a) = actor {
            a.require(Permission::ManageUsers)?;
            if a.role.grant(checked.role) != Grant::Yes {
                return Err(AppError::Forbidden);
            }
        }
        let txn = self.store.begin_write().await?;
        let made = self.insert_account(&*txn, actor, checked, self.clock.now()).await?;
        txn.commit().await?;
        self.world_changed();
        Ok(made)
    }

    /// The demo city's accounts, made from the command line as if registered at `registered`
    /// (the campaign's start): what an account owes starts with the window it was registered in.
    pub(crate) async fn create_user_registered(
        &self,
        registered: DateTime<Utc>,
        input: CreateUser,
    ) -> Result<(User, String)> {
        let checked = self.check_new_account(None, input).await?;
        let txn = self.store.begin_write().await?;
        let made = self.insert_account(&*txn, None, checked, registered).await?;
        txn.commit().await?;
        self.world_changed();
        Ok(made)
    }

    /// An account for a program (a gateway, a load test, a benchmark) that works through an API
    /// token alone: made from the command line, its password random and never shown, so nobody
    /// signs in with it and no first-login change holds its token back. Returns the token.
    pub async fn create_token_account(&self, input: CreateUser) -> Result<(User, String)> {
        let (user, _) = self.create_user(None, input).await?;
        let hash = self.crypto.hash_password(&self.crypto.random_token());
        users::set_password(&self.store.db, user.id, &hash, false, self.clock.now()).await?;
        let user = users::by_id_for_auth(&self.store.db, user.id).await?.ok_or(AppError::NotFound)?;
        let org = users::org_of(&self.store.db, &user).await?;
        let (_, token) = self.create_token(&Actor::new(user.clone(), org), "tool").await?;
        Ok((user, token))
    }

    /// An admin's request for a new account: made at once where the role-creation table says
    /// yes, kept for a second admin's approval where it says so (a tip custodian), refused
    /// elsewhere.
    #[tracing::instrument(skip_all, fields(role = %input.role))]
    pub async fn create_account(&self, actor: &Actor, input: CreateUser) -> Result<AccountOutcome> {
        actor.require(Permission::ManageUsers)?;
        let checked = self.check_new_account(Some(actor), input).await?;
        match actor.role.grant(checked.role) {
            Grant::Yes => {
                let txn = self.store.begin_write().await?;
                let (user, one_time_password) =
                    self.insert_account(&*txn, Some(actor), checked, self.clock.now()).await?;
                txn.commit().await?;
                self.world_changed();
                Ok(AccountOutcome::Done { user, one_time_password })
            }
            Grant::WithApproval => {
                if users::by_username(&self.store.db, &checked.username).await?.is_some() {
                    return Err(AppError::invalid("username", "taken"));
                }
                let request = NewRequest {
                    action: "create",
                    target_user_id: None,
                    username: Some(checked.username),
                    display_name: Some(checked.display_name),
                    role: checked.role.as_str().to_owned(),
                    org_id: checked.org_id,
                    requested_by: actor.id(),
                };
                Ok(AccountOutcome::Requested(self.file_account_request(actor, request).await?))
            }
            Grant::No => Err(AppError::Forbidden),
        }
    }

    async fn file_account_request(&self, actor: &Actor, r: NewRequest) -> Result<AccountRequest> {
        let txn = self.store.begin_write().await?;
        let row = account_requests::insert(&*txn, r, self.clock.now()).await?;
        let mut e = entry(Some(actor), "account_request.file", "account_request", row.id);
        e.detail = format!("action={} role={}", row.action, row.role);
        self.record(&*txn, e).await?;
        txn.commit().await?;
        Ok(row)
    }

    /// Requests waiting for a decision, for the admins who file or decide them.
    pub async fn pending_account_requests(&self, actor: &Actor) -> Result<Vec<AccountRequest>> {
        if !matches!(actor.role, Role::SysAdmin | Role::SecurityAdmin) {
            return Err(AppError::Forbidden);
        }
        Ok(account_requests::pending(&self.store.db).await?)
    }

    /// A second admin approves or refuses a request. Only the approver role of the admin who
    /// asked decides, never the one who asked. On approval the account is created (or reset)
    /// and its one-time password goes to the approver, who hands it over: the one who chose the
    /// person never held the credential.
    #[tracing::instrument(skip_all, fields(request = id, approve))]
    pub async fn decide_account_request(
        &self,
        actor: &Actor,
        id: i64,
        approve: bool,
    ) -> Result<Option<(User, String)>> {
        let request = account_requests::get(&self.store.db, id).await?;
        let requester = users::by_id_for_auth(&self.store.db, request.requested_by).await?.ok_or(AppError::NotFound)?;
        let requester_role = requester.role;
        if requester_role.approver() != Some(actor.role) || requester.id == actor.id() {
            return Err(AppError::Forbidden);
        }
        if request.decision.is_some() {
            return Err(AppError::Conflict("account_request_decided"));
        }
        let now = self.clock.now();
        let txn = self.store.begin_write().await?;
        let made = match (approve, request.action.as_str()) {
            (false, _) => None,
            (true, "create") => {
                let input = CreateUser {
                    username: request.username.clone().unwrap_or_default(),
                    display_name: request.display_name.clone().unwrap_or_default(),
                    role: request.role.as_str().to_owned(),
                    org_id: request.org_id,
                    leader_code: None,
                    position: None,
                };
                let checked = self.check_new_account(None, input).await?;
                Some(self.insert_account(&*txn, Some(actor), checked, self.clock.now()).await?)
            }
            (true, _) => {
                let target = request.target_user_id.ok_or(AppError::NotFound)?;
                Some(self.reset_in(&*txn, actor, target, now).await?)
            }
        };
        let decision = if approve { "approved" } else { "refused" };
        account_requests::decide(&*txn, id, actor.id(), decision, made.as_ref().map(|(u, _)| u.id), now)
            .await
            .map_err(|e| match e {
                anjian_store::StoreError::Conflict(_) => AppError::Conflict("account_request_decided"),
                e => e.into(),
            })?;
        let mut e = entry(Some(actor), &format!("account_request.{decision}"), "account_request", id);
        e.detail = format!("action={} role={}", request.action, request.role);
        self.record(&*txn, e).await?;
        txn.commit().await?;
        self.world_changed();
        Ok(made)
    }

    /// An admin's reset of an account: done at once where the role-creation table says yes,
    /// filed for approval where it says so, refused elsewhere.
    pub async fn reset_account(&self, actor: &Actor, user_id: i64) -> Result<AccountOutcome> {
        actor.require(Permission::ManageUsers)?;
        let target = users::get(&self.store.db, &actor.scope, user_id).await?;
        let role = target.role;
        match actor.role.grant(role) {
            Grant::Yes => {
                let now = self.clock.now();
                let txn = self.store.begin_write().await?;
                let (user, one_time_password) = self.reset_in(&*txn, actor, target.id, now).await?;
                txn.commit().await?;
                Ok(AccountOutcome::Done { user, one_time_password })
            }
            Grant::WithApproval => {
                let request = NewRequest {
                    action: "reset",
                    target_user_id: Some(target.id),
                    username: Some(target.username),
                    display_name: Some(target.display_name),
                    role: target.role.as_str().to_owned(),
                    org_id: target.org_id,
                    requested_by: actor.id(),
                };
                Ok(AccountOutcome::Requested(self.file_account_request(actor, request).await?))
            }
            Grant::No => Err(AppError::Forbidden),
        }
    }

    /// Gives an account a new one-time password, unlocks it and ends its sessions and tokens.
    /// What was signed stays signed; an account that signs ledgers must choose a new signing
    /// secret before its next signature.
    pub async fn reset_password(&self, actor: &Actor, user_id: i64) -> Result<String> {
        match self.reset_account(actor, user_id).await? {
            AccountOutcome::Done { one_time_password, .. } => Ok(one_time_password),
            AccountOutcome::Requested(_) => Err(AppError::Conflict("approval_required")),
        }
    }

    async fn reset_in(
        &self,
        db: &impl Db,
        actor: &Actor,
        user_id: i64,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(User, String)> {
        let target = users::by_id_for_auth(db, user_id).await?.ok_or(AppError::NotFound)?;
        let pw = generate_password();
        let hash = self.crypto.hash_password(&pw);
        users::set_password(db, target.id, &hash, true, now).await?;
        let signs = target.role.can(Permission::SignLedger);
        if signs {
            users::require_new_signing_secret(db, target.id, now).await?;
        }
        let sessions_ended = sessions::revoke_all(db, target.id, now).await?;
        let tokens_ended = anjian_store::tokens::revoke_all(db, target.id, now).await?;
        let mut e = entry(Some(actor), "user.password.reset", "user", target.id);
        e.detail =
            format!("sessions_ended={sessions_ended} tokens_ended={tokens_ended} signing_secret_cleared={signs}");
        self.record(db, e).await?;
        Ok((target, pw))
    }

    /// The principal's own signing secret: asked with the login password; never the same as it.
    pub async fn set_signing_secret(&self, actor: &Actor, current_password: &str, secret: &str) -> Result<()> {
        actor.require(Permission::SignLedger)?;
        if !self.crypto.verify_password(current_password, &actor.user.password_hash) {
            return Err(AppError::invalid("current", "wrong_password"));
        }
        if secret == current_password {
            return Err(AppError::invalid("secret", "same_as_password"));
        }
        anjian_domain::password::check(secret, &actor.user.username)
            .map_err(|p| AppError::invalid("secret", p.code()))?;
        let hash = self.crypto.hash_password(secret);
        let txn = self.store.begin_write().await?;
        users::set_signing_secret(&*txn, actor.id(), &hash, self.clock.now()).await?;
        self.record(&*txn, entry(Some(actor), "user.signing_secret.set", "user", actor.id())).await?;
        txn.commit().await?;
        Ok(())
    }

    pub async fn list_users(&self, actor: &Actor, f: &UserFilter, after: Option<i64>, limit: u64) -> Result<Vec<User>> {
        actor.require(Permission::ViewUsers)?;
        Ok(users::list(&self.store.db, &actor.scope, f, after, limit.clamp(1, 200)).await?)
    }

    pub async fn count_users(&self, actor: &Actor, f: &UserFilter) -> Result<u64> {
        actor.require(Permission::ViewUsers)?;
        Ok(users::count(&self.store.db, &actor.scope, f).await?)
    }

    pub async fn get_user(&self, actor: &Actor, id: i64) -> Result<User> {
        actor.require(Permission::ViewUsers).map_err(|_| AppError::NotFound)?;
        Ok(users::get(&self.store.db, &actor.scope, id).await?)
    }

    /// On an empty database: creates the system admin and returns its one-time password.
    pub async fn bootstrap_admin(&self, username: &str) -> Result<Option<String>> {
        if users::any(&self.store.db).await? {
            return Ok(None);
        }
        let (_, pw) = self
            .create_user(
                None,
                CreateUser {
                    username: username.to_owned(),
                    display_name: "系统管理员".to_owned(),
                    role: Role::SysAdmin.as_str().to_owned(),
                    org_id: None,
                    leader_code: None,
                    position: None,
                },
            )
            .await?;
        Ok(Some(pw))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn generated_passwords_meet_the_policy() {
        for _ in 0..200 {
            let p = super::generate_password();
            assert_eq!(anjian_domain::password::check(&p, "someone"), Ok(()), "{p}");
        }
    }
}
