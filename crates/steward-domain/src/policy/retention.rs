//! When retention ends: a rule applied to one piece of data, given when it
//! was collected and which events have happened. Pure calendar arithmetic.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::Serialize;

use crate::common::period::Period;
use crate::policy::{Event, Policy, RetentionAction, RetentionPeriod, RetentionRule, is_within};

/// The outcome of a rule for one piece of data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RetentionEnd {
    /// Kept up to and including this day; deleted or anonymised after it.
    Through { date: Date },
    /// Kept with no end date (the rule is indefinite, with its justification).
    Indefinite,
    /// Kept until one of these events happens, which has not happened yet.
    AwaitingEvent { events: Vec<Event> },
    /// The rule no longer applies: its `unless` event happened first, and
    /// another rule governs the data now.
    Superseded { by: Event },
}

/// The events of one subject, each at its latest date.
pub type Events = BTreeMap<Event, Date>;

pub use crate::common::calendar::FinancialYear;

/// Applies `rule` to data collected on `collected`, in the policy's
/// financial year `fy`: "after the financial year's end" counts from the
/// end of the year the data is from, known without any event.
pub fn end(
    rule: &RetentionRule,
    collected: Date,
    events: &Events,
    fy: FinancialYear,
) -> RetentionEnd {
    let RetentionPeriod::Counted {
        period,
        after,
        calendar_year_end,
        minimum,
        maximum,
    } = &rule.period
    else {
        return RetentionEnd::Indefinite;
    };
    let happened = |event: Event| match event {
        Event::Collection => Some(collected),
        Event::FinancialYearEnd => Some(fy.end_after(collected)),
        other => events.get(&other).copied(),
    };
    let plus = |date: Date, p: &Period| p.after(date).unwrap_or(date);
    let latest = maximum.as_ref().map(|max| plus(collected, max));
    let earliest = minimum.as_ref().map(|min| plus(collected, min));

    // The period counts from the earliest of the `after` events that happened.
    let start = after.iter().filter_map(|e| happened(*e)).min();
    let end = match start {
        Some(start) => {
            let start = if *calendar_year_end {
                last_day_of_year(start)
            } else {
                start
            };
            let mut end = plus(start, period);
            if let Some(earliest) = earliest {
                end = end.max(earliest);
            }
            if let Some(latest) = latest {
                end = end.min(latest);
            }
            end
        }
        // Not happened yet: only an upper bound can end it.
        None => match latest {
            Some(latest) => latest,
            None => {
                return RetentionEnd::AwaitingEvent {
                    events: after.clone(),
                };
            }
        },
    };
    if let Some(unless) = rule.unless
        && happened(unless).is_some_and(|at| at <= end)
    {
        return RetentionEnd::Superseded { by: unless };
    }
    RetentionEnd::Through { date: end }
}

/// The last day every rule that keeps `category` for `purpose` keeps it,
/// with the rule that ends last. `None` while it is kept with no known end:
/// a rule still awaiting its event, an indefinite rule, no rule naming the
/// purpose (not decided here), or only rules superseded by their `unless`
/// event (another rule governs the data now).
pub fn purpose_end<'a>(
    policy: &'a Policy,
    category: &str,
    purpose: &str,
    collected: Date,
    events: &Events,
) -> Option<(&'a RetentionRule, Date)> {
    let mut last: Option<(&RetentionRule, Date)> = None;
    for rule in policy.retention.iter().filter(|rule| {
        rule.purposes.iter().any(|p| p == purpose)
            && rule.categories.iter().any(|c| is_within(category, c))
    }) {
        match end(rule, collected, events, policy.controller.financial_year) {
            RetentionEnd::Through { date } => {
                if last.is_none_or(|(_, kept)| date > kept) {
                    last = Some((rule, date));
                }
            }
            RetentionEnd::Superseded { .. } => {}
            RetentionEnd::Indefinite | RetentionEnd::AwaitingEvent { .. } => return None,
        }
    }
    last
}

/// Whether every rule that keeps `category` for `purpose` has ended by
/// `today` (kept through a day before it): the one that ended last, if so.
pub fn expired_for<'a>(
    policy: &'a Policy,
    category: &str,
    purpose: &str,
    collected: Date,
    events: &Events,
    today: Date,
) -> Option<&'a RetentionRule> {
    purpose_end(policy, category, purpose, collected, events)
        .filter(|(_, date)| *date < today)
        .map(|(rule, _)| rule)
}

