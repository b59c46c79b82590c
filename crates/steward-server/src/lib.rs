//! Steward's server. Layout (each module private; this file exports what
//! the command line, the tests and the benches use):
//!
//! - `app/`: [`Settings`] and [`Application::build`], the only wiring.
//! - `http/`: the HTTP API: one file per resource, the route table with the
//!   admission layer, the wire types (`dto/`), problem details.
//! - `vault/`: the one place personal data is kept and opened.
//! - `rights/`: data-subject requests, their parts and workers.
//! - `checkpoints.rs`: signed checkpoints of the audit log, their witnesses.
//! - `systems/`: the organisation's own systems, through connectors.
//! - `mail/`: where letters go.
//! - `clock.rs`: the time, injectable; `limits.rs`: rate limits on it.
//!
//! Dependencies run one way: `http` → {`rights`, `checkpoints`, `vault`} →
//! store, `checkpoints` → `vault`, and
//! `rights` → {`vault`, `systems`, `mail`}; `app` wires them.

mod app;
mod checkpoints;
pub mod clock;
mod http;
pub mod limits;
mod mail;
mod rights;
mod sweeper;
mod systems;
mod vault;

pub use app::keyfile;
pub use app::{
    Application, CheckpointSettings, HttpSettings, Note, NoteKind, Settings, SmtpSettings, redact,
    shutdown_signal,
};
pub use checkpoints::{Checkpoints, Extended, Issued, NotExtended, WITNESS_LOG};
pub use http::access::{Access, PAGES, ROUTES};
pub use http::dto;
pub use mail::{Addressee, Outbox};
pub use rights::{
    Answer, MAX_PAGE, NewRequest, Progress, Published, QueuePage, Rendered, Rights, Submission,
    Viewer, Worker, WorkerConfig,
};
pub use steward_connectors::Found;
pub use sweeper::Sweeper;
pub use systems::Systems;
pub use vault::{
    DerogationUsed, Disclosed, Group, IdentityInput, LegalRequest, LoggedDisclosure, NewDisclosure,
    NewRecord, NewSubject, OpenedRecord, PurposeRead, Statistics, SweepLine, SweepOptions,
    SweepReport, Vault, VaultError, WholeSubject, Withheld, token_hash,
};
