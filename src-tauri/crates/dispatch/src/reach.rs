//! The household reach ledger: which households the office actually reached, when, by what,
//! and whether they confirmed — per household and Seoul month in `household_reach` (0022),
//! brought up to date from the deliveries changed since the last refresh. A delivery counts
//! when it reached a person (an SMS or KakaoTalk delivered, a call answered or listened to);
//! a call with a key pressed counts as confirmed. Practice broadcasts never count, and
//! neither do the chiefs' own notices (they list no subscribers).
//!
//! The mapping from a delivery's subscribers to households happens here in Rust rather than
//! in SQL (`json_each`), so that the same code serves both database engines.

use std::collections::HashMap;

use jiff::{SignedDuration, Timestamp};
use maeul_db::{Conn, dialect};
use serde::Serialize;

use crate::DispatchError;
use crate::policy::stamp;

/// Deliveries read per query while catching up (a year of county traffic is ~2 million).
const BATCH: i64 = 50_000;
/// Rows per INSERT while writing the ledger (six parameters each, under SQLite's limit).
const WRITE_CHUNK: usize = 500;

/// `n` days of 24 hours (a Timestamp takes no calendar units).
pub fn days(n: i64) -> SignedDuration {
    SignedDuration::from_hours(24 * n)
}

/// A Seoul month "YYYY-MM" of a stored instant.
pub fn month_of(t: Timestamp) -> String {
    maeul_time::seoul_civil(t).strftime("%Y-%m").to_string()
}

#[derive(Debug, Clone)]
struct Reach {
    village_id: i64,
    last_at: String,
    channel: String,
    broadcast_id: i64,
    confirmed: bool,
}

impl Reach {
    fn merge(&mut self, other: Reach) {
        let confirmed = self.confirmed || other.confirmed;
        if other.last_at > self.last_at {
            *self = other;
        }
        self.confirmed = confirmed;
    }
}

#[derive(sqlx::FromRow)]
struct Changed {
    seq: i64,
    id: i64,
    channel: String,
    subscribers: String,
    updated_at: String,
    broadcast_id: i64,
    confirmed: bool,
    real: bool,
}

/// Whether deliveries wait to be read into the ledger (a read, so that the dashboard and
/// the sync loop take the write lock only when there is something to write).
pub async fn queued(conn: &mut Conn) -> Result<bool, DispatchError> {
    let row: Option<(i64,)> = maeul_db::query_as("SELECT seq FROM reach_queue LIMIT 1")
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.is_some())
}

