//! Disclosures: may this data go to this recipient, for this purpose, to
//! this country, and under which safeguard. Art. 13(1)(e)-(f) and 14(1)(e)-(f)
//! promise the subject exactly the recipients and transfers the policy
//! declares; Chapter V (Art. 44-49) allows a transfer to a third country only
//! under adequacy, appropriate safeguards or a derogation for the occasion.

use crate::common::names::names;
use crate::policy::country::{self, Adequacy, Country};
use crate::policy::{Policy, RecipientRole, SafeguardKind, is_within};

/// The point of Art. 49(1) a transfer rests on when nothing else covers it,
/// recorded with each disclosure that uses it: a derogation is for the
/// occasion, never a standing arrangement (EDPB Guidelines 2/2018).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Derogation {
    /// (a) The subject explicitly consented to this transfer, informed of its risks.
    ExplicitConsent,
    /// (b) Necessary for a contract with the subject, or steps they asked for before it.
    ContractWithSubject,
    /// (c) Necessary for a contract in the subject's interest with another.
    ContractInSubjectsInterest,
    /// (d) Important reasons of public interest.
    PublicInterest,
    /// (e) The establishment, exercise or defence of legal claims.
    LegalClaims,
    /// (f) The vital interests of the subject or others, who cannot consent.
    VitalInterests,
    /// (g) From a public register.
    PublicRegister,
}

names!(Derogation, "derogation under Art. 49(1)", {
    ExplicitConsent => "explicit_consent",
    ContractWithSubject => "contract_with_subject",
    ContractInSubjectsInterest => "contract_in_subjects_interest",
    PublicInterest => "public_interest",
    LegalClaims => "legal_claims",
    VitalInterests => "vital_interests",
    PublicRegister => "public_register",
});

impl Derogation {
    pub fn article(self) -> &'static str {
        match self {
            Derogation::ExplicitConsent => "Art. 49(1)(a)",
            Derogation::ContractWithSubject => "Art. 49(1)(b)",
            Derogation::ContractInSubjectsInterest => "Art. 49(1)(c)",
            Derogation::PublicInterest => "Art. 49(1)(d)",
            Derogation::LegalClaims => "Art. 49(1)(e)",
            Derogation::VitalInterests => "Art. 49(1)(f)",
            Derogation::PublicRegister => "Art. 49(1)(g)",
        }
    }
}

/// What a disclosure asks for, as the caller states it.
#[derive(Debug, Clone, Copy)]
pub struct Ask<'a> {
    pub recipient: &'a str,
    pub purpose: &'a str,
    /// Categories to release; empty: every category the recipient receives
    /// for the purpose.
    pub categories: &'a [String],
    /// Where the data goes; `None`: the country the policy declares (which
    /// must then be one country, not a region).
    pub country: Option<&'a str>,
    /// For a third country whose only safeguard is a derogation: which point.
    pub derogation: Option<Derogation>,
    /// Whether the legal request behind it is stated (authority and ground).
    pub legal_request: bool,
}

/// A disclosure the policy allows: what may be released and how the
/// transfer is covered.
#[derive(Debug, Clone, PartialEq)]
pub struct Allowed {
    /// Leaf categories that may be released, in the policy's order.
    pub categories: Vec<String>,
    pub country: Country,
    /// `None` inside the EU/EEA, where Chapter V does not apply.
    pub safeguard: Option<SafeguardKind>,
    pub derogation: Option<Derogation>,
}

/// Why a disclosure is refused: a stable code, the field at fault, and
/// words for the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub code: &'static str,
    pub field: &'static str,
    pub message: String,
}

fn refuse(code: &'static str, field: &'static str, message: String) -> Refused {
    Refused {
        code,
        field,
        message,
    }
}

