//! One-click unsubscribe (Art. 21(2)-(3), RFC 8058): the link in a mailing
//! proves its recipient, and an objection to direct marketing is honoured
//! without conditions, at once.

use steward_domain::common::ids::{RequestId, SubjectId};
use steward_domain::rights::request::{RequestKind, RequestState};
use steward_domain::vault::crypto::sha256_hex;

use crate::rights::payload::Payload;
use crate::rights::service::Rights;
use crate::rights::submit::{Submission, new_follow_secret};
use crate::vault::{Result, VaultError, fresh_id};

impl Rights {
    /// The token of a subject's one-click unsubscribe link: unforgeable
    /// without the installation's keys.
    pub fn unsubscribe_token(&self, subject: &SubjectId) -> String {
        let mac = sha256_hex(&[
            b"steward/unsubscribe/v1",
            self.vault.pseudonym(subject).as_bytes(),
        ]);
        format!("{subject}.{}", &mac[..32])
    }

    pub async fn unsubscribe(&self, token: &str) -> Result<Submission> {
        let forged = || VaultError::NotFound {
            what: "unsubscribe link",
            id: "(not valid)".into(),
        };
        let (subject, _) = token.split_once('.').ok_or_else(forged)?;
        let subject = SubjectId::from(subject);
        if self.unsubscribe_token(&subject) != token {
            return Err(forged());
        }
        let id: RequestId = fresh_id();
        let secret = new_follow_secret();
        let payload = Payload {
            identities: Vec::new(),
            purpose: Some("direct_marketing".into()),
            category: None,
            value: None,
            grounds: None,
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
        let start = self.plan_start(&stored, stored.clone(), &payload, "subject")?;
        let stored = self.create(stored, &[], step, audit, Some(start)).await?;
        Ok(Submission {
            id,
            follow_secret: secret,
            status: stored.status,
            due: stored.due_on,
        })
    }
}
