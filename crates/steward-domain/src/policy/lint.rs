//! The linter: legal rules a structurally valid policy can still break.
//! Each check is a small function named after its rule; `lint` runs them all.

use std::collections::HashSet;

use crate::common::calendar::Calendar;

use crate::policy::country::Adequacy;
use crate::policy::diagnostic::Diagnostic;
use crate::policy::diagnostic_codes;
use crate::policy::{
    AutomatedDecisionBasis, CookieCategory, ErasureException, LegalBasis, Policy, RetentionPeriod,
    RetentionRule, SafeguardKind,
};

pub fn lint(policy: &Policy) -> Vec<Diagnostic> {
    let checks: &[fn(&Policy, &mut Vec<Diagnostic>)] = &[
        conflicting_retention,
        transfers,
        purpose_without_retention,
        special_category_without_condition,
        purpose_bases,
        direct_marketing_basis,
        automated_decision_without_basis,
        unused_category,
        cookie_without_lifetime,
        minimum_age_below_13,
        indefinite_without_justification,
        national_id_without_justification,
        retention_window,
        change_after_version,
        response_deadline,
        unused_declarations,
        security_measures,
        fee_terms,
        exception_without_law,
        cookie_without_consent,
        holidays_unknown,
        consent_required_without_consent_purpose,
    ];
    let mut out = Vec::new();
    for check in checks {
        check(policy, &mut out);
    }
    out
}

/// L001: the same data for the same purpose with two different schedules,
/// e.g. helpdesk calls kept "90 days" in one section and "30 days" in another.
fn conflicting_retention(policy: &Policy, out: &mut Vec<Diagnostic>) {
    let mut reported: HashSet<&str> = HashSet::new();
    for (i, first) in policy.retention.iter().enumerate() {
        for second in &policy.retention[i + 1..] {
            if same_schedule(first, second) || reported.contains(second.id.as_str()) {
                continue;
            }
            let Some((category, purpose)) = overlap(policy, first, second) else {
                continue;
            };
            reported.insert(&second.id);
            out.push(
                Diagnostic::new(
                    &diagnostic_codes::CONFLICTING_RETENTION,
                    second.span.clone(),
                    format!(
                        "retention rules `{}` ({}) and `{}` ({}) both govern `{category}` for purpose `{purpose}`",
                        first.id,
                        describe(first),
                        second.id,
                        describe(second)
                    ),
                )
                .hint("keep one rule for each data and purpose; where the notice contradicts itself, keep the stricter (shorter) period"),
            );
        }
    }
}

/// A (leaf category, purpose) pair that both rules govern, if any.
fn overlap<'a>(
    policy: &'a Policy,
    first: &'a RetentionRule,
    second: &'a RetentionRule,
) -> Option<(&'a str, &'a str)> {
    policy.leaf_categories().find_map(|leaf| {
        if !covers(first, &leaf.id) || !covers(second, &leaf.id) {
            return None;
        }
        let purpose = first
            .purposes
            .iter()
            .find(|p| second.purposes.contains(p))?;
        Some((leaf.id.as_str(), purpose.as_str()))
    })
}

fn covers(rule: &RetentionRule, leaf: &str) -> bool {
    rule.categories
        .iter()
        .any(|c| crate::policy::is_within(leaf, c))
}

/// Whether two rules for the same data and purpose can stand together: they
/// say the same, or one governs only until an event (`unless`) after which the
/// other takes over ("13 months, unless a customer relationship forms").
fn same_schedule(a: &RetentionRule, b: &RetentionRule) -> bool {
    (a.period == b.period && a.unless == b.unless && a.action == b.action)
        || a.unless.is_some()
        || b.unless.is_some()
}

fn describe(rule: &RetentionRule) -> String {
    match &rule.period {
        RetentionPeriod::Indefinite => "indefinitely".to_owned(),
        RetentionPeriod::Counted { period, .. } => period.to_string(),
    }
}

