//! The languages Steward writes in, and the catalogue of every fixed string
//! of the notice and the record of processing, each in English and Swedish.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
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

/// One entry of the catalogue: a key and its text in each language.
/// `{name}` marks a value filled in by [`fill`].
#[derive(Debug)]
pub struct Message {
    pub key: &'static str,
    pub en: &'static str,
    pub sv: &'static str,
}

/// The text of `key` in `lang`. Keys are checked by a test against every use
/// in the code, so an unknown key is a bug; it shows as the key itself.
pub fn t(lang: Lang, key: &str) -> &'static str {
    match crate::catalogue::MESSAGES.iter().find(|m| m.key == key) {
        Some(m) => match lang {
            Lang::En => m.en,
            Lang::Sv => m.sv,
        },
        None => "<missing text>",
    }
}

/// Replaces each `{name}` in `template` with its value.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_owned();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}
