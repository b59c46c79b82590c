//! Data-subject requests: their kinds and their lifecycle, the only
//! transitions there are. Pure: the engine that carries requests out lives
//! elsewhere; the deadlines are in [`crate::rights::deadline`].

use serde::{Deserialize, Serialize};

use crate::common::names::{UnknownName, names};

/// How a request reached the controller. A request may come any way
/// (Art. 12(2)); an officer records the ones that did not come through
/// Steward's own form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Steward's API or a form on it.
    Web,
    Email,
    /// On paper.
    Letter,
    Phone,
    InPerson,
    Other,
}

names!(Channel, "channel", {
    Web => "web",
    Email => "email",
    Letter => "letter",
    Phone => "phone",
    InPerson => "in_person",
    Other => "other",
});

/// The key a request's details, part results and answer are sealed under.
/// Until a request leads to a subject there is only the installation's; once
/// it does, the subject's own, so that erasing them (which deletes that key)
/// takes their requests' answers along. An erasure's own record stays under
/// the installation's key: it must outlive the person's, and keeps no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SealedUnder {
    Installation,
    Subject,
}

names!(SealedUnder, "sealing key", {
    Installation => "installation",
    Subject => "subject",
});

/// What the subject asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    /// Art. 15.
    Access,
    /// Art. 20.
    Portability,
    /// Art. 16.
    Rectification,
    /// Art. 17.
    Erasure,
    /// Art. 18.
    Restriction,
    /// Art. 18(3): the subject is told before a restriction is lifted.
    LiftRestriction,
    /// Art. 21(1).
    Objection,
    /// Art. 7(3).
    ConsentWithdrawal,
    /// Art. 21(2), (3): an objection to direct marketing, e.g. by a one-click link.
    Unsubscribe,
}

names!(RequestKind, "kind of request", {
    Access => "access",
    Portability => "portability",
    Rectification => "rectification",
    Erasure => "erasure",
    Restriction => "restriction",
    LiftRestriction => "lift_restriction",
    Objection => "objection",
    ConsentWithdrawal => "consent_withdrawal",
    Unsubscribe => "unsubscribe",
});

impl RequestKind {
    pub const ALL: [RequestKind; 9] = [
        RequestKind::Access,
        RequestKind::Portability,
        RequestKind::Rectification,
        RequestKind::Erasure,
        RequestKind::Restriction,
        RequestKind::LiftRestriction,
        RequestKind::Objection,
        RequestKind::ConsentWithdrawal,
        RequestKind::Unsubscribe,
    ];

    pub fn article(self) -> &'static str {
        match self {
            RequestKind::Access => "Art. 15",
            RequestKind::Portability => "Art. 20",
            RequestKind::Rectification => "Art. 16",
            RequestKind::Erasure => "Art. 17",
            RequestKind::Restriction | RequestKind::LiftRestriction => "Art. 18",
            RequestKind::Objection | RequestKind::Unsubscribe => "Art. 21",
            RequestKind::ConsentWithdrawal => "Art. 7(3)",
        }
    }

    /// Art. 19: recipients must be told of rectification, erasure and
    /// restriction carried out.
    pub fn recipients_are_told(self) -> bool {
        matches!(
            self,
            RequestKind::Rectification | RequestKind::Erasure | RequestKind::Restriction
        )
    }

    /// Whether the request hands over a copy of data that Art. 15(3) lets
    /// the controller charge for beyond the free copies: access copies only.
    /// Portability (Art. 20) is free, and does not count as a copy.
    pub fn yields_a_copy(self) -> bool {
        self == RequestKind::Access
    }
}

/// Where a request stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RequestState {
    Received,
    AwaitingVerification,
    Verified,
    InProgress,
    Completed,
    /// Some parts done, others not, each with its reason.
    PartiallyCompleted {
        parts: Vec<PartOutcome>,
    },
    /// Refused, with the legal reason (e.g. Art. 12(5)(b) manifestly unfounded).
    Refused {
        reason: String,
    },
    Cancelled {
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartOutcome {
    /// The system or part of the request, e.g. `crm`.
    pub part: String,
    pub done: bool,
    pub reason: Option<String>,
}

/// Where a request stands, without the details of its final state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    Received,
    AwaitingVerification,
    Verified,
    InProgress,
    Completed,
    PartiallyCompleted,
    Refused,
    Cancelled,
}

names!(RequestStatus, "request state", {
    Received => "received",
    AwaitingVerification => "awaiting_verification",
    Verified => "verified",
    InProgress => "in_progress",
    Completed => "completed",
    PartiallyCompleted => "partially_completed",
    Refused => "refused",
    Cancelled => "cancelled",
});

