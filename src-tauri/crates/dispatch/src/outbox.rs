//! The outbox: deliveries and the only moves their state may make. Every move is one UPDATE
//! guarded by the state it leaves, so two workers (or a worker and a restart) can never both
//! move the same row.

use maeul_db::Conn;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::fanout::{Channel, Planned};

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

    /// The moves the outbox allows. A retry goes Failed → Pending only through
    /// [`schedule_retry`], which counts the attempt.
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

pub fn channel_str(c: Channel) -> &'static str {
    match c {
        Channel::Voice => "voice",
        Channel::Sms => "sms",
        Channel::Kakao => "kakao",
    }
}

/// The key a provider sees for one attempt of one delivery: the same on a re-send after a
/// crash, different for a deliberate retry.
pub fn idempotency_key(broadcast_id: i64, channel: Channel, e164: &str, attempt: u32) -> String {
    let mut h = Sha256::new();
    h.update(format!(
        "{broadcast_id}|{}|{e164}|{attempt}",
        channel_str(channel)
    ));
    hex::encode(&h.finalize()[..16])
}

/// Writes the planned deliveries of a broadcast as pending rows; returns how many.
pub async fn insert_planned(
    conn: &mut Conn,
    broadcast_id: i64,
    planned: &[Planned],
    now: &str,
) -> Result<u32, sqlx::Error> {
    let mut n = 0;
    for p in planned {
        let subscribers = format!(
            "[{}]",
            p.subscriber_ids
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",")
        );
        let done = sqlx::query(
            "INSERT INTO deliveries (broadcast_id, channel, e164, subscribers, village_id, updated_at) \
             VALUES ($1, $2, $3, $4, NULLIF($5, 0), $6) ON CONFLICT DO NOTHING",
        )
        .bind(broadcast_id)
        .bind(channel_str(p.channel))
        .bind(&p.e164)
        .bind(subscribers)
        .bind(p.village_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        n += done.rows_affected() as u32;
    }
    Ok(n)
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
    let done = sqlx::query(
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
) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(i64, String, String, i64)> = sqlx::query_as(
        "SELECT broadcast_id, channel, e164, attempt FROM deliveries WHERE id = $1 AND state = 'pending'",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((broadcast, channel, e164, attempt)) = row else {
        return Ok(None);
    };
    let channel = match channel.as_str() {
        "voice" => Channel::Voice,
        "sms" => Channel::Sms,
        _ => Channel::Kakao,
    };
    let attempt = attempt as u32 + 1;
    let key = idempotency_key(broadcast, channel, &e164, attempt);
    let done = sqlx::query(
        "UPDATE deliveries SET state = 'submitting', attempt = $2, provider = $3, idempotency_key = $4, \
         updated_at = $5 WHERE id = $1 AND state = 'pending'",
    )
    .bind(id)
    .bind(i64::from(attempt))
    .bind(provider)
    .bind(&key)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok((done.rows_affected() == 1).then_some(key))
}

/// Right after the provider answered: its ids, and submitting → submitted.
pub async fn record_submitted(
    conn: &mut Conn,
    id: i64,
    group_id: Option<&str>,
    message_id: Option<&str>,
    now: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE deliveries SET state = 'submitted', provider_group_id = $2, provider_message_id = $3, \
         updated_at = $4 WHERE id = $1 AND state = 'submitting'",
    )
    .bind(id)
    .bind(group_id)
    .bind(message_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A failed attempt that may be tried again (no answer, busy, a 429): back to pending with
/// the time of the next attempt.
pub async fn schedule_retry(
    conn: &mut Conn,
    id: i64,
    reason: &str,
    next_attempt_at: &str,
    now: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE deliveries SET state = 'pending', reason = $2, next_attempt_at = $3, updated_at = $4 \
         WHERE id = $1 AND state IN ('submitting', 'submitted', 'failed')",
    )
    .bind(id)
    .bind(reason)
    .bind(next_attempt_at)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Deliveries a restart must reconcile with their provider before sending anything again.
pub async fn in_flight(conn: &mut Conn) -> Result<Vec<(i64, String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, COALESCE(provider, ''), COALESCE(idempotency_key, '') FROM deliveries \
         WHERE state = 'submitting' ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await
}
