//! Disclosures: a subject's data released to a recipient the policy
//! declares, for a purpose it declares it for, to a country and under a
//! safeguard Chapter V accepts, and logged. The release is a purpose-bound
//! read narrowed to the categories allowed; it and its log entry are one act.

use serde::{Deserialize, Serialize};
use steward_domain::common::ids::{DisclosureId, SubjectId};
use steward_domain::policy::Policy;
use steward_domain::vault::actor::Actor;
use steward_domain::vault::disclosure::{self, Ask, Derogation, Received};
use steward_store::{DisclosureCount, StoredDisclosure};

use crate::vault::error::{Result, VaultError, corrupt, invalid};
use crate::vault::key_ring;
use crate::vault::service::{Vault, fresh_id};
use crate::vault::views::PurposeRead;

/// What a caller asks to disclose.
#[derive(Debug, Clone, Default)]
pub struct NewDisclosure {
    pub recipient: String,
    pub purpose: String,
    /// Empty: all the recipient receives for the purpose.
    pub categories: Vec<String>,
    /// ISO 3166-1 alpha-2; needed where the policy gives a region.
    pub country: Option<String>,
    pub derogation: Option<DerogationUsed>,
    pub legal_request: Option<LegalRequest>,
}

/// The Art. 49(1) point a transfer rests on, and why it applies here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DerogationUsed {
    pub point: Derogation,
    pub reason: String,
}

/// The legal request behind a disclosure to an authority.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalRequest {
    /// Who asked: the authority or court.
    pub authority: String,
    /// The legal ground it cites: a warrant, a court order, a provision.
    pub ground: String,
    /// Its case number or reference, if any.
    #[serde(default)]
    pub reference: Option<String>,
}

/// The part of a log entry that names people, sealed under the subject's key.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct SealedDetail {
    #[serde(default)]
    legal_request: Option<LegalRequest>,
    #[serde(default)]
    derogation_reason: Option<String>,
}

/// A disclosure as the log keeps it, opened.
#[derive(Debug, Clone, PartialEq)]
pub struct LoggedDisclosure {
    pub id: DisclosureId,
    pub recipient: String,
    pub purpose: String,
    pub categories: Vec<String>,
    pub country: String,
    pub safeguard: Option<String>,
    pub derogation: Option<DerogationUsed>,
    pub legal_request: Option<LegalRequest>,
    pub at: jiff::Timestamp,
}

/// The answer to a disclosure: the data released (to hand to the
/// recipient), what was held back, and the log entry (`None` when nothing
/// could be released, so nothing was disclosed).
#[derive(Debug, Clone)]
pub struct Disclosed {
    pub read: PurposeRead,
    pub logged: Option<LoggedDisclosure>,
}

impl Vault {
    pub async fn disclose(
        &self,
        actor: &Actor,
        subject_id: &SubjectId,
        input: NewDisclosure,
    ) -> Result<Disclosed> {
        if !actor.may_use(&input.purpose) {
            return Err(VaultError::Forbidden(format!(
                "this token may not disclose data for purpose `{}`",
                input.purpose
            )));
        }
        if let Some(request) = &input.legal_request {
            for (field, value) in [
                ("legal_request.authority", &request.authority),
                ("legal_request.ground", &request.ground),
            ] {
                if value.trim().is_empty() {
                    return Err(invalid(field, "must not be empty"));
                }
            }
        }
        if let Some(used) = &input.derogation
            && used.reason.trim().is_empty()
        {
            return Err(invalid(
                "derogation.reason",
                "say why the derogation applies to this disclosure (for explicit consent: when and how it was given)",
            ));
        }
        let allowed = disclosure::check(
            &self.policy,
            &Ask {
                recipient: &input.recipient,
                purpose: &input.purpose,
                categories: &input.categories,
                country: input.country.as_deref(),
                derogation: input.derogation.as_ref().map(|d| d.point),
                legal_request: input.legal_request.is_some(),
            },
        )
        .map_err(|refused| VaultError::Refused {
            code: refused.code,
            field: refused.field,
            message: refused.message,
        })?;
        let read = self
            .decide_read(actor, subject_id, &input.purpose, Some(&allowed.categories))
            .await?;
        let refused: Vec<serde_json::Value> = read
            .withheld
            .iter()
            .map(|r| serde_json::json!({ "category": r.category, "reason": r.reason }))
            .collect();
        if read.records.is_empty() {
            // Nothing may go: nothing is disclosed, and the attempt is on record.
            let audit = self.act(
                actor,
                "disclosure.nothing_released",
                Some(subject_id),
                serde_json::json!({ "recipient": input.recipient, "purpose": input.purpose, "refused": refused }),
            );
            self.audit.append(audit).await?;
            return Ok(Disclosed { read, logged: None });
        }
        let mut categories: Vec<String> = read.records.iter().map(|r| r.category.clone()).collect();
        categories.sort();
        categories.dedup();
        let id: DisclosureId = fresh_id();
        let derogation = allowed
            .derogation
            .zip(input.derogation.clone())
            .map(|(_, used)| used);
        let detail = SealedDetail {
            legal_request: input.legal_request.clone(),
            derogation_reason: derogation.as_ref().map(|d| d.reason.clone()),
        };
        let detail_sealed = if detail.legal_request.is_some() || detail.derogation_reason.is_some()
        {
            let subject = self.live_subject(subject_id).await?;
            let key = self.key_of(&subject).await?;
            let bytes = serde_json::to_vec(&detail)
                .map_err(|e| VaultError::Internal(format!("a disclosure's detail: {e}")))?;
            Some(key_ring::seal(&key, subject_id, &field(&id), &bytes))
        } else {
            None
        };
        let stored = StoredDisclosure {
            id: id.clone(),
            subject_id: subject_id.clone(),
            recipient: input.recipient.clone(),
            purpose: input.purpose.clone(),
            categories: categories.clone(),
            country: allowed.country.code.to_owned(),
            safeguard: allowed.safeguard.map(|s| s.as_str().to_owned()),
            derogation: derogation.as_ref().map(|d| d.point.as_str().to_owned()),
            legal_request: input.legal_request.is_some(),
            detail_sealed,
            at: self.now(),
        };
        // Who, what, where and under what: never who asked or why (sealed above).
        let audit = self.act(
            actor,
            "disclosure",
            Some(subject_id),
            serde_json::json!({
                "disclosure": id,
                "recipient": stored.recipient,
                "purpose": stored.purpose,
                "basis": self.policy.purpose(&stored.purpose).and_then(|p| p.legal_basis).map(|b| b.article()),
                "categories": stored.categories,
                "country": stored.country,
                "safeguard": stored.safeguard,
                "derogation": stored.derogation,
                "legal_request": stored.legal_request,
                "refused": refused,
            }),
        );
        self.store.record_disclosure(&stored, audit).await?;
        Ok(Disclosed {
            read,
            logged: Some(LoggedDisclosure {
                id,
                recipient: stored.recipient,
                purpose: stored.purpose,
                categories,
                country: stored.country,
                safeguard: stored.safeguard,
                derogation,
                legal_request: input.legal_request,
                at: stored.at,
            }),
        })
    }

