//! The checked policy: every structure the TOML file declares, its
//! references resolved, and the lookups later code uses.

use std::collections::BTreeMap;
use std::ops::Range;

use jiff::civil::Date;

use crate::common::lang::Lang;
use crate::common::period::Period;
use crate::policy::country::Country;
use crate::policy::vocabulary::*;

/// How Steward reaches a system. The declaration of its tables or keys is
/// read by the connector that uses it; connection secrets stay in the
/// environment, named here.
#[derive(Debug, Clone, PartialEq)]
pub struct Connector {
    pub kind: ConnectorKind,
    pub span: Span,
    pub url_env: String,
    pub secret_env: Option<String>,
    /// `{ table = [...] }` or `{ key = [...] }`, as written.
    pub declaration: toml::Table,
}

/// Byte offsets into the policy file.
pub type Span = Range<usize>;

/// Text in the policy's languages, or one language-neutral string (a proper name).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text {
    pub neutral: Option<String>,
    pub by_lang: BTreeMap<Lang, String>,
}

impl Text {
    pub fn neutral(text: impl Into<String>) -> Self {
        Self {
            neutral: Some(text.into()),
            by_lang: BTreeMap::new(),
        }
    }

    /// The text in `lang`; a checked policy has every prose text in every
    /// language it declares, so the fallbacks only serve proper names.
    pub fn get(&self, lang: Lang) -> &str {
        self.by_lang
            .get(&lang)
            .or(self.neutral.as_ref())
            .or_else(|| self.by_lang.values().next())
            .map_or("", String::as_str)
    }
}

/// A dotted version such as `3.1`, compared number by number.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version(pub Vec<u64>);

impl Version {
    /// `3.1` and `3.1.0` are the same version; parts are plain digits.
    pub fn parse(input: &str) -> Option<Self> {
        let parts: Option<Vec<u64>> = input
            .split('.')
            .map(|p| {
                let digits = !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
                digits.then(|| p.parse().ok()).flatten()
            })
            .collect();
        let mut parts = parts?;
        while parts.len() > 1 && parts.last() == Some(&0) {
            parts.pop();
        }
        Some(Version(parts))
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(u64::to_string).collect();
        f.write_str(&parts.join("."))
    }
}

#[derive(Debug, Clone)]
pub struct Policy {
    pub meta: PolicyMeta,
    pub controller: Controller,
    pub rights: Rights,
    pub subject_types: Vec<SubjectType>,
    pub sources: Vec<Source>,
    pub categories: Vec<Category>,
    pub purposes: Vec<Purpose>,
    pub retention: Vec<RetentionRule>,
    pub recipients: Vec<Recipient>,
    pub systems: Vec<System>,
    pub cookies: Vec<Cookie>,
    pub security_measures: Vec<SecurityMeasure>,
    /// The policy's assumptions and deviations from its notice, in file order.
    pub notes: Vec<Note>,
    /// The absolute statements the published notice itself makes.
    pub claims: NoticeClaims,
    /// Anonymised data is counted in groups of at least this many (k-anonymity).
    pub statistics_k: u32,
}

/// The smallest group anonymised data is shown in, unless the policy says.
pub const DEFAULT_STATISTICS_K: u32 = 5;

/// Absolute statements ("we share your data with no one outside the
/// company") the published notice makes in so many words: rendered only
/// when it does, and checked against what the policy declares.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NoticeClaims {
    pub no_recipients: bool,
    pub no_transfers: bool,
    pub no_profiling: bool,
    pub no_automated_decisions: bool,
    /// "We collect personal data only from you": the notice names no other source.
    pub no_other_sources: bool,
}

/// Where a policy says more than its notice, or reads it otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// `purpose`, `retention`, `recipient`, ...
    pub section: &'static str,
    pub id: String,
    pub span: Span,
    pub kind: NoteKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoteKind {
    /// A value the notice does not give, and why this one was chosen.
    Assumed { field: String, reason: String },
    /// The notice's words, unlawful or self-contradictory, and the reading
    /// enforced instead: for the organisation to correct its notice.
    Deviation {
        notice: String,
        reading: String,
        law: Option<String>,
    },
}

/// Whether a section's `field` holds an assumed value.
pub fn is_assumed(assumed: &[String], field: &str) -> bool {
    assumed.iter().any(|f| f == field)
}

