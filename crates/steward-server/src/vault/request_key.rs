//! The key a request's sealed data is under: the installation's requests
//! key, or the subject's own data key (`rights/sealing.rs` says which and
//! why). Only the vault holds keys; the rights service asks for one.

use steward_domain::common::ids::{RequestId, SubjectId};
use steward_domain::rights::request::SealedUnder;
use steward_domain::vault::crypto::{DataKey, FieldContext};

use crate::vault::error::{Result, VaultError, corrupt};
use crate::vault::key_ring::{KEY_VERSION, KeyRing};
use crate::vault::service::Vault;

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

impl Vault {
    /// The installation's key for requests.
    pub(crate) fn installation_request_key(&self) -> RequestKey<'_> {
        RequestKey::Installation(self.key_ring())
    }

    /// The key data sealed `under` is sealed with, for `request` about
    /// `subject`. [`VaultError::Erased`] once the subject's key is gone.
    pub(crate) async fn request_key(
        &self,
        request: &RequestId,
        under: SealedUnder,
        subject: Option<&SubjectId>,
    ) -> Result<RequestKey<'_>> {
        match under {
            SealedUnder::Installation => Ok(self.installation_request_key()),
            SealedUnder::Subject => {
                let subject = subject.ok_or_else(|| {
                    corrupt(format!(
                        "request {request} is sealed under its subject's key but names no subject"
                    ))
                })?;
                let wrapped = self
                    .store()
                    .subject_key(subject)
                    .await?
                    .ok_or_else(|| VaultError::Erased(subject.to_string()))?;
                Ok(RequestKey::Subject(
                    self.key_ring().data_key(subject, &wrapped)?,
                ))
            }
        }
    }
}