impl RequestStatus {
    /// Nothing more happens to a request in a final state, but a partial
    /// completion may be retried.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            RequestStatus::Completed
                | RequestStatus::PartiallyCompleted
                | RequestStatus::Refused
                | RequestStatus::Cancelled
        )
    }
}

/// The details of a final state, kept beside its status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateDetail {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<PartOutcome>,
}

impl RequestState {
    pub fn name(&self) -> &'static str {
        self.status().as_str()
    }

    /// The state without its details: what is stored and queried.
    pub fn status(&self) -> RequestStatus {
        match self {
            RequestState::Received => RequestStatus::Received,
            RequestState::AwaitingVerification => RequestStatus::AwaitingVerification,
            RequestState::Verified => RequestStatus::Verified,
            RequestState::InProgress => RequestStatus::InProgress,
            RequestState::Completed => RequestStatus::Completed,
            RequestState::PartiallyCompleted { .. } => RequestStatus::PartiallyCompleted,
            RequestState::Refused { .. } => RequestStatus::Refused,
            RequestState::Cancelled { .. } => RequestStatus::Cancelled,
        }
    }

    /// The state's details as stored beside its status: the reason of a
    /// refusal or cancellation, the parts of a partial completion.
    pub fn detail(&self) -> Option<StateDetail> {
        match self {
            RequestState::PartiallyCompleted { parts } => Some(StateDetail {
                reason: None,
                parts: parts.clone(),
            }),
            RequestState::Refused { reason } | RequestState::Cancelled { reason } => {
                Some(StateDetail {
                    reason: Some(reason.clone()),
                    parts: Vec::new(),
                })
            }
            _ => None,
        }
    }

    /// The state from its stored status and details; a refusal or
    /// cancellation without its reason is not what Steward writes.
    pub fn from_stored(
        status: RequestStatus,
        detail: Option<StateDetail>,
    ) -> Result<Self, UnknownName> {
        let detail = detail.unwrap_or_default();
        let reason = |what| {
            detail.reason.clone().ok_or_else(|| UnknownName {
                what,
                value: String::new(),
                expected: "a stated reason".into(),
            })
        };
        Ok(match status {
            RequestStatus::Received => RequestState::Received,
            RequestStatus::AwaitingVerification => RequestState::AwaitingVerification,
            RequestStatus::Verified => RequestState::Verified,
            RequestStatus::InProgress => RequestState::InProgress,
            RequestStatus::Completed => RequestState::Completed,
            RequestStatus::PartiallyCompleted => RequestState::PartiallyCompleted {
                parts: detail.parts.clone(),
            },
            RequestStatus::Refused => RequestState::Refused {
                reason: reason("refusal reason")?,
            },
            RequestStatus::Cancelled => RequestState::Cancelled {
                reason: reason("cancellation reason")?,
            },
        })
    }

    /// A final state: nothing more happens to the request.
    pub fn is_final(&self) -> bool {
        self.status().is_final()
    }
}

/// What can happen to a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum RequestEvent {
    /// Codes were sent to the identities the request claims.
    VerificationSent,
    /// Every claimed identity was verified.
    IdentityVerified,
    /// Work began on the systems that hold the subject's data.
    Started,
    /// Every part succeeded.
    AllPartsDone,
    /// Every part ended, some without success.
    PartsEnded {
        parts: Vec<PartOutcome>,
    },
    Refuse {
        reason: String,
    },
    Cancel {
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a request that is {from} cannot take `{event}`{hint}")]
pub struct IllegalTransition {
    pub from: &'static str,
    pub event: &'static str,
    pub hint: &'static str,
}

impl RequestEvent {
    fn name(&self) -> &'static str {
        match self {
            RequestEvent::VerificationSent => "verification_sent",
            RequestEvent::IdentityVerified => "identity_verified",
            RequestEvent::Started => "started",
            RequestEvent::AllPartsDone => "all_parts_done",
            RequestEvent::PartsEnded { .. } => "parts_ended",
            RequestEvent::Refuse { .. } => "refuse",
            RequestEvent::Cancel { .. } => "cancel",
        }
    }
}

