//! Signing in and out: passwords with lockout, sessions with idle and absolute limits, the second
//! factor (TOTP, each code good once), forced password changes and personal access tokens.

use crate::audit::entry;
use crate::{Actor, App, AppError, FieldError, Result};
use anjian_domain::password;
use anjian_store::sessions::{self, Session};
use anjian_store::{tokens, users};
use std::net::IpAddr;

/// What a signed-in session still has to do before it may see anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pending {
    /// Enter the second factor.
    SecondFactor,
    /// Set up a second factor (the role requires one and none is enrolled).
    EnrolSecondFactor,
    /// Choose a new password (first login, after a reset, or expired).
    ChangePassword,
    None,
}

/// A new session: the token goes in the cookie and is stored only as a digest.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub csrf: String,
}

/// A request's authenticated session.
#[derive(Debug, Clone)]
pub struct SessionCtx {
    pub actor: Actor,
    pub session: Session,
    pub pending: Pending,
}

impl App {
    /// Checks a user name and password and opens a session.
    #[tracing::instrument(skip_all)]
    pub async fn login(&self, username: &str, password: &str, ip: Option<IpAddr>) -> Result<NewSession> {
        if ip.is_some_and(|ip| self.throttle.is_blocked(ip)) {
            return Err(AppError::Throttled);
        }
        let now = self.clock.now();
        let name: String = username.trim().chars().take(64).collect();
        let fail = |ip: Option<IpAddr>| {
            if let Some(ip) = ip {
                self.throttle.fail(ip);
            }
        };
        let Some(user) = users::by_username(&self.store.db, &name).await? else {
            // Spend the same time as a real check so that timing does not tell which names exist.
            self.crypto.verify_password(password, &self.dummy_hash);
            fail(ip);
            let mut e = entry(None, "login.failure", "user", &name);
            e.result = "unknown_user".into();
            e.detail = source(ip);
            self.record_alone(e).await?;
            return Err(AppError::BadCredentials);
        };
        // The password is checked even for a locked account: a locked name must cost what an
        // unknown one does and answer the same, or the lockout tells who exists.
        let password_ok = self.crypto.verify_password(password, &user.password_hash);
        if user.locked_until.is_some_and(|t| t > now) {
            fail(ip);
            let mut e = entry(None, "login.refused", "user", user.id);
            e.actor = user.username.clone();
            e.result = "locked".into();
            e.detail = source(ip);
            self.record_alone(e).await?;
            return Err(AppError::BadCredentials);
        }
        if user.disabled || !password_ok {
            fail(ip);
            let txn = self.store.begin_write().await?;
            let n = users::record_failed_login(
                &*txn,
                user.id,
                self.settings.lockout_threshold,
                now + self.settings.lockout,
            )
            .await?;
            let mut e = entry(None, "login.failure", "user", user.id);
            e.actor = user.username.clone();
            e.result = if user.disabled { "disabled".into() } else { format!("bad_password:{n}") };
            e.detail = source(ip);
            self.record(&*txn, e).await?;
            if n == self.settings.lockout_threshold {
                let mut e = entry(None, "account.locked", "user", user.id);
                e.actor = user.username.clone();
                self.record(&*txn, e).await?;
            }
            txn.commit().await?;
            return Err(AppError::BadCredentials);
        }
        let token = self.crypto.random_token();
        let csrf = self.crypto.random_token();
        let actor = Actor::new(user.clone(), None);
        // With a second factor to come, the counts of failures (the account's and the address's)
        // run on until that factor is given: otherwise signing in again would reset the count of
        // guessed codes.
        let second_step = actor.role.requires_second_factor() && user.totp_secret.is_some();
        if let Some(ip) = ip.filter(|_| !second_step) {
            self.throttle.succeed(ip);
        }
        let txn = self.store.begin_write().await?;
        if !second_step {
            users::clear_failed_logins(&*txn, user.id).await?;
        }
        sessions::insert(
            &*txn,
            &self.crypto.token_digest(&token),
            user.id,
            &csrf,
            !actor.role.requires_second_factor(),
            now,
            now + self.settings.session_absolute,
        )
        .await?;
        let mut e = entry(Some(&actor), "login.success", "user", user.id);
        e.detail = source(ip);
        self.record(&*txn, e).await?;
        txn.commit().await?;
        Ok(NewSession { token, csrf })
    }

