//! PostgreSQL: the path past one machine. Several `steward` processes share
//! one database; the audit head row is locked (`FOR UPDATE`) for each append,
//! so appends from all of them form one chain.
//!
//! The key store is the `subject_keys` table of the same database: keep it
//! out of long-lived backups (see the migration), since an old copy of it
//! would still hold erased subjects' keys.

use std::time::Duration;

use async_trait::async_trait;
use sqlx::postgres::{PgPool, PgPoolOptions, PgRow};
use sqlx::{Postgres, Row, Transaction};
use steward_domain::vault::audit_chain::{AuditEntry, AuditEvent};
use steward_domain::vault::consent::ConsentRecord;

use crate::*;

pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects and applies migrations.
    pub async fn open(url: &str) -> Result<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(Self { pool })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

async fn append(tx: &mut Transaction<'_, Postgres>, event: AuditEvent) -> Result<AuditEntry> {
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE")
        .fetch_one(&mut **tx)
        .await?;
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

/// Refuses a write for a subject that does not exist or has been erased,
/// inside the write's own transaction (so an erasure cannot slip in between).
async fn live(tx: &mut Transaction<'_, Postgres>, subject_id: &str) -> Result<()> {
    let erased: Option<Option<String>> =
        sqlx::query_scalar("SELECT erased_at FROM subjects WHERE id = $1 FOR SHARE")
            .bind(subject_id)
            .fetch_optional(&mut **tx)
            .await?;
    match erased {
        None => Err(StoreError::NotFound {
            what: "subject",
            id: subject_id.to_owned(),
        }),
        Some(Some(_)) => Err(StoreError::Erased(subject_id.to_owned())),
        Some(None) => Ok(()),
    }
}

fn conflict(error: sqlx::Error, what: &'static str, id: &str) -> StoreError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict {
            what,
            id: id.to_owned(),
        },
        _ => StoreError::Database(error),
    }
}

fn subject_from(row: &PgRow) -> Result<Subject> {
    Ok(Subject {
        id: row.try_get("id")?,
        subject_type: row.try_get("subject_type")?,
        birth_date: row.try_get("birth_date")?,
        created_at: row.try_get("created_at")?,
        erased_at: row.try_get("erased_at")?,
        restricted: row.try_get("restricted")?,
        objects_to_marketing: row.try_get("objects_to_marketing")?,
    })
}

fn identity_from(row: &PgRow) -> Result<StoredIdentity> {
    Ok(StoredIdentity {
        id: row.try_get("id")?,
        subject_id: row.try_get("subject_id")?,
        kind: row.try_get("kind")?,
        blind_index: row.try_get("blind_index")?,
        value_sealed: row.try_get("value_sealed")?,
        created_at: row.try_get("created_at")?,
    })
}

