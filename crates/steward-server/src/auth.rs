//! API tokens and roles. A token's secret is shown once, at creation; only
//! its SHA-256 is stored.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, including tokens and keys.
    Admin,
    /// Subjects, records, consents, requests, the record of processing, the audit log.
    PrivacyOfficer,
    /// An application: stores and reads data only for its named purposes.
    Service,
    /// Reads the audit log and the record of processing; no personal data.
    Auditor,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Admin,
        Role::PrivacyOfficer,
        Role::Service,
        Role::Auditor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::PrivacyOfficer => "privacy_officer",
            Role::Service => "service",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// Who is acting: from a token, or the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// `token:<id>` or `cli`.
    pub id: String,
    pub role: Role,
    /// For services, the purposes they may use; empty for other roles.
    pub purposes: Vec<String>,
}

impl Actor {
    /// The command line acts as an administrator on the local machine.
    pub fn cli() -> Self {
        Actor {
            id: "cli".into(),
            role: Role::Admin,
            purposes: Vec::new(),
        }
    }

    /// Whether this actor may act for `purpose` (services only for theirs).
    pub fn may_use(&self, purpose: &str) -> bool {
        self.role != Role::Service || self.purposes.iter().any(|p| p == purpose)
    }
}
