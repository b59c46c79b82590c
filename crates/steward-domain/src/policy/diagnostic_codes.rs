//! Every diagnostic Steward can report, with a stable code. `E` codes are
//! structural errors of the file; `L` codes are the linter's legal rules.
//! Codes never change meaning; retired codes are not reused.

/// How serious a diagnostic is: errors stop a policy from being used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    /// One sentence: what the rule demands and why.
    pub summary: &'static str,
}

const fn error(code: &'static str, name: &'static str, summary: &'static str) -> Rule {
    Rule {
        code,
        name,
        severity: Severity::Error,
        summary,
    }
}
const fn warning(code: &'static str, name: &'static str, summary: &'static str) -> Rule {
    Rule {
        code,
        name,
        severity: Severity::Warning,
        summary,
    }
}

// Structure of the file.
pub static TOML_SYNTAX: Rule = error("E001", "toml-syntax", "The file is not valid TOML.");
pub static UNKNOWN_KEY: Rule = error(
    "E002",
    "unknown-key",
    "A key the policy format does not define; usually a typo.",
);
pub static INVALID_VALUE: Rule = error(
    "E003",
    "invalid-value",
    "A value of the wrong type, or not one of the allowed words.",
);
pub static MISSING_KEY: Rule = error(
    "E004",
    "missing-key",
    "A key the policy format requires is absent.",
);
pub static UNDECLARED_REFERENCE: Rule = error(
    "E005",
    "undeclared-reference",
    "A reference to an id (purpose, category, ...) that the policy does not declare.",
);
pub static DUPLICATE_ID: Rule = error(
    "E006",
    "duplicate-id",
    "Two declarations of the same kind share an id.",
);
pub static INVALID_PERIOD: Rule = error(
    "E007",
    "invalid-period",
    "A period that is not a whole number and a unit, such as `30 days` or `13 months`.",
);
pub static INVALID_DATE: Rule = error(
    "E008",
    "invalid-date",
    "A date that is not a calendar date such as 2024-05-25.",
);
pub static INVALID_ID: Rule = error(
    "E009",
    "invalid-id",
    "Ids are lower-case letters, digits and `_`; category ids may use `.` for the hierarchy.",
);
pub static UNKNOWN_COUNTRY: Rule = error(
    "E010",
    "unknown-country",
    "A country that is not an ISO 3166-1 alpha-2 code Steward knows, nor `EEA` or `GLOBAL`.",
);
pub static CONFLICTING_FIELDS: Rule = error(
    "E011",
    "conflicting-fields",
    "Keys that cannot be used together, or a key that needs another.",
);
pub static UNSUPPORTED_LANGUAGE: Rule = error(
    "E012",
    "unsupported-language",
    "Steward writes notices in English (`en`) and Swedish (`sv`).",
);
pub static INVALID_VERSION: Rule = error(
    "E013",
    "invalid-version",
    "A policy version is numbers separated by dots, such as `3.1`.",
);

