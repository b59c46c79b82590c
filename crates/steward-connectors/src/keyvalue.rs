//! Redis, declared key by key: which keys are built from a person's
//! identities, what they hold, and what erasure does to them.
//!
//! Keys are looked up directly from their pattern (`session:{email}`),
//! never scanned, and every name and value travels as a command argument.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::person::{Datum, Identity};

#[derive(Debug, thiserror::Error)]
pub enum KeyValueError {
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
    #[error("system declaration: {0}")]
    Declaration(String),
    #[error("the TLS root certificate {path}: {reason}")]
    RootCertificate { path: String, reason: String },
}

pub type Result<T, E = KeyValueError> = std::result::Result<T, E>;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyValueSystem {
    #[serde(rename = "key")]
    pub keys: Vec<KeySpec>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeySpec {
    /// The key, with identities in braces: `session:{email}`. For `set_member`,
    /// the member instead, and `set` names the set.
    pub pattern: String,
    #[serde(rename = "type")]
    pub kind: KeyKind,
    /// For `string` and `set_member`: the category of what is held.
    pub category: Option<String>,
    /// For `hash`: fields and their categories.
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    /// For `set_member`: the set the person is a member of.
    pub set: Option<String>,
    pub erase: KeyErase,
    /// For `keep`: why.
    pub hold: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyKind {
    String,
    Hash,
    SetMember,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyErase {
    Delete,
    Keep,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FoundKey {
    pub key: String,
    /// Field (`value` for a string, `member` for a set), and the value
    /// found with its category.
    pub data: BTreeMap<String, Datum>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyOutcome {
    pub key: String,
    pub action: KeyErase,
    /// Whether anything was there to erase (or keep).
    pub found: bool,
    pub hold: Option<String>,
}

impl KeyValueSystem {
    /// Every key is complete for its type, and every `{kind}` names an identity kind.
    pub fn validate(&self) -> Result<()> {
        let error = |m: String| Err(KeyValueError::Declaration(m));
        for spec in &self.keys {
            if placeholders(&spec.pattern).is_empty() {
                return error(format!(
                    "key `{}` has no identity in braces, e.g. `session:{{email}}`",
                    spec.pattern
                ));
            }
            match spec.kind {
                KeyKind::String if spec.category.is_none() => {
                    return error(format!("string key `{}` needs `category`", spec.pattern));
                }
                KeyKind::Hash if spec.fields.is_empty() => {
                    return error(format!("hash key `{}` needs `fields`", spec.pattern));
                }
                KeyKind::SetMember if spec.set.is_none() || spec.category.is_none() => {
                    return error(format!(
                        "set member `{}` needs `set` and `category`",
                        spec.pattern
                    ));
                }
                _ => {}
            }
            if spec.erase == KeyErase::Keep && spec.hold.is_none() {
                return error(format!(
                    "key `{}` is kept on erasure but gives no `hold`",
                    spec.pattern
                ));
            }
        }
        Ok(())
    }
}

impl KeyValueSystem {
    /// Every category the declaration's keys hold.
    pub fn categories(&self) -> Vec<&str> {
        self.keys
            .iter()
            .flat_map(|k| k.category.iter().chain(k.fields.values()))
            .map(String::as_str)
            .collect()
    }
}

/// The identity kinds a pattern names: `session:{email}` → `["email"]`.
fn placeholders(pattern: &str) -> Vec<&str> {
    pattern
        .split('{')
        .skip(1)
        .filter_map(|part| part.split_once('}').map(|(name, _)| name))
        .collect()
}

/// The pattern filled with the person's identities; `None` if one is missing.
fn fill(pattern: &str, identities: &[Identity<'_>]) -> Option<String> {
    let mut out = pattern.to_owned();
    for kind in placeholders(pattern) {
        let value = identities.iter().find(|i| i.kind == kind)?.value;
        out = out.replacen(&format!("{{{kind}}}"), value, 1);
    }
    Some(out)
}

/// The CA file named by `sslrootcert` in the URL's query, read; the redis
/// crate itself ignores the query but for `protocol`.
fn root_certificate(url: &str) -> Result<Option<Vec<u8>>> {
    let Ok(parsed) = reqwest::Url::parse(url) else {
        return Ok(None);
    };
    let Some((_, path)) = parsed.query_pairs().find(|(key, _)| key == "sslrootcert") else {
        return Ok(None);
    };
    std::fs::read(path.as_ref())
        .map(Some)
        .map_err(|e| KeyValueError::RootCertificate {
            path: path.into_owned(),
            reason: e.to_string(),
        })
}

pub struct KeyValueConnector {
    connection: redis::aio::MultiplexedConnection,
    system: KeyValueSystem,
}

impl KeyValueConnector {
    /// Connects to `url`: `redis://`, or `rediss://` for TLS, the server's
    /// certificate verified against the web PKI roots or, given
    /// `?sslrootcert=PATH` (a PEM file), against that CA alone.
    pub async fn connect(url: &str, system: KeyValueSystem) -> Result<Self> {
        system.validate()?;
        let client = match root_certificate(url)? {
            Some(pem) => redis::Client::build_with_tls(
                url,
                redis::TlsCertificates {
                    client_tls: None,
                    root_cert: Some(pem),
                },
            )?,
            None => redis::Client::open(url)?,
        };
        let connection = client.get_multiplexed_async_connection().await?;
        Ok(Self { connection, system })
    }

    /// What the declared keys hold about the person.
    pub async fn access(&self, identities: &[Identity<'_>]) -> Result<Vec<FoundKey>> {
        let mut connection = self.connection.clone();
        let mut out = Vec::new();
        for spec in &self.system.keys {
            let Some(key) = fill(&spec.pattern, identities) else {
                continue;
            };
            let category = spec.category.clone().unwrap_or_default();
            let datum = |category: &str, value: &str| Datum {
                category: category.to_owned(),
                value: serde_json::Value::from(value),
            };
            let data: BTreeMap<String, Datum> = match spec.kind {
                KeyKind::String => {
                    let value: Option<String> = redis::cmd("GET")
                        .arg(&key)
                        .query_async(&mut connection)
                        .await?;
                    value
                        .map(|v| ("value".to_owned(), datum(&category, &v)))
                        .into_iter()
                        .collect()
                }
                KeyKind::Hash => {
                    let all: BTreeMap<String, String> = redis::cmd("HGETALL")
                        .arg(&key)
                        .query_async(&mut connection)
                        .await?;
                    spec.fields
                        .iter()
                        .filter_map(|(field, category)| {
                            all.get(field).map(|v| (field.clone(), datum(category, v)))
                        })
                        .collect()
                }
                KeyKind::SetMember => {
                    let set = spec.set.clone().unwrap_or_default();
                    let member: bool = redis::cmd("SISMEMBER")
                        .arg(&set)
                        .arg(&key)
                        .query_async(&mut connection)
                        .await?;
                    if member {
                        [("member".to_owned(), datum(&category, &set))]
                            .into_iter()
                            .collect()
                    } else {
                        BTreeMap::new()
                    }
                }
            };
            if !data.is_empty() {
                out.push(FoundKey { key, data });
            }
        }
        Ok(out)
    }

    /// Deletes (or keeps) what the declared keys hold about the person.
    pub async fn erase(&self, identities: &[Identity<'_>]) -> Result<Vec<KeyOutcome>> {
        let mut connection = self.connection.clone();
        let mut out = Vec::new();
        for spec in &self.system.keys {
            let Some(key) = fill(&spec.pattern, identities) else {
                continue;
            };
            let found = match (spec.kind, spec.erase) {
                (KeyKind::SetMember, KeyErase::Delete) => {
                    let set = spec.set.clone().unwrap_or_default();
                    let removed: i64 = redis::cmd("SREM")
                        .arg(&set)
                        .arg(&key)
                        .query_async(&mut connection)
                        .await?;
                    removed > 0
                }
                (KeyKind::SetMember, KeyErase::Keep) => {
                    let set = spec.set.clone().unwrap_or_default();
                    redis::cmd("SISMEMBER")
                        .arg(&set)
                        .arg(&key)
                        .query_async(&mut connection)
                        .await?
                }
                (_, KeyErase::Delete) => {
                    let deleted: i64 = redis::cmd("DEL")
                        .arg(&key)
                        .query_async(&mut connection)
                        .await?;
                    deleted > 0
                }
                (_, KeyErase::Keep) => {
                    redis::cmd("EXISTS")
                        .arg(&key)
                        .query_async(&mut connection)
                        .await?
                }
            };
            out.push(KeyOutcome {
                key,
                action: spec.erase,
                found,
                hold: spec.hold.clone(),
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_are_filled_from_identities_or_skipped() {
        let anna = [Identity {
            kind: "email",
            value: "anna@example.se",
        }];
        assert_eq!(
            placeholders("cart:{customer_id}:{email}"),
            ["customer_id", "email"]
        );
        assert_eq!(
            fill("session:{email}", &anna).as_deref(),
            Some("session:anna@example.se")
        );
        assert_eq!(
            fill("cart:{customer_id}", &anna),
            None,
            "no such identity: the key is not this person's to touch"
        );
    }
}
