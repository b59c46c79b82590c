//! The disclosure log: what of a subject's went to which recipient, where,
//! and under which safeguard.

use async_trait::async_trait;

use super::{Backend, append, live};
use crate::codec::{json_text, time};
use crate::{DisclosureCount, DisclosureStore, Result, StoredDisclosure};
use steward_domain::common::ids::SubjectId;
use steward_domain::vault::audit_chain::AuditEvent;

#[async_trait]
impl DisclosureStore for Backend {
    async fn record_disclosure(
        &self,
        disclosure: &StoredDisclosure,
        audit: AuditEvent,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        live(&mut tx, &disclosure.subject_id).await?;
        sqlx::query(
            "INSERT INTO disclosures (id, subject_id, recipient, purpose, categories, country, safeguard, derogation, legal_request, detail_sealed, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(disclosure.id.as_str())
        .bind(disclosure.subject_id.as_str())
        .bind(&disclosure.recipient)
        .bind(&disclosure.purpose)
        .bind(json_text(&disclosure.categories)?)
        .bind(&disclosure.country)
        .bind(&disclosure.safeguard)
        .bind(&disclosure.derogation)
        .bind(disclosure.legal_request)
        .bind(&disclosure.detail_sealed)
        .bind(time(disclosure.at))
        .execute(&mut *tx)
        .await?;
        append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn disclosures(&self, subject: &SubjectId) -> Result<Vec<StoredDisclosure>> {
        Ok(
            sqlx::query_as("SELECT * FROM disclosures WHERE subject_id = $1 ORDER BY at, id")
                .bind(subject.as_str())
                .fetch_all(self.reader())
                .await?,
        )
    }

    async fn disclosure_counts(&self) -> Result<Vec<DisclosureCount>> {
        Ok(sqlx::query_as(
            "SELECT recipient, country, safeguard, COUNT(*) AS count, MAX(at) AS last_at
             FROM disclosures GROUP BY recipient, country, safeguard ORDER BY recipient, country, safeguard",
        )
        .fetch_all(self.reader())
        .await?)
    }
}
