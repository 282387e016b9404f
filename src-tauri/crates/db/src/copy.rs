//! Moving a desk in: every table of a SQLite desk copied into the office's PostgreSQL
//! database, in one transaction (a failure anywhere writes nothing). The two schemas are
//! held equal by the parity test (`tests/tests/desk/engines.rs`), so the server's catalogue
//! names the tables, their columns and types, the order foreign keys need, and the identity
//! sequences to move past the copied ids.

use std::collections::{BTreeMap, BTreeSet};

use futures_util::TryStreamExt;
use sqlx::postgres::PgArguments;
use sqlx::sqlite::SqliteRow;
use sqlx::{Arguments, Row};

use crate::{Db, DbError};

/// One table's rows in the file and, after the copy, on the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCount {
    pub table: String,
    pub source: i64,
    pub copied: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error(
        "사무실 서버의 데이터베이스가 비어 있지 않습니다 ({table}에 {rows}행). 빈 데이터베이스로만 옮깁니다"
    )]
    NotEmpty { table: String, rows: i64 },
    #[error("옮긴 행 수가 다릅니다: {table} 파일 {source_rows} · 서버 {copied}")]
    Mismatch {
        table: String,
        source_rows: i64,
        copied: i64,
    },
    #[error("{table}.{column}을(를) 옮기지 못했습니다 (행 {row}): {reason}")]
    Value {
        table: String,
        column: String,
        row: usize,
        reason: String,
    },
    #[error("옮길 곳은 사무실 서버(postgres://…), 옮길 것은 SQLite 파일이어야 합니다")]
    Engines,
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for CopyError {
    fn from(e: sqlx::Error) -> CopyError {
        CopyError::Db(DbError::Sql(e))
    }
}

/// The column types the office schema uses (`migrations/postgres`).
#[derive(Debug, Clone, Copy)]
enum Kind {
    Int,
    Bool,
    Real,
    Text,
}

struct Table {
    name: String,
    columns: Vec<(String, Kind)>,
    key: Vec<String>,
}

/// Tables whose rows the desk's own tables need first, parents before children.
const OWN_TABLES: &str = "SELECT table_name::TEXT FROM information_schema.tables \
     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
     AND table_name <> '_sqlx_migrations' ORDER BY table_name";

