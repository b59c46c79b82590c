//! The sections on the processing itself: the data, its sources, the
//! purposes and their legal bases, whether it must be provided, who receives
//! it, transfers outside the EU/EEA, and how long it is kept.

use crate::common::lang::{cite, fill};
use crate::policy::{LegalBasis, SourceKind};
use crate::publish::notice::builder::Builder;
use crate::publish::notice::document::{Block, Section};
use crate::publish::sentences::{legal_basis_text, retention_sentence};

impl Builder<'_> {
    pub(super) fn data(&self) -> Section {
        let p = self.policy;
        let mut blocks = vec![Block::Paragraph(self.t("data.subjects").to_owned())];
        let subjects = p
            .subject_types
            .iter()
            .map(|s| {
                let mut line = s.name.get(self.lang).to_owned();
                if let Some(d) = &s.description {
                    line = format!("{line}: {}", d.get(self.lang));
                }
                if !s.data_normally_stored {
                    line = format!("{line} ({})", self.t("data.not_stored"));
                }
                line
            })
            .collect();
        blocks.push(Block::List(subjects));
        blocks.push(Block::Paragraph(self.t("data.intro").to_owned()));
        let mut items = Vec::new();
        for category in p.categories.iter().filter(|c| c.derived_from.is_empty()) {
            if p.categories
                .iter()
                .any(|c| c.parent() == Some(category.id.as_str()))
            {
                // A heading category; its children carry the detail.
                continue;
            }
            let mut line = match category.parent().and_then(|id| p.category(id)) {
                Some(parent) => format!(
                    "{}: {}",
                    parent.name.get(self.lang),
                    category.name.get(self.lang)
                ),
                None => category.name.get(self.lang).to_owned(),
            };
            if category.special {
                line = format!("{line} ({})", self.t("data.special"));
            }
            if category.national_id {
                let why = category
                    .justification
                    .as_ref()
                    .map(|j| j.get(self.lang))
                    .unwrap_or("");
                line = format!("{line} ({} {why})", self.t("data.national_id"));
            }
            if let Some(d) = &category.description {
                line = format!("{line} – {}", d.get(self.lang));
            }
            items.push(line.trim_end().to_owned());
        }
        blocks.push(Block::List(items));
        let derived: Vec<String> = p
            .categories
            .iter()
            .filter(|c| !c.derived_from.is_empty())
            .map(|c| {
                let from: Vec<&str> = c
                    .derived_from
                    .iter()
                    .filter_map(|id| p.category(id))
                    .map(|d| d.name.get(self.lang))
                    .collect();
                fill(
                    self.t("data.derived_item"),
                    &[("name", c.name.get(self.lang)), ("from", &self.join(&from))],
                )
            })
            .collect();
        if !derived.is_empty() {
            blocks.push(Block::Paragraph(self.t("data.derived").to_owned()));
            blocks.push(Block::List(derived));
        }
        self.section("data", blocks)
    }

    pub(super) fn sources(&self) -> Section {
        let p = self.policy;
        let mut blocks = vec![Block::Paragraph(self.t("sources.intro").to_owned())];
        let third_party: Vec<String> = p
            .sources
            .iter()
            .filter(|s| s.kind != SourceKind::DataSubject)
            .map(|s| {
                // A category the notice does not itself say comes from
                // this source is marked.
                let categories: Vec<String> = p
                    .categories
                    .iter()
                    .filter(|c| c.sources.contains(&s.id))
                    .map(|c| {
                        self.marked(c.name.get(self.lang).to_owned(), &c.assumed, &["sources"])
                    })
                    .collect();
                let categories: Vec<&str> = categories.iter().map(String::as_str).collect();
                let public = if s.kind.is_public() {
                    format!(" ({})", self.t("sources.public"))
                } else {
                    String::new()
                };
                format!(
                    "{}{public}: {}",
                    s.name.get(self.lang),
                    self.join(&categories)
                )
            })
            .collect();
        // "Only from you" is a promise: made only where the notice makes it.
        if third_party.is_empty() {
            if p.claims.no_other_sources {
                blocks.push(Block::Paragraph(self.t("sources.none").to_owned()));
            }
        } else {
            blocks.push(Block::Paragraph(self.t("sources.others").to_owned()));
            blocks.push(Block::List(third_party));
        }
        self.section("sources", blocks)
    }

    pub(super) fn basis_text(&self, purpose: &crate::policy::Purpose) -> String {
        legal_basis_text(purpose, self.lang)
    }

    pub(super) fn purposes(&self) -> Section {
        let p = self.policy;
        let mut blocks = vec![Block::Paragraph(self.t("purposes.intro").to_owned())];
        for purpose in &p.purposes {
            blocks.push(Block::Subheading(purpose.name.get(self.lang).to_owned()));
            blocks.push(Block::Paragraph(
                purpose.description.get(self.lang).to_owned(),
            ));
            let categories: Vec<&str> = p
                .categories
                .iter()
                .filter(|c| purpose.categories.contains(&c.id))
                .map(|c| c.name.get(self.lang))
                .collect();
            let subjects: Vec<&str> = purpose
                .subjects
                .iter()
                .filter_map(|id| p.subject_type(id))
                .map(|s| s.name.get(self.lang))
                .collect();
            let assumed = &purpose.assumed;
            let mut facts = vec![
                format!("{} {}", self.t("purposes.basis"), self.basis_text(purpose)),
                self.marked(
                    format!(
                        "{} {}",
                        self.t(if purpose.anonymous {
                            "purposes.anonymised_data"
                        } else {
                            "purposes.categories"
                        }),
                        self.join(&categories)
                    ),
                    assumed,
                    &["categories"],
                ),
            ];
            if !subjects.is_empty() {
                facts.push(self.marked(
                    format!("{} {}", self.t("purposes.subjects"), self.join(&subjects)),
                    assumed,
                    &["subjects"],
                ));
            }
            if purpose.direct_marketing {
                facts.push(self.marked(
                    self.t("purposes.direct_marketing").to_owned(),
                    assumed,
                    &["direct_marketing"],
                ));
            }
            if purpose.profiling {
                facts.push(self.marked(
                    self.t("purposes.profiling").to_owned(),
                    assumed,
                    &["profiling"],
                ));
            }
            // Art. 21(1) covers processing on legitimate interests and on a public task.
            if matches!(
                purpose.legal_basis,
                Some(LegalBasis::LegitimateInterests | LegalBasis::PublicTask)
            ) && !purpose.direct_marketing
            {
                facts.push(self.t("purposes.may_object").to_owned());
            }
            blocks.push(Block::List(facts));
        }
        self.section("purposes", blocks)
    }

    pub(super) fn provision(&self) -> Section {
        let mut blocks = vec![Block::Paragraph(self.t("provision.intro").to_owned())];
        let required: Vec<String> = self
            .policy
            .purposes
            .iter()
            .filter_map(|purpose| {
                let kind = purpose.provision?;
                let key = kind.key();
                let mut line = self.marked(
                    format!("{}: {}", purpose.name.get(self.lang), self.t(key)),
                    &purpose.assumed,
                    &["provision"],
                );
                if let Some(consequence) = &purpose.consequence {
                    line = format!("{line} {}", consequence.get(self.lang));
                }
                Some(line)
            })
            .collect();
        if !required.is_empty() {
            blocks.push(Block::List(required));
        }
        self.section("provision", blocks)
    }

    /// Absent when the policy names no recipient and the notice does not
    /// itself say there are none: an absence is not a promise.
    pub(super) fn recipients(&self) -> Option<Section> {
        let p = self.policy;
        if p.recipients.is_empty() {
            return p.claims.no_recipients.then(|| {
                self.section(
                    "recipients",
                    vec![Block::Paragraph(self.t("recipients.none").to_owned())],
                )
            });
        }
        let rows = p
            .recipients
            .iter()
            .map(|r| {
                let purposes: Vec<&str> = r
                    .purposes
                    .iter()
                    .filter_map(|id| p.purpose(id))
                    .map(|purpose| purpose.name.get(self.lang))
                    .collect();
                let mut who = r.name.get(self.lang).to_owned();
                if let Some(d) = &r.description {
                    who = format!("{who}: {}", d.get(self.lang));
                }
                if let Some(law) = &r.law {
                    who = format!("{who} ({law})");
                }
                // Within the EU/EEA no transfer table shows the agreement the
                // notice names (Connectel's "GetAccept DPA"): it is shown here.
                if !r.country.is_third_country()
                    && let Some(reference) = &r.safeguard_reference
                {
                    who = format!(
                        "{who} ({})",
                        fill(
                            self.t("recipients.agreement"),
                            &[("reference", reference.get(self.lang))]
                        )
                    );
                }
                vec![
                    self.marked(who, &r.assumed, &["purposes", "law"]),
                    self.marked(self.t(r.role.key()).to_owned(), &r.assumed, &["role"]),
                    self.join(&purposes),
                    self.marked(
                        r.country.name(self.lang).to_owned(),
                        &r.assumed,
                        &["country"],
                    ),
                ]
            })
            .collect();
        Some(self.section(
            "recipients",
            vec![
                Block::Paragraph(self.t("recipients.intro").to_owned()),
                Block::Table {
                    header: vec![
                        self.t("recipients.who").to_owned(),
                        self.t("recipients.role").to_owned(),
                        self.t("recipients.purposes").to_owned(),
                        self.t("recipients.country").to_owned(),
                    ],
                    rows,
                },
            ],
        ))
    }

    /// Absent when no recipient is outside the EU/EEA and the notice does
    /// not itself say no data leaves it.
    pub(super) fn transfers(&self) -> Option<Section> {
        let rows: Vec<Vec<String>> = self
            .policy
            .recipients
            .iter()
            .filter(|r| r.country.is_third_country())
            .map(|r| {
                let safeguard = match &r.safeguard {
                    Some(s) => {
                        let mut text = format!(
                            "{} ({})",
                            self.t(s.kind.key()),
                            cite(s.kind.article(), self.lang)
                        );
                        if let Some(reference) = &r.safeguard_reference {
                            text = format!("{text}: {}", reference.get(self.lang));
                        }
                        text
                    }
                    None => self.t("safeguard.none").to_owned(),
                };
                vec![
                    r.name.get(self.lang).to_owned(),
                    self.marked(
                        r.country.name(self.lang).to_owned(),
                        &r.assumed,
                        &["country"],
                    ),
                    self.marked(safeguard, &r.assumed, &["safeguard"]),
                ]
            })
            .collect();
        let blocks = if rows.is_empty() {
            if !self.policy.claims.no_transfers {
                return None;
            }
            vec![Block::Paragraph(self.t("transfers.none").to_owned())]
        } else {
            vec![
                Block::Paragraph(self.t("transfers.intro").to_owned()),
                Block::Table {
                    header: vec![
                        self.t("recipients.who").to_owned(),
                        self.t("recipients.country").to_owned(),
                        self.t("transfers.safeguard").to_owned(),
                    ],
                    rows,
                },
                Block::Paragraph(fill(
                    self.t("transfers.copy"),
                    &[("email", &self.contact())],
                )),
            ]
        };
        Some(self.section("transfers", blocks))
    }

    pub(super) fn retention(&self) -> Section {
        let p = self.policy;
        let rows = p
            .retention
            .iter()
            .map(|rule| {
                let categories: Vec<&str> = p
                    .categories
                    .iter()
                    .filter(|c| rule.categories.contains(&c.id))
                    .map(|c| c.name.get(self.lang))
                    .collect();
                let purposes: Vec<&str> = rule
                    .purposes
                    .iter()
                    .filter_map(|id| p.purpose(id))
                    .map(|purpose| purpose.name.get(self.lang))
                    .collect();
                vec![
                    self.join(&categories),
                    self.join(&purposes),
                    retention_sentence(rule, self.lang),
                ]
            })
            .collect();
        self.section(
            "retention",
            vec![
                Block::Paragraph(self.t("retention.intro").to_owned()),
                Block::Table {
                    header: vec![
                        self.t("retention.data").to_owned(),
                        self.t("retention.purposes").to_owned(),
                        self.t("retention.how_long").to_owned(),
                    ],
                    rows,
                },
            ],
        )
    }
}
