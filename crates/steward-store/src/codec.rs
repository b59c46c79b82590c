//! How values are written to columns and read back: the one place where the
//! domain's types meet the database's text and integers.
//!
//! - Instants are RFC 3339 text in UTC with nine fraction digits, so text
//!   order is time order; the job queue's times (compared in SQL on every
//!   claim) are milliseconds since the epoch, and codes expire in seconds.
//! - Names (kinds, states, roles, targets) are the domain's `as_str`, read
//!   back with its `FromStr`; anything else is corrupt data, not a default.
//! - Lists and details are JSON text.
//!
//! Reading uses sqlx's `FromRow` with `#[sqlx(try_from = "Text")]` (and the
//! other adapters here): a column decodes into the adapter, which converts.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::fmt::temporal::DateTimePrinter;
use steward_domain::common::ids::{
    ConsentId, DisclosureId, EventId, IdentityId, PartId, RecordId, RequestId, SubjectId, TokenId,
};
use steward_domain::common::lang::Lang;
use steward_domain::policy::Event;
use steward_domain::rights::parts::{PartAction, PartState, PartTarget};
use steward_domain::rights::request::{RequestKind, RequestStatus, SealedUnder, StateDetail};
use steward_domain::vault::actor::Role;
use steward_domain::vault::consent::GivenBy;
use steward_domain::vault::identity::Provenance;

/// A text column, on its way to a domain type.
#[derive(sqlx::Type)]
#[sqlx(transparent)]
pub struct Text(pub(crate) String);

/// A nullable text column.
#[derive(sqlx::Type)]
#[sqlx(transparent)]
pub struct OptionalText(pub(crate) Option<String>);

/// Milliseconds since the epoch.
#[derive(sqlx::Type)]
#[sqlx(transparent)]
pub struct Millis(i64);

#[derive(sqlx::Type)]
#[sqlx(transparent)]
pub struct OptionalMillis(Option<i64>);

/// Seconds since the epoch.
#[derive(sqlx::Type)]
#[sqlx(transparent)]
pub struct Seconds(i64);

/// What a column held that is not what Steward writes.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Undecodable(pub(crate) String);

fn undecodable(what: &str, text: &str, error: impl std::fmt::Display) -> Undecodable {
    Undecodable(format!("`{text}` is not a {what}: {error}"))
}

/// `try_from = "Text"` and `try_from = "OptionalText"` for a type, given how
/// it is read from its text.
macro_rules! from_text {
    ($ty:ty, $what:literal, $parse:expr) => {
        impl TryFrom<Text> for $ty {
            type Error = Undecodable;
            fn try_from(text: Text) -> Result<Self, Undecodable> {
                let parse: fn(&str) -> Result<$ty, String> = $parse;
                parse(&text.0).map_err(|e| undecodable($what, &text.0, e))
            }
        }

        impl TryFrom<OptionalText> for Option<$ty> {
            type Error = Undecodable;
            fn try_from(text: OptionalText) -> Result<Self, Undecodable> {
                text.0.map(|t| <$ty>::try_from(Text(t))).transpose()
            }
        }
    };
}

fn by_name<T: std::str::FromStr>(text: &str) -> Result<T, String>
where
    T::Err: std::fmt::Display,
{
    text.parse().map_err(|e: T::Err| e.to_string())
}

fn json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, String> {
    serde_json::from_str(text).map_err(|e| e.to_string())
}

