//! What a subject gets back: the Art. 15 access report (the data, and
//! everything 15(1)(a)-(h) and 15(2) require, limited to the purposes their
//! data is processed for), and the Art. 20 portability selection.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::common::lang::{Lang, cite, date_in_words, fill};
use crate::policy::{LegalBasis, Policy};
use crate::publish::notice::{Block, NoticeDocument, Section};
use crate::publish::sentences::{join, legal_basis_text, retention_sentence};
use crate::publish::texts::t;
use crate::vault::disclosure::{Received, Transfer};

/// A piece of the subject's data, opened.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct HeldValue {
    pub category: String,
    pub value: serde_json::Value,
    /// `subject`, or a source id of the policy.
    pub source: String,
    pub purposes: Vec<String>,
    pub collected_at: String,
    /// Derived data: the categories it was computed from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub derived_from: Vec<String>,
}

/// A place the request could not search, and why: the report must not look
/// complete when it is not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unsearched {
    /// The system's name as the policy gives it.
    pub system: String,
    pub reason: String,
}

/// The access report as data (for JSON) and as a document (for Markdown and HTML).
#[derive(Debug, Clone, Serialize)]
pub struct AccessReport {
    pub controller: String,
    pub language: Lang,
    pub generated: String,
    pub data: Vec<HeldValue>,
    #[serde(skip)]
    pub document: NoticeDocument,
}

impl AccessReport {
    /// `generated` and each value's time of collection are shown as days
    /// where the controller is.
    /// `received`: who received some of the data, by the disclosure log
    /// and the standing disclosures.
    pub fn build(
        policy: &Policy,
        held: Vec<HeldValue>,
        received: &[Received],
        unsearched: &[Unsearched],
        lang: Lang,
        generated: &str,
    ) -> Self {
        let document = document(policy, &held, received, unsearched, lang, generated);
        AccessReport {
            controller: policy.controller.name.clone(),
            language: lang,
            generated: generated.to_owned(),
            data: held,
            document,
        }
    }

    pub fn markdown(&self) -> askama::Result<String> {
        self.document.clone().to_markdown()
    }

    pub fn html(&self) -> askama::Result<String> {
        self.document.to_html()
    }
}

fn recipients_section(
    policy: &Policy,
    received: &[Received],
    purposes: &BTreeSet<&str>,
    lang: Lang,
    name_of: &dyn Fn(&str) -> String,
) -> Vec<Block> {
    let where_to = |transfer: &Transfer| {
        let country = crate::policy::country::lookup(&transfer.country)
            .map_or_else(|| transfer.country.clone(), |c| c.name(lang).to_owned());
        match transfer.safeguard {
            Some(safeguard) => format!(
                "{country}: {} ({})",
                t(lang, safeguard.key()),
                cite(safeguard.article(), lang)
            ),
            None => country,
        }
    };
    let mut blocks = Vec::new();
    let got: Vec<String> = received
        .iter()
        .map(|r| {
            // One the policy no longer names is still named by its id.
            let recipient = policy.recipient(&r.recipient);
            let categories: Vec<String> = r.categories.iter().map(|c| name_of(c)).collect();
            let transfers: Vec<String> = r.transfers.iter().map(where_to).collect();
            let mut when = Vec::new();
            if r.standing {
                when.push(t(lang, "access.recipients.standing").to_owned());
            }
            if let Some(last) = r.last {
                let day = last.to_zoned(policy.controller.time_zone.clone()).date();
                when.push(fill(
                    t(lang, "access.recipients.last"),
                    &[("date", &date_in_words(day, lang))],
                ));
            }
            let who = match recipient {
                Some(recipient) => format!(
                    "{} ({}; {})",
                    recipient.name.get(lang),
                    t(lang, recipient.role.key()),
                    transfers.join(", ")
                ),
                None => format!("{} ({})", r.recipient, transfers.join(", ")),
            };
            format!(
                "{who}: {}; {}",
                join(
                    &categories.iter().map(String::as_str).collect::<Vec<_>>(),
                    t(lang, "word.and")
                ),
                when.join(", ")
            )
        })
        .collect();
    if got.is_empty() {
        blocks.push(Block::Paragraph(
            t(lang, "access.recipients.none").to_owned(),
        ));
    } else {
        blocks.push(Block::Paragraph(
            t(lang, "access.recipients.received").to_owned(),
        ));
        blocks.push(Block::List(got));
    }
    let may: Vec<String> = policy
        .recipients
        .iter()
        .filter(|r| r.purposes.iter().any(|p| purposes.contains(p.as_str())))
        .filter(|r| !received.iter().any(|got| got.recipient == r.id))
        .map(|r| {
            let mut line = format!(
                "{} ({}; {})",
                r.name.get(lang),
                t(lang, r.role.key()),
                r.country.name(lang)
            );
            if r.country.is_third_country()
                && let Some(safeguard) = &r.safeguard
            {
                line = format!(
                    "{line}: {} ({})",
                    t(lang, safeguard.kind.key()),
                    cite(safeguard.kind.article(), lang)
                );
            }
            line
        })
        .collect();
    if !may.is_empty() {
        blocks.push(Block::Paragraph(
            t(lang, "access.recipients.may_receive").to_owned(),
        ));
        blocks.push(Block::List(may));
    }
    blocks
}

