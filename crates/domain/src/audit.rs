//! The audit hash chain: h_i = H(h_{i-1} ‖ canonical(record_i)). Altering a record breaks its
//! hash; removing or reordering one breaks the link of the next; cutting the tail is caught by
//! the head kept beside the chain (and a checkpoint kept outside the database).

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::Digest;
use std::fmt;

/// The hash of the chain. SHA-256 by default; SM3 (GB/T 32905) for deployments assessed under
/// GB/T 39786.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HashAlg {
    Sha256,
    Sm3,
}

impl HashAlg {
    pub fn as_str(self) -> &'static str {
        match self {
            HashAlg::Sha256 => "sha256",
            HashAlg::Sm3 => "sm3",
        }
    }
    pub fn parse(s: &str) -> Option<HashAlg> {
        match s {
            "sha256" => Some(HashAlg::Sha256),
            "sm3" => Some(HashAlg::Sm3),
            _ => None,
        }
    }
    pub fn digest_hex(self, parts: &[&[u8]]) -> String {
        match self {
            HashAlg::Sha256 => {
                let mut h = sha2::Sha256::new();
                parts.iter().for_each(|p| h.update(p));
                hex::encode(h.finalize())
            }
            HashAlg::Sm3 => {
                let mut h = sm3::Sm3::new();
                parts.iter().for_each(|p| h.update(p));
                hex::encode(h.finalize())
            }
        }
    }
}

/// The hash that the first record links to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit record: who did what to which object, when, with what result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRecord {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub result: String,
    pub before_digest: Option<String>,
    pub after_digest: Option<String>,
    pub detail: String,
}

impl AuditRecord {
    /// Canonical bytes: JSON with fields in declaration order and time in microseconds, so the
    /// same record hashes the same on SQLite and PostgreSQL.
    pub fn canonical(&self) -> Vec<u8> {
        #[derive(Serialize)]
        struct C<'a> {
            seq: i64,
            at_us: i64,
            actor_id: Option<i64>,
            actor: &'a str,
            action: &'a str,
            object_type: &'a str,
            object_id: &'a str,
            result: &'a str,
            before: Option<&'a str>,
            after: Option<&'a str>,
            detail: &'a str,
        }
        serde_json::to_vec(&C {
            seq: self.seq,
            at_us: self.at.timestamp_micros(),
            actor_id: self.actor_id,
            actor: &self.actor,
            action: &self.action,
            object_type: &self.object_type,
            object_id: &self.object_id,
            result: &self.result,
            before: self.before_digest.as_deref(),
            after: self.after_digest.as_deref(),
            detail: &self.detail,
        })
        .expect("serialising plain fields cannot fail")
    }

    pub fn chain_hash(&self, alg: HashAlg, prev: &str) -> String {
        alg.digest_hex(&[prev.as_bytes(), b"\n", &self.canonical()])
    }
}

/// A stored record with the links it was stored with.
#[derive(Debug, Clone)]
pub struct Linked {
    pub record: AuditRecord,
    pub alg: HashAlg,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum ChainBreak {
    /// The record's content no longer matches its hash: it was altered.
    Altered { seq: i64 },
    /// The record does not link to the one before it: one was removed, inserted or reordered.
    Unlinked { seq: i64 },
    /// A sequence number is missing.
    Gap { after: i64, found: i64 },
    /// The chain ends before the head recorded beside it: the tail was cut.
    Truncated { last_seq: i64, head_seq: i64 },
    /// The head does not match the last record.
    HeadMismatch { head_seq: i64 },
}

impl fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChainBreak::Altered { seq } => write!(f, "record {seq} was altered (its hash does not match its content)"),
            ChainBreak::Unlinked { seq } => {
                write!(f, "record {seq} does not link to the record before it (removed, inserted or reordered)")
            }
            ChainBreak::Gap { after, found } => write!(f, "records between {after} and {found} are missing"),
            ChainBreak::Truncated { last_seq, head_seq } => write!(
                f,
                "the chain ends at record {last_seq} but the head says {head_seq}: records were cut from the end"
            ),
            ChainBreak::HeadMismatch { head_seq } => {
                write!(f, "the head at record {head_seq} does not match the chain")
            }
        }
    }
}

impl std::error::Error for ChainBreak {}

/// Incremental verifier: feed records in sequence order, then finish against the head.
#[derive(Debug)]
pub struct Verifier {
    prev_hash: String,
    last_seq: i64,
    pub checked: u64,
}

