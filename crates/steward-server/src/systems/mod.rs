//! The organisation's own systems that rights requests reach, built from the
//! policy's `[system.connector]` declarations. Connection URLs and secrets
//! come from the environment variables the policy names (their values handed
//! over in the settings); each system connects on first use, so a system
//! that is down does not stop Steward (its parts fail and are retried).

mod retention;

use std::collections::HashMap;

use steward_connectors::{Act, ActKind, Connector, Declaration, Erased, Failure, Found, Identity};
use steward_domain::policy::{ConnectorKind, Policy, System, is_within};
use steward_domain::rights::parts::PartAction;
use tokio::sync::OnceCell;

#[allow(
    unused_imports,
    reason = "the sweeper calls `Systems::sweep_retention` with these"
)]
pub use retention::{RetentionAudit, SweepAction, SweepError, SweptBatch, TableSweep};

/// A system's declaration is wrong: found when Steward starts.
#[derive(Debug, thiserror::Error)]
#[error("system `{system}`: {message}")]
pub struct DeclarationError {
    pub system: String,
    pub message: String,
}

/// A system with a connector: its declaration, where it is, and its live
/// connection once made.
pub struct ConnectedSystem {
    pub id: String,
    pub kind: ConnectorKind,
    declaration: Declaration,
    url_env: String,
    secret_env: Option<String>,
    url: Option<String>,
    secret: Option<String>,
    live: OnceCell<Box<dyn Connector>>,
}

/// Every connected system of the policy.
#[derive(Default)]
pub struct Systems {
    systems: Vec<ConnectedSystem>,
}

impl Systems {
    /// Reads the connectors of `policy`, with the values of the environment
    /// variables they name from `environment`. Fails on a declaration that
    /// cannot work, naming the system.
    pub fn from_policy(
        policy: &Policy,
        environment: &HashMap<String, String>,
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
            let declaration = match connector.kind {
                ConnectorKind::Postgres | ConnectorKind::Mysql => {
                    let declared = relational(value).map_err(error)?;
                    declared.validate().map_err(|e| error(e.to_string()))?;
                    Declaration::Relational(declared)
                }
                ConnectorKind::Redis => {
                    let declared: steward_connectors::keyvalue::KeyValueSystem =
                        value
                            .try_into()
                            .map_err(|e: toml::de::Error| error(e.message().to_owned()))?;
                    declared.validate().map_err(|e| error(e.to_string()))?;
                    Declaration::KeyValue(declared)
                }
                ConnectorKind::Webhook => Declaration::Webhook,
            };
            check_categories(policy, system, &declaration.categories()).map_err(error)?;
            if let Declaration::Relational(declared) = &declaration {
                check_retention(policy, declared).map_err(error)?;
                retention::check_table_retention(policy, declared).map_err(error)?;
            }
            systems.push(ConnectedSystem {
                id: system.id.clone(),
                kind: connector.kind,
                url: environment.get(&connector.url_env).cloned(),
                secret: connector
                    .secret_env
                    .as_ref()
                    .and_then(|name| environment.get(name).cloned()),
                url_env: connector.url_env.clone(),
                secret_env: connector.secret_env.clone(),
                declaration,
                live: OnceCell::new(),
            });
        }
        Ok(Self { systems })
    }

    pub fn get(&self, id: &str) -> Option<&ConnectedSystem> {
        self.systems.iter().find(|s| s.id == id)
    }

    /// Whether system `id` carries out `action` itself: access and erasure
    /// any connected system does; other rights as its kind allows.
    pub fn can(&self, id: &str, action: PartAction, category: Option<&str>) -> bool {
        let Some(system) = self.get(id) else {
            return false;
        };
        match action {
            PartAction::Access | PartAction::Erase => true,
            // Recipients are told by letter, never through a system.
            PartAction::Notify => false,
            other => act_kind(other).is_some_and(|act| system.declaration.can(act, category)),
        }
    }

    /// Environment variables the policy names that are not set: (system, variable).
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

/// A relational declaration read from the policy; a field that is wrong
/// is named with its table (`table `tickets`: unknown field ...`).
fn relational(
    value: toml::Value,
) -> Result<steward_connectors::relational::RelationalSystem, String> {
    use steward_connectors::relational::{RelationalSystem, Table};
    let whole: Result<RelationalSystem, toml::de::Error> = value.clone().try_into();
    let error = match whole {
        Ok(declared) => return Ok(declared),
        Err(error) => error,
    };
    let tables = value
        .get("table")
        .and_then(toml::Value::as_array)
        .cloned()
        .unwrap_or_default();
    for (n, table) in tables.into_iter().enumerate() {
        let name = table
            .get("name")
            .and_then(toml::Value::as_str)
            .map_or_else(|| format!("number {}", n + 1), |name| format!("`{name}`"));
        if let Err(e) = table.try_into::<Table>() {
            return Err(format!("table {name}: {}", e.message()));
        }
    }
    Err(error.message().to_owned())
}

