//! Reminder SMS before a workshop or training: who gets one and when. Only people who agreed
//! to SMS and have a number; never during quiet hours; never in the past. The rows are
//! queued for the dispatch outbox, which does the sending (there is no second sending path).

use jiff::SignedDuration;
use jiff::civil::DateTime;
use serde::Serialize;

use crate::ProgramsError;

pub use maeul_time::QuietHours;

/// `"1d,2h,30m"`: how long before the event each reminder goes.
pub fn parse_offsets(s: &str) -> Result<Vec<SignedDuration>, ProgramsError> {
    Ok(maeul_time::parse_durations("programs.reminder_offsets", s)?)
}

/// Someone who may get a reminder.
#[derive(Debug, Clone)]
pub struct Recipient {
    pub name: String,
    pub phone: Option<String>,
    pub consent: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub recipient: String,
    pub phone: String,
    /// Civil time in Seoul.
    pub due: DateTime,
}

/// Why someone gets no reminder (the UI words it in its language).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// 문자 수신 미동의
    NoConsent,
    /// 전화번호 없음
    NoPhone,
}

/// Someone who gets no reminder; shown to the coordinator after planning.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct Skipped {
    pub name: String,
    pub reason: SkipReason,
}

/// Plans the reminders for one event starting at `start` (civil, Seoul), as of `now`.
pub fn plan(
    start: DateTime,
    offsets: &[SignedDuration],
    quiet: QuietHours,
    recipients: &[Recipient],
    now: DateTime,
) -> (Vec<Planned>, Vec<Skipped>) {
    let mut dues = Vec::new();
    for &offset in offsets {
        let mut due = start - offset;
        if quiet.contains(due) {
            due = quiet.evening_before(due);
        }
        if due < now || due >= start || dues.contains(&due) {
            continue;
        }
        dues.push(due);
    }
    let mut planned = Vec::new();
    let mut skipped = Vec::new();
    for r in recipients {
        let phone = match (&r.phone, r.consent) {
            (_, false) => {
                skipped.push(Skipped {
                    name: r.name.clone(),
                    reason: SkipReason::NoConsent,
                });
                continue;
            }
            (None, true) => {
                skipped.push(Skipped {
                    name: r.name.clone(),
                    reason: SkipReason::NoPhone,
                });
                continue;
            }
            (Some(p), true) => p,
        };
        for &due in &dues {
            planned.push(Planned {
                recipient: r.name.clone(),
                phone: phone.clone(),
                due,
            });
        }
    }
    (planned, skipped)
}

/// A civil Seoul time as the UTC instant the outbox stores.
pub fn due_utc(due: DateTime) -> String {
    maeul_time::stamp(maeul_time::seoul_instant(due))
}
