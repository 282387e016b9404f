//! One pass of the sync worker: reconcile what a crash left in flight, submit what is due,
//! and poll the provider for receipts. The loop around it (connectivity, the stop handle)
//! calls this; tests call it directly, advancing the clock themselves.

use jiff::{SignedDuration, Timestamp};
use maeul_db::Db;

use crate::fanout::Channel;
use crate::outbox::{self, DeliveryState as S};
use crate::provider::{Outgoing, Provider, ProviderError, Reason, Receipt, Submitted};

/// `dispatch.retry_schedule`: the waits before the 2nd, 3rd … attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    pub waits: Vec<SignedDuration>,
    pub batch: u32,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            waits: vec![SignedDuration::from_mins(3), SignedDuration::from_mins(15)],
            batch: 500,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TickReport {
    pub reconciled: u32,
    pub requeued: u32,
    pub submitted: u32,
    pub settled: u32,
    pub retries: u32,
    pub failed: u32,
    /// The provider could not be reached; nothing is lost, the next pass carries on.
    pub offline: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error("데이터베이스 오류: {0}")]
    Sql(#[from] sqlx::Error),
}

fn channel_of(s: &str) -> Channel {
    match s {
        "voice" => Channel::Voice,
        "sms" => Channel::Sms,
        _ => Channel::Kakao,
    }
}

/// A failure: tried again after the policy's wait while attempts remain and the reason
/// allows it (true), else failed for good (false).
async fn fail_or_retry(
    conn: &mut maeul_db::Conn,
    (id, from, attempt): (i64, S, u32),
    reason: Reason,
    policy: &RetryPolicy,
    now: Timestamp,
) -> Result<bool, WorkerError> {
    let stamp = now.to_string();
    match policy.waits.get(attempt.saturating_sub(1) as usize) {
        Some(wait) if reason.retryable() => {
            let next = (now + *wait).to_string();
            outbox::schedule_retry(conn, id, reason.as_str(), &next, &stamp).await?;
            Ok(true)
        }
        _ => {
            outbox::advance(conn, id, from, S::Failed, Some(reason.as_str()), &stamp).await?;
            Ok(false)
        }
    }
}

fn count(report: &mut TickReport, retried: bool) {
    if retried {
        report.retries += 1;
    } else {
        report.failed += 1;
    }
}

pub async fn tick(
    db: &Db,
    provider: &dyn Provider,
    policy: &RetryPolicy,
    now: Timestamp,
) -> Result<TickReport, WorkerError> {
    let mut report = TickReport::default();
    let stamp = now.to_string();
    let mut conn = db.acquire().await?;

    // 1. Rows a crash left between "about to send" and "sent": ask the provider first.
    for (id, name, key) in outbox::in_flight(&mut conn).await? {
        if name != provider.name() {
            continue;
        }
        match provider.find(&key).await {
            Ok(Some(message_id)) => {
                outbox::record_submitted(&mut conn, id, None, Some(&message_id), &stamp).await?;
                report.reconciled += 1;
            }
            Ok(None) => {
                outbox::advance(&mut conn, id, S::Submitting, S::Pending, None, &stamp).await?;
                report.requeued += 1;
            }
            Err(ProviderError::Unreachable(_)) => {
                report.offline = true;
                return Ok(report);
            }
            Err(ProviderError::Refused(_)) => continue,
        }
    }

    // 2. What is due: written as submitting (with its key) before the provider is called.
    // Broadcasts made in practice mode go to the sandbox and nowhere else.
    let due: Vec<(i64, String, String, String)> = sqlx::query_as(
        "SELECT d.id, d.channel, d.e164, b.body FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id \
         WHERE d.state = 'pending' AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= $1) \
         AND (b.practice = 0 OR $3 = 'sandbox') \
         ORDER BY d.id LIMIT $2",
    )
    .bind(&stamp)
    .bind(i64::from(policy.batch))
    .bind(provider.name())
    .fetch_all(&mut *conn)
    .await?;
    let mut batch = Vec::with_capacity(due.len());
    for (id, channel, e164, body) in due {
        if let Some(key) = outbox::begin_submit(&mut conn, id, provider.name(), &stamp).await? {
            batch.push(Outgoing {
                delivery_id: id,
                channel: channel_of(&channel),
                to: e164,
                text: body,
                idempotency_key: key,
            });
        }
    }
    if !batch.is_empty() {
        match provider.submit(&batch).await {
            Ok(answers) => {
                for (m, answer) in batch.iter().zip(answers) {
                    match answer {
                        Submitted::Accepted { message_id } => {
                            outbox::record_submitted(
                                &mut conn,
                                m.delivery_id,
                                None,
                                Some(&message_id),
                                &stamp,
                            )
                            .await?;
                            report.submitted += 1;
                        }
                        Submitted::Rejected(reason) => {
                            let attempt = attempt_of(&mut conn, m.delivery_id).await?;
                            let retried = fail_or_retry(
                                &mut conn,
                                (m.delivery_id, S::Submitting, attempt),
                                reason,
                                policy,
                                now,
                            )
                            .await?;
                            count(&mut report, retried);
                        }
                    }
                }
            }
            // The rows stay 'submitting'; the next pass asks the provider what it got.
            Err(_) => {
                report.offline = true;
                return Ok(report);
            }
        }
    }

    // 3. Receipts for what the provider holds.
    let open: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT id, provider_message_id, attempt FROM deliveries \
         WHERE state = 'submitted' AND provider = $1 AND provider_message_id IS NOT NULL ORDER BY id",
    )
    .bind(provider.name())
    .fetch_all(&mut *conn)
    .await?;
    let ids: Vec<String> = open.iter().map(|(_, m, _)| m.clone()).collect();
    if ids.is_empty() {
        return Ok(report);
    }
    let receipts = match provider.status(&ids).await {
        Ok(r) => r,
        Err(_) => {
            report.offline = true;
            return Ok(report);
        }
    };
    for ((id, _, attempt), receipt) in open.into_iter().zip(receipts) {
        let to = match receipt {
            Receipt::InProgress => continue,
            Receipt::Delivered => S::Delivered,
            Receipt::Answered => S::Answered,
            Receipt::Listened => S::Listened,
            Receipt::Failed(reason) => {
                let retried = fail_or_retry(
                    &mut conn,
                    (id, S::Submitted, attempt as u32),
                    reason,
                    policy,
                    now,
                )
                .await?;
                count(&mut report, retried);
                continue;
            }
        };
        if outbox::advance(&mut conn, id, S::Submitted, to, None, &stamp).await? {
            report.settled += 1;
        }
    }
    Ok(report)
}

async fn attempt_of(conn: &mut maeul_db::Conn, id: i64) -> Result<u32, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as("SELECT attempt FROM deliveries WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    Ok(n as u32)
}
