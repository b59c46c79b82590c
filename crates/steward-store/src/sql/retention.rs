//! Retention: the due index, the sweep's removals (each checked and audited
//! in the transaction that makes it), holds, and anonymised data.

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use steward_domain::common::ids::{RecordId, SubjectId};
use steward_domain::vault::audit_chain::AuditEvent;

use super::{Backend, append, touched};
use crate::codec::time;
use crate::{
    Anonymised, DueDay, Removal, Result, RetentionStore, StoredEvent, StoredHold, StoredRecord,
};

#[async_trait]
impl RetentionStore for Backend {
    async fn due_records(
        &self,
        today: Date,
        after: Option<(Date, RecordId)>,
        limit: u32,
    ) -> Result<Vec<StoredRecord>> {
        let today = today.to_string();
        let rows =
            match after {
                Some((day, id)) => sqlx::query_as(
                    "SELECT * FROM records WHERE retention_due IS NOT NULL AND retention_due < $1
                     AND (retention_due, id) > ($2, $3) ORDER BY retention_due, id LIMIT $4",
                )
                .bind(&today)
                .bind(day.to_string())
                .bind(id.as_str())
                .bind(i64::from(limit))
                .fetch_all(self.reader())
                .await?,
                None => sqlx::query_as(
                    "SELECT * FROM records WHERE retention_due IS NOT NULL AND retention_due < $1
                     ORDER BY retention_due, id LIMIT $2",
                )
                .bind(&today)
                .bind(i64::from(limit))
                .fetch_all(self.reader())
                .await?,
            };
        Ok(rows)
    }

