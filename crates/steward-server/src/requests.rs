//! Data-subject requests end to end: submission, identity verification by
//! one-time codes, the officer's decisions, and the durable jobs that carry a
//! request out in the vault and in every connected system (run by
//! [`crate::worker`]). Every step is kept in the request's history and in the
//! audit log, in the same transaction as the change.

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use steward_domain::common::lang::Lang;
use steward_domain::policy::LegalBasis;
use steward_domain::rights::deadline::Deadline;
use steward_domain::rights::letters;
use steward_domain::rights::one_time_code::{self, Challenge};
use steward_domain::rights::request::{self, PartOutcome, RequestEvent, RequestKind, RequestState};
use steward_domain::vault::crypto::{hex_encode, sha256_hex};
use steward_store::{JobState, NewJob, RequestStep, StoredChallenge, StoredRequest};
use tokio::sync::Notify;

use crate::auth::{Actor, Role};
use crate::outbox::{Addressee, Outbox};
use crate::systems::Systems;
use crate::vault::{IdentityInput, Result, Vault, VaultError};

/// Identities a code can be sent to; others need an officer's check.
const CONTACTABLE: &[&str] = &["email", "phone"];
const MAX_IDENTITIES: usize = 5;

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRequest {
    /// `access`, `portability`, `rectification`, `erasure`, `restriction`,
    /// `lift_restriction`, `objection`, `consent_withdrawal` or `unsubscribe`.
    #[schema(value_type = String)]
    pub kind: RequestKind,
    /// The identities the requester claims; a code goes to each.
    pub identities: Vec<IdentityInput>,
    /// `en` or `sv`; the policy's default language if left out.
    pub language: Option<String>,
    /// Objection and consent withdrawal: the purpose.
    pub purpose: Option<String>,
    /// Rectification: the category to correct, and its correct value.
    pub category: Option<String>,
    pub value: Option<serde_json::Value>,
    /// Erasure: the Art. 17(1) ground; objection: the subject's situation.
    pub grounds: Option<String>,
    /// Officers only: the identity was checked another way (in person, by
    /// e-ID); no codes are sent and the request starts at once.
    #[serde(default)]
    pub identity_checked: bool,
}

/// A request's move to its next state, with the step, jobs and audit entry
/// that go with it; stored in one transaction.
struct Transition {
    updated: StoredRequest,
    step: RequestStep,
    jobs: Vec<NewJob>,
    audit_action: &'static str,
}

