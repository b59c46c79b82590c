//! Signed checkpoints of the audit log: signing the log's size and head with
//! a key kept apart from the database (on demand, and at an interval), sending
//! each to the witnesses, and verifying that the log still extends
//! checkpoints an auditor kept. See `steward_domain::vault::checkpoint`.
//!
//! The database keeps a copy of each checkpoint, for listing the latest; it
//! is never trusted: whoever owns the database can change it. The signature
//! is what counts, and only against a key the verifier holds.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use jiff::{RoundMode, TimestampRound, Unit};
use steward_domain::vault::audit_chain;
use steward_domain::vault::checkpoint::{
    self, Breach, Checkpoint, CheckpointError, CheckpointKey, CheckpointPublicKey, SignedCheckpoint,
};
use steward_store::StoredCheckpoint;

use crate::vault::{Vault, VaultError};

/// The file in a witness folder that checkpoints are appended to.
pub const WITNESS_LOG: &str = "checkpoints.log";

pub struct Checkpoints {
    vault: Arc<Vault>,
    key: CheckpointKey,
    witness_dir: Option<PathBuf>,
    witness_url: Option<String>,
    client: reqwest::Client,
}

/// A checkpoint just signed, and what became of its copies.
#[derive(Debug)]
pub struct Issued {
    pub signed: SignedCheckpoint,
    pub text: String,
    /// The audit entry that records the signing.
    pub audit_seq: u64,
    /// Where a copy went.
    pub witnessed: Vec<String>,
    /// Where a copy should have gone but did not, and why.
    pub failures: Vec<String>,
}

/// The log extends every checkpoint given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extended {
    pub entries: u64,
    pub checkpoints: usize,
    /// The largest checkpoint given.
    pub latest: Checkpoint,
    /// Entries after it, which no checkpoint given covers yet.
    pub uncovered: u64,
}

/// Why the log does not extend the checkpoints given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotExtended {
    #[error("{0}")]
    Signature(CheckpointError),
    #[error("{0}")]
    Breach(Breach),
}

impl Checkpoints {
    pub fn new(
        vault: Arc<Vault>,
        key: CheckpointKey,
        witness_dir: Option<PathBuf>,
        witness_url: Option<String>,
    ) -> Self {
        Self {
            vault,
            key,
            witness_dir,
            witness_url,
            client: reqwest::Client::new(),
        }
    }

    /// The public key an auditor keeps to check this installation's checkpoints.
    pub fn public_key(&self) -> CheckpointPublicKey {
        self.key.public_key()
    }

    /// Signs the log's current head now, records it, and sends it to the
    /// witnesses.
    pub async fn issue(&self, actor: &str) -> Result<Issued, VaultError> {
        self.sign(actor, false)
            .await?
            .ok_or_else(|| VaultError::Internal("a checkpoint asked for was not signed".into()))
    }

    /// Signs one only if the log grew since the last checkpoint recorded.
    pub async fn issue_if_grown(&self, actor: &str) -> Result<Option<Issued>, VaultError> {
        self.sign(actor, true).await
    }

    async fn sign(&self, actor: &str, only_if_grown: bool) -> Result<Option<Issued>, VaultError> {
        let store = self.vault.store();
        let (entries, head) = store.audit_log().await?;
        // Never sign a log that does not verify: that would bless a rewrite.
        let verified = audit_chain::verify(&entries, Some(head)).map_err(|tamper| {
            VaultError::NotNow(format!(
                "the audit log does not verify, so no checkpoint is signed: {tamper}"
            ))
        })?;
        if let Some(latest) = store.latest_checkpoint().await? {
            if only_if_grown && latest.audit_seq >= head {
                return Ok(None);
            }
            // The last one this key signed, if the database still has it, must
            // be extended; an auditor's copies are the real check.
            if let Ok(signed) = SignedCheckpoint::parse(&latest.checkpoint.text)
                && signed.verify(&self.public_key()).is_ok()
                && let Err(breach) = checkpoint::extends(
                    &entries,
                    Some(head),
                    std::slice::from_ref(&signed.checkpoint),
                )
            {
                return Err(VaultError::NotNow(format!(
                    "the audit log no longer extends this installation's last checkpoint, so no new one is signed: {breach}"
                )));
            }
        }
        let at = self
            .vault
            .now()
            .round(
                TimestampRound::new()
                    .smallest(Unit::Second)
                    .mode(RoundMode::Trunc),
            )
            .map_err(|e| VaultError::Internal(format!("rounding the time: {e}")))?;
        let signed = self.key.sign(Checkpoint {
            origin: self.vault.policy().meta.id.to_string(),
            size: verified.entries,
            head: verified.head,
            at,
        });
        let text = signed.to_text();
        let event = self.vault.event(
            actor,
            "audit.checkpoint",
            None,
            serde_json::json!({
                "size": signed.checkpoint.size,
                "head": signed.checkpoint.head,
                "key": signed.key_id,
            }),
        );
        let entry = store
            .record_checkpoint(
                &StoredCheckpoint {
                    size: signed.checkpoint.size,
                    text: text.clone(),
                },
                event,
            )
            .await?;
        let (witnessed, failures) = self.send_to_witnesses(&text).await;
        for failure in &failures {
            tracing::warn!(%failure, size = signed.checkpoint.size, "a witness did not get the checkpoint");
        }
        Ok(Some(Issued {
            signed,
            text,
            audit_seq: entry.seq,
            witnessed,
            failures,
        }))
    }