    async fn due_count(&self, today: Date) -> Result<u64> {
        let count: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM records WHERE retention_due IS NOT NULL AND retention_due < $1",
        )
        .bind(today.to_string())
        .fetch_one(self.reader())
        .await?;
        Ok(count as u64)
    }

    async fn events_of(&self, subjects: &[SubjectId]) -> Result<Vec<StoredEvent>> {
        let mut events = Vec::new();
        // Bound in chunks: SQLite takes at most 32,766 parameters.
        for chunk in subjects.chunks(500) {
            let list: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT * FROM events WHERE subject_id IN ({}) ORDER BY subject_id, at",
                list.join(", ")
            );
            let mut query = sqlx::query_as(&sql);
            for subject in chunk {
                query = query.bind(subject.as_str());
            }
            events.extend(query.fetch_all(self.reader()).await?);
        }
        Ok(events)
    }

    async fn set_due_days(&self, dues: &[DueDay]) -> Result<()> {
        if dues.is_empty() {
            return Ok(());
        }
        let mut tx = self.write().await?;
        for due in dues {
            set_due(&mut tx, due).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn remove_expired(&self, removals: Vec<Removal>) -> Result<Vec<RecordId>> {
        let mut removed = Vec::new();
        if removals.is_empty() {
            return Ok(removed);
        }
        let mut tx = self.write().await?;
        let mut audits = Vec::new();
        for chunk in removals.chunks(200) {
            // Each record still there, and still due on the day this sweep
            // saw: another node's sweep, an event or a new write may have
            // come first. One statement for the chunk; it answers what it
            // removed.
            let rows: Vec<String> = (0..chunk.len())
                .map(|i| format!("(${}, ${}, ${})", i * 3 + 1, i * 3 + 2, i * 3 + 3))
                .collect();
            let sql = format!(
                "DELETE FROM records WHERE (id, subject_id, retention_due) IN (VALUES {}) RETURNING id",
                rows.join(", ")
            );
            let mut query = sqlx::query_scalar::<_, String>(&sql);
            for removal in chunk {
                query = query
                    .bind(removal.record.as_str())
                    .bind(removal.subject.as_str())
                    .bind(removal.last_day.to_string());
            }
            let gone: std::collections::HashSet<String> =
                query.fetch_all(&mut *tx).await?.into_iter().collect();
            for removal in chunk.iter().filter(|r| gone.contains(r.record.as_str())) {
                if let Some(kept) = &removal.anonymised {
                    sqlx::query(
                        "INSERT INTO anonymised (id, category, rule, month, fields) VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(&kept.id)
                    .bind(&kept.category)
                    .bind(&kept.rule)
                    .bind(&kept.month)
                    .bind(kept.fields.to_string())
                    .execute(&mut *tx)
                    .await?;
                }
                audits.push(removal.audit.clone());
                removed.push(removal.record.clone());
            }
        }
        super::append_many(&mut tx, audits).await?;
        crate::crash_point("retention.before_commit");
        tx.commit().await?;
        Ok(removed)
    }

    async fn flag_for_review(
        &self,
        flags: Vec<(RecordId, AuditEvent)>,
        at: Timestamp,
    ) -> Result<u64> {
        let mut flagged = 0;
        if flags.is_empty() {
            return Ok(flagged);
        }
        let mut tx = self.write().await?;
        for (record, audit) in flags {
            let updated = sqlx::query(
                "UPDATE records SET review_since = $1 WHERE id = $2 AND review_since IS NULL",
            )
            .bind(time(at))
            .bind(record.as_str())
            .execute(&mut *tx)
            .await?;
            if updated.rows_affected() == 1 {
                append(&mut tx, audit).await?;
                flagged += 1;
            }
        }
        tx.commit().await?;
        Ok(flagged)
    }

    async fn under_review(&self) -> Result<Vec<StoredRecord>> {
        Ok(sqlx::query_as(
            "SELECT * FROM records WHERE review_since IS NOT NULL ORDER BY review_since, id",
        )
        .fetch_all(self.reader())
        .await?)
    }

    async fn add_hold(&self, hold: &StoredHold, audit: AuditEvent) -> Result<()> {
        let mut tx = self.write().await?;
        super::live(&mut tx, &hold.subject_id).await?;
        if let Some(record) = &hold.record_id {
            let found: Option<String> =
                sqlx::query_scalar("SELECT id FROM records WHERE id = $1 AND subject_id = $2")
                    .bind(record.as_str())
                    .bind(hold.subject_id.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
            touched(u64::from(found.is_some()), "record", record.as_str())?;
        }
        sqlx::query(
            "INSERT INTO retention_holds (id, subject_id, record_id, reason, until_day, created_at, released_at) VALUES ($1, $2, $3, $4, $5, $6, NULL)",
        )
        .bind(&hold.id)
        .bind(hold.subject_id.as_str())
        .bind(hold.record_id.as_ref().map(|r| r.as_str().to_owned()))
        .bind(&hold.reason)
        .bind(hold.until_day.map(|d| d.to_string()))
        .bind(time(hold.created_at))
        .execute(&mut *tx)
        .await?;
        append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn release_hold(&self, id: &str, at: Timestamp, audit: AuditEvent) -> Result<()> {
        let mut tx = self.write().await?;
        let updated = sqlx::query(
            "UPDATE retention_holds SET released_at = $1 WHERE id = $2 AND released_at IS NULL",
        )
        .bind(time(at))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        touched(updated.rows_affected(), "hold", id)?;
        append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn holds(&self, subjects: Option<&[SubjectId]>) -> Result<Vec<StoredHold>> {
        let Some(subjects) = subjects else {
            return Ok(sqlx::query_as(
                "SELECT * FROM retention_holds ORDER BY created_at DESC, id",
            )
            .fetch_all(self.reader())
            .await?);
        };
        // The sweep asks for its batch's subjects: read only theirs, through
        // the index, not every hold ever made.
        let mut holds: Vec<StoredHold> = Vec::new();
        for chunk in subjects.chunks(500) {
            let list: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT * FROM retention_holds WHERE subject_id IN ({})",
                list.join(", ")
            );
            let mut query = sqlx::query_as(&sql);
            for subject in chunk {
                query = query.bind(subject.as_str());
            }
            holds.extend(query.fetch_all(self.reader()).await?);
        }
        holds.sort_by(|a: &StoredHold, b| b.created_at.cmp(&a.created_at).then(a.id.cmp(&b.id)));
        Ok(holds)
    }

    async fn anonymised(&self, category: &str) -> Result<Vec<Anonymised>> {
        Ok(sqlx::query_as(
            "SELECT * FROM anonymised WHERE category = $1 OR category LIKE $2 ORDER BY id",
        )
        .bind(category)
        .bind(format!("{category}.%"))
        .fetch_all(self.reader())
        .await?)
    }

    async fn subjects_with_records(
        &self,
        after: Option<&SubjectId>,
        limit: u32,
    ) -> Result<Vec<SubjectId>> {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT subject_id FROM records WHERE subject_id > $1 ORDER BY subject_id LIMIT $2",
        )
        .bind(after.map_or("", |s| s.as_str()))
        .bind(i64::from(limit))
        .fetch_all(self.reader())
        .await?;
        Ok(ids.into_iter().map(SubjectId::from).collect())
    }

    async fn retention_state(&self, name: &str) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT value FROM retention_state WHERE name = $1")
                .bind(name)
                .fetch_optional(self.reader())
                .await?,
        )
    }

    async fn set_retention_state(&self, name: &str, value: &str) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO retention_state (name, value) VALUES ($1, $2)
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        )
        .bind(name)
        .bind(value)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Sets one record's last day inside `tx`.
pub(crate) async fn set_due(tx: &mut super::Tx, due: &DueDay) -> Result<()> {
    sqlx::query("UPDATE records SET retention_due = $1 WHERE id = $2")
        .bind(due.due.map(|d| d.to_string()))
        .bind(due.record.as_str())
        .execute(&mut **tx)
        .await?;
    Ok(())
}
