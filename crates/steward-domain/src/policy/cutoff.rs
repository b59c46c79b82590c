//! A retention rule as cutoff days, for data that sits in a table of a
//! connected database rather than in the vault: instead of computing each
//! row's end ([`retention::end`](crate::policy::retention::end)), the sweep
//! asks the database for the rows whose dates fall before these days.
//!
//! A row has a time (when it was collected) and, for a rule that counts
//! from an event, the day that event happened (none while it has not). Its
//! end is `period` after the earliest of the rule's `after` events, moved
//! to the year's end first if `calendar_year_end`, kept at least `minimum`
//! and at most `maximum` after collection. Each of these steps only ever
//! moves a later date to a later (or the same) end, so "the end is before
//! today" turns into "the date is before a cutoff": the first day whose end
//! is today or later. Month arithmetic is monotone but not invertible (31
//! January and 28 February both end on 28 February a month on), so the
//! cutoff is found by search, never by subtracting the period from today:
//!
//! ```text
//! due  ⇔  ((time < time_cutoff  OR  event < event_cutoff)  AND  time < minimum)
//!         OR  time < maximum
//! ```
//!
//! with a missing cutoff read as "never" in the first line and a missing
//! `minimum` as "always". [`Cutoffs::due`] is that condition; the property
//! test shows it agrees with `retention::end` for any dates.

use jiff::Span;
use jiff::civil::Date;
use serde::Serialize;

use crate::common::calendar::FinancialYear;
use crate::common::period::Period;
use crate::policy::{Event, RetentionPeriod, RetentionRule};

/// The days a row's dates are compared with: a row is due when its dates
/// fall before them (see [`Cutoffs::due`]). Each is the first day that is
/// not yet due by that part of the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Cutoffs {
    /// The period has run from the row's own time (the rule counts from
    /// collection, or from the end of the row's financial year) when the
    /// time is before this day.
    pub time: Option<Date>,
    /// The period has run from the event (the earliest of the rule's
    /// events other than collection and the financial year's end) when the
    /// event's day is before this day.
    pub event: Option<Date>,
    /// The rule's `minimum` has passed when the time is before this day.
    pub minimum: Option<Date>,
    /// The rule's `maximum` has passed, whatever the events, when the time
    /// is before this day.
    pub maximum: Option<Date>,
}

/// A rule whose end a table's dates cannot tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CutoffError {
    /// Kept with no end date: nothing is ever due.
    #[error("the rule is indefinite: it has no end to sweep at")]
    Indefinite,
    /// The rule stops applying when this event comes first, and another
    /// rule takes over: which one applies to a row is not in its dates.
    #[error("the rule stops applying `unless` {} happens first", .0.key().trim_start_matches("event."))]
    Unless(Event),
}

impl Cutoffs {
    /// Whether a row collected on `time`, whose event (if the rule counts
    /// from one) happened on `event`, is past its end on the day the
    /// cutoffs were computed for.
    pub fn due(&self, time: Date, event: Option<Date>) -> bool {
        let before = |cutoff: Option<Date>, day: Option<Date>| matches!((cutoff, day), (Some(cutoff), Some(day)) if day < cutoff);
        let period_run = before(self.time, Some(time)) || before(self.event, event);
        let minimum_passed = self.minimum.is_none_or(|minimum| time < minimum);
        (period_run && minimum_passed) || before(self.maximum, Some(time))
    }
}

/// The events of `rule` that a row's time cannot give, so a table needs a
/// column holding when they happened: every `after` event but collection
/// and the financial year's end (known from the row's time).
pub fn events_from_columns(rule: &RetentionRule) -> Vec<Event> {
    match &rule.period {
        RetentionPeriod::Counted { after, .. } => after
            .iter()
            .copied()
            .filter(|e| !counts_from_time(*e))
            .collect(),
        RetentionPeriod::Indefinite => Vec::new(),
    }
}

fn counts_from_time(event: Event) -> bool {
    matches!(event, Event::Collection | Event::FinancialYearEnd)
}

