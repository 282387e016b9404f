//! Quiet hours (방송 제한 시간): when normal broadcasts and reminders wait. Emergencies do
//! not; that is the caller's rule.

use jiff::civil::{DateTime, Time};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::{TimeError, seoul};

/// The setting that holds the desk's quiet hours, and the field a bad value is reported on.
pub const QUIET_HOURS: &str = "dispatch.quiet_hours";

/// `dispatch.quiet_hours`: when normal messages wait (emergencies do not).
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

fn hm(field: &str, s: &str) -> Result<(i8, i8), TimeError> {
    let bad = || TimeError::invalid(field, format!("시각은 21:00 형식입니다 (받은 값: {s:?})"));
    let (h, m) = s.trim().split_once(':').ok_or_else(bad)?;
    let h: i8 = h.parse().map_err(|_| bad())?;
    let m: i8 = m.parse().map_err(|_| bad())?;
    if !(0..24).contains(&h) || !(0..60).contains(&m) {
        return Err(bad());
    }
    Ok((h, m))
}

impl QuietHours {
    /// No quiet period: an empty window never contains a time.
    pub const OFF: QuietHours = QuietHours {
        start: (0, 0),
        end: (0, 0),
    };

    /// `"21:00-07:00"`, or `"off"` for none (an office that sends at any hour).
    pub fn parse(s: &str) -> Result<QuietHours, TimeError> {
        if s.trim().eq_ignore_ascii_case("off") {
            return Ok(QuietHours::OFF);
        }
        let (a, b) = s.split_once('-').ok_or_else(|| {
            TimeError::invalid(
                QUIET_HOURS,
                "21:00-07:00 형식으로 적어 주세요 (없애려면 off)",
            )
        })?;
        Ok(QuietHours {
            start: hm(QUIET_HOURS, a)?,
            end: hm(QUIET_HOURS, b)?,
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

    /// Ten minutes before the quiet period that contains `t` began: where a reminder due
    /// inside it moves.
    pub fn evening_before(&self, t: DateTime) -> DateTime {
        let start = Self::time(self.start);
        let day = if t.time() >= start {
            t.date()
        } else {
            t.date().yesterday().unwrap_or(t.date())
        };
        day.to_datetime(start) - SignedDuration::from_mins(10)
    }

    /// When the quiet period that contains `t` ends: where a broadcast due inside it waits.
    pub fn morning_after(&self, t: DateTime) -> DateTime {
        let end = Self::time(self.end);
        let day = if t.time() < end {
            t.date()
        } else {
            t.date().tomorrow().unwrap_or(t.date())
        };
        day.to_datetime(end)
    }

    /// `None` when `now` may send; else the instant the quiet period ends.
    pub fn hold_until(&self, now: Timestamp) -> Option<Timestamp> {
        let local = now.to_zoned(seoul()).datetime();
        if !self.contains(local) {
            return None;
        }
        self.morning_after(local)
            .to_zoned(seoul())
            .ok()
            .map(|z| z.timestamp())
    }
}
