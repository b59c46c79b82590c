//! The five policies encoding the notices in shared/seeds/: each checks clean
//! with warnings denied, and each promise the brief lists is in the policy.

use steward_domain::common::lang::Lang;
use steward_domain::common::period::{Period, Unit};
use steward_domain::policy::{
    CookieLifetime, Event, LegalBasis, Policy, RecipientRole, RetentionAction, RetentionPeriod,
    RetentionRule, SafeguardKind, SourceKind,
};

use super::*;

fn policy(name: &str) -> Policy {
    load(&source_policy_text(name))
}

fn rule<'a>(policy: &'a Policy, id: &str) -> &'a RetentionRule {
    policy
        .retention
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("no retention rule `{id}`"))
}

fn counted(rule: &RetentionRule) -> (Period, &[Event], bool, Option<Period>, Option<Period>) {
    match &rule.period {
        RetentionPeriod::Counted {
            period,
            after,
            calendar_year_end,
            minimum,
            maximum,
        } => (
            *period,
            after.as_slice(),
            *calendar_year_end,
            *minimum,
            *maximum,
        ),
        RetentionPeriod::Indefinite => panic!("`{}` is indefinite", rule.id),
    }
}

#[test]
fn all_five_pass_check_with_warnings_denied() {
    for name in SOURCE_POLICIES {
        let source = source_policy_text(name);
        let report = steward_domain::check(&source);
        assert!(
            report.passes(true),
            "{name}:\n{}",
            rendered(&report.diagnostics, &source)
        );
    }
}

#[test]
fn every_section_of_every_policy_points_to_its_notice() {
    for name in SOURCE_POLICIES {
        let source = source_policy_text(name);
        let comments = source
            .lines()
            .filter(|l| l.trim_start().starts_with("# Notice"))
            .count();
        assert!(
            comments >= 10,
            "{name}: only {comments} comments point to the notice"
        );
    }
}

#[test]
fn connectel_contradiction_on_call_recordings_is_caught_when_both_values_are_written() {
    // Section 2.1 says 90 days, section 6.1 says 30; the policy keeps the stricter 30.
    let source = source_policy_text("connectel");
    let p = load(&source);
    assert_eq!(
        counted(rule(&p, "helpdesk_call_recordings")).0,
        Period::new(30, Unit::Day)
    );
    let both = source
        + "\n# Section 2.1's reading, written too.\n[[retention]]\nid = \"helpdesk_calls_section_2_1\"\ncategories = [\"helpdesk.call_recording\"]\npurposes = [\"customer_service\"]\nperiod = \"90 days\"\n";
    let report = steward_domain::check(&both);
    let l001: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.code() == "L001")
        .collect();
    assert_eq!(l001.len(), 1, "{}", rendered(&report.diagnostics, &both));
    assert!(l001[0].message.contains("(30 days)") && l001[0].message.contains("(90 days)"));
    assert!(!report.passes(false));
}

#[test]
fn calectro_keeps_data_in_four_systems_and_deleting_the_app_account_removes_app_and_cloud_data() {
    let p = policy("calectro");
    for system in ["crm", "newsletter", "app_db", "cloud"] {
        assert!(p.systems.iter().any(|s| s.id == system), "system {system}");
    }
    let deletion = rule(&p, "app_until_account_deleted");
    assert_eq!(counted(deletion).1, [Event::AccountDeleted]);
    assert_eq!(counted(deletion).0.amount, 0);
    for system in p
        .systems
        .iter()
        .filter(|s| s.id == "app_db" || s.id == "cloud")
    {
        for category in &system.categories {
            let governed = p.expand_categories(std::slice::from_ref(category));
            assert!(
                governed
                    .iter()
                    .any(|leaf| p.retention.iter().any(|r| counted_after(
                        r,
                        Event::AccountDeleted
                    ) && r
                        .categories
                        .iter()
                        .any(|c| leaf.is_within(c)))),
                "{} data `{category}` is not removed on account deletion",
                system.id
            );
        }
    }
}

fn counted_after(rule: &RetentionRule, event: Event) -> bool {
    matches!(&rule.period, RetentionPeriod::Counted { after, .. } if after.contains(&event))
}

