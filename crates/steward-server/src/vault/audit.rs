//! Verifying the audit log's chain.

use steward_domain::vault::audit_chain::{self, Tamper, Verified};

use crate::vault::error::Result;
use crate::vault::service::Vault;

impl Vault {
    /// Checks the whole audit chain.
    pub async fn verify_audit(&self) -> Result<Result<Verified, Tamper>> {
        let (entries, head) = self.store.audit_log().await?;
        Ok(audit_chain::verify(&entries, Some(head)))
    }
}
