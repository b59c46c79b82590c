//! Whose key a request's details, part results and answer are sealed under.
//! Before a request leads to a subject, only the installation's requests key
//! exists; once it does, the subject's own data key, so an erasure (which
//! deletes that key) makes every earlier answer about them unreadable, in
//! the database and in every backup. An erasure request stays under the
//! installation's key: its answer says what was kept and why, must outlive
//! the person's key, and holds no erased value.

use steward_domain::common::ids::RequestId;
use steward_domain::rights::request::{RequestKind, SealedUnder};
use steward_domain::vault::crypto::{DataKey, FieldContext};
use steward_store::StoredRequest;

use crate::rights::service::Rights;
use crate::vault::{KEY_VERSION, KeyRing, Result, VaultError, corrupt};

pub(crate) enum RequestKey<'a> {
    Installation(&'a KeyRing),
    Subject(DataKey),
}

impl RequestKey<'_> {
    pub fn seal(&self, request: &RequestId, field: &str, plaintext: &[u8]) -> Vec<u8> {
        match self {
            Self::Installation(keys) => keys.seal_for_request(request.as_str(), field, plaintext),
            Self::Subject(key) => key.seal(plaintext, context(request, field)),
        }
    }

    pub fn open(&self, request: &RequestId, field: &str, sealed: &[u8]) -> Result<Vec<u8>> {
        match self {
            Self::Installation(keys) => keys.open_for_request(request.as_str(), field, sealed),
            Self::Subject(key) => Ok(key.open(sealed, context(request, field))?),
        }
    }
}

fn context<'a>(request: &'a RequestId, field: &'a str) -> FieldContext<'a> {
    FieldContext {
        subject: request.as_str(),
        field,
        key_version: KEY_VERSION,
    }
}

/// Whether a request that leads to a subject moves under the subject's key.
pub(crate) fn under_subject_key(kind: RequestKind) -> bool {
    kind != RequestKind::Erasure
}

impl Rights {
    /// The key `stored`'s sealed data is under. A request about a person
    /// whose key was erased is [`VaultError::Erased`]: what it held went
    /// with them.
    pub(crate) async fn key_for(&self, stored: &StoredRequest) -> Result<RequestKey<'_>> {
        match stored.sealed_under {
            SealedUnder::Installation => Ok(RequestKey::Installation(self.vault.key_ring())),
            SealedUnder::Subject => {
                let subject = stored.subject_id.as_ref().ok_or_else(|| {
                    corrupt(format!(
                        "request {} is sealed under its subject's key but names no subject",
                        stored.id
                    ))
                })?;
                let wrapped = self
                    .vault
                    .store()
                    .subject_key(subject)
                    .await?
                    .ok_or_else(|| VaultError::Erased(subject.to_string()))?;
                Ok(RequestKey::Subject(
                    self.vault.key_ring().data_key(subject, &wrapped)?,
                ))
            }
        }
    }
}
