//! Records: a value stored for the purposes it was collected for, sealed
//! under the subject's key; corrected in place (Art. 16); some erased while
//! others are kept (Art. 17(3)).

use steward_domain::common::ids::{RecordId, SubjectId};
use steward_domain::policy::retention::Events;
use steward_domain::vault::actor::Actor;
use steward_domain::vault::crypto::DataKey;
use steward_store::{Kept, StoredRecord, Subject};

use crate::vault::error::{Result, VaultError, corrupt, invalid};
use crate::vault::input::NewRecord;
use crate::vault::key_ring::{self, record_field};
use crate::vault::service::{Vault, fresh_id};
use crate::vault::views::OpenedRecord;

impl Vault {
    /// The data key of a live subject.
    pub(crate) async fn key_of(&self, subject: &Subject) -> Result<DataKey> {
        if subject.erased_at.is_some() {
            return Err(VaultError::Erased(subject.id.to_string()));
        }
        let wrapped = self
            .store
            .subject_key(&subject.id)
            .await?
            .ok_or_else(|| VaultError::Erased(subject.id.to_string()))?;
        self.keys.data_key(&subject.id, &wrapped)
    }

    /// Stores a value for the purposes it was collected for, after checking
    /// that the policy allows this category for each of them and this subject.
    pub async fn write_record(
        &self,
        actor: &Actor,
        subject_id: &SubjectId,
        input: NewRecord,
    ) -> Result<RecordId> {
        let subject = self.subject_for(actor, subject_id).await?;
        if self.table.category(&input.category).is_none() {
            let hint = match self.policy.category(&input.category) {
                Some(_) => {
                    let ids = [input.category.clone()];
                    let leaves: Vec<String> = self
                        .policy
                        .expand_categories(&ids)
                        .iter()
                        .take(4)
                        .map(|c| format!("`{}`", c.id))
                        .collect();
                    format!(
                        "it has sub-categories: store data under the most specific one ({}{})",
                        leaves.join(", "),
                        if leaves.len() == 4 { ", ..." } else { "" }
                    )
                }
                None => "it is not declared in the policy".to_owned(),
            };
            return Err(invalid("category", format!("`{}`: {hint}", input.category)));
        }
        if input.purposes.is_empty() {
            return Err(invalid(
                "purposes",
                "name the purposes the data is collected for",
            ));
        }
        for purpose_id in &input.purposes {
            let purpose = self.policy.purpose(purpose_id).ok_or_else(|| {
                invalid(
                    "purposes",
                    format!("`{purpose_id}` is not a purpose of the policy"),
                )
            })?;
            if !actor.may_use(purpose_id) {
                return Err(VaultError::Forbidden(format!(
                    "this token may not store data for purpose `{purpose_id}`"
                )));
            }
            let allowed = self.policy.expand_categories(&purpose.categories);
            if !allowed.iter().any(|c| c.id == input.category) {
                return Err(invalid(
                    "purposes",
                    format!(
                        "purpose `{purpose_id}` does not use `{}` in the policy, so it may not be collected for it",
                        input.category
                    ),
                ));
            }
            if !purpose.subjects.contains(&subject.subject_type) {
                return Err(invalid(
                    "purposes",
                    format!(
                        "purpose `{purpose_id}` does not concern subjects of type `{}`",
                        subject.subject_type
                    ),
                ));
            }
        }
        let source = input.source.clone().unwrap_or_else(|| "subject".to_owned());
        if source != "subject" {
            if self.policy.source(&source).is_none() {
                return Err(invalid(
                    "source",
                    format!("`{source}` is not a source the policy declares (or `subject`)"),
                ));
            }
            // The notice names, for each source, what is obtained from it
            // (Art. 14(1)(d), 14(2)(f)): data of another category from it
            // would make the notice untrue.
            let declared = self.category_sources(&input.category);
            if !declared.contains(&source.as_str()) {
                return Err(VaultError::Refused {
                    code: "source_not_declared_for_category",
                    field: "source",
                    message: format!(
                        "the policy does not name `{source}` as a source of `{}`{}",
                        input.category,
                        if declared.is_empty() {
                            " (it names no source for it but the subject)".to_owned()
                        } else {
                            format!(" (it names: {})", declared.join(", "))
                        }
                    ),
                });
            }
        }
        let derived_from = self.check_lineage(subject_id, &input).await?;
        let now = self.now();
        let collected_at = match input.collected_at {
            Some(at) if at > now => {
                return Err(invalid(
                    "collected_at",
                    "a record cannot have been collected in the future",
                ));
            }
            Some(at) => {
                self.refuse_if_expired(subject_id, &input, at).await?;
                at
            }
            None => now,
        };
        // Its last day, for the sweep's index: from the subject's events
        // only where a rule for it waits for one.
        let events = if self.retention_needs_events(&input.category, &input.purposes) {
            match self.store.subject_file(subject_id).await? {
                Some(file) => self.event_days(&file.events),
                None => Events::new(),
            }
        } else {
            Events::new()
        };
        let retention_due = self.due_day(&input.category, &input.purposes, collected_at, &events);
        let key = self.key_of(&subject).await?;
        let id: RecordId = fresh_id();
        let field = record_field(&id, &input.category, &input.purposes);
        let record = StoredRecord {
            value_sealed: key_ring::seal(
                &key,
                subject_id,
                &field,
                input.value.to_string().as_bytes(),
            ),
            id: id.clone(),
            subject_id: subject_id.clone(),
            category: input.category.clone(),
            source,
            purposes: input.purposes.clone(),
            collected_at,
            updated_at: now,
            kept_for: None,
            derived_from,
            recompute_since: None,
            retention_due,
            review_since: None,
        };
        let audit = self.act(
            actor,
            "record.write",
            Some(subject_id),
            serde_json::json!({
                "record": id,
                "category": input.category,
                "purposes": input.purposes,
                "derived_from": record.derived_from,
                "not_normally_stored": !self.normally_stored(&subject.subject_type),
                "collected_at": input.collected_at.map(|at| at.to_string()),
            }),
        );
        self.store.write_record(&record, audit).await?;
        Ok(id)
    }

