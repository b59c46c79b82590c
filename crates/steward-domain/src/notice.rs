//! The privacy notice (Art. 13 and 14), generated from the policy.
//!
//! [`NoticeDocument::build`] decides what the notice says, in one language,
//! as sections of paragraphs, lists and tables; the askama templates only lay
//! it out as Markdown or HTML, so both formats always say the same thing.
//! Each section carries a stable id naming the Art. 13/14 element it serves.

use askama::Template;

use crate::i18n::{Lang, cite, fill, t};
use crate::policy::{
    CookieLifetime, LegalBasis, Policy, RecipientRole, RetentionAction, RetentionPeriod,
    RetentionRule, SourceKind,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Paragraph(String),
    Subheading(String),
    List(Vec<String>),
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// Stable anchor, e.g. `legal-basis`; the tests look sections up by it.
    pub id: &'static str,
    pub heading: String,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeDocument {
    pub lang: &'static str,
    pub title: String,
    pub preamble: String,
    pub sections: Vec<Section>,
}

/// The sections of a notice, in order, with the article each serves. Every
/// notice has all of them but `dpo`, `children` and `cookies`, shown only when
/// the policy declares a DPO, a minimum age or cookies.
pub const SECTIONS: &[(&str, &str)] = &[
    ("controller", "Art. 13(1)(a), 14(1)(a)"),
    ("dpo", "Art. 13(1)(b), 14(1)(b)"),
    ("data", "Art. 14(1)(d)"),
    ("sources", "Art. 14(2)(f)"),
    ("purposes", "Art. 13(1)(c), (d), 14(1)(c), 14(2)(b)"),
    ("provision", "Art. 13(2)(e)"),
    ("recipients", "Art. 13(1)(e), 14(1)(e)"),
    ("transfers", "Art. 13(1)(f), 14(1)(f), 15(2)"),
    ("retention", "Art. 13(2)(a), 14(2)(a)"),
    ("rights", "Art. 13(2)(b), 14(2)(c), 12-22"),
    ("consent", "Art. 13(2)(c), 14(2)(d), 7(3)"),
    ("complaint", "Art. 13(2)(d), 14(2)(e), 77"),
    ("automated", "Art. 13(2)(f), 14(2)(g), 22"),
    ("children", "Art. 8"),
    (
        "cookies",
        "Lag (2022:482) om elektronisk kommunikation 9 kap. 28 §",
    ),
    ("security", "Art. 32"),
    ("changes", "Art. 12(1), 13(3)"),
];

pub fn markdown(policy: &Policy, lang: Lang) -> askama::Result<String> {
    NoticeDocument::build(policy, lang).to_markdown()
}

/// Templates are easier to read with generous blank lines; Markdown needs one.
fn single_blank_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0;
    for line in text.lines() {
        let line = line.trim_end();
        blank_run = if line.is_empty() { blank_run + 1 } else { 0 };
        if blank_run <= 1 {
            out.push_str(line);
            out.push('\n');
        }
    }
    out.trim_end().to_owned() + "\n"
}

pub fn html(policy: &Policy, lang: Lang) -> askama::Result<String> {
    NoticeDocument::build(policy, lang).to_html()
}

#[derive(Template)]
#[template(path = "notice.md")]
struct MarkdownNotice<'a> {
    doc: &'a NoticeDocument,
}

#[derive(Template)]
#[template(path = "notice.html")]
struct HtmlNotice<'a> {
    doc: &'a NoticeDocument,
}

impl NoticeDocument {
    pub fn build(policy: &Policy, lang: Lang) -> Self {
        let b = Builder { policy, lang };
        let controller = &policy.controller;
        NoticeDocument {
            lang: lang.code(),
            title: fill(b.t("notice.title"), &[("controller", &controller.name)]),
            preamble: fill(
                b.t("notice.preamble"),
                &[
                    ("controller", &controller.name),
                    ("version", &policy.meta.version.to_string()),
                    ("effective", &policy.meta.effective.to_string()),
                ],
            ),
            sections: vec![
                Some(b.controller()),
                b.dpo(),
                Some(b.data()),
                Some(b.sources()),
                Some(b.purposes()),
                Some(b.provision()),
                Some(b.recipients()),
                Some(b.transfers()),
                Some(b.retention()),
                Some(b.rights()),
                Some(b.consent()),
                Some(b.complaint()),
                Some(b.automated()),
                b.children(),
                b.cookies(),
                Some(b.security()),
                Some(b.changes()),
            ]
            .into_iter()
            .flatten()
            .collect(),
        }
    }