from_text!(Timestamp, "time", by_name);
from_text!(Date, "date", by_name);
from_text!(Lang, "language", by_name);
from_text!(Event, "event", by_name);
from_text!(Role, "role", by_name);
from_text!(Provenance, "identity provenance", by_name);
from_text!(SealedUnder, "sealing key", by_name);
from_text!(GivenBy, "giver of consent", by_name);
from_text!(RequestKind, "kind of request", by_name);
from_text!(RequestStatus, "request state", by_name);
from_text!(PartTarget, "part target", by_name);
from_text!(PartAction, "part action", by_name);
from_text!(PartState, "part state", by_name);
from_text!(SubjectId, "subject id", |t| Ok(t.into()));
from_text!(IdentityId, "identity id", |t| Ok(t.into()));
from_text!(RecordId, "record id", |t| Ok(t.into()));
from_text!(DisclosureId, "disclosure id", |t| Ok(t.into()));
from_text!(EventId, "event id", |t| Ok(t.into()));
from_text!(ConsentId, "consent id", |t| Ok(t.into()));
from_text!(TokenId, "token id", |t| Ok(t.into()));
from_text!(RequestId, "request id", |t| Ok(t.into()));
from_text!(PartId, "part id", |t| Ok(t.into()));
from_text!(Vec<String>, "JSON list", json);
from_text!(Vec<RecordId>, "JSON list of record ids", json);
from_text!(StateDetail, "request state detail", json);
from_text!(serde_json::Value, "JSON value", json);

impl TryFrom<Millis> for Timestamp {
    type Error = Undecodable;
    fn try_from(ms: Millis) -> Result<Self, Undecodable> {
        Timestamp::from_millisecond(ms.0).map_err(|e| undecodable("time", &ms.0.to_string(), e))
    }
}

impl TryFrom<OptionalMillis> for Option<Timestamp> {
    type Error = Undecodable;
    fn try_from(ms: OptionalMillis) -> Result<Self, Undecodable> {
        ms.0.map(|ms| Timestamp::try_from(Millis(ms))).transpose()
    }
}

impl TryFrom<Seconds> for Timestamp {
    type Error = Undecodable;
    fn try_from(s: Seconds) -> Result<Self, Undecodable> {
        Timestamp::from_second(s.0).map_err(|e| undecodable("time", &s.0.to_string(), e))
    }
}

/// An instant as stored: `2026-12-01T09:30:00.000000000Z`.
pub fn time(at: Timestamp) -> String {
    DateTimePrinter::new()
        .precision(Some(9))
        .timestamp_to_string(&at)
}

pub fn optional_time(at: Option<Timestamp>) -> Option<String> {
    at.map(time)
}

pub fn millis(at: Timestamp) -> i64 {
    at.as_millisecond()
}

pub fn json_text<T: serde::Serialize>(value: &T) -> crate::Result<String> {
    serde_json::to_string(value)
        .map_err(|e| crate::StoreError::Corrupt(format!("a value could not be written: {e}")))
}

/// Values inside JSON the database built (the subject file): blobs as hex.
pub(crate) mod hex_blob {
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        steward_domain::vault::crypto::hex_decode(&text.to_ascii_lowercase())
            .ok_or_else(|| serde::de::Error::custom("not hexadecimal"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_times_sort_as_text_in_time_order_and_read_back_exactly() {
        let times: Vec<Timestamp> = [
            "2026-01-01T00:00:00Z",
            "2026-01-01T00:00:00.5Z",
            "2026-01-01T00:00:00.123456789Z",
            "2026-01-01T00:00:01Z",
        ]
        .iter()
        .map(|t| t.parse().unwrap())
        .collect();
        let mut stored: Vec<String> = times.iter().map(|t| time(*t)).collect();
        stored.sort();
        let back: Vec<Timestamp> = stored
            .into_iter()
            .map(|t| Timestamp::try_from(Text(t)).unwrap())
            .collect();
        let mut sorted = times.clone();
        sorted.sort();
        assert_eq!(back, sorted);
    }

    #[test]
    fn a_name_steward_does_not_write_is_an_error_not_a_default() {
        let error = RequestStatus::try_from(Text("finished".into()))
            .err()
            .unwrap();
        assert!(
            error
                .to_string()
                .contains("`finished` is not a request state"),
            "{error}"
        );
        assert!(Timestamp::try_from(Text("yesterday".into())).is_err());
    }
}