    /// Resolves a session cookie. Expired, idle or revoked sessions are refused.
    pub async fn session(&self, token: &str) -> Result<SessionCtx> {
        let now = self.clock.now();
        let digest = self.crypto.token_digest(token);
        let s = sessions::get(&self.store.db, &digest).await?.ok_or(AppError::Unauthenticated)?;
        // The last use is saved at most every TOUCH_EVERY, so the stored time can be that much
        // behind the real one: the idle limit counts from it plus that slack, so that it never
        // ends a session early, and at most TOUCH_EVERY late.
        if s.revoked_at.is_some()
            || now >= s.expires_at
            || now - s.last_seen_at >= self.settings.session_idle + TOUCH_EVERY
        {
            return Err(AppError::Unauthenticated);
        }
        let user = users::by_id_for_auth(&self.store.db, s.user_id).await?.ok_or(AppError::Unauthenticated)?;
        if user.disabled {
            return Err(AppError::Unauthenticated);
        }
        // Writing on every request would queue readers behind writers: the last use is saved
        // when the stored one is TOUCH_EVERY old. Bookkeeping, not a write the user asked for:
        // when it cannot be saved (a full disk), the request goes on and only the idle clock is
        // not moved.
        if now - s.last_seen_at >= TOUCH_EVERY {
            if let Err(e) = sessions::touch(&self.store.db, &digest, now).await {
                tracing::warn!(error = %e, "session last use not saved");
            }
        }
        let org = users::org_of(&self.store.db, &user).await?;
        let actor = Actor::new(user, org);
        let pending = self.pending(&actor, &s);
        Ok(SessionCtx { actor, session: s, pending })
    }

    fn pending(&self, actor: &Actor, s: &Session) -> Pending {
        let needs_mfa = actor.role.requires_second_factor();
        if needs_mfa && actor.user.totp_secret.is_some() && !s.mfa_done {
            return Pending::SecondFactor;
        }
        if actor.user.must_change_password || self.password_expired(actor) {
            return Pending::ChangePassword;
        }
        if needs_mfa && actor.user.totp_secret.is_none() {
            return Pending::EnrolSecondFactor;
        }
        Pending::None
    }

    fn password_expired(&self, actor: &Actor) -> bool {
        self.password_expired_at(&actor.user, self.clock.now())
    }

    fn password_expired_at(&self, user: &users::User, now: chrono::DateTime<chrono::Utc>) -> bool {
        let days = self.settings.password_max_age_days;
        days > 0 && now - user.password_changed_at > chrono::Duration::days(days)
    }

    /// The time step whose code matches, allowing one step of clock drift either way.
    fn matching_step(&self, secret: &str, code: &str) -> Option<i64> {
        let code = code.trim();
        let step = self.clock.now().timestamp().div_euclid(30);
        [step, step - 1, step + 1].into_iter().find(|s| self.crypto.totp_code(secret, *s).as_deref() == Some(code))
    }

    /// Checks a TOTP code and burns its step, so the same code cannot be used twice.
    async fn check_totp(&self, user_id: i64, secret: &str, code: &str) -> Result<()> {
        let step = self.matching_step(secret, code).ok_or(AppError::BadCode)?;
        if users::consume_totp_step(&self.store.db, user_id, step).await? {
            Ok(())
        } else {
            Err(AppError::BadCode)
        }
    }

