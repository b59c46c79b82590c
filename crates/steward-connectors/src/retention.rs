//! Retention in a connected system: which rows a rule has ended for (as
//! days, computed by the domain's arithmetic, never by the database), what
//! a sweep did, and the audit each changing batch waits for.

use async_trait::async_trait;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;

use crate::relational::{Erase, TableOutcome};

/// The rows a rule has ended for, as cutoff days where the controller is.
/// A row is due when
///
/// ```text
/// ((time < time_before OR event < event_before) AND time < minimum_before)
///     OR time < maximum_before
/// ```
///
/// where a missing `time_before` or `event_before` is never true, a
/// missing `minimum_before` always true, and a missing `maximum_before`
/// never true; a NULL time or event compares as nothing. A time is before a
/// day when it is before that day's first moment in `time_zone`.
#[derive(Debug, Clone, PartialEq)]
pub struct DueBefore {
    pub time_before: Option<Date>,
    pub event_before: Option<Date>,
    pub minimum_before: Option<Date>,
    pub maximum_before: Option<Date>,
    /// The controller's: where a day begins.
    pub time_zone: TimeZone,
}

/// How a sweep runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SweepOptions {
    /// The most rows of the swept table one statement (and one
    /// transaction) acts on.
    pub batch: usize,
    /// Only count the due rows; change nothing.
    pub dry_run: bool,
}

/// What a sweep of one table found and did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Swept {
    /// The rows due when the sweep began (a dry run's answer).
    pub due: u64,
    /// What the sweep does with a due row: the table's `retention.erase`,
    /// or its `erase`.
    pub action: Erase,
    /// For rows kept (`keep`), why.
    pub hold: Option<String>,
    /// The rows of the swept table deleted or cleared.
    pub acted: u64,
    /// Every change, table by table and action by action, summed over the
    /// batches: the swept table's rows and the child rows that went with
    /// them, as an erasure would take them.
    pub changes: Vec<TableOutcome>,
    /// How many batches changed rows (each one audited).
    pub batches: u64,
}

/// Told of every batch that changes rows, before the batch commits: the
/// batch commits only if this succeeds, so no change is left out of the
/// audit log. (If the commit then fails, the log holds a batch that did not
/// happen; the next sweep finds those rows again.) `changes` names tables,
/// actions and counts only, never a row's key or values.
#[async_trait]
pub trait BatchAudit: Send + Sync {
    async fn batch(&self, changes: &[TableOutcome]) -> Result<(), String>;
}

/// Adds `more` into `total`, table and action by table and action.
pub(crate) fn add_changes(total: &mut Vec<TableOutcome>, more: &[TableOutcome]) {
    for change in more {
        match total
            .iter_mut()
            .find(|t| t.table == change.table && t.action == change.action)
        {
            Some(t) => t.rows += change.rows,
            None => total.push(change.clone()),
        }
    }
}
