//! Security and behaviour settings, with the 等保 level-3 profile as the default.

use anjian_domain::audit::HashAlg;
use chrono::Duration;

#[derive(Debug, Clone)]
pub struct Argon2Params {
    pub m_kib: u32,
    pub t: u32,
    pub p: u32,
}

impl Default for Argon2Params {
    /// OWASP's argon2id minimum: 19 MiB, 2 passes, 1 lane.
    fn default() -> Self {
        Argon2Params { m_kib: 19 * 1024, t: 2, p: 1 }
    }
}

#[derive(Clone)]
pub struct Settings {
    /// Failed logins that lock an account (5 in the level-3 baseline).
    pub lockout_threshold: i32,
    /// How long a lock lasts (30 minutes: SECURITY.md is stricter than the 15).
    pub lockout: Duration,
    /// Failed logins from one address within `ip_window` before the address is throttled.
    pub ip_max_failures: u32,
    pub ip_window: std::time::Duration,
    pub session_idle: Duration,
    pub session_absolute: Duration,
    /// Days after which a password must be changed (90 in the 等保 profile; 0 turns it off).
    pub password_max_age_days: i64,
    pub audit_alg: HashAlg,
    pub argon2: Argon2Params,
    /// Key of the signatures on hazard ledgers. The binary keeps it in `<data>/signing.key`; it
    /// must be the same on every instance and must never change, or old signatures stop verifying.
    pub signing_key: Vec<u8>,
    /// Key that seals tip contact details and salts receipt codes. The binary keeps it in
    /// `<data>/tips.key`; only the custodian role's use case ever opens a sealed value.
    pub sealing_key: Vec<u8>,
    /// Leading zero bits a tip's proof of work must have (about 2^bits hashes in the browser).
    pub tip_pow_bits: u32,
    /// Tips (and reporter messages) one client may send per hour; tracked in memory only.
    pub tip_hourly_limit: u32,
    /// Where uploaded files are kept (the binary uses `<data>/blobs`). Several instances on one
    /// PostgreSQL share it (a network file system); without it, uploads are refused.
    pub blob_dir: Option<std::path::PathBuf>,
    /// Where reminders are POSTed for an SMS or messaging gateway; none sends nothing out.
    pub webhook_url: Option<String>,
    /// Key of the `X-Anjian-Signature` HMAC on every webhook body.
    pub webhook_secret: Vec<u8>,
    /// Attempts before a delivery is given up (with doubling waits from 30 s).
    pub webhook_max_attempts: i32,
    /// The local hour (Asia/Shanghai) from which the daily digest goes out.
    pub digest_hour: u32,
    /// Where the signed head of the audit chain is kept outside the database, and the key that
    /// signs it (the binary: `<data>/audit.checkpoint`, `<data>/audit-checkpoint.key`).
    pub audit_checkpoint: Option<std::sync::Arc<crate::audit_checkpoint::CheckpointFile>>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            lockout_threshold: 5,
            lockout: Duration::minutes(30),
            ip_max_failures: 20,
            ip_window: std::time::Duration::from_secs(15 * 60),
            session_idle: Duration::minutes(30),
            session_absolute: Duration::hours(12),
            password_max_age_days: 90,
            audit_alg: HashAlg::Sha256,
            argon2: Argon2Params::default(),
            signing_key: {
                use rand::RngCore;
                let mut k = vec![0u8; 32];
                rand::rngs::OsRng.fill_bytes(&mut k);
                k
            },
            sealing_key: {
                use rand::RngCore;
                let mut k = vec![0u8; 32];
                rand::rngs::OsRng.fill_bytes(&mut k);
                k
            },
            tip_pow_bits: 16,
            tip_hourly_limit: 10,
            blob_dir: None,
            webhook_url: None,
            webhook_secret: Vec::new(),
            webhook_max_attempts: 8,
            digest_hour: 8,
            audit_checkpoint: None,
        }
    }
}

impl std::fmt::Debug for Settings {
    // The signing key never goes to a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("lockout_threshold", &self.lockout_threshold)
            .field("lockout", &self.lockout)
            .field("session_idle", &self.session_idle)
            .field("session_absolute", &self.session_absolute)
            .field("password_max_age_days", &self.password_max_age_days)
            .field("audit_alg", &self.audit_alg)
            .field("webhook_url", &self.webhook_url)
            .finish_non_exhaustive()
    }
}
