//! The wire: every body the API takes or gives, and the only types that
//! describe themselves to the OpenAPI document. Each converts from or into
//! what the vault and the rights service work with, so the wire can stay
//! put while they change.

mod disclosures;
mod operations;
mod requests;
mod retention;
mod subjects;

pub use disclosures::*;
pub use operations::*;
pub use requests::*;
pub use retention::*;
pub use subjects::*;
