//! The TOML parser's and serde's messages, sorted into Steward's codes, with
//! hints: the nearest known key to a misspelt one, the accepted values.

use crate::policy::diagnostic::Diagnostic;
use crate::policy::diagnostic_codes::{self, Rule};

/// Sorts serde's and the TOML parser's messages into our codes, and adds hints.
pub(super) fn from_toml_error(error: &toml::de::Error) -> Diagnostic {
    let message = error.message().trim().to_owned();
    let span = error.span();
    let quoted = backticked(&message);
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let key = quoted.first().cloned().unwrap_or_default();
        let expected: Vec<&str> = quoted.iter().skip(1).map(String::as_str).collect();
        let mut diagnostic = Diagnostic::new(
            &diagnostic_codes::UNKNOWN_KEY,
            span,
            format!("unknown key `{key}`"),
        );
        diagnostic = match closest(&key, &expected) {
            Some(best) => diagnostic.hint(format!("did you mean `{best}`?")),
            None if !expected.is_empty() => {
                diagnostic.hint(format!("the keys allowed here are {}", list(&expected)))
            }
            None => diagnostic.hint(rest.to_owned()),
        };
        return diagnostic;
    }
    if message.starts_with("missing field") {
        let key = quoted.first().cloned().unwrap_or_default();
        let hint = if matches!(key.as_str(), "policy" | "controller") {
            format!("add a `[{key}]` table; docs/policy.md describes it")
        } else {
            format!("add `{key} = ...` to this table; docs/policy.md describes it")
        };
        return Diagnostic::new(
            &diagnostic_codes::MISSING_KEY,
            span,
            format!("missing key `{key}`"),
        )
        .hint(hint);
    }
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        let value = quoted.first().cloned().unwrap_or_default();
        let expected: Vec<&str> = quoted.iter().skip(1).map(String::as_str).collect();
        let diagnostic = Diagnostic::new(
            &diagnostic_codes::INVALID_VALUE,
            span,
            format!("`{value}` is not an allowed value here"),
        );
        return match closest(&value, &expected) {
            Some(best) => diagnostic.hint(format!(
                "did you mean `{best}`? The allowed values are {}",
                list(&expected)
            )),
            None if !expected.is_empty() => {
                diagnostic.hint(format!("the allowed values are {}", list(&expected)))
            }
            None => diagnostic.hint(rest.to_owned()),
        };
    }
    if message.starts_with("invalid type")
        || message.starts_with("invalid value")
        || message.starts_with("invalid length")
    {
        let hint = if message.contains("datetime") {
            "write dates without quotes, as TOML dates: `effective = 2024-05-25`"
        } else if message.contains("map, expected a sequence") {
            "a list of tables takes double brackets: `[[security_measure]]`, `[[purpose]]`, ..."
        } else if message.contains("sequence") {
            "write a list in brackets: `[\"a\", \"b\"]`"
        } else {
            "docs/policy.md gives the type of every key"
        };
        let message = message
            .replace("expected u32", "expected a whole number")
            .replace("expected a borrowed string", "expected a string");
        // serde names our Rust types (`struct RawController`); users know tables.
        let message = match message.find("struct Raw") {
            Some(at) => format!("{}a table", &message[..at]),
            None => message,
        };
        return Diagnostic::new(&diagnostic_codes::INVALID_VALUE, span, message).hint(hint);
    }
    if message.contains("one value or a list") || message.contains("table of languages") {
        return Diagnostic::new(
            &diagnostic_codes::INVALID_VALUE,
            span,
            format!(
                "expected {}",
                message
                    .trim_start_matches("data did not match any variant of untagged enum ")
                    .trim_start_matches("expected ")
            ),
        )
        .hint("docs/policy.md gives the type of every key");
    }
    let (rule, hint): (&'static Rule, &str) = if message.contains("duplicate key") {
        (
            &diagnostic_codes::TOML_SYNTAX,
            "each key may appear once in a table; for several items use [[arrays of tables]]",
        )
    } else {
        (
            &diagnostic_codes::TOML_SYNTAX,
            "see https://toml.io for the syntax; strings need double quotes",
        )
    };
    Diagnostic::new(rule, span, message).hint(hint)
}

/// The words between backticks in serde's messages.
pub(super) fn backticked(message: &str) -> Vec<String> {
    message
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

pub(super) fn list(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The candidate nearest to a misspelt word, if it is near enough to be a typo.
pub(crate) fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), *c))
        .filter(|(distance, c)| *distance <= (c.len() / 3).max(2))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c)
}
