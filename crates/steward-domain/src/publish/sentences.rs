//! Sentences the notice, the record of processing and the access report all
//! say the same way: a list joined with "and", a purpose's legal basis, how
//! long a retention rule keeps data.

use crate::common::lang::{Lang, cite, fill};
use crate::policy::{RetentionAction, RetentionPeriod, RetentionRule};
use crate::publish::texts::t;

pub(crate) fn join(items: &[&str], and: &str) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} {and} {last}", init.join(", ")),
    }
}

/// A purpose's legal basis as the notice and the record state it:
/// "our legitimate interests (Art. 6(1)(f)): To ...".
pub fn legal_basis_text(purpose: &crate::policy::Purpose, lang: Lang) -> String {
    let Some(basis) = purpose.legal_basis else {
        return t(lang, "basis.anonymous").to_owned();
    };
    let mut text = format!("{} ({})", t(lang, basis.key()), cite(basis.article(), lang));
    if let Some(interest) = &purpose.legitimate_interest {
        text = format!("{text}: {}", interest.get(lang));
    }
    if let Some(law) = &purpose.law {
        text = format!("{text}: {law}");
    }
    if let Some(condition) = purpose.special_condition {
        text = format!(
            "{text}; {} {}",
            t(lang, "basis.special_condition"),
            cite(condition.article(), lang)
        );
    }
    mark_assumed(
        text,
        &purpose.assumed,
        &[
            "legal_basis",
            "legitimate_interest",
            "law",
            "special_condition",
        ],
        lang,
    )
}

/// How long a rule keeps data, as one sentence of the notice:
/// "120 months after the agreement has ended, then deleted."
pub fn retention_sentence(rule: &RetentionRule, lang: Lang) -> String {
    let mut sentence = match &rule.period {
        RetentionPeriod::Indefinite => {
            let why = rule
                .justification
                .as_ref()
                .map(|j| j.get(lang))
                .unwrap_or("");
            fill(t(lang, "retention.indefinite"), &[("why", why)])
        }
        RetentionPeriod::Counted {
            period,
            after,
            calendar_year_end,
            minimum,
            maximum,
        } => {
            let clauses: Vec<&str> = after.iter().map(|e| t(lang, e.key())).collect();
            let events = join(&clauses, t(lang, "word.or"));
            let events = if after.len() > 1 {
                format!("{events} {}", t(lang, "retention.whichever_first"))
            } else {
                events
            };
            let period_text = period.describe(lang);
            let mut text = if *calendar_year_end {
                fill(
                    t(lang, "retention.calendar_year"),
                    &[("period", &period_text), ("event", &events)],
                )
            } else if period.amount == 0 {
                fill(t(lang, "retention.until"), &[("event", &events)])
            } else {
                fill(
                    t(lang, "retention.after"),
                    &[("period", &period_text), ("event", &events)],
                )
            };
            match (minimum, maximum) {
                (Some(min), Some(max)) => {
                    text = format!(
                        "{text}, {}",
                        fill(
                            t(lang, "retention.window"),
                            &[("min", &min.describe(lang)), ("max", &max.describe(lang))]
                        )
                    );
                }
                (Some(min), None) => {
                    text = format!(
                        "{text}, {}",
                        fill(
                            t(lang, "retention.at_least"),
                            &[("min", &min.describe(lang))]
                        )
                    );
                }
                (None, Some(max)) => {
                    text = format!(
                        "{text}, {}",
                        fill(
                            t(lang, "retention.at_most"),
                            &[("max", &max.describe(lang))]
                        )
                    );
                }
                (None, None) => {}
            }
            text
        }
    };
    if let Some(unless) = rule.unless {
        sentence = format!(
            "{sentence}, {}",
            fill(
                t(lang, "retention.unless"),
                &[("event", t(lang, unless.key()))]
            )
        );
    }
    let action = match rule.action {
        RetentionAction::Delete => t(lang, "retention.then_deleted"),
        RetentionAction::Anonymise => t(lang, "retention.then_anonymised"),
        RetentionAction::Review => t(lang, "retention.then_reviewed"),
    };
    if rule.period != RetentionPeriod::Indefinite {
        sentence = format!("{sentence}; {action}");
    }
    if let Some(law) = &rule.law {
        sentence = format!("{sentence} ({} {law})", t(lang, "retention.required_by"));
    }
    sentence = mark_assumed(
        sentence,
        &rule.assumed,
        &[
            "period",
            "after",
            "minimum",
            "maximum",
            "calendar_year_end",
            "indefinite",
            "unless",
            "action",
            "law",
        ],
        lang,
    );
    if let Some(note) = &rule.note {
        sentence = format!("{sentence}. {}", note.get(lang));
    }
    let mut chars = sentence.chars();
    let capitalised = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
        None => String::new(),
    };
    if capitalised.ends_with('.') {
        capitalised
    } else {
        format!("{capitalised}.")
    }
}

/// `text` with the assumption marker when any of `fields` is assumed.
pub(crate) fn mark_assumed(
    text: String,
    assumed: &[String],
    fields: &[&str],
    lang: Lang,
) -> String {
    if fields.iter().any(|f| crate::policy::is_assumed(assumed, f)) {
        format!("{text} {}", t(lang, "assumed.marker"))
    } else {
        text
    }
}
