//! The rights service: what it holds (the vault, the connected systems, the
//! outbox, the workers' wake-up) and how a request moves from one state to
//! the next: compare-and-set in the store, with its history step, its jobs
//! and its audit entry in one transaction.

use std::sync::Arc;

use jiff::civil::Date;
use steward_domain::common::ids::RequestId;
use steward_domain::rights::deadline::Deadline;
use steward_domain::rights::request::{self, RequestEvent, RequestState, RequestStatus};
use steward_domain::vault::actor::Actor;
use steward_domain::vault::audit_chain::AuditEvent;
use steward_store::{NewJob, RequestStep, StoredChallenge, StoredRequest};
use tokio::sync::Notify;

use crate::limits::{Limiter, Limits};
use crate::mail::Outbox;
use crate::systems::Systems;
use crate::vault::{Result, Vault, VaultError};

pub struct Rights {
    pub(super) vault: Arc<Vault>,
    pub(super) systems: Arc<Systems>,
    pub(super) outbox: Outbox,
    /// Wakes the workers of this process when jobs are queued.
    pub(super) wake: Arc<Notify>,
    /// Letters with codes to one identity, over all its requests.
    pub(super) codes_per_identity: Limiter,
    /// Tries at codes for one identity, over all its requests.
    pub(super) tries_per_identity: Limiter,
    /// How long a request may wait for its codes before it is removed.
    pub(super) unverified_lifetime: std::time::Duration,
    /// The portal's address, for links in letters.
    pub(super) portal: Option<String>,
}

/// A request's move to its next state, with the step, jobs and audit entry
/// that go with it; stored in one transaction.
pub(super) struct Transition {
    pub updated: StoredRequest,
    pub step: RequestStep,
    pub jobs: Vec<NewJob>,
    pub audit_action: &'static str,
}

impl Rights {
    pub fn new(vault: Arc<Vault>, systems: Arc<Systems>, outbox: Outbox, limits: &Limits) -> Self {
        let clock = vault.clock();
        Self {
            codes_per_identity: Limiter::new(limits.codes_per_identity, Arc::clone(&clock)),
            tries_per_identity: Limiter::new(limits.tries_per_identity, clock),
            unverified_lifetime: limits.unverified_lifetime,
            vault,
            systems,
            outbox,
            wake: Arc::new(Notify::new()),
            portal: None,
        }
    }

    /// Where the portal is, for the links in letters (none: letters say
    /// where to go in words only).
    pub fn with_portal(mut self, url: Option<String>) -> Self {
        self.portal = url;
        self
    }

    /// A page of the portal, as a letter links to it.
    pub(super) fn portal_link(&self, path: &str) -> Option<String> {
        self.portal.as_ref().map(|base| format!("{base}{path}"))
    }

    pub fn vault(&self) -> &Arc<Vault> {
        &self.vault
    }

    pub fn outbox(&self) -> &Outbox {
        &self.outbox
    }

    pub fn systems(&self) -> &Systems {
        &self.systems
    }

    pub fn wake(&self) -> Arc<Notify> {
        Arc::clone(&self.wake)
    }

    pub(super) fn step(
        &self,
        id: &RequestId,
        step: &str,
        actor: &str,
        detail: serde_json::Value,
    ) -> RequestStep {
        RequestStep {
            request_id: id.clone(),
            at: self.vault.now(),
            step: step.to_owned(),
            actor: actor.to_owned(),
            detail,
        }
    }

    pub(super) async fn load(&self, id: &RequestId) -> Result<StoredRequest> {
        self.vault
            .store()
            .request(id)
            .await?
            .ok_or_else(|| not_found(id))
    }

    fn audit_of(&self, updated: &StoredRequest, step: &RequestStep, action: &str) -> AuditEvent {
        self.vault.event(
            &step.actor,
            action,
            updated.subject_id.as_ref(),
            serde_json::json!({ "request": updated.id, "state": updated.status.as_str(), "step": step.step }),
        )
    }

