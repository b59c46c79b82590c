//! The policy file exactly as written: serde structures that mirror the TOML.
//!
//! Every id, reference, period and date keeps its byte span so that errors found
//! after parsing can still point at a line and column. `validate` turns this into
//! the checked [`crate::policy::Policy`].

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::{
    AutomatedDecisionBasis, ConnectorKind, CookieCategory, ErasureException, Event, LegalBasis,
    Provision, RecipientRole, RetentionAction, SafeguardKind, SourceKind, SpecialCondition,
    Verification,
};

pub type Id = Spanned<String>;

/// Text in one or more languages: `{ en = "...", sv = "..." }`, or a plain
/// string for proper names that read the same in every language.
#[derive(Debug, Clone, Deserialize)]
#[serde(
    untagged,
    expecting = "a string, or a table of languages such as { en = \"...\", sv = \"...\" }"
)]
pub enum RawText {
    Neutral(String),
    Localised(BTreeMap<String, String>),
}

/// One value or a list of them: `after = "contract_end"` or `after = ["a", "b"]`.
/// Written by hand rather than `untagged` so that an unknown value keeps
/// serde's "unknown variant, expected one of" message.
#[derive(Debug, Clone)]
pub enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::{self, value};

        struct OneOrManyVisitor<T>(std::marker::PhantomData<T>);

        impl<'de, T: Deserialize<'de>> de::Visitor<'de> for OneOrManyVisitor<T> {
            type Value = OneOrMany<T>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("one value or a list of values")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                T::deserialize(value::StrDeserializer::<E>::new(v)).map(OneOrMany::One)
            }

            fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                Vec::<T>::deserialize(value::SeqAccessDeserializer::new(seq)).map(OneOrMany::Many)
            }
        }

        deserializer.deserialize_any(OneOrManyVisitor(std::marker::PhantomData))
    }
}

