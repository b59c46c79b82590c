//! Builds the notice one section at a time; every fixed string comes from
//! the catalogue. The sections are in [`super::processing`] (what is
//! processed, why, who receives it, for how long) and [`super::your_rights`]
//! (rights, consent, complaints, automated decisions, cookies, security).

use crate::common::lang::{Lang, fill};
use crate::policy::{Policy, RecipientRole};
use crate::publish::notice::document::{Block, NoticeDocument, Section};
use crate::publish::sentences::{join, mark_assumed};
use crate::publish::texts::t;

impl NoticeDocument {
    pub fn build(policy: &Policy, lang: Lang) -> Self {
        let b = Builder { policy, lang };
        let controller = &policy.controller;
        NoticeDocument {
            lang: lang.code(),
            title: fill(b.t("notice.title"), &[("controller", &controller.name)]),
            preamble: fill(
                b.t("notice.preamble"),
                &[
                    ("controller", &controller.name),
                    ("version", &b.version()),
                    ("effective", &b.effective()),
                ],
            ),
            sections: vec![
                Some(b.controller()),
                b.dpo(),
                Some(b.data()),
                Some(b.sources()),
                Some(b.purposes()),
                Some(b.provision()),
                b.recipients(),
                b.transfers(),
                Some(b.retention()),
                Some(b.rights()),
                Some(b.consent()),
                Some(b.complaint()),
                b.automated(),
                b.children(),
                b.cookies(),
                Some(b.security()),
                Some(b.changes()),
            ]
            .into_iter()
            .flatten()
            .collect(),
        }
    }
}

/// Builds one section at a time; every fixed string comes from the catalogue.
pub(super) struct Builder<'a> {
    pub(super) policy: &'a Policy,
    pub(super) lang: Lang,
}

impl Builder<'_> {
    /// `text`, marked as not the organisation's own statement when any of
    /// `fields` holds an assumed value.
    pub(super) fn marked(&self, text: String, assumed: &[String], fields: &[&str]) -> String {
        mark_assumed(text, assumed, fields, self.lang)
    }

    /// The policy's version, marked when the notice gives none.
    pub(super) fn version(&self) -> String {
        let meta = &self.policy.meta;
        self.marked(meta.version.to_string(), &meta.assumed, &["version"])
    }

    /// The date the notice takes effect, marked when the notice gives none.
    pub(super) fn effective(&self) -> String {
        let meta = &self.policy.meta;
        self.marked(meta.effective.to_string(), &meta.assumed, &["effective"])
    }

    /// Where requests go, marked when the address is not the notice's own
    /// (Cadcraft's notice gives none).
    pub(super) fn contact(&self) -> String {
        let p = self.policy;
        let assumed = crate::policy::is_assumed(&p.rights.assumed, "contact")
            || (p.rights.contact == p.controller.email
                && crate::policy::is_assumed(&p.controller.assumed, "email"));
        if assumed {
            format!("{} {}", p.rights.contact, self.t("assumed.marker"))
        } else {
            p.rights.contact.clone()
        }
    }

    pub(super) fn t(&self, key: &str) -> &'static str {
        t(self.lang, key)
    }

    pub(super) fn section(&self, id: &'static str, blocks: Vec<Block>) -> Section {
        Section {
            id,
            heading: self.t(&format!("section.{id}")).to_owned(),
            blocks,
        }
    }

    pub(super) fn controller(&self) -> Section {
        let c = &self.policy.controller;
        let mut details = vec![c.name.clone()];
        if let Some(number) = &c.organisation_number {
            details.push(format!(
                "{} {number}",
                self.t("controller.organisation_number")
            ));
        }
        details.push(format!(
            "{} {}",
            self.t("contact.address"),
            self.marked(c.address.clone(), &c.assumed, &["address"])
        ));
        details.push(format!(
            "{} {}",
            self.t("contact.email"),
            self.marked(c.email.clone(), &c.assumed, &["email"])
        ));
        if let Some(phone) = &c.phone {
            details.push(format!("{} {phone}", self.t("contact.phone")));
        }
        if let Some(website) = &c.website {
            details.push(format!("{} {website}", self.t("contact.website")));
        }
        let mut blocks = vec![
            Block::Paragraph(fill(self.t("controller.intro"), &[("controller", &c.name)])),
            Block::List(details),
        ];
        if let Some(processor) = &c.acts_as_processor {
            blocks.push(Block::Paragraph(processor.get(self.lang).to_owned()));
        }
        if let Some(rep) = &c.eu_representative {
            blocks.push(Block::Paragraph(
                self.t("controller.representative").to_owned(),
            ));
            blocks.push(Block::List(self.contact_lines(rep)));
        }
        let joint: Vec<String> = self
            .policy
            .recipients
            .iter()
            .filter(|r| r.role == RecipientRole::JointController)
            .map(|r| r.name.get(self.lang).to_owned())
            .collect();
        if !joint.is_empty() {
            blocks.push(Block::Paragraph(fill(
                self.t("controller.joint"),
                &[("names", &joint.join(", "))],
            )));
        }
        self.section("controller", blocks)
    }

    pub(super) fn contact_lines(&self, contact: &crate::policy::Contact) -> Vec<String> {
        let mut lines = vec![contact.name.clone()];
        let fields = [
            ("contact.address", &contact.address),
            ("contact.email", &contact.email),
            ("contact.phone", &contact.phone),
            ("contact.website", &contact.website),
        ];
        for (key, value) in fields {
            if let Some(value) = value {
                lines.push(format!("{} {value}", self.t(key)));
            }
        }
        lines
    }

    /// Art. 13(1)(b) applies only where a DPO is appointed; without one
    /// declared the notice says nothing either way.
    pub(super) fn dpo(&self) -> Option<Section> {
        let dpo = self.policy.controller.dpo.as_ref()?;
        Some(self.section(
            "dpo",
            vec![
                Block::Paragraph(self.t("dpo.appointed").to_owned()),
                Block::List(self.contact_lines(dpo)),
            ],
        ))
    }

    /// "a, b and c" in the notice's language.
    pub(super) fn join(&self, items: &[&str]) -> String {
        join(items, self.t("word.and"))
    }
}
