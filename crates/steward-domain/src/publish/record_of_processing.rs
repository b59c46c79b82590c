//! The record of processing activities (Art. 30(1)), one row per purpose,
//! with items (a) to (g). Markdown and CSV are for people (headings in the
//! chosen language); JSON is for machines (stable English keys).

use serde::Serialize;

use crate::common::lang::{Lang, cite, fill};
use crate::policy::{Policy, Purpose, RecipientRole};
use crate::publish::sentences::{legal_basis_text, mark_assumed, retention_sentence};
use crate::publish::texts::t;

#[derive(Debug, Clone, Serialize)]
pub struct Record {
    pub policy: String,
    pub version: String,
    pub effective: String,
    pub language: Lang,
    pub activities: Vec<Activity>,
}

/// One processing activity: a purpose with everything Art. 30(1) asks.
#[derive(Debug, Clone, Serialize)]
pub struct Activity {
    pub id: String,
    pub name: String,
    /// (a) the controller, joint controllers, representative and DPO.
    pub controller: String,
    /// (b) the purpose, with its legal basis.
    pub purpose: String,
    pub legal_basis: String,
    /// (c) categories of data subjects and of personal data.
    pub data_subjects: Vec<String>,
    pub personal_data: Vec<String>,
    /// (d) categories of recipients, including in third countries.
    pub recipients: Vec<String>,
    /// (e) transfers to third countries and their safeguards.
    pub transfers: Vec<String>,
    /// (f) time limits for erasure.
    pub erasure_time_limits: Vec<String>,
    /// (g) technical and organisational security measures.
    pub security_measures: Vec<String>,
}

const COLUMNS: [&str; 11] = [
    "ropa.id",
    "ropa.name",
    "ropa.a",
    "ropa.b",
    "ropa.basis",
    "ropa.c_subjects",
    "ropa.c_data",
    "ropa.d",
    "ropa.e",
    "ropa.f",
    "ropa.g",
];

impl Record {
    pub fn build(policy: &Policy, lang: Lang) -> Self {
        Record {
            policy: policy.meta.id.clone(),
            version: policy.meta.version.to_string(),
            effective: policy.meta.effective.to_string(),
            language: lang,
            activities: policy
                .purposes
                .iter()
                .map(|p| activity(policy, p, lang))
                .collect(),
        }
    }

    pub fn json(&self) -> serde_json::Result<String> {
        serde_json::to_string_pretty(self).map(|mut s| {
            s.push('\n');
            s
        })
    }

