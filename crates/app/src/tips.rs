//! The tip channel (举报, and 吹哨人 from inside an enterprise): anyone submits without an account
//! and follows with the receipt code; a bureau triages, assigns, verifies, concludes, files a
//! hazard, decides and pays a reward with a second person's approval.
//!
//! Reporter protection is built in, not bolted on: nothing about the request (address, browser,
//! cookie) reaches these use cases except a throttling key that lives in memory for an hour;
//! contact details are sealed and opened only by the custodian role, with a reason, audited;
//! photos are re-encoded without metadata; the receipt code is kept only as a slow hash.

use crate::hazards::HazardInput;
use crate::ZH;
use crate::{Actor, App, AppError, FieldError, Result};
use anjian_domain::money::Fen;
use anjian_domain::role::Permission;
use anjian_domain::scope::Scope;
use anjian_domain::tip::{self, Action, Channel, Outcome, ReceiptCode, TipRules, TipState};
use anjian_store::audit::Entry;
use anjian_store::tips::{self as store, NewTip, NewTipFile, Tip, TipChange, TipEvent, TipFile, TipFilter, TipMessage};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use hmac::Mac;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::Mutex;

/// How long a proof-of-work challenge stays good.
const CHALLENGE_TTL_SECS: i64 = 3600;
/// The longest tip or message body.
const MAX_BODY: usize = 5000;
const MAX_CONTACT: usize = 200;
/// Photos per tip.
const MAX_PHOTOS: usize = 5;

/// In-memory guard of the public channel: throttling by a keyed hash of the client address
/// (the key is random and replaced every hour, so nothing links one hour's counts to the next,
/// and the address itself is never kept), and the proof-of-work challenges already used.
pub struct Guard {
    key: Vec<u8>,
    state: Mutex<GuardState>,
}

/// What a client's requests are counted for: submitting tips and following them up are limited
/// apart, so a reporter who checks on a tip ten times can still report a new one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Counter {
    Submit,
    FollowUp,
}

#[derive(Default)]
struct GuardState {
    hour: i64,
    hour_key: [u8; 32],
    counts: HashMap<([u8; 16], Counter), u32>,
    used: HashSet<String>,
}

impl Guard {
    pub fn new(key: Vec<u8>) -> Guard {
        Guard { key, state: Mutex::new(GuardState { hour: i64::MIN, ..Default::default() }) }
    }

    fn mac(&self, data: &[u8]) -> String {
        let mut m = hmac::Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key length");
        m.update(data);
        hex::encode(&m.finalize().into_bytes()[..16])
    }

    /// A challenge for the proof of work: issue time, randomness and their MAC, so any instance
    /// with the same key can check it without storing anything.
    fn challenge(&self, now: DateTime<Utc>) -> String {
        let mut r = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut r);
        let body = format!("{}.{}", now.timestamp(), hex::encode(r));
        let mac = self.mac(body.as_bytes());
        format!("{body}.{mac}")
    }

    /// Checks a challenge and its nonce and marks the challenge used.
    fn spend(&self, challenge: &str, nonce: &str, bits: u32, now: DateTime<Utc>) -> Result<()> {
        let bad = || AppError::invalid("proof", "proof_of_work");
        let (body, mac) = challenge.rsplit_once('.').ok_or_else(bad)?;
        if self.mac(body.as_bytes()) != mac {
            return Err(bad());
        }
        let issued: i64 = body.split('.').next().and_then(|t| t.parse().ok()).ok_or_else(bad)?;
        if !(0..=CHALLENGE_TTL_SECS).contains(&(now.timestamp() - issued)) {
            return Err(AppError::invalid("proof", "proof_expired"));
        }
        if !tip::proof_of_work_ok(challenge, nonce, bits) {
            return Err(bad());
        }
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        s.roll(now);
        if !s.used.insert(challenge.to_owned()) {
            return Err(AppError::invalid("proof", "proof_reused"));
        }
        Ok(())
    }

    /// Counts one request from a client for `counter`; refuses past `limit` within the hour.
    fn admit(&self, client: Option<IpAddr>, counter: Counter, limit: u32, now: DateTime<Utc>) -> Result<()> {
        let Some(ip) = client else { return Ok(()) };
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        s.roll(now);
        let mut m = hmac::Hmac::<Sha256>::new_from_slice(&s.hour_key).expect("HMAC takes any key length");
        m.update(ip.to_string().as_bytes());
        let mut k = [0u8; 16];
        k.copy_from_slice(&m.finalize().into_bytes()[..16]);
        let n = s.counts.entry((k, counter)).or_insert(0);
        *n += 1;
        if *n > limit {
            return Err(AppError::Throttled);
        }
        Ok(())
    }
}

