//! What the store keeps, as the rest of Steward sees it. Personal values
//! arrive sealed (`*_sealed`, opened only by the vault) and identities as
//! blind indexes; everything else is bookkeeping in the domain's own types.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::Deserialize;
use steward_domain::common::ids::{
    ConsentId, DisclosureId, EventId, IdentityId, PartId, RecordId, RequestId, SubjectId, TokenId,
};
use steward_domain::common::lang::Lang;
use steward_domain::policy::Event;
use steward_domain::rights::parts::{PartAction, PartState, PartTarget};
use steward_domain::rights::request::{
    RequestKind, RequestState, RequestStatus, SealedUnder, StateDetail,
};
use steward_domain::vault::actor::Role;
use steward_domain::vault::audit_chain::AuditEvent;
use steward_domain::vault::consent::{ConsentRecord, GivenBy};
use steward_domain::vault::identity::Provenance;

use crate::codec::{OptionalMillis, OptionalText, Seconds, Text, hex_blob};
use crate::{Result, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Subject {
    #[sqlx(try_from = "Text")]
    pub id: SubjectId,
    pub subject_type: String,
    #[sqlx(try_from = "Text")]
    pub created_at: Timestamp,
    #[sqlx(try_from = "OptionalText")]
    pub erased_at: Option<Timestamp>,
    pub restricted: bool,
    pub objects_to_marketing: bool,
    /// Art. 8: the day from which the subject, a child when they were
    /// created, may consent on their own; `None` once of age or not known.
    #[sqlx(try_from = "OptionalText")]
    pub own_consent_from: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Deserialize)]
pub struct StoredIdentity {
    #[sqlx(try_from = "Text")]
    pub id: IdentityId,
    #[sqlx(try_from = "Text")]
    pub subject_id: SubjectId,
    pub kind: String,
    pub blind_index: String,
    #[serde(with = "hex_blob")]
    pub value_sealed: Vec<u8>,
    #[sqlx(try_from = "Text")]
    pub created_at: Timestamp,
    #[sqlx(try_from = "Text")]
    pub provenance: Provenance,
}

/// The subject an identity leads to, and how the identity came to it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct IdentityHolder {
    #[sqlx(flatten)]
    pub subject: Subject,
    #[sqlx(try_from = "Text")]
    pub provenance: Provenance,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Deserialize)]
pub struct StoredRecord {
    #[sqlx(try_from = "Text")]
    pub id: RecordId,
    #[sqlx(try_from = "Text")]
    pub subject_id: SubjectId,
    pub category: String,
    #[serde(with = "hex_blob")]
    pub value_sealed: Vec<u8>,
    pub source: String,
    #[sqlx(try_from = "Text")]
    pub purposes: Vec<String>,
    #[sqlx(try_from = "Text")]
    pub collected_at: Timestamp,
    #[sqlx(try_from = "Text")]
    pub updated_at: Timestamp,
    /// After an erasure that had to keep it (Art. 17(3)): the only purposes
    /// it may still be used for. `None` while no erasure touched it.
    #[sqlx(try_from = "OptionalText")]
    #[serde(default)]
    pub kept_for: Option<Vec<String>>,
    /// The records this one was derived from (a profile from purchases);
    /// `None` for data not derived in the vault.
    #[sqlx(try_from = "OptionalText")]
    #[serde(default)]
    pub derived_from: Option<Vec<RecordId>>,
    /// Since when it must be computed again: an input was corrected.
    #[sqlx(try_from = "OptionalText")]
    #[serde(default)]
    pub recompute_since: Option<Timestamp>,
    /// The last day it is kept for every purpose it is kept for, in the
    /// controller's time zone; `None` while no end is known. The sweep's index.
    #[sqlx(try_from = "OptionalText")]
    #[serde(default)]
    pub retention_due: Option<Date>,
    /// Since when it awaits an officer's review: its `review` rule ended.
    #[sqlx(try_from = "OptionalText")]
    #[serde(default)]
    pub review_since: Option<Timestamp>,
}

