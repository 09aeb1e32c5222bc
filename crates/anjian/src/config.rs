//! Configuration from a file, the environment and flags. Precedence, highest first:
//! command-line flag, environment variable (`ANJIAN_*`), the file given by `--config`
//! (or `ANJIAN_CONFIG`), then the built-in default.

use anyhow::Context;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// What a config file may hold; every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub database_url: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub listen: Option<String>,
    pub secure_cookies: Option<bool>,
    pub hsts: Option<bool>,
    pub audit_hash: Option<String>,
    pub log_format: Option<String>,
    pub lockout_threshold: Option<i32>,
    pub lockout_minutes: Option<i64>,
    pub session_idle_minutes: Option<i64>,
    pub password_max_age_days: Option<i64>,
    /// Outgoing webhook for reminders (an SMS or messaging gateway).
    pub webhook_url: Option<String>,
    /// Seconds between runs of the reminder job (default 60).
    pub reminder_interval_seconds: Option<u64>,
    /// Seconds between advances of the signed audit checkpoint (default 10).
    pub audit_checkpoint_seconds: Option<u64>,
    /// Local hour from which the daily digest goes out (default 8).
    pub digest_hour: Option<u32>,
    /// Broker for warehouse telemetry (`mqtt://host:1883`); none: HTTP intake only.
    pub mqtt_url: Option<String>,
    /// Topic prefix gateways publish under (`<prefix>/<gateway>/readings`; default `anjian`).
    pub mqtt_topic_prefix: Option<String>,
    /// anjian's own broker account (the password better comes from `ANJIAN_MQTT_PASSWORD`).
    pub mqtt_username: Option<String>,
    pub mqtt_password: Option<Secret>,
    /// Seconds a client has to send its request headers (default 15).
    pub header_read_timeout_seconds: Option<u64>,
    /// Connections open at once (default 4096; never more than the open-file limit allows).
    pub max_connections: Option<usize>,
    /// The address people reach anjian at (`https://anjian.bureau.gov.cn`): printed QR codes
    /// encode it, whatever host the page that printed them was opened on.
    pub public_url: Option<String>,
}

/// A value that never shows in a log or a Debug print.
#[derive(Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl FileConfig {
    pub fn load(path: Option<&Path>) -> anyhow::Result<FileConfig> {
        match path {
            None => Ok(FileConfig::default()),
            Some(p) => {
                let text = std::fs::read_to_string(p).with_context(|| format!("reading config {}", p.display()))?;
                toml::from_str(&text).with_context(|| format!("config {}", p.display()))
            }
        }
    }
}

/// The settings in force after precedence is applied.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub data_dir: PathBuf,
    database_url: String,
    pub listen: String,
    pub secure_cookies: bool,
    pub hsts: bool,
    pub settings: anjian_app::Settings,
    pub log_json: bool,
    pub reminder_interval: std::time::Duration,
    pub audit_checkpoint_interval: std::time::Duration,
    pub mqtt_url: Option<String>,
    pub mqtt_topic_prefix: String,
    pub mqtt_credentials: Option<(String, Secret)>,
    pub http_limits: anjian_web::server::Limits,
    pub public_url: Option<String>,
}

impl Resolved {
    pub fn database_url(&self) -> &str {
        &self.database_url
    }

    /// Where the audit checkpoint is kept: outside the database, in the data folder.
    pub fn checkpoint_path(&self) -> PathBuf {
        self.data_dir.join("audit.checkpoint")
    }

    /// The key that signs the checkpoint; the database never holds it.
    pub fn checkpoint_key_path(&self) -> PathBuf {
        self.data_dir.join("audit-checkpoint.key")
    }
}

pub struct Layers<'a> {
    pub file: &'a FileConfig,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub listen: Option<String>,
    pub insecure_cookies: bool,
}