/// L002, L003, L004: transfers to third countries and their safeguards.
fn transfers(policy: &Policy, out: &mut Vec<Diagnostic>) {
    for recipient in &policy.recipients {
        if !recipient.country.is_third_country() {
            continue;
        }
        let Some(safeguard) = &recipient.safeguard else {
            out.push(
                Diagnostic::new(
                    &diagnostic_codes::TRANSFER_WITHOUT_SAFEGUARD,
                    recipient.country_span.clone(),
                    format!(
                        "recipient `{}` is in {}, outside the EU/EEA, but no safeguard is given",
                        recipient.id, recipient.country.name_en
                    ),
                )
                .hint("add `safeguard = \"standard_contractual_clauses\"` (or `adequacy`, `binding_corporate_rules`, `derogation`)"),
            );
            continue;
        };
        if safeguard.kind != SafeguardKind::Adequacy {
            continue;
        }
        match recipient.country.adequacy {
            Adequacy::Full | Adequacy::InsideEea => {}
            Adequacy::Partial(scope) if !recipient.adequacy_scope_confirmed => out.push(
                Diagnostic::new(
                    &diagnostic_codes::ADEQUACY_SCOPE_UNCONFIRMED,
                    safeguard.span.clone(),
                    format!(
                        "the adequacy decision for {} covers only {scope}",
                        recipient.country.name_en
                    ),
                )
                .hint(format!(
                    "if `{}` is covered, add `adequacy_scope_confirmed = true`; otherwise use standard contractual clauses",
                    recipient.id
                )),
            ),
            Adequacy::Partial(_) => {}
            Adequacy::None => out.push(
                Diagnostic::new(
                    &diagnostic_codes::ADEQUACY_NOT_RECOGNISED,
                    safeguard.span.clone(),
                    format!(
                        "{} has no adequacy decision, so `adequacy` cannot cover the transfer to `{}`",
                        recipient.country.name_en, recipient.id
                    ),
                )
                .hint("use `standard_contractual_clauses`, `binding_corporate_rules` or an Art. 49 `derogation`"),
            ),
        }
    }
}

/// L005: every category a purpose uses has a retention rule for that purpose.
fn purpose_without_retention(policy: &Policy, out: &mut Vec<Diagnostic>) {
    // Anonymised data is no longer personal data: no retention rule applies.
    for purpose in policy.purposes.iter().filter(|p| !p.anonymous) {
        let uncovered: Vec<&str> = policy
            .expand_categories(&purpose.categories)
            .into_iter()
            .filter(|leaf| policy.retention_for(&leaf.id, &purpose.id).next().is_none())
            .map(|leaf| leaf.id.as_str())
            .collect();
        if uncovered.is_empty() {
            continue;
        }
        out.push(
            Diagnostic::new(
                &diagnostic_codes::PURPOSE_WITHOUT_RETENTION,
                purpose.span.clone(),
                format!(
                    "purpose `{}` uses {} but no retention rule says how long for this purpose",
                    purpose.id,
                    code_list(&uncovered)
                ),
            )
            .hint(format!(
                "add a [[retention]] with purposes = [\"{}\"] and these categories",
                purpose.id
            )),
        );
    }
}

/// L006.
fn special_category_without_condition(policy: &Policy, out: &mut Vec<Diagnostic>) {
    for purpose in &policy.purposes {
        if purpose.special_condition.is_some() || purpose.anonymous {
            continue;
        }
        let special: Vec<&str> = policy
            .expand_categories(&purpose.categories)
            .into_iter()
            // Special if it, or any category above it, is special.
            .filter(|c| {
                policy
                    .categories
                    .iter()
                    .any(|s| s.special && c.is_within(&s.id))
            })
            .map(|c| c.id.as_str())
            .collect();
        if !special.is_empty() {
            out.push(
                Diagnostic::new(
                    &diagnostic_codes::SPECIAL_CATEGORY_WITHOUT_CONDITION,
                    purpose.span.clone(),
                    format!(
                        "purpose `{}` uses special-category data {} without an Art. 9(2) condition",
                        purpose.id,
                        code_list(&special)
                    ),
                )
                .hint("add `special_condition = \"explicit_consent\"` (or another Art. 9(2) condition)"),
            );
        }
    }
}

/// L007, L016, L022: what each legal basis needs stated.
fn purpose_bases(policy: &Policy, out: &mut Vec<Diagnostic>) {
    for purpose in &policy.purposes {
        match purpose.legal_basis {
            None if !purpose.anonymous => out.push(
                Diagnostic::new(
                    &diagnostic_codes::LEGAL_BASIS_MISSING,
                    purpose.span.clone(),
                    format!("purpose `{}` has no legal basis", purpose.id),
                )
                .hint("add `legal_basis = \"consent\"` (or contract, legal_obligation, vital_interests, public_task, legitimate_interests); a purpose that only uses anonymised data says `anonymous = true`"),
            ),
            Some(LegalBasis::LegitimateInterests) if purpose.legitimate_interest.is_none() => out.push(
                Diagnostic::new(
                    &diagnostic_codes::LEGITIMATE_INTEREST_NOT_STATED,
                    purpose.span.clone(),
                    format!("purpose `{}` rests on legitimate interests but does not say which", purpose.id),
                )
                .hint("add `legitimate_interest = { en = \"...\", sv = \"...\" }`"),
            ),
            Some(LegalBasis::LegalObligation | LegalBasis::PublicTask) if purpose.law.is_none() => out.push(
                Diagnostic::new(
                    &diagnostic_codes::LAW_NOT_NAMED,
                    purpose.span.clone(),
                    format!("purpose `{}` rests on a legal obligation or public task but names no law", purpose.id),
                )
                .hint("add e.g. `law = \"Bokföringslagen (1999:1078)\"`"),
            ),
            _ => {}
        }
    }
}

