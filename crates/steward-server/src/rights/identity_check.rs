//! Identities checked by a person, as the policy's `identity_verification`
//! says (an officer's check, a signed request, an e-ID seen), and requests
//! by a holder of parental responsibility: no code can prove those, so the
//! request waits for a privacy officer, who records what they saw.

use steward_domain::common::ids::RequestId;
use steward_domain::policy::Verification;
use steward_domain::rights::request::{RequestEvent, RequestKind, RequestStatus};
use steward_domain::vault::actor::Actor;

use crate::rights::payload::{Evidence, Payload};
use crate::rights::progress::Progress;
use crate::rights::service::{Rights, Viewer, next, plain};
use crate::vault::{Result, VaultError};

/// Why a request waits for an officer's check, as the requester reads it.
pub(crate) fn waits_for_officer(method: Verification, guardian: bool) -> String {
    if guardian {
        return "a request for a child by a holder of parental responsibility: a privacy officer checks both who you are and your parental responsibility before the request goes further".into();
    }
    match method {
        Verification::SignedRequest => "the policy verifies identity by a signed request: a privacy officer checks your signed request and the details you gave before the request goes further".into(),
        Verification::Bankid => "the policy verifies identity by e-ID (BankID), which a privacy officer checks: this installation has no BankID service of its own".into(),
        _ => "the policy verifies identity by a privacy officer's check of the details you gave against those held".into(),
    }
}

/// Whether a request of `kind` under `method` waits for an officer rather
/// than codes. A signed request is what a copy of one's data needs
/// (Connectel: "you should sign the request to receive information of the
/// processing of your personal data yourself"); for the other rights the
/// details that identify the requester (proven by code) suffice.
pub(crate) fn checked_by_officer(method: Verification, kind: RequestKind) -> bool {
    match method {
        Verification::Manual | Verification::Bankid => true,
        Verification::SignedRequest => {
            matches!(kind, RequestKind::Access | RequestKind::Portability)
        }
        Verification::EmailCode | Verification::SmsCode => false,
    }
}

/// The identity kinds a code may be sent to under `method`: the channel
/// it names, or (where codes only identify, beside a person's check) both.
pub(crate) fn code_kinds(method: Verification) -> &'static [&'static str] {
    match method {
        Verification::EmailCode => &["email"],
        Verification::SmsCode => &["phone"],
        _ => &["email", "phone"],
    }
}

impl Rights {
    /// A privacy officer confirms the identities of a request that waits
    /// for their check, recording what they saw; the request then goes on
    /// as a verified one.
    pub async fn confirm_identity(
        &self,
        actor: &Actor,
        id: &RequestId,
        evidence: &str,
    ) -> Result<Progress> {
        plain(evidence, "evidence")?;
        let stored = self.load(id).await?;
        if stored.status != RequestStatus::AwaitingVerification {
            return Err(VaultError::NotNow(format!(
                "request `{id}` is not awaiting verification"
            )));
        }
        // One proven by codes is the requester's to prove: an officer vouches
        // for a requester by submitting with `identity_checked` instead.
        if stored.held.is_none() {
            return Err(VaultError::NotNow(format!(
                "request `{id}` is proven by the codes sent to its identities, not by an officer's check"
            )));
        }
        let key = self.key_for(&stored).await?;
        let mut payload = Payload::open(&key, &stored)?;
        let method = self.vault.policy().rights.identity_verification;
        payload.identity_evidence = Some(Evidence {
            method: serde_json::to_value(method)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            seen: evidence.to_owned(),
            by: actor.id.clone(),
            at: self.vault.now(),
        });
        let store = self.vault.store();
        for challenge in store.challenges(id).await? {
            if challenge.verified {
                continue;
            }
            let audit = self.vault.event(
                &actor.id,
                "request.identity_confirmed",
                None,
                serde_json::json!({ "request": id, "identity_kind": challenge.identity_kind }),
            );
            store
                .prove_identity(id, &challenge.identity_kind, audit)
                .await?;
        }
        let mut updated = stored.clone();
        updated.payload_sealed = payload.seal(&key, id)?;
        updated.held = None;
        updated.set_state(&next(&stored, RequestEvent::IdentityVerified)?);
        updated.updated_at = self.vault.now();
        // What was seen is sealed with the request; the step says who
        // checked, how, and whether for a child.
        let step = self.step(
            id,
            "identity_confirmed",
            &actor.id,
            serde_json::json!({
                "method": payload.identity_evidence.as_ref().map(|e| e.method.clone()),
                "by_guardian": payload.guardian.is_some(),
            }),
        );
        self.save(&updated, stored.status, step, &[], "request.verify")
            .await?;
        self.advance(id, &actor.id).await?;
        self.progress(id, &Viewer::Officer(actor)).await
    }
}
