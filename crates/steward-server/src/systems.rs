//! The organisation's own systems that rights requests reach, built from the
//! policy's `[system.connector]` declarations. Connection URLs and secrets
//! come from the environment variables the policy names; each system
//! connects on first use, so a system that is down does not stop Steward
//! (its jobs fail and are retried).

use serde::Serialize;
use steward_connectors::Identity;
use steward_connectors::keyvalue::{KeyValueConnector, KeyValueSystem};
use steward_connectors::relational::{ConnectorError, RelationalConnector, RelationalSystem};
use steward_connectors::webhook::WebhookConnector;
use steward_domain::policy::{ConnectorKind, Policy, System};
use tokio::sync::OnceCell;

/// A system's declaration is wrong: found when Steward starts.
#[derive(Debug, thiserror::Error)]
#[error("system `{system}`: {message}")]
pub struct DeclarationError {
    pub system: String,
    pub message: String,
}

/// A system could not do its part this time.
#[derive(Debug, thiserror::Error)]
pub enum SystemError {
    /// Worth trying again: the system was unreachable or failed.
    #[error("{0}")]
    Transient(String),
    /// Trying again will not help until someone changes something.
    #[error("{0}")]
    Permanent(String),
}

enum Declared {
    Relational(RelationalSystem),
    KeyValue(KeyValueSystem),
    Webhook,
}

enum Live {
    Relational(RelationalConnector),
    KeyValue(KeyValueConnector),
    Webhook(WebhookConnector),
}

pub struct ConnectedSystem {
    pub id: String,
    pub kind: ConnectorKind,
    url_env: String,
    secret_env: Option<String>,
    declared: Declared,
    /// The environment, read once when Steward starts.
    url: Option<String>,
    secret: Option<String>,
    live: OnceCell<Live>,
}

/// A piece of a person's data found in a system.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Found {
    pub category: String,
    pub value: serde_json::Value,
    /// Where: `table customers, row 17`, `key session:…`.
    pub location: String,
}

/// What erasure did in a system, part by part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Erased {
    /// `table customers`, `key session:…`, a category for webhooks.
    pub what: String,
    /// `deleted`, `anonymised`, `kept`.
    pub action: String,
    pub count: u64,
    /// For kept data: why (the legal hold).
    pub reason: Option<String>,
}

pub struct Systems {
    systems: Vec<ConnectedSystem>,
}

