//! The month/week calendar's events and the clashes between them. Intervals are half-open:
//! a session ending at 12:00 and one starting at 12:00 in the same room do not clash.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Workshop,
    Training,
}

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct CalendarEvent {
    pub kind: EventKind,
    pub id: i64,
    pub title: String,
    /// The cohort's or the town's name.
    pub owner: String,
    /// Civil times, `YYYY-MM-DDTHH:MM` (Asia/Seoul); they sort as text.
    pub starts_at: String,
    pub ends_at: String,
    pub place: String,
    /// Facilitator or trainer.
    pub leader: String,
    /// Who is expected: a phone number where known, else the name.
    #[serde(skip)]
    pub people: Vec<(String, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ConflictReason {
    /// Same place at the same time.
    Place,
    /// The same facilitator or trainer booked twice.
    Leader,
    /// A participant expected at both.
    Person,
}

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct Conflict {
    pub a: (EventKind, i64),
    pub b: (EventKind, i64),
    pub reason: ConflictReason,
    /// Korean, for the list under the calendar: the place, leader or person concerned.
    pub message: String,
}

/// Places and names compared loosely: spaces and case do not make two rooms different.
fn key(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// At most five names, then how many more.
fn names(all: &[&str]) -> String {
    match all.len() {
        0..=5 => all.join(", "),
        n => format!("{} 외 {}명", all[..5].join(", "), n - 5),
    }
}

/// Every clash between two events, each pair and reason reported once.
pub fn conflicts(events: &[CalendarEvent]) -> Vec<Conflict> {
    let mut order: Vec<&CalendarEvent> = events.iter().collect();
    order.sort_by(|a, b| a.starts_at.cmp(&b.starts_at));
    let mut out = Vec::new();
    for (i, a) in order.iter().enumerate() {
        // Sorted by start: once b starts at or after a ends, no later b overlaps a.
        for b in order[i + 1..]
            .iter()
            .take_while(|b| b.starts_at < a.ends_at)
        {
            if b.ends_at <= a.starts_at {
                continue;
            }
            let end = a.ends_at.as_str().min(b.ends_at.as_str());
            let when = format!(
                "{} ~ {}",
                b.starts_at.replace('T', " "),
                end.replace('T', " ")
            );
            let pair = ((a.kind, a.id), (b.kind, b.id));
            if !a.place.trim().is_empty() && key(&a.place) == key(&b.place) {
                out.push(Conflict {
                    a: pair.0,
                    b: pair.1,
                    reason: ConflictReason::Place,
                    message: format!(
                        "장소 겹침: {} — '{}'와(과) '{}' ({when})",
                        a.place, a.title, b.title
                    ),
                });
            }
            if !a.leader.trim().is_empty() && key(&a.leader) == key(&b.leader) {
                out.push(Conflict {
                    a: pair.0,
                    b: pair.1,
                    reason: ConflictReason::Leader,
                    message: format!(
                        "진행자 중복: {} — '{}'와(과) '{}' ({when})",
                        a.leader, a.title, b.title
                    ),
                });
            }
            let both: Vec<&str> = a
                .people
                .iter()
                .filter(|(k, _)| b.people.iter().any(|(k2, _)| k2 == k))
                .map(|(_, name)| name.as_str())
                .collect();
            if !both.is_empty() {
                out.push(Conflict {
                    a: pair.0,
                    b: pair.1,
                    reason: ConflictReason::Person,
                    message: format!(
                        "참여자 이중 일정: {} — '{}'와(과) '{}' ({when})",
                        names(&both),
                        a.title,
                        b.title
                    ),
                });
            }
        }
    }
    out
}