/// Checks a disclosure against the policy. Pure: the vault then releases
/// only what the purpose's decision allows of the categories answered here.
pub fn check(policy: &Policy, ask: &Ask<'_>) -> Result<Allowed, Refused> {
    let recipient = policy.recipient(ask.recipient).ok_or_else(|| {
        refuse(
            "recipient_not_declared",
            "recipient",
            format!(
                "`{}` is not a recipient the policy declares; data may go only to the recipients the privacy notice names (Art. 13(1)(e))",
                ask.recipient
            ),
        )
    })?;
    let purpose = policy.purpose(ask.purpose).ok_or_else(|| {
        refuse(
            "purpose_unknown",
            "purpose",
            format!("`{}` is not a purpose of the policy", ask.purpose),
        )
    })?;
    if !recipient.purposes.iter().any(|p| p == ask.purpose) {
        return Err(refuse(
            "purpose_not_declared_for_recipient",
            "purpose",
            format!(
                "the policy discloses to `{}` only for {}, not for `{}`",
                recipient.id,
                if recipient.purposes.is_empty() {
                    "no purpose".to_owned()
                } else {
                    recipient
                        .purposes
                        .iter()
                        .map(|p| format!("`{p}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                },
                ask.purpose
            ),
        ));
    }
    // What the recipient may get for this purpose: the purpose's categories,
    // narrowed to the recipient's own when it names them.
    let receivable: Vec<String> = policy
        .expand_categories(&purpose.categories)
        .into_iter()
        .filter(|leaf| {
            recipient.categories.is_empty()
                || recipient.categories.iter().any(|c| leaf.is_within(c))
        })
        .map(|leaf| leaf.id.clone())
        .collect();
    let categories = if ask.categories.is_empty() {
        receivable
    } else {
        for asked in ask.categories {
            if policy.category(asked).is_none() {
                return Err(refuse(
                    "category_unknown",
                    "categories",
                    format!("`{asked}` is not a category of the policy"),
                ));
            }
            if !receivable.iter().any(|leaf| is_within(leaf, asked)) {
                return Err(refuse(
                    "category_not_declared_for_recipient",
                    "categories",
                    format!(
                        "the policy does not disclose `{asked}` to `{}` for `{}`",
                        recipient.id, ask.purpose
                    ),
                ));
            }
        }
        receivable
            .into_iter()
            .filter(|leaf| ask.categories.iter().any(|asked| is_within(leaf, asked)))
            .collect()
    };
    let country = destination(recipient.id.as_str(), recipient.country, ask.country)?;
    let (safeguard, derogation) = if country.is_third_country() {
        let (safeguard, derogation) = covered(recipient, country, ask.derogation)?;
        (Some(safeguard), derogation)
    } else {
        (None, None)
    };
    if recipient.role == RecipientRole::Authority && !ask.legal_request {
        return Err(refuse(
            "legal_request_missing",
            "legal_request",
            format!(
                "`{}` is an authority: record the requesting authority and the legal ground of its request (a warrant, a court order, the law it cites)",
                recipient.id
            ),
        ));
    }
    Ok(Allowed {
        categories,
        country,
        safeguard,
        derogation,
    })
}

/// Where the data goes: the country asked for, which must lie within what
/// the policy declares (a country, the EU/EEA, or anywhere).
fn destination(
    recipient: &str,
    declared: Country,
    asked: Option<&str>,
) -> Result<Country, Refused> {
    let Some(asked) = asked else {
        if declared.code == country::EEA.code || declared.code == country::GLOBAL.code {
            return Err(refuse(
                "country_needed",
                "country",
                format!(
                    "the policy places `{recipient}` in {}: name the country the data goes to (an ISO 3166 code such as `IE` or `US`)",
                    declared.name_en
                ),
            ));
        }
        return Ok(declared);
    };
    let country = country::lookup(asked)
        .filter(|c| c.code != country::EEA.code && c.code != country::GLOBAL.code)
        .ok_or_else(|| {
            refuse(
                "country_unknown",
                "country",
                format!("`{asked}` is not a country Steward knows (an ISO 3166 code such as `IE` or `US`)"),
            )
        })?;
    let within = if declared.code == country::GLOBAL.code {
        true
    } else if declared.code == country::EEA.code {
        !country.is_third_country()
    } else {
        declared.code == country.code
    };
    if within {
        Ok(country)
    } else if !declared.is_third_country() && country.is_third_country() {
        // Declared inside the EU/EEA, so the policy has no Chapter V
        // safeguard for going outside it.
        Err(refuse(
            "transfer_without_safeguard",
            "country",
            format!(
                "the policy places `{recipient}` in {} and gives no safeguard for a transfer to {} (Art. 44-49)",
                declared.name_en, country.name_en
            ),
        ))
    } else {
        Err(refuse(
            "country_not_declared_for_recipient",
            "country",
            format!(
                "the policy places `{recipient}` in {}, not {}",
                declared.name_en, country.name_en
            ),
        ))
    }
}

/// How a transfer to a third country is covered, or why it is not.
fn covered(
    recipient: &crate::policy::Recipient,
    country: Country,
    derogation: Option<Derogation>,
) -> Result<(SafeguardKind, Option<Derogation>), Refused> {
    let no_safeguard = |why: String| refuse("transfer_without_safeguard", "country", why);
    // An adequacy decision covers the transfer whatever the policy adds
    // (Art. 45(1): no further authorisation), a partial one only where the
    // policy confirms the recipient is within its scope.
    match country.adequacy {
        Adequacy::Full => return Ok((SafeguardKind::Adequacy, None)),
        // The confirmation is about the country the policy names, not any
        // country a recipient declared worldwide might send to.
        Adequacy::Partial(_)
            if recipient.adequacy_scope_confirmed && recipient.country.code == country.code =>
        {
            return Ok((SafeguardKind::Adequacy, None));
        }
        _ => {}
    }
    match recipient.safeguard.as_ref().map(|s| s.kind) {
        Some(
            kind @ (SafeguardKind::StandardContractualClauses
            | SafeguardKind::BindingCorporateRules),
        ) => Ok((kind, None)),
        Some(SafeguardKind::Derogation) => match derogation {
            Some(point) => Ok((SafeguardKind::Derogation, Some(point))),
            None => Err(refuse(
                "derogation_not_recorded",
                "derogation",
                format!(
                    "the transfer to `{}` in {} rests on an Art. 49(1) derogation: name the point it rests on for this disclosure (one of: explicit_consent, contract_with_subject, contract_in_subjects_interest, public_interest, legal_claims, vital_interests, public_register)",
                    recipient.id, country.name_en
                ),
            )),
        },
        Some(SafeguardKind::Adequacy) => Err(no_safeguard(format!(
            "the policy covers `{}` by adequacy, but {} has no adequacy decision{}",
            recipient.id,
            country.name_en,
            match country.adequacy {
                Adequacy::Partial(scope) =>
                    format!(" that the policy confirms covers it (it covers only {scope})"),
                _ => String::new(),
            }
        ))),
        None => Err(no_safeguard(format!(
            "{} is outside the EU/EEA and the policy gives no safeguard for `{}` (Art. 44-49)",
            country.name_en, recipient.id
        ))),
    }
}

/// A disclosure as the log keeps it, as far as who received what needs.
#[derive(Debug, Clone, Copy)]
pub struct Logged<'a> {
    pub recipient: &'a str,
    pub categories: &'a [String],
    pub country: &'a str,
    pub safeguard: Option<SafeguardKind>,
    pub at: jiff::Timestamp,
    /// Made to an authority for a particular inquiry: not a recipient in
    /// the sense of Art. 4(9), so neither named to the subject nor told.
    pub legal_request: bool,
}

/// A recipient that received some of a subject's data (Art. 15(1)(c)).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Received {
    pub recipient: String,
    /// The categories it received, leaf ids, sorted.
    pub categories: Vec<String>,
    /// Where it went: countries (ISO codes, or the policy's region for a
    /// standing disclosure) with the safeguard each went under.
    pub transfers: Vec<Transfer>,
    /// The last logged disclosure; `None` when it is only standing.
    pub last: Option<jiff::Timestamp>,
    /// The organisation's services copy the data to it as they collect it.
    pub standing: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Transfer {
    pub country: String,
    pub safeguard: Option<SafeguardKind>,
}

/// Who received some of a subject's data: each recipient of the log, and
/// each standing recipient of what is held (category, purposes collected
/// for), in the policy's order, then those of the log the policy no longer
/// names. Disclosures to an authority on a legal request are left out
/// (Art. 4(9)).
pub fn received(policy: &Policy, held: &[(&str, &[String])], log: &[Logged<'_>]) -> Vec<Received> {
    let log: Vec<&Logged<'_>> = log.iter().filter(|l| !l.legal_request).collect();
    let mut out = Vec::new();
    for recipient in &policy.recipients {
        let mut categories: Vec<String> = Vec::new();
        let mut transfers: Vec<Transfer> = Vec::new();
        let mut last = None;
        for logged in log.iter().filter(|l| l.recipient == recipient.id) {
            categories.extend(logged.categories.iter().cloned());
            transfers.push(Transfer {
                country: logged.country.to_owned(),
                safeguard: logged.safeguard,
            });
            last = last.max(Some(logged.at));
        }
        let mut standing = false;
        if recipient.standing {
            for (category, purposes) in held {
                let receives = purposes.iter().any(|p| recipient.purposes.contains(p))
                    && (recipient.categories.is_empty()
                        || recipient.categories.iter().any(|c| is_within(category, c)));
                if receives {
                    standing = true;
                    categories.push((*category).to_owned());
                }
            }
            if standing {
                transfers.push(Transfer {
                    country: recipient.country.code.to_owned(),
                    safeguard: recipient
                        .country
                        .is_third_country()
                        .then(|| recipient.safeguard.as_ref().map(|s| s.kind))
                        .flatten(),
                });
            }
        }
        if categories.is_empty() {
            continue;
        }
        categories.sort();
        categories.dedup();
        transfers.sort();
        transfers.dedup();
        out.push(Received {
            recipient: recipient.id.clone(),
            categories,
            transfers,
            last,
            standing,
        });
    }
    // A recipient since removed from the policy still received the data.
    for logged in &log {
        if policy.recipient(logged.recipient).is_some() {
            continue;
        }
        let transfer = Transfer {
            country: logged.country.to_owned(),
            safeguard: logged.safeguard,
        };
        match out.iter_mut().find(|r| r.recipient == logged.recipient) {
            Some(seen) => {
                seen.categories.extend(logged.categories.iter().cloned());
                seen.categories.sort();
                seen.categories.dedup();
                if !seen.transfers.contains(&transfer) {
                    seen.transfers.push(transfer);
                }
                seen.last = seen.last.max(Some(logged.at));
            }
            None => out.push(Received {
                recipient: logged.recipient.to_owned(),
                categories: logged.categories.to_vec(),
                transfers: vec![transfer],
                last: Some(logged.at),
                standing: false,
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: &str = include_str!("../../tests/fixtures/disclosures.toml");

    fn policy() -> Policy {
        let checked = crate::check(POLICY);
        checked
            .policy
            .unwrap_or_else(|| panic!("{:?}", checked.diagnostics))
    }

    fn ask<'a>(recipient: &'a str, purpose: &'a str, categories: &'a [String]) -> Ask<'a> {
        Ask {
            recipient,
            purpose,
            categories,
            country: None,
            derogation: None,
            legal_request: false,
        }
    }

    #[test]
    fn only_declared_recipients_purposes_and_categories_are_allowed() {
        let policy = policy();
        let email = ["contact.email".to_owned()];
        let allowed = check(&policy, &ask("carrier", "orders", &email)).expect("declared");
        assert_eq!(allowed.categories, ["contact.email"]);
        assert_eq!(allowed.safeguard, None);
        // The whole of what the carrier receives when no category is named.
        let all = check(&policy, &ask("carrier", "orders", &[])).expect("declared");
        assert_eq!(all.categories, ["contact.name", "contact.email"]);
        // `contact` names both of its leaves the carrier receives.
        let contact = ["contact".to_owned()];
        assert_eq!(
            check(&policy, &ask("carrier", "orders", &contact)).map(|a| a.categories),
            Ok(vec!["contact.name".to_owned(), "contact.email".to_owned()])
        );
        let code = |a: Ask<'_>| check(&policy, &a).map(|_| ()).map_err(|r| r.code);
        assert_eq!(
            code(ask("stranger", "orders", &email)),
            Err("recipient_not_declared")
        );
        assert_eq!(
            code(ask("carrier", "newsletter", &email)),
            Err("purpose_not_declared_for_recipient")
        );
        let order = ["order".to_owned()];
        assert_eq!(
            code(ask("carrier", "orders", &order)),
            Err("category_not_declared_for_recipient")
        );
    }

    #[test]
    fn a_third_country_needs_adequacy_a_safeguard_or_a_recorded_derogation() {
        let policy = policy();
        let email = ["contact.email".to_owned()];
        let to = |recipient: &'static str, country: &'static str, derogation| {
            check(
                &policy,
                &Ask {
                    country: Some(country),
                    derogation,
                    ..ask(recipient, "orders", &email)
                },
            )
            .map(|a| (a.safeguard, a.derogation))
            .map_err(|r| r.code)
        };
        // `cloud` is declared GLOBAL with standard contractual clauses.
        assert_eq!(to("cloud", "IE", None), Ok((None, None)));
        assert_eq!(
            to("cloud", "JP", None),
            Ok((Some(SafeguardKind::Adequacy), None))
        );
        assert_eq!(
            to("cloud", "IN", None),
            Ok((Some(SafeguardKind::StandardContractualClauses), None))
        );
        // `webinar` rests on a derogation: refused until its point is named.
        assert_eq!(to("webinar", "US", None), Err("derogation_not_recorded"));
        assert_eq!(
            to("webinar", "US", Some(Derogation::ExplicitConsent)),
            Ok((
                Some(SafeguardKind::Derogation),
                Some(Derogation::ExplicitConsent)
            ))
        );
        // `mirror` is declared GLOBAL with no safeguard (the lint reports
        // it; the engine refuses it).
        assert_eq!(to("mirror", "IN", None), Err("transfer_without_safeguard"));
        assert_eq!(to("mirror", "SE", None), Ok((None, None)));
        // The carrier is in Sweden: nowhere else.
        assert_eq!(to("carrier", "US", None), Err("transfer_without_safeguard"));
        assert_eq!(
            to("carrier", "DK", None),
            Err("country_not_declared_for_recipient")
        );
        assert_eq!(to("carrier", "XX", None), Err("country_unknown"));
        // A region must be made a country.
        assert_eq!(
            check(&policy, &ask("cloud", "orders", &email)).map_err(|r| r.code),
            Err("country_needed")
        );
    }

    #[test]
    fn an_authority_gets_data_only_on_a_stated_legal_request() {
        let policy = policy();
        let email = ["contact.email".to_owned()];
        let asked = ask("police", "legal_requests", &email);
        assert_eq!(
            check(&policy, &asked).map_err(|r| r.code),
            Err("legal_request_missing")
        );
        let stated = Ask {
            legal_request: true,
            ..asked
        };
        assert!(check(&policy, &stated).is_ok());
    }

    #[test]
    fn received_joins_the_log_and_the_standing_disclosures_of_what_is_held() {
        let policy = policy();
        let orders = vec!["orders".to_owned()];
        let email = vec!["contact.email".to_owned()];
        let at = jiff::Timestamp::from_second(1_700_000_000).expect("a time");
        let log = [Logged {
            recipient: "carrier",
            categories: &email,
            country: "SE",
            safeguard: None,
            at,
            legal_request: false,
        }];
        let got = received(&policy, &[("order", orders.as_slice())], &log);
        let who: Vec<(&str, bool, Option<jiff::Timestamp>)> = got
            .iter()
            .map(|r| (r.recipient.as_str(), r.standing, r.last))
            .collect();
        // The carrier by the log; the cloud holds the order as it is stored.
        assert_eq!(who, [("carrier", false, Some(at)), ("cloud", true, None)]);
        assert_eq!(got[1].categories, ["order"]);
        assert_eq!(
            got[1].transfers,
            [Transfer {
                country: "GLOBAL".into(),
                safeguard: Some(SafeguardKind::StandardContractualClauses)
            }]
        );
        // Nothing held and nothing logged: no one received anything.
        assert!(received(&policy, &[], &[]).is_empty());
        // The police on a warrant are not a recipient (Art. 4(9)); a
        // recipient since dropped from the policy still is.
        let police = Logged {
            recipient: "police",
            legal_request: true,
            ..log[0]
        };
        let gone = Logged {
            recipient: "old_partner",
            ..log[0]
        };
        let who: Vec<String> = received(&policy, &[], &[police, gone])
            .into_iter()
            .map(|r| r.recipient)
            .collect();
        assert_eq!(who, ["old_partner"]);
    }

    #[test]
    fn derogations_round_trip_by_name() {
        for point in [
            Derogation::ExplicitConsent,
            Derogation::ContractWithSubject,
            Derogation::ContractInSubjectsInterest,
            Derogation::PublicInterest,
            Derogation::LegalClaims,
            Derogation::VitalInterests,
            Derogation::PublicRegister,
        ] {
            assert_eq!(point.as_str().parse::<Derogation>(), Ok(point));
        }
    }
}
