//! The key store: subjects' data keys and the installation's own keys, each
//! wrapped by the key-encryption key. Where it lives is the backend's choice
//! (a file of its own for SQLite, a table for PostgreSQL).

use async_trait::async_trait;
use sqlx::Row;
use steward_domain::common::ids::SubjectId;
use steward_domain::vault::audit_chain::AuditEvent;

use super::{Backend, dialect};
use crate::{AuditStore, KeyName, KeyStore, Result, StoreError, WrappedKey};

#[async_trait]
impl KeyStore for Backend {
    async fn subject_key(&self, subject: &SubjectId) -> Result<Option<WrappedKey>> {
        Ok(sqlx::query_as(
            "SELECT wrapped, kek_id, version FROM subject_keys WHERE subject_id = $1",
        )
        .bind(subject.as_str())
        .fetch_optional(self.keys())
        .await?)
    }

    async fn system_key(&self, name: &str) -> Result<Option<WrappedKey>> {
        Ok(sqlx::query_as(
            "SELECT wrapped, kek_id, CAST(1 AS BIGINT) AS version FROM system_keys WHERE name = $1",
        )
        .bind(name)
        .fetch_optional(self.keys())
        .await?)
    }

    async fn put_system_key_if_absent(&self, name: &str, key: &WrappedKey) -> Result<WrappedKey> {
        sqlx::query("INSERT INTO system_keys (name, wrapped, kek_id) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .bind(&key.wrapped)
            .bind(&key.kek_id)
            .execute(self.keys())
            .await?;
        self.system_key(name).await?.ok_or_else(|| {
            StoreError::Corrupt(format!("system key `{name}` vanished after it was stored"))
        })
    }

    async fn wrapped_keys(&self) -> Result<Vec<(KeyName, WrappedKey)>> {
        let mut out = Vec::new();
        let subjects = sqlx::query(
            "SELECT subject_id, wrapped, kek_id, version FROM subject_keys ORDER BY subject_id",
        )
        .fetch_all(self.keys())
        .await?;
        for row in subjects {
            let id: String = row.try_get("subject_id")?;
            out.push((KeyName::Subject(id.into()), sqlx::FromRow::from_row(&row)?));
        }
        let systems = sqlx::query(
            "SELECT name, wrapped, kek_id, CAST(1 AS BIGINT) AS version FROM system_keys ORDER BY name",
        )
        .fetch_all(self.keys())
        .await?;
        for row in systems {
            out.push((
                KeyName::System(row.try_get("name")?),
                sqlx::FromRow::from_row(&row)?,
            ));
        }
        Ok(out)
    }

    async fn replace_wrapped_keys(
        &self,
        keys: &[(KeyName, WrappedKey)],
        audit: AuditEvent,
    ) -> Result<()> {
        let mut tx = self.keys().begin_with(dialect::BEGIN_WRITE).await?;
        for (name, key) in keys {
            match name {
                KeyName::Subject(id) => {
                    sqlx::query("UPDATE subject_keys SET wrapped = $1, kek_id = $2, version = $3 WHERE subject_id = $4")
                        .bind(&key.wrapped)
                        .bind(&key.kek_id)
                        .bind(key.version)
                        .bind(id.as_str())
                        .execute(&mut *tx)
                        .await?;
                }
                KeyName::System(name) => {
                    sqlx::query("UPDATE system_keys SET wrapped = $1, kek_id = $2 WHERE name = $3")
                        .bind(&key.wrapped)
                        .bind(&key.kek_id)
                        .bind(name)
                        .execute(&mut *tx)
                        .await?;
                }
            }
        }
        // Every key must now be under the new key: one created meanwhile by a
        // running server would be left under the old one and lost with it.
        if let Some((_, first)) = keys.first() {
            let stale: i64 = sqlx::query_scalar(
                "SELECT (SELECT COUNT(*) FROM subject_keys WHERE kek_id <> $1) + (SELECT COUNT(*) FROM system_keys WHERE kek_id <> $1)",
            )
            .bind(&first.kek_id)
            .fetch_one(&mut *tx)
            .await?;
            if stale > 0 {
                return Err(StoreError::Conflict {
                    what: "key rotation",
                    id: format!(
                        "{stale} key(s) were added while rotating; stop every steward process and rotate again"
                    ),
                });
            }
        }
        tx.commit().await?;
        self.append_audit(audit).await?;
        Ok(())
    }
}
