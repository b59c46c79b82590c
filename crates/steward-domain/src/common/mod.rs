//! What every sub-domain uses: languages ([`lang`]), periods of time as
//! policies write them ([`period`]), typed ids ([`ids`]) and the one way
//! closed sets of words are named ([`names`]).

pub mod ids;
pub mod lang;
pub mod names;
pub mod period;
