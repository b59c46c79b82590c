//! Group commit for the audit log. Reads and lookups change nothing but the
//! log, yet each needs its entry durable before it is answered; one writer
//! task appends whatever entries are waiting in one transaction, so under
//! load many reads share one commit (one fsync) instead of queuing for one each.

use std::sync::Arc;

use steward_domain::vault::audit_chain::{AuditEntry, AuditEvent};
use steward_store::{AuditStore, StoreError};
use tokio::sync::{mpsc, oneshot};

/// The most entries committed together.
const MAX_BATCH: usize = 256;

type Reply = oneshot::Sender<Result<AuditEntry, String>>;

#[derive(Clone)]
pub struct AuditWriter {
    queue: mpsc::Sender<(AuditEvent, Reply)>,
}

impl AuditWriter {
    /// Starts the writer task on the current tokio runtime.
    pub fn spawn(store: Arc<dyn AuditStore>) -> Self {
        let (queue, mut incoming) = mpsc::channel::<(AuditEvent, Reply)>(4 * MAX_BATCH);
        tokio::spawn(async move {
            while let Some(first) = incoming.recv().await {
                let mut batch = vec![first];
                while batch.len() < MAX_BATCH {
                    match incoming.try_recv() {
                        Ok(next) => batch.push(next),
                        Err(_) => break,
                    }
                }
                let (events, replies): (Vec<AuditEvent>, Vec<Reply>) = batch.into_iter().unzip();
                match store.append_audit_batch(events).await {
                    Ok(entries) => {
                        for (entry, reply) in entries.into_iter().zip(replies) {
                            let _ = reply.send(Ok(entry));
                        }
                    }
                    Err(error) => {
                        let message = error.to_string();
                        for reply in replies {
                            let _ = reply.send(Err(message.clone()));
                        }
                    }
                }
            }
        });
        Self { queue }
    }

    /// Whether the writer task still runs; reads cannot be audited (and so
    /// are refused) when it does not.
    pub fn is_running(&self) -> bool {
        !self.queue.is_closed()
    }

    /// Appends one entry; returns once it is committed.
    pub async fn append(&self, event: AuditEvent) -> Result<AuditEntry, StoreError> {
        let (reply, answer) = oneshot::channel();
        let gone = || StoreError::Corrupt("the audit writer has stopped".into());
        self.queue.send((event, reply)).await.map_err(|_| gone())?;
        match answer.await {
            Ok(Ok(entry)) => Ok(entry),
            Ok(Err(message)) => Err(StoreError::Corrupt(format!(
                "audit append failed: {message}"
            ))),
            Err(_) => Err(gone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_stopped_writer_is_reported_and_refuses_appends() {
        let (queue, incoming) = mpsc::channel::<(AuditEvent, Reply)>(1);
        let writer = AuditWriter { queue };
        assert!(writer.is_running());
        drop(incoming); // The task is gone.
        assert!(!writer.is_running());
        let event = AuditEvent {
            at: "2026-01-01T00:00:00Z".into(),
            actor: "test".into(),
            action: "read".into(),
            subject: None,
            detail: serde_json::json!({}),
        };
        assert!(writer.append(event).await.is_err());
    }
}
