//! Subjects, their records, consents, events and objections on the wire.

use serde::{Deserialize, Serialize};
use steward_domain::vault::consent::GivenBy;
use utoipa::ToSchema;

use crate::vault::{self, OpenedRecord, PurposeRead, WholeSubject};

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct IdentityInput {
    /// `email`, `phone`, `personnummer`, `customer_id`, or a kind of your own.
    pub kind: String,
    pub value: String,
}

impl From<IdentityInput> for vault::IdentityInput {
    fn from(i: IdentityInput) -> Self {
        vault::IdentityInput {
            kind: i.kind,
            value: i.value,
        }
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSubject {
    /// A subject type the policy declares, e.g. `customer`.
    pub subject_type: String,
    /// `YYYY-MM-DD`; needed (or `age`, or a personnummer) when the policy sets a minimum age.
    pub birth_date: Option<String>,
    pub age: Option<u32>,
    pub identities: Vec<IdentityInput>,
}

impl From<NewSubject> for vault::NewSubject {
    fn from(s: NewSubject) -> Self {
        vault::NewSubject {
            subject_type: s.subject_type,
            birth_date: s.birth_date,
            age: s.age,
            identities: s.identities.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRecord {
    /// A leaf category the policy declares, e.g. `contact.email`.
    pub category: String,
    /// Any JSON value.
    pub value: serde_json::Value,
    /// A source the policy declares; `subject` (the default) when given by the subject.
    pub source: Option<String>,
    /// The purposes the data is collected for; each must use this category.
    pub purposes: Vec<String>,
    /// For derived data (a profile, a score, a history): the ids of the
    /// subject's records it was computed from, of the categories the policy
    /// derives it from. Correcting one of them flags this record for
    /// recomputation; erasing one erases this record too.
    #[serde(default)]
    pub derived_from: Vec<String>,
    /// When it was collected (RFC 3339), for data brought with its history:
    /// its retention runs from then. Now if left out; never in the future.
    /// A record whose every period has already ended is refused.
    #[schema(value_type = Option<String>)]
    pub collected_at: Option<jiff::Timestamp>,
}

impl From<NewRecord> for vault::NewRecord {
    fn from(r: NewRecord) -> Self {
        vault::NewRecord {
            category: r.category,
            value: r.value,
            source: r.source,
            purposes: r.purposes,
            derived_from: r.derived_from.into_iter().map(Into::into).collect(),
            collected_at: r.collected_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct RecordView {
    pub id: String,
    pub category: String,
    pub value: serde_json::Value,
    pub source: String,
    pub purposes: Vec<String>,
    pub collected_at: String,
    /// For derived data: the records it was computed from.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub derived_from: Vec<String>,
}

impl From<OpenedRecord> for RecordView {
    fn from(r: OpenedRecord) -> Self {
        RecordView {
            id: r.id.to_string(),
            category: r.category,
            value: r.value,
            source: r.source,
            purposes: r.purposes,
            collected_at: r.collected_at.to_string(),
            derived_from: r.derived_from.iter().map(ToString::to_string).collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Refusal {
    pub record_id: String,
    pub category: String,
    /// Machine-readable: `consent_withdrawn`, `objected`, `restricted`, ...
    pub reason: String,
    /// For `retention_expired`: the policy's retention rule whose period ended.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

/// The answer to a purpose-bound read: what may be used, and what was held back and why.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ReadOutcome {
    pub subject_id: String,
    pub purpose: String,
    pub records: Vec<RecordView>,
    pub refused: Vec<Refusal>,
}

impl From<PurposeRead> for ReadOutcome {
    fn from(read: PurposeRead) -> Self {
        ReadOutcome {
            subject_id: read.subject_id.to_string(),
            purpose: read.purpose,
            records: read.records.into_iter().map(Into::into).collect(),
            refused: read
                .withheld
                .into_iter()
                .map(|w| Refusal {
                    record_id: w.record_id.to_string(),
                    category: w.category,
                    reason: w.reason.to_owned(),
                    rule: w.rule,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct IdentityView {
    pub kind: String,
    pub value: String,
    /// `creation` (given when the subject was created), `officer` (added
    /// by a privacy officer) or `service` (added later by a service:
    /// unproven, it never unlocks a data-subject request).
    pub provenance: String,
}

/// Everything held about a subject, for the privacy officer.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SubjectView {
    pub id: String,
    pub subject_type: String,
    pub created_at: String,
    pub erased_at: Option<String>,
    pub restricted: bool,
    pub objects_to_direct_marketing: bool,
    pub identities: Vec<IdentityView>,
    pub records: Vec<RecordView>,
    #[schema(value_type = Vec<Object>)]
    pub consents: Vec<steward_domain::vault::consent::ConsentRecord>,
    pub events: Vec<EventView>,
    pub objections: Vec<ObjectionView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct EventView {
    pub kind: String,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ObjectionView {
    pub purpose: String,
    pub at: String,
    pub compelling_grounds: Option<String>,
}

impl From<WholeSubject> for SubjectView {
    fn from(whole: WholeSubject) -> Self {
        let subject = whole.subject;
        SubjectView {
            id: subject.id.to_string(),
            subject_type: subject.subject_type,
            created_at: subject.created_at.to_string(),
            erased_at: subject.erased_at.map(|at| at.to_string()),
            restricted: subject.restricted,
            objects_to_direct_marketing: subject.objects_to_marketing,
            identities: whole
                .identities
                .into_iter()
                .map(|i| IdentityView {
                    kind: i.kind,
                    value: i.value,
                    provenance: i.provenance.to_string(),
                })
                .collect(),
            records: whole.records.into_iter().map(Into::into).collect(),
            consents: whole.consents,
            events: whole
                .events
                .into_iter()
                .map(|e| EventView {
                    kind: e.kind.to_string(),
                    at: e.at.to_string(),
                })
                .collect(),
            objections: whole
                .objections
                .into_iter()
                .map(|o| ObjectionView {
                    purpose: o.purpose,
                    at: o.at.to_string(),
                    compelling_grounds: o.compelling_grounds,
                })
                .collect(),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEvent {
    /// `relationship_start`, `relationship_end`, `contract_start`, `contract_end`,
    /// `invoice_paid`, `contact_person_changed`, `last_activity`, ...
    pub kind: String,
    /// RFC 3339; now if absent.
    pub at: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewConsent {
    pub purpose: String,
    /// How it was collected, e.g. `web_form`.
    pub method: String,
    /// The notice language the subject was shown.
    pub language: Option<String>,
    /// `subject` (the default), or `parental_responsibility` for a child
    /// below the age of digital consent (Art. 8(1)).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub given_by: GivenBy,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewObjection {
    /// A purpose id, or `direct_marketing` (absolute).
    pub purpose: String,
    /// Privacy officers only: the compelling legitimate grounds that override the objection.
    pub compelling_grounds: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Restriction {
    pub restricted: bool,
}
