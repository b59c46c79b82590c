//! A relational system as the policy declares it: its tables, how rows
//! relate, what erasure does to each, and the checks the declaration must
//! pass before Steward connects.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::error::{ConnectorError, Result};

/// The declaration of one system's tables.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelationalSystem {
    #[serde(rename = "table")]
    pub tables: Vec<Table>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    /// `customers`, or `schema.customers`.
    pub name: String,
    /// The column that identifies a row (its primary key).
    pub key: String,
    /// Columns holding identities, by identity kind: `{ email = "email" }`.
    #[serde(default)]
    pub identities: BTreeMap<String, String>,
    /// Identity columns whose stored values may differ in case from the
    /// normalised identity (`Anna@Example.se`): compared with LOWER(), which
    /// is fast only with an index on LOWER(column).
    #[serde(default)]
    pub fold_case: Vec<String>,
    /// For tables of rows belonging to a row of another table.
    pub parent: Option<Parent>,
    /// Columns and the categories of data they hold: `{ name = "contact.name" }`.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    /// What an erasure does to this table's rows.
    pub erase: Erase,
    /// For `anonymise`: the columns set to NULL. For `delete`: the columns
    /// set to NULL instead, in a row that a kept row of another table still
    /// refers to (a contact with invoices the law keeps), so the reference
    /// holds and only what the law does not keep goes.
    #[serde(default)]
    pub anonymise: Vec<String>,
    /// For `keep`: why, e.g. "Bokföringslagen (1999:1078) 7 kap. 2 §".
    pub hold: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Parent {
    /// The column in this table that holds the parent row's key.
    pub column: String,
    /// The parent table's `name`.
    pub table: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Erase {
    Delete,
    /// Keep the row, clear the person's data in the `anonymise` columns.
    Anonymise,
    /// Keep the row as it is, under a legal hold.
    Keep,
}

impl RelationalSystem {
    /// Checks the declaration against itself: parents exist, no cycles, and
    /// `anonymise`/`hold` go with their actions.
    pub fn validate(&self) -> Result<()> {
        let error = |m: String| Err(ConnectorError::Declaration(m));
        for table in &self.tables {
            if let Some(parent) = &table.parent
                && !self.tables.iter().any(|t| t.name == parent.table)
            {
                return error(format!(
                    "table `{}` has parent `{}`, which is not declared",
                    table.name, parent.table
                ));
            }
            match table.erase {
                Erase::Anonymise if table.anonymise.is_empty() => {
                    return error(format!(
                        "table `{}` anonymises on erasure but lists no `anonymise` columns",
                        table.name
                    ));
                }
                Erase::Keep if table.hold.is_none() => {
                    return error(format!(
                        "table `{}` is kept on erasure but gives no `hold` (the reason)",
                        table.name
                    ));
                }
                Erase::Delete if !table.anonymise.is_empty() => {
                    if self.kept_children(table).next().is_none() {
                        return error(format!(
                            "table `{}` deletes on erasure and lists `anonymise` columns, which apply only to rows a kept table refers to; no kept table has it as `parent`",
                            table.name
                        ));
                    }
                    if table.hold.is_none() {
                        return error(format!(
                            "table `{}` keeps the rows kept tables refer to, but gives no `hold` (the reason)",
                            table.name
                        ));
                    }
                }
                _ => {}
            }
            if table.identities.is_empty() && table.parent.is_none() {
                return error(format!(
                    "table `{}` has neither identity columns nor a parent: no one can be found in it",
                    table.name
                ));
            }
            let mut seen = vec![table.name.as_str()];
            let mut at = table;
            while let Some(parent) = &at.parent {
                if seen.contains(&parent.table.as_str()) {
                    return error(format!(
                        "tables `{}` form a cycle of parents",
                        seen.join("`, `")
                    ));
                }
                seen.push(&parent.table);
                match self.tables.iter().find(|t| t.name == parent.table) {
                    Some(next) => at = next,
                    None => break,
                }
            }
        }
        Ok(())
    }
}

impl RelationalSystem {
    /// Tables whose rows stay on erasure and refer to `table`'s rows.
    pub fn kept_children<'a>(&'a self, table: &'a Table) -> impl Iterator<Item = &'a Table> {
        self.tables.iter().filter(move |t| {
            t.erase != Erase::Delete && t.parent.as_ref().is_some_and(|p| p.table == table.name)
        })
    }
}

impl RelationalSystem {
    /// Every category the declaration's columns hold.
    pub fn categories(&self) -> Vec<&str> {
        self.tables
            .iter()
            .flat_map(|t| t.columns.values().map(String::as_str))
            .collect()
    }
}
