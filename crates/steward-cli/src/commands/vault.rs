//! Opening the vault from the command line: the policy, the database, the
//! key-encryption key. Shared by every command that touches stored data.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::Args;
use steward_domain::vault::crypto::KeyEncryptionKey;
use steward_server::clock::SystemClock;
use steward_server::keyfile::{self, KeySource};
use steward_server::vault::{Vault, VaultError};

#[derive(Args, Clone)]
pub struct VaultArgs {
    /// The policy file that governs the data.
    #[arg(long, env = "STEWARD_POLICY")]
    pub policy: PathBuf,
    /// Where the embedded database and the key file live.
    #[arg(long, env = "STEWARD_DATA_DIR", default_value = "steward-data")]
    pub data_dir: PathBuf,
    /// A PostgreSQL URL (postgres://user@host/db) instead of the embedded SQLite.
    #[arg(long, env = "STEWARD_DATABASE_URL")]
    pub database: Option<String>,
    /// The key-encryption key file; STEWARD_KEK (64 hex digits) takes precedence.
    #[arg(long, env = "STEWARD_KEY_FILE")]
    pub key_file: Option<PathBuf>,
}

impl VaultArgs {
    pub fn key_file(&self) -> PathBuf {
        self.key_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("kek.key"))
    }

    pub fn database_url(&self) -> String {
        self.database
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("steward.db").display()))
    }
}

/// Reads and checks the policy, opens the store and the key, and the vault.
pub async fn open(args: &VaultArgs) -> anyhow::Result<Arc<Vault>> {
    let policy = super::policy::load(&args.policy)?;
    if args.database.is_none() {
        std::fs::create_dir_all(&args.data_dir).with_context(|| {
            format!(
                "cannot create the data directory {}",
                args.data_dir.display()
            )
        })?;
    }
    let key_file = args.key_file();
    let kek = load_key(&key_file)?;
    let url = args.database_url();
    let store = steward_store::open(&url)
        .await
        .with_context(|| format!("cannot open the database {}", redact(&url)))?;
    let store: Arc<dyn steward_store::Repository> = Arc::from(store);
    match Vault::open(
        Arc::clone(&store),
        Arc::new(policy),
        kek.clone(),
        Arc::new(SystemClock),
    )
    .await
    {
        Ok(vault) => Ok(Arc::new(vault)),
        Err(VaultError::WrongKey { expected, .. }) => {
            // A rotation interrupted after the database changed but before the
            // new key file replaced the old one: finish it.
            let pending = pending_path(&key_file);
            if let Ok((new_kek, _)) = keyfile::load_existing(&pending)
                && new_kek.id() == expected
            {
                std::fs::rename(&pending, &key_file).with_context(|| {
                    format!(
                        "finishing the interrupted key rotation into {}",
                        key_file.display()
                    )
                })?;
                eprintln!(
                    "steward: finished an interrupted key rotation: {} is now the key.",
                    key_file.display()
                );
                let vault = Vault::open(
                    store,
                    Arc::new(super::policy::load(&args.policy)?),
                    new_kek,
                    Arc::new(SystemClock),
                )
                .await?;
                return Ok(Arc::new(vault));
            }
            bail!(VaultError::WrongKey {
                expected,
                given: kek.id().to_owned()
            })
        }
        Err(e) => Err(e.into()),
    }
}

fn load_key(path: &std::path::Path) -> anyhow::Result<KeyEncryptionKey> {
    let (kek, source) = keyfile::load_or_create(path)?;
    if let KeySource::Generated = source {
        eprintln!(
            "steward: generated a new key-encryption key in {}.\n         Back it up, apart from the database: without it nothing stored can be read.\n         In production, set {} instead of keeping the key beside the data.",
            path.display(),
            keyfile::ENV_VAR
        );
    }
    Ok(kek)
}

/// Where a rotation writes the new key before switching to it.
pub fn pending_path(key_file: &std::path::Path) -> PathBuf {
    let mut name = key_file.as_os_str().to_owned();
    name.push(".new");
    PathBuf::from(name)
}

/// A database URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// The vault with its request service: the policy's connected systems (their
/// connection URLs from the environment) and the outbox for letters.
pub async fn open_requests(
    args: &VaultArgs,
) -> anyhow::Result<Arc<steward_server::requests::Requests>> {
    let vault = open(args).await?;
    let systems = steward_server::systems::Systems::from_policy(vault.policy(), &|name| {
        std::env::var(name).ok()
    })
    .with_context(|| format!("in the policy {}", args.policy.display()))?;
    for (system, variable) in systems.missing_environment() {
        eprintln!(
            "steward: warning: system `{system}` cannot be reached: the environment variable {variable} is not set; its parts of requests will fail until it is"
        );
    }
    let mut outbox = steward_server::outbox::Outbox::new(outbox_dir(args));
    // E-mail through SMTP when configured; the URL may hold a password, so it
    // comes from the environment only.
    if let Ok(url) = std::env::var("STEWARD_SMTP_URL") {
        if url.starts_with("smtp://") && url.contains('@') && !url.contains("tls=required") {
            eprintln!(
                "steward: warning: STEWARD_SMTP_URL sends its password unencrypted; use smtps:// or add ?tls=required"
            );
        }
        let from = std::env::var("STEWARD_MAIL_FROM")
            .unwrap_or_else(|_| vault.policy().controller.email.clone());
        outbox = outbox.with_smtp(&url, &from)?;
    }
    Ok(Arc::new(steward_server::requests::Requests::new(
        vault,
        Arc::new(systems),
        outbox,
    )))
}

/// Letters (codes, notices to recipients) are written here: `STEWARD_OUTBOX`,
/// or `outbox/` in the data directory.
pub fn outbox_dir(args: &VaultArgs) -> PathBuf {
    std::env::var_os("STEWARD_OUTBOX")
        .map(PathBuf::from)
        .unwrap_or_else(|| args.data_dir.join("outbox"))
}
