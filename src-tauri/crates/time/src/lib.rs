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
