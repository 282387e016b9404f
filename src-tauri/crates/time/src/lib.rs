//! Time as the county keeps it. Korea has kept UTC+9 without daylight saving since 1988, so a
//! fixed offset turns stored civil times into instants without a time-zone database on the
//! PC. Everything here takes the time it works on as a parameter; [`now_utc`] and
//! [`today_seoul`] are the only reads of the wall clock in the domain crates (clippy's
//! `disallowed-methods` refuses the others), so that a test passes at any hour in Seoul.

mod durations;
mod quiet;

pub use durations::parse_durations;
pub use quiet::{QUIET_HOURS, QuietHours};

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::{Offset, TimeZone};

/// A value that does not read as the time it should be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct TimeError {
    pub field: String,
    pub reason: String,
}

impl TimeError {
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> TimeError {
        TimeError {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// The desk's zone: Korea has one and no daylight saving.
pub fn seoul() -> TimeZone {
    TimeZone::fixed(Offset::constant(9))
}

/// An instant as the civil time in Seoul.
pub fn seoul_civil(t: Timestamp) -> DateTime {
    t.to_zoned(seoul()).datetime()
}

/// A civil Seoul time as its instant (always one: no daylight-saving gaps).
pub fn seoul_instant(civil: DateTime) -> Timestamp {
    seoul().to_timestamp(civil).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// An instant as the database stores it: ISO-8601 UTC to the second (`…Z`), which sorts as
/// text.
pub fn stamp(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The Seoul day ("2026-12-07") of a stored UTC stamp, or the date of a local civil time
/// as trainings keep theirs ("2023-10-19T14:00" → "2023-10-19").
pub fn seoul_day(stamp: &str) -> String {
    stamp
        .parse::<Timestamp>()
        .map(|t| seoul_civil(t).strftime("%Y-%m-%d").to_string())
        .unwrap_or_else(|_| stamp.chars().take(10).collect())
}

/// The month after a "YYYY-MM" month ("2023-12" → "2024-01").
pub fn month_after(m: &str) -> String {
    let (y, mo) = year_month(m);
    if mo >= 12 {
        format!("{:04}-01", y + 1)
    } else {
        format!("{y:04}-{:02}", mo + 1)
    }
}

/// The month before a "YYYY-MM" month ("2024-01" → "2023-12").
pub fn month_before(m: &str) -> String {
    let (y, mo) = year_month(m);
    if mo <= 1 {
        format!("{:04}-12", y - 1)
    } else {
        format!("{y:04}-{:02}", mo - 1)
    }
}

fn year_month(m: &str) -> (i32, u32) {
    let (y, mo) = m.split_once('-').unwrap_or(("0", "1"));
    (y.parse().unwrap_or(0), mo.parse().unwrap_or(1))
}

/// Now as ISO-8601 UTC text: the stamp a row gets when it is written (who did what when).
/// Record keeping only: code that decides by the time takes the time as a parameter.
#[allow(clippy::disallowed_methods)] // the one wall-clock read for record stamps
pub fn now_utc() -> String {
    Timestamp::now().to_string()
}

/// Today in Seoul, for a form's "not in the future" check.
#[allow(clippy::disallowed_methods)] // a person's date is checked against the real today
pub fn today_seoul() -> Date {
    Timestamp::now().to_zoned(seoul()).date()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_roll_over_the_year() {
        assert_eq!(month_after("2023-06"), "2023-07");
        assert_eq!(month_after("2023-12"), "2024-01");
        assert_eq!(month_before("2024-01"), "2023-12");
        assert_eq!(month_before("2024-10"), "2024-09");
    }

    #[test]
    fn a_stamp_falls_on_its_seoul_day_and_a_local_time_on_its_date() {
        assert_eq!(seoul_day("2026-11-30T16:00:00Z"), "2026-12-01");
        assert_eq!(seoul_day("2023-10-19T14:00"), "2023-10-19");
    }

    #[test]
    fn seoul_is_nine_hours_ahead_all_year() {
        for utc in ["2026-01-15T15:00:00Z", "2026-07-15T15:00:00Z"] {
            let t: Timestamp = utc.parse().unwrap();
            let civil = seoul_civil(t);
            assert_eq!(civil.hour(), 0, "{utc}");
            assert_eq!(seoul_instant(civil), t);
        }
        let t: Timestamp = "2026-03-02T06:07:08.9Z".parse().unwrap();
        assert_eq!(stamp(t), "2026-03-02T06:07:08Z");
    }
}
