//! Retention in the connected databases: a table declares the rule whose
//! period its rows keep (`retention = { rule, time_column, event_column }`),
//! `policy check` and `serve` check that declaration against the policy
//! here, and [`Systems::sweep_retention`] applies it. The arithmetic is the
//! domain's (`policy::cutoff`): the database is only asked which rows have
//! dates before the cutoff days.

use async_trait::async_trait;
use jiff::civil::Date;
use serde::Serialize;
use steward_connectors::Declaration;
use steward_connectors::relational::{Erase, RelationalSystem, Table, TableOutcome};
use steward_connectors::retention::{BatchAudit, DueBefore, SweepOptions};
use steward_domain::policy::cutoff::{self, CutoffError};
use steward_domain::policy::{Policy, RetentionAction, RetentionRule, is_within};

use super::Systems;

/// What the sweep does with a table's due rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SweepAction {
    /// Deleted (a row a kept row refers to: its `anonymise` columns cleared).
    Delete,
    /// Its `anonymise` columns cleared.
    Anonymise,
    /// Kept under the table's `hold`: counted only.
    Keep,
    /// The rule's action is `review`: counted for a privacy officer, kept.
    Review,
}

/// One table's sweep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableSweep {
    pub system: String,
    pub table: String,
    pub rule: String,
    pub action: SweepAction,
    /// For `keep`: why.
    pub hold: Option<String>,
    /// The rows due when the sweep of the table began.
    pub due: u64,
    /// The table's rows deleted or cleared (0 in a dry run, for `keep` and
    /// `review`).
    pub acted: u64,
    /// Every change, per table and action: the swept rows, and the child
    /// rows that went with them as an erasure would take them.
    pub changes: Vec<TableOutcome>,
    /// How many batches changed rows, each audited.
    pub batches: u64,
    /// Why the table was not (fully) swept: its system unreachable, a
    /// column of the wrong type. The other tables are swept all the same;
    /// `acted` counts what was done before.
    pub failure: Option<String>,
}

/// One batch of changes in a connected table, before it commits: what the
/// audit log must hold. Only names and counts, never a row's key or value.
#[derive(Debug, Clone, Copy)]
pub struct SweptBatch<'a> {
    pub system: &'a str,
    pub table: &'a str,
    pub rule: &'a str,
    /// Per table and action (`delete`, `anonymise`, `keep`), the rows.
    pub changes: &'a [TableOutcome],
}

impl SweptBatch<'_> {
    /// The audit entry's action.
    pub const AUDIT_ACTION: &'static str = "retention.system_batch";

    /// The audit entry's detail: `{"system", "table", "rule", "changes":
    /// [{"table", "action", "rows"}]}`.
    pub fn detail(&self) -> serde_json::Value {
        serde_json::json!({
            "system": self.system,
            "table": self.table,
            "rule": self.rule,
            "changes": self.changes.iter().map(|c| serde_json::json!({
                "table": c.table,
                "action": c.action,
                "rows": c.rows,
            })).collect::<Vec<_>>(),
        })
    }
}

/// Where each batch of a sweep is audited: the caller's audit log.
#[async_trait]
pub trait RetentionAudit: Send + Sync {
    /// Records `batch` durably. Called before the batch commits in the
    /// connected database; an error rolls the batch back and stops the
    /// whole sweep.
    async fn record(&self, batch: SweptBatch<'_>) -> Result<(), String>;
}

/// The sweep could not go on.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// A batch could not be audited: it was rolled back, and nothing more
    /// was swept.
    #[error(
        "the audit log did not take a batch of `{system}` table `{table}`, so the sweep stopped: {message}"
    )]
    Audit {
        system: String,
        table: String,
        message: String,
        /// What had been swept (and audited) before.
        swept: Vec<TableSweep>,
    },
}

