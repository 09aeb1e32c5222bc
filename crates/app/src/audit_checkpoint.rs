//! The audit chain's head, signed and kept outside the database, so that a cut tail or a chain
//! rewritten together with its head is caught.
//!
//! The server advances the checkpoint itself every few seconds and when it stops: it walks the
//! records written since the last checkpoint, checks that they link to it, and signs the new
//! head with a key the database does not hold (Ed25519, `<data>/audit-checkpoint.key`, mode
//! 0600). Verification reads the checkpoint with the public key — the auditor's own copy where
//! given — and fails when it is missing, unsigned, signed by another key, or ahead of the chain.
//! It never writes the checkpoint: a verifier that rewrote what it checks against would hide the
//! very cut it is there to find.

use chrono::{DateTime, Utc};
use ed25519_dalek::Signer;
use std::fmt;
use std::path::{Path, PathBuf};

/// The first line of every checkpoint file, naming its format.
const HEADER: &str = "anjian-audit-checkpoint v1";
/// The signature scheme; a certified module would write `sm2:` here.
const SCHEME: &str = "ed25519:";

/// The key that signs checkpoints. Its Debug never shows the secret.
pub struct CheckpointKey(ed25519_dalek::SigningKey);

impl CheckpointKey {
    /// A key from its 32 secret bytes (the key file), or `None` when there are fewer.
    pub fn from_bytes(bytes: &[u8]) -> Option<CheckpointKey> {
        let secret: [u8; 32] = bytes.get(..32)?.try_into().ok()?;
        Some(CheckpointKey(ed25519_dalek::SigningKey::from_bytes(&secret)))
    }

    pub fn public(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }
}

impl fmt::Debug for CheckpointKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CheckpointKey({})", self.public())
    }
}

/// The public half, as an auditor keeps it: `ed25519:` and 64 hex digits.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey(ed25519_dalek::VerifyingKey);

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{SCHEME}{}", hex::encode(self.0.as_bytes()))
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::str::FromStr for PublicKey {
    type Err = CheckpointError;

    fn from_str(s: &str) -> Result<PublicKey, CheckpointError> {
        let hex_part = s.trim().strip_prefix(SCHEME).ok_or(CheckpointError::BadPublicKey)?;
        let bytes: [u8; 32] =
            hex::decode(hex_part).ok().and_then(|b| b.try_into().ok()).ok_or(CheckpointError::BadPublicKey)?;
        ed25519_dalek::VerifyingKey::from_bytes(&bytes).map(PublicKey).map_err(|_| CheckpointError::BadPublicKey)
    }
}

/// A head of the chain as it was at `at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
    pub at: DateTime<Utc>,
}

/// Why a checkpoint file cannot be trusted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("there is no audit checkpoint at {0}")]
    Missing(String),
    #[error("the audit checkpoint at {0} is not in the checkpoint format")]
    Malformed(String),
    #[error("the audit checkpoint at {0} carries no signature")]
    Unsigned(String),
    #[error("the audit checkpoint at {0} is not signed by this key: it was changed or forged")]
    BadSignature(String),
    #[error("a public key is written as ed25519: and 64 hex digits")]
    BadPublicKey,
}

impl Checkpoint {
    /// The signed text: every line but the signature.
    fn message(&self) -> String {
        format!("{HEADER}\nseq {}\nhash {}\nat {}\n", self.seq, self.hash, self.at.to_rfc3339())
    }

    /// The file's text, signed.
    pub fn signed_text(&self, key: &CheckpointKey) -> String {
        let message = self.message();
        let signature = key.0.sign(message.as_bytes());
        format!("{message}signature {SCHEME}{}\n", hex::encode(signature.to_bytes()))
    }

