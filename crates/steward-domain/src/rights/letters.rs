//! The letters Steward sends about requests, in the subject's language: the
//! one-time code, the extension of the deadline, the answer's arrival, and
//! the Art. 19 notice to recipients. Texts live in the catalogue.

use crate::common::lang::{Lang, cite, fill};
use crate::publish::texts::t;
use crate::rights::request::{RequestKind, RequestState};

/// A letter: its subject line and plain-text body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    pub subject: String,
    pub body: String,
}

fn kind_text(kind: RequestKind, lang: Lang) -> &'static str {
    t(lang, &format!("request.kind.{kind}"))
}

/// The code that proves the requester holds `identity_kind` (`email`, `phone`).
pub fn code(
    lang: Lang,
    controller: &str,
    kind: RequestKind,
    identity_kind: &str,
    code: &str,
    request_id: &str,
) -> Letter {
    let identity = identity_text(identity_kind, lang);
    Letter {
        subject: fill(t(lang, "mail.code.subject"), &[("controller", controller)]),
        body: fill(
            t(lang, "mail.code.body"),
            &[
                ("controller", controller),
                ("request", kind_text(kind, lang)),
                ("article", &cite(kind.article(), lang)),
                ("identity", identity),
                ("code", code),
                ("id", request_id),
            ],
        ),
    }
}

/// A code to sign in to the portal.
pub fn sign_in_code(lang: Lang, controller: &str, code: &str) -> Letter {
    Letter {
        subject: fill(
            t(lang, "mail.sign_in.subject"),
            &[("controller", controller)],
        ),
        body: fill(
            t(lang, "mail.sign_in.body"),
            &[("controller", controller), ("code", code)],
        ),
    }
}

/// Every try at a code was wrong: the holder of the identity is told, so a
/// guess at their code does not go unnoticed.
pub fn codes_failed(
    lang: Lang,
    controller: &str,
    kind: RequestKind,
    identity_kind: &str,
    tries: u32,
    removed_on: &str,
    request_id: &str,
) -> Letter {
    Letter {
        subject: fill(
            t(lang, "mail.codes_failed.subject"),
            &[("controller", controller)],
        ),
        body: fill(
            t(lang, "mail.codes_failed.body"),
            &[
                ("controller", controller),
                ("request", kind_text(kind, lang)),
                ("article", &cite(kind.article(), lang)),
                ("identity", identity_text(identity_kind, lang)),
                ("tries", &tries.to_string()),
                ("removed", removed_on),
                ("id", request_id),
            ],
        ),
    }
}

fn identity_text(identity_kind: &str, lang: Lang) -> &'static str {
    match identity_kind {
        "phone" => t(lang, "identity.phone"),
        _ => t(lang, "identity.email"),
    }
}

/// Art. 12(3): the subject is told of an extension and its reasons.
pub fn extended(
    lang: Lang,
    controller: &str,
    kind: RequestKind,
    request_id: &str,
    due: &str,
    reason: &str,
) -> Letter {
    Letter {
        subject: fill(
            t(lang, "mail.extended.subject"),
            &[("controller", controller)],
        ),
        body: fill(
            t(lang, "mail.extended.body"),
            &[
                ("request", kind_text(kind, lang)),
                ("id", request_id),
                ("due", due),
                ("reason", reason),
            ],
        ),
    }
}

/// A service added an identity to what the controller holds about someone:
/// the identities already known are told, so that an address put on them
/// by someone else does not go unnoticed.
pub fn identity_added(lang: Lang, controller: &str, kind: &str, contact: &str) -> Letter {
    Letter {
        subject: fill(
            t(lang, "mail.identity_added.subject"),
            &[("controller", controller)],
        ),
        body: fill(
            t(lang, "mail.identity_added.body"),
            &[
                ("controller", controller),
                ("kind", kind),
                ("contact", contact),
            ],
        ),
    }
}

