//! The languages Steward writes in, and the two things every text in them
//! needs: filling in values (`{name}`) and citing articles in each language's
//! legal style. The texts themselves are in `publish::catalogue`.

use serde::{Deserialize, Serialize};

use crate::common::names::UnknownName;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    En,
    Sv,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Sv];

    pub fn from_code(code: &str) -> Option<Self> {
        match code.trim().to_ascii_lowercase().as_str() {
            "en" => Some(Lang::En),
            "sv" => Some(Lang::Sv),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Sv => "sv",
        }
    }

    pub fn english_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Sv => "Swedish",
        }
    }
}

impl std::str::FromStr for Lang {
    type Err = UnknownName;

    fn from_str(code: &str) -> Result<Self, Self::Err> {
        Lang::from_code(code).ok_or_else(|| UnknownName {
            what: "language",
            value: code.to_owned(),
            expected: "en, sv".into(),
        })
    }
}

/// Replaces each `{name}` in `template` with its value, in one pass, so a
/// value that itself contains `{...}` (text from a policy) stays as written.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            values
                .iter()
                .find(|(name, _)| *name == &after[..close])
                .map(|(_, v)| (close, *v))
        });
        match value {
            Some((close, value)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// An article reference in the language's legal style: `Art. 6(1)(f)` stays
/// as it is in English and becomes `artikel 6.1 f` in Swedish.
/// A day as a person reads it: `22 November 2026`, `22 november 2026`.
pub fn date_in_words(date: jiff::civil::Date, lang: Lang) -> String {
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    const SV: [&str; 12] = [
        "januari",
        "februari",
        "mars",
        "april",
        "maj",
        "juni",
        "juli",
        "augusti",
        "september",
        "oktober",
        "november",
        "december",
    ];
    let month = usize::try_from(date.month() - 1).unwrap_or(0);
    let name = match lang {
        Lang::En => EN[month],
        Lang::Sv => SV[month],
    };
    format!("{} {name} {}", date.day(), date.year())
}

pub fn cite(article: &str, lang: Lang) -> String {
    match lang {
        Lang::En => article.to_owned(),
        Lang::Sv => {
            let mut out = String::with_capacity(article.len() + 4);
            let rest = article.strip_prefix("Art. ").map_or(article, |rest| {
                out.push_str("artikel ");
                rest
            });
            let mut chars = rest.chars().peekable();
            while let Some(c) = chars.next() {
                if c != '(' {
                    out.push(c);
                    continue;
                }
                let inner: String = chars.by_ref().take_while(|c| *c != ')').collect();
                if inner.chars().all(|c| c.is_ascii_digit()) {
                    out.push('.');
                } else {
                    out.push(' ');
                }
                out.push_str(&inner);
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_replaces_each_placeholder_once_and_leaves_braces_in_values() {
        assert_eq!(
            fill("{a} and {b}", &[("a", "{b}"), ("b", "B")]),
            "{b} and B"
        );
        assert_eq!(fill("{unknown} {a}", &[("a", "x")]), "{unknown} x");
        assert_eq!(fill("no placeholders", &[]), "no placeholders");
        assert_eq!(fill("åäö {a}!", &[("a", "é")]), "åäö é!");
    }

    #[test]
    fn swedish_citations_use_dots_for_paragraphs_and_spaces_for_points() {
        assert_eq!(cite("Art. 6(1)(f)", Lang::Sv), "artikel 6.1 f");
        assert_eq!(cite("Art. 46(2)(c)", Lang::Sv), "artikel 46.2 c");
        assert_eq!(cite("Art. 45", Lang::Sv), "artikel 45");
        assert_eq!(cite("Art. 49(1)", Lang::Sv), "artikel 49.1");
        assert_eq!(cite("Art. 6(1)(f)", Lang::En), "Art. 6(1)(f)");
    }
}
