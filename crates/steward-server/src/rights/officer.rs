//! What a privacy officer decides about a request: approve one held for a
//! fee, refuse with the legal reason, extend the deadline once, cancel, run
//! failed parts again, and record a manual part as done.

use steward_connectors::Found;
use steward_domain::common::ids::{PartId, RequestId, SubjectId};
use steward_domain::policy::is_within;
use steward_domain::rights::deadline::ExtensionError;
use steward_domain::rights::letters;
use steward_domain::rights::parts::{PartAction, PartTarget};
use steward_domain::rights::request::{RequestEvent, RequestStatus};
use steward_domain::vault::actor::Actor;
use steward_store::{Job, StoredRequest};

use crate::mail::Addressee;
use crate::rights::part_result::PartResult;
use crate::rights::payload::Payload;
use crate::rights::service::{Rights, Viewer, next, plain};
use crate::vault::{Result, VaultError, invalid};

impl Rights {
    /// Starts a request held for the officer (e.g. a fee decided).
    pub async fn approve(&self, actor: &Actor, id: &RequestId, note: Option<String>) -> Result<()> {
        let stored = self.load(id).await?;
        if stored.status != RequestStatus::Verified || stored.held.is_none() {
            return Err(VaultError::NotNow(format!(
                "request `{id}` is not held for approval"
            )));
        }
        if let Some(note) = &note {
            plain(note, "note")?;
        }
        let step = self.step(
            id,
            "approved",
            &actor.id,
            serde_json::json!({ "note": note }),
        );
        // The approval and the start are one step each, in that order.
        let approved = StoredRequest {
            held: None,
            updated_at: self.vault.now(),
            ..stored.clone()
        };
        self.save(&approved, stored.status, step, &[], "request.approve")
            .await?;
        self.start(&approved, approved.clone(), &actor.id).await
    }

    /// Art. 12(5): refuses with the legal reason, e.g. manifestly unfounded.
    pub async fn refuse(&self, actor: &Actor, id: &RequestId, reason: &str) -> Result<()> {
        plain(reason, "reason")?;
        let stored = self.load(id).await?;
        if stored.status == RequestStatus::InProgress {
            return Err(VaultError::NotNow(format!(
                "request `{id}` is being carried out; let it finish, then answer"
            )));
        }
        let state = next(
            &stored,
            RequestEvent::Refuse {
                reason: reason.to_owned(),
            },
        )?;
        let mut updated = stored.clone();
        updated.set_state(&state);
        updated.held = None;
        updated.updated_at = self.vault.now();
        let step = self.step(
            id,
            "refused",
            &actor.id,
            serde_json::json!({ "reason": reason }),
        );
        self.save(&updated, stored.status, step, &[], "request.refuse")
            .await?;
        self.tell_answered(&updated, &updated).await;
        Ok(())
    }

    pub async fn cancel(&self, viewer: &Viewer<'_>, id: &RequestId, reason: &str) -> Result<()> {
        plain(reason, "reason")?;
        let stored = self.for_viewer(id, viewer).await?;
        let state = next(
            &stored,
            RequestEvent::Cancel {
                reason: reason.to_owned(),
            },
        )?;
        let mut updated = stored.clone();
        updated.set_state(&state);
        updated.updated_at = self.vault.now();
        let step = self.step(
            id,
            "cancelled",
            viewer.actor_id(),
            serde_json::json!({ "reason": reason }),
        );
        self.save(&updated, stored.status, step, &[], "request.cancel")
            .await
    }

