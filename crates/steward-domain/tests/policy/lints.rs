//! One test per linter rule: one mistake made in the minimal policy, and
//! exactly that rule reported, on the line that holds the mistake.

use steward_domain::policy::diagnostic::Severity;

use super::*;

fn minimal() -> String {
    fixture("minimal.toml")
}

/// Replaces exactly one occurrence, so a fixture change cannot silently
/// turn a test into one that checks nothing.
fn edit(source: &str, old: &str, new: &str) -> String {
    assert_eq!(source.matches(old).count(), 1, "`{old}` must occur once");
    source.replacen(old, new, 1)
}

/// Asserts the only diagnostic is `code`, located on a line containing `on_line`.
fn only(source: &str, code: &str, on_line: Option<&str>) -> Diagnostic {
    let report = steward_domain::check(source);
    let codes: Vec<&str> = report.diagnostics.iter().map(|d| d.code()).collect();
    assert_eq!(codes, [code], "{}", rendered(&report.diagnostics, source));
    let diagnostic = report.diagnostics[0].clone();
    match (on_line, diagnostic.position(source)) {
        (Some(expected), Some(position)) => {
            let line = source.lines().nth(position.line - 1).unwrap_or("");
            assert!(
                line.contains(expected),
                "{code} points at `{line}`, expected a line with `{expected}`"
            );
        }
        (None, None) => {}
        (expected, position) => panic!("{code}: expected location {expected:?}, got {position:?}"),
    }
    assert!(diagnostic.hint.is_some(), "{code} gives a hint");
    diagnostic
}

#[test]
fn l001_two_periods_for_the_same_data_and_purpose() {
    let source = minimal()
        + "\n[[retention]]\nid = \"newsletter_other\"\ncategories = [\"contact\"]\npurposes = [\"newsletter\"]\nperiod = \"90 days\"\n";
    let d = only(&source, "L001", Some("newsletter_other"));
    assert!(
        d.message
            .contains("`newsletter_data` (0 days) and `newsletter_other` (90 days)"),
        "{}",
        d.message
    );
    assert!(
        d.message
            .contains("`contact.email` for purpose `newsletter`"),
        "{}",
        d.message
    );
}

#[test]
fn l001_does_not_fire_for_the_same_data_under_different_purposes() {
    let source = minimal()
        + "\n[[retention]]\nid = \"extra\"\ncategories = [\"contact.email\"]\npurposes = [\"orders\"]\nperiod = \"0 days\"\nafter = \"relationship_end\"\n";
    let report = steward_domain::check(&source);
    assert!(
        report.diagnostics.is_empty(),
        "{}",
        rendered(&report.diagnostics, &source)
    );
}

#[test]
fn l002_transfer_to_a_third_country_without_safeguard() {
    let source = edit(
        &minimal(),
        "safeguard = \"standard_contractual_clauses\"\n",
        "",
    );
    let d = only(&source, "L002", Some("country = \"US\""));
    assert!(d.message.contains("United States"));
}

#[test]
fn l002_does_not_fire_inside_the_eea() {
    let source = edit(
        &minimal(),
        "country = \"US\"\nsafeguard = \"standard_contractual_clauses\"\n",
        "country = \"DE\"\n",
    );
    assert!(steward_domain::check(&source).diagnostics.is_empty());
}

#[test]
fn l003_adequacy_claimed_for_a_country_without_a_decision() {
    let source = edit(
        &minimal(),
        "country = \"US\"\nsafeguard = \"standard_contractual_clauses\"",
        "country = \"IN\"\nsafeguard = \"adequacy\"",
    );
    only(&source, "L003", Some("safeguard = \"adequacy\""));
}

#[test]
fn l003_accepts_adequacy_where_the_commission_decided_it() {
    let source = edit(
        &minimal(),
        "country = \"US\"\nsafeguard = \"standard_contractual_clauses\"",
        "country = \"JP\"\nsafeguard = \"adequacy\"",
    );
    assert!(steward_domain::check(&source).diagnostics.is_empty());
}

