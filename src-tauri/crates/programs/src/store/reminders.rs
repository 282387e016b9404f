//! `program_reminders`: reminders waiting for the dispatch outbox.

use maeul_db::Conn;
use serde::Serialize;

use crate::ProgramsError;
use crate::calendar::EventKind;

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct ReminderRow {
    pub id: i64,
    pub event_kind: EventKind,
    pub event_id: i64,
    pub recipient: String,
    pub phone: String,
    pub body: String,
    /// UTC instant.
    pub due_at: String,
    pub state: String,
    pub practice: bool,
}

fn kind_str(k: EventKind) -> &'static str {
    match k {
        EventKind::Workshop => "workshop",
        EventKind::Training => "training",
    }
}

pub struct NewReminder<'a> {
    pub event_kind: EventKind,
    pub event_id: i64,
    pub recipient: &'a str,
    pub phone: &'a str,
    pub body: &'a str,
    pub due_at: &'a str,
    pub practice: bool,
}

/// Re-plans an event: scheduled reminders not yet taken are replaced. Returns how many are
/// now scheduled.
pub async fn replace(
    conn: &mut Conn,
    kind: EventKind,
    event_id: i64,
    rows: &[NewReminder<'_>],
    created_at: &str,
) -> Result<u32, ProgramsError> {
    sqlx::query(
        "DELETE FROM program_reminders WHERE event_kind = $1 AND event_id = $2 AND state = 'scheduled'",
    )
    .bind(kind_str(kind))
    .bind(event_id)
    .execute(&mut *conn)
    .await?;
    let mut n = 0;
    for r in rows {
        let done = sqlx::query(
            "INSERT INTO program_reminders (event_kind, event_id, recipient, phone, body, due_at, practice, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
        )
        .bind(kind_str(r.event_kind))
        .bind(r.event_id)
        .bind(r.recipient)
        .bind(r.phone)
        .bind(r.body)
        .bind(r.due_at)
        .bind(r.practice)
        .bind(created_at)
        .execute(&mut *conn)
        .await?;
        n += done.rows_affected() as u32;
    }
    Ok(n)
}

/// id, event kind, event id, recipient, phone, body, due, state, practice.
type Row = (
    i64,
    String,
    i64,
    String,
    String,
    String,
    String,
    String,
    bool,
);

const COLUMNS: &str = "id, event_kind, event_id, recipient, phone, body, due_at, state, practice";

fn from_row(r: Row) -> ReminderRow {
    ReminderRow {
        id: r.0,
        event_kind: if r.1 == "training" {
            EventKind::Training
        } else {
            EventKind::Workshop
        },
        event_id: r.2,
        recipient: r.3,
        phone: r.4,
        body: r.5,
        due_at: r.6,
        state: r.7,
        practice: r.8,
    }
}

pub async fn list(
    conn: &mut Conn,
    kind: EventKind,
    event_id: i64,
) -> Result<Vec<ReminderRow>, ProgramsError> {
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM program_reminders \
         WHERE event_kind = $1 AND event_id = $2 ORDER BY due_at, recipient"
    )))
    .bind(kind_str(kind))
    .bind(event_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(from_row).collect())
}

/// What the dispatch outbox takes when it runs: due, still scheduled rows, marked `queued`
/// in the same statement so two workers never take one twice. `real = true` (a real
/// provider is configured) never returns rows made in practice mode.
pub async fn take_due(conn: &mut Conn, now_utc: &str) -> Result<Vec<ReminderRow>, ProgramsError> {
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "UPDATE program_reminders SET state = 'queued' \
         WHERE state = 'scheduled' AND due_at <= $1 \
         RETURNING {COLUMNS}"
    )))
    .bind(now_utc)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(from_row).collect())
}
