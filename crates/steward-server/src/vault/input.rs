//! What callers hand the vault, and the checks every input passes: identity
//! kinds and formats, the policy's minimum age, short identifiers and plain
//! text (what the audit log may hold without risk of personal data).

use jiff::civil::Date;
use serde::Deserialize;
use steward_domain::policy::Policy;
use steward_domain::vault::consent::digital_consent_age;
use steward_domain::vault::identity::{Identity, IdentityError, IdentityKind, Personnummer};

use crate::vault::error::{Result, invalid};

#[derive(Debug, Clone, Deserialize)]
pub struct IdentityInput {
    /// `email`, `phone`, `personnummer`, `customer_id`, or a kind of your own.
    pub kind: String,
    pub value: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewSubject {
    /// A subject type the policy declares, e.g. `customer`.
    pub subject_type: String,
    /// `YYYY-MM-DD`; needed (or `age`, or a personnummer) when the policy sets a minimum age.
    pub birth_date: Option<String>,
    pub age: Option<u32>,
    pub identities: Vec<IdentityInput>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewRecord {
    /// A leaf category the policy declares, e.g. `contact.email`.
    pub category: String,
    /// Any JSON value.
    pub value: serde_json::Value,
    /// A source the policy declares; `subject` (the default) when given by the subject.
    pub source: Option<String>,
    /// The purposes the data is collected for; each must use this category.
    pub purposes: Vec<String>,
    /// When it was collected, for data that arrives with its history (an
    /// import of years of records): its retention runs from then. Now if
    /// left out; never in the future.
    #[serde(default)]
    pub collected_at: Option<jiff::Timestamp>,
    /// For derived data: the subject's records it was computed from.
    #[serde(default)]
    pub derived_from: Vec<steward_domain::common::ids::RecordId>,
}

/// An identity as the vault stores it: a known kind, its value normalised.
pub fn parse_identity(policy: &Policy, input: &IdentityInput, today: Date) -> Result<Identity> {
    let kind = IdentityKind::parse(input.kind.trim());
    if let IdentityKind::Custom(custom) = &kind
        && !policy.meta.identity_kinds.contains(custom)
    {
        return Err(invalid(
            "identities.kind",
            format!(
                "`{custom}` is not an identity kind: use email, phone, personnummer, customer_id, or declare it in [policy] identity_kinds"
            ),
        ));
    }
    Identity::new(kind, &input.value, today)
        .map_err(|e: IdentityError| invalid(format!("identities.{}", input.kind), e.to_string()))
}

/// The policy's minimum age, if it sets one, must be shown to be met: by a
/// birth date, an age, or a personnummer (for a subject type whose age can
/// be known; for others only a known age is checked). The birth date is never stored;
/// for a child below the age of digital consent (Art. 8(1)), only the day
/// their own consent starts to count is: the answer.
pub fn check_age(
    policy: &Policy,
    input: &NewSubject,
    identities: &[Identity],
    today: Date,
) -> Result<Option<Date>> {
    let from_personnummer = identities
        .iter()
        .find(|i| i.kind == IdentityKind::Personnummer)
        .and_then(|i| Personnummer::parse(&i.value, today).ok())
        .map(|p| p.birth_date);
    let birth_date = match &input.birth_date {
        Some(text) => {
            let given = text
                .parse::<Date>()
                .map_err(|_| invalid("birth_date", "not a date; write YYYY-MM-DD"))?;
            // The personnummer is the better evidence: a birth date that
            // disagrees with it would make a child pass for an adult.
            if from_personnummer.is_some_and(|p| p != given) {
                return Err(invalid(
                    "birth_date",
                    "the birth date does not match the personnummer's",
                ));
            }
            Some(given)
        }
        None => from_personnummer,
    };
    // No person is older than this: an age or a birth date past it is a
    // mistake, whether or not the policy sets a minimum age.
    const OLDEST: i16 = 130;
    if input.age.is_some_and(|age| age > OLDEST as u32) {
        return Err(invalid(
            "age",
            format!("an age over {OLDEST} is not a person's age"),
        ));
    }
    if let Some(born) = birth_date {
        if born > today {
            return Err(invalid(
                "birth_date",
                "a birth date cannot be in the future",
            ));
        }
        if born.year() < today.year() - OLDEST {
            return Err(invalid(
                "birth_date",
                format!("a birth date more than {OLDEST} years ago is not a living person's"),
            ));
        }
    }
    let own_consent_from = own_consent_from(policy, birth_date, input.age, today);
    let Some(minimum) = policy.controller.minimum_age else {
        return Ok(own_consent_from);
    };
    let age = match (birth_date, input.age) {
        (Some(born), _) => {
            if born > today {
                return Err(invalid(
                    "birth_date",
                    "a birth date cannot be in the future",
                ));
            }
            let years = (today - born)
                .total((jiff::Unit::Year, today))
                .map_err(|e| {
                    invalid("birth_date", format!("no age can be counted from it: {e}"))
                })?;
            years.floor() as i64
        }
        (None, Some(age)) => i64::from(age),
        // People Steward never meets (the other party to a call): their age
        // is not asked, only refused when known to be under the minimum.
        (None, None)
            if policy
                .subject_type(&input.subject_type)
                .is_some_and(|kind| !kind.age_known) =>
        {
            return Ok(own_consent_from);
        }
        (None, None) => {
            return Err(invalid(
                "birth_date",
                format!(
                    "this policy serves only persons aged {minimum} or over: give `birth_date` or `age`"
                ),
            ));
        }
    };
    if age < i64::from(minimum) {
        return Err(invalid(
            "birth_date",
            format!("the subject is {age}, under this policy's minimum age of {minimum}"),
        ));
    }
    Ok(own_consent_from)
}

/// A personnummer added to an existing subject tells their age too: one
/// under the policy's minimum age is refused, and for a child the day their
/// own consent starts to count is the answer.
pub fn age_from_personnummer(
    policy: &Policy,
    identity: &Identity,
    today: Date,
) -> Result<Option<Date>> {
    if identity.kind != IdentityKind::Personnummer {
        return Ok(None);
    }
    let Ok(personnummer) = Personnummer::parse(&identity.value, today) else {
        return Ok(None);
    };
    let born = personnummer.birth_date;
    if let Some(minimum) = policy.controller.minimum_age {
        let years = (today - born)
            .total((jiff::Unit::Year, today))
            .map_or(0.0, f64::floor) as i64;
        if years < i64::from(minimum) {
            return Err(invalid(
                "identities.personnummer",
                format!("the subject is {years}, under this policy's minimum age of {minimum}"),
            ));
        }
    }
    Ok(own_consent_from(policy, Some(born), None, today))
}

/// The day a child reaches the age of digital consent where the controller
/// is, if that is still to come. From an age alone, the latest day it can
/// be (an age of 12 today: 13 within a year), so a child is never taken for
/// older than they are. Nothing is kept for someone of age, or of no known
/// age.
fn own_consent_from(
    policy: &Policy,
    birth_date: Option<Date>,
    age: Option<u32>,
    today: Date,
) -> Option<Date> {
    let of_age = i64::from(digital_consent_age(policy.controller.country.code));
    let from = match (birth_date, age) {
        // Born on 29 February: of age on 1 March in other years, never a
        // day early.
        (Some(born), _) => {
            let day = born.checked_add(jiff::Span::new().years(of_age)).ok()?;
            if born.month() == 2 && born.day() == 29 && day.day() == 28 {
                day.tomorrow().ok()?
            } else {
                day
            }
        }
        (None, Some(age)) if i64::from(age) < of_age => today
            .checked_add(jiff::Span::new().years(of_age - i64::from(age)))
            .ok()?,
        _ => return None,
    };
    (from > today).then_some(from)
}

/// A short identifier such as `web_form`: what the audit log may hold
/// without any risk of personal data in free text.
pub fn identifier(field: &str, value: &str) -> Result<()> {
    let ok = !value.is_empty()
        && value.len() <= 40
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(invalid(
            field,
            "use a short identifier of lower-case letters, digits and `_`, e.g. `web_form`",
        ))
    }
}

/// Free text (reasons, descriptions): any characters but control characters.
pub fn plain_text(field: &str, value: &str) -> Result<()> {
    if value.chars().any(char::is_control) {
        return Err(invalid(field, "control characters are not allowed"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn swedish() -> Policy {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../policies/calectro.toml"
        ))
        .expect("policy");
        steward_domain::check(&text).policy.expect("valid")
    }

    #[test]
    fn a_child_born_on_leap_day_consents_on_their_own_from_1_march() {
        let policy = swedish();
        let today = date(2026, 12, 1);
        // 13 on 1 March 2025 (not a leap year), not on 28 February.
        assert_eq!(
            own_consent_from(&policy, Some(date(2012, 2, 29)), None, date(2024, 12, 1)),
            Some(date(2025, 3, 1))
        );
        assert_eq!(
            own_consent_from(&policy, Some(date(2014, 6, 15)), None, today),
            Some(date(2027, 6, 15))
        );
        // Of age already, or of no known age: nothing is kept.
        assert_eq!(
            own_consent_from(&policy, Some(date(2000, 1, 1)), None, today),
            None
        );
        assert_eq!(own_consent_from(&policy, None, None, today), None);
        // From an age alone: the latest day it can be.
        assert_eq!(
            own_consent_from(&policy, None, Some(12), today),
            Some(date(2027, 12, 1))
        );
    }
}
