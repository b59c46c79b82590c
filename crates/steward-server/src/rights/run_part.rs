//! Carrying out one part of a request where it belongs: in the vault, in a
//! connected system, or by a letter to a recipient (Art. 19). Every part is
//! safe to run twice: reads change nothing, and erasing, restricting or
//! correcting what is already so changes nothing more.

use steward_connectors::{Act, Failure, Identity};
use steward_domain::rights::access_report::HeldValue;
use steward_domain::rights::letters;
use steward_domain::rights::parts::{PartAction, PartTarget};
use steward_domain::rights::request::RequestKind;
use steward_domain::vault::actor::Actor;
use steward_store::{Job, StoredRequest};

use crate::mail::Addressee;
use crate::rights::part_result::PartResult;
use crate::rights::payload::Payload;
use crate::rights::service::Rights;
use crate::vault::VaultError;

/// Why a part did not succeed this time.
#[derive(Debug)]
pub enum PartError {
    /// Try again later.
    Transient(String),
    /// Trying again will not help.
    Permanent(String),
}

impl From<Failure> for PartError {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::Transient(m) => PartError::Transient(m),
            Failure::Permanent(m) => PartError::Permanent(m),
        }
    }
}

impl From<VaultError> for PartError {
    fn from(error: VaultError) -> Self {
        match error {
            VaultError::Store(e) => PartError::Transient(e.to_string()),
            other => PartError::Permanent(other.to_string()),
        }
    }
}

impl Rights {
    /// Runs one part; returns its result, sealed.
    pub async fn run_part(&self, job: &Job) -> Result<Vec<u8>, PartError> {
        let stored = self.load(&job.request_id).await?;
        let key = self.key_for(&stored).await?;
        let payload = Payload::open(&key, &stored)?;
        let result = match &job.target {
            PartTarget::Vault => self.vault_part(&stored, &payload).await?,
            PartTarget::Recipient(recipient) => self.notify(&stored, recipient, &payload).await?,
            PartTarget::System(system) => {
                self.system_part(&stored, system, job.action, &payload)
                    .await?
            }
        };
        Ok(result.seal(&key, &stored.id, &job.id)?)
    }

    async fn system_part(
        &self,
        stored: &StoredRequest,
        system_id: &str,
        action: PartAction,
        payload: &Payload,
    ) -> Result<PartResult, PartError> {
        let system = self.systems.get(system_id).ok_or_else(|| {
            PartError::Permanent(format!(
                "system `{system_id}` has no connector in the policy Steward runs now"
            ))
        })?;
        let identities: Vec<Identity<'_>> = payload
            .identities
            .iter()
            .map(|i| Identity {
                kind: &i.kind,
                value: &i.value,
            })
            .collect();
        let request = stored.id.as_str();
        let purpose = || {
            payload
                .purpose
                .as_deref()
                .ok_or_else(|| PartError::Permanent("the request names no purpose".into()))
        };
        let act = match action {
            PartAction::Access => {
                let found = system.access(request, &identities).await?;
                return Ok(PartResult::Found { found });
            }
            PartAction::Erase => {
                let erased = system.erase(request, &identities).await?;
                return Ok(PartResult::SystemErased { erased });
            }
            PartAction::Notify => {
                return Err(PartError::Permanent(
                    "recipients are told by letter, not through a system".into(),
                ));
            }
            PartAction::Rectify => Act::Rectify {
                category: rectified_category(payload)?,
                value: payload.value.as_ref().ok_or_else(|| {
                    PartError::Permanent("the rectification gives no value".into())
                })?,
            },
            PartAction::Restrict => Act::Restrict,
            PartAction::LiftRestriction => Act::LiftRestriction,
            PartAction::Object => Act::Object {
                purpose: purpose()?,
            },
            PartAction::WithdrawConsent => Act::WithdrawConsent {
                purpose: purpose()?,
            },
            PartAction::Unsubscribe => Act::Unsubscribe,
        };
        let rows = system.act(act, request, &identities).await?;
        Ok(PartResult::Acted { rows })
    }

