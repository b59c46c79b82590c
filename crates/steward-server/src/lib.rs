//! Steward's server: the vault service ([`vault`]) and its HTTP API
//! ([`routes`]), assembled by [`startup`].

pub mod audit_writer;
pub mod auth;
pub mod clock;
pub mod error;
pub mod execute;
pub mod keyfile;
pub mod outbox;
pub mod request_routes;
pub mod requests;
pub mod routes;
pub mod startup;
pub mod systems;
pub mod vault;
pub mod worker;
