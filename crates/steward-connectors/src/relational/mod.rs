//! A relational database (PostgreSQL or MySQL/MariaDB) declared table by table.
//!
//! A person is found in the tables that hold identities (`customers.email`),
//! then in the tables that point at those rows (`orders.customer_id ->
//! customers.id`), as deep as the relations go. Identifiers are always quoted
//! and values always bound: nothing from a request is ever spliced into SQL.
//!
//! `declaration.rs` holds what the policy declares and its checks;
//! `error.rs` what can go wrong; this file, the connector itself.

mod declaration;
mod error;
mod sweep;

use std::collections::BTreeMap;

use serde::Serialize;

pub use crate::dialect::Dialect;
use crate::person::{Datum, Identity};
pub use declaration::{Erase, Parent, RelationalSystem, Table, TableRetention};
pub use error::{ConnectorError, Result};
use sqlx::any::AnyArguments;
use sqlx::query::{Query, QueryScalar};
use sqlx::{AnyPool, Row};

/// What a person has in one row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FoundRow {
    pub table: String,
    pub key: String,
    /// Column, and the value found with its category.
    pub data: BTreeMap<String, Datum>,
}

/// What erasure did in one table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableOutcome {
    pub table: String,
    pub action: Erase,
    pub rows: u64,
    pub hold: Option<String>,
}

/// A declared system and the database it runs on.
pub struct RelationalConnector {
    pool: AnyPool,
    dialect: Dialect,
    system: RelationalSystem,
    /// Column types, by (table as declared, column): every declared column
    /// must be there, and on PostgreSQL parameters are cast to the column's
    /// type, so comparisons use the column's index.
    types: std::collections::HashMap<(String, String), String>,
}

impl RelationalConnector {
    /// Connects to `url` (`postgres://...`, or `mysql://...` for MySQL and MariaDB) for a valid declaration.
    pub async fn connect(url: &str, system: RelationalSystem) -> Result<Self> {
        system.validate()?;
        let dialect = Dialect::from_url(url).ok_or_else(|| {
            ConnectorError::Declaration("the URL must start with postgres:// or mysql://".into())
        })?;
        crate::tls::check_parameters(dialect, url).map_err(ConnectorError::Parameter)?;
        sqlx::any::install_default_drivers();
        // No ping before each query: it would put a round trip in front of
        // every query (sqlx still pings when a connection goes back to the
        // pool, off the request's path); a broken connection fails its query,
        // and the request's job retries.
        let pool = sqlx::pool::PoolOptions::<sqlx::Any>::new()
            .test_before_acquire(false)
            .connect(url)
            .await?;
        let types = column_types(&pool, dialect, &system).await?;
        check_columns(dialect, &system, &types)?;
        Ok(Self {
            pool,
            dialect,
            system,
            types,
        })
    }

    /// A column as compared: itself where its type is known (so its index
    /// serves), as text otherwise.
    fn column(&self, table: &str, column: &str) -> String {
        let d = self.dialect;
        match d {
            Dialect::Postgres
                if !self
                    .types
                    .contains_key(&(table.to_owned(), column.to_owned())) =>
            {
                d.text(&d.quote(column))
            }
            _ => d.quote(column),
        }
    }

    /// Placeholders for values compared with `table.column`, cast to its type.
    fn values(&self, table: &str, column: &str, count: usize) -> String {
        self.values_from(table, column, 1, count)
    }

