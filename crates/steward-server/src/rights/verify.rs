//! Following a request and proving its identities: the requester's follow
//! secret (an unknown request and a wrong secret look the same), the codes
//! entered for each claimed identity, and new codes when they expire.

use std::collections::BTreeMap;

use steward_domain::common::ids::RequestId;
use steward_domain::rights::one_time_code::{self, Challenge, constant_time_eq};
use steward_domain::rights::request::{RequestEvent, RequestStatus};
use steward_store::StoredRequest;

use crate::rights::payload::Payload;
use crate::rights::service::{Rights, Viewer, next, not_found};
use crate::rights::submit::{follow_hash, stored_challenge};
use crate::vault::{Result, VaultError, invalid};

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
    /// proven the request starts.
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
        let now = self.vault.now().as_second();
        let mut challenges = self.vault.store().challenges(id).await?;
        for (kind, code) in codes {
            let held = challenges
                .iter_mut()
                .find(|c| &c.identity_kind == kind)
                .ok_or_else(|| {
                    invalid(
                        format!("codes.{kind}"),
                        "the request claims no identity of this kind",
                    )
                })?;
            let mut challenge = Challenge {
                code_hash: held.code_hash.clone(),
                expires_at: held.expires_at.as_second(),
                attempts: u32::try_from(held.attempts).unwrap_or(u32::MAX),
                verified: held.verified,
            };
            let checked = one_time_code::check(&mut challenge, id.as_str(), kind, code, now);
            *held = stored_challenge(id, kind, &challenge)?;
            let audit = self.vault.event(
                "subject",
                "request.code",
                None,
                serde_json::json!({ "request": id, "identity_kind": kind, "ok": checked.is_ok() }),
            );
            self.vault.store().save_challenge(held, audit).await?;
            if let Err(e) = checked {
                return Err(invalid(format!("codes.{kind}"), e.to_string()));
            }
        }
        if challenges.iter().all(|c| c.verified) {
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

    /// New codes for the identities not yet verified (codes expire).
    pub async fn resend(&self, id: &RequestId, secret: &str) -> Result<()> {
        let stored = self.for_requester(id, secret).await?;
        if stored.status != RequestStatus::AwaitingVerification {
            return Err(VaultError::NotNow(format!(
                "request `{id}` is not awaiting verification, so no codes are sent"
            )));
        }
        let payload = Payload::open(self.vault.key_ring(), &stored)?;
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
            let (code, fresh) = one_time_code::issue(id.as_str(), &identity.kind, now);
            let audit = self.vault.event(
                "subject",
                "request.code_sent",
                None,
                serde_json::json!({ "request": id, "identity_kind": identity.kind }),
            );
            self.vault
                .store()
                .save_challenge(&stored_challenge(id, &identity.kind, &fresh)?, audit)
                .await?;
            self.send_code(&stored, identity, &code).await;
        }
        Ok(())
    }
}