/// L008.
fn direct_marketing_basis(policy: &Policy, out: &mut Vec<Diagnostic>) {
    for purpose in policy.purposes.iter().filter(|p| p.direct_marketing) {
        if let Some(basis) = purpose.legal_basis
            && !matches!(basis, LegalBasis::Consent | LegalBasis::LegitimateInterests)
        {
            out.push(
                    Diagnostic::new(
                        &diagnostic_codes::DIRECT_MARKETING_BASIS,
                        purpose.span.clone(),
                        format!(
                            "purpose `{}` is direct marketing on {}; only consent or legitimate interests can carry it",
                            purpose.id,
                            basis.article()
                        ),
                    )
                    .hint("use `legal_basis = \"consent\"` or `\"legitimate_interests\"`"),
                );
        }
    }
}

/// L009.
fn automated_decision_without_basis(policy: &Policy, out: &mut Vec<Diagnostic>) {
    for purpose in &policy.purposes {
        let Some(decision) = &purpose.automated_decision else {
            continue;
        };
        if !decision.legal_effect {
            continue;
        }
        let consistent = match decision.basis {
            None => false,
            Some(AutomatedDecisionBasis::Contract) => {
                purpose.legal_basis == Some(LegalBasis::Contract)
            }
            Some(AutomatedDecisionBasis::ExplicitConsent) => {
                purpose.legal_basis == Some(LegalBasis::Consent)
            }
            Some(AutomatedDecisionBasis::Law) => purpose.law.is_some(),
        };
        if !consistent {
            out.push(
                Diagnostic::new(
                    &diagnostic_codes::AUTOMATED_DECISION_WITHOUT_BASIS,
                    decision.span.clone(),
                    format!(
                        "purpose `{}` makes decisions with legal effect by automated means without a matching Art. 22(2) basis",
                        purpose.id
                    ),
                )
                .hint("set `basis = \"contract\"` (with legal_basis contract), `\"explicit_consent\"` (with consent) or `\"law\"` (with `law` named on the purpose)"),
            );
        }
    }
}

/// L010.
fn unused_category(policy: &Policy, out: &mut Vec<Diagnostic>) {
    for leaf in policy.leaf_categories() {
        let used = policy
            .purposes
            .iter()
            .any(|p| p.categories.iter().any(|c| leaf.is_within(c)))
            || policy
                .categories
                .iter()
                .any(|c| c.derived_from.iter().any(|d| leaf.is_within(d)));
        if !used {
            out.push(
                Diagnostic::new(
                    &diagnostic_codes::UNUSED_CATEGORY,
                    leaf.span.clone(),
                    format!("category `{}` is declared but no purpose uses it", leaf.id),
                )
                .hint("add it to the purposes that process it, or remove it"),
            );
        }
    }
}

/// L011.
fn cookie_without_lifetime(policy: &Policy, out: &mut Vec<Diagnostic>) {
    for cookie in policy.cookies.iter().filter(|c| c.lifetime.is_none()) {
        out.push(
            Diagnostic::new(
                &diagnostic_codes::COOKIE_WITHOUT_LIFETIME,
                cookie.span.clone(),
                format!("cookie `{}` has no lifetime", cookie.name),
            )
            .hint("add `lifetime = \"1 year\"` or `lifetime = \"session\"`"),
        );
    }
}

/// L012.
fn minimum_age_below_13(policy: &Policy, out: &mut Vec<Diagnostic>) {
    let Some(age) = policy.controller.minimum_age else {
        return;
    };
    if age < 13 {
        out.push(
            Diagnostic::new(
                &diagnostic_codes::MINIMUM_AGE_BELOW_13,
                policy.controller.minimum_age_span.clone(),
                format!("minimum age {age} is below 13"),
            )
            .hint("set `minimum_age = 13` or higher"),
        );
    }
}

