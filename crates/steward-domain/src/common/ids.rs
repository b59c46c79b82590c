//! Ids of what Steward keeps, each its own type, so a request id is never
//! passed where a subject id belongs. They are opaque text (UUIDs made by the
//! server); the domain only compares and prints them.

use serde::{Deserialize, Serialize};

macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl From<String> for $name {
            fn from(text: String) -> Self {
                Self(text)
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                Self(text.to_owned())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

id!(
    /// A data subject.
    SubjectId
);
id!(
    /// One release of a subject's data to a recipient.
    DisclosureId
);
id!(
    /// One identity of a subject (an e-mail address, a phone number, ...).
    IdentityId
);
id!(
    /// One stored value of a subject's personal data.
    RecordId
);
id!(
    /// A relationship event of a subject.
    EventId
);
id!(
    /// One consent given (and perhaps withdrawn).
    ConsentId
);
id!(
    /// An API token.
    TokenId
);
id!(
    /// A data-subject request.
    RequestId
);
id!(
    /// One part of a request: its work in one place (a durable job).
    PartId
);