impl<T> OneOrMany<T> {
    pub fn into_vec(self) -> Vec<T> {
        match self {
            OneOrMany::One(one) => vec![one],
            OneOrMany::Many(many) => many,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    pub policy: RawPolicyMeta,
    pub controller: RawController,
    #[serde(default)]
    pub notice: Option<Spanned<RawNoticeClaims>>,
    #[serde(default)]
    pub rights: Option<RawRights>,
    #[serde(default, rename = "subject_type")]
    pub subject_types: Vec<RawSubjectType>,
    #[serde(default, rename = "source")]
    pub sources: Vec<RawSource>,
    #[serde(default, rename = "category")]
    pub categories: Vec<RawCategory>,
    #[serde(default, rename = "purpose")]
    pub purposes: Vec<RawPurpose>,
    #[serde(default)]
    pub retention: Vec<RawRetention>,
    #[serde(default, rename = "recipient")]
    pub recipients: Vec<RawRecipient>,
    #[serde(default, rename = "system")]
    pub systems: Vec<RawSystem>,
    #[serde(default, rename = "cookie")]
    pub cookies: Vec<RawCookie>,
    #[serde(default, rename = "security_measure")]
    pub security_measures: Vec<RawSecurityMeasure>,
    #[serde(default)]
    pub statistics: Option<RawStatistics>,
}

/// How anonymised data may be read: only in groups of at least `k`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStatistics {
    #[serde(default)]
    pub k: Option<Spanned<u32>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPolicyMeta {
    pub id: Id,
    pub version: Spanned<String>,
    pub effective: Spanned<toml::value::Datetime>,
    pub languages: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    pub default_language: Option<Spanned<String>>,
    #[serde(default)]
    pub changes: Option<Spanned<RawText>>,
    #[serde(default)]
    pub identity_kinds: Vec<Id>,
    /// Values the notice does not give: field -> why this one was chosen.
    #[serde(default)]
    pub assumed: Option<Spanned<BTreeMap<String, String>>>,
    /// Where the notice's own words are unlawful or contradict themselves.
    #[serde(default)]
    pub deviation: Option<Spanned<RawDeviation>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawController {
    pub name: Spanned<String>,
    #[serde(default)]
    pub organisation_number: Option<String>,
    pub address: String,
    #[serde(default)]
    pub country: Option<Spanned<String>>,
    /// IANA name; deadlines and dates are taken in it.
    #[serde(default)]
    pub time_zone: Option<Spanned<String>>,
    pub email: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub website: Option<String>,
    #[serde(default)]
    pub minimum_age: Option<Spanned<u32>>,
    /// `MM-DD`, the last day of the financial year; 31 December if left out.
    #[serde(default)]
    pub financial_year_end: Option<Spanned<String>>,
    #[serde(default)]
    pub acts_as_processor: Option<Spanned<RawText>>,
    #[serde(default)]
    pub dpo: Option<RawContact>,
    #[serde(default)]
    pub eu_representative: Option<RawContact>,
    #[serde(default)]
    pub supervisory_authority: Option<RawContact>,
    /// Values the notice does not give: field -> why this one was chosen.
    #[serde(default)]
    pub assumed: Option<Spanned<BTreeMap<String, String>>>,
    /// Where the notice's own words are unlawful or contradict themselves.
    #[serde(default)]
    pub deviation: Option<Spanned<RawDeviation>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawContact {
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub website: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRights {
    #[serde(default)]
    pub response_deadline: Option<Spanned<String>>,
    #[serde(default)]
    pub free_copies_per_year: Option<Spanned<u32>>,
    #[serde(default)]
    pub fee_after: Option<Spanned<RawText>>,
    #[serde(default)]
    pub identity_verification: Option<Verification>,
    #[serde(default)]
    pub guardian_requests: bool,
    #[serde(default)]
    pub contact: Option<String>,
    #[serde(default)]
    pub notice_changes: Option<Spanned<RawText>>,
    /// What portability gives: `article_20` (the law's minimum) or `all_data`.
    #[serde(default)]
    pub portability: Option<super::Portability>,
    /// What the published notice adds about rights, in its own words.
    #[serde(default)]
    pub statement: Option<Spanned<RawText>>,
    /// Values the notice does not give: field -> why this one was chosen.
    #[serde(default)]
    pub assumed: Option<Spanned<BTreeMap<String, String>>>,
    /// Where the notice's own words are unlawful or contradict themselves.
    #[serde(default)]
    pub deviation: Option<Spanned<RawDeviation>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSubjectType {
    pub id: Id,
    pub name: Spanned<RawText>,
    #[serde(default)]
    pub description: Option<Spanned<RawText>>,
    #[serde(default = "yes")]
    pub data_normally_stored: bool,
    #[serde(default = "yes")]
    pub age_known: bool,
    /// Values the notice does not give: field -> why this one was chosen.
    #[serde(default)]
    pub assumed: Option<Spanned<BTreeMap<String, String>>>,
    /// Where the notice's own words are unlawful or contradict themselves.
    #[serde(default)]
    pub deviation: Option<Spanned<RawDeviation>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSource {
    pub id: Id,
    pub kind: SourceKind,
    pub name: Spanned<RawText>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCategory {
    pub id: Id,
    pub name: Spanned<RawText>,
    #[serde(default)]
    pub description: Option<Spanned<RawText>>,
    #[serde(default)]
    pub special: bool,
    #[serde(default)]
    pub national_id: bool,
    #[serde(default)]
    pub justification: Option<Spanned<RawText>>,
    #[serde(default)]
    pub derived_from: Vec<Id>,
    #[serde(default)]
    pub sources: Vec<Id>,
    #[serde(default)]
    pub consent_required: bool,
    #[serde(default)]
    pub profile: bool,
    /// Values the notice does not give: field -> why this one was chosen.
    #[serde(default)]
    pub assumed: Option<Spanned<BTreeMap<String, String>>>,
    /// Where the notice's own words are unlawful or contradict themselves.
    #[serde(default)]
    pub deviation: Option<Spanned<RawDeviation>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPurpose {
    pub id: Id,
    pub name: Spanned<RawText>,
    pub description: Spanned<RawText>,
    #[serde(default)]
    pub legal_basis: Option<Spanned<LegalBasis>>,
    #[serde(default)]
    pub legitimate_interest: Option<Spanned<RawText>>,
    #[serde(default)]
    pub law: Option<Spanned<String>>,
    #[serde(default)]
    pub special_condition: Option<Spanned<SpecialCondition>>,
    #[serde(default)]
    pub categories: Vec<Id>,
    #[serde(default)]
    pub subjects: Vec<Id>,
    #[serde(default)]
    pub direct_marketing: bool,
    #[serde(default)]
    pub profiling: bool,
    #[serde(default)]
    pub automated_decision: Option<Spanned<RawAutomatedDecision>>,
    #[serde(default)]
    pub provision: Option<Provision>,
    #[serde(default)]
    pub consequence: Option<Spanned<RawText>>,
    #[serde(default)]
    pub anonymous: bool,
    #[serde(default)]
    pub changed_in: Option<Spanned<String>>,
    #[serde(default)]
    pub before_contract: bool,
    /// Values the notice does not give: field -> why this one was chosen.
    #[serde(default)]
    pub assumed: Option<Spanned<BTreeMap<String, String>>>,
    /// Where the notice's own words are unlawful or contradict themselves.
    #[serde(default)]
    pub deviation: Option<Spanned<RawDeviation>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAutomatedDecision {
    #[serde(default)]
    pub legal_effect: bool,
    #[serde(default)]
    pub basis: Option<AutomatedDecisionBasis>,
    pub logic: Spanned<RawText>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRetention {
    pub id: Id,
    pub categories: Vec<Id>,
    pub purposes: Vec<Id>,
    #[serde(default)]
    pub period: Option<Spanned<String>>,
    #[serde(default)]
    pub after: Option<Spanned<OneOrMany<Event>>>,
    #[serde(default)]
    pub calendar_year_end: Option<Spanned<bool>>,
    #[serde(default)]
    pub minimum: Option<Spanned<String>>,
    #[serde(default)]
    pub maximum: Option<Spanned<String>>,
    #[serde(default)]
    pub unless: Option<Spanned<Event>>,
    #[serde(default)]
    pub indefinite: bool,
    #[serde(default)]
    pub justification: Option<Spanned<RawText>>,
    #[serde(default)]
    pub law: Option<String>,
    #[serde(default)]
    pub erasure_exception: Option<Spanned<ErasureException>>,
    #[serde(default)]
    pub action: Option<RetentionAction>,
    /// For `anonymise`: the fields of a record's value kept for statistics.
    #[serde(default)]
    pub statistics: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    pub note: Option<Spanned<RawText>>,
    /// Values the notice does not give: field -> why this one was chosen.
    #[serde(default)]
    pub assumed: Option<Spanned<BTreeMap<String, String>>>,
    /// Where the notice's own words are unlawful or contradict themselves.
    #[serde(default)]
    pub deviation: Option<Spanned<RawDeviation>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRecipient {
    pub id: Id,
    pub name: Spanned<RawText>,
    pub role: RecipientRole,
    #[serde(default)]
    pub description: Option<Spanned<RawText>>,
    pub purposes: Vec<Id>,
    #[serde(default)]
    pub categories: Vec<Id>,
    pub country: Spanned<String>,
    #[serde(default)]
    pub safeguard: Option<Spanned<SafeguardKind>>,
    #[serde(default)]
    pub safeguard_reference: Option<Spanned<RawText>>,
    #[serde(default)]
    pub adequacy_scope_confirmed: bool,
    #[serde(default)]
    pub law: Option<String>,
    #[serde(default)]
    pub standing: bool,
    /// Values the notice does not give: field -> why this one was chosen.
    #[serde(default)]
    pub assumed: Option<Spanned<BTreeMap<String, String>>>,
    /// Where the notice's own words are unlawful or contradict themselves.
    #[serde(default)]
    pub deviation: Option<Spanned<RawDeviation>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSystem {
    pub id: Id,
    pub name: Spanned<RawText>,
    #[serde(default)]
    pub description: Option<Spanned<RawText>>,
    pub categories: Vec<Id>,
    #[serde(default)]
    pub processor: Option<Id>,
    /// How Steward reaches the system for rights requests, if it can.
    #[serde(default)]
    pub connector: Option<Spanned<RawConnector>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConnector {
    #[serde(rename = "type")]
    pub kind: ConnectorKind,
    /// The environment variable holding the connection URL.
    #[serde(default)]
    pub url_env: Option<Spanned<String>>,
    /// For webhooks: the environment variable holding the signing secret.
    #[serde(default)]
    pub secret_env: Option<Spanned<String>>,
    /// Relational systems: their tables.
    #[serde(default, rename = "table")]
    pub tables: Option<Vec<toml::Table>>,
    /// Redis: its keys.
    #[serde(default, rename = "key")]
    pub keys: Option<Vec<toml::Table>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCookie {
    pub name: Id,
    pub category: CookieCategory,
    #[serde(default)]
    pub lifetime: Option<Spanned<String>>,
    #[serde(default)]
    pub when: Option<Spanned<RawText>>,
    #[serde(default)]
    pub purpose: Option<Id>,
    #[serde(default)]
    pub provider: Option<String>,
    pub description: Spanned<RawText>,
    /// Values the notice does not give: field -> why this one was chosen.
    #[serde(default)]
    pub assumed: Option<Spanned<BTreeMap<String, String>>>,
    /// Where the notice's own words are unlawful or contradict themselves.
    #[serde(default)]
    pub deviation: Option<Spanned<RawDeviation>>,
}

/// Absolute statements the published notice makes in so many words; the
/// rendered notice makes them only then, never from a mere absence.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNoticeClaims {
    #[serde(default)]
    pub no_recipients: bool,
    #[serde(default)]
    pub no_transfers: bool,
    #[serde(default)]
    pub no_profiling: bool,
    #[serde(default)]
    pub no_automated_decisions: bool,
    #[serde(default)]
    pub no_other_sources: bool,
}

/// The notice's words, and the reading Steward enforces instead.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDeviation {
    /// What the published notice says.
    pub notice: String,
    /// What the policy encodes and Steward enforces.
    pub reading: String,
    /// The law that makes the notice's words wrong, when one does.
    #[serde(default)]
    pub law: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSecurityMeasure {
    pub id: Id,
    pub description: Spanned<RawText>,
}

fn yes() -> bool {
    true
}