/// The cutoffs of `rule` on `today`, in the financial year `fy`: the same
/// arithmetic as [`retention::end`](crate::policy::retention::end), turned
/// around.
pub fn cutoffs(
    rule: &RetentionRule,
    today: Date,
    fy: FinancialYear,
) -> Result<Cutoffs, CutoffError> {
    let RetentionPeriod::Counted {
        period,
        after,
        calendar_year_end,
        minimum,
        maximum,
    } = &rule.period
    else {
        return Err(CutoffError::Indefinite);
    };
    if let Some(unless) = rule.unless {
        return Err(CutoffError::Unless(unless));
    }
    // The end counted from a start day, as `retention::end` counts it.
    let from_start = |start: Date| {
        let start = if *calendar_year_end {
            Date::new(start.year(), 12, 31).unwrap_or(start)
        } else {
            start
        };
        plus(start, period)
    };
    // From the row's own time: the earliest of the ends its time gives.
    let from_time: Vec<Event> = after
        .iter()
        .copied()
        .filter(|e| counts_from_time(*e))
        .collect();
    let time = (!from_time.is_empty()).then(|| {
        first_not_before(today, |time| {
            from_time
                .iter()
                .map(|event| match event {
                    Event::FinancialYearEnd => from_start(fy.end_after(time)),
                    _ => from_start(time),
                })
                .min()
                .unwrap_or(time)
        })
    });
    let event = after
        .iter()
        .any(|e| !counts_from_time(*e))
        .then(|| first_not_before(today, from_start));
    let window = |p: &Option<Period>| {
        p.as_ref()
            .map(|p| first_not_before(today, |time| plus(time, p)))
    };
    Ok(Cutoffs {
        time,
        event,
        minimum: window(minimum),
        maximum: window(maximum),
    })
}

/// `p` after `date`, as `retention::end` adds it.
fn plus(date: Date, p: &Period) -> Date {
    p.after(date).unwrap_or(date)
}

/// The first day `d` with `end(d) >= today`, for an `end` that never goes
/// back (`d <= e` gives `end(d) <= end(e)`) and never ends before its start
/// (`end(d) >= d`), so the answer is at most `today`. Found by stepping
/// back in doubling steps until a day ends before today, then by halving.
fn first_not_before(today: Date, end: impl Fn(Date) -> Date) -> Date {
    // Invariant: end(reached) >= today, end(short) < today.
    let mut reached = today;
    let mut step: i64 = 32;
    let mut short = loop {
        let candidate = shift(reached, -step).unwrap_or(Date::MIN);
        if end(candidate) < today {
            break candidate;
        }
        if candidate == Date::MIN {
            // Every day there is ends today or later.
            return Date::MIN;
        }
        reached = candidate;
        step = step.saturating_mul(2).min(1_000_000);
    };
    loop {
        let gap = days_between(short, reached);
        if gap <= 1 {
            return reached;
        }
        let Some(middle) = shift(short, gap / 2) else {
            return reached;
        };
        if end(middle) < today {
            short = middle;
        } else {
            reached = middle;
        }
    }
}

fn shift(date: Date, days: i64) -> Option<Date> {
    date.checked_add(Span::new().try_days(days).ok()?).ok()
}