    /// Data brought with an old collection date whose every retention
    /// period, for every purpose it is stored for, has already ended: not
    /// stored at all (it would be due for deletion the moment it arrived).
    async fn refuse_if_expired(
        &self,
        subject: &SubjectId,
        input: &NewRecord,
        collected_at: jiff::Timestamp,
    ) -> Result<()> {
        let events = match self.store.subject_file(subject).await? {
            Some(file) => self.event_days(&file.events),
            None => steward_domain::policy::retention::Events::new(),
        };
        let collected = self.local_date(collected_at);
        let today = self.today();
        let ended: Vec<String> = input
            .purposes
            .iter()
            .filter_map(|purpose| {
                steward_domain::policy::retention::expired_for(
                    &self.policy,
                    &input.category,
                    purpose,
                    collected,
                    &events,
                    today,
                )
                .map(|rule| format!("`{}` for {purpose}", rule.id))
            })
            .collect();
        if ended.len() == input.purposes.len() {
            return Err(VaultError::Refused {
                code: "retention_expired",
                field: "collected_at",
                message: format!(
                    "collected on {collected}, its retention has already ended ({}): it is not stored",
                    ended.join(", ")
                ),
            });
        }
        Ok(())
    }

    /// The records a derived record names as its inputs: only for a
    /// category the policy declares as derived, only the subject's own
    /// records, only of the categories it is derived from.
    async fn check_lineage(
        &self,
        subject: &SubjectId,
        input: &NewRecord,
    ) -> Result<Option<Vec<RecordId>>> {
        if input.derived_from.is_empty() {
            return Ok(None);
        }
        let inputs: Vec<&str> = self
            .policy
            .categories
            .iter()
            .filter(|c| steward_domain::policy::is_within(&input.category, &c.id))
            .flat_map(|c| c.derived_from.iter().map(String::as_str))
            .collect();
        if inputs.is_empty() {
            return Err(invalid(
                "derived_from",
                format!(
                    "`{}` is not derived data in the policy (no `derived_from` on its category)",
                    input.category
                ),
            ));
        }
        let held = self.store.records(subject).await?;
        for id in &input.derived_from {
            let Some(record) = held.iter().find(|r| &r.id == id) else {
                return Err(invalid(
                    "derived_from",
                    format!("record `{id}` is not one of this subject's"),
                ));
            };
            // Not data kept only for another purpose (Art. 17(3)), not a
            // value itself awaiting recomputation, and collected for one of
            // the purposes the derived data serves (Art. 5(1)(b)).
            let refused = if record.kept_for.is_some() {
                Some("is kept only for another purpose after an erasure")
            } else if record.recompute_since.is_some() {
                Some("is itself to be computed again")
            } else if !record.purposes.iter().any(|p| input.purposes.contains(p)) {
                Some("was collected for none of this record's purposes")
            } else {
                None
            };
            if let Some(why) = refused {
                return Err(invalid(
                    "derived_from",
                    format!("record `{id}` {why}, so nothing may be derived from it"),
                ));
            }
            if !inputs
                .iter()
                .any(|c| steward_domain::policy::is_within(&record.category, c))
            {
                return Err(invalid(
                    "derived_from",
                    format!(
                        "record `{id}` holds `{}`, but the policy derives `{}` from {}",
                        record.category,
                        input.category,
                        inputs.join(", ")
                    ),
                ));
            }
        }
        Ok(Some(input.derived_from.clone()))
    }

    /// The sources the policy names for a category or any category above it.
    fn category_sources(&self, category: &str) -> Vec<&str> {
        self.policy
            .categories
            .iter()
            .filter(|c| steward_domain::policy::is_within(category, &c.id))
            .flat_map(|c| c.sources.iter().map(String::as_str))
            .collect()
    }

