//! Failed sign-ins: counted per username tried, and after [`FREE_FAILURES`] in a row the name
//! is refused for a while, longer with each further failure. The count lives in the database
//! (`login_failures`), so that restarting the desk does not reset it.

use jiff::{SignedDuration, Timestamp};

use maeul_db::Conn;

use crate::AccountsError;

/// Failures allowed before the first lockout.
pub const FREE_FAILURES: i64 = 5;
/// The first lockout; each further failure doubles it, up to [`MAX_LOCK`].
pub const FIRST_LOCK: SignedDuration = SignedDuration::from_mins(5);
pub const MAX_LOCK: SignedDuration = SignedDuration::from_hours(24);

/// How long the name is refused after its `failures`-th failure in a row, if at all.
pub fn lock_after(failures: i64) -> Option<SignedDuration> {
    if failures < FREE_FAILURES {
        return None;
    }
    let extra = failures - FREE_FAILURES;
    let factor = 1i64 << extra.clamp(0, 20);
    let secs = FIRST_LOCK.as_secs().saturating_mul(factor);
    Some(SignedDuration::from_secs(secs).min(MAX_LOCK))
}

/// The key a name is counted under: what the sign-in looks up, capped so that a pasted essay
/// does not become a row.
pub fn key(username: &str) -> String {
    username.trim().chars().take(64).collect()
}

/// Until when `username` is refused, if it is at `now`.
pub async fn locked_until(
    conn: &mut Conn,
    username: &str,
    now: Timestamp,
) -> Result<Option<Timestamp>, AccountsError> {
    let row: Option<(Option<String>,)> =
        maeul_db::query_as("SELECT locked_until FROM login_failures WHERE username = $1")
            .bind(key(username))
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row
        .and_then(|(until,)| until)
        .and_then(|until| until.parse::<Timestamp>().ok())
        .filter(|until| *until > now))
}

/// Counts one more failure; returns the count and the lockout it starts, if any.
pub async fn fail(
    conn: &mut Conn,
    username: &str,
    now: Timestamp,
) -> Result<(i64, Option<Timestamp>), AccountsError> {
    let (failures,): (i64,) = maeul_db::query_as(
        "INSERT INTO login_failures (username, failures) VALUES ($1, 1) \
         ON CONFLICT (username) DO UPDATE SET failures = login_failures.failures + 1 RETURNING failures",
    )
    .bind(key(username))
    .fetch_one(&mut *conn)
    .await?;
    let until = lock_after(failures).and_then(|d| now.checked_add(d).ok());
    if let Some(until) = until {
        maeul_db::query("UPDATE login_failures SET locked_until = $1 WHERE username = $2")
            .bind(until.to_string())
            .bind(key(username))
            .execute(&mut *conn)
            .await?;
    }
    Ok((failures, until))
}

/// A successful sign-in starts the count again.
pub async fn reset(conn: &mut Conn, username: &str) -> Result<(), AccountsError> {
    maeul_db::query("DELETE FROM login_failures WHERE username = $1")
        .bind(key(username))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The lockout's end as people read it: Korean time, minutes (Korea keeps no summer time).
pub fn show_kst(at: Timestamp) -> String {
    at.to_zoned(maeul_time::seoul())
        .strftime("%H:%M")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockout_starts_after_five_and_grows() {
        assert_eq!(lock_after(4), None);
        assert_eq!(lock_after(5), Some(SignedDuration::from_mins(5)));
        assert_eq!(lock_after(6), Some(SignedDuration::from_mins(10)));
        assert_eq!(lock_after(7), Some(SignedDuration::from_mins(20)));
        assert_eq!(lock_after(60), Some(MAX_LOCK));
    }

    #[test]
    fn lockout_end_is_shown_in_korean_time() {
        let at: Timestamp = "2026-03-02T06:07:30Z".parse().unwrap();
        assert_eq!(show_kst(at), "15:07");
    }
}
