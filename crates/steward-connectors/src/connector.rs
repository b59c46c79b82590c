//! What a rights request asks of one of the organisation's systems, whatever
//! kind of system it is: the [`Connector`] trait, the answers it gives, and
//! [`connect`], which makes a connector from a system's declaration. Adding a
//! kind of system means a module with its declaration and client, a
//! `Connector` impl here, and an arm in [`Declaration`] and in [`connect`].

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::keyvalue::{KeyErase, KeyValueConnector, KeyValueSystem};
use crate::person::Identity;
use crate::relational::{ConnectorError, Erase, RelationalConnector, RelationalSystem};
use crate::retention::{BatchAudit, DueBefore, SweepOptions, Swept};
use crate::webhook::WebhookConnector;

/// A piece of a person's data found in a system.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Found {
    pub category: String,
    pub value: serde_json::Value,
    /// Where: `table customers, row 17, column email`, `key session:…`.
    pub location: String,
}

/// What erasure did in a system, part by part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Erased {
    /// `table customers`, `key session:…`, `service`, or a category.
    pub what: String,
    pub treatment: Treatment,
    pub count: u64,
    /// For kept data: why (the legal hold).
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Treatment {
    Deleted,
    Anonymised,
    Kept,
}

/// A system could not do its part this time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Failure {
    /// Worth trying again: the system was unreachable or failed.
    #[error("{0}")]
    Transient(String),
    /// Trying again will not help until someone changes something.
    #[error("{0}")]
    Permanent(String),
}

/// A right other than access and erasure, with what it needs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Act<'a> {
    Rectify {
        category: &'a str,
        value: &'a serde_json::Value,
    },
    Restrict,
    LiftRestriction,
    Object {
        purpose: &'a str,
    },
    WithdrawConsent {
        purpose: &'a str,
    },
    Unsubscribe,
}

/// Which right, without its details: what [`Declaration::can`] is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActKind {
    Rectify,
    Restrict,
    LiftRestriction,
    Object,
    WithdrawConsent,
    Unsubscribe,
}

impl Act<'_> {
    pub fn kind(&self) -> ActKind {
        match self {
            Act::Rectify { .. } => ActKind::Rectify,
            Act::Restrict => ActKind::Restrict,
            Act::LiftRestriction => ActKind::LiftRestriction,
            Act::Object { .. } => ActKind::Object,
            Act::WithdrawConsent { .. } => ActKind::WithdrawConsent,
            Act::Unsubscribe => ActKind::Unsubscribe,
        }
    }
}

impl ActKind {
    /// The name in the webhook contract: the path the call is posted to.
    pub fn name(self) -> &'static str {
        match self {
            ActKind::Rectify => "rectify",
            ActKind::Restrict => "restrict",
            ActKind::LiftRestriction => "lift_restriction",
            ActKind::Object => "object",
            ActKind::WithdrawConsent => "withdraw_consent",
            ActKind::Unsubscribe => "unsubscribe",
        }
    }
}

