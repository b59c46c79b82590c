//! Retention enforced: each record's last day, kept in the store's due index
//! when it is written and when its subject's events change; the sweep that
//! reads only what is due and deletes, anonymises or flags it; holds that
//! suspend it. Reads refuse expired data on their own (`read.rs`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use steward_domain::common::ids::{RecordId, SubjectId};
use steward_domain::policy::retention::{self, Events, Hold};
use steward_domain::policy::{Event, RetentionAction, RetentionPeriod};
use steward_domain::vault::actor::{Actor, Role};
use steward_domain::vault::crypto::sha256_hex;
use steward_store::{Anonymised, DueDay, Removal, StoredHold, StoredRecord};

use crate::vault::error::{Result, VaultError, invalid};
use crate::vault::service::{Vault, fresh_id};

/// The name under which the store keeps the fingerprint of the rules its
/// due days were computed under.
const RULES_FINGERPRINT: &str = "rules_fingerprint";

/// What a sweep did, or in a dry run would do.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SweepReport {
    /// The day it ran for, where the controller is: records kept through
    /// an earlier day were due.
    pub today: Option<Date>,
    pub dry_run: bool,
    /// Per action, rule, category and purposes: how many records.
    pub lines: Vec<SweepLine>,
    /// Due, but under a hold in force.
    pub held: u64,
    /// Found due in the index but not due now (an event or an erasure moved
    /// their end): their last day was corrected.
    pub rescheduled: u64,
    /// Subjects whose last record went: their key destroyed (crypto-shredding).
    pub subjects_shredded: u64,
    /// Connected tables that could not be swept, and why.
    pub failures: Vec<String>,
}

impl SweepReport {
    /// Records deleted, anonymised or flagged (or that would be).
    pub fn total(&self) -> u64 {
        self.lines.iter().map(|l| l.count).sum()
    }

    fn count(
        &mut self,
        record: &StoredRecord,
        purposes: &[String],
        rule: &str,
        action: RetentionAction,
    ) {
        let mut purposes = purposes.to_vec();
        purposes.sort();
        match self.lines.iter_mut().find(|l| {
            l.action == action
                && l.rule == rule
                && l.category == record.category
                && l.purposes == purposes
        }) {
            Some(line) => line.count += 1,
            None => self.lines.push(SweepLine {
                action,
                rule: rule.to_owned(),
                category: record.category.clone(),
                purposes,
                system: "vault".to_owned(),
                count: 1,
            }),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SweepLine {
    pub action: RetentionAction,
    pub rule: String,
    pub category: String,
    pub purposes: Vec<String>,
    /// `vault`, or the connected system's id.
    pub system: String,
    pub count: u64,
}

/// How a sweep runs.
pub struct SweepOptions<'a> {
    pub dry_run: bool,
    /// Records read and removed per transaction.
    pub batch: u32,
    /// Called after each batch with (records looked at, records due when it began).
    pub progress: Option<&'a (dyn Fn(u64, u64) + Send + Sync)>,
}

impl Default for SweepOptions<'_> {
    fn default() -> Self {
        SweepOptions {
            dry_run: false,
            batch: 500,
            progress: None,
        }
    }
}

/// Anonymised data counted in groups; groups under k are not shown.
#[derive(Debug, Clone, Serialize)]
pub struct Statistics {
    pub category: String,
    pub by: Vec<String>,
    pub k: u32,
    pub groups: Vec<Group>,
    /// Groups left out because fewer than k records are in them. How many
    /// records they hold is not said: with another grouping's total it
    /// would give a small group away.
    pub suppressed_groups: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Group {
    /// The value of each `by` field, in order (`null` when a record has none).
    pub key: Vec<serde_json::Value>,
    pub count: u64,
}

impl Vault {
    /// The last day a record of `category` collected at `collected_at` is
    /// kept for `purposes`, given its subject's events.
    pub(crate) fn due_day(
        &self,
        category: &str,
        purposes: &[String],
        collected_at: Timestamp,
        events: &Events,
    ) -> Option<Date> {
        retention::due(
            &self.policy,
            category,
            purposes,
            self.local_date(collected_at),
            events,
        )
        .map(|due| due.last_day)
    }