#[test]
fn l004_partial_adequacy_needs_confirmation() {
    let source = edit(
        &minimal(),
        "safeguard = \"standard_contractual_clauses\"",
        "safeguard = \"adequacy\"",
    );
    let d = only(&source, "L004", Some("safeguard = \"adequacy\""));
    assert_eq!(d.severity(), Severity::Warning);
    let confirmed = edit(
        &source,
        "safeguard = \"adequacy\"",
        "safeguard = \"adequacy\"\nadequacy_scope_confirmed = true",
    );
    assert!(steward_domain::check(&confirmed).diagnostics.is_empty());
}

#[test]
fn l005_purpose_without_retention() {
    let source = edit(
        &minimal(),
        "[[retention]]\nid = \"newsletter_data\"\ncategories = [\"contact.email\"]\npurposes = [\"newsletter\"]\nperiod = \"0 days\"\nafter = \"consent_withdrawn\"\n",
        "",
    );
    let d = only(&source, "L005", Some("id = \"newsletter\""));
    assert!(d.message.contains("`contact.email`"));
}

#[test]
fn l005_counts_children_of_a_covered_parent_as_covered() {
    // orders uses `contact` and its retention rule names `contact`: a new child is covered.
    let source = minimal()
        + "\n[[category]]\nid = \"contact.phone\"\nname = { en = \"Phone\", sv = \"Telefon\" }\n";
    assert!(steward_domain::check(&source).diagnostics.is_empty());
}

#[test]
fn l006_special_category_without_art9_condition() {
    let source = edit(
        &minimal(),
        "sources = [\"credit_bureau\"]",
        "sources = [\"credit_bureau\"]\nspecial = true",
    );
    only(&source, "L006", Some("id = \"orders\""));
    let allowed = edit(
        &source,
        "legal_basis = \"contract\"",
        "legal_basis = \"contract\"\nspecial_condition = \"explicit_consent\"",
    );
    assert!(steward_domain::check(&allowed).diagnostics.is_empty());
}

#[test]
fn l007_legitimate_interest_not_stated() {
    let source = edit(
        &minimal(),
        "legal_basis = \"consent\"",
        "legal_basis = \"legitimate_interests\"",
    );
    only(&source, "L007", Some("id = \"newsletter\""));
}

#[test]
fn l008_direct_marketing_on_contract() {
    let source = edit(
        &minimal(),
        "legal_basis = \"consent\"",
        "legal_basis = \"contract\"",
    );
    let d = only(&source, "L008", Some("id = \"newsletter\""));
    assert!(d.message.contains("Art. 6(1)(b)"));
}

#[test]
fn l009_automated_decision_with_legal_effect_without_art22_basis() {
    let source = minimal()
        .replace("subjects = [\"customer\"]\n\n[[purpose]]", "subjects = [\"customer\"]\nautomated_decision = { legal_effect = true, logic = { en = \"Credit score\", sv = \"Kreditpoäng\" } }\n\n[[purpose]]");
    only(&source, "L009", Some("automated_decision"));
    let with_basis = source.replace(
        "legal_effect = true,",
        "legal_effect = true, basis = \"contract\",",
    );
    assert!(steward_domain::check(&with_basis).diagnostics.is_empty());
}

#[test]
fn l010_declared_category_no_purpose_uses() {
    let source = minimal()
        + "\n[[category]]\nid = \"location\"\nname = { en = \"Location\", sv = \"Plats\" }\n";
    let d = only(&source, "L010", Some("id = \"location\""));
    assert_eq!(d.severity(), Severity::Warning);
}

#[test]
fn l011_cookie_without_lifetime() {
    let source = edit(&minimal(), "lifetime = \"session\"\n", "");
    only(&source, "L011", Some("name = \"session\""));
}

#[test]
fn l012_minimum_age_below_13() {
    let source = edit(&minimal(), "minimum_age = 16", "minimum_age = 12");
    only(&source, "L012", Some("minimum_age = 12"));
}

#[test]
fn l013_indefinite_retention_without_justification() {
    let source = edit(
        &minimal(),
        "period = \"0 days\"\nafter = \"relationship_end\"",
        "indefinite = true",
    );
    only(&source, "L013", Some("id = \"order_data\""));
}

#[test]
fn l014_missing_translation() {
    let source = edit(
        &minimal(),
        "name = { en = \"Orders\", sv = \"Beställningar\" }",
        "name = { en = \"Orders\" }",
    );
    let d = only(&source, "L014", Some("name = { en = \"Orders\" }"));
    assert!(d.message.contains("no Swedish text"));
}