/// A record's new last day: its subject's events changed, an erasure
/// narrowed its purposes, or the policy's rules did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueDay {
    pub record: RecordId,
    pub due: Option<Date>,
}

/// A record the sweep removes, if it is still there with the last day the
/// sweep saw (so two sweeps never remove or audit it twice).
#[derive(Debug, Clone)]
pub struct Removal {
    pub record: RecordId,
    pub subject: SubjectId,
    pub last_day: Date,
    /// For `anonymise`: what is kept, unlinked from the person.
    pub anonymised: Option<Anonymised>,
    pub audit: AuditEvent,
}

/// Data with every link to its person removed, counted only in groups.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Anonymised {
    pub id: String,
    pub category: String,
    pub rule: String,
    /// `YYYY-MM`, the month the data was collected.
    pub month: String,
    #[sqlx(try_from = "Text")]
    pub fields: serde_json::Value,
}

/// A legal or litigation hold on a subject's data, or on one record of it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredHold {
    pub id: String,
    #[sqlx(try_from = "Text")]
    pub subject_id: SubjectId,
    #[sqlx(try_from = "OptionalText")]
    pub record_id: Option<RecordId>,
    pub reason: String,
    #[sqlx(try_from = "OptionalText")]
    pub until_day: Option<Date>,
    #[sqlx(try_from = "Text")]
    pub created_at: Timestamp,
    #[sqlx(try_from = "OptionalText")]
    pub released_at: Option<Timestamp>,
}

/// One release of a subject's data to a recipient, as the log keeps it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredDisclosure {
    #[sqlx(try_from = "Text")]
    pub id: DisclosureId,
    #[sqlx(try_from = "Text")]
    pub subject_id: SubjectId,
    pub recipient: String,
    pub purpose: String,
    #[sqlx(try_from = "Text")]
    pub categories: Vec<String>,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// The Chapter V safeguard's name; `None` inside the EU/EEA.
    pub safeguard: Option<String>,
    /// The Art. 49(1) point, when the transfer rests on one.
    pub derogation: Option<String>,
    pub legal_request: bool,
    /// What names people (the authority, its reference, the reason for a
    /// derogation), sealed under the subject's key.
    pub detail_sealed: Option<Vec<u8>>,
    #[sqlx(try_from = "Text")]
    pub at: Timestamp,
}

/// How many disclosures went to one recipient, in one country, under one
/// safeguard: the record of processing's actual transfers.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DisclosureCount {
    pub recipient: String,
    pub country: String,
    pub safeguard: Option<String>,
    pub count: i64,
    #[sqlx(try_from = "Text")]
    pub last_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Deserialize)]
pub struct StoredEvent {
    #[sqlx(try_from = "Text")]
    pub id: EventId,
    #[sqlx(try_from = "Text")]
    pub subject_id: SubjectId,
    #[sqlx(try_from = "Text")]
    pub kind: Event,
    #[sqlx(try_from = "Text")]
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Deserialize)]
pub struct Objection {
    #[sqlx(try_from = "Text")]
    pub subject_id: SubjectId,
    pub purpose: String,
    #[sqlx(try_from = "Text")]
    pub at: Timestamp,
    pub compelling_grounds: Option<String>,
}

/// A consent as stored; the ledger's [`ConsentRecord`] is made from it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Deserialize)]
pub(crate) struct StoredConsent {
    #[sqlx(try_from = "Text")]
    id: ConsentId,
    #[sqlx(try_from = "Text")]
    subject_id: SubjectId,
    purpose: String,
    #[sqlx(try_from = "Text")]
    given_at: Timestamp,
    #[sqlx(try_from = "OptionalText")]
    withdrawn_at: Option<Timestamp>,
    policy_version: String,
    method: String,
    notice_hash: String,
    #[sqlx(try_from = "Text")]
    language: Lang,
    withdrawal_method: Option<String>,
    #[sqlx(try_from = "Text")]
    #[serde(default)]
    given_by: GivenBy,
}

