//! The retention sweep of one table: its due rows found by their dates
//! against the cutoff days (bound as parameters, as each column's type
//! compares them), then acted on in batches keyed by the table's `key`,
//! each batch in a transaction of its own, audited before it commits.
//!
//! A due row goes as an erasure request takes a person's row: its child
//! rows first, each as its table declares; a `delete` row a kept row still
//! refers to loses only its `anonymise` columns. Rows so cleared, and rows
//! an `anonymise` table has cleared, are no longer due, so a second sweep
//! finds nothing.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use sqlx::any::AnyArguments;
use sqlx::query::QueryScalar;

use super::declaration::{Erase, Table, TableRetention};
use super::error::{ConnectorError, Result};
use super::{RelationalConnector, TableOutcome, bind_scalar};
use crate::dialect::Dialect;
use crate::retention::{BatchAudit, DueBefore, SweepOptions, Swept, add_changes};

/// The swept table, as its queries name it.
const ROW: &str = "swept";

/// A value bound to a sweep's query.
#[derive(Debug, Clone)]
enum Bind {
    Text(String),
    Int(i64),
}

/// The condition a due row meets, and the values it binds in order.
struct Condition {
    sql: String,
    binds: Vec<Bind>,
}

impl RelationalConnector {
    /// Sweeps `table` (as declared): counts the rows `due` says are past
    /// their end, and unless `options.dry_run` (or the table keeps them)
    /// acts on them, `options.batch` rows at a time. `audit` is told of
    /// every batch that changes rows before it commits; if it fails, the
    /// batch is rolled back and the sweep stops with the error.
    pub async fn sweep(
        &self,
        table: &str,
        due: &DueBefore,
        options: SweepOptions,
        audit: &dyn BatchAudit,
    ) -> Result<Swept> {
        let d = self.dialect;
        let table = self
            .system
            .tables
            .iter()
            .find(|t| t.name == table)
            .ok_or_else(|| {
                ConnectorError::Declaration(format!("no table `{table}` is declared"))
            })?;
        let retention = table.retention.as_ref().ok_or_else(|| {
            ConnectorError::Declaration(format!("table `{}` declares no `retention`", table.name))
        })?;
        let action = table.retention_erase();
        let condition = self.due_condition(table, retention, action, due)?;
        let count = format!(
            "SELECT count(*) FROM {} AS {ROW} WHERE {}",
            d.table(&table.name),
            condition.sql
        );
        let due_rows: i64 = bind(sqlx::query_scalar(&count), &condition.binds)
            .fetch_one(&self.pool)
            .await?;
        let mut swept = Swept {
            due: u64::try_from(due_rows).unwrap_or(0),
            action,
            hold: table.hold.clone().filter(|_| action != Erase::Delete),
            acted: 0,
            changes: Vec::new(),
            batches: 0,
        };
        if options.dry_run || action == Erase::Keep || swept.due == 0 {
            return Ok(swept);
        }
        let batch = options.batch.max(1);
        let key = format!("{ROW}.{}", d.quote(&table.key));
        let mut after: Option<String> = None;
        loop {
            // Keyed batches: each starts past the last key acted on, so the
            // sweep ends even if a row stayed due.
            let mut binds = condition.binds.clone();
            let mut sql = format!(
                "SELECT {} FROM {} AS {ROW} WHERE ({})",
                d.text(&key),
                d.table(&table.name),
                condition.sql
            );
            if let Some(last) = &after {
                sql += &format!(
                    " AND {key} > {}",
                    self.values_from(&table.name, &table.key, binds.len() + 1, 1)
                );
                binds.push(Bind::Text(last.clone()));
            }
            sql += &format!(
                " ORDER BY {key} LIMIT {} FOR UPDATE",
                d.placeholder(binds.len() + 1)
            );
            binds.push(Bind::Int(i64::try_from(batch).unwrap_or(i64::MAX)));
            let mut tx = self.pool.begin().await?;
            let keys: Vec<String> = bind(sqlx::query_scalar(&sql), &binds)
                .fetch_all(&mut *tx)
                .await?;
            let Some(last) = keys.last().cloned() else {
                break;
            };
            let changes = self.sweep_rows(&mut tx, table, action, &keys).await?;
            let changed = changes
                .iter()
                .any(|c| c.action != Erase::Keep && c.rows > 0);
            if changed {
                audit.batch(&changes).await.map_err(ConnectorError::Audit)?;
                tx.commit().await?;
                swept.batches += 1;
                swept.acted += changes
                    .iter()
                    .filter(|c| c.table == table.name && c.action != Erase::Keep)
                    .map(|c| c.rows)
                    .sum::<u64>();
                add_changes(&mut swept.changes, &changes);
            }
            if keys.len() < batch {
                break;
            }
            after = Some(last);
        }
        Ok(swept)
    }