/// A time or a day as the report shows it: the day where the controller is,
/// in words; text that is neither is shown as it is.
pub(crate) fn readable_day(policy: &Policy, text: &str, lang: Lang) -> String {
    let day = text
        .parse::<jiff::Timestamp>()
        .map(|at| at.to_zoned(policy.controller.time_zone.clone()).date())
        .or_else(|_| text.parse::<jiff::civil::Date>());
    day.map_or_else(|_| text.to_owned(), |d| date_in_words(d, lang))
}

fn document(
    policy: &Policy,
    held: &[HeldValue],
    received: &[Received],
    unsearched: &[Unsearched],
    lang: Lang,
    generated: &str,
) -> NoticeDocument {
    let generated = &readable_day(policy, generated, lang);
    let name_of = |id: &str| {
        policy
            .category(id)
            .map_or(id, |c| c.name.get(lang))
            .to_owned()
    };
    let purposes: BTreeSet<&str> = held
        .iter()
        .flat_map(|h| h.purposes.iter().map(String::as_str))
        .collect();
    let in_use: Vec<&crate::policy::Purpose> = policy
        .purposes
        .iter()
        .filter(|p| purposes.contains(p.id.as_str()))
        .collect();
    let categories: BTreeSet<&str> = held.iter().map(|h| h.category.as_str()).collect();
    let section = |id: &'static str, heading_key: &str, blocks: Vec<Block>| Section {
        id,
        heading: t(lang, heading_key).to_owned(),
        blocks,
    };
    let notice = NoticeDocument::build(policy, lang);
    let reuse = |id: &str| notice.section(id).cloned();

    let mut sections = Vec::new();
    // First, what could not be searched: the rest is then not all there is.
    if !unsearched.is_empty() {
        let items = unsearched
            .iter()
            .map(|u| format!("{}: {}", u.system, u.reason))
            .collect();
        sections.push(section(
            "not_searched",
            "section.not_searched",
            vec![
                Block::Paragraph(t(lang, "access.not_searched").to_owned()),
                Block::List(items),
            ],
        ));
    }
    if held.is_empty() {
        // Nothing found: said plainly, with no empty tables and no claims
        // about recipients of data there is none of.
        sections.push(section(
            "access_data",
            "section.access_data",
            vec![Block::Paragraph(
                t(
                    lang,
                    if unsearched.is_empty() {
                        "access.nothing_held"
                    } else {
                        "access.nothing_found"
                    },
                )
                .to_owned(),
            )],
        ));
        sections.extend(["rights", "complaint"].into_iter().filter_map(reuse));
        return NoticeDocument {
            lang: lang.code(),
            title: fill(
                t(lang, "access.title"),
                &[("controller", &policy.controller.name)],
            ),
            preamble: fill(
                t(lang, "access.preamble"),
                &[
                    ("controller", &policy.controller.name),
                    ("generated", generated),
                ],
            ),
            sections,
        };
    }
    // The data itself.
    let rows = held
        .iter()
        .map(|h| {
            let source = if !h.derived_from.is_empty() {
                // Art. 15(1)(g) for what the controller computed: from what.
                let inputs: Vec<String> = h.derived_from.iter().map(|c| name_of(c)).collect();
                fill(
                    t(lang, "access.derived_from"),
                    &[("inputs", &inputs.join(", "))],
                )
            } else if h.source == "subject" {
                t(lang, "access.from_you").to_owned()
            } else {
                policy
                    .source(&h.source)
                    .map_or(h.source.clone(), |s| s.name.get(lang).to_owned())
            };
            let purposes: Vec<&str> = h
                .purposes
                .iter()
                .filter_map(|p| policy.purpose(p))
                .map(|p| p.name.get(lang))
                .collect();
            let value = match &h.value {
                serde_json::Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            vec![
                name_of(&h.category),
                value,
                source,
                join(&purposes, t(lang, "word.and")),
                readable_day(policy, &h.collected_at, lang),
            ]
        })
        .collect();
    sections.push(section(
        "access_data",
        "section.access_data",
        vec![Block::Table {
            header: [
                "access.category",
                "access.value",
                "access.source",
                "access.purposes",
                "access.collected",
            ]
            .iter()
            .map(|k| t(lang, k).to_owned())
            .collect(),
            rows,
        }],
    ));
    // (a), (b): purposes with their legal bases, and the categories.
    let purpose_items = in_use
        .iter()
        .map(|p| {
            format!(
                "{}: {} {}",
                p.name.get(lang),
                t(lang, "purposes.basis"),
                legal_basis_text(p, lang)
            )
        })
        .collect();
    let category_names: Vec<String> = categories.iter().map(|c| name_of(c)).collect();
    sections.push(section(
        "purposes",
        "section.purposes",
        vec![Block::List(purpose_items)],
    ));
    sections.push(section(
        "data",
        "section.data",
        vec![Block::List(category_names)],
    ));
    // (c) and 15(2): the recipients that received the data (the log and
    // the standing disclosures), then those the policy names for these
    // purposes that have not; third countries with their safeguards.
    let recipient_blocks = recipients_section(policy, received, &purposes, lang, &name_of);
    sections.push(section(
        "recipients",
        "section.recipients",
        recipient_blocks,
    ));
    // (d): how long, for the data held.
    let retention_items = policy
        .retention
        .iter()
        .filter(|rule| rule.purposes.iter().any(|p| purposes.contains(p.as_str())))
        .filter(|rule| {
            categories.iter().any(|c| {
                rule.categories
                    .iter()
                    .any(|r| crate::policy::is_within(c, r))
            })
        })
        .map(|rule| {
            let names: Vec<String> = rule.categories.iter().map(|c| name_of(c)).collect();
            format!("{}: {}", names.join(", "), retention_sentence(rule, lang))
        })
        .collect();
    sections.push(section(
        "retention",
        "section.retention",
        vec![Block::List(retention_items)],
    ));
    // (e), (f): the rights and the authority, as the notice says them.
    sections.extend(["rights", "complaint"].into_iter().filter_map(reuse));
    // (h): automated decisions and profiling, for these purposes only.
    let legal_effect = in_use.iter().any(|p| {
        p.automated_decision
            .as_ref()
            .is_some_and(|d| d.legal_effect)
    });
    let mut automated = vec![Block::Paragraph(
        t(
            lang,
            if legal_effect {
                "automated.yes"
            } else {
                "automated.no"
            },
        )
        .to_owned(),
    )];
    let logic: Vec<String> = in_use
        .iter()
        .filter_map(|p| {
            p.automated_decision
                .as_ref()
                .map(|d| format!("{}: {}", p.name.get(lang), d.logic.get(lang)))
        })
        .collect();
    if !logic.is_empty() {
        automated.push(Block::List(logic));
    }
    let profiled: Vec<&str> = in_use
        .iter()
        .filter(|p| p.profiling)
        .map(|p| p.name.get(lang))
        .collect();
    automated.push(Block::Paragraph(if profiled.is_empty() {
        t(lang, "automated.no_profiling").to_owned()
    } else {
        let key = if legal_effect {
            "automated.profiling_only"
        } else {
            "automated.profiling"
        };
        fill(
            t(lang, key),
            &[("purposes", &join(&profiled, t(lang, "word.and")))],
        )
    }));
    sections.push(section("automated", "section.automated", automated));
    // (g): sources other than the subject.
    let sources: BTreeSet<&str> = held
        .iter()
        .map(|h| h.source.as_str())
        .filter(|s| *s != "subject")
        .collect();
    let source_blocks = if sources.is_empty() {
        vec![Block::Paragraph(t(lang, "access.all_from_you").to_owned())]
    } else {
        let names = sources
            .iter()
            .map(|s| {
                policy
                    .source(s)
                    .map_or((*s).to_owned(), |src| src.name.get(lang).to_owned())
            })
            .collect();
        vec![Block::List(names)]
    };
    sections.push(section("sources", "section.sources", source_blocks));

    NoticeDocument {
        lang: lang.code(),
        title: fill(
            t(lang, "access.title"),
            &[("controller", &policy.controller.name)],
        ),
        preamble: fill(
            t(lang, "access.preamble"),
            &[
                ("controller", &policy.controller.name),
                ("generated", generated),
            ],
        ),
        sections,
    }
}

