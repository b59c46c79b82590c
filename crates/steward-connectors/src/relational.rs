//! A relational database (PostgreSQL) declared table by table.
//!
//! A person is found in the tables that hold identities (`customers.email`),
//! then in the tables that point at those rows (`orders.customer_id ->
//! customers.id`), as deep as the relations go. Identifiers are always quoted
//! and values always bound: nothing from a request is ever spliced into SQL.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sqlx::PgPool;

#[derive(Debug, thiserror::Error)]
pub enum ConnectorError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("system declaration: {0}")]
    Declaration(String),
}

pub type Result<T, E = ConnectorError> = std::result::Result<T, E>;

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
    /// For tables of rows belonging to a row of another table.
    pub parent: Option<Parent>,
    /// Columns and the categories of data they hold: `{ name = "contact.name" }`.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    /// What an erasure does to this table's rows.
    pub erase: Erase,
    /// For `anonymise`: the columns set to NULL.
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

/// What a person has in one row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FoundRow {
    pub table: String,
    pub key: String,
    /// Category of data, and the value found.
    pub data: BTreeMap<String, serde_json::Value>,
}

/// What erasure did in one table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableOutcome {
    pub table: String,
    pub action: Erase,
    pub rows: u64,
    pub hold: Option<String>,
}

/// An identity as the request verified it: its kind and normalised value.
#[derive(Debug, Clone)]
pub struct Identity<'a> {
    pub kind: &'a str,
    pub value: &'a str,
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

    /// The keys of the person's rows, table by table, roots first.
    async fn locate(
        &self,
        pool: &PgPool,
        identities: &[Identity<'_>],
    ) -> Result<Vec<(&Table, Vec<String>)>> {
        let mut found: Vec<(&Table, Vec<String>)> = Vec::new();
        for table in self.tables.iter().filter(|t| !t.identities.is_empty()) {
            let mut keys = Vec::new();
            for (column, kind) in &table.identities {
                for identity in identities.iter().filter(|i| i.kind == kind) {
                    // E-mail addresses are compared as lower case, as they were normalised.
                    let compared = if kind == "email" {
                        format!("lower({}::text)", quote(column))
                    } else {
                        format!("{}::text", quote(column))
                    };
                    let sql = format!(
                        "SELECT {}::text FROM {} WHERE {compared} = $1",
                        quote(&table.key),
                        quote_table(&table.name)
                    );
                    let rows: Vec<String> = sqlx::query_scalar(&sql)
                        .bind(identity.value)
                        .fetch_all(pool)
                        .await?;
                    keys.extend(rows);
                }
            }
            keys.sort();
            keys.dedup();
            found.push((table, keys));
        }
        // Children of what was found, until nothing new is found.
        let mut index = 0;
        while index < found.len() {
            let (parent, parent_keys) = (found[index].0, found[index].1.clone());
            for child in self
                .tables
                .iter()
                .filter(|t| t.parent.as_ref().is_some_and(|p| p.table == parent.name))
            {
                let Some(relation) = &child.parent else {
                    continue;
                };
                let sql = format!(
                    "SELECT {}::text FROM {} WHERE {}::text = ANY($1)",
                    quote(&child.key),
                    quote_table(&child.name),
                    quote(&relation.column)
                );
                let keys: Vec<String> = if parent_keys.is_empty() {
                    Vec::new()
                } else {
                    sqlx::query_scalar(&sql)
                        .bind(&parent_keys)
                        .fetch_all(pool)
                        .await?
                };
                found.push((child, keys));
            }
            index += 1;
        }
        Ok(found)
    }

    /// Everything the system holds about the person, by category.
    pub async fn access(
        &self,
        pool: &PgPool,
        identities: &[Identity<'_>],
    ) -> Result<Vec<FoundRow>> {
        let mut out = Vec::new();
        for (table, keys) in self.locate(pool, identities).await? {
            if keys.is_empty() || table.columns.is_empty() {
                continue;
            }
            let sql = format!(
                "SELECT {}::text, to_jsonb(t) FROM {} t WHERE {}::text = ANY($1) ORDER BY 1",
                quote(&table.key),
                quote_table(&table.name),
                quote(&table.key)
            );
            let rows: Vec<(String, serde_json::Value)> =
                sqlx::query_as(&sql).bind(&keys).fetch_all(pool).await?;
            for (key, row) in rows {
                let data = table
                    .columns
                    .iter()
                    .filter_map(|(column, category)| {
                        row.get(column).map(|v| (category.clone(), v.clone()))
                    })
                    .collect();
                out.push(FoundRow {
                    table: table.name.clone(),
                    key,
                    data,
                });
            }
        }
        Ok(out)
    }

    /// Erases the person as each table declares, children before parents,
    /// in one transaction: all of it or none.
    pub async fn erase(
        &self,
        pool: &PgPool,
        identities: &[Identity<'_>],
    ) -> Result<Vec<TableOutcome>> {
        let located = self.locate(pool, identities).await?;
        let mut tx = pool.begin().await?;
        let mut outcomes = Vec::new();
        // Children were found after their parents: undo in reverse.
        for (table, keys) in located.iter().rev() {
            let rows = if keys.is_empty() {
                0
            } else {
                match table.erase {
                    Erase::Delete => {
                        let sql = format!(
                            "DELETE FROM {} WHERE {}::text = ANY($1)",
                            quote_table(&table.name),
                            quote(&table.key)
                        );
                        sqlx::query(&sql)
                            .bind(keys)
                            .execute(&mut *tx)
                            .await?
                            .rows_affected()
                    }
                    Erase::Anonymise => {
                        let sets: Vec<String> = table
                            .anonymise
                            .iter()
                            .map(|c| format!("{} = NULL", quote(c)))
                            .collect();
                        let sql = format!(
                            "UPDATE {} SET {} WHERE {}::text = ANY($1)",
                            quote_table(&table.name),
                            sets.join(", "),
                            quote(&table.key)
                        );
                        sqlx::query(&sql)
                            .bind(keys)
                            .execute(&mut *tx)
                            .await?
                            .rows_affected()
                    }
                    Erase::Keep => keys.len() as u64,
                }
            };
            outcomes.push(TableOutcome {
                table: table.name.clone(),
                action: table.erase,
                rows,
                hold: table.hold.clone(),
            });
        }
        tx.commit().await?;
        outcomes.reverse();
        Ok(outcomes)
    }
}

/// A quoted SQL identifier: `"name"`, with any `"` doubled.
pub fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A table name, schema-qualified or not, quoted part by part.
fn quote_table(name: &str) -> String {
    name.split('.').map(quote).collect::<Vec<_>>().join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_quoted_and_quotes_doubled() {
        assert_eq!(quote("email"), "\"email\"");
        assert_eq!(quote("we\"ird"), "\"we\"\"ird\"");
        assert_eq!(quote_table("crm.customers"), "\"crm\".\"customers\"");
    }
}
