//! The privacy notice (Art. 13 and 14), generated from the policy.
//!
//! [`NoticeDocument::build`] decides what the notice says, in one language,
//! as sections of paragraphs, lists and tables; the askama templates only lay
//! it out as Markdown or HTML, so both formats always say the same thing.
//! Each section carries a stable id naming the Art. 13/14 element it serves.

mod builder;
mod document;
mod processing;
mod your_rights;

use askama::Template;

use crate::common::lang::Lang;
use crate::policy::Policy;

pub use document::{Block, NoticeDocument, SECTIONS, Section};

pub fn markdown(policy: &Policy, lang: Lang) -> askama::Result<String> {
    NoticeDocument::build(policy, lang).to_markdown()
}

/// Templates are easier to read with generous blank lines; Markdown needs one.
fn single_blank_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0;
    for line in text.lines() {
        let line = line.trim_end();
        blank_run = if line.is_empty() { blank_run + 1 } else { 0 };
        if blank_run <= 1 {
            out.push_str(line);
            out.push('\n');
        }
    }
    out.trim_end().to_owned() + "\n"
}

pub fn html(policy: &Policy, lang: Lang) -> askama::Result<String> {
    NoticeDocument::build(policy, lang).to_html()
}

/// The notice as a draft for the organisation to review: with a last
/// section listing every assumption (and why it was made) and every
/// deviation from the published notice (and the law behind it).
pub fn draft(policy: &Policy, lang: Lang) -> NoticeDocument {
    let mut doc = NoticeDocument::build(policy, lang);
    let items: Vec<String> = policy
        .notes
        .iter()
        .map(|note| {
            let at = format!("{} `{}`", note.section, note.id);
            match &note.kind {
                crate::policy::NoteKind::Assumed { field, reason } => format!(
                    "{} {at}, `{field}`: {reason}",
                    crate::publish::texts::t(lang, "draft.assumed")
                ),
                crate::policy::NoteKind::Deviation {
                    notice,
                    reading,
                    law,
                } => format!(
                    "{} {at}: \u{201c}{notice}\u{201d} → {reading}{}",
                    crate::publish::texts::t(lang, "draft.deviation"),
                    law.as_ref().map(|l| format!(" ({l})")).unwrap_or_default()
                ),
            }
        })
        .collect();
    let mut blocks = vec![Block::Paragraph(
        crate::publish::texts::t(lang, "draft.intro").to_owned(),
    )];
    if items.is_empty() {
        blocks.push(Block::Paragraph(
            crate::publish::texts::t(lang, "draft.none").to_owned(),
        ));
    } else {
        blocks.push(Block::List(items));
    }
    doc.sections.push(Section {
        id: "draft",
        heading: crate::publish::texts::t(lang, "section.draft").to_owned(),
        blocks,
    });
    doc
}

#[derive(Template)]
#[template(path = "notice.md")]
struct MarkdownNotice<'a> {
    doc: &'a NoticeDocument,
}

#[derive(Template)]
#[template(path = "notice.html")]
struct HtmlNotice<'a> {
    doc: &'a NoticeDocument,
}

impl NoticeDocument {
    /// Any document of sections, rendered as Markdown (the access report uses this too).
    pub fn to_markdown(self) -> askama::Result<String> {
        let document = self.escaped_for_markdown();
        MarkdownNotice { doc: &document }
            .render()
            .map(|text| single_blank_lines(&text))
    }

    pub fn to_html(&self) -> askama::Result<String> {
        HtmlNotice { doc: self }.render()
    }

    pub fn section(&self, id: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.id == id)
    }

    /// Markdown gives `|`, `*`, `_` and a few more meaning; escape them in
    /// text that came from the policy so it prints as written.
    fn escaped_for_markdown(mut self) -> Self {
        fn escape(text: &mut String) {
            let mut out = String::with_capacity(text.len());
            for c in text.chars() {
                match c {
                    '|' | '*' | '_' | '`' | '<' | '>' | '[' | ']' | '#' => {
                        out.push('\\');
                        out.push(c);
                    }
                    '\n' => out.push(' '),
                    _ => out.push(c),
                }
            }
            *text = out;
        }
        escape(&mut self.title);
        escape(&mut self.preamble);
        for section in &mut self.sections {
            escape(&mut section.heading);
            for block in &mut section.blocks {
                match block {
                    Block::Paragraph(text) | Block::Subheading(text) => escape(text),
                    Block::List(items) => items.iter_mut().for_each(escape),
                    Block::Table { header, rows } => {
                        header.iter_mut().for_each(escape);
                        rows.iter_mut().flatten().for_each(escape);
                    }
                }
            }
        }
        self
    }
}
