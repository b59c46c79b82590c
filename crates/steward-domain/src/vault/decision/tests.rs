//! The decision table against a small policy: every reason, in every state.
use super::*;

const POLICY: &str = r#"
[policy]
id = "t"
version = "2.0"
effective = 2025-01-01
languages = ["en"]
[controller]
name = "T AB"
address = "Stockholm"
email = "p@t.se"
[[subject_type]]
id = "customer"
name = { en = "Customers" }
[[subject_type]]
id = "lead"
name = { en = "Leads" }
[[category]]
id = "contact"
name = { en = "Contact" }
[[category]]
id = "contact.email"
name = { en = "E-mail" }
[[category]]
id = "contact.phone"
name = { en = "Phone" }
[[category]]
id = "invoice"
name = { en = "Invoices" }
[[category]]
id = "call"
name = { en = "Calls" }
consent_required = true
[[category]]
id = "segment"
name = { en = "Segment" }
profile = true
derived_from = ["invoice"]
[[purpose]]
id = "tailoring"
name = { en = "Tailored offers" }
description = { en = "d" }
legal_basis = "legitimate_interests"
legitimate_interest = { en = "i" }
profiling = true
categories = ["segment"]
subjects = ["customer"]
[[purpose]]
id = "analytics"
name = { en = "Analytics" }
description = { en = "d" }
legal_basis = "legitimate_interests"
legitimate_interest = { en = "i" }
categories = ["segment"]
subjects = ["customer"]
[[category]]
id = "call.recording"
name = { en = "Recordings" }
[[purpose]]
id = "recording"
name = { en = "Recording" }
description = { en = "d" }
legal_basis = "consent"
categories = ["call"]
subjects = ["customer"]
[[purpose]]
id = "support"
name = { en = "Support" }
description = { en = "d" }
legal_basis = "legitimate_interests"
legitimate_interest = { en = "i" }
categories = ["contact", "call"]
subjects = ["customer"]
[[purpose]]
id = "demo"
name = { en = "Demo" }
description = { en = "d" }
legal_basis = "contract"
before_contract = true
categories = ["contact"]
subjects = ["lead", "customer"]
[[purpose]]
id = "orders"
name = { en = "Orders" }
description = { en = "d" }
legal_basis = "contract"
categories = ["contact"]
subjects = ["customer"]
[[purpose]]
id = "newsletter"
name = { en = "Newsletter" }
description = { en = "d" }
legal_basis = "consent"
direct_marketing = true
changed_in = "2.0"
categories = ["contact.email"]
subjects = ["customer", "lead"]
[[purpose]]
id = "offers"
name = { en = "Offers" }
description = { en = "d" }
legal_basis = "legitimate_interests"
legitimate_interest = { en = "i" }
direct_marketing = true
categories = ["contact.email"]
subjects = ["customer"]
[[purpose]]
id = "fraud"
name = { en = "Fraud" }
description = { en = "d" }
legal_basis = "legitimate_interests"
legitimate_interest = { en = "i" }
categories = ["contact"]
subjects = ["customer"]
[[purpose]]
id = "bookkeeping"
name = { en = "Bookkeeping" }
description = { en = "d" }
legal_basis = "legal_obligation"
law = "Bokföringslagen"
categories = ["invoice"]
subjects = ["customer"]
[[purpose]]
id = "disputes"
name = { en = "Disputes" }
description = { en = "d" }
legal_basis = "legitimate_interests"
legitimate_interest = { en = "i" }
categories = ["contact"]
subjects = ["customer"]
[[retention]]
id = "disputes"
categories = ["contact"]
purposes = ["disputes"]
indefinite = true
justification = { en = "until settled" }
erasure_exception = "legal_claims"
"#;

struct Fixture {
    table: DecisionTable,
    state: SubjectState,
}

fn fixture() -> Fixture {
    let report = crate::check(POLICY);
    let policy = report.policy.expect("the test policy is valid");
    let table = DecisionTable::compile(&policy);
    let state = SubjectState {
        subject_type: table.subject_type("customer"),
        ..SubjectState::default()
    };
    Fixture { table, state }
}