/// What travels sealed with a request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Payload {
    pub identities: Vec<Claimed>,
    pub purpose: Option<String>,
    pub category: Option<String>,
    pub value: Option<serde_json::Value>,
    pub grounds: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claimed {
    pub kind: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Submitted {
    pub id: String,
    /// Shown once: lets the requester follow the request and read the answer
    /// (header `Steward-Follow`).
    pub follow_secret: String,
    pub state: String,
    pub due: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RequestView {
    pub id: String,
    pub kind: String,
    pub state: String,
    /// The reason of a refusal or cancellation, the parts of a partial answer.
    #[schema(value_type = Option<Object>)]
    pub detail: Option<serde_json::Value>,
    pub received_at: String,
    pub due: String,
    pub overdue: bool,
    pub extended_on: Option<String>,
    pub extension_reason: Option<String>,
    /// Why it waits for a privacy officer.
    pub held: Option<String>,
    /// Which claimed identities are verified, by kind.
    pub verified: BTreeMap<String, bool>,
    pub parts: Vec<PartView>,
    pub history: Vec<StepView>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PartView {
    pub id: String,
    pub system: String,
    pub action: String,
    /// `pending`, `running`, `done`, `failed`.
    pub state: String,
    /// Waits for a person to do it and say so.
    pub manual: bool,
    pub attempts: i64,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StepView {
    pub at: String,
    pub step: String,
    pub actor: String,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

/// Who asks to see a request: an officer, or the requester with the secret.
pub enum Viewer<'a> {
    Officer(&'a Actor),
    Requester(&'a str),
}

pub struct Requests {
    vault: Arc<Vault>,
    systems: Arc<Systems>,
    outbox: Outbox,
    /// Wakes the workers of this process when jobs are queued.
    wake: Arc<Notify>,
}

fn invalid(field: &str, message: impl Into<String>) -> VaultError {
    VaultError::Invalid {
        field: field.to_owned(),
        message: message.into(),
    }
}

fn not_found(id: &str) -> VaultError {
    VaultError::NotFound {
        what: "request",
        id: id.to_owned(),
    }
}

fn follow_hash(secret: &str) -> String {
    sha256_hex(&[b"steward/follow/v1", secret.as_bytes()])
}

fn date(text: &str) -> Result<Date> {
    text.parse().map_err(|_| {
        VaultError::Store(steward_store::StoreError::Corrupt(format!("date `{text}`")))
    })
}

/// The state as stored: its name and details.
pub(crate) fn state_of(stored: &StoredRequest) -> RequestState {
    let detail = stored
        .state_detail
        .clone()
        .unwrap_or(serde_json::Value::Null);
    let reason = || detail["reason"].as_str().unwrap_or_default().to_owned();
    match stored.state.as_str() {
        "received" => RequestState::Received,
        "awaiting_verification" => RequestState::AwaitingVerification,
        "verified" => RequestState::Verified,
        "in_progress" => RequestState::InProgress,
        "completed" => RequestState::Completed,
        "partially_completed" => RequestState::PartiallyCompleted {
            parts: serde_json::from_value(detail["parts"].clone()).unwrap_or_default(),
        },
        "refused" => RequestState::Refused { reason: reason() },
        _ => RequestState::Cancelled { reason: reason() },
    }
}

fn detail_of(state: &RequestState) -> Option<serde_json::Value> {
    match state {
        RequestState::PartiallyCompleted { parts } => Some(serde_json::json!({ "parts": parts })),
        RequestState::Refused { reason } | RequestState::Cancelled { reason } => {
            Some(serde_json::json!({ "reason": reason }))
        }
        _ => None,
    }
}

fn kind_of(stored: &StoredRequest) -> Result<RequestKind> {
    serde_json::from_value(serde_json::Value::String(stored.kind.clone())).map_err(|_| {
        VaultError::Store(steward_store::StoreError::Corrupt(format!(
            "request kind `{}`",
            stored.kind
        )))
    })
}

impl Requests {
    pub fn new(vault: Arc<Vault>, systems: Arc<Systems>, outbox: Outbox) -> Self {
        Self {
            vault,
            systems,
            outbox,
            wake: Arc::new(Notify::new()),
        }
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

    fn now_ms(&self) -> i64 {
        self.vault.now().as_millisecond()
    }

    fn today(&self) -> Date {
        self.vault.now().to_zoned(jiff::tz::TimeZone::UTC).date()
    }

    fn step(&self, id: &str, step: &str, actor: &str, detail: serde_json::Value) -> RequestStep {
        RequestStep {
            request_id: id.to_owned(),
            at: self.vault.now().to_string(),
            step: step.to_owned(),
            actor: actor.to_owned(),
            detail,
        }
    }

    pub(crate) fn payload(&self, stored: &StoredRequest) -> Result<Payload> {
        let bytes = self
            .vault
            .open_for_request(&stored.id, "payload", &stored.payload_sealed)?;
        serde_json::from_slice(&bytes).map_err(|e| {
            VaultError::Store(steward_store::StoreError::Corrupt(format!(
                "request payload: {e}"
            )))
        })
    }

    fn seal_payload(&self, id: &str, payload: &Payload) -> Vec<u8> {
        let bytes = serde_json::to_vec(payload).unwrap_or_default();
        self.vault.seal_for_request(id, "payload", &bytes)
    }

    pub(crate) async fn load(&self, id: &str) -> Result<StoredRequest> {
        self.vault
            .store()
            .request(id)
            .await?
            .ok_or_else(|| not_found(id))
    }

    /// Writes the request's next version if no one else moved it first.
    /// Stores a new request, and the transition that follows at once (if
    /// any), in one transaction; returns the request as stored.
    async fn create(
        &self,
        stored: StoredRequest,
        challenges: &[StoredChallenge],
        step: RequestStep,
        audit: steward_domain::vault::audit_chain::AuditEvent,
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
            .create_request(&stored, challenges, &steps, &jobs, self.now_ms(), audits)
            .await?;
        if !jobs.is_empty() {
            self.wake.notify_waiters();
        }
        Ok(stored)
    }

    fn audit_of(
        &self,
        updated: &StoredRequest,
        step: &RequestStep,
        action: &str,
    ) -> steward_domain::vault::audit_chain::AuditEvent {
        self.vault.request_event(
            &step.actor,
            action,
            updated.subject_id.as_deref(),
            serde_json::json!({ "request": updated.id, "state": updated.state, "step": step.step }),
        )
    }

    async fn save_transition(&self, from: &StoredRequest, transition: Transition) -> Result<()> {
        self.save(
            &transition.updated,
            &from.state,
            transition.step,
            &transition.jobs,
            transition.audit_action,
        )
        .await
    }

    /// Writes the request's new version if it is still in `expected_state`,
    /// with its step, jobs and audit entry; wakes the workers for new jobs.
    async fn save(
        &self,
        updated: &StoredRequest,
        expected_state: &str,
        step: RequestStep,
        jobs: &[NewJob],
        audit_action: &str,
    ) -> Result<()> {
        let audit = self.audit_of(updated, &step, audit_action);
        let saved = self
            .vault
            .store()
            .update_request(updated, expected_state, &step, jobs, self.now_ms(), audit)
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

    fn check_kind_details(&self, input: &NewRequest) -> Result<()> {
        let policy = self.vault.policy();
        match input.kind {
            RequestKind::Objection => {
                let purpose = input
                    .purpose
                    .as_deref()
                    .ok_or_else(|| invalid("purpose", "name the purpose objected to"))?;
                if purpose == "direct_marketing" {
                    return Ok(());
                }
                let found = policy.purpose(purpose).ok_or_else(|| {
                    invalid(
                        "purpose",
                        format!(
                            "`{purpose}` is not a purpose of the policy (or `direct_marketing`)"
                        ),
                    )
                })?;
                let objectable = found.direct_marketing
                    || matches!(
                        found.legal_basis,
                        Some(LegalBasis::LegitimateInterests | LegalBasis::PublicTask)
                    );
                if !objectable {
                    return Err(invalid(
                        "purpose",
                        format!(
                            "purpose `{purpose}` does not rest on legitimate interests or a public task, so Art. 21(1) gives no right to object to it; consent can be withdrawn, and erasure or restriction asked for"
                        ),
                    ));
                }
            }
            RequestKind::ConsentWithdrawal => {
                let purpose = input.purpose.as_deref().ok_or_else(|| {
                    invalid("purpose", "name the purpose whose consent is withdrawn")
                })?;
                let found = policy.purpose(purpose).ok_or_else(|| {
                    invalid(
                        "purpose",
                        format!("`{purpose}` is not a purpose of the policy"),
                    )
                })?;
                if found.legal_basis != Some(LegalBasis::Consent) {
                    return Err(invalid(
                        "purpose",
                        format!("purpose `{purpose}` does not rest on consent"),
                    ));
                }
            }
            RequestKind::Rectification => {
                let category = input
                    .category
                    .as_deref()
                    .ok_or_else(|| invalid("category", "name the category to correct"))?;
                if policy.category(category).is_none() {
                    return Err(invalid(
                        "category",
                        format!("`{category}` is not a category of the policy"),
                    ));
                }
                if input.value.is_none() {
                    return Err(invalid("value", "give the correct value"));
                }
            }
            _ => {}
        }
        for (field, text) in [("grounds", &input.grounds), ("purpose", &input.purpose)] {
            if text
                .as_deref()
                .is_some_and(|t| t.chars().any(char::is_control) || t.len() > 2000)
            {
                return Err(invalid(field, "no control characters, at most 2000 bytes"));
            }
        }
        Ok(())
    }

    /// A new request. From the public (no actor), every identity must be one
    /// a code can be sent to; an officer may vouch for the identity instead.
    pub async fn submit(&self, actor: Option<&Actor>, input: NewRequest) -> Result<Submitted> {
        let officer = actor.filter(|a| matches!(a.role, Role::Admin | Role::PrivacyOfficer));
        if actor.is_some() && officer.is_none() {
            return Err(VaultError::Forbidden(
                "only privacy officers submit requests for someone; subjects submit without a token".into(),
            ));
        }
        if input.identity_checked && officer.is_none() {
            return Err(VaultError::Forbidden(
                "only a privacy officer may vouch for a requester's identity".into(),
            ));
        }
        if input.identities.is_empty() || input.identities.len() > MAX_IDENTITIES {
            return Err(invalid(
                "identities",
                format!("give between 1 and {MAX_IDENTITIES} identities, e.g. your e-mail address"),
            ));
        }
        let mut claimed: Vec<Claimed> = Vec::new();
        for given in &input.identities {
            let identity = self.vault.normalise_identity(given)?;
            let kind = identity.kind.as_str().to_owned();
            if !input.identity_checked && !CONTACTABLE.contains(&kind.as_str()) {
                return Err(invalid(
                    &format!("identities.{kind}"),
                    "a code can be sent only to an e-mail address or a phone number; for other identities, ask a privacy officer, who checks your identity another way",
                ));
            }
            if claimed.iter().any(|c| c.kind == kind) {
                return Err(invalid(
                    &format!("identities.{kind}"),
                    "give each kind of identity once",
                ));
            }
            claimed.push(Claimed {
                kind,
                value: identity.value,
            });
        }
        self.check_kind_details(&input)?;
        let policy = self.vault.policy();
        let language = match input.language.as_deref() {
            None => policy.meta.default_language,
            Some(code) => Lang::from_code(code)
                .filter(|l| policy.meta.languages.contains(l))
                .ok_or_else(|| {
                    invalid(
                        "language",
                        format!(
                            "`{code}` is not a language of this policy: use {}",
                            policy
                                .meta
                                .languages
                                .iter()
                                .map(|l| l.code())
                                .collect::<Vec<_>>()
                                .join(" or ")
                        ),
                    )
                })?,
        };

        let id = uuid::Uuid::now_v7().to_string();
        let secret = hex_encode(steward_domain::vault::crypto::SecretKey::generate().as_bytes());
        let now = self.vault.now();
        let deadline = Deadline::new(self.today());
        let payload = Payload {
            identities: claimed.clone(),
            purpose: input.purpose.clone(),
            category: input.category.clone(),
            value: input.value.clone(),
            grounds: input.grounds.clone(),
        };
        let mut codes = Vec::new();
        let mut challenges = Vec::new();
        for identity in &claimed {
            if input.identity_checked {
                challenges.push(StoredChallenge {
                    request_id: id.clone(),
                    identity_kind: identity.kind.clone(),
                    code_hash: String::new(),
                    expires_at: 0,
                    attempts: 0,
                    verified: true,
                });
            } else {
                let (code, challenge) = one_time_code::issue(&id, &identity.kind, now.as_second());
                challenges.push(stored_challenge(&id, &identity.kind, &challenge));
                codes.push((identity.clone(), code));
            }
        }
        let state = if input.identity_checked {
            RequestState::Verified
        } else {
            RequestState::AwaitingVerification
        };
        let stored = StoredRequest {
            id: id.clone(),
            kind: input.kind.to_string(),
            state: state.name().to_owned(),
            state_detail: None,
            subject_id: None,
            language: language.code().to_owned(),
            payload_sealed: self.seal_payload(&id, &payload),
            follow_hash: follow_hash(&secret),
            received_at: now.to_string(),
            due_on: deadline.due().to_string(),
            extended_on: None,
            extension_reason: None,
            held: None,
            result_sealed: None,
            updated_at: now.to_string(),
        };
        let actor_id = officer.map_or("subject", |a| a.id.as_str());
        let step = self.step(
            &id,
            "submitted",
            actor_id,
            serde_json::json!({
                "kind": stored.kind,
                "identity_kinds": claimed.iter().map(|c| c.kind.as_str()).collect::<Vec<_>>(),
                "identity_checked_by_officer": input.identity_checked,
            }),
        );
        let audit = self.vault.request_event(
            actor_id,
            "request.submit",
            None,
            serde_json::json!({ "request": id, "kind": stored.kind }),
        );
        // An officer vouched for every identity: the request is decided (and
        // usually started) in the same transaction that stores it.
        let then = if input.identity_checked {
            let verified: Vec<String> = claimed.iter().map(|c| c.kind.clone()).collect();
            Some(self.decide(&stored, &verified, actor_id).await?)
        } else {
            None
        };
        let stored = self.create(stored, &challenges, step, audit, then).await?;
        for (identity, code) in codes {
            self.send_code(&stored, input.kind, language, &identity, &code)
                .await;
        }
        Ok(Submitted {
            id,
            follow_secret: secret,
            state: stored.state,
            due: stored.due_on,
        })
    }

    async fn send_code(
        &self,
        stored: &StoredRequest,
        kind: RequestKind,
        lang: Lang,
        identity: &Claimed,
        code: &str,
    ) {
        let letter = letters::code(
            lang,
            &self.vault.policy().controller.name,
            kind,
            &identity.kind,
            code,
            &stored.id,
        );
        let to = Addressee {
            channel: identity.kind.clone(),
            address: identity.value.clone(),
        };
        if let Err(e) = self.outbox.send(&to, &letter).await {
            // The requester can ask for the code again.
            tracing::error!(request = %stored.id, error = %e, "a code could not be sent");
        }
    }

    /// The token of a subject's one-click unsubscribe link: unforgeable
    /// without the installation's keys.
    pub fn unsubscribe_token(&self, subject_id: &str) -> String {
        let mac = sha256_hex(&[
            b"steward/unsubscribe/v1",
            self.vault.pseudonym(subject_id).as_bytes(),
        ]);
        format!("{subject_id}.{}", &mac[..32])
    }

    /// Art. 21(2)-(3) by one click: the link proves the mailing's recipient,
    /// and an objection to direct marketing is honoured without conditions.
    pub async fn unsubscribe(&self, token: &str) -> Result<Submitted> {
        let forged = || VaultError::NotFound {
            what: "unsubscribe link",
            id: "(not valid)".into(),
        };
        let (subject, _) = token.split_once('.').ok_or_else(forged)?;
        if self.unsubscribe_token(subject) != token {
            return Err(forged());
        }
        let id = uuid::Uuid::now_v7().to_string();
        let secret = hex_encode(steward_domain::vault::crypto::SecretKey::generate().as_bytes());
        let now = self.vault.now();
        let payload = Payload {
            identities: Vec::new(),
            purpose: Some("direct_marketing".into()),
            category: None,
            value: None,
            grounds: None,
        };
        let stored = StoredRequest {
            id: id.clone(),
            kind: RequestKind::Unsubscribe.to_string(),
            state: RequestState::Verified.name().to_owned(),
            state_detail: None,
            subject_id: Some(subject.to_owned()),
            language: self.vault.policy().meta.default_language.code().to_owned(),
            payload_sealed: self.seal_payload(&id, &payload),
            follow_hash: follow_hash(&secret),
            received_at: now.to_string(),
            due_on: Deadline::new(self.today()).due().to_string(),
            extended_on: None,
            extension_reason: None,
            held: None,
            result_sealed: None,
            updated_at: now.to_string(),
        };
        let step = self.step(
            &id,
            "submitted",
            "subject",
            serde_json::json!({ "kind": "unsubscribe", "by": "one_click_link" }),
        );
        let audit = self.vault.request_event(
            "subject",
            "request.submit",
            Some(subject),
            serde_json::json!({ "request": id, "kind": "unsubscribe" }),
        );
        let start = self.plan_start(
            &stored,
            stored.clone(),
            &payload,
            RequestKind::Unsubscribe,
            "subject",
        )?;
        let stored = self.create(stored, &[], step, audit, Some(start)).await?;
        Ok(Submitted {
            id,
            follow_secret: secret,
            state: stored.state,
            due: stored.due_on,
        })
    }

    /// Checks the requester's secret; an unknown request and a wrong secret
    /// look the same, so neither tells whether a request exists.
    async fn for_requester(&self, id: &str, secret: &str) -> Result<StoredRequest> {
        let stored = self
            .vault
            .store()
            .request(id)
            .await?
            .ok_or_else(|| not_found(id))?;
        let given = follow_hash(secret);
        if one_time_code::constant_time_eq(given.as_bytes(), stored.follow_hash.as_bytes()) {
            Ok(stored)
        } else {
            Err(not_found(id))
        }
    }

    async fn for_viewer(&self, id: &str, viewer: &Viewer<'_>) -> Result<StoredRequest> {
        match viewer {
            Viewer::Officer(actor) => {
                require_officer(actor)?;
                self.load(id).await
            }
            Viewer::Requester(secret) => self.for_requester(id, secret).await,
        }
    }

    /// The requester proves each identity with its code. When all are
    /// proven the request starts.
    pub async fn verify(
        &self,
        id: &str,
        secret: &str,
        codes: &BTreeMap<String, String>,
    ) -> Result<RequestView> {
        let stored = self.for_requester(id, secret).await?;
        if stored.state != "awaiting_verification" {
            return Err(VaultError::NotNow(format!(
                "request `{id}` is not awaiting verification"
            )));
        }
        let now = self.vault.now().as_second();
        let mut challenges = self.vault.store().challenges(id).await?;
        for (kind, code) in codes {
            let held = challenges
                .iter_mut()
                .find(|c| &c.identity_kind == kind)
                .ok_or_else(|| {
                    invalid(
                        &format!("codes.{kind}"),
                        "the request claims no identity of this kind",
                    )
                })?;
            let mut challenge = Challenge {
                code_hash: held.code_hash.clone(),
                expires_at: held.expires_at,
                attempts: held.attempts.max(0) as u32,
                verified: held.verified,
            };
            let checked = one_time_code::check(&mut challenge, id, kind, code, now);
            *held = stored_challenge(id, kind, &challenge);
            let audit = self.vault.request_event(
                "subject",
                "request.code",
                None,
                serde_json::json!({ "request": id, "identity_kind": kind, "ok": checked.is_ok() }),
            );
            self.vault.store().save_challenge(held, audit).await?;
            if let Err(e) = checked {
                return Err(invalid(&format!("codes.{kind}"), e.to_string()));
            }
        }
        if challenges.iter().all(|c| c.verified) {
            let mut updated = stored.clone();
            updated.state = next_state(&stored, RequestEvent::IdentityVerified)?;
            updated.updated_at = self.vault.now().to_string();
            let step = self.step(id, "verified", "subject", serde_json::json!({}));
            self.save(&updated, &stored.state, step, &[], "request.verify")
                .await?;
            self.advance(id, "subject").await?;
        }
        self.view(id, &Viewer::Requester(secret)).await
    }

    /// New codes for the identities not yet verified (codes expire).
    pub async fn resend(&self, id: &str, secret: &str) -> Result<()> {
        let stored = self.for_requester(id, secret).await?;
        if stored.state != "awaiting_verification" {
            return Err(VaultError::NotNow(format!(
                "request `{id}` is not awaiting verification, so no codes are sent"
            )));
        }
        let payload = self.payload(&stored)?;
        let kind = kind_of(&stored)?;
        let lang = Lang::from_code(&stored.language).unwrap_or(Lang::En);
        let now = self.vault.now().as_second();
        for challenge in self.vault.store().challenges(id).await? {
            if challenge.verified {
                continue;
            }
            let Some(identity) = payload
                .identities
                .iter()
                .find(|i| i.kind == challenge.identity_kind)
            else {
                continue;
            };
            let (code, fresh) = one_time_code::issue(id, &identity.kind, now);
            let audit = self.vault.request_event(
                "subject",
                "request.code_sent",
                None,
                serde_json::json!({ "request": id, "identity_kind": identity.kind }),
            );
            self.vault
                .store()
                .save_challenge(&stored_challenge(id, &identity.kind, &fresh), audit)
                .await?;
            self.send_code(&stored, kind, lang, identity, &code).await;
        }
        Ok(())
    }

    /// From `verified`: find the subject, then hold the request for an
    /// officer (a fee may apply) or start it.
    async fn advance(&self, id: &str, actor_id: &str) -> Result<()> {
        let stored = self.load(id).await?;
        if stored.state != "verified" || stored.held.is_some() {
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

    /// What follows once identities are proven (only `verified` kinds count):
    /// refused (they lead to different people), held (a fee may apply) or
    /// started. The caller stores it.
    async fn decide(
        &self,
        stored: &StoredRequest,
        verified: &[String],
        actor_id: &str,
    ) -> Result<Transition> {
        let id = stored.id.as_str();
        let kind = kind_of(stored)?;
        let mut payload = self.payload(stored)?;
        // Only verified identities reach any data.
        payload.identities.retain(|i| verified.contains(&i.kind));
        // One subject found is named in the audit entry of the step that
        // follows (start or hold); several, each in an entry of its own.
        let mut subjects: Vec<String> = Vec::new();
        for identity in &payload.identities {
            let input = IdentityInput {
                kind: identity.kind.clone(),
                value: identity.value.clone(),
            };
            if let Some(subject) = self.vault.subject_of_identity(&input).await?
                && !subjects.contains(&subject)
            {
                subjects.push(subject);
            }
        }
        let mut updated = stored.clone();
        updated.payload_sealed = self.seal_payload(id, &payload);
        updated.updated_at = self.vault.now().to_string();
        if subjects.len() > 1 {
            for subject in &subjects {
                let lookup = self.vault.request_event(
                    actor_id,
                    "subject.lookup",
                    Some(subject),
                    serde_json::json!({ "request": id, "found": true }),
                );
                self.vault.append_audit(lookup).await?;
            }
            let state = next(
                stored,
                RequestEvent::Refuse {
                    reason: "The identities given belong to different people in our records, so we cannot be sure whose data the request is about (Art. 12(6) GDPR). Please make one request per person.".into(),
                },
            )?;
            updated.state = state.name().to_owned();
            updated.state_detail = detail_of(&state);
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
        if kind.yields_a_copy()
            && let Some(subject) = &updated.subject_id
        {
            let free = self.vault.policy().rights.free_copies_per_year;
            let year = self.today().year();
            let copies = self
                .vault
                .store()
                .requests_of_subject(subject)
                .await?
                .iter()
                .filter(|r| r.id != stored.id)
                .filter(|r| matches!(r.kind.as_str(), "access" | "portability"))
                .filter(|r| matches!(r.state.as_str(), "completed" | "partially_completed"))
                .filter(|r| r.received_at.get(..4) == Some(&year.to_string()))
                .count() as u32;
            if request::fee_may_apply(kind, free, copies) {
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
        self.plan_start(stored, updated, &payload, kind, actor_id)
    }

    /// Queues the jobs: one per system the request reaches.
    async fn start(
        &self,
        stored: &StoredRequest,
        updated: StoredRequest,
        payload: &Payload,
        kind: RequestKind,
        actor_id: &str,
    ) -> Result<()> {
        let transition = self.plan_start(stored, updated, payload, kind, actor_id)?;
        self.save_transition(stored, transition).await
    }

    /// The start of a request: its jobs, its state, its step.
    fn plan_start(
        &self,
        stored: &StoredRequest,
        mut updated: StoredRequest,
        payload: &Payload,
        kind: RequestKind,
        actor_id: &str,
    ) -> Result<Transition> {
        let jobs = crate::execute::plan_jobs(
            self.vault.policy(),
            &self.systems,
            &updated.id,
            kind,
            payload.category.as_deref(),
        );
        updated.state = next_state(stored, RequestEvent::Started)?;
        updated.held = None;
        let parts: Vec<String> = jobs
            .iter()
            .map(|j| format!("{}:{}", j.system, j.action))
            .collect();
        let step = self.step(
            &updated.id,
            "started",
            actor_id,
            serde_json::json!({ "parts": parts }),
        );
        Ok(Transition {
            updated,
            step,
            jobs,
            audit_action: "request.start",
        })
    }

    /// What a request looks like now, with its parts and history.
    pub async fn view(&self, id: &str, viewer: &Viewer<'_>) -> Result<RequestView> {
        let stored = self.for_viewer(id, viewer).await?;
        let store = self.vault.store();
        let state = state_of(&stored);
        let deadline = Deadline {
            received: date(stored.received_at.get(..10).unwrap_or_default())?,
            extended_on: stored.extended_on.as_deref().map(date).transpose()?,
        };
        Ok(RequestView {
            id: stored.id.clone(),
            kind: stored.kind.clone(),
            state: stored.state.clone(),
            detail: stored.state_detail.clone(),
            received_at: stored.received_at.clone(),
            due: stored.due_on.clone(),
            overdue: deadline.is_overdue(self.today(), &state),
            extended_on: stored.extended_on.clone(),
            extension_reason: stored.extension_reason.clone(),
            held: stored.held.clone(),
            verified: store
                .challenges(id)
                .await?
                .into_iter()
                .map(|c| (c.identity_kind, c.verified))
                .collect(),
            parts: store
                .jobs_for_request(id)
                .await?
                .into_iter()
                .map(|j| PartView {
                    id: j.id,
                    system: j.system,
                    action: j.action,
                    state: job_state_name(j.state).to_owned(),
                    manual: j.manual,
                    attempts: j.attempts,
                    last_error: j.last_error,
                })
                .collect(),
            history: store
                .request_history(id)
                .await?
                .into_iter()
                .map(|s| StepView {
                    at: s.at,
                    step: s.step,
                    actor: s.actor,
                    detail: s.detail,
                })
                .collect(),
        })
    }

    /// The officer's queue: every request that still needs something, the
    /// one due first first.
    pub async fn queue(&self, actor: &Actor) -> Result<Vec<RequestView>> {
        require_officer(actor)?;
        let mut out = Vec::new();
        for stored in self.vault.store().open_requests().await? {
            out.push(self.view(&stored.id, &Viewer::Officer(actor)).await?);
        }
        Ok(out)
    }

    /// Starts a request held for the officer (e.g. a fee decided).
    pub async fn approve(&self, actor: &Actor, id: &str, note: Option<String>) -> Result<()> {
        require_officer(actor)?;
        let stored = self.load(id).await?;
        if stored.state != "verified" || stored.held.is_none() {
            return Err(VaultError::NotNow(format!(
                "request `{id}` is not held for approval"
            )));
        }
        if let Some(note) = &note {
            plain(note, "note")?;
        }
        let kind = kind_of(&stored)?;
        let payload = self.payload(&stored)?;
        let step = self.step(
            id,
            "approved",
            &actor.id,
            serde_json::json!({ "note": note }),
        );
        // The approval and the start are one step each, in that order.
        let approved = StoredRequest {
            held: None,
            updated_at: self.vault.now().to_string(),
            ..stored.clone()
        };
        self.save(&approved, &stored.state, step, &[], "request.approve")
            .await?;
        self.start(&approved, approved.clone(), &payload, kind, &actor.id)
            .await
    }

    /// Art. 12(5): refuses with the legal reason, e.g. manifestly unfounded.
    pub async fn refuse(&self, actor: &Actor, id: &str, reason: &str) -> Result<()> {
        require_officer(actor)?;
        plain(reason, "reason")?;
        let stored = self.load(id).await?;
        if stored.state == "in_progress" {
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
        updated.state = state.name().to_owned();
        updated.state_detail = detail_of(&state);
        updated.held = None;
        updated.updated_at = self.vault.now().to_string();
        let step = self.step(
            id,
            "refused",
            &actor.id,
            serde_json::json!({ "reason": reason }),
        );
        self.save(&updated, &stored.state, step, &[], "request.refuse")
            .await?;
        self.tell_answered(&updated).await;
        Ok(())
    }

    pub async fn cancel(&self, viewer: &Viewer<'_>, id: &str, reason: &str) -> Result<()> {
        plain(reason, "reason")?;
        let stored = self.for_viewer(id, viewer).await?;
        let state = next(
            &stored,
            RequestEvent::Cancel {
                reason: reason.to_owned(),
            },
        )?;
        let actor_id = match viewer {
            Viewer::Officer(actor) => actor.id.as_str(),
            Viewer::Requester(_) => "subject",
        };
        let mut updated = stored.clone();
        updated.state = state.name().to_owned();
        updated.state_detail = detail_of(&state);
        updated.updated_at = self.vault.now().to_string();
        let step = self.step(
            id,
            "cancelled",
            actor_id,
            serde_json::json!({ "reason": reason }),
        );
        self.save(&updated, &stored.state, step, &[], "request.cancel")
            .await
    }

    /// Art. 12(3): extends once by two months; the subject is told why.
    pub async fn extend(&self, actor: &Actor, id: &str, reason: &str) -> Result<String> {
        require_officer(actor)?;
        plain(reason, "reason")?;
        let stored = self.load(id).await?;
        if state_of(&stored).is_final() {
            return Err(VaultError::NotNow(format!(
                "request `{id}` is answered already; there is nothing to extend"
            )));
        }
        let mut deadline = Deadline {
            received: date(stored.received_at.get(..10).unwrap_or_default())?,
            extended_on: stored.extended_on.as_deref().map(date).transpose()?,
        };
        let due = deadline
            .extend(self.today(), reason)
            .map_err(|e| invalid("reason", e.to_string()))?;
        let mut updated = stored.clone();
        updated.due_on = due.to_string();
        updated.extended_on = deadline.extended_on.map(|d| d.to_string());
        updated.extension_reason = Some(reason.to_owned());
        updated.updated_at = self.vault.now().to_string();
        let step = self.step(
            id,
            "extended",
            &actor.id,
            serde_json::json!({ "due": updated.due_on, "reason": reason }),
        );
        self.save(&updated, &stored.state, step, &[], "request.extend")
            .await?;
        let kind = kind_of(&stored)?;
        let lang = Lang::from_code(&stored.language).unwrap_or(Lang::En);
        let letter = letters::extended(
            lang,
            &self.vault.policy().controller.name,
            kind,
            id,
            &updated.due_on,
            reason,
        );
        self.write_to_requester(&stored, &letter).await;
        Ok(updated.due_on)
    }

    /// Puts a partially completed request's failed parts back to work.
    pub async fn retry(&self, actor: &Actor, id: &str) -> Result<u64> {
        require_officer(actor)?;
        let stored = self.load(id).await?;
        if !matches!(stored.state.as_str(), "partially_completed" | "in_progress") {
            return Err(VaultError::NotNow(format!(
                "request `{id}` has no failed part to retry"
            )));
        }
        let audit = self.vault.request_event(
            &actor.id,
            "request.retry",
            stored.subject_id.as_deref(),
            serde_json::json!({ "request": id }),
        );
        let count = self
            .vault
            .store()
            .retry_failed_jobs(id, self.now_ms(), audit)
            .await?;
        if stored.state == "partially_completed" && count > 0 {
            let mut updated = stored.clone();
            updated.state = "in_progress".into();
            updated.state_detail = None;
            updated.result_sealed = None;
            updated.updated_at = self.vault.now().to_string();
            let step = self.step(
                id,
                "retried",
                &actor.id,
                serde_json::json!({ "parts": count }),
            );
            self.save(&updated, &stored.state, step, &[], "request.reopen")
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
        id: &str,
        part_id: &str,
        note: &str,
    ) -> Result<()> {
        require_officer(actor)?;
        plain(note, "note")?;
        let stored = self.load(id).await?;
        let part = self
            .vault
            .store()
            .jobs_for_request(id)
            .await?
            .into_iter()
            .find(|j| j.id == part_id)
            .ok_or_else(|| VaultError::NotFound {
                what: "part of this request",
                id: part_id.to_owned(),
            })?;
        let result = serde_json::json!({ "manual": true, "by": actor.id, "note": note });
        let sealed = crate::execute::seal_result(&self.vault, id, &part.id, &result);
        let audit = self.vault.request_event(
            &actor.id,
            "request.part_done",
            stored.subject_id.as_deref(),
            serde_json::json!({ "request": id, "part": part_id, "system": part.system }),
        );
        let done = self
            .vault
            .store()
            .complete_manual_job(part_id, self.now_ms(), &sealed, audit)
            .await?;
        if !done {
            return Err(VaultError::NotNow(format!(
                "part `{part_id}` is not a manual part waiting to be done"
            )));
        }
        self.finish_if_done(id).await
    }

    /// When every part has ended, the request is answered: completed, or
    /// partially completed with a reason per part. Safe to call any time and
    /// from any process: only one of them moves the request on.
    pub async fn finish_if_done(&self, id: &str) -> Result<()> {
        let stored = self.load(id).await?;
        if stored.state != "in_progress" {
            return Ok(());
        }
        let jobs = self.vault.store().jobs_for_request(id).await?;
        if jobs
            .iter()
            .any(|j| matches!(j.state, JobState::Pending | JobState::Running))
        {
            return Ok(());
        }
        let answer = crate::execute::answer(self, &stored, &jobs).await?;
        let parts: Vec<PartOutcome> = jobs
            .iter()
            .map(|j| PartOutcome {
                part: format!("{}:{}", j.system, j.action),
                done: j.state == JobState::Done,
                reason: j.last_error.clone().filter(|_| j.state != JobState::Done),
            })
            .collect();
        let state = next(&stored, RequestEvent::PartsEnded { parts })?;
        let mut updated = stored.clone();
        updated.state = state.name().to_owned();
        updated.state_detail = detail_of(&state);
        updated.result_sealed = Some(self.vault.seal_for_request(
            id,
            "answer",
            &serde_json::to_vec(&answer).unwrap_or_default(),
        ));
        updated.updated_at = self.vault.now().to_string();
        let step = self.step(
            id,
            "answered",
            "worker",
            serde_json::json!({ "state": updated.state }),
        );
        match self
            .save(&updated, &stored.state, step, &[], "request.answer")
            .await
        {
            // Another process answered it first.
            Err(VaultError::NotNow(_)) => return Ok(()),
            other => other?,
        }
        self.tell_answered(&updated).await;
        Ok(())
    }

    async fn tell_answered(&self, stored: &StoredRequest) {
        let Ok(kind) = kind_of(stored) else { return };
        let lang = Lang::from_code(&stored.language).unwrap_or(Lang::En);
        let letter = letters::answered(
            lang,
            &self.vault.policy().controller.name,
            kind,
            &stored.id,
            &state_of(stored),
        );
        self.write_to_requester(stored, &letter).await;
    }

    /// Writes to the requester's first verified (or else first) e-mail or phone.
    async fn write_to_requester(&self, stored: &StoredRequest, letter: &letters::Letter) {
        let Ok(payload) = self.payload(stored) else {
            return;
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
        id: &str,
        viewer: &Viewer<'_>,
        format: &str,
    ) -> Result<(&'static str, Vec<u8>)> {
        let stored = self.for_viewer(id, viewer).await?;
        let Some(sealed) = &stored.result_sealed else {
            return Err(VaultError::NotNow(format!(
                "request `{id}` is not answered yet"
            )));
        };
        let bytes = self.vault.open_for_request(id, "answer", sealed)?;
        let answer: crate::execute::Answer = serde_json::from_slice(&bytes).map_err(|e| {
            VaultError::Store(steward_store::StoreError::Corrupt(format!("answer: {e}")))
        })?;
        let actor_id = match viewer {
            Viewer::Officer(actor) => actor.id.clone(),
            Viewer::Requester(_) => "subject".to_owned(),
        };
        let audit = self.vault.request_event(
            &actor_id,
            "request.download",
            stored.subject_id.as_deref(),
            serde_json::json!({ "request": id, "format": format }),
        );
        self.vault.store().append_audit(audit).await?;
        crate::execute::render(self.vault.policy(), &stored, &answer, format)
    }
}

fn next(stored: &StoredRequest, event: RequestEvent) -> Result<RequestState> {
    request::next(&state_of(stored), event).map_err(|e| VaultError::NotNow(e.to_string()))
}

fn next_state(stored: &StoredRequest, event: RequestEvent) -> Result<String> {
    Ok(next(stored, event)?.name().to_owned())
}

fn require_officer(actor: &Actor) -> Result<()> {
    if matches!(actor.role, Role::Admin | Role::PrivacyOfficer) {
        Ok(())
    } else {
        Err(VaultError::Forbidden(format!(
            "the {} role may not handle requests",
            actor.role.as_str()
        )))
    }
}

fn plain(text: &str, field: &str) -> Result<()> {
    if text.trim().is_empty() {
        return Err(invalid(
            field,
            "write it out; it is recorded and may be shown to the subject",
        ));
    }
    if text.chars().any(char::is_control) || text.len() > 2000 {
        return Err(invalid(field, "no control characters, at most 2000 bytes"));
    }
    Ok(())
}

fn stored_challenge(request_id: &str, kind: &str, challenge: &Challenge) -> StoredChallenge {
    StoredChallenge {
        request_id: request_id.to_owned(),
        identity_kind: kind.to_owned(),
        code_hash: challenge.code_hash.clone(),
        expires_at: challenge.expires_at,
        attempts: i64::from(challenge.attempts),
        verified: challenge.verified,
    }
}

pub(crate) fn job_state_name(state: JobState) -> &'static str {
    match state {
        JobState::Pending => "pending",
        JobState::Running => "running",
        JobState::Done => "done",
        JobState::Failed => "failed",
    }
}