    /// Whether a rule for this data waits for, or is cut short by, an event
    /// other than collection: only then are the subject's events read.
    pub(crate) fn retention_needs_events(&self, category: &str, purposes: &[String]) -> bool {
        self.policy.retention.iter().any(|rule| {
            rule.purposes.iter().any(|p| purposes.contains(p))
                && rule
                    .categories
                    .iter()
                    .any(|c| steward_domain::policy::is_within(category, c))
                && (rule.unless.is_some()
                    || matches!(&rule.period, RetentionPeriod::Counted { after, .. }
                        if after.iter().any(|e| *e != Event::Collection && *e != Event::FinancialYearEnd)))
        })
    }

    /// The last days of a subject's records given its events: those that
    /// differ from what the index holds.
    pub(crate) fn changed_dues(&self, records: &[StoredRecord], events: &Events) -> Vec<DueDay> {
        records
            .iter()
            .filter_map(|record| {
                let purposes = record.kept_for.as_ref().unwrap_or(&record.purposes);
                let due = self.due_day(&record.category, purposes, record.collected_at, events);
                (due != record.retention_due).then(|| DueDay {
                    record: record.id.clone(),
                    due,
                })
            })
            .collect()
    }

    /// What the policy's retention rules are, as far as last days depend
    /// on them: when it changes, every last day is computed again.
    fn rules_fingerprint(&self) -> String {
        let mut text = format!(
            "{}|{:?}|",
            self.policy.controller.time_zone.iana_name().unwrap_or("?"),
            self.policy.controller.financial_year
        );
        for rule in &self.policy.retention {
            text.push_str(&format!(
                "{}:{:?}:{:?}:{:?}:{:?};",
                rule.id, rule.categories, rule.purposes, rule.period, rule.unless
            ));
        }
        sha256_hex(&[text.as_bytes()])
    }

    /// Brings the due index up to date with the policy's rules: nothing to
    /// do unless they changed since it was last computed (or it never was),
    /// then every subject's records, a page at a time. Returns how many
    /// records' last day changed.
    pub async fn refresh_retention_index(&self) -> Result<u64> {
        let fingerprint = self.rules_fingerprint();
        if self
            .store
            .retention_state(RULES_FINGERPRINT)
            .await?
            .as_deref()
            == Some(&fingerprint)
        {
            return Ok(0);
        }
        let mut changed = 0;
        let mut after: Option<SubjectId> = None;
        loop {
            let page = self
                .store
                .subjects_with_records(after.as_ref(), 200)
                .await?;
            let Some(last) = page.last().cloned() else {
                break;
            };
            let mut dues = Vec::new();
            for subject in &page {
                if let Some(file) = self.store.subject_file(subject).await? {
                    let events = self.event_days(&file.events);
                    dues.extend(self.changed_dues(&file.records, &events));
                }
            }
            changed += dues.len() as u64;
            self.store.set_due_days(&dues).await?;
            after = Some(last);
        }
        self.store
            .set_retention_state(RULES_FINGERPRINT, &fingerprint)
            .await?;
        if changed > 0 {
            tracing::info!(
                changed,
                "retention: last days computed under the policy's rules"
            );
        }
        Ok(changed)
    }

    /// Carries out every retention period that has ended: reads the due
    /// index batch by batch, checks each record against its subject's
    /// events and holds now, and deletes, anonymises or flags it for
    /// review, each with an audit entry naming the rule. A record two
    /// nodes both find is removed and audited once (the store's check).
    pub async fn sweep(&self, actor: &Actor, options: SweepOptions<'_>) -> Result<SweepReport> {
        let may_sweep = actor.role.is_officer() || actor.role == Role::System;
        if !(may_sweep || options.dry_run && actor.role == Role::Auditor) {
            return Err(VaultError::Forbidden(
                "only a privacy officer or Steward itself may sweep; an auditor may see what is due".into(),
            ));
        }
        let today = self.today();
        let mut report = SweepReport {
            today: Some(today),
            dry_run: options.dry_run,
            ..SweepReport::default()
        };
        let due_at_start = self.store.due_count(today).await?;
        let mut looked_at = 0u64;
        let mut cursor: Option<(Date, RecordId)> = None;
        loop {
            let batch = self
                .store
                .due_records(today, cursor.clone(), options.batch)
                .await?;
            let Some(last) = batch.last() else {
                break;
            };
            cursor = last.retention_due.map(|day| (day, last.id.clone()));
            looked_at += batch.len() as u64;
            self.sweep_batch(actor, &batch, today, options.dry_run, &mut report)
                .await?;
            if let Some(progress) = options.progress {
                progress(looked_at, due_at_start);
            }
            if cursor.is_none() {
                break;
            }
        }
        Ok(report)
    }

