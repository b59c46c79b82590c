//! Relationship events (`relationship_start`, `contract_end`, ...): facts
//! that open and close legal bases and start retention periods.

use jiff::Timestamp;
use steward_domain::common::ids::SubjectId;
use steward_domain::policy::retention::Events;
use steward_domain::policy::{Event, LegalBasis};
use steward_domain::vault::actor::{Actor, Role};
use steward_store::StoredEvent;

use crate::vault::error::{Result, VaultError, invalid};
use crate::vault::service::{Vault, fresh_id};

impl Vault {
    /// A subject's events as retention counts them: each kind at its
    /// latest day, where the controller is.
    pub(crate) fn event_days(&self, events: &[StoredEvent]) -> Events {
        let mut days = Events::new();
        for event in events {
            let day = self.local_date(event.at);
            let latest = days.entry(event.kind).or_insert(day);
            *latest = (*latest).max(day);
        }
        days
    }

    pub async fn record_event(
        &self,
        actor: &Actor,
        subject: &SubjectId,
        kind: &str,
        at: Option<&str>,
    ) -> Result<()> {
        let event: Event = kind.parse().map_err(|_| {
            let kinds: Vec<String> = Event::ALL.iter().map(|e| format!("\"{e}\"")).collect();
            invalid(
                "kind",
                format!("`{kind}` is not an event; use one of {}", kinds.join(", ")),
            )
        })?;
        // Contract and relationship events create a legal basis for every
        // contract purpose: only officers, or services holding one, may post them.
        let grants_basis = matches!(event, Event::RelationshipStart | Event::ContractStart);
        if grants_basis && actor.role == Role::Service {
            let holds_contract_purpose = self
                .policy
                .purposes
                .iter()
                .any(|p| p.legal_basis == Some(LegalBasis::Contract) && actor.may_use(&p.id));
            if !holds_contract_purpose {
                return Err(VaultError::Forbidden(format!(
                    "`{kind}` creates a contract basis; this token holds no contract purpose"
                )));
            }
        }
        self.subject_for(actor, subject).await?;
        let now = self.now();
        let at = match at {
            Some(text) => text
                .parse::<Timestamp>()
                .map_err(|_| invalid("at", "not an RFC 3339 time such as 2026-05-01T12:00:00Z"))?,
            None => now,
        };
        // Events are facts that happened: none from the future (a minute of clock skew allowed).
        let latest = now
            .checked_add(jiff::SignedDuration::from_secs(60))
            .unwrap_or(now);
        if at > latest {
            return Err(invalid("at", "an event cannot be in the future"));
        }
        let stored = StoredEvent {
            id: fresh_id(),
            subject_id: subject.clone(),
            kind: event,
            at,
        };
        let audit = self.act(
            actor,
            "event.add",
            Some(subject),
            serde_json::json!({ "kind": event.as_str(), "at": at.to_string() }),
        );
        // The event moves the end of the subject's records that wait for
        // it: their last days change with it, in the same transaction.
        let dues = match self.store.subject_file(subject).await? {
            Some(file) => {
                let mut events = file.events;
                events.push(stored.clone());
                self.changed_dues(&file.records, &self.event_days(&events))
            }
            None => Vec::new(),
        };
        self.store.add_event(&stored, &dues, audit).await?;
        Ok(())
    }
}