#[test]
fn l015_prose_as_one_plain_string() {
    let source = edit(
        &minimal(),
        "description = { en = \"We deliver what you order.\", sv = \"Vi levererar det du beställer.\" }",
        "description = \"We deliver what you order.\"",
    );
    let d = only(&source, "L015", Some("We deliver"));
    assert_eq!(d.severity(), Severity::Warning);
}

#[test]
fn l016_legal_obligation_without_the_law() {
    let source = edit(
        &minimal(),
        "legal_basis = \"contract\"",
        "legal_basis = \"legal_obligation\"",
    );
    only(&source, "L016", Some("id = \"orders\""));
}

#[test]
fn l017_national_id_without_justification() {
    let source = minimal()
        + "\n[[category]]\nid = \"contact.personnummer\"\nname = { en = \"Personal identity number\", sv = \"Personnummer\" }\nnational_id = true\n";
    let d = only(&source, "L017", Some("contact.personnummer"));
    assert_eq!(d.severity(), Severity::Warning);
}

#[test]
fn l018_retention_window_whose_minimum_exceeds_its_maximum() {
    let source = edit(
        &minimal(),
        "after = \"relationship_end\"",
        "after = \"relationship_end\"\nminimum = \"24 months\"\nmaximum = \"6 months\"",
    );
    only(&source, "L018", Some("id = \"order_data\""));
}

#[test]
fn l019_purpose_changed_in_a_later_version_than_the_policy() {
    let source = edit(
        &minimal(),
        "direct_marketing = true",
        "direct_marketing = true\nchanged_in = \"3.0\"",
    );
    only(&source, "L019", Some("id = \"newsletter\""));
    let earlier = source.replace("changed_in = \"3.0\"", "changed_in = \"2.0\"");
    assert!(steward_domain::check(&earlier).diagnostics.is_empty());
}

#[test]
fn l020_response_deadline_longer_than_one_month() {
    let source = edit(
        &minimal(),
        "[rights]\n",
        "[rights]\nresponse_deadline = \"2 months\"\n",
    );
    only(&source, "L020", Some("response_deadline"));
    let shorter = source.replace("2 months", "30 days");
    assert!(steward_domain::check(&shorter).diagnostics.is_empty());
}

#[test]
fn l021_declared_subject_type_no_purpose_processes() {
    let source = minimal()
        + "\n[[subject_type]]\nid = \"supplier\"\nname = { en = \"Suppliers\", sv = \"Leverantörer\" }\n";
    only(&source, "L021", Some("id = \"supplier\""));
    let not_stored = source + "data_normally_stored = false\n";
    assert!(steward_domain::check(&not_stored).diagnostics.is_empty());
}

#[test]
fn l022_purpose_without_legal_basis() {
    let source = edit(&minimal(), "legal_basis = \"contract\"\n", "");
    only(&source, "L022", Some("id = \"orders\""));
}

#[test]
fn l023_no_security_measures() {
    let source = edit(
        &minimal(),
        "[[security_measure]]\nid = \"encryption\"\ndescription = { en = \"Encryption at rest.\", sv = \"Kryptering av lagrade uppgifter.\" }\n",
        "",
    );
    only(&source, "L023", None);
}

#[test]
fn l024_limited_free_copies_without_fee_terms() {
    let source = edit(
        &minimal(),
        "fee_after = { en = \"For further copies we may charge a reasonable fee based on administrative costs.\", sv = \"För ytterligare kopior kan vi ta ut en rimlig avgift baserad på de administrativa kostnaderna.\" }\n",
        "",
    );
    only(&source, "L024", None);
}

#[test]
fn l025_erasure_exception_for_a_legal_obligation_names_the_law() {
    let source = edit(
        &minimal(),
        "after = \"relationship_end\"",
        "after = \"relationship_end\"\nerasure_exception = \"legal_obligation\"",
    );
    only(&source, "L025", Some("id = \"order_data\""));
    let with_law = edit(
        &source,
        "erasure_exception = \"legal_obligation\"",
        "erasure_exception = \"legal_obligation\"\nlaw = \"Bokföringslagen (1999:1078)\"",
    );
    assert!(steward_domain::check(&with_law).diagnostics.is_empty());
    let claims = edit(
        &source,
        "erasure_exception = \"legal_obligation\"",
        "erasure_exception = \"legal_claims\"",
    );
    assert!(steward_domain::check(&claims).diagnostics.is_empty());
}