    async fn sweep_batch(
        &self,
        actor: &Actor,
        batch: &[StoredRecord],
        today: Date,
        dry_run: bool,
        report: &mut SweepReport,
    ) -> Result<()> {
        let subjects: Vec<SubjectId> = batch
            .iter()
            .map(|r| r.subject_id.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        // Only the events are needed to check a record again, in one read.
        let mut events_of: HashMap<SubjectId, Vec<steward_store::StoredEvent>> = HashMap::new();
        for event in self.store.events_of(&subjects).await? {
            events_of
                .entry(event.subject_id.clone())
                .or_default()
                .push(event);
        }
        let mut keys = HashMap::new();
        let holds = self.store.holds(Some(&subjects)).await?;
        let held = |record: &StoredRecord| {
            holds.iter().any(|h| {
                h.subject_id == record.subject_id
                    && h.record_id.as_ref().is_none_or(|r| r == &record.id)
                    && hold_of(h).in_force(today)
            })
        };
        let mut moved = Vec::new();
        let mut removals = Vec::new();
        let mut flags = Vec::new();
        let mut counted = Vec::new();
        for record in batch {
            let events = self.event_days(
                events_of
                    .get(&record.subject_id)
                    .map_or(&[][..], Vec::as_slice),
            );
            let purposes = record
                .kept_for
                .clone()
                .unwrap_or_else(|| record.purposes.clone());
            let collected = self.local_date(record.collected_at);
            let due = retention::due(
                &self.policy,
                &record.category,
                &purposes,
                collected,
                &events,
            );
            let Some(due) = due.filter(|d| d.last_day < today) else {
                moved.push(DueDay {
                    record: record.id.clone(),
                    due: due.map(|d| d.last_day),
                });
                continue;
            };
            if held(record) {
                report.held += 1;
                continue;
            }
            let Some(seen) = record.retention_due else {
                continue;
            };
            let rule = due.rule;
            let detail = |action: &str| {
                serde_json::json!({
                    "record": record.id,
                    "category": record.category,
                    "purposes": purposes,
                    "rule": rule.id,
                    "action": action,
                    "kept_through": due.last_day.to_string(),
                })
            };
            match rule.action {
                RetentionAction::Review => {
                    if record.review_since.is_none() {
                        flags.push((
                            record.id.clone(),
                            self.act(
                                actor,
                                "retention.review",
                                Some(&record.subject_id),
                                detail("review"),
                            ),
                        ));
                        counted.push((record, purposes, rule.id.clone(), rule.action));
                    }
                }
                RetentionAction::Delete | RetentionAction::Anonymise => {
                    let anonymised = if rule.action == RetentionAction::Anonymise && !dry_run {
                        Some(
                            self.anonymise(&mut keys, record, &rule.id, &rule.statistics)
                                .await?,
                        )
                    } else {
                        None
                    };
                    let action = if rule.action == RetentionAction::Anonymise {
                        "retention.anonymise"
                    } else {
                        "retention.delete"
                    };
                    removals.push(Removal {
                        record: record.id.clone(),
                        subject: record.subject_id.clone(),
                        last_day: seen,
                        anonymised,
                        audit: self.act(
                            actor,
                            action,
                            Some(&record.subject_id),
                            detail(&action[10..]),
                        ),
                    });
                    counted.push((record, purposes, rule.id.clone(), rule.action));
                }
            }
        }
        report.rescheduled += moved.len() as u64;
        if dry_run {
            for (record, purposes, rule, action) in &counted {
                report.count(record, purposes, rule, *action);
            }
            return Ok(());
        }
        self.store.set_due_days(&moved).await?;
        self.store.flag_for_review(flags, self.now()).await?;
        let removed: BTreeSet<RecordId> = self
            .store
            .remove_expired(removals)
            .await?
            .into_iter()
            .collect();
        for (record, purposes, rule, action) in &counted {
            if action == &RetentionAction::Review || removed.contains(&record.id) {
                report.count(record, purposes, rule, *action);
            }
        }
        // A subject whose last record went is shredded: its key destroyed,
        // its identities deleted (its consents stay, as proof, Art. 7(1)).
        let emptied: BTreeSet<&SubjectId> = batch
            .iter()
            .filter(|r| removed.contains(&r.id))
            .map(|r| &r.subject_id)
            .collect();
        for subject in emptied {
            let in_force = holds
                .iter()
                .any(|h| &h.subject_id == subject && hold_of(h).in_force(today));
            if in_force {
                continue;
            }
            let audit = self.act(
                actor,
                "retention.subject_shredded",
                Some(subject),
                serde_json::json!({ "reason": "its last record's retention ended" }),
            );
            if self
                .store
                .shred_if_empty(subject, self.now(), audit)
                .await?
            {
                report.subjects_shredded += 1;
            }
        }
        Ok(())
    }

    /// What anonymisation keeps of a record: its category, the rule, the
    /// month it was collected and the fields the rule names, with nothing
    /// that leads back to the person or the record.
    async fn anonymise(
        &self,
        keys: &mut HashMap<SubjectId, steward_domain::vault::crypto::DataKey>,
        record: &StoredRecord,
        rule: &str,
        fields: &[String],
    ) -> Result<Anonymised> {
        let mut kept = serde_json::Map::new();
        if !fields.is_empty() {
            if !keys.contains_key(&record.subject_id) {
                let wrapped = self
                    .store
                    .subject_key(&record.subject_id)
                    .await?
                    .ok_or_else(|| VaultError::Erased(record.subject_id.to_string()))?;
                let key = self.keys.data_key(&record.subject_id, &wrapped)?;
                keys.insert(record.subject_id.clone(), key);
            }
            let key = &keys[&record.subject_id];
            let value = self.open_record(key, record)?.value;
            for field in fields {
                if let Some(v) = value.get(field).filter(|v| !v.is_object() && !v.is_array()) {
                    kept.insert(field.clone(), v.clone());
                }
            }
        }
        let collected = self.local_date(record.collected_at);
        Ok(Anonymised {
            // Random, not time-ordered: the row says nothing of when or in
            // which order records were anonymised.
            id: uuid::Uuid::new_v4().to_string(),
            category: record.category.clone(),
            rule: rule.to_owned(),
            month: format!("{:04}-{:02}", collected.year(), collected.month()),
            fields: serde_json::Value::Object(kept),
        })
    }

    /// Puts a legal or litigation hold on a subject's data, or one record.
    pub async fn add_hold(
        &self,
        actor: &Actor,
        subject: &SubjectId,
        record: Option<RecordId>,
        reason: &str,
        until: Option<Date>,
    ) -> Result<StoredHold> {
        if !actor.role.is_officer() {
            return Err(VaultError::Forbidden(
                "only a privacy officer may put data on hold".into(),
            ));
        }
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(invalid(
                "reason",
                "say why the data is held, e.g. \"dispute 2026-014 with the customer, Tingsrätten\"",
            ));
        }
        if reason.chars().count() > 500 {
            return Err(invalid("reason", "at most 500 characters"));
        }
        if until.is_some_and(|u| u < self.today()) {
            return Err(invalid("until", "a hold cannot end before today"));
        }
        self.live_subject(subject).await?;
        let hold = StoredHold {
            id: fresh_id::<RecordId>().to_string(),
            subject_id: subject.clone(),
            record_id: record,
            reason: reason.to_owned(),
            until_day: until,
            created_at: self.now(),
            released_at: None,
        };
        let audit = self.act(
            actor,
            "retention.hold",
            Some(subject),
            serde_json::json!({
                "hold": hold.id,
                "record": hold.record_id,
                "until": until.map(|d| d.to_string()),
            }),
        );
        self.store.add_hold(&hold, audit).await?;
        Ok(hold)
    }

