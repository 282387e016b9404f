//! The calendar's events: workshops and training sessions overlapping some days, each with
//! the people it expects. Two queries whatever the number of events (the people of every
//! event in range come back in one list, matched up here).

use std::collections::HashMap;

use maeul_db::Conn;

use crate::ProgramsError;
use crate::calendar::{CalendarEvent, EventKind};

/// kind, id, title, owner (cohort or town), starts, ends, place, leader.
type EventRow = (String, i64, String, String, String, String, String, String);

/// kind, event id, phone, name, the person's row (for a stable order).
type PersonRow = (String, i64, Option<String>, String, i64);

/// Events overlapping `lo..=hi` (civil `YYYY-MM-DDTHH:MM`), earliest first.
pub async fn between(
    conn: &mut Conn,
    lo: &str,
    hi: &str,
) -> Result<Vec<CalendarEvent>, ProgramsError> {
    let rows: Vec<EventRow> = maeul_db::query_as(
        "SELECT 'workshop', w.id, w.title, c.name, w.starts_at, w.ends_at, w.place, w.facilitator \
         FROM workshops w JOIN cohorts c ON c.id = w.cohort_id \
         WHERE w.starts_at <= $2 AND w.ends_at >= $1 \
         UNION ALL \
         SELECT 'training', t.id, t.title, n.name, t.starts_at, t.ends_at, t.place, t.trainer \
         FROM trainings t JOIN towns n ON n.id = t.town_id \
         WHERE t.starts_at <= $2 AND t.ends_at >= $1",
    )
    .bind(lo)
    .bind(hi)
    .fetch_all(&mut *conn)
    .await?;
    // A workshop expects its cohort's selected people; a training its attendees.
    let people: Vec<PersonRow> = maeul_db::query_as(
        "SELECT 'workshop', w.id, p.phone, p.name, p.id \
         FROM workshops w JOIN cohort_people p ON p.cohort_id = w.cohort_id AND p.state = 'selected' \
         WHERE w.starts_at <= $2 AND w.ends_at >= $1 \
         UNION ALL \
         SELECT 'training', t.id, a.phone, a.name, a.id \
         FROM trainings t JOIN training_attendees a ON a.training_id = t.id \
         WHERE t.starts_at <= $2 AND t.ends_at >= $1 \
         ORDER BY 1, 2, 5",
    )
    .bind(lo)
    .bind(hi)
    .fetch_all(&mut *conn)
    .await?;
    let mut expected: HashMap<(EventKind, i64), Vec<(String, String)>> = HashMap::new();
    for (kind, id, phone, name, _) in people {
        // The key compares people across events: their number, else their name.
        let key = phone.unwrap_or_else(|| format!("name:{name}"));
        expected
            .entry((kind_of(&kind)?, id))
            .or_default()
            .push((key, name));
    }
    let mut events = Vec::with_capacity(rows.len());
    for (kind, id, title, owner, starts_at, ends_at, place, leader) in rows {
        let kind = kind_of(&kind)?;
        events.push(CalendarEvent {
            kind,
            id,
            title,
            owner,
            starts_at,
            ends_at,
            place,
            leader,
            people: expected.remove(&(kind, id)).unwrap_or_default(),
        });
    }
    events.sort_by(|a, b| a.starts_at.cmp(&b.starts_at));
    Ok(events)
}

fn kind_of(s: &str) -> Result<EventKind, ProgramsError> {
    super::parse_enum("event_kind", s, |s| match s {
        "workshop" => Some(EventKind::Workshop),
        "training" => Some(EventKind::Training),
        _ => None,
    })
}
