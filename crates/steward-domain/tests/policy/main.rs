//! The policy suite: broken files give exact errors, every lint rule fires
//! on the mistake it names, the five source policies check clean, and their
//! notices and records are complete in both languages.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod catalogue;
mod fidelity;
mod fixtures;
mod lints;
mod notices;
mod records;
mod sources;

use std::path::PathBuf;

use steward_domain::policy::Policy;
use steward_domain::policy::diagnostic::Diagnostic;

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The five policies encoding the notices in `shared/seeds/`.
pub const SOURCE_POLICIES: [&str; 5] = ["calectro", "cadcraft", "elveta", "connectel", "qlocx"];

pub fn source_policy_text(name: &str) -> String {
    let path = repo_root().join("policies").join(format!("{name}.toml"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn load(source: &str) -> Policy {
    let report = steward_domain::check(source);
    assert_eq!(
        report.errors(),
        0,
        "{}",
        rendered(&report.diagnostics, source)
    );
    report.policy.expect("a policy without errors")
}

/// Each diagnostic as `line:col: severity[code] name: message`.
pub fn summaries(diagnostics: &[Diagnostic], source: &str) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| {
            let first = d.render("", source);
            first
                .lines()
                .next()
                .unwrap_or("")
                .trim_start_matches(':')
                .to_owned()
        })
        .collect()
}

pub fn rendered(diagnostics: &[Diagnostic], source: &str) -> String {
    diagnostics
        .iter()
        .map(|d| d.render("policy", source))
        .collect()
}