impl Fixture {
    fn decide(&self, purpose: &str, category: &str, now: Instant) -> Decision {
        let p = self.table.purpose(purpose).expect("purpose");
        let c = self.table.category(category).expect("category");
        self.table.decide(&self.state, p, c, now)
    }

    fn consent(
        &mut self,
        purpose: &str,
        given_at: Instant,
        withdrawn_at: Option<Instant>,
        version: &str,
    ) {
        let p = self.table.purpose(purpose).expect("purpose");
        let policy_version = Version::parse(version).expect("version");
        self.state.set_consent(
            p,
            ConsentWindow {
                given_at,
                withdrawn_at,
                policy_version,
                parental: false,
            },
        );
    }
}

#[test]
fn data_outside_the_purpose_is_refused_whatever_the_basis() {
    let f = fixture();
    assert_eq!(
        f.decide("bookkeeping", "contact.email", 10),
        deny(Reason::CategoryNotInPurpose)
    );
    assert_eq!(
        f.decide("bookkeeping", "invoice", 10),
        allow(Reason::LegalObligation)
    );
}

#[test]
fn consent_counts_from_given_until_withdrawn_and_not_retroactively() {
    let mut f = fixture();
    assert_eq!(
        f.decide("newsletter", "contact.email", 100),
        deny(Reason::NoConsent)
    );
    f.consent("newsletter", 100, Some(200), "2.0");
    assert_eq!(
        f.decide("newsletter", "contact.email", 99),
        deny(Reason::ConsentNotYetGiven)
    );
    assert_eq!(
        f.decide("newsletter", "contact.email", 150),
        allow(Reason::Consent)
    );
    assert_eq!(
        f.decide("newsletter", "contact.email", 200),
        deny(Reason::ConsentWithdrawn)
    );
}

#[test]
fn a_childs_own_consent_counts_only_from_the_age_of_digital_consent() {
    let mut f = fixture();
    // The child reaches the age at 1000.
    f.state.own_consent_from = Some(1000);
    f.consent("newsletter", 100, None, "2.0");
    assert_eq!(
        f.decide("newsletter", "contact.email", 500),
        deny(Reason::ChildWithoutParentalConsent)
    );
    assert_eq!(
        f.decide("newsletter", "contact.email", 1000),
        allow(Reason::Consent),
        "from that day their own consent counts"
    );
    // A holder of parental responsibility's consent counts before it.
    let p = f.table.purpose("newsletter").expect("purpose");
    f.state.set_consent(
        p,
        ConsentWindow {
            given_at: 100,
            withdrawn_at: None,
            policy_version: Version::parse("2.0").expect("version"),
            parental: true,
        },
    );
    assert_eq!(
        f.decide("newsletter", "contact.email", 500),
        allow(Reason::Consent)
    );
}

#[test]
fn consent_given_before_a_material_change_no_longer_counts() {
    let mut f = fixture();
    f.consent("newsletter", 100, None, "1.9");
    assert_eq!(
        f.decide("newsletter", "contact.email", 150),
        deny(Reason::ConsentPredatesMaterialChange)
    );
    f.consent("newsletter", 100, None, "2.0.0");
    assert_eq!(
        f.decide("newsletter", "contact.email", 150),
        allow(Reason::Consent)
    );
}

#[test]
fn contract_holds_only_while_the_relationship_or_contract_is_in_force() {
    let mut f = fixture();
    assert_eq!(
        f.decide("orders", "contact.phone", 50),
        deny(Reason::NoActiveContract)
    );
    f.state.contract = Some(Window {
        from: 10,
        until: Some(100),
    });
    assert_eq!(
        f.decide("orders", "contact.phone", 50),
        allow(Reason::Contract)
    );
    assert_eq!(
        f.decide("orders", "contact.phone", 100),
        deny(Reason::NoActiveContract)
    );
    f.state.relationship = Some(Window {
        from: 90,
        until: None,
    });
    assert_eq!(
        f.decide("orders", "contact.phone", 1_000),
        allow(Reason::Contract)
    );
}

