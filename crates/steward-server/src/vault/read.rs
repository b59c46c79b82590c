//! The purpose-bound read: only the records collected for the purpose, of
//! categories it uses, while its legal basis holds right now. One read of
//! the subject's file, one decision per record, one audit entry.

use steward_domain::common::ids::SubjectId;
use steward_domain::policy::{Event, Version};
use steward_domain::vault::actor::Actor;
use steward_domain::vault::consent::GivenBy;
use steward_domain::vault::decision::{ConsentWindow, SubjectState, Window};
use steward_store::{StoredEvent, SubjectFile};

use crate::vault::error::{Result, VaultError, corrupt, invalid};
use crate::vault::service::Vault;
use crate::vault::views::{PurposeRead, Withheld};

impl Vault {
    pub async fn read(
        &self,
        actor: &Actor,
        subject_id: &SubjectId,
        purpose: &str,
    ) -> Result<PurposeRead> {
        let outcome = self.decide_read(actor, subject_id, purpose, None).await?;
        let allowed: Vec<&str> = outcome
            .records
            .iter()
            .map(|r| r.category.as_str())
            .collect();
        let refused: Vec<serde_json::Value> = outcome
            .withheld
            .iter()
            .map(|r| serde_json::json!({ "category": r.category, "reason": r.reason }))
            .collect();
        let mut detail =
            serde_json::json!({ "purpose": purpose, "allowed": allowed, "refused": refused });
        // A profiling read is on record with what the policy says it leads
        // to: never, unless declared, a solely automated decision with legal
        // or similarly significant effect (Art. 22).
        if let Some(declared) = self.policy.purpose(purpose).filter(|p| p.profiling) {
            detail["profiling"] = serde_json::json!(true);
            detail["automated_decision_with_legal_effect"] = serde_json::json!(
                declared
                    .automated_decision
                    .as_ref()
                    .is_some_and(|d| d.legal_effect)
            );
        }
        let audit = self.act(actor, "read", Some(subject_id), detail);
        self.audit.append(audit).await?;
        Ok(outcome)
    }

    /// What a purpose-bound read returns, of the categories in `only` if
    /// given, not yet audited: the caller records the act it is part of.
    pub(crate) async fn decide_read(
        &self,
        actor: &Actor,
        subject_id: &SubjectId,
        purpose: &str,
        only: Option<&[String]>,
    ) -> Result<PurposeRead> {
        let purpose_ix = self.table.purpose(purpose).ok_or_else(|| {
            invalid(
                "purpose",
                format!("`{purpose}` is not a purpose of the policy"),
            )
        })?;
        if !actor.may_use(purpose) {
            return Err(VaultError::Forbidden(format!(
                "this token may not read data for purpose `{purpose}`"
            )));
        }
        let file =
            self.store
                .subject_file(subject_id)
                .await?
                .ok_or_else(|| VaultError::NotFound {
                    what: "subject",
                    id: subject_id.to_string(),
                })?;
        if file.subject.erased_at.is_some() {
            return Err(VaultError::Erased(subject_id.to_string()));
        }
        if !self.concerns(actor, &file.subject) {
            return Err(VaultError::Forbidden(format!(
                "purpose `{purpose}` does not concern subjects of type `{}`",
                file.subject.subject_type
            )));
        }
        let state = self.decision_state(&file)?;
        let today = self.today();
        // The subject's events, each at its latest day where the controller is.
        let events = self.event_days(&file.events);
        let now = self.now().as_second();
        let mut key = None;
        let mut outcome = PurposeRead {
            subject_id: subject_id.clone(),
            purpose: purpose.to_owned(),
            records: Vec::new(),
            withheld: Vec::new(),
        };
        for record in &file.records {
            // Data of categories the purpose does not use is not this read's
            // business: it is neither returned nor mentioned.
            let Some(category) = self
                .table
                .category(&record.category)
                .filter(|c| self.table.uses(purpose_ix, *c))
                .filter(|_| only.is_none_or(|only| only.contains(&record.category)))
            else {
                continue;
            };
            // The period the policy keeps it for this purpose has ended:
            // refused now, whether or not a sweep has removed it yet.
            let collected_for = record.purposes.iter().any(|p| p == purpose);
            let expired = collected_for
                .then(|| {
                    steward_domain::policy::retention::expired_for(
                        &self.policy,
                        &record.category,
                        purpose,
                        self.local_date(record.collected_at),
                        &events,
                        today,
                    )
                })
                .flatten();
            let refusal = if !collected_for {
                Some("not_collected_for_purpose")
            } else if expired.is_some() {
                Some("retention_expired")
            } else if record.recompute_since.is_some() {
                // Computed from a value since corrected: wrong until
                // computed again (Art. 5(1)(d), 16).
                Some("recompute_after_rectification")
            } else if record
                .kept_for
                .as_ref()
                .is_some_and(|only| !only.iter().any(|p| p == purpose))
            {
                // Erased on request but kept under Art. 17(3): only for the
                // purpose the exception serves.
                Some("kept_only_for_another_purpose")
            } else {
                let decision = self.table.decide(&state, purpose_ix, category, now);
                (!decision.allowed).then(|| decision.reason.code())
            };
            match refusal {
                None => {
                    if key.is_none() {
                        let wrapped = file
                            .key
                            .as_ref()
                            .ok_or_else(|| VaultError::Erased(subject_id.to_string()))?;
                        key = Some(self.keys.data_key(subject_id, wrapped)?);
                    }
                    if let Some(key) = &key {
                        outcome.records.push(self.open_record(key, record)?);
                    }
                }
                Some(reason) => outcome.withheld.push(Withheld {
                    record_id: record.id.clone(),
                    category: record.category.clone(),
                    reason,
                    rule: expired
                        .filter(|_| reason == "retention_expired")
                        .map(|rule| rule.id.clone()),
                }),
            }
        }
        Ok(outcome)
    }

