//! The sections on the subject's side: their rights, consent and its
//! withdrawal, complaints, automated decisions, children, cookies, security
//! and changes to the notice.

use crate::common::lang::{cite, fill};
use crate::policy::{CookieLifetime, LegalBasis, Portability};
use crate::publish::notice::builder::Builder;
use crate::publish::notice::document::{Block, Section};

impl Builder<'_> {
    pub(super) fn rights(&self) -> Section {
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
        let verification = self.marked(
            self.t(r.identity_verification.key()).to_owned(),
            &r.assumed,
            &["identity_verification"],
        );
        let portability = self.t(match r.portability {
            Portability::Article20 => "rights.portability",
            Portability::AllData => "rights.portability_all",
        });
        let contact = self.contact();
        let deadline = self.marked(
            r.response_deadline.describe(self.lang),
            &r.assumed,
            &["response_deadline"],
        );
        let mut blocks = vec![
            Block::Paragraph(self.t("rights.intro").to_owned()),
            Block::List(vec![
                access,
                self.t("rights.rectification").to_owned(),
                erasure,
                self.t("rights.restriction").to_owned(),
                objection,
                portability.to_owned(),
            ]),
            Block::Paragraph(fill(
                self.t("rights.how"),
                &[
                    ("email", &contact),
                    ("deadline", &deadline),
                    ("verification", &verification),
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
                let item = format!(
                    "{}: {} ({}{law})",
                    self.join(&categories),
                    self.t(exception.key()),
                    cite(exception.article(), self.lang)
                );
                Some(format!(
                    "{}.",
                    self.marked(item, &rule.assumed, &["law", "erasure_exception"])
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
        // Without an age limit there is no children's section to say it in.
        if r.guardian_requests && p.controller.minimum_age.is_none() {
            blocks.push(Block::Paragraph(self.guardian()));
        }
        if let Some(statement) = &r.statement {
            blocks.push(Block::Paragraph(statement.get(self.lang).to_owned()));
        }
        self.section("rights", blocks)
    }

    /// A holder of parental responsibility may ask for a child.
    fn guardian(&self) -> String {
        fill(self.t("rights.guardian"), &[("email", &self.contact())])
    }

    pub(super) fn consent(&self) -> Section {
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
                &[("purposes", &self.join(&names)), ("email", &self.contact())],
            )
        };
        self.section("consent", vec![Block::Paragraph(text)])
    }

    pub(super) fn complaint(&self) -> Section {
        let authority = &self.policy.controller.supervisory_authority;
        self.section(
            "complaint",
            vec![
                Block::Paragraph(fill(
                    self.t("complaint.intro"),
                    &[(
                        "authority",
                        &self.marked(
                            authority.name.clone(),
                            &self.policy.controller.assumed,
                            &["supervisory_authority"],
                        ),
                    )],
                )),
                Block::List(self.contact_lines(authority)),
            ],
        )
    }

    /// Absent when nothing is decided automatically, no purpose profiles,
    /// and the notice does not itself say so.
    pub(super) fn automated(&self) -> Option<Section> {
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
        } else if p.claims.no_automated_decisions || !deciding.is_empty() {
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
            if p.claims.no_profiling {
                blocks.push(Block::Paragraph(
                    self.t("automated.no_profiling").to_owned(),
                ));
            }
        } else {
            // Saying profiling has no legal effect would contradict the
            // paragraph above when some automated decision has one, and is
            // a promise only the notice itself can make.
            blocks.push(Block::Paragraph(fill(
                self.t(if with_legal_effect || !p.claims.no_automated_decisions {
                    "automated.profiling_only"
                } else {
                    "automated.profiling"
                }),
                &[("purposes", &self.join(&profiling))],
            )));
        }
        (!blocks.is_empty()).then(|| self.section("automated", blocks))
    }

    /// Only when the policy sets a minimum age: otherwise the notice makes no claim.
    pub(super) fn children(&self) -> Option<Section> {
        let age = self.policy.controller.minimum_age?.to_string();
        let mut blocks = vec![Block::Paragraph(fill(
            self.t("children.minimum_age"),
            &[("age", &age), ("email", &self.contact())],
        ))];
        if self.policy.rights.guardian_requests {
            blocks.push(Block::Paragraph(self.guardian()));
        }
        Some(self.section("children", blocks))
    }

    /// Only when the policy declares cookies: a notice must not claim there
    /// are none just because the policy does not list them.
    pub(super) fn cookies(&self) -> Option<Section> {
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
                    self.marked(category.to_owned(), &c.assumed, &["category", "purpose"]),
                    self.marked(lifetime, &c.assumed, &["lifetime"]),
                    self.marked(provider, &c.assumed, &["provider"]),
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

    pub(super) fn security(&self) -> Section {
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

    pub(super) fn changes(&self) -> Section {
        let meta = &self.policy.meta;
        let mut blocks = vec![Block::Paragraph(fill(
            self.t("changes.version"),
            &[
                ("version", &self.version()),
                ("effective", &self.effective()),
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
}