impl From<StoredConsent> for ConsentRecord {
    fn from(c: StoredConsent) -> Self {
        ConsentRecord {
            id: c.id,
            subject_id: c.subject_id,
            purpose: c.purpose,
            given_at: c.given_at,
            withdrawn_at: c.withdrawn_at,
            policy_version: c.policy_version,
            method: c.method,
            notice_hash: c.notice_hash,
            language: c.language,
            withdrawal_method: c.withdrawal_method,
            given_by: c.given_by,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredToken {
    #[sqlx(try_from = "Text")]
    pub id: TokenId,
    /// SHA-256 of the secret; the secret itself is never stored.
    pub hash: String,
    #[sqlx(try_from = "Text")]
    pub role: Role,
    #[sqlx(try_from = "Text")]
    pub purposes: Vec<String>,
    pub description: String,
    #[sqlx(try_from = "Text")]
    pub created_at: Timestamp,
    #[sqlx(try_from = "OptionalText")]
    pub revoked_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct WrappedKey {
    pub wrapped: Vec<u8>,
    pub kek_id: String,
    pub version: i64,
}

/// Which wrapped key: a subject's data key, or a key of the installation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyName {
    Subject(SubjectId),
    System(String),
}

/// Everything the vault holds about one subject, read at once: what a
/// purpose-bound read decides on, and what an officer sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectFile {
    pub subject: Subject,
    /// `None` once the subject is erased (or its key otherwise gone).
    pub key: Option<WrappedKey>,
    pub identities: Vec<StoredIdentity>,
    pub records: Vec<StoredRecord>,
    pub consents: Vec<ConsentRecord>,
    pub events: Vec<StoredEvent>,
    pub objections: Vec<Objection>,
}

/// Flags on a subject that rights requests change.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SubjectFlags {
    pub restricted: Option<bool>,
    pub objects_to_marketing: Option<bool>,
}

/// A part of a request to be queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    pub id: PartId,
    pub request_id: RequestId,
    pub target: PartTarget,
    pub action: PartAction,
    /// A part no connector can do: never claimed by workers, it waits for an
    /// officer to do it and say so ([`crate::JobStore::complete_manual_job`]).
    pub manual: bool,
}

/// A part of a request as its worker (or officer) sees it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Job {
    #[sqlx(try_from = "Text")]
    pub id: PartId,
    #[sqlx(try_from = "Text")]
    pub request_id: RequestId,
    #[sqlx(try_from = "Text")]
    pub target: PartTarget,
    #[sqlx(try_from = "Text")]
    pub action: PartAction,
    #[sqlx(try_from = "Text")]
    pub state: PartState,
    pub attempts: i64,
    #[sqlx(try_from = "crate::codec::Millis")]
    pub run_after: Timestamp,
    #[sqlx(try_from = "OptionalMillis")]
    pub lease_until: Option<Timestamp>,
    pub worker: Option<String>,
    /// The part's result, sealed by the server: it may hold personal data.
    pub result_sealed: Option<Vec<u8>>,
    pub last_error: Option<String>,
    pub manual: bool,
}

/// How a claimed job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobOutcome {
    /// Done, with its sealed result.
    Done(Vec<u8>),
    /// Failed for now; try again at this time.
    Retry { error: String, at: Timestamp },
    /// Failed for good.
    Failed(String),
}

/// How one attempt at a job ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    Done,
    Retry,
    Failed,
    /// Its worker vanished and the lease ran out.
    LeaseExpired,
}

impl AttemptOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptOutcome::Done => "done",
            AttemptOutcome::Retry => "retry",
            AttemptOutcome::Failed => "failed",
            AttemptOutcome::LeaseExpired => "lease_expired",
        }
    }
}

impl std::str::FromStr for AttemptOutcome {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        [
            AttemptOutcome::Done,
            AttemptOutcome::Retry,
            AttemptOutcome::Failed,
            AttemptOutcome::LeaseExpired,
        ]
        .into_iter()
        .find(|o| o.as_str() == text)
        .ok_or_else(|| "expected done, retry, failed or lease_expired".to_owned())
    }
}

impl TryFrom<OptionalText> for Option<AttemptOutcome> {
    type Error = crate::codec::Undecodable;