impl Systems {
    /// Applies each connected table's declared retention as of `today` (the
    /// controller's date; days begin in `policy.controller.time_zone`): the
    /// rows whose rule has ended are deleted or cleared as the table
    /// declares, `batch` rows of the swept table per statement and
    /// transaction, children first; a `keep` table and a rule whose action
    /// is `review` are counted only. `dry_run` counts the due rows of every
    /// table and changes nothing (the counts the run then acts on).
    ///
    /// Auditing: `audit` is given every batch that changes rows
    /// ([`SweptBatch`]: system, table, rule, rows per table and action)
    /// before the batch commits, and the batch commits only once it has
    /// recorded it; the caller writes it to the audit log as an entry with
    /// action [`SweptBatch::AUDIT_ACTION`] and detail
    /// [`SweptBatch::detail`], by the system actor, with no subject (the
    /// rows are not tied to a subject of the vault). A dry run and counting
    /// change nothing, so they audit nothing; the caller may record the
    /// returned counts as one entry if it wants the run itself logged.
    ///
    /// `policy` must be the one these systems were built from.
    pub async fn sweep_retention(
        &self,
        policy: &Policy,
        today: Date,
        dry_run: bool,
        batch: usize,
        audit: &dyn RetentionAudit,
    ) -> Result<Vec<TableSweep>, SweepError> {
        let mut swept = Vec::new();
        for system in &self.systems {
            let Declaration::Relational(declared) = &system.declaration else {
                continue;
            };
            for table in &declared.tables {
                let Some(retention) = &table.retention else {
                    continue;
                };
                let rule_id = retention.rule.clone().unwrap_or_default();
                let rule = policy.retention.iter().find(|r| r.id == rule_id);
                let review = rule.is_some_and(|r| r.action == RetentionAction::Review);
                let action = match (review, table.retention_erase()) {
                    (true, _) => SweepAction::Review,
                    (false, Erase::Delete) => SweepAction::Delete,
                    (false, Erase::Anonymise) => SweepAction::Anonymise,
                    (false, Erase::Keep) => SweepAction::Keep,
                };
                let mut result = TableSweep {
                    system: system.id.clone(),
                    table: table.name.clone(),
                    rule: rule_id.clone(),
                    action,
                    hold: table.hold.clone().filter(|_| action == SweepAction::Keep),
                    due: 0,
                    acted: 0,
                    changes: Vec::new(),
                    batches: 0,
                    failure: None,
                };
                let cutoffs = match rule
                    .map(|rule| cutoff::cutoffs(rule, today, policy.controller.financial_year))
                {
                    Some(Ok(cutoffs)) => cutoffs,
                    Some(Err(e)) => {
                        result.failure = Some(format!("retention rule `{rule_id}`: {e}"));
                        swept.push(result);
                        continue;
                    }
                    None => {
                        result.failure =
                            Some(format!("`{rule_id}` is no retention rule of the policy"));
                        swept.push(result);
                        continue;
                    }
                };
                let due = DueBefore {
                    time_before: cutoffs.time,
                    event_before: cutoffs.event,
                    minimum_before: cutoffs.minimum,
                    maximum_before: cutoffs.maximum,
                    time_zone: policy.controller.time_zone.clone(),
                };
                let options = SweepOptions {
                    batch,
                    dry_run: dry_run || review,
                };
                let auditor = Auditor {
                    audit,
                    system: &system.id,
                    table: &table.name,
                    rule: &rule_id,
                    failed: std::sync::Mutex::new(None),
                };
                let outcome = match system.live().await {
                    Ok(live) => live.sweep(&table.name, &due, options, &auditor).await,
                    Err(failure) => Err(failure),
                };
                if let Some(message) = auditor.failed.lock().ok().and_then(|mut f| f.take()) {
                    return Err(SweepError::Audit {
                        system: system.id.clone(),
                        table: table.name.clone(),
                        message,
                        swept,
                    });
                }
                match outcome {
                    Ok(done) => {
                        result.due = done.due;
                        result.acted = done.acted;
                        result.changes = done.changes;
                        result.batches = done.batches;
                    }
                    Err(failure) => result.failure = Some(failure.to_string()),
                }
                swept.push(result);
            }
        }
        Ok(swept)
    }
}

/// The connector's side of [`RetentionAudit`], for one table.
struct Auditor<'a> {
    audit: &'a dyn RetentionAudit,
    system: &'a str,
    table: &'a str,
    rule: &'a str,
    /// The audit's error, which stops the whole sweep.
    failed: std::sync::Mutex<Option<String>>,
}

#[async_trait]
impl BatchAudit for Auditor<'_> {
    async fn batch(&self, changes: &[TableOutcome]) -> Result<(), String> {
        let batch = SweptBatch {
            system: self.system,
            table: self.table,
            rule: self.rule,
            changes,
        };
        match self.audit.record(batch).await {
            Ok(()) => Ok(()),
            Err(message) => {
                if let Ok(mut failed) = self.failed.lock() {
                    *failed = Some(message.clone());
                }
                Err(message)
            }
        }
    }
}