/// L013.
fn indefinite_without_justification(policy: &Policy, out: &mut Vec<Diagnostic>) {
    for rule in &policy.retention {
        if rule.period == RetentionPeriod::Indefinite && rule.justification.is_none() {
            out.push(
                Diagnostic::new(
                    &diagnostic_codes::INDEFINITE_WITHOUT_JUSTIFICATION,
                    rule.span.clone(),
                    format!(
                        "retention rule `{}` keeps data indefinitely without saying why",
                        rule.id
                    ),
                )
                .hint("add `justification = { en = \"...\", sv = \"...\" }` with the criteria"),
            );
        }
    }
}

/// L017.
fn national_id_without_justification(policy: &Policy, out: &mut Vec<Diagnostic>) {
    for category in policy
        .categories
        .iter()
        .filter(|c| c.national_id && c.justification.is_none())
    {
        out.push(
            Diagnostic::new(
                &diagnostic_codes::NATIONAL_ID_WITHOUT_JUSTIFICATION,
                category.span.clone(),
                format!(
                    "category `{}` is a national identity number but its use is not justified",
                    category.id
                ),
            )
            .hint("add `justification = { ... }`, e.g. secure identification of the customer"),
        );
    }
}

/// L018.
fn retention_window(policy: &Policy, out: &mut Vec<Diagnostic>) {
    for rule in &policy.retention {
        let RetentionPeriod::Counted {
            period,
            minimum,
            maximum,
            after,
            calendar_year_end,
        } = &rule.period
        else {
            continue;
        };
        let from_collection = after.iter().all(|e| *e == crate::policy::Event::Collection);
        let inverted = match (minimum, maximum) {
            (Some(min), Some(max)) => min.min_days() > max.max_days(),
            _ => false,
        };
        // Only a period counted from collection can be compared with the
        // window; one longer than the maximum can never be honoured.
        let outside = from_collection
            && !calendar_year_end
            && maximum.is_some_and(|max| period.min_days() > max.max_days());
        if inverted || outside {
            out.push(
                Diagnostic::new(
                    &diagnostic_codes::RETENTION_WINDOW_INVERTED,
                    rule.span.clone(),
                    format!("retention rule `{}` has a window that cannot be met", rule.id),
                )
                .hint("the minimum must not exceed the maximum, and the period must fall between them"),
            );
        }
    }
}

/// L019.
fn change_after_version(policy: &Policy, out: &mut Vec<Diagnostic>) {
    for purpose in &policy.purposes {
        if let Some(changed) = &purpose.changed_in
            && changed > &policy.meta.version
        {
            out.push(
                Diagnostic::new(
                    &diagnostic_codes::CHANGE_AFTER_VERSION,
                    purpose.span.clone(),
                    format!(
                        "purpose `{}` changed in {changed}, after the policy's version {}",
                        purpose.id, policy.meta.version
                    ),
                )
                .hint("raise [policy] version, or correct `changed_in`"),
            );
        }
    }
}

/// L020.
fn response_deadline(policy: &Policy, out: &mut Vec<Diagnostic>) {
    let deadline = policy.rights.response_deadline;
    if deadline.max_days() > 31 {
        out.push(
            Diagnostic::new(
                &diagnostic_codes::RESPONSE_DEADLINE_TOO_LONG,
                policy.rights.response_deadline_span.clone(),
                format!("a response deadline of {deadline} is longer than one month"),
            )
            .hint("use `response_deadline = \"1 month\"` or shorter"),
        );
    }
}

/// L021.
fn unused_declarations(policy: &Policy, out: &mut Vec<Diagnostic>) {
    for subject in &policy.subject_types {
        let used = policy
            .purposes
            .iter()
            .any(|p| p.subjects.contains(&subject.id));
        if !used && subject.data_normally_stored {
            out.push(
                Diagnostic::new(
                    &diagnostic_codes::UNUSED_DECLARATION,
                    subject.span.clone(),
                    format!("subject type `{}` is declared but no purpose processes its data", subject.id),
                )
                .hint("add it to a purpose's `subjects`, or set `data_normally_stored = false` if that is the promise"),
            );
        }
    }
    for source in &policy.sources {
        if !policy
            .categories
            .iter()
            .any(|c| c.sources.contains(&source.id))
        {
            out.push(
                Diagnostic::new(
                    &diagnostic_codes::UNUSED_DECLARATION,
                    source.span.clone(),
                    format!(
                        "source `{}` is declared but no category comes from it",
                        source.id
                    ),
                )
                .hint("list it in the `sources` of the categories obtained from it"),
            );
        }
    }
}