    /// The second step of signing in. Wrong codes count with wrong passwords toward the lockout
    /// and the address's throttle; a locked account is refused even the right code, and its
    /// further guesses write nothing (the lock was recorded once).
    pub async fn verify_second_factor(&self, ctx: &SessionCtx, code: &str, ip: Option<IpAddr>) -> Result<()> {
        if ip.is_some_and(|ip| self.throttle.is_blocked(ip)) {
            return Err(AppError::Throttled);
        }
        let secret = self.totp_secret_of(&ctx.actor.user).ok_or(AppError::BadCode)?;
        let secret = secret.as_str();
        let now = self.clock.now();
        if ctx.actor.user.locked_until.is_some_and(|t| t > now) {
            if let Some(ip) = ip {
                self.throttle.fail(ip);
            }
            return Err(AppError::Locked);
        }
        let outcome = self.check_totp(ctx.actor.id(), secret, code).await;
        let mut e = entry(Some(&ctx.actor), "login.second_factor", "user", ctx.actor.id());
        e.detail = source(ip);
        let txn = self.store.begin_write().await?;
        match outcome {
            Ok(()) => {
                if let Some(ip) = ip {
                    self.throttle.succeed(ip);
                }
                users::clear_failed_logins(&*txn, ctx.actor.id()).await?;
                sessions::mark_mfa_done(&*txn, &ctx.session.id).await?;
                self.record(&*txn, e).await?;
                txn.commit().await?;
                Ok(())
            }
            Err(err) => {
                if let Some(ip) = ip {
                    self.throttle.fail(ip);
                }
                let threshold = self.settings.lockout_threshold;
                let n =
                    users::record_failed_login(&*txn, ctx.actor.id(), threshold, now + self.settings.lockout).await?;
                e.result = format!("bad_code:{n}");
                self.record(&*txn, e).await?;
                if n == threshold {
                    self.record(&*txn, entry(Some(&ctx.actor), "account.locked", "user", ctx.actor.id())).await?;
                }
                txn.commit().await?;
                Err(if n >= threshold { AppError::Locked } else { err })
            }
        }
    }

    /// An account's second-factor secret. It is kept sealed under the installation's key (a
    /// stolen database file gives no codes); a secret stored plain by an earlier release is read
    /// as it is until `seal_totp_secrets` seals it.
    fn totp_secret_of(&self, user: &users::User) -> Option<String> {
        let stored = user.totp_secret.as_deref()?;
        if stored.contains(':') {
            self.crypto.open(stored)
        } else {
            Some(stored.to_owned())
        }
    }

    /// Seals the second-factor secrets an earlier release stored plain; run at start-up.
    pub async fn seal_totp_secrets(&self) -> Result<u64> {
        let plain = users::plain_totp_secrets(&self.store.db).await?;
        let txn = self.store.begin_write().await?;
        for (id, secret) in &plain {
            users::replace_totp_secret_text(&*txn, *id, &self.crypto.seal(secret)).await?;
        }
        txn.commit().await?;
        Ok(plain.len() as u64)
    }

    /// A fresh secret to show while enrolling; nothing is stored until a code confirms it.
    pub fn new_totp_secret(&self) -> String {
        self.crypto.new_totp_secret()
    }

