//! From the file as written ([`raw`]) to a checked [`Policy`]: every id well
//! formed and unique, every reference declared, every period and date valid.
//! All problems are collected, not only the first, so one run shows them all.

use std::collections::{BTreeMap, HashSet};

use toml::Spanned;

use super::raw::{self, Id, RawConnector, RawPolicy, RawText};
use super::*;
use crate::country;
use crate::diagnostic::Diagnostic;
use crate::rules::{self, Rule};

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

/// Sorts serde's and the TOML parser's messages into our codes, and adds hints.
fn from_toml_error(error: &toml::de::Error) -> Diagnostic {
    let message = error.message().trim().to_owned();
    let span = error.span();
    let quoted = backticked(&message);
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let key = quoted.first().cloned().unwrap_or_default();
        let expected: Vec<&str> = quoted.iter().skip(1).map(String::as_str).collect();
        let mut diagnostic =
            Diagnostic::new(&rules::UNKNOWN_KEY, span, format!("unknown key `{key}`"));
        diagnostic = match closest(&key, &expected) {
            Some(best) => diagnostic.hint(format!("did you mean `{best}`?")),
            None if !expected.is_empty() => {
                diagnostic.hint(format!("the keys allowed here are {}", list(&expected)))
            }
            None => diagnostic.hint(rest.to_owned()),
        };
        return diagnostic;
    }
    if message.starts_with("missing field") {
        let key = quoted.first().cloned().unwrap_or_default();
        let hint = if matches!(key.as_str(), "policy" | "controller") {
            format!("add a `[{key}]` table; docs/policy.md describes it")
        } else {
            format!("add `{key} = ...` to this table; docs/policy.md describes it")
        };
        return Diagnostic::new(&rules::MISSING_KEY, span, format!("missing key `{key}`"))
            .hint(hint);
    }
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        let value = quoted.first().cloned().unwrap_or_default();
        let expected: Vec<&str> = quoted.iter().skip(1).map(String::as_str).collect();
        let diagnostic = Diagnostic::new(
            &rules::INVALID_VALUE,
            span,
            format!("`{value}` is not an allowed value here"),
        );
        return match closest(&value, &expected) {
            Some(best) => diagnostic.hint(format!(
                "did you mean `{best}`? The allowed values are {}",
                list(&expected)
            )),
            None if !expected.is_empty() => {
                diagnostic.hint(format!("the allowed values are {}", list(&expected)))
            }
            None => diagnostic.hint(rest.to_owned()),
        };
    }
    if message.starts_with("invalid type")
        || message.starts_with("invalid value")
        || message.starts_with("invalid length")
    {
        let hint = if message.contains("datetime") {
            "write dates without quotes, as TOML dates: `effective = 2024-05-25`"
        } else if message.contains("map, expected a sequence") {
            "a list of tables takes double brackets: `[[security_measure]]`, `[[purpose]]`, ..."
        } else if message.contains("sequence") {
            "write a list in brackets: `[\"a\", \"b\"]`"
        } else {
            "docs/policy.md gives the type of every key"
        };
        let message = message
            .replace("expected u32", "expected a whole number")
            .replace("expected a borrowed string", "expected a string");
        // serde names our Rust types (`struct RawController`); users know tables.
        let message = match message.find("struct Raw") {
            Some(at) => format!("{}a table", &message[..at]),
            None => message,
        };
        return Diagnostic::new(&rules::INVALID_VALUE, span, message).hint(hint);
    }
    if message.contains("one value or a list") || message.contains("table of languages") {
        return Diagnostic::new(
            &rules::INVALID_VALUE,
            span,
            format!(
                "expected {}",
                message
                    .trim_start_matches("data did not match any variant of untagged enum ")
                    .trim_start_matches("expected ")
            ),
        )
        .hint("docs/policy.md gives the type of every key");
    }
    let (rule, hint): (&'static Rule, &str) = if message.contains("duplicate key") {
        (
            &rules::TOML_SYNTAX,
            "each key may appear once in a table; for several items use [[arrays of tables]]",
        )
    } else {
        (
            &rules::TOML_SYNTAX,
            "see https://toml.io for the syntax; strings need double quotes",
        )
    };
    Diagnostic::new(rule, span, message).hint(hint)
}

