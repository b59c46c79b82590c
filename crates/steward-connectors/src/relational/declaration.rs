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
    /// The retention rule the sweep applies to the table's rows, and the
    /// columns it reads their dates from.
    pub retention: Option<TableRetention>,
}

/// `retention = { rule = "support_tickets", time_column = "created_at" }`:
/// the sweep removes the rows whose period under `rule` has ended, as the
/// table's `erase` says (or the `erase` given here). The fields are
/// optional to serde only, so that a missing one is named with its table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableRetention {
    /// The `[[retention]]` rule of the policy whose period the rows keep.
    pub rule: Option<String>,
    /// When each row was collected: a date or timestamp column. The period
    /// counts from it (or from the end of its financial year), and the
    /// rule's `minimum` and `maximum` too. A row whose time is NULL is
    /// never due.
    pub time_column: Option<String>,
    /// For a rule that counts `after` an event other than collection: when
    /// it happened for the row (the earliest, if the rule names several),
    /// a date or timestamp column; NULL while it has not.
    pub event_column: Option<String>,
    /// What the sweep does with a due row, where that differs from what an
    /// erasure request does (`erase` of the table): invoices kept on
    /// erasure under Bokföringslagen are deleted once its period ends.
    pub erase: Option<Erase>,
    /// The time zone in which a column without one (PostgreSQL
    /// `timestamp`, MySQL `DATETIME`) holds its times, e.g. `UTC`; the
    /// controller's unless said. Columns with a time zone (`timestamptz`,
    /// MySQL `TIMESTAMP`) and dates need none.
    pub time_zone: Option<String>,
}

impl TableRetention {
    /// The zone of times written without one, if the declaration names it.
    pub fn zone(&self) -> Result<Option<jiff::tz::TimeZone>> {
        self.time_zone
            .as_deref()
            .map(|name| {
                jiff::tz::TimeZone::get(name).map_err(|_| {
                    ConnectorError::Declaration(format!(
                        "`retention.time_zone` is `{name}`, which is no time zone; write an IANA name such as `UTC` or `Europe/Stockholm`"
                    ))
                })
            })
            .transpose()
    }
}

impl Table {
    /// What the retention sweep does with a due row.
    pub fn retention_erase(&self) -> Erase {
        self.retention
            .as_ref()
            .and_then(|r| r.erase)
            .unwrap_or(self.erase)
    }
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
            if let Some(retention) = &table.retention {
                self.validate_retention(table, retention).map_err(|m| {
                    ConnectorError::Declaration(format!("table `{}`: {m}", table.name))
                })?;
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
    /// The checks of a table's `retention` the declaration alone can make;
    /// those against the policy's rules are the server's, and the columns'
    /// types are checked against the database when the sweep runs.
    fn validate_retention(
        &self,
        table: &Table,
        retention: &TableRetention,
    ) -> std::result::Result<(), String> {
        if retention.rule.is_none() {
            return Err(
                "`retention` needs `rule`, the id of the `[[retention]]` rule whose period its rows keep"
                    .into(),
            );
        }
        let Some(time) = &retention.time_column else {
            return Err("`retention` needs `time_column`, the date or timestamp column holding when each row was collected".into());
        };
        if retention.event_column.as_ref() == Some(time) {
            return Err(format!(
                "`retention.event_column` is `time_column` (`{time}`): the event's column holds when the event happened, not when the row was collected"
            ));
        }
        let dates = std::iter::once(("time_column", time))
            .chain(retention.event_column.iter().map(|c| ("event_column", c)));
        for (field, column) in dates {
            let role = if *column == table.key {
                Some("the table's `key`")
            } else if table.identities.contains_key(column) {
                Some("an identity column")
            } else if table.parent.as_ref().is_some_and(|p| p.column == *column) {
                Some("the `parent` column")
            } else {
                None
            };
            if let Some(role) = role {
                return Err(format!(
                    "`retention.{field}` is `{column}`, which is {role}; name the date or timestamp column instead"
                ));
            }
            // A row kept for a kept row that refers to it is cleared of its
            // `anonymise` columns; clearing its date too would leave it
            // undatable, and it could never go once the kept row has gone.
            if table.retention_erase() == Erase::Delete && table.anonymise.contains(column) {
                return Err(format!(
                    "`retention.{field}` is `{column}`, which `anonymise` clears from rows a kept row refers to: they could never be swept once that row has gone; leave it out of `anonymise`"
                ));
            }
        }
        retention.zone().map_err(|e| match e {
            ConnectorError::Declaration(m) => m,
            other => other.to_string(),
        })?;
        match retention.erase {
            Some(Erase::Anonymise) if table.anonymise.is_empty() => Err(
                "`retention.erase` is `anonymise` but the table lists no `anonymise` columns"
                    .into(),
            ),
            Some(Erase::Keep) if table.hold.is_none() => {
                Err("`retention.erase` is `keep` but the table gives no `hold` (the reason)".into())
            }
            Some(Erase::Delete)
                if table.erase != Erase::Delete
                    && table.anonymise.is_empty()
                    && self.kept_children(table).next().is_some() =>
            {
                Err(format!(
                    "`retention.erase` is `delete` but rows of `{}` refer to these rows and stay: give the table `anonymise` columns to clear where a kept row refers to a due row",
                    self.kept_children(table)
                        .map(|t| t.name.as_str())
                        .collect::<Vec<_>>()
                        .join("`, `")
                ))
            }
            _ => Ok(()),
        }
    }

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
