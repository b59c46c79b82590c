//! What the vault answers: opened records, what a purpose-bound read held
//! back and why, and the whole of a subject for an officer.

use jiff::Timestamp;
use steward_domain::common::ids::{RecordId, SubjectId};
use steward_domain::vault::consent::ConsentRecord;
use steward_store::{Objection, StoredEvent, Subject};

/// A record, decrypted.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenedRecord {
    pub id: RecordId,
    pub category: String,
    pub value: serde_json::Value,
    pub source: String,
    pub purposes: Vec<String>,
    pub collected_at: Timestamp,
    /// For derived data: the records it was computed from.
    pub derived_from: Vec<RecordId>,
}

/// A record a read did not return, and the machine-readable reason.
#[derive(Debug, Clone, PartialEq)]
pub struct Withheld {
    pub record_id: RecordId,
    pub category: String,
    /// `consent_withdrawn`, `objected`, `restricted`, `not_collected_for_purpose`, ...
    pub reason: &'static str,
    /// For `retention_expired`: the retention rule whose period ended.
    pub rule: Option<String>,
}

/// The answer to a purpose-bound read: what may be used, and what was held back.
#[derive(Debug, Clone, PartialEq)]
pub struct PurposeRead {
    pub subject_id: SubjectId,
    pub purpose: String,
    pub records: Vec<OpenedRecord>,
    pub withheld: Vec<Withheld>,
}

/// One identity of a subject, opened.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenedIdentity {
    pub kind: String,
    pub value: String,
    /// How it came to the subject: what it may be trusted for.
    pub provenance: steward_domain::vault::identity::Provenance,
}

/// Everything held about a subject, decrypted, for the privacy officer.
#[derive(Debug, Clone, PartialEq)]
pub struct WholeSubject {
    pub subject: Subject,
    pub identities: Vec<OpenedIdentity>,
    pub records: Vec<OpenedRecord>,
    pub consents: Vec<ConsentRecord>,
    pub events: Vec<StoredEvent>,
    pub objections: Vec<Objection>,
}