    /// Acts on the due rows `keys` of `table` and on their descendants, as
    /// an erasure would: children (then theirs) first, each as its table
    /// declares, the swept rows by `action`. The swept table's changes come
    /// first.
    async fn sweep_rows(
        &self,
        db: &mut sqlx::AnyConnection,
        table: &Table,
        action: Erase,
        keys: &[String],
    ) -> Result<Vec<TableOutcome>> {
        let d = self.dialect;
        // Level by level; the declaration has no cycles of parents.
        let mut found: Vec<(&Table, Vec<String>)> = vec![(table, keys.to_vec())];
        let mut next = 0;
        while next < found.len() {
            let (parent, parent_keys) = (found[next].0, found[next].1.clone());
            next += 1;
            if parent_keys.is_empty() {
                continue;
            }
            for child in self
                .system
                .tables
                .iter()
                .filter(|t| t.parent.as_ref().is_some_and(|p| p.table == parent.name))
            {
                let Some(relation) = &child.parent else {
                    continue;
                };
                let sql = format!(
                    "SELECT {} FROM {} WHERE {} IN {}",
                    d.text(&d.quote(&child.key)),
                    d.table(&child.name),
                    self.column(&child.name, &relation.column),
                    self.values(&child.name, &relation.column, parent_keys.len()),
                );
                let child_keys: Vec<String> = bind_scalar(sqlx::query_scalar(&sql), &parent_keys)
                    .fetch_all(&mut *db)
                    .await?;
                found.push((child, child_keys));
            }
        }
        // Deepest first, so no row is left referring to one that has gone;
        // reported in the order found.
        let mut children = Vec::new();
        for (t, rows) in found[1..].iter().rev() {
            if !rows.is_empty() {
                children.push(self.erase_rows(db, t, t.erase, rows).await?);
            }
        }
        let mut changes = self.erase_rows(db, table, action, keys).await?;
        changes.extend(children.into_iter().rev().flatten());
        Ok(changes)
    }

    /// The condition on `ROW` that a due row meets: its dates before the
    /// cutoffs, and (where the sweep clears rather than deletes) not
    /// cleared already.
    fn due_condition(
        &self,
        table: &Table,
        retention: &TableRetention,
        action: Erase,
        due: &DueBefore,
    ) -> Result<Condition> {
        let naive = retention.zone()?.unwrap_or_else(|| due.time_zone.clone());
        let mut binds = Vec::new();
        let time = retention.time_column.as_deref().ok_or_else(|| {
            ConnectorError::Declaration(format!(
                "table `{}`: `retention` needs `time_column`",
                table.name
            ))
        })?;
        let mut before = |field: &str, column: &str, day: Date| {
            self.before(
                table,
                field,
                column,
                day,
                &due.time_zone,
                &naive,
                &mut binds,
            )
        };
        let mut period = Vec::new();
        if let Some(day) = due.time_before {
            period.push(before("time_column", time, day)?);
        }
        if let Some(day) = due.event_before {
            let event = retention.event_column.as_deref().ok_or_else(|| {
                ConnectorError::Declaration(format!(
                    "table `{}`: the rule counts from an event, so `retention` needs `event_column`",
                    table.name
                ))
            })?;
            period.push(before("event_column", event, day)?);
        }
        let mut first = (!period.is_empty()).then(|| format!("({})", period.join(" OR ")));
        if let (Some(run), Some(day)) = (&first, due.minimum_before) {
            first = Some(format!("({run} AND {})", before("time_column", time, day)?));
        }
        let last = due
            .maximum_before
            .map(|day| before("time_column", time, day))
            .transpose()?;
        let mut sql = match [first, last].into_iter().flatten().collect::<Vec<_>>() {
            list if list.is_empty() => "1 = 0".to_owned(),
            list => format!("({})", list.join(" OR ")),
        };
        if let Some(done) = self.already_cleared(table, action) {
            sql = format!("{sql} AND NOT ({done})");
        }
        Ok(Condition { sql, binds })
    }

