//! What every sub-domain uses: languages ([`lang`]) and periods of time as
//! policies write them ([`period`]).

pub mod lang;
pub mod period;
