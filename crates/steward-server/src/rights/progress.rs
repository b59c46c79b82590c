//! Where a request stands, as its requester or an officer sees it: its
//! state and deadline, which identities are proven, each part and the
//! history; and the officer's queue.

use std::collections::BTreeMap;

use steward_domain::common::ids::{PartId, RequestId};
use steward_domain::policy::is_within;
use steward_domain::rights::parts::{PartAction, PartTarget};
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
    /// What a person doing a manual part should know, by part.
    pub hints: BTreeMap<PartId, String>,
}

impl Rights {
    /// What a request looks like now, with its parts and history.
    pub async fn progress(&self, id: &RequestId, viewer: &Viewer<'_>) -> Result<Progress> {
        let stored = self.for_viewer(id, viewer).await?;
        self.progress_of(stored).await
    }

    async fn progress_of(&self, stored: StoredRequest) -> Result<Progress> {
        let store = self.vault.store();
        let deadline = self.deadline(&stored);
        let id = &stored.id;
        let parts = store.jobs_for_request(id).await?;
        let hints = parts
            .iter()
            .filter_map(|job| Some((job.id.clone(), self.hint(job)?)))
            .collect();
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
            parts,
            hints,
            history: store.request_history(id).await?,
            request: stored,
        })
    }

    /// For a manual erasure in a system: what the policy keeps there under
    /// a law or another Art. 17(3) exception, which must be left (Connectel's
    /// accounting keeps invoices under Bokföringslagen).
    fn hint(&self, job: &Job) -> Option<String> {
        let PartTarget::System(system) = &job.target else {
            return None;
        };
        if !job.manual || job.action != PartAction::Erase {
            return None;
        }
        let policy = self.vault.policy();
        let held = &policy.systems.iter().find(|s| &s.id == system)?.categories;
        let kept: Vec<String> = policy
            .retention
            .iter()
            .filter(|rule| rule.erasure_exception.is_some())
            .filter_map(|rule| {
                let categories: Vec<&str> = rule
                    .categories
                    .iter()
                    .filter(|c| held.iter().any(|h| is_within(c, h) || is_within(h, c)))
                    .map(String::as_str)
                    .collect();
                if categories.is_empty() {
                    return None;
                }
                let why = rule.law.clone().unwrap_or_else(|| {
                    rule.erasure_exception
                        .map(|e| e.article().to_owned())
                        .unwrap_or_default()
                });
                Some(format!(
                    "{} (for {}) under {why}",
                    categories.join(", "),
                    rule.purposes.join(", ")
                ))
            })
            .collect();
        (!kept.is_empty()).then(|| {
            format!(
                "the policy keeps here {}: leave that, and only what keeps it may use it; erase the rest",
                kept.join("; ")
            )
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