/// Art. 20: only data the subject provided, processed on consent or contract.
pub fn portable(policy: &Policy, held: &[HeldValue]) -> Vec<HeldValue> {
    held.iter()
        .filter(|h| h.source == "subject")
        .filter(|h| {
            h.purposes
                .iter()
                .filter_map(|p| policy.purpose(p))
                .any(|p| {
                    matches!(
                        p.legal_basis,
                        Some(LegalBasis::Consent | LegalBasis::Contract)
                    )
                })
        })
        .cloned()
        .collect()
}

/// The portable data as CSV: category, value (JSON), purposes, collected.
pub fn portable_csv(held: &[HeldValue]) -> Result<String, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(["category", "value", "purposes", "collected_at"])?;
    for h in held {
        writer.write_record([
            h.category.as_str(),
            &h.value.to_string(),
            &h.purposes.join(";"),
            &h.collected_at,
        ])?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn connectel() -> Policy {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../policies/connectel.toml"
        ))
        .expect("policy");
        crate::check(&text).policy.expect("valid")
    }

    fn held() -> Vec<HeldValue> {
        vec![
            HeldValue {
                category: "contact.email".into(),
                value: serde_json::json!("anna@example.se"),
                source: "subject".into(),
                purposes: vec!["customer_service".into()],
                collected_at: "2026-01-01T00:00:00Z".into(),
                derived_from: Vec::new(),
            },
            HeldValue {
                category: "helpdesk.call_recording".into(),
                value: serde_json::json!({ "file": "call.ogg" }),
                source: "subject".into(),
                purposes: vec!["support_call_recording".into()],
                collected_at: "2026-01-02T00:00:00Z".into(),
                derived_from: Vec::new(),
            },
        ]
    }

    #[test]
    fn the_report_has_every_art_15_element_in_both_languages() {
        let policy = connectel();
        for lang in [Lang::En, Lang::Sv] {
            let report = AccessReport::build(&policy, held(), &[], &[], lang, "2026-11-22");
            let ids: Vec<&str> = report.document.sections.iter().map(|s| s.id).collect();
            for element in [
                "access_data",
                "purposes",
                "data",
                "recipients",
                "retention",
                "rights",
                "complaint",
                "automated",
                "sources",
            ] {
                assert!(ids.contains(&element), "{lang:?} lacks {element}");
            }
            let md = report.markdown().expect("markdown");
            assert!(md.contains("anna@example.se"));
            // (c) and 15(2): Freshworks in the USA, under standard contractual clauses.
            assert!(md.contains("Freshworks, Inc."), "{md}");
            assert!(md.contains(&cite("Art. 46(2)(c)", lang)), "{md}");
            // (d): the 30-day rule for call recordings.
            let thirty_days =
                crate::common::period::Period::new(30, crate::common::period::Unit::Day)
                    .describe(lang);
            assert!(md.contains(&thirty_days), "{md}");
            // Purposes Anna's data is not processed for are not listed.
            assert!(
                !md.contains(
                    policy
                        .purpose("marketing_tracking")
                        .expect("p")
                        .name
                        .get(lang)
                )
            );
            assert!(
                report
                    .html()
                    .expect("html")
                    .contains("<section id=\"access_data\">")
            );
        }
    }

    #[test]
    fn a_report_says_what_was_not_searched_and_when_nothing_is_held() {
        let policy = connectel();
        let failed = [Unsearched {
            system: "Freshdesk".into(),
            reason: "the connection was refused".into(),
        }];
        let md = AccessReport::build(
            &policy,
            held(),
            &[],
            &failed,
            Lang::En,
            "2026-11-22T23:30:00Z",
        )
        .markdown()
        .expect("markdown");
        assert!(md.contains("Freshdesk: the connection was refused"), "{md}");
        assert!(md.contains("not complete"), "{md}");
        // 23:30 UTC is the next day in Stockholm; and dates read as words.
        assert!(md.contains("23 November 2026"), "{md}");
        assert!(md.contains("1 January 2026"), "{md}");
        assert!(!md.contains("2026-01-01T00:00:00Z"), "{md}");

        let sv = AccessReport::build(&policy, Vec::new(), &[], &[], Lang::Sv, "2026-11-22")
            .markdown()
            .expect("markdown");
        assert!(sv.contains(t(Lang::Sv, "access.nothing_held")), "{sv}");
        assert!(sv.contains("22 november 2026"), "{sv}");
        // No claim about recipients of data there is none of.
        assert!(!sv.contains(t(Lang::Sv, "recipients.none")), "{sv}");
        assert!(!sv.contains('|'), "no empty table: {sv}");
    }

    #[test]
    fn portability_takes_only_provided_data_on_consent_or_contract() {
        let policy = connectel();
        let mut data = held();
        // Customer service rests on legitimate interests: not portable.
        data.push(HeldValue {
            source: "customers".into(),
            ..data[1].clone()
        });
        let portable = portable(&policy, &data);
        assert_eq!(
            portable.len(),
            1,
            "only the recording (consent, provided by the subject)"
        );
        assert_eq!(portable[0].category, "helpdesk.call_recording");
        let csv = portable_csv(&portable).expect("csv");
        assert!(csv.starts_with("category,value,purposes,collected_at\n"));
        assert!(csv.contains("helpdesk.call_recording"));
    }
}
