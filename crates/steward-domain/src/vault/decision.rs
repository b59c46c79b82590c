//! May this category of a subject's data be used for this purpose, now?
//!
//! [`DecisionTable`] compiles a policy once into dense indices and bit sets;
//! [`DecisionTable::decide`] is then a pure function of (table, subject
//! state, purpose, category, now) that allocates nothing. Every outcome
//! carries a machine-readable [`Reason`].

use std::collections::HashMap;

use serde::Serialize;

use crate::policy::{ErasureException, LegalBasis, Policy, Version};

/// Seconds since the Unix epoch; the engine's clock is injected as this.
pub type Instant = i64;

/// Dense indices, resolved once from ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PurposeIx(pub u16);
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CategoryIx(pub u16);
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SubjectTypeIx(pub u16);

/// A small set of indices as bits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BitSet(Vec<u64>);

impl BitSet {
    pub fn insert(&mut self, ix: u16) {
        let (word, bit) = (usize::from(ix / 64), ix % 64);
        if self.0.len() <= word {
            self.0.resize(word + 1, 0);
        }
        self.0[word] |= 1 << bit;
    }

    pub fn contains(&self, ix: u16) -> bool {
        self.0
            .get(usize::from(ix / 64))
            .is_some_and(|w| w & (1 << (ix % 64)) != 0)
    }
}

#[derive(Debug, Clone)]
struct CompiledPurpose {
    basis: Option<LegalBasis>,
    anonymous: bool,
    direct_marketing: bool,
    /// Leaf categories the purpose may use.
    categories: BitSet,
    subjects: BitSet,
    changed_in: Option<Version>,
    /// Some retention rule keeps data for this purpose for legal claims, which
    /// a restriction still allows (Art. 18(2)).
    legal_claims: bool,
    /// A contract basis that also covers steps before the contract.
    before_contract: bool,
    /// Declared as profiling: may use profile categories.
    profiling: bool,
}

#[derive(Debug, Clone)]
pub struct DecisionTable {
    purposes: Vec<CompiledPurpose>,
    /// Leaf categories used only with consent, whatever the purpose.
    consent_required: BitSet,
    /// Leaf categories that are profiles: only for profiling purposes.
    profiles: BitSet,
    purpose_ix: HashMap<String, PurposeIx>,
    category_ix: HashMap<String, CategoryIx>,
    subject_type_ix: HashMap<String, SubjectTypeIx>,
}

/// A consent as the ledger holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentWindow {
    pub given_at: Instant,
    pub withdrawn_at: Option<Instant>,
    /// The policy version the subject consented under.
    pub policy_version: Version,
    /// Given by a holder of parental responsibility (Art. 8(1)).
    pub parental: bool,
}

/// A period during which a relationship or contract was in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: Instant,
    pub until: Option<Instant>,
}

impl Window {
    pub fn contains(&self, now: Instant) -> bool {
        self.from <= now && self.until.is_none_or(|until| now < until)
    }
}

/// What the engine knows about one subject that bears on a decision.
#[derive(Debug, Clone, Default)]
pub struct SubjectState {
    pub subject_type: Option<SubjectTypeIx>,
    /// Indexed by purpose; the latest consent for each.
    pub consents: Vec<Option<ConsentWindow>>,
    pub relationship: Option<Window>,
    pub contract: Option<Window>,
    /// Art. 21(1) objections, by purpose.
    pub objections: BitSet,
    /// Objections overridden by compelling legitimate grounds on record.
    pub compelling_grounds: BitSet,
    /// Art. 21(2): an objection to direct marketing, which is absolute.
    pub objects_to_direct_marketing: bool,
    /// Art. 18: processing restricted to storage.
    pub restricted: bool,
    /// Art. 8: a child's own consent counts only from this moment (the age
    /// of digital consent); `None` when the subject is known to be of age,
    /// or their age is not known.
    pub own_consent_from: Option<Instant>,
}

impl SubjectState {
    pub fn consent_for(&self, purpose: PurposeIx) -> Option<&ConsentWindow> {
        self.consents
            .get(usize::from(purpose.0))
            .and_then(Option::as_ref)
    }

    pub fn set_consent(&mut self, purpose: PurposeIx, consent: ConsentWindow) {
        let ix = usize::from(purpose.0);
        if self.consents.len() <= ix {
            self.consents.resize(ix + 1, None);
        }
        self.consents[ix] = Some(consent);
    }
}

