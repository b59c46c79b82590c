//! Following a request and proving its identities: the requester's follow
//! secret (an unknown request and a wrong secret look the same), the codes
//! entered for each claimed identity, and new codes when they expire.

use std::collections::BTreeMap;

use steward_domain::common::ids::RequestId;
use steward_domain::rights::letters;
use steward_domain::rights::one_time_code::{
    self, Challenge, MAX_SENDS, MAX_TRIES, ResendError, VerifyError, constant_time_eq,
};
use steward_domain::rights::request::{RequestEvent, RequestStatus};
use steward_domain::vault::actor::Actor;
use steward_store::StoredRequest;

use crate::rights::codes::{challenge_of, identity_key, stored_challenge};
use crate::rights::payload::{Claimed, Payload};
use crate::rights::service::{Rights, Viewer, next, not_found};
use crate::rights::submit::follow_hash;
use crate::vault::{Result, VaultError, corrupt, invalid, too_many};

impl Rights {
    /// Checks the requester's secret; an unknown request and a wrong secret
    /// look the same, so neither tells whether a request exists.
    async fn for_requester(&self, id: &RequestId, secret: &str) -> Result<StoredRequest> {
        let stored = self
            .vault
            .store()
            .request(id)
            .await?
            .ok_or_else(|| not_found(id))?;
        let given = follow_hash(secret);
        if constant_time_eq(given.as_bytes(), stored.follow_hash.as_bytes()) {
            Ok(stored)
        } else {
            Err(not_found(id))
        }
    }

    pub(super) async fn for_viewer(
        &self,
        id: &RequestId,
        viewer: &Viewer<'_>,
    ) -> Result<StoredRequest> {
        match viewer {
            Viewer::Officer(_) => self.load(id).await,
            Viewer::Requester(secret) => self.for_requester(id, secret).await,
        }
    }

    /// The requester proves each identity with its code. When all are
    /// proven the request starts. Every try counts against the code (in the
    /// store, atomically) and against the identity (over all its requests);
    /// when a code's last try is wrong, its identity is told.
    pub async fn verify(
        &self,
        id: &RequestId,
        secret: &str,
        codes: &BTreeMap<String, String>,
    ) -> Result<crate::rights::progress::Progress> {
        let stored = self.for_requester(id, secret).await?;
        if stored.status != RequestStatus::AwaitingVerification {
            return Err(VaultError::NotNow(format!(
                "request `{id}` is not awaiting verification"
            )));
        }
        if let Some(waits) = &stored.held {
            return Err(VaultError::NotNow(format!(
                "no code proves this request: {waits}"
            )));
        }
        let payload = Payload::open(&self.key_for(&stored).await?, &stored)?;
        let store = self.vault.store();
        let challenges = store.challenges(id).await?;
        for (kind, code) in codes {
            let field = format!("codes.{kind}");
            let held = challenges
                .iter()
                .find(|c| &c.identity_kind == kind)
                .ok_or_else(|| invalid(&field, "the request claims no identity of this kind"))?;
            let now = self.vault.now();
            let held = challenge_of(held);
            // A code already spent or expired is said so, without counting
            // against the identity.
            match one_time_code::refused(&held, now.as_second()) {
                None if held.verified => continue,
                Some(error) if held.attempts >= MAX_TRIES || now.as_second() > held.expires_at => {
                    return Err(refusal(&field, error, &held, now.as_second()));
                }
                _ => {}
            }
            let identity = claimed(&payload, kind)?;
            self.tries_per_identity
                .check(&identity_key(identity))
                .map_err(|limited| {
                    too_many(
                        &format!("{field}: too many tries at codes for this identity"),
                        limited,
                    )
                })?;
            let audit = self.vault.event(
                "subject",
                "request.code",
                None,
                serde_json::json!({ "request": id, "identity_kind": kind }),
            );
            let taken = store
                .take_code_try(id, kind, now, i64::from(MAX_TRIES), audit)
                .await?;
            let Some(taken) = taken else {
                let current = store
                    .challenges(id)
                    .await?
                    .into_iter()
                    .find(|c| &c.identity_kind == kind)
                    .ok_or_else(|| not_found(id))?;
                let current = challenge_of(&current);
                match one_time_code::refused(&current, now.as_second()) {
                    None => continue,
                    Some(error) => return Err(refusal(&field, error, &current, now.as_second())),
                }
            };
            if one_time_code::matches(&taken.code_hash, id.as_str(), kind, code) {
                let audit = self.vault.event(
                    "subject",
                    "request.identity_proven",
                    None,
                    serde_json::json!({ "request": id, "identity_kind": kind }),
                );
                store.prove_identity(id, kind, audit).await?;
            } else {
                let taken = challenge_of(&taken);
                if taken.attempts >= MAX_TRIES {
                    self.send_codes_failed(&stored, identity).await;
                }
                return Err(invalid(&field, one_time_code::wrong(&taken).to_string()));
            }
        }
        if store.challenges(id).await?.iter().all(|c| c.verified) {
            let mut updated = stored.clone();
            updated.set_state(&next(&stored, RequestEvent::IdentityVerified)?);
            updated.updated_at = self.vault.now();
            let step = self.step(id, "verified", "subject", serde_json::json!({}));
            self.save(&updated, stored.status, step, &[], "request.verify")
                .await?;
            self.advance(id, "subject").await?;
        }
        self.progress(id, &Viewer::Requester(secret)).await
    }

