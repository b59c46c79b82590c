//! Steward's storage: one interface in traits per aggregate ([`SubjectStore`],
//! [`RecordStore`], [`ConsentStore`], [`KeyStore`], [`JobStore`],
//! [`RequestStore`], [`TokenStore`], [`AuditStore`], [`DisclosureStore`],
//! [`PublicationStore`]; [`Store`] is all of
//! them), and two backends: SQLite, the embedded default ([`sqlite`]), and
//! PostgreSQL, the path past one machine ([`postgres`]). Each owns its
//! migrations, applied at start; queries are built at run time, so the build
//! needs no database.
//!
//! Layout:
//! - `model.rs`: what is stored, in the domain's types; `codec.rs`: how
//!   those types become columns and back.
//! - `sql/`: every query, written once. Each backend module mounts this
//!   folder with its own database type and dialect (the few fragments that
//!   differ: lock clauses, JSON functions, where the key store lives), so the
//!   SQL is concrete, checked code for both, without trait bounds on every
//!   impl that generic sqlx code would need.
//! - `sqlite.rs`, `postgres.rs`: pools, the key store's place, the dialect.
//!
//! The store keeps what the vault hands it: values arrive sealed, identities
//! as blind indexes. Every change is written together with its audit entry in
//! one transaction, so no act goes unrecorded and no crash leaves half an act.

// One SQL text, two concrete compilations: see "Layout" above.
#![allow(
    clippy::duplicate_mod,
    reason = "sql/ is mounted by each backend with its own database type"
)]

mod codec;
mod crash;
mod error;
mod model;
pub mod postgres;
mod sharing;
pub mod sqlite;

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use steward_domain::common::ids::{ConsentId, PartId, RecordId, RequestId, SubjectId, TokenId};
use steward_domain::rights::request::RequestStatus;
use steward_domain::vault::audit_chain::{AuditEntry, AuditEvent};
use steward_domain::vault::consent::ConsentRecord;

pub use crash::crash_point;
pub use error::{Result, StoreError};
pub use model::*;
pub use sharing::Sharing;

#[async_trait]
pub trait SubjectStore: Send + Sync {
    /// Stores a new subject with its wrapped data key and first identities.
    /// An identity already held by another subject is a [`StoreError::Conflict`].
    async fn create_subject(
        &self,
        subject: &Subject,
        key: &WrappedKey,
        identities: &[StoredIdentity],
        audit: AuditEvent,
    ) -> Result<()>;
    /// Adds an identity; with `own_consent_from`, also the day a child's own
    /// consent starts to count, which that identity (a personnummer) shows.
    async fn add_identity(
        &self,
        identity: &StoredIdentity,
        own_consent_from: Option<Date>,
        audit: AuditEvent,
    ) -> Result<()>;
    async fn subject(&self, id: &SubjectId) -> Result<Option<Subject>>;
    /// The subject an identity leads to, with how the identity came to it.
    async fn subject_by_identity(
        &self,
        kind: &str,
        blind_index: &str,
    ) -> Result<Option<IdentityHolder>>;
    /// Everything held about a subject, in one read.
    async fn subject_file(&self, id: &SubjectId) -> Result<Option<SubjectFile>>;
    /// Adds an event and, in the same transaction, the subject's records'
    /// last days as the event moves them.
    async fn add_event(
        &self,
        event: &StoredEvent,
        dues: &[DueDay],
        audit: AuditEvent,
    ) -> Result<()>;
    async fn set_objection(&self, objection: &Objection, audit: AuditEvent) -> Result<()>;
    async fn set_flags(
        &self,
        subject: &SubjectId,
        flags: SubjectFlags,
        audit: AuditEvent,
    ) -> Result<()>;
    /// Crypto-shredding: deletes the subject's data key first (after which
    /// nothing of it can be decrypted, from this database or any copy), then
    /// its identities, records and events, and marks it erased.
    async fn erase_subject(&self, id: &SubjectId, at: Timestamp, audit: AuditEvent) -> Result<()>;
    /// Erases a live subject the same way if it has no record left (the
    /// sweep removed its last); `false`, changing nothing, otherwise.
    async fn shred_if_empty(
        &self,
        id: &SubjectId,
        at: Timestamp,
        audit: AuditEvent,
    ) -> Result<bool>;
}

#[async_trait]
pub trait RecordStore: Send + Sync {
    /// Inserts the record, or replaces the one with the same id.
    async fn write_record(&self, record: &StoredRecord, audit: AuditEvent) -> Result<()>;
    async fn records(&self, subject: &SubjectId) -> Result<Vec<StoredRecord>>;
    /// The live subjects with data collected for, or a consent in force
    /// to, any of `purposes`: whom a change to those purposes concerns.
    async fn concerned_subjects(&self, purposes: &[String]) -> Result<Vec<SubjectId>>;
    /// Deletes some of a subject's records (an erasure that must keep
    /// others), and limits each of those `kept` to the purposes given, with
    /// the last day those purposes keep it.
    async fn delete_records(
        &self,
        subject: &SubjectId,
        records: &[RecordId],
        kept: &[Kept],
        audit: AuditEvent,
    ) -> Result<()>;
}

