//! Tips (举报) from the public and from enterprises' own staff (吹哨人): how a tip moves from
//! receipt to a verified outcome and a paid reward, what a reward comes to under the plan's rules,
//! and the reporter's receipt code and proof of work. No I/O: the store keeps tips, the app
//! decides who may act.

use crate::org::string_enum;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;

string_enum! {
    /// Where a tip is in its handling: received (nobody has triaged it yet); assigned to a
    /// department or county bureau to verify (核查); concluded with an outcome (a founded tip
    /// waits for its reward decision); a reward proposed, waiting for a second person's
    /// approval; approved, waiting for payment; closed (untrue, paid, or closed without a
    /// reward with a reason).
    TipState {
        Received => "received",
        Assigned => "assigned",
        Concluded => "concluded",
        RewardProposed => "reward_proposed",
        RewardApproved => "reward_approved",
        Closed => "closed",
    }
}

string_enum! {
    /// The verification's result.
    Outcome {
        True => "true",
        PartlyTrue => "partly_true",
        Untrue => "untrue",
    }
}

string_enum! {
    /// Public (举报) or from inside an enterprise (吹哨人).
    Channel {
        Public => "public",
        Internal => "internal",
    }
}

impl Outcome {
    /// Whether the tip proved (at least partly) true, which is what earns a reward or a hazard.
    pub fn founded(self) -> bool {
        matches!(self, Outcome::True | Outcome::PartlyTrue)
    }
}

/// What someone does to a tip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Assign,
    /// Another assignment before verification (the first one was the wrong office).
    Reassign,
    Conclude(Outcome),
    ProposeReward,
    ApproveReward,
    RejectReward,
    RecordPayment,
    /// Close without (further) reward, with a reason.
    Close,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TipError {
    #[error("a tip that is {0} cannot take this step")]
    WrongState(TipState),
    #[error("only a true or partly true tip earns a reward")]
    NotFounded,
    #[error("the person who proposed a reward cannot approve it")]
    SamePerson,
}

/// The state after `action`, given the outcome found so far.
pub fn next(state: TipState, outcome: Option<Outcome>, action: Action) -> Result<TipState, TipError> {
    use Action as A;
    use TipState as S;
    let founded = outcome.is_some_and(Outcome::founded);
    match (state, action) {
        (S::Received, A::Assign) | (S::Assigned, A::Reassign) => Ok(S::Assigned),
        (S::Assigned, A::Conclude(o)) => Ok(if o.founded() { S::Concluded } else { S::Closed }),
        (S::Concluded, A::ProposeReward) if founded => Ok(S::RewardProposed),
        (S::Concluded, A::ProposeReward) => Err(TipError::NotFounded),
        (S::RewardProposed, A::ApproveReward) => Ok(S::RewardApproved),
        (S::RewardProposed, A::RejectReward) => Ok(S::Concluded),
        (S::RewardApproved, A::RecordPayment) => Ok(S::Closed),
        // A tip may be closed before verification only as a duplicate or out of remit; a founded
        // tip may be closed without reward (the reporter declined, left no way to pay).
        (S::Received | S::Assigned | S::Concluded, A::Close) => Ok(S::Closed),
        (s, _) => Err(TipError::WrongState(s)),
    }
}

/// A reward's approval must come from someone other than its proposer (two-person rule).
pub fn check_approver(proposer: i64, approver: i64) -> Result<(), TipError> {
    if proposer == approver {
        Err(TipError::SamePerson)
    } else {
        Ok(())
    }
}

/// The step a deadline applies to, by state.
pub fn deadline_days(state: TipState, rules: &TipRules) -> Option<u32> {
    match state {
        TipState::Received => Some(rules.assign_within_days),
        TipState::Assigned => Some(rules.verify_within_days),
        TipState::Concluded | TipState::RewardProposed | TipState::RewardApproved => Some(rules.reward_within_days),
        TipState::Closed => None,
    }
}

/// The plan's rules for tips (`[tips]`): deadlines per step, categories, rewards.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TipRules {
    pub assign_within_days: u32,
    pub verify_within_days: u32,
    pub reward_within_days: u32,
    pub categories: Vec<String>,
    /// A partly true tip earns this percentage of what a true one would.
    pub partly_true_percent: u32,
    pub rewards: Vec<RewardRule>,
    #[serde(default)]
    pub source: Option<String>,
    /// What the plan had to assume (lint reports it as an ambiguity, with its line).
    #[serde(default)]
    pub assumption: Option<toml::Spanned<String>>,
}

