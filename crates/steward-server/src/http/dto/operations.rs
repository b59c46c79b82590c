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