    /// Art. 12(3): extends once by two months; the subject is told why.
    pub async fn extend(
        &self,
        actor: &Actor,
        id: &RequestId,
        reason: &str,
    ) -> Result<jiff::civil::Date> {
        plain(reason, "reason")?;
        let stored = self.load(id).await?;
        if stored.status.is_final() {
            return Err(VaultError::NotNow(format!(
                "request `{id}` is answered already; there is nothing to extend"
            )));
        }
        let mut deadline = self.deadline(&stored);
        let due = deadline
            .extend(self.vault.today(), reason, self.vault.calendar())
            .map_err(|e| match e {
                ExtensionError::NoReason => invalid("reason", e.to_string()),
                // Once extended, or past the first month: the request's
                // state forbids it, not the reason given.
                ExtensionError::AlreadyExtended(_) | ExtensionError::TooLate(_) => {
                    VaultError::NotNow(e.to_string())
                }
            })?;
        let mut updated = stored.clone();
        updated.due_on = due;
        updated.extended_on = deadline.extended_on;
        updated.extension_reason = Some(reason.to_owned());
        updated.updated_at = self.vault.now();
        let step = self.step(
            id,
            "extended",
            &actor.id,
            serde_json::json!({ "due": due.to_string(), "reason": reason }),
        );
        self.save(&updated, stored.status, step, &[], "request.extend")
            .await?;
        let letter = letters::extended(
            stored.language,
            &self.vault.policy().controller.name,
            stored.kind,
            id.as_str(),
            &due.to_string(),
            reason,
        );
        self.write_to_requester(&stored, &letter).await;
        Ok(due)
    }

    /// Puts a partially completed request's failed parts back to work.
    pub async fn retry(&self, actor: &Actor, id: &RequestId) -> Result<u64> {
        let stored = self.load(id).await?;
        if !matches!(
            stored.status,
            RequestStatus::PartiallyCompleted | RequestStatus::InProgress
        ) {
            return Err(VaultError::NotNow(format!(
                "request `{id}` has no failed part to retry"
            )));
        }
        let audit = self.vault.event(
            &actor.id,
            "request.retry",
            stored.subject_id.as_ref(),
            serde_json::json!({ "request": id }),
        );
        let count = self
            .vault
            .store()
            .retry_failed_jobs(id, self.vault.now(), audit)
            .await?;
        if stored.status == RequestStatus::PartiallyCompleted && count > 0 {
            let mut updated = stored.clone();
            updated.status = RequestStatus::InProgress;
            updated.state_detail = None;
            updated.result_sealed = None;
            updated.updated_at = self.vault.now();
            let step = self.step(
                id,
                "retried",
                &actor.id,
                serde_json::json!({ "parts": count }),
            );
            self.save(&updated, stored.status, step, &[], "request.reopen")
                .await?;
        }
        self.wake.notify_waiters();
        Ok(count)
    }

    /// An officer did a manual part (e.g. restricted the person in a system
    /// Steward cannot reach) and says so.
    pub async fn complete_part(
        &self,
        actor: &Actor,
        id: &RequestId,
        part_id: &PartId,
        note: &str,
        found: Vec<Found>,
    ) -> Result<()> {
        plain(note, "note")?;
        let stored = self.load(id).await?;
        let part = self
            .vault
            .store()
            .jobs_for_request(id)
            .await?
            .into_iter()
            .find(|j| &j.id == part_id)
            .ok_or_else(|| VaultError::NotFound {
                what: "part of this request",
                id: part_id.to_string(),
            })?;
        if part.target == PartTarget::Vault {
            return Err(VaultError::NotNow(
                "the vault's own part is Steward's to do: retry it once the cause is fixed".into(),
            ));
        }
        if !matches!(
            stored.status,
            RequestStatus::InProgress | RequestStatus::PartiallyCompleted
        ) {
            return Err(VaultError::NotNow(format!(
                "request `{id}` is {}: its parts are no longer done",
                stored.status
            )));
        }
        self.check_found(&part, &found)?;
        let result = PartResult::DoneByHand {
            by: actor.id.clone(),
            note: note.to_owned(),
            found,
        };
        // The person may have been erased meanwhile; the part is still done
        // (the answer then says what went with them).
        let key = match self.key_for(&stored).await {
            Err(VaultError::Erased(_)) => self.vault.installation_request_key(),
            other => other?,
        };
        let sealed = result.seal(&key, id, &part.id)?;
        let audit = self.vault.event(
            &actor.id,
            "request.part_done",
            stored.subject_id.as_ref(),
            serde_json::json!({ "request": id, "part": part_id, "system": part.target.label() }),
        );
        let done = self
            .vault
            .store()
            .complete_manual_job(part_id, self.vault.now(), &sealed, audit)
            .await?;
        if !done {
            return Err(VaultError::NotNow(format!(
                "part `{part_id}` is neither a manual part waiting to be done nor a failed one"
            )));
        }
        // A request answered as partly done is answered again, with this.
        if stored.status == RequestStatus::PartiallyCompleted {
            let mut reopened = stored.clone();
            reopened.status = RequestStatus::InProgress;
            reopened.state_detail = None;
            reopened.result_sealed = None;
            reopened.updated_at = self.vault.now();
            let step = self.step(
                id,
                "reopened",
                &actor.id,
                serde_json::json!({ "part_done_by_hand": part_id }),
            );
            self.save(&reopened, stored.status, step, &[], "request.reopen")
                .await?;
        }
        self.finish_if_done(id).await
    }
}

