//! The composition root: [`Application::build`] turns [`Settings`] into a
//! running Steward (store, keys, vault, connected systems, outbox, rights
//! service, workers, and the HTTP listener when one is asked for). `steward
//! serve`, every other command, the API tests and the benches all build it
//! here, so they run the same wiring.

pub mod keyfile;
mod serve;
mod settings;

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{Context, bail};
use secrecy::ExposeSecret;
use steward_store::Store;

use crate::checkpoints::Checkpoints;
use crate::mail::Outbox;
use crate::rights::{Rights, Worker};
use crate::sweeper::Sweeper;
use crate::systems::Systems;
use crate::vault::{Vault, VaultError};
use keyfile::KeySource;
pub use settings::{CheckpointSettings, HttpSettings, Settings, SmtpSettings};

pub struct Application {
    rights: Arc<Rights>,
    checkpoints: Arc<Checkpoints>,
    sweeper: Arc<Sweeper>,
    listener: Option<tokio::net::TcpListener>,
    router: axum::Router,
    http: HttpSettings,
    notes: Vec<Note>,
}

/// Something the operator should know about how Steward started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub kind: NoteKind,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteKind {
    /// A new key-encryption key was written: it must be backed up.
    KeyGenerated,
    /// A new audit checkpoint signing key was written: its public key goes
    /// to the auditor.
    CheckpointKeyGenerated,
    /// An interrupted key rotation was finished.
    RotationFinished,
    /// A connected system cannot be reached: requests' parts will fail.
    SystemUnreachable,
    /// SMTP would send its password unencrypted.
    UnencryptedSmtp,
}

impl NoteKind {
    /// Whether it matters to a process that carries out requests only.
    pub fn concerns_requests(self) -> bool {
        matches!(
            self,
            NoteKind::SystemUnreachable | NoteKind::UnencryptedSmtp
        )
    }
}

fn note(kind: NoteKind, text: String) -> Note {
    Note { kind, text }
}

