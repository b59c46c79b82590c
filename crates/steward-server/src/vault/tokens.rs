//! API tokens: created with a role (and a service's purposes), the secret
//! shown once and only its hash kept; revoked; and the actor a bearer token
//! stands for.

use steward_domain::common::ids::TokenId;
use steward_domain::vault::actor::{Actor, Role};
use steward_domain::vault::crypto::{SecretKey, sha256_hex};
use steward_store::StoredToken;

use crate::vault::error::{Result, invalid};
use crate::vault::input::plain_text;
use crate::vault::service::{Vault, fresh_id};

impl Vault {
    /// Creates an API token; the secret is returned once and never stored.
    pub async fn create_token(
        &self,
        actor: &Actor,
        role: Role,
        purposes: Vec<String>,
        description: &str,
    ) -> Result<(StoredToken, String)> {
        plain_text("description", description)?;
        if !Role::TOKEN_ROLES.contains(&role) {
            return Err(invalid(
                "role",
                "no token can act as Steward itself: use admin, privacy_officer, service or auditor",
            ));
        }
        match (role, purposes.is_empty()) {
            (Role::Service, true) => {
                return Err(invalid(
                    "purposes",
                    "a service token needs the purposes it may use (--purpose)",
                ));
            }
            (Role::Service, false) => {
                for purpose in &purposes {
                    if self.policy.purpose(purpose).is_none() {
                        return Err(invalid(
                            "purposes",
                            format!("`{purpose}` is not a purpose of the policy"),
                        ));
                    }
                }
            }
            (_, false) => {
                return Err(invalid(
                    "purposes",
                    "only service tokens are limited to purposes",
                ));
            }
            (_, true) => {}
        }
        let secret = format!("stw_{}", SecretKey::generate().to_hex());
        let token = StoredToken {
            id: fresh_id(),
            hash: token_hash(&secret),
            role,
            purposes,
            description: description.to_owned(),
            created_at: self.now(),
            revoked_at: None,
        };
        let audit = self.act(
            actor,
            "token.create",
            None,
            serde_json::json!({ "token": token.id, "role": token.role.as_str(), "purposes": token.purposes }),
        );
        self.store.create_token(&token, audit).await?;
        Ok((token, secret))
    }

    /// Revokes a token: from now on it authenticates nothing.
    pub async fn revoke_token(&self, actor: &Actor, id: &TokenId) -> Result<()> {
        let audit = self.act(
            actor,
            "token.revoke",
            None,
            serde_json::json!({ "token": id }),
        );
        Ok(self.store.revoke_token(id, self.now(), audit).await?)
    }

    /// The actor a bearer token stands for, if it is valid.
    pub async fn authenticate(&self, secret: &str) -> Result<Option<Actor>> {
        let Some(token) = self.store.token_by_hash(&token_hash(secret)).await? else {
            return Ok(None);
        };
        if token.revoked_at.is_some() || !Role::TOKEN_ROLES.contains(&token.role) {
            return Ok(None);
        }
        Ok(Some(Actor {
            id: format!("token:{}", token.id),
            role: token.role,
            purposes: token.purposes,
        }))
    }
}

pub fn token_hash(secret: &str) -> String {
    sha256_hex(&[b"steward/token/v1", secret.as_bytes()])
}
