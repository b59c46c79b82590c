//! Steward's domain: pure functions and types, no I/O. Three sub-domains and
//! what they share:
//!
//! - [`policy`]: policy as code. The model, parsing and validation of the
//!   TOML file, the linter with its diagnostics, countries and adequacy, and
//!   the arithmetic of retention rules.
//! - [`publish`]: what the policy becomes for people: the privacy notice, the
//!   record of processing, and the catalogue of every fixed text in English
//!   and Swedish.
//! - [`vault`]: keeping personal data: envelope encryption and blind indexes,
//!   the purpose decision, identities, the consent ledger, the audit chain.
//! - [`rights`]: data-subject requests: their lifecycle and deadlines,
//!   one-time codes, the erasure plan, the access report and portability, and
//!   the letters sent about them.
//! - [`common`]: languages and periods, which all of them use.
//!
//! Dependencies run one way: `rights` may use `vault`, `publish` and
//! `policy`; `vault` and `publish` use `policy`; everything may use `common`.

pub mod common;
pub mod policy;
pub mod publish;
pub mod rights;
pub mod vault;

pub use policy::check::{CheckReport, check};
