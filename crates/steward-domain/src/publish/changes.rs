//! What changed materially between two versions of a policy, for the
//! people it concerns (Art. 12(1), 13(3); EDPB Guidelines on transparency,
//! paragraphs 26-29: a change in purposes, bases, recipients, transfers or
//! retention is told to the data subjects, and consent is asked again where
//! it no longer covers the processing).

use std::collections::BTreeSet;

use crate::common::lang::{Lang, fill};
use crate::policy::{Policy, RetentionRule};
use crate::publish::texts::t;

/// One material change, with the purposes whose subjects it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub kind: ChangeKind,
    /// The id it is about: a purpose, a recipient, a retention rule.
    pub what: String,
    /// The purposes of the new policy (or the old, for one removed) whose
    /// subjects are concerned.
    pub purposes: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    PurposeAdded,
    PurposeRemoved,
    BasisChanged,
    CategoriesAdded,
    RecipientAdded,
    RecipientChanged,
    RecipientRemoved,
    RetentionChanged,
    /// The purpose now profiles, or decides automatically (Art. 13(2)(f)).
    ProfilingAdded,
    /// `changed_in` names the new version: consent given before no longer counts.
    ConsentAgain,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::PurposeAdded => "purpose_added",
            ChangeKind::PurposeRemoved => "purpose_removed",
            ChangeKind::BasisChanged => "basis_changed",
            ChangeKind::CategoriesAdded => "categories_added",
            ChangeKind::RecipientAdded => "recipient_added",
            ChangeKind::RecipientChanged => "recipient_changed",
            ChangeKind::RecipientRemoved => "recipient_removed",
            ChangeKind::RetentionChanged => "retention_changed",
            ChangeKind::ProfilingAdded => "profiling_added",
            ChangeKind::ConsentAgain => "consent_again",
        }
    }
}

/// The material changes from `old` to `new`, in a stable order.
pub fn material_changes(old: &Policy, new: &Policy) -> Vec<Change> {
    let mut out = Vec::new();
    let change = |kind, what: &str, purposes: Vec<String>| Change {
        kind,
        what: what.to_owned(),
        purposes,
    };
    for purpose in &new.purposes {
        let Some(before) = old.purpose(&purpose.id) else {
            out.push(change(
                ChangeKind::PurposeAdded,
                &purpose.id,
                vec![purpose.id.clone()],
            ));
            continue;
        };
        if before.legal_basis != purpose.legal_basis {
            out.push(change(
                ChangeKind::BasisChanged,
                &purpose.id,
                vec![purpose.id.clone()],
            ));
        }
        let had: BTreeSet<String> = old
            .expand_categories(&before.categories)
            .iter()
            .map(|c| c.id.clone())
            .collect();
        if new
            .expand_categories(&purpose.categories)
            .iter()
            .any(|c| !had.contains(&c.id))
        {
            out.push(change(
                ChangeKind::CategoriesAdded,
                &purpose.id,
                vec![purpose.id.clone()],
            ));
        }
        if (purpose.profiling && !before.profiling)
            || (purpose.automated_decision.is_some() && before.automated_decision.is_none())
        {
            out.push(change(
                ChangeKind::ProfilingAdded,
                &purpose.id,
                vec![purpose.id.clone()],
            ));
        }
        if purpose.changed_in.as_ref() == Some(&new.meta.version)
            && before.changed_in.as_ref() != Some(&new.meta.version)
        {
            out.push(change(
                ChangeKind::ConsentAgain,
                &purpose.id,
                vec![purpose.id.clone()],
            ));
        }
    }
    for purpose in &old.purposes {
        if new.purpose(&purpose.id).is_none() {
            out.push(change(
                ChangeKind::PurposeRemoved,
                &purpose.id,
                vec![purpose.id.clone()],
            ));
        }
    }
    for recipient in &new.recipients {
        match old.recipient(&recipient.id) {
            None => out.push(change(
                ChangeKind::RecipientAdded,
                &recipient.id,
                recipient.purposes.clone(),
            )),
            Some(before) => {
                // More categories (none named means all its purposes use).
                let more_categories = (!before.categories.is_empty()
                    && recipient.categories.is_empty())
                    || recipient
                        .categories
                        .iter()
                        .any(|c| !before.categories.contains(c));
                let widened = recipient
                    .purposes
                    .iter()
                    .any(|p| !before.purposes.contains(p))
                    || more_categories
                    || before.role != recipient.role
                    || (recipient.standing && !before.standing)
                    || before.country.code != recipient.country.code
                    || before.safeguard.as_ref().map(|s| s.kind)
                        != recipient.safeguard.as_ref().map(|s| s.kind);
                if widened {
                    out.push(change(
                        ChangeKind::RecipientChanged,
                        &recipient.id,
                        recipient.purposes.clone(),
                    ));
                }
            }
        }
    }
    for recipient in &old.recipients {
        if new.recipient(&recipient.id).is_none() {
            out.push(change(
                ChangeKind::RecipientRemoved,
                &recipient.id,
                recipient.purposes.clone(),
            ));
        }
    }
    for rule in &new.retention {
        let same = old
            .retention
            .iter()
            .find(|r| r.id == rule.id)
            .is_some_and(|before| same_schedule(before, rule));
        if !same {
            out.push(change(
                ChangeKind::RetentionChanged,
                &rule.id,
                rule.purposes.clone(),
            ));
        }
    }
    for rule in &old.retention {
        if !new.retention.iter().any(|r| r.id == rule.id) {
            out.push(change(
                ChangeKind::RetentionChanged,
                &rule.id,
                rule.purposes
                    .iter()
                    .filter(|p| new.purpose(p).is_some())
                    .cloned()
                    .collect(),
            ));
        }
    }
    out.sort_by(|a, b| (a.kind, &a.what).cmp(&(b.kind, &b.what)));
    out
}