// The linter.
pub static CONFLICTING_RETENTION: Rule = error(
    "L001",
    "conflicting-retention",
    "Two retention rules give different periods for the same data and purpose: the notice contradicts itself (Art. 5(1)(e), 13(2)(a)).",
);
pub static TRANSFER_WITHOUT_SAFEGUARD: Rule = error(
    "L002",
    "transfer-without-safeguard",
    "A recipient outside the EU/EEA needs a Chapter V safeguard (Art. 44-49).",
);
pub static ADEQUACY_NOT_RECOGNISED: Rule = error(
    "L003",
    "adequacy-not-recognised",
    "`adequacy` is claimed for a country without an adequacy decision of the Commission (Art. 45).",
);
pub static ADEQUACY_SCOPE_UNCONFIRMED: Rule = warning(
    "L004",
    "adequacy-scope-unconfirmed",
    "The country's adequacy decision covers only some organisations (Canada: PIPEDA; USA: Data Privacy Framework); confirm the recipient is covered.",
);
pub static PURPOSE_WITHOUT_RETENTION: Rule = error(
    "L005",
    "purpose-without-retention",
    "Data used for a purpose has no retention rule, so the notice cannot state how long it is kept (Art. 13(2)(a)).",
);
pub static SPECIAL_CATEGORY_WITHOUT_CONDITION: Rule = error(
    "L006",
    "special-category-without-condition",
    "Special-category data (Art. 9(1)) is used without an Art. 9(2) condition.",
);
pub static LEGITIMATE_INTEREST_NOT_STATED: Rule = error(
    "L007",
    "legitimate-interest-not-stated",
    "A purpose on legitimate interests must state the interest (Art. 13(1)(d)).",
);
pub static DIRECT_MARKETING_BASIS: Rule = error(
    "L008",
    "direct-marketing-basis",
    "Direct marketing rests on consent or legitimate interests only (Art. 6(1)(a),(f), Art. 21(2), recital 47).",
);
pub static AUTOMATED_DECISION_WITHOUT_BASIS: Rule = error(
    "L009",
    "automated-decision-without-basis",
    "A decision with legal or similarly significant effect made solely by automated means needs an Art. 22(2) basis.",
);
pub static UNUSED_CATEGORY: Rule = warning(
    "L010",
    "unused-category",
    "A declared category of data that no purpose uses: either it is not processed, or a purpose is missing (Art. 5(1)(b), (c)).",
);
pub static COOKIE_WITHOUT_LIFETIME: Rule = error(
    "L011",
    "cookie-without-lifetime",
    "Every cookie states its lifetime, or `session` (Art. 13(2)(a); Lag om elektronisk kommunikation 9 kap. 28 §).",
);
pub static MINIMUM_AGE_BELOW_13: Rule = error(
    "L012",
    "minimum-age-below-13",
    "Sweden's age for a child's own consent is 13 (Art. 8; Dataskyddslagen 2 kap. 4 §); a policy may only set it higher.",
);
pub static INDEFINITE_WITHOUT_JUSTIFICATION: Rule = error(
    "L013",
    "indefinite-without-justification",
    "Indefinite retention must state the criteria that justify it (Art. 5(1)(e), 13(2)(a)).",
);
pub static MISSING_TRANSLATION: Rule = error(
    "L014",
    "missing-translation",
    "A text lacks one of the policy's languages, so the notice cannot be rendered in it.",
);
pub static UNTRANSLATED_PROSE: Rule = warning(
    "L015",
    "untranslated-prose",
    "A descriptive text is one plain string in a policy of several languages; write it as { en = ..., sv = ... }.",
);
pub static LAW_NOT_NAMED: Rule = error(
    "L016",
    "law-not-named",
    "A legal obligation or public task must name the law it rests on (Art. 6(3)).",
);
pub static NATIONAL_ID_WITHOUT_JUSTIFICATION: Rule = warning(
    "L017",
    "national-id-without-justification",
    "A national identity number may be used only when clearly justified (Art. 87; Dataskyddslagen 3 kap. 10 §); state why.",
);
pub static RETENTION_WINDOW_INVERTED: Rule = error(
    "L018",
    "retention-window-inverted",
    "A retention window whose minimum is longer than its maximum, or whose period falls outside it.",
);
pub static CHANGE_AFTER_VERSION: Rule = error(
    "L019",
    "change-after-version",
    "A purpose says it changed in a version later than the policy's own.",
);
pub static RESPONSE_DEADLINE_TOO_LONG: Rule = error(
    "L020",
    "response-deadline-too-long",
    "Requests must be answered within one month of receipt (Art. 12(3)); extensions are granted per request, not in the policy.",
);
pub static UNUSED_DECLARATION: Rule = warning(
    "L021",
    "unused-declaration",
    "A subject type that no purpose processes, or a source no category comes from.",
);
pub static LEGAL_BASIS_MISSING: Rule = error(
    "L022",
    "legal-basis-missing",
    "Every purpose that processes personal data needs an Art. 6(1) legal basis; only `anonymous` purposes may go without.",
);
pub static NO_SECURITY_MEASURES: Rule = warning(
    "L023",
    "no-security-measures",
    "The record of processing must describe the security measures where possible (Art. 30(1)(g), 32(1)).",
);
pub static FEE_WITHOUT_TERMS: Rule = warning(
    "L024",
    "fee-without-terms",
    "Copies beyond the free ones may carry a reasonable fee (Art. 15(3)); say on what terms with `fee_after`.",
);
pub static EXCEPTION_WITHOUT_LAW: Rule = error(
    "L025",
    "exception-without-law",
    "Data kept despite erasure because of a legal obligation must name the law (Art. 17(3)(b), 6(3)).",
);
pub static COOKIE_WITHOUT_CONSENT: Rule = error(
    "L026",
    "cookie-without-consent",
    "A cookie that is not strictly necessary is set only with consent (Lag (2022:482) om elektronisk kommunikation 9 kap. 28 §).",
);