impl GuardState {
    /// A new hour forgets every count and used challenge older than the challenges' lifetime.
    fn roll(&mut self, now: DateTime<Utc>) {
        let hour = now.timestamp().div_euclid(3600);
        if hour != self.hour {
            self.hour = hour;
            rand::rngs::OsRng.fill_bytes(&mut self.hour_key);
            self.counts.clear();
            let oldest = now.timestamp() - CHALLENGE_TTL_SECS;
            self.used.retain(|c| c.split('.').next().and_then(|t| t.parse::<i64>().ok()).is_some_and(|t| t >= oldest));
        }
    }
}

/// What the submitting page needs: the challenge and its difficulty.
#[derive(Debug, Clone, Serialize)]
pub struct Challenge {
    pub challenge: String,
    pub bits: u32,
}

/// A tip as the reporter fills it in.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TipInput {
    #[serde(default)]
    pub channel: String,
    pub category: String,
    /// County code, or empty when the reporter does not know.
    #[serde(default)]
    pub county: String,
    /// The enterprise or place concerned, as the reporter names it.
    pub subject: String,
    #[serde(default)]
    pub place: String,
    /// `YYYY-MM-DD`, or empty.
    #[serde(default)]
    pub happened_on: String,
    #[serde(default)]
    pub work_team: String,
    pub body: String,
    #[serde(default)]
    pub contact: String,
    pub challenge: String,
    pub nonce: String,
}

/// What the reporter sees with the receipt code.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReporterView {
    pub state: TipState,
    pub outcome: Option<Outcome>,
    pub category: String,
    pub received_on: String,
    /// Only once approved.
    pub reward_yuan: Option<i64>,
    pub reward_paid: bool,
    pub messages: Vec<ReporterMessage>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReporterMessage {
    pub from_reporter: bool,
    pub body: String,
    pub at: DateTime<Utc>,
}

/// A tip with its history, for the bureau.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TipDetail {
    pub tip: Tip,
    pub has_contact: bool,
    pub events: Vec<TipEvent>,
    pub messages: Vec<TipMessage>,
    pub files: Vec<TipFile>,
    pub overdue: bool,
}

impl TipDetail {
    /// What the verification found, in the bureau's words (the conclusion's note): what a hazard
    /// filed from the tip starts from.
    pub fn verification_findings(&self) -> &str {
        self.events.iter().rev().find(|e| e.kind == "concluded").map_or("", |e| e.note.as_str())
    }
}

#[derive(Debug, Clone, Deserialize, Default)]
pub struct AssignInput {
    pub category: String,
    /// County code the tip belongs to.
    #[serde(default)]
    pub county: String,
    /// The supervised organisation concerned, once identified.
    #[serde(default)]
    pub org_id: Option<i64>,
    /// The department or county bureau that verifies it.
    pub assignee_org_id: i64,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Deserialize, Default)]
pub struct RewardInput {
    /// A finding kind of the plan's reward rules (`major_hazard`, `violation`, …).
    pub finding: String,
    #[serde(default)]
    pub penalty_yuan: i64,
}

/// Counts of tips by month, county, category and outcome.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TipStatRow {
    pub month: String,
    pub county: String,
    pub category: String,
    pub outcome: String,
    pub count: u64,
}

fn audit_public(action: &str, id: i64) -> Entry {
    // The reporter has no account and leaves no trace: the actor is the channel itself.
    Entry {
        actor: "举报人".to_owned(),
        action: action.to_owned(),
        object_type: "tip".to_owned(),
        object_id: id.to_string(),
        result: "ok".to_owned(),
        ..Default::default()
    }
}

fn clean(s: &str, field: &str, max: usize, errors: &mut Vec<FieldError>) -> String {
    let t = s.trim();
    if t.chars().count() > max {
        errors.push(FieldError::too_long(field, max));
    }
    t.to_owned()
}

impl App {
    pub fn tip_rules(plan: Option<&anjian_domain::plan::Plan>) -> TipRules {
        plan.and_then(|p| p.tips.clone()).unwrap_or_default()
    }

    async fn rules(&self) -> TipRules {
        Self::tip_rules(self.current_plan().await.ok().as_deref())
    }

    /// The categories a reporter picks from (the plan's), and the counties.
    pub async fn tip_form(&self) -> Result<(Vec<String>, Vec<anjian_store::jurisdictions::Jurisdiction>, Challenge)> {
        let rules = self.rules().await;
        let counties = anjian_store::jurisdictions::all(&self.store.db).await?;
        Ok((rules.categories, counties, self.tip_challenge()))
    }

