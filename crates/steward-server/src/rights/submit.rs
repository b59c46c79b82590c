//! A new request: its identities checked and a code sent to each, its
//! details checked for the right asked, stored with its deadline (and, when
//! an officer vouched for the identity, decided in the same transaction).

use jiff::civil::Date;
use serde::Deserialize;
use steward_domain::common::ids::RequestId;
use steward_domain::common::lang::Lang;
use steward_domain::policy::LegalBasis;
use steward_domain::rights::deadline::Deadline;
use steward_domain::rights::letters;
use steward_domain::rights::one_time_code;
use steward_domain::rights::request::{
    Channel, RequestKind, RequestState, RequestStatus, SealedUnder,
};
use steward_domain::vault::actor::Actor;
use steward_domain::vault::crypto::{SecretKey, hex_encode, sha256_hex};
use steward_store::{StoredChallenge, StoredRequest};

use crate::mail::Addressee;
use crate::rights::codes::{identity_key, stored_challenge};
use crate::rights::identity_check;
use crate::rights::payload::{Claimed, Payload};
use crate::rights::service::{Rights, plain};
use crate::vault::{IdentityInput, Result, VaultError, fresh_id, invalid, too_many};

/// Identities a code can be sent to; others need an officer's check.
pub(super) const CONTACTABLE: &[&str] = &["email", "phone"];
const MAX_IDENTITIES: usize = 5;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewRequest {
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
    /// Officers only: the day the request reached the controller, when that
    /// was before it was entered here (a letter received last week); the
    /// deadline runs from it.
    #[serde(default)]
    pub received: Option<Date>,
    /// Officers only: how it came (`web` unless said).
    #[serde(default)]
    pub channel: Option<Channel>,
    /// A request for a child by a holder of parental responsibility, where
    /// the policy takes them: who they are and how they are related. The
    /// identities are the child's; a privacy officer checks both.
    #[serde(default)]
    pub guardian: Option<String>,
}

/// A request as its requester first hears of it.
#[derive(Debug, Clone)]
pub struct Submission {
    pub id: RequestId,
    /// Shown once: lets the requester follow the request and read the answer.
    pub follow_secret: String,
    pub status: RequestStatus,
    pub due: Date,
    /// Why it waits, when it waits for a privacy officer's check.
    pub waits_for: Option<String>,
}

pub(super) fn follow_hash(secret: &str) -> String {
    sha256_hex(&[b"steward/follow/v1", secret.as_bytes()])
}

pub(super) fn new_follow_secret() -> String {
    hex_encode(SecretKey::generate().as_bytes())
}

impl Rights {
    /// A new request. From the public (no actor), every identity must be one
    /// a code can be sent to; an officer may vouch for the identity instead.
    pub async fn submit(&self, actor: Option<&Actor>, input: NewRequest) -> Result<Submission> {
        let officer = actor.filter(|a| a.role.is_officer());
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
        if let Some(guardian) = &input.guardian {
            if !self.vault.policy().rights.guardian_requests {
                return Err(invalid(
                    "guardian",
                    "this policy does not take requests by a holder of parental responsibility on a child's behalf",
                ));
            }
            plain(guardian, "guardian")?;
        }
        let method = self.vault.policy().rights.identity_verification;
        // The policy's method decides: codes to the channel it names, or a
        // privacy officer's check (also for a guardian: no code proves
        // parental responsibility).
        let by_officer = !input.identity_checked
            && (identity_check::checked_by_officer(method, input.kind) || input.guardian.is_some());
        let code_kinds = identity_check::code_kinds(method);
        let mut claimed: Vec<Claimed> = Vec::new();
        for given in &input.identities {
            let identity = self.vault.identity(given)?;
            let kind = identity.kind.as_str().to_owned();
            if !input.identity_checked && !by_officer && !code_kinds.contains(&kind.as_str()) {
                return Err(invalid(
                    format!("identities.{kind}"),
                    format!(
                        "this policy proves identity by a code sent to {}; for other identities, ask a privacy officer, who checks your identity another way",
                        if code_kinds.contains(&"phone") {
                            "your phone"
                        } else {
                            "your e-mail address"
                        }
                    ),
                ));
            }
            if claimed.iter().any(|c| c.kind == kind) {
                return Err(invalid(
                    format!("identities.{kind}"),
                    "give each kind of identity once",
                ));
            }
            claimed.push(Claimed {
                kind,
                value: identity.value,
            });
        }
        self.check_kind_details(&input)?;
        let language = self.language(input.language.as_deref())?;
        if (input.received.is_some() || input.channel.is_some()) && officer.is_none() {
            return Err(VaultError::Forbidden(
                "only a privacy officer records when and how a request was received".into(),
            ));
        }
        if let Some(received) = input.received
            && received > self.vault.today()
        {
            return Err(invalid(
                "received",
                format!(
                    "{received} is after today ({}): a request is entered once it has been received",
                    self.vault.today()
                ),
            ));
        }
        let channel = input.channel.unwrap_or(Channel::Web);

        let id: RequestId = fresh_id();
        let secret = new_follow_secret();
        let now = self.vault.now();
        let payload = Payload {
            identities: claimed.clone(),
            purpose: input.purpose.clone(),
            category: input.category.clone(),
            value: input.value.clone(),
            grounds: input.grounds.clone(),
            guardian: input.guardian.clone(),
            identity_evidence: None,
        };
        let mut codes = Vec::new();
        let mut challenges = Vec::new();
        for identity in &claimed {
            if input.identity_checked || by_officer {
                // Vouched for now, or to be checked by an officer: no code
                // exists, so none can be guessed.
                challenges.push(StoredChallenge {
                    request_id: id.clone(),
                    identity_kind: identity.kind.clone(),
                    code_hash: String::new(),
                    expires_at: jiff::Timestamp::UNIX_EPOCH,
                    attempts: 0,
                    verified: input.identity_checked,
                    sends: 0,
                    last_sent_at: jiff::Timestamp::UNIX_EPOCH,
                });
            } else {
                self.codes_per_identity
                    .check(&identity_key(identity))
                    .map_err(|limited| {
                        too_many(
                            &format!(
                                "identities.{}: too many requests with this identity just now",
                                identity.kind
                            ),
                            limited,
                        )
                    })?;
                let (code, challenge) =
                    one_time_code::issue(id.as_str(), &identity.kind, now.as_second());
                challenges.push(stored_challenge(&id, &identity.kind, &challenge)?);
                codes.push((identity.clone(), code));
            }
        }
        let state = if input.identity_checked {
            RequestState::Verified
        } else {
            RequestState::AwaitingVerification
        };
        let mut stored = self.new_request(&id, input.kind, &state, language, &payload, &secret)?;
        if let Some(received) = input.received {
            self.received_on_day(&mut stored, received)?;
        }
        if by_officer {
            stored.held = Some(identity_check::waits_for_officer(
                method,
                input.guardian.is_some(),
            ));
        }
        let actor_id = officer.map_or("subject", |a| a.id.as_str());
        let step = self.step(
            &id,
            "submitted",
            actor_id,
            serde_json::json!({
                "kind": stored.kind.as_str(),
                "identity_kinds": claimed.iter().map(|c| c.kind.as_str()).collect::<Vec<_>>(),
                "identity_checked_by_officer": input.identity_checked,
                "identity_to_be_checked_by_officer": by_officer,
                "by_guardian": input.guardian.is_some(),
                "received_on": self.received_on(&stored),
                "channel": channel.as_str(),
            }),
        );
        let audit = self.vault.event(
            actor_id,
            "request.submit",
            None,
            serde_json::json!({
                "request": id,
                "kind": stored.kind.as_str(),
                "received_on": self.received_on(&stored),
                "channel": channel.as_str(),
            }),
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
            self.send_code(&stored, &identity, &code).await;
        }
        Ok(Submission {
            id,
            follow_secret: secret,
            status: stored.status,
            due: stored.due_on,
            waits_for: stored.held.clone().filter(|_| by_officer),
        })
    }

