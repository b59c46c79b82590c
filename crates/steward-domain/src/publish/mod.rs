//! What a policy becomes for people to read: the privacy notice
//! ([`notice`], Art. 13 and 14), the record of processing
//! ([`record_of_processing`], Art. 30), the sentences both share
//! ([`sentences`]), what changed between two versions ([`changes`]), and every fixed text in English and Swedish
//! ([`catalogue`], looked up through [`texts`]).

pub mod catalogue;
pub mod changes;
pub mod notice;
pub mod record_of_processing;
pub mod sentences;
pub mod texts;