impl Systems {
    /// Reads the connectors of `policy`, looking up their environment with
    /// `env`. Fails on a declaration that cannot work, naming the system.
    pub fn from_policy(
        policy: &Policy,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, DeclarationError> {
        let mut systems = Vec::new();
        for system in &policy.systems {
            let Some(connector) = &system.connector else {
                continue;
            };
            let error = |message: String| DeclarationError {
                system: system.id.clone(),
                message,
            };
            let value = toml::Value::Table(connector.declaration.clone());
            let (declared, categories): (Declared, Vec<String>) = match connector.kind {
                ConnectorKind::Postgres | ConnectorKind::Mysql => {
                    let declared: RelationalSystem = value
                        .try_into()
                        .map_err(|e: toml::de::Error| error(e.message().to_owned()))?;
                    declared.validate().map_err(|e| error(e.to_string()))?;
                    let categories = declared
                        .categories()
                        .into_iter()
                        .map(str::to_owned)
                        .collect();
                    (Declared::Relational(declared), categories)
                }
                ConnectorKind::Redis => {
                    let declared: KeyValueSystem = value
                        .try_into()
                        .map_err(|e: toml::de::Error| error(e.message().to_owned()))?;
                    declared.validate().map_err(|e| error(e.to_string()))?;
                    let categories = declared
                        .categories()
                        .into_iter()
                        .map(str::to_owned)
                        .collect();
                    (Declared::KeyValue(declared), categories)
                }
                ConnectorKind::Webhook => (Declared::Webhook, Vec::new()),
            };
            check_categories(policy, system, &categories).map_err(error)?;
            systems.push(ConnectedSystem {
                id: system.id.clone(),
                kind: connector.kind,
                url: env(&connector.url_env),
                secret: connector.secret_env.as_deref().and_then(env),
                url_env: connector.url_env.clone(),
                secret_env: connector.secret_env.clone(),
                declared,
                live: OnceCell::new(),
            });
        }
        Ok(Self { systems })
    }

    pub fn none() -> Self {
        Self {
            systems: Vec::new(),
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &ConnectedSystem> {
        self.systems.iter()
    }

    pub fn get(&self, id: &str) -> Option<&ConnectedSystem> {
        self.systems.iter().find(|s| s.id == id)
    }

    /// Environment variables the policy names that are not set.
    pub fn missing_environment(&self) -> Vec<(String, String)> {
        let mut missing = Vec::new();
        for system in &self.systems {
            if system.url.is_none() {
                missing.push((system.id.clone(), system.url_env.clone()));
            }
            if let Some(name) = &system.secret_env
                && system.secret.is_none()
            {
                missing.push((system.id.clone(), name.clone()));
            }
        }
        missing
    }
}

/// Every category a connector maps data to is declared, and is one the
/// system is said to hold (so the notice and the record tell the truth).
fn check_categories(policy: &Policy, system: &System, categories: &[String]) -> Result<(), String> {
    for category in categories {
        if policy.category(category).is_none() {
            return Err(format!(
                "the connector maps data to category `{category}`, which the policy does not declare"
            ));
        }
        let held = system
            .categories
            .iter()
            .any(|c| steward_domain::policy::is_within(category, c));
        if !held {
            return Err(format!(
                "the connector maps data to category `{category}`, which is not among the system's `categories`; add it there so the notice and the record of processing say so"
            ));
        }
    }
    Ok(())
}

fn transient(error: impl std::fmt::Display) -> SystemError {
    SystemError::Transient(error.to_string())
}

impl ConnectedSystem {
    async fn live(&self) -> Result<&Live, SystemError> {
        let url = self.url.as_deref().ok_or_else(|| {
            SystemError::Permanent(format!(
                "the environment variable `{}` (the connection URL) is not set",
                self.url_env
            ))
        })?;
        self.live
            .get_or_try_init(|| async {
                Ok(match &self.declared {
                    Declared::Relational(declared) => Live::Relational(
                        RelationalConnector::connect(url, declared.clone())
                            .await
                            .map_err(|e| match e {
                                // The database lacks a declared table or
                                // column: retrying will not help.
                                ConnectorError::Declaration(_) => {
                                    SystemError::Permanent(e.to_string())
                                }
                                ConnectorError::Database(_) => transient(e),
                            })?,
                    ),
                    Declared::KeyValue(declared) => Live::KeyValue(
                        KeyValueConnector::connect(url, declared.clone())
                            .await
                            .map_err(transient)?,
                    ),
                    Declared::Webhook => {
                        let secret = self.secret.as_deref().ok_or_else(|| {
                            SystemError::Permanent(format!(
                                "the environment variable `{}` (the signing secret) is not set",
                                self.secret_env.as_deref().unwrap_or("?")
                            ))
                        })?;
                        Live::Webhook(
                            WebhookConnector::new(url, secret.as_bytes()).map_err(transient)?,
                        )
                    }
                })
            })
            .await
    }

    /// Everything the system holds about the person.
    pub async fn access(
        &self,
        request_id: &str,
        identities: &[Identity<'_>],
    ) -> Result<Vec<Found>, SystemError> {
        Ok(match self.live().await? {
            Live::Relational(c) => c
                .access(identities)
                .await
                .map_err(transient)?
                .into_iter()
                .flat_map(|row| {
                    row.data.into_iter().map(move |(column, datum)| Found {
                        category: datum.category,
                        value: datum.value,
                        location: format!("table {}, row {}, column {column}", row.table, row.key),
                    })
                })
                .collect(),
            Live::KeyValue(c) => c
                .access(identities)
                .await
                .map_err(transient)?
                .into_iter()
                .flat_map(|key| {
                    key.data.into_iter().map(move |(field, datum)| Found {
                        category: datum.category,
                        value: datum.value,
                        location: format!("key {}, {field}", key.key),
                    })
                })
                .collect(),
            Live::Webhook(c) => c
                .access(request_id, identities)
                .await
                .map_err(transient)?
                .into_iter()
                .map(|item| Found {
                    category: item.category,
                    value: item.value,
                    location: "service".into(),
                })
                .collect(),
        })
    }

    /// Erases the person as the declaration says; what is kept says why.
    pub async fn erase(
        &self,
        request_id: &str,
        identities: &[Identity<'_>],
    ) -> Result<Vec<Erased>, SystemError> {
        Ok(match self.live().await? {
            Live::Relational(c) => c
                .erase(identities)
                .await
                .map_err(transient)?
                .into_iter()
                .map(|t| Erased {
                    what: format!("table {}", t.table),
                    action: match t.action {
                        steward_connectors::relational::Erase::Delete => "deleted",
                        steward_connectors::relational::Erase::Anonymise => "anonymised",
                        steward_connectors::relational::Erase::Keep => "kept",
                    }
                    .into(),
                    count: t.rows,
                    reason: t.hold,
                })
                .collect(),
            Live::KeyValue(c) => c
                .erase(identities)
                .await
                .map_err(transient)?
                .into_iter()
                .filter(|k| k.found)
                .map(|k| Erased {
                    what: format!("key {}", k.key),
                    action: match k.action {
                        steward_connectors::keyvalue::KeyErase::Delete => "deleted",
                        steward_connectors::keyvalue::KeyErase::Keep => "kept",
                    }
                    .into(),
                    count: 1,
                    reason: k.hold,
                })
                .collect(),
            Live::Webhook(c) => {
                let reply = c.erase(request_id, identities).await.map_err(transient)?;
                if !reply.erased {
                    return Err(SystemError::Transient(
                        "the service answered that it did not erase".into(),
                    ));
                }
                let mut out = vec![Erased {
                    what: "service".into(),
                    action: "deleted".into(),
                    count: 1,
                    reason: None,
                }];
                out.extend(reply.kept.into_iter().map(|k| Erased {
                    what: k.category,
                    action: "kept".into(),
                    count: 1,
                    reason: Some(k.reason),
                }));
                out
            }
        })
    }

    /// Whether this system can carry out `action` itself; if not, the part
    /// waits for a person (a manual part).
    pub fn can(&self, action: &str, category: Option<&str>) -> bool {
        match (&self.declared, action) {
            (_, "access" | "erase") => true,
            (Declared::Webhook, _) => true,
            (Declared::Relational(d), "rectify") => {
                category.is_some_and(|c| d.categories().contains(&c))
            }
            _ => false,
        }
    }

    /// Rectification, restriction and objections, where the system can.
    pub async fn act(
        &self,
        action: &str,
        request_id: &str,
        identities: &[Identity<'_>],
        detail: &serde_json::Value,
    ) -> Result<serde_json::Value, SystemError> {
        match self.live().await? {
            Live::Relational(c) if action == "rectify" => {
                let category = detail["category"].as_str().unwrap_or_default();
                let value = match &detail["value"] {
                    serde_json::Value::String(text) => text.clone(),
                    other => other.to_string(),
                };
                let rows = c
                    .rectify(identities, category, &value)
                    .await
                    .map_err(transient)?;
                Ok(serde_json::json!({ "rows": rows }))
            }
            Live::Webhook(c) => {
                c.act(action, request_id, identities, detail)
                    .await
                    .map_err(transient)?;
                Ok(serde_json::json!({ "done": true }))
            }
            _ => Err(SystemError::Permanent(format!(
                "system `{}` cannot `{action}` by itself",
                self.id
            ))),
        }
    }
}