/// The words between backticks in serde's messages.
fn backticked(message: &str) -> Vec<String> {
    message
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

fn list(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The candidate nearest to a misspelt word, if it is near enough to be a typo.
pub(crate) fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), *c))
        .filter(|(distance, c)| *distance <= (c.len() / 3).max(2))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c)
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
                id: self.id(&s.id, "subject type", false),
                span: s.id.span(),
                name: self.text(s.name, "name", TextKind::Prose),
                description: s
                    .description
                    .map(|d| self.text(d, "description", TextKind::Prose)),
                data_normally_stored: s.data_normally_stored,
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
        let source_ids = ids(sources.iter().map(|s| s.id.as_str()));

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
                            &rules::UNDECLARED_REFERENCE,
                            c.id.span(),
                            format!("category `{id}` is below `{parent}`, which is not declared"),
                        )
                        .hint(format!(
                            "declare the parent: [[category]] id = \"{parent}\""
                        )),
                    );
                }
                Category {
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
                    id,
                }
            })
            .collect();
        self.unique(
            "category",
            categories.iter().map(|c| (c.id.as_str(), &c.span)),
        );

        let subject_ids = ids(subject_types.iter().map(|s| s.id.as_str()));
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
        let recipient_ids = ids(recipients.iter().map(|r| r.id.as_str()));

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

        Policy {
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
        }
    }

    fn meta(&mut self, raw: raw::RawPolicyMeta) -> PolicyMeta {
        let languages_span = raw.languages.span();
        let mut languages = Vec::new();
        for lang in raw.languages.into_inner() {
            match Lang::from_code(lang.get_ref()) {
                Some(l) if !languages.contains(&l) => languages.push(l),
                Some(_) => self.report(Diagnostic::new(
                    &rules::DUPLICATE_ID,
                    lang.span(),
                    format!("language `{}` is listed twice", lang.get_ref()),
                )),
                None => self.report(
                    Diagnostic::new(
                        &rules::UNSUPPORTED_LANGUAGE,
                        lang.span(),
                        format!("language `{}` is not supported", lang.get_ref()),
                    )
                    .hint("use `en` (English) and/or `sv` (Swedish)"),
                ),
            }
        }
        if languages.is_empty() {
            self.report(
                Diagnostic::new(
                    &rules::MISSING_KEY,
                    languages_span,
                    "the policy lists no language",
                )
                .hint("write `languages = [\"en\", \"sv\"]`"),
            );
            languages.push(Lang::En);
        }
        self.languages = languages.clone();
        let default_language = match raw.default_language {
            None => languages[0],
            Some(code) => match Lang::from_code(code.get_ref()) {
                Some(lang) if languages.contains(&lang) => lang,
                _ => {
                    self.report(
                        Diagnostic::new(
                            &rules::UNSUPPORTED_LANGUAGE,
                            code.span(),
                            format!(
                                "default language `{}` is not one of the policy's languages",
                                code.get_ref()
                            ),
                        )
                        .hint("pick one of `languages`"),
                    );
                    languages[0]
                }
            },
        };
        let version = Version::parse(raw.version.get_ref()).unwrap_or_else(|| {
            self.report(
                Diagnostic::new(
                    &rules::INVALID_VERSION,
                    raw.version.span(),
                    format!("`{}` is not a version", raw.version.get_ref()),
                )
                .hint("write numbers separated by dots, e.g. `3.1`"),
            );
            Version(vec![0])
        });
        PolicyMeta {
            id: self.id(&raw.id, "policy", false),
            version,
            effective: self.date(&raw.effective),
            languages,
            default_language,
            changes: raw
                .changes
                .map(|c| self.text(c, "changes", TextKind::Prose)),
            identity_kinds: raw
                .identity_kinds
                .iter()
                .map(|kind| {
                    if matches!(
                        kind.get_ref().as_str(),
                        "email" | "phone" | "personnummer" | "customer_id"
                    ) {
                        self.report(
                            Diagnostic::new(
                                &rules::DUPLICATE_ID,
                                kind.span(),
                                format!("`{}` is a built-in identity kind", kind.get_ref()),
                            )
                            .hint("list only kinds of your own here"),
                        );
                    }
                    self.id(kind, "identity kind", false)
                })
                .collect(),
        }
    }

    fn controller(&mut self, raw: raw::RawController) -> Controller {
        // An unknown country is reported once; it then stands as Sweden so
        // that no second, misleading error follows.
        let country = match &raw.country {
            None => country::lookup("SE"),
            Some(code) => self.country(code).or_else(|| country::lookup("SE")),
        }
        .unwrap_or(country::EEA);
        let supervisory_authority = match raw.supervisory_authority {
            Some(authority) => contact(authority),
            None if country.code == "SE" => Contact {
                name: "Integritetsskyddsmyndigheten (IMY)".into(),
                email: Some("imy@imy.se".into()),
                phone: Some("+46 8 657 61 00".into()),
                address: Some("Box 8114, 104 20 Stockholm".into()),
                website: Some("https://www.imy.se".into()),
            },
            None => {
                self.report(
                    Diagnostic::new(
                        &rules::MISSING_KEY,
                        raw.name.span(),
                        "the controller is not in Sweden, so Steward cannot assume IMY as the supervisory authority",
                    )
                    .hint("add [controller.supervisory_authority] with name and website"),
                );
                contact(raw::RawContact {
                    name: String::new(),
                    email: None,
                    phone: None,
                    address: None,
                    website: None,
                })
            }
        };
        Controller {
            name: raw.name.into_inner(),
            organisation_number: raw.organisation_number,
            address: raw.address,
            country,
            email: raw.email,
            phone: raw.phone,
            website: raw.website,
            minimum_age: raw.minimum_age.as_ref().map(|a| *a.get_ref()),
            minimum_age_span: raw.minimum_age.as_ref().map(Spanned::span),
            acts_as_processor: raw
                .acts_as_processor
                .map(|t| self.text(t, "acts_as_processor", TextKind::Prose)),
            dpo: raw.dpo.map(contact),
            eu_representative: raw.eu_representative.map(contact),
            supervisory_authority,
        }
    }

    fn rights(&mut self, raw: Option<raw::RawRights>, controller: &Controller) -> Rights {
        let raw = raw.unwrap_or(raw::RawRights {
            response_deadline: None,
            free_copies_per_year: None,
            fee_after: None,
            identity_verification: None,
            contact: None,
            notice_changes: None,
        });
        Rights {
            response_deadline: raw
                .response_deadline
                .as_ref()
                .and_then(|p| self.period(p))
                .unwrap_or(Period::new(1, crate::period::Unit::Month)),
            response_deadline_span: raw.response_deadline.as_ref().map(Spanned::span),
            free_copies_per_year: raw.free_copies_per_year.map(Spanned::into_inner),
            fee_after: raw
                .fee_after
                .map(|t| self.text(t, "fee_after", TextKind::Prose)),
            identity_verification: raw.identity_verification.unwrap_or_default(),
            contact: raw.contact.unwrap_or_else(|| controller.email.clone()),
            notice_changes: raw
                .notice_changes
                .map(|t| self.text(t, "notice_changes", TextKind::Prose)),
        }
    }

    fn purpose(
        &mut self,
        p: raw::RawPurpose,
        category_ids: &HashSet<String>,
        subject_ids: &HashSet<String>,
    ) -> Purpose {
        let changed_in = p.changed_in.as_ref().and_then(|v| {
            let parsed = Version::parse(v.get_ref());
            if parsed.is_none() {
                self.report(
                    Diagnostic::new(
                        &rules::INVALID_VERSION,
                        v.span(),
                        format!("`{}` is not a version", v.get_ref()),
                    )
                    .hint("write the policy version in which the purpose changed, e.g. `3.1`"),
                );
            }
            parsed
        });
        let automated_decision = p.automated_decision.map(|a| {
            let span = a.span();
            let a = a.into_inner();
            AutomatedDecision {
                legal_effect: a.legal_effect,
                basis: a.basis,
                logic: self.text(a.logic, "automated_decision.logic", TextKind::Prose),
                span,
            }
        });
        Purpose {
            id: self.id(&p.id, "purpose", false),
            span: p.id.span(),
            name: self.text(p.name, "name", TextKind::Prose),
            description: self.text(p.description, "description", TextKind::Prose),
            legal_basis: p.legal_basis.map(Spanned::into_inner),
            legitimate_interest: p
                .legitimate_interest
                .map(|t| self.text(t, "legitimate_interest", TextKind::Prose)),
            law: p.law.map(Spanned::into_inner),
            special_condition: p.special_condition.map(Spanned::into_inner),
            categories: self.references(&p.categories, "category", category_ids),
            subjects: self.references(&p.subjects, "subject type", subject_ids),
            direct_marketing: p.direct_marketing,
            profiling: p.profiling,
            automated_decision,
            provision: p.provision,
            consequence: p
                .consequence
                .map(|t| self.text(t, "consequence", TextKind::Prose)),
            anonymous: p.anonymous,
            changed_in,
        }
    }

    fn retention(
        &mut self,
        r: raw::RawRetention,
        category_ids: &HashSet<String>,
        purpose_ids: &HashSet<String>,
    ) -> RetentionRule {
        let span = r.id.span();
        let id = self.id(&r.id, "retention rule", false);
        let calendar_year_end = r.calendar_year_end.as_ref().is_some_and(|c| *c.get_ref());
        let counted_keys: Vec<(&str, Option<Span>)> = vec![
            ("period", r.period.as_ref().map(Spanned::span)),
            ("after", r.after.as_ref().map(Spanned::span)),
            ("minimum", r.minimum.as_ref().map(Spanned::span)),
            ("maximum", r.maximum.as_ref().map(Spanned::span)),
            (
                "calendar_year_end",
                r.calendar_year_end.as_ref().map(Spanned::span),
            ),
            ("unless", r.unless.as_ref().map(Spanned::span)),
        ];
        for (list, what) in [
            (r.categories.is_empty(), "categories"),
            (r.purposes.is_empty(), "purposes"),
        ] {
            if list {
                self.report(
                    Diagnostic::new(
                        &rules::MISSING_KEY,
                        span.clone(),
                        format!("retention rule `{id}` lists no {what}"),
                    )
                    .hint(format!("name the {what} this rule governs")),
                );
            }
        }
        let period = if r.indefinite {
            for (key, key_span) in counted_keys {
                if let Some(key_span) = key_span {
                    self.report(
                        Diagnostic::new(
                            &rules::CONFLICTING_FIELDS,
                            key_span,
                            format!("retention rule `{id}` is `indefinite`, so it cannot also have `{key}`"),
                        )
                        .hint("remove `indefinite = true` or the counted period"),
                    );
                }
            }
            RetentionPeriod::Indefinite
        } else {
            let period = match &r.period {
                Some(p) => self.period(p),
                None => {
                    self.report(
                        Diagnostic::new(
                            &rules::MISSING_KEY,
                            span.clone(),
                            format!("retention rule `{id}` says neither how long (`period`) nor `indefinite = true`"),
                        )
                        .hint("e.g. `period = \"13 months\"`; `period = \"0 days\"` with `after = \"relationship_end\"` keeps data for the relationship"),
                    );
                    None
                }
            };
            let after_span = r.after.as_ref().map(Spanned::span);
            let mut after = r
                .after
                .map(|a| a.into_inner().into_vec())
                .unwrap_or_else(|| vec![Event::Collection]);
            if after.is_empty() {
                self.report(
                    Diagnostic::new(&rules::MISSING_KEY, after_span, "`after` lists no event")
                        .hint("name an event such as `relationship_end`, or leave `after` out to count from collection"),
                );
                after.push(Event::Collection);
            }
            // The order of events does not matter: the earliest one counts.
            after.sort();
            after.dedup();
            if let (Some(p), Some(raw_period)) = (period, &r.period)
                && p.amount == 0
                && after == [Event::Collection]
            {
                self.report(
                        Diagnostic::new(
                            &rules::CONFLICTING_FIELDS,
                            raw_period.span(),
                            format!("retention rule `{id}` keeps data for 0 days from collection, which is not at all"),
                        )
                        .hint("say until which event with `after = \"relationship_end\"` (or another event), or give a longer period"),
                    );
            }
            RetentionPeriod::Counted {
                period: period.unwrap_or(Period::new(0, crate::period::Unit::Day)),
                after,
                calendar_year_end,
                minimum: r.minimum.as_ref().and_then(|p| self.period(p)),
                maximum: r.maximum.as_ref().and_then(|p| self.period(p)),
            }
        };
        RetentionRule {
            categories: self.references(&r.categories, "category", category_ids),
            purposes: self.references(&r.purposes, "purpose", purpose_ids),
            period,
            unless: r.unless.map(Spanned::into_inner),
            justification: r
                .justification
                .map(|t| self.text(t, "justification", TextKind::Prose)),
            erasure_exception: r
                .erasure_exception
                .map(Spanned::into_inner)
                .or(r.law.as_ref().map(|_| ErasureException::LegalObligation)),
            law: r.law,
            action: r.action.unwrap_or_default(),
            note: r.note.map(|t| self.text(t, "note", TextKind::Prose)),
            id,
            span,
        }
    }

    fn recipient(
        &mut self,
        r: raw::RawRecipient,
        category_ids: &HashSet<String>,
        purpose_ids: &HashSet<String>,
    ) -> Recipient {
        let country = self.country(&r.country).unwrap_or(country::GLOBAL);
        Recipient {
            id: self.id(&r.id, "recipient", false),
            span: r.id.span(),
            name: self.text(r.name, "name", TextKind::Name),
            role: r.role,
            description: r
                .description
                .map(|t| self.text(t, "description", TextKind::Prose)),
            purposes: self.references(&r.purposes, "purpose", purpose_ids),
            categories: self.references(&r.categories, "category", category_ids),
            country,
            country_span: r.country.span(),
            safeguard: r.safeguard.map(|s| Safeguard {
                span: s.span(),
                kind: s.into_inner(),
            }),
            safeguard_reference: r
                .safeguard_reference
                .map(|t| self.text(t, "safeguard_reference", TextKind::Name)),
            adequacy_scope_confirmed: r.adequacy_scope_confirmed,
            law: r.law,
        }
    }

    fn cookie(&mut self, c: raw::RawCookie, purpose_ids: &HashSet<String>) -> Cookie {
        let lifetime = c.lifetime.as_ref().and_then(|l| {
            if l.get_ref().trim().eq_ignore_ascii_case("session") {
                Some(CookieLifetime::Session)
            } else {
                self.period(l).map(CookieLifetime::Persistent)
            }
        });
        if c.name.get_ref().trim().is_empty() {
            self.report(Diagnostic::new(
                &rules::INVALID_ID,
                c.name.span(),
                "a cookie needs a name",
            ));
        }
        Cookie {
            name: c.name.get_ref().clone(),
            span: c.name.span(),
            category: c.category,
            lifetime,
            when: c.when.map(|t| self.text(t, "when", TextKind::Prose)),
            purpose: c.purpose.as_ref().and_then(|p| {
                self.references(std::slice::from_ref(p), "purpose", purpose_ids)
                    .pop()
            }),
            provider: c.provider,
            description: self.text(c.description, "description", TextKind::Prose),
        }
    }

    /// Checks an id's form: lower-case ASCII words joined by `_`, and for
    /// categories segments joined by `.`.
    fn id(&mut self, id: &Id, what: &str, dotted: bool) -> String {
        let text = id.get_ref();
        let segment_ok = |s: &str| {
            s.starts_with(|c: char| c.is_ascii_lowercase())
                && s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        };
        let ok = if dotted {
            text.split('.').all(segment_ok)
        } else {
            segment_ok(text)
        };
        if !ok {
            let hint = if dotted {
                "use lower-case letters, digits and `_`, with `.` between levels, e.g. `contact.email`"
            } else {
                "use lower-case letters, digits and `_`, starting with a letter, e.g. `newsletter_dispatch`"
            };
            self.report(
                Diagnostic::new(
                    &rules::INVALID_ID,
                    id.span(),
                    format!("`{text}` is not a valid {what} id"),
                )
                .hint(hint),
            );
        }
        text.clone()
    }

    fn unique<'a>(&mut self, what: &str, items: impl Iterator<Item = (&'a str, &'a Span)>) {
        let mut seen: BTreeMap<&str, &Span> = BTreeMap::new();
        for (id, span) in items {
            if let Some(first) = seen.get(id) {
                let first = crate::diagnostic::Position::of(self.source, first.start);
                self.report(
                    Diagnostic::new(
                        &rules::DUPLICATE_ID,
                        span.clone(),
                        format!("{what} `{id}` is declared twice"),
                    )
                    .hint(format!(
                        "the first is at line {}, column {}; rename or merge the two",
                        first.line, first.column
                    )),
                );
            } else {
                seen.insert(id, span);
            }
        }
    }

    fn references(&mut self, refs: &[Id], what: &str, declared: &HashSet<String>) -> Vec<String> {
        let mut out = Vec::with_capacity(refs.len());
        for reference in refs {
            let id = reference.get_ref();
            if !declared.contains(id) {
                let candidates: Vec<&str> = declared.iter().map(String::as_str).collect();
                let hint = match closest(id, &candidates) {
                    Some(best) => format!("did you mean `{best}`?"),
                    None => format!(
                        "declare it with [[{}]] id = \"{id}\"",
                        what.replace(' ', "_")
                    ),
                };
                self.report(
                    Diagnostic::new(
                        &rules::UNDECLARED_REFERENCE,
                        reference.span(),
                        format!("{what} `{id}` is not declared"),
                    )
                    .hint(hint),
                );
            }
            out.push(id.clone());
        }
        out
    }

    /// A system's connector: the keys its kind needs are there. What its
    /// tables or keys say is checked by the connector when Steward starts.
    fn connector(&mut self, raw: Spanned<RawConnector>) -> Option<Connector> {
        let span = raw.span();
        let raw = raw.into_inner();
        let mut missing = |key: &str, hint: &str| {
            self.report(
                Diagnostic::new(
                    &rules::MISSING_KEY,
                    span.clone(),
                    format!("this {} connector needs `{key}`", raw.kind.name()),
                )
                .hint(hint.to_owned()),
            );
        };
        let Some(url_env) = raw.url_env else {
            missing(
                "url_env",
                "name the environment variable that holds the connection URL, e.g. `url_env = \"CRM_DATABASE_URL\"`",
            );
            return None;
        };
        let mut declaration = toml::Table::new();
        match raw.kind {
            ConnectorKind::Postgres | ConnectorKind::Mysql => match raw.tables {
                Some(tables) => {
                    declaration.insert(
                        "table".into(),
                        toml::Value::Array(tables.into_iter().map(toml::Value::Table).collect()),
                    );
                }
                None => {
                    missing(
                        "table",
                        "declare its tables with [[system.connector.table]]",
                    );
                    return None;
                }
            },
            ConnectorKind::Redis => match raw.keys {
                Some(keys) => {
                    declaration.insert(
                        "key".into(),
                        toml::Value::Array(keys.into_iter().map(toml::Value::Table).collect()),
                    );
                }
                None => {
                    missing("key", "declare its keys with [[system.connector.key]]");
                    return None;
                }
            },
            ConnectorKind::Webhook => {
                if raw.secret_env.is_none() {
                    missing(
                        "secret_env",
                        "name the environment variable that holds the signing secret shared with the service",
                    );
                    return None;
                }
            }
        }
        Some(Connector {
            kind: raw.kind,
            span,
            url_env: url_env.into_inner(),
            secret_env: raw.secret_env.map(Spanned::into_inner),
            declaration,
        })
    }

    fn period(&mut self, raw: &Spanned<String>) -> Option<Period> {
        Period::parse(raw.get_ref())
            .map_err(|e| {
                self.report(
                    Diagnostic::new(&rules::INVALID_PERIOD, raw.span(), e.to_string())
                        .hint("write e.g. `30 days`, `2 weeks`, `13 months` or `7 years`"),
                );
            })
            .ok()
    }

    fn date(&mut self, raw: &Spanned<toml::value::Datetime>) -> Date {
        let value = raw.get_ref();
        match (value.date, value.time) {
            (Some(d), None) => {
                Date::new(d.year as i16, d.month as i8, d.day as i8).unwrap_or_else(|e| {
                    self.report(Diagnostic::new(
                        &rules::INVALID_DATE,
                        raw.span(),
                        format!("`{value}` is not a calendar date: {e}"),
                    ));
                    Date::constant(1970, 1, 1)
                })
            }
            _ => {
                self.report(
                    Diagnostic::new(
                        &rules::INVALID_DATE,
                        raw.span(),
                        format!("`{value}` is not a plain date"),
                    )
                    .hint("write the date alone, without a time: `effective = 2024-05-25`"),
                );
                Date::constant(1970, 1, 1)
            }
        }
    }

    fn country(&mut self, raw: &Spanned<String>) -> Option<Country> {
        let found = country::lookup(raw.get_ref());
        if found.is_none() {
            let codes: Vec<&str> = country::COUNTRIES.iter().map(|c| c.code).collect();
            let hint = match closest(&raw.get_ref().to_ascii_uppercase(), &codes) {
                Some(best) if raw.get_ref().len() == 2 => format!(
                    "use an ISO 3166-1 alpha-2 code such as `{best}`, or `EEA` or `GLOBAL`"
                ),
                _ => "use an ISO 3166-1 alpha-2 code such as `SE` or `US`, or `EEA` (inside the EU/EEA) or `GLOBAL` (anywhere)".to_owned(),
            };
            self.report(
                Diagnostic::new(
                    &rules::UNKNOWN_COUNTRY,
                    raw.span(),
                    format!(
                        "`{}` is not a country or region Steward knows",
                        raw.get_ref()
                    ),
                )
                .hint(hint),
            );
        }
        found
    }

    /// Converts a text and checks its languages. Proper names may be one
    /// plain string; prose in a policy of several languages must be translated.
    fn text(&mut self, raw: Spanned<RawText>, field: &str, kind: TextKind) -> Text {
        let span = raw.span();
        match raw.into_inner() {
            RawText::Neutral(text) => {
                if kind == TextKind::Prose && self.languages.len() > 1 {
                    self.report(
                        Diagnostic::new(
                            &rules::UNTRANSLATED_PROSE,
                            span,
                            format!(
                                "`{field}` is one plain string, but the policy is written in {}",
                                self.language_list()
                            ),
                        )
                        .hint(format!(
                            "write `{field} = {{ {} }}`",
                            self.languages
                                .iter()
                                .map(|l| format!("{} = \"...\"", l.code()))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )),
                    );
                }
                Text::neutral(text)
            }
            RawText::Localised(map) => {
                let mut by_lang = BTreeMap::new();
                for (code, text) in map {
                    match Lang::from_code(&code).filter(|l| self.languages.contains(l)) {
                        Some(lang) => {
                            by_lang.insert(lang, text);
                        }
                        None if self.undeclared_reported.insert(code.clone()) => self.report(
                            Diagnostic::new(
                                &rules::UNSUPPORTED_LANGUAGE,
                                span.clone(),
                                format!("`{field}` has a text in `{code}`, which is not one of the policy's languages ({}); other texts in `{code}` are not reported", self.language_list()),
                            )
                            .hint("add the language to [policy] languages, or remove its texts"),
                        ),
                        None => {}
                    }
                }
                for lang in self.languages.clone() {
                    if by_lang.get(&lang).is_none_or(|t| t.trim().is_empty()) {
                        self.report(
                            Diagnostic::new(
                                &rules::MISSING_TRANSLATION,
                                span.clone(),
                                format!("`{field}` has no {} text", lang.english_name()),
                            )
                            .hint(format!("add `{} = \"...\"` to this text", lang.code())),
                        );
                    }
                }
                Text {
                    neutral: None,
                    by_lang,
                }
            }
        }
    }

    fn primary_language(&self) -> Lang {
        self.languages.first().copied().unwrap_or(Lang::En)
    }

    fn language_list(&self) -> String {
        self.languages
            .iter()
            .map(|l| l.code())
            .collect::<Vec<_>>()
            .join(" and ")
    }
}

fn ids<'a>(items: impl Iterator<Item = &'a str>) -> HashSet<String> {
    items.map(str::to_owned).collect()
}

fn contact(raw: raw::RawContact) -> Contact {
    Contact {
        name: raw.name,
        email: raw.email,
        phone: raw.phone,
        address: raw.address,
        website: raw.website,
    }
}