/// One of the organisation's systems, as a rights request reaches it.
#[async_trait]
pub trait Connector: Send + Sync {
    /// Everything the system holds about the person.
    async fn access(
        &self,
        request: &str,
        identities: &[Identity<'_>],
    ) -> Result<Vec<Found>, Failure>;

    /// Erases the person as the declaration says; what is kept says why.
    async fn erase(
        &self,
        request: &str,
        identities: &[Identity<'_>],
    ) -> Result<Vec<Erased>, Failure>;

    /// Carries out `act`; returns how many rows or items it changed, where
    /// the system says.
    async fn act(
        &self,
        act: Act<'_>,
        request: &str,
        identities: &[Identity<'_>],
    ) -> Result<Option<u64>, Failure>;

    /// Applies the retention declared on `table`: counts the rows `due`
    /// says are past their end and, unless a dry run, acts on them in
    /// batches, each told to `audit` before it commits (see
    /// [`RelationalConnector::sweep`]). Only database systems have tables.
    async fn sweep(
        &self,
        table: &str,
        due: &DueBefore,
        options: SweepOptions,
        audit: &dyn BatchAudit,
    ) -> Result<Swept, Failure> {
        let _ = (table, due, options, audit);
        Err(Failure::Permanent(
            "only a database system has tables a retention rule applies to".into(),
        ))
    }
}

/// A system's declaration in the policy, parsed for its kind.
#[derive(Debug, Clone)]
pub enum Declaration {
    Relational(RelationalSystem),
    KeyValue(KeyValueSystem),
    Webhook,
}

impl Declaration {
    /// Whether a system so declared carries out `act` (for rectification, of
    /// `category`) itself; if not, that part waits for a person. Known before
    /// connecting, so a request is planned even while a system is down.
    pub fn can(&self, act: ActKind, category: Option<&str>) -> bool {
        match self {
            Declaration::Webhook => true,
            Declaration::Relational(d) => {
                act == ActKind::Rectify && category.is_some_and(|c| d.categories().contains(&c))
            }
            Declaration::KeyValue(_) => false,
        }
    }

    /// The categories the declaration maps data to.
    pub fn categories(&self) -> Vec<&str> {
        match self {
            Declaration::Relational(d) => d.categories(),
            Declaration::KeyValue(d) => d.categories(),
            Declaration::Webhook => Vec::new(),
        }
    }
}

/// Connects to a declared system at `url` (the webhook's signing secret in
/// `secret`).
pub async fn connect(
    declaration: &Declaration,
    url: &str,
    secret: Option<&str>,
) -> Result<Box<dyn Connector>, Failure> {
    Ok(match declaration {
        Declaration::Relational(declared) => Box::new(
            RelationalConnector::connect(url, declared.clone())
                .await
                .map_err(|e| match e {
                    // The database lacks a declared table or column:
                    // retrying will not help.
                    ConnectorError::Declaration(_) | ConnectorError::Parameter(_) => {
                        Failure::Permanent(e.to_string())
                    }
                    ConnectorError::Database(_)
                    | ConnectorError::Tls(_)
                    | ConnectorError::Audit(_) => transient(e),
                })?,
        ),
        Declaration::KeyValue(declared) => Box::new(
            KeyValueConnector::connect(url, declared.clone())
                .await
                .map_err(transient)?,
        ),
        Declaration::Webhook => {
            let secret = secret.ok_or_else(|| {
                Failure::Permanent("the webhook's signing secret is not set".into())
            })?;
            Box::new(WebhookConnector::new(url, secret.as_bytes()).map_err(transient)?)
        }
    })
}

fn transient(error: impl std::fmt::Display) -> Failure {
    Failure::Transient(error.to_string())
}

#[async_trait]
impl Connector for RelationalConnector {
    async fn access(&self, _: &str, identities: &[Identity<'_>]) -> Result<Vec<Found>, Failure> {
        Ok(RelationalConnector::access(self, identities)
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
            .collect())
    }

    async fn erase(&self, _: &str, identities: &[Identity<'_>]) -> Result<Vec<Erased>, Failure> {
        Ok(RelationalConnector::erase(self, identities)
            .await
            .map_err(transient)?
            .into_iter()
            .map(|t| Erased {
                what: format!("table {}", t.table),
                treatment: match t.action {
                    Erase::Delete => Treatment::Deleted,
                    Erase::Anonymise => Treatment::Anonymised,
                    Erase::Keep => Treatment::Kept,
                },
                count: t.rows,
                reason: t.hold,
            })
            .collect())
    }

    async fn act(
        &self,
        act: Act<'_>,
        _: &str,
        identities: &[Identity<'_>],
    ) -> Result<Option<u64>, Failure> {
        let Act::Rectify { category, value } = act else {
            return Err(Failure::Permanent(format!(
                "a database system cannot `{}` by itself",
                act.kind().name()
            )));
        };
        let value = match value {
            serde_json::Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        let rows = self
            .rectify(identities, category, &value)
            .await
            .map_err(transient)?;
        Ok(Some(rows))
    }

    async fn sweep(
        &self,
        table: &str,
        due: &DueBefore,
        options: SweepOptions,
        audit: &dyn BatchAudit,
    ) -> Result<Swept, Failure> {
        RelationalConnector::sweep(self, table, due, options, audit)
            .await
            .map_err(|e| match e {
                // The declaration does not fit the database: say so until
                // someone corrects it.
                ConnectorError::Declaration(_) | ConnectorError::Parameter(_) => {
                    Failure::Permanent(e.to_string())
                }
                ConnectorError::Database(_) | ConnectorError::Tls(_) | ConnectorError::Audit(_) => {
                    transient(e)
                }
            })
    }
}

#[async_trait]
impl Connector for KeyValueConnector {
    async fn access(&self, _: &str, identities: &[Identity<'_>]) -> Result<Vec<Found>, Failure> {
        Ok(KeyValueConnector::access(self, identities)
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
            .collect())
    }

    async fn erase(&self, _: &str, identities: &[Identity<'_>]) -> Result<Vec<Erased>, Failure> {
        Ok(KeyValueConnector::erase(self, identities)
            .await
            .map_err(transient)?
            .into_iter()
            .filter(|k| k.found)
            .map(|k| Erased {
                what: format!("key {}", k.key),
                treatment: match k.action {
                    KeyErase::Delete => Treatment::Deleted,
                    KeyErase::Keep => Treatment::Kept,
                },
                count: 1,
                reason: k.hold,
            })
            .collect())
    }

    async fn act(&self, act: Act<'_>, _: &str, _: &[Identity<'_>]) -> Result<Option<u64>, Failure> {
        Err(Failure::Permanent(format!(
            "a key-value system cannot `{}` by itself",
            act.kind().name()
        )))
    }
}

#[async_trait]
impl Connector for WebhookConnector {
    async fn access(
        &self,
        request: &str,
        identities: &[Identity<'_>],
    ) -> Result<Vec<Found>, Failure> {
        Ok(WebhookConnector::access(self, request, identities)
            .await
            .map_err(transient)?
            .into_iter()
            .map(|item| Found {
                category: item.category,
                value: item.value,
                location: "service".into(),
            })
            .collect())
    }

    async fn erase(
        &self,
        request: &str,
        identities: &[Identity<'_>],
    ) -> Result<Vec<Erased>, Failure> {
        let reply = WebhookConnector::erase(self, request, identities)
            .await
            .map_err(transient)?;
        if !reply.erased {
            return Err(Failure::Transient(
                "the service answered that it did not erase".into(),
            ));
        }
        let mut out = vec![Erased {
            what: "service".into(),
            treatment: Treatment::Deleted,
            count: 1,
            reason: None,
        }];
        out.extend(reply.kept.into_iter().map(|k| Erased {
            what: k.category,
            treatment: Treatment::Kept,
            count: 1,
            reason: Some(k.reason),
        }));
        Ok(out)
    }

    async fn act(
        &self,
        act: Act<'_>,
        request: &str,
        identities: &[Identity<'_>],
    ) -> Result<Option<u64>, Failure> {
        // The contract's detail: the purpose, or the category and its value.
        let (purpose, category, value) = match act {
            Act::Rectify { category, value } => (None, Some(category), Some(value.clone())),
            Act::Object { purpose } | Act::WithdrawConsent { purpose } => {
                (Some(purpose), None, None)
            }
            Act::Unsubscribe => (Some("direct_marketing"), None, None),
            Act::Restrict | Act::LiftRestriction => (None, None, None),
        };
        let detail =
            serde_json::json!({ "purpose": purpose, "category": category, "value": value });
        WebhookConnector::act(self, act.kind().name(), request, identities, &detail)
            .await
            .map_err(transient)?;
        Ok(None)
    }
}