    pub fn tip_challenge(&self) -> Challenge {
        Challenge { challenge: self.tip_guard.challenge(self.clock.now()), bits: self.settings.tip_pow_bits }
    }

    /// A tip from anyone. Returns the receipt code, which is shown once and kept nowhere in
    /// the clear.
    pub async fn submit_tip(
        &self,
        client: Option<IpAddr>,
        input: TipInput,
        photos: Vec<Vec<u8>>,
    ) -> Result<ReceiptCode> {
        let now = self.clock.now();
        self.tip_guard.admit(client, Counter::Submit, self.settings.tip_hourly_limit, now)?;
        let rules = self.rules().await;
        let mut errors = Vec::new();
        let channel = match input.channel.as_str() {
            "" => Channel::Public,
            c => c.parse().unwrap_or_else(|_| {
                errors.push(FieldError::new("channel", "invalid_kind"));
                Channel::Public
            }),
        };
        if !rules.categories.contains(&input.category) {
            errors.push(FieldError::new("category", "invalid_kind"));
        }
        let subject = clean(&input.subject, "subject", 200, &mut errors);
        let place = clean(&input.place, "place", 200, &mut errors);
        let work_team = clean(&input.work_team, "work_team", 100, &mut errors);
        let body = clean(&input.body, "body", MAX_BODY, &mut errors);
        let contact = clean(&input.contact, "contact", MAX_CONTACT, &mut errors);
        if body.is_empty() {
            errors.push(FieldError::new("body", "required"));
        }
        if subject.is_empty() && place.is_empty() {
            errors.push(FieldError::new("subject", "required"));
        }
        if channel == Channel::Internal && subject.is_empty() {
            errors.push(FieldError::new("subject", "required"));
        }
        let happened_on = input.happened_on.trim();
        if !happened_on.is_empty() {
            match NaiveDate::parse_from_str(happened_on, "%Y-%m-%d") {
                Ok(d) if d <= anjian_domain::period::local_date(now) => {}
                _ => errors.push(FieldError::new("happened_on", "invalid_date")),
            }
        }
        if photos.len() > MAX_PHOTOS {
            errors.push(FieldError::new("photos", "too_many"));
        }
        let counties = anjian_store::jurisdictions::all(&self.store.db).await?;
        let jurisdiction = match input.county.trim() {
            "" => counties.iter().min_by_key(|j| j.path.len()).cloned(),
            code => {
                let j = counties.iter().find(|j| j.code == code).cloned();
                if j.is_none() {
                    errors.push(FieldError::new("county", "not_found"));
                }
                j
            }
        };
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        // The work is checked last, so a form with a mistake can be corrected and sent again
        // with the same challenge.
        self.tip_guard.spend(&input.challenge, &input.nonce, self.settings.tip_pow_bits, now)?;
        let jurisdiction_path = jurisdiction.map(|j| j.path).unwrap_or_else(|| "/".to_owned());
        let stored = self.store_photos(photos).await?;
        let mut random = [0u8; 13];
        rand::rngs::OsRng.fill_bytes(&mut random);
        let code = ReceiptCode::generate(&random);
        let canonical = code.canonical().to_owned();
        let crypto = self.crypto.clone();
        let receipt_hash = tokio::task::spawn_blocking(move || crypto.receipt_digest(&canonical))
            .await
            .map_err(|e| AppError::Internal(format!("hashing: {e}")))?;
        let contact_sealed = (!contact.is_empty()).then(|| self.crypto.seal(&contact));
        let txn = self.store.begin_write().await?;
        let row = store::insert(
            &*txn,
            NewTip {
                receipt_hash,
                channel: channel.as_str().to_owned(),
                category: input.category.clone(),
                jurisdiction_path,
                org_id: None,
                org_path: String::new(),
                subject,
                place,
                happened_on: happened_on.to_owned(),
                work_team,
                body,
                contact_sealed,
                due_at: now + Duration::days(i64::from(rules.assign_within_days)),
            },
            now,
        )
        .await?;
        store::add_event(&*txn, row.id, "received", None, "", now).await?;
        for (clean, sha) in stored {
            store::add_file(&*txn, row.id, file_row("report", &clean, sha), now).await?;
        }
        self.record(&*txn, audit_public("tip.submit", row.id)).await?;
        txn.commit().await?;
        Ok(code)
    }

