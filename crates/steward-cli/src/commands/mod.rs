pub mod audit;
pub mod import;
pub mod keys;
pub mod policy;
pub mod serve;
pub mod subject;
pub mod token;
pub mod vault;
