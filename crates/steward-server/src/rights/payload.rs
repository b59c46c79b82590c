//! What travels sealed with a request: the identities it claims (only the
//! verified ones once it is decided) and the details of the right asked for.

use serde::{Deserialize, Serialize};
use steward_domain::common::ids::RequestId;
use steward_store::StoredRequest;

use crate::rights::sealing::RequestKey;
use crate::vault::{Result, VaultError, corrupt};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Payload {
    pub identities: Vec<Claimed>,
    pub purpose: Option<String>,
    pub category: Option<String>,
    pub value: Option<serde_json::Value>,
    pub grounds: Option<String>,
    /// A request for a child: the holder of parental responsibility who
    /// made it, as they describe themselves (name, relation).
    #[serde(default)]
    pub guardian: Option<String>,
    /// What an officer saw when they checked the identity.
    #[serde(default)]
    pub identity_evidence: Option<Evidence>,
}

/// What an officer saw when they checked a requester's identity, sealed
/// with the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Evidence {
    /// The policy's method at the time: `manual`, `signed_request`, `bankid`.
    pub method: String,
    /// What was seen: the signed letter, the document shown, the e-ID.
    pub seen: String,
    pub by: String,
    pub at: jiff::Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Claimed {
    pub kind: String,
    pub value: String,
}

impl Payload {
    pub fn seal(&self, key: &RequestKey<'_>, request: &RequestId) -> Result<Vec<u8>> {
        let bytes = serde_json::to_vec(self).map_err(|e| {
            VaultError::Internal(format!("the request's details could not be written: {e}"))
        })?;
        Ok(key.seal(request, "payload", &bytes))
    }

    pub fn open(key: &RequestKey<'_>, stored: &StoredRequest) -> Result<Self> {
        let bytes = key.open(&stored.id, "payload", &stored.payload_sealed)?;
        serde_json::from_slice(&bytes).map_err(|e| corrupt(format!("request payload: {e}")))
    }
}
