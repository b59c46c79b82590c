//! Rights requests on the wire: what a subject submits, what they and the
//! officer see of a request, and the officer's decisions.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use steward_domain::rights::request::{Channel, RequestKind};
use utoipa::{IntoParams, ToSchema};

use crate::http::dto::IdentityInput;
use crate::rights::{self, Progress, Submission};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRequest {
    /// `access`, `portability`, `rectification`, `erasure`, `restriction`,
    /// `lift_restriction`, `objection`, `consent_withdrawal` or `unsubscribe`.
    #[schema(value_type = String)]
    pub kind: RequestKind,
    /// The identities the requester claims; a code goes to each.
    pub identities: Vec<IdentityInput>,
    /// `en` or `sv`; the policy's default language if left out.
    pub language: Option<String>,
    /// Objection and consent withdrawal: the purpose.
    pub purpose: Option<String>,
    /// Rectification: the category to correct, and its correct value.
    pub category: Option<String>,
    pub value: Option<serde_json::Value>,
    /// Erasure: the Art. 17(1) ground; objection: the subject's situation.
    pub grounds: Option<String>,
    /// Officers only: the identity was checked another way (in person, by
    /// e-ID); no codes are sent and the request starts at once.
    #[serde(default)]
    pub identity_checked: bool,
    /// Officers only: the day it reached the controller, when before today
    /// (`2026-11-24`); the deadline runs from it.
    #[schema(value_type = Option<String>, format = Date)]
    pub received: Option<jiff::civil::Date>,
    /// Officers only: how it came: `web` (the default), `email`, `letter`,
    /// `phone`, `in_person` or `other`.
    #[schema(value_type = Option<String>)]
    pub channel: Option<Channel>,
    /// A request for a child by a holder of parental responsibility, where
    /// the policy takes them: who you are and your relation to the child
    /// ("Maria Andersson, mother"). The identities are the child's. A
    /// privacy officer checks both before the request goes further.
    pub guardian: Option<String>,
}

