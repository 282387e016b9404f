//! The outbox: deliveries and the only moves their state may make. Every move is one UPDATE
//! guarded by the state it leaves, so two workers (or a worker and a restart) can never both
//! move the same row.

use maeul_db::{Conn, Engine, dialect};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::fanout::Channel;
use crate::provider::Failure;

mod planned;
pub use planned::insert_planned;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    Pending,
    /// Written before the provider is called; if the desk stops here, the provider is asked
    /// what it has before anything is sent again.
    Submitting,
    Submitted,
    Delivered,
    Answered,
    Listened,
    Failed,
    Cancelled,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Submitting => "submitting",
            DeliveryState::Submitted => "submitted",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Answered => "answered",
            DeliveryState::Listened => "listened",
            DeliveryState::Failed => "failed",
            DeliveryState::Cancelled => "cancelled",
        }
    }

    pub const ALL: [DeliveryState; 8] = [
        DeliveryState::Pending,
        DeliveryState::Submitting,
        DeliveryState::Submitted,
        DeliveryState::Delivered,
        DeliveryState::Answered,
        DeliveryState::Listened,
        DeliveryState::Failed,
        DeliveryState::Cancelled,
    ];

    pub fn parse(s: &str) -> Option<DeliveryState> {
        DeliveryState::ALL.into_iter().find(|d| d.as_str() == s)
    }

    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            DeliveryState::Delivered
                | DeliveryState::Answered
                | DeliveryState::Listened
                | DeliveryState::Failed
                | DeliveryState::Cancelled
        )
    }

    /// The moves the outbox allows. A retry goes back to Pending only through
    /// [`schedule_retry_batch`], and is counted when it is claimed again.
    pub fn can_move_to(self, next: DeliveryState) -> bool {
        use DeliveryState as S;
        matches!(
            (self, next),
            (S::Pending, S::Submitting | S::Cancelled)
                | (S::Submitting, S::Submitted | S::Failed | S::Pending)
                | (
                    S::Submitted,
                    S::Delivered | S::Answered | S::Listened | S::Failed
                )
                | (S::Answered, S::Listened)
        )
    }
}

/// The key a provider sees for one attempt of one delivery: the same on a re-send after a
/// crash, different for a deliberate retry.
pub fn idempotency_key(broadcast_id: i64, channel: Channel, e164: &str, attempt: u32) -> String {
    let mut h = Sha256::new();
    h.update(format!(
        "{broadcast_id}|{}|{e164}|{attempt}",
        channel.as_str()
    ));
    hex::encode(&h.finalize()[..16])
}

/// Who holds the rows a pass moves to submitting, and until when (UTC stamp): until then no
/// other worker looks them up or puts them back.
#[derive(Debug, Clone, Copy)]
pub struct Lease<'a> {
    pub owner: &'a str,
    pub until: &'a str,
}

/// A pending delivery about to be handed to a provider.
#[derive(Debug, Clone)]
pub struct Due {
    pub id: i64,
    pub broadcast_id: i64,
    pub channel: Channel,
    pub e164: String,
    /// Attempts made so far.
    pub attempt: u32,
}

