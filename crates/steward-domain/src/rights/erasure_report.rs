//! What a subject reads when their erasure is answered: where their data was
//! erased, what was kept, under which law or exception and until which day,
//! and what could not be done, in their language, as Markdown or HTML.

use crate::common::lang::{Lang, cite, fill};
use crate::policy::{ErasureException, Policy};
use crate::publish::notice::{Block, NoticeDocument, Section};
use crate::publish::texts::t;
use crate::rights::access_report::{Unsearched, readable_day};

/// Data an erasure kept, as the answer records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptItem {
    /// The system's name as the policy gives it.
    pub system: String,
    pub category: String,
    /// The law, or the name of the Art. 17(3) exception.
    pub reason: String,
    /// A day (`YYYY-MM-DD`), or words when there is no day yet.
    pub until: Option<String>,
}

pub struct ErasureReport {
    pub document: NoticeDocument,
}

impl ErasureReport {
    pub fn build(
        policy: &Policy,
        erased_in: &[String],
        kept: &[KeptItem],
        not_done: &[Unsearched],
        lang: Lang,
        generated: &str,
    ) -> Self {
        let section = |id: &'static str, key: &str, blocks: Vec<Block>| Section {
            id,
            heading: t(lang, key).to_owned(),
            blocks,
        };
        let mut sections = Vec::new();
        if !not_done.is_empty() {
            sections.push(section(
                "not_done",
                "section.erasure_not_done",
                vec![
                    Block::Paragraph(t(lang, "erasure.not_done").to_owned()),
                    Block::List(
                        not_done
                            .iter()
                            .map(|u| format!("{}: {}", u.system, u.reason))
                            .collect(),
                    ),
                ],
            ));
        }
        sections.push(section(
            "erased",
            "section.erased",
            vec![if erased_in.is_empty() {
                Block::Paragraph(t(lang, "erasure.nowhere").to_owned())
            } else {
                Block::List(erased_in.to_vec())
            }],
        ));
        let kept_blocks = if kept.is_empty() {
            vec![Block::Paragraph(t(lang, "erasure.kept_none").to_owned())]
        } else {
            vec![Block::List(
                kept.iter()
                    .map(|k| {
                        let what = policy
                            .category(&k.category)
                            .map_or(k.category.as_str(), |c| c.name.get(lang));
                        let why = match k.reason.parse::<ErasureException>() {
                            Ok(exception) => format!(
                                "{} ({})",
                                t(lang, exception.key()),
                                cite(exception.article(), lang)
                            ),
                            Err(_) => k.reason.clone(),
                        };
                        let until = k
                            .until
                            .as_deref()
                            .map_or_else(String::new, |u| readable_day(policy, u, lang));
                        fill(
                            t(lang, "erasure.kept_item"),
                            &[
                                ("what", what),
                                ("system", &k.system),
                                ("why", &why),
                                ("until", &until),
                            ],
                        )
                    })
                    .collect(),
            )]
        };
        sections.push(section("kept", "section.kept", kept_blocks));
        let generated = readable_day(policy, generated, lang);
        ErasureReport {
            document: NoticeDocument {
                lang: lang.code(),
                title: fill(
                    t(lang, "erasure.title"),
                    &[("controller", &policy.controller.name)],
                ),
                preamble: fill(
                    t(lang, "erasure.preamble"),
                    &[
                        ("controller", &policy.controller.name),
                        ("generated", &generated),
                    ],
                ),
                sections,
            },
        }
    }

    pub fn markdown(&self) -> askama::Result<String> {
        self.document.clone().to_markdown()
    }

    pub fn html(&self) -> askama::Result<String> {
        self.document.to_html()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_erasure_answer_names_the_law_and_the_day_in_words_in_swedish() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../policies/connectel.toml"
        ))
        .expect("policy");
        let policy = crate::check(&text).policy.expect("valid");
        let kept = [KeptItem {
            system: "Steward".into(),
            category: "billing.invoice".into(),
            reason: "Bokföringslagen (1999:1078) 7 kap. 2 §".into(),
            until: Some("2032-12-31".into()),
        }];
        let report = ErasureReport::build(
            &policy,
            &["CRM".into()],
            &kept,
            &[],
            Lang::Sv,
            "2026-12-01T10:00:00Z",
        );
        let md = report.markdown().expect("markdown");
        assert!(
            md.contains("Bokföringslagen (1999:1078) 7 kap. 2 §"),
            "{md}"
        );
        assert!(md.contains("31 december 2032"), "{md}");
        assert!(md.contains("1 december 2026"), "{md}");
        assert!(md.contains("CRM"), "{md}");
        assert!(!md.contains("2032-12-31"), "{md}");
        assert!(
            report
                .html()
                .expect("html")
                .contains("<section id=\"kept\">")
        );
    }
}