/// A new version of the notice changes something for this subject: each
/// change that concerns them, one per line.
pub fn notice_changed(
    lang: Lang,
    controller: &str,
    version: &str,
    changes: &[String],
    contact: &str,
) -> Letter {
    let lines: Vec<String> = changes.iter().map(|c| format!("- {c}")).collect();
    Letter {
        subject: fill(
            t(lang, "mail.notice_changed.subject"),
            &[("controller", controller)],
        ),
        body: fill(
            t(lang, "mail.notice_changed.body"),
            &[
                ("controller", controller),
                ("version", version),
                ("changes", &lines.join("\n")),
                ("contact", contact),
            ],
        ),
    }
}

/// The request reached a final state. `link`: the request's page in the
/// portal, where the answer is read with the follow code.
pub fn answered(
    lang: Lang,
    controller: &str,
    kind: RequestKind,
    request_id: &str,
    state: &RequestState,
    link: Option<&str>,
) -> Letter {
    let mut body = fill(
        t(lang, "mail.answered.body"),
        &[
            ("request", kind_text(kind, lang)),
            ("id", request_id),
            ("state", t(lang, &format!("state.{}", state.name()))),
        ],
    );
    if let Some(link) = link {
        body.push_str("\n\n");
        body.push_str(&fill(t(lang, "mail.answered.link"), &[("link", link)]));
    }
    Letter {
        subject: fill(
            t(lang, "mail.answered.subject"),
            &[("controller", controller)],
        ),
        body,
    }
}

/// Art. 19: a recipient is told of a rectification, erasure or restriction.
/// `None` for other kinds, which recipients need not be told of.
pub fn notify_recipient(
    lang: Lang,
    controller: &str,
    kind: RequestKind,
    request_id: &str,
) -> Option<Letter> {
    let right = match kind {
        RequestKind::Rectification => t(lang, "right.rectification"),
        RequestKind::Erasure => t(lang, "right.erasure"),
        RequestKind::Restriction => t(lang, "right.restriction"),
        _ => return None,
    };
    Some(Letter {
        subject: fill(
            t(lang, "mail.notify.subject"),
            &[("controller", controller), ("right", right)],
        ),
        body: fill(
            t(lang, "mail.notify.body"),
            &[
                ("controller", controller),
                ("right", right),
                ("article", &cite(kind.article(), lang)),
                ("id", request_id),
            ],
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_fill_every_placeholder_in_both_languages() {
        for lang in [Lang::En, Lang::Sv] {
            let letters = [
                code(
                    lang,
                    "Shop AB",
                    RequestKind::Erasure,
                    "email",
                    "123456",
                    "r1",
                ),
                extended(
                    lang,
                    "Shop AB",
                    RequestKind::Access,
                    "r1",
                    "2026-03-01",
                    "many requests",
                ),
                codes_failed(
                    lang,
                    "Shop AB",
                    RequestKind::Erasure,
                    "phone",
                    5,
                    "2026-03-08",
                    "r1",
                ),
                answered(
                    lang,
                    "Shop AB",
                    RequestKind::Access,
                    "r1",
                    &RequestState::Completed,
                    Some("https://privacy.example.se/requests/r1"),
                ),
                notify_recipient(lang, "Shop AB", RequestKind::Erasure, "r1").expect("erasure"),
                sign_in_code(lang, "Shop AB", "123456"),
            ];
            for letter in letters {
                assert!(
                    !letter.subject.contains('{'),
                    "{lang:?}: {}",
                    letter.subject
                );
                assert!(!letter.body.contains('{'), "{lang:?}: {}", letter.body);
            }
        }
        let letter = code(
            Lang::Sv,
            "Shop AB",
            RequestKind::Erasure,
            "email",
            "123456",
            "r1",
        );
        assert!(letter.body.contains("123456"));
        assert!(letter.body.contains("artikel 17"), "{}", letter.body);
        assert!(notify_recipient(Lang::En, "Shop AB", RequestKind::Access, "r1").is_none());
    }
}
