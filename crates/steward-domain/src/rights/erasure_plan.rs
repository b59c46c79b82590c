//! Which of a subject's data an erasure request removes, and which it must
//! keep under Art. 17(3), with the reason, the law and until when.

use jiff::civil::Date;
use serde::Serialize;

use crate::policy::retention::{self, Events, RetentionEnd};
use crate::policy::{ErasureException, Policy};

/// A piece of data as the erasure plan sees it.
#[derive(Debug, Clone, Copy)]
pub struct Held<'a> {
    pub id: &'a str,
    pub category: &'a str,
    pub purposes: &'a [String],
    pub collected: Date,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ErasureOutcome {
    Erase,
    Keep {
        exception: ErasureException,
        /// The retention rule that keeps it.
        rule: String,
        law: Option<String>,
        until: RetentionEnd,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedRecord {
    pub id: String,
    pub category: String,
    #[serde(flatten)]
    pub outcome: ErasureOutcome,
}

/// The plan for `held` on `today`: a record is kept only while a retention
/// rule with an erasure exception governs it, for a purpose it was collected
/// for; everything else is erased.
pub fn plan(
    policy: &Policy,
    held: &[Held<'_>],
    events: &Events,
    today: Date,
) -> Vec<PlannedRecord> {
    held.iter()
        .map(|record| {
            let keep = record
                .purposes
                .iter()
                .flat_map(|purpose| policy.retention_for(record.category, purpose))
                .filter_map(|rule| {
                    let exception = rule.erasure_exception?;
                    let until = retention::end(rule, record.collected, events);
                    let still_kept = match &until {
                        RetentionEnd::Through { date } => *date >= today,
                        RetentionEnd::Indefinite | RetentionEnd::AwaitingEvent { .. } => true,
                        RetentionEnd::Superseded { .. } => false,
                    };
                    still_kept.then(|| ErasureOutcome::Keep {
                        exception,
                        rule: rule.id.clone(),
                        law: rule.law.clone(),
                        until,
                    })
                })
                // Where several rules keep it, the longest wins.
                .max_by_key(|outcome| match outcome {
                    ErasureOutcome::Keep {
                        until: RetentionEnd::Through { date },
                        ..
                    } => (1, Some(*date)),
                    ErasureOutcome::Keep { .. } => (2, None),
                    ErasureOutcome::Erase => (0, None),
                });
            PlannedRecord {
                id: record.id.to_owned(),
                category: record.category.to_owned(),
                outcome: keep.unwrap_or(ErasureOutcome::Erase),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Event;
    use jiff::civil::date;

    const POLICY: &str = r#"
[policy]
id = "shop"
version = "1"
effective = 2025-01-01
languages = ["en"]
[controller]
name = "Shop AB"
address = "Stockholm"
email = "p@shop.se"
[[subject_type]]
id = "customer"
name = { en = "Customers" }
[[category]]
id = "contact"
name = { en = "Contact" }
[[category]]
id = "contact.email"
name = { en = "E-mail" }
[[category]]
id = "invoice"
name = { en = "Invoices" }
[[purpose]]
id = "orders"
name = { en = "Orders" }
description = { en = "d" }
legal_basis = "contract"
categories = ["contact", "invoice"]
subjects = ["customer"]
[[purpose]]
id = "bookkeeping"
name = { en = "Bookkeeping" }
description = { en = "d" }
legal_basis = "legal_obligation"
law = "Bokföringslagen (1999:1078)"
categories = ["invoice"]
subjects = ["customer"]
[[purpose]]
id = "disputes"
name = { en = "Disputes" }
description = { en = "d" }
legal_basis = "legitimate_interests"
legitimate_interest = { en = "To defend legal claims." }
categories = ["contact.email"]
subjects = ["customer"]
[[retention]]
id = "order_data"
categories = ["contact", "invoice"]
purposes = ["orders"]
period = "0 days"
after = "relationship_end"
[[retention]]
id = "bookkeeping"
categories = ["invoice"]
purposes = ["bookkeeping"]
period = "7 years"
after = "financial_year_end"
calendar_year_end = true
law = "Bokföringslagen (1999:1078) 7 kap. 2 §"
[[retention]]
id = "open_dispute"
categories = ["contact.email"]
purposes = ["disputes"]
indefinite = true
justification = { en = "Until the dispute is settled." }
erasure_exception = "legal_claims"
"#;

    fn purposes(list: &[&str]) -> Vec<String> {
        list.iter().map(|p| (*p).to_owned()).collect()
    }

    #[test]
    fn bookkeeping_is_kept_until_the_law_allows_and_the_rest_is_erased() {
        let policy = crate::check(POLICY).policy.expect("valid");
        let (orders, both) = (purposes(&["orders"]), purposes(&["orders", "bookkeeping"]));
        let held = [
            Held {
                id: "r1",
                category: "contact.email",
                purposes: &orders,
                collected: date(2024, 2, 1),
            },
            Held {
                id: "r2",
                category: "invoice",
                purposes: &both,
                collected: date(2024, 2, 1),
            },
            Held {
                id: "r3",
                category: "invoice",
                purposes: &orders,
                collected: date(2024, 2, 1),
            },
        ];
        let events: Events = [(Event::FinancialYearEnd, date(2024, 12, 31))]
            .into_iter()
            .collect();
        let plan = plan(&policy, &held, &events, date(2026, 11, 22));
        assert_eq!(plan[0].outcome, ErasureOutcome::Erase);
        assert_eq!(
            plan[1].outcome,
            ErasureOutcome::Keep {
                exception: ErasureException::LegalObligation,
                rule: "bookkeeping".into(),
                law: Some("Bokföringslagen (1999:1078) 7 kap. 2 §".into()),
                until: RetentionEnd::Through {
                    date: date(2031, 12, 31)
                },
            }
        );
        assert_eq!(
            plan[2].outcome,
            ErasureOutcome::Erase,
            "an invoice not collected for bookkeeping is not kept for it"
        );
    }

    #[test]
    fn once_the_legal_period_is_over_nothing_is_kept() {
        let policy = crate::check(POLICY).policy.expect("valid");
        let both = purposes(&["orders", "bookkeeping"]);
        let held = [Held {
            id: "r",
            category: "invoice",
            purposes: &both,
            collected: date(2015, 2, 1),
        }];
        let events: Events = [(Event::FinancialYearEnd, date(2015, 12, 31))]
            .into_iter()
            .collect();
        assert_eq!(
            plan(&policy, &held, &events, date(2026, 1, 1))[0].outcome,
            ErasureOutcome::Erase
        );
    }

    #[test]
    fn data_needed_for_legal_claims_is_kept_with_no_end_date() {
        let policy = crate::check(POLICY).policy.expect("valid");
        let disputes = purposes(&["disputes"]);
        let held = [Held {
            id: "r",
            category: "contact.email",
            purposes: &disputes,
            collected: date(2025, 1, 1),
        }];
        let outcome = &plan(&policy, &held, &Events::new(), date(2026, 1, 1))[0].outcome;
        assert!(
            matches!(
                outcome,
                ErasureOutcome::Keep {
                    exception: ErasureException::LegalClaims,
                    until: RetentionEnd::Indefinite,
                    ..
                }
            ),
            "{outcome:?}"
        );
    }
}
