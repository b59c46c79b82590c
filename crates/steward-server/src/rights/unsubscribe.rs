//! One-click unsubscribe (Art. 21(2)-(3), RFC 8058): the link in a mailing
//! proves its recipient, and an objection to direct marketing is honoured
//! without conditions, at once. A link is given only to those who send
//! mailings, for a subject that exists; following it again changes nothing.

use steward_domain::common::ids::{RequestId, SubjectId};
use steward_domain::rights::one_time_code::constant_time_eq;
use steward_domain::rights::request::{RequestKind, RequestState};
use steward_domain::vault::actor::{Actor, Role};
use steward_domain::vault::crypto::sha256_hex;
use steward_store::StoredRequest;

use crate::rights::payload::Payload;
use crate::rights::service::Rights;
use crate::rights::submit::Submission;
use crate::vault::{Result, VaultError};

impl Rights {
    /// The token of a subject's one-click unsubscribe link: unforgeable
    /// without the installation's keys.
    fn unsubscribe_token(&self, subject: &SubjectId) -> String {
        format!("{subject}.{}", &self.link_mac(subject)[..32])
    }

    fn link_mac(&self, subject: &SubjectId) -> String {
        sha256_hex(&[
            b"steward/unsubscribe/v1",
            self.vault.pseudonym(subject).as_bytes(),
        ])
    }

    /// The link for a mailing to `subject`: only for a live subject, and
    /// for a service only when one of its purposes is direct marketing (a
    /// service that sends no mailings has no use for one, and must not
    /// record an objection it could not record directly).
    pub async fn unsubscribe_link(&self, actor: &Actor, subject: &SubjectId) -> Result<String> {
        if actor.role == Role::Service {
            let policy = self.vault.policy();
            let markets = actor
                .purposes
                .iter()
                .any(|p| policy.purpose(p).is_some_and(|p| p.direct_marketing));
            if !markets {
                return Err(VaultError::Forbidden(
                    "none of this token's purposes is direct marketing, so it sends no mailings that need an unsubscribe link".into(),
                ));
            }
        }
        let found = self.vault.live_subject(subject).await?;
        // Only for someone the token's own mailings concern.
        if actor.role == Role::Service {
            let policy = self.vault.policy();
            let mails_them = actor.purposes.iter().any(|p| {
                policy
                    .purpose(p)
                    .is_some_and(|p| p.direct_marketing && p.subjects.contains(&found.subject_type))
            });
            if !mails_them {
                return Err(VaultError::Forbidden(format!(
                    "none of this token's direct-marketing purposes concerns subjects of type `{}`",
                    found.subject_type
                )));
            }
        }
        Ok(self.unsubscribe_token(subject))
    }

    /// Whether `token` is a link this installation made (the portal's
    /// confirmation page asks before anything is done).
    pub fn unsubscribe_link_is_valid(&self, token: &str) -> bool {
        token.split_once('.').is_some_and(|(subject, _)| {
            constant_time_eq(
                self.unsubscribe_token(&SubjectId::from(subject)).as_bytes(),
                token.as_bytes(),
            )
        })
    }

    /// Following the link: one request per link, however often it is
    /// followed (a replay answers the same request, with the same follow
    /// secret, and changes nothing).
    pub async fn unsubscribe(&self, token: &str) -> Result<Submission> {
        let forged = || VaultError::NotFound {
            what: "unsubscribe link",
            id: "(not valid)".into(),
        };
        let (subject, _) = token.split_once('.').ok_or_else(forged)?;
        let subject = SubjectId::from(subject);
        if !constant_time_eq(
            self.unsubscribe_token(&subject).as_bytes(),
            token.as_bytes(),
        ) {
            return Err(forged());
        }
        // Both are derived from the link's secret part: the same link gives
        // the same request, and only the link's holder can follow it.
        let mac = self.link_mac(&subject);
        let id = RequestId::from(format!(
            "unsubscribe-{}",
            &sha256_hex(&[b"steward/unsubscribe/request/v1", mac.as_bytes()])[..32]
        ));
        let secret = sha256_hex(&[b"steward/unsubscribe/follow/v1", mac.as_bytes()]);
        if let Some(existing) = self.vault.store().request(&id).await? {
            return Ok(replayed(existing, secret));
        }
        self.vault.live_subject(&subject).await?;
        let payload = Payload {
            identities: Vec::new(),
            purpose: Some("direct_marketing".into()),
            category: None,
            value: None,
            grounds: None,
            guardian: None,
            identity_evidence: None,
        };
        let mut stored = self.new_request(
            &id,
            RequestKind::Unsubscribe,
            &RequestState::Verified,
            self.vault.policy().meta.default_language,
            &payload,
            &secret,
        )?;
        stored.subject_id = Some(subject.clone());
        let step = self.step(
            &id,
            "submitted",
            "subject",
            serde_json::json!({ "kind": "unsubscribe", "by": "one_click_link" }),
        );
        let audit = self.vault.event(
            "subject",
            "request.submit",
            Some(&subject),
            serde_json::json!({ "request": id, "kind": "unsubscribe" }),
        );
        let start = self
            .plan_start(&stored, stored.clone(), &payload, "subject")
            .await?;
        match self.create(stored, &[], step, audit, Some(start)).await {
            Ok(stored) => Ok(Submission {
                id,
                follow_secret: secret,
                status: stored.status,
                due: stored.due_on,
                waits_for: None,
            }),
            // Followed twice at once: the other one made it.
            Err(VaultError::Conflict { .. }) => {
                let existing = self.vault.store().request(&id).await?.ok_or_else(forged)?;
                Ok(replayed(existing, secret))
            }
            Err(e) => Err(e),
        }
    }
}

fn replayed(existing: StoredRequest, follow_secret: String) -> Submission {
    Submission {
        id: existing.id,
        follow_secret,
        status: existing.status,
        due: existing.due_on,
        waits_for: None,
    }
}
