//! What a part of a request found or did: one [`PartResult`] per part,
//! sealed under the request's key (it may hold personal data: `sealing.rs`),
//! opened only to make the answer.

use serde::{Deserialize, Serialize};
use steward_connectors::{Erased, Found, Treatment};
use steward_domain::common::ids::{PartId, RequestId};
use steward_domain::policy::ErasureException;
use steward_domain::rights::access_report::HeldValue;
use steward_domain::vault::disclosure::Received;

use crate::rights::sealing::RequestKey;
use crate::vault::{Result, VaultError, corrupt};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum PartResult {
    /// The verified identities lead to no one in the vault.
    NoSubject,
    /// The subject was erased already (by this request's earlier run, or before).
    ErasedAlready,
    /// What the vault holds about the subject, opened (access, portability).
    Held {
        data: Vec<HeldValue>,
        /// Who received some of it (Art. 15(1)(c)): the disclosure log and
        /// the standing disclosures.
        #[serde(default)]
        received: Vec<Received>,
    },
    /// What a system holds.
    Found {
        found: Vec<Found>,
    },
    /// Erasure in the vault: crypto-shredding when nothing is kept.
    VaultErased {
        crypto_shredded: bool,
        erased: usize,
        kept: Vec<KeptRecord>,
    },
    /// Erasure in a system, table by table or key by key.
    SystemErased {
        erased: Vec<Erased>,
    },
    Rectified {
        records: u64,
    },
    Restricted {
        restricted: bool,
    },
    Objected {
        purpose: String,
    },
    ConsentWithdrawn {
        purpose: String,
        none_in_force: bool,
    },
    /// A system carried out the right itself; how many rows, where it says.
    Acted {
        rows: Option<u64>,
    },
    Notified {
        notified: bool,
    },
    /// A person did a manual part, and said how.
    DoneByHand {
        by: String,
        note: String,
        /// Access: what the person found by hand, by category (empty: none
        /// held there); it reaches the answer as a connector's finds do.
        #[serde(default)]
        found: Vec<Found>,
    },
}

/// Data the vault kept under an Art. 17(3) exception.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptRecord {
    pub category: String,
    pub exception: ErasureException,
    pub law: Option<String>,
    /// `YYYY-MM-DD`, or words when there is no date yet.
    pub until: String,
}

impl PartResult {
    pub fn seal(
        &self,
        key: &RequestKey<'_>,
        request: &RequestId,
        part: &PartId,
    ) -> Result<Vec<u8>> {
        let bytes = serde_json::to_vec(self).map_err(|e| {
            VaultError::Internal(format!(
                "the result of part {part} could not be written: {e}"
            ))
        })?;
        Ok(key.seal(request, &field(part), &bytes))
    }

    pub fn open(
        key: &RequestKey<'_>,
        request: &RequestId,
        part: &PartId,
        sealed: &[u8],
    ) -> Result<Self> {
        let bytes = key.open(request, &field(part), sealed)?;
        let value: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| corrupt(format!("the result of part {part}: {e}")))?;
        if value.get("result").is_some() {
            serde_json::from_value(value)
                .map_err(|e| corrupt(format!("the result of part {part}: {e}")))
        } else {
            first_release(&value).ok_or_else(|| {
                corrupt(format!(
                    "the result of part {part} is not one Steward writes"
                ))
            })
        }
    }
}

fn field(part: &PartId) -> String {
    format!("job:{part}")
}

/// A result written by the first release, which kept untyped JSON: read by
/// the key that says what it is, so requests open across the upgrade finish.
fn from<T: serde::de::DeserializeOwned>(value: &serde_json::Value) -> Option<T> {
    serde_json::from_value(value.clone()).ok()
}

