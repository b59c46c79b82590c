//! When every part has ended, the request is answered: completed, or
//! partially completed with a reason per part; the answer is sealed with it
//! and the requester told. Later, the requester (or an officer) reads it.

use steward_domain::common::ids::RequestId;
use steward_domain::rights::letters::{self, Letter};
use steward_domain::rights::parts::PartState;
use steward_domain::rights::request::{
    PartOutcome, RequestEvent, RequestKind, RequestStatus, SealedUnder,
};
use steward_store::StoredRequest;

use crate::mail::Addressee;
use crate::rights::answer::{self, Answer, PartEnd};
use crate::rights::part_result::PartResult;
use crate::rights::payload::Payload;
use crate::rights::render::{Rendered, render};
use crate::rights::service::{Rights, Viewer, next};
use crate::rights::submit::CONTACTABLE;
use crate::vault::{Result, VaultError, corrupt};

const ERASED_MEANWHILE: &str =
    "the person was erased while this request was open: what it found went with their data";

impl Rights {
    /// Safe to call any time and from any process: only one of them moves
    /// the request on.
    pub async fn finish_if_done(&self, id: &RequestId) -> Result<()> {
        let stored = self.load(id).await?;
        if stored.status != RequestStatus::InProgress {
            return Ok(());
        }
        let jobs = self.vault.store().jobs_for_request(id).await?;
        if jobs.iter().any(|j| !j.state.has_ended()) {
            return Ok(());
        }
        // A request about someone erased while it was open: their key, and
        // with it every result it found, is gone; the answer says so.
        let (key, erased_meanwhile) = match self.key_for(&stored).await {
            Ok(key) => (key, false),
            Err(VaultError::Erased(_)) => (self.vault.installation_request_key(), true),
            Err(e) => return Err(e),
        };
        let mut ended = Vec::with_capacity(jobs.len());
        for job in &jobs {
            let mut end = PartEnd {
                job,
                result: None,
                failure: None,
            };
            if job.state == PartState::Done && erased_meanwhile {
                end.failure = Some(ERASED_MEANWHILE.into());
            } else if job.state == PartState::Done {
                // A done part's result that is missing or does not open is
                // reported as that part's failure: the answer says so, and
                // the rest of the request is not held up by it.
                match &job.result_sealed {
                    Some(sealed) => match PartResult::open(&key, id, &job.id, sealed) {
                        Ok(result) => end.result = Some(result),
                        Err(e) => {
                            tracing::error!(request = %id, part = %job.id, error = %e, "a part's result cannot be read");
                            end.failure = Some(format!("its result cannot be read: {e}"));
                        }
                    },
                    None => {
                        tracing::error!(request = %id, part = %job.id, "a done part has no result");
                        end.failure = Some("it is marked done but its result is missing".into());
                    }
                }
            }
            ended.push(end);
        }
        let answer = answer::assemble(
            self.vault.policy(),
            &stored,
            &self.vault.now().to_string(),
            &ended,
        );
        let parts: Vec<PartOutcome> = ended
            .iter()
            .map(|end| PartOutcome {
                part: format!("{}:{}", end.job.target.label(), end.job.action),
                done: end.done(),
                reason: end.reason(),
            })
            .collect();
        let state = next(&stored, RequestEvent::PartsEnded { parts })?;
        let bytes = serde_json::to_vec(&answer).map_err(|e| {
            VaultError::Internal(format!(
                "the answer to request {id} could not be written: {e}"
            ))
        })?;
        steward_store::crash_point("request.parts_ended");
        let mut updated = stored.clone();
        updated.set_state(&state);
        if erased_meanwhile {
            updated.sealed_under = SealedUnder::Installation;
        }
        updated.result_sealed = Some(key.seal(id, "answer", &bytes));
        updated.updated_at = self.vault.now();
        if stored.kind == RequestKind::Erasure && updated.status == RequestStatus::Completed {
            // The erasure is done everywhere: the addresses it was asked
            // with are the person's, and go too. (Partly done, they stay:
            // a retry, or an officer doing a part by hand, needs them.)
            let mut payload = Payload::open(&key, &stored)?;
            payload.identities.clear();
            payload.value = None;
            updated.payload_sealed = payload.seal(&key, id)?;
        }
        let step = self.step(
            id,
            "answered",
            "worker",
            serde_json::json!({ "state": updated.status.as_str() }),
        );
        match self
            .save(&updated, stored.status, step, &[], "request.answer")
            .await
        {
            // Another process answered it first.
            Err(VaultError::NotNow(_)) => return Ok(()),
            other => other?,
        }
        // Told at the address the request came from (for an erasure, now
        // gone from the request itself).
        self.tell_answered(&updated, &stored).await;
        Ok(())
    }