/// When a record's retention ends for every purpose it is kept for: what
/// the sweep waits for, and the rule that decides what happens then.
#[derive(Debug, Clone, Copy)]
pub struct Due<'a> {
    /// Kept up to and including this day; due the day after.
    pub last_day: Date,
    /// The rule that ends last; its `action` is carried out.
    pub rule: &'a RetentionRule,
}

impl Due<'_> {
    pub fn action(&self) -> RetentionAction {
        self.rule.action
    }
}

/// The end of a record of `category` collected on `collected`, kept for
/// `purposes` (the purposes it was collected for, or the few an erasure
/// kept it for): the latest of its purposes' ends. `None` while any of them
/// keeps it without a known end; computed again when an event arrives.
pub fn due<'a>(
    policy: &'a Policy,
    category: &str,
    purposes: &[String],
    collected: Date,
    events: &Events,
) -> Option<Due<'a>> {
    let mut last: Option<Due<'a>> = None;
    for purpose in purposes {
        let (rule, date) = purpose_end(policy, category, purpose, collected, events)?;
        // On a tie, anonymising keeps the statistics a deletion would lose.
        let later = last.is_none_or(|d| {
            date > d.last_day || (date == d.last_day && rule.action == RetentionAction::Anonymise)
        });
        if later {
            last = Some(Due {
                last_day: date,
                rule,
            });
        }
    }
    last
}

/// A legal or litigation hold: suspends the sweep for a subject's data (or
/// one record of it) while in force. It does not make the data usable:
/// a read for a purpose whose period has ended is still refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hold {
    pub reason: String,
    /// The last day it holds; `None` until released.
    pub until: Option<Date>,
    pub released: bool,
}

impl Hold {
    /// Whether it still suspends deletion on `today`.
    pub fn in_force(&self, today: Date) -> bool {
        !self.released && self.until.is_none_or(|until| until >= today)
    }
}