/// A record an erasure keeps: the only purposes left, and until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    pub record: RecordId,
    pub purposes: Vec<String>,
    pub due: Option<Date>,
}

/// Retention: the due index the sweep reads, what it removes, the holds
/// that stop it, and what anonymisation keeps.
#[async_trait]
pub trait RetentionStore: Send + Sync {
    /// Records whose last day is before `today`, in (day, id) order after
    /// `after`, at most `limit`: the sweep's next batch.
    async fn due_records(
        &self,
        today: Date,
        after: Option<(Date, RecordId)>,
        limit: u32,
    ) -> Result<Vec<StoredRecord>>;
    /// How many records are due before `today`.
    async fn due_count(&self, today: Date) -> Result<u64>;
    /// The events of these subjects, in one read: what the sweep checks a
    /// batch against.
    async fn events_of(&self, subjects: &[SubjectId]) -> Result<Vec<StoredEvent>>;
    /// Sets records' last days (a recomputation: no audit, the facts it
    /// follows from are audited).
    async fn set_due_days(&self, dues: &[DueDay]) -> Result<()>;
    /// Removes each record still there with the day the sweep saw, keeping
    /// its anonymised part, each with its audit entry, in one transaction.
    /// Returns the records removed (the others were gone or changed).
    async fn remove_expired(&self, removals: Vec<Removal>) -> Result<Vec<RecordId>>;
    /// Marks records whose `review` rule has ended, each audited once.
    async fn flag_for_review(
        &self,
        flags: Vec<(RecordId, AuditEvent)>,
        at: Timestamp,
    ) -> Result<u64>;
    /// Records flagged for review, oldest first.
    async fn under_review(&self) -> Result<Vec<StoredRecord>>;
    async fn add_hold(&self, hold: &StoredHold, audit: AuditEvent) -> Result<()>;
    /// Releases a hold; a hold unknown or released before is `NotFound`.
    async fn release_hold(&self, id: &str, at: Timestamp, audit: AuditEvent) -> Result<()>;
    /// Holds, newest first: of these subjects, or every one.
    async fn holds(&self, subjects: Option<&[SubjectId]>) -> Result<Vec<StoredHold>>;
    /// Anonymised data of a category (and its sub-categories), every row.
    async fn anonymised(&self, category: &str) -> Result<Vec<Anonymised>>;
    /// A page of subjects that have records, after `after`, for
    /// recomputing every last day.
    async fn subjects_with_records(
        &self,
        after: Option<&SubjectId>,
        limit: u32,
    ) -> Result<Vec<SubjectId>>;
    async fn retention_state(&self, name: &str) -> Result<Option<String>>;
    async fn set_retention_state(&self, name: &str, value: &str) -> Result<()>;
}

#[async_trait]
pub trait DisclosureStore: Send + Sync {
    /// Logs a release of a subject's data to a recipient.
    async fn record_disclosure(
        &self,
        disclosure: &StoredDisclosure,
        audit: AuditEvent,
    ) -> Result<()>;
    /// A subject's disclosures, oldest first.
    async fn disclosures(&self, subject: &SubjectId) -> Result<Vec<StoredDisclosure>>;
    /// Every disclosure counted by recipient, country and safeguard.
    async fn disclosure_counts(&self) -> Result<Vec<DisclosureCount>>;
}

#[async_trait]
pub trait PublicationStore: Send + Sync {
    /// Records that a policy version was published to the data subjects.
    /// A version published before is a [`StoreError::Conflict`].
    async fn record_publication(&self, publication: &Publication, audit: AuditEvent) -> Result<()>;
    /// The version published last (by time), if any.
    async fn latest_publication(&self) -> Result<Option<Publication>>;
}

/// A policy version as published.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Publication {
    pub version: String,
    #[sqlx(try_from = "codec::Text")]
    pub published_at: Timestamp,
    pub policy_text: String,
}

#[async_trait]
pub trait ConsentStore: Send + Sync {
    async fn give_consent(&self, consent: &ConsentRecord, audit: AuditEvent) -> Result<()>;
    /// Marks a consent withdrawn; the record of it having been given stays.
    async fn withdraw_consent(
        &self,
        consent: &ConsentId,
        at: Timestamp,
        method: &str,
        audit: AuditEvent,
    ) -> Result<()>;
    async fn consents(&self, subject: &SubjectId) -> Result<Vec<ConsentRecord>>;
    async fn consent(&self, id: &ConsentId) -> Result<Option<ConsentRecord>>;
}

