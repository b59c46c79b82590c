//! The SQL that differs between PostgreSQL and MySQL/MariaDB, for the
//! relational connector.

/// The SQL that differs between databases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Postgres,
    MySql,
}

impl Dialect {
    pub fn from_url(url: &str) -> Option<Self> {
        match url.split("://").next() {
            Some("postgres" | "postgresql") => Some(Dialect::Postgres),
            Some("mysql") => Some(Dialect::MySql),
            _ => None,
        }
    }

    /// A quoted identifier, its quote character doubled inside.
    pub fn quote(self, name: &str) -> String {
        match self {
            Dialect::Postgres => format!("\"{}\"", name.replace('"', "\"\"")),
            Dialect::MySql => format!("`{}`", name.replace('`', "``")),
        }
    }

    /// A table name, schema-qualified or not, quoted part by part.
    pub(crate) fn table(self, name: &str) -> String {
        name.split('.')
            .map(|part| self.quote(part))
            .collect::<Vec<_>>()
            .join(".")
    }

    /// A column name as the database compares it: MySQL's column names
    /// ignore case, PostgreSQL's quoted ones do not.
    pub(crate) fn column_key(self, column: &str) -> String {
        match self {
            Dialect::Postgres => column.to_owned(),
            Dialect::MySql => column.to_lowercase(),
        }
    }

    /// `expr` as text, so every key and value travels as a string.
    pub(crate) fn text(self, expr: &str) -> String {
        match self {
            Dialect::Postgres => format!("({expr})::text"),
            Dialect::MySql => format!("CAST({expr} AS CHAR CHARACTER SET utf8mb4)"),
        }
    }

    /// The placeholder of the value at position `n` (1-based).
    pub(crate) fn placeholder(self, n: usize) -> String {
        match self {
            Dialect::Postgres => format!("${n}"),
            Dialect::MySql => "?".to_owned(),
        }
    }

    /// Placeholders for `count` values starting at position `first` (1-based).
    pub(crate) fn placeholders(self, first: usize, count: usize) -> String {
        let list: Vec<String> = (first..first + count)
            .map(|n| match self {
                Dialect::Postgres => format!("${n}"),
                Dialect::MySql => "?".to_owned(),
            })
            .collect();
        format!("({})", list.join(", "))
    }

    /// The listed columns of a row as a JSON object, as text.
    pub(crate) fn json_row(self, columns: &[&String]) -> String {
        let pairs: Vec<String> = columns
            .iter()
            .map(|c| format!("'{}', {}", c.replace('\'', "''"), self.quote(c)))
            .collect();
        match self {
            Dialect::Postgres => format!("json_build_object({})::text", pairs.join(", ")),
            Dialect::MySql => format!(
                "CAST(JSON_OBJECT({}) AS CHAR CHARACTER SET utf8mb4)",
                pairs.join(", ")
            ),
        }
    }
}