    /// A request as it is first stored: received now, due in a month.
    pub(super) fn new_request(
        &self,
        id: &RequestId,
        kind: RequestKind,
        state: &RequestState,
        language: Lang,
        payload: &Payload,
        follow_secret: &str,
    ) -> Result<StoredRequest> {
        let now = self.vault.now();
        Ok(StoredRequest {
            id: id.clone(),
            kind,
            status: state.status(),
            state_detail: state.detail(),
            subject_id: None,
            language,
            payload_sealed: payload.seal(&self.vault.installation_request_key(), id)?,
            follow_hash: follow_hash(follow_secret),
            received_at: now,
            due_on: Deadline::new(self.vault.today(), self.promised()).due(self.vault.calendar()),
            extended_on: None,
            extension_reason: None,
            held: None,
            result_sealed: None,
            sealed_under: SealedUnder::Installation,
            updated_at: now,
        })
    }

    /// A request received on `day`, before it was entered: received at the
    /// start of that day where the controller is, due the promised period
    /// from it.
    fn received_on_day(&self, stored: &mut StoredRequest, day: Date) -> Result<()> {
        stored.received_at = self.vault.start_of(day)?;
        stored.due_on = Deadline::new(day, self.promised()).due(self.vault.calendar());
        Ok(())
    }

    /// The language asked for, if the policy speaks it; else its default.
    fn language(&self, code: Option<&str>) -> Result<Lang> {
        let policy = self.vault.policy();
        match code {
            None => Ok(policy.meta.default_language),
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
                }),
        }
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
                if let Some(why) = found.objection_refused() {
                    return Err(invalid("purpose", why));
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

    pub(super) async fn send_code(&self, stored: &StoredRequest, identity: &Claimed, code: &str) {
        let letter = letters::code(
            stored.language,
            &self.vault.policy().controller.name,
            stored.kind,
            &identity.kind,
            code,
            stored.id.as_str(),
        );
        // The requester can ask for the code again.
        self.send(stored, identity, &letter, "a code").await;
    }

    /// Sends a letter to a claimed identity; a failure is logged, not
    /// returned: the request stands either way.
    pub(super) async fn send(
        &self,
        stored: &StoredRequest,
        identity: &Claimed,
        letter: &letters::Letter,
        what: &str,
    ) {
        let to = Addressee {
            channel: identity.kind.clone(),
            address: identity.value.clone(),
        };
        if let Err(e) = self.outbox.send(&to, letter).await {
            tracing::error!(request = %stored.id, error = %e, "{what} could not be sent");
        }
    }

    /// The day an unverified request is removed.
    pub(super) fn unverified_removed_on(&self, stored: &StoredRequest) -> jiff::civil::Date {
        let lifetime = jiff::SignedDuration::try_from(self.unverified_lifetime)
            .unwrap_or(jiff::SignedDuration::MAX);
        stored
            .received_at
            .checked_add(lifetime)
            .map_or(jiff::civil::Date::MAX, |at| self.vault.local_date(at))
    }
}