/// Whose data a request is about, for the officer doing its manual parts.
#[derive(Debug, Clone)]
pub struct WhoseData {
    pub subject: Option<steward_domain::common::ids::SubjectId>,
    /// The identities the request was made with (only the verified ones once
    /// it has started): what to look the person up by.
    pub identities: Vec<(String, String)>,
}

impl Rights {
    /// The identities a request was made with, for an officer: what a
    /// manual part needs to find the person. Each look is audited.
    pub async fn whose_data(&self, actor: &Actor, id: &RequestId) -> Result<WhoseData> {
        let stored = self.load(id).await?;
        let payload = Payload::open(&self.key_for(&stored).await?, &stored)?;
        let audit = self.vault.event(
            &actor.id,
            "request.identities_shown",
            stored.subject_id.as_ref(),
            serde_json::json!({
                "request": id,
                "identity_kinds": payload.identities.iter().map(|i| i.kind.as_str()).collect::<Vec<_>>(),
            }),
        );
        self.vault.append_audit(audit).await?;
        Ok(WhoseData {
            subject: stored.subject_id.clone(),
            identities: payload
                .identities
                .into_iter()
                .map(|i| (i.kind, i.value))
                .collect(),
        })
    }

    /// What an officer found by hand must be of a category the policy
    /// knows, that the part's system holds, and only for an access part.
    fn check_found(&self, part: &Job, found: &[Found]) -> Result<()> {
        if found.is_empty() {
            return Ok(());
        }
        if part.action != PartAction::Access {
            return Err(invalid(
                "found",
                "only an access part reports data found; say what was done in `note`",
            ));
        }
        let policy = self.vault.policy();
        for item in found {
            if !policy.leaf_categories().any(|c| c.id == item.category) {
                return Err(invalid(
                    "found",
                    format!(
                        "`{}` is not a category of the policy (give the most specific one)",
                        item.category
                    ),
                ));
            }
            if let PartTarget::System(system) = &part.target
                && let Some(declared) = policy.systems.iter().find(|s| &s.id == system)
                && !declared
                    .categories
                    .iter()
                    .any(|held| is_within(&item.category, held))
            {
                return Err(invalid(
                    "found",
                    format!(
                        "system `{system}` does not hold `{}` by the policy: correct the policy, or the category",
                        item.category
                    ),
                ));
            }
        }
        Ok(())
    }
}

impl Rights {
    /// A service added an identity of `kind` to `subject`: each address the
    /// subject was created with or an officer added is told, with the
    /// controller's contact (the new identity stays unproven: it unlocks no
    /// request until an officer confirms it by adding it themselves).
    pub async fn tell_of_added_identity(&self, actor: &Actor, subject: &SubjectId, kind: &str) {
        let policy = self.vault.policy();
        let letter = letters::identity_added(
            policy.meta.default_language,
            &policy.controller.name,
            kind,
            &policy.controller.email,
        );
        let addresses = match self.vault.proven_addresses(subject).await {
            Ok(addresses) => addresses,
            Err(e) => {
                tracing::error!(subject = %subject, error = %e, "the subject could not be told of a new identity");
                return;
            }
        };
        for (channel, address) in &addresses {
            let to = Addressee {
                channel: channel.clone(),
                address: address.clone(),
            };
            if let Err(e) = self.outbox.send(&to, &letter).await {
                tracing::error!(subject = %subject, error = %e, "a letter could not be sent");
            }
        }
        let audit = self.vault.event(
            &actor.id,
            "identity.added_told",
            Some(subject),
            serde_json::json!({ "kind": kind, "letters": addresses.len() }),
        );
        if let Err(e) = self.vault.append_audit(audit).await {
            tracing::error!(error = %e, "the audit log could not be written");
        }
    }
}
