//! Data-subject requests: their kinds and lifecycle ([`request`]), the
//! Art. 12(3) deadlines ([`deadline`]), one-time codes that prove an identity
//! ([`one_time_code`]), the parts a request becomes ([`parts`]), which data
//! an erasure removes and which it keeps
//! ([`erasure_plan`]), the Art. 15 report and Art. 20 selection
//! ([`access_report`]), and the letters sent about requests ([`letters`]).

pub mod access_report;
pub mod deadline;
pub mod erasure_plan;
pub mod erasure_report;
pub mod letters;
pub mod one_time_code;
pub mod parts;
pub mod request;