impl Application {
    /// Checks the policy's systems and the mail settings, binds the listener,
    /// opens the store (creating the data directory for the embedded one),
    /// loads or creates the key, opens the vault (finishing an interrupted key
    /// rotation), loads or creates the checkpoint signing key and starts the
    /// workers (and the checkpoints' interval, when set).
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let mut notes = Vec::new();
        if settings.embedded() {
            // The owner's only: the database, its keys and the letters live here.
            let mut folder = std::fs::DirBuilder::new();
            folder.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut folder, 0o700);
            folder.create(&settings.data_dir).with_context(|| {
                format!(
                    "cannot create the data directory {}",
                    settings.data_dir.display()
                )
            })?;
        }
        let systems = Systems::from_policy(&settings.policy, &settings.environment)
            .with_context(|| format!("in the policy `{}`", settings.policy.meta.id))?;
        for (system, variable) in systems.missing_environment() {
            notes.push(note(NoteKind::SystemUnreachable, format!(
                "warning: system `{system}` cannot be reached: the environment variable {variable} is not set; its parts of requests will fail until it is"
            )));
        }
        let mut outbox =
            Outbox::new(settings.outbox_dir()).with_retention(settings.outbox_retention);
        if let Some(smtp) = &settings.smtp {
            let url = smtp.url.expose_secret();
            if url.starts_with("smtp://") && url.contains('@') && !url.contains("tls=required") {
                notes.push(note(
                    NoteKind::UnencryptedSmtp,
                    "warning: the SMTP URL sends its password unencrypted; use smtps:// or add ?tls=required".into(),
                ));
            }
            let controller = &settings.policy.controller;
            let from = match &smtp.from {
                Some(from) => from.clone(),
                // An address the notice does not give is no one's to send from.
                None if steward_domain::policy::is_assumed(&controller.assumed, "email") => {
                    anyhow::bail!(
                        "the policy's controller e-mail ({}) is an assumption, not the organisation's address: set the sender in STEWARD_MAIL_FROM",
                        controller.email
                    )
                }
                None => controller.email.clone(),
            };
            outbox = outbox.with_smtp(url, &from)?;
        }
        let listener = match settings.listen {
            Some(addr) => Some(
                tokio::net::TcpListener::bind(addr)
                    .await
                    .with_context(|| format!("cannot listen on {addr}"))?,
            ),
            None => None,
        };
        let url = match &settings.database_url {
            Some(url) => url.expose_secret().to_owned(),
            None => format!(
                "sqlite://{}",
                settings.data_dir.join("steward.db").display()
            ),
        };
        let sharing = if settings.alone {
            steward_store::Sharing::Alone
        } else {
            steward_store::Sharing::Shared
        };
        let store: Arc<dyn Store> = Arc::from(
            steward_store::open_as(&url, sharing)
                .await
                .with_context(|| format!("cannot open the database {}", redact(&url)))?,
        );
        // The key last: nothing that can fail before it leaves a new key
        // file behind unannounced.
        let key_file = settings.key_file();
        let (kek, source) = keyfile::load_or_create(settings.key.as_ref(), &key_file)?;
        if let KeySource::Generated = source {
            notes.push(note(NoteKind::KeyGenerated, format!(
                "generated a new key-encryption key in {}.\n         Back it up, apart from the database: without it nothing stored can be read.\n         In production, set {} instead of keeping the key beside the data.",
                key_file.display(),
                keyfile::ENV_VAR
            )));
        }
        let vault = match open_vault(&settings, &store, kek.clone()).await {
            Err(VaultError::WrongKey { expected, given }) => {
                // A rotation interrupted after the database changed but before
                // the new key file replaced the old one: finish it.
                let pending = keyfile::pending_path(&key_file);
                match keyfile::load_existing(&pending) {
                    Ok((new_kek, _)) if new_kek.id() == expected => {
                        std::fs::rename(&pending, &key_file).with_context(|| {
                            format!(
                                "finishing the interrupted key rotation into {}",
                                key_file.display()
                            )
                        })?;
                        notes.push(note(
                            NoteKind::RotationFinished,
                            format!(
                                "finished an interrupted key rotation: {} is now the key.",
                                key_file.display()
                            ),
                        ));
                        open_vault(&settings, &store, new_kek).await?
                    }
                    _ => bail!(VaultError::WrongKey { expected, given }),
                }
            }
            other => other?,
        };
        let vault = Arc::new(vault);
        // Last days computed under the policy's rules as they are now.
        vault
            .refresh_retention_index()
            .await
            .context("computing when stored data's retention ends")?;
        let systems = Arc::new(systems);
        let sweeper = Arc::new(Sweeper::new(Arc::clone(&vault), Arc::clone(&systems)));
        if let Some(every) = settings.retention_every {
            tokio::spawn(Arc::clone(&sweeper).run(every));
        }
        let checkpoint_key_file = settings.checkpoint_key_file();
        let (checkpoint_key, source) = keyfile::load_or_create_checkpoint_key(
            settings.checkpoints.key.as_ref(),
            &checkpoint_key_file,
        )?;
        if let KeySource::Generated = source {
            notes.push(note(NoteKind::CheckpointKeyGenerated, format!(
                "generated a new audit checkpoint signing key in {}.\n         Give its public key ({}) to your auditor: `steward audit checkpoint --public-key` prints it.\n         Keep the key off the database's machine where you can, or set {}.",
                checkpoint_key_file.display(),
                checkpoint_key.public_key().to_hex(),
                keyfile::CHECKPOINT_ENV_VAR
            )));
        }
        let checkpoints = Arc::new(Checkpoints::new(
            Arc::clone(&vault),
            checkpoint_key,
            settings.checkpoints.witness_dir.clone(),
            settings.checkpoints.witness_url.clone(),
        ));
        if let Some(every) = settings.checkpoints.every {
            tokio::spawn(Arc::clone(&checkpoints).run(every));
        }
        let portal = settings
            .public_url
            .clone()
            // Without one, a link only where it works as it is: on loopback
            // (which browsers treat as secure, so the portal's cookies hold).
            // `0.0.0.0:8080` is no address for a letter.
            .or_else(|| {
                let address = listener.as_ref()?.local_addr().ok()?;
                address
                    .ip()
                    .is_loopback()
                    .then(|| format!("http://{address}"))
            })
            .map(|url| url.trim_end_matches('/').to_owned());
        let rights =
            Arc::new(Rights::new(vault, systems, outbox, &settings.limits).with_portal(portal));
        for _ in 0..settings.workers {
            tokio::spawn(Worker::new(Arc::clone(&rights), settings.worker).run());
        }
        Ok(Self {
            router: crate::http::router(
                Arc::clone(&rights),
                Arc::clone(&checkpoints),
                &settings.limits,
                &settings.http,
            ),
            checkpoints,
            sweeper,
            http: settings.http.clone(),
            rights,
            listener,
            notes,
        })
    }

    /// Where the API listens, if it does.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.listener.as_ref().and_then(|l| l.local_addr().ok())
    }

    pub fn vault(&self) -> &Arc<Vault> {
        self.rights.vault()
    }

    pub fn rights(&self) -> &Arc<Rights> {
        &self.rights
    }

    /// Retention's sweep, as `steward retention run` and the schedule call it.
    pub fn sweeper(&self) -> &Arc<Sweeper> {
        &self.sweeper
    }

    /// The audit log's signed checkpoints.
    pub fn checkpoints(&self) -> &Arc<Checkpoints> {
        &self.checkpoints
    }

    /// What the operator should know about how it started (a key generated,
    /// a rotation finished, a system that cannot be reached).
    pub fn notes(&self) -> &[Note] {
        &self.notes
    }

    /// Serves until Ctrl-C or SIGTERM, finishing calls in flight within the
    /// shutdown deadline; without a listener, waits for the signal while the
    /// workers work.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `stop` resolves, as [`Self::run_until_stopped`] does.
    pub async fn run_until(self, stop: impl Future<Output = ()>) -> std::io::Result<()> {
        match self.listener {
            Some(listener) => serve::serve(listener, self.router, &self.http, stop).await,
            None => stop.await,
        }
        Ok(())
    }
}

