//! Where a request stands, as its requester or an officer sees it: its
//! state and deadline, which identities are proven, each part and the
//! history; and the officer's queue.

use std::collections::BTreeMap;

use steward_domain::common::ids::RequestId;
use steward_domain::rights::deadline::Deadline;
use steward_store::{Job, QueueKey, RequestStep, StoredRequest};

use crate::rights::service::{Rights, Viewer};
use crate::vault::Result;

#[derive(Debug, Clone)]
pub struct Progress {
    pub request: StoredRequest,
    pub overdue: bool,
    /// Which claimed identities are verified, by kind.
    pub verified: BTreeMap<String, bool>,
    pub parts: Vec<Job>,
    pub history: Vec<RequestStep>,
}

impl Rights {
    /// What a request looks like now, with its parts and history.
    pub async fn progress(&self, id: &RequestId, viewer: &Viewer<'_>) -> Result<Progress> {
        let stored = self.for_viewer(id, viewer).await?;
        self.progress_of(stored).await
    }

    async fn progress_of(&self, stored: StoredRequest) -> Result<Progress> {
        let store = self.vault.store();
        let deadline = Deadline {
            received: self.received_on(&stored),
            extended_on: stored.extended_on,
        };
        let id = &stored.id;
        Ok(Progress {
            overdue: deadline.is_overdue(
                self.vault.today(),
                &stored.state()?,
                self.vault.calendar(),
            ),
            verified: store
                .challenges(id)
                .await?
                .into_iter()
                .map(|c| (c.identity_kind, c.verified))
                .collect(),
            parts: store.jobs_for_request(id).await?,
            history: store.request_history(id).await?,
            request: stored,
        })
    }

    /// A page of the officer's queue: requests that still need something,
    /// the one due first first, at most `limit`, after `after`. The page
    /// says where the next one starts, if there is one.
    pub async fn queue(&self, after: Option<&QueueKey>, limit: usize) -> Result<QueuePage> {
        let limit = limit.clamp(1, MAX_PAGE);
        // One more than asked tells whether another page follows.
        let mut open = self
            .vault
            .store()
            .open_requests(after, i64::try_from(limit + 1).unwrap_or(i64::MAX))
            .await?;
        let more = open.len() > limit;
        open.truncate(limit);
        let next = more.then(|| open.last()).flatten().map(|last| QueueKey {
            due_on: last.due_on,
            received_at: last.received_at,
            id: last.id.clone(),
        });
        let mut requests = Vec::with_capacity(open.len());
        for stored in open {
            requests.push(self.progress_of(stored).await?);
        }
        Ok(QueuePage { requests, next })
    }
}

/// The most requests one page of the queue holds.
pub const MAX_PAGE: usize = 500;

/// One page of the officer's queue.
#[derive(Debug, Clone)]
pub struct QueuePage {
    pub requests: Vec<Progress>,
    /// Where the next page starts; `None` on the last.
    pub next: Option<QueueKey>,
}