impl From<NewRequest> for rights::NewRequest {
    fn from(r: NewRequest) -> Self {
        rights::NewRequest {
            kind: r.kind,
            identities: r.identities.into_iter().map(Into::into).collect(),
            language: r.language,
            purpose: r.purpose,
            category: r.category,
            value: r.value,
            grounds: r.grounds,
            identity_checked: r.identity_checked,
            received: r.received,
            channel: r.channel,
            guardian: r.guardian,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Submitted {
    pub id: String,
    /// Shown once: lets the requester follow the request and read the answer
    /// (header `Steward-Follow`).
    pub follow_secret: String,
    pub state: String,
    pub due: String,
    /// When no code proves the identity (the policy's method is an
    /// officer's check or a signed request, or a guardian asks): what
    /// happens next. No code is sent then.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waits_for: Option<String>,
}

impl From<Submission> for Submitted {
    fn from(s: Submission) -> Self {
        Submitted {
            id: s.id.to_string(),
            follow_secret: s.follow_secret,
            state: s.status.to_string(),
            due: s.due.to_string(),
            waits_for: s.waits_for,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestView {
    pub id: String,
    pub kind: String,
    pub state: String,
    /// The reason of a refusal or cancellation, the parts of a partial answer.
    #[schema(value_type = Option<Object>)]
    pub detail: Option<steward_domain::rights::request::StateDetail>,
    pub received_at: String,
    pub due: String,
    pub overdue: bool,
    pub extended_on: Option<String>,
    pub extension_reason: Option<String>,
    /// Why it waits for a privacy officer.
    pub held: Option<String>,
    /// Which claimed identities are verified, by kind.
    pub verified: BTreeMap<String, bool>,
    pub parts: Vec<PartView>,
    pub history: Vec<StepView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PartView {
    pub id: String,
    /// `vault`, a system's id, or `recipient:<id>`.
    pub system: String,
    pub action: String,
    /// `pending`, `running`, `done`, `failed`.
    pub state: String,
    /// Waits for a person to do it and say so.
    pub manual: bool,
    pub attempts: i64,
    pub last_error: Option<String>,
    /// For a person doing the part: e.g. what the policy keeps in that
    /// system under a law, which a manual erasure must leave.
    pub hint: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StepView {
    pub at: String,
    pub step: String,
    pub actor: String,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

impl From<Progress> for RequestView {
    fn from(p: Progress) -> Self {
        let r = p.request;
        RequestView {
            id: r.id.to_string(),
            kind: r.kind.to_string(),
            state: r.status.to_string(),
            detail: r.state_detail,
            received_at: r.received_at.to_string(),
            due: r.due_on.to_string(),
            overdue: p.overdue,
            extended_on: r.extended_on.map(|d| d.to_string()),
            extension_reason: r.extension_reason,
            held: r.held,
            verified: p.verified,
            parts: p
                .parts
                .into_iter()
                .map(|j| PartView {
                    hint: p.hints.get(&j.id).cloned(),
                    id: j.id.to_string(),
                    system: j.target.label(),
                    action: j.action.to_string(),
                    state: j.state.to_string(),
                    manual: j.manual,
                    attempts: j.attempts,
                    last_error: j.last_error,
                })
                .collect(),
            history: p
                .history
                .into_iter()
                .map(|s| StepView {
                    at: s.at.to_string(),
                    step: s.step,
                    actor: s.actor,
                    detail: s.detail,
                })
                .collect(),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Codes {
    /// The code received, by identity kind: `{ "email": "123456" }`.
    pub codes: BTreeMap<String, String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// How many requests per page: 50 unless given, at most 500.
    pub limit: Option<usize>,
    /// Where the page starts: the `after` of the previous page's
    /// `Link: <…>; rel="next"` header.
    pub after: Option<String>,
}

#[derive(Deserialize, IntoParams)]
pub struct Format {
    /// `json` (default); `md` or `html` for access; `zip` for portability.
    pub format: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    pub reason: String,
}

/// What the officer saw when they checked a requester's identity (the
/// signed letter, the document shown, the e-ID), kept sealed with the
/// request.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentityEvidence {
    pub evidence: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Note {
    pub note: Option<String>,
}

/// A part done by hand: what was done, and for access what was found.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartDone {
    /// What was done, in a few words; no personal data (it is kept).
    pub note: Option<String>,
    /// Access: each value found, by category; `[]` (or left out) when the
    /// system holds nothing about the person. It reaches the answer.
    #[serde(default)]
    pub found: Vec<FoundByHand>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FoundByHand {
    /// The most specific category, e.g. `billing.invoice`.
    pub category: String,
    #[schema(value_type = Object)]
    pub value: serde_json::Value,
}

/// Whose data a request is about: what to look the person up by.
#[derive(Serialize, ToSchema)]
pub struct WhoseDataView {
    /// The vault's subject, when the identities lead to one.
    pub subject: Option<String>,
    /// `{ "kind": "email", "value": "anna@example.se" }`, ...
    pub identities: Vec<IdentityInput>,
}

impl From<rights::WhoseData> for WhoseDataView {
    fn from(w: rights::WhoseData) -> Self {
        WhoseDataView {
            subject: w.subject.map(|s| s.to_string()),
            identities: w
                .identities
                .into_iter()
                .map(|(kind, value)| IdentityInput { kind, value })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Due {
    pub due: String,
}

#[derive(Serialize, ToSchema)]
pub struct Retried {
    pub parts: u64,
}

#[derive(Serialize, ToSchema)]
pub struct UnsubscribeLink {
    /// The API's path to POST to.
    pub path: String,
    /// The portal's page for the same link: put it in the mailing's
    /// `List-Unsubscribe` header with `List-Unsubscribe-Post:
    /// List-Unsubscribe=One-Click`, and behind its "unsubscribe" link.
    /// Opening it asks first (so a mail scanner following links changes
    /// nothing); a POST to it, the mail client's one click, acts.
    pub page: String,
}