#[async_trait]
pub trait KeyStore: Send + Sync {
    async fn subject_key(&self, subject: &SubjectId) -> Result<Option<WrappedKey>>;
    async fn system_key(&self, name: &str) -> Result<Option<WrappedKey>>;
    /// Stores a system key unless one of that name exists; returns the one kept,
    /// so two processes starting at once agree on a single key.
    async fn put_system_key_if_absent(&self, name: &str, key: &WrappedKey) -> Result<WrappedKey>;
    async fn wrapped_keys(&self) -> Result<Vec<(KeyName, WrappedKey)>>;
    /// Replaces wrapped keys after a key-encryption-key rotation, all or none.
    async fn replace_wrapped_keys(
        &self,
        keys: &[(KeyName, WrappedKey)],
        audit: AuditEvent,
    ) -> Result<()>;
}

#[async_trait]
pub trait JobStore: Send + Sync {
    /// Adds jobs, ready to run at `now`, with their audit entry.
    async fn enqueue_jobs(&self, jobs: &[NewJob], now: Timestamp, audit: AuditEvent) -> Result<()>;
    /// Claims up to `limit` runnable jobs for `worker` until `now + lease`:
    /// pending ones whose time has come, and running ones whose lease expired
    /// (their worker died). Two workers never claim the same job at once.
    async fn claim_jobs(
        &self,
        worker: &str,
        now: Timestamp,
        lease: std::time::Duration,
        limit: i64,
    ) -> Result<Vec<Job>>;
    /// Ends a claimed job. `false` when `worker` no longer holds it (its lease
    /// expired and another worker claimed it): the outcome is then not recorded.
    async fn finish_job(
        &self,
        job: &PartId,
        worker: &str,
        now: Timestamp,
        outcome: &JobOutcome,
    ) -> Result<bool>;
    async fn jobs_for_request(&self, request: &RequestId) -> Result<Vec<Job>>;
    async fn job_attempts(&self, job: &PartId) -> Result<Vec<JobAttempt>>;
    /// A job that waits for an officer, or one that failed (done by hand
    /// after a fix), is done: `false` if it was neither.
    async fn complete_manual_job(
        &self,
        job: &PartId,
        now: Timestamp,
        result_sealed: &[u8],
        audit: AuditEvent,
    ) -> Result<bool>;
    /// Puts a request's failed jobs back in the queue, to run at `now`;
    /// returns how many.
    async fn retry_failed_jobs(
        &self,
        request: &RequestId,
        now: Timestamp,
        audit: AuditEvent,
    ) -> Result<u64>;
}

#[async_trait]
pub trait RequestStore: Send + Sync {
    /// Stores a new request with its codes and first history steps, in one
    /// transaction with the jobs it starts (a request whose identity an
    /// officer checked starts at once) and the steps' audit entries.
    async fn create_request(
        &self,
        request: &StoredRequest,
        challenges: &[StoredChallenge],
        steps: &[RequestStep],
        jobs: &[NewJob],
        now: Timestamp,
        audit: Vec<AuditEvent>,
    ) -> Result<()>;
    async fn request(&self, id: &RequestId) -> Result<Option<StoredRequest>>;
    /// Writes a request's new version if it is still in `expected`, with its
    /// history step, its audit entry and any jobs it starts, all in one
    /// transaction. `false` (and nothing written) when another process moved
    /// the request on first.
    async fn update_request(
        &self,
        request: &StoredRequest,
        expected: RequestStatus,
        step: &RequestStep,
        jobs: &[NewJob],
        now: Timestamp,
        audit: AuditEvent,
    ) -> Result<bool>;
    /// Requests that still need something: every state but `completed`,
    /// `refused` and `cancelled` (a partial completion may be retried). The
    /// one due first comes first, then by time received; at most `limit`,
    /// starting after `after` (a page of the officer's queue).
    async fn open_requests(
        &self,
        after: Option<&QueueKey>,
        limit: i64,
    ) -> Result<Vec<StoredRequest>>;
    /// Every request in one state, oldest first.
    async fn requests_in_state(&self, status: RequestStatus) -> Result<Vec<StoredRequest>>;
    /// A subject's requests, oldest first.
    async fn requests_of_subject(&self, subject: &SubjectId) -> Result<Vec<StoredRequest>>;
    async fn challenges(&self, request: &RequestId) -> Result<Vec<StoredChallenge>>;
    /// Takes one try at a claimed identity's code, if one is left: fewer
    /// than `max_tries` taken, not expired at `now`, not yet proven. The
    /// statement that checks is the one that counts, so parallel tries
    /// cannot take more than there are. The challenge after the try (with
    /// the hash to compare), or `None` and nothing written.
    async fn take_code_try(
        &self,
        request: &RequestId,
        identity_kind: &str,
        now: Timestamp,
        max_tries: i64,
        audit: AuditEvent,
    ) -> Result<Option<StoredChallenge>>;
    /// Marks a claimed identity proven.
    async fn prove_identity(
        &self,
        request: &RequestId,
        identity_kind: &str,
        audit: AuditEvent,
    ) -> Result<()>;
    /// Replaces an unproven identity's code with `fresh`'s (its hash and
    /// expiry; no tries taken; one more send, at `fresh.last_sent_at`) if
    /// fewer than `max_sends` codes went to it and the last went at or
    /// before `spaced_since`. `false` and nothing written otherwise.
    async fn replace_code(
        &self,
        fresh: &StoredChallenge,
        max_sends: i64,
        spaced_since: Timestamp,
        audit: AuditEvent,
    ) -> Result<bool>;
    /// Requests still awaiting verification that were received before
    /// `before`: at most `limit`, oldest first.
    async fn unverified_requests_before(
        &self,
        before: Timestamp,
        limit: i64,
    ) -> Result<Vec<RequestId>>;
    /// Removes a request that is still awaiting verification, with its
    /// codes and history (what it claimed was never proven); `false` when
    /// it moved on meanwhile.
    async fn remove_unverified_request(&self, id: &RequestId, audit: AuditEvent) -> Result<bool>;
    async fn request_history(&self, request: &RequestId) -> Result<Vec<RequestStep>>;
}