/// L023.
fn security_measures(policy: &Policy, out: &mut Vec<Diagnostic>) {
    if policy.security_measures.is_empty() {
        out.push(
            Diagnostic::new(&diagnostic_codes::NO_SECURITY_MEASURES, None, "the policy declares no security measures")
                .hint("add [[security_measure]] entries, e.g. encryption at rest, access on a need-to-know basis"),
        );
    }
}

/// L024.
fn fee_terms(policy: &Policy, out: &mut Vec<Diagnostic>) {
    if policy.rights.free_copies_per_year.is_some() && policy.rights.fee_after.is_none() {
        out.push(
            Diagnostic::new(&diagnostic_codes::FEE_WITHOUT_TERMS, None, "free copies are limited but the fee after them is not described")
                .hint("add `fee_after = { en = \"a reasonable fee based on administrative costs\", sv = \"...\" }` to [rights]"),
        );
    }
}

fn code_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// L027: deadlines move past public holidays only where Steward knows them.
fn holidays_unknown(policy: &Policy, out: &mut Vec<Diagnostic>) {
    let country = &policy.controller.country;
    if !Calendar::of(country).knows_holidays() {
        out.push(
            Diagnostic::new(
                &diagnostic_codes::HOLIDAYS_UNKNOWN,
                None,
                format!(
                    "Steward does not know the public holidays of {}: a deadline that ends on one is not moved to the next working day, only one that ends on a weekend",
                    country.name_en
                ),
            )
            .hint("check deadlines that end near a public holiday by hand"),
        );
    }
}

/// L025.
fn exception_without_law(policy: &Policy, out: &mut Vec<Diagnostic>) {
    for rule in &policy.retention {
        if rule.erasure_exception == Some(ErasureException::LegalObligation) && rule.law.is_none() {
            out.push(
                Diagnostic::new(
                    &diagnostic_codes::EXCEPTION_WITHOUT_LAW,
                    rule.span.clone(),
                    format!("retention rule `{}` is kept on erasure by a legal obligation but names no law", rule.id),
                )
                .hint("add e.g. `law = \"Bokföringslagen (1999:1078) 7 kap. 2 §\"`"),
            );
        }
    }
}

/// L026: storing or reading a cookie that is not strictly necessary needs the
/// user's consent (Lag (2022:482) om elektronisk kommunikation 9 kap. 28 §,
/// ePrivacy Art. 5(3)), whatever basis the later processing rests on.
fn cookie_without_consent(policy: &Policy, out: &mut Vec<Diagnostic>) {
    for cookie in policy
        .cookies
        .iter()
        .filter(|c| c.category != CookieCategory::Necessary)
    {
        let consented = cookie
            .purpose
            .as_deref()
            .and_then(|id| policy.purpose(id))
            .is_some_and(|p| p.legal_basis == Some(LegalBasis::Consent));
        if !consented {
            out.push(
                Diagnostic::new(
                    &diagnostic_codes::COOKIE_WITHOUT_CONSENT,
                    cookie.span.clone(),
                    format!("cookie `{}` is not strictly necessary but is not set on consent", cookie.name),
                )
                .hint("give it `purpose = \"...\"` naming a purpose with `legal_basis = \"consent\"`, or make it `necessary` if it truly is"),
            );
        }
    }
}

/// L028: a category used only with consent needs a consent-based purpose
/// that uses it: the consent that unlocks it must be one the subject can give.
fn consent_required_without_consent_purpose(policy: &Policy, out: &mut Vec<Diagnostic>) {
    for category in policy.categories.iter().filter(|c| c.consent_required) {
        let asked = policy.purposes.iter().any(|p| {
            p.legal_basis == Some(LegalBasis::Consent)
                && p.categories.iter().any(|used| {
                    category.is_within(used) || crate::policy::is_within(used, &category.id)
                })
        });
        if !asked {
            out.push(
                Diagnostic::new(
                    &diagnostic_codes::CONSENT_REQUIRED_WITHOUT_CONSENT_PURPOSE,
                    category.span.clone(),
                    format!(
                        "category `{}` is used only with consent, but no consent-based purpose uses it",
                        category.id
                    ),
                )
                .hint("add it to the purpose the subject consents to (e.g. call recording), or remove `consent_required`"),
            );
        }
    }
}