#[test]
fn l026_non_necessary_cookie_needs_a_consent_based_purpose() {
    let cookie = "\n[[cookie]]\nname = \"_ga\"\ncategory = \"statistics\"\nlifetime = \"13 months\"\ndescription = { en = \"Counts visits.\", sv = \"Räknar besök.\" }\n";
    let source = minimal() + cookie;
    only(&source, "L026", Some("name = \"_ga\""));
    let on_contract = source.clone() + "purpose = \"orders\"\n";
    only(&on_contract, "L026", Some("name = \"_ga\""));
    let on_consent = source + "purpose = \"newsletter\"\n";
    assert!(steward_domain::check(&on_consent).diagnostics.is_empty());
}

#[test]
fn a_cookie_may_be_declared_once_per_condition() {
    let variant = "\n[[cookie]]\nname = \"session\"\nwhen = { en = \"if you tick Remember me\", sv = \"om du kryssar i Kom ihåg mig\" }\ncategory = \"necessary\"\nlifetime = \"2 weeks\"\ndescription = { en = \"Keeps you logged in.\", sv = \"Håller dig inloggad.\" }\n";
    let source = minimal() + variant;
    assert!(steward_domain::check(&source).diagnostics.is_empty());
    let twice = source.clone() + variant;
    let report = steward_domain::check(&twice);
    assert_eq!(
        report
            .diagnostics
            .iter()
            .map(|d| d.code())
            .collect::<Vec<_>>(),
        ["E006"]
    );
}

#[test]
fn anonymous_purposes_need_no_legal_basis_and_no_retention() {
    let source = minimal()
        + "\n[[purpose]]\nid = \"statistics\"\nname = { en = \"Statistics\", sv = \"Statistik\" }\ndescription = { en = \"Anonymised statistics.\", sv = \"Anonymiserad statistik.\" }\nanonymous = true\ncategories = [\"credit\"]\nsubjects = [\"customer\"]\n";
    let report = steward_domain::check(&source);
    assert!(
        report.diagnostics.is_empty(),
        "{}",
        rendered(&report.diagnostics, &source)
    );
}

#[test]
fn l027_holidays_of_a_country_steward_does_not_know_are_a_warning() {
    let finnish = edit(
        &minimal(),
        "minimum_age = 16\n",
        "minimum_age = 16\ncountry = \"FI\"\ntime_zone = \"Europe/Helsinki\"\n[controller.supervisory_authority]\nname = \"Tietosuojavaltuutetun toimisto\"\nwebsite = \"https://tietosuoja.fi\"\n",
    );
    let diagnostic = only(&finnish, "L027", None);
    assert!(
        diagnostic.message.contains("Finland"),
        "{}",
        diagnostic.message
    );
    let report = steward_domain::check(&finnish);
    let zone = report.policy.expect("a policy").controller.time_zone;
    assert_eq!(zone.iana_name(), Some("Europe/Helsinki"));
}

#[test]
fn a_time_zone_steward_does_not_know_is_an_error_and_stockholm_is_the_default() {
    let policy = steward_domain::check(&minimal()).policy.expect("a policy");
    assert_eq!(
        policy.controller.time_zone.iana_name(),
        Some("Europe/Stockholm")
    );
    let wrong = edit(
        &minimal(),
        "email = \"privacy@minimal.example\"\n",
        "email = \"privacy@minimal.example\"\ntime_zone = \"Europe/Stokholm\"\n",
    );
    let diagnostic = only(&wrong, "E003", Some("time_zone"));
    assert!(diagnostic.message.contains("Europe/Stokholm"));
}

#[test]
fn every_lint_rule_has_a_test_here() {
    let this_file = include_str!("lints.rs");
    for rule in steward_domain::policy::diagnostic_codes::ALL
        .iter()
        .filter(|r| r.code.starts_with('L'))
    {
        let name = format!("fn {}_", rule.code.to_ascii_lowercase());
        assert!(this_file.contains(&name), "no test for {}", rule.code);
    }
}