    async fn vault_part(
        &self,
        stored: &StoredRequest,
        payload: &Payload,
    ) -> Result<PartResult, PartError> {
        let Some(subject) = stored.subject_id.as_ref() else {
            return Ok(PartResult::NoSubject);
        };
        let vault = &self.vault;
        let actor = Actor::system();
        let outcome = match stored.kind {
            RequestKind::Access | RequestKind::Portability => {
                let whole = vault.subject_view(&actor, subject).await?;
                let category_of = |id: &steward_domain::common::ids::RecordId| {
                    whole
                        .records
                        .iter()
                        .find(|r| &r.id == id)
                        .map(|r| r.category.clone())
                };
                let data: Vec<HeldValue> = whole
                    .records
                    .iter()
                    .map(|r| HeldValue {
                        category: r.category.clone(),
                        value: r.value.clone(),
                        source: r.source.clone(),
                        purposes: r.purposes.clone(),
                        collected_at: r.collected_at.to_string(),
                        derived_from: r.derived_from.iter().filter_map(category_of).collect(),
                    })
                    .collect();
                let received = vault.received_by(subject).await?;
                Ok(PartResult::Held { data, received })
            }
            RequestKind::Erasure => {
                let erased = self.erase_in_vault(&actor, subject).await;
                // What was written to the person goes with them (their codes
                // and notices waiting in the outbox), also when an earlier
                // run erased them and stopped before this.
                if matches!(erased, Ok(_) | Err(VaultError::Erased(_))) {
                    let to: Vec<Addressee> = payload
                        .identities
                        .iter()
                        .map(|i| Addressee {
                            channel: i.kind.clone(),
                            address: i.value.clone(),
                        })
                        .collect();
                    self.outbox.remove_letters_to(&to).await.map_err(|e| {
                        PartError::Transient(format!("the outbox could not be cleared: {e}"))
                    })?;
                }
                // Some data kept: the key lives on, so earlier answers about
                // the person are emptied here rather than by the key.
                if let Ok(PartResult::VaultErased {
                    crypto_shredded: false,
                    ..
                }) = &erased
                {
                    self.empty_earlier_answers(subject, &stored.id).await?;
                }
                erased
            }
            RequestKind::Rectification => {
                let category = rectified_category(payload)?;
                let value = payload.value.as_ref().ok_or_else(|| {
                    PartError::Permanent("the rectification gives no value".into())
                })?;
                vault
                    .rectify(&actor, subject, category, value)
                    .await
                    .map(|count| PartResult::Rectified {
                        records: count as u64,
                    })
            }
            RequestKind::Restriction | RequestKind::LiftRestriction => {
                let restricted = stored.kind == RequestKind::Restriction;
                vault
                    .restrict(&actor, subject, restricted)
                    .await
                    .map(|()| PartResult::Restricted { restricted })
            }
            RequestKind::Objection | RequestKind::Unsubscribe => {
                let purpose = match stored.kind {
                    RequestKind::Unsubscribe => "direct_marketing",
                    _ => payload.purpose.as_deref().ok_or_else(|| {
                        PartError::Permanent("the objection names no purpose".into())
                    })?,
                };
                vault
                    .object(&actor, subject, purpose, None)
                    .await
                    .map(|()| PartResult::Objected {
                        purpose: purpose.to_owned(),
                    })
            }
            RequestKind::ConsentWithdrawal => {
                let purpose = payload.purpose.as_deref().ok_or_else(|| {
                    PartError::Permanent("the withdrawal names no purpose".into())
                })?;
                match vault
                    .withdraw_consent(&actor, subject, purpose, "request")
                    .await
                {
                    Ok(_) => Ok(PartResult::ConsentWithdrawn {
                        purpose: purpose.to_owned(),
                        none_in_force: false,
                    }),
                    // Withdrawn already (by this request's earlier run, or before).
                    Err(VaultError::NotFound { .. }) => Ok(PartResult::ConsentWithdrawn {
                        purpose: purpose.to_owned(),
                        none_in_force: true,
                    }),
                    Err(e) => Err(e),
                }
            }
        };
        match outcome {
            Ok(result) => Ok(result),
            // The subject was erased meanwhile (or by this request's earlier run).
            Err(VaultError::Erased(_)) => Ok(PartResult::ErasedAlready),
            Err(e) => Err(e.into()),
        }
    }

    /// Art. 19: a letter to the recipient, with the identities they need to
    /// find the person.
    async fn notify(
        &self,
        stored: &StoredRequest,
        recipient: &str,
        payload: &Payload,
    ) -> Result<PartResult, PartError> {
        let policy = self.vault.policy();
        let lang = policy.meta.default_language;
        let Some(mut letter) = letters::notify_recipient(
            lang,
            &policy.controller.name,
            stored.kind,
            stored.id.as_str(),
        ) else {
            return Ok(PartResult::Notified { notified: false });
        };
        // The letter names the person only by what the recipient already
        // receives: an e-mail address only to one that gets `*.email`.
        let received: Vec<String> = policy
            .recipients
            .iter()
            .find(|r| r.id == recipient)
            .map(|r| {
                let categories = if r.categories.is_empty() {
                    r.purposes
                        .iter()
                        .filter_map(|p| policy.purpose(p))
                        .flat_map(|p| p.categories.iter().cloned())
                        .collect()
                } else {
                    r.categories.clone()
                };
                policy
                    .expand_categories(&categories)
                    .iter()
                    .map(|c| c.id.clone())
                    .collect()
            })
            .unwrap_or_default();
        let named: Vec<_> = payload
            .identities
            .iter()
            .filter(|i| {
                received
                    .iter()
                    .any(|c| *c == i.kind || c.ends_with(&format!(".{}", i.kind)))
            })
            .collect();
        // A letter that names no one the recipient can find helps no one:
        // an officer tells them by hand, by what they do hold.
        if named.is_empty() {
            return Err(PartError::Permanent(format!(
                "recipient `{recipient}` receives none of the identities this request was made with: tell them by hand, by what they hold, and complete this part"
            )));
        }
        letter.body.push('\n');
        for identity in named {
            letter
                .body
                .push_str(&format!("\n{}: {}", identity.kind, identity.value));
        }
        let to = Addressee {
            channel: "recipient".into(),
            address: recipient.to_owned(),
        };
        // One letter per request and recipient, however often the part runs.
        self.outbox
            .send_as(&to, &letter, &format!("{}-{recipient}", stored.id))
            .await
            .map_err(|e| PartError::Transient(format!("the outbox could not be written: {e}")))?;
        Ok(PartResult::Notified { notified: true })
    }
}

/// A rectification's category: every rectification names one when it is
/// submitted; one that does not is refused, not run on nothing.
fn rectified_category(payload: &Payload) -> Result<&str, PartError> {
    payload
        .category
        .as_deref()
        .filter(|c| !c.is_empty())
        .ok_or_else(|| PartError::Permanent("the rectification names no category".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rectification_without_its_category_fails_rather_than_correcting_nothing() {
        let payload = Payload {
            identities: Vec::new(),
            purpose: None,
            category: None,
            value: Some(serde_json::json!("Anna")),
            grounds: None,
            guardian: None,
            identity_evidence: None,
        };
        assert!(matches!(
            rectified_category(&payload),
            Err(PartError::Permanent(_))
        ));
        let blank = Payload {
            category: Some(String::new()),
            ..payload
        };
        assert!(rectified_category(&blank).is_err());
    }
}
