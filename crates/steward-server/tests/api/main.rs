//! The HTTP API, end to end: the real server on loopback, real databases.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod attacks;
mod calectro;
mod checkpoints;
mod children;
mod disclosures;
mod errors;
mod files;
mod helpers;
mod identity;
mod limits;
mod openapi;
mod portal;
mod portal_browser;
mod promises;
mod requests;
mod retention;
mod roles;
mod shredding;
mod stories;
mod sweep;
mod time;