fn last_day_of_year(date: Date) -> Date {
    Date::new(date.year(), 12, 31).unwrap_or(date)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    /// A policy of one purpose `p`, one category `data` and one rule `r`.
    pub(super) fn policy(toml: &str) -> Policy {
        let source = format!(
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
        );
        let report = crate::check(&source);
        report
            .policy
            .unwrap_or_else(|| panic!("{:?}", report.diagnostics))
    }

    /// Connectel's rules, written as the policy writes them.
    pub(super) fn rule(toml: &str) -> RetentionRule {
        policy(toml).retention.into_iter().next().expect("one rule")
    }

    fn events(list: &[(Event, Date)]) -> Events {
        list.iter().copied().collect()
    }

    #[test]
    fn a_fixed_period_counts_from_collection() {
        let r = rule("period = \"30 days\"");
        assert_eq!(
            end(
                &r,
                date(2025, 1, 31),
                &Events::new(),
                FinancialYear::default()
            ),
            RetentionEnd::Through {
                date: date(2025, 3, 2)
            }
        );
        let month = rule("period = \"1 month\"");
        assert_eq!(
            end(
                &month,
                date(2025, 1, 31),
                &Events::new(),
                FinancialYear::default()
            ),
            RetentionEnd::Through {
                date: date(2025, 2, 28)
            }
        );
    }

    #[test]
    fn agreements_are_kept_120_months_after_they_end() {
        let r = rule("period = \"120 months\"\nafter = \"contract_end\"");
        let collected = date(2019, 5, 1);
        assert_eq!(
            end(&r, collected, &Events::new(), FinancialYear::default()),
            RetentionEnd::AwaitingEvent {
                events: vec![Event::ContractEnd]
            }
        );
        let ended = events(&[(Event::ContractEnd, date(2020, 6, 30))]);
        assert_eq!(
            end(&r, collected, &ended, FinancialYear::default()),
            RetentionEnd::Through {
                date: date(2030, 6, 30)
            }
        );
    }

    #[test]
    fn contact_data_goes_when_the_relationship_ends_or_the_contact_person_changes() {
        let r =
            rule("period = \"0 days\"\nafter = [\"relationship_end\", \"contact_person_changed\"]");
        let changed = events(&[(Event::ContactPersonChanged, date(2025, 3, 1))]);
        assert_eq!(
            end(&r, date(2024, 1, 1), &changed, FinancialYear::default()),
            RetentionEnd::Through {
                date: date(2025, 3, 1)
            }
        );
        let both = events(&[
            (Event::ContactPersonChanged, date(2025, 3, 1)),
            (Event::RelationshipEnd, date(2024, 12, 31)),
        ]);
        assert_eq!(
            end(&r, date(2024, 1, 1), &both, FinancialYear::default()),
            RetentionEnd::Through {
                date: date(2024, 12, 31)
            },
            "the earlier one"
        );
    }

    #[test]
    fn traffic_data_until_paid_but_at_least_6_and_at_most_24_months() {
        let r = rule(
            "period = \"0 days\"\nafter = \"invoice_paid\"\nminimum = \"6 months\"\nmaximum = \"24 months\"",
        );
        let collected = date(2025, 1, 5);
        let paid_early = events(&[(Event::InvoicePaid, date(2025, 2, 10))]);
        assert_eq!(
            end(&r, collected, &paid_early, FinancialYear::default()),
            RetentionEnd::Through {
                date: date(2025, 7, 5)
            },
            "the minimum"
        );
        let paid_late = events(&[(Event::InvoicePaid, date(2025, 11, 20))]);
        assert_eq!(
            end(&r, collected, &paid_late, FinancialYear::default()),
            RetentionEnd::Through {
                date: date(2025, 11, 20)
            }
        );
        assert_eq!(
            end(&r, collected, &Events::new(), FinancialYear::default()),
            RetentionEnd::Through {
                date: date(2027, 1, 5)
            },
            "unpaid: the maximum"
        );
    }

    #[test]
    fn bookkeeping_is_kept_to_the_end_of_the_seventh_year_after_the_financial_year() {
        let r =
            rule("period = \"7 years\"\nafter = \"financial_year_end\"\ncalendar_year_end = true");
        // Known from the record's date, no event needed: the calendar year.
        assert_eq!(
            end(
                &r,
                date(2024, 3, 15),
                &Events::new(),
                FinancialYear::default()
            ),
            RetentionEnd::Through {
                date: date(2031, 12, 31)
            }
        );
        // A broken financial year ending in June: September 2024 is in the
        // year that ends in June 2025, which belongs to calendar year 2025.
        let june = FinancialYear { month: 6, day: 30 };
        assert_eq!(june.end_after(date(2024, 9, 1)), date(2025, 6, 30));
        assert_eq!(june.end_after(date(2025, 6, 30)), date(2025, 6, 30));
        assert_eq!(
            end(&r, date(2024, 9, 1), &Events::new(), june),
            RetentionEnd::Through {
                date: date(2032, 12, 31)
            }
        );
    }

    #[test]
    fn leads_are_kept_13_months_unless_a_relationship_forms_first() {
        let r = rule("period = \"13 months\"\nunless = \"relationship_start\"");
        let collected = date(2025, 1, 10);
        assert_eq!(
            end(&r, collected, &Events::new(), FinancialYear::default()),
            RetentionEnd::Through {
                date: date(2026, 2, 10)
            }
        );
        let customer = events(&[(Event::RelationshipStart, date(2025, 5, 1))]);
        assert_eq!(
            end(&r, collected, &customer, FinancialYear::default()),
            RetentionEnd::Superseded {
                by: Event::RelationshipStart
            }
        );
        let too_late = events(&[(Event::RelationshipStart, date(2026, 3, 1))]);
        assert_eq!(
            end(&r, collected, &too_late, FinancialYear::default()),
            RetentionEnd::Through {
                date: date(2026, 2, 10)
            }
        );
    }

    #[test]
    fn indefinite_rules_have_no_end() {
        let r =
            rule("indefinite = true\njustification = { en = \"Until the dispute is settled.\" }");
        assert_eq!(
            end(
                &r,
                date(2025, 1, 1),
                &Events::new(),
                FinancialYear::default()
            ),
            RetentionEnd::Indefinite
        );
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::common::period::Unit;
    use jiff::ToSpan;
    use jiff::civil::date;
    use proptest::prelude::*;

    const KINDS: [Event; 4] = [
        Event::Collection,
        Event::InvoicePaid,
        Event::ContractEnd,
        Event::RelationshipEnd,
    ];

    fn day(offset: i64) -> Date {
        date(2020, 1, 1)
            .checked_add(offset.days())
            .expect("in range")
    }

    fn unit(ix: u8) -> Unit {
        [Unit::Day, Unit::Week, Unit::Month, Unit::Year][usize::from(ix % 4)]
    }

    /// A counted rule with a random period, events, and a minimum no
    /// longer than its maximum (the validator refuses the other way round).
    fn counted() -> impl Strategy<Value = RetentionPeriod> {
        (
            0u32..40,
            0u8..4,
            proptest::sample::subsequence(KINDS.to_vec(), 1..=3),
            any::<bool>(),
            proptest::option::of(0u32..30),
            proptest::option::of(0u32..40),
        )
            .prop_map(|(amount, u, after, calendar_year_end, min, extra)| {
                let minimum = min.map(|m| Period::new(m, Unit::Month));
                let maximum = extra.map(|e| Period::new(min.unwrap_or(0) + e, Unit::Month));
                RetentionPeriod::Counted {
                    period: Period::new(amount, unit(u)),
                    after,
                    calendar_year_end,
                    minimum,
                    maximum,
                }
            })
    }

    fn base() -> RetentionRule {
        super::tests::rule("period = \"1 day\"")
    }

    proptest! {
        /// Whatever happens and in whatever order the events arrive, a
        /// record is never due before its minimum nor kept past its maximum.
        #[test]
        fn no_record_leaves_before_its_minimum_or_stays_past_its_maximum(
            period in counted(),
            collected in 0i64..3650,
            happened in proptest::collection::vec((0usize..4, 0i64..4000), 0..8),
        ) {
            let mut rule = base();
            rule.period = period.clone();
            let RetentionPeriod::Counted { minimum, maximum, .. } = period else { unreachable!() };
            let collected = day(collected);
            // Events as the vault keeps them: each kind at its latest day,
            // folded in arrival order and in the reverse order.
            let fold = |list: &mut dyn Iterator<Item = &(usize, i64)>| {
                let mut events = Events::new();
                for (kind, offset) in list {
                    let at = day(*offset);
                    let latest = events.entry(KINDS[*kind]).or_insert(at);
                    *latest = (*latest).max(at);
                }
                events
            };
            let forward = fold(&mut happened.iter());
            let backward = fold(&mut happened.iter().rev());
            let fy = FinancialYear::default();
            let outcome = end(&rule, collected, &forward, fy);
            prop_assert_eq!(&outcome, &end(&rule, collected, &backward, fy));
            match outcome {
                RetentionEnd::Through { date } => {
                    if let Some(min) = minimum {
                        prop_assert!(date >= min.after(collected).unwrap(), "before the minimum: {date}");
                    }
                    if let Some(max) = maximum {
                        prop_assert!(date <= max.after(collected).unwrap(), "past the maximum: {date}");
                    }
                }
                RetentionEnd::AwaitingEvent { .. } => {
                    prop_assert!(maximum.is_none(), "a maximum always gives an end");
                }
                other => prop_assert!(false, "a counted rule gave {other:?}"),
            }
        }

        /// The read and the sweep agree: a record is refused for a purpose
        /// exactly from the day after the sweep's last day.
        #[test]
        fn the_read_refuses_from_the_day_the_sweep_is_due(
            period in counted(),
            collected in 0i64..3650,
            paid in proptest::option::of(0i64..4000),
            today in 0i64..6000,
        ) {
            let mut policy = super::tests::policy("period = \"1 day\"");
            policy.retention[0].period = period;
            let events: Events = paid.map(|p| (Event::InvoicePaid, day(p))).into_iter().collect();
            let (collected, today) = (day(collected), day(today));
            let due = due(&policy, "data", &["p".to_owned()], collected, &events);
            let refused = expired_for(&policy, "data", "p", collected, &events, today).is_some();
            prop_assert_eq!(refused, due.is_some_and(|d| d.last_day < today));
        }
    }
}