/// Why a use is allowed or refused; `code()` is stable for clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    // Allowed.
    Consent,
    Contract,
    LegalObligation,
    VitalInterests,
    PublicTask,
    LegitimateInterests,
    CompellingGrounds,
    LegalClaimsDuringRestriction,
    /// Art. 6(1)(b): steps at the subject's request before a contract.
    PreContractSteps,
    // Refused.
    CategoryNotInPurpose,
    SubjectTypeNotInPurpose,
    AnonymousPurpose,
    NoConsent,
    ConsentNotYetGiven,
    ConsentWithdrawn,
    ConsentPredatesMaterialChange,
    ChildWithoutParentalConsent,
    NoActiveContract,
    Objected,
    DirectMarketingObjection,
    /// The subject's last word on marketing was to withdraw a consent to it.
    MarketingConsentWithdrawn,
    /// The category is used only with consent, and none is in force.
    CategoryNeedsConsent,
    /// A profile, and the purpose does not declare profiling (Art. 13(2)(f)).
    ProfilingNotDeclared,
    Restricted,
}

impl Reason {
    pub fn code(self) -> &'static str {
        match self {
            Reason::Consent => "consent",
            Reason::Contract => "contract",
            Reason::LegalObligation => "legal_obligation",
            Reason::VitalInterests => "vital_interests",
            Reason::PublicTask => "public_task",
            Reason::LegitimateInterests => "legitimate_interests",
            Reason::CompellingGrounds => "compelling_grounds",
            Reason::LegalClaimsDuringRestriction => "legal_claims_during_restriction",
            Reason::PreContractSteps => "pre_contract_steps",
            Reason::CategoryNotInPurpose => "category_not_in_purpose",
            Reason::SubjectTypeNotInPurpose => "subject_type_not_in_purpose",
            Reason::AnonymousPurpose => "anonymous_purpose",
            Reason::NoConsent => "no_consent",
            Reason::ConsentNotYetGiven => "consent_not_yet_given",
            Reason::ConsentWithdrawn => "consent_withdrawn",
            Reason::ConsentPredatesMaterialChange => "consent_predates_material_change",
            Reason::ChildWithoutParentalConsent => "child_without_parental_consent",
            Reason::NoActiveContract => "no_active_contract",
            Reason::Objected => "objected",
            Reason::DirectMarketingObjection => "direct_marketing_objection",
            Reason::MarketingConsentWithdrawn => "marketing_consent_withdrawn",
            Reason::CategoryNeedsConsent => "category_needs_consent",
            Reason::ProfilingNotDeclared => "profiling_not_declared",
            Reason::Restricted => "restricted",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub allowed: bool,
    pub reason: Reason,
}

const fn allow(reason: Reason) -> Decision {
    Decision {
        allowed: true,
        reason,
    }
}
const fn deny(reason: Reason) -> Decision {
    Decision {
        allowed: false,
        reason,
    }
}

impl DecisionTable {
    pub fn compile(policy: &Policy) -> Self {
        let leaves: Vec<&str> = policy.leaf_categories().map(|c| c.id.as_str()).collect();
        let category_ix: HashMap<String, CategoryIx> = leaves
            .iter()
            .enumerate()
            .map(|(i, id)| ((*id).to_owned(), CategoryIx(i as u16)))
            .collect();
        let subject_type_ix: HashMap<String, SubjectTypeIx> = policy
            .subject_types
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.clone(), SubjectTypeIx(i as u16)))
            .collect();
        let purposes = policy
            .purposes
            .iter()
            .map(|purpose| {
                let mut categories = BitSet::default();
                for leaf in policy.expand_categories(&purpose.categories) {
                    if let Some(ix) = category_ix.get(&leaf.id) {
                        categories.insert(ix.0);
                    }
                }
                let mut subjects = BitSet::default();
                for id in &purpose.subjects {
                    if let Some(ix) = subject_type_ix.get(id) {
                        subjects.insert(ix.0);
                    }
                }
                CompiledPurpose {
                    basis: purpose.legal_basis,
                    anonymous: purpose.anonymous,
                    direct_marketing: purpose.direct_marketing,
                    categories,
                    subjects,
                    changed_in: purpose.changed_in.clone(),
                    legal_claims: policy.retention.iter().any(|rule| {
                        rule.purposes.contains(&purpose.id)
                            && rule.erasure_exception == Some(ErasureException::LegalClaims)
                    }),
                    before_contract: purpose.before_contract,
                    profiling: purpose.profiling,
                }
            })
            .collect();
        let purpose_ix = policy
            .purposes
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.clone(), PurposeIx(i as u16)))
            .collect();
        let mut consent_required = BitSet::default();
        let mut profiles = BitSet::default();
        for leaf in policy.leaf_categories() {
            let Some(ix) = category_ix.get(&leaf.id) else {
                continue;
            };
            let above = || policy.categories.iter().filter(|c| leaf.is_within(&c.id));
            if above().any(|c| c.consent_required) {
                consent_required.insert(ix.0);
            }
            if above().any(|c| c.profile) {
                profiles.insert(ix.0);
            }
        }
        Self {
            purposes,
            consent_required,
            profiles,
            purpose_ix,
            category_ix,
            subject_type_ix,
        }
    }

    pub fn purpose(&self, id: &str) -> Option<PurposeIx> {
        self.purpose_ix.get(id).copied()
    }

    /// Only leaf categories: data is stored under its most specific category.
    pub fn category(&self, id: &str) -> Option<CategoryIx> {
        self.category_ix.get(id).copied()
    }

    pub fn subject_type(&self, id: &str) -> Option<SubjectTypeIx> {
        self.subject_type_ix.get(id).copied()
    }

    /// Whether `purpose` uses `category` at all, whatever the subject's state.
    pub fn uses(&self, purpose: PurposeIx, category: CategoryIx) -> bool {
        self.purposes
            .get(usize::from(purpose.0))
            .is_some_and(|p| p.categories.contains(category.0))
    }

    pub fn purpose_count(&self) -> usize {
        self.purposes.len()
    }

    /// The decision, in the order the law asks the questions: is this data
    /// part of the purpose at all; is processing restricted; does the legal
    /// basis hold right now; has the subject objected.
    pub fn decide(
        &self,
        state: &SubjectState,
        purpose_ix: PurposeIx,
        category: CategoryIx,
        now: Instant,
    ) -> Decision {
        let Some(purpose) = self.purposes.get(usize::from(purpose_ix.0)) else {
            return deny(Reason::CategoryNotInPurpose);
        };
        if purpose.anonymous {
            return deny(Reason::AnonymousPurpose);
        }
        if !purpose.categories.contains(category.0) {
            return deny(Reason::CategoryNotInPurpose);
        }
        if let Some(subject_type) = state.subject_type
            && !purpose.subjects.contains(subject_type.0)
        {
            return deny(Reason::SubjectTypeNotInPurpose);
        }
        // The notice names the purposes that profile (Art. 13(2)(f)): a
        // profile serves no other.
        if self.profiles.contains(category.0) && !purpose.profiling {
            return deny(Reason::ProfilingNotDeclared);
        }
        // Art. 21(2), (3): any objection to direct marketing is absolute.
        if purpose.direct_marketing
            && (state.objects_to_direct_marketing || state.objections.contains(purpose_ix.0))
        {
            return deny(Reason::DirectMarketingObjection);
        }
        // Withdrawing a consent to marketing says no to marketing: none goes
        // on on another basis (legitimate interests) until the subject
        // consents to some again. Each consent-based purpose follows its
        // own consent, the granular choice Art. 7 gives.
        if purpose.direct_marketing
            && purpose.basis != Some(LegalBasis::Consent)
            && self.marketing_consent_withdrawn(state, now)
        {
            return deny(Reason::MarketingConsentWithdrawn);
        }
        let mut decision = self.basis_holds(state, purpose_ix, purpose, now);
        if decision.allowed
            && self.consent_required.contains(category.0)
            && purpose.basis != Some(LegalBasis::Consent)
            && !self.consent_covers(state, category, now)
        {
            decision = deny(Reason::CategoryNeedsConsent);
        }
        // Art. 18(2): a restriction only narrows what the basis allows, to
        // consent and legal claims; it never opens anything.
        if state.restricted && decision.allowed {
            return if purpose.legal_claims {
                allow(Reason::LegalClaimsDuringRestriction)
            } else if purpose.basis == Some(LegalBasis::Consent) {
                decision
            } else {
                deny(Reason::Restricted)
            };
        }
        decision
    }

    /// Whether the purpose's legal basis holds right now.
    fn basis_holds(
        &self,
        state: &SubjectState,
        purpose_ix: PurposeIx,
        purpose: &CompiledPurpose,
        now: Instant,
    ) -> Decision {
        match purpose.basis {
            None => deny(Reason::AnonymousPurpose),
            Some(LegalBasis::Consent) => self.consent(state, purpose_ix, purpose, now),
            Some(LegalBasis::Contract) => {
                let active = |w: Option<Window>| w.is_some_and(|w| w.contains(now));
                if active(state.contract) || active(state.relationship) {
                    allow(Reason::Contract)
                } else if purpose.before_contract && state.contract.is_none_or(|c| c.from > now) {
                    // No contract yet: the steps the subject asked for
                    // before one (a demo, a quote). Once one has ended,
                    // this is no longer "before".
                    allow(Reason::PreContractSteps)
                } else {
                    deny(Reason::NoActiveContract)
                }
            }
            Some(LegalBasis::LegalObligation) => allow(Reason::LegalObligation),
            Some(LegalBasis::VitalInterests) => allow(Reason::VitalInterests),
            Some(basis @ (LegalBasis::LegitimateInterests | LegalBasis::PublicTask)) => {
                if state.objections.contains(purpose_ix.0) {
                    // Direct marketing was handled above: that objection is absolute.
                    if state.compelling_grounds.contains(purpose_ix.0) && !purpose.direct_marketing
                    {
                        allow(Reason::CompellingGrounds)
                    } else {
                        deny(Reason::Objected)
                    }
                } else if basis == LegalBasis::PublicTask {
                    allow(Reason::PublicTask)
                } else {
                    allow(Reason::LegitimateInterests)
                }
            }
        }
    }

    /// Whether the subject's latest word on marketing is a withdrawal: a
    /// consent to a direct-marketing purpose withdrawn after every consent
    /// to one that is in force was given.
    fn marketing_consent_withdrawn(&self, state: &SubjectState, now: Instant) -> bool {
        let mut last_withdrawn = None;
        let mut last_given = None;
        for (ix, purpose) in self.purposes.iter().enumerate() {
            if !purpose.direct_marketing {
                continue;
            }
            let Some(consent) = state.consents.get(ix).and_then(Option::as_ref) else {
                continue;
            };
            match consent.withdrawn_at.filter(|at| *at <= now) {
                Some(at) => last_withdrawn = last_withdrawn.max(Some(at)),
                None if consent.given_at <= now => {
                    last_given = last_given.max(Some(consent.given_at));
                }
                None => {}
            }
        }
        last_withdrawn.is_some_and(|withdrawn| last_given.is_none_or(|given| withdrawn >= given))
    }

    /// Whether a consent in force, for a consent-based purpose that uses
    /// the category, covers using it.
    fn consent_covers(&self, state: &SubjectState, category: CategoryIx, now: Instant) -> bool {
        self.purposes.iter().enumerate().any(|(ix, purpose)| {
            purpose.basis == Some(LegalBasis::Consent)
                && purpose.categories.contains(category.0)
                && self
                    .consent(state, PurposeIx(ix as u16), purpose, now)
                    .allowed
        })
    }

    fn consent(
        &self,
        state: &SubjectState,
        ix: PurposeIx,
        purpose: &CompiledPurpose,
        now: Instant,
    ) -> Decision {
        let Some(consent) = state.consent_for(ix) else {
            return deny(Reason::NoConsent);
        };
        if consent.given_at > now {
            return deny(Reason::ConsentNotYetGiven);
        }
        if consent.withdrawn_at.is_some_and(|at| at <= now) {
            return deny(Reason::ConsentWithdrawn);
        }
        if purpose
            .changed_in
            .as_ref()
            .is_some_and(|changed| &consent.policy_version < changed)
        {
            return deny(Reason::ConsentPredatesMaterialChange);
        }
        // Art. 8(1): below the age of digital consent, only a holder of
        // parental responsibility's consent counts.
        if !consent.parental && state.own_consent_from.is_some_and(|from| now < from) {
            return deny(Reason::ChildWithoutParentalConsent);
        }
        allow(Reason::Consent)
    }
}

#[cfg(test)]
mod tests;
