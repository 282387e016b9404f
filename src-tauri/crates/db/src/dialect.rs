//! SQL fragments that cannot be written once for both engines. Each takes the engine and the
//! SQL expressions it works on (a column, a `$n`), and gives back text to splice into a query
//! that is otherwise the same on both.
//!
//! Lists of ids and channels are kept as JSON arrays in TEXT columns (`deliveries.subscribers`,
//! a broadcast's channels); SQLite reads them with `json_each`, PostgreSQL as `jsonb`.

use crate::Engine;

/// True when the JSON array `list` holds the integer `item`.
pub fn json_array_has(engine: Engine, list: &str, item: &str) -> String {
    match engine {
        Engine::Sqlite => format!("EXISTS (SELECT 1 FROM json_each({list}) WHERE value = {item})"),
        // An array contains a scalar it holds (`'[7]' @> '7'`), by value and type.
        Engine::Postgres => format!("(CAST({list} AS jsonb) @> to_jsonb({item}))"),
    }
}

/// All rows as one JSON array of arrays (TEXT, `[]` for none), each row the values of
/// `columns` in order, in `order` when given. The outbox reads big row sets this way: one
/// value rather than a row each, which SQLite's driver hands across threads one by one.
/// Truth values must be given as 0/1 (`CASE WHEN … THEN 1 ELSE 0 END`): PostgreSQL would
/// write `true`/`false`.
pub fn json_rows(engine: Engine, columns: &[&str], order: Option<&str>) -> String {
    let columns = columns.join(", ");
    match engine {
        // SQLite aggregates in the order rows come; a caller that needs one orders a subquery.
        Engine::Sqlite => format!("COALESCE(json_group_array(json_array({columns})), '[]')"),
        // `json`, not `jsonb`: the text is only handed over, and building the binary form
        // first made a county-wide fan-out 0.1 s slower and a sync's reads dearer.
        Engine::Postgres => {
            let order = order.map(|o| format!(" ORDER BY {o}")).unwrap_or_default();
            format!("COALESCE(CAST(json_agg(json_build_array({columns}){order}) AS TEXT), '[]')")
        }
    }
}

/// A JSON array's members as a table source named `alias` with one column, `value`, for a
/// FROM clause (`FROM deliveries d, {json_each_as(…, "d.subscribers", "j")}`). Scalars come
/// as SQLite gives them on SQLite and as text on PostgreSQL: compare through
/// `CAST(j.value AS BIGINT)`.
pub fn json_each_as(engine: Engine, list: &str, alias: &str) -> String {
    match engine {
        Engine::Sqlite => format!("json_each({list}) {alias}"),
        Engine::Postgres => {
            format!("jsonb_array_elements_text(CAST({list} AS jsonb)) AS {alias}(value)")
        }
    }
}

/// A JSON array of arrays' members as a table source named `alias` whose column `value` is
/// each inner array, read with `value ->> n` (text on PostgreSQL: cast what is compared).
pub fn json_rows_as(engine: Engine, list: &str, alias: &str) -> String {
    match engine {
        Engine::Sqlite => format!("json_each({list}) {alias}"),
        Engine::Postgres => {
            format!("jsonb_array_elements(CAST({list} AS jsonb)) AS {alias}(value)")
        }
    }
}

/// `column` kept from its index in a WHERE clause: SQLite's unary `+`, which the outbox uses
/// so that a batch update by id does not walk the state index instead. PostgreSQL plans
/// these by cost and has no such operator on text.
pub fn unindexed(engine: Engine, column: &str) -> String {
    match engine {
        Engine::Sqlite => format!("+{column}"),
        Engine::Postgres => column.to_string(),
    }
}

/// `column` for an ascending ORDER BY with its NULLs first, as SQLite sorts them. Left bare
/// on SQLite, where it is the default, so that the planner still walks an index in order.
pub fn nulls_first(engine: Engine, column: &str) -> String {
    match engine {
        Engine::Sqlite => column.to_string(),
        Engine::Postgres => format!("{column} NULLS FIRST"),
    }
}

