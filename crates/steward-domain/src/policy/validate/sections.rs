//! Each section of the file checked in turn: meta, controller, rights,
//! purposes with their retention, recipients, cookies, connectors.

use std::collections::HashSet;

use toml::Spanned;

use super::TextKind;
use super::Validator;
use crate::common::lang::Lang;
use crate::common::period::Period;
use crate::policy::country;
use crate::policy::diagnostic::Diagnostic;
use crate::policy::diagnostic_codes::{self};
use crate::policy::model::*;
use crate::policy::raw::{self, RawConnector};
use crate::policy::vocabulary::*;

impl Validator<'_> {
    pub(super) fn meta(&mut self, raw: raw::RawPolicyMeta) -> PolicyMeta {
        let assumed = self.notes("policy", raw.id.get_ref(), raw.assumed, raw.deviation);
        let languages_span = raw.languages.span();
        let mut languages = Vec::new();
        for lang in raw.languages.into_inner() {
            match Lang::from_code(lang.get_ref()) {
                Some(l) if !languages.contains(&l) => languages.push(l),
                Some(_) => self.report(Diagnostic::new(
                    &diagnostic_codes::DUPLICATE_ID,
                    lang.span(),
                    format!("language `{}` is listed twice", lang.get_ref()),
                )),
                None => self.report(
                    Diagnostic::new(
                        &diagnostic_codes::UNSUPPORTED_LANGUAGE,
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
                    &diagnostic_codes::MISSING_KEY,
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
                            &diagnostic_codes::UNSUPPORTED_LANGUAGE,
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
                    &diagnostic_codes::INVALID_VERSION,
                    raw.version.span(),
                    format!("`{}` is not a version", raw.version.get_ref()),
                )
                .hint("write numbers separated by dots, e.g. `3.1`"),
            );
            Version(vec![0])
        });
        PolicyMeta {
            assumed,
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
                                &diagnostic_codes::DUPLICATE_ID,
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

    /// `MM-DD`: a day that exists in every year (29 February does not).
    fn financial_year(
        &mut self,
        raw: Option<&Spanned<String>>,
    ) -> crate::common::calendar::FinancialYear {
        let Some(raw) = raw else {
            return crate::common::calendar::FinancialYear::default();
        };
        let parsed = raw
            .get_ref()
            .split_once('-')
            .and_then(|(m, d)| Some((m.parse::<i8>().ok()?, d.parse::<i8>().ok()?)))
            .filter(|(m, d)| jiff::civil::Date::new(2023, *m, *d).is_ok());
        match parsed {
            Some((month, day)) => crate::common::calendar::FinancialYear { month, day },
            None => {
                self.report(
                    Diagnostic::new(
                        &diagnostic_codes::INVALID_DATE,
                        raw.span(),
                        format!(
                            "`{}` is not the last day of a financial year",
                            raw.get_ref()
                        ),
                    )
                    .hint("write MM-DD, e.g. `06-30` for a year ending on 30 June"),
                );
                crate::common::calendar::FinancialYear::default()
            }
        }
    }

    pub(super) fn controller(&mut self, raw: raw::RawController) -> Controller {
        // An unknown country is reported once; it then stands as Sweden so
        // that no second, misleading error follows.
        let country = match &raw.country {
            None => country::lookup("SE"),
            Some(code) => self.country(code).or_else(|| country::lookup("SE")),
        }
        .unwrap_or(country::EEA);
        let supervisory_authority = match raw.supervisory_authority {
            Some(authority) => Self::contact(authority),
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
                        &diagnostic_codes::MISSING_KEY,
                        raw.name.span(),
                        "the controller is not in Sweden, so Steward cannot assume IMY as the supervisory authority",
                    )
                    .hint("add [controller.supervisory_authority] with name and website"),
                );
                Self::contact(raw::RawContact {
                    name: String::new(),
                    email: None,
                    phone: None,
                    address: None,
                    website: None,
                })
            }
        };
        let time_zone = self.time_zone(raw.time_zone.as_ref());
        let assumed = self.notes("controller", "controller", raw.assumed, raw.deviation);
        Controller {
            assumed,
            name: raw.name.into_inner(),
            organisation_number: raw.organisation_number,
            address: raw.address,
            country,
            time_zone,
            email: raw.email,
            phone: raw.phone,
            website: raw.website,
            minimum_age: raw.minimum_age.as_ref().map(|a| *a.get_ref()),
            financial_year: self.financial_year(raw.financial_year_end.as_ref()),
            minimum_age_span: raw.minimum_age.as_ref().map(Spanned::span),
            acts_as_processor: raw
                .acts_as_processor
                .map(|t| self.text(t, "acts_as_processor", TextKind::Prose)),
            dpo: raw.dpo.map(Self::contact),
            eu_representative: raw.eu_representative.map(Self::contact),
            supervisory_authority,
        }
    }

    pub(super) fn rights(
        &mut self,
        raw: Option<raw::RawRights>,
        controller: &Controller,
    ) -> Rights {
        let raw = raw.unwrap_or_default();
        let assumed = self.notes("rights", "rights", raw.assumed, raw.deviation);
        Rights {
            assumed,
            portability: raw.portability.unwrap_or_default(),
            statement: raw
                .statement
                .map(|t| self.text(t, "statement", TextKind::Prose)),
            response_deadline: raw
                .response_deadline
                .as_ref()
                .and_then(|p| self.period(p))
                .unwrap_or(Period::new(1, crate::common::period::Unit::Month)),
            response_deadline_span: raw.response_deadline.as_ref().map(Spanned::span),
            free_copies_per_year: raw.free_copies_per_year.map(Spanned::into_inner),
            fee_after: raw
                .fee_after
                .map(|t| self.text(t, "fee_after", TextKind::Prose)),
            identity_verification: raw.identity_verification.unwrap_or_default(),
            guardian_requests: raw.guardian_requests,
            contact: raw.contact.unwrap_or_else(|| controller.email.clone()),
            notice_changes: raw
                .notice_changes
                .map(|t| self.text(t, "notice_changes", TextKind::Prose)),
        }
    }

    pub(super) fn purpose(
        &mut self,
        p: raw::RawPurpose,
        category_ids: &HashSet<String>,
        subject_ids: &HashSet<String>,
    ) -> Purpose {
        if p.before_contract
            && p.legal_basis.as_ref().map(|b| *b.get_ref()) != Some(LegalBasis::Contract)
        {
            self.report(
                Diagnostic::new(
                    &diagnostic_codes::CONFLICTING_FIELDS,
                    p.id.span(),
                    format!(
                        "purpose `{}` has `before_contract = true`, which qualifies only `legal_basis = \"contract\"` (Art. 6(1)(b))",
                        p.id.get_ref()
                    ),
                )
                .hint("remove `before_contract`, or use the contract basis"),
            );
        }
        let changed_in = p.changed_in.as_ref().and_then(|v| {
            let parsed = Version::parse(v.get_ref());
            if parsed.is_none() {
                self.report(
                    Diagnostic::new(
                        &diagnostic_codes::INVALID_VERSION,
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
        let assumed = self.notes("purpose", p.id.get_ref(), p.assumed, p.deviation);
        Purpose {
            assumed,
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
            before_contract: p.before_contract,
        }
    }

    pub(super) fn retention(
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
                        &diagnostic_codes::MISSING_KEY,
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
                            &diagnostic_codes::CONFLICTING_FIELDS,
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
                            &diagnostic_codes::MISSING_KEY,
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
                    Diagnostic::new(&diagnostic_codes::MISSING_KEY, after_span, "`after` lists no event")
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
                            &diagnostic_codes::CONFLICTING_FIELDS,
                            raw_period.span(),
                            format!("retention rule `{id}` keeps data for 0 days from collection, which is not at all"),
                        )
                        .hint("say until which event with `after = \"relationship_end\"` (or another event), or give a longer period"),
                    );
            }
            RetentionPeriod::Counted {
                period: period.unwrap_or(Period::new(0, crate::common::period::Unit::Day)),
                after,
                calendar_year_end,
                minimum: r.minimum.as_ref().and_then(|p| self.period(p)),
                maximum: r.maximum.as_ref().and_then(|p| self.period(p)),
            }
        };
        let assumed = self.notes("retention", &id, r.assumed, r.deviation);
        let action = r.action.unwrap_or_default();
        let statistics = match r.statistics {
            Some(fields) if action != RetentionAction::Anonymise => {
                self.report(
                    Diagnostic::new(
                        &diagnostic_codes::CONFLICTING_FIELDS,
                        fields.span(),
                        format!(
                            "retention rule `{id}` keeps `statistics` fields but does not anonymise"
                        ),
                    )
                    .hint("add `action = \"anonymise\"`, or remove `statistics`"),
                );
                Vec::new()
            }
            Some(fields) => fields.into_inner(),
            None => Vec::new(),
        };
        RetentionRule {
            statistics,
            assumed,
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
            action,
            note: r.note.map(|t| self.text(t, "note", TextKind::Prose)),
            id,
            span,
        }
    }

    pub(super) fn recipient(
        &mut self,
        r: raw::RawRecipient,
        category_ids: &HashSet<String>,
        purpose_ids: &HashSet<String>,
    ) -> Recipient {
        let country = self.country(&r.country).unwrap_or(country::GLOBAL);
        let assumed = self.notes("recipient", r.id.get_ref(), r.assumed, r.deviation);
        Recipient {
            assumed,
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
            standing: r.standing,
        }
    }

    pub(super) fn cookie(&mut self, c: raw::RawCookie, purpose_ids: &HashSet<String>) -> Cookie {
        let lifetime = c.lifetime.as_ref().and_then(|l| {
            if l.get_ref().trim().eq_ignore_ascii_case("session") {
                Some(CookieLifetime::Session)
            } else {
                self.period(l).map(CookieLifetime::Persistent)
            }
        });
        if c.name.get_ref().trim().is_empty() {
            self.report(Diagnostic::new(
                &diagnostic_codes::INVALID_ID,
                c.name.span(),
                "a cookie needs a name",
            ));
        }
        let assumed = self.notes("cookie", c.name.get_ref(), c.assumed, c.deviation);
        Cookie {
            assumed,
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
    pub(super) fn connector(&mut self, raw: Spanned<RawConnector>) -> Option<Connector> {
        let span = raw.span();
        let raw = raw.into_inner();
        let mut missing = |key: &str, hint: &str| {
            self.report(
                Diagnostic::new(
                    &diagnostic_codes::MISSING_KEY,
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
}