/// Puts `[id, a, b, c, d]` rows (shorter ones leave the rest NULL) into the connection's
/// temporary `staged` table, keyed by id, so that one UPDATE can join them by primary key. (An UPDATE … FROM json_each() is planned
/// as a scan of the whole outbox per row.) The batch UPDATEs write `+state` so that SQLite
/// looks rows up by id rather than walking every row of that state through its index.
pub(crate) async fn stage(
    conn: &mut Conn,
    rows: Vec<serde_json::Value>,
) -> Result<(), sqlx::Error> {
    let engine = conn.engine();
    // Untyped columns on SQLite (a holds an attempt or a text, as the caller stages it);
    // typed on PostgreSQL, where the statements cast `a` when it is an attempt.
    let create = match engine {
        Engine::Sqlite => {
            "CREATE TEMP TABLE IF NOT EXISTS staged (id INTEGER PRIMARY KEY, a, b, c, d)"
        }
        Engine::Postgres => {
            "CREATE TEMP TABLE IF NOT EXISTS staged \
             (id BIGINT PRIMARY KEY, a TEXT, b TEXT, c TEXT, d BIGINT)"
        }
    };
    maeul_db::query(create).execute(&mut *conn).await?;
    // On PostgreSQL a DELETE leaves the rows' dead versions behind, and autovacuum never
    // visits temporary tables: every later statement would scan all earlier batches.
    let empty = match engine {
        Engine::Sqlite => "DELETE FROM staged",
        Engine::Postgres => "TRUNCATE staged",
    };
    maeul_db::query(empty).execute(&mut *conn).await?;
    let members = dialect::json_rows_as(engine, "$1", "j");
    maeul_db::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO staged (id, a, b, c, d) \
         SELECT CAST(j.value ->> 0 AS BIGINT), j.value ->> 1, j.value ->> 2, j.value ->> 3, \
             CAST(j.value ->> 4 AS BIGINT) FROM {members}"
    )))
    .bind(serde_json::Value::Array(rows).to_string())
    .execute(&mut *conn)
    .await?;
    if engine == Engine::Postgres {
        // Temporary tables get no statistics of their own: without them the planner
        // guessed the join to the outbox wrong and scanned every delivery per batch.
        maeul_db::query("ANALYZE staged")
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// [`begin_submit`] for a whole batch in one statement: the claim. Returns (id, key) of the
/// rows that were still pending and are now submitting under `lease`; rows another worker
/// claimed first are not among them, so no two workers ever hold the same row.
///
/// Claimed only at the attempt the caller read: the due rows are read before the claim, and
/// meanwhile another worker may have sent a row, seen it fail and put it back to pending.
/// Claimed from that stale read, it would go out again under the key already used.
pub async fn begin_submit_batch(
    conn: &mut Conn,
    due: &[Due],
    provider: &str,
    group_id: Option<&str>,
    now: &str,
    lease: Lease<'_>,
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    let rows: Vec<serde_json::Value> = due
        .iter()
        .map(|d| {
            let attempt = d.attempt + 1;
            let key = idempotency_key(d.broadcast_id, d.channel, &d.e164, attempt);
            serde_json::json!([d.id, attempt, key])
        })
        .collect();
    stage(conn, rows).await?;
    let state = dialect::unindexed(conn.engine(), "state");
    maeul_db::query(sqlx::AssertSqlSafe(format!(
        "UPDATE deliveries SET state = 'submitting', provider = $1, updated_at = $2, provider_group_id = $3, \
             lease_owner = $4, lease_until = $5, \
             attempt = (SELECT CAST(a AS BIGINT) FROM staged WHERE staged.id = deliveries.id), \
             idempotency_key = (SELECT b FROM staged WHERE staged.id = deliveries.id) \
         WHERE id IN (SELECT id FROM staged) AND {state} = 'pending' \
             AND attempt = (SELECT CAST(a AS BIGINT) FROM staged WHERE staged.id = deliveries.id) - 1"
    )))
    .bind(provider)
    .bind(now)
    .bind(group_id)
    .bind(lease.owner)
    .bind(lease.until)
    .execute(&mut *conn)
    .await?;
    // The rows this call moved (not one another worker took first), as one JSON row.
    let moved = dialect::json_rows(conn.engine(), &["d.id", "d.idempotency_key"], None);
    let (json,): (String,) = maeul_db::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {moved} \
         FROM staged s JOIN deliveries d ON d.id = s.id \
         WHERE d.state = 'submitting' AND d.idempotency_key = s.b AND d.lease_owner = $1 \
             AND d.lease_until = $2"
    )))
    .bind(lease.owner)
    .bind(lease.until)
    .fetch_one(&mut *conn)
    .await?;
    Ok(serde_json::from_str(&json).unwrap_or_default())
}

/// [`record_submitted`] for a batch: (delivery id, provider message id). Only rows `holder`
/// still leases: one whose lease another worker took over is that worker's to settle.
pub async fn record_submitted_batch(
    conn: &mut Conn,
    accepted: &[(i64, String)],
    group_id: Option<&str>,
    now: &str,
    holder: &str,
) -> Result<u32, sqlx::Error> {
    let rows: Vec<serde_json::Value> = accepted
        .iter()
        .map(|(id, m)| serde_json::json!([id, m]))
        .collect();
    stage(conn, rows).await?;
    let state = dialect::unindexed(conn.engine(), "state");
    let done = maeul_db::query(sqlx::AssertSqlSafe(format!(
        "UPDATE deliveries SET state = 'submitted', provider_group_id = COALESCE($1, provider_group_id), updated_at = $2, \
             lease_owner = NULL, lease_until = NULL, \
             provider_message_id = (SELECT a FROM staged WHERE staged.id = deliveries.id) \
         WHERE id IN (SELECT id FROM staged) AND {state} = 'submitting' AND lease_owner = $3"
    )))
    .bind(group_id)
    .bind(now)
    .bind(holder)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() as u32)
}