fn first_release(value: &serde_json::Value) -> Option<PartResult> {
    let field = |name: &str| value.get(name);
    if field("erased_already").is_some() {
        return Some(PartResult::ErasedAlready);
    }
    if let Some(data) = field("data") {
        return Some(PartResult::Held {
            data: from(data)?,
            received: Vec::new(),
        });
    }
    match field("found") {
        Some(serde_json::Value::Bool(false)) => return Some(PartResult::NoSubject),
        Some(found) => {
            return Some(PartResult::Found {
                found: from(found)?,
            });
        }
        None => {}
    }
    if let Some(shredded) = field("crypto_shredded") {
        return Some(PartResult::VaultErased {
            crypto_shredded: shredded.as_bool()?,
            erased: usize::try_from(field("erased")?.as_u64()?).ok()?,
            kept: from(field("kept")?)?,
        });
    }
    if let Some(erased) = field("erased") {
        #[derive(Deserialize)]
        struct Old {
            what: String,
            action: String,
            count: u64,
            reason: Option<String>,
        }
        let old: Vec<Old> = from(erased)?;
        let erased = old
            .into_iter()
            .map(|o| {
                let treatment = match o.action.as_str() {
                    "deleted" => Treatment::Deleted,
                    "anonymised" => Treatment::Anonymised,
                    "kept" => Treatment::Kept,
                    _ => return None,
                };
                Some(Erased {
                    what: o.what,
                    treatment,
                    count: o.count,
                    reason: o.reason,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        return Some(PartResult::SystemErased { erased });
    }
    if let Some(records) = field("records") {
        return Some(PartResult::Rectified {
            records: records.as_u64()?,
        });
    }
    if let Some(restricted) = field("restricted") {
        return Some(PartResult::Restricted {
            restricted: restricted.as_bool()?,
        });
    }
    if let Some(purpose) = field("objection") {
        return Some(PartResult::Objected {
            purpose: purpose.as_str()?.to_owned(),
        });
    }
    if let Some(purpose) = field("withdrawn") {
        return Some(PartResult::ConsentWithdrawn {
            purpose: purpose.as_str()?.to_owned(),
            none_in_force: field("none_in_force").is_some(),
        });
    }
    if let Some(rows) = field("rows") {
        return Some(PartResult::Acted {
            rows: Some(rows.as_u64()?),
        });
    }
    if field("done").is_some() {
        return Some(PartResult::Acted { rows: None });
    }
    if let Some(notified) = field("notified") {
        return Some(PartResult::Notified {
            notified: notified.as_bool()?,
        });
    }
    if field("manual").is_some() {
        return Some(PartResult::DoneByHand {
            by: field("by")?.as_str()?.to_owned(),
            note: field("note")?.as_str()?.to_owned(),
            found: Vec::new(),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_of_the_first_release_read_as_what_they_were() {
        let cases = [
            (serde_json::json!({ "found": false }), PartResult::NoSubject),
            (
                serde_json::json!({ "erased_already": true }),
                PartResult::ErasedAlready,
            ),
            (
                serde_json::json!({ "crypto_shredded": false, "erased": 1, "kept": [
                    { "category": "invoice", "exception": "legal_obligation", "law": "Bokföringslagen", "until": "2032-12-31" }
                ] }),
                PartResult::VaultErased {
                    crypto_shredded: false,
                    erased: 1,
                    kept: vec![KeptRecord {
                        category: "invoice".into(),
                        exception: ErasureException::LegalObligation,
                        law: Some("Bokföringslagen".into()),
                        until: "2032-12-31".into(),
                    }],
                },
            ),
            (
                serde_json::json!({ "erased": [{ "what": "table orders", "action": "anonymised", "count": 2, "reason": null }] }),
                PartResult::SystemErased {
                    erased: vec![Erased {
                        what: "table orders".into(),
                        treatment: Treatment::Anonymised,
                        count: 2,
                        reason: None,
                    }],
                },
            ),
            (
                serde_json::json!({ "rows": 3 }),
                PartResult::Acted { rows: Some(3) },
            ),
            (
                serde_json::json!({ "manual": true, "by": "token:1", "note": "done" }),
                PartResult::DoneByHand {
                    by: "token:1".into(),
                    note: "done".into(),
                    found: Vec::new(),
                },
            ),
        ];
        for (old, new) in cases {
            assert_eq!(first_release(&old), Some(new), "{old}");
        }
        assert_eq!(first_release(&serde_json::json!({ "surprise": 1 })), None);
    }
}