    pub async fn release_hold(&self, actor: &Actor, id: &str) -> Result<()> {
        if !actor.role.is_officer() {
            return Err(VaultError::Forbidden(
                "only a privacy officer may release a hold".into(),
            ));
        }
        let subject = self
            .store
            .holds(None)
            .await?
            .into_iter()
            .find(|h| h.id == id)
            .map(|h| h.subject_id);
        let audit = self.act(
            actor,
            "retention.hold_released",
            subject.as_ref(),
            serde_json::json!({ "hold": id }),
        );
        match self.store.release_hold(id, self.now(), audit).await {
            Err(steward_store::StoreError::NotFound { .. }) => Err(VaultError::NotFound {
                what: "hold in force",
                id: id.to_owned(),
            }),
            other => Ok(other?),
        }
    }

    /// Holds, newest first: of one subject, or all.
    pub async fn holds(
        &self,
        actor: &Actor,
        subject: Option<&SubjectId>,
    ) -> Result<Vec<StoredHold>> {
        if !actor.role.is_officer() {
            return Err(VaultError::Forbidden(
                "only a privacy officer may list holds".into(),
            ));
        }
        let subjects = subject.map(|s| vec![s.clone()]);
        Ok(self.store.holds(subjects.as_deref()).await?)
    }

    /// Records whose `review` rule has ended, for an officer to decide on.
    pub async fn under_review(&self, actor: &Actor) -> Result<Vec<StoredRecord>> {
        if !actor.role.is_officer() {
            return Err(VaultError::Forbidden(
                "only a privacy officer may see what awaits review".into(),
            ));
        }
        Ok(self.store.under_review().await?)
    }

