//! Records: a subject's personal values, sealed, with their purposes.

use async_trait::async_trait;
use steward_domain::common::ids::{RecordId, SubjectId};
use steward_domain::vault::audit_chain::AuditEvent;

use super::{Backend, append, live};
use crate::codec::{json_text, time};
use crate::{Kept, RecordStore, Result, StoredRecord};

#[async_trait]
impl RecordStore for Backend {
    async fn write_record(&self, record: &StoredRecord, audit: AuditEvent) -> Result<()> {
        let mut tx = self.write().await?;
        live(&mut tx, &record.subject_id).await?;
        sqlx::query(
            "INSERT INTO records (id, subject_id, category, value_sealed, source, purposes, collected_at, updated_at, kept_for, derived_from, recompute_since, retention_due) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
             ON CONFLICT (id) DO UPDATE SET value_sealed = excluded.value_sealed, source = excluded.source,
             purposes = excluded.purposes, updated_at = excluded.updated_at, kept_for = excluded.kept_for,
             derived_from = excluded.derived_from, recompute_since = excluded.recompute_since,
             retention_due = excluded.retention_due",
        )
        .bind(record.id.as_str())
        .bind(record.subject_id.as_str())
        .bind(&record.category)
        .bind(&record.value_sealed)
        .bind(&record.source)
        .bind(json_text(&record.purposes)?)
        .bind(time(record.collected_at))
        .bind(time(record.updated_at))
        .bind(record.kept_for.as_ref().map(json_text).transpose()?)
        .bind(record.derived_from.as_ref().map(json_text).transpose()?)
        .bind(record.recompute_since.map(time))
        .bind(record.retention_due.map(|d| d.to_string()))
        .execute(&mut *tx)
        .await?;
        append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn records(&self, subject: &SubjectId) -> Result<Vec<StoredRecord>> {
        Ok(
            sqlx::query_as("SELECT * FROM records WHERE subject_id = $1 ORDER BY collected_at, id")
                .bind(subject.as_str())
                .fetch_all(self.reader())
                .await?,
        )
    }

    async fn concerned_subjects(&self, purposes: &[String]) -> Result<Vec<SubjectId>> {
        // Purposes are JSON lists in the rows: read the distinct lists and
        // match here, once per publication.
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT DISTINCT r.subject_id, r.purposes FROM records r JOIN subjects s ON s.id = r.subject_id WHERE s.erased_at IS NULL",
        )
        .fetch_all(self.reader())
        .await?;
        let consents: Vec<(String, String)> = sqlx::query_as(
            "SELECT DISTINCT c.subject_id, c.purpose FROM consents c JOIN subjects s ON s.id = c.subject_id WHERE s.erased_at IS NULL AND c.withdrawn_at IS NULL",
        )
        .fetch_all(self.reader())
        .await?;
        let mut found: Vec<String> = Vec::new();
        for (subject, list) in rows {
            let held: Vec<String> = serde_json::from_str(&list).map_err(|e| {
                crate::StoreError::Corrupt(format!("the purposes of a record of {subject}: {e}"))
            })?;
            if held.iter().any(|p| purposes.contains(p)) {
                found.push(subject);
            }
        }
        found.extend(
            consents
                .into_iter()
                .filter(|(_, purpose)| purposes.contains(purpose))
                .map(|(subject, _)| subject),
        );
        found.sort();
        found.dedup();
        Ok(found.into_iter().map(SubjectId::from).collect())
    }

    async fn delete_records(
        &self,
        subject: &SubjectId,
        records: &[RecordId],
        kept: &[Kept],
        audit: AuditEvent,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        live(&mut tx, subject).await?;
        for id in records {
            sqlx::query("DELETE FROM records WHERE id = $1 AND subject_id = $2")
                .bind(id.as_str())
                .bind(subject.as_str())
                .execute(&mut *tx)
                .await?;
        }
        for kept in kept {
            sqlx::query("UPDATE records SET kept_for = $1, retention_due = $2 WHERE id = $3 AND subject_id = $4")
                .bind(json_text(&kept.purposes)?)
                .bind(kept.due.map(|d| d.to_string()))
                .bind(kept.record.as_str())
                .bind(subject.as_str())
                .execute(&mut *tx)
                .await?;
        }
        append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }
}
