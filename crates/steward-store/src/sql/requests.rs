//! Data-subject requests: stored with their codes and first steps, moved on
//! only from the state they were read in (compare and set), their history.

use async_trait::async_trait;
use jiff::Timestamp;
use steward_domain::common::ids::{RequestId, SubjectId};
use steward_domain::rights::request::RequestStatus;
use steward_domain::vault::audit_chain::AuditEvent;

use super::{Backend, append, insert_job, insert_step};
use crate::codec::{json_text, time};
use crate::error::conflict;
use crate::{NewJob, RequestStep, RequestStore, Result, StoredChallenge, StoredRequest};

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
        sqlx::query("INSERT INTO requests (id, kind, state, state_detail, subject_id, language, payload_sealed, follow_hash, received_at, due_on, extended_on, extension_reason, held, result_sealed, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)")
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
            .execute(&mut *tx)
            .await
            .map_err(|e| conflict(e, "request", request.id.as_str()))?;
        for challenge in challenges {
            sqlx::query("INSERT INTO request_challenges (request_id, identity_kind, code_hash, expires_at, attempts, verified) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(challenge.request_id.as_str())
                .bind(&challenge.identity_kind)
                .bind(&challenge.code_hash)
                .bind(challenge.expires_at.as_second())
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
             extended_on = $7, extension_reason = $8, held = $9, result_sealed = $10, updated_at = $11
             WHERE id = $12 AND state = $13",
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

    async fn open_requests(&self) -> Result<Vec<StoredRequest>> {
        Ok(sqlx::query_as(
            "SELECT * FROM requests WHERE state NOT IN ('completed', 'refused', 'cancelled') ORDER BY due_on, received_at, id",
        )
        .fetch_all(self.reader())
        .await?)
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

    async fn save_challenge(&self, challenge: &StoredChallenge, audit: AuditEvent) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO request_challenges (request_id, identity_kind, code_hash, expires_at, attempts, verified) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (request_id, identity_kind) DO UPDATE SET code_hash = excluded.code_hash, expires_at = excluded.expires_at,
             attempts = excluded.attempts, verified = excluded.verified",
        )
        .bind(challenge.request_id.as_str())
        .bind(&challenge.identity_kind)
        .bind(&challenge.code_hash)
        .bind(challenge.expires_at.as_second())
        .bind(challenge.attempts)
        .bind(challenge.verified)
        .execute(&mut *tx)
        .await?;
        append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
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
