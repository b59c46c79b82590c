//! Every query of the store, written once. This folder is mounted by each
//! backend module (`sqlite.rs`, `postgres.rs`), whose `Db` is the sqlx
//! database, `Backend` the store type, and `dialect` the fragments of SQL
//! that differ. Placeholders are `$1`, `$2`, ... on both.
//!
//! One file per aggregate; here, what several of them share: the audit
//! append, the check that a subject is still there, and the inserts more
//! than one transaction makes.

mod audit;
mod consents;
mod disclosures;
mod jobs;
mod keys;
mod publications;
mod records;
mod requests;
mod retention;
mod subjects;
mod tokens;

use sqlx::{Row, Transaction};
use steward_domain::common::ids::SubjectId;
use steward_domain::vault::audit_chain::{AuditEntry, AuditEvent};

use super::{Backend, Db, dialect};
use crate::codec::{self, millis};
use crate::error::conflict;
use crate::{NewJob, RequestStep, Result, Store, StoreError, StoredIdentity};

type Tx = Transaction<'static, Db>;

impl Store for Backend {
    fn backend(&self) -> &'static str {
        dialect::NAME
    }
}

impl Backend {
    /// A transaction that writes. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so a read inside it never meets another
    /// process's commit halfway (which SQLite answers with a busy error no
    /// timeout waits out).
    pub(crate) async fn write(&self) -> Result<Tx> {
        Ok(self.writer().begin_with(dialect::BEGIN_WRITE).await?)
    }
}

/// A query whose text needs the dialect: built once, on first use.
macro_rules! dialect_sql {
    ($name:ident = $($format:tt)+) => {
        static $name: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
            #[allow(unused_imports)]
            use dialect::*;
            format!($($format)+)
        });
    };
}
pub(crate) use dialect_sql;