/// The row-locking clause that ends a claim's SELECT of `table` rows: on PostgreSQL
/// `FOR UPDATE OF {table} SKIP LOCKED`, so that a desk claiming at the same moment takes other
/// rows instead of the same ones (or waiting for them). Nothing on SQLite, whose claim holds
/// the file's write lock.
pub fn skip_locked(engine: Engine, table: &str) -> String {
    match engine {
        Engine::Sqlite => String::new(),
        Engine::Postgres => format!(" FOR UPDATE OF {table} SKIP LOCKED"),
    }
}

/// The clause that ends a read whose rows must not change before this transaction commits
/// (`FOR SHARE OF {table}` on PostgreSQL): a writer of them waits, and a reader that finds
/// one being written waits and reads what it committed. Nothing on SQLite, whose writes are
/// one at a time.
pub fn share_locked(engine: Engine, table: &str) -> String {
    match engine {
        Engine::Sqlite => String::new(),
        Engine::Postgres => format!(" FOR SHARE OF {table}"),
    }
}

/// Tells every connection that LISTENs on `channel` (other desks on the office server) when
/// this transaction commits, with `payload`; nothing if it rolls back. Nothing on SQLite,
/// which has no notifications between processes: its desks poll.
pub async fn notify(
    conn: &mut crate::Conn,
    channel: &str,
    payload: &str,
) -> Result<(), sqlx::Error> {
    if conn.engine() == Engine::Sqlite {
        return Ok(());
    }
    crate::query("SELECT pg_notify($1, $2)")
        .bind(channel.to_string())
        .bind(payload.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Rows into `into` (`table (column, …)`) by PostgreSQL's `COPY … FROM STDIN`, each row its
/// columns' values as text (`None` for NULL); how many went in. A county's deliveries are
/// written this way on the office server: an INSERT … SELECT (from a temporary table or
/// UNNEST arrays) took 1.0–1.1 s of a 1.3 s fan-out, COPY's batched writes 0.9 s. PostgreSQL
/// only: SQLite's bulk path is a temporary table and INSERT … SELECT. COPY has no ON
/// CONFLICT: a row that breaks a key fails the whole statement.
pub async fn copy_rows(
    conn: &mut crate::Conn,
    into: &str,
    rows: impl IntoIterator<Item = Vec<Option<String>>>,
) -> Result<u64, sqlx::Error> {
    let pg: &mut sqlx::PgConnection = match conn {
        crate::Conn::PostgresTx(tx) => tx,
        crate::Conn::PostgresPooled(c) => c,
        crate::Conn::SqliteTx(_) | crate::Conn::SqlitePooled(_) => {
            return Err(sqlx::Error::Protocol("COPY is PostgreSQL's".into()));
        }
    };
    let mut data = String::new();
    for row in rows {
        for (i, value) in row.iter().enumerate() {
            if i > 0 {
                data.push('\t');
            }
            match value {
                None => data.push_str("\\N"),
                Some(v) => copy_escape(v, &mut data),
            }
        }
        data.push('\n');
    }
    let mut copy = pg.copy_in_raw(&format!("COPY {into} FROM STDIN")).await?;
    copy.send(data.into_bytes()).await?;
    copy.finish().await
}

/// A value in COPY's text format: backslash, tab and line breaks escaped.
fn copy_escape(value: &str, out: &mut String) {
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

/// A JSON array (TEXT) of `expr` over the group's rows, distinct values only.
pub fn json_agg_distinct(engine: Engine, expr: &str) -> String {
    match engine {
        Engine::Sqlite => format!("json_group_array(DISTINCT {expr})"),
        Engine::Postgres => format!("CAST(jsonb_agg(DISTINCT {expr}) AS TEXT)"),
    }
}

/// The members of a JSON array of integers, as a one-column subquery whose column is `value`
/// (`x IN (…)`, or `FROM (…) j` and `j.value`).
pub fn json_ints(engine: Engine, list: &str) -> String {
    match engine {
        Engine::Sqlite => format!("SELECT value FROM json_each({list})"),
        Engine::Postgres => format!(
            "SELECT CAST(j.value AS BIGINT) AS value \
             FROM jsonb_array_elements_text(CAST({list} AS jsonb)) AS j(value)"
        ),
    }
}

/// The members of a JSON array of texts, as a one-column subquery (`x IN (…)`).
pub fn json_texts(engine: Engine, list: &str) -> String {
    match engine {
        Engine::Sqlite => format!("SELECT value FROM json_each({list})"),
        Engine::Postgres => format!("SELECT jsonb_array_elements_text(CAST({list} AS jsonb))"),
    }
}

/// How many members the JSON array `list` has.
pub fn json_array_length(engine: Engine, list: &str) -> String {
    match engine {
        Engine::Sqlite => format!("json_array_length({list})"),
        // BIGINT as on SQLite (jsonb_array_length gives a 4-byte integer).
        Engine::Postgres => format!("CAST(jsonb_array_length(CAST({list} AS jsonb)) AS BIGINT)"),
    }
}

/// The JSON array `list` (as TEXT) without the integer `item`, order kept.
pub fn json_array_without(engine: Engine, list: &str, item: &str) -> String {
    match engine {
        Engine::Sqlite => {
            format!("(SELECT json_group_array(value) FROM json_each({list}) WHERE value <> {item})")
        }
        Engine::Postgres => format!(
            "(SELECT CAST(COALESCE(jsonb_agg(v ORDER BY n), '[]') AS TEXT) \
             FROM jsonb_array_elements(CAST({list} AS jsonb)) WITH ORDINALITY AS m(v, n) \
             WHERE v <> to_jsonb({item}))"
        ),
    }
}

/// `n` new ids for rows of `table` that are inserted with explicit ids (the registry import
/// writes households and their residents in batches, each resident naming its household).
/// SQLite: the ids after the largest, safe inside a `BEGIN IMMEDIATE` transaction. PostgreSQL:
/// drawn from the table's identity sequence, so a desk inserting at the same moment (and
/// every later `INSERT … RETURNING id`) gets others; they may have gaps.
pub async fn reserve_ids(
    conn: &mut crate::Conn,
    table: &'static str,
    n: usize,
) -> Result<Vec<i64>, sqlx::Error> {
    if n == 0 {
        return Ok(Vec::new());
    }
    match conn.engine() {
        Engine::Sqlite => {
            let max: i64 = crate::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT COALESCE(MAX(id), 0) FROM {table}"
            )))
            .fetch_one(&mut *conn)
            .await?;
            Ok((max + 1..).take(n).collect())
        }
        Engine::Postgres => {
            let mut ids: Vec<i64> = crate::query_scalar(
                "SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2)",
            )
            .bind(table)
            .bind(n)
            .fetch_all(&mut *conn)
            .await?;
            ids.sort_unstable();
            Ok(ids)
        }
    }
}

/// Serialises writers that read a tail before appending (the audit chain's last hash, the
/// next id), until the transaction ends. SQLite's writers already are: the transaction
/// began with `BEGIN IMMEDIATE` holds the file's write lock. On PostgreSQL two desks would
/// both read the same tail; a transaction-scoped advisory lock makes the second wait.
pub async fn lock_appends(conn: &mut crate::Conn, key: AppendLock) -> Result<(), sqlx::Error> {
    if conn.engine() == Engine::Postgres {
        crate::query("SELECT pg_advisory_xact_lock($1)")
            .bind(key as i64)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// What [`lock_appends`] serialises; the number is the advisory lock's key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i64)]
pub enum AppendLock {
    /// `audit_log`: one hash chain across every desk.
    Audit = 0x6d61_6575_6c01,
}