#[test]
fn objection_stops_legitimate_interests_unless_compelling_grounds_are_recorded() {
    let mut f = fixture();
    let fraud = f.table.purpose("fraud").expect("fraud").0;
    assert_eq!(
        f.decide("fraud", "contact.email", 1),
        allow(Reason::LegitimateInterests)
    );
    f.state.objections.insert(fraud);
    assert_eq!(
        f.decide("fraud", "contact.email", 1),
        deny(Reason::Objected)
    );
    f.state.compelling_grounds.insert(fraud);
    assert_eq!(
        f.decide("fraud", "contact.email", 1),
        allow(Reason::CompellingGrounds)
    );
}

#[test]
fn objection_to_direct_marketing_is_absolute() {
    let mut f = fixture();
    let offers = f.table.purpose("offers").expect("offers").0;
    f.consent("newsletter", 0, None, "2.0");
    f.state.objects_to_direct_marketing = true;
    // Not even consent or compelling grounds bring it back.
    f.state.compelling_grounds.insert(offers);
    assert_eq!(
        f.decide("offers", "contact.email", 1),
        deny(Reason::DirectMarketingObjection)
    );
    assert_eq!(
        f.decide("newsletter", "contact.email", 1),
        deny(Reason::DirectMarketingObjection)
    );
    // Other purposes are untouched.
    assert_eq!(
        f.decide("fraud", "contact.email", 1),
        allow(Reason::LegitimateInterests)
    );
}

#[test]
fn restriction_allows_only_consent_and_legal_claims() {
    let mut f = fixture();
    f.state.restricted = true;
    f.state.contract = Some(Window {
        from: 0,
        until: None,
    });
    assert_eq!(
        f.decide("orders", "contact.email", 1),
        deny(Reason::Restricted)
    );
    assert_eq!(
        f.decide("bookkeeping", "invoice", 1),
        deny(Reason::Restricted)
    );
    assert_eq!(
        f.decide("disputes", "contact.email", 1),
        allow(Reason::LegalClaimsDuringRestriction)
    );
    f.consent("newsletter", 0, None, "2.0");
    assert_eq!(
        f.decide("newsletter", "contact.email", 1),
        allow(Reason::Consent)
    );
}

#[test]
fn a_restriction_never_opens_what_the_basis_closes() {
    let mut f = fixture();
    let disputes = f.table.purpose("disputes").expect("disputes").0;
    f.state.objections.insert(disputes);
    assert_eq!(
        f.decide("disputes", "contact.email", 1),
        deny(Reason::Objected)
    );
    f.state.restricted = true;
    assert_eq!(
        f.decide("disputes", "contact.email", 1),
        deny(Reason::Objected),
        "restriction must not override the objection"
    );
    assert_eq!(
        f.decide("newsletter", "contact.email", 1),
        deny(Reason::NoConsent)
    );
}

#[test]
fn an_objection_to_a_direct_marketing_purpose_is_absolute_whatever_its_basis() {
    let mut f = fixture();
    f.consent("newsletter", 0, None, "2.0");
    let newsletter = f.table.purpose("newsletter").expect("newsletter").0;
    f.state.objections.insert(newsletter);
    assert_eq!(
        f.decide("newsletter", "contact.email", 1),
        deny(Reason::DirectMarketingObjection)
    );
}

#[test]
fn a_subject_type_outside_the_purpose_is_refused() {
    let mut f = fixture();
    f.state.subject_type = f.table.subject_type("lead");
    f.state.contract = Some(Window {
        from: 0,
        until: None,
    });
    assert_eq!(
        f.decide("orders", "contact.email", 1),
        deny(Reason::SubjectTypeNotInPurpose)
    );
    f.consent("newsletter", 0, None, "2.0");
    assert_eq!(
        f.decide("newsletter", "contact.email", 1),
        allow(Reason::Consent)
    );
}