    /// Rows the sweep has already done all it will do to, where it clears
    /// rather than deletes: every `anonymise` column NULL (and, for a
    /// `delete` table, a kept row still referring to the row).
    fn already_cleared(&self, table: &Table, action: Erase) -> Option<String> {
        let d = self.dialect;
        if table.anonymise.is_empty() || !matches!(action, Erase::Anonymise | Erase::Delete) {
            return None;
        }
        let cleared = table
            .anonymise
            .iter()
            .map(|c| format!("{ROW}.{} IS NULL", d.quote(c)))
            .collect::<Vec<_>>()
            .join(" AND ");
        if action == Erase::Anonymise {
            return Some(cleared);
        }
        let kept: Vec<String> = self
            .system
            .kept_children(table)
            .filter_map(|child| {
                let relation = child.parent.as_ref()?;
                Some(format!(
                    "EXISTS (SELECT 1 FROM {} AS kept WHERE kept.{} = {ROW}.{})",
                    d.table(&child.name),
                    d.quote(&relation.column),
                    d.quote(&table.key)
                ))
            })
            .collect();
        if kept.is_empty() {
            return None;
        }
        Some(format!("{cleared} AND ({})", kept.join(" OR ")))
    }

    /// `ROW.column < day`, the day's first moment in `zone` bound as the
    /// column's type compares it: an instant for a column with a time
    /// zone, the wall-clock time in `naive` for one without, the day for a
    /// date.
    #[allow(clippy::too_many_arguments)]
    fn before(
        &self,
        table: &Table,
        field: &str,
        column: &str,
        day: Date,
        zone: &TimeZone,
        naive: &TimeZone,
        binds: &mut Vec<Bind>,
    ) -> Result<String> {
        let d = self.dialect;
        let ty = self
            .types
            .get(&(table.name.clone(), d.column_key(column)))
            .ok_or_else(|| {
                ConnectorError::Declaration(format!(
                    "table `{}` has no column `{column}` (its `retention.{field}`)",
                    table.name
                ))
            })?
            .to_lowercase();
        let start = day.to_zoned(zone.clone()).map_err(|e| {
            ConnectorError::Declaration(format!(
                "the first moment of {day} where the controller is: {e}"
            ))
        })?;
        let wall = start.timestamp().to_zoned(naive.clone()).datetime();
        let p = d.placeholder(binds.len() + 1);
        let (value, bind) = match (d, ty.as_str()) {
            (Dialect::Postgres, "timestamptz") => (
                format!("CAST({} AS timestamptz)", p),
                Bind::Text(start.timestamp().to_string()),
            ),
            (Dialect::Postgres, "timestamp") => (
                format!("CAST({} AS timestamp)", p),
                Bind::Text(wall.strftime("%Y-%m-%d %H:%M:%S").to_string()),
            ),
            (Dialect::Postgres, "date") => {
                (format!("CAST({} AS date)", p), Bind::Text(day.to_string()))
            }
            // MySQL compares a TIMESTAMP in the session's time zone, which
            // FROM_UNIXTIME also answers in.
            (Dialect::MySql, "timestamp") => (
                format!("FROM_UNIXTIME({})", p),
                Bind::Int(start.timestamp().as_second()),
            ),
            (Dialect::MySql, "datetime") => (
                format!("CAST({} AS DATETIME)", p),
                Bind::Text(wall.strftime("%Y-%m-%d %H:%M:%S").to_string()),
            ),
            (Dialect::MySql, "date") => {
                (format!("CAST({} AS DATE)", p), Bind::Text(day.to_string()))
            }
            (_, other) => {
                return Err(ConnectorError::Declaration(format!(
                    "table `{}`: `retention.{field}` is `{column}`, of type `{other}`; it must be a date or a timestamp",
                    table.name
                )));
            }
        };
        binds.push(bind);
        Ok(format!("{ROW}.{} < {value}", d.quote(column)))
    }
}

/// Binds every value in order, as text or as a whole number.
fn bind<'q, O>(
    mut query: QueryScalar<'q, sqlx::Any, O, AnyArguments<'q>>,
    values: &[Bind],
) -> QueryScalar<'q, sqlx::Any, O, AnyArguments<'q>> {
    for value in values {
        query = match value {
            Bind::Text(text) => query.bind(text.clone()),
            Bind::Int(n) => query.bind(*n),
        };
    }
    query
}
