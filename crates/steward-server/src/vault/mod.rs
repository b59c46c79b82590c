//! The vault: the one place where personal data is stored and read. It
//! checks every write against the policy, seals values with the subject's
//! data key, decides every read by purpose and legal basis, and records every
//! act in the audit log, in the same transaction as the change.
//!
//! Who may call what is decided at the edge (the route table of `http`);
//! the vault enforces what depends on the data: a service's purposes, who
//! may state compelling grounds or a contract basis.
//!
//! - `service.rs`: the [`Vault`] and how it opens; `key_ring.rs`: its keys.
//! - `subjects.rs`, `records.rs`, `read.rs`, `consents.rs`, `events.rs`,
//!   `objections.rs`, `disclosures.rs`, `tokens.rs`, `keys.rs`, `audit.rs`:
//!   its acts; `retention.rs`: the due index, the sweep, holds, statistics.
//! - `input.rs`, `views.rs`, `error.rs`: what goes in and comes out.
//! - `audit_writer.rs`: group commit for acts that change nothing else.

mod audit;
mod audit_writer;
mod consents;
mod disclosures;
mod error;
mod events;
mod input;
mod key_ring;
mod keys;
mod objections;
mod read;
mod records;
mod request_key;
mod retention;
mod service;
mod subjects;
mod tokens;
mod views;

pub use disclosures::{DerogationUsed, Disclosed, LegalRequest, LoggedDisclosure, NewDisclosure};
pub use error::{Result, VaultError};
pub(crate) use error::{corrupt, invalid, too_many};
pub use input::{IdentityInput, NewRecord, NewSubject};
pub(crate) use request_key::RequestKey;
pub use retention::{Group, Statistics, SweepLine, SweepOptions, SweepReport};
pub use service::{Vault, fresh_id};
pub use tokens::token_hash;
pub use views::{OpenedRecord, PurposeRead, WholeSubject, Withheld};