async fn open_vault(
    settings: &Settings,
    store: &Arc<dyn Store>,
    kek: steward_domain::vault::crypto::KeyEncryptionKey,
) -> Result<Vault, VaultError> {
    Vault::open(
        Arc::clone(store),
        Arc::clone(&settings.policy),
        kek,
        Arc::clone(&settings.clock),
    )
    .await
}

/// A database URL without its password, for messages: neither the one
/// after the user name nor one given as `?password=`.
pub fn redact(url: &str) -> String {
    let mut out = match (
        url.find("://"),
        url.find('?')
            .map_or(url.rfind('@'), |q| url[..q].rfind('@')),
    ) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    };
    if let Some(query) = out.find('?') {
        let redacted: Vec<String> = out[query + 1..]
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) if key.to_ascii_lowercase().contains("password") => {
                    format!("{key}=***")
                }
                _ => pair.to_owned(),
            })
            .collect();
        out = format!("{}?{}", &out[..query], redacted.join("&"));
    }
    out
}

/// Ctrl-C or SIGTERM: how an operator or a service manager stops Steward.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn database_urls_lose_their_passwords_wherever_they_are() {
        assert_eq!(
            redact("postgres://steward:hunter2@db/steward"),
            "postgres://steward:***@db/steward"
        );
        assert_eq!(
            redact("postgres://db/steward?user=steward&password=hunter2&sslmode=require"),
            "postgres://db/steward?user=steward&password=***&sslmode=require"
        );
        assert_eq!(
            redact("mysql://u:p@db/x?sslpassword=secret"),
            "mysql://u:***@db/x?sslpassword=***"
        );
        assert_eq!(
            redact(
                "postgres://steward:hunter2@db/steward?sslmode=verify-full&sslrootcert=/etc/ca.pem&sslpassword=k"
            ),
            "postgres://steward:***@db/steward?sslmode=verify-full&sslrootcert=/etc/ca.pem&sslpassword=***"
        );
        assert_eq!(
            redact("rediss://:hunter2@cache:6380/0?sslrootcert=/etc/ca.pem"),
            "rediss://:***@cache:6380/0?sslrootcert=/etc/ca.pem"
        );
        assert_eq!(
            redact("sqlite://steward-data/steward.db"),
            "sqlite://steward-data/steward.db"
        );
    }
}