    /// New codes for the identities not yet verified (codes expire): a few
    /// per request, a minute apart, and a few an hour per identity.
    pub async fn resend(&self, id: &RequestId, secret: &str) -> Result<()> {
        let stored = self.for_requester(id, secret).await?;
        if stored.status != RequestStatus::AwaitingVerification {
            return Err(VaultError::NotNow(format!(
                "request `{id}` is not awaiting verification, so no codes are sent"
            )));
        }
        if let Some(waits) = &stored.held {
            return Err(VaultError::NotNow(format!(
                "no code is sent for this request: {waits}"
            )));
        }
        let payload = Payload::open(&self.key_for(&stored).await?, &stored)?;
        let now = self.vault.now();
        for held in self.vault.store().challenges(id).await? {
            if held.verified {
                continue;
            }
            let identity = claimed(&payload, &held.identity_kind)?;
            one_time_code::may_resend(&challenge_of(&held), now.as_second()).map_err(|error| {
                VaultError::TooMany {
                    message: error.to_string(),
                    retry_after_seconds: match error {
                        ResendError::TooSoon { wait_seconds } => u64::try_from(wait_seconds).ok(),
                        ResendError::NoMore => None,
                    },
                }
            })?;
            self.codes_per_identity
                .check(&identity_key(identity))
                .map_err(|limited| too_many("too many codes sent to this identity", limited))?;
            let (code, fresh) = one_time_code::issue(id.as_str(), &identity.kind, now.as_second());
            let audit = self.vault.event(
                "subject",
                "request.code_sent",
                None,
                serde_json::json!({ "request": id, "identity_kind": identity.kind }),
            );
            let spaced_since = jiff::Timestamp::from_second(
                now.as_second() - one_time_code::RESEND_SPACING_SECONDS,
            )
            .map_err(|e| VaultError::Internal(format!("a time: {e}")))?;
            let replaced = self
                .vault
                .store()
                .replace_code(
                    &stored_challenge(id, &identity.kind, &fresh)?,
                    i64::from(MAX_SENDS),
                    spaced_since,
                    audit,
                )
                .await?;
            if !replaced {
                // Another resend got there first.
                return Err(VaultError::TooMany {
                    message: "a new code was sent just now; wait a minute".into(),
                    retry_after_seconds: u64::try_from(one_time_code::RESEND_SPACING_SECONDS).ok(),
                });
            }
            self.send_code(&stored, identity, &code).await;
        }
        Ok(())
    }

    /// Removes requests that waited longer than the unverified lifetime for
    /// their codes, with what they claimed; returns how many. Forgets the
    /// limits' idle counts while at it.
    pub async fn expire_unverified(&self) -> Result<usize> {
        const BATCH: i64 = 100;
        let lifetime = jiff::SignedDuration::try_from(self.unverified_lifetime)
            .unwrap_or(jiff::SignedDuration::MAX);
        let before = self
            .vault
            .now()
            .checked_sub(lifetime)
            .unwrap_or(jiff::Timestamp::MIN);
        let store = self.vault.store();
        let mut removed = 0;
        loop {
            let stale = store.unverified_requests_before(before, BATCH).await?;
            for id in &stale {
                let audit = self.vault.event(
                    &Actor::system().id,
                    "request.expired",
                    None,
                    serde_json::json!({
                        "request": id,
                        "why": "its identities were not verified in time",
                        "lifetime_hours": self.unverified_lifetime.as_secs() / 3600,
                    }),
                );
                if store.remove_unverified_request(id, audit).await? {
                    removed += 1;
                }
            }
            if stale.len() < usize::try_from(BATCH).unwrap_or(usize::MAX) {
                break;
            }
        }
        self.codes_per_identity.forget_idle();
        self.tries_per_identity.forget_idle();
        Ok(removed)
    }

    /// Every try at a code was wrong: its identity hears of it.
    async fn send_codes_failed(&self, stored: &StoredRequest, identity: &Claimed) {
        let removed = self.unverified_removed_on(stored);
        let letter = letters::codes_failed(
            stored.language,
            &self.vault.policy().controller.name,
            stored.kind,
            &identity.kind,
            MAX_TRIES,
            &removed.to_string(),
            stored.id.as_str(),
        );
        self.send(stored, identity, &letter, "the wrong-codes letter")
            .await;
    }
}

/// The identity of `kind` that a request claims.
fn claimed<'p>(payload: &'p Payload, kind: &str) -> Result<&'p Claimed> {
    payload
        .identities
        .iter()
        .find(|i| i.kind == kind)
        .ok_or_else(|| {
            corrupt(format!(
                "the request has a code for `{kind}` but claims no such identity"
            ))
        })
}

/// A try refused before it was made: an expired code is bad input (422);
/// a spent one is a limit reached (429), with when a new code may be asked.
fn refusal(field: &str, error: VerifyError, challenge: &Challenge, now: i64) -> VaultError {
    match error {
        VerifyError::Expired => invalid(field, error.to_string()),
        _ => VaultError::TooMany {
            message: format!("{field}: {error}"),
            retry_after_seconds: resend_wait(challenge, now),
        },
    }
}

/// Seconds until a new code may be asked for, when one may be.
fn resend_wait(challenge: &Challenge, now: i64) -> Option<u64> {
    match one_time_code::may_resend(challenge, now) {
        Ok(()) => Some(1),
        Err(ResendError::TooSoon { wait_seconds }) => u64::try_from(wait_seconds).ok(),
        Err(ResendError::NoMore) => None,
    }
}