    /// As [`Self::values`], numbered from `start`.
    fn values_from(&self, table: &str, column: &str, start: usize, count: usize) -> String {
        match (
            self.dialect,
            self.types.get(&(table.to_owned(), column.to_owned())),
        ) {
            (Dialect::Postgres, Some(ty)) => {
                let list: Vec<String> = (start..start + count)
                    .map(|n| format!("CAST(${n} AS {})", self.dialect.quote(ty)))
                    .collect();
                format!("({})", list.join(", "))
            }
            (d, _) => d.placeholders(start, count),
        }
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The keys of the person's rows, table by table, parents before their
    /// children: one query per table, all at once.
    async fn locate(&self, identities: &[Identity<'_>]) -> Result<Vec<(&Table, Vec<String>)>> {
        let d = self.dialect;
        let mut tables: Vec<&Table> = self.system.tables.iter().collect();
        tables.sort_by_key(|t| self.depth(t));
        let queries = tables.into_iter().map(|table| {
            let mut binds = Vec::new();
            let rows = self.person_rows(table, identities, &mut binds);
            async move {
                let Some(rows) = rows else {
                    return Ok((table, Vec::new()));
                };
                let sql = format!(
                    "SELECT {} FROM {} WHERE {rows}",
                    d.text(&d.quote(&table.key)),
                    d.table(&table.name),
                );
                let keys: Vec<String> = bind_scalar(sqlx::query_scalar(&sql), &binds)
                    .fetch_all(&self.pool)
                    .await?;
                Ok::<_, ConnectorError>((table, keys))
            }
        });
        futures_util::future::try_join_all(queries).await
    }

    /// How many parents above `table` (the declaration has no cycles).
    fn depth(&self, table: &Table) -> usize {
        let mut depth = 0;
        let mut at = table;
        while let Some(relation) = &at.parent
            && let Some(parent) = self.system.tables.iter().find(|t| t.name == relation.table)
        {
            depth += 1;
            at = parent;
        }
        depth
    }

    /// Which rows of `table` are the person's, as a condition whose values
    /// are appended to `binds`: the table's identity columns, or its parent
    /// column among the parent rows that are the person's. The parent is a
    /// subquery, so a child is read in the same round trip as its parent.
    /// None: no row of the table can be the person's.
    fn person_rows(
        &self,
        table: &Table,
        identities: &[Identity<'_>],
        binds: &mut Vec<String>,
    ) -> Option<String> {
        let d = self.dialect;
        let mut conditions = Vec::new();
        for (column, kind) in &table.identities {
            let values: Vec<&str> = identities
                .iter()
                .filter(|i| i.kind == kind)
                .map(|i| i.value)
                .collect();
            if values.is_empty() {
                continue;
            }
            let first = binds.len() + 1;
            conditions.push(if table.fold_case.contains(column) {
                format!(
                    "LOWER({}) IN {}",
                    d.text(&d.quote(column)),
                    d.placeholders(first, values.len())
                )
            } else {
                format!(
                    "{} IN {}",
                    self.column(&table.name, column),
                    self.values_from(&table.name, column, first, values.len())
                )
            });
            binds.extend(values.into_iter().map(str::to_owned));
        }
        if let Some(relation) = &table.parent
            && let Some(parent) = self.system.tables.iter().find(|t| t.name == relation.table)
            && let Some(parent_rows) = self.person_rows(parent, identities, binds)
        {
            conditions.push(format!(
                "{} IN (SELECT {} FROM {} WHERE {parent_rows})",
                d.quote(&relation.column),
                d.quote(&parent.key),
                d.table(&parent.name)
            ));
        }
        (!conditions.is_empty()).then(|| {
            conditions
                .iter()
                .map(|c| format!("({c})"))
                .collect::<Vec<_>>()
                .join(" OR ")
        })
    }

    /// Everything the system holds about the person, by category: one query
    /// per table, all at once.
    pub async fn access(&self, identities: &[Identity<'_>]) -> Result<Vec<FoundRow>> {
        let d = self.dialect;
        let mut queries = Vec::new();
        for table in self.system.tables.iter().filter(|t| !t.columns.is_empty()) {
            let mut binds = Vec::new();
            let Some(rows) = self.person_rows(table, identities, &mut binds) else {
                continue;
            };
            let columns: Vec<&String> = table.columns.keys().collect();
            let sql = format!(
                "SELECT {}, {} FROM {} WHERE {rows} ORDER BY 1",
                d.text(&d.quote(&table.key)),
                d.json_row(&columns),
                d.table(&table.name),
            );
            queries.push(async move {
                let rows = bind_query(sqlx::query(&sql), &binds)
                    .fetch_all(&self.pool)
                    .await?;
                Ok::<_, ConnectorError>((table, rows))
            });
        }
        let mut out = Vec::new();
        for (table, rows) in futures_util::future::try_join_all(queries).await? {
            for row in rows {
                let key: String = row.try_get(0)?;
                // MariaDB reports long text as a BLOB: take it as bytes then.
                let json = match row.try_get::<String, _>(1) {
                    Ok(text) => text,
                    Err(_) => String::from_utf8_lossy(&row.try_get::<Vec<u8>, _>(1)?).into_owned(),
                };
                let row: serde_json::Value = serde_json::from_str(&json).map_err(|e| {
                    ConnectorError::Declaration(format!(
                        "table `{}` gave a row that is not JSON: {e}",
                        table.name
                    ))
                })?;
                let data = table
                    .columns
                    .iter()
                    .filter_map(|(column, category)| {
                        row.get(column).map(|value| {
                            let datum = Datum {
                                category: category.clone(),
                                value: value.clone(),
                            };
                            (column.clone(), datum)
                        })
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
    pub async fn erase(&self, identities: &[Identity<'_>]) -> Result<Vec<TableOutcome>> {
        let located = self.locate(identities).await?;
        let mut tx = self.pool.begin().await?;
        let mut outcomes = Vec::new();
        // Children were found after their parents: undo in reverse.
        for (table, keys) in located.iter().rev() {
            if keys.is_empty() {
                outcomes.push(TableOutcome {
                    table: table.name.clone(),
                    action: table.erase,
                    rows: 0,
                    hold: table.hold.clone().filter(|_| table.erase != Erase::Delete),
                });
                continue;
            }
            outcomes.extend(self.erase_rows(&mut tx, table, table.erase, keys).await?);
        }
        tx.commit().await?;
        outcomes.reverse();
        Ok(outcomes)
    }

    /// Does `action` to the rows of `table` with `keys`, in `db`: the
    /// erasure of one table, shared by erasure requests and the retention
    /// sweep. `delete` with `anonymise` columns clears those in the rows a
    /// kept row of another table refers to (reported as `anonymise`, with
    /// the hold) and deletes the rest; `keep` changes nothing and counts.
    pub(crate) async fn erase_rows(
        &self,
        db: &mut sqlx::AnyConnection,
        table: &Table,
        action: Erase,
        keys: &[String],
    ) -> Result<Vec<TableOutcome>> {
        let d = self.dialect;
        let mut outcomes = Vec::new();
        let key = self.column(&table.name, &table.key);
        let values = self.values(&table.name, &table.key, keys.len());
        let clear = || {
            table
                .anonymise
                .iter()
                .map(|c| format!("{} = NULL", d.quote(c)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let rows = match action {
            Erase::Delete if !table.anonymise.is_empty() => {
                // Rows a kept row refers to lose only what the law does not
                // keep; the rest go.
                let mut referenced: Vec<String> = Vec::new();
                for child in self.system.kept_children(table) {
                    let Some(parent) = &child.parent else {
                        continue;
                    };
                    let column = self.column(&child.name, &parent.column);
                    let sql = format!(
                        "SELECT {} FROM {} WHERE {column} IN {}",
                        d.text(&d.quote(&parent.column)),
                        d.table(&child.name),
                        self.values(&child.name, &parent.column, keys.len()),
                    );
                    let found: Vec<String> = bind_scalar(sqlx::query_scalar(&sql), keys)
                        .fetch_all(&mut *db)
                        .await?;
                    referenced.extend(found);
                }
                referenced.sort();
                referenced.dedup();
                let unreferenced: Vec<String> = keys
                    .iter()
                    .filter(|k| !referenced.contains(k))
                    .cloned()
                    .collect();
                if !referenced.is_empty() {
                    let sql = format!(
                        "UPDATE {} SET {} WHERE {key} IN {}",
                        d.table(&table.name),
                        clear(),
                        self.values(&table.name, &table.key, referenced.len()),
                    );
                    let rows = bind_query(sqlx::query(&sql), &referenced)
                        .execute(&mut *db)
                        .await?
                        .rows_affected();
                    outcomes.push(TableOutcome {
                        table: table.name.clone(),
                        action: Erase::Anonymise,
                        rows,
                        hold: table.hold.clone(),
                    });
                }
                if unreferenced.is_empty() {
                    return Ok(outcomes);
                }
                let sql = format!(
                    "DELETE FROM {} WHERE {key} IN {}",
                    d.table(&table.name),
                    self.values(&table.name, &table.key, unreferenced.len()),
                );
                bind_query(sqlx::query(&sql), &unreferenced)
                    .execute(&mut *db)
                    .await?
                    .rows_affected()
            }
            Erase::Delete => {
                let sql = format!(
                    "DELETE FROM {} WHERE {key} IN {values}",
                    d.table(&table.name),
                );
                bind_query(sqlx::query(&sql), keys)
                    .execute(&mut *db)
                    .await?
                    .rows_affected()
            }
            Erase::Anonymise => {
                let sql = format!(
                    "UPDATE {} SET {} WHERE {key} IN {values}",
                    d.table(&table.name),
                    clear(),
                );
                bind_query(sqlx::query(&sql), keys)
                    .execute(&mut *db)
                    .await?
                    .rows_affected()
            }
            Erase::Keep => keys.len() as u64,
        };
        outcomes.push(TableOutcome {
            table: table.name.clone(),
            action,
            rows,
            // What is deleted is held for nothing.
            hold: table.hold.clone().filter(|_| action != Erase::Delete),
        });
        Ok(outcomes)
    }
}

impl RelationalConnector {
    /// Art. 16: sets every column of `category` in the person's rows to
    /// `value`, in one transaction; returns how many rows changed.
    pub async fn rectify(
        &self,
        identities: &[Identity<'_>],
        category: &str,
        value: &str,
    ) -> Result<u64> {
        let d = self.dialect;
        let located = self.locate(identities).await?;
        let mut tx = self.pool.begin().await?;
        let mut changed = 0;
        for (table, keys) in &located {
            if keys.is_empty() {
                continue;
            }
            for (column, _) in table.columns.iter().filter(|(_, c)| *c == category) {
                let sql = format!(
                    "UPDATE {} SET {} = {} WHERE {} IN {}",
                    d.table(&table.name),
                    d.quote(column),
                    self.values_from(&table.name, column, 1, 1),
                    self.column(&table.name, &table.key),
                    self.values_from(&table.name, &table.key, 2, keys.len()),
                );
                let query = sqlx::query(&sql).bind(value.to_owned());
                changed += bind_query(query, keys)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            }
        }
        tx.commit().await?;
        Ok(changed)
    }
}

/// The types of the declared tables' columns, from the database itself.
async fn column_types(
    pool: &AnyPool,
    dialect: Dialect,
    system: &RelationalSystem,
) -> Result<std::collections::HashMap<(String, String), String>> {
    // The last column says whether an unqualified table name means this
    // schema: PostgreSQL's search path, MySQL's current database.
    let sql = match dialect {
        Dialect::Postgres => {
            "SELECT table_schema::text, table_name::text, column_name::text, udt_name::text,
                    CASE WHEN table_schema = ANY (current_schemas(false)) THEN 'yes' ELSE 'no' END
             FROM information_schema.columns WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
        }
        // MariaDB may report these as binary strings: cast them.
        Dialect::MySql => {
            "SELECT CAST(table_schema AS CHAR), CAST(table_name AS CHAR), CAST(column_name AS CHAR), CAST(data_type AS CHAR),
                    CASE WHEN table_schema = DATABASE() THEN 'yes' ELSE 'no' END
             FROM information_schema.columns
             WHERE table_schema NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')"
        }
    };
    let rows: Vec<(String, String, String, String, String)> =
        sqlx::query_as(sql).fetch_all(pool).await?;
    let mut types = std::collections::HashMap::new();
    for table in &system.tables {
        let (schema, name) = match table.name.split_once('.') {
            Some((schema, name)) => (Some(schema), name),
            None => (None, table.name.as_str()),
        };
        for (row_schema, row_table, column, ty, default) in &rows {
            let here = match schema {
                Some(schema) => schema == row_schema,
                None => default == "yes",
            };
            if row_table == name && here {
                types.insert((table.name.clone(), dialect.column_key(column)), ty.clone());
            }
        }
    }
    Ok(types)
}

/// Every table and column the declaration names is in the database, so a
/// typo is found when Steward connects, not taken for "no data here".
fn check_columns(
    dialect: Dialect,
    system: &RelationalSystem,
    types: &std::collections::HashMap<(String, String), String>,
) -> Result<()> {
    for table in &system.tables {
        if !types.keys().any(|(t, _)| *t == table.name) {
            return Err(ConnectorError::Declaration(format!(
                "table `{}` is not in the database",
                table.name
            )));
        }
        let named = std::iter::once(&table.key)
            .chain(table.identities.keys())
            .chain(&table.fold_case)
            .chain(table.columns.keys())
            .chain(table.parent.as_ref().map(|p| &p.column))
            .chain(&table.anonymise);
        for column in named {
            if !types.contains_key(&(table.name.clone(), dialect.column_key(column))) {
                return Err(ConnectorError::Declaration(format!(
                    "table `{}` has no column `{column}`",
                    table.name
                )));
            }
        }
    }
    Ok(())
}

/// Binds every value in order: keys travel as text, always as parameters.
fn bind_query<'q>(
    mut query: Query<'q, sqlx::Any, AnyArguments<'q>>,
    values: &[String],
) -> Query<'q, sqlx::Any, AnyArguments<'q>> {
    for value in values {
        query = query.bind(value.clone());
    }
    query
}

fn bind_scalar<'q, O>(
    mut query: QueryScalar<'q, sqlx::Any, O, AnyArguments<'q>>,
    values: &[String],
) -> QueryScalar<'q, sqlx::Any, O, AnyArguments<'q>> {
    for value in values {
        query = query.bind(value.clone());
    }
    query
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_quoted_and_quotes_doubled_in_each_dialect() {
        assert_eq!(Dialect::Postgres.quote("we\"ird"), "\"we\"\"ird\"");
        assert_eq!(Dialect::MySql.quote("we`ird"), "`we``ird`");
        assert_eq!(
            Dialect::Postgres.table("crm.customers"),
            "\"crm\".\"customers\""
        );
        assert_eq!(Dialect::Postgres.placeholders(1, 3), "($1, $2, $3)");
        assert_eq!(Dialect::MySql.placeholders(1, 2), "(?, ?)");
        assert_eq!(
            Dialect::from_url("mysql://root@localhost/x"),
            Some(Dialect::MySql)
        );
        assert_eq!(Dialect::from_url("redis://x"), None);
    }
}