    /// Anonymised data of `category` counted by the fields in `by` (among
    /// `month` and the fields its rules keep), every group smaller than the
    /// policy's k left out.
    pub async fn statistics(
        &self,
        actor: &Actor,
        category: &str,
        by: &[String],
    ) -> Result<Statistics> {
        if !(actor.role.is_officer() || actor.role == Role::Auditor) {
            return Err(VaultError::Forbidden(
                "only a privacy officer or an auditor may read statistics".into(),
            ));
        }
        if self.policy.category(category).is_none() {
            return Err(invalid(
                "category",
                format!("`{category}` is not a category of the policy"),
            ));
        }
        let mut allowed: BTreeSet<&str> = ["month", "category", "rule"].into_iter().collect();
        for rule in self.policy.retention.iter().filter(|r| {
            r.action == RetentionAction::Anonymise
                && r.categories.iter().any(|c| {
                    steward_domain::policy::is_within(category, c)
                        || steward_domain::policy::is_within(c, category)
                })
        }) {
            allowed.extend(rule.statistics.iter().map(String::as_str));
        }
        if let Some(unknown) = by.iter().find(|f| !allowed.contains(f.as_str())) {
            let list: Vec<String> = allowed.iter().map(|f| format!("`{f}`")).collect();
            return Err(invalid(
                "by",
                format!(
                    "`{unknown}` is not kept when `{category}` is anonymised; group by {}",
                    list.join(", ")
                ),
            ));
        }
        let rows = self.store.anonymised(category).await?;
        let mut counts: BTreeMap<String, (Vec<serde_json::Value>, u64)> = BTreeMap::new();
        for row in rows {
            let key: Vec<serde_json::Value> = by
                .iter()
                .map(|field| match field.as_str() {
                    "month" => serde_json::Value::String(row.month.clone()),
                    "category" => serde_json::Value::String(row.category.clone()),
                    "rule" => serde_json::Value::String(row.rule.clone()),
                    other => row
                        .fields
                        .get(other)
                        .cloned()
                        .unwrap_or(serde_json::Value::Null),
                })
                .collect();
            let entry = counts
                .entry(serde_json::Value::Array(key.clone()).to_string())
                .or_insert((key, 0));
            entry.1 += 1;
        }
        let k = u64::from(self.policy.statistics_k);
        let mut statistics = Statistics {
            category: category.to_owned(),
            by: by.to_vec(),
            k: self.policy.statistics_k,
            groups: Vec::new(),
            suppressed_groups: 0,
        };
        for (key, count) in counts.into_values() {
            if count < k {
                statistics.suppressed_groups += 1;
            } else {
                statistics.groups.push(Group { key, count });
            }
        }
        Ok(statistics)
    }
}

fn hold_of(stored: &StoredHold) -> Hold {
    Hold {
        reason: stored.reason.clone(),
        until: stored.until_day,
        released: stored.released_at.is_some(),
    }
}