    /// Reads a checkpoint's text and checks its signature against `public`.
    pub fn parse(text: &str, public: &PublicKey, at: &Path) -> Result<Checkpoint, CheckpointError> {
        let place = || at.display().to_string();
        let mut fields = std::collections::HashMap::new();
        let mut lines = text.lines();
        if lines.next() != Some(HEADER) {
            return Err(CheckpointError::Malformed(place()));
        }
        for line in lines {
            let (k, v) = line.split_once(' ').ok_or_else(|| CheckpointError::Malformed(place()))?;
            fields.insert(k, v);
        }
        let seq = fields.get("seq").and_then(|s| s.parse().ok());
        let hash = fields.get("hash").filter(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit()));
        let at_time = fields.get("at").and_then(|t| DateTime::parse_from_rfc3339(t).ok());
        let (Some(seq), Some(hash), Some(at_time)) = (seq, hash, at_time) else {
            return Err(CheckpointError::Malformed(place()));
        };
        let cp = Checkpoint { seq, hash: (*hash).to_owned(), at: at_time.with_timezone(&Utc) };
        let signature = fields.get("signature").ok_or_else(|| CheckpointError::Unsigned(place()))?;
        let bytes: [u8; 64] = signature
            .strip_prefix(SCHEME)
            .and_then(|h| hex::decode(h).ok())
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| CheckpointError::BadSignature(place()))?;
        // Only the exact signed text counts: a line added or changed after signing fails.
        if text.rsplit_once("signature ").map(|(signed, _)| signed) != Some(cp.message().as_str()) {
            return Err(CheckpointError::BadSignature(place()));
        }
        public
            .0
            .verify_strict(cp.message().as_bytes(), &ed25519_dalek::Signature::from_bytes(&bytes))
            .map_err(|_| CheckpointError::BadSignature(place()))?;
        Ok(cp)
    }
}

/// Where the server keeps its checkpoint and the key it signs with.
#[derive(Debug)]
pub struct CheckpointFile {
    pub path: PathBuf,
    pub key: CheckpointKey,
}

impl CheckpointFile {
    /// The checkpoint there, checked against `public`.
    pub fn read(path: &Path, public: &PublicKey) -> Result<Checkpoint, CheckpointError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Checkpoint::parse(&text, public, path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Err(CheckpointError::Missing(path.display().to_string()))
            }
            Err(_) => Err(CheckpointError::Malformed(path.display().to_string())),
        }
    }

    /// Writes a signed checkpoint atomically (temporary file, fsync, rename, fsync of the folder).
    pub fn write(&self, cp: &Checkpoint) -> std::io::Result<()> {
        use std::io::Write;
        let tmp = self.path.with_extension("tmp");
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut f = options.open(&tmp)?;
        f.write_all(cp.signed_text(&self.key).as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, &self.path)?;
        if let Some(dir) = self.path.parent() {
            // The rename itself is durable only once the folder is.
            std::fs::File::open(dir).and_then(|d| d.sync_all()).ok();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(b: u8) -> CheckpointKey {
        CheckpointKey::from_bytes(&[b; 32]).unwrap()
    }

    fn cp() -> Checkpoint {
        Checkpoint { seq: 42, hash: "ab".repeat(32), at: DateTime::from_timestamp(1_660_528_800, 0).unwrap() }
    }

    #[test]
    fn a_signed_checkpoint_reads_back_with_its_key_only() {
        let path = Path::new("audit.checkpoint");
        let text = cp().signed_text(&key(1));
        assert_eq!(Checkpoint::parse(&text, &key(1).public(), path), Ok(cp()));
        assert!(matches!(Checkpoint::parse(&text, &key(2).public(), path), Err(CheckpointError::BadSignature(_))));
    }

    #[test]
    fn any_change_to_a_signed_checkpoint_is_caught() {
        let path = Path::new("audit.checkpoint");
        let public = key(1).public();
        let text = cp().signed_text(&key(1));
        for (from, to) in [("seq 42", "seq 41"), ("seq 42", "seq 420"), ("hash ab", "hash cd"), ("2022", "2023")] {
            let forged = text.replacen(from, to, 1);
            assert!(Checkpoint::parse(&forged, &public, path).is_err(), "{from} → {to}");
        }
        let unsigned: String = text.lines().take(4).map(|l| format!("{l}\n")).collect();
        assert!(matches!(Checkpoint::parse(&unsigned, &public, path), Err(CheckpointError::Unsigned(_))));
        // The old format, `seq hash` on one line, is no checkpoint.
        assert!(matches!(Checkpoint::parse("42 abab\n", &public, path), Err(CheckpointError::Malformed(_))));
        let extra = text.replace("hash ", "note x\nhash ");
        assert!(Checkpoint::parse(&extra, &public, path).is_err());
    }

    #[test]
    fn a_public_key_prints_and_parses() {
        let p = key(7).public();
        assert_eq!(p.to_string().parse::<PublicKey>(), Ok(p.clone()));
        assert_eq!("ed25519:00".parse::<PublicKey>(), Err(CheckpointError::BadPublicKey));
        assert!(!format!("{:?}", key(7)).contains(&hex::encode([7u8; 32])));
    }
}
