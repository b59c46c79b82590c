//! The consent ledger: consents given, and withdrawn without rewriting when
//! they were given.

use async_trait::async_trait;
use jiff::Timestamp;
use steward_domain::common::ids::{ConsentId, SubjectId};
use steward_domain::vault::audit_chain::AuditEvent;
use steward_domain::vault::consent::ConsentRecord;

use super::{Backend, append, live, touched};
use crate::codec::{optional_time, time};
use crate::error::conflict;
use crate::model::StoredConsent;
use crate::{ConsentStore, Result};

#[async_trait]
impl ConsentStore for Backend {
    async fn give_consent(&self, consent: &ConsentRecord, audit: AuditEvent) -> Result<()> {
        let mut tx = self.write().await?;
        live(&mut tx, &consent.subject_id).await?;
        sqlx::query("INSERT INTO consents (id, subject_id, purpose, given_at, withdrawn_at, policy_version, method, notice_hash, language, withdrawal_method, given_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
            .bind(consent.id.as_str())
            .bind(consent.subject_id.as_str())
            .bind(&consent.purpose)
            .bind(time(consent.given_at))
            .bind(optional_time(consent.withdrawn_at))
            .bind(&consent.policy_version)
            .bind(&consent.method)
            .bind(&consent.notice_hash)
            .bind(consent.language.code())
            .bind(&consent.withdrawal_method)
            .bind(consent.given_by.as_str())
            .execute(&mut *tx)
            .await
            .map_err(|e| conflict(e, "consent", consent.id.as_str()))?;
        append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn withdraw_consent(
        &self,
        consent: &ConsentId,
        at: Timestamp,
        method: &str,
        audit: AuditEvent,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let updated = sqlx::query("UPDATE consents SET withdrawn_at = $1, withdrawal_method = $2 WHERE id = $3 AND withdrawn_at IS NULL")
            .bind(time(at))
            .bind(method)
            .bind(consent.as_str())
            .execute(&mut *tx)
            .await?;
        touched(
            updated.rows_affected(),
            "consent in force",
            consent.as_str(),
        )?;
        append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn consents(&self, subject: &SubjectId) -> Result<Vec<ConsentRecord>> {
        let rows: Vec<StoredConsent> =
            sqlx::query_as("SELECT * FROM consents WHERE subject_id = $1 ORDER BY given_at, id")
                .bind(subject.as_str())
                .fetch_all(self.reader())
                .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn consent(&self, id: &ConsentId) -> Result<Option<ConsentRecord>> {
        let row: Option<StoredConsent> = sqlx::query_as("SELECT * FROM consents WHERE id = $1")
            .bind(id.as_str())
            .fetch_optional(self.reader())
            .await?;
        Ok(row.map(Into::into))
    }
}