impl Default for Verifier {
    fn default() -> Self {
        Self { prev_hash: GENESIS.to_owned(), last_seq: 0, checked: 0 }
    }
}

impl Verifier {
    /// A verifier that carries on from a head already verified (a checkpoint).
    pub fn resume(seq: i64, hash: &str) -> Self {
        Self { prev_hash: hash.to_owned(), last_seq: seq, checked: 0 }
    }

    pub fn push(&mut self, l: &Linked) -> Result<(), ChainBreak> {
        let seq = l.record.seq;
        if seq != self.last_seq + 1 {
            return Err(if seq <= self.last_seq {
                ChainBreak::Unlinked { seq }
            } else {
                ChainBreak::Gap { after: self.last_seq, found: seq }
            });
        }
        if l.prev_hash != self.prev_hash {
            return Err(ChainBreak::Unlinked { seq });
        }
        if l.record.chain_hash(l.alg, &l.prev_hash) != l.hash {
            return Err(ChainBreak::Altered { seq });
        }
        self.prev_hash = l.hash.clone();
        self.last_seq = seq;
        self.checked += 1;
        Ok(())
    }

    /// Compares the end of the chain with a head (seq, hash) kept elsewhere.
    pub fn finish(&self, head_seq: i64, head_hash: &str) -> Result<(), ChainBreak> {
        if head_seq > self.last_seq {
            return Err(ChainBreak::Truncated { last_seq: self.last_seq, head_seq });
        }
        if head_seq == self.last_seq && head_hash != self.prev_hash {
            return Err(ChainBreak::HeadMismatch { head_seq });
        }
        Ok(())
    }

    pub fn last(&self) -> (i64, &str) {
        (self.last_seq, &self.prev_hash)
    }
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub object_type: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn chain(n: i64, alg: HashAlg) -> Vec<Linked> {
        let mut prev = GENESIS.to_owned();
        (1..=n)
            .map(|seq| {
                let record = AuditRecord {
                    seq,
                    at: DateTime::from_timestamp(1_660_000_000 + seq, 0).unwrap(),
                    actor_id: Some(1),
                    actor: "admin".into(),
                    action: format!("act{seq}"),
                    object_type: "org".into(),
                    object_id: seq.to_string(),
                    result: "ok".into(),
                    before_digest: None,
                    after_digest: Some("x".into()),
                    detail: String::new(),
                };
                let hash = record.chain_hash(alg, &prev);
                let l = Linked { record, alg, prev_hash: prev.clone(), hash: hash.clone() };
                prev = hash;
                l
            })
            .collect()
    }

    fn verify(c: &[Linked], head: (i64, &str)) -> Result<(), ChainBreak> {
        let mut v = Verifier::default();
        c.iter().try_for_each(|l| v.push(l))?;
        v.finish(head.0, head.1)
    }

    #[test]
    fn sm3_matches_the_standard_vector() {
        // GB/T 32905-2016 example 1: SM3("abc").
        assert_eq!(
            HashAlg::Sm3.digest_hex(&[b"abc"]),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
    }

    proptest! {
        #[test]
        fn any_single_tampering_is_found_at_the_right_record(n in 2i64..30, victim in 0usize..30, how in 0u8..4, sm3 in any::<bool>()) {
            let alg = if sm3 { HashAlg::Sm3 } else { HashAlg::Sha256 };
            let mut c = chain(n, alg);
            let head = (c.last().unwrap().record.seq, c.last().unwrap().hash.clone());
            prop_assert!(verify(&c, (head.0, &head.1)).is_ok());
            let i = victim % c.len();
            let seq = c[i].record.seq;
            let found = match how {
                0 => { c[i].record.detail.push('!'); verify(&c, (head.0, &head.1)) }
                1 => { c.remove(i); verify(&c, (head.0, &head.1)) }
                2 => { let j = (i + 1) % c.len(); c.swap(i, j); verify(&c, (head.0, &head.1)) }
                _ => { c.truncate(i); verify(&c, (head.0, &head.1)) }
            };
            prop_assert!(found.is_err());
            match (how, found.unwrap_err()) {
                (0, ChainBreak::Altered { seq: s }) => prop_assert_eq!(s, seq),
                (1, ChainBreak::Gap { found, .. }) => prop_assert_eq!(found, seq + 1),
                (1, ChainBreak::Truncated { .. }) => prop_assert_eq!(i, c.len()),
                (2, _) | (3, ChainBreak::Truncated { .. }) => {}
                (h, e) => prop_assert!(false, "tampering {h} reported as {e:?}"),
            }
        }
    }
}
