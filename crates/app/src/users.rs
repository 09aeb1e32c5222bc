//! Accounts: created by an admin inside their scope, reset by an admin, listed by scope.

use crate::audit::entry;
use crate::crypto::digest_json;
use crate::{Actor, App, AppError, FieldError, Result};
use anjian_domain::role::{Permission, Role};
use anjian_store::users::{self, NewUser, User, UserFilter};
use anjian_store::{orgs, sessions};
use rand::seq::SliceRandom;
use rand::Rng;

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

impl App {
    /// Creates an account with a one-time password the user must change at first login.
    /// Returns the account and that password (shown once).
    #[tracing::instrument(skip_all, fields(role = %input.role))]
    pub async fn create_user(&self, actor: Option<&Actor>, input: CreateUser) -> Result<(User, String)> {
        let mut errors = Vec::new();
        let username = input.username.trim().to_owned();
        if let Err(AppError::Invalid(mut e)) = validate_username(&username) {
            errors.append(&mut e);
        }
        let display = input.display_name.trim().to_owned();
        if display.is_empty() || display.chars().count() > 64 {
            errors.push(FieldError::new("display_name", "required"));
        }
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
        if let Some(a) = actor {
            a.require(Permission::ManageUsers)?;
            if !a.role.may_grant(role) {
                return Err(AppError::Forbidden);
            }
        }
        if org.is_none() && role.scope_basis() != anjian_domain::role::ScopeBasis::Everything {
            return Err(AppError::invalid("org_id", "required"));
        }
        let pw = generate_password();
        let hash = self.crypto.hash_password(&pw);
        let txn = self.store.begin_write().await?;
        let user = users::insert(
            &*txn,
            NewUser {
                username,
                display_name: display,
                password_hash: hash,
                role: role.as_str().to_owned(),
                org_id: org.map(|o| o.id),
                leader_code,
                position,
                must_change_password: true,
            },
            self.clock.now(),
        )
        .await
        .map_err(|e| match e {
            anjian_store::StoreError::Conflict(_) => AppError::invalid("username", "taken"),
            e => e.into(),
        })?;
        let mut e = entry(actor, "user.create", "user", user.id);
        e.after_digest = Some(digest_json(&(user.id, &user.username, &user.role, user.org_id)));
        e.detail = format!("role={}", user.role);
        self.record(&*txn, e).await?;
        txn.commit().await?;
        self.world_changed();
        Ok((user, pw))
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

    /// Gives an account a new one-time password, unlocks it and ends its sessions and tokens.
    pub async fn reset_password(&self, actor: &Actor, user_id: i64) -> Result<String> {
        actor.require(Permission::ManageUsers)?;
        let target = users::get(&self.store.db, &actor.scope, user_id).await?;
        let role: Role = target.role.parse().unwrap_or(Role::Staff);
        if !actor.role.may_grant(role) {
            return Err(AppError::Forbidden);
        }
        let pw = generate_password();
        let hash = self.crypto.hash_password(&pw);
        let now = self.clock.now();
        let txn = self.store.begin_write().await?;
        users::set_password(&*txn, target.id, &hash, true, now).await?;
        let sessions_ended = sessions::revoke_all(&*txn, target.id, now).await?;
        let tokens_ended = anjian_store::tokens::revoke_all(&*txn, target.id, now).await?;
        let mut e = entry(Some(actor), "user.password.reset", "user", target.id);
        e.detail = format!("sessions_ended={sessions_ended} tokens_ended={tokens_ended}");
        self.record(&*txn, e).await?;
        txn.commit().await?;
        Ok(pw)
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
