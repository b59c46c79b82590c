//! The answer to a request: what each part did, and together the data found
//! (access, portability: only what Art. 20 covers) and what erasure kept,
//! why and until when. Kept sealed with the request.

use serde::{Deserialize, Serialize};
use steward_connectors::Treatment;
use steward_domain::policy::{Policy, is_within};
use steward_domain::rights::access_report::{self, HeldValue};
use steward_domain::rights::parts::PartState;
use steward_domain::rights::request::RequestKind;
use steward_domain::vault::disclosure::Received;
use steward_store::{Job, StoredRequest};

use crate::rights::part_result::PartResult;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Answer {
    pub request: String,
    pub kind: String,
    pub generated: String,
    pub parts: Vec<AnsweredPart>,
    /// Access and portability: the data (for portability, only what Art. 20 covers).
    #[serde(default)]
    pub data: Vec<HeldValue>,
    /// Access: the recipients that received some of the data (Art. 15(1)(c)).
    #[serde(default)]
    pub received: Vec<Received>,
    /// Portability: categories left out, and why.
    #[serde(default)]
    pub not_portable: Vec<String>,
    /// Erasure: what was kept, why and until when.
    #[serde(default)]
    pub kept: Vec<Kept>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AnsweredPart {
    pub system: String,
    pub action: String,
    pub done: bool,
    pub manual: bool,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Kept {
    pub system: String,
    pub what: String,
    pub reason: String,
    /// `YYYY-MM-DD`, or words when there is no date yet.
    pub until: Option<String>,
}

/// How one part of a request ended: its job, its result (opened) when it
/// is done, and why a done part still counts as not done.
pub struct PartEnd<'a> {
    pub job: &'a Job,
    pub result: Option<PartResult>,
    pub failure: Option<String>,
}

impl PartEnd<'_> {
    pub fn done(&self) -> bool {
        self.job.state == PartState::Done && self.failure.is_none()
    }

    /// Why it is not done, when it is not.
    pub fn reason(&self) -> Option<String> {
        if self.done() {
            return None;
        }
        self.failure.clone().or_else(|| self.job.last_error.clone())
    }
}

/// Puts the parts' results together.
pub fn assemble(
    policy: &Policy,
    stored: &StoredRequest,
    generated: &str,
    parts: &[PartEnd<'_>],
) -> Answer {
    let mut answer = Answer {
        request: stored.id.to_string(),
        kind: stored.kind.to_string(),
        generated: generated.to_owned(),
        parts: Vec::new(),
        data: Vec::new(),
        received: Vec::new(),
        not_portable: Vec::new(),
        kept: Vec::new(),
    };
    for end in parts {
        let job = end.job;
        let system = job.target.label();
        answer.parts.push(AnsweredPart {
            system: system.clone(),
            action: job.action.to_string(),
            done: end.done(),
            manual: job.manual,
            reason: end.reason(),
        });
        match &end.result {
            Some(PartResult::Held { data, received }) => {
                answer.data.extend(data.iter().cloned());
                answer.received.extend(received.iter().cloned());
            }
            Some(PartResult::Found { found } | PartResult::DoneByHand { found, .. }) => {
                answer.data.extend(found.iter().map(|f| HeldValue {
                    purposes: purposes_using(policy, &f.category),
                    category: f.category.clone(),
                    value: f.value.clone(),
                    // Held in the organisation's own systems: taken as given by
                    // the subject or arising from their use of its services.
                    source: "subject".into(),
                    collected_at: String::new(),
                    derived_from: Vec::new(),
                }));
            }
            Some(PartResult::VaultErased { kept, .. }) => {
                answer.kept.extend(kept.iter().map(|k| {
                    Kept {
                        system: system.clone(),
                        what: k.category.clone(),
                        reason: k
                            .law
                            .clone()
                            .unwrap_or_else(|| k.exception.as_str().to_owned()),
                        until: Some(k.until.clone()),
                    }
                }));
            }
            Some(PartResult::SystemErased { erased }) => {
                answer.kept.extend(
                    erased
                        .iter()
                        .filter(|e| e.treatment == Treatment::Kept)
                        .map(|e| Kept {
                            system: system.clone(),
                            what: e.what.clone(),
                            reason: e.reason.clone().unwrap_or_else(|| {
                                "kept by the system, which gave no reason".into()
                            }),
                            until: None,
                        }),
                );
            }
            _ => {}
        }
    }
    // A policy may promise more than Art. 20 (Elveta: all of it); the
    // engine keeps what the notice promises.
    if stored.kind == RequestKind::Portability
        && policy.rights.portability == steward_domain::policy::Portability::Article20
    {
        let portable = access_report::portable(policy, &answer.data);
        let mut left_out: Vec<String> = answer
            .data
            .iter()
            .filter(|d| !portable.contains(d))
            .map(|d| d.category.clone())
            .collect();
        left_out.sort();
        left_out.dedup();
        answer.not_portable = left_out
            .into_iter()
            .map(|c| {
                format!(
                    "{c}: not provided by you, or not processed on consent or contract (Art. 20(1))"
                )
            })
            .collect();
        answer.data = portable;
    }
    answer
}

/// The purposes of the policy that use `category`.
fn purposes_using(policy: &Policy, category: &str) -> Vec<String> {
    policy
        .purposes
        .iter()
        .filter(|p| p.categories.iter().any(|c| is_within(category, c)))
        .map(|p| p.id.clone())
        .collect()
}
