//! Whose key a request's details, part results and answer are sealed under.
//! Before a request leads to a subject, only the installation's requests key
//! exists; once it does, the subject's own data key, so an erasure (which
//! deletes that key) makes every earlier answer about them unreadable, in
//! the database and in every backup. An erasure request stays under the
//! installation's key: its answer says what was kept and why, must outlive
//! the person's key, and holds no erased value. The keys are the vault's
//! (`vault/request_key.rs`).

use steward_domain::rights::request::RequestKind;
use steward_store::StoredRequest;

use crate::rights::service::Rights;
pub(crate) use crate::vault::RequestKey;
use crate::vault::Result;

/// Whether a request that leads to a subject moves under the subject's key.
pub(crate) fn under_subject_key(kind: RequestKind) -> bool {
    kind != RequestKind::Erasure
}

impl Rights {
    /// The key `stored`'s sealed data is under. A request about a person
    /// whose key was erased is `VaultError::Erased`: what it held went with
    /// them.
    pub(crate) async fn key_for(&self, stored: &StoredRequest) -> Result<RequestKey<'_>> {
        self.vault
            .request_key(&stored.id, stored.sealed_under, stored.subject_id.as_ref())
            .await
    }
}
