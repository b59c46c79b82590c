//! Everything the application is built from, in one value: the policy, where
//! the data and the key are, where to listen, the workers, the letters, and
//! the values of the environment variables the policy's connectors name.
//! Secrets are wrapped, so they never print.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use steward_domain::policy::Policy;

use crate::clock::{Clock, SystemClock};
use crate::limits::Limits;
use crate::rights::WorkerConfig;

#[derive(Clone)]
pub struct Settings {
    /// The policy, loaded and checked.
    pub policy: Arc<Policy>,
    /// Where the embedded database, the key file and the outbox live by default.
    pub data_dir: PathBuf,
    /// A PostgreSQL URL instead of the embedded SQLite.
    pub database_url: Option<SecretString>,
    /// Whether this process must be alone with the data (a key rotation):
    /// then it is refused while another Steward process has it open.
    pub alone: bool,
    /// The key-encryption key's file (by default `kek.key` in the data directory).
    pub key_file: Option<PathBuf>,
    /// The key itself, given directly (`STEWARD_KEK`): takes precedence over the file.
    pub key: Option<SecretString>,
    /// Where to serve the API; `None` for processes that only work requests
    /// or run one command.
    pub listen: Option<SocketAddr>,
    /// Workers that carry out requests in this process.
    pub workers: usize,
    pub worker: WorkerConfig,
    /// Where letters are written (by default `outbox/` in the data directory).
    pub outbox: Option<PathBuf>,
    /// How long a letter waits there for its gateway before it is removed.
    pub outbox_retention: Duration,
    /// E-mail through SMTP, when set.
    pub smtp: Option<SmtpSettings>,
    /// The values of the environment variables the policy's connectors name.
    pub environment: HashMap<String, String>,
    pub clock: Arc<dyn Clock>,
    /// Rate limits, and how long an unverified request is kept.
    pub limits: Limits,
    pub http: HttpSettings,
    /// Signed checkpoints of the audit log: the key, how often, where to.
    pub checkpoints: CheckpointSettings,
    /// Sweep expired data at this interval while the process runs (`steward
    /// serve` sets an hour unless told otherwise); `None`: only when asked.
    pub retention_every: Option<Duration>,
    /// Where data subjects reach the portal (`https://privacy.example.se`),
    /// for the links in letters; by default the address Steward listens on.
    pub public_url: Option<String>,
}

/// Where the audit checkpoints' signing key is, how often the server signs
/// one, and the witnesses each one is sent to.
#[derive(Clone, Default)]
pub struct CheckpointSettings {
    /// The signing key's file (by default `checkpoint.key` in the data
    /// directory); keep it off the database's machine where you can.
    pub key_file: Option<PathBuf>,
    /// The key's seed itself (`STEWARD_CHECKPOINT_KEY`): takes precedence.
    pub key: Option<SecretString>,
    /// Sign one at this interval while the process runs (when the log grew).
    pub every: Option<Duration>,
    /// A folder (best on another machine) whose `checkpoints.log` each
    /// checkpoint is appended to.
    pub witness_dir: Option<PathBuf>,
    /// A URL each checkpoint is POSTed to, as text.
    pub witness_url: Option<String>,
}

impl std::fmt::Debug for CheckpointSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckpointSettings")
            .field("key_file", &self.key_file)
            .field("key", &self.key.as_ref().map(|_| "[redacted]"))
            .field("every", &self.every)
            .field("witness_dir", &self.witness_dir)
            .field("witness_url", &self.witness_url)
            .finish()
    }
}

/// How the listener treats connections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpSettings {
    /// Proxies in front of Steward: from these, the client is the last
    /// address in `X-Forwarded-For` (what the limits per client count by).
    pub trusted_proxies: Vec<IpAddr>,
    /// How long a client may take to send a request's headers (10 s).
    pub header_read_timeout: Duration,
    /// How long a client may take to send a request's body (30 s).
    pub body_read_timeout: Duration,
    /// After a stop signal, how long calls in flight may take before their
    /// connections are closed (20 s).
    pub shutdown_deadline: Duration,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            trusted_proxies: Vec::new(),
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            shutdown_deadline: Duration::from_secs(20),
        }
    }
}

#[derive(Clone)]
pub struct SmtpSettings {
    /// `smtps://user:password@host` or `smtp://host:587?tls=required`.
    pub url: SecretString,
    /// The sender; by default the policy's controller address.
    pub from: Option<String>,
}

impl Settings {
    /// The defaults: SQLite in `data_dir`, no listener, no workers, the
    /// system clock.
    pub fn new(policy: Arc<Policy>, data_dir: impl Into<PathBuf>) -> Self {
        Self {
            policy,
            data_dir: data_dir.into(),
            database_url: None,
            alone: false,
            key_file: None,
            key: None,
            listen: None,
            workers: 0,
            worker: WorkerConfig::default(),
            outbox: None,
            outbox_retention: crate::mail::DEFAULT_RETENTION,
            smtp: None,
            environment: HashMap::new(),
            clock: Arc::new(SystemClock),
            limits: Limits::default(),
            http: HttpSettings::default(),
            checkpoints: CheckpointSettings::default(),
            retention_every: None,
            public_url: None,
        }
    }

    pub fn checkpoint_key_file(&self) -> PathBuf {
        self.checkpoints
            .key_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("checkpoint.key"))
    }

    pub fn key_file(&self) -> PathBuf {
        self.key_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("kek.key"))
    }

    pub fn outbox_dir(&self) -> PathBuf {
        self.outbox
            .clone()
            .unwrap_or_else(|| self.data_dir.join("outbox"))
    }

    /// Whether the database is the embedded one in the data directory.
    pub fn embedded(&self) -> bool {
        self.database_url.is_none()
    }
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("policy", &self.policy.meta.id)
            .field("data_dir", &self.data_dir)
            .field(
                "database_url",
                &self.database_url.as_ref().map(|_| "[redacted]"),
            )
            .field("alone", &self.alone)
            .field("key_file", &self.key_file)
            .field("key", &self.key.as_ref().map(|_| "[redacted]"))
            .field("listen", &self.listen)
            .field("workers", &self.workers)
            .field("worker", &self.worker)
            .field("outbox", &self.outbox)
            .field("outbox_retention", &self.outbox_retention)
            .field(
                "smtp",
                &self.smtp.as_ref().map(|s| (&s.from, "[redacted url]")),
            )
            .field("environment", &self.environment.keys().collect::<Vec<_>>())
            .field("limits", &self.limits)
            .field("http", &self.http)
            .field("checkpoints", &self.checkpoints)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let policy = steward_domain::check(include_str!("../../../../policies/connectel.toml"))
            .policy
            .expect("policy");
        let mut settings = Settings::new(Arc::new(policy), "/tmp/x");
        settings.database_url = Some("postgres://steward:hunter2@db/steward".into());
        settings.key = Some("ab".repeat(32).into());
        settings.checkpoints.key = Some("cd".repeat(32).into());
        settings
            .environment
            .insert("CRM_URL".into(), "postgres://crm:s3cret@crm/crm".into());
        let printed = format!("{settings:?}");
        assert!(
            !printed.contains("hunter2")
                && !printed.contains("abab")
                && !printed.contains("s3cret")
                && !printed.contains("cdcd"),
            "{printed}"
        );
        assert!(printed.contains("CRM_URL"));
    }
}
