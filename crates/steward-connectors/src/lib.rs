//! Connectors: how a rights request reaches the organisation's own systems.
//! Each system is declared (which tables hold people, by which identity
//! columns, what each column is, what erasure does) and the connector does
//! what the declaration says: gather a person's data, or erase it.

pub mod relational;