    /// Stores a second factor once the user proves the authenticator works.
    pub async fn enrol_second_factor(&self, ctx: &SessionCtx, secret: &str, code: &str) -> Result<()> {
        if secret.len() != 32 || self.crypto.totp_code(secret, 0).is_none() {
            return Err(AppError::invalid("secret", "invalid"));
        }
        let step = self.matching_step(secret, code).ok_or(AppError::BadCode)?;
        let txn = self.store.begin_write().await?;
        users::set_totp_secret(&*txn, ctx.actor.id(), Some(&self.crypto.seal(secret)), self.clock.now()).await?;
        // The code that confirmed enrolment is spent: it cannot sign in a second time.
        users::consume_totp_step(&*txn, ctx.actor.id(), step).await?;
        sessions::mark_mfa_done(&*txn, &ctx.session.id).await?;
        self.record(&*txn, entry(Some(&ctx.actor), "user.second_factor.enrol", "user", ctx.actor.id())).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Changes one's own password. Other sessions end; this one stays.
    pub async fn change_password(&self, ctx: &SessionCtx, current: &str, new: &str) -> Result<()> {
        if !self.crypto.verify_password(current, &ctx.actor.user.password_hash) {
            return Err(AppError::invalid("current", "wrong_password"));
        }
        if new == current {
            return Err(AppError::invalid("new", "password_unchanged"));
        }
        password::check(new, &ctx.actor.user.username).map_err(|p| AppError::invalid("new", p.code()))?;
        let hash = self.crypto.hash_password(new);
        let now = self.clock.now();
        let txn = self.store.begin_write().await?;
        users::set_password(&*txn, ctx.actor.id(), &hash, false, now).await?;
        let ended = sessions::revoke_all_except(&*txn, ctx.actor.id(), &ctx.session.id, now).await?;
        let tokens_ended = tokens::revoke_all(&*txn, ctx.actor.id(), now).await?;
        let mut e = entry(Some(&ctx.actor), "user.password.change", "user", ctx.actor.id());
        e.detail = format!("sessions_ended={ended} tokens_ended={tokens_ended}");
        self.record(&*txn, e).await?;
        txn.commit().await?;
        Ok(())
    }

    pub async fn logout(&self, ctx: &SessionCtx) -> Result<()> {
        let txn = self.store.begin_write().await?;
        sessions::revoke(&*txn, &ctx.session.id, self.clock.now()).await?;
        self.record(&*txn, entry(Some(&ctx.actor), "logout", "user", ctx.actor.id())).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Ends every session and every API token of the caller, on every device.
    pub async fn logout_everywhere(&self, actor: &Actor) -> Result<u64> {
        let txn = self.store.begin_write().await?;
        let now = self.clock.now();
        let n = sessions::revoke_all(&*txn, actor.id(), now).await?;
        let tokens_ended = tokens::revoke_all(&*txn, actor.id(), now).await?;
        let mut e = entry(Some(actor), "logout.everywhere", "user", actor.id());
        e.detail = format!("sessions_ended={n} tokens_ended={tokens_ended}");
        self.record(&*txn, e).await?;
        txn.commit().await?;
        Ok(n)
    }

    /// Resolves a personal access token (`Authorization: Bearer …`).
    pub async fn token_actor(&self, token: &str) -> Result<Actor> {
        let t = tokens::active_by_hash(&self.store.db, &self.crypto.token_digest(token))
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let user = users::by_id_for_auth(&self.store.db, t.user_id).await?.ok_or(AppError::Unauthenticated)?;
        if user.disabled {
            return Err(AppError::Unauthenticated);
        }
        let now = self.clock.now();
        if user.must_change_password || self.password_expired_at(&user, now) {
            return Err(AppError::PasswordChangeRequired);
        }
        if t.last_used_at.is_none_or(|u| now - u >= chrono::Duration::minutes(1)) {
            if let Err(e) = tokens::touch(&self.store.db, t.id, now).await {
                tracing::warn!(error = %e, "token last use not saved");
            }
        }
        let org = users::org_of(&self.store.db, &user).await?;
        Ok(Actor::new(user, org))
    }

    /// Creates a personal access token; the plain token is returned once and never stored.
    pub async fn create_token(&self, actor: &Actor, name: &str) -> Result<(tokens::ApiToken, String)> {
        let name = name.trim();
        if let Some(e) = FieldError::text("name", name, 100) {
            return Err(AppError::Invalid(vec![e]));
        }
        let token = format!("ajt_{}", self.crypto.random_token());
        let txn = self.store.begin_write().await?;
        let row = tokens::insert(&*txn, actor.id(), name, &self.crypto.token_digest(&token), self.clock.now()).await?;
        self.record(&*txn, entry(Some(actor), "token.create", "api_token", row.id)).await?;
        txn.commit().await?;
        Ok((row, token))
    }

    pub async fn revoke_token(&self, actor: &Actor, id: i64) -> Result<()> {
        let txn = self.store.begin_write().await?;
        tokens::revoke(&*txn, actor.id(), id, self.clock.now()).await?;
        self.record(&*txn, entry(Some(actor), "token.revoke", "api_token", id)).await?;
        txn.commit().await?;
        Ok(())
    }

    pub async fn my_tokens(&self, actor: &Actor) -> Result<Vec<tokens::ApiToken>> {
        Ok(tokens::list_for_user(&self.store.db, actor.id()).await?)
    }
}

/// How stale a session's stored last use may get before a request saves it anew.
const TOUCH_EVERY: chrono::Duration = chrono::Duration::seconds(15);

/// The client address of a security event, as 等保 audit records require. (The whistleblower
/// channel never calls these use cases and records no address at all.)
fn source(ip: Option<IpAddr>) -> String {
    ip.map_or_else(String::new, |ip| format!("ip={ip}"))
}