    /// Tells the requester `stored` is answered, at the address in
    /// `addressed`'s payload (the same request, perhaps an earlier version).
    pub(super) async fn tell_answered(&self, stored: &StoredRequest, addressed: &StoredRequest) {
        let state = match stored.state() {
            Ok(state) => state,
            Err(e) => {
                tracing::error!(request = %stored.id, error = %e, "the answer's letter could not be written");
                return;
            }
        };
        let link = self.portal_link(&format!("/requests/{}", stored.id));
        let letter = letters::answered(
            stored.language,
            &self.vault.policy().controller.name,
            stored.kind,
            stored.id.as_str(),
            &state,
            link.as_deref(),
        );
        self.write_to_requester(addressed, &letter).await;
    }

    /// Writes to the requester's first e-mail address or phone number.
    pub(super) async fn write_to_requester(&self, stored: &StoredRequest, letter: &Letter) {
        let key = match self.key_for(stored).await {
            Ok(key) => key,
            Err(e) => {
                tracing::error!(request = %stored.id, error = %e, "the requester could not be written to");
                return;
            }
        };
        let payload = match Payload::open(&key, stored) {
            Ok(payload) => payload,
            Err(e) => {
                tracing::error!(request = %stored.id, error = %e, "the requester could not be written to");
                return;
            }
        };
        let Some(identity) = payload
            .identities
            .iter()
            .find(|i| CONTACTABLE.contains(&i.kind.as_str()))
        else {
            return;
        };
        let to = Addressee {
            channel: identity.kind.clone(),
            address: identity.value.clone(),
        };
        if let Err(e) = self.outbox.send(&to, letter).await {
            tracing::error!(request = %stored.id, error = %e, "a letter could not be sent");
        }
    }

    /// The answer, for the requester or an officer: `json`, `md`, `html`
    /// (access), or `zip` (portability: JSON and CSV).
    pub async fn answer(
        &self,
        id: &RequestId,
        viewer: &Viewer<'_>,
        format: &str,
    ) -> Result<Rendered> {
        let stored = self.for_viewer(id, viewer).await?;
        let Some(sealed) = &stored.result_sealed else {
            if matches!(
                stored.status,
                RequestStatus::Completed | RequestStatus::PartiallyCompleted
            ) {
                // Emptied by the person's later erasure.
                return Err(VaultError::Erased(
                    stored
                        .subject_id
                        .as_ref()
                        .map_or_else(|| id.to_string(), ToString::to_string),
                ));
            }
            return Err(VaultError::NotNow(format!(
                "request `{id}` is not answered yet"
            )));
        };
        // An answer about a person since erased went with their key.
        let bytes = self.key_for(&stored).await?.open(id, "answer", sealed)?;
        let answer: Answer =
            serde_json::from_slice(&bytes).map_err(|e| corrupt(format!("answer: {e}")))?;
        let audit = self.vault.event(
            viewer.actor_id(),
            "request.download",
            stored.subject_id.as_ref(),
            serde_json::json!({ "request": id, "format": format }),
        );
        self.vault.store().append_audit(audit).await?;
        render(self.vault.policy(), &stored, &answer, format)
    }
}
