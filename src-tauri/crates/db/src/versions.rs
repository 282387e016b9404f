//! Optimistic versions for records several officials edit. A save is an UPDATE guarded by
//! the version the form was loaded with (`… AND version = $n`, which also bumps it); when it
//! moves no row, [`last_change`] says whether the record is gone or who changed it first.

use crate::Conn;

/// Tables whose rows carry `version`, `updated_by` and `updated_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Versioned {
    Subscribers,
    Villages,
    Groups,
    Cards,
    Cohorts,
    Workshops,
    Drafts,
}

impl Versioned {
    fn last_change_sql(self) -> &'static str {
        match self {
            Versioned::Subscribers => {
                "SELECT version, updated_by, updated_at FROM subscribers WHERE id = $1"
            }
            Versioned::Villages => {
                "SELECT version, updated_by, updated_at FROM villages WHERE id = $1"
            }
            Versioned::Groups => {
                "SELECT version, updated_by, updated_at FROM registry_groups WHERE id = $1"
            }
            Versioned::Cards => {
                "SELECT version, updated_by, updated_at FROM pledge_cards WHERE id = $1"
            }
            Versioned::Cohorts => {
                "SELECT version, updated_by, updated_at FROM cohorts WHERE id = $1"
            }
            Versioned::Workshops => {
                "SELECT version, updated_by, updated_at FROM workshops WHERE id = $1"
            }
            Versioned::Drafts => {
                "SELECT version, updated_by, updated_at FROM broadcast_drafts WHERE id = $1"
            }
        }
    }
}

/// Who saved a record last, and when (UTC stamp; empty for rows not saved since versions
/// were added), with the version that save made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    pub version: i64,
    pub by: String,
    pub at: String,
}

/// The record's last save, or `None` when it no longer exists.
pub async fn last_change(
    conn: &mut Conn,
    table: Versioned,
    id: i64,
) -> Result<Option<Changed>, sqlx::Error> {
    let row: Option<(i64, String, String)> = crate::query_as(table.last_change_sql())
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.map(|(version, by, at)| Changed { version, by, at }))
}

/// Why a guarded save moved no row: `Some(message)` naming who saved `what` first, or `None`
/// when the record no longer exists (the caller's own not-found error says that).
pub async fn stale(
    conn: &mut Conn,
    table: Versioned,
    id: i64,
    what: &str,
) -> Result<Option<String>, sqlx::Error> {
    Ok(last_change(conn, table, id)
        .await?
        .map(|changed| conflict_message(what, &changed)))
}

/// A stale save's Korean explanation: who, when (Seoul time), and that nothing typed is lost.
pub fn conflict_message(what: &str, changed: &Changed) -> String {
    let who = if changed.by.is_empty() {
        "다른 사용자".to_string()
    } else {
        changed.by.clone()
    };
    let when = changed
        .at
        .parse::<jiff::Timestamp>()
        .map(|t| {
            maeul_time::seoul_civil(t)
                .strftime(" %Y-%m-%d %H:%M에")
                .to_string()
        })
        .unwrap_or_default();
    format!(
        "{who}님이{when} 이 {what} 정보를 먼저 고쳤습니다. 입력한 내용은 그대로 있습니다: 최신 내용을 확인한 뒤 다시 저장하세요"
    )
}
