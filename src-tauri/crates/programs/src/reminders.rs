//! Reminder SMS before a workshop or training: who gets one and when. Only people who agreed
//! to SMS and have a number; never during quiet hours; never in the past. The rows are
//! queued for the dispatch outbox, which does the sending (there is no second sending path).

use jiff::civil::{DateTime, Time};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::ProgramsError;

/// `dispatch.quiet_hours`: when normal messages wait. Shared with dispatch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct QuietHours {
    pub start: (i8, i8),
    pub end: (i8, i8),
}

impl Default for QuietHours {
    fn default() -> QuietHours {
        QuietHours {
            start: (21, 0),
            end: (7, 0),
        }
    }
}

fn hm(field: &str, s: &str) -> Result<(i8, i8), ProgramsError> {
    let bad = || ProgramsError::invalid(field, format!("시각은 21:00 형식입니다 (받은 값: {s:?})"));
    let (h, m) = s.trim().split_once(':').ok_or_else(bad)?;
    let h: i8 = h.parse().map_err(|_| bad())?;
    let m: i8 = m.parse().map_err(|_| bad())?;
    if !(0..24).contains(&h) || !(0..60).contains(&m) {
        return Err(bad());
    }
    Ok((h, m))
}

impl QuietHours {
    /// `"21:00-07:00"`.
    pub fn parse(s: &str) -> Result<QuietHours, ProgramsError> {
        let field = "dispatch.quiet_hours";
        let (a, b) = s
            .split_once('-')
            .ok_or_else(|| ProgramsError::invalid(field, "21:00-07:00 형식으로 적어 주세요"))?;
        Ok(QuietHours {
            start: hm(field, a)?,
            end: hm(field, b)?,
        })
    }

    fn time((h, m): (i8, i8)) -> Time {
        Time::constant(h, m, 0, 0)
    }

    pub fn contains(&self, t: DateTime) -> bool {
        let (s, e, now) = (Self::time(self.start), Self::time(self.end), t.time());
        if s <= e {
            s <= now && now < e
        } else {
            now >= s || now < e
        }
    }

    /// The last minute before the quiet period that contains `t` began.
    fn evening_before(&self, t: DateTime) -> DateTime {
        let start = Self::time(self.start);
        let day = if t.time() >= start {
            t.date()
        } else {
            t.date().yesterday().unwrap_or(t.date())
        };
        day.to_datetime(start) - SignedDuration::from_mins(10)
    }
}

/// `"1d,2h,30m"`: how long before the event each reminder goes.
pub fn parse_offsets(s: &str) -> Result<Vec<SignedDuration>, ProgramsError> {
    let field = "programs.reminder_offsets";
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (n, unit) = part.split_at(part.len() - 1);
        let n: i64 = n.trim().parse().map_err(|_| {
            ProgramsError::invalid(field, format!("'{part}'은(는) 1d, 2h, 30m 형식이 아닙니다"))
        })?;
        let d = match unit {
            "d" => SignedDuration::from_hours(24 * n),
            "h" => SignedDuration::from_hours(n),
            "m" => SignedDuration::from_mins(n),
            _ => {
                return Err(ProgramsError::invalid(
                    field,
                    format!("'{part}': 단위는 d, h, m 중 하나입니다"),
                ));
            }
        };
        if n <= 0 {
            return Err(ProgramsError::invalid(
                field,
                format!("'{part}': 0보다 커야 합니다"),
            ));
        }
        out.push(d);
    }
    Ok(out)
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

/// Why someone gets no reminder; shown to the coordinator after planning.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct Skipped {
    pub name: String,
    pub reason: String,
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
                    reason: "문자 수신 미동의".into(),
                });
                continue;
            }
            (None, true) => {
                skipped.push(Skipped {
                    name: r.name.clone(),
                    reason: "전화번호 없음".into(),
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
    jiff::tz::offset(9)
        .to_timestamp(due)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// Now as a civil Seoul time.
pub fn seoul_now() -> DateTime {
    jiff::tz::offset(9).to_datetime(Timestamp::now())
}
