//! A data subject signs in to the portal with a code sent to an identity
//! the vault holds for them, and gets a short session scoped to their own
//! subject: to see and change their consents, and see their requests.
//!
//! Nothing is stored for it. Asking for a code gives the browser a ticket:
//! a random nonce and a keyed digest of it with the identity and the
//! browser (its CSRF code), so only a code Steward sent can be tried, and
//! each try needs a letter to the holder of the identity, who notices. The
//! code is eight digits, a keyed digest of the subject, the browser, the
//! nonce and the quarter hour: it works only in the browser that asked,
//! for 15 to 30 minutes. The session is the subject, its end and a keyed
//! digest of both with the browser, so a stolen session cookie is useless
//! without the browser's CSRF cookie and no session outlives
//! [`SESSION_LENGTH`]. Codes and tries are limited per identity, apart from
//! the limits of rights requests (a sign-in must never block a request),
//! and per client address at the HTTP edge; an address the vault does not
//! hold gets the same answer, as fast, as one it does.

use jiff::Timestamp;
use steward_domain::common::ids::SubjectId;
use steward_domain::common::lang::Lang;
use steward_domain::rights::letters;
use steward_domain::rights::one_time_code::constant_time_eq;
use steward_domain::rights::request::RequestKind;
use steward_domain::vault::identity::Provenance;
use steward_store::StoredRequest;

use crate::mail::Addressee;
use crate::rights::codes::identity_key;
use crate::rights::identity_check::{checked_by_officer, code_kinds};
use crate::rights::payload::Claimed;
use crate::rights::service::Rights;
use crate::vault::{IdentityInput, Result, VaultError, invalid, too_many};

/// How long a session lasts from signing in, whatever is done in it.
pub const SESSION_LENGTH: jiff::SignedDuration = jiff::SignedDuration::from_mins(30);
/// A code is good in the quarter hour it was made and the next.
const WINDOW_SECONDS: i64 = 15 * 60;

/// A signed-in subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub subject: SubjectId,
    pub until: Timestamp,
}

impl Session {
    /// The cookie's value.
    pub fn token(&self, rights: &Rights, browser: &str) -> String {
        let until = self.until.as_second();
        format!(
            "{}.{until}.{}",
            self.subject,
            rights.session_mac(&self.subject, until, browser)
        )
    }
}