/// Reads the deliveries queued since the last refresh (see 0022) into the ledger and
/// empties the queue; returns how many queued rows it read. Idempotent: a delivery read
/// twice changes nothing.
pub async fn refresh(conn: &mut Conn) -> Result<u64, DispatchError> {
    let mut after = 0i64;
    let mut ledger: HashMap<(i64, String), Reach> = HashMap::new();
    let mut households: Option<HashMap<i64, (i64, i64)>> = None;
    let mut months: HashMap<String, (String, String)> = HashMap::new();
    let mut read = 0u64;
    let mut seqs: Vec<i64> = Vec::new();
    loop {
        // A queued row of a practice broadcast, or one since purged, is read and dropped.
        let rows: Vec<Changed> = maeul_db::query_as(
            "SELECT q.seq, d.id, d.channel, d.subscribers, d.updated_at, d.broadcast_id, \
                 (d.reply_digit IS NOT NULL AND NOT b.practice) AS confirmed, \
                 (NOT b.practice) AS real \
             FROM reach_queue q JOIN deliveries d ON d.id = q.delivery_id \
                 JOIN broadcasts b ON b.id = d.broadcast_id \
             WHERE q.seq > $1 ORDER BY q.seq LIMIT $2",
        )
        .bind(after)
        .bind(BATCH)
        .fetch_all(&mut *conn)
        .await?;
        let Some(last) = rows.last() else {
            break;
        };
        after = last.seq;
        read += rows.len() as u64;
        seqs.extend(rows.iter().map(|r| r.seq));
        if households.is_none() {
            let rows: Vec<(i64, i64, i64)> = maeul_db::query_as(
                "SELECT s.id, s.household_id, h.village_id \
                 FROM subscribers s JOIN households h ON h.id = s.household_id",
            )
            .fetch_all(&mut *conn)
            .await?;
            households = Some(rows.into_iter().map(|(s, h, v)| (s, (h, v))).collect());
        }
        let of = households.as_ref().expect("loaded above");
        for r in rows.into_iter().filter(|r| r.real) {
            // Rows of one broadcast share a few stamps: parse each once.
            let (month, at) = match months.get(&r.updated_at) {
                Some(m) => m.clone(),
                None => {
                    let t = r.updated_at.parse::<Timestamp>().map_err(|e| {
                        DispatchError::invalid(
                            "deliveries.updated_at",
                            format!("{}번 발송의 시각을 읽을 수 없습니다: {e}", r.id),
                        )
                    })?;
                    let m = (month_of(t), stamp(t));
                    months.insert(r.updated_at.clone(), m.clone());
                    m
                }
            };
            let ids: Vec<i64> = serde_json::from_str(&r.subscribers).unwrap_or_default();
            for s in ids {
                let Some(&(household, village)) = of.get(&s) else {
                    continue;
                };
                let reach = Reach {
                    village_id: village,
                    last_at: at.clone(),
                    channel: r.channel.clone(),
                    broadcast_id: r.broadcast_id,
                    confirmed: r.confirmed,
                };
                match ledger.get_mut(&(household, month.clone())) {
                    Some(old) => old.merge(reach),
                    None => {
                        ledger.insert((household, month.clone()), reach);
                    }
                }
            }
        }
    }
    if read == 0 {
        return Ok(0);
    }
    let rows: Vec<((i64, String), Reach)> = ledger.into_iter().collect();
    // Each household's newest month among what was read, for its ledger line.
    let mut latest: HashMap<i64, (&str, &Reach)> = HashMap::new();
    for ((household, month), r) in &rows {
        let newer = latest
            .get(household)
            .is_none_or(|(m, _)| month.as_str() > *m);
        if newer {
            latest.insert(*household, (month.as_str(), r));
        }
    }
    for chunk in rows.chunks(WRITE_CHUNK) {
        let mut q = maeul_db::QueryBuilder::new(
            "INSERT INTO household_reach \
                 (household_id, month, village_id, last_at, channel, broadcast_id, confirmed) ",
        );
        q.push_values(chunk, |mut b, ((household, month), r)| {
            b.push_bind(*household)
                .push_bind(month)
                .push_bind(r.village_id)
                .push_bind(&r.last_at)
                .push_bind(&r.channel)
                .push_bind(r.broadcast_id)
                .push_bind(r.confirmed);
        });
        // Every SET reads the row as it was: the newer reach wins, a confirmation stays.
        q.push(
            " ON CONFLICT (household_id, month) DO UPDATE SET \
             channel = CASE WHEN excluded.last_at > household_reach.last_at \
                 THEN excluded.channel ELSE household_reach.channel END, \
             broadcast_id = CASE WHEN excluded.last_at > household_reach.last_at \
                 THEN excluded.broadcast_id ELSE household_reach.broadcast_id END, \
             last_at = CASE WHEN excluded.last_at > household_reach.last_at \
                 THEN excluded.last_at ELSE household_reach.last_at END, \
             confirmed = CASE WHEN excluded.confirmed THEN excluded.confirmed \
                 ELSE household_reach.confirmed END",
        );
        q.build().execute(&mut *conn).await?;
    }
    let latest: Vec<(i64, (&str, &Reach))> = latest.into_iter().collect();
    for chunk in latest.chunks(WRITE_CHUNK) {
        let mut q = maeul_db::QueryBuilder::new(
            "INSERT INTO household_last \
                 (household_id, village_id, month, last_at, channel, broadcast_id, confirmed) ",
        );
        q.push_values(chunk, |mut b, (household, (month, r))| {
            b.push_bind(*household)
                .push_bind(r.village_id)
                .push_bind(*month)
                .push_bind(&r.last_at)
                .push_bind(&r.channel)
                .push_bind(r.broadcast_id)
                .push_bind(r.confirmed);
        });
        // A later month replaces the line; the same month keeps a confirmation it had.
        q.push(
            " ON CONFLICT (household_id) DO UPDATE SET \
             confirmed = CASE WHEN excluded.month > household_last.month THEN excluded.confirmed \
                 WHEN excluded.month = household_last.month AND excluded.confirmed \
                     THEN excluded.confirmed \
                 ELSE household_last.confirmed END, \
             channel = CASE WHEN excluded.last_at > household_last.last_at \
                 THEN excluded.channel ELSE household_last.channel END, \
             broadcast_id = CASE WHEN excluded.last_at > household_last.last_at \
                 THEN excluded.broadcast_id ELSE household_last.broadcast_id END, \
             village_id = excluded.village_id, \
             month = CASE WHEN excluded.month > household_last.month \
                 THEN excluded.month ELSE household_last.month END, \
             last_at = CASE WHEN excluded.last_at > household_last.last_at \
                 THEN excluded.last_at ELSE household_last.last_at END",
        );
        q.build().execute(&mut *conn).await?;
    }
    // The rows read, not every seq up to the last: on PostgreSQL a row with a smaller seq
    // can commit after a larger one was read, and must wait for the next refresh.
    let read_seqs = dialect::json_ints(conn.engine(), "$1");
    maeul_db::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM reach_queue WHERE seq IN ({read_seqs})"
    )))
    .bind(serde_json::to_string(&seqs).unwrap_or_else(|_| "[]".into()))
    .execute(&mut *conn)
    .await?;
    Ok(read)
}

/// Reach of one village's households over the last 30 and 90 days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct VillageReach {
    pub village_id: i64,
    pub households: i64,
    pub reached_30: i64,
    pub reached_90: i64,
    /// Reached in the last 90 days, with a call confirmed in the month of the last reach.
    pub confirmed_90: i64,
    pub not_reached_90: i64,
}