pub fn resolve(l: Layers<'_>) -> anyhow::Result<Resolved> {
    let f = l.file;
    let data_dir = l.data_dir.or_else(|| f.data_dir.clone()).unwrap_or_else(|| PathBuf::from("data"));
    let database_url = l
        .database_url
        .or_else(|| f.database_url.clone())
        .unwrap_or_else(|| format!("sqlite:{}", data_dir.join("anjian.db").display()));
    let mut settings = anjian_app::Settings::default();
    if let Some(v) = f.lockout_threshold {
        settings.lockout_threshold = v;
    }
    if let Some(v) = f.lockout_minutes {
        settings.lockout = chrono::Duration::minutes(v);
    }
    if let Some(v) = f.session_idle_minutes {
        settings.session_idle = chrono::Duration::minutes(v);
    }
    if let Some(v) = f.password_max_age_days {
        settings.password_max_age_days = v;
    }
    settings.webhook_url = f.webhook_url.clone().filter(|u| !u.is_empty());
    if let Some(h) = f.digest_hour {
        anyhow::ensure!(h < 24, "digest_hour {h}: use 0–23");
        settings.digest_hour = h;
    }
    if let Some(h) = &f.audit_hash {
        settings.audit_alg =
            anjian_domain::audit::HashAlg::parse(h).with_context(|| format!("audit_hash `{h}`: use sha256 or sm3"))?;
    }
    let public_url = std::env::var("ANJIAN_PUBLIC_URL")
        .ok()
        .or_else(|| f.public_url.clone())
        .map(|u| u.trim().trim_end_matches('/').to_owned())
        .filter(|u| !u.is_empty());
    if let Some(u) = &public_url {
        anyhow::ensure!(
            (u.starts_with("https://") || u.starts_with("http://"))
                && u.len() > "https://".len()
                && !u.contains(char::is_whitespace),
            "public_url `{u}`: give the address people open, e.g. https://anjian.example.gov.cn"
        );
    }
    Ok(Resolved {
        public_url,
        data_dir,
        database_url,
        listen: l.listen.or_else(|| f.listen.clone()).unwrap_or_else(|| "127.0.0.1:8080".into()),
        secure_cookies: !l.insecure_cookies && f.secure_cookies.unwrap_or(true),
        hsts: f.hsts.unwrap_or(false),
        settings,
        log_json: f.log_format.as_deref() == Some("json"),
        reminder_interval: std::time::Duration::from_secs(f.reminder_interval_seconds.unwrap_or(60).max(1)),
        audit_checkpoint_interval: std::time::Duration::from_secs(f.audit_checkpoint_seconds.unwrap_or(10).max(1)),
        // The environment beats the file, as for every other setting.
        mqtt_url: std::env::var("ANJIAN_MQTT_URL").ok().or_else(|| f.mqtt_url.clone()).filter(|u| !u.is_empty()),
        mqtt_topic_prefix: std::env::var("ANJIAN_MQTT_TOPIC_PREFIX")
            .ok()
            .or_else(|| f.mqtt_topic_prefix.clone())
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| "anjian".into()),
        http_limits: anjian_web::server::Limits {
            header_read_timeout: std::time::Duration::from_secs(f.header_read_timeout_seconds.unwrap_or(15).max(1)),
            max_connections: connection_cap(f.max_connections.unwrap_or(4096), open_file_limit()),
        },
        mqtt_credentials: {
            let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
            let user = env("ANJIAN_MQTT_USERNAME").or_else(|| f.mqtt_username.clone());
            let password = env("ANJIAN_MQTT_PASSWORD").map(Secret).or_else(|| f.mqtt_password.clone());
            user.map(|u| (u, password.unwrap_or_default()))
        },
    })
}

/// The process's soft limit on open files (Linux), if it can be read.
fn open_file_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// Connections allowed at once: what is asked for, but leaving room under the open-file limit
/// for the database, uploads, the broker and logs, so that a flood of connections cannot take
/// the descriptors the server needs to answer anyone.
fn connection_cap(wanted: usize, open_files: Option<u64>) -> usize {
    const RESERVED: u64 = 128;
    match open_files {
        Some(limit) => wanted.min(limit.saturating_sub(RESERVED).max(16) as usize),
        None => wanted,
    }
    .max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_stay_under_the_open_file_limit() {
        assert_eq!(connection_cap(4096, Some(1024)), 896);
        assert_eq!(connection_cap(4096, Some(65536)), 4096);
        assert_eq!(connection_cap(100, None), 100);
        assert_eq!(connection_cap(4096, Some(64)), 16);
    }

    #[test]
    fn flags_beat_the_file_and_the_file_beats_defaults() {
        let file: FileConfig = toml::from_str("listen = \"0.0.0.0:9000\"\ndata_dir = \"/srv/anjian\"").unwrap();
        let r = resolve(Layers {
            file: &file,
            data_dir: None,
            database_url: None,
            listen: Some("127.0.0.1:1".into()),
            insecure_cookies: false,
        })
        .unwrap();
        assert_eq!(r.listen, "127.0.0.1:1");
        assert_eq!(r.data_dir, PathBuf::from("/srv/anjian"));
        assert_eq!(r.database_url(), "sqlite:/srv/anjian/anjian.db");
        assert!(r.secure_cookies);
        let r = resolve(Layers {
            file: &FileConfig::default(),
            data_dir: None,
            database_url: None,
            listen: None,
            insecure_cookies: true,
        })
        .unwrap();
        assert_eq!(r.listen, "127.0.0.1:8080");
        assert!(!r.secure_cookies);
        assert!(toml::from_str::<FileConfig>("colour = 1").is_err());
    }
}
