//! The durable queue of requests' parts: claimed under a lease (on
//! PostgreSQL with `FOR UPDATE SKIP LOCKED`, so nodes never wait on each
//! other), every attempt recorded, a worker that lost its lease fenced off.

use async_trait::async_trait;
use jiff::Timestamp;
use steward_domain::common::ids::{PartId, RequestId};
use steward_domain::vault::audit_chain::AuditEvent;

use super::{Backend, append, dialect, dialect_sql, insert_job};
use crate::codec::millis;
use crate::{AttemptOutcome, Job, JobAttempt, JobOutcome, JobStore, NewJob, Result};

#[async_trait]
impl JobStore for Backend {
    async fn enqueue_jobs(&self, jobs: &[NewJob], now: Timestamp, audit: AuditEvent) -> Result<()> {
        let mut tx = self.write().await?;
        for job in jobs {
            insert_job(&mut tx, job, now).await?;
        }
        append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn claim_jobs(
        &self,
        worker: &str,
        now: Timestamp,
        lease: std::time::Duration,
        limit: i64,
    ) -> Result<Vec<Job>> {
        let now = millis(now);
        let lease_ms = i64::try_from(lease.as_millis()).unwrap_or(i64::MAX);
        let mut tx = self.write().await?;
        // An unfinished attempt of a job whose lease expired: its worker vanished.
        sqlx::query("UPDATE job_attempts SET finished_at = $1, outcome = 'lease_expired' WHERE finished_at IS NULL AND job_id IN (SELECT id FROM jobs WHERE state = 'running' AND lease_until < $1)")
            .bind(now)
            .execute(&mut *tx)
            .await?;
        dialect_sql!(CLAIM = "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_until = $1, worker = $2, updated_at = $3
             WHERE id IN (SELECT id FROM jobs WHERE (state = 'pending' AND manual = FALSE AND run_after <= $3) OR (state = 'running' AND lease_until < $3)
                          ORDER BY run_after, id LIMIT $4{SKIP_LOCKED})
             RETURNING *");
        let mut jobs: Vec<Job> = sqlx::query_as(&CLAIM)
            .bind(now.saturating_add(lease_ms))
            .bind(worker)
            .bind(now)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
        // RETURNING keeps no order: hand jobs out oldest first, by id on ties.
        jobs.sort_by(|a, b| (a.run_after, &a.id).cmp(&(b.run_after, &b.id)));
        for job in &jobs {
            sqlx::query("INSERT INTO job_attempts (job_id, attempt, worker, started_at) VALUES ($1, $2, $3, $4)")
                .bind(job.id.as_str())
                .bind(job.attempts)
                .bind(worker)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(jobs)
    }

    async fn finish_job(
        &self,
        job: &PartId,
        worker: &str,
        now: Timestamp,
        outcome: &JobOutcome,
    ) -> Result<bool> {
        let (state, result, error, run_after, label) = match outcome {
            JobOutcome::Done(sealed) => (
                "done",
                Some(sealed.as_slice()),
                None,
                None,
                AttemptOutcome::Done,
            ),
            JobOutcome::Retry { error, at } => (
                "pending",
                None,
                Some(error.as_str()),
                Some(millis(*at)),
                AttemptOutcome::Retry,
            ),
            JobOutcome::Failed(error) => (
                "failed",
                None,
                Some(error.as_str()),
                None,
                AttemptOutcome::Failed,
            ),
        };
        let mut tx = self.write().await?;
        let attempt: Option<i64> = sqlx::query_scalar(
            "SELECT attempts FROM jobs WHERE id = $1 AND state = 'running' AND worker = $2",
        )
        .bind(job.as_str())
        .bind(worker)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(attempt) = attempt else {
            return Ok(false);
        };
        sqlx::query("UPDATE jobs SET state = $1, result_sealed = $2, last_error = $3, run_after = COALESCE($4, run_after), lease_until = NULL, worker = NULL, updated_at = $5 WHERE id = $6")
            .bind(state)
            .bind(result)
            .bind(error)
            .bind(run_after)
            .bind(millis(now))
            .bind(job.as_str())
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE job_attempts SET finished_at = $1, outcome = $2, error = $3 WHERE job_id = $4 AND attempt = $5")
            .bind(millis(now))
            .bind(label.as_str())
            .bind(error)
            .bind(job.as_str())
            .bind(attempt)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn jobs_for_request(&self, request: &RequestId) -> Result<Vec<Job>> {
        Ok(
            sqlx::query_as("SELECT * FROM jobs WHERE request_id = $1 ORDER BY created_at, id")
                .bind(request.as_str())
                .fetch_all(self.reader())
                .await?,
        )
    }

    async fn job_attempts(&self, job: &PartId) -> Result<Vec<JobAttempt>> {
        Ok(
            sqlx::query_as("SELECT * FROM job_attempts WHERE job_id = $1 ORDER BY attempt")
                .bind(job.as_str())
                .fetch_all(self.reader())
                .await?,
        )
    }

    async fn complete_manual_job(
        &self,
        job: &PartId,
        now: Timestamp,
        result_sealed: &[u8],
        audit: AuditEvent,
    ) -> Result<bool> {
        let mut tx = self.write().await?;
        let updated = sqlx::query(
            "UPDATE jobs SET state = 'done', result_sealed = $1, updated_at = $2 WHERE id = $3 AND ((manual = TRUE AND state = 'pending') OR state = 'failed')",
        )
        .bind(result_sealed)
        .bind(millis(now))
        .bind(job.as_str())
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
        request: &RequestId,
        now: Timestamp,
        audit: AuditEvent,
    ) -> Result<u64> {
        let mut tx = self.write().await?;
        // `attempts` stays: the next claim is the next attempt.
        let updated = sqlx::query(
            "UPDATE jobs SET state = 'pending', run_after = $1, lease_until = NULL, worker = NULL, updated_at = $1 WHERE request_id = $2 AND state = 'failed'",
        )
        .bind(millis(now))
        .bind(request.as_str())
        .execute(&mut *tx)
        .await?;
        append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(updated.rows_affected())
    }
}
