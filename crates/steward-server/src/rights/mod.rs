//! Data-subject requests end to end: submission and identity verification
//! by one-time codes, the officer's decisions, and the durable parts that
//! carry a request out in the vault, in every connected system and by
//! letters to recipients, run by workers. Every step is kept in the
//! request's history and in the audit log, in the same transaction.
//!
//! - `service.rs`: the [`Rights`] service and how a request moves on.
//! - `submit.rs`, `verify.rs`, `decide.rs`, `officer.rs`, `unsubscribe.rs`:
//!   the steps of a request's life; `identity_check.rs`: identities a
//!   person checks (the policy's method, a guardian's request);
//!   `progress.rs`: where it stands.
//! - `run_part.rs`, `vault_erasure.rs`: what each part does;
//!   `part_result.rs`: what it found or did.
//! - `finish.rs`, `answer.rs`, `render.rs`: the answer.
//! - `publication.rs`: a new notice version, and the letters it needs.
//! - `worker.rs`: the workers; `payload.rs`: what travels sealed;
//!   `sealing.rs`: under whose key (the subject's, once known).

mod answer;
mod codes;
mod decide;
mod finish;
mod identity_check;
mod officer;
mod part_result;
mod payload;
mod progress;
mod publication;
mod render;
mod run_part;
mod sealing;
mod service;
mod sign_in;
mod submit;
mod unsubscribe;
mod vault_erasure;
mod verify;
mod worker;

pub use answer::Answer;
pub(crate) use identity_check::code_kinds;
pub use officer::WhoseData;
pub use progress::{MAX_PAGE, Progress, QueuePage};
pub use publication::Published;
pub use render::Rendered;
pub use service::Rights;
pub use service::Viewer;
pub use sign_in::Session;
pub use submit::{NewRequest, Submission};
pub use worker::{Worker, WorkerConfig};
