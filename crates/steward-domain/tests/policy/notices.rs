//! The privacy notices of the five source policies: every Art. 13 and 14
//! element present and filled in both languages, nothing left untranslated,
//! and the full text pinned by snapshots.

use steward_domain::common::lang::{Lang, cite};
use steward_domain::publish::catalogue::MESSAGES;
use steward_domain::publish::notice::{self, Block, NoticeDocument, SECTIONS};
use steward_domain::publish::sentences::retention_sentence;
use steward_domain::publish::texts::t;

use super::*;

fn section_text(doc: &NoticeDocument, id: &str) -> String {
    let section = doc
        .section(id)
        .unwrap_or_else(|| panic!("section `{id}` missing"));
    let mut text = section.heading.clone();
    for block in &section.blocks {
        match block {
            Block::Paragraph(p) | Block::Subheading(p) => text.push_str(p),
            Block::List(items) => items.iter().for_each(|i| text.push_str(i)),
            Block::Table { header, rows } => {
                header.iter().for_each(|h| text.push_str(h));
                rows.iter().flatten().for_each(|c| text.push_str(c));
            }
        }
        text.push('\n');
    }
    text
}

fn assert_contains(haystack: &str, needle: &str, what: &str) {
    assert!(
        haystack.contains(needle),
        "{what}: `{needle}` missing from:\n{haystack}"
    );
}

#[test]
fn every_art_13_and_14_element_is_present_in_both_languages() {
    for name in SOURCE_POLICIES {
        let policy = load(&source_policy_text(name));
        for lang in Lang::ALL {
            let doc = NoticeDocument::build(&policy, lang);
            let at = |id: &str| format!("{name} ({}) section {id}", lang.code());
            let ids: Vec<&str> = doc.sections.iter().map(|s| s.id).collect();
            let expected: Vec<&str> = SECTIONS
                .iter()
                .map(|(id, _)| *id)
                .filter(|id| *id != "cookies" || !policy.cookies.is_empty())
                .filter(|id| *id != "children" || policy.controller.minimum_age.is_some())
                .filter(|id| *id != "dpo" || policy.controller.dpo.is_some())
                // An absence is not a promise: "we share with no one", "no
                // transfers", "no profiling" only where the notice says so.
                .filter(|id| {
                    *id != "recipients"
                        || !policy.recipients.is_empty()
                        || policy.claims.no_recipients
                })
                .filter(|id| {
                    *id != "transfers"
                        || policy
                            .recipients
                            .iter()
                            .any(|r| r.country.is_third_country())
                        || policy.claims.no_transfers
                })
                .filter(|id| {
                    *id != "automated"
                        || policy
                            .purposes
                            .iter()
                            .any(|p| p.profiling || p.automated_decision.is_some())
                        || policy.claims.no_profiling
                        || policy.claims.no_automated_decisions
                })
                .collect();
            assert_eq!(ids, expected, "{name}: sections in order");
            for section in &doc.sections {
                assert_eq!(section.heading, t(lang, &format!("section.{}", section.id)));
                assert!(!section.blocks.is_empty(), "{} is empty", at(section.id));
            }

            // Art. 13(1)(a): identity and contact details of the controller.
            let controller = section_text(&doc, "controller");
            assert_contains(&controller, &policy.controller.name, &at("controller"));
            assert_contains(&controller, &policy.controller.email, &at("controller"));
            // 13(1)(b): the DPO, or who answers instead.
            if let Some(dpo_contact) = &policy.controller.dpo {
                assert_contains(&section_text(&doc, "dpo"), &dpo_contact.name, &at("dpo"));
            }
            // 14(1)(d): categories of personal data.
            let data = section_text(&doc, "data");
            for leaf in policy
                .leaf_categories()
                .filter(|c| c.derived_from.is_empty())
            {
                assert_contains(&data, leaf.name.get(lang), &at("data"));
            }
            // 14(2)(f): sources other than the subject.
            let sources = section_text(&doc, "sources");
            for source in policy
                .sources
                .iter()
                .filter(|s| s.kind != steward_domain::policy::SourceKind::DataSubject)
            {
                assert_contains(&sources, source.name.get(lang), &at("sources"));
            }
            // 13(1)(c), (d): purposes, legal bases, legitimate interests.
            let purposes = section_text(&doc, "purposes");
            for purpose in &policy.purposes {
                assert_contains(&purposes, purpose.name.get(lang), &at("purposes"));
                assert_contains(&purposes, purpose.description.get(lang), &at("purposes"));
                if let Some(basis) = purpose.legal_basis {
                    assert_contains(&purposes, &cite(basis.article(), lang), &at("purposes"));
                    assert_contains(&purposes, t(lang, basis.key()), &at("purposes"));
                }
                if let Some(interest) = &purpose.legitimate_interest {
                    assert_contains(&purposes, interest.get(lang), &at("purposes"));
                }
                if let Some(law) = &purpose.law {
                    assert_contains(&purposes, law, &at("purposes"));
                }
            }
            // 13(2)(e): whether providing data is required.
            let provision = section_text(&doc, "provision");
            for purpose in policy.purposes.iter().filter(|p| p.provision.is_some()) {
                assert_contains(&provision, purpose.name.get(lang), &at("provision"));
            }
            // 13(1)(e): recipients.
            for recipient in &policy.recipients {
                let recipients = section_text(&doc, "recipients");
                assert_contains(&recipients, recipient.name.get(lang), &at("recipients"));
                assert_contains(&recipients, recipient.country.name(lang), &at("recipients"));
            }
            // 13(1)(f), 15(2): third-country transfers and their safeguards.
            for recipient in policy
                .recipients
                .iter()
                .filter(|r| r.country.is_third_country())
            {
                let transfers = section_text(&doc, "transfers");
                assert_contains(&transfers, recipient.name.get(lang), &at("transfers"));
                let safeguard = recipient
                    .safeguard
                    .as_ref()
                    .expect("checked policies have safeguards");
                assert_contains(
                    &transfers,
                    &cite(safeguard.kind.article(), lang),
                    &at("transfers"),
                );
            }
            // 13(2)(a): retention periods or criteria.
            let retention = section_text(&doc, "retention");
            for rule in &policy.retention {
                assert_contains(
                    &retention,
                    &retention_sentence(rule, lang),
                    &at("retention"),
                );
            }
            // 13(2)(b): every right.
            let rights = section_text(&doc, "rights");
            for article in ["15", "16", "17", "18", "20", "21"] {
                let marker = match lang {
                    Lang::En => format!("(Art. {article})"),
                    Lang::Sv => format!("(artikel {article})"),
                };
                assert_contains(&rights, &marker, &at("rights"));
            }
            assert_contains(&rights, &policy.rights.contact, &at("rights"));
            // 13(2)(c): withdrawal of consent.
            let consent = section_text(&doc, "consent");
            for purpose in policy
                .purposes
                .iter()
                .filter(|p| p.legal_basis == Some(steward_domain::policy::LegalBasis::Consent))
            {
                assert_contains(&consent, purpose.name.get(lang), &at("consent"));
            }
            // 13(2)(d): complaint to the supervisory authority.
            let complaint = section_text(&doc, "complaint");
            assert_contains(
                &complaint,
                &policy.controller.supervisory_authority.name,
                &at("complaint"),
            );
            // 13(2)(f): automated decisions and profiling.
            for purpose in policy.purposes.iter().filter(|p| p.profiling) {
                let automated = section_text(&doc, "automated");
                assert_contains(&automated, purpose.name.get(lang), &at("automated"));
            }
            // Cookies with their lifetimes, when the policy declares any.
            if !policy.cookies.is_empty() {
                let cookies = section_text(&doc, "cookies");
                for cookie in &policy.cookies {
                    assert_contains(&cookies, &cookie.name, &at("cookies"));
                }
            }
        }
    }
}