/// What a verified finding of one kind earns: a percentage of the penalty imposed, at least
/// `min_yuan` and at most `max_yuan`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RewardRule {
    pub finding: String,
    pub percent_of_penalty: u32,
    pub min_yuan: i64,
    pub max_yuan: i64,
}

impl Default for TipRules {
    /// What applies when a plan has no `[tips]` section.
    fn default() -> Self {
        TipRules {
            assign_within_days: 3,
            verify_within_days: 15,
            reward_within_days: 30,
            categories: vec!["hazard".into(), "violation".into(), "other".into()],
            partly_true_percent: 50,
            rewards: vec![RewardRule {
                finding: "hazard".into(),
                percent_of_penalty: 0,
                min_yuan: 200,
                max_yuan: 2000,
            }],
            source: None,
            assumption: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RewardError {
    #[error("the plan has no reward rule for `{0}`")]
    UnknownFinding(String),
    #[error("an untrue tip earns no reward")]
    NotFounded,
    #[error("a penalty cannot be negative")]
    NegativePenalty,
}

/// The reward in yuan for a tip of `outcome` whose verification found `finding` and led to a
/// penalty of `penalty_yuan`: the rule's percentage of the penalty, within its bounds, scaled
/// for a partly true tip. Computed, never typed, so two bureaus pay the same for the same case.
pub fn reward_yuan(rules: &TipRules, finding: &str, outcome: Outcome, penalty_yuan: i64) -> Result<i64, RewardError> {
    if !outcome.founded() {
        return Err(RewardError::NotFounded);
    }
    if penalty_yuan < 0 {
        return Err(RewardError::NegativePenalty);
    }
    let rule = rules
        .rewards
        .iter()
        .find(|r| r.finding == finding)
        .ok_or_else(|| RewardError::UnknownFinding(finding.to_owned()))?;
    let share = penalty_yuan.saturating_mul(i64::from(rule.percent_of_penalty)) / 100;
    let full = share.clamp(rule.min_yuan, rule.max_yuan.max(rule.min_yuan));
    Ok(match outcome {
        Outcome::PartlyTrue => full * i64::from(rules.partly_true_percent) / 100,
        _ => full,
    })
}

/// Crockford's base32 alphabet: no I, L, O or U, so a code read aloud or copied by hand survives.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The number of characters of a receipt code: 20 × 5 = 100 bits of randomness.
pub const RECEIPT_CHARS: usize = 20;

/// A reporter's receipt code (回执码): the one thing that lets an anonymous reporter follow
/// their tip, so it is a secret. It exists only as generated or as parsed from what was typed
/// back; the canonical form (20 characters, no separators) is what gets hashed, the display
/// form (groups of five, `7K3QD-…`) what the reporter is shown. `Debug` never prints it: a log
/// line must not carry a way into a tip.
#[derive(Clone, PartialEq, Eq)]
pub struct ReceiptCode(String);

impl ReceiptCode {
    /// A code from 13 random bytes (the first 100 bits are used).
    pub fn generate(random: &[u8; 13]) -> ReceiptCode {
        let mut bits: u128 = 0;
        for b in random {
            bits = (bits << 8) | u128::from(*b);
        }
        // 104 bits read; keep the top 100.
        bits >>= 4;
        let code = (0..RECEIPT_CHARS)
            .map(|i| ALPHABET[((bits >> (5 * (RECEIPT_CHARS - 1 - i))) & 31) as usize] as char)
            .collect();
        ReceiptCode(code)
    }

    /// A code as typed back: any case, with or without separators, the look-alikes (O, I, L)
    /// read as the digits they resemble. `None` when it cannot be a receipt code.
    pub fn parse(typed: &str) -> Option<ReceiptCode> {
        let mut out = String::with_capacity(RECEIPT_CHARS);
        for c in typed.chars() {
            let c = match c.to_ascii_uppercase() {
                '-' | ' ' | '\u{3000}' => continue,
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            };
            if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) {
                return None;
            }
            out.push(c);
        }
        (out.len() == RECEIPT_CHARS).then_some(ReceiptCode(out))
    }

    /// The form that is hashed and compared.
    pub fn canonical(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ReceiptCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, c) in self.0.chars().enumerate() {
            if i > 0 && i % 5 == 0 {
                f.write_str("-")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for ReceiptCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReceiptCode(…)")
    }
}

/// Whether `nonce` solves the proof-of-work `challenge` at `bits` of difficulty: the SHA-256 of
/// `challenge:nonce` starts with that many zero bits. The submitting browser searches for the
/// nonce (about 2^bits hashes); checking takes one.
pub fn proof_of_work_ok(challenge: &str, nonce: &str, bits: u32) -> bool {
    if nonce.is_empty() || nonce.len() > 20 {
        return false;
    }
    let digest = Sha256::digest(format!("{challenge}:{nonce}").as_bytes());
    leading_zero_bits(&digest) >= bits
}

fn leading_zero_bits(bytes: &[u8]) -> u32 {
    let mut n = 0;
    for b in bytes {
        if *b == 0 {
            n += 8;
        } else {
            return n + b.leading_zeros();
        }
    }
    n
}

/// Searches the nonce for a challenge (what the page's script does; used by tests and tools).
pub fn solve_proof_of_work(challenge: &str, bits: u32) -> String {
    (0u64..).map(|n| n.to_string()).find(|n| proof_of_work_ok(challenge, n, bits)).expect("a nonce exists")
}

#[cfg(test)]
#[path = "tip_tests.rs"]
mod tests;

/// A tip and where its handling stands. Nothing here identifies the reporter: the contact
/// details are sealed, the receipt code is kept only as a slow hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tip {
    pub id: i64,
    #[serde(skip)]
    pub receipt_hash: String,
    pub channel: Channel,
    pub category: String,
    pub jurisdiction_path: String,
    pub org_id: Option<i64>,
    pub org_path: String,
    /// The enterprise or place named by the reporter, as typed.
    pub subject: String,
    pub place: String,
    pub happened_on: String,
    /// The work team (班组) of an internal tip.
    pub work_team: String,
    pub body: String,
    #[serde(skip)]
    pub contact_sealed: Option<String>,
    pub state: TipState,
    pub outcome: Option<Outcome>,
    pub assigned_org_id: Option<i64>,
    pub due_at: Option<DateTime<Utc>>,
    pub finding: Option<String>,
    pub penalty_yuan: Option<i64>,
    pub reward_yuan: Option<i64>,
    pub reward_proposed_by: Option<i64>,
    pub hazard_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Tip {
    /// Still being handled past the deadline of its current step.
    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        self.state != TipState::Closed && self.due_at.is_some_and(|d| d < now)
    }

    /// A reward was approved (paid or waiting for payment): what the reporter may be told.
    pub fn is_internal(&self) -> bool {
        self.channel == Channel::Internal
    }

    pub fn reward_decided(&self) -> bool {
        self.state == TipState::RewardApproved
            || (self.state == TipState::Closed && self.reward_yuan.is_some() && self.reward_proposed_by.is_some())
    }

    /// Whether `action` may be taken now, by the state machine (`next`).
    pub fn allows(&self, action: Action) -> bool {
        next(self.state, self.outcome, action).is_ok()
    }

    /// The steps `me` may take on the tip now: what a handler's page offers.
    pub fn steps(&self, me: i64) -> Steps {
        Steps {
            assign: self.allows(Action::Assign) || self.allows(Action::Reassign),
            conclude: self.allows(Action::Conclude(Outcome::True)),
            to_hazard: self.hazard_id.is_none() && self.outcome.is_some_and(Outcome::founded),
            propose_reward: self.allows(Action::ProposeReward),
            decide_reward: self.allows(Action::ApproveReward)
                && self.reward_proposed_by.is_some_and(|p| check_approver(p, me).is_ok()),
            record_payment: self.allows(Action::RecordPayment),
            close: self.allows(Action::Close),
        }
    }
}

/// The steps open on a tip for one handler (see [`Tip::steps`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Steps {
    pub assign: bool,
    pub conclude: bool,
    pub to_hazard: bool,
    pub propose_reward: bool,
    pub decide_reward: bool,
    pub record_payment: bool,
    pub close: bool,
}

/// One step in a tip's handling. Append-only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TipEvent {
    pub id: i64,
    pub tip_id: i64,
    pub kind: String,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub note: String,
    pub created_at: DateTime<Utc>,
}

/// A file of a tip (the reporter's photos, the verification's evidence), stripped of metadata and
/// kept by its hash. Append-only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TipFile {
    pub id: i64,
    pub tip_id: i64,
    /// `report` (from the reporter) or `evidence` (from the verification).
    pub role: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub width: i32,
    pub height: i32,
    pub created_at: DateTime<Utc>,
}

/// A message between the reporter and the bureau. Append-only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TipMessage {
    pub id: i64,
    pub tip_id: i64,
    pub from_reporter: bool,
    pub author_id: Option<i64>,
    pub author: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default)]
pub struct TipFilter {
    pub state: Option<TipState>,
    pub category: Option<String>,
    pub channel: Option<String>,
    /// Jurisdiction path prefix (a county).
    pub county_path: Option<String>,
    /// Received from (inclusive) and until (exclusive).
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub overdue_at: Option<DateTime<Utc>>,
}