    /// The tip behind a receipt code, or not found (the same answer for a wrong code and a
    /// throttled guess, so the channel tells an attacker nothing).
    async fn tip_by_receipt(&self, client: Option<IpAddr>, code: &str) -> Result<Tip> {
        self.tip_guard.admit(client, Counter::FollowUp, self.settings.tip_hourly_limit * 6, self.clock.now())?;
        let canonical = ReceiptCode::parse(code).ok_or(AppError::NotFound)?.canonical().to_owned();
        let crypto = self.crypto.clone();
        let hash = tokio::task::spawn_blocking(move || crypto.receipt_digest(&canonical))
            .await
            .map_err(|e| AppError::Internal(format!("hashing: {e}")))?;
        store::by_receipt(&self.store.db, &hash).await?.ok_or(AppError::NotFound)
    }

    /// What the reporter may see: the state, the outcome, the reward once decided, the messages.
    pub async fn follow_tip(&self, client: Option<IpAddr>, code: &str) -> Result<ReporterView> {
        let t = self.tip_by_receipt(client, code).await?;
        let messages = store::messages(&self.store.db, t.id).await?;
        let approved = t.reward_decided();
        Ok(ReporterView {
            received_on: anjian_domain::period::local_date(t.created_at).to_string(),
            reward_paid: t.state == TipState::Closed && approved,
            reward_yuan: if approved { t.reward_yuan } else { None },
            state: t.state,
            outcome: t.outcome,
            category: t.category,
            messages: messages
                .into_iter()
                .map(|m| ReporterMessage { from_reporter: m.from_reporter, body: m.body, at: m.created_at })
                .collect(),
        })
    }

    /// A message from the reporter, with the receipt code.
    pub async fn reporter_message(&self, client: Option<IpAddr>, code: &str, body: &str) -> Result<()> {
        let t = self.tip_by_receipt(client, code).await?;
        let body = message_body(body)?;
        let now = self.clock.now();
        let txn = self.store.begin_write().await?;
        store::add_message(&*txn, t.id, None, &body, now).await?;
        self.record(&*txn, audit_public("tip.reporter_message", t.id)).await?;
        txn.commit().await?;
        Ok(())
    }

    // ---- the bureau's side ----

    fn tip_scope(actor: &Actor) -> Result<Scope> {
        actor.require(Permission::ViewTips)?;
        Ok(match &actor.scope {
            s @ (Scope::All | Scope::Jurisdiction { .. }) => s.clone(),
            _ => Scope::Nothing,
        })
    }

    pub async fn tips(&self, actor: &Actor, f: &TipFilter, limit: u64) -> Result<Vec<Tip>> {
        let scope = Self::tip_scope(actor)?;
        Ok(store::list(&self.store.db, &scope, f, limit.clamp(1, 10_000)).await?)
    }

    async fn tip_in_scope(&self, actor: &Actor, id: i64) -> Result<Tip> {
        let scope = Self::tip_scope(actor)?;
        store::get(&self.store.db, &scope, id).await?.ok_or(AppError::NotFound)
    }

    pub async fn tip_detail(&self, actor: &Actor, id: i64) -> Result<TipDetail> {
        let t = self.tip_in_scope(actor, id).await?;
        let db = &self.store.db;
        let now = self.clock.now();
        Ok(TipDetail {
            has_contact: t.contact_sealed.is_some(),
            events: store::events(db, id).await?,
            messages: store::messages(db, id).await?,
            files: store::files(db, id).await?,
            overdue: t.is_overdue(now),
            tip: t,
        })
    }

    /// A tip's file, for the bureau.
    pub async fn tip_file(&self, actor: &Actor, id: i64, file_id: i64) -> Result<(TipFile, Vec<u8>)> {
        self.tip_in_scope(actor, id).await?;
        let f = store::file(&self.store.db, id, file_id).await?.ok_or(AppError::NotFound)?;
        let dir = self.settings.blob_dir.clone().ok_or(AppError::NotFound)?;
        let key = f.sha256.clone();
        let bytes = tokio::task::spawn_blocking(move || anjian_store::blobs::BlobStore::new(dir).get(&key))
            .await
            .map_err(|e| AppError::Internal(format!("blocking task: {e}")))?
            .map_err(|_| AppError::NotFound)?;
        Ok((f, bytes))
    }

    /// Moves a tip one step: checks the state machine, applies the change only if nobody moved it
    /// meanwhile, and writes the event and the audit record in the same transaction.
    async fn step(
        &self,
        actor: &Actor,
        t: &Tip,
        (action, kind, note): (Action, &str, &str),
        mut change: TipChange,
        txn: &impl anjian_store::Db,
    ) -> Result<TipState> {
        let outcome = match action {
            Action::Conclude(o) => Some(o),
            _ => t.outcome,
        };
        let after = tip::next(t.state, outcome, action).map_err(|e| match e {
            tip::TipError::NotFounded => AppError::invalid("outcome", "tip_not_founded"),
            _ => AppError::Conflict("tip_state"),
        })?;
        let rules = self.rules().await;
        let now = self.clock.now();
        change.state = Some(after);
        change.due_at = Some(tip::deadline_days(after, &rules).map(|d| now + Duration::days(i64::from(d))));
        if !store::change(txn, t.id, t.state, change, now).await? {
            return Err(AppError::Conflict("tip_state"));
        }
        store::add_event(txn, t.id, kind, Some((actor.id(), &actor.user.display_name)), note, now).await?;
        let mut e = crate::audit::entry(Some(actor), &format!("tip.{kind}"), "tip", t.id);
        e.detail = format!("{} -> {}", t.state, after.as_str());
        self.record(txn, e).await?;
        Ok(after)
    }

