//! Identities by which a data subject is found: e-mail, phone, Swedish
//! personal identity number, customer id, or a kind the policy declares.
//! Values are normalised before they are indexed, so `Anna@Example.se` and
//! `anna@example.se ` find the same person.

use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::common::names::names;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityKind {
    Email,
    Phone,
    Personnummer,
    CustomerId,
    /// A kind the policy declares, e.g. `app_user_id`.
    #[serde(untagged)]
    Custom(String),
}

impl IdentityKind {
    pub fn parse(kind: &str) -> Self {
        match kind {
            "email" => IdentityKind::Email,
            "phone" => IdentityKind::Phone,
            "personnummer" => IdentityKind::Personnummer,
            "customer_id" => IdentityKind::CustomerId,
            other => IdentityKind::Custom(other.to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            IdentityKind::Email => "email",
            IdentityKind::Phone => "phone",
            IdentityKind::Personnummer => "personnummer",
            IdentityKind::CustomerId => "customer_id",
            IdentityKind::Custom(kind) => kind,
        }
    }
}

impl fmt::Display for IdentityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Messages name what is wrong without repeating the value: it may be
/// someone's personal identity number, and messages travel into logs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    #[error("not an e-mail address: it needs one `@` with a name before it and a domain after it")]
    Email(String),
    #[error("not a phone number: use digits, optionally starting with `+` and a country code")]
    Phone(String),
    #[error("not a Swedish personal identity number: {reason}")]
    Personnummer { value: String, reason: &'static str },
    #[error("an identity value cannot be empty")]
    Empty,
    #[error("an identity value cannot contain control characters")]
    ControlCharacters,
}

/// An identity value in its one canonical form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Identity {
    pub kind: IdentityKind,
    pub value: String,
}

impl Identity {
    /// Validates and normalises `value` as an identity of `kind`. `today`
    /// decides the century of a 10-digit personnummer.
    pub fn new(kind: IdentityKind, value: &str, today: Date) -> Result<Self, IdentityError> {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            return Err(IdentityError::Empty);
        }
        if trimmed.chars().any(char::is_control) {
            return Err(IdentityError::ControlCharacters);
        }
        let value = match &kind {
            IdentityKind::Email => normalise_email(trimmed)?,
            IdentityKind::Phone => normalise_phone(trimmed)?,
            IdentityKind::Personnummer => Personnummer::parse(trimmed, today)?.to_string(),
            IdentityKind::CustomerId | IdentityKind::Custom(_) => trimmed.to_owned(),
        };
        Ok(Self { kind, value })
    }
}

fn normalise_email(value: &str) -> Result<String, IdentityError> {
    let lower = value.to_lowercase();
    let valid = match lower.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !lower.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if valid {
        Ok(lower)
    } else {
        Err(IdentityError::Email(value.to_owned()))
    }
}

/// Keeps digits and a leading `+`; a Swedish national number (`070...`)
/// becomes `+4670...`, so both ways of writing it find the same person.
fn normalise_phone(value: &str) -> Result<String, IdentityError> {
    let international = value.starts_with('+') || value.starts_with("00");
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    let allowed = value
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')' | '.'));
    if !allowed || digits.len() < 6 || digits.len() > 17 {
        return Err(IdentityError::Phone(value.to_owned()));
    }
    Ok(if international {
        format!("+{}", digits.strip_prefix("00").unwrap_or(&digits))
    } else if let Some(national) = digits.strip_prefix('0') {
        format!("+46{national}")
    } else {
        format!("+{digits}")
    })
}

/// A Swedish personal identity number (personnummer, Folkbokföringslagen
/// 18 §) or coordination number (samordningsnummer: day + 60).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Personnummer {
    pub birth_date: Date,
    pub coordination: bool,
    /// The three-digit birth number and the check digit.
    serial: u16,
    check: u8,
}

impl Personnummer {
    /// Accepts `YYYYMMDD-NNNN`, `YYYYMMDDNNNN`, `YYMMDD-NNNN` and `YYMMDDNNNN`;
    /// with two-digit years the century is the latest that is not in the
    /// future, and `+` instead of `-` means a hundred years more.
    pub fn parse(value: &str, today: Date) -> Result<Self, IdentityError> {
        let error = |reason| IdentityError::Personnummer {
            value: value.to_owned(),
            reason,
        };
        let centenarian = value.contains('+');
        let digits: String = value
            .chars()
            .filter(|c| !matches!(c, '-' | '+' | ' '))
            .collect();
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(error("only digits and one `-` or `+` are allowed"));
        }
        let number = |s: &str| s.parse::<i16>().map_err(|_| error("not a number"));
        let (year, rest) = match digits.len() {
            12 => (number(&digits[..4])?, &digits[4..]),
            10 => {
                let short = number(&digits[..2])?;
                let this_year = today.year();
                let mut year = this_year - (this_year - short).rem_euclid(100);
                if centenarian {
                    year -= 100;
                }
                (year, &digits[2..])
            }
            _ => return Err(error("write 10 or 12 digits, e.g. 19811218-9876")),
        };
        let month = number(&rest[..2])? as i8;
        let mut day = number(&rest[2..4])? as i8;
        let coordination = day > 60;
        if coordination {
            day -= 60;
        }
        let birth_date =
            Date::new(year, month, day).map_err(|_| error("the date part is not a real date"))?;
        if birth_date > today {
            return Err(error("the birth date is in the future"));
        }
        let last_ten = &digits[digits.len() - 10..];
        if luhn_check_digit(&last_ten[..9]) != last_ten.as_bytes()[9] - b'0' {
            return Err(error("the check digit (the last digit) does not match"));
        }
        Ok(Self {
            birth_date,
            coordination,
            serial: number(&rest[4..7])? as u16,
            check: last_ten.as_bytes()[9] - b'0',
        })
    }
}