/// The connector's name for a right other than access, erasure and telling
/// a recipient (which have their own calls, or none).
fn act_kind(action: PartAction) -> Option<ActKind> {
    Some(match action {
        PartAction::Access | PartAction::Erase | PartAction::Notify => return None,
        PartAction::Rectify => ActKind::Rectify,
        PartAction::Restrict => ActKind::Restrict,
        PartAction::LiftRestriction => ActKind::LiftRestriction,
        PartAction::Object => ActKind::Object,
        PartAction::WithdrawConsent => ActKind::WithdrawConsent,
        PartAction::Unsubscribe => ActKind::Unsubscribe,
    })
}

/// Every category a connector maps data to is declared, and is one the
/// system is said to hold (so the notice and the record tell the truth).
fn check_categories(policy: &Policy, system: &System, categories: &[&str]) -> Result<(), String> {
    for category in categories {
        if policy.category(category).is_none() {
            return Err(format!(
                "the connector maps data to category `{category}`, which the policy does not declare"
            ));
        }
        if !system.categories.iter().any(|c| is_within(category, c)) {
            return Err(format!(
                "the connector maps data to category `{category}`, which is not among the system's `categories`; add it there so the notice and the record of processing say so"
            ));
        }
    }
    Ok(())
}

/// What a table does on erasure must not contradict the policy's
/// retention: data a rule keeps under a law or an Art. 17(3) exception is
/// not deleted or cleared, and a row that stays keeps the row it belongs to
/// (its foreign key would stop the delete, retry after retry).
fn check_retention(
    policy: &Policy,
    declared: &steward_connectors::relational::RelationalSystem,
) -> Result<(), String> {
    use steward_connectors::relational::Erase;
    let kept_by = |category: &str| {
        policy.retention.iter().find(|rule| {
            (rule.law.is_some() || rule.erasure_exception.is_some())
                && rule.categories.iter().any(|kept| is_within(category, kept))
        })
    };
    let why = |rule: &steward_domain::policy::RetentionRule| {
        rule.law
            .clone()
            .or_else(|| rule.erasure_exception.map(|e| e.as_str().to_owned()))
            .unwrap_or_default()
    };
    for table in &declared.tables {
        let cleared: Vec<&String> = match table.erase {
            // Rows kept rows refer to are cleared of these only; the rest
            // (no kept row refers to them) hold nothing the law keeps.
            Erase::Delete if !table.anonymise.is_empty() => table.anonymise.iter().collect(),
            Erase::Delete => table.columns.keys().collect(),
            Erase::Anonymise => table.anonymise.iter().collect(),
            Erase::Keep => Vec::new(),
        };
        for column in cleared {
            let Some(category) = table.columns.get(column) else {
                continue;
            };
            if let Some(rule) = kept_by(category) {
                let keep: Vec<&str> = table
                    .columns
                    .iter()
                    .filter(|(_, c)| kept_by(c).is_none())
                    .map(|(column, _)| column.as_str())
                    .collect();
                return Err(format!(
                    "table `{}` {} column `{column}` ({category}), which retention rule `{}` keeps ({}); clear only `anonymise = [{}]` with the `hold`, or `erase = \"keep\"`",
                    table.name,
                    if table.erase == Erase::Delete && table.anonymise.is_empty() {
                        "deletes, with its row,"
                    } else {
                        "clears"
                    },
                    rule.id,
                    why(rule),
                    keep.iter()
                        .map(|c| format!("\"{c}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        if table.erase != Erase::Delete
            && let Some(parent) = &table.parent
            && let Some(parent_table) = declared.tables.iter().find(|t| t.name == parent.table)
            && parent_table.erase == Erase::Delete
            && parent_table.anonymise.is_empty()
        {
            return Err(format!(
                "table `{}` is kept on erasure but the row it belongs to in `{}` is deleted: the reference (`{}`) would stop the delete; give `{}` the `anonymise` columns to clear instead where a kept row refers to it",
                table.name, parent.table, parent.column, parent.table
            ));
        }
    }
    Ok(())
}

impl ConnectedSystem {
    async fn live(&self) -> Result<&dyn Connector, Failure> {
        let url = self.url.as_deref().ok_or_else(|| {
            Failure::Permanent(format!(
                "the environment variable `{}` (the connection URL) is not set",
                self.url_env
            ))
        })?;
        if matches!(self.declaration, Declaration::Webhook) && self.secret.is_none() {
            return Err(Failure::Permanent(format!(
                "the environment variable `{}` (the signing secret) is not set",
                self.secret_env.as_deref().unwrap_or("secret_env")
            )));
        }
        let live = self
            .live
            .get_or_try_init(|| {
                steward_connectors::connect(&self.declaration, url, self.secret.as_deref())
            })
            .await?;
        Ok(live.as_ref())
    }

    pub async fn access(
        &self,
        request: &str,
        identities: &[Identity<'_>],
    ) -> Result<Vec<Found>, Failure> {
        self.live().await?.access(request, identities).await
    }

    pub async fn erase(
        &self,
        request: &str,
        identities: &[Identity<'_>],
    ) -> Result<Vec<Erased>, Failure> {
        self.live().await?.erase(request, identities).await
    }

    pub async fn act(
        &self,
        act: Act<'_>,
        request: &str,
        identities: &[Identity<'_>],
    ) -> Result<Option<u64>, Failure> {
        self.live().await?.act(act, request, identities).await
    }
}
