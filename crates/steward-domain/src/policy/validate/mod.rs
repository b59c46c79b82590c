//! From the file as written ([`raw`]) to a checked [`Policy`]: every id well
//! formed and unique, every reference declared, every period and date valid.
//! All problems are collected, not only the first, so one run shows them all.

mod notes;
mod sections;
mod toml_errors;
mod values;

use std::collections::HashSet;

use crate::common::lang::Lang;
use crate::policy::diagnostic::Diagnostic;
use crate::policy::diagnostic_codes;
use crate::policy::model::*;
use crate::policy::raw::RawPolicy;
use toml_errors::from_toml_error;

/// The result of reading a policy file: the policy when it is structurally
/// sound, and every diagnostic found on the way (lints come later).
#[derive(Debug)]
pub struct ParseOutcome {
    pub policy: Option<Policy>,
    pub diagnostics: Vec<Diagnostic>,
}

pub fn parse(source: &str) -> ParseOutcome {
    let raw: RawPolicy = match toml::from_str(source) {
        Ok(raw) => raw,
        Err(error) => {
            return ParseOutcome {
                policy: None,
                diagnostics: vec![from_toml_error(&error)],
            };
        }
    };
    let mut validator = Validator {
        source,
        ..Validator::default()
    };
    let policy = validator.policy(raw);
    let failed = validator.diagnostics.iter().any(Diagnostic::is_error);
    ParseOutcome {
        policy: (!failed).then_some(policy),
        diagnostics: validator.diagnostics,
    }
}

#[derive(Default)]
struct Validator<'s> {
    /// The file's text, to name positions in hints.
    source: &'s str,
    diagnostics: Vec<Diagnostic>,
    languages: Vec<Lang>,
    /// Undeclared languages already reported, so a policy written in one is
    /// told once, not once per text.
    undeclared_reported: HashSet<String>,
    /// Assumptions and deviations, as the sections are read.
    notes: Vec<Note>,
}

/// Which texts must be translated: prose, as opposed to proper names.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TextKind {
    Name,
    Prose,
}

impl Validator<'_> {
    fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    fn policy(&mut self, raw: RawPolicy) -> Policy {
        let meta = self.meta(raw.policy);
        let controller = self.controller(raw.controller);
        let rights = self.rights(raw.rights, &controller);

        let subject_types: Vec<SubjectType> = raw
            .subject_types
            .into_iter()
            .map(|s| SubjectType {
                assumed: self.notes("subject_type", s.id.get_ref(), s.assumed, s.deviation),
                id: self.id(&s.id, "subject type", false),
                span: s.id.span(),
                name: self.text(s.name, "name", TextKind::Prose),
                description: s
                    .description
                    .map(|d| self.text(d, "description", TextKind::Prose)),
                data_normally_stored: s.data_normally_stored,
                age_known: s.age_known,
            })
            .collect();
        self.unique(
            "subject type",
            subject_types.iter().map(|s| (s.id.as_str(), &s.span)),
        );

        let sources: Vec<Source> = raw
            .sources
            .into_iter()
            .map(|s| Source {
                id: self.id(&s.id, "source", false),
                span: s.id.span(),
                kind: s.kind,
                name: self.text(s.name, "name", TextKind::Prose),
            })
            .collect();
        self.unique("source", sources.iter().map(|s| (s.id.as_str(), &s.span)));
        let source_ids = Self::ids(sources.iter().map(|s| s.id.as_str()));

        let category_ids: HashSet<String> = raw
            .categories
            .iter()
            .map(|c| c.id.get_ref().clone())
            .collect();
        let categories: Vec<Category> = raw
            .categories
            .into_iter()
            .map(|c| {
                let id = self.id(&c.id, "category", true);
                if let Some((parent, _)) = id.rsplit_once('.')
                    && !category_ids.contains(parent)
                {
                    self.report(
                        Diagnostic::new(
                            &diagnostic_codes::UNDECLARED_REFERENCE,
                            c.id.span(),
                            format!("category `{id}` is below `{parent}`, which is not declared"),
                        )
                        .hint(format!(
                            "declare the parent: [[category]] id = \"{parent}\""
                        )),
                    );
                }
                Category {
                    assumed: self.notes("category", &id, c.assumed, c.deviation),
                    span: c.id.span(),
                    name: self.text(c.name, "name", TextKind::Prose),
                    description: c
                        .description
                        .map(|d| self.text(d, "description", TextKind::Prose)),
                    special: c.special,
                    national_id: c.national_id,
                    justification: c
                        .justification
                        .map(|d| self.text(d, "justification", TextKind::Prose)),
                    derived_from: self.references(&c.derived_from, "category", &category_ids),
                    sources: self.references(&c.sources, "source", &source_ids),
                    consent_required: c.consent_required,
                    profile: c.profile,
                    id,
                }
            })
            .collect();
        self.unique(
            "category",
            categories.iter().map(|c| (c.id.as_str(), &c.span)),
        );

        let subject_ids = Self::ids(subject_types.iter().map(|s| s.id.as_str()));
        let purpose_ids: HashSet<String> = raw
            .purposes
            .iter()
            .map(|p| p.id.get_ref().clone())
            .collect();
        let purposes: Vec<Purpose> = raw
            .purposes
            .into_iter()
            .map(|p| self.purpose(p, &category_ids, &subject_ids))
            .collect();
        self.unique("purpose", purposes.iter().map(|p| (p.id.as_str(), &p.span)));

        let retention: Vec<RetentionRule> = raw
            .retention
            .into_iter()
            .map(|r| self.retention(r, &category_ids, &purpose_ids))
            .collect();
        self.unique(
            "retention rule",
            retention.iter().map(|r| (r.id.as_str(), &r.span)),
        );

        let recipients: Vec<Recipient> = raw
            .recipients
            .into_iter()
            .map(|r| self.recipient(r, &category_ids, &purpose_ids))
            .collect();
        self.unique(
            "recipient",
            recipients.iter().map(|r| (r.id.as_str(), &r.span)),
        );
        let recipient_ids = Self::ids(recipients.iter().map(|r| r.id.as_str()));

        let systems: Vec<System> = raw
            .systems
            .into_iter()
            .map(|s| System {
                id: self.id(&s.id, "system", false),
                span: s.id.span(),
                name: self.text(s.name, "name", TextKind::Name),
                description: s
                    .description
                    .map(|d| self.text(d, "description", TextKind::Prose)),
                categories: self.references(&s.categories, "category", &category_ids),
                processor: s.processor.as_ref().and_then(|p| {
                    self.references(std::slice::from_ref(p), "recipient", &recipient_ids)
                        .pop()
                }),
                connector: s.connector.and_then(|c| self.connector(c)),
            })
            .collect();
        self.unique("system", systems.iter().map(|s| (s.id.as_str(), &s.span)));

        let cookies: Vec<Cookie> = raw
            .cookies
            .into_iter()
            .map(|c| self.cookie(c, &purpose_ids))
            .collect();
        // A cookie may appear once per condition (`when`): the same login
        // cookie lasts 2 days, or 2 weeks if "Remember me" is ticked.
        let cookie_keys: Vec<(String, Span)> = cookies
            .iter()
            .map(|c| {
                let when = c
                    .when
                    .as_ref()
                    .map(|w| format!(" when {}", w.get(self.primary_language())))
                    .unwrap_or_default();
                (format!("{}{when}", c.name), c.span.clone())
            })
            .collect();
        self.unique(
            "cookie",
            cookie_keys.iter().map(|(key, span)| (key.as_str(), span)),
        );

        let security_measures: Vec<SecurityMeasure> = raw
            .security_measures
            .into_iter()
            .map(|m| SecurityMeasure {
                id: self.id(&m.id, "security measure", false),
                span: m.id.span(),
                description: self.text(m.description, "description", TextKind::Prose),
            })
            .collect();
        self.unique(
            "security measure",
            security_measures.iter().map(|m| (m.id.as_str(), &m.span)),
        );

        let claims = self.claims(raw.notice, &recipients, &purposes, &sources);
        let statistics_k = self.statistics_k(raw.statistics);
        Policy {
            statistics_k,
            meta,
            controller,
            rights,
            subject_types,
            sources,
            categories,
            purposes,
            retention,
            recipients,
            systems,
            cookies,
            security_measures,
            notes: std::mem::take(&mut self.notes),
            claims,
        }
    }
}

