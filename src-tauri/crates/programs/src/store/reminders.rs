//! `program_reminders`: reminders waiting for the dispatch outbox.

use maeul_db::Conn;
use serde::Serialize;

use crate::ProgramsError;
use crate::calendar::EventKind;
use crate::reminders::Recipient;

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct ReminderRow {
    pub id: i64,
    pub event_kind: EventKind,
    pub event_id: i64,
    /// The workshop's or training's title when the reminder was planned.
    pub event_title: String,
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
    pub event_title: &'a str,
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
    maeul_db::query(
        "DELETE FROM program_reminders WHERE event_kind = $1 AND event_id = $2 AND state = 'scheduled'",
    )
    .bind(kind_str(kind))
    .bind(event_id)
    .execute(&mut *conn)
    .await?;
    let mut n = 0;
    for r in rows {
        let done = maeul_db::query(
            "INSERT INTO program_reminders (event_kind, event_id, event_title, recipient, phone, body, due_at, practice, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
        )
        .bind(kind_str(r.event_kind))
        .bind(r.event_id)
        .bind(r.event_title)
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

/// id, event kind, event id, event title, recipient, phone, body, due, state, practice.
type Row = (
    i64,
    String,
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    bool,
);

const COLUMNS: &str =
    "id, event_kind, event_id, event_title, recipient, phone, body, due_at, state, practice";

fn from_row(r: Row) -> Result<ReminderRow, ProgramsError> {
    Ok(ReminderRow {
        id: r.0,
        event_kind: super::parse_enum("event_kind", &r.1, |s| match s {
            "workshop" => Some(EventKind::Workshop),
            "training" => Some(EventKind::Training),
            _ => None,
        })?,
        event_id: r.2,
        event_title: r.3,
        recipient: r.4,
        phone: r.5,
        body: r.6,
        due_at: r.7,
        state: r.8,
        practice: r.9,
    })
}

pub async fn list(
    conn: &mut Conn,
    kind: EventKind,
    event_id: i64,
) -> Result<Vec<ReminderRow>, ProgramsError> {
    let rows: Vec<Row> = maeul_db::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM program_reminders \
         WHERE event_kind = $1 AND event_id = $2 ORDER BY due_at, recipient"
    )))
    .bind(kind_str(kind))
    .bind(event_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter().map(from_row).collect()
}

/// What the dispatch outbox takes when it runs: due, still scheduled rows, marked `queued`
/// in the same statement so two workers never take one twice.
pub async fn take_due(conn: &mut Conn, now_utc: &str) -> Result<Vec<ReminderRow>, ProgramsError> {
    let rows: Vec<Row> = maeul_db::query_as(sqlx::AssertSqlSafe(format!(
        "UPDATE program_reminders SET state = 'queued' \
         WHERE state = 'scheduled' AND due_at <= $1 \
         RETURNING {COLUMNS}"
    )))
    .bind(now_utc)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter().map(from_row).collect()
}

/// Reminders the outbox could not take (a number that cannot be dialled): cancelled, so
/// they are neither sent nor taken again.
pub async fn cancel(conn: &mut Conn, ids: &[i64]) -> Result<(), ProgramsError> {
    for id in ids {
        maeul_db::query("UPDATE program_reminders SET state = 'cancelled' WHERE id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Whom an event's reminders go to: a workshop's selected participants (with their text
/// consent), a training's attendees. Chiefs consented to the desk's messages when they took
/// the office; a walk-in gave their number for this purpose at the door.
pub async fn recipients(
    conn: &mut Conn,
    kind: EventKind,
    event_id: i64,
) -> Result<Vec<Recipient>, ProgramsError> {
    let rows: Vec<(String, Option<String>, bool)> = match kind {
        EventKind::Workshop => {
            maeul_db::query_as(
                "SELECT p.name, p.phone, p.sms_consent FROM cohort_people p \
                 JOIN workshops w ON w.cohort_id = p.cohort_id \
                 WHERE w.id = $1 AND p.state = 'selected' ORDER BY p.id",
            )
            .bind(event_id)
            .fetch_all(&mut *conn)
            .await?
        }
        EventKind::Training => maeul_db::query_as(
            "SELECT name, phone, TRUE FROM training_attendees WHERE training_id = $1 ORDER BY id",
        )
        .bind(event_id)
        .fetch_all(&mut *conn)
        .await?,
    };
    Ok(rows
        .into_iter()
        .map(|(name, phone, consent)| Recipient {
            name,
            phone,
            consent,
        })
        .collect())
}
