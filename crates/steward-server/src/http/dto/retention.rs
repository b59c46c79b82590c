//! Retention on the wire: what a sweep would remove, holds, and anonymised
//! data counted in groups.

use serde::{Deserialize, Serialize};
use steward_store::StoredHold;
use utoipa::ToSchema;

use crate::vault::{Statistics, SweepReport};

/// What a sweep removes (in a dry run, would remove) as of a day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SweepView {
    /// The day it is as of, where the controller is: data kept through an
    /// earlier day is due.
    pub today: String,
    pub dry_run: bool,
    pub lines: Vec<SweepLineView>,
    /// Due, but kept under a hold in force.
    pub held: u64,
    /// Found due in the index but no longer due (an event moved their end).
    pub rescheduled: u64,
    pub subjects_shredded: u64,
    /// Connected tables that could not be looked at, and why.
    pub failures: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SweepLineView {
    /// `delete`, `anonymise` or `review`.
    pub action: String,
    /// The retention rule that ended.
    pub rule: String,
    /// The category; for a connected system, the table.
    pub category: String,
    pub purposes: Vec<String>,
    /// `vault`, or a connected system's id.
    pub system: String,
    pub count: u64,
}

impl From<SweepReport> for SweepView {
    fn from(r: SweepReport) -> Self {
        SweepView {
            today: r.today.map(|d| d.to_string()).unwrap_or_default(),
            dry_run: r.dry_run,
            lines: r
                .lines
                .into_iter()
                .map(|l| SweepLineView {
                    action: serde_json::to_value(l.action)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    rule: l.rule,
                    category: l.category,
                    purposes: l.purposes,
                    system: l.system,
                    count: l.count,
                })
                .collect(),
            held: r.held,
            rescheduled: r.rescheduled,
            subjects_shredded: r.subjects_shredded,
            failures: r.failures,
        }
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewHold {
    /// Why: the case, the court, the authority. No personal data.
    pub reason: String,
    /// One record only; omitted: all of the subject's data.
    pub record: Option<String>,
    /// The last day it holds (YYYY-MM-DD); omitted: until released.
    pub until: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HoldView {
    pub id: String,
    pub subject: String,
    pub record: Option<String>,
    pub reason: String,
    pub until: Option<String>,
    pub created_at: String,
    pub released_at: Option<String>,
}

impl From<StoredHold> for HoldView {
    fn from(h: StoredHold) -> Self {
        HoldView {
            id: h.id,
            subject: h.subject_id.to_string(),
            record: h.record_id.map(|r| r.to_string()),
            reason: h.reason,
            until: h.until_day.map(|d| d.to_string()),
            created_at: h.created_at.to_string(),
            released_at: h.released_at.map(|t| t.to_string()),
        }
    }
}

/// Anonymised data counted by the fields asked for; groups smaller than k
/// are left out.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatisticsView {
    pub category: String,
    pub by: Vec<String>,
    pub k: u32,
    pub groups: Vec<GroupView>,
    /// How many groups were left out for holding fewer than k records.
    pub suppressed_groups: u64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupView {
    /// The value of each `by` field, in order.
    #[schema(value_type = Vec<Object>)]
    pub key: Vec<serde_json::Value>,
    pub count: u64,
}

impl From<Statistics> for StatisticsView {
    fn from(s: Statistics) -> Self {
        StatisticsView {
            category: s.category,
            by: s.by,
            k: s.k,
            groups: s
                .groups
                .into_iter()
                .map(|g| GroupView {
                    key: g.key,
                    count: g.count,
                })
                .collect(),
            suppressed_groups: s.suppressed_groups,
        }
    }
}