#[test]
fn calectro_sources_processors_cookies_and_comments() {
    let p = policy("calectro");
    let kinds: Vec<SourceKind> = p.sources.iter().map(|s| s.kind).collect();
    assert!(
        kinds.contains(&SourceKind::PublicRegister) && kinds.contains(&SourceKind::CreditBureau)
    );
    let processors = p
        .recipients
        .iter()
        .filter(|r| r.role == RecipientRole::Processor)
        .count();
    assert!(
        processors >= 4,
        "transport, marketing, IT and app processors"
    );
    let lifetime = |name: &str| {
        p.cookies
            .iter()
            .find(|c| c.name == name && c.when.is_none())
            .and_then(|c| c.lifetime)
    };
    assert_eq!(
        lifetime("wordpress_logged_in_*"),
        Some(CookieLifetime::Persistent(Period::new(2, Unit::Day)))
    );
    let remember_me = p
        .cookies
        .iter()
        .find(|c| {
            c.name == "wordpress_logged_in_*"
                && c.when
                    .as_ref()
                    .is_some_and(|w| w.get(Lang::En).contains("Remember Me"))
        })
        .expect("the Remember Me variant of the login cookie");
    assert_eq!(
        remember_me.lifetime,
        Some(CookieLifetime::Persistent(Period::new(2, Unit::Week)))
    );
    assert_eq!(
        lifetime("comment_author_*"),
        Some(CookieLifetime::Persistent(Period::new(1, Unit::Year)))
    );
    assert_eq!(
        lifetime("wp-saving-post"),
        Some(CookieLifetime::Persistent(Period::new(1, Unit::Day)))
    );
    assert_eq!(
        lifetime("wordpress_test_cookie"),
        Some(CookieLifetime::Session)
    );
    let comments = rule(&p, "comments_indefinite");
    assert_eq!(comments.period, RetentionPeriod::Indefinite);
    assert!(comments.justification.is_some());
}

#[test]
fn cadcraft_personnummer_passwords_training_and_security() {
    let p = policy("cadcraft");
    let national = p
        .categories
        .iter()
        .find(|c| c.national_id)
        .expect("personnummer category");
    assert!(national.justification.is_some());
    assert!(p.categories.iter().any(|c| c.id.contains("password")));
    let training = p
        .purposes
        .iter()
        .find(|purpose| {
            purpose
                .name
                .get(Lang::En)
                .to_lowercase()
                .contains("training")
        })
        .expect("staff training purpose");
    let recordings = p.expand_categories(&training.categories);
    assert!(
        recordings.iter().any(|c| c.id.contains("recording"))
            && recordings.iter().any(|c| c.id.contains("chat"))
    );
    let measures: String = p
        .security_measures
        .iter()
        .map(|m| m.description.get(Lang::En).to_lowercase())
        .collect();
    assert!(measures.contains("encrypt") && measures.contains("need"));
}

#[test]
fn elveta_bases_bookkeeping_anonymised_analytics_and_partner_customers() {
    let p = policy("elveta");
    assert_eq!(p.meta.default_language, Lang::Sv);
    let bases: Vec<LegalBasis> = p
        .purposes
        .iter()
        .filter_map(|purpose| purpose.legal_basis)
        .collect();
    for basis in [
        LegalBasis::Contract,
        LegalBasis::LegitimateInterests,
        LegalBasis::LegalObligation,
    ] {
        assert!(bases.contains(&basis), "{basis:?}");
    }
    let bookkeeping = rule(&p, "bookkeeping");
    let (period, _, calendar, _, _) = counted(bookkeeping);
    assert_eq!((period, calendar), (Period::new(7, Unit::Year), true));
    assert!(
        bookkeeping
            .law
            .as_deref()
            .is_some_and(|l| l.contains("Bokföringslagen"))
    );
    assert!(
        p.purposes
            .iter()
            .any(|purpose| purpose.anonymous && purpose.legal_basis.is_none())
    );
    assert!(p.subject_types.iter().any(|s| !s.data_normally_stored));
}