    /// Stores a new request, and the transition that follows at once (if
    /// any), in one transaction; returns the request as stored.
    pub(super) async fn create(
        &self,
        stored: StoredRequest,
        challenges: &[StoredChallenge],
        step: RequestStep,
        audit: AuditEvent,
        then: Option<Transition>,
    ) -> Result<StoredRequest> {
        let mut steps = vec![step];
        let mut audits = vec![audit];
        let (stored, jobs) = match then {
            Some(transition) => {
                audits.push(self.audit_of(
                    &transition.updated,
                    &transition.step,
                    transition.audit_action,
                ));
                steps.push(transition.step);
                (transition.updated, transition.jobs)
            }
            None => (stored, Vec::new()),
        };
        self.vault
            .store()
            .create_request(&stored, challenges, &steps, &jobs, self.vault.now(), audits)
            .await?;
        if !jobs.is_empty() {
            self.wake.notify_waiters();
        }
        Ok(stored)
    }

    pub(super) async fn save_transition(
        &self,
        from: &StoredRequest,
        transition: Transition,
    ) -> Result<()> {
        self.save(
            &transition.updated,
            from.status,
            transition.step,
            &transition.jobs,
            transition.audit_action,
        )
        .await
    }

    /// Writes the request's new version if it is still in `expected`, with
    /// its step, jobs and audit entry; wakes the workers for new jobs.
    pub(super) async fn save(
        &self,
        updated: &StoredRequest,
        expected: RequestStatus,
        step: RequestStep,
        jobs: &[NewJob],
        audit_action: &str,
    ) -> Result<()> {
        let audit = self.audit_of(updated, &step, audit_action);
        let saved = self
            .vault
            .store()
            .update_request(updated, expected, &step, jobs, self.vault.now(), audit)
            .await?;
        if !saved {
            return Err(VaultError::NotNow(format!(
                "request `{}` was changed meanwhile (by another process or person); read it again",
                updated.id
            )));
        }
        if !jobs.is_empty() {
            self.wake.notify_waiters();
        }
        Ok(())
    }
}

/// Who asks to see a request: an officer, or the requester with the secret.
pub enum Viewer<'a> {
    Officer(&'a Actor),
    Requester(&'a str),
}

impl Viewer<'_> {
    /// How the audit log names them.
    pub fn actor_id(&self) -> &str {
        match self {
            Viewer::Officer(actor) => actor.id.as_str(),
            Viewer::Requester(_) => "subject",
        }
    }
}

pub(super) fn not_found(id: &RequestId) -> VaultError {
    VaultError::NotFound {
        what: "request",
        id: id.to_string(),
    }
}

/// The state a request moves to on `event`, or why it cannot.
pub(super) fn next(stored: &StoredRequest, event: RequestEvent) -> Result<RequestState> {
    request::next(&stored.state()?, event).map_err(|e| VaultError::NotNow(e.to_string()))
}

impl Rights {
    /// The day a request was received where the controller is, as its
    /// deadline and the fee year count it.
    pub(super) fn received_on(&self, stored: &StoredRequest) -> Date {
        self.vault.local_date(stored.received_at)
    }

    /// The period the policy promises to answer within (`response_deadline`;
    /// the law's month when it says nothing shorter).
    pub(super) fn promised(&self) -> steward_domain::common::period::Period {
        self.vault.policy().rights.response_deadline
    }

    /// A stored request's deadlines, as the policy counts them.
    pub(super) fn deadline(&self, stored: &StoredRequest) -> Deadline {
        Deadline::new(self.received_on(stored), self.promised()).extended(stored.extended_on)
    }
}

/// Reasons, notes: written out, recorded, perhaps shown to the subject.
pub(super) fn plain(text: &str, field: &str) -> Result<()> {
    if text.trim().is_empty() {
        return Err(crate::vault::invalid(
            field,
            "write it out; it is recorded and may be shown to the subject",
        ));
    }
    if text.chars().any(char::is_control) || text.len() > 2000 {
        return Err(crate::vault::invalid(
            field,
            "no control characters, at most 2000 bytes",
        ));
    }
    Ok(())
}