/// The lifecycle: the only transitions there are. Data is reached only from
/// `Verified` on, so an unverified identity never unlocks anyone's data.
pub fn next(state: &RequestState, event: RequestEvent) -> Result<RequestState, IllegalTransition> {
    use RequestEvent as E;
    use RequestState as S;
    let illegal = |hint| IllegalTransition {
        from: state.name(),
        event: event.name(),
        hint,
    };
    match (state, &event) {
        (s, _) if s.is_final() => Err(illegal(": it is final")),
        (S::Received, E::VerificationSent) => Ok(S::AwaitingVerification),
        (S::Received | S::AwaitingVerification, E::IdentityVerified) => Ok(S::Verified),
        (S::Verified, E::Started) => Ok(S::InProgress),
        (S::InProgress, E::AllPartsDone) => Ok(S::Completed),
        (S::InProgress, E::PartsEnded { parts }) => Ok(if parts.iter().all(|p| p.done) {
            S::Completed
        } else {
            S::PartiallyCompleted {
                parts: parts.clone(),
            }
        }),
        (_, E::Refuse { reason }) if !reason.trim().is_empty() => Ok(S::Refused {
            reason: reason.clone(),
        }),
        (_, E::Refuse { .. }) => Err(illegal(": a refusal must state its legal reason")),
        (S::InProgress, E::Cancel { .. }) => Err(illegal(
            ": work has begun on the subject's data; let it finish",
        )),
        (_, E::Cancel { reason }) => Ok(S::Cancelled {
            reason: reason.clone(),
        }),
        (S::Received | S::AwaitingVerification, E::Started) => {
            Err(illegal(": the identity is not verified yet"))
        }
        _ => Err(illegal("")),
    }
}

/// Art. 15(3) and 12(5): whether this copy may carry a fee, given the
/// policy's free copies per calendar year and how many the subject already had
/// this year. `None` free copies: all free.
pub fn fee_may_apply(
    kind: RequestKind,
    free_copies_per_year: Option<u32>,
    copies_this_year: u32,
) -> bool {
    kind.yields_a_copy() && free_copies_per_year.is_some_and(|free| copies_this_year >= free)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lifecycle_goes_received_verified_in_progress_completed() {
        let mut state = RequestState::Received;
        for event in [
            RequestEvent::VerificationSent,
            RequestEvent::IdentityVerified,
            RequestEvent::Started,
            RequestEvent::AllPartsDone,
        ] {
            state = next(&state, event).expect("legal");
        }
        assert_eq!(state, RequestState::Completed);
    }

    #[test]
    fn data_is_never_reached_before_the_identity_is_verified() {
        for state in [RequestState::Received, RequestState::AwaitingVerification] {
            let err = next(&state, RequestEvent::Started).expect_err("unverified");
            assert!(err.to_string().contains("not verified"), "{err}");
        }
    }

    #[test]
    fn parts_that_fail_make_a_partial_completion_with_reasons() {
        let parts = vec![
            PartOutcome {
                part: "crm".into(),
                done: true,
                reason: None,
            },
            PartOutcome {
                part: "bookkeeping".into(),
                done: false,
                reason: Some("kept under Bokföringslagen".into()),
            },
        ];
        let state = next(
            &RequestState::InProgress,
            RequestEvent::PartsEnded {
                parts: parts.clone(),
            },
        )
        .expect("legal");
        assert_eq!(state, RequestState::PartiallyCompleted { parts });
        let all_done = vec![PartOutcome {
            part: "crm".into(),
            done: true,
            reason: None,
        }];
        assert_eq!(
            next(
                &RequestState::InProgress,
                RequestEvent::PartsEnded { parts: all_done }
            ),
            Ok(RequestState::Completed)
        );
    }

    #[test]
    fn refusals_need_a_reason_and_final_states_are_final() {
        let refused = next(
            &RequestState::Verified,
            RequestEvent::Refuse {
                reason: "manifestly unfounded (Art. 12(5)(b))".into(),
            },
        )
        .expect("legal");
        assert!(refused.is_final());
        assert!(
            next(
                &RequestState::Verified,
                RequestEvent::Refuse {
                    reason: String::new()
                }
            )
            .is_err()
        );
        for event in [
            RequestEvent::Started,
            RequestEvent::Cancel { reason: "x".into() },
            RequestEvent::IdentityVerified,
        ] {
            assert!(next(&refused, event).is_err());
        }
        assert!(
            next(
                &RequestState::InProgress,
                RequestEvent::Cancel {
                    reason: "changed mind".into()
                }
            )
            .is_err()
        );
        assert!(matches!(
            next(
                &RequestState::AwaitingVerification,
                RequestEvent::Cancel {
                    reason: "no reply".into()
                }
            ),
            Ok(RequestState::Cancelled { .. })
        ));
    }

    #[test]
    fn copies_beyond_the_free_ones_may_carry_a_fee() {
        assert!(!fee_may_apply(RequestKind::Access, Some(1), 0));
        assert!(fee_may_apply(RequestKind::Access, Some(1), 1));
        assert!(
            !fee_may_apply(RequestKind::Access, None, 5),
            "no limit declared: all free"
        );
        assert!(
            !fee_may_apply(RequestKind::Erasure, Some(1), 5),
            "only copies carry fees"
        );
        assert!(
            !fee_may_apply(RequestKind::Portability, Some(1), 5),
            "Art. 20 is free: portability is never charged as an access copy"
        );
    }
}
