//! Connectors: how a rights request reaches the organisation's own systems.
//! Each system is declared (which tables hold people, by which identity
//! columns, what each column is, what erasure does) and the connector does
//! what the declaration says: gather a person's data, or erase it.
//!
//! - [`relational`]: PostgreSQL and MySQL/MariaDB, table by table.
//! - [`keyvalue`]: Redis, key by key.
//! - [`webhook`]: any other service, over signed HTTP calls.
//!
//! Each is a [`Connector`]: the one interface a rights request uses.

mod connector;
mod dialect;
pub mod keyvalue;
mod person;
pub mod relational;
pub mod retention;
mod tls;
pub mod webhook;

pub use connector::{
    Act, ActKind, Connector, Declaration, Erased, Failure, Found, Treatment, connect,
};
pub use person::{Datum, Identity};
