//! What `steward policy check` reports: a stable code, a severity, a message
//! naming what is wrong, where (line and column), and a hint on how to fix it.

use std::fmt::Write as _;

use serde::Serialize;

use crate::policy::Span;
use crate::policy::diagnostic_codes::Rule;
pub use crate::policy::diagnostic_codes::Severity;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub rule: &'static Rule,
    pub message: String,
    pub span: Option<Span>,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn new(
        rule: &'static Rule,
        span: impl Into<Option<Span>>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            rule,
            message: message.into(),
            span: span.into(),
            hint: None,
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn code(&self) -> &'static str {
        self.rule.code
    }

    pub fn severity(&self) -> Severity {
        self.rule.severity
    }

    pub fn is_error(&self) -> bool {
        self.rule.severity == Severity::Error
    }

    /// The 1-based line and column of the start of the span, columns in characters.
    pub fn position(&self, source: &str) -> Option<Position> {
        self.span
            .as_ref()
            .map(|span| Position::of(source, span.start))
    }

    /// `file:line:col: error[E002] unknown-key: message`, the offending line
    /// with a caret under it, and the hint.
    pub fn render(&self, file: &str, source: &str) -> String {
        let severity = match self.severity() {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut out = String::new();
        let location = match self.position(source) {
            Some(p) => format!("{file}:{}:{}", p.line, p.column),
            None => file.to_owned(),
        };
        let _ = writeln!(
            out,
            "{location}: {severity}[{}] {}: {}",
            self.rule.code, self.rule.name, self.message
        );
        if let (Some(span), Some(position)) = (&self.span, self.position(source)) {
            let line_text = source
                .lines()
                .nth(position.line - 1)
                .unwrap_or("")
                .trim_start_matches('\u{feff}');
            let width = source
                .get(span.clone())
                .map(|s| s.lines().next().unwrap_or("").chars().count())
                .unwrap_or(1)
                .clamp(
                    1,
                    line_text
                        .chars()
                        .count()
                        .saturating_sub(position.column - 1)
                        .max(1),
                );
            let gutter = position.line.to_string().len();
            let _ = writeln!(out, "{:gutter$} |", "");
            let _ = writeln!(out, "{} | {line_text}", position.line);
            let _ = writeln!(
                out,
                "{:gutter$} | {}{}",
                "",
                // Tabs stay tabs so the caret lines up under the text.
                line_text
                    .chars()
                    .take(position.column - 1)
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect::<String>(),
                "^".repeat(width)
            );
        }
        if let Some(hint) = &self.hint {
            let _ = writeln!(out, "  = hint: {hint}");
        }
        out
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl Position {
    /// Where byte `offset` is. Carriage returns (CRLF files) and a byte-order
    /// mark are not columns; an offset inside a character means that character.
    pub fn of(source: &str, offset: usize) -> Self {
        let mut offset = offset.min(source.len());
        while !source.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = source.get(..offset).unwrap_or_default();
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before
            .get(line_start..)
            .unwrap_or_default()
            .chars()
            .filter(|c| !matches!(c, '\r' | '\u{feff}'))
            .count()
            + 1;
        Self { line, column }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::diagnostic_codes;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let source = "a = 1\nnamn = \"Sveriges år\"\nb";
        assert_eq!(Position::of(source, 0), Position { line: 1, column: 1 });
        let b = source.rfind('b').unwrap_or(0);
        assert_eq!(Position::of(source, b), Position { line: 3, column: 1 });
        let ar = source.find("år").unwrap_or(0) + "år".len();
        assert_eq!(
            Position::of(source, ar),
            Position {
                line: 2,
                column: 20
            }
        );
    }

    #[test]
    fn crlf_bom_and_offsets_inside_a_character_do_not_shift_positions() {
        let crlf = "[policy]\r\nid = \"x\"\r\n";
        let lf = "[policy]\nid = \"x\"\n";
        let at = |s: &str| Position::of(s, s.find('\"').unwrap_or(0) + 3);
        assert_eq!(at(crlf), at(lf));
        assert_eq!(at(lf), Position { line: 2, column: 9 });
        let bom = "\u{feff}id = 1";
        assert_eq!(
            Position::of(bom, bom.find('1').unwrap_or(0)),
            Position { line: 1, column: 6 }
        );
        let accented = "a = 1\nb = \"é\"\n";
        let inside_e = accented.find('é').unwrap_or(0) + 1;
        assert_eq!(
            Position::of(accented, inside_e),
            Position { line: 2, column: 6 }
        );
    }

    #[test]
    fn the_caret_lines_up_under_tab_indented_text() {
        let source = "[policy]\n\tidd = 1\n";
        let start = source.find("idd").unwrap_or(0);
        let shown = Diagnostic::new(
            &diagnostic_codes::UNKNOWN_KEY,
            start..start + 3,
            "unknown key `idd`",
        )
        .render("p.toml", source);
        assert!(shown.contains("\n  | \t^^^\n"), "{shown}");
    }

    #[test]
    fn render_shows_location_code_line_caret_and_hint() {
        let source = "[policy]\nidd = \"x\"\n";
        let start = source.find("idd").unwrap_or(0);
        let diagnostic = Diagnostic::new(
            &diagnostic_codes::UNKNOWN_KEY,
            start..start + 3,
            "unknown key `idd`",
        )
        .hint("did you mean `id`?");
        let shown = diagnostic.render("p.toml", source);
        assert_eq!(
            shown,
            "p.toml:2:1: error[E002] unknown-key: unknown key `idd`\n  |\n2 | idd = \"x\"\n  | ^^^\n  = hint: did you mean `id`?\n"
        );
    }
}
