//! From the command line and the environment to [`Settings`], and the
//! application built from them: shared by every command that touches
//! stored data. This is the only place the CLI reads the environment for
//! the server (the connectors' variables, `STEWARD_KEK`,
//! `STEWARD_CHECKPOINT_KEY`, SMTP, the outbox).

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use steward_server::{Application, NoteKind, Settings, SmtpSettings, keyfile};

#[derive(Args, Clone)]
pub struct VaultArgs {
    /// The policy file that governs the data.
    #[arg(long, env = "STEWARD_POLICY")]
    pub policy: PathBuf,
    /// Where the embedded database and the key file live.
    #[arg(long, env = "STEWARD_DATA_DIR", default_value = "steward-data")]
    pub data_dir: PathBuf,
    /// A PostgreSQL URL (postgres://user@host/db) instead of the embedded SQLite.
    #[arg(long, env = "STEWARD_DATABASE_URL", hide_env_values = true)]
    pub database: Option<String>,
    /// The key-encryption key file; STEWARD_KEK (64 hex digits) takes precedence.
    #[arg(long, env = "STEWARD_KEY_FILE")]
    pub key_file: Option<PathBuf>,
    /// The audit checkpoints' signing key file (default: checkpoint.key in the
    /// data directory, created on first use); STEWARD_CHECKPOINT_KEY (64 hex
    /// digits) takes precedence.
    #[arg(long, env = "STEWARD_CHECKPOINT_KEY_FILE")]
    pub checkpoint_key_file: Option<PathBuf>,
}

/// Where signed audit checkpoints are sent as they are made.
#[derive(Args, Clone, Default)]
pub struct WitnessArgs {
    /// A folder (best on another machine, e.g. a mounted share) whose
    /// checkpoints.log each checkpoint is appended to.
    #[arg(long, env = "STEWARD_WITNESS_DIR")]
    pub witness_dir: Option<PathBuf>,
    /// A URL each checkpoint is POSTed to as text/plain.
    #[arg(long, env = "STEWARD_WITNESS_URL")]
    pub witness_url: Option<String>,
}

impl WitnessArgs {
    pub fn apply(&self, settings: &mut Settings) {
        settings.checkpoints.witness_dir = self.witness_dir.clone();
        settings.checkpoints.witness_url = self.witness_url.clone();
    }
}

impl VaultArgs {
    /// The settings for a command that runs once: no listener, no workers.
    pub fn settings(&self) -> anyhow::Result<Settings> {
        let policy = super::policy::load(&self.policy)?;
        let mut settings = Settings::new(Arc::new(policy), &self.data_dir);
        settings.database_url = self.database.clone().map(Into::into);
        settings.key_file = self.key_file.clone();
        settings.key = std::env::var(keyfile::ENV_VAR).ok().map(Into::into);
        settings.checkpoints.key_file = self.checkpoint_key_file.clone();
        settings.checkpoints.key = std::env::var(keyfile::CHECKPOINT_ENV_VAR)
            .ok()
            .map(Into::into);
        settings.outbox = std::env::var_os("STEWARD_OUTBOX").map(PathBuf::from);
        // The URL may hold a password, so it comes from the environment only.
        settings.smtp = std::env::var("STEWARD_SMTP_URL")
            .ok()
            .map(|url| SmtpSettings {
                url: url.into(),
                from: std::env::var("STEWARD_MAIL_FROM").ok(),
            });
        settings.environment = std::env::vars().collect();
        Ok(settings)
    }
}

/// Builds the application from `settings` for a process that serves or
/// works requests, and tells the operator everything they should know about
/// how it started.
pub async fn build(settings: Settings) -> anyhow::Result<Application> {
    build_telling(settings, |_| true).await
}

/// The application for a command that runs once and carries out no request:
/// it tells of keys, not of systems it will not reach.
pub async fn open(args: &VaultArgs) -> anyhow::Result<Application> {
    open_with(args.settings()?).await
}

/// The same, from settings a command has added to.
pub async fn open_with(settings: Settings) -> anyhow::Result<Application> {
    build_telling(settings, |kind| !kind.concerns_requests()).await
}

async fn build_telling(
    settings: Settings,
    tell: impl Fn(NoteKind) -> bool,
) -> anyhow::Result<Application> {
    let app = Application::build(settings).await?;
    for note in app.notes().iter().filter(|n| tell(n.kind)) {
        eprintln!("steward: {}", note.text);
    }
    Ok(app)
}