impl fmt::Display for Personnummer {
    /// The canonical 12-digit form, `YYYYMMDDNNNN`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let day = self.birth_date.day() + if self.coordination { 60 } else { 0 };
        write!(
            f,
            "{:04}{:02}{:02}{:03}{}",
            self.birth_date.year(),
            self.birth_date.month(),
            day,
            self.serial,
            self.check
        )
    }
}

/// The Luhn check digit of nine digits, as Skatteverket computes it.
fn luhn_check_digit(nine: &str) -> u8 {
    let sum: u32 = nine
        .bytes()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0') * if i % 2 == 0 { 2 } else { 1 };
            d / 10 + d % 10
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// How an identity came to its subject, and so what it may be trusted for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Provenance {
    /// Given when the subject was created.
    Creation,
    /// Added by a privacy officer, who answers for it.
    Officer,
    /// Added later by a service, unproven: it finds the subject for the
    /// service, but never unlocks a data-subject request (else a service
    /// could add its own address to anyone and ask for their data).
    Service,
}

names!(Provenance, "identity provenance", {
    Creation => "creation",
    Officer => "officer",
    Service => "service",
});

impl Provenance {
    /// Whether a data-subject request may reach the subject through it.
    pub fn unlocks_requests(self) -> bool {
        !matches!(self, Provenance::Service)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const TODAY: Date = date(2026, 11, 22);

    #[test]
    fn personnummer_in_every_written_form_normalises_to_twelve_digits() {
        // Skatteverket's test numbers.
        for written in [
            "811218-9876",
            "8112189876",
            "19811218-9876",
            "198112189876",
            " 19811218 9876 ",
        ] {
            let p = Personnummer::parse(written, TODAY).expect(written);
            assert_eq!(p.to_string(), "198112189876", "{written}");
            assert_eq!(p.birth_date, date(1981, 12, 18));
        }
    }

    #[test]
    fn personnummer_century_follows_the_age_and_plus_means_a_hundred_more() {
        assert_eq!(
            Personnummer::parse("0101012383", TODAY).map(|p| p.birth_date.year()),
            Ok(2001)
        );
        let old = Personnummer::parse("010101+2383", TODAY).expect("centenarian");
        assert_eq!(old.birth_date.year(), 1901);
    }

    #[test]
    fn personnummer_rejects_a_wrong_check_digit_an_impossible_date_and_the_future() {
        let reason = |v: &str| match Personnummer::parse(v, TODAY) {
            Err(IdentityError::Personnummer { reason, .. }) => reason,
            other => panic!("{v}: {other:?}"),
        };
        assert!(reason("19811218-9875").contains("check digit"));
        assert!(reason("19811332-9876").contains("real date"));
        assert!(reason("20991218-9876").contains("future"));
        assert!(reason("1981121").contains("10 or 12 digits"));
        assert!(reason("19811218-98a6").contains("digits"));
    }

    #[test]
    fn coordination_numbers_add_sixty_to_the_day() {
        let p = Personnummer::parse("701063-2391", TODAY).expect("samordningsnummer");
        assert!(p.coordination);
        assert_eq!(p.birth_date, date(1970, 10, 3));
        assert_eq!(p.to_string(), "197010632391");
    }

    #[test]
    fn emails_are_lower_cased_and_checked() {
        let id =
            Identity::new(IdentityKind::Email, " Anna.Svensson@Example.SE ", TODAY).expect("email");
        assert_eq!(id.value, "anna.svensson@example.se");
        for bad in [
            "anna",
            "anna@",
            "@example.se",
            "anna@example",
            "a b@example.se",
            "a@b@c.se",
        ] {
            assert!(
                Identity::new(IdentityKind::Email, bad, TODAY).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn phones_in_national_and_international_form_are_the_same_identity() {
        let forms = [
            "070-123 45 67",
            "+46 70 123 45 67",
            "0046701234567",
            "+46(0)70...",
        ];
        let first = Identity::new(IdentityKind::Phone, forms[0], TODAY).expect("phone");
        assert_eq!(first.value, "+46701234567");
        assert_eq!(
            Identity::new(IdentityKind::Phone, forms[1], TODAY).expect("phone"),
            first
        );
        assert_eq!(
            Identity::new(IdentityKind::Phone, forms[2], TODAY).expect("phone"),
            first
        );
        assert!(Identity::new(IdentityKind::Phone, "call me", TODAY).is_err());
    }

    #[test]
    fn empty_values_are_refused() {
        assert_eq!(
            Identity::new(IdentityKind::CustomerId, "  ", TODAY),
            Err(IdentityError::Empty)
        );
    }
}