    /// What the subject's state is, as the decision needs it.
    fn decision_state(&self, file: &SubjectFile) -> Result<SubjectState> {
        let mut state = SubjectState {
            subject_type: self.table.subject_type(&file.subject.subject_type),
            restricted: file.subject.restricted,
            objects_to_direct_marketing: file.subject.objects_to_marketing,
            own_consent_from: file
                .subject
                .own_consent_from
                .map(|day| self.start_of(day).map(|at| at.as_second()))
                .transpose()?,
            ..SubjectState::default()
        };
        for consent in &file.consents {
            let Some(ix) = self.table.purpose(&consent.purpose) else {
                continue;
            };
            let window = ConsentWindow {
                given_at: consent.given_at.as_second(),
                withdrawn_at: consent.withdrawn_at.map(|at| at.as_second()),
                parental: consent.given_by == GivenBy::ParentalResponsibility,
                policy_version: Version::parse(&consent.policy_version).ok_or_else(|| {
                    corrupt(format!(
                        "consent {} names policy version `{}`",
                        consent.id, consent.policy_version
                    ))
                })?,
            };
            // The latest consent for a purpose is the one in force.
            if state
                .consent_for(ix)
                .is_none_or(|c| c.given_at <= window.given_at)
            {
                state.set_consent(ix, window);
            }
        }
        state.relationship = window(
            &file.events,
            Event::RelationshipStart,
            Event::RelationshipEnd,
        );
        state.contract = window(&file.events, Event::ContractStart, Event::ContractEnd);
        for objection in &file.objections {
            if let Some(ix) = self.table.purpose(&objection.purpose) {
                state.objections.insert(ix.0);
                if objection.compelling_grounds.is_some() {
                    state.compelling_grounds.insert(ix.0);
                }
            }
        }
        Ok(state)
    }
}

/// The latest window between a start event and the end event after it.
fn window(events: &[StoredEvent], start: Event, end: Event) -> Option<Window> {
    // In time order, at full precision: two events in the same second keep
    // their real order.
    let mut timeline: Vec<&StoredEvent> = events.iter().collect();
    timeline.sort_by_key(|e| e.at);
    let mut current: Option<Window> = None;
    for event in timeline {
        if event.kind == start {
            current = Some(Window {
                from: event.at.as_second(),
                until: None,
            });
        } else if event.kind == end
            && let Some(w) = current.as_mut()
        {
            w.until = Some(event.at.as_second());
        }
    }
    current
}