fn record_from(row: &PgRow) -> Result<StoredRecord> {
    Ok(StoredRecord {
        id: row.try_get("id")?,
        subject_id: row.try_get("subject_id")?,
        category: row.try_get("category")?,
        value_sealed: row.try_get("value_sealed")?,
        source: row.try_get("source")?,
        purposes: purposes_from_json(&row.try_get::<String, _>("purposes")?)?,
        collected_at: row.try_get("collected_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn consent_from(row: &PgRow) -> Result<ConsentRecord> {
    Ok(ConsentRecord {
        id: row.try_get("id")?,
        subject_id: row.try_get("subject_id")?,
        purpose: row.try_get("purpose")?,
        given_at: row.try_get("given_at")?,
        withdrawn_at: row.try_get("withdrawn_at")?,
        policy_version: row.try_get("policy_version")?,
        method: row.try_get("method")?,
        notice_hash: row.try_get("notice_hash")?,
        language: row.try_get("language")?,
        withdrawal_method: row.try_get("withdrawal_method")?,
    })
}

fn token_from(row: &PgRow) -> Result<StoredToken> {
    Ok(StoredToken {
        id: row.try_get("id")?,
        hash: row.try_get("hash")?,
        role: row.try_get("role")?,
        purposes: purposes_from_json(&row.try_get::<String, _>("purposes")?)?,
        description: row.try_get("description")?,
        created_at: row.try_get("created_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

fn job_from(row: &PgRow) -> Result<Job> {
    let json = |column: &str, text: Option<String>| -> Result<Option<serde_json::Value>> {
        text.map(|t| {
            serde_json::from_str(&t).map_err(|e| StoreError::Corrupt(format!("job {column}: {e}")))
        })
        .transpose()
    };
    Ok(Job {
        id: row.try_get("id")?,
        request_id: row.try_get("request_id")?,
        system: row.try_get("system")?,
        action: row.try_get("action")?,
        payload: json("payload", Some(row.try_get("payload")?))?.unwrap_or_default(),
        state: JobState::parse(&row.try_get::<String, _>("state")?)?,
        attempts: row.try_get("attempts")?,
        run_after: row.try_get("run_after")?,
        lease_until: row.try_get("lease_until")?,
        worker: row.try_get("worker")?,
        result: json("result", row.try_get("result")?)?,
        last_error: row.try_get("last_error")?,
        manual: row.try_get("manual")?,
    })
}

fn json_from(what: &str, text: &str) -> Result<serde_json::Value> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

fn request_from(row: &PgRow) -> Result<StoredRequest> {
    Ok(StoredRequest {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        state: row.try_get("state")?,
        state_detail: row
            .try_get::<Option<String>, _>("state_detail")?
            .map(|t| json_from("request state detail", &t))
            .transpose()?,
        subject_id: row.try_get("subject_id")?,
        language: row.try_get("language")?,
        payload_sealed: row.try_get("payload_sealed")?,
        follow_hash: row.try_get("follow_hash")?,
        received_at: row.try_get("received_at")?,
        due_on: row.try_get("due_on")?,
        extended_on: row.try_get("extended_on")?,
        extension_reason: row.try_get("extension_reason")?,
        held: row.try_get("held")?,
        result_sealed: row.try_get("result_sealed")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn challenge_from(row: &PgRow) -> Result<StoredChallenge> {
    Ok(StoredChallenge {
        request_id: row.try_get("request_id")?,
        identity_kind: row.try_get("identity_kind")?,
        code_hash: row.try_get("code_hash")?,
        expires_at: row.try_get("expires_at")?,
        attempts: row.try_get("attempts")?,
        verified: row.try_get("verified")?,
    })
}

fn step_from(row: &PgRow) -> Result<RequestStep> {
    Ok(RequestStep {
        request_id: row.try_get("request_id")?,
        at: row.try_get("at")?,
        step: row.try_get("step")?,
        actor: row.try_get("actor")?,
        detail: json_from("request step detail", &row.try_get::<String, _>("detail")?)?,
    })
}

fn wrapped_from(row: &PgRow) -> Result<WrappedKey> {
    Ok(WrappedKey {
        wrapped: row.try_get("wrapped")?,
        kek_id: row.try_get("kek_id")?,
        version: row.try_get("version")?,
    })
}

async fn insert_identity(
    tx: &mut Transaction<'_, Postgres>,
    identity: &StoredIdentity,
) -> Result<()> {
    sqlx::query("INSERT INTO identities (id, subject_id, kind, blind_index, value_sealed, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(&identity.id)
        .bind(&identity.subject_id)
        .bind(&identity.kind)
        .bind(&identity.blind_index)
        .bind(&identity.value_sealed)
        .bind(&identity.created_at)
        .execute(&mut **tx)
        .await
        .map_err(|e| conflict(e, "identity", &identity.kind))?;
    Ok(())
}

/// Adds a job, ready to run at `now_ms` (unless manual: then it waits for an
/// officer).
async fn insert_job(tx: &mut Transaction<'_, Postgres>, job: &NewJob, now_ms: i64) -> Result<()> {
    sqlx::query("INSERT INTO jobs (id, request_id, system, action, payload, state, attempts, run_after, created_at, updated_at, manual) VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $7, $8, $9)")
        .bind(&job.id)
        .bind(&job.request_id)
        .bind(&job.system)
        .bind(&job.action)
        .bind(job.payload.to_string())
        .bind(now_ms)
        .bind(now_ms)
        .bind(now_ms)
        .bind(job.manual)
        .execute(&mut **tx)
        .await
        .map_err(|e| conflict(e, "job", &job.id))?;
    Ok(())
}

/// Adds a step to a request's history, after the ones it has.
async fn insert_step(tx: &mut Transaction<'_, Postgres>, step: &RequestStep) -> Result<()> {
    let seq: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(seq), 0) + 1 FROM request_steps WHERE request_id = $1",
    )
    .bind(&step.request_id)
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query("INSERT INTO request_steps (request_id, seq, at, step, actor, detail) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(&step.request_id)
        .bind(seq)
        .bind(&step.at)
        .bind(&step.step)
        .bind(&step.actor)
        .bind(step.detail.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[async_trait]
impl Repository for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn create_subject(
        &self,
        subject: &Subject,
        key: &WrappedKey,
        identities: &[StoredIdentity],
        audit: AuditEvent,
    ) -> Result<()> {
        // Key and subject in one transaction: here they share a database.
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO subject_keys (subject_id, wrapped, kek_id, version) VALUES ($1, $2, $3, $4)")
            .bind(&subject.id)
            .bind(&key.wrapped)
            .bind(&key.kek_id)
            .bind(key.version)
            .execute(&mut *tx)
            .await
            .map_err(|e| conflict(e, "subject", &subject.id))?;
        sqlx::query("INSERT INTO subjects (id, subject_type, birth_date, created_at, erased_at, restricted, objects_to_marketing) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(&subject.id)
            .bind(&subject.subject_type)
            .bind(&subject.birth_date)
            .bind(&subject.created_at)
            .bind(&subject.erased_at)
            .bind(subject.restricted)
            .bind(subject.objects_to_marketing)
            .execute(&mut *tx)
            .await
            .map_err(|e| conflict(e, "subject", &subject.id))?;
        for identity in identities {
            insert_identity(&mut tx, identity).await?;
        }
        append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn add_identity(&self, identity: &StoredIdentity, audit: AuditEvent) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        live(&mut tx, &identity.subject_id).await?;
        insert_identity(&mut tx, identity).await?;
        append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn subject(&self, id: &str) -> Result<Option<Subject>> {
        sqlx::query("SELECT * FROM subjects WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .map(|row| subject_from(&row))
            .transpose()
    }

    async fn subject_by_identity(&self, kind: &str, blind_index: &str) -> Result<Option<Subject>> {
        sqlx::query("SELECT s.* FROM subjects s JOIN identities i ON i.subject_id = s.id WHERE i.kind = $1 AND i.blind_index = $2")
            .bind(kind)
            .bind(blind_index)
            .fetch_optional(&self.pool)
            .await?
            .map(|row| subject_from(&row))
            .transpose()
    }

    async fn identities(&self, subject_id: &str) -> Result<Vec<StoredIdentity>> {
        sqlx::query("SELECT * FROM identities WHERE subject_id = $1 ORDER BY created_at, id")
            .bind(subject_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(identity_from)
            .collect()
    }

    async fn subject_key(&self, subject_id: &str) -> Result<Option<WrappedKey>> {
        sqlx::query("SELECT wrapped, kek_id, version FROM subject_keys WHERE subject_id = $1")
            .bind(subject_id)
            .fetch_optional(&self.pool)
            .await?
            .map(|row| wrapped_from(&row))
            .transpose()
    }

    async fn write_record(&self, record: &StoredRecord, audit: AuditEvent) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        live(&mut tx, &record.subject_id).await?;
        sqlx::query(
            "INSERT INTO records (id, subject_id, category, value_sealed, source, purposes, collected_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (id) DO UPDATE SET value_sealed = excluded.value_sealed, source = excluded.source,
             purposes = excluded.purposes, updated_at = excluded.updated_at",
        )
        .bind(&record.id)
        .bind(&record.subject_id)
        .bind(&record.category)
        .bind(&record.value_sealed)
        .bind(&record.source)
        .bind(purposes_json(&record.purposes))
        .bind(&record.collected_at)
        .bind(&record.updated_at)
        .execute(&mut *tx)
        .await?;
        append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn records(&self, subject_id: &str) -> Result<Vec<StoredRecord>> {
        sqlx::query("SELECT * FROM records WHERE subject_id = $1 ORDER BY collected_at, id")
            .bind(subject_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(record_from)
            .collect()
    }

    async fn add_event(&self, event: &StoredEvent, audit: AuditEvent) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        live(&mut tx, &event.subject_id).await?;
        sqlx::query("INSERT INTO events (id, subject_id, kind, at) VALUES ($1, $2, $3, $4)")
            .bind(&event.id)
            .bind(&event.subject_id)
            .bind(&event.kind)
            .bind(&event.at)
            .execute(&mut *tx)
            .await?;
        append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn events(&self, subject_id: &str) -> Result<Vec<StoredEvent>> {
        let rows = sqlx::query("SELECT * FROM events WHERE subject_id = $1 ORDER BY at, id")
            .bind(subject_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(StoredEvent {
                    id: row.try_get("id")?,
                    subject_id: row.try_get("subject_id")?,
                    kind: row.try_get("kind")?,
                    at: row.try_get("at")?,
                })
            })
            .collect()
    }

    async fn give_consent(&self, consent: &ConsentRecord, audit: AuditEvent) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        live(&mut tx, &consent.subject_id).await?;
        sqlx::query("INSERT INTO consents (id, subject_id, purpose, given_at, withdrawn_at, policy_version, method, notice_hash, language, withdrawal_method) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
            .bind(&consent.id)
            .bind(&consent.subject_id)
            .bind(&consent.purpose)
            .bind(&consent.given_at)
            .bind(&consent.withdrawn_at)
            .bind(&consent.policy_version)
            .bind(&consent.method)
            .bind(&consent.notice_hash)
            .bind(&consent.language)
            .bind(&consent.withdrawal_method)
            .execute(&mut *tx)
            .await
            .map_err(|e| conflict(e, "consent", &consent.id))?;
        append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn withdraw_consent(
        &self,
        consent_id: &str,
        at: &str,
        method: &str,
        audit: AuditEvent,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let updated = sqlx::query("UPDATE consents SET withdrawn_at = $1, withdrawal_method = $2 WHERE id = $3 AND withdrawn_at IS NULL")
            .bind(at)
            .bind(method)
            .bind(consent_id)
            .execute(&mut *tx)
            .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: "consent in force",
                id: consent_id.to_owned(),
            });
        }
        append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn consents(&self, subject_id: &str) -> Result<Vec<ConsentRecord>> {
        sqlx::query("SELECT * FROM consents WHERE subject_id = $1 ORDER BY given_at, id")
            .bind(subject_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(consent_from)
            .collect()
    }

    async fn consent(&self, consent_id: &str) -> Result<Option<ConsentRecord>> {
        sqlx::query("SELECT * FROM consents WHERE id = $1")
            .bind(consent_id)
            .fetch_optional(&self.pool)
            .await?
            .map(|row| consent_from(&row))
            .transpose()
    }

    async fn set_objection(&self, objection: &Objection, audit: AuditEvent) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        live(&mut tx, &objection.subject_id).await?;
        sqlx::query(
            "INSERT INTO objections (subject_id, purpose, at, compelling_grounds) VALUES ($1, $2, $3, $4)
             ON CONFLICT (subject_id, purpose) DO UPDATE SET at = excluded.at, compelling_grounds = COALESCE(excluded.compelling_grounds, objections.compelling_grounds)",
        )
        .bind(&objection.subject_id)
        .bind(&objection.purpose)
        .bind(&objection.at)
        .bind(&objection.compelling_grounds)
        .execute(&mut *tx)
        .await?;
        append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn objections(&self, subject_id: &str) -> Result<Vec<Objection>> {
        let rows = sqlx::query("SELECT * FROM objections WHERE subject_id = $1 ORDER BY purpose")
            .bind(subject_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(Objection {
                    subject_id: row.try_get("subject_id")?,
                    purpose: row.try_get("purpose")?,
                    at: row.try_get("at")?,
                    compelling_grounds: row.try_get("compelling_grounds")?,
                })
            })
            .collect()
    }

    async fn set_flags(
        &self,
        subject_id: &str,
        flags: SubjectFlags,
        audit: AuditEvent,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let updated = sqlx::query(
            "UPDATE subjects SET restricted = COALESCE($1, restricted), objects_to_marketing = COALESCE($2, objects_to_marketing) WHERE id = $3",
        )
        .bind(flags.restricted)
        .bind(flags.objects_to_marketing)
        .bind(subject_id)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: "subject",
                id: subject_id.to_owned(),
            });
        }
        append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn erase_subject(&self, subject_id: &str, at: &str, audit: AuditEvent) -> Result<()> {
        // One transaction, the subject row locked first, so no write for it
        // can commit after its key is gone.
        let mut tx = self.pool.begin().await?;
        let found: Option<String> =
            sqlx::query_scalar("SELECT id FROM subjects WHERE id = $1 FOR UPDATE")
                .bind(subject_id)
                .fetch_optional(&mut *tx)
                .await?;
        if found.is_none() {
            return Err(StoreError::NotFound {
                what: "subject",
                id: subject_id.to_owned(),
            });
        }
        sqlx::query("DELETE FROM subject_keys WHERE subject_id = $1")
            .bind(subject_id)
            .execute(&mut *tx)
            .await?;
        for table in ["identities", "records", "events", "objections"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE subject_id = $1"))
                .bind(subject_id)
                .execute(&mut *tx)
                .await?;
        }
        let updated = sqlx::query("UPDATE subjects SET erased_at = $1 WHERE id = $2")
            .bind(at)
            .bind(subject_id)
            .execute(&mut *tx)
            .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: "subject",
                id: subject_id.to_owned(),
            });
        }
        append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn system_key(&self, name: &str) -> Result<Option<WrappedKey>> {
        sqlx::query("SELECT wrapped, kek_id, 1::BIGINT AS version FROM system_keys WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?
            .map(|row| wrapped_from(&row))
            .transpose()
    }

    async fn put_system_key_if_absent(&self, name: &str, key: &WrappedKey) -> Result<WrappedKey> {
        sqlx::query("INSERT INTO system_keys (name, wrapped, kek_id) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .bind(&key.wrapped)
            .bind(&key.kek_id)
            .execute(&self.pool)
            .await?;
        self.system_key(name).await?.ok_or_else(|| {
            StoreError::Corrupt(format!("system key `{name}` vanished after it was stored"))
        })
    }

    async fn wrapped_keys(&self) -> Result<Vec<(KeyName, WrappedKey)>> {
        let mut out = Vec::new();
        for row in sqlx::query(
            "SELECT subject_id, wrapped, kek_id, version FROM subject_keys ORDER BY subject_id",
        )
        .fetch_all(&self.pool)
        .await?
        {
            out.push((
                KeyName::Subject(row.try_get("subject_id")?),
                wrapped_from(&row)?,
            ));
        }
        for row in sqlx::query(
            "SELECT name, wrapped, kek_id, 1::BIGINT AS version FROM system_keys ORDER BY name",
        )
        .fetch_all(&self.pool)
        .await?
        {
            out.push((KeyName::System(row.try_get("name")?), wrapped_from(&row)?));
        }
        Ok(out)
    }

    async fn replace_wrapped_keys(
        &self,
        keys: &[(KeyName, WrappedKey)],
        audit: AuditEvent,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for (name, key) in keys {
            match name {
                KeyName::Subject(id) => {
                    sqlx::query("UPDATE subject_keys SET wrapped = $1, kek_id = $2, version = $3 WHERE subject_id = $4")
                        .bind(&key.wrapped)
                        .bind(&key.kek_id)
                        .bind(key.version)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
                KeyName::System(name) => {
                    sqlx::query("UPDATE system_keys SET wrapped = $1, kek_id = $2 WHERE name = $3")
                        .bind(&key.wrapped)
                        .bind(&key.kek_id)
                        .bind(name)
                        .execute(&mut *tx)
                        .await?;
                }
            }
        }
        // Every key must now be under the new key: one created meanwhile by a
        // running server would be left under the old one and lost with it.
        if let Some((_, first)) = keys.first() {
            let stale: i64 = sqlx::query_scalar(
                "SELECT (SELECT COUNT(*) FROM subject_keys WHERE kek_id <> $1) + (SELECT COUNT(*) FROM system_keys WHERE kek_id <> $1)",
            )
            .bind(&first.kek_id)

            .fetch_one(&mut *tx)
            .await?;
            if stale > 0 {
                return Err(StoreError::Conflict {
                    what: "key rotation",
                    id: format!(
                        "{stale} key(s) were added while rotating; stop every steward process and rotate again"
                    ),
                });
            }
        }
        tx.commit().await?;
        self.append_audit(audit).await?;
        Ok(())
    }

    async fn enqueue_jobs(&self, jobs: &[NewJob], now_ms: i64, audit: AuditEvent) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for job in jobs {
            insert_job(&mut tx, job, now_ms).await?;
        }
        append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn claim_jobs(
        &self,
        worker: &str,
        now_ms: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<Job>> {
        let mut tx = self.pool.begin().await?;
        // An unfinished attempt of a job whose lease expired: its worker vanished.
        sqlx::query("UPDATE job_attempts SET finished_at = $1, outcome = 'lease_expired' WHERE finished_at IS NULL AND job_id IN (SELECT id FROM jobs WHERE state = 'running' AND lease_until < $2)")
            .bind(now_ms)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
        let rows = sqlx::query(
            "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_until = $1, worker = $2, updated_at = $3
             WHERE id IN (SELECT id FROM jobs WHERE (state = 'pending' AND NOT manual AND run_after <= $4) OR (state = 'running' AND lease_until < $5)
                          ORDER BY run_after, id LIMIT $6 FOR UPDATE SKIP LOCKED)
             RETURNING *",
        )
        .bind(now_ms + lease_ms)
        .bind(worker)
        .bind(now_ms)
        .bind(now_ms)
        .bind(now_ms)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        let mut jobs = rows.iter().map(job_from).collect::<Result<Vec<_>>>()?;
        // RETURNING keeps no order: hand jobs out oldest first, by id on ties.
        jobs.sort_by(|a, b| (a.run_after, &a.id).cmp(&(b.run_after, &b.id)));
        for job in &jobs {
            sqlx::query("INSERT INTO job_attempts (job_id, attempt, worker, started_at) VALUES ($1, $2, $3, $4)")
                .bind(&job.id)
                .bind(job.attempts)
                .bind(worker)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(jobs)
    }

    async fn finish_job(
        &self,
        job_id: &str,
        worker: &str,
        now_ms: i64,
        outcome: &JobOutcome,
    ) -> Result<bool> {
        let (state, result, error, run_after, label) = outcome_columns(outcome);
        let mut tx = self.pool.begin().await?;
        let attempt: Option<i64> = sqlx::query_scalar(
            "SELECT attempts FROM jobs WHERE id = $1 AND state = 'running' AND worker = $2",
        )
        .bind(job_id)
        .bind(worker)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(attempt) = attempt else {
            return Ok(false);
        };
        sqlx::query("UPDATE jobs SET state = $1, result = $2, last_error = $3, run_after = COALESCE($4, run_after), lease_until = NULL, worker = NULL, updated_at = $5 WHERE id = $6")
            .bind(state)
            .bind(result)
            .bind(&error)
            .bind(run_after)
            .bind(now_ms)
            .bind(job_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE job_attempts SET finished_at = $1, outcome = $2, error = $3 WHERE job_id = $4 AND attempt = $5")
            .bind(now_ms)
            .bind(label)
            .bind(&error)
            .bind(job_id)
            .bind(attempt)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn jobs_for_request(&self, request_id: &str) -> Result<Vec<Job>> {
        sqlx::query("SELECT * FROM jobs WHERE request_id = $1 ORDER BY created_at, id")
            .bind(request_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(job_from)
            .collect()
    }

    async fn job_attempts(&self, job_id: &str) -> Result<Vec<JobAttempt>> {
        sqlx::query("SELECT * FROM job_attempts WHERE job_id = $1 ORDER BY attempt")
            .bind(job_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| {
                Ok(JobAttempt {
                    attempt: row.try_get("attempt")?,
                    worker: row.try_get("worker")?,
                    started_at: row.try_get("started_at")?,
                    finished_at: row.try_get("finished_at")?,
                    outcome: row.try_get("outcome")?,
                    error: row.try_get("error")?,
                })
            })
            .collect()
    }

    async fn complete_manual_job(
        &self,
        job_id: &str,
        now_ms: i64,
        result: &serde_json::Value,
        audit: AuditEvent,
    ) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let updated = sqlx::query(
            "UPDATE jobs SET state = 'done', result = $1, updated_at = $2 WHERE id = $3 AND manual AND state = 'pending'",
        )
        .bind(result.to_string())
        .bind(now_ms)
        .bind(job_id)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Ok(false);
        }
        append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn retry_failed_jobs(
        &self,
        request_id: &str,
        now_ms: i64,
        audit: AuditEvent,
    ) -> Result<u64> {
        let mut tx = self.pool.begin().await?;
        // `attempts` stays: the next claim is the next attempt.
        let updated = sqlx::query(
            "UPDATE jobs SET state = 'pending', run_after = $1, lease_until = NULL, worker = NULL, updated_at = $2 WHERE request_id = $3 AND state = 'failed'",
        )
        .bind(now_ms)
        .bind(now_ms)
        .bind(request_id)
        .execute(&mut *tx)
        .await?;
        append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(updated.rows_affected())
    }

    async fn delete_records(
        &self,
        subject_id: &str,
        record_ids: &[String],
        audit: AuditEvent,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        live(&mut tx, subject_id).await?;
        for id in record_ids {
            sqlx::query("DELETE FROM records WHERE id = $1 AND subject_id = $2")
                .bind(id)
                .bind(subject_id)
                .execute(&mut *tx)
                .await?;
        }
        append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn create_request(
        &self,
        request: &StoredRequest,
        challenges: &[StoredChallenge],
        steps: &[RequestStep],
        jobs: &[NewJob],
        now_ms: i64,
        audit: Vec<AuditEvent>,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO requests (id, kind, state, state_detail, subject_id, language, payload_sealed, follow_hash, received_at, due_on, extended_on, extension_reason, held, result_sealed, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)")
            .bind(&request.id)
            .bind(&request.kind)
            .bind(&request.state)
            .bind(request.state_detail.as_ref().map(|d| d.to_string()))
            .bind(&request.subject_id)
            .bind(&request.language)
            .bind(&request.payload_sealed)
            .bind(&request.follow_hash)
            .bind(&request.received_at)
            .bind(&request.due_on)
            .bind(&request.extended_on)
            .bind(&request.extension_reason)
            .bind(&request.held)
            .bind(&request.result_sealed)
            .bind(&request.updated_at)
            .execute(&mut *tx)
            .await
            .map_err(|e| conflict(e, "request", &request.id))?;
        for challenge in challenges {
            sqlx::query("INSERT INTO request_challenges (request_id, identity_kind, code_hash, expires_at, attempts, verified) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(&challenge.request_id)
                .bind(&challenge.identity_kind)
                .bind(&challenge.code_hash)
                .bind(challenge.expires_at)
                .bind(challenge.attempts)
                .bind(challenge.verified)
                .execute(&mut *tx)
                .await
                .map_err(|e| conflict(e, "challenge", &challenge.identity_kind))?;
        }
        for step in steps {
            insert_step(&mut tx, step).await?;
        }
        for job in jobs {
            insert_job(&mut tx, job, now_ms).await?;
        }
        for event in audit {
            append(&mut tx, event).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn request(&self, id: &str) -> Result<Option<StoredRequest>> {
        sqlx::query("SELECT * FROM requests WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .map(|row| request_from(&row))
            .transpose()
    }

    async fn update_request(
        &self,
        request: &StoredRequest,
        expected_state: &str,
        step: &RequestStep,
        jobs: &[NewJob],
        now_ms: i64,
        audit: AuditEvent,
    ) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let updated = sqlx::query(
            "UPDATE requests SET state = $1, state_detail = $2, subject_id = $3, language = $4, payload_sealed = $5, due_on = $6,
             extended_on = $7, extension_reason = $8, held = $9, result_sealed = $10, updated_at = $11
             WHERE id = $12 AND state = $13",
        )
        .bind(&request.state)
        .bind(request.state_detail.as_ref().map(|d| d.to_string()))
        .bind(&request.subject_id)
        .bind(&request.language)
        .bind(&request.payload_sealed)
        .bind(&request.due_on)
        .bind(&request.extended_on)
        .bind(&request.extension_reason)
        .bind(&request.held)
        .bind(&request.result_sealed)
        .bind(&request.updated_at)
        .bind(&request.id)
        .bind(expected_state)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            // Moved on (or gone) meanwhile: nothing of this version is kept.
            return Ok(false);
        }
        insert_step(&mut tx, step).await?;
        for job in jobs {
            insert_job(&mut tx, job, now_ms).await?;
        }
        append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn open_requests(&self) -> Result<Vec<StoredRequest>> {
        sqlx::query(
            "SELECT * FROM requests WHERE state NOT IN ('completed', 'refused', 'cancelled') ORDER BY due_on, received_at, id",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(request_from)
        .collect()
    }

    async fn requests_of_subject(&self, subject_id: &str) -> Result<Vec<StoredRequest>> {
        sqlx::query("SELECT * FROM requests WHERE subject_id = $1 ORDER BY received_at, id")
            .bind(subject_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(request_from)
            .collect()
    }

    async fn challenges(&self, request_id: &str) -> Result<Vec<StoredChallenge>> {
        sqlx::query("SELECT * FROM request_challenges WHERE request_id = $1 ORDER BY identity_kind")
            .bind(request_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(challenge_from)
            .collect()
    }

    async fn save_challenge(&self, challenge: &StoredChallenge, audit: AuditEvent) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO request_challenges (request_id, identity_kind, code_hash, expires_at, attempts, verified) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (request_id, identity_kind) DO UPDATE SET code_hash = excluded.code_hash, expires_at = excluded.expires_at,
             attempts = excluded.attempts, verified = excluded.verified",
        )
        .bind(&challenge.request_id)
        .bind(&challenge.identity_kind)
        .bind(&challenge.code_hash)
        .bind(challenge.expires_at)
        .bind(challenge.attempts)
        .bind(challenge.verified)
        .execute(&mut *tx)
        .await?;
        append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn request_history(&self, request_id: &str) -> Result<Vec<RequestStep>> {
        sqlx::query("SELECT * FROM request_steps WHERE request_id = $1 ORDER BY seq")
            .bind(request_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(step_from)
            .collect()
    }

    async fn create_token(&self, token: &StoredToken, audit: AuditEvent) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO tokens (id, hash, role, purposes, description, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(&token.id)
            .bind(&token.hash)
            .bind(&token.role)
            .bind(purposes_json(&token.purposes))
            .bind(&token.description)
            .bind(&token.created_at)
            .bind(&token.revoked_at)
            .execute(&mut *tx)
            .await
            .map_err(|e| conflict(e, "token", &token.id))?;
        append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn token_by_hash(&self, hash: &str) -> Result<Option<StoredToken>> {
        sqlx::query("SELECT * FROM tokens WHERE hash = $1")
            .bind(hash)
            .fetch_optional(&self.pool)
            .await?
            .map(|row| token_from(&row))
            .transpose()
    }

    async fn revoke_token(&self, id: &str, at: &str, audit: AuditEvent) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let updated =
            sqlx::query("UPDATE tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(at)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: "token in force",
                id: id.to_owned(),
            });
        }
        append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn append_audit_batch(&self, events: Vec<AuditEvent>) -> Result<Vec<AuditEntry>> {
        let mut tx = self.pool.begin().await?;
        let mut entries = Vec::with_capacity(events.len());
        for event in events {
            entries.push(append(&mut tx, event).await?);
        }
        tx.commit().await?;
        Ok(entries)
    }

    async fn audit_log(&self) -> Result<(Vec<AuditEntry>, u64)> {
        // One read transaction, so the entries and the head agree.
        let mut tx = self.pool.begin().await?;
        let head: i64 = sqlx::query_scalar("SELECT seq FROM audit_head WHERE id = 1")
            .fetch_one(&mut *tx)
            .await?;
        let rows = sqlx::query("SELECT * FROM audit ORDER BY seq")
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        let entries = rows
            .iter()
            .map(|row| {
                let detail: String = row.try_get("detail")?;
                Ok(AuditEntry {
                    seq: row.try_get::<i64, _>("seq")? as u64,
                    event: AuditEvent {
                        at: row.try_get("at")?,
                        actor: row.try_get("actor")?,
                        action: row.try_get("action")?,
                        subject: row.try_get("subject")?,
                        detail: serde_json::from_str(&detail)
                            .map_err(|e| StoreError::Corrupt(format!("audit detail: {e}")))?,
                    },
                    prev_hash: row.try_get("prev_hash")?,
                    hash: row.try_get("hash")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((entries, head as u64))
    }
}
