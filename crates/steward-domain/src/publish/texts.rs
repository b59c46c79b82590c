//! Looking up the catalogue's texts: every fixed string Steward writes, by
//! key, in the language asked for.

use crate::common::lang::Lang;
pub use crate::publish::catalogue::Message;

/// The text of `key` in `lang`. Keys are checked by a test against every use
/// in the code, so an unknown key is a bug; it shows as the key itself.
pub fn t(lang: Lang, key: &str) -> &'static str {
    match crate::publish::catalogue::MESSAGES
        .iter()
        .find(|m| m.key == key)
    {
        Some(m) => match lang {
            Lang::En => m.en,
            Lang::Sv => m.sv,
        },
        None => {
            // Every key in the code is checked by a test; this catches any a
            // test run renders that the scan missed.
            debug_assert!(false, "no catalogue text for `{key}`");
            "<missing text>"
        }
    }
}
