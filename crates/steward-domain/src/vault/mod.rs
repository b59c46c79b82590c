//! Keeping personal data: who acts and with which role ([`actor`]);
//! envelope encryption, blind indexes and pseudonyms
//! ([`crypto`]); identities and their normal forms ([`identity`]); may this
//! data be used for this purpose now ([`decision`]); the consent ledger and
//! its receipts ([`consent`]); may this data go to this recipient, there
//! ([`disclosure`]); the tamper-evident audit chain
//! ([`audit_chain`]) and its signed checkpoints ([`checkpoint`]).

pub mod actor;
pub mod audit_chain;
pub mod checkpoint;
pub mod consent;
pub mod crypto;
pub mod decision;
pub mod disclosure;
pub mod identity;
