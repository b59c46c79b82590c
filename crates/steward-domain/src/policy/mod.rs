//! The policy: what an organisation declares about its processing of personal
//! data, checked. [`raw`] mirrors the TOML file; `validate` turns it into a
//! [`Policy`] whose references all resolve, so later code never re-checks them;
//! [`lint`] then applies the legal rules, reporting [`diagnostic`]s whose codes
//! are in [`diagnostic_codes`]. The closed sets of words a policy uses (legal
//! bases, events, safeguards, ...) are in `vocabulary`; [`retention`] says when
//! a retention rule ends; [`check`] runs it all for `steward policy check`.

pub mod check;
pub mod country;
pub mod cutoff;
pub mod diagnostic;
pub mod diagnostic_codes;
pub mod lint;
mod model;
pub mod raw;
pub mod retention;
mod validate;
mod vocabulary;

pub use model::*;
pub use validate::{ParseOutcome, parse};
pub use vocabulary::*;
