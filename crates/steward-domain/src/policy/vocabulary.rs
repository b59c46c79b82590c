//! The closed sets of words a policy is written in: legal bases and Art. 9
//! conditions, recipients' roles and transfer safeguards, sources, connector
//! kinds, cookie categories, the events retention counts from, Art. 17(3)
//! exceptions, retention actions and ways to verify an identity.

use serde::{Deserialize, Serialize};

use crate::common::names::names;

/// Art. 6(1) (a) to (f).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LegalBasis {
    Consent,
    Contract,
    LegalObligation,
    VitalInterests,
    PublicTask,
    LegitimateInterests,
}

impl LegalBasis {
    pub const ALL: [LegalBasis; 6] = [
        LegalBasis::Consent,
        LegalBasis::Contract,
        LegalBasis::LegalObligation,
        LegalBasis::VitalInterests,
        LegalBasis::PublicTask,
        LegalBasis::LegitimateInterests,
    ];

    pub fn article(self) -> &'static str {
        match self {
            LegalBasis::Consent => "Art. 6(1)(a)",
            LegalBasis::Contract => "Art. 6(1)(b)",
            LegalBasis::LegalObligation => "Art. 6(1)(c)",
            LegalBasis::VitalInterests => "Art. 6(1)(d)",
            LegalBasis::PublicTask => "Art. 6(1)(e)",
            LegalBasis::LegitimateInterests => "Art. 6(1)(f)",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            LegalBasis::Consent => "basis.consent",
            LegalBasis::Contract => "basis.contract",
            LegalBasis::LegalObligation => "basis.legal_obligation",
            LegalBasis::VitalInterests => "basis.vital_interests",
            LegalBasis::PublicTask => "basis.public_task",
            LegalBasis::LegitimateInterests => "basis.legitimate_interests",
        }
    }
}

/// Art. 9(2) (a) to (j): the condition that lifts the ban on special categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SpecialCondition {
    ExplicitConsent,
    Employment,
    VitalInterests,
    NotForProfit,
    MadePublic,
    LegalClaims,
    SubstantialPublicInterest,
    HealthCare,
    PublicHealth,
    Archiving,
}

impl SpecialCondition {
    pub fn article(self) -> &'static str {
        match self {
            SpecialCondition::ExplicitConsent => "Art. 9(2)(a)",
            SpecialCondition::Employment => "Art. 9(2)(b)",
            SpecialCondition::VitalInterests => "Art. 9(2)(c)",
            SpecialCondition::NotForProfit => "Art. 9(2)(d)",
            SpecialCondition::MadePublic => "Art. 9(2)(e)",
            SpecialCondition::LegalClaims => "Art. 9(2)(f)",
            SpecialCondition::SubstantialPublicInterest => "Art. 9(2)(g)",
            SpecialCondition::HealthCare => "Art. 9(2)(h)",
            SpecialCondition::PublicHealth => "Art. 9(2)(i)",
            SpecialCondition::Archiving => "Art. 9(2)(j)",
        }
    }
}

/// Art. 22(2): what may allow a decision with legal or similarly significant effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AutomatedDecisionBasis {
    Contract,
    Law,
    ExplicitConsent,
}

/// Art. 13(2)(e): whether the subject must provide the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Provision {
    Voluntary,
    Contractual,
    Statutory,
    ContractPrerequisite,
}

impl Provision {
    /// Its catalogue key.
    pub fn key(self) -> &'static str {
        match self {
            Provision::Voluntary => "provision.voluntary",
            Provision::Contractual => "provision.contractual",
            Provision::Statutory => "provision.statutory",
            Provision::ContractPrerequisite => "provision.contract_prerequisite",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecipientRole {
    Processor,
    JointController,
    IndependentController,
    Authority,
}

impl RecipientRole {
    /// Its catalogue key.
    pub fn key(self) -> &'static str {
        match self {
            RecipientRole::Processor => "role.processor",
            RecipientRole::JointController => "role.joint_controller",
            RecipientRole::IndependentController => "role.independent_controller",
            RecipientRole::Authority => "role.authority",
        }
    }
}

/// Chapter V safeguards for transfers to third countries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SafeguardKind {
    /// Art. 45.
    Adequacy,
    /// Art. 46(2)(c).
    StandardContractualClauses,
    /// Art. 47.
    BindingCorporateRules,
    /// Art. 49(1), e.g. explicit consent to the transfer.
    Derogation,
}

crate::common::names::names!(SafeguardKind, "safeguard", {
    Adequacy => "adequacy",
    StandardContractualClauses => "standard_contractual_clauses",
    BindingCorporateRules => "binding_corporate_rules",
    Derogation => "derogation",
});

impl SafeguardKind {
    /// Its catalogue key.
    pub fn key(self) -> &'static str {
        match self {
            SafeguardKind::Adequacy => "safeguard.adequacy",
            SafeguardKind::StandardContractualClauses => "safeguard.scc",
            SafeguardKind::BindingCorporateRules => "safeguard.bcr",
            SafeguardKind::Derogation => "safeguard.derogation",
        }
    }

    pub fn article(self) -> &'static str {
        match self {
            SafeguardKind::Adequacy => "Art. 45",
            SafeguardKind::StandardContractualClauses => "Art. 46(2)(c)",
            SafeguardKind::BindingCorporateRules => "Art. 47",
            SafeguardKind::Derogation => "Art. 49(1)",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    DataSubject,
    PublicRegister,
    PubliclyAvailable,
    CreditBureau,
    Partner,
    Customer,
    SocialNetwork,
    Employee,
    ExternalPerson,
    InformationService,
    Other,
}