    /// Any document of sections, rendered as Markdown (the access report uses this too).
    pub fn to_markdown(self) -> askama::Result<String> {
        let document = self.escaped_for_markdown();
        MarkdownNotice { doc: &document }
            .render()
            .map(|text| single_blank_lines(&text))
    }

    pub fn to_html(&self) -> askama::Result<String> {
        HtmlNotice { doc: self }.render()
    }

    pub fn section(&self, id: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.id == id)
    }

    /// Markdown gives `|`, `*`, `_` and a few more meaning; escape them in
    /// text that came from the policy so it prints as written.
    fn escaped_for_markdown(mut self) -> Self {
        fn escape(text: &mut String) {
            let mut out = String::with_capacity(text.len());
            for c in text.chars() {
                match c {
                    '|' | '*' | '_' | '`' | '<' | '>' | '[' | ']' | '#' => {
                        out.push('\\');
                        out.push(c);
                    }
                    '\n' => out.push(' '),
                    _ => out.push(c),
                }
            }
            *text = out;
        }
        escape(&mut self.title);
        escape(&mut self.preamble);
        for section in &mut self.sections {
            escape(&mut section.heading);
            for block in &mut section.blocks {
                match block {
                    Block::Paragraph(text) | Block::Subheading(text) => escape(text),
                    Block::List(items) => items.iter_mut().for_each(escape),
                    Block::Table { header, rows } => {
                        header.iter_mut().for_each(escape);
                        rows.iter_mut().flatten().for_each(escape);
                    }
                }
            }
        }
        self
    }
}

/// Builds one section at a time; every fixed string comes from the catalogue.
struct Builder<'a> {
    policy: &'a Policy,
    lang: Lang,
}

