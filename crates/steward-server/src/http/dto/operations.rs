//! Health, tokens, the policy and the audit log on the wire.

use serde::{Deserialize, Serialize};
use steward_domain::vault::actor::Role;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
    pub backend: &'static str,
    pub policy: String,
    pub policy_version: String,
}

/// The roles a token may have.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TokenRole {
    /// Everything, including tokens and keys.
    Admin,
    /// Subjects, records, consents, requests, the record of processing, the audit log.
    PrivacyOfficer,
    /// An application: stores and reads data only for its named purposes.
    Service,
    /// Reads the audit log and the record of processing; no personal data.
    Auditor,
}

impl From<TokenRole> for Role {
    fn from(role: TokenRole) -> Self {
        match role {
            TokenRole::Admin => Role::Admin,
            TokenRole::PrivacyOfficer => Role::PrivacyOfficer,
            TokenRole::Service => Role::Service,
            TokenRole::Auditor => Role::Auditor,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    pub role: TokenRole,
    #[serde(default)]
    pub purposes: Vec<String>,
    #[serde(default)]
    pub description: String,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedToken {
    pub id: String,
    pub role: String,
    pub purposes: Vec<String>,
    /// Shown once: only its hash is stored.
    pub secret: String,
}

#[derive(Serialize, ToSchema)]
pub struct PolicySummary {
    pub id: String,
    pub version: String,
    pub effective: String,
    pub controller: String,
    pub languages: Vec<String>,
    pub purposes: Vec<PurposeSummary>,
}

#[derive(Serialize, ToSchema)]
pub struct PurposeSummary {
    pub id: String,
    pub legal_basis: Option<String>,
    pub categories: Vec<String>,
    pub direct_marketing: bool,
}

#[derive(Serialize, ToSchema)]
pub struct AuditVerdict {
    pub intact: bool,
    pub entries: u64,
    /// The hash of the last entry: keep it elsewhere to detect a rewrite of the whole log.
    pub head: Option<String>,
    /// The first problem found, if any.
    #[schema(value_type = Option<Object>)]
    pub tamper: Option<steward_domain::vault::audit_chain::Tamper>,
    pub message: String,
}

/// A signed checkpoint of the audit log: keep `text` (and the public key)
/// away from the installation; `steward audit verify --checkpoint` checks
/// the log against it.
#[derive(Serialize, ToSchema)]
pub struct AuditCheckpoint {
    /// Entries the checkpoint covers (the last one's sequence number).
    pub size: u64,
    /// The hash of entry `size`.
    pub head: String,
    /// When it was signed (RFC 3339).
    pub at: String,
    /// The signing key's id, in the signature line.
    pub key_id: String,
    /// The signing key's public key (64 hex digits). Check it against the
    /// copy you keep: this one comes from the installation.
    pub public_key: String,
    /// The audit entry that records the signing.
    pub audit_seq: u64,
    /// The signed checkpoint, as a witness keeps it.
    pub text: String,
    /// Witnesses that did not get it, and why (a new checkpoint only).
    pub witness_failures: Vec<String>,
}
