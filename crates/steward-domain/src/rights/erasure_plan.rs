//! Which of a subject's data an erasure request removes, and which it must
//! keep under Art. 17(3), with the reason, the law and until when.

use jiff::civil::Date;
use serde::Serialize;

use crate::policy::retention::{self, Events, RetentionEnd};
use crate::policy::{ErasureException, LegalBasis, Policy};

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
        /// The only purposes it may still be used for: those its exception
        /// serves (Art. 17(3)); every other use is refused from now on.
        purposes: Vec<String>,
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
/// for, and then only for the purposes that exception serves; everything
/// else is erased.
pub fn plan(
    policy: &Policy,
    held: &[Held<'_>],
    events: &Events,
    today: Date,
) -> Vec<PlannedRecord> {
    held.iter()
        .map(|record| {
            let mut kept_for: Vec<String> = Vec::new();
            let keep = record
                .purposes
                .iter()
                .flat_map(|purpose| policy.retention_for(record.category, purpose))
                .filter_map(|rule| {
                    let exception = rule.erasure_exception?;
                    let until = retention::end(
                        rule,
                        record.collected,
                        events,
                        policy.controller.financial_year,
                    );
                    let still_kept = match &until {
                        RetentionEnd::Through { date } => *date >= today,
                        RetentionEnd::Indefinite | RetentionEnd::AwaitingEvent { .. } => true,
                        RetentionEnd::Superseded { .. } => false,
                    };
                    if !still_kept {
                        return None;
                    }
                    for purpose in served(policy, exception, &rule.purposes, record.purposes) {
                        if !kept_for.contains(&purpose) {
                            kept_for.push(purpose);
                        }
                    }
                    Some(ErasureOutcome::Keep {
                        exception,
                        rule: rule.id.clone(),
                        law: rule.law.clone(),
                        until,
                        purposes: Vec::new(),
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
            let outcome = match keep {
                Some(ErasureOutcome::Keep {
                    exception,
                    rule,
                    law,
                    until,
                    ..
                }) => ErasureOutcome::Keep {
                    exception,
                    rule,
                    law,
                    until,
                    purposes: kept_for,
                },
                _ => ErasureOutcome::Erase,
            };
            PlannedRecord {
                id: record.id.to_owned(),
                category: record.category.to_owned(),
                outcome,
            }
        })
        .collect()
}

/// Of the purposes a rule keeps a record for (and it was collected for),
/// those its exception serves. A legal obligation (Art. 17(3)(b)) serves only
/// purposes whose basis is a legal obligation or a public task: traffic data
/// the law makes an operator keep is kept for the law, not for its billing.
/// The other exceptions serve the rule's own purposes. Where a rule names a
/// law but none of its purposes rests on one, its purposes are kept as the
/// policy says (the policy check is where such a rule should be questioned).
fn served(
    policy: &Policy,
    exception: ErasureException,
    rule_purposes: &[String],
    collected_for: &[String],
) -> Vec<String> {
    let within: Vec<&String> = rule_purposes
        .iter()
        .filter(|p| collected_for.contains(p))
        .collect();
    let by_law: Vec<String> = within
        .iter()
        .filter(|p| {
            policy.purpose(p).is_some_and(|purpose| {
                matches!(
                    purpose.legal_basis,
                    Some(LegalBasis::LegalObligation | LegalBasis::PublicTask)
                )
            })
        })
        .map(|p| (*p).clone())
        .collect();
    if exception == ErasureException::LegalObligation && !by_law.is_empty() {
        by_law
    } else {
        within.into_iter().cloned().collect()
    }
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
                purposes: vec!["bookkeeping".into()],
            }
        );
        assert_eq!(
            plan[2].outcome,
            ErasureOutcome::Erase,
            "an invoice not collected for bookkeeping is not kept for it"
        );
    }

    #[test]
    fn data_kept_by_a_law_is_kept_only_for_the_purposes_the_law_serves() {
        // The rule keeps invoices for orders (a contract) and bookkeeping (the
        // law); after an erasure, only bookkeeping may use them.
        let source = POLICY.replace(
            "purposes = [\"bookkeeping\"]\nperiod = \"7 years\"",
            "purposes = [\"orders\", \"bookkeeping\"]\nperiod = \"7 years\"",
        );
        assert_ne!(source, POLICY);
        let policy = crate::check(&source).policy.expect("valid");
        let both = purposes(&["orders", "bookkeeping"]);
        let held = [Held {
            id: "r",
            category: "invoice",
            purposes: &both,
            collected: date(2024, 2, 1),
        }];
        let events: Events = [(Event::FinancialYearEnd, date(2024, 12, 31))]
            .into_iter()
            .collect();
        let outcome = &plan(&policy, &held, &events, date(2026, 11, 22))[0].outcome;
        let ErasureOutcome::Keep { purposes, .. } = outcome else {
            panic!("kept by the law: {outcome:?}");
        };
        assert_eq!(purposes, &["bookkeeping".to_owned()]);
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