#[test]
fn connectel_retention_rules_match_the_notice() {
    let p = policy("connectel");
    assert_eq!(
        p.controller.minimum_age,
        Some(18),
        "section 7: not for persons under 18"
    );
    assert!(p.controller.acts_as_processor.is_some());
    let agreements = counted(rule(&p, "agreements"));
    assert_eq!(
        (agreements.0, agreements.1),
        (Period::new(120, Unit::Month), &[Event::ContractEnd][..])
    );
    assert_eq!(
        counted(rule(&p, "customer_contacts")).1,
        [Event::RelationshipEnd, Event::ContactPersonChanged]
    );
    let traffic = counted(rule(&p, "traffic_data"));
    assert_eq!(traffic.1, [Event::InvoicePaid]);
    assert_eq!(
        (traffic.3, traffic.4),
        (
            Some(Period::new(6, Unit::Month)),
            Some(Period::new(24, Unit::Month))
        )
    );
    let bookkeeping = counted(rule(&p, "bookkeeping"));
    assert_eq!(
        (bookkeeping.0, bookkeeping.2),
        (Period::new(7, Unit::Year), true)
    );
    assert_eq!(
        counted(rule(&p, "security_logs")).0,
        Period::new(30, Unit::Day)
    );
    let leads = rule(&p, "leads");
    assert_eq!(
        (counted(leads).0, leads.unless),
        (Period::new(13, Unit::Month), Some(Event::RelationshipStart))
    );
    let surveys = rule(&p, "surveys");
    assert_eq!(
        (counted(surveys).0, surveys.action),
        (Period::new(90, Unit::Day), RetentionAction::Anonymise)
    );
    assert_eq!(
        counted(rule(&p, "tracking")).0,
        Period::new(13, Unit::Month)
    );
}

#[test]
fn connectel_recipients_rights_and_marketing() {
    let p = policy("connectel");
    let freshworks = p
        .recipients
        .iter()
        .find(|r| r.name.get(Lang::En).starts_with("Freshworks"))
        .expect("Freshworks");
    assert_eq!(freshworks.country.code, "US");
    assert_eq!(
        freshworks.safeguard.as_ref().map(|s| s.kind),
        Some(SafeguardKind::StandardContractualClauses)
    );
    assert!(
        p.recipients
            .iter()
            .any(|r| r.role == RecipientRole::Authority)
    );
    assert_eq!(p.rights.free_copies_per_year, Some(1));
    assert!(p.rights.fee_after.is_some());
    assert!(p.purposes.iter().any(|purpose| purpose.direct_marketing));
    assert!(
        p.purposes
            .iter()
            .any(|purpose| purpose.legal_basis == Some(LegalBasis::Consent))
    );
    assert!(
        p.rights.notice_changes.is_some(),
        "re-consent on material change"
    );
}

#[test]
fn qlocx_categories_sources_purposes_profiling_and_transfers() {
    let p = policy("qlocx");
    let top_level = p
        .categories
        .iter()
        .filter(|c| c.parent().is_none() && c.derived_from.is_empty())
        .count();
    assert!(top_level >= 9, "nine categories, found {top_level}");
    assert!(
        p.categories
            .iter()
            .filter(|c| !c.derived_from.is_empty())
            .count()
            >= 5,
        "derived categories"
    );
    let kinds: std::collections::HashSet<SourceKind> = p.sources.iter().map(|s| s.kind).collect();
    assert!(
        kinds.len() >= 7,
        "seven kinds of sources, found {}",
        kinds.len()
    );
    assert!(
        p.purposes.len() >= 28,
        "about thirty purposes, found {}",
        p.purposes.len()
    );
    assert!(p.purposes.iter().any(|purpose| purpose.profiling));
    assert!(p.purposes.iter().all(|purpose| {
        purpose
            .automated_decision
            .as_ref()
            .is_none_or(|d| !d.legal_effect)
    }));
    assert!(
        p.purposes
            .iter()
            .filter(|purpose| purpose.direct_marketing)
            .count()
            >= 2,
        "mailings one can unsubscribe from"
    );
    for role in [
        RecipientRole::Processor,
        RecipientRole::JointController,
        RecipientRole::IndependentController,
        RecipientRole::Authority,
    ] {
        assert!(p.recipients.iter().any(|r| r.role == role), "{role:?}");
    }
    assert!(p.recipients.iter().any(|r| r.country.is_third_country()
        && r.safeguard.as_ref().map(|s| s.kind)
            == Some(SafeguardKind::StandardContractualClauses)));
}
