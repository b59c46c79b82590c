//! API tokens, found by the hash of their secret.

use async_trait::async_trait;
use jiff::Timestamp;
use steward_domain::common::ids::TokenId;
use steward_domain::vault::audit_chain::AuditEvent;

use super::{Backend, append, touched};
use crate::codec::{json_text, optional_time, time};
use crate::error::conflict;
use crate::{Result, StoredToken, TokenStore};

#[async_trait]
impl TokenStore for Backend {
    async fn create_token(&self, token: &StoredToken, audit: AuditEvent) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query("INSERT INTO tokens (id, hash, role, purposes, description, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(token.id.as_str())
            .bind(&token.hash)
            .bind(token.role.as_str())
            .bind(json_text(&token.purposes)?)
            .bind(&token.description)
            .bind(time(token.created_at))
            .bind(optional_time(token.revoked_at))
            .execute(&mut *tx)
            .await
            .map_err(|e| conflict(e, "token", token.id.as_str()))?;
        append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn token_by_hash(&self, hash: &str) -> Result<Option<StoredToken>> {
        Ok(sqlx::query_as("SELECT * FROM tokens WHERE hash = $1")
            .bind(hash)
            .fetch_optional(self.reader())
            .await?)
    }

    async fn revoke_token(&self, id: &TokenId, at: Timestamp, audit: AuditEvent) -> Result<()> {
        let mut tx = self.write().await?;
        let updated =
            sqlx::query("UPDATE tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(time(at))
                .bind(id.as_str())
                .execute(&mut *tx)
                .await?;
        touched(updated.rows_affected(), "token in force", id.as_str())?;
        append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }
}
