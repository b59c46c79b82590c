//! Workers: claim requests' parts from the store, run them, record each
//! attempt, and answer the request when its last part ends. Any number of
//! workers, in any number of processes, share one queue: a job is claimed
//! under a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL), and a worker that
//! dies loses it, so the job runs again elsewhere. Failures are retried with
//! exponential backoff; a part that keeps failing ends as failed, and its
//! request as partially completed, never as completed.

use std::sync::Arc;
use std::time::Duration;

use steward_store::{Job, JobOutcome, StoreError};

use crate::rights::run_part::PartError;
use crate::rights::service::Rights;

#[derive(Debug, Clone, Copy)]
pub struct WorkerConfig {
    /// How long a claimed job is its worker's alone.
    pub lease: Duration,
    /// How long an idle worker waits before looking again (it is woken at
    /// once by jobs queued in its own process).
    pub poll: Duration,
    /// The first retry's delay; each next one doubles, up to an hour.
    pub backoff: Duration,
    /// Attempts before a part counts as failed.
    pub max_attempts: i64,
    /// Jobs claimed at a time.
    pub batch: i64,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            lease: Duration::from_secs(60),
            poll: Duration::from_millis(500),
            backoff: Duration::from_secs(5),
            max_attempts: 8,
            batch: 16,
        }
    }
}

pub struct Worker {
    rights: Arc<Rights>,
    name: String,
    config: WorkerConfig,
}

impl Worker {
    pub fn new(rights: Arc<Rights>, config: WorkerConfig) -> Self {
        let name = format!(
            "{}:{}:{}",
            hostname(),
            std::process::id(),
            &uuid::Uuid::new_v4().to_string()[..8]
        );
        Self {
            rights,
            name,
            config,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Runs until the process ends.
    pub async fn run(self) {
        let wake = self.rights.wake();
        self.sweep().await;
        let mut since_sweep = std::time::Instant::now();
        loop {
            // Listen before looking: jobs queued while this worker claims
            // would otherwise wake nobody, and wait for the next poll.
            let woken = wake.notified();
            tokio::pin!(woken);
            woken.as_mut().enable();
            let worked = match self.once().await {
                Ok(count) => count > 0,
                Err(e) => {
                    tracing::error!(worker = %self.name, error = %e, "claiming jobs failed");
                    false
                }
            };
            if since_sweep.elapsed() > Duration::from_secs(30) {
                self.sweep().await;
                since_sweep = std::time::Instant::now();
            }
            if !worked {
                let _ = tokio::time::timeout(self.config.poll, woken).await;
            }
        }
    }

    /// Runs what is runnable now until nothing is; returns how many jobs ran.
    pub async fn until_idle(&self) -> Result<usize, StoreError> {
        self.sweep().await;
        let mut total = 0;
        loop {
            let ran = self.once().await?;
            if ran == 0 {
                return Ok(total);
            }
            total += ran;
        }
    }

    /// Claims a batch and runs it; returns how many jobs it ran.
    pub async fn once(&self) -> Result<usize, StoreError> {
        let store = self.rights.vault().store();
        let now = self.rights.vault().now();
        let jobs = store
            .claim_jobs(&self.name, now, self.config.lease, self.config.batch)
            .await?;
        let count = jobs.len();
        if count > 0 {
            steward_store::crash_point("part.claimed");
        }
        let mut running = tokio::task::JoinSet::new();
        for job in jobs {
            running.spawn(run_one(
                Arc::clone(&self.rights),
                self.name.clone(),
                self.config,
                job,
            ));
        }
        while running.join_next().await.is_some() {}
        Ok(count)
    }

    /// Answers requests whose parts all ended but which were not answered
    /// (the process stopped between the two), and removes requests whose
    /// codes were never entered and letters past the outbox's retention.
    async fn sweep(&self) {
        match self
            .rights
            .outbox()
            .remove_expired(self.rights.vault().now())
            .await
        {
            Ok(0) => {}
            Ok(removed) => tracing::info!(removed, "removed letters past the outbox's retention"),
            Err(e) => tracing::error!(error = %e, "removing old letters failed"),
        }
        match self.rights.expire_unverified().await {
            Ok(0) => {}
            Ok(removed) => tracing::info!(removed, "removed requests never verified"),
            Err(e) => tracing::error!(error = %e, "removing requests never verified failed"),
        }
        let in_progress = steward_domain::rights::request::RequestStatus::InProgress;
        let Ok(open) = self
            .rights
            .vault()
            .store()
            .requests_in_state(in_progress)
            .await
        else {
            return;
        };
        for request in &open {
            if let Err(e) = self.rights.finish_if_done(&request.id).await {
                tracing::error!(request = %request.id, error = %e, "answering the request failed");
            }
        }
    }
}

/// Runs one job and records how it ended.
async fn run_one(rights: Arc<Rights>, name: String, config: WorkerConfig, job: Job) {
    let outcome = match rights.run_part(&job).await {
        Ok(result) => JobOutcome::Done(result),
        Err(PartError::Permanent(error)) => JobOutcome::Failed(error),
        Err(PartError::Transient(error)) if job.attempts >= config.max_attempts => {
            JobOutcome::Failed(format!("{error} (gave up after {} attempts)", job.attempts))
        }
        Err(PartError::Transient(error)) => {
            let exponent = u32::try_from(job.attempts.saturating_sub(1))
                .unwrap_or(0)
                .min(20);
            let delay = config
                .backoff
                .saturating_mul(2u32.saturating_pow(exponent))
                .min(Duration::from_secs(3600));
            let now = rights.vault().now();
            let at = jiff::SignedDuration::try_from(delay)
                .ok()
                .and_then(|delay| now.checked_add(delay).ok())
                .unwrap_or(now);
            JobOutcome::Retry { error, at }
        }
    };
    if matches!(outcome, JobOutcome::Done(_)) {
        steward_store::crash_point("part.done_unrecorded");
    }
    let now = rights.vault().now();
    let store = rights.vault().store();
    match store.finish_job(&job.id, &name, now, &outcome).await {
        Ok(true) => {
            steward_store::crash_point("part.recorded");
            if !matches!(outcome, JobOutcome::Retry { .. })
                && let Err(e) = rights.finish_if_done(&job.request_id).await
            {
                tracing::error!(request = %job.request_id, error = %e, "answering the request failed; the sweep will try again");
            }
        }
        // The lease ran out and another worker has the job now.
        Ok(false) => tracing::warn!(job = %job.id, "lease lost; another worker finishes the job"),
        Err(e) => {
            tracing::error!(job = %job.id, error = %e, "recording the job's outcome failed; it runs again")
        }
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_else(|_| "steward".into())
}