/// [`advance`] for many rows leaving the same state for the same state.
pub async fn advance_batch(
    conn: &mut Conn,
    ids: &[i64],
    from: DeliveryState,
    to: DeliveryState,
    now: &str,
) -> Result<u32, sqlx::Error> {
    if !from.can_move_to(to) || ids.is_empty() {
        return Ok(0);
    }
    let engine = conn.engine();
    let (state, listed) = (
        dialect::unindexed(engine, "state"),
        dialect::json_ints(engine, "$1"),
    );
    let done = maeul_db::query(sqlx::AssertSqlSafe(format!(
        "UPDATE deliveries SET state = $3, updated_at = $4 WHERE {state} = $2 AND id IN ({listed})"
    )))
    .bind(serde_json::to_string(ids).unwrap_or_else(|_| "[]".into()))
    .bind(from.as_str())
    .bind(to.as_str())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() as u32)
}

/// Moves one delivery from `from` to `to` if it is still in `from`; false when another worker
/// moved it first or the move is not allowed.
pub async fn advance(
    conn: &mut Conn,
    id: i64,
    from: DeliveryState,
    to: DeliveryState,
    reason: Option<&str>,
    now: &str,
) -> Result<bool, sqlx::Error> {
    if !from.can_move_to(to) {
        return Ok(false);
    }
    let done = maeul_db::query(
        "UPDATE deliveries SET state = $3, reason = COALESCE($4, reason), updated_at = $5 \
         WHERE id = $1 AND state = $2",
    )
    .bind(id)
    .bind(from.as_str())
    .bind(to.as_str())
    .bind(reason)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Pending → submitting for one attempt, before any network call: counts the attempt, names
/// the provider and fixes the idempotency key. Returns the key, or `None` if the row was no
/// longer pending.
pub async fn begin_submit(
    conn: &mut Conn,
    id: i64,
    provider: &str,
    now: &str,
    lease: Lease<'_>,
) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(i64, String, String, i64)> = maeul_db::query_as(
        "SELECT broadcast_id, channel, e164, attempt FROM deliveries WHERE id = $1 AND state = 'pending'",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((broadcast_id, channel, e164, attempt)) = row else {
        return Ok(None);
    };
    let Some(channel) = Channel::parse(&channel) else {
        return Err(sqlx::Error::Decode(
            format!("delivery {id}: unknown channel {channel:?}").into(),
        ));
    };
    let due = Due {
        id,
        broadcast_id,
        channel,
        e164,
        attempt: attempt as u32,
    };
    let moved = begin_submit_batch(conn, &[due], provider, None, now, lease).await?;
    Ok(moved.into_iter().next().map(|(_, key)| key))
}

/// Submitting → pending for an attempt the provider never received (the desk stopped
/// before the call): the attempt is taken back, so the next one carries the same key and
/// the retry budget is not spent on it. Only while `holder` leases the row.
pub async fn unsubmit(
    conn: &mut Conn,
    id: i64,
    now: &str,
    holder: &str,
) -> Result<bool, sqlx::Error> {
    let done = maeul_db::query(
        "UPDATE deliveries SET state = 'pending', attempt = CASE WHEN attempt > 0 THEN attempt - 1 ELSE 0 END, idempotency_key = NULL, \
         provider_group_id = NULL, lease_owner = NULL, lease_until = NULL, updated_at = $2 \
         WHERE id = $1 AND state = 'submitting' AND lease_owner = $3",
    )
    .bind(id)
    .bind(now)
    .bind(holder)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Right after the provider answered: its ids, and submitting → submitted. Only while
/// `holder` leases the row.
pub async fn record_submitted(
    conn: &mut Conn,
    id: i64,
    group_id: Option<&str>,
    message_id: Option<&str>,
    now: &str,
    holder: &str,
) -> Result<bool, sqlx::Error> {
    let done = maeul_db::query(
        "UPDATE deliveries SET state = 'submitted', provider_group_id = COALESCE($2, provider_group_id), \
         provider_message_id = $3, lease_owner = NULL, lease_until = NULL, updated_at = $4 \
         WHERE id = $1 AND state = 'submitting' AND lease_owner = $5",
    )
    .bind(id)
    .bind(group_id)
    .bind(message_id)
    .bind(now)
    .bind(holder)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A delivery a restart must reconcile with its provider before sending anything again.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct InFlight {
    pub id: i64,
    pub provider: String,
    pub key: String,
    pub group_id: Option<String>,
    pub e164: String,
    pub channel: String,
    pub previous_id: Option<String>,
}

/// Takes over, under `lease`, the rows left submitting that its worker may look up at the
/// provider: its own (from an earlier pass of its own, which has ended: a lost answer, a pass
/// cut at its deadline) and any whose lease has run out by `now` (the holder stopped). One
/// statement, so two workers never both take the same row; the lookup's outcome is then
/// written only while the lease is still theirs. A row under another worker's live lease may
/// be mid-call and is not touched.
pub async fn take_in_flight(
    conn: &mut Conn,
    now: &str,
    lease: Lease<'_>,
) -> Result<Vec<InFlight>, sqlx::Error> {
    let mut rows: Vec<InFlight> = maeul_db::query_as(
        "UPDATE deliveries SET lease_owner = $2, lease_until = $3 \
         WHERE state = 'submitting' \
             AND (lease_until IS NULL OR lease_until <= $1 OR lease_owner = $2) \
         RETURNING id, COALESCE(provider, '') AS provider, COALESCE(idempotency_key, '') AS key, \
             provider_group_id AS group_id, e164, channel, provider_message_id AS previous_id",
    )
    .bind(now)
    .bind(lease.owner)
    .bind(lease.until)
    .fetch_all(&mut *conn)
    .await?;
    rows.sort_by(|a, b| (&a.group_id, a.id).cmp(&(&b.group_id, b.id)));
    Ok(rows)
}

/// Failed attempts that may be tried again (no answer, busy, a 429): back to pending with
/// the time of the next attempt, for rows (id, attempt, why, next attempt time). The
/// provider's code is kept with the reason (cleared where it gave none), so the two always
/// tell of the same attempt.
///
/// Only rows still at that attempt, in `from` (and, submitting, leased by `holder`): two
/// workers may poll the same submitted rows, and the slower one's answer must not put back
/// to pending a row the other has already retried and sent again, or it would go out twice
/// (under two keys, invisible to the provider).
pub async fn schedule_retry_batch(
    conn: &mut Conn,
    rows: &[(i64, u32, Failure, String)],
    from: DeliveryState,
    holder: &str,
    now: &str,
) -> Result<u32, sqlx::Error> {
    // A retry follows a failed submission or a failed receipt, nothing else.
    if rows.is_empty() || !matches!(from, DeliveryState::Submitting | DeliveryState::Submitted) {
        return Ok(0);
    }
    stage(
        conn,
        rows.iter()
            .map(|(id, attempt, f, next)| {
                serde_json::json!([id, f.reason.as_str(), next, f.code, attempt])
            })
            .collect(),
    )
    .await?;
    let state = dialect::unindexed(conn.engine(), "state");
    let done = maeul_db::query(sqlx::AssertSqlSafe(format!(
        "UPDATE deliveries SET state = 'pending', updated_at = $1, lease_owner = NULL, lease_until = NULL, \
             reason = (SELECT a FROM staged WHERE staged.id = deliveries.id), \
             next_attempt_at = (SELECT b FROM staged WHERE staged.id = deliveries.id), \
             provider_code = (SELECT c FROM staged WHERE staged.id = deliveries.id) \
         WHERE id IN (SELECT id FROM staged) AND {state} = $2 \
             AND ($2 <> 'submitting' OR lease_owner = $3) \
             AND attempt = (SELECT d FROM staged WHERE staged.id = deliveries.id)"
    )))
    .bind(now)
    .bind(from.as_str())
    .bind(holder)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() as u32)
}

/// Fails a batch for good: (id, attempt, why), each still at that attempt and in `from`
/// (and, submitting, leased by `holder`), as [`schedule_retry_batch`].
pub async fn fail_batch(
    conn: &mut Conn,
    rows: &[(i64, u32, Failure)],
    from: DeliveryState,
    holder: &str,
    now: &str,
) -> Result<u32, sqlx::Error> {
    if rows.is_empty() || !from.can_move_to(DeliveryState::Failed) {
        return Ok(0);
    }
    stage(
        conn,
        rows.iter()
            .map(|(id, attempt, f)| {
                serde_json::json!([id, f.reason.as_str(), null, f.code, attempt])
            })
            .collect(),
    )
    .await?;
    let state = dialect::unindexed(conn.engine(), "state");
    let done = maeul_db::query(sqlx::AssertSqlSafe(format!(
        "UPDATE deliveries SET state = 'failed', updated_at = $2, lease_owner = NULL, lease_until = NULL, \
             reason = (SELECT a FROM staged WHERE staged.id = deliveries.id), \
             provider_code = (SELECT c FROM staged WHERE staged.id = deliveries.id) \
         WHERE id IN (SELECT id FROM staged) AND {state} = $1 \
             AND ($1 <> 'submitting' OR lease_owner = $3) \
             AND attempt = (SELECT d FROM staged WHERE staged.id = deliveries.id)"
    )))
    .bind(from.as_str())
    .bind(now)
    .bind(holder)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() as u32)
}