impl Rights {
    /// Whether this policy lets a subject sign in with a code, and to which
    /// kind of identity.
    pub fn sign_in_kind(&self) -> Option<&'static str> {
        let method = self.vault.policy().rights.identity_verification;
        // A consent is withdrawn on the same proof as a request to withdraw it.
        if checked_by_officer(method, RequestKind::ConsentWithdrawal) {
            return None;
        }
        code_kinds(method).first().copied()
    }

    /// Refuses sign-in where the policy does not offer it, or with another
    /// kind of identity than the one it sends codes to.
    fn sign_in_allowed(&self, identity: &IdentityInput) -> Result<()> {
        let kind = self.sign_in_kind().ok_or_else(|| {
            VaultError::Forbidden(
                "this policy proves who you are another way; make a request instead".into(),
            )
        })?;
        if identity.kind != kind {
            return Err(invalid("identity", format!("sign in with your {kind}")));
        }
        Ok(())
    }

    /// Sends a sign-in code to `identity` if a live subject holds it as
    /// its own (not as added by a service), and gives the browser its
    /// ticket. The answer is the same, as fast, either way: the page must
    /// not tell who is a customer.
    pub async fn send_sign_in_code(
        &self,
        identity: &IdentityInput,
        browser: &str,
        lang: Lang,
    ) -> Result<String> {
        self.sign_in_allowed(identity)?;
        let claimed = self.claimed(identity)?;
        self.codes_per_identity
            .check(&sign_in_key(&claimed))
            .map_err(|limited| {
                too_many(
                    "identity: too many codes for this identity just now",
                    limited,
                )
            })?;
        let nonce = steward_domain::vault::crypto::SecretKey::generate().to_hex();
        let ticket = format!("{nonce}.{}", self.ticket_mac(&claimed, &nonce, browser));
        let Some(subject) = self.own_subject(identity).await? else {
            return Ok(ticket);
        };
        let code = self.sign_in_code(&subject, browser, &nonce, self.window(0));
        let letter = letters::sign_in_code(lang, &self.vault.policy().controller.name, &code);
        let to = Addressee {
            channel: claimed.kind,
            address: claimed.value,
        };
        // Sent beside the answer, not before it: waiting for the mail
        // server would tell a known address from an unknown one.
        let outbox = self.outbox.clone();
        tokio::spawn(async move {
            if let Err(e) = outbox.send(&to, &letter).await {
                tracing::error!(error = %e, "a sign-in code could not be sent");
            }
        });
        Ok(ticket)
    }

    /// Checks a sign-in code; a right one starts a session, audited.
    pub async fn sign_in(
        &self,
        identity: &IdentityInput,
        code: &str,
        browser: &str,
        ticket: &str,
    ) -> Result<Session> {
        self.sign_in_allowed(identity)?;
        let claimed = self.claimed(identity)?;
        self.tries_per_identity
            .check(&sign_in_key(&claimed))
            .map_err(|limited| too_many("code: too many tries for this identity", limited))?;
        let wrong = || {
            invalid(
                "code",
                "the code is not right, or no longer valid; ask for a new one",
            )
        };
        // Only a code Steward sent, to this identity for this browser.
        let (nonce, mac) = ticket.split_once('.').ok_or_else(wrong)?;
        let expected = self.ticket_mac(&claimed, nonce, browser);
        if !constant_time_eq(expected.as_bytes(), mac.as_bytes()) {
            return Err(wrong());
        }
        let subject = self.own_subject(identity).await?.ok_or_else(wrong)?;
        let code = code.trim();
        let right = [0, -1].into_iter().any(|back| {
            let expected = self.sign_in_code(&subject, browser, nonce, self.window(back));
            constant_time_eq(expected.as_bytes(), code.as_bytes())
        });
        if !right {
            return Err(wrong());
        }
        let session = Session {
            subject: subject.clone(),
            until: self
                .vault
                .now()
                .checked_add(SESSION_LENGTH)
                .map_err(|e| VaultError::Internal(format!("a session's end: {e}")))?,
        };
        let audit = self.vault.event(
            "subject",
            "portal.sign_in",
            Some(&subject),
            serde_json::json!({ "identity_kind": claimed.kind }),
        );
        self.vault.store().append_audit(audit).await?;
        Ok(session)
    }

    /// The session a cookie holds, if it is this browser's and still runs.
    pub fn session(&self, token: &str, browser: &str) -> Option<Session> {
        let mut parts = token.rsplitn(3, '.');
        let (mac, until, subject) = (parts.next()?, parts.next()?, parts.next()?);
        let seconds: i64 = until.parse().ok()?;
        let subject = SubjectId::from(subject.to_owned());
        let expected = self.session_mac(&subject, seconds, browser);
        if !constant_time_eq(expected.as_bytes(), mac.as_bytes()) {
            return None;
        }
        let until = Timestamp::from_second(seconds).ok()?;
        (self.vault.now() < until).then_some(Session { subject, until })
    }

    /// The subject's requests, newest first, for their own page.
    pub async fn own_requests(&self, session: &Session) -> Result<Vec<StoredRequest>> {
        let mut requests = self
            .vault
            .store()
            .requests_of_subject(&session.subject)
            .await?;
        requests.sort_by_key(|r| std::cmp::Reverse(r.received_at));
        Ok(requests)
    }

    fn claimed(&self, identity: &IdentityInput) -> Result<Claimed> {
        let parsed = self.vault.identity(identity)?;
        Ok(Claimed {
            kind: parsed.kind.as_str().to_owned(),
            value: parsed.value,
        })
    }

    /// The live subject holding `identity` as its own: one a service added
    /// proves nothing (`Provenance::Service`).
    async fn own_subject(&self, identity: &IdentityInput) -> Result<Option<SubjectId>> {
        Ok(self
            .vault
            .subject_of_identity(identity)
            .await?
            .filter(|(_, provenance)| *provenance != Provenance::Service)
            .map(|(subject, _)| subject))
    }

    fn window(&self, back: i64) -> i64 {
        self.vault.now().as_second().div_euclid(WINDOW_SECONDS) + back
    }

    fn sign_in_code(&self, subject: &SubjectId, browser: &str, nonce: &str, window: i64) -> String {
        let digest = self.vault.keyed_digest(
            "portal/sign-in/v2",
            &format!("{subject}\u{0}{browser}\u{0}{nonce}\u{0}{window}"),
        );
        let number = u64::from_str_radix(&digest[..15], 16).unwrap_or_default();
        format!("{:08}", number % 100_000_000)
    }

    fn ticket_mac(&self, identity: &Claimed, nonce: &str, browser: &str) -> String {
        self.vault.keyed_digest(
            "portal/sign-in-ticket/v1",
            &format!("{}\u{0}{nonce}\u{0}{browser}", sign_in_key(identity)),
        )
    }

    fn session_mac(&self, subject: &SubjectId, until: i64, browser: &str) -> String {
        self.vault.keyed_digest(
            "portal/session/v1",
            &format!("{subject}\u{0}{until}\u{0}{browser}"),
        )
    }
}

/// The limits' key for signing in: apart from the rights requests' own, so
/// spending an identity's sign-in codes never blocks its requests
/// (Art. 12(2)).
fn sign_in_key(identity: &Claimed) -> String {
    format!("sign-in/{}", identity_key(identity))
}
