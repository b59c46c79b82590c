//! Who acts: a token's holder with its role (and, for services, purposes),
//! the command line on the machine itself, or Steward carrying out a request.

use serde::{Deserialize, Serialize};

use crate::common::names::names;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
    /// Steward itself, carrying out verified requests. No token has it.
    System,
}

names!(Role, "role", {
    Admin => "admin",
    PrivacyOfficer => "privacy_officer",
    Service => "service",
    Auditor => "auditor",
    System => "system",
});

impl Role {
    /// The roles a token may have.
    pub const TOKEN_ROLES: [Role; 4] = [
        Role::Admin,
        Role::PrivacyOfficer,
        Role::Service,
        Role::Auditor,
    ];

    /// An officer handles requests and sees subjects whole.
    pub fn is_officer(self) -> bool {
        matches!(self, Role::Admin | Role::PrivacyOfficer)
    }
}

/// Who is acting, as the audit log names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// `token:<id>`, `cli`, or `worker`.
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

    /// Steward's workers, carrying out a request whose requester proved
    /// their identity.
    /// A data subject acting on their own data in the portal, once signed
    /// in: Steward acts for them (the system role), and the audit log names
    /// them `subject`, as it names a requester.
    pub fn data_subject() -> Self {
        Actor {
            id: "subject".into(),
            role: Role::System,
            purposes: Vec::new(),
        }
    }

    pub fn system() -> Self {
        Actor {
            id: "worker".into(),
            role: Role::System,
            purposes: Vec::new(),
        }
    }

    /// Whether this actor may act for `purpose` (services only for theirs).
    pub fn may_use(&self, purpose: &str) -> bool {
        self.role != Role::Service || self.purposes.iter().any(|p| p == purpose)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_token_can_be_steward_itself() {
        assert!(!Role::TOKEN_ROLES.contains(&Role::System));
        assert_eq!("system".parse::<Role>(), Ok(Role::System));
        assert_eq!(Actor::system().role, Role::System);
    }

    #[test]
    fn services_act_only_for_their_purposes() {
        let service = Actor {
            id: "token:1".into(),
            role: Role::Service,
            purposes: vec!["billing".into()],
        };
        assert!(service.may_use("billing"));
        assert!(!service.may_use("marketing"));
        assert!(Actor::cli().may_use("marketing"));
    }
}
