//! What follows once a request's identities are proven: refused (they lead
//! to different people, Art. 12(6)), held for an officer (a copy beyond the
//! free ones may carry a fee, Art. 12(5)), or started: one part per place
//! the request must reach.

use steward_domain::common::ids::RequestId;
use steward_domain::rights::parts::{self, PartAction};
use steward_domain::rights::request::{self, RequestEvent, RequestStatus, SealedUnder};
use steward_store::{NewJob, StoredRequest};

use crate::rights::payload::Payload;
use crate::rights::sealing;
use crate::rights::service::{Rights, Transition, next};
use crate::vault::{IdentityInput, Result, fresh_id};

/// The refusal's reason, as the subject reads it.
const DIFFERENT_PEOPLE: &str = "The identities given belong to different people in our records, so we cannot be sure whose data the request is about (Art. 12(6) GDPR). Please make one request per person.";

impl Rights {
    /// From `verified`: find the subject, then hold the request for an
    /// officer (a fee may apply) or start it.
    pub(super) async fn advance(&self, id: &RequestId, actor_id: &str) -> Result<()> {
        let stored = self.load(id).await?;
        if stored.status != RequestStatus::Verified || stored.held.is_some() {
            return Ok(());
        }
        let verified: Vec<String> = self
            .vault
            .store()
            .challenges(id)
            .await?
            .into_iter()
            .filter(|c| c.verified)
            .map(|c| c.identity_kind)
            .collect();
        let transition = self.decide(&stored, &verified, actor_id).await?;
        self.save_transition(&stored, transition).await
    }

    /// What follows once identities are proven (only `verified` kinds count).
    /// The caller stores it.
    pub(super) async fn decide(
        &self,
        stored: &StoredRequest,
        verified: &[String],
        actor_id: &str,
    ) -> Result<Transition> {
        let id = &stored.id;
        let mut payload = Payload::open(&self.key_for(stored).await?, stored)?;
        // Only verified identities reach any data.
        payload.identities.retain(|i| verified.contains(&i.kind));
        // One subject found is named in the audit entry of the step that
        // follows (start or hold); several, each in an entry of its own.
        let mut subjects = Vec::new();
        for identity in &payload.identities {
            let input = IdentityInput {
                kind: identity.kind.clone(),
                value: identity.value.clone(),
            };
            // An identity a service added without proof leads nowhere: it
            // may be the requester's own address, put on someone else.
            if let Some((subject, provenance)) = self.vault.subject_of_identity(&input).await?
                && provenance.unlocks_requests()
                && !subjects.contains(&subject)
            {
                subjects.push(subject);
            }
        }
        let mut updated = stored.clone();
        updated.payload_sealed = payload.seal(&self.key_for(stored).await?, id)?;
        updated.updated_at = self.vault.now();
        if subjects.len() > 1 {
            for subject in &subjects {
                let lookup = self.vault.event(
                    actor_id,
                    "subject.lookup",
                    Some(subject),
                    serde_json::json!({ "request": id, "found": true }),
                );
                self.vault.append_audit(lookup).await?;
            }
            updated.set_state(&next(
                stored,
                RequestEvent::Refuse {
                    reason: DIFFERENT_PEOPLE.into(),
                },
            )?);
            let step = self.step(
                id,
                "refused",
                actor_id,
                serde_json::json!({ "reason": "identities_of_different_subjects" }),
            );
            return Ok(Transition {
                updated,
                step,
                jobs: Vec::new(),
                audit_action: "request.refuse",
            });
        }
        updated.subject_id = subjects.pop();
        // From here on, what the request holds dies with the person's key.
        if updated.subject_id.is_some() && sealing::under_subject_key(stored.kind) {
            updated.sealed_under = SealedUnder::Subject;
            updated.payload_sealed = payload.seal(&self.key_for(&updated).await?, id)?;
        }
        if stored.kind.yields_a_copy()
            && let Some(subject) = &updated.subject_id
        {
            let free = self.vault.policy().rights.free_copies_per_year;
            let year = self.vault.today().year();
            let copies = self
                .vault
                .store()
                .requests_of_subject(subject)
                .await?
                .iter()
                .filter(|r| r.id != stored.id && r.kind.yields_a_copy())
                .filter(|r| {
                    matches!(
                        r.status,
                        RequestStatus::Completed | RequestStatus::PartiallyCompleted
                    )
                })
                .filter(|r| self.received_on(r).year() == year)
                .count() as u32;
            if request::fee_may_apply(stored.kind, free, copies) {
                updated.held = Some(format!(
                    "fee: this is copy {} this calendar year and the policy gives {} free; approve (with or without a fee) or refuse",
                    copies + 1,
                    free.unwrap_or(0)
                ));
                let step = self.step(
                    id,
                    "held",
                    actor_id,
                    serde_json::json!({ "reason": "fee_may_apply", "copies_this_year": copies }),
                );
                return Ok(Transition {
                    updated,
                    step,
                    jobs: Vec::new(),
                    audit_action: "request.hold",
                });
            }
        }
        self.plan_start(stored, updated, &payload, actor_id).await
    }

