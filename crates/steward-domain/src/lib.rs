//! Steward's domain: the policy model and its validation, the linter, the
//! privacy notice and the record of processing. Pure functions, no I/O.

pub mod access;
pub mod audit;
pub mod catalogue;
pub mod consent;
pub mod country;
pub mod crypto;
pub mod decision;
pub mod diagnostic;
pub mod erasure;
pub mod i18n;
pub mod identity;
pub mod lint;
pub mod messages;
pub mod notice;
pub mod period;
pub mod policy;
pub mod request;
pub mod retention;
pub mod ropa;
pub mod rules;
pub mod verification;

use diagnostic::Diagnostic;
use policy::Policy;

/// Everything `steward policy check` learns about a policy file.
#[derive(Debug)]
pub struct CheckReport {
    /// Present when the file is structurally sound (lints may still fail).
    pub policy: Option<Policy>,
    pub diagnostics: Vec<Diagnostic>,
}

impl CheckReport {
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }

    /// Whether the policy may be used: no errors, and no warnings if denied.
    pub fn passes(&self, deny_warnings: bool) -> bool {
        self.errors() == 0 && (!deny_warnings || self.warnings() == 0)
    }
}

/// Parses, validates and lints a policy file's text.
pub fn check(source: &str) -> CheckReport {
    let parsed = policy::parse(source);
    let mut diagnostics = parsed.diagnostics;
    if let Some(policy) = &parsed.policy {
        diagnostics.extend(lint::lint(policy));
    }
    diagnostics.sort_by_key(|d| (d.span.as_ref().map_or(usize::MAX, |s| s.start), d.rule.code));
    CheckReport {
        policy: parsed.policy,
        diagnostics,
    }
}
