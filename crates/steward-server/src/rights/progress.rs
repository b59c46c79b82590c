//! Where a request stands, as its requester or an officer sees it: its
//! state and deadline, which identities are proven, each part and the
//! history; and the officer's queue.

use std::collections::BTreeMap;

use steward_domain::common::ids::RequestId;
use steward_domain::rights::deadline::Deadline;
use steward_store::{Job, RequestStep, StoredRequest};

use crate::rights::service::{Rights, Viewer, received_on};
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
            received: received_on(&stored),
            extended_on: stored.extended_on,
        };
        let id = &stored.id;
        Ok(Progress {
            overdue: deadline.is_overdue(self.vault.today(), &stored.state()?),
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

    /// The officer's queue: every request that still needs something, the
    /// one due first first.
    pub async fn queue(&self) -> Result<Vec<Progress>> {
        let mut out = Vec::new();
        for stored in self.vault.store().open_requests().await? {
            out.push(self.progress_of(stored).await?);
        }
        Ok(out)
    }
}