impl SourceKind {
    /// Art. 14(2)(f) asks whether the source is publicly accessible.
    pub fn is_public(self) -> bool {
        matches!(
            self,
            SourceKind::PublicRegister | SourceKind::PubliclyAvailable
        )
    }
}

/// The kinds of systems Steward can reach for rights requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectorKind {
    Postgres,
    Mysql,
    Redis,
    Webhook,
}

impl ConnectorKind {
    pub fn name(self) -> &'static str {
        match self {
            ConnectorKind::Postgres => "postgres",
            ConnectorKind::Mysql => "mysql",
            ConnectorKind::Redis => "redis",
            ConnectorKind::Webhook => "webhook",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CookieCategory {
    Necessary,
    Preferences,
    Statistics,
    Marketing,
}

impl CookieCategory {
    /// Its catalogue key.
    pub fn key(self) -> &'static str {
        match self {
            CookieCategory::Necessary => "cookie.necessary",
            CookieCategory::Preferences => "cookie.preferences",
            CookieCategory::Statistics => "cookie.statistics",
            CookieCategory::Marketing => "cookie.marketing",
        }
    }
}

/// Things that happen in a relationship with a subject; retention counts from them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    Collection,
    RelationshipStart,
    RelationshipEnd,
    ContractStart,
    ContractEnd,
    InvoicePaid,
    LastActivity,
    ContactPersonChanged,
    ConsentWithdrawn,
    AccountDeleted,
    /// The end of a financial year: Bokföringslagen counts from it.
    FinancialYearEnd,
}

impl Event {
    pub const ALL: [Event; 11] = [
        Event::Collection,
        Event::RelationshipStart,
        Event::RelationshipEnd,
        Event::ContractStart,
        Event::ContractEnd,
        Event::InvoicePaid,
        Event::LastActivity,
        Event::ContactPersonChanged,
        Event::ConsentWithdrawn,
        Event::AccountDeleted,
        Event::FinancialYearEnd,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Event::Collection => "event.collection",
            Event::RelationshipStart => "event.relationship_start",
            Event::RelationshipEnd => "event.relationship_end",
            Event::ContractStart => "event.contract_start",
            Event::ContractEnd => "event.contract_end",
            Event::InvoicePaid => "event.invoice_paid",
            Event::LastActivity => "event.last_activity",
            Event::ContactPersonChanged => "event.contact_person_changed",
            Event::ConsentWithdrawn => "event.consent_withdrawn",
            Event::AccountDeleted => "event.account_deleted",
            Event::FinancialYearEnd => "event.financial_year_end",
        }
    }
}

names!(Event, "event", {
    Collection => "collection",
    RelationshipStart => "relationship_start",
    RelationshipEnd => "relationship_end",
    ContractStart => "contract_start",
    ContractEnd => "contract_end",
    InvoicePaid => "invoice_paid",
    LastActivity => "last_activity",
    ContactPersonChanged => "contact_person_changed",
    ConsentWithdrawn => "consent_withdrawn",
    AccountDeleted => "account_deleted",
    FinancialYearEnd => "financial_year_end",
});

/// Art. 17(3): why data may be kept although the subject asks for erasure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErasureException {
    FreedomOfExpression,
    LegalObligation,
    PublicHealth,
    Archiving,
    LegalClaims,
}

names!(ErasureException, "erasure exception", {
    FreedomOfExpression => "freedom_of_expression",
    LegalObligation => "legal_obligation",
    PublicHealth => "public_health",
    Archiving => "archiving",
    LegalClaims => "legal_claims",
});

impl ErasureException {
    pub const ALL: [ErasureException; 5] = [
        ErasureException::FreedomOfExpression,
        ErasureException::LegalObligation,
        ErasureException::PublicHealth,
        ErasureException::Archiving,
        ErasureException::LegalClaims,
    ];

    pub fn article(self) -> &'static str {
        match self {
            ErasureException::FreedomOfExpression => "Art. 17(3)(a)",
            ErasureException::LegalObligation => "Art. 17(3)(b)",
            ErasureException::PublicHealth => "Art. 17(3)(c)",
            ErasureException::Archiving => "Art. 17(3)(d)",
            ErasureException::LegalClaims => "Art. 17(3)(e)",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            ErasureException::FreedomOfExpression => "erasure.freedom_of_expression",
            ErasureException::LegalObligation => "erasure.legal_obligation",
            ErasureException::PublicHealth => "erasure.public_health",
            ErasureException::Archiving => "erasure.archiving",
            ErasureException::LegalClaims => "erasure.legal_claims",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RetentionAction {
    #[default]
    Delete,
    /// Every link to the person removed; the fields the rule names under
    /// `statistics` are kept, readable only in aggregate.
    Anonymise,
    /// Kept until a privacy officer decides: listed by every sweep.
    Review,
}

/// How a data subject proves who they are before a request reaches data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verification {
    #[default]
    EmailCode,
    SmsCode,
    Bankid,
    SignedRequest,
    Manual,
}

impl Verification {
    /// Its catalogue key.
    pub fn key(self) -> &'static str {
        match self {
            Verification::EmailCode => "verification.email_code",
            Verification::SmsCode => "verification.sms_code",
            Verification::Bankid => "verification.bankid",
            Verification::SignedRequest => "verification.signed_request",
            Verification::Manual => "verification.manual",
        }
    }
}