fn days_between(earlier: Date, later: Date) -> i64 {
    later
        .since(earlier)
        .map(|span| i64::from(span.get_days()))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::retention::{self, Events, RetentionEnd};
    use jiff::civil::date;
    use proptest::prelude::*;

    fn rule(toml: &str) -> RetentionRule {
        let source = rule_source(toml);
        let report = crate::check(&source);
        let policy = report
            .policy
            .unwrap_or_else(|| panic!("{:?}", report.diagnostics));
        policy.retention.into_iter().next().expect("one rule")
    }

    fn at(rule: &RetentionRule, today: Date) -> Cutoffs {
        cutoffs(rule, today, FinancialYear::default()).expect("a counted rule")
    }

    #[test]
    fn a_period_from_collection_is_a_cutoff_on_the_time() {
        let r = rule("period = \"30 days\"");
        let c = at(&r, date(2025, 3, 3));
        // Collected 31 January: kept through 2 March, due on 3 March.
        assert_eq!(c.time, Some(date(2025, 2, 1)));
        assert!(c.due(date(2025, 1, 31), None));
        assert!(!c.due(date(2025, 2, 1), None));
        assert_eq!((c.event, c.minimum, c.maximum), (None, None, None));
    }

    #[test]
    fn month_ends_collapse_so_the_cutoff_is_the_first_day_that_reaches_today() {
        let r = rule("period = \"1 month\"");
        // 28, 29, 30 and 31 January all end on 28 February 2025.
        assert_eq!(at(&r, date(2025, 2, 28)).time, Some(date(2025, 1, 28)));
        // On 1 March every January day is due, 1 February is not.
        assert_eq!(at(&r, date(2025, 3, 1)).time, Some(date(2025, 2, 1)));
        // On 28 February 2025 a row of 28 January is kept through today.
        assert!(!at(&r, date(2025, 2, 28)).due(date(2025, 1, 31), None));
        assert!(at(&r, date(2025, 2, 28)).due(date(2025, 1, 27), None));
    }

    #[test]
    fn leap_days_count_as_the_calendar_does() {
        let year = rule("period = \"1 year\"");
        // 29 February 2024 + 1 year = 28 February 2025, as for 28 February.
        assert_eq!(at(&year, date(2025, 3, 1)).time, Some(date(2024, 3, 1)));
        assert_eq!(at(&year, date(2025, 2, 28)).time, Some(date(2024, 2, 28)));
        let month = rule("period = \"1 month\"");
        // 29, 30 and 31 January 2024 end on 29 February 2024.
        assert_eq!(at(&month, date(2024, 2, 29)).time, Some(date(2024, 1, 29)));
        assert_eq!(at(&month, date(2024, 3, 1)).time, Some(date(2024, 2, 1)));
    }

    #[test]
    fn bookkeeping_counts_from_the_years_end() {
        let r =
            rule("period = \"7 years\"\nafter = \"financial_year_end\"\ncalendar_year_end = true");
        // Anything from 2024 is kept through 31 December 2031.
        let c = at(&r, date(2032, 1, 1));
        assert_eq!(c.time, Some(date(2025, 1, 1)));
        assert!(c.due(date(2024, 12, 31), None));
        assert!(!at(&r, date(2031, 12, 31)).due(date(2024, 1, 1), None));
        assert_eq!(c.event, None, "no column needed for the year's end");
        assert!(events_from_columns(&r).is_empty());
    }

    #[test]
    fn a_period_after_an_event_waits_for_it() {
        let r = rule("period = \"120 months\"\nafter = \"contract_end\"");
        let c = at(&r, date(2030, 7, 1));
        assert_eq!(c.time, None);
        assert_eq!(c.event, Some(date(2020, 7, 1)));
        assert!(!c.due(date(2019, 5, 1), None), "not ended yet");
        assert!(c.due(date(2019, 5, 1), Some(date(2020, 6, 30))));
        assert!(!c.due(date(2019, 5, 1), Some(date(2020, 7, 1))));
        assert_eq!(events_from_columns(&r), [Event::ContractEnd]);
    }

    #[test]
    fn minimum_and_maximum_windows_bound_the_event() {
        let r = rule(
            "period = \"0 days\"\nafter = \"invoice_paid\"\nminimum = \"6 months\"\nmaximum = \"24 months\"",
        );
        let c = at(&r, date(2025, 7, 6));
        assert_eq!(c.minimum, Some(date(2025, 1, 6)));
        assert_eq!(c.maximum, Some(date(2023, 7, 6)));
        // Paid early: kept through the minimum, 5 July.
        assert!(c.due(date(2025, 1, 5), Some(date(2025, 2, 10))));
        assert!(!c.due(date(2025, 1, 6), Some(date(2025, 2, 10))));
        // Unpaid: only the maximum ends it.
        assert!(!c.due(date(2025, 1, 5), None));
        assert!(c.due(date(2023, 7, 5), None));
    }

    #[test]
    fn rules_a_table_cannot_apply_are_named() {
        let indefinite =
            rule("indefinite = true\njustification = { en = \"Until the dispute is settled.\" }");
        assert_eq!(
            cutoffs(&indefinite, date(2025, 1, 1), FinancialYear::default()),
            Err(CutoffError::Indefinite)
        );
        let leads = rule("period = \"13 months\"\nunless = \"relationship_start\"");
        let error = cutoffs(&leads, date(2025, 1, 1), FinancialYear::default()).unwrap_err();
        assert_eq!(error, CutoffError::Unless(Event::RelationshipStart));
        assert_eq!(
            error.to_string(),
            "the rule stops applying `unless` relationship_start happens first"
        );
    }

    fn period() -> impl Strategy<Value = String> {
        (
            0u32..40,
            prop::sample::select(vec!["hours", "days", "weeks", "months", "years"]),
        )
            .prop_map(|(n, unit)| format!("{n} {unit}"))
    }

    fn day() -> impl Strategy<Value = Date> {
        // 1990 to about 2070, every day of it.
        (0i64..29_000).prop_map(|n| shift(date(1990, 1, 1), n).expect("in range"))
    }

    prop_compose! {
        /// A counted rule as a policy could write it, without `unless`.
        fn counted()(
            period in period(),
            after in prop::sample::subsequence(
                vec!["collection", "financial_year_end", "contract_end", "invoice_paid"], 0..=3),
            calendar_year_end: bool,
            minimum in prop::option::of(period()),
            maximum in prop::option::of(period()),
        ) -> String {
            let mut toml = format!("period = \"{period}\"\n");
            if !after.is_empty() {
                let list: Vec<String> = after.iter().map(|e| format!("\"{e}\"")).collect();
                toml += &format!("after = [{}]\n", list.join(", "));
            }
            if calendar_year_end {
                toml += "calendar_year_end = true\n";
            }
            if let Some(minimum) = minimum {
                toml += &format!("minimum = \"{minimum}\"\n");
            }
            if let Some(maximum) = maximum {
                toml += &format!("maximum = \"{maximum}\"\n");
            }
            toml
        }
    }

    fn financial_year() -> impl Strategy<Value = FinancialYear> {
        prop::sample::select(vec![
            FinancialYear::default(),
            FinancialYear { month: 6, day: 30 },
            FinancialYear { month: 2, day: 29 },
            FinancialYear { month: 8, day: 31 },
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        /// For any rule, financial year, row and day, the cutoffs call a row
        /// due exactly when `retention::end` says it ended before today.
        #[test]
        fn due_by_the_cutoffs_is_ended_by_the_rule(
            toml in counted(),
            fy in financial_year(),
            time in day(),
            event in prop::option::of(day()),
            today in day(),
        ) {
            let report = crate::check(&rule_source(&toml));
            // A few combinations are refused (0 days from collection alone).
            let valid = report.errors() == 0;
            let Some(policy) = report.policy.filter(|_| valid) else {
                return Ok(());
            };
            let rule = &policy.retention[0];
            let events: Events = events_from_columns(rule)
                .into_iter()
                .filter_map(|e| event.map(|day| (e, day)))
                .collect();
            let ended = matches!(
                retention::end(rule, time, &events, fy),
                RetentionEnd::Through { date } if date < today
            );
            let c = cutoffs(rule, today, fy).expect("counted, no unless");
            prop_assert_eq!(c.due(time, event), ended, "{} {:?}", toml, c);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1_000))]

        /// At the boundary: a row is kept on the last day `retention::end`
        /// gives and due the day after, never a day early or late.
        #[test]
        fn due_the_day_after_the_last_day_kept(
            toml in counted(),
            fy in financial_year(),
            time in day(),
            event in prop::option::of(day()),
        ) {
            let report = crate::check(&rule_source(&toml));
            let valid = report.errors() == 0;
            let Some(policy) = report.policy.filter(|_| valid) else {
                return Ok(());
            };
            let rule = &policy.retention[0];
            let events: Events = events_from_columns(rule)
                .into_iter()
                .filter_map(|e| event.map(|day| (e, day)))
                .collect();
            let RetentionEnd::Through { date: last } = retention::end(rule, time, &events, fy)
            else {
                return Ok(());
            };
            let on = |today: Date| cutoffs(rule, today, fy).expect("counted").due(time, event);
            prop_assert!(!on(last), "{} kept through {}", toml, last);
            prop_assert!(on(shift(last, 1).expect("in range")), "{} due after {}", toml, last);
        }
    }

    fn rule_source(toml: &str) -> String {
        format!(
            r#"
[policy]
id = "t"
version = "1"
effective = 2025-01-01
languages = ["en"]
[controller]
name = "T"
address = "A"
email = "p@t.se"
[[subject_type]]
id = "customer"
name = {{ en = "Customers" }}
[[category]]
id = "data"
name = {{ en = "Data" }}
[[purpose]]
id = "p"
name = {{ en = "P" }}
description = {{ en = "D" }}
legal_basis = "legal_obligation"
law = "Law"
categories = ["data"]
subjects = ["customer"]
[[retention]]
id = "r"
categories = ["data"]
purposes = ["p"]
{toml}
"#
        )
    }
}
