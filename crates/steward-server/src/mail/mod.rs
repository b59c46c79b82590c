//! Where letters go: the [`Outbox`] (a folder, and SMTP for e-mail when it is
//! set up). Steward has no SMS gateway of its own.

mod outbox;
mod smtp;

pub use outbox::{Addressee, DEFAULT_RETENTION, Outbox};