    async fn send_to_witnesses(&self, text: &str) -> (Vec<String>, Vec<String>) {
        let (mut witnessed, mut failures) = (Vec::new(), Vec::new());
        if let Some(dir) = &self.witness_dir {
            let path = dir.join(WITNESS_LOG);
            match append(dir, &path, text).await {
                Ok(()) => witnessed.push(path.display().to_string()),
                Err(e) => failures.push(format!("{}: {e}", path.display())),
            }
        }
        if let Some(url) = &self.witness_url {
            let sent = self
                .client
                .post(url)
                .header("content-type", "text/plain; charset=utf-8")
                .timeout(Duration::from_secs(10))
                .body(text.to_owned())
                .send()
                .await
                .and_then(reqwest::Response::error_for_status);
            match sent {
                Ok(_) => witnessed.push(url.clone()),
                Err(e) => failures.push(format!("{url}: {e}")),
            }
        }
        (witnessed, failures)
    }

    /// The checkpoint recorded last, as the database has it: for showing,
    /// not for proof.
    pub async fn latest(&self) -> Result<Option<(u64, SignedCheckpoint)>, VaultError> {
        let Some(latest) = self.vault.store().latest_checkpoint().await? else {
            return Ok(None);
        };
        let signed = SignedCheckpoint::parse(&latest.checkpoint.text).map_err(|e| {
            VaultError::Internal(format!(
                "the checkpoint recorded with audit entry {}: {e}",
                latest.audit_seq
            ))
        })?;
        Ok(Some((latest.audit_seq, signed)))
    }

    /// Checks that the log extends every checkpoint given, each signed by
    /// `key` (the auditor's copy of the public key; this installation's own
    /// when none is given).
    pub async fn verify(
        &self,
        given: &[SignedCheckpoint],
        key: Option<&CheckpointPublicKey>,
    ) -> Result<Result<Extended, NotExtended>, VaultError> {
        let own = self.public_key();
        let key = key.unwrap_or(&own);
        for signed in given {
            if let Err(e) = signed.verify(key) {
                return Ok(Err(NotExtended::Signature(e)));
            }
        }
        let Some(latest) = given.iter().map(|s| &s.checkpoint).max_by_key(|c| c.size) else {
            return Err(VaultError::Invalid {
                field: "checkpoint".into(),
                message: "no checkpoint given".into(),
            });
        };
        let checkpoints: Vec<Checkpoint> = given.iter().map(|s| s.checkpoint.clone()).collect();
        let (entries, head) = self.vault.store().audit_log().await?;
        Ok(
            match checkpoint::extends(&entries, Some(head), &checkpoints) {
                Ok(extends) => Ok(Extended {
                    entries: extends.entries,
                    checkpoints: given.len(),
                    latest: latest.clone(),
                    uncovered: extends.uncovered,
                }),
                Err(breach) => Err(NotExtended::Breach(breach)),
            },
        )
    }

    /// Signs a checkpoint every `every` while the log grows, the first one
    /// interval after the start (a start itself is no reason to sign).
    pub async fn run(self: Arc<Self>, every: Duration) {
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let actor = steward_domain::vault::actor::Actor::system().id;
        loop {
            ticks.tick().await;
            match self.issue_if_grown(&actor).await {
                Ok(Some(issued)) => tracing::info!(
                    size = issued.signed.checkpoint.size,
                    "signed an audit checkpoint"
                ),
                Ok(None) => {}
                Err(e) => tracing::error!(error = %e, "signing an audit checkpoint failed"),
            }
        }
    }
}

/// Appends a checkpoint to a witness file durably, creating its folder.
async fn append(dir: &std::path::Path, path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use tokio::io::AsyncWriteExt as _;
    tokio::fs::create_dir_all(dir).await?;
    let mut file = tokio::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .await?;
    file.write_all(text.as_bytes()).await?;
    file.sync_all().await
}
