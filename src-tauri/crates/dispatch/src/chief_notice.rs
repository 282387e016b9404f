//! After a broadcast settles, each village chief gets one text listing the households in
//! their village that no channel reached (the seed's "미수신 세대는 이장님께"), so that someone
//! knocks on the door. The notice is a broadcast of its own (purpose `chief_notice`, pointing
//! at the one it follows) with one SMS/LMS per chief carrying that village's list.

use std::collections::BTreeMap;

use jiff::Timestamp;
use maeul_db::{Conn, dialect};

use crate::DispatchError;
use crate::policy::stamp;
use crate::report::{self, NotReached};
use crate::text::{LMS_MAX, bytes, sendable};

/// Which list a chief is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    /// Households no channel reached, once the broadcast settled.
    NotReached,
    /// Households that did not press a key on the call (an escalation step): to call.
    Unconfirmed,
}

impl ListKind {
    fn title_prefix(self) -> &'static str {
        match self {
            ListKind::NotReached => "[미수신 안내]",
            ListKind::Unconfirmed => "[확인 요청]",
        }
    }
}

/// The text a chief gets: the broadcast, then the households, as many as fit in one LMS
/// (then "외 N세대"). Characters with no EUC-KR code (rare names) are replaced by "?".
pub fn text(kind: ListKind, title: &str, village: &str, households: &[&NotReached]) -> String {
    let n = households.len();
    let head = sendable(&match kind {
        ListKind::NotReached => format!(
            "[마을방송 미수신 안내] {village}\n\"{title}\" 방송이 닿지 않은 세대 {n}곳입니다. 확인 부탁드립니다.\n"
        ),
        ListKind::Unconfirmed => format!(
            "[마을방송 확인 요청] {village}\n\"{title}\" 방송 전화에 확인(번호 누름)이 없는 세대 {n}곳입니다. 전화로 확인 부탁드립니다.\n"
        ),
    });
    let mut out = head;
    for (i, h) in households.iter().enumerate() {
        let line = sendable(&format!("- {} ({})\n", h.head_name, h.address));
        let rest = households.len() - i;
        // Room is kept for the "외 N세대" line the list may end with.
        if bytes(&out) + bytes(&line) + 16 > LMS_MAX {
            out.push_str(&format!("외 {rest}세대"));
            return out;
        }
        out.push_str(&line);
    }
    out.trim_end().to_string()
}

/// Broadcasts that have settled and whose chiefs have not been told yet.
async fn settled_unnotified(conn: &mut Conn) -> Result<Vec<(i64, String, bool)>, sqlx::Error> {
    maeul_db::query_as(
        "SELECT b.id, b.title, b.practice FROM broadcasts b \
         WHERE b.chiefs_notified_at IS NULL AND b.purpose != 'chief_notice' \
         AND b.cancelled_at IS NULL \
         AND EXISTS (SELECT 1 FROM deliveries d WHERE d.broadcast_id = b.id) \
         AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.broadcast_id = b.id \
                         AND d.state IN ('pending', 'submitting', 'submitted')) \
         ORDER BY b.id",
    )
    .fetch_all(&mut *conn)
    .await
}

/// Creates the notices due (in the caller's transaction); how many chief texts were queued.
/// With `enabled` off, settled broadcasts are only marked, so that turning it on later does
/// not send old lists.
pub async fn run(conn: &mut Conn, enabled: bool, now: Timestamp) -> Result<u32, DispatchError> {
    let at = stamp(now);
    let mut queued = 0;
    for (id, title, practice) in settled_unnotified(conn).await? {
        if enabled {
            queued += notify(conn, id, &title, practice, &at).await?;
        }
        maeul_db::query("UPDATE broadcasts SET chiefs_notified_at = $2 WHERE id = $1")
            .bind(id)
            .bind(&at)
            .execute(&mut *conn)
            .await?;
    }
    Ok(queued)
}

async fn notify(
    conn: &mut Conn,
    id: i64,
    title: &str,
    practice: bool,
    at: &str,
) -> Result<u32, DispatchError> {
    let missing = report::not_reached(conn, id).await?;
    let (queued, _) = notify_list(
        conn,
        id,
        ListKind::NotReached,
        title,
        &missing,
        practice,
        at,
    )
    .await?;
    Ok(queued)
}

