//! Assumptions and deviations: where a policy says more than its notice
//! does, or reads it otherwise, the policy says so in fields Steward reads
//! (not only in comments), so `policy check` can list them and `policy
//! render` can mark what the organisation has not itself stated.

use std::collections::BTreeMap;

use toml::Spanned;

use super::Validator;
use crate::policy::diagnostic::Diagnostic;
use crate::policy::diagnostic_codes;
use crate::policy::model::{Note, NoteKind};
use crate::policy::raw::RawDeviation;

/// The fields of each section a value can be assumed for.
pub(super) const ASSUMABLE: &[(&str, &[&str])] = &[
    ("policy", &["version", "effective"]),
    (
        "controller",
        &[
            "address",
            "email",
            "minimum_age",
            "country",
            "time_zone",
            "dpo",
            "supervisory_authority",
        ],
    ),
    (
        "rights",
        &["identity_verification", "response_deadline", "contact"],
    ),
    ("subject_type", &["data_normally_stored", "age_known"]),
    (
        "category",
        &[
            "special",
            "sources",
            "derived_from",
            "consent_required",
            "justification",
        ],
    ),
    (
        "purpose",
        &[
            "legal_basis",
            "legitimate_interest",
            "law",
            "special_condition",
            "categories",
            "subjects",
            "direct_marketing",
            "profiling",
            "provision",
        ],
    ),
    (
        "retention",
        &[
            "period",
            "after",
            "minimum",
            "maximum",
            "calendar_year_end",
            "action",
            "erasure_exception",
            "law",
            "unless",
            "indefinite",
            "statistics",
        ],
    ),
    (
        "recipient",
        &[
            "role",
            "purposes",
            "categories",
            "country",
            "safeguard",
            "law",
            "standing",
        ],
    ),
    ("cookie", &["category", "lifetime", "purpose", "provider"]),
];

impl Validator<'_> {
    /// Records a section's assumptions and deviation; answers the fields
    /// it assumes, for rendering to mark.
    pub(super) fn notes(
        &mut self,
        section: &'static str,
        id: &str,
        assumed: Option<Spanned<BTreeMap<String, String>>>,
        deviation: Option<Spanned<RawDeviation>>,
    ) -> Vec<String> {
        let allowed = ASSUMABLE
            .iter()
            .find(|(name, _)| *name == section)
            .map_or(&[][..], |(_, fields)| *fields);
        let mut fields = Vec::new();
        if let Some(assumed) = assumed {
            let span = assumed.span();
            for (field, reason) in assumed.into_inner() {
                if !allowed.contains(&field.as_str()) {
                    self.report(
                        Diagnostic::new(
                            &diagnostic_codes::INVALID_VALUE,
                            span.clone(),
                            format!(
                                "`{field}` is not a field of a {section} whose value can be assumed"
                            ),
                        )
                        .hint(format!("one of: {}", allowed.join(", "))),
                    );
                    continue;
                }
                if reason.trim().is_empty() {
                    self.report(
                        Diagnostic::new(
                            &diagnostic_codes::INVALID_VALUE,
                            span.clone(),
                            format!(
                                "the assumption about `{field}` of {section} `{id}` gives no reason"
                            ),
                        )
                        .hint("say why the value was chosen when the notice does not give it"),
                    );
                }
                fields.push(field.clone());
                self.notes.push(Note {
                    section,
                    id: id.to_owned(),
                    span: span.clone(),
                    kind: NoteKind::Assumed { field, reason },
                });
            }
        }
        if let Some(deviation) = deviation {
            let span = deviation.span();
            let RawDeviation {
                notice,
                reading,
                law,
            } = deviation.into_inner();
            self.notes.push(Note {
                section,
                id: id.to_owned(),
                span,
                kind: NoteKind::Deviation {
                    notice,
                    reading,
                    law,
                },
            });
        }
        fields
    }
}
