//! Subjects: their identities, relationship events, objections and flags,
//! their erasure, and the subject file (everything held, in one read).

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::Row;
use steward_domain::common::ids::SubjectId;
use steward_domain::vault::audit_chain::AuditEvent;

use super::{Backend, append, dialect, dialect_sql, insert_identity, live, touched};
use crate::codec::{self, time};
use crate::error::conflict;
use crate::model::StoredConsent;
use crate::{
    DueDay, IdentityHolder, Objection, Result, StoreError, StoredEvent, StoredIdentity,
    StoredRecord, Subject, SubjectFile, SubjectFlags, SubjectStore, WrappedKey,
};

#[async_trait]
impl SubjectStore for Backend {
    async fn create_subject(
        &self,
        subject: &Subject,
        key: &WrappedKey,
        identities: &[StoredIdentity],
        audit: AuditEvent,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        // Where the key store is apart (SQLite), the key is written first: a
        // crash after it leaves an unused key, never a subject whose data
        // cannot be read.
        let insert_key = sqlx::query(
            "INSERT INTO subject_keys (subject_id, wrapped, kek_id, version) VALUES ($1, $2, $3, $4)",
        )
        .bind(subject.id.as_str())
        .bind(&key.wrapped)
        .bind(&key.kek_id)
        .bind(key.version);
        let inserted = if dialect::KEYS_APART {
            insert_key.execute(self.keys()).await
        } else {
            insert_key.execute(&mut *tx).await
        };
        inserted.map_err(|e| conflict(e, "subject", subject.id.as_str()))?;
        sqlx::query("INSERT INTO subjects (id, subject_type, created_at, erased_at, restricted, objects_to_marketing, own_consent_from) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(subject.id.as_str())
            .bind(&subject.subject_type)
            .bind(time(subject.created_at))
            .bind(codec::optional_time(subject.erased_at))
            .bind(subject.restricted)
            .bind(subject.objects_to_marketing)
            .bind(subject.own_consent_from.map(|d| d.to_string()))
            .execute(&mut *tx)
            .await
            .map_err(|e| conflict(e, "subject", subject.id.as_str()))?;
        for identity in identities {
            insert_identity(&mut tx, identity).await?;
        }
        append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn add_identity(
        &self,
        identity: &StoredIdentity,
        own_consent_from: Option<Date>,
        audit: AuditEvent,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        live(&mut tx, &identity.subject_id).await?;
        insert_identity(&mut tx, identity).await?;
        if let Some(day) = own_consent_from {
            sqlx::query("UPDATE subjects SET own_consent_from = $1 WHERE id = $2")
                .bind(day.to_string())
                .bind(identity.subject_id.as_str())
                .execute(&mut *tx)
                .await?;
        }
        append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn subject(&self, id: &SubjectId) -> Result<Option<Subject>> {
        Ok(sqlx::query_as("SELECT * FROM subjects WHERE id = $1")
            .bind(id.as_str())
            .fetch_optional(self.reader())
            .await?)
    }

    async fn subject_by_identity(
        &self,
        kind: &str,
        blind_index: &str,
    ) -> Result<Option<IdentityHolder>> {
        Ok(sqlx::query_as("SELECT s.*, i.provenance FROM subjects s JOIN identities i ON i.subject_id = s.id WHERE i.kind = $1 AND i.blind_index = $2")
            .bind(kind)
            .bind(blind_index)
            .fetch_optional(self.reader())
            .await?)
    }

    async fn subject_file(&self, id: &SubjectId) -> Result<Option<SubjectFile>> {
        // One statement: the subject, its key and each list as JSON, so a
        // purpose-bound read costs one round trip and sees one moment.
        dialect_sql!(
            FILE = "SELECT s.*, k.wrapped, k.kek_id, k.version,
  {identities} AS identities, {records} AS records, {consents} AS consents,
  {events} AS events, {objections} AS objections
FROM subjects s LEFT JOIN {KEYS}subject_keys k ON k.subject_id = s.id
WHERE s.id = $1",
            identities = json_list(
                "identities",
                "created_at, id",
                &[
                    ("id", "id"),
                    ("subject_id", "subject_id"),
                    ("kind", "kind"),
                    ("blind_index", "blind_index"),
                    ("value_sealed", &hex("value_sealed")),
                    ("created_at", "created_at"),
                    ("provenance", "provenance"),
                ]
            ),
            records = json_list(
                "records",
                "collected_at, id",
                &[
                    ("id", "id"),
                    ("subject_id", "subject_id"),
                    ("category", "category"),
                    ("value_sealed", &hex("value_sealed")),
                    ("source", "source"),
                    ("purposes", &json_of_text("purposes")),
                    ("collected_at", "collected_at"),
                    ("updated_at", "updated_at"),
                    ("kept_for", &json_of_text("kept_for")),
                    ("derived_from", &json_of_text("derived_from")),
                    ("recompute_since", "recompute_since"),
                    ("retention_due", "retention_due"),
                    ("review_since", "review_since"),
                ]
            ),
            consents = json_list(
                "consents",
                "given_at, id",
                &[
                    ("id", "id"),
                    ("subject_id", "subject_id"),
                    ("purpose", "purpose"),
                    ("given_at", "given_at"),
                    ("withdrawn_at", "withdrawn_at"),
                    ("policy_version", "policy_version"),
                    ("method", "method"),
                    ("notice_hash", "notice_hash"),
                    ("language", "language"),
                    ("withdrawal_method", "withdrawal_method"),
                    ("given_by", "given_by"),
                ]
            ),
            events = json_list(
                "events",
                "at, id",
                &[
                    ("id", "id"),
                    ("subject_id", "subject_id"),
                    ("kind", "kind"),
                    ("at", "at"),
                ]
            ),
            objections = json_list(
                "objections",
                "purpose",
                &[
                    ("subject_id", "subject_id"),
                    ("purpose", "purpose"),
                    ("at", "at"),
                    ("compelling_grounds", "compelling_grounds"),
                ]
            ),
        );
        let Some(row) = sqlx::query(&FILE)
            .bind(id.as_str())
            .fetch_optional(self.reader())
            .await?
        else {
            return Ok(None);
        };
        let subject: Subject = sqlx::FromRow::from_row(&row)?;
        let wrapped: Option<Vec<u8>> = row.try_get("wrapped")?;
        let key = match wrapped {
            Some(wrapped) => Some(WrappedKey {
                wrapped,
                kek_id: row.try_get("kek_id")?,
                version: row.try_get("version")?,
            }),
            None => None,
        };
        let list = |column: &str| -> Result<String> { Ok(row.try_get(column)?) };
        Ok(Some(SubjectFile {
            subject,
            key,
            identities: from_json(id, "identities", &list("identities")?)?,
            records: from_json::<StoredRecord>(id, "records", &list("records")?)?,
            consents: from_json::<StoredConsent>(id, "consents", &list("consents")?)?
                .into_iter()
                .map(Into::into)
                .collect(),
            events: from_json::<StoredEvent>(id, "events", &list("events")?)?,
            objections: from_json::<Objection>(id, "objections", &list("objections")?)?,
        }))
    }

    async fn add_event(
        &self,
        event: &StoredEvent,
        dues: &[DueDay],
        audit: AuditEvent,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        live(&mut tx, &event.subject_id).await?;
        sqlx::query("INSERT INTO events (id, subject_id, kind, at) VALUES ($1, $2, $3, $4)")
            .bind(event.id.as_str())
            .bind(event.subject_id.as_str())
            .bind(event.kind.as_str())
            .bind(time(event.at))
            .execute(&mut *tx)
            .await?;
        for due in dues {
            super::retention::set_due(&mut tx, due).await?;
        }
        append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_objection(&self, objection: &Objection, audit: AuditEvent) -> Result<()> {
        let mut tx = self.write().await?;
        live(&mut tx, &objection.subject_id).await?;
        sqlx::query(
            "INSERT INTO objections (subject_id, purpose, at, compelling_grounds) VALUES ($1, $2, $3, $4)
             ON CONFLICT (subject_id, purpose) DO UPDATE SET at = excluded.at, compelling_grounds = COALESCE(excluded.compelling_grounds, objections.compelling_grounds)",
        )
        .bind(objection.subject_id.as_str())
        .bind(&objection.purpose)
        .bind(time(objection.at))
        .bind(&objection.compelling_grounds)
        .execute(&mut *tx)
        .await?;
        append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_flags(
        &self,
        subject: &SubjectId,
        flags: SubjectFlags,
        audit: AuditEvent,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let updated = sqlx::query(
            "UPDATE subjects SET restricted = COALESCE($1, restricted), objects_to_marketing = COALESCE($2, objects_to_marketing) WHERE id = $3",
        )
        .bind(flags.restricted)
        .bind(flags.objects_to_marketing)
        .bind(subject.as_str())
        .execute(&mut *tx)
        .await?;
        touched(updated.rows_affected(), "subject", subject.as_str())?;
        append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn erase_subject(&self, id: &SubjectId, at: Timestamp, audit: AuditEvent) -> Result<()> {
        let mut tx = self.write().await?;
        // On PostgreSQL the row is locked first, so no write for the subject
        // can commit after its key is gone.
        dialect_sql!(LOCK = "SELECT id FROM subjects WHERE id = $1{FOR_UPDATE}");
        let found: Option<String> = sqlx::query_scalar(&LOCK)
            .bind(id.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        touched(u64::from(found.is_some()), "subject", id.as_str())?;
        self.erase_in(&mut tx, id, at).await?;
        append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn shred_if_empty(
        &self,
        id: &SubjectId,
        at: Timestamp,
        audit: AuditEvent,
    ) -> Result<bool> {
        let mut tx = self.write().await?;
        // Locked, live and without a record, checked in the transaction
        // that erases: a record written meanwhile, or another node's
        // shredding first, leaves the subject alone.
        dialect_sql!(
            LOCK = "SELECT id FROM subjects WHERE id = $1 AND erased_at IS NULL{FOR_UPDATE}"
        );
        let found: Option<String> = sqlx::query_scalar(&LOCK)
            .bind(id.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        let records: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM records WHERE subject_id = $1")
            .bind(id.as_str())
            .fetch_one(&mut *tx)
            .await?;
        if found.is_none() || records > 0 {
            return Ok(false);
        }
        self.erase_in(&mut tx, id, at).await?;
        append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }
}

impl Backend {
    /// Crypto-shreds a subject inside `tx`, its row already locked.
    async fn erase_in(&self, tx: &mut super::Tx, id: &SubjectId, at: Timestamp) -> Result<()> {
        // The key first: from this moment nothing of the subject can be read,
        // whatever happens next. Where the key store is apart, a crash before
        // the rest leaves ciphertext nobody can open, which a retried erasure
        // then removes.
        let delete_key =
            sqlx::query("DELETE FROM subject_keys WHERE subject_id = $1").bind(id.as_str());
        if dialect::KEYS_APART {
            delete_key.execute(self.keys()).await?;
        } else {
            delete_key.execute(&mut **tx).await?;
        }
        crate::crash_point("erase.key_deleted");
        for table in [
            "identities",
            "records",
            "events",
            "objections",
            "disclosures",
        ] {
            sqlx::query(&format!("DELETE FROM {table} WHERE subject_id = $1"))
                .bind(id.as_str())
                .execute(&mut **tx)
                .await?;
        }
        let updated = sqlx::query(
            "UPDATE subjects SET erased_at = $1, own_consent_from = NULL WHERE id = $2",
        )
        .bind(time(at))
        .bind(id.as_str())
        .execute(&mut **tx)
        .await?;
        touched(updated.rows_affected(), "subject", id.as_str())?;
        Ok(())
    }
}

/// A subquery giving the rows of `table` that belong to subject `s` as a
/// JSON array of objects (`[]` when there are none), as text.
fn json_list(table: &str, order: &str, fields: &[(&str, &str)]) -> String {
    let pairs: Vec<String> = fields
        .iter()
        .map(|(name, column)| format!("'{name}', {column}"))
        .collect();
    format!(
        "CAST(COALESCE((SELECT {agg}({object}({pairs}) ORDER BY {order}) FROM {table} WHERE subject_id = s.id), '[]') AS TEXT)",
        agg = dialect::JSON_ARRAY_AGG,
        object = dialect::JSON_OBJECT,
        pairs = pairs.join(", "),
    )
}

fn from_json<T: serde::de::DeserializeOwned>(
    subject: &SubjectId,
    what: &str,
    text: &str,
) -> Result<Vec<T>> {
    serde_json::from_str(text)
        .map_err(|e| StoreError::Corrupt(format!("the {what} of subject {subject}: {e}")))
}