    /// A subject's disclosures, opened, oldest first.
    pub async fn disclosures(
        &self,
        actor: &Actor,
        subject_id: &SubjectId,
    ) -> Result<Vec<LoggedDisclosure>> {
        let subject = self.live_subject(subject_id).await?;
        let logged = self.store.disclosures(subject_id).await?;
        let key = if logged.iter().any(|d| d.detail_sealed.is_some()) {
            Some(self.key_of(&subject).await?)
        } else {
            None
        };
        let mut opened = Vec::with_capacity(logged.len());
        for stored in logged {
            let detail = match (&stored.detail_sealed, &key) {
                (Some(sealed), Some(key)) => {
                    let bytes = key_ring::open(key, subject_id, &field(&stored.id), sealed)?;
                    serde_json::from_slice::<SealedDetail>(&bytes)
                        .map_err(|e| corrupt(format!("disclosure {}: {e}", stored.id)))?
                }
                _ => SealedDetail::default(),
            };
            let derogation = match (&stored.derogation, detail.derogation_reason) {
                (Some(point), reason) => Some(DerogationUsed {
                    point: point
                        .parse()
                        .map_err(|e| corrupt(format!("disclosure {}: {e}", stored.id)))?,
                    reason: reason.unwrap_or_default(),
                }),
                (None, _) => None,
            };
            opened.push(LoggedDisclosure {
                id: stored.id,
                recipient: stored.recipient,
                purpose: stored.purpose,
                categories: stored.categories,
                country: stored.country,
                safeguard: stored.safeguard,
                derogation,
                legal_request: detail.legal_request,
                at: stored.at,
            });
        }
        let audit = self.act(
            actor,
            "disclosures.list",
            Some(subject_id),
            serde_json::json!({ "count": opened.len() }),
        );
        self.audit.append(audit).await?;
        Ok(opened)
    }

    /// Who received some of a subject's data: the recipients in the log,
    /// and the standing disclosures of what is held. Nothing is decrypted.
    pub async fn received_by(&self, subject_id: &SubjectId) -> Result<Vec<Received>> {
        let records = self.store.records(subject_id).await?;
        let logged = self.store.disclosures(subject_id).await?;
        Ok(received(&self.policy, &records, &logged))
    }

    /// Every disclosure counted by recipient, country and safeguard.
    pub async fn disclosure_counts(&self, actor: &Actor) -> Result<Vec<DisclosureCount>> {
        let counts = self.store.disclosure_counts().await?;
        let audit = self.act(actor, "disclosures.count", None, serde_json::json!({}));
        self.audit.append(audit).await?;
        Ok(counts)
    }
}

/// The recipients of a subject's data, from its records (for standing
/// disclosures) and the log.
fn received(
    policy: &Policy,
    records: &[steward_store::StoredRecord],
    logged: &[StoredDisclosure],
) -> Vec<Received> {
    let held: Vec<(&str, &[String])> = records
        .iter()
        .map(|r| (r.category.as_str(), r.purposes.as_slice()))
        .collect();
    let log: Vec<disclosure::Logged<'_>> = logged
        .iter()
        .map(|d| disclosure::Logged {
            recipient: &d.recipient,
            categories: &d.categories,
            country: &d.country,
            safeguard: d.safeguard.as_deref().and_then(|s| s.parse().ok()),
            at: d.at,
            legal_request: d.legal_request,
        })
        .collect();
    disclosure::received(policy, &held, &log)
}

fn field(id: &DisclosureId) -> String {
    format!("disclosure:{id}")
}