#[derive(Debug, Clone)]
pub struct PolicyMeta {
    pub id: String,
    pub version: Version,
    pub effective: Date,
    pub languages: Vec<Lang>,
    pub default_language: Lang,
    pub changes: Option<Text>,
    /// Identity kinds of the organisation's own, beside `email`, `phone`,
    /// `personnummer` and `customer_id`, e.g. `app_user_id`.
    pub identity_kinds: Vec<String>,
    /// Fields whose value the notice does not give (see [`Policy::notes`]).
    pub assumed: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Contact {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub website: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Controller {
    pub name: String,
    pub organisation_number: Option<String>,
    pub address: String,
    pub country: Country,
    /// Where the controller is in time: receipt dates, deadlines, the fee
    /// year and retention dates are taken here (Europe/Stockholm unless the
    /// policy says otherwise).
    pub time_zone: jiff::tz::TimeZone,
    pub email: String,
    pub phone: Option<String>,
    pub website: Option<String>,
    /// The youngest subject the controller serves, when the policy says so.
    /// Art. 8 and Dataskyddslagen 2 kap. 4 § set 13 for a child's own consent
    /// to information society services whatever the policy says.
    pub minimum_age: Option<u32>,
    /// The last day of the financial year: bookkeeping counts from it.
    pub financial_year: crate::common::calendar::FinancialYear,
    pub minimum_age_span: Option<Span>,
    pub acts_as_processor: Option<Text>,
    pub dpo: Option<Contact>,
    pub eu_representative: Option<Contact>,
    pub supervisory_authority: Contact,
    /// Fields whose value the notice does not give (see [`Policy::notes`]).
    pub assumed: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Rights {
    pub response_deadline: Period,
    pub response_deadline_span: Option<Span>,
    /// `None`: every copy is free.
    pub free_copies_per_year: Option<u32>,
    pub fee_after: Option<Text>,
    pub identity_verification: Verification,
    /// A holder of parental responsibility may make a request for a child
    /// (checked by a privacy officer).
    pub guardian_requests: bool,
    pub contact: String,
    pub notice_changes: Option<Text>,
    pub portability: Portability,
    /// What the published notice adds about rights, in its own words.
    pub statement: Option<Text>,
    /// Fields whose value the notice does not give (see [`Policy::notes`]).
    pub assumed: Vec<String>,
}

/// What the right to data portability gives. A policy may promise more than
/// Art. 20 (Elveta: "dina personuppgifter", all of them); the notice then
/// says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Portability {
    /// Art. 20: the data the subject provided, processed by automated means
    /// on consent or contract.
    #[default]
    Article20,
    /// All the personal data held about the subject, in a machine-readable
    /// format; what Art. 20 covers may also be sent to another controller.
    AllData,
}

#[derive(Debug, Clone)]
pub struct SubjectType {
    pub id: String,
    pub span: Span,
    pub name: Text,
    pub description: Option<Text>,
    pub data_normally_stored: bool,
    /// Whether Steward can know these subjects' age. `false` for people
    /// it holds data about without ever meeting them (the other party to a
    /// call in traffic data): the policy's minimum age is not asked of them,
    /// though one known to be under it is still refused.
    pub age_known: bool,
    /// Fields whose value the notice does not give (see [`Policy::notes`]).
    pub assumed: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Source {
    pub id: String,
    pub span: Span,
    pub kind: SourceKind,
    pub name: Text,
}

#[derive(Debug, Clone)]
pub struct Category {
    /// Dotted: `contact.email` is a child of `contact`.
    pub id: String,
    pub span: Span,
    pub name: Text,
    pub description: Option<Text>,
    /// Art. 9(1).
    pub special: bool,
    /// A national identification number (Art. 87), e.g. the Swedish personnummer.
    pub national_id: bool,
    pub justification: Option<Text>,
    /// Non-empty for derived data (profiles, segments, histories).
    pub derived_from: Vec<String>,
    /// Empty: collected from the subject.
    pub sources: Vec<String>,
    /// Used for any purpose only with the subject's consent in force for
    /// a consent-based purpose that uses it (a call recording, whatever
    /// else the call serves). Its sub-categories inherit it.
    pub consent_required: bool,
    /// A profile (Art. 4(4)): a segment, a score, predicted needs or
    /// preferences. Only purposes that declare `profiling` may use it.
    /// Its sub-categories inherit it.
    pub profile: bool,
    /// Fields whose value the notice does not give (see [`Policy::notes`]).
    pub assumed: Vec<String>,
}

impl Category {
    pub fn parent(&self) -> Option<&str> {
        self.id.rsplit_once('.').map(|(parent, _)| parent)
    }

    /// Whether this category is `ancestor` or below it.
    pub fn is_within(&self, ancestor: &str) -> bool {
        is_within(&self.id, ancestor)
    }
}

/// Whether the dotted id `id` is `ancestor` or one of its descendants.
pub fn is_within(id: &str, ancestor: &str) -> bool {
    id == ancestor
        || id
            .strip_prefix(ancestor)
            .is_some_and(|rest| rest.starts_with('.'))
}

#[derive(Debug, Clone)]
pub struct AutomatedDecision {
    pub legal_effect: bool,
    pub basis: Option<AutomatedDecisionBasis>,
    pub logic: Text,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Purpose {
    pub id: String,
    pub span: Span,
    pub name: Text,
    pub description: Text,
    /// `None` only for purposes that use anonymised data alone.
    pub legal_basis: Option<LegalBasis>,
    pub legitimate_interest: Option<Text>,
    /// The law behind a legal obligation or public task (Art. 6(3)).
    pub law: Option<String>,
    pub special_condition: Option<SpecialCondition>,
    pub categories: Vec<String>,
    pub subjects: Vec<String>,
    pub direct_marketing: bool,
    pub profiling: bool,
    pub automated_decision: Option<AutomatedDecision>,
    pub provision: Option<Provision>,
    pub consequence: Option<Text>,
    /// Works on anonymised data only: outside the GDPR once anonymised.
    pub anonymous: bool,
    /// The policy version in which this purpose last changed materially;
    /// consent given before it must be asked for again.
    pub changed_in: Option<Version>,
    /// On `contract`: also the steps taken at the subject's request before
    /// a contract is entered into (Art. 6(1)(b), second half), so it holds
    /// while no contract has yet ended, not only while one is in force.
    pub before_contract: bool,
    /// Fields whose value the notice does not give (see [`Policy::notes`]).
    pub assumed: Vec<String>,
}

impl Purpose {
    /// Whether the subject has a right to object to it, and if not, why not
    /// and what they may do instead: Art. 21(1) covers legitimate interests
    /// and a public task, Art. 21(2) direct marketing on any basis.
    pub fn objection_refused(&self) -> Option<String> {
        if self.direct_marketing {
            return None;
        }
        match self.legal_basis {
            Some(LegalBasis::LegitimateInterests | LegalBasis::PublicTask) => None,
            Some(LegalBasis::Consent) => Some(format!(
                "purpose `{}` rests on consent: the remedy is to withdraw it (Art. 7(3)), not to object (Art. 21 covers legitimate interests, a public task and direct marketing)",
                self.id
            )),
            Some(basis) => Some(format!(
                "purpose `{}` rests on {} ({}), so Art. 21(1) gives no right to object to it; erasure or restriction may be asked for",
                self.id,
                basis.key().trim_start_matches("basis.").replace('_', " "),
                basis.article()
            )),
            None => Some(format!(
                "purpose `{}` uses anonymised data only: there is nothing of the subject's to object to",
                self.id
            )),
        }
    }
}

/// When a retention period ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetentionPeriod {
    /// Kept as long as needed, with a stated justification.
    Indefinite,
    /// `period` after the earliest of `after` (collection by default),
    /// optionally moved to the end of that calendar year first, and kept
    /// between `minimum` and `maximum` from collection.
    Counted {
        period: Period,
        after: Vec<Event>,
        calendar_year_end: bool,
        minimum: Option<Period>,
        maximum: Option<Period>,
    },
}

#[derive(Debug, Clone)]
pub struct RetentionRule {
    pub id: String,
    pub span: Span,
    pub categories: Vec<String>,
    pub purposes: Vec<String>,
    pub period: RetentionPeriod,
    /// The rule stops applying when this happens first (another rule takes over).
    pub unless: Option<Event>,
    pub justification: Option<Text>,
    pub law: Option<String>,
    /// Kept despite an erasure request, and why; a rule that names a `law`
    /// is kept under Art. 17(3)(b) unless it says otherwise.
    pub erasure_exception: Option<ErasureException>,
    pub action: RetentionAction,
    /// For `anonymise`: the fields of a record's value kept, in aggregate only.
    pub statistics: Vec<String>,
    pub note: Option<Text>,
    /// Fields whose value the notice does not give (see [`Policy::notes`]).
    pub assumed: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Safeguard {
    pub kind: SafeguardKind,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Recipient {
    pub id: String,
    pub span: Span,
    pub name: Text,
    pub role: RecipientRole,
    pub description: Option<Text>,
    pub purposes: Vec<String>,
    pub categories: Vec<String>,
    pub country: Country,
    pub country_span: Span,
    pub safeguard: Option<Safeguard>,
    pub safeguard_reference: Option<Text>,
    pub adequacy_scope_confirmed: bool,
    pub law: Option<String>,
    /// The organisation's services copy data to this recipient as they
    /// collect it (a host, a helpdesk, a newsletter service): every record
    /// of its categories collected for one of its purposes counts as
    /// disclosed, without a disclosure call per record. Otherwise data
    /// reaches it only through a recorded disclosure.
    pub standing: bool,
    /// Fields whose value the notice does not give (see [`Policy::notes`]).
    pub assumed: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct System {
    pub id: String,
    pub span: Span,
    pub name: Text,
    pub description: Option<Text>,
    pub categories: Vec<String>,
    pub processor: Option<String>,
    pub connector: Option<Connector>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CookieLifetime {
    Session,
    Persistent(Period),
}

#[derive(Debug, Clone)]
pub struct Cookie {
    pub name: String,
    pub span: Span,
    pub category: CookieCategory,
    /// `None` is a defect the linter reports: Art. 13(2)(a) and the ePrivacy rules
    /// need the lifetime.
    pub lifetime: Option<CookieLifetime>,
    /// The condition for this variant of a cookie, e.g. "if you tick Remember me".
    pub when: Option<Text>,
    pub purpose: Option<String>,
    pub provider: Option<String>,
    pub description: Text,
    /// Fields whose value the notice does not give (see [`Policy::notes`]).
    pub assumed: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct SecurityMeasure {
    pub id: String,
    pub span: Span,
    pub description: Text,
}

impl Policy {
    pub fn purpose(&self, id: &str) -> Option<&Purpose> {
        self.purposes.iter().find(|p| p.id == id)
    }

    pub fn category(&self, id: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.id == id)
    }

    pub fn subject_type(&self, id: &str) -> Option<&SubjectType> {
        self.subject_types.iter().find(|s| s.id == id)
    }

    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.id == id)
    }

    pub fn recipient(&self, id: &str) -> Option<&Recipient> {
        self.recipients.iter().find(|r| r.id == id)
    }

    /// The declared categories with no children: the data actually held.
    pub fn leaf_categories(&self) -> impl Iterator<Item = &Category> {
        self.categories.iter().filter(|c| {
            !self
                .categories
                .iter()
                .any(|other| other.parent() == Some(c.id.as_str()))
        })
    }

    /// The leaf categories at or below each of `ids`.
    pub fn expand_categories<'a>(&'a self, ids: &'a [String]) -> Vec<&'a Category> {
        self.leaf_categories()
            .filter(|leaf| ids.iter().any(|id| leaf.is_within(id)))
            .collect()
    }

    /// The retention rules that govern `category` (a leaf) when used for `purpose`.
    pub fn retention_for<'a>(
        &'a self,
        category: &'a str,
        purpose: &'a str,
    ) -> impl Iterator<Item = &'a RetentionRule> + 'a {
        self.retention.iter().filter(move |rule| {
            rule.purposes.iter().any(|p| p == purpose)
                && rule.categories.iter().any(|c| is_within(category, c))
        })
    }

    pub fn recipients_for<'a>(&'a self, purpose: &'a str) -> impl Iterator<Item = &'a Recipient> {
        self.recipients
            .iter()
            .filter(move |r| r.purposes.iter().any(|p| p == purpose))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_by_number_and_ignore_trailing_zeros() {
        let v = |s: &str| Version::parse(s).unwrap_or_else(|| panic!("{s}"));
        assert_eq!(v("3.1.0"), v("3.1"));
        assert!(v("3.10") > v("3.9"));
        assert!(v("4") > v("3.99"));
        for bad in ["", "v2", "3.", "+2.0", "3.-1", "3..1"] {
            assert_eq!(Version::parse(bad), None, "{bad}");
        }
    }
}
