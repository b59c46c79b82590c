//! `steward policy check`: parse, validate and lint a policy file's text, and
//! report every diagnostic in the order it appears in the file.

use crate::policy::diagnostic::Diagnostic;
use crate::policy::{Policy, lint, parse};

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
    let parsed = parse(source);
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