/// Queues one text per chief with their village's households of `missing` (in the caller's
/// transaction): the texts queued, and the notice broadcast that carries them.
pub(crate) async fn notify_list(
    conn: &mut Conn,
    id: i64,
    kind: ListKind,
    title: &str,
    missing: &[NotReached],
    practice: bool,
    at: &str,
) -> Result<(u32, Option<i64>), DispatchError> {
    if missing.is_empty() {
        return Ok((0, None));
    }
    let mut by_village: BTreeMap<i64, Vec<&NotReached>> = BTreeMap::new();
    for m in missing {
        by_village.entry(m.village_id).or_default().push(m);
    }
    let ids: Vec<i64> = by_village.keys().copied().collect();
    let listed = dialect::json_ints(conn.engine(), "$1");
    let chiefs: Vec<(i64, String, Option<String>)> = maeul_db::query_as(sqlx::AssertSqlSafe(
        format!("SELECT v.id, v.name, v.chief_phone FROM villages v WHERE v.id IN ({listed})"),
    ))
    .bind(serde_json::to_string(&ids).unwrap_or_default())
    .fetch_all(&mut *conn)
    .await?;
    let rows: Vec<serde_json::Value> = chiefs
        .iter()
        .filter_map(|(vid, name, phone)| {
            let phone = phone.as_deref().filter(|p| p.starts_with('+'))?;
            let list = by_village.get(vid)?;
            Some(serde_json::json!([
                phone,
                vid,
                text(kind, title, name, list)
            ]))
        })
        .collect();
    if rows.is_empty() {
        // No chief has a number on file: the list stays in the report to be printed.
        return Ok((0, None));
    }
    let (notice,): (i64,) = maeul_db::query_as(
        "INSERT INTO broadcasts (title, category, body, practice, created_by, created_at, channels, \
             targets, text_kind, parent_id, purpose) \
         VALUES ($1, 'admin', $2, $3, 'system', $4, '[\"sms\"]', $5, 'lms', $6, 'chief_notice') \
         RETURNING id",
    )
    .bind(format!("{} {title}", kind.title_prefix()))
    .bind(format!(
        "이장님께 {} 세대 목록 ({}개 마을, {}세대)",
        match kind {
            ListKind::NotReached => "미수신",
            ListKind::Unconfirmed => "확인 안 된",
        },
        rows.len(),
        missing.len()
    ))
    .bind(practice)
    .bind(at)
    .bind(serde_json::json!({ "kind": "villages", "ids": ids }).to_string())
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    let rows_in = dialect::json_rows_as(conn.engine(), "$2", "j");
    let done = maeul_db::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO deliveries (broadcast_id, channel, e164, subscribers, village_id, body, updated_at) \
         SELECT $1, 'sms', j.value ->> 0, '[]', CAST(j.value ->> 1 AS BIGINT), j.value ->> 2, $3 \
         FROM {rows_in} WHERE true ON CONFLICT DO NOTHING"
    )))
    .bind(notice)
    .bind(serde_json::Value::Array(rows).to_string())
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok((done.rows_affected() as u32, Some(notice)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{TextKind, classify};

    fn household(i: usize) -> NotReached {
        NotReached {
            village_id: 1,
            village: "창동1리".into(),
            household_id: i as i64,
            head_name: format!("김철수{i}"),
            address: format!("창동길 {i}"),
            subscriber_ids: vec![],
        }
    }

    #[test]
    fn a_long_list_fits_one_lms_and_says_how_many_are_left() {
        let all: Vec<NotReached> = (1..=200).map(household).collect();
        let refs: Vec<&NotReached> = all.iter().collect();
        let t = text(ListKind::NotReached, "대청소", "창동1리", &refs);
        let info = classify(&t).unwrap();
        assert_eq!(info.kind, TextKind::Lms);
        assert!(info.bytes as usize <= LMS_MAX, "{}", info.bytes);
        assert!(t.contains("세대 200곳") && t.contains("- 김철수1 (창동길 1)"));
        assert!(t.ends_with("세대") && t.contains("외 "), "{t}");
    }

    #[test]
    fn unsendable_characters_become_question_marks() {
        let mut h = household(1);
        h.head_name = "김똠".into();
        let t = text(ListKind::Unconfirmed, "대청소", "창동1리", &[&h]);
        assert!(classify(&t).is_ok(), "{t}");
        assert!(t.contains("김?"));
    }
}
