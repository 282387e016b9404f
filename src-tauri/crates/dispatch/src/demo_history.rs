//! A year (or some months) of county traffic for the demo and the benchmarks: about 25
//! broadcasts a month ending before `now` — county-wide notices twice a month, the rest to
//! single villages — each with its deliveries already settled as a real month would leave
//! them (calls answered, some confirmed with a key, no answers, busy lines; texts delivered
//! or not). Deterministic: the same registry and `now` give the same history. Deliveries are
//! written by INSERT … SELECT over the registry, so a year (~2 million rows) takes seconds.

use jiff::Timestamp;
use maeul_db::Conn;
use serde::Serialize;

use crate::DispatchError;
use crate::policy::stamp;
use crate::reach::days;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct History {
    pub broadcasts: u64,
    pub deliveries: u64,
}

const TITLES: [(&str, &str); 4] = [
    ("village_news", "마을 소식 안내"),
    ("admin", "군정 알림"),
    ("education_event", "교육·행사 안내"),
    ("emergency", "재난 안전 안내"),
];

/// Which of a month's broadcasts are county-wide, by their place in the month.
const COUNTY_WIDE: [u64; 2] = [3, 17];
const PER_MONTH: u64 = 25;

/// Writes `months` months of history ending before `now`; refuses a desk that already has
/// broadcasts in that span, so it never mixes with real traffic.
pub async fn seed(conn: &mut Conn, now: Timestamp, months: u32) -> Result<History, DispatchError> {
    let span = days(i64::from(months) * 30);
    let start = now - span;
    let (existing,): (i64,) =
        maeul_db::query_as("SELECT COUNT(*) FROM broadcasts WHERE created_at >= $1")
            .bind(stamp(start))
            .fetch_one(&mut *conn)
            .await?;
    if existing > 0 {
        return Err(DispatchError::invalid(
            "history",
            format!("이 기간에 방송이 이미 {existing}건 있어 데모 이력을 넣지 않았습니다"),
        ));
    }
    // Only on the demo registry: its numbers lie in blocks no carrier issues (010-0xxx,
    // 043-1xx); traffic made up for real residents would flow into real reports.
    let (real,): (i64,) = maeul_db::query_as(
        "SELECT COUNT(*) FROM subscribers WHERE phone NOT LIKE '+82100%' AND phone NOT LIKE '+82431%'",
    )
    .fetch_one(&mut *conn)
    .await?;
    if real > 0 {
        return Err(DispatchError::invalid(
            "history",
            format!(
                "명부에 실제 번호가 {real}개 있어 데모 이력을 넣지 않았습니다 (데모 명부에만 넣습니다)"
            ),
        ));
    }
    let villages: Vec<(i64,)> = maeul_db::query_as(
        "SELECT DISTINCT village_id FROM subscribers WHERE enrollment = 'approved' ORDER BY village_id",
    )
    .fetch_all(&mut *conn)
    .await?;
    if villages.is_empty() {
        return Err(DispatchError::invalid(
            "history",
            "명부에 수신자가 없습니다: 먼저 데모 자료를 넣으세요 (maeul demo-seed)",
        ));
    }
    let total = u64::from(months) * PER_MONTH;
    let step = span / i32::try_from(total).unwrap_or(i32::MAX);
    let mut out = History::default();
    for i in 0..total {
        // Evenly spread days, each at 10:00 in Seoul (outside quiet hours, as the office sends).
        let day = maeul_time::seoul_civil(start + step * i32::try_from(i).unwrap_or(0)).date();
        let at = maeul_time::seoul_instant(day.at(10, 0, 0, 0));
        let county = COUNTY_WIDE.contains(&(i % PER_MONTH));
        let (category, title) = if county {
            TITLES[(i as usize / 7) % 2 + 1]
        } else {
            TITLES[(i as usize * 7) % 4]
        };
        let village = villages[(i as usize * 37) % villages.len()].0;
        let targets = if county {
            r#"{"kind":"all"}"#.to_string()
        } else {
            format!(r#"{{"kind":"villages","ids":[{village}]}}"#)
        };
        let (b,): (i64,) = maeul_db::query_as(
            "INSERT INTO broadcasts (title, category, body, emergency, practice, created_by, \
                 created_at, channels, targets, text_kind) \
             VALUES ($1, $2, $3, $4, FALSE, 'demo', $5, '[\"voice\",\"sms\"]', $6, 'lms') RETURNING id",
        )
        .bind(format!("{title} ({})", i + 1))
        .bind(category)
        .bind(format!("{title}: 데모 이력으로 만든 방송입니다."))
        .bind(category == "emergency")
        .bind(stamp(at))
        .bind(&targets)
        .fetch_one(&mut *conn)
        .await?;
        out.broadcasts += 1;
        let settled = stamp(at + jiff::SignedDuration::from_mins(20));
        let only = if county { 0 } else { village };
        out.deliveries += deliveries(conn, b, only, &settled).await?;
    }
    Ok(out)
}

/// A broadcast's voice and SMS deliveries to every subscriber who takes the channel (of one
/// village, or all with `village` 0), in the states a settled month leaves: by a hash of
/// subscriber and broadcast, so the figures vary by village and month but never by run.
async fn deliveries(
    conn: &mut Conn,
    b: i64,
    village: i64,
    settled: &str,
) -> Result<u64, DispatchError> {
    const WHO: &str = "FROM subscribers s \
         WHERE s.status = 'active' AND s.enrollment = 'approved' AND s.consent_date IS NOT NULL \
             AND ($2 = 0 OR s.village_id = $2)";
    // Numbers are stored in E.164 already.
    const E164: &str = "s.phone";
    const HASH: &str = "((s.id * 2654435761 + $1 * 40503) % 100)";
    let voice = maeul_db::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO deliveries (broadcast_id, channel, e164, subscribers, village_id, state, \
             reason, attempt, updated_at, reply_digit, provider) \
         SELECT $1, 'voice', {E164}, '[' || s.id || ']', s.village_id, \
             CASE WHEN {HASH} < 70 THEN 'answered' ELSE 'failed' END, \
             CASE WHEN {HASH} < 70 THEN NULL WHEN {HASH} < 90 THEN 'no_answer' \
                 WHEN {HASH} < 97 THEN 'busy' ELSE 'power_off' END, \
             1, $3, CASE WHEN {HASH} < 48 THEN 1 ELSE NULL END, 'sandbox' \
         {WHO} AND s.want_voice \
         ON CONFLICT (broadcast_id, channel, e164) DO NOTHING"
    )))
    .bind(b)
    .bind(village)
    .bind(settled)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let sms = maeul_db::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO deliveries (broadcast_id, channel, e164, subscribers, village_id, state, \
             reason, attempt, updated_at, provider) \
         SELECT $1, 'sms', {E164}, '[' || s.id || ']', s.village_id, \
             CASE WHEN {HASH} % 17 = 0 THEN 'failed' ELSE 'delivered' END, \
             CASE WHEN {HASH} % 17 = 0 THEN 'power_off' ELSE NULL END, \
             1, $3, 'sandbox' \
         {WHO} AND s.want_sms AND s.phone_kind = 'mobile' \
         ON CONFLICT (broadcast_id, channel, e164) DO NOTHING"
    )))
    .bind(b)
    .bind(village)
    .bind(settled)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(voice + sms)
}