#[async_trait]
pub trait TokenStore: Send + Sync {
    async fn create_token(&self, token: &StoredToken, audit: AuditEvent) -> Result<()>;
    async fn token_by_hash(&self, hash: &str) -> Result<Option<StoredToken>>;
    /// Revokes a token in force; it then authenticates nothing.
    async fn revoke_token(&self, id: &TokenId, at: Timestamp, audit: AuditEvent) -> Result<()>;
}

#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Records acts that change nothing else (reads, decisions), all in one
    /// transaction: many appends for the price of one commit.
    async fn append_audit_batch(&self, events: Vec<AuditEvent>) -> Result<Vec<AuditEntry>>;

    /// Records one act that changes nothing else.
    async fn append_audit(&self, audit: AuditEvent) -> Result<AuditEntry> {
        self.append_audit_batch(vec![audit])
            .await?
            .pop()
            .ok_or_else(|| StoreError::Corrupt("an audit append returned no entry".into()))
    }
    /// The whole log in order, and the head recorded with the last append.
    async fn audit_log(&self) -> Result<(Vec<AuditEntry>, u64)>;

    /// Keeps a signed checkpoint (its text) with the audit entry that
    /// records the signing; answers that entry.
    async fn record_checkpoint(
        &self,
        checkpoint: &StoredCheckpoint,
        audit: AuditEvent,
    ) -> Result<AuditEntry>;
    /// The checkpoint recorded last, if any. Never proof of anything: whoever
    /// owns the database can change it.
    async fn latest_checkpoint(&self) -> Result<Option<RecordedCheckpoint>>;
}

/// A signed checkpoint as issued: the size it covers and its signed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCheckpoint {
    pub size: u64,
    pub text: String,
}

/// A checkpoint as kept, with the sequence number of the entry that records
/// its signing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedCheckpoint {
    pub audit_seq: u64,
    pub checkpoint: StoredCheckpoint,
}

/// The whole store, as one object the server holds.
pub trait Store:
    SubjectStore
    + RecordStore
    + RetentionStore
    + ConsentStore
    + KeyStore
    + JobStore
    + RequestStore
    + TokenStore
    + AuditStore
    + DisclosureStore
    + PublicationStore
{
    /// The backend's name, for logs and `/healthz`.
    fn backend(&self) -> &'static str;
}

/// Opens the store a URL names, applying its migrations: `sqlite://PATH`
/// (the key store then lives beside it in `PATH.keys`) or `postgres://...`,
/// shared with other processes.
pub async fn open(url: &str) -> Result<Box<dyn Store>> {
    open_as(url, Sharing::Shared).await
}

/// As [`open`], alone with the data if `sharing` says so.
pub async fn open_as(url: &str, sharing: Sharing) -> Result<Box<dyn Store>> {
    if let Some(path) = url.strip_prefix("sqlite://") {
        Ok(Box::new(
            sqlite::SqliteStore::open_as(std::path::Path::new(path), sharing).await?,
        ))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Box::new(
            postgres::PostgresStore::open_as(url, sharing).await?,
        ))
    } else {
        // The scheme alone: the rest may hold a password.
        let scheme = url.split_once("://").map_or("", |(scheme, _)| scheme);
        Err(StoreError::UnsupportedUrl(scheme.to_owned()))
    }
}