    fn try_from(text: OptionalText) -> Result<Self, Self::Error> {
        text.0
            .map(|t| {
                t.parse().map_err(|e: String| {
                    crate::codec::Undecodable(format!("`{t}` is not an attempt outcome: {e}"))
                })
            })
            .transpose()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct JobAttempt {
    pub attempt: i64,
    pub worker: String,
    #[sqlx(try_from = "crate::codec::Millis")]
    pub started_at: Timestamp,
    #[sqlx(try_from = "OptionalMillis")]
    pub finished_at: Option<Timestamp>,
    #[sqlx(try_from = "OptionalText")]
    pub outcome: Option<AttemptOutcome>,
    pub error: Option<String>,
}

/// A data-subject request as stored. What identifies the person (claimed
/// identities, new values for rectification) travels only in
/// `payload_sealed`, sealed by the server; the rest is bookkeeping.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredRequest {
    #[sqlx(try_from = "Text")]
    pub id: RequestId,
    #[sqlx(try_from = "Text")]
    pub kind: RequestKind,
    /// Where it stands; [`StoredRequest::state`] adds the details.
    #[sqlx(rename = "state", try_from = "Text")]
    pub status: RequestStatus,
    #[sqlx(try_from = "OptionalText")]
    pub state_detail: Option<StateDetail>,
    /// Known once the verified identities lead to a subject of the vault.
    #[sqlx(try_from = "OptionalText")]
    pub subject_id: Option<SubjectId>,
    #[sqlx(try_from = "Text")]
    pub language: Lang,
    pub payload_sealed: Vec<u8>,
    /// Hash of the secret that lets the requester follow the request.
    pub follow_hash: String,
    #[sqlx(try_from = "Text")]
    pub received_at: Timestamp,
    #[sqlx(try_from = "Text")]
    pub due_on: Date,
    #[sqlx(try_from = "OptionalText")]
    pub extended_on: Option<Date>,
    pub extension_reason: Option<String>,
    /// Why the request waits for a privacy officer, if it does.
    pub held: Option<String>,
    /// The answer (report, what was kept), sealed.
    pub result_sealed: Option<Vec<u8>>,
    #[sqlx(try_from = "Text")]
    pub updated_at: Timestamp,
    /// Whose key the payload, the part results and the answer are sealed
    /// under.
    #[sqlx(try_from = "Text")]
    pub sealed_under: SealedUnder,
}

impl StoredRequest {
    /// The state with its details.
    pub fn state(&self) -> Result<RequestState> {
        RequestState::from_stored(self.status, self.state_detail.clone())
            .map_err(|e| StoreError::Corrupt(format!("request {}: {e}", self.id)))
    }

    /// Moves to `state`, its details included.
    pub fn set_state(&mut self, state: &RequestState) {
        self.status = state.status();
        self.state_detail = state.detail();
    }
}

/// The one-time code of one claimed identity of one request.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredChallenge {
    #[sqlx(try_from = "Text")]
    pub request_id: RequestId,
    pub identity_kind: String,
    pub code_hash: String,
    #[sqlx(try_from = "Seconds")]
    pub expires_at: Timestamp,
    /// Tries taken at the code now held.
    pub attempts: i64,
    pub verified: bool,
    /// Codes sent to this identity for this request, the first included.
    pub sends: i64,
    #[sqlx(try_from = "Seconds")]
    pub last_sent_at: Timestamp,
}

/// Where a page of the officer's queue ends: the next page starts after it
/// (due date, then time received, then id: the queue's own order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueKey {
    pub due_on: jiff::civil::Date,
    pub received_at: Timestamp,
    pub id: RequestId,
}

/// One step in a request's history, in order.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RequestStep {
    #[sqlx(try_from = "Text")]
    pub request_id: RequestId,
    #[sqlx(try_from = "Text")]
    pub at: Timestamp,
    /// `submitted`, `verified`, `started`, `extended`, `refused`, ...
    pub step: String,
    /// Who: a token id, `subject`, or `worker`.
    pub actor: String,
    /// No personal data: states, reasons, part names.
    #[sqlx(try_from = "Text")]
    pub detail: serde_json::Value,
}