impl Builder<'_> {
    fn t(&self, key: &str) -> &'static str {
        t(self.lang, key)
    }

    fn section(&self, id: &'static str, blocks: Vec<Block>) -> Section {
        Section {
            id,
            heading: self.t(&format!("section.{id}")).to_owned(),
            blocks,
        }
    }

    fn controller(&self) -> Section {
        let c = &self.policy.controller;
        let mut details = vec![c.name.clone()];
        if let Some(number) = &c.organisation_number {
            details.push(format!(
                "{} {number}",
                self.t("controller.organisation_number")
            ));
        }
        details.push(format!("{} {}", self.t("contact.address"), c.address));
        details.push(format!("{} {}", self.t("contact.email"), c.email));
        if let Some(phone) = &c.phone {
            details.push(format!("{} {phone}", self.t("contact.phone")));
        }
        if let Some(website) = &c.website {
            details.push(format!("{} {website}", self.t("contact.website")));
        }
        let mut blocks = vec![
            Block::Paragraph(fill(self.t("controller.intro"), &[("controller", &c.name)])),
            Block::List(details),
        ];
        if let Some(processor) = &c.acts_as_processor {
            blocks.push(Block::Paragraph(processor.get(self.lang).to_owned()));
        }
        if let Some(rep) = &c.eu_representative {
            blocks.push(Block::Paragraph(
                self.t("controller.representative").to_owned(),
            ));
            blocks.push(Block::List(self.contact_lines(rep)));
        }
        let joint: Vec<String> = self
            .policy
            .recipients
            .iter()
            .filter(|r| r.role == RecipientRole::JointController)
            .map(|r| r.name.get(self.lang).to_owned())
            .collect();
        if !joint.is_empty() {
            blocks.push(Block::Paragraph(fill(
                self.t("controller.joint"),
                &[("names", &joint.join(", "))],
            )));
        }
        self.section("controller", blocks)
    }

    fn contact_lines(&self, contact: &crate::policy::Contact) -> Vec<String> {
        let mut lines = vec![contact.name.clone()];
        let fields = [
            ("contact.address", &contact.address),
            ("contact.email", &contact.email),
            ("contact.phone", &contact.phone),
            ("contact.website", &contact.website),
        ];
        for (key, value) in fields {
            if let Some(value) = value {
                lines.push(format!("{} {value}", self.t(key)));
            }
        }
        lines
    }

    /// Art. 13(1)(b) applies only where a DPO is appointed; without one
    /// declared the notice says nothing either way.
    fn dpo(&self) -> Option<Section> {
        let dpo = self.policy.controller.dpo.as_ref()?;
        Some(self.section(
            "dpo",
            vec![
                Block::Paragraph(self.t("dpo.appointed").to_owned()),
                Block::List(self.contact_lines(dpo)),
            ],
        ))
    }

    fn data(&self) -> Section {
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

    fn sources(&self) -> Section {
        let p = self.policy;
        let mut blocks = vec![Block::Paragraph(self.t("sources.intro").to_owned())];
        let third_party: Vec<String> = p
            .sources
            .iter()
            .filter(|s| s.kind != SourceKind::DataSubject)
            .map(|s| {
                let categories: Vec<&str> = p
                    .categories
                    .iter()
                    .filter(|c| c.sources.contains(&s.id))
                    .map(|c| c.name.get(self.lang))
                    .collect();
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
        if third_party.is_empty() {
            blocks.push(Block::Paragraph(self.t("sources.none").to_owned()));
        } else {
            blocks.push(Block::Paragraph(self.t("sources.others").to_owned()));
            blocks.push(Block::List(third_party));
        }
        self.section("sources", blocks)
    }

    fn basis_text(&self, purpose: &crate::policy::Purpose) -> String {
        legal_basis_text(purpose, self.lang)
    }

    fn purposes(&self) -> Section {
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
            let mut facts = vec![
                format!("{} {}", self.t("purposes.basis"), self.basis_text(purpose)),
                format!(
                    "{} {}",
                    self.t(if purpose.anonymous {
                        "purposes.anonymised_data"
                    } else {
                        "purposes.categories"
                    }),
                    self.join(&categories)
                ),
            ];
            if !subjects.is_empty() {
                facts.push(format!(
                    "{} {}",
                    self.t("purposes.subjects"),
                    self.join(&subjects)
                ));
            }
            if purpose.direct_marketing {
                facts.push(self.t("purposes.direct_marketing").to_owned());
            }
            if purpose.profiling {
                facts.push(self.t("purposes.profiling").to_owned());
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

    fn provision(&self) -> Section {
        let mut blocks = vec![Block::Paragraph(self.t("provision.intro").to_owned())];
        let required: Vec<String> = self
            .policy
            .purposes
            .iter()
            .filter_map(|purpose| {
                let kind = purpose.provision?;
                let key = kind.key();
                let mut line = format!("{}: {}", purpose.name.get(self.lang), self.t(key));
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

    fn recipients(&self) -> Section {
        let p = self.policy;
        if p.recipients.is_empty() {
            return self.section(
                "recipients",
                vec![Block::Paragraph(self.t("recipients.none").to_owned())],
            );
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
                vec![
                    who,
                    self.t(r.role.key()).to_owned(),
                    self.join(&purposes),
                    r.country.name(self.lang).to_owned(),
                ]
            })
            .collect();
        self.section(
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
        )
    }

    fn transfers(&self) -> Section {
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
                    r.country.name(self.lang).to_owned(),
                    safeguard,
                ]
            })
            .collect();
        let blocks = if rows.is_empty() {
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
                    &[("email", &self.policy.rights.contact)],
                )),
            ]
        };
        self.section("transfers", blocks)
    }

    fn retention(&self) -> Section {
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

    fn rights(&self) -> Section {
        let p = self.policy;
        let r = &p.rights;
        let mut access = self.t("rights.access").to_owned();
        match r.free_copies_per_year {
            Some(n) => {
                let fee = r.fee_after.as_ref().map(|f| f.get(self.lang)).unwrap_or("");
                access = format!(
                    "{access} {}",
                    fill(
                        self.t(if n == 1 {
                            "rights.copies_one"
                        } else {
                            "rights.copies_many"
                        }),
                        &[("n", &n.to_string()), ("fee", fee)]
                    )
                );
            }
            None => access = format!("{access} {}", self.t("rights.copies_free")),
        }
        let erasure = self.t("rights.erasure").to_owned();
        let mut objection = self.t("rights.objection").to_owned();
        if p.purposes.iter().any(|purpose| purpose.direct_marketing) {
            objection = format!("{objection} {}", self.t("rights.objection_marketing"));
        }
        let verification = self.t(r.identity_verification.key());
        let mut blocks = vec![
            Block::Paragraph(self.t("rights.intro").to_owned()),
            Block::List(vec![
                access,
                self.t("rights.rectification").to_owned(),
                erasure,
                self.t("rights.restriction").to_owned(),
                objection,
                self.t("rights.portability").to_owned(),
            ]),
            Block::Paragraph(fill(
                self.t("rights.how"),
                &[
                    ("email", &r.contact),
                    ("deadline", &r.response_deadline.describe(self.lang)),
                    ("verification", verification),
                ],
            )),
        ];
        let kept: Vec<String> = p
            .retention
            .iter()
            .filter_map(|rule| {
                let exception = rule.erasure_exception?;
                let categories: Vec<&str> = p
                    .categories
                    .iter()
                    .filter(|c| rule.categories.contains(&c.id))
                    .map(|c| c.name.get(self.lang))
                    .collect();
                let law = rule
                    .law
                    .as_ref()
                    .map(|l| format!(": {l}"))
                    .unwrap_or_default();
                Some(format!(
                    "{}: {} ({}{law}).",
                    self.join(&categories),
                    self.t(exception.key()),
                    cite(exception.article(), self.lang)
                ))
            })
            .collect();
        if !kept.is_empty() {
            blocks.insert(
                2,
                Block::Paragraph(self.t("rights.erasure_kept").to_owned()),
            );
            blocks.insert(3, Block::List(kept));
        }
        self.section("rights", blocks)
    }

    fn consent(&self) -> Section {
        let names: Vec<&str> = self
            .policy
            .purposes
            .iter()
            .filter(|p| p.legal_basis == Some(LegalBasis::Consent))
            .map(|p| p.name.get(self.lang))
            .collect();
        let text = if names.is_empty() {
            self.t("consent.none").to_owned()
        } else {
            fill(
                self.t("consent.withdraw"),
                &[
                    ("purposes", &self.join(&names)),
                    ("email", &self.policy.rights.contact),
                ],
            )
        };
        self.section("consent", vec![Block::Paragraph(text)])
    }

    fn complaint(&self) -> Section {
        let authority = &self.policy.controller.supervisory_authority;
        self.section(
            "complaint",
            vec![
                Block::Paragraph(fill(
                    self.t("complaint.intro"),
                    &[("authority", &authority.name)],
                )),
                Block::List(self.contact_lines(authority)),
            ],
        )
    }

    fn automated(&self) -> Section {
        let p = self.policy;
        let mut blocks = Vec::new();
        let deciding: Vec<&crate::policy::Purpose> = p
            .purposes
            .iter()
            .filter(|purpose| purpose.automated_decision.is_some())
            .collect();
        let with_legal_effect = deciding.iter().any(|purpose| {
            purpose
                .automated_decision
                .as_ref()
                .is_some_and(|d| d.legal_effect)
        });
        if with_legal_effect {
            blocks.push(Block::Paragraph(self.t("automated.yes").to_owned()));
        } else {
            blocks.push(Block::Paragraph(self.t("automated.no").to_owned()));
        }
        let items: Vec<String> = deciding
            .iter()
            .filter_map(|purpose| {
                let decision = purpose.automated_decision.as_ref()?;
                Some(format!(
                    "{}: {}",
                    purpose.name.get(self.lang),
                    decision.logic.get(self.lang)
                ))
            })
            .collect();
        if !items.is_empty() {
            blocks.push(Block::List(items));
        }
        let profiling: Vec<&str> = p
            .purposes
            .iter()
            .filter(|purpose| purpose.profiling)
            .map(|purpose| purpose.name.get(self.lang))
            .collect();
        if profiling.is_empty() {
            blocks.push(Block::Paragraph(
                self.t("automated.no_profiling").to_owned(),
            ));
        } else {
            // Saying profiling has no legal effect would contradict the
            // paragraph above when some automated decision has one.
            blocks.push(Block::Paragraph(fill(
                self.t(if with_legal_effect {
                    "automated.profiling_only"
                } else {
                    "automated.profiling"
                }),
                &[("purposes", &self.join(&profiling))],
            )));
        }
        self.section("automated", blocks)
    }

    /// Only when the policy sets a minimum age: otherwise the notice makes no claim.
    fn children(&self) -> Option<Section> {
        let age = self.policy.controller.minimum_age?.to_string();
        Some(self.section(
            "children",
            vec![Block::Paragraph(fill(
                self.t("children.minimum_age"),
                &[("age", &age), ("email", &self.policy.rights.contact)],
            ))],
        ))
    }

    /// Only when the policy declares cookies: a notice must not claim there
    /// are none just because the policy does not list them.
    fn cookies(&self) -> Option<Section> {
        let p = self.policy;
        if p.cookies.is_empty() {
            return None;
        }
        let rows = p
            .cookies
            .iter()
            .map(|c| {
                let category = self.t(c.category.key());
                let lifetime = match c.lifetime {
                    Some(CookieLifetime::Session) => self.t("cookie.session").to_owned(),
                    Some(CookieLifetime::Persistent(period)) => period.describe(self.lang),
                    None => String::new(),
                };
                let provider = c
                    .provider
                    .clone()
                    .unwrap_or_else(|| p.controller.name.clone());
                let name = match &c.when {
                    Some(when) => format!("{} ({})", c.name, when.get(self.lang)),
                    None => c.name.clone(),
                };
                vec![
                    name,
                    c.description.get(self.lang).to_owned(),
                    category.to_owned(),
                    lifetime,
                    provider,
                ]
            })
            .collect();
        Some(self.section(
            "cookies",
            vec![
                Block::Paragraph(self.t("cookies.intro").to_owned()),
                Block::Table {
                    header: vec![
                        self.t("cookies.name").to_owned(),
                        self.t("cookies.description").to_owned(),
                        self.t("cookies.category").to_owned(),
                        self.t("cookies.lifetime").to_owned(),
                        self.t("cookies.provider").to_owned(),
                    ],
                    rows,
                },
            ],
        ))
    }

    fn security(&self) -> Section {
        let measures: Vec<String> = self
            .policy
            .security_measures
            .iter()
            .map(|m| m.description.get(self.lang).to_owned())
            .collect();
        let mut blocks = vec![Block::Paragraph(self.t("security.intro").to_owned())];
        if !measures.is_empty() {
            blocks.push(Block::List(measures));
        }
        self.section("security", blocks)
    }

    fn changes(&self) -> Section {
        let meta = &self.policy.meta;
        let mut blocks = vec![Block::Paragraph(fill(
            self.t("changes.version"),
            &[
                ("version", &meta.version.to_string()),
                ("effective", &meta.effective.to_string()),
            ],
        ))];
        if let Some(changes) = &meta.changes {
            blocks.push(Block::Paragraph(changes.get(self.lang).to_owned()));
        }
        let how = match &self.policy.rights.notice_changes {
            Some(text) => text.get(self.lang).to_owned(),
            None => self.t("changes.default").to_owned(),
        };
        blocks.push(Block::Paragraph(how));
        self.section("changes", blocks)
    }

    /// "a, b and c" in the notice's language.
    fn join(&self, items: &[&str]) -> String {
        join(items, self.t("word.and"))
    }
}

pub(crate) fn join(items: &[&str], and: &str) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} {and} {last}", init.join(", ")),
    }
}

