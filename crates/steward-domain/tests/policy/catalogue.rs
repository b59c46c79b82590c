//! Every text key the code uses exists in both languages, and every text in
//! the catalogue is used.

use std::collections::BTreeSet;

use steward_domain::policy::{ErasureException, Event, LegalBasis};
use steward_domain::publish::catalogue::MESSAGES;
use steward_domain::publish::notice::SECTIONS;

/// Quoted strings that look like catalogue keys (`word.word`) in a source file.
fn keys_in(source: &str) -> BTreeSet<String> {
    let known_prefixes: BTreeSet<&str> = MESSAGES
        .iter()
        .filter_map(|m| m.key.split('.').next())
        .collect();
    source
        .split('"')
        .skip(1)
        .step_by(2)
        .filter(|s| {
            // `prefix.name` or `prefix.group.name`.
            let parts: Vec<&str> = s.split('.').collect();
            (2..=3).contains(&parts.len())
                && known_prefixes.contains(parts[0])
                && !["md", "html"].contains(&parts[1])
                && parts[1..]
                    .iter()
                    .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        })
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_key_used_has_english_and_swedish_text_and_every_text_is_used() {
    let sources = [
        include_str!("../../src/publish/notice/mod.rs"),
        include_str!("../../src/publish/changes.rs"),
        include_str!("../../src/publish/notice/builder.rs"),
        include_str!("../../src/publish/notice/processing.rs"),
        include_str!("../../src/publish/notice/your_rights.rs"),
        include_str!("../../src/publish/sentences.rs"),
        include_str!("../../src/publish/record_of_processing.rs"),
        include_str!("../../src/rights/access_report.rs"),
        include_str!("../../src/rights/erasure_report.rs"),
        include_str!("../../src/rights/letters.rs"),
        include_str!("../../src/policy/mod.rs"),
        include_str!("../../src/policy/vocabulary.rs"),
    ];
    let mut used: BTreeSet<String> = sources.iter().flat_map(|s| keys_in(s)).collect();
    used.extend(SECTIONS.iter().map(|(id, _)| format!("section.{id}")));
    used.extend(LegalBasis::ALL.iter().map(|b| b.key().to_owned()));
    // Keys letters.rs builds from a request's kind and final state.
    used.extend(
        steward_domain::rights::request::RequestKind::ALL
            .iter()
            .map(|k| format!("request.kind.{k}")),
    );
    used.extend(
        ["completed", "partially_completed", "refused", "cancelled"]
            .iter()
            .map(|s| format!("state.{s}")),
    );
    used.extend(ErasureException::ALL.iter().map(|e| e.key().to_owned()));
    for event in Event::ALL {
        used.insert(event.key().to_owned());
    }
    for event in [
        Event::Collection,
        Event::RelationshipStart,
        Event::RelationshipEnd,
        Event::ContractStart,
        Event::ContractEnd,
        Event::InvoicePaid,
        Event::LastActivity,
        Event::ContactPersonChanged,
        Event::ConsentWithdrawn,
        Event::AccountDeleted,
    ] {
        used.insert(event.key().to_owned());
    }
    let defined: BTreeSet<String> = MESSAGES.iter().map(|m| m.key.to_owned()).collect();
    let undefined: Vec<_> = used.difference(&defined).collect();
    assert!(
        undefined.is_empty(),
        "keys used but not in the catalogue: {undefined:?}"
    );
    let unused: Vec<_> = defined.difference(&used).collect();
    assert!(
        unused.is_empty(),
        "catalogue texts nothing uses: {unused:?}"
    );
}

#[test]
fn no_key_is_defined_twice_and_no_text_is_empty() {
    let mut seen = BTreeSet::new();
    for message in MESSAGES {
        assert!(seen.insert(message.key), "`{}` defined twice", message.key);
        assert!(
            !message.en.trim().is_empty() && !message.sv.trim().is_empty(),
            "`{}` has an empty text",
            message.key
        );
    }
}

#[test]
fn placeholders_are_the_same_in_both_languages() {
    let placeholders = |text: &str| -> BTreeSet<String> {
        text.split('{')
            .skip(1)
            .filter_map(|s| s.split('}').next())
            .map(str::to_owned)
            .collect()
    };
    for message in MESSAGES {
        assert_eq!(
            placeholders(message.en),
            placeholders(message.sv),
            "`{}`",
            message.key
        );
    }
}
