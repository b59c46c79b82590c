//! The vault itself: what it holds (the store, the policy compiled for
//! decisions, the key ring, the clock, the audit writer) and how it opens.
//! Its acts are in the files beside this one, one concern each.

use std::collections::HashMap;
use std::sync::Arc;

use jiff::Timestamp;
use jiff::civil::Date;
use steward_domain::common::ids::SubjectId;
use steward_domain::common::lang::Lang;
use steward_domain::policy::Policy;
use steward_domain::vault::actor::Actor;
use steward_domain::vault::audit_chain::AuditEvent;
use steward_domain::vault::crypto::{KeyEncryptionKey, sha256_hex};
use steward_domain::vault::decision::DecisionTable;
use steward_store::Store;

use crate::clock::Clock;
use crate::vault::audit_writer::AuditWriter;
use crate::vault::error::{Result, VaultError, corrupt};
use crate::vault::key_ring::KeyRing;

pub struct Vault {
    pub(super) store: Arc<dyn Store>,
    /// Appends for acts that change nothing else, committed in groups.
    pub(super) audit: AuditWriter,
    pub(super) policy: Arc<Policy>,
    pub(super) table: DecisionTable,
    pub(super) keys: KeyRing,
    pub(super) clock: Arc<dyn Clock>,
    /// The hash of the notice in each language: what a consent was given to.
    pub(super) notice_hashes: HashMap<Lang, String>,
}

impl Vault {
    /// Opens the vault on a store: loads (or, the first time, creates) the
    /// installation's keys under `kek`.
    pub async fn open(
        store: Arc<dyn Store>,
        policy: Arc<Policy>,
        kek: KeyEncryptionKey,
        clock: Arc<dyn Clock>,
    ) -> Result<Self> {
        let keys = KeyRing::open(store.as_ref(), kek).await?;
        let mut notice_hashes = HashMap::new();
        for lang in &policy.meta.languages {
            let text = steward_domain::publish::notice::markdown(&policy, *lang).map_err(|e| {
                VaultError::Internal(format!(
                    "the privacy notice in {} cannot be rendered, so consent to it cannot be recorded: {e}",
                    lang.english_name()
                ))
            })?;
            notice_hashes.insert(*lang, sha256_hex(&[text.as_bytes()]));
        }
        Ok(Self {
            table: DecisionTable::compile(&policy),
            audit: AuditWriter::spawn(store.clone()),
            store,
            policy,
            keys,
            clock,
            notice_hashes,
        })
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    /// Whether the vault can serve: the audit writer is running.
    pub fn is_healthy(&self) -> bool {
        self.audit.is_running()
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// The clock itself, for what counts time on it (the rate limits).
    pub fn clock(&self) -> Arc<dyn Clock> {
        Arc::clone(&self.clock)
    }

    /// Today's date where the controller is, as deadlines, fees and ages
    /// count it.
    pub fn today(&self) -> Date {
        self.local_date(self.now())
    }

    /// The date of a moment where the controller is (its policy's time
    /// zone): a request received at 00:30 in Stockholm is received that day,
    /// whatever UTC says.
    pub fn local_date(&self, at: Timestamp) -> Date {
        at.to_zoned(self.policy.controller.time_zone.clone()).date()
    }

    /// The first moment of `day` where the controller is.
    pub fn start_of(&self, day: Date) -> Result<Timestamp> {
        day.to_zoned(self.policy.controller.time_zone.clone())
            .map(|z| z.timestamp())
            .map_err(|e| corrupt(format!("the start of {day}: {e}")))
    }

    /// Which days a period may end on, where the controller is.
    pub fn calendar(&self) -> steward_domain::common::calendar::Calendar {
        steward_domain::common::calendar::Calendar::of(&self.policy.controller.country)
    }

    pub(crate) fn key_ring(&self) -> &KeyRing {
        &self.keys
    }

    /// A subject's pseudonym in the audit log.
    pub fn pseudonym(&self, subject: &SubjectId) -> String {
        self.keys.pseudonym(subject)
    }

    /// A keyed digest of `text` for `context`, under the pseudonym key
    /// (HMAC-SHA-256, 128 bits in hex): for values that must be unforgeable
    /// but are never stored (the portal's sign-in codes and sessions).
    /// Subject ids hold no NUL, so no digest equals a pseudonym.
    pub(crate) fn keyed_digest(&self, context: &str, text: &str) -> String {
        self.keys
            .pseudonym(&SubjectId::from(format!("{context}\u{0}{text}")))
    }

    /// An audit entry for an act by `actor`; the subject appears by pseudonym.
    pub(crate) fn event(
        &self,
        actor: &str,
        action: &str,
        subject: Option<&SubjectId>,
        detail: serde_json::Value,
    ) -> AuditEvent {
        AuditEvent {
            at: self.now().to_string(),
            actor: actor.to_owned(),
            action: action.to_owned(),
            subject: subject.map(|id| self.keys.pseudonym(id)),
            detail,
        }
    }

    pub(crate) fn act(
        &self,
        actor: &Actor,
        action: &str,
        subject: Option<&SubjectId>,
        detail: serde_json::Value,
    ) -> AuditEvent {
        self.event(&actor.id, action, subject, detail)
    }

    /// Appends an entry to the audit log (through the group-committing writer).
    pub(crate) async fn append_audit(&self, event: AuditEvent) -> Result<()> {
        self.audit.append(event).await?;
        Ok(())
    }
}

/// A new id: a UUID, time-ordered so rows sort by when they were made.
pub fn fresh_id<T: From<String>>() -> T {
    T::from(uuid::Uuid::now_v7().to_string())
}
