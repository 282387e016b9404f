//! iCalendar (RFC 5545) export of a cohort's workshops or a training session, for the
//! calendar apps staff and participants already use.

use chrono::{DateTime, Utc};
use icalendar::{Calendar, Component, Event, EventLike};

use crate::ProgramsError;
use crate::calendar::{CalendarEvent, EventKind};

/// Korea has kept UTC+9 without daylight saving since 1988, so a fixed offset turns the
/// stored civil times into instants without needing a time-zone database on the PC.
fn seoul_to_utc(field: &str, civil: &str) -> Result<DateTime<Utc>, ProgramsError> {
    let dt = crate::validate::datetime(field, civil)?;
    let ts = maeul_time::seoul()
        .to_timestamp(dt)
        .map_err(|e| ProgramsError::invalid(field, e.to_string()))?;
    DateTime::from_timestamp(ts.as_second(), 0)
        .ok_or_else(|| ProgramsError::invalid(field, "표현할 수 없는 시각입니다"))
}

/// RFC 5545 TEXT: every line break (CRLF, CR or LF) becomes LF, which icalendar writes as
/// `\n`; other control characters are not allowed in TEXT and are dropped. A bare CR would
/// otherwise reach the file as is and end the calendar line early.
fn text(s: &str) -> String {
    s.replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect()
}

/// One VEVENT per event, times in UTC, stable UIDs so that a re-import updates rather than
/// duplicates. `descriptions` pairs with `events` (agenda text).
pub fn export(
    calendar_name: &str,
    events: &[(CalendarEvent, String)],
    stamp: DateTime<Utc>,
) -> Result<String, ProgramsError> {
    let mut cal = Calendar::new();
    // icalendar writes NAME unescaped, so the name stays on one line.
    cal.name(&text(calendar_name).replace('\n', " "));
    for (e, description) in events {
        let kind = match e.kind {
            EventKind::Workshop => "workshop",
            EventKind::Training => "training",
        };
        let mut ev = Event::new();
        ev.uid(&format!("{kind}-{}@maeul-desk", e.id))
            .timestamp(stamp)
            .summary(&text(&format!("[{}] {}", e.owner, e.title)))
            .location(&text(&e.place))
            .starts(seoul_to_utc("starts_at", &e.starts_at)?)
            .ends(seoul_to_utc("ends_at", &e.ends_at)?);
        let mut body = text(description);
        if !e.leader.is_empty() {
            body = format!("진행: {}\n{body}", text(&e.leader));
        }
        if !body.trim().is_empty() {
            ev.description(body.trim());
        }
        cal.push(ev.done());
    }
    Ok(cal.done().to_string())
}
