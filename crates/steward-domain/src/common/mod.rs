//! What every sub-domain uses: languages ([`lang`]), periods of time as
//! policies write them ([`period`]), working days ([`calendar`]), typed ids
//! ([`ids`]) and the one way closed sets of words are named ([`names`]).

pub mod calendar;
pub mod ids;
pub mod lang;
pub mod names;
pub mod period;