#[test]
fn only_leaf_categories_are_addressable() {
    let f = fixture();
    assert!(f.table.category("contact").is_none());
    assert!(f.table.category("contact.email").is_some());
}

#[test]
fn bit_sets_hold_indices_past_one_word() {
    let mut set = BitSet::default();
    set.insert(3);
    set.insert(130);
    assert!(set.contains(3) && set.contains(130));
    assert!(!set.contains(4) && !set.contains(129) && !set.contains(1000));
}

#[test]
fn withdrawing_a_marketing_consent_stops_marketing_on_other_bases_until_consent_is_given_again() {
    let mut f = fixture();
    assert_eq!(
        f.decide("offers", "contact.email", 150),
        allow(Reason::LegitimateInterests)
    );
    f.consent("newsletter", 100, Some(200), "2.0");
    assert_eq!(
        f.decide("offers", "contact.email", 150),
        allow(Reason::LegitimateInterests),
        "before the withdrawal"
    );
    assert_eq!(
        f.decide("offers", "contact.email", 250),
        deny(Reason::MarketingConsentWithdrawn)
    );
    // The newsletter itself follows its own consent.
    assert_eq!(
        f.decide("newsletter", "contact.email", 250),
        deny(Reason::ConsentWithdrawn)
    );
    // Consenting again is a new word on marketing.
    f.consent("newsletter", 300, None, "2.0");
    assert_eq!(
        f.decide("offers", "contact.email", 350),
        allow(Reason::LegitimateInterests)
    );
    // Not marketing: untouched throughout.
    f.consent("newsletter", 100, Some(200), "2.0");
    assert_eq!(
        f.decide("fraud", "contact.email", 250),
        allow(Reason::LegitimateInterests)
    );
}

#[test]
fn a_category_that_needs_consent_is_used_for_any_purpose_only_while_one_is_in_force() {
    let mut f = fixture();
    // Support rests on legitimate interests, but the recording needs consent.
    assert_eq!(
        f.decide("support", "call.recording", 150),
        deny(Reason::CategoryNeedsConsent)
    );
    assert_eq!(
        f.decide("support", "contact.email", 150),
        allow(Reason::LegitimateInterests),
        "the rest of what support uses is not affected"
    );
    f.consent("recording", 100, Some(200), "2.0");
    assert_eq!(
        f.decide("support", "call.recording", 150),
        allow(Reason::LegitimateInterests)
    );
    assert_eq!(
        f.decide("support", "call.recording", 250),
        deny(Reason::CategoryNeedsConsent)
    );
}

#[test]
fn steps_before_a_contract_hold_until_a_contract_has_been_and_gone() {
    let mut f = fixture();
    f.state.subject_type = f.table.subject_type("lead");
    assert_eq!(
        f.decide("demo", "contact.email", 100),
        allow(Reason::PreContractSteps)
    );
    f.state.subject_type = f.table.subject_type("customer");
    f.state.contract = Some(Window {
        from: 200,
        until: Some(300),
    });
    assert_eq!(
        f.decide("demo", "contact.email", 150),
        allow(Reason::PreContractSteps),
        "before the contract began"
    );
    assert_eq!(
        f.decide("demo", "contact.email", 250),
        allow(Reason::Contract)
    );
    assert_eq!(
        f.decide("demo", "contact.email", 350),
        deny(Reason::NoActiveContract),
        "after it ended, nothing is before it any more"
    );
    // A plain contract basis does not hold before the contract.
    assert_eq!(
        f.decide("orders", "contact.email", 150),
        deny(Reason::NoActiveContract)
    );
}

#[test]
fn a_profile_is_used_only_by_a_purpose_that_declares_profiling() {
    let f = fixture();
    assert_eq!(
        f.decide("tailoring", "segment", 100),
        allow(Reason::LegitimateInterests)
    );
    assert_eq!(
        f.decide("analytics", "segment", 100),
        deny(Reason::ProfilingNotDeclared)
    );
}