    pub fn csv(&self) -> Result<String, csv::Error> {
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(COLUMNS.iter().map(|key| t(self.language, key)))?;
        for activity in &self.activities {
            writer.write_record(activity.cells("; "))?;
        }
        let bytes = writer
            .into_inner()
            .map_err(|e| csv::Error::from(e.into_error()))?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    pub fn markdown(&self) -> String {
        let lang = self.language;
        let mut out = format!(
            "# {}: {}\n\n{}\n",
            t(lang, "ropa.title"),
            self.policy,
            fill(
                t(lang, "ropa.version"),
                &[("version", &self.version), ("effective", &self.effective)]
            )
        );
        for activity in &self.activities {
            out.push_str(&format!(
                "\n## {} (`{}`)\n\n",
                md(&activity.name),
                activity.id
            ));
            let cells = activity.cells("\n");
            out.push_str(&format!("| {} | |\n| --- | --- |\n", t(lang, "ropa.item")));
            for (key, cell) in COLUMNS.iter().zip(cells).skip(2) {
                let value = cell.lines().map(md).collect::<Vec<_>>().join("<br>");
                out.push_str(&format!("| {} | {} |\n", t(lang, key), value));
            }
        }
        out
    }
}

impl Activity {
    fn cells(&self, separator: &str) -> Vec<String> {
        vec![
            self.id.clone(),
            self.name.clone(),
            self.controller.clone(),
            self.purpose.clone(),
            self.legal_basis.clone(),
            self.data_subjects.join(separator),
            self.personal_data.join(separator),
            self.recipients.join(separator),
            self.transfers.join(separator),
            self.erasure_time_limits.join(separator),
            self.security_measures.join(separator),
        ]
    }
}

fn activity(policy: &Policy, purpose: &Purpose, lang: Lang) -> Activity {
    let c = &policy.controller;
    let mut controller = c.name.to_string();
    if let Some(number) = &c.organisation_number {
        controller.push_str(&format!(" ({number})"));
    }
    controller.push_str(&format!(
        ", {}, {}",
        mark_assumed(c.address.clone(), &c.assumed, &["address"], lang),
        mark_assumed(c.email.clone(), &c.assumed, &["email"], lang)
    ));
    let joint: Vec<&str> = policy
        .recipients_for(&purpose.id)
        .filter(|r| r.role == RecipientRole::JointController)
        .map(|r| r.name.get(lang))
        .collect();
    if !joint.is_empty() {
        controller.push_str(&format!("; {} {}", t(lang, "ropa.joint"), joint.join(", ")));
    }
    if let Some(rep) = &c.eu_representative {
        controller.push_str(&format!(
            "; {} {}",
            t(lang, "ropa.representative"),
            rep.name
        ));
    }
    if let Some(dpo) = &c.dpo {
        let contact = dpo.email.as_deref().unwrap_or("");
        controller.push_str(&format!("; {} {} {contact}", t(lang, "ropa.dpo"), dpo.name));
    }

    let legal_basis = legal_basis_text(purpose, lang);

    let personal_data = policy
        .expand_categories(&purpose.categories)
        .into_iter()
        .map(|category| {
            let mut name = category.name.get(lang).to_owned();
            if let Some(parent) = category.parent().and_then(|id| policy.category(id)) {
                name = format!("{}: {name}", parent.name.get(lang));
            }
            if category.special {
                name.push_str(" (Art. 9)");
            }
            if category.national_id {
                name.push_str(" (Art. 87)");
            }
            name
        })
        .collect();

    let recipients = policy
        .recipients_for(&purpose.id)
        .map(|r| {
            let role = t(lang, r.role.key());
            format!("{} ({role}; {})", r.name.get(lang), r.country.name(lang))
        })
        .collect();

    let transfers = policy
        .recipients_for(&purpose.id)
        .filter(|r| r.country.is_third_country())
        .map(|r| {
            let safeguard = match &r.safeguard {
                Some(s) => {
                    let key = s.kind.key();
                    format!("{}, {}", cite(s.kind.article(), lang), t(lang, key))
                }
                None => t(lang, "safeguard.none").to_owned(),
            };
            let reference = r
                .safeguard_reference
                .as_ref()
                .map(|s| format!("; {}", s.get(lang)))
                .unwrap_or_default();
            format!(
                "{}: {} ({safeguard}{reference})",
                r.name.get(lang),
                r.country.name(lang)
            )
        })
        .collect();

    let erasure_time_limits = policy
        .retention
        .iter()
        .filter(|rule| rule.purposes.contains(&purpose.id))
        .map(|rule| {
            let categories: Vec<&str> = policy
                .categories
                .iter()
                .filter(|c| rule.categories.contains(&c.id))
                .map(|c| c.name.get(lang))
                .collect();
            format!(
                "{}: {}",
                categories.join(", "),
                retention_sentence(rule, lang)
            )
        })
        .collect();

    Activity {
        id: purpose.id.clone(),
        name: purpose.name.get(lang).to_owned(),
        controller,
        purpose: purpose.description.get(lang).to_owned(),
        legal_basis,
        data_subjects: purpose
            .subjects
            .iter()
            .filter_map(|id| policy.subject_type(id))
            .map(|s| s.name.get(lang).to_owned())
            .collect(),
        personal_data,
        recipients,
        transfers,
        erasure_time_limits,
        security_measures: policy
            .security_measures
            .iter()
            .map(|m| m.description.get(lang).to_owned())
            .collect(),
    }
}

fn md(text: &str) -> String {
    text.replace('|', "\\|")
}