/// Appends to the audit chain inside `tx`: the head row is read (and on
/// PostgreSQL locked), so appends from any number of processes form one chain.
pub(crate) async fn append(tx: &mut Tx, event: AuditEvent) -> Result<AuditEntry> {
    dialect_sql!(HEAD = "SELECT seq, hash FROM audit_head WHERE id = 1{FOR_UPDATE}");
    let head = sqlx::query(&HEAD).fetch_one(&mut **tx).await?;
    let seq: i64 = head.try_get("seq")?;
    let hash: String = head.try_get("hash")?;
    let entry = event.chain((seq > 0).then_some((seq as u64, hash.as_str())));
    sqlx::query(
        "INSERT INTO audit (seq, at, actor, action, subject, detail, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(entry.seq as i64)
    .bind(&entry.event.at)
    .bind(&entry.event.actor)
    .bind(&entry.event.action)
    .bind(&entry.event.subject)
    .bind(entry.event.detail.to_string())
    .bind(&entry.prev_hash)
    .bind(&entry.hash)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(entry.seq as i64)
        .bind(&entry.hash)
        .execute(&mut **tx)
        .await?;
    Ok(entry)
}

/// Appends several entries inside `tx`: the head read (and locked) once,
/// the entries chained in memory and inserted a hundred to a statement, the
/// head moved once. The same chain as as many `append`s, for the price of
/// a few statements.
pub(crate) async fn append_many(tx: &mut Tx, events: Vec<AuditEvent>) -> Result<Vec<AuditEntry>> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    dialect_sql!(HEAD = "SELECT seq, hash FROM audit_head WHERE id = 1{FOR_UPDATE}");
    let head = sqlx::query(&HEAD).fetch_one(&mut **tx).await?;
    let seq: i64 = head.try_get("seq")?;
    let mut prev: Option<(u64, String)> = (seq > 0).then(|| (seq as u64, String::new()));
    if let Some((_, hash)) = prev.as_mut() {
        *hash = head.try_get("hash")?;
    }
    let mut entries = Vec::with_capacity(events.len());
    for event in events {
        let entry = event.chain(prev.as_ref().map(|(seq, hash)| (*seq, hash.as_str())));
        prev = Some((entry.seq, entry.hash.clone()));
        entries.push(entry);
    }
    for chunk in entries.chunks(100) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|i| {
                let b = i * 8;
                format!(
                    "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5,
                    b + 6,
                    b + 7,
                    b + 8
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO audit (seq, at, actor, action, subject, detail, prev_hash, hash) VALUES {}",
            rows.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for entry in chunk {
            query = query
                .bind(entry.seq as i64)
                .bind(&entry.event.at)
                .bind(&entry.event.actor)
                .bind(&entry.event.action)
                .bind(&entry.event.subject)
                .bind(entry.event.detail.to_string())
                .bind(&entry.prev_hash)
                .bind(&entry.hash);
        }
        query.execute(&mut **tx).await?;
    }
    if let Some(last) = entries.last() {
        sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
            .bind(last.seq as i64)
            .bind(&last.hash)
            .execute(&mut **tx)
            .await?;
    }
    Ok(entries)
}

/// Refuses a write for a subject that does not exist or has been erased,
/// inside the write's own transaction (on PostgreSQL the row is share-locked,
/// so an erasure cannot commit in between).
pub(crate) async fn live(tx: &mut Tx, subject: &SubjectId) -> Result<()> {
    dialect_sql!(ERASED = "SELECT erased_at FROM subjects WHERE id = $1{FOR_SHARE}");
    let erased: Option<Option<String>> = sqlx::query_scalar(&ERASED)
        .bind(subject.as_str())
        .fetch_optional(&mut **tx)
        .await?;
    match erased {
        None => Err(StoreError::NotFound {
            what: "subject",
            id: subject.to_string(),
        }),
        Some(Some(_)) => Err(StoreError::Erased(subject.to_string())),
        Some(None) => Ok(()),
    }
}

pub(crate) async fn insert_identity(tx: &mut Tx, identity: &StoredIdentity) -> Result<()> {
    sqlx::query("INSERT INTO identities (id, subject_id, kind, blind_index, value_sealed, created_at, provenance) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(identity.id.as_str())
        .bind(identity.subject_id.as_str())
        .bind(&identity.kind)
        .bind(&identity.blind_index)
        .bind(&identity.value_sealed)
        .bind(codec::time(identity.created_at))
        .bind(identity.provenance.as_str())
        .execute(&mut **tx)
        .await
        .map_err(|e| conflict(e, "identity", &identity.kind))?;
    Ok(())
}

/// Adds a job, ready to run at `now` (unless manual: then it waits for an
/// officer).
pub(crate) async fn insert_job(tx: &mut Tx, job: &NewJob, now: jiff::Timestamp) -> Result<()> {
    sqlx::query("INSERT INTO jobs (id, request_id, target, action, state, attempts, run_after, created_at, updated_at, manual) VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5, $5, $6)")
        .bind(job.id.as_str())
        .bind(job.request_id.as_str())
        .bind(job.target.stored())
        .bind(job.action.as_str())
        .bind(millis(now))
        .bind(job.manual)
        .execute(&mut **tx)
        .await
        .map_err(|e| conflict(e, "job", job.id.as_str()))?;
    Ok(())
}

/// Adds a step to a request's history, after the ones it has.
pub(crate) async fn insert_step(tx: &mut Tx, step: &RequestStep) -> Result<()> {
    sqlx::query(
        "INSERT INTO request_steps (request_id, seq, at, step, actor, detail)
         SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4, $5 FROM request_steps WHERE request_id = $1",
    )
    .bind(step.request_id.as_str())
    .bind(codec::time(step.at))
    .bind(&step.step)
    .bind(&step.actor)
    .bind(step.detail.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// `NotFound` when an update touched no row.
pub(crate) fn touched(rows: u64, what: &'static str, id: &str) -> Result<()> {
    if rows == 0 {
        Err(StoreError::NotFound {
            what,
            id: id.to_owned(),
        })
    } else {
        Ok(())
    }
}
