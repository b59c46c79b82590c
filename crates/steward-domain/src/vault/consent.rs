//! The consent ledger's records, and the receipt a subject (or an auditor)
//! gets for one, with the fields of ISO/IEC TS 27560 consent records.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::common::ids::{ConsentId, SubjectId};
use crate::common::lang::Lang;
use crate::policy::{LegalBasis, Policy};

/// Who gave a consent: the subject, or for a child below the age of
/// digital consent, a holder of parental responsibility (Art. 8(1)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum GivenBy {
    #[default]
    Subject,
    ParentalResponsibility,
}

crate::common::names::names!(GivenBy, "giver of consent", {
    Subject => "subject",
    ParentalResponsibility => "parental_responsibility",
});

/// The age from which a child may consent on their own to information
/// society services (Art. 8(1)): 13 in Sweden (Dataskyddslagen 2018:218,
/// 2 kap. 4 §), 13 to 15 in some other states, 16 where the state set none.
pub fn digital_consent_age(country_code: &str) -> i16 {
    match country_code {
        "SE" | "DK" | "FI" | "NO" | "IS" | "BE" | "EE" | "LV" | "MT" | "PT" => 13,
        "AT" | "BG" | "CY" | "ES" | "IT" | "LT" => 14,
        "CZ" | "FR" | "GR" | "SI" => 15,
        _ => 16,
    }
}

/// One consent as given, and later perhaps withdrawn. Withdrawal never
/// rewrites the past: `given_at` stays, `withdrawn_at` is added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentRecord {
    pub id: ConsentId,
    pub subject_id: SubjectId,
    pub purpose: String,
    pub given_at: Timestamp,
    pub withdrawn_at: Option<Timestamp>,
    /// The policy version the subject was shown.
    pub policy_version: String,
    /// How consent was collected, e.g. `web_form`, `checkbox`, `verbal`.
    pub method: String,
    /// SHA-256 of the notice text the subject was shown.
    pub notice_hash: String,
    /// The language of the notice the subject was shown.
    pub language: Lang,
    pub withdrawal_method: Option<String>,
    /// The subject, or a holder of parental responsibility for a child.
    #[serde(default)]
    pub given_by: GivenBy,
}

/// The receipt: ISO/IEC TS 27560's record fields, filled from the ledger
/// record and the policy. Field names follow the specification's terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsentReceipt {
    pub schema_version: &'static str,
    pub record_id: String,
    /// The subject by pseudonymous id, never by name.
    pub data_subject: String,
    pub jurisdiction: &'static str,
    pub legal_basis: &'static str,
    pub controller: Controller,
    pub purposes: Vec<PurposeEntry>,
    pub notice: Notice,
    pub collection_method: String,
    /// `subject`, or `parental_responsibility` for a child's consent given
    /// by a holder of parental responsibility (Art. 8(1)).
    pub given_by: &'static str,
    /// RFC 3339.
    pub consent_time: String,
    pub state: &'static str,
    pub withdrawal_time: Option<String>,
    pub withdrawal_method: String,
    pub language: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Controller {
    pub name: String,
    pub organisation_number: Option<String>,
    pub contact: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PurposeEntry {
    pub id: String,
    pub name: String,
    pub personal_data_categories: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    pub policy_id: String,
    pub policy_version: String,
    pub text_sha256: String,
}

impl ConsentReceipt {
    pub fn new(policy: &Policy, record: &ConsentRecord, subject_pseudonym: &str) -> Self {
        let lang = record.language;
        let purposes = policy
            .purpose(&record.purpose)
            .map(|p| PurposeEntry {
                id: p.id.clone(),
                name: p.name.get(lang).to_owned(),
                personal_data_categories: policy
                    .expand_categories(&p.categories)
                    .iter()
                    .map(|c| c.id.clone())
                    .collect(),
            })
            .into_iter()
            .collect();
        ConsentReceipt {
            schema_version: "ISO/IEC TS 27560:2023",
            record_id: record.id.to_string(),
            data_subject: subject_pseudonym.to_owned(),
            jurisdiction: "EU GDPR; SE",
            legal_basis: LegalBasis::Consent.article(),
            controller: Controller {
                name: policy.controller.name.clone(),
                organisation_number: policy.controller.organisation_number.clone(),
                contact: policy.rights.contact.clone(),
            },
            purposes,
            notice: Notice {
                policy_id: policy.meta.id.clone(),
                policy_version: record.policy_version.clone(),
                text_sha256: record.notice_hash.clone(),
            },
            collection_method: record.method.clone(),
            given_by: record.given_by.as_str(),
            consent_time: record.given_at.to_string(),
            state: if record.withdrawn_at.is_some() { "withdrawn" } else { "given" },
            withdrawal_time: record.withdrawn_at.map(|at| at.to_string()),
            withdrawal_method: record.withdrawal_method.clone().unwrap_or_else(|| {
                format!(
                    "Withdraw at any time through the API or by writing to {}; withdrawal does not affect processing before it.",
                    policy.rights.contact
                )
            }),
            language: lang.code().to_owned(),
        }
    }
}