    fn require_handler(actor: &Actor) -> Result<()> {
        actor.require(Permission::HandleTips)
    }

    /// The offices a tip can be assigned to: bureaus and departments in the caller's area.
    pub async fn tip_assignees(&self, actor: &Actor) -> Result<Vec<anjian_store::orgs::Org>> {
        Self::require_handler(actor)?;
        let mut out = Vec::new();
        for kind in ["regulator", "department"] {
            let f = anjian_store::orgs::OrgFilter { kind: Some(kind.into()), ..Default::default() };
            out.extend(anjian_store::orgs::list(&self.store.db, &actor.scope, &f, None, 500).await?);
        }
        Ok(out)
    }

    /// Triage and assignment: category, county, the organisation concerned, who verifies.
    pub async fn assign_tip(&self, actor: &Actor, id: i64, input: AssignInput) -> Result<()> {
        Self::require_handler(actor)?;
        let t = self.tip_in_scope(actor, id).await?;
        let rules = self.rules().await;
        let mut errors = Vec::new();
        if !rules.categories.contains(&input.category) {
            errors.push(FieldError::new("category", "invalid_kind"));
        }
        let db = &self.store.db;
        let assignee = anjian_store::orgs::get(db, &actor.scope, input.assignee_org_id).await.ok();
        if !assignee.as_ref().is_some_and(|o| matches!(o.kind.as_str(), "regulator" | "department")) {
            errors.push(FieldError::new("assignee_org_id", "not_found"));
        }
        let org = match input.org_id {
            Some(oid) => match anjian_store::orgs::get(db, &actor.scope, oid).await {
                Ok(o) => Some(o),
                Err(_) => {
                    errors.push(FieldError::new("org_id", "not_found"));
                    None
                }
            },
            None => None,
        };
        let jurisdiction_path = match (input.county.trim(), &org) {
            ("", Some(o)) => Some(o.jurisdiction_path.clone()),
            ("", None) => None,
            (code, _) => match anjian_store::jurisdictions::by_code(db, code).await? {
                Some(j) if actor.scope.admits_jurisdiction(&j.path) => Some(j.path),
                _ => {
                    errors.push(FieldError::new("county", "not_found"));
                    None
                }
            },
        };
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let action = if t.state == TipState::Assigned { Action::Reassign } else { Action::Assign };
        let change = TipChange {
            category: Some(input.category),
            jurisdiction_path,
            org: org.map(|o| (o.id, o.org_path)),
            assigned_org_id: Some(input.assignee_org_id),
            ..Default::default()
        };
        let txn = self.store.begin_write().await?;
        let note = format!("{} {}", assignee.map(|o| o.name).unwrap_or_default(), input.note.trim());
        self.step(actor, &t, (action, "assigned", note.trim()), change, &*txn).await?;
        txn.commit().await?;
        Ok(())
    }

