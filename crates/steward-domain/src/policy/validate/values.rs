//! The values every section is made of: ids and references, periods, dates,
//! countries, texts in the policy's languages, contact details.

use std::collections::{BTreeMap, HashSet};

use toml::Spanned;

use super::TextKind;
use super::Validator;
use super::toml_errors::closest;
use crate::common::lang::Lang;
use crate::common::period::Period;
use crate::policy::country;
use crate::policy::country::Country;
use crate::policy::diagnostic::Diagnostic;
use crate::policy::diagnostic_codes::{self};
use crate::policy::model::*;
use crate::policy::raw::{self, Id, RawText};
use jiff::civil::Date;

impl Validator<'_> {
    pub(super) fn id(&mut self, id: &Id, what: &str, dotted: bool) -> String {
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
                    &diagnostic_codes::INVALID_ID,
                    id.span(),
                    format!("`{text}` is not a valid {what} id"),
                )
                .hint(hint),
            );
        }
        text.clone()
    }

    pub(super) fn unique<'a>(
        &mut self,
        what: &str,
        items: impl Iterator<Item = (&'a str, &'a Span)>,
    ) {
        let mut seen: BTreeMap<&str, &Span> = BTreeMap::new();
        for (id, span) in items {
            if let Some(first) = seen.get(id) {
                let first = crate::policy::diagnostic::Position::of(self.source, first.start);
                self.report(
                    Diagnostic::new(
                        &diagnostic_codes::DUPLICATE_ID,
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

    pub(super) fn references(
        &mut self,
        refs: &[Id],
        what: &str,
        declared: &HashSet<String>,
    ) -> Vec<String> {
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
                        &diagnostic_codes::UNDECLARED_REFERENCE,
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
    pub(super) fn period(&mut self, raw: &Spanned<String>) -> Option<Period> {
        Period::parse(raw.get_ref())
            .map_err(|e| {
                self.report(
                    Diagnostic::new(&diagnostic_codes::INVALID_PERIOD, raw.span(), e.to_string())
                        .hint("write e.g. `30 days`, `2 weeks`, `13 months` or `7 years`"),
                );
            })
            .ok()
    }

    pub(super) fn date(&mut self, raw: &Spanned<toml::value::Datetime>) -> Date {
        let value = raw.get_ref();
        match (value.date, value.time) {
            (Some(d), None) => {
                Date::new(d.year as i16, d.month as i8, d.day as i8).unwrap_or_else(|e| {
                    self.report(Diagnostic::new(
                        &diagnostic_codes::INVALID_DATE,
                        raw.span(),
                        format!("`{value}` is not a calendar date: {e}"),
                    ));
                    Date::constant(1970, 1, 1)
                })
            }
            _ => {
                self.report(
                    Diagnostic::new(
                        &diagnostic_codes::INVALID_DATE,
                        raw.span(),
                        format!("`{value}` is not a plain date"),
                    )
                    .hint("write the date alone, without a time: `effective = 2024-05-25`"),
                );
                Date::constant(1970, 1, 1)
            }
        }
    }

    /// The controller's time zone: an IANA name from the bundled database
    /// (so every machine reads it alike), Europe/Stockholm if none is given.
    pub(super) fn time_zone(&mut self, raw: Option<&Spanned<String>>) -> jiff::tz::TimeZone {
        let db = jiff::tz::TimeZoneDatabase::bundled();
        let default = || db.get(DEFAULT_TIME_ZONE).unwrap_or(jiff::tz::TimeZone::UTC);
        let Some(raw) = raw else {
            return default();
        };
        match db.get(raw.get_ref()) {
            Ok(zone) => zone,
            Err(_) => {
                self.report(
                    Diagnostic::new(
                        &diagnostic_codes::INVALID_VALUE,
                        raw.span(),
                        format!("`{}` is not a time zone Steward knows", raw.get_ref()),
                    )
                    .hint("use an IANA name such as `Europe/Stockholm` or `Europe/Helsinki`"),
                );
                default()
            }
        }
    }

    pub(super) fn country(&mut self, raw: &Spanned<String>) -> Option<Country> {
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
                    &diagnostic_codes::UNKNOWN_COUNTRY,
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
    pub(super) fn text(&mut self, raw: Spanned<RawText>, field: &str, kind: TextKind) -> Text {
        let span = raw.span();
        match raw.into_inner() {
            RawText::Neutral(text) => {
                if kind == TextKind::Prose && self.languages.len() > 1 {
                    self.report(
                        Diagnostic::new(
                            &diagnostic_codes::UNTRANSLATED_PROSE,
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
                                &diagnostic_codes::UNSUPPORTED_LANGUAGE,
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
                                &diagnostic_codes::MISSING_TRANSLATION,
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

    pub(super) fn primary_language(&self) -> Lang {
        self.languages.first().copied().unwrap_or(Lang::En)
    }

    pub(super) fn language_list(&self) -> String {
        self.languages
            .iter()
            .map(|l| l.code())
            .collect::<Vec<_>>()
            .join(" and ")
    }

    pub(super) fn ids<'a>(items: impl Iterator<Item = &'a str>) -> HashSet<String> {
        items.map(str::to_owned).collect()
    }

    pub(super) fn contact(raw: raw::RawContact) -> Contact {
        Contact {
            name: raw.name,
            email: raw.email,
            phone: raw.phone,
            address: raw.address,
            website: raw.website,
        }
    }
}

/// Where deadlines are taken unless the policy says otherwise.
pub const DEFAULT_TIME_ZONE: &str = "Europe/Stockholm";