impl Validator<'_> {
    /// `[statistics] k`: groups of anonymised data smaller than this are
    /// never shown. Below 2 every group of one would name its person.
    fn statistics_k(&mut self, raw: Option<crate::policy::raw::RawStatistics>) -> u32 {
        match raw.and_then(|s| s.k) {
            Some(k) if *k.get_ref() < 2 => {
                self.report(
                    Diagnostic::new(
                        &diagnostic_codes::INVALID_VALUE,
                        k.span(),
                        format!("`k = {}` would show groups of a single person", k.get_ref()),
                    )
                    .hint("use 5 (the default) or more; 2 is the least that hides anyone"),
                );
                crate::policy::model::DEFAULT_STATISTICS_K
            }
            Some(k) => k.into_inner(),
            None => crate::policy::model::DEFAULT_STATISTICS_K,
        }
    }

    /// The notice's absolute statements, each refused where the policy's
    /// own declarations make it untrue.
    fn claims(
        &mut self,
        raw: Option<toml::Spanned<crate::policy::raw::RawNoticeClaims>>,
        recipients: &[Recipient],
        purposes: &[Purpose],
        sources: &[Source],
    ) -> NoticeClaims {
        let Some(raw) = raw else {
            return NoticeClaims::default();
        };
        let span = raw.span();
        let raw = raw.into_inner();
        let contradictions = [
            (
                raw.no_recipients && !recipients.is_empty(),
                "no_recipients",
                "the policy declares recipients",
            ),
            (
                raw.no_transfers && recipients.iter().any(|r| r.country.is_third_country()),
                "no_transfers",
                "a recipient is outside the EU/EEA",
            ),
            (
                raw.no_profiling && purposes.iter().any(|p| p.profiling),
                "no_profiling",
                "a purpose profiles",
            ),
            (
                raw.no_automated_decisions
                    && purposes.iter().any(|p| p.automated_decision.is_some()),
                "no_automated_decisions",
                "a purpose makes automated decisions",
            ),
            (
                raw.no_other_sources
                    && sources
                        .iter()
                        .any(|s| s.kind != crate::policy::SourceKind::DataSubject),
                "no_other_sources",
                "a source other than the data subject is declared",
            ),
        ];
        for (contradicted, key, why) in contradictions {
            if contradicted {
                self.report(
                    Diagnostic::new(
                        &diagnostic_codes::CONFLICTING_FIELDS,
                        span.clone(),
                        format!("`[notice] {key} = true`, but {why}"),
                    )
                    .hint("the notice's statement is then untrue: record it as a `deviation` and remove the claim"),
                );
            }
        }
        NoticeClaims {
            no_recipients: raw.no_recipients,
            no_transfers: raw.no_transfers,
            no_profiling: raw.no_profiling,
            no_automated_decisions: raw.no_automated_decisions,
            no_other_sources: raw.no_other_sources,
        }
    }
}
