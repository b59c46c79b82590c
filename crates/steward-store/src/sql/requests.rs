//! Data-subject requests: stored with their codes and first steps, moved on
//! only from the state they were read in (compare and set), their history.

use async_trait::async_trait;
use jiff::Timestamp;
use steward_domain::common::ids::{RequestId, SubjectId};
use steward_domain::rights::request::RequestStatus;
use steward_domain::vault::audit_chain::AuditEvent;

use super::{Backend, append, dialect, dialect_sql, insert_job, insert_step};
use crate::codec::{json_text, time};
use crate::error::conflict;
use crate::{NewJob, QueueKey, RequestStep, RequestStore, Result, StoredChallenge, StoredRequest};

#[async_trait]
impl RequestStore for Backend {
    async fn create_request(
        &self,
        request: &StoredRequest,
        challenges: &[StoredChallenge],
        steps: &[RequestStep],
        jobs: &[NewJob],
        now: Timestamp,
        audit: Vec<AuditEvent>,
    ) -> Result<()> {
        let detail = request.state_detail.as_ref().map(json_text).transpose()?;
        let mut tx = self.write().await?;
        sqlx::query("INSERT INTO requests (id, kind, state, state_detail, subject_id, language, payload_sealed, follow_hash, received_at, due_on, extended_on, extension_reason, held, result_sealed, updated_at, sealed_under) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)")
            .bind(request.id.as_str())
            .bind(request.kind.as_str())
            .bind(request.status.as_str())
            .bind(detail)
            .bind(request.subject_id.as_ref().map(|s| s.as_str()))
            .bind(request.language.code())
            .bind(&request.payload_sealed)
            .bind(&request.follow_hash)
            .bind(time(request.received_at))
            .bind(request.due_on.to_string())
            .bind(request.extended_on.map(|d| d.to_string()))
            .bind(&request.extension_reason)
            .bind(&request.held)
            .bind(&request.result_sealed)
            .bind(time(request.updated_at))
            .bind(request.sealed_under.as_str())
            .execute(&mut *tx)
            .await
            .map_err(|e| conflict(e, "request", request.id.as_str()))?;
        for challenge in challenges {
            sqlx::query("INSERT INTO request_challenges (request_id, identity_kind, code_hash, expires_at, attempts, verified, sends, last_sent_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                .bind(challenge.request_id.as_str())
                .bind(&challenge.identity_kind)
                .bind(&challenge.code_hash)
                .bind(challenge.expires_at.as_second())
                .bind(challenge.attempts)
                .bind(challenge.verified)
                .bind(challenge.sends)
                .bind(challenge.last_sent_at.as_second())
                .execute(&mut *tx)
                .await
                .map_err(|e| conflict(e, "challenge", &challenge.identity_kind))?;
        }
        for step in steps {
            insert_step(&mut tx, step).await?;
        }
        for job in jobs {
            insert_job(&mut tx, job, now).await?;
        }
        for event in audit {
            append(&mut tx, event).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn request(&self, id: &RequestId) -> Result<Option<StoredRequest>> {
        Ok(sqlx::query_as("SELECT * FROM requests WHERE id = $1")
            .bind(id.as_str())
            .fetch_optional(self.reader())
            .await?)
    }

    async fn update_request(
        &self,
        request: &StoredRequest,
        expected: RequestStatus,
        step: &RequestStep,
        jobs: &[NewJob],
        now: Timestamp,
        audit: AuditEvent,
    ) -> Result<bool> {
        let detail = request.state_detail.as_ref().map(json_text).transpose()?;
        let mut tx = self.write().await?;
        let updated = sqlx::query(
            "UPDATE requests SET state = $1, state_detail = $2, subject_id = $3, language = $4, payload_sealed = $5, due_on = $6,
             extended_on = $7, extension_reason = $8, held = $9, result_sealed = $10, updated_at = $11,
             sealed_under = $12
             WHERE id = $13 AND state = $14",
        )
        .bind(request.status.as_str())
        .bind(detail)
        .bind(request.subject_id.as_ref().map(|s| s.as_str()))
        .bind(request.language.code())
        .bind(&request.payload_sealed)
        .bind(request.due_on.to_string())
        .bind(request.extended_on.map(|d| d.to_string()))
        .bind(&request.extension_reason)
        .bind(&request.held)
        .bind(&request.result_sealed)
        .bind(time(request.updated_at))
        .bind(request.sealed_under.as_str())
        .bind(request.id.as_str())
        .bind(expected.as_str())
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            // Moved on (or gone) meanwhile: nothing of this version is kept.
            return Ok(false);
        }
        insert_step(&mut tx, step).await?;
        for job in jobs {
            insert_job(&mut tx, job, now).await?;
        }
        append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn open_requests(
        &self,
        after: Option<&QueueKey>,
        limit: i64,
    ) -> Result<Vec<StoredRequest>> {
        // Times are fixed-width UTC text, so text order is time order.
        let (due, received, id) = match after {
            Some(key) => (
                key.due_on.to_string(),
                time(key.received_at),
                key.id.as_str(),
            ),
            None => (String::new(), String::new(), ""),
        };
        Ok(sqlx::query_as(
            "SELECT * FROM requests WHERE state NOT IN ('completed', 'refused', 'cancelled')
             AND (due_on, received_at, id) > ($1, $2, $3)
             ORDER BY due_on, received_at, id LIMIT $4",
        )
        .bind(due)
        .bind(received)
        .bind(id)
        .bind(limit)
        .fetch_all(self.reader())
        .await?)
    }

    async fn requests_in_state(&self, status: RequestStatus) -> Result<Vec<StoredRequest>> {
        Ok(
            sqlx::query_as("SELECT * FROM requests WHERE state = $1 ORDER BY received_at, id")
                .bind(status.as_str())
                .fetch_all(self.reader())
                .await?,
        )
    }

    async fn requests_of_subject(&self, subject: &SubjectId) -> Result<Vec<StoredRequest>> {
        Ok(
            sqlx::query_as("SELECT * FROM requests WHERE subject_id = $1 ORDER BY received_at, id")
                .bind(subject.as_str())
                .fetch_all(self.reader())
                .await?,
        )
    }

    async fn challenges(&self, request: &RequestId) -> Result<Vec<StoredChallenge>> {
        Ok(sqlx::query_as(
            "SELECT * FROM request_challenges WHERE request_id = $1 ORDER BY identity_kind",
        )
        .bind(request.as_str())
        .fetch_all(self.reader())
        .await?)
    }

    async fn take_code_try(
        &self,
        request: &RequestId,
        identity_kind: &str,
        now: Timestamp,
        max_tries: i64,
        audit: AuditEvent,
    ) -> Result<Option<StoredChallenge>> {
        let mut tx = self.write().await?;
        let taken: Option<StoredChallenge> = sqlx::query_as(
            "UPDATE request_challenges SET attempts = attempts + 1
             WHERE request_id = $1 AND identity_kind = $2 AND attempts < $3 AND expires_at >= $4 AND verified = FALSE
             RETURNING *",
        )
        .bind(request.as_str())
        .bind(identity_kind)
        .bind(max_tries)
        .bind(now.as_second())
        .fetch_optional(&mut *tx)
        .await?;
        if taken.is_some() {
            append(&mut tx, audit).await?;
            tx.commit().await?;
        }
        Ok(taken)
    }

    async fn prove_identity(
        &self,
        request: &RequestId,
        identity_kind: &str,
        audit: AuditEvent,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query(
            "UPDATE request_challenges SET verified = TRUE WHERE request_id = $1 AND identity_kind = $2",
        )
        .bind(request.as_str())
        .bind(identity_kind)
        .execute(&mut *tx)
        .await?;
        append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn replace_code(
        &self,
        fresh: &StoredChallenge,
        max_sends: i64,
        spaced_since: Timestamp,
        audit: AuditEvent,
    ) -> Result<bool> {
        let mut tx = self.write().await?;
        let replaced = sqlx::query(
            "UPDATE request_challenges SET code_hash = $1, expires_at = $2, attempts = 0, sends = sends + 1, last_sent_at = $3
             WHERE request_id = $4 AND identity_kind = $5 AND verified = FALSE AND sends < $6 AND last_sent_at <= $7",
        )
        .bind(&fresh.code_hash)
        .bind(fresh.expires_at.as_second())
        .bind(fresh.last_sent_at.as_second())
        .bind(fresh.request_id.as_str())
        .bind(&fresh.identity_kind)
        .bind(max_sends)
        .bind(spaced_since.as_second())
        .execute(&mut *tx)
        .await?;
        if replaced.rows_affected() == 0 {
            return Ok(false);
        }
        append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn unverified_requests_before(
        &self,
        before: Timestamp,
        limit: i64,
    ) -> Result<Vec<RequestId>> {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM requests WHERE state = 'awaiting_verification' AND held IS NULL AND received_at < $1 ORDER BY received_at, id LIMIT $2",
        )
        .bind(time(before))
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        Ok(ids.into_iter().map(RequestId::from).collect())
    }

    async fn remove_unverified_request(&self, id: &RequestId, audit: AuditEvent) -> Result<bool> {
        let mut tx = self.write().await?;
        dialect_sql!(
            LOCK = "SELECT id FROM requests WHERE id = $1 AND state = 'awaiting_verification'{FOR_UPDATE}"
        );
        let still: Option<String> = sqlx::query_scalar(&LOCK)
            .bind(id.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        if still.is_none() {
            return Ok(false);
        }
        for delete in [
            "DELETE FROM request_challenges WHERE request_id = $1",
            "DELETE FROM request_steps WHERE request_id = $1",
            "DELETE FROM requests WHERE id = $1",
        ] {
            sqlx::query(delete)
                .bind(id.as_str())
                .execute(&mut *tx)
                .await?;
        }
        append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn request_history(&self, request: &RequestId) -> Result<Vec<RequestStep>> {
        Ok(
            sqlx::query_as("SELECT * FROM request_steps WHERE request_id = $1 ORDER BY seq")
                .bind(request.as_str())
                .fetch_all(self.reader())
                .await?,
        )
    }
}