    /// The verification's findings, evidence photos and outcome (属实 / 部分属实 / 不属实).
    pub async fn conclude_tip(
        &self,
        actor: &Actor,
        id: i64,
        outcome: &str,
        findings: &str,
        evidence: Vec<Vec<u8>>,
    ) -> Result<()> {
        Self::require_handler(actor)?;
        let t = self.tip_in_scope(actor, id).await?;
        let mut errors = Vec::new();
        let o: Option<Outcome> = outcome.parse().ok();
        if o.is_none() {
            errors.push(FieldError::new("outcome", "invalid_kind"));
        }
        let findings = clean(findings, "findings", MAX_BODY, &mut errors);
        if findings.is_empty() {
            errors.push(FieldError::new("findings", "required"));
        }
        if evidence.len() > MAX_PHOTOS {
            errors.push(FieldError::new("photos", "too_many"));
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let o = o.expect("checked");
        let stored = self.store_photos(evidence).await?;
        let now = self.clock.now();
        let txn = self.store.begin_write().await?;
        let change = TipChange { outcome: Some(o), ..Default::default() };
        self.step(actor, &t, (Action::Conclude(o), "concluded", &findings), change, &*txn).await?;
        for (clean, sha) in stored {
            store::add_file(&*txn, t.id, file_row("evidence", &clean, sha), now).await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// A founded tip becomes a hazard in the ledger of the organisation concerned, in one step.
    /// The enterprise reads its ledger, so the hazard carries the bureau's own description of
    /// what was found — never the tip's text, which could name whoever reported it.
    pub async fn tip_to_hazard(&self, actor: &Actor, id: i64, grade: &str, description: &str) -> Result<i64> {
        Self::require_handler(actor)?;
        let t = self.tip_in_scope(actor, id).await?;
        if !t.outcome.is_some_and(Outcome::founded) {
            return Err(AppError::invalid("outcome", "tip_not_founded"));
        }
        if t.hazard_id.is_some() {
            return Err(AppError::Conflict("tip_has_hazard"));
        }
        let org_id = t.org_id.ok_or_else(|| AppError::invalid("org_id", "required"))?;
        let org = anjian_store::orgs::get(&self.store.db, &actor.scope, org_id).await?;
        if description.trim().is_empty() {
            return Err(AppError::invalid("description", "required"));
        }
        let h = HazardInput::finding(description.trim().to_owned(), grade, &t.category);
        let now = self.clock.now();
        let txn = self.store.begin_write().await?;
        let hazard = self.insert_hazard(&*txn, actor, &org, &h, None, "tip", now, None, None).await?;
        let change = TipChange { hazard_id: Some(hazard.id), ..Default::default() };
        // Not a state change: the tip stays where it is; the row is guarded by its state all the same.
        if !store::change(&*txn, t.id, t.state, TipChange { state: None, ..change }, now).await? {
            return Err(AppError::Conflict("tip_state"));
        }
        store::add_event(
            &*txn,
            t.id,
            "hazard_filed",
            Some((actor.id(), &actor.user.display_name)),
            &format!("#{}", hazard.id),
            now,
        )
        .await?;
        let mut e = crate::audit::entry(Some(actor), "tip.hazard_filed", "tip", t.id);
        e.detail = format!("hazard={}", hazard.id);
        self.record(&*txn, e).await?;
        txn.commit().await?;
        Ok(hazard.id)
    }

    /// Proposes the reward the plan's rules give for the finding and the penalty imposed.
    pub async fn propose_reward(&self, actor: &Actor, id: i64, input: RewardInput) -> Result<i64> {
        Self::require_handler(actor)?;
        let t = self.tip_in_scope(actor, id).await?;
        let rules = self.rules().await;
        // The step must be possible before its amount is worth computing.
        let outcome = t.outcome;
        tip::next(t.state, outcome, Action::ProposeReward).map_err(|_| AppError::Conflict("tip_state"))?;
        let outcome = outcome.ok_or(AppError::Conflict("tip_state"))?;
        let amount = tip::reward_yuan(&rules, &input.finding, outcome, input.penalty_yuan).map_err(|e| match e {
            tip::RewardError::UnknownFinding(_) => AppError::invalid("finding", "invalid_kind"),
            tip::RewardError::NotFounded => AppError::invalid("outcome", "tip_not_founded"),
            tip::RewardError::NegativePenalty => AppError::invalid("penalty_yuan", "out_of_range"),
        })?;
        let change = TipChange {
            finding: Some(input.finding.clone()),
            penalty_yuan: Some(input.penalty_yuan),
            reward_yuan: Some(Some(amount)),
            reward_proposed_by: Some(Some(actor.id())),
            ..Default::default()
        };
        let note = ZH.fill(
            "record.reward_note",
            &[("finding", &input.finding), ("penalty", &input.penalty_yuan), ("reward", &amount)],
        );
        let txn = self.store.begin_write().await?;
        self.step(actor, &t, (Action::ProposeReward, "reward_proposed", &note), change, &*txn).await?;
        txn.commit().await?;
        Ok(amount)
    }

    /// A second person approves (or rejects, with a reason) the proposed reward.
    pub async fn decide_reward(&self, actor: &Actor, id: i64, approve: bool, note: &str) -> Result<()> {
        if !(actor.role.can(Permission::HandleTips) || actor.role == anjian_domain::role::Role::CityLeader) {
            return Err(AppError::Forbidden);
        }
        let t = self.tip_in_scope(actor, id).await?;
        let proposer = t.reward_proposed_by.ok_or(AppError::Conflict("tip_state"))?;
        tip::check_approver(proposer, actor.id()).map_err(|_| AppError::invalid("approver", "same_person"))?;
        if !approve && note.trim().is_empty() {
            return Err(AppError::invalid("note", "required"));
        }
        let (action, kind, change) = if approve {
            (Action::ApproveReward, "reward_approved", TipChange::default())
        } else {
            (
                Action::RejectReward,
                "reward_rejected",
                TipChange { reward_yuan: Some(None), reward_proposed_by: Some(None), ..Default::default() },
            )
        };
        let txn = self.store.begin_write().await?;
        self.step(actor, &t, (action, kind, note.trim()), change, &*txn).await?;
        txn.commit().await?;
        Ok(())
    }

    /// The reward paid. An internal tip's reward is the enterprise's safety investment and is
    /// entered in its fundamentals, without anything that points at the reporter.
    pub async fn record_reward_payment(&self, actor: &Actor, id: i64, reference: &str) -> Result<()> {
        Self::require_handler(actor)?;
        let t = self.tip_in_scope(actor, id).await?;
        if reference.trim().is_empty() {
            return Err(AppError::invalid("reference", "required"));
        }
        let now = self.clock.now();
        let txn = self.store.begin_write().await?;
        self.step(actor, &t, (Action::RecordPayment, "reward_paid", reference.trim()), TipChange::default(), &*txn)
            .await?;
        if let (Some(org_id), "internal", Some(amount)) = (t.org_id, t.channel.as_str(), t.reward_yuan) {
            let org = anjian_store::orgs::get(&*txn, &Scope::All, org_id).await?;
            anjian_store::fundamentals::insert(
                &*txn,
                &org,
                anjian_store::fundamentals::NewFundamental {
                    kind: "whistleblower_reward".into(),
                    year: Some(anjian_domain::period::local_date(now).format("%Y").to_string().parse().unwrap_or(0)),
                    amount_fen: Some(
                        Fen::from_yuan(amount).ok_or_else(|| AppError::invalid("reward_yuan", "out_of_range"))?,
                    ),
                    note: ZH.t("record.whistleblower_reward").into(),
                    ..Default::default()
                },
                actor.id(),
                now,
            )
            .await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// Closes a tip without (further) reward: duplicate, out of remit, reward declined.
    pub async fn close_tip(&self, actor: &Actor, id: i64, reason: &str) -> Result<()> {
        Self::require_handler(actor)?;
        let t = self.tip_in_scope(actor, id).await?;
        if reason.trim().is_empty() {
            return Err(AppError::invalid("reason", "required"));
        }
        let txn = self.store.begin_write().await?;
        self.step(actor, &t, (Action::Close, "closed", reason.trim()), TipChange::default(), &*txn).await?;
        txn.commit().await?;
        Ok(())
    }

    /// A message from the bureau to the reporter (seen with the receipt code).
    pub async fn bureau_tip_message(&self, actor: &Actor, id: i64, body: &str) -> Result<()> {
        Self::require_handler(actor)?;
        let t = self.tip_in_scope(actor, id).await?;
        let body = message_body(body)?;
        let now = self.clock.now();
        let txn = self.store.begin_write().await?;
        store::add_message(&*txn, t.id, Some((actor.id(), &actor.user.display_name)), &body, now).await?;
        self.record(&*txn, crate::audit::entry(Some(actor), "tip.message", "tip", t.id)).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Opens the sealed contact details: the custodian only, with a reason; the opening is
    /// audited (who, which tip, why) before the plaintext leaves this function.
    pub async fn reveal_tip_contact(&self, actor: &Actor, id: i64, reason: &str) -> Result<String> {
        actor.require(Permission::RevealTipContact)?;
        let t = self.tip_in_scope(actor, id).await?;
        if reason.trim().chars().count() < 4 {
            return Err(AppError::invalid("reason", "required"));
        }
        let sealed = t.contact_sealed.as_deref().ok_or(AppError::NotFound)?;
        let plain = self.crypto.open(sealed).ok_or_else(|| AppError::Internal("a sealed value did not open".into()))?;
        let now = self.clock.now();
        let txn = self.store.begin_write().await?;
        store::add_event(
            &*txn,
            t.id,
            "contact_revealed",
            Some((actor.id(), &actor.user.display_name)),
            reason.trim(),
            now,
        )
        .await?;
        let mut e = crate::audit::entry(Some(actor), "tip.contact_revealed", "tip", t.id);
        e.detail = format!("reason={}", reason.trim());
        self.record(&*txn, e).await?;
        txn.commit().await?;
        Ok(plain)
    }

    /// Counts by month (of receipt), county, category and outcome, for tips in scope.
    pub async fn tip_stats(&self, actor: &Actor, f: &TipFilter) -> Result<Vec<TipStatRow>> {
        let tips = self.tips(actor, f, 10_000).await?;
        let counties = anjian_store::jurisdictions::all(&self.store.db).await?;
        let county_of = |path: &str| {
            counties
                .iter()
                .filter(|j| path.starts_with(&j.path))
                .max_by_key(|j| j.path.len())
                .map(|j| j.name.clone())
                .unwrap_or_default()
        };
        let mut counts: std::collections::BTreeMap<(String, String, String, String), u64> = Default::default();
        for t in &tips {
            let month = anjian_domain::period::local_date(t.created_at).format("%Y-%m").to_string();
            let outcome = t.outcome.map_or("pending", Outcome::as_str).to_owned();
            *counts.entry((month, county_of(&t.jurisdiction_path), t.category.clone(), outcome)).or_default() += 1;
        }
        Ok(counts
            .into_iter()
            .map(|((month, county, category, outcome), count)| TipStatRow { month, county, category, outcome, count })
            .collect())
    }

    /// Tips past their step's deadline: a reminder to the office that holds them (the assigned
    /// one, or the bureau of the tip's area), once per step.
    pub(crate) async fn tip_reminders(
        &self,
        accounts: &[(i64, anjian_domain::role::Role, Option<i64>)],
    ) -> Result<Vec<anjian_store::notifications::NewNotification>> {
        use anjian_domain::role::Role;
        let now = self.clock.now();
        let f = TipFilter { overdue_at: Some(now), ..Default::default() };
        let overdue = store::list(&self.store.db, &Scope::All, &f, 1000).await?;
        if overdue.is_empty() {
            return Ok(Vec::new());
        }
        let regulators = anjian_store::orgs::list(
            &self.store.db,
            &Scope::All,
            &anjian_store::orgs::OrgFilter { kind: Some("regulator".into()), ..Default::default() },
            None,
            1000,
        )
        .await?;
        let mut out = Vec::new();
        for t in overdue {
            let holder = t.assigned_org_id.or_else(|| {
                regulators
                    .iter()
                    .filter(|o| t.jurisdiction_path.starts_with(&o.jurisdiction_path))
                    .max_by_key(|o| o.jurisdiction_path.len())
                    .map(|o| o.id)
            });
            let Some(holder) = holder else { continue };
            let due = t.due_at.map(|d| d.timestamp()).unwrap_or_default();
            for (user, role, org) in accounts {
                if *org != Some(holder) || !matches!(role, Role::CityStaff | Role::CountyStaff) {
                    continue;
                }
                out.push(anjian_store::notifications::NewNotification {
                    user_id: *user,
                    kind: "overdue".into(),
                    title: anjian_i18n::Lang::Zh.fill("notify.tip_overdue", &[("id", &t.id)]),
                    body: anjian_i18n::Lang::Zh.fill("notify.tip_overdue_body", &[("id", &t.id)]),
                    link: format!("/tips/{}", t.id),
                    dedupe_key: format!("tip:{}:{}:{due}:{user}", t.id, t.state),
                });
            }
        }
        Ok(out)
    }
}

/// A message's text, trimmed; refused when empty or too long.
fn message_body(body: &str) -> Result<String> {
    let mut errors = Vec::new();
    let body = clean(body, "body", MAX_BODY, &mut errors);
    if body.is_empty() {
        errors.push(FieldError::new("body", "required"));
    }
    if errors.is_empty() {
        Ok(body)
    } else {
        Err(AppError::Invalid(errors))
    }
}

fn file_row(role: &'static str, clean: &anjian_store::images::CleanImage, sha256: String) -> NewTipFile {
    NewTipFile {
        role,
        content_type: clean.content_type.to_owned(),
        size: clean.bytes.len() as i64,
        sha256,
        width: clean.width as i32,
        height: clean.height as i32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn following_up_does_not_use_up_the_reports_an_address_may_make() {
        let g = Guard::new(vec![7; 32]);
        let now: DateTime<Utc> = "2022-08-15T02:00:00Z".parse().unwrap();
        let ip: Option<IpAddr> = Some("203.0.113.9".parse().unwrap());
        for _ in 0..10 {
            g.admit(ip, Counter::FollowUp, 60, now).unwrap();
        }
        for _ in 0..3 {
            g.admit(ip, Counter::Submit, 3, now).unwrap();
        }
        assert!(matches!(g.admit(ip, Counter::Submit, 3, now), Err(AppError::Throttled)), "the fourth report");
        g.admit(ip, Counter::FollowUp, 60, now).unwrap();
        // Another address, or the next hour, starts afresh.
        g.admit(Some("203.0.113.10".parse().unwrap()), Counter::Submit, 3, now).unwrap();
        g.admit(ip, Counter::Submit, 3, now + Duration::hours(1)).unwrap();
    }
}