async fn tables(conn: &mut sqlx::PgConnection) -> Result<Vec<Table>, CopyError> {
    let names: Vec<String> = sqlx::query_scalar(OWN_TABLES).fetch_all(&mut *conn).await?;
    let edges: Vec<(String, String)> = sqlx::query_as(
        "SELECT DISTINCT c.conrelid::regclass::TEXT, c.confrelid::regclass::TEXT \
         FROM pg_constraint c WHERE c.contype = 'f' AND c.conrelid <> c.confrelid",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut parents: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (child, parent) in edges {
        parents.entry(child).or_default().insert(parent);
    }
    // Kahn's order over the foreign keys; names sorted so the order is the same each run.
    let mut ordered = Vec::new();
    let mut placed = BTreeSet::new();
    while ordered.len() < names.len() {
        let ready: Vec<&String> = names
            .iter()
            .filter(|n| !placed.contains(*n))
            .filter(|n| {
                parents
                    .get(*n)
                    .is_none_or(|ps| ps.iter().all(|p| placed.contains(p) || !names.contains(p)))
            })
            .collect();
        if ready.is_empty() {
            // A cycle of foreign keys (none today): the rest in name order.
            ordered.extend(names.iter().filter(|n| !placed.contains(*n)).cloned());
            break;
        }
        for n in ready {
            placed.insert(n.clone());
            ordered.push(n.clone());
        }
    }
    let mut out = Vec::new();
    for name in ordered {
        let columns: Vec<(String, String)> = sqlx::query_as(
            "SELECT column_name::TEXT, data_type::TEXT FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
        )
        .bind(&name)
        .fetch_all(&mut *conn)
        .await?;
        let columns = columns
            .into_iter()
            .map(|(column, ty)| {
                let kind = match ty.as_str() {
                    "bigint" | "integer" | "smallint" => Kind::Int,
                    "boolean" => Kind::Bool,
                    "double precision" | "real" => Kind::Real,
                    _ => Kind::Text,
                };
                (column, kind)
            })
            .collect();
        let key: Vec<String> = sqlx::query_scalar(
            "SELECT a.attname::TEXT FROM pg_index i \
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) \
             WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY a.attnum",
        )
        .bind(&name)
        .fetch_all(&mut *conn)
        .await?;
        out.push(Table { name, columns, key });
    }
    Ok(out)
}

/// SQL built from table and column names the server's own catalogue gave, each quoted.
fn sql(text: String) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(text)
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Binds one SQLite value as the server's column type wants it.
fn bind(
    args: &mut PgArguments,
    row: &SqliteRow,
    i: usize,
    kind: Kind,
) -> Result<(), sqlx::error::BoxDynError> {
    match kind {
        Kind::Int => args.add(row.try_get::<Option<i64>, _>(i)?),
        Kind::Bool => args.add(row.try_get::<Option<bool>, _>(i)?),
        Kind::Real => args.add(row.try_get::<Option<f64>, _>(i)?),
        Kind::Text => args.add(row.try_get::<Option<String>, _>(i)?),
    }
}

/// `ALTER TABLE … DISABLE|ENABLE TRIGGER USER` on every table (inside the copy's
/// transaction, so a failed copy leaves them as they were).
async fn user_triggers(
    tx: &mut sqlx::PgConnection,
    tables: &[Table],
    switch: &str,
) -> Result<(), sqlx::Error> {
    for table in tables {
        sqlx::query(sql(format!(
            "ALTER TABLE {} {switch} TRIGGER USER",
            quoted(&table.name)
        )))
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// One multi-row INSERT of `chunk`, whose first row is the table's row `before + 1`.
async fn insert(
    tx: &mut sqlx::PgConnection,
    table: &Table,
    names: &[String],
    chunk: &[SqliteRow],
    before: usize,
) -> Result<(), CopyError> {
    let mut args = PgArguments::default();
    let mut values = Vec::with_capacity(chunk.len());
    let mut n = 0;
    for (r, row) in chunk.iter().enumerate() {
        let mut marks = Vec::with_capacity(table.columns.len());
        for (i, (column, kind)) in table.columns.iter().enumerate() {
            bind(&mut args, row, i, *kind).map_err(|e| CopyError::Value {
                table: table.name.clone(),
                column: column.clone(),
                row: before + r + 1,
                reason: e.to_string(),
            })?;
            n += 1;
            marks.push(format!("${n}"));
        }
        values.push(format!("({})", marks.join(", ")));
    }
    sqlx::query_with(
        sql(format!(
            "INSERT INTO {} ({}) VALUES {}",
            quoted(&table.name),
            names.join(", "),
            values.join(", ")
        )),
        args,
    )
    .execute(tx)
    .await?;
    Ok(())
}

/// Copies every table of the SQLite desk `source` into the empty office database
/// `target`, in one transaction, and returns the rows per table on both sides (compared
/// before the commit: a difference writes nothing). `progress` hears each table as done.
pub async fn sqlite_to_server(
    source: &Db,
    target: &Db,
    progress: &(dyn Fn(&TableCount) + Send + Sync),
) -> Result<Vec<TableCount>, CopyError> {
    let (Db::Sqlite(src), Db::Postgres(dst)) = (source, target) else {
        return Err(CopyError::Engines);
    };
    let mut tx = dst.begin().await?;
    let tables = tables(&mut tx).await?;
    // One read transaction on the file: a consistent snapshot even if a desk writes to it.
    let mut read = src.begin().await?;
    // Empty means no person's work in it: a freshly migrated database holds only rows the
    // migrations put there (default settings), which the file also holds.
    for table in ["audit_log", "users", "villages"] {
        let rows: i64 = sqlx::query_scalar(sql(format!("SELECT COUNT(*) FROM {table}")))
            .fetch_one(&mut *tx)
            .await?;
        if rows > 0 {
            return Err(CopyError::NotEmpty {
                table: table.into(),
                rows,
            });
        }
    }
    for table in tables.iter().rev() {
        sqlx::query(sql(format!("DELETE FROM {}", quoted(&table.name))))
            .execute(&mut *tx)
            .await?;
    }
    // The reach ledger's triggers would add queue rows for every copied delivery; the
    // queue is copied as the file holds it.
    user_triggers(&mut tx, &tables, "DISABLE").await?;
    let mut counts = Vec::new();
    for table in &tables {
        let names: Vec<String> = table.columns.iter().map(|(c, _)| quoted(c)).collect();
        let order = if table.key.is_empty() {
            String::new()
        } else {
            let key: Vec<String> = table.key.iter().map(|c| quoted(c)).collect();
            format!(" ORDER BY {}", key.join(", "))
        };
        // Streamed, a statement's worth at a time: two years of history is millions of
        // deliveries, more than a desk PC should hold in memory at once.
        let mut rows = sqlx::query(sql(format!(
            "SELECT {} FROM {}{order}",
            names.join(", "),
            quoted(&table.name)
        )))
        .fetch(&mut *read);
        // PostgreSQL takes at most 65,535 parameters in one statement.
        let per_statement = (60_000 / table.columns.len().max(1)).clamp(1, 1_000);
        let mut chunk = Vec::with_capacity(per_statement);
        let mut source = 0usize;
        loop {
            let row = rows.try_next().await?;
            let done = row.is_none();
            if let Some(row) = row {
                chunk.push(row);
            }
            if chunk.len() == per_statement || (done && !chunk.is_empty()) {
                insert(&mut tx, table, &names, &chunk, source).await?;
                source += chunk.len();
                chunk.clear();
            }
            if done {
                break;
            }
        }
        drop(rows);
        let copied: i64 =
            sqlx::query_scalar(sql(format!("SELECT COUNT(*) FROM {}", quoted(&table.name))))
                .fetch_one(&mut *tx)
                .await?;
        let count = TableCount {
            table: table.name.clone(),
            source: source as i64,
            copied,
        };
        progress(&count);
        if count.source != count.copied {
            return Err(CopyError::Mismatch {
                table: count.table,
                source_rows: count.source,
                copied: count.copied,
            });
        }
        counts.push(count);
    }
    user_triggers(&mut tx, &tables, "ENABLE").await?;
    // New rows on the server must get ids past the copied ones.
    let identities: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_name::TEXT, column_name::TEXT FROM information_schema.columns \
         WHERE table_schema = current_schema() AND is_identity = 'YES'",
    )
    .fetch_all(&mut *tx)
    .await?;
    for (table, column) in identities {
        sqlx::query(sql(format!(
            "SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(MAX({c}), 0) + 1, false) \
             FROM {t}",
            c = quoted(&column),
            t = quoted(&table)
        )))
        .bind(&table)
        .bind(&column)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    read.rollback().await?;
    Ok(counts)
}