pub static HOLIDAYS_UNKNOWN: Rule = warning(
    "L027",
    "holidays-unknown",
    "A deadline that ends on a public holiday ends on the next working day (Regulation 1182/71 Art. 3(4)); Steward knows the holidays of Sweden only.",
);

pub static CONSENT_REQUIRED_WITHOUT_CONSENT_PURPOSE: Rule = error(
    "L028",
    "consent-required-without-consent-purpose",
    "A category used only with consent needs a consent-based purpose that uses it, or it can never be used.",
);

/// Every rule, in code order.
pub static ALL: &[&Rule] = &[
    &TOML_SYNTAX,
    &UNKNOWN_KEY,
    &INVALID_VALUE,
    &MISSING_KEY,
    &UNDECLARED_REFERENCE,
    &DUPLICATE_ID,
    &INVALID_PERIOD,
    &INVALID_DATE,
    &INVALID_ID,
    &UNKNOWN_COUNTRY,
    &CONFLICTING_FIELDS,
    &UNSUPPORTED_LANGUAGE,
    &INVALID_VERSION,
    &CONFLICTING_RETENTION,
    &TRANSFER_WITHOUT_SAFEGUARD,
    &ADEQUACY_NOT_RECOGNISED,
    &ADEQUACY_SCOPE_UNCONFIRMED,
    &PURPOSE_WITHOUT_RETENTION,
    &SPECIAL_CATEGORY_WITHOUT_CONDITION,
    &LEGITIMATE_INTEREST_NOT_STATED,
    &DIRECT_MARKETING_BASIS,
    &AUTOMATED_DECISION_WITHOUT_BASIS,
    &UNUSED_CATEGORY,
    &COOKIE_WITHOUT_LIFETIME,
    &MINIMUM_AGE_BELOW_13,
    &INDEFINITE_WITHOUT_JUSTIFICATION,
    &MISSING_TRANSLATION,
    &UNTRANSLATED_PROSE,
    &LAW_NOT_NAMED,
    &NATIONAL_ID_WITHOUT_JUSTIFICATION,
    &RETENTION_WINDOW_INVERTED,
    &CHANGE_AFTER_VERSION,
    &RESPONSE_DEADLINE_TOO_LONG,
    &UNUSED_DECLARATION,
    &LEGAL_BASIS_MISSING,
    &NO_SECURITY_MEASURES,
    &FEE_WITHOUT_TERMS,
    &EXCEPTION_WITHOUT_LAW,
    &COOKIE_WITHOUT_CONSENT,
    &HOLIDAYS_UNKNOWN,
    &CONSENT_REQUIRED_WITHOUT_CONSENT_PURPOSE,
];

/// Finds a rule by its code (`L001`) or name (`conflicting-retention`).
pub fn find(code_or_name: &str) -> Option<&'static Rule> {
    ALL.iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name == code_or_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_well_formed() {
        for (i, a) in ALL.iter().enumerate() {
            assert!(a.code.len() == 4 && (a.code.starts_with('E') || a.code.starts_with('L')));
            for b in &ALL[i + 1..] {
                assert_ne!(a.code, b.code);
                assert_ne!(a.name, b.name);
            }
        }
    }

    #[test]
    fn structural_codes_are_all_errors() {
        assert!(
            ALL.iter()
                .filter(|r| r.code.starts_with('E'))
                .all(|r| r.severity == Severity::Error)
        );
    }

    #[test]
    fn finds_by_code_or_name() {
        assert_eq!(find("l001").map(|r| r.name), Some("conflicting-retention"));
        assert_eq!(find("unknown-key").map(|r| r.code), Some("E002"));
        assert_eq!(find("X999"), None);
    }
}
