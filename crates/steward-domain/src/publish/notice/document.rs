//! What a notice is made of: sections of paragraphs, lists and tables, each
//! with a stable id naming the Art. 13/14 element it serves.

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Paragraph(String),
    Subheading(String),
    List(Vec<String>),
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// Stable anchor, e.g. `legal-basis`; the tests look sections up by it.
    pub id: &'static str,
    pub heading: String,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeDocument {
    pub lang: &'static str,
    pub title: String,
    pub preamble: String,
    pub sections: Vec<Section>,
}

/// The sections of a notice, in order, with the article each serves. Every
/// notice has all of them but `dpo`, `children` and `cookies`, shown only when
/// the policy declares a DPO, a minimum age or cookies.
pub const SECTIONS: &[(&str, &str)] = &[
    ("controller", "Art. 13(1)(a), 14(1)(a)"),
    ("dpo", "Art. 13(1)(b), 14(1)(b)"),
    ("data", "Art. 14(1)(d)"),
    ("sources", "Art. 14(2)(f)"),
    ("purposes", "Art. 13(1)(c), (d), 14(1)(c), 14(2)(b)"),
    ("provision", "Art. 13(2)(e)"),
    ("recipients", "Art. 13(1)(e), 14(1)(e)"),
    ("transfers", "Art. 13(1)(f), 14(1)(f), 15(2)"),
    ("retention", "Art. 13(2)(a), 14(2)(a)"),
    ("rights", "Art. 13(2)(b), 14(2)(c), 12-22"),
    ("consent", "Art. 13(2)(c), 14(2)(d), 7(3)"),
    ("complaint", "Art. 13(2)(d), 14(2)(e), 77"),
    ("automated", "Art. 13(2)(f), 14(2)(g), 22"),
    ("children", "Art. 8"),
    (
        "cookies",
        "Lag (2022:482) om elektronisk kommunikation 9 kap. 28 §",
    ),
    ("security", "Art. 32"),
    ("changes", "Art. 12(1), 13(3)"),
];
