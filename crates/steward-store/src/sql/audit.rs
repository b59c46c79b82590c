//! The audit log: appends of acts that change nothing else, and the whole
//! chain for verification.

use async_trait::async_trait;
use sqlx::Row;
use steward_domain::vault::audit_chain::{AuditEntry, AuditEvent};

use super::{Backend, append, append_many};
use crate::{AuditStore, RecordedCheckpoint, Result, StoreError, StoredCheckpoint};

#[async_trait]
impl AuditStore for Backend {
    async fn append_audit_batch(&self, events: Vec<AuditEvent>) -> Result<Vec<AuditEntry>> {
        let mut tx = self.write().await?;
        let entries = append_many(&mut tx, events).await?;
        tx.commit().await?;
        Ok(entries)
    }

    async fn audit_log(&self) -> Result<(Vec<AuditEntry>, u64)> {
        // One read transaction, so the entries and the head agree.
        let mut tx = self.reader().begin().await?;
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

    async fn record_checkpoint(
        &self,
        checkpoint: &StoredCheckpoint,
        audit: AuditEvent,
    ) -> Result<AuditEntry> {
        let mut tx = self.write().await?;
        let entry = append(&mut tx, audit).await?;
        sqlx::query("INSERT INTO audit_checkpoints (audit_seq, size, text) VALUES ($1, $2, $3)")
            .bind(entry.seq as i64)
            .bind(checkpoint.size as i64)
            .bind(&checkpoint.text)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(entry)
    }

    async fn latest_checkpoint(&self) -> Result<Option<RecordedCheckpoint>> {
        let row = sqlx::query(
            "SELECT audit_seq, size, text FROM audit_checkpoints ORDER BY audit_seq DESC LIMIT 1",
        )
        .fetch_optional(self.reader())
        .await?;
        row.map(|row| {
            Ok(RecordedCheckpoint {
                audit_seq: row.try_get::<i64, _>("audit_seq")? as u64,
                checkpoint: StoredCheckpoint {
                    size: row.try_get::<i64, _>("size")? as u64,
                    text: row.try_get("text")?,
                },
            })
        })
        .transpose()
    }
}