    /// Queues the parts: one per place the request reaches.
    pub(super) async fn start(
        &self,
        stored: &StoredRequest,
        updated: StoredRequest,
        actor_id: &str,
    ) -> Result<()> {
        let payload = Payload::open(&self.key_for(&updated).await?, &updated)?;
        let transition = self.plan_start(stored, updated, &payload, actor_id).await?;
        self.save_transition(stored, transition).await
    }

    /// The start of a request: its parts, its state, its step.
    pub(super) async fn plan_start(
        &self,
        stored: &StoredRequest,
        mut updated: StoredRequest,
        payload: &Payload,
        actor_id: &str,
    ) -> Result<Transition> {
        let automatic = |system: &str, action: PartAction, category: Option<&str>| {
            self.systems.can(system, action, category)
        };
        // Which recipients had any of the subject's data (Art. 19): the
        // disclosure log, and the standing disclosures of what the vault
        // holds; nothing decrypted.
        let (records, logged) = match &updated.subject_id {
            Some(subject) => (
                self.vault.store().records(subject).await?,
                self.vault.store().disclosures(subject).await?,
            ),
            None => (Vec::new(), Vec::new()),
        };
        // An authority given data for an inquiry is not told (Art. 4(9)).
        let disclosed: Vec<&str> = logged
            .iter()
            .filter(|d| !d.legal_request)
            .map(|d| d.recipient.as_str())
            .collect();
        let held: Vec<(&str, &[String])> = records
            .iter()
            .map(|r| {
                let purposes = r.kept_for.as_ref().unwrap_or(&r.purposes);
                (r.category.as_str(), purposes.as_slice())
            })
            .collect();
        let planned = parts::plan(
            self.vault.policy(),
            &parts::Asked {
                kind: updated.kind,
                category: payload.category.as_deref(),
                purpose: payload.purpose.as_deref(),
                held: &held,
                disclosed: &disclosed,
            },
            &automatic,
        );
        let jobs: Vec<NewJob> = planned
            .into_iter()
            .map(|part| NewJob {
                id: fresh_id(),
                request_id: updated.id.clone(),
                target: part.target,
                action: part.action,
                manual: part.manual,
            })
            .collect();
        updated.set_state(&next(stored, RequestEvent::Started)?);
        updated.held = None;
        let labels: Vec<String> = jobs
            .iter()
            .map(|j| format!("{}:{}", j.target.label(), j.action))
            .collect();
        let step = self.step(
            &updated.id,
            "started",
            actor_id,
            serde_json::json!({ "parts": labels }),
        );
        Ok(Transition {
            updated,
            step,
            jobs,
            audit_action: "request.start",
        })
    }
}