/// Each table's `retention` against the policy: the rule exists and can be
/// applied to a table, its categories cover what the sweep removes, the
/// event column is there exactly when the rule counts from an event, and
/// a sweep that does other than the table's erasure clears nothing another
/// rule keeps under a law. (The declaration's own checks, such as a
/// `time_column` being given, are `RelationalSystem::validate`'s; the
/// columns' types are checked against the database when the sweep runs.)
pub(super) fn check_table_retention(
    policy: &Policy,
    declared: &RelationalSystem,
) -> Result<(), String> {
    for table in &declared.tables {
        let Some(retention) = &table.retention else {
            continue;
        };
        let fail = |message: String| Err(format!("table `{}`: {message}", table.name));
        let Some(rule_id) = &retention.rule else {
            return fail("`retention` needs `rule`".into());
        };
        let Some(rule) = policy.retention.iter().find(|r| r.id == *rule_id) else {
            let known: Vec<String> = policy
                .retention
                .iter()
                .map(|r| format!("`{}`", r.id))
                .collect();
            return fail(format!(
                "`retention.rule` is `{rule_id}`, which is no retention rule of the policy (its rules: {})",
                known.join(", ")
            ));
        };
        match cutoff::cutoffs(
            rule,
            policy.meta.effective,
            policy.controller.financial_year,
        ) {
            Err(CutoffError::Indefinite) => {
                return fail(format!(
                    "retention rule `{rule_id}` is indefinite: it never ends, so there is nothing to sweep; remove `retention` from the table (its rows stay under the rule's justification)"
                ));
            }
            Err(CutoffError::Unless(event)) => {
                return fail(format!(
                    "retention rule `{rule_id}` stops applying `unless` {} happens first, which a table's dates cannot tell; a table can follow only a rule without `unless`",
                    event_name(event)
                ));
            }
            Ok(_) => {}
        }
        let events = cutoff::events_from_columns(rule);
        match (&retention.event_column, events.is_empty()) {
            (None, false) => {
                let names: Vec<&str> = events.iter().map(|e| event_name(*e)).collect();
                return fail(format!(
                    "retention rule `{rule_id}` counts from {}, so `retention` needs `event_column`: the date or timestamp column holding when it happened (NULL while it has not)",
                    if names.len() == 1 {
                        format!("`{}`", names[0])
                    } else {
                        format!("the first of `{}`", names.join("`, `"))
                    }
                ));
            }
            (Some(column), true) => {
                return fail(format!(
                    "`retention.event_column` is `{column}`, but retention rule `{rule_id}` counts from collection, not from an event; remove `event_column`, or name a rule that counts `after` an event"
                ));
            }
            _ => {}
        }
        let removed = removed_columns(table);
        let uncovered: Vec<(&String, &String)> = removed
            .iter()
            .filter_map(|column| table.columns.get_key_value(*column))
            .filter(|(_, category)| !rule.categories.iter().any(|c| is_within(category, c)))
            .collect();
        if !uncovered.is_empty() {
            let list: Vec<String> = uncovered
                .iter()
                .map(|(column, category)| format!("`{category}` (column `{column}`)"))
                .collect();
            return fail(format!(
                "retention rule `{rule_id}` does not cover {} that the sweep {}; its categories are `{}`: add them to the rule, or declare the table under a rule that covers them",
                list.join(", "),
                if table.retention_erase() == Erase::Anonymise {
                    "clears"
                } else {
                    "deletes"
                },
                rule.categories.join("`, `")
            ));
        }
        // With the table's own `erase`, the erasure check already refused
        // clearing what a law keeps; a sweep that does otherwise clears
        // what only its own rule may keep.
        if retention.erase.is_some_and(|erase| erase != table.erase) {
            for column in removed {
                let Some(category) = table.columns.get(column) else {
                    continue;
                };
                if let Some(other) = kept_by_another_law(policy, rule, category) {
                    return fail(format!(
                        "the sweep under retention rule `{rule_id}` {} column `{column}` ({category}), which retention rule `{}` keeps ({}); declare the table under the rule that keeps it longest",
                        if table.retention_erase() == Erase::Anonymise {
                            "clears"
                        } else {
                            "deletes"
                        },
                        other.id,
                        other
                            .law
                            .clone()
                            .or_else(|| other.erasure_exception.map(|e| e.as_str().to_owned()))
                            .unwrap_or_default()
                    ));
                }
            }
        }
    }
    Ok(())
}

/// The columns of `table` a sweep takes from a due row: every column where
/// it deletes (a row a kept row refers to keeps all but its `anonymise`
/// columns, but the others go with the rows no one refers to), the
/// `anonymise` columns where it clears, and those of a `keep` table, whose
/// rows the rule is about all the same.
fn removed_columns(table: &Table) -> Vec<&String> {
    match table.retention_erase() {
        Erase::Anonymise => table.anonymise.iter().collect(),
        Erase::Delete | Erase::Keep => table.columns.keys().collect(),
    }
}

fn kept_by_another_law<'a>(
    policy: &'a Policy,
    rule: &RetentionRule,
    category: &str,
) -> Option<&'a RetentionRule> {
    policy.retention.iter().find(|other| {
        other.id != rule.id
            && (other.law.is_some() || other.erasure_exception.is_some())
            && other
                .categories
                .iter()
                .any(|kept| is_within(category, kept))
    })
}

fn event_name(event: steward_domain::policy::Event) -> &'static str {
    event.key().trim_start_matches("event.")
}

#[cfg(test)]
mod tests;