/// A purpose's legal basis as the notice and the record state it:
/// "our legitimate interests (Art. 6(1)(f)): To ...".
pub fn legal_basis_text(purpose: &crate::policy::Purpose, lang: Lang) -> String {
    let Some(basis) = purpose.legal_basis else {
        return t(lang, "basis.anonymous").to_owned();
    };
    let mut text = format!("{} ({})", t(lang, basis.key()), cite(basis.article(), lang));
    if let Some(interest) = &purpose.legitimate_interest {
        text = format!("{text}: {}", interest.get(lang));
    }
    if let Some(law) = &purpose.law {
        text = format!("{text}: {law}");
    }
    if let Some(condition) = purpose.special_condition {
        text = format!(
            "{text}; {} {}",
            t(lang, "basis.special_condition"),
            cite(condition.article(), lang)
        );
    }
    text
}

/// How long a rule keeps data, as one sentence of the notice:
/// "120 months after the agreement has ended, then deleted."
pub fn retention_sentence(rule: &RetentionRule, lang: Lang) -> String {
    let mut sentence = match &rule.period {
        RetentionPeriod::Indefinite => {
            let why = rule
                .justification
                .as_ref()
                .map(|j| j.get(lang))
                .unwrap_or("");
            fill(t(lang, "retention.indefinite"), &[("why", why)])
        }
        RetentionPeriod::Counted {
            period,
            after,
            calendar_year_end,
            minimum,
            maximum,
        } => {
            let clauses: Vec<&str> = after.iter().map(|e| t(lang, e.key())).collect();
            let events = join(&clauses, t(lang, "word.or"));
            let events = if after.len() > 1 {
                format!("{events} {}", t(lang, "retention.whichever_first"))
            } else {
                events
            };
            let period_text = period.describe(lang);
            let mut text = if *calendar_year_end {
                fill(
                    t(lang, "retention.calendar_year"),
                    &[("period", &period_text), ("event", &events)],
                )
            } else if period.amount == 0 {
                fill(t(lang, "retention.until"), &[("event", &events)])
            } else {
                fill(
                    t(lang, "retention.after"),
                    &[("period", &period_text), ("event", &events)],
                )
            };
            match (minimum, maximum) {
                (Some(min), Some(max)) => {
                    text = format!(
                        "{text}, {}",
                        fill(
                            t(lang, "retention.window"),
                            &[("min", &min.describe(lang)), ("max", &max.describe(lang))]
                        )
                    );
                }
                (Some(min), None) => {
                    text = format!(
                        "{text}, {}",
                        fill(
                            t(lang, "retention.at_least"),
                            &[("min", &min.describe(lang))]
                        )
                    );
                }
                (None, Some(max)) => {
                    text = format!(
                        "{text}, {}",
                        fill(
                            t(lang, "retention.at_most"),
                            &[("max", &max.describe(lang))]
                        )
                    );
                }
                (None, None) => {}
            }
            text
        }
    };
    if let Some(unless) = rule.unless {
        sentence = format!(
            "{sentence}, {}",
            fill(
                t(lang, "retention.unless"),
                &[("event", t(lang, unless.key()))]
            )
        );
    }
    let action = match rule.action {
        RetentionAction::Delete => t(lang, "retention.then_deleted"),
        RetentionAction::Anonymise => t(lang, "retention.then_anonymised"),
    };
    if rule.period != RetentionPeriod::Indefinite {
        sentence = format!("{sentence}; {action}");
    }
    if let Some(law) = &rule.law {
        sentence = format!("{sentence} ({} {law})", t(lang, "retention.required_by"));
    }
    if let Some(note) = &rule.note {
        sentence = format!("{sentence}. {}", note.get(lang));
    }
    let mut chars = sentence.chars();
    let capitalised = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
        None => String::new(),
    };
    if capitalised.ends_with('.') {
        capitalised
    } else {
        format!("{capitalised}.")
    }
}