/// Every village's reach as of `now` (villages without households are left out).
pub async fn by_village(
    conn: &mut Conn,
    now: Timestamp,
) -> Result<Vec<VillageReach>, DispatchError> {
    let (c30, c90) = (stamp(now - days(30)), stamp(now - days(90)));
    let households: Vec<(i64, i64)> =
        maeul_db::query_as("SELECT village_id, COUNT(*) FROM households GROUP BY village_id")
            .fetch_all(&mut *conn)
            .await?;
    let reached: Vec<(i64, i64, i64, i64)> = maeul_db::query_as(
        "SELECT village_id, \
             COALESCE(SUM(CASE WHEN last_at >= $1 THEN 1 ELSE 0 END), 0), COUNT(*), \
             COALESCE(SUM(CASE WHEN confirmed THEN 1 ELSE 0 END), 0) \
         FROM household_last WHERE last_at >= $2 GROUP BY village_id",
    )
    .bind(c30)
    .bind(c90)
    .fetch_all(&mut *conn)
    .await?;
    Ok(households
        .into_iter()
        .map(|(village_id, households)| {
            let (r30, r90, confirmed) = reached
                .iter()
                .find(|r| r.0 == village_id)
                .map_or((0, 0, 0), |r| (r.1, r.2, r.3));
            VillageReach {
                village_id,
                households,
                reached_30: r30,
                reached_90: r90,
                confirmed_90: confirmed,
                not_reached_90: households - r90,
            }
        })
        .collect())
}

/// One household in the ledger: its latest reach, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type, sqlx::FromRow)]
pub struct HouseholdReach {
    pub household_id: i64,
    pub village_id: i64,
    pub town: String,
    pub village: String,
    pub address: String,
    pub head_name: String,
    /// UTC stamp of the last reach, `None` for never.
    pub last_at: Option<String>,
    pub channel: Option<String>,
    /// Whether a call was confirmed in the month of the last reach.
    pub confirmed: bool,
}

/// Which households the ledger lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Among {
    County,
    Town(i64),
    Village(i64),
}

/// The ledger's households, in village and address order: all of them, or (with
/// `not_since`) those not reached since then — the list for the chief's visit.
pub async fn households(
    conn: &mut Conn,
    among: Among,
    not_since: Option<Timestamp>,
) -> Result<Vec<HouseholdReach>, DispatchError> {
    let (filter, id) = match among {
        Among::County => ("$1 = 0", 0),
        Among::Town(t) => ("v.town_id = $1", t),
        Among::Village(v) => ("h.village_id = $1", v),
    };
    let cutoff = not_since.map(stamp).unwrap_or_default();
    let sql = format!(
        "SELECT h.id AS household_id, h.village_id, t.name AS town, v.name AS village, \
             h.address, h.head_name, r.last_at, r.channel, COALESCE(r.confirmed, FALSE) AS confirmed \
         FROM households h JOIN villages v ON v.id = h.village_id JOIN towns t ON t.id = v.town_id \
         LEFT JOIN household_last r ON r.household_id = h.id \
         WHERE {filter} AND ($2 = '' OR r.last_at IS NULL OR r.last_at < $2) \
         ORDER BY t.code, v.code, h.address, h.id"
    );
    Ok(maeul_db::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(cutoff)
        .fetch_all(&mut *conn)
        .await?)
}

/// Households reached in each Seoul month from `from` to `to` ("YYYY-MM", both included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type, sqlx::FromRow)]
pub struct MonthReach {
    pub month: String,
    pub reached: i64,
    pub confirmed: i64,
}

pub async fn monthly(
    conn: &mut Conn,
    town: Option<i64>,
    from: &str,
    to: &str,
) -> Result<Vec<MonthReach>, DispatchError> {
    Ok(maeul_db::query_as(
        "SELECT month, COUNT(*) AS reached, \
             COALESCE(SUM(CASE WHEN confirmed THEN 1 ELSE 0 END), 0) AS confirmed \
         FROM household_reach \
         WHERE month >= $1 AND month <= $2 \
             AND ($3 = 0 OR village_id IN (SELECT id FROM villages WHERE town_id = $3)) \
         GROUP BY month ORDER BY month",
    )
    .bind(from)
    .bind(to)
    .bind(town.unwrap_or(0))
    .fetch_all(&mut *conn)
    .await?)
}

/// [`monthly`] of one village.
pub async fn monthly_village(
    conn: &mut Conn,
    village: i64,
    from: &str,
    to: &str,
) -> Result<Vec<MonthReach>, DispatchError> {
    Ok(maeul_db::query_as(
        "SELECT month, COUNT(*) AS reached, \
             COALESCE(SUM(CASE WHEN confirmed THEN 1 ELSE 0 END), 0) AS confirmed \
         FROM household_reach WHERE month >= $1 AND month <= $2 AND village_id = $3 \
         GROUP BY month ORDER BY month",
    )
    .bind(from)
    .bind(to)
    .bind(village)
    .fetch_all(&mut *conn)
    .await?)
}
