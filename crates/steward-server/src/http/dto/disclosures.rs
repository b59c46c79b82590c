//! Disclosures on the wire: what a caller asks to release to a recipient,
//! what was released and logged, and the log's counts beside what the
//! policy declares.

use serde::{Deserialize, Serialize};
use steward_domain::policy::Policy;
use steward_domain::vault::disclosure::Derogation;
use steward_store::DisclosureCount;
use utoipa::ToSchema;

use crate::http::dto::{ReadOutcome, RecordView, Refusal};
use crate::vault::{self, Disclosed, LoggedDisclosure};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDisclosure {
    /// A recipient the policy declares, e.g. `freshworks`.
    pub recipient: String,
    /// The purpose the data goes for; the recipient must be declared for it.
    pub purpose: String,
    /// Categories to release (a parent names its leaves); omitted: all the
    /// recipient receives for the purpose.
    #[serde(default)]
    pub categories: Vec<String>,
    /// Where the data goes, an ISO 3166 code; needed when the policy places
    /// the recipient in a region (`EEA`, `GLOBAL`).
    pub country: Option<String>,
    /// For a third country covered only by an Art. 49(1) derogation.
    pub derogation: Option<DerogationInput>,
    /// For an authority: who asked, and on what legal ground.
    pub legal_request: Option<LegalRequestInput>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DerogationInput {
    /// `explicit_consent`, `contract_with_subject`,
    /// `contract_in_subjects_interest`, `public_interest`, `legal_claims`,
    /// `vital_interests` or `public_register` (Art. 49(1)(a)-(g)).
    #[schema(value_type = String)]
    pub point: Derogation,
    /// Why it applies to this disclosure.
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LegalRequestInput {
    /// The requesting authority or court.
    pub authority: String,
    /// The legal ground it cites: a warrant, a court order, a provision.
    pub ground: String,
    /// Its case number or reference.
    pub reference: Option<String>,
}

impl From<NewDisclosure> for vault::NewDisclosure {
    fn from(d: NewDisclosure) -> Self {
        vault::NewDisclosure {
            recipient: d.recipient,
            purpose: d.purpose,
            categories: d.categories,
            country: d.country,
            derogation: d.derogation.map(|g| vault::DerogationUsed {
                point: g.point,
                reason: g.reason,
            }),
            legal_request: d.legal_request.map(|r| vault::LegalRequest {
                authority: r.authority,
                ground: r.ground,
                reference: r.reference,
            }),
        }
    }
}

/// One logged disclosure.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DisclosureView {
    pub id: String,
    pub recipient: String,
    pub purpose: String,
    /// The categories released.
    pub categories: Vec<String>,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// The Chapter V safeguard; absent inside the EU/EEA.
    pub safeguard: Option<String>,
    pub derogation: Option<DerogationInput>,
    pub legal_request: Option<LegalRequestInput>,
    pub at: String,
}

impl From<LoggedDisclosure> for DisclosureView {
    fn from(d: LoggedDisclosure) -> Self {
        DisclosureView {
            id: d.id.to_string(),
            recipient: d.recipient,
            purpose: d.purpose,
            categories: d.categories,
            country: d.country,
            safeguard: d.safeguard,
            derogation: d.derogation.map(|g| DerogationInput {
                point: g.point,
                reason: g.reason,
            }),
            legal_request: d.legal_request.map(|r| LegalRequestInput {
                authority: r.authority,
                ground: r.ground,
                reference: r.reference,
            }),
            at: d.at.to_string(),
        }
    }
}

/// What a disclosure released: the data to hand to the recipient, what
/// the purpose's legal basis held back, and the log entry (absent when
/// nothing could be released, so nothing was disclosed).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DisclosureOutcome {
    pub disclosure: Option<DisclosureView>,
    pub records: Vec<RecordView>,
    pub refused: Vec<Refusal>,
}

impl From<Disclosed> for DisclosureOutcome {
    fn from(d: Disclosed) -> Self {
        let read = ReadOutcome::from(d.read);
        DisclosureOutcome {
            disclosure: d.logged.map(Into::into),
            records: read.records,
            refused: read.refused,
        }
    }
}

/// A recipient as the policy declares it, and what the log shows went to it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecipientTransfers {
    pub recipient: String,
    pub role: String,
    /// The country or region the policy declares (`EEA`, `GLOBAL`, or a code).
    pub declared_country: String,
    pub declared_safeguard: Option<String>,
    /// Data goes to it as services store it, without a disclosure call.
    pub standing: bool,
    /// What the disclosure log shows, by country and safeguard.
    pub actual: Vec<ActualTransfer>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActualTransfer {
    pub country: String,
    pub safeguard: Option<String>,
    pub count: i64,
    pub last_at: String,
}

/// Declared against actual, for every recipient of the policy, then any
/// the log shows that the policy no longer declares (`role` "undeclared").
pub fn transfers(policy: &Policy, counts: Vec<DisclosureCount>) -> Vec<RecipientTransfers> {
    let actual = |id: &str| -> Vec<ActualTransfer> {
        counts
            .iter()
            .filter(|c| c.recipient == id)
            .map(|c| ActualTransfer {
                country: c.country.clone(),
                safeguard: c.safeguard.clone(),
                count: c.count,
                last_at: c.last_at.to_string(),
            })
            .collect()
    };
    let mut gone: Vec<&str> = counts
        .iter()
        .map(|c| c.recipient.as_str())
        .filter(|id| policy.recipient(id).is_none())
        .collect();
    gone.dedup();
    let undeclared = gone.into_iter().map(|id| RecipientTransfers {
        recipient: id.to_owned(),
        role: "undeclared".into(),
        declared_country: String::new(),
        declared_safeguard: None,
        standing: false,
        actual: actual(id),
    });
    policy
        .recipients
        .iter()
        .map(|r| RecipientTransfers {
            recipient: r.id.clone(),
            role: r.role.key().trim_start_matches("role.").to_owned(),
            declared_country: r.country.code.to_owned(),
            declared_safeguard: r.safeguard.as_ref().map(|s| s.kind.as_str().to_owned()),
            standing: r.standing,
            actual: actual(&r.id),
        })
        .chain(undeclared)
        .collect()
}