    pub(crate) fn open_record(&self, key: &DataKey, record: &StoredRecord) -> Result<OpenedRecord> {
        let field = record_field(&record.id, &record.category, &record.purposes);
        let bytes = key_ring::open(key, &record.subject_id, &field, &record.value_sealed)?;
        let value = serde_json::from_slice(&bytes)
            .map_err(|e| corrupt(format!("record {}: {e}", record.id)))?;
        Ok(OpenedRecord {
            id: record.id.clone(),
            category: record.category.clone(),
            value,
            source: record.source.clone(),
            purposes: record.purposes.clone(),
            collected_at: record.collected_at,
            derived_from: record.derived_from.clone().unwrap_or_default(),
        })
    }

    /// Erases some of a subject's records, keeping the rest (an erasure
    /// under Art. 17(3) exceptions). Records already gone are no error.
    pub async fn erase_records(
        &self,
        actor: &Actor,
        subject: &SubjectId,
        records: &[RecordId],
        kept: &[(RecordId, Vec<String>)],
    ) -> Result<()> {
        self.live_subject(subject).await?;
        // What was derived from an erased record goes with it (unless it is
        // itself kept), however many steps removed.
        let file = self
            .store
            .subject_file(subject)
            .await?
            .ok_or_else(|| VaultError::NotFound {
                what: "subject",
                id: subject.to_string(),
            })?;
        let events = self.event_days(&file.events);
        let all = file.records;
        let mut records = records.to_vec();
        loop {
            let more: Vec<RecordId> = all
                .iter()
                .filter(|r| !records.contains(&r.id) && !kept.iter().any(|(k, _)| k == &r.id))
                .filter(|r| {
                    r.derived_from
                        .as_ref()
                        .is_some_and(|inputs| inputs.iter().any(|i| records.contains(i)))
                })
                .map(|r| r.id.clone())
                .collect();
            if more.is_empty() {
                break;
            }
            records.extend(more);
        }
        let records = records.as_slice();
        // What is kept is kept only as long as the purposes left keep it:
        // the sweep removes it on the day the answer said.
        let kept: Vec<Kept> = kept
            .iter()
            .map(|(id, purposes)| Kept {
                record: id.clone(),
                purposes: purposes.clone(),
                due: all
                    .iter()
                    .find(|r| &r.id == id)
                    .and_then(|r| self.due_day(&r.category, purposes, r.collected_at, &events)),
            })
            .collect();
        let audit = self.act(
            actor,
            "records.erase",
            Some(subject),
            serde_json::json!({
                "records": records,
                "kept": kept.iter().map(|k| serde_json::json!({ "record": k.record, "only_for": k.purposes, "until": k.due.map(|d| d.to_string()) })).collect::<Vec<_>>(),
            }),
        );
        Ok(self
            .store
            .delete_records(subject, records, &kept, audit)
            .await?)
    }

    /// Art. 16: replaces the value of every record of `category`, keeping
    /// its purposes, source and time of collection. Returns how many.
    pub async fn rectify(
        &self,
        actor: &Actor,
        subject_id: &SubjectId,
        category: &str,
        value: &serde_json::Value,
    ) -> Result<usize> {
        if self.policy.category(category).is_none() {
            return Err(invalid(
                "category",
                format!("`{category}` is not a category of the policy"),
            ));
        }
        let subject = self.live_subject(subject_id).await?;
        let key = self.key_of(&subject).await?;
        let mut count = 0;
        let mut corrected: Vec<RecordId> = Vec::new();
        for record in self.store.records(subject_id).await? {
            if record.category != category {
                continue;
            }
            let field = record_field(&record.id, &record.category, &record.purposes);
            let sealed = key_ring::seal(&key, subject_id, &field, value.to_string().as_bytes());
            let audit = self.act(
                actor,
                "record.rectify",
                Some(subject_id),
                serde_json::json!({ "record": record.id, "category": category }),
            );
            let rectified = StoredRecord {
                value_sealed: sealed,
                updated_at: self.now(),
                ..record
            };
            self.store.write_record(&rectified, audit).await?;
            count += 1;
            corrected.push(rectified.id);
        }
        // What was computed from the old value is no longer right: flagged,
        // and withheld from reads until it is computed again.
        // However many steps removed (an order, its history, a segment).
        let held = self.store.records(subject_id).await?;
        let mut stale: Vec<StoredRecord> = Vec::new();
        loop {
            let more: Vec<StoredRecord> = held
                .iter()
                .filter(|r| r.recompute_since.is_none() && !stale.iter().any(|s| s.id == r.id))
                .filter(|r| {
                    r.derived_from.as_ref().is_some_and(|inputs| {
                        inputs
                            .iter()
                            .any(|i| corrected.contains(i) || stale.iter().any(|s| &s.id == i))
                    })
                })
                .cloned()
                .collect();
            if more.is_empty() {
                break;
            }
            stale.extend(more);
        }
        for record in stale {
            let audit = self.act(
                actor,
                "record.recompute_flagged",
                Some(subject_id),
                serde_json::json!({ "record": record.id, "category": record.category, "because": category }),
            );
            let flagged = StoredRecord {
                recompute_since: Some(self.now()),
                ..record
            };
            self.store.write_record(&flagged, audit).await?;
        }
        Ok(count)
    }
}
