//! Steward's storage: one [`Repository`] trait, implemented for SQLite (the
//! embedded default, [`sqlite`]) and PostgreSQL ([`postgres`]), each with its
//! own migrations, applied at start. Queries are built at run time, so the
//! build needs no database.
//!
//! The store keeps what the vault hands it: values arrive sealed, identities
//! as blind indexes. Every change is written together with its audit entry in
//! one transaction, so no act goes unrecorded and no crash leaves half an act.

pub mod postgres;
pub mod sqlite;

use async_trait::async_trait;
use steward_domain::vault::audit_chain::{AuditEntry, AuditEvent};
use steward_domain::vault::consent::ConsentRecord;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{what} `{id}` already exists")]
    Conflict { what: &'static str, id: String },
    #[error("{what} `{id}` does not exist")]
    NotFound { what: &'static str, id: String },
    #[error("stored data is not what Steward wrote: {0}")]
    Corrupt(String),
    #[error("subject `{0}` has been erased")]
    Erased(String),
    #[error(
        "`{0}` is not a database URL Steward supports: use sqlite://PATH or postgres://USER@HOST/DATABASE"
    )]
    UnsupportedUrl(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub id: String,
    pub subject_type: String,
    pub birth_date: Option<String>,
    pub created_at: String,
    pub erased_at: Option<String>,
    pub restricted: bool,
    pub objects_to_marketing: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredIdentity {
    pub id: String,
    pub subject_id: String,
    pub kind: String,
    pub blind_index: String,
    pub value_sealed: Vec<u8>,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRecord {
    pub id: String,
    pub subject_id: String,
    pub category: String,
    pub value_sealed: Vec<u8>,
    pub source: String,
    pub purposes: Vec<String>,
    pub collected_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub id: String,
    pub subject_id: String,
    pub kind: String,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Objection {
    pub subject_id: String,
    pub purpose: String,
    pub at: String,
    pub compelling_grounds: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredToken {
    pub id: String,
    /// SHA-256 of the secret; the secret itself is never stored.
    pub hash: String,
    pub role: String,
    pub purposes: Vec<String>,
    pub description: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrappedKey {
    pub wrapped: Vec<u8>,
    pub kek_id: String,
    pub version: i64,
}

/// Which wrapped key: a subject's data key, or a key of the installation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyName {
    Subject(String),
    System(String),
}

/// A unit of work for one system, for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    pub id: String,
    pub request_id: String,
    /// The system the job reaches, e.g. `vault`, `crm`.
    pub system: String,
    /// What to do there, e.g. `access`, `erase`.
    pub action: String,
    pub payload: serde_json::Value,
    /// A part no connector can do (e.g. restricting a row in a database
    /// without such a flag): never claimed by workers, waits for an officer
    /// to do it and say so with [`Repository::complete_manual_job`].
    pub manual: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    Pending,
    Running,
    Done,
    Failed,
}

impl JobState {
    fn parse(text: &str) -> Result<Self> {
        match text {
            "pending" => Ok(JobState::Pending),
            "running" => Ok(JobState::Running),
            "done" => Ok(JobState::Done),
            "failed" => Ok(JobState::Failed),
            other => Err(StoreError::Corrupt(format!("job state `{other}`"))),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: String,
    pub request_id: String,
    pub system: String,
    pub action: String,
    pub payload: serde_json::Value,
    pub state: JobState,
    pub attempts: i64,
    /// Milliseconds since the epoch.
    pub run_after: i64,
    pub lease_until: Option<i64>,
    pub worker: Option<String>,
    pub result: Option<serde_json::Value>,
    pub last_error: Option<String>,
    pub manual: bool,
}

/// A data-subject request as stored. What identifies the person (claimed
/// identities, new values for rectification) travels only in
/// `payload_sealed`, sealed by the server; the rest is bookkeeping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRequest {
    pub id: String,
    /// `access`, `erasure`, ... (`RequestKind` in snake case).
    pub kind: String,
    /// The state's name: `received`, `awaiting_verification`, ...
    pub state: String,
    /// The state's details: the parts of a partial completion, the reason of
    /// a refusal or cancellation.
    pub state_detail: Option<serde_json::Value>,
    /// Known once the verified identities lead to a subject of the vault.
    pub subject_id: Option<String>,
    pub language: String,
    pub payload_sealed: Vec<u8>,
    /// Hash of the secret that lets the requester follow the request.
    pub follow_hash: String,
    /// RFC 3339.
    pub received_at: String,
    /// `YYYY-MM-DD`.
    pub due_on: String,
    pub extended_on: Option<String>,
    pub extension_reason: Option<String>,
    /// Why the request waits for a privacy officer, if it does.
    pub held: Option<String>,
    /// The answer (report, what was kept), sealed.
    pub result_sealed: Option<Vec<u8>>,
    /// RFC 3339.
    pub updated_at: String,
}

/// The one-time code of one claimed identity of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredChallenge {
    pub request_id: String,
    pub identity_kind: String,
    pub code_hash: String,
    /// Seconds since the epoch.
    pub expires_at: i64,
    pub attempts: i64,
    pub verified: bool,
}

/// One step in a request's history, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestStep {
    pub request_id: String,
    /// RFC 3339.
    pub at: String,
    /// `submitted`, `verified`, `started`, `extended`, `refused`, ...
    pub step: String,
    /// Who: a token id, `subject`, or `worker`.
    pub actor: String,
    /// No personal data: states, reasons, part names.
    pub detail: serde_json::Value,
}

/// How a claimed job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobOutcome {
    Done(serde_json::Value),
    /// Failed for now; try again at this time (milliseconds since the epoch).
    Retry {
        error: String,
        at: i64,
    },
    /// Failed for good.
    Failed(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobAttempt {
    pub attempt: i64,
    pub worker: String,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    /// `done`, `retry`, `failed`, or `lease_expired` when its worker vanished.
    pub outcome: Option<String>,
    pub error: Option<String>,
}

/// Flags on a subject that rights requests change.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SubjectFlags {
    pub restricted: Option<bool>,
    pub objects_to_marketing: Option<bool>,
}

#[async_trait]
pub trait Repository: Send + Sync {
    /// The backend's name, for logs and `/healthz`.
    fn backend(&self) -> &'static str;

    /// Stores a new subject with its wrapped data key and first identities.
    /// An identity already held by another subject is a [`StoreError::Conflict`].
    async fn create_subject(
        &self,
        subject: &Subject,
        key: &WrappedKey,
        identities: &[StoredIdentity],
        audit: AuditEvent,
    ) -> Result<()>;
    async fn add_identity(&self, identity: &StoredIdentity, audit: AuditEvent) -> Result<()>;
    async fn subject(&self, id: &str) -> Result<Option<Subject>>;
    async fn subject_by_identity(&self, kind: &str, blind_index: &str) -> Result<Option<Subject>>;
    async fn identities(&self, subject_id: &str) -> Result<Vec<StoredIdentity>>;
    async fn subject_key(&self, subject_id: &str) -> Result<Option<WrappedKey>>;

    /// Inserts the record, or replaces the one with the same id.
    async fn write_record(&self, record: &StoredRecord, audit: AuditEvent) -> Result<()>;
    async fn records(&self, subject_id: &str) -> Result<Vec<StoredRecord>>;

    async fn add_event(&self, event: &StoredEvent, audit: AuditEvent) -> Result<()>;
    async fn events(&self, subject_id: &str) -> Result<Vec<StoredEvent>>;

    async fn give_consent(&self, consent: &ConsentRecord, audit: AuditEvent) -> Result<()>;
    /// Marks a consent withdrawn; the record of it having been given stays.
    async fn withdraw_consent(
        &self,
        consent_id: &str,
        at: &str,
        method: &str,
        audit: AuditEvent,
    ) -> Result<()>;
    async fn consents(&self, subject_id: &str) -> Result<Vec<ConsentRecord>>;
    async fn consent(&self, consent_id: &str) -> Result<Option<ConsentRecord>>;

    async fn set_objection(&self, objection: &Objection, audit: AuditEvent) -> Result<()>;
    async fn objections(&self, subject_id: &str) -> Result<Vec<Objection>>;
    async fn set_flags(
        &self,
        subject_id: &str,
        flags: SubjectFlags,
        audit: AuditEvent,
    ) -> Result<()>;

    /// Crypto-shredding: deletes the subject's data key first (after which
    /// nothing of it can be decrypted, from this database or any copy), then
    /// its identities, records and events, and marks it erased.
    async fn erase_subject(&self, subject_id: &str, at: &str, audit: AuditEvent) -> Result<()>;

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

    /// Adds jobs, ready to run at `now_ms`, with their audit entry.
    async fn enqueue_jobs(&self, jobs: &[NewJob], now_ms: i64, audit: AuditEvent) -> Result<()>;
    /// Claims up to `limit` runnable jobs for `worker` until `now_ms + lease_ms`:
    /// pending ones whose time has come, and running ones whose lease expired
    /// (their worker died). Two workers never claim the same job at once.
    async fn claim_jobs(
        &self,
        worker: &str,
        now_ms: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<Job>>;
    /// Ends a claimed job. `false` when `worker` no longer holds it (its lease
    /// expired and another worker claimed it): the outcome is then not recorded.
    async fn finish_job(
        &self,
        job_id: &str,
        worker: &str,
        now_ms: i64,
        outcome: &JobOutcome,
    ) -> Result<bool>;
    async fn jobs_for_request(&self, request_id: &str) -> Result<Vec<Job>>;
    async fn job_attempts(&self, job_id: &str) -> Result<Vec<JobAttempt>>;

    /// A job that waits for an officer is done: `false` if it was not
    /// waiting (already completed, or not a manual part).
    async fn complete_manual_job(
        &self,
        job_id: &str,
        now_ms: i64,
        result: &serde_json::Value,
        audit: AuditEvent,
    ) -> Result<bool>;
    /// Puts a request's failed jobs back in the queue, to run at `now_ms`;
    /// returns how many.
    async fn retry_failed_jobs(
        &self,
        request_id: &str,
        now_ms: i64,
        audit: AuditEvent,
    ) -> Result<u64>;

    /// Deletes some of a subject's records (an erasure that must keep others).
    async fn delete_records(
        &self,
        subject_id: &str,
        record_ids: &[String],
        audit: AuditEvent,
    ) -> Result<()>;

    /// Stores a new request with its codes and first history steps, in one
    /// transaction with the jobs it starts (a request whose identity an
    /// officer checked starts at once) and the steps' audit entries.
    async fn create_request(
        &self,
        request: &StoredRequest,
        challenges: &[StoredChallenge],
        steps: &[RequestStep],
        jobs: &[NewJob],
        now_ms: i64,
        audit: Vec<AuditEvent>,
    ) -> Result<()>;
    async fn request(&self, id: &str) -> Result<Option<StoredRequest>>;
    /// Writes a request's new version if it is still in `expected_state`,
    /// with its history step, its audit entry and any jobs it starts, all in
    /// one transaction. `false` (and nothing written) when another process
    /// moved the request on first.
    async fn update_request(
        &self,
        request: &StoredRequest,
        expected_state: &str,
        step: &RequestStep,
        jobs: &[NewJob],
        now_ms: i64,
        audit: AuditEvent,
    ) -> Result<bool>;
    /// Requests that still need something: every state but `completed`,
    /// `refused` and `cancelled` (a partial completion may be retried). The
    /// one due first comes first, then by time received.
    async fn open_requests(&self) -> Result<Vec<StoredRequest>>;
    /// A subject's requests, oldest first.
    async fn requests_of_subject(&self, subject_id: &str) -> Result<Vec<StoredRequest>>;
    async fn challenges(&self, request_id: &str) -> Result<Vec<StoredChallenge>>;
    /// Records a try at a code (attempts, verified), with its audit entry.
    async fn save_challenge(&self, challenge: &StoredChallenge, audit: AuditEvent) -> Result<()>;
    async fn request_history(&self, request_id: &str) -> Result<Vec<RequestStep>>;

    async fn create_token(&self, token: &StoredToken, audit: AuditEvent) -> Result<()>;
    async fn token_by_hash(&self, hash: &str) -> Result<Option<StoredToken>>;
    /// Revokes a token in force; it then authenticates nothing.
    async fn revoke_token(&self, id: &str, at: &str, audit: AuditEvent) -> Result<()>;

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
}

/// Opens the store a URL names, applying its migrations: `sqlite://PATH`
/// (the key store then lives beside it in `PATH.keys`) or `postgres://...`.
pub async fn open(url: &str) -> Result<Box<dyn Repository>> {
    if let Some(path) = url.strip_prefix("sqlite://") {
        Ok(Box::new(
            sqlite::SqliteStore::open(std::path::Path::new(path)).await?,
        ))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Box::new(postgres::PostgresStore::open(url).await?))
    } else {
        Err(StoreError::UnsupportedUrl(url.to_owned()))
    }
}

fn purposes_json(purposes: &[String]) -> String {
    serde_json::Value::from(purposes.to_vec()).to_string()
}

fn purposes_from_json(text: &str) -> Result<Vec<String>> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("purposes `{text}`: {e}")))
}

/// The columns a job's outcome sets: state, result, error, next run, and the
/// attempt's label.
fn outcome_columns(
    outcome: &JobOutcome,
) -> (
    &'static str,
    Option<String>,
    Option<String>,
    Option<i64>,
    &'static str,
) {
    match outcome {
        JobOutcome::Done(result) => ("done", Some(result.to_string()), None, None, "done"),
        JobOutcome::Retry { error, at } => {
            ("pending", None, Some(error.clone()), Some(*at), "retry")
        }
        JobOutcome::Failed(error) => ("failed", None, Some(error.clone()), None, "failed"),
    }
}
