//! Closed sets of words that cross into storage and onto the wire. Each word
//! has one spelling, `as_str`, and is read back with `FromStr`, which refuses
//! anything else with an error naming what was expected.

/// A word that is not one of its set's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a {what}; expected one of: {expected}")]
pub struct UnknownName {
    pub what: &'static str,
    pub value: String,
    pub expected: String,
}

/// `as_str`, `FromStr` and `Display` for a field-less enum, from one table of
/// its variants and their names.
macro_rules! names {
    ($ty:ident, $what:literal, { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $ty {
            /// The name stored and sent for this value.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $name),+
                }
            }
        }

        impl std::str::FromStr for $ty {
            type Err = $crate::common::names::UnknownName;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                match text {
                    $($name => Ok($ty::$variant),)+
                    _ => Err($crate::common::names::UnknownName {
                        what: $what,
                        value: text.to_owned(),
                        expected: [$($name),+].join(", "),
                    }),
                }
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use names;

#[cfg(test)]
mod tests {
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Colour {
        Red,
        DarkBlue,
    }
    names!(Colour, "colour", { Red => "red", DarkBlue => "dark_blue" });

    #[test]
    fn names_round_trip_and_strangers_are_refused_by_name() {
        for colour in [Colour::Red, Colour::DarkBlue] {
            assert_eq!(colour.as_str().parse::<Colour>(), Ok(colour));
        }
        let error = "Red".parse::<Colour>().unwrap_err();
        assert_eq!(
            error.to_string(),
            "`Red` is not a colour; expected one of: red, dark_blue"
        );
    }
}
