//! Publications: which policy versions the data subjects were told of.

use async_trait::async_trait;

use super::{Backend, append};
use crate::codec::time;
use crate::error::conflict;
use crate::{Publication, PublicationStore, Result};
use steward_domain::vault::audit_chain::AuditEvent;

#[async_trait]
impl PublicationStore for Backend {
    async fn record_publication(&self, publication: &Publication, audit: AuditEvent) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO publications (version, published_at, policy_text) VALUES ($1, $2, $3)",
        )
        .bind(&publication.version)
        .bind(time(publication.published_at))
        .bind(&publication.policy_text)
        .execute(&mut *tx)
        .await
        .map_err(|e| conflict(e, "publication", &publication.version))?;
        append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn latest_publication(&self) -> Result<Option<Publication>> {
        Ok(sqlx::query_as(
            "SELECT * FROM publications ORDER BY published_at DESC, version DESC LIMIT 1",
        )
        .fetch_optional(self.reader())
        .await?)
    }
}