#[test]
fn swedish_notices_contain_no_english_catalogue_text_and_vice_versa() {
    for name in SOURCE_POLICIES {
        let policy = load(&source_policy_text(name));
        let sv = notice::markdown(&policy, Lang::Sv).expect("render sv");
        let en = notice::markdown(&policy, Lang::En).expect("render en");
        for message in MESSAGES.iter().filter(|m| m.en != m.sv) {
            // Compare the fixed part before the first placeholder, if long enough to mean something.
            let fixed = |text: &'static str| text.split('{').next().unwrap_or("").trim();
            let (en_part, sv_part) = (fixed(message.en), fixed(message.sv));
            if en_part.len() >= 16 {
                assert!(
                    !sv.contains(en_part),
                    "{name}: English `{}` in the Swedish notice",
                    message.key
                );
            }
            if sv_part.len() >= 16 {
                assert!(
                    !en.contains(sv_part),
                    "{name}: Swedish `{}` in the English notice",
                    message.key
                );
            }
        }
    }
}

#[test]
fn a_policy_without_cookies_makes_no_claim_about_cookies() {
    let source = fixture("minimal.toml").replace(
        "[[cookie]]\nname = \"session\"\ncategory = \"necessary\"\nlifetime = \"session\"\ndescription = { en = \"Keeps you logged in.\", sv = \"Håller dig inloggad.\" }\n",
        "",
    );
    let policy = load(&source);
    assert!(policy.cookies.is_empty());
    let doc = NoticeDocument::build(&policy, Lang::En);
    assert!(doc.section("cookies").is_none());
    assert!(
        !notice::markdown(&policy, Lang::En)
            .expect("md")
            .to_lowercase()
            .contains("cookie")
    );
}

#[test]
fn the_rights_section_names_exactly_the_data_kept_despite_erasure() {
    let source = fixture("minimal.toml");
    let without = notice::markdown(&load(&source), Lang::En).expect("md");
    assert!(
        !without.contains("kept even if you ask us to erase"),
        "no exception is declared"
    );
    assert!(
        !without.contains("legal claims"),
        "no claim the policy does not make"
    );
    let with = source.replace(
        "after = \"relationship_end\"",
        "after = \"relationship_end\"\nlaw = \"Bokföringslagen (1999:1078) 7 kap. 2 §\"",
    );
    let policy = load(&with);
    let doc = NoticeDocument::build(&policy, Lang::Sv);
    let rights = section_text(&doc, "rights");
    assert!(
        rights.contains("Kontaktuppgifter och Kreditbetyg: sparas eftersom lagen kräver det (artikel 17.3 b: Bokföringslagen (1999:1078) 7 kap. 2 §)."),
        "{rights}"
    );
}

#[test]
fn without_a_minimum_age_or_a_dpo_the_notice_claims_neither() {
    let source = fixture("minimal.toml").replace("minimum_age = 16\n", "");
    let policy = load(&source);
    let doc = NoticeDocument::build(&policy, Lang::En);
    assert!(doc.section("children").is_none());
    assert!(doc.section("dpo").is_none());
    let with_dpo = source.replace(
        "email = \"privacy@minimal.example\"\n",
        "email = \"privacy@minimal.example\"\ndpo = { name = \"Dana Officer\", email = \"dpo@minimal.example\" }\n",
    );
    let doc = NoticeDocument::build(&load(&with_dpo), Lang::En);
    assert!(section_text(&doc, "dpo").contains("Dana Officer"));
    let with_age = NoticeDocument::build(&load(&fixture("minimal.toml")), Lang::Sv);
    assert!(section_text(&with_age, "children").contains("under 16 år"));
}

#[test]
fn bookkeeping_is_counted_from_the_end_of_the_financial_year() {
    let source = fixture("minimal.toml").replace(
        "period = \"0 days\"\nafter = \"relationship_end\"",
        "period = \"7 years\"\nafter = \"financial_year_end\"\ncalendar_year_end = true\nlaw = \"Bokföringslagen (1999:1078) 7 kap. 2 §\"",
    );
    let policy = load(&source);
    let rule = &policy.retention[0];
    assert_eq!(
        retention_sentence(rule, Lang::En),
        "For the rest of the calendar year in which the financial year has ended and 7 years thereafter; then deleted (required by Bokföringslagen (1999:1078) 7 kap. 2 §)."
    );
    assert_eq!(
        retention_sentence(rule, Lang::Sv),
        "Resten av det kalenderår då räkenskapsåret har avslutats och 7 år därefter; därefter raderas uppgifterna (krav enligt Bokföringslagen (1999:1078) 7 kap. 2 §)."
    );
}

#[test]
fn elveta_renders_in_swedish_by_default() {
    let policy = load(&source_policy_text("elveta"));
    assert_eq!(policy.meta.default_language, Lang::Sv);
    let doc = NoticeDocument::build(&policy, policy.meta.default_language);
    assert_eq!(doc.lang, "sv");
    assert!(doc.title.starts_with("Integritetspolicy"));
}

#[test]
fn markdown_and_html_show_the_same_sections() {
    let policy = load(&source_policy_text("connectel"));
    let md = notice::markdown(&policy, Lang::En).expect("md");
    let html = notice::html(&policy, Lang::En).expect("html");
    let doc = NoticeDocument::build(&policy, Lang::En);
    assert!(doc.sections.len() >= 15);
    for section in &doc.sections {
        let (id, heading) = (section.id, &section.heading);
        assert!(md.contains(&format!("## {heading}\n")), "md lacks {id}");
        assert!(
            html.contains(&format!("<section id=\"{id}\">\n<h2>{heading}</h2>")),
            "html lacks {id}"
        );
    }
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
}

#[test]
fn policy_text_is_escaped_in_html_and_markdown() {
    let source = fixture("minimal.toml").replace("Minimal AB", "<Minimal | *AB*>");
    let policy = load(&source);
    let html = notice::html(&policy, Lang::En).expect("html");
    assert!(
        html.contains("&#60;Minimal | *AB*&#62;") || html.contains("&lt;Minimal | *AB*&gt;"),
        "{html}"
    );
    assert!(!html.contains("<Minimal"));
    let md = notice::markdown(&policy, Lang::En).expect("md");
    assert!(md.contains(r"\<Minimal \| \*AB\*\>"), "{md}");
}

#[test]
fn notice_snapshots() {
    for name in SOURCE_POLICIES {
        let policy = load(&source_policy_text(name));
        for lang in Lang::ALL {
            let md = notice::markdown(&policy, lang).expect("md");
            insta::assert_snapshot!(format!("notice_{name}_{}_md", lang.code()), md);
            let html = notice::html(&policy, lang).expect("html");
            insta::assert_snapshot!(format!("notice_{name}_{}_html", lang.code()), html);
        }
    }
}