#[test]
fn l028_a_category_that_needs_consent_needs_a_purpose_to_consent_to() {
    // Credit ratings are used only by `orders`, on a contract: no consent
    // could ever unlock them.
    let source = edit(
        &minimal(),
        "sources = [\"credit_bureau\"]\n",
        "sources = [\"credit_bureau\"]\nconsent_required = true\n",
    );
    only(&source, "L028", Some("id = \"credit\""));
    // The newsletter is consent-based and uses the e-mail address.
    let fine = edit(
        &minimal(),
        "id = \"contact.email\"\n",
        "id = \"contact.email\"\nconsent_required = true\n",
    );
    assert!(steward_domain::check(&fine).diagnostics.is_empty());
}

#[test]
fn steps_before_a_contract_qualify_only_the_contract_basis() {
    let source = edit(
        &minimal(),
        "legal_basis = \"consent\"\n",
        "legal_basis = \"consent\"\nbefore_contract = true\n",
    );
    let d = only(&source, "E011", Some("id = \"newsletter\""));
    assert!(d.message.contains("before_contract"), "{}", d.message);
}

#[test]
fn assumptions_and_deviations_are_read_from_fields_and_marked_in_the_notice() {
    let source = edit(
        &minimal(),
        "role = \"processor\"\n",
        "role = \"processor\"\nassumed = { country = \"the notice names the mailer but not where it is\" }\ndeviation = { notice = \"we use no processors\", reading = \"the mailer is a processor\", law = \"Art. 28\" }\n",
    );
    let report = steward_domain::check(&source);
    assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
    let policy = report.policy.expect("a policy");
    let kinds: Vec<(&str, &str, bool)> = policy
        .notes
        .iter()
        .map(|n| {
            (
                n.section,
                n.id.as_str(),
                matches!(n.kind, steward_domain::policy::NoteKind::Assumed { .. }),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("recipient", "mailer", true),
            ("recipient", "mailer", false)
        ]
    );
    // The assumed country is marked wherever the notice states it.
    let notice =
        steward_domain::publish::notice::markdown(&policy, steward_domain::common::lang::Lang::En)
            .unwrap();
    let transfers = notice
        .split("## Transfers")
        .nth(1)
        .expect("a transfers section");
    assert!(
        transfers.contains("United States (to be confirmed)"),
        "{transfers}"
    );
    // The draft lists both, with their reasons; the plain notice does not.
    let draft =
        steward_domain::publish::notice::draft(&policy, steward_domain::common::lang::Lang::En)
            .to_markdown()
            .unwrap();
    assert!(
        draft.contains("the notice names the mailer but not where it is"),
        "{draft}"
    );
    assert!(draft.contains("we use no processors"), "{draft}");
    assert!(!notice.contains("we use no processors"));

    // A field that cannot be assumed is named.
    let wrong = edit(
        &minimal(),
        "role = \"processor\"\n",
        "role = \"processor\"\nassumed = { colour = \"why not\" }\n",
    );
    let d = only(&wrong, "E003", Some("assumed"));
    assert!(d.message.contains("`colour`"), "{}", d.message);
}

#[test]
fn an_absolute_claim_of_the_notice_must_agree_with_the_policy() {
    // The minimal policy has a mailer in the United States.
    let source = edit(
        &minimal(),
        "[controller]\n",
        "[notice]\nno_transfers = true\n\n[controller]\n",
    );
    let d = only(&source, "E011", Some("[notice]"));
    assert!(d.message.contains("outside the EU/EEA"), "{}", d.message);
}

fn notice_of(source: &str) -> String {
    let report = steward_domain::check(source);
    assert_eq!(
        report.errors(),
        0,
        "{}",
        rendered(&report.diagnostics, source)
    );
    let policy = report.policy.expect("a policy");
    steward_domain::publish::notice::markdown(&policy, steward_domain::common::lang::Lang::En)
        .unwrap()
}

#[test]
fn only_the_notice_itself_says_that_no_data_comes_from_others() {
    // Without a source of its own the minimal policy says only that most
    // data comes from the subject: "we obtain nothing from others" is a
    // promise (Elveta's notice says "vanligtvis", usually).
    let own_only = edit(
        &edit(&minimal(), "sources = [\"credit_bureau\"]\n", ""),
        "[[source]]\nid = \"credit_bureau\"\nkind = \"credit_bureau\"\nname = { en = \"Credit bureaus\", sv = \"Kreditupplysningsföretag\" }\n",
        "",
    );
    let none = "We do not obtain personal data about you from other sources.";
    assert!(!notice_of(&own_only).contains(none));
    let claimed = edit(
        &own_only,
        "[controller]\n",
        "[notice]\nno_other_sources = true\n\n[controller]\n",
    );
    assert!(notice_of(&claimed).contains(none));
    // The claim is refused where the policy names another source.
    let d = only(
        &edit(
            &minimal(),
            "[controller]\n",
            "[notice]\nno_other_sources = true\n\n[controller]\n",
        ),
        "E011",
        Some("[notice]"),
    );
    assert!(d.message.contains("no_other_sources"), "{}", d.message);
}

#[test]
fn the_rights_section_says_what_the_policy_promises_beyond_the_law() {
    let source = edit(
        &minimal(),
        "[rights]\n",
        "[rights]\nportability = \"all_data\"\nguardian_requests = true\nstatement = { en = \"Erasure does not cover data we must keep.\", sv = \"Radering gäller inte uppgifter vi måste spara.\" }\n",
    );
    let notice = notice_of(&source);
    assert!(
        notice.contains("to receive all the personal data we hold about you"),
        "{notice}"
    );
    assert!(!notice.contains("to receive the data you have given us"));
    assert!(notice.contains("Erasure does not cover data we must keep."));
    // The minimal policy has an age limit: the guardian is told in that section.
    let children = notice
        .split("## Children")
        .nth(1)
        .expect("a children's section");
    assert!(
        children.contains("If you are a parent or guardian"),
        "{children}"
    );
    // Unknown values are named.
    let wrong = edit(
        &minimal(),
        "[rights]\n",
        "[rights]\nportability = \"most\"\n",
    );
    let report = steward_domain::check(&wrong);
    assert_eq!(
        report.diagnostics[0].code(),
        "E003",
        "{:?}",
        report.diagnostics
    );
}

#[test]
fn assumed_contact_details_and_dates_are_marked_wherever_they_are_used() {
    let source = edit(
        &edit(
            &minimal(),
            "email = \"privacy@minimal.example\"\n",
            "email = \"privacy@minimal.invalid\"\nassumed = { email = \"the notice gives none\" }\n",
        ),
        "languages = [\"en\", \"sv\"]\n",
        "languages = [\"en\", \"sv\"]\nassumed = { effective = \"the notice is not dated\" }\n",
    );
    let notice = notice_of(&source);
    assert!(
        notice.contains("E-mail: privacy@minimal.invalid (to be confirmed)"),
        "{notice}"
    );
    assert!(notice.contains("contact us at privacy@minimal.invalid (to be confirmed)"));
    assert!(notice.contains("in effect from 2025-01-31 (to be confirmed)"));
    // What the notice does give is not marked.
    assert!(!notice.contains("Version 2 (to be confirmed)"));
}

#[test]
fn profiling_is_said_to_have_no_legal_effect_only_where_the_notice_says_so() {
    let source = edit(
        &minimal(),
        "direct_marketing = true\ncategories = [\"contact.email\"]\n",
        "direct_marketing = true\nprofiling = true\ncategories = [\"contact.email\"]\n",
    );
    let no_effect =
        "It does not lead to decisions with legal or similarly significant effects on you.";
    let notice = notice_of(&source);
    assert!(
        notice.contains("Profiling takes place for: Newsletter."),
        "{notice}"
    );
    assert!(!notice.contains(no_effect));
    let claimed = edit(
        &source,
        "[controller]\n",
        "[notice]\nno_automated_decisions = true\n\n[controller]\n",
    );
    assert!(notice_of(&claimed).contains(no_effect));
}

#[test]
fn an_agreement_named_for_a_recipient_in_the_eea_is_shown() {
    let source = edit(
        &minimal(),
        "country = \"US\"\nsafeguard = \"standard_contractual_clauses\"\n",
        "country = \"SE\"\nsafeguard_reference = \"Mailer DPA\"\n",
    );
    let notice = notice_of(&source);
    assert!(
        notice.contains("Mailer Inc. (under Mailer DPA)"),
        "{notice}"
    );
}
