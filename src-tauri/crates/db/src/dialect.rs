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