fn same_schedule(a: &RetentionRule, b: &RetentionRule) -> bool {
    a.period == b.period
        && a.unless == b.unless
        && a.action == b.action
        && a.categories == b.categories
        && a.purposes == b.purposes
}

/// A change as a line of the letter to the subjects, in `lang`.
pub fn describe(change: &Change, new: &Policy, old: &Policy, lang: Lang) -> String {
    let purpose_name = |id: &str| {
        new.purpose(id)
            .or_else(|| old.purpose(id))
            .map_or_else(|| id.to_owned(), |p| p.name.get(lang).to_owned())
    };
    let recipient_name = |id: &str| {
        new.recipient(id)
            .or_else(|| old.recipient(id))
            .map_or_else(|| id.to_owned(), |r| r.name.get(lang).to_owned())
    };
    let names = |ids: &[String]| {
        ids.iter()
            .map(|p| purpose_name(p))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let key = match change.kind {
        ChangeKind::PurposeAdded => "change.purpose_added",
        ChangeKind::PurposeRemoved => "change.purpose_removed",
        ChangeKind::BasisChanged => "change.basis_changed",
        ChangeKind::CategoriesAdded => "change.categories_added",
        ChangeKind::RecipientAdded => "change.recipient_added",
        ChangeKind::RecipientChanged => "change.recipient_changed",
        ChangeKind::RecipientRemoved => "change.recipient_removed",
        ChangeKind::RetentionChanged => "change.retention_changed",
        ChangeKind::ProfilingAdded => "change.profiling_added",
        ChangeKind::ConsentAgain => "change.consent_again",
    };
    let what = match change.kind {
        ChangeKind::RecipientAdded
        | ChangeKind::RecipientChanged
        | ChangeKind::RecipientRemoved => recipient_name(&change.what),
        ChangeKind::RetentionChanged => names(&change.purposes),
        _ => purpose_name(&change.what),
    };
    fill(
        t(lang, key),
        &[("what", &what), ("purposes", &names(&change.purposes))],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const V1: &str = include_str!("../../tests/fixtures/disclosures.toml");

    fn policy(text: &str) -> Policy {
        let checked = crate::check(text);
        checked
            .policy
            .unwrap_or_else(|| panic!("{:?}", checked.diagnostics))
    }

    #[test]
    fn the_same_policy_has_no_material_change() {
        assert!(material_changes(&policy(V1), &policy(V1)).is_empty());
    }

    #[test]
    fn purposes_recipients_retention_and_renewed_consent_are_material() {
        let v2 = V1
            .replacen("version = \"1.0\"", "version = \"2.0\"", 1)
            // The newsletter changes materially: consent is asked again.
            .replacen(
                "direct_marketing = true\n",
                "direct_marketing = true\nchanged_in = \"2.0\"\n",
                1,
            )
            // The carrier now gets order data for the newsletter too.
            .replacen(
                "country = \"SE\"\npurposes = [\"orders\"]\ncategories = [\"contact\"]",
                "country = \"SE\"\npurposes = [\"orders\", \"newsletter\"]\ncategories = [\"contact\"]",
                1,
            )
            .replacen("period = \"1 year\"", "period = \"2 years\"", 1);
        let changes = material_changes(&policy(V1), &policy(&v2));
        let seen: Vec<(&str, &str)> = changes
            .iter()
            .map(|c| (c.kind.as_str(), c.what.as_str()))
            .collect();
        assert_eq!(
            seen,
            [
                ("recipient_changed", "carrier"),
                ("retention_changed", "orders"),
                ("consent_again", "newsletter"),
            ]
        );
        let line = describe(&changes[2], &policy(&v2), &policy(V1), Lang::En);
        assert!(line.contains("News"), "{line}");
    }
}
