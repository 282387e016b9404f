//! The `settings` key–value table: desk-wide choices (quiet hours, retry schedules, the
//! provider) that several crates read. Values are text; their owners parse them.

use crate::Conn;

pub async fn get(conn: &mut Conn, key: &str) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> = crate::query_as("SELECT value FROM settings WHERE key = $1")
        .bind(key)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.map(|(v,)| v))
}

pub async fn set(conn: &mut Conn, key: &str, value: &str) -> Result<(), sqlx::Error> {
    crate::query(
        "INSERT INTO settings (key, value) VALUES ($1, $2) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Set when the outbox must not send until a person says so: a restored database may hold
/// deliveries that already went out from the copy it replaced. The value says why and since
/// when ("restore 2026-12-05T03:00:00Z"); the dispatch permission clears it.
pub const OUTBOX_PAUSED: &str = "dispatch.paused";

/// Marks the outbox paused by a restore made at `at_utc`: what was pending in the backup may
/// have gone out since it was taken, so nothing leaves until a person has looked.
pub async fn pause_for_restore(db: &crate::Db, at_utc: &str) -> Result<(), sqlx::Error> {
    let mut conn = db.acquire().await?;
    set(&mut conn, OUTBOX_PAUSED, &format!("restore {at_utc}")).await
}

pub async fn remove(conn: &mut Conn, key: &str) -> Result<bool, sqlx::Error> {
    let done = crate::query("DELETE FROM settings WHERE key = $1")
        .bind(key)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() > 0)
}
