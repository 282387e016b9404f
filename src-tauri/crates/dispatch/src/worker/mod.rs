//! One pass of the sync worker: reconcile what a crash left in flight, submit what is due,
//! and poll the provider for receipts. The loops around it (the app's sync loop and
//! `maeul sync --drain`, both in `api`) call this and wait [`TickReport::next_wait`] between
//! passes; tests call it directly, advancing the clock themselves.

use jiff::Timestamp;
use maeul_db::{Db, Engine, dialect};

use crate::DispatchError;
use crate::chief_notice;
use crate::fanout::Channel;
use crate::keypad::{Keypad, Poll};
use crate::outbox::{self, DeliveryState as S};
use crate::policy::{Policy, stamp};
use crate::provider::{Failure, Found, Lookup, MessageRef, Outgoing, Provider, Receipt, Submitted};
use crate::store;
use polled::Polled;

mod polled;
mod replies;
mod report;
pub use report::TickReport;

/// What a pass learned went wrong, applied in a few statements at the end: tried again
/// after the policy's wait while attempts remain and the reason allows it; else failed for
/// good, and the fallback channel (if any) takes over.
#[derive(Default)]
struct Failures {
    /// (id, attempt, why, next attempt time) and (id, attempt, why): the attempt as read,
    /// so that an answer about an earlier attempt changes nothing.
    retry: Vec<(i64, u32, Failure, String)>,
    fail: Vec<(i64, u32, Failure)>,
    fallback: Vec<(i64, Channel)>,
}

impl Failures {
    fn add(
        &mut self,
        (id, attempt, channel): (i64, u32, Channel),
        failure: Failure,
        policy: &Policy,
        provider: &dyn Provider,
        now: Timestamp,
    ) {
        match policy.waits.get(attempt.saturating_sub(1) as usize) {
            Some(wait) if failure.reason.retryable() => {
                self.retry.push((id, attempt, failure, stamp(now + *wait)));
            }
            _ => {
                let worth_it = failure.reason.falls_back();
                self.fail.push((id, attempt, failure));
                if let Some(next) = policy
                    .fallback
                    .after(channel)
                    .filter(|next| worth_it && provider.carries(*next))
                {
                    self.fallback.push((id, next));
                }
            }
        }
    }

    async fn apply(
        self,
        conn: &mut maeul_db::Conn,
        from: S,
        holder: &str,
        at: &str,
        report: &mut TickReport,
    ) -> Result<(), DispatchError> {
        report.retries += outbox::schedule_retry_batch(conn, &self.retry, from, holder, at).await?;
        report.failed += outbox::fail_batch(conn, &self.fail, from, holder, at).await?;
        report.fallbacks += store::add_fallbacks(conn, &self.fallback, at).await?;
        Ok(())
    }
}

/// Pending deliveries that may leave now, as one JSON text: practice broadcasts to the
/// sandbox only (and only they, in a practice-only pass: $5); normal ones not during quiet
/// hours ($4), nor before their time or approval; cancelled never. Emergencies or the rest,
/// in the state index's order (new rows, then retries by their time), at most $2. A claim's
/// read locks what it reads and passes over rows another desk's claim holds.
fn due_sql(engine: Engine, emergencies: bool, claim: bool) -> String {
    let rows = dialect::json_rows(
        engine,
        &[
            "id",
            "broadcast_id",
            "channel",
            "e164",
            "attempt",
            "title",
            "body",
            "recording",
            "poll",
        ],
        Some(&format!(
            "{}, id",
            dialect::nulls_first(engine, "next_attempt_at")
        )),
    );
    // Emergencies are found through their (few) broadcasts and deliveries_broadcast rather
    // than by walking every pending row: SQLite's CROSS JOIN keeps that join order.
    let (from, which) = match (emergencies, engine) {
        (true, Engine::Sqlite) => (
            "FROM broadcasts b CROSS JOIN deliveries d ON d.broadcast_id = b.id",
            "b.emergency",
        ),
        (true, Engine::Postgres) => (
            "FROM broadcasts b JOIN deliveries d ON d.broadcast_id = b.id",
            "b.emergency",
        ),
        (false, _) => (
            "FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id",
            "NOT b.emergency",
        ),
    };
    let order = dialect::nulls_first(engine, "d.next_attempt_at");
    let lock = if claim {
        dialect::skip_locked(engine, "d")
    } else {
        String::new()
    };
    format!(
        "SELECT {rows} FROM ( \
         SELECT d.id, d.broadcast_id, d.channel, d.e164, d.attempt, b.title, \
             COALESCE(d.body, b.body) AS body, b.recording, b.poll, d.next_attempt_at \
         {from} \
         WHERE d.state = 'pending' AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= $1) \
         AND (NOT b.practice OR $3 = 'sandbox') AND (b.practice OR NOT $5) \
         AND (b.send_at IS NULL OR b.send_at <= $1) \
         AND (NOT b.needs_approval OR b.approved_at IS NOT NULL) \
         AND b.cancelled_at IS NULL \
         AND (b.emergency OR NOT $4) \
         AND {which} ORDER BY {order}, d.id LIMIT $2{lock}) AS due"
    )
}

/// Which pending rows a pass may send, beside the time and how many: see [`due_sql`].
#[derive(Debug, Clone, Copy)]
struct Wanted<'a> {
    provider: &'a str,
    quiet: bool,
    practice_only: bool,
}

/// What a pass hands its claims. On SQLite the due rows it read: the claim holds the file's
/// write lock, and its UPDATE leaves any another worker took since. On PostgreSQL only how
/// many: each claim reads its own rows inside its transaction and locks them (SKIP LOCKED),
/// so that two desks passing at the same moment take different rows instead of one taking
/// them and the other nothing.
enum Due {
    Read(Vec<DueRow>),
    Claim(i64),
}

impl Due {
    /// The batch cut in two, for the two groups a batched provider is sent at once.
    fn halves(self) -> (Due, Due) {
        match self {
            Due::Read(mut rows) => {
                let later = rows.split_off(rows.len() / 2);
                (Due::Read(rows), Due::Read(later))
            }
            Due::Claim(n) => (Due::Claim(n / 2), Due::Claim(n - n / 2)),
        }
    }
}

/// Up to `limit` due rows, emergencies first: the pass's look at what is due, or (`claim`)
/// the claim's own read of them inside its transaction.
async fn read_due(
    conn: &mut maeul_db::Conn,
    at: &str,
    limit: i64,
    wanted: Wanted<'_>,
    claim: bool,
) -> Result<Vec<DueRow>, DispatchError> {
    let engine = conn.engine();
    let mut due: Vec<DueRow> = Vec::new();
    for emergencies in [true, false] {
        let room = limit - due.len() as i64;
        if room <= 0 {
            break;
        }
        let (json,): (String,) =
            maeul_db::query_as(sqlx::AssertSqlSafe(due_sql(engine, emergencies, claim)))
                .bind(at)
                .bind(room)
                .bind(wanted.provider)
                .bind(wanted.quiet)
                .bind(wanted.practice_only)
                .fetch_one(&mut *conn)
                .await?;
        due.extend(json_rows::<DueRow>(&json)?);
    }
    Ok(due)
}

/// A channel as stored; anything else is a damaged row, reported rather than sent as SMS.
fn channel(stored: &str, id: i64) -> Result<Channel, DispatchError> {
    Channel::parse(stored).ok_or_else(|| {
        DispatchError::invalid(
            "channel",
            format!("발송 {id}: 모르는 채널입니다 ({stored:?})"),
        )
    })
}

/// Rows cross from SQLite as one JSON array: sqlx's driver hands each result row over a
/// channel between threads, which for thousands of rows costs more than the query.
fn json_rows<T: serde::de::DeserializeOwned>(json: &str) -> Result<Vec<T>, DispatchError> {
    serde_json::from_str(json).map_err(|e| DispatchError::invalid("outbox", e.to_string()))
}

type DueRow = (
    i64,
    i64,
    String,
    String,
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
);

/// The keypad question of a voice call: its broadcast's poll, or "press 1 once heard". A
/// poll that does not read back is a damaged row, reported rather than sent without it.
fn keypad(channel: Channel, poll: Option<&str>, id: i64) -> Result<Option<Keypad>, DispatchError> {
    if channel != Channel::Voice {
        return Ok(None);
    }
    let poll: Option<Poll> = poll
        .map(|p| {
            serde_json::from_str(p).map_err(|e| {
                DispatchError::invalid("poll", format!("발송 {id}: 설문을 읽을 수 없습니다 ({e})"))
            })
        })
        .transpose()?;
    Ok(Some(Keypad::for_poll(poll.as_ref())))
}

/// The due rows as the claim writes them, and each call's keypad question: a channel or a
/// poll that does not read back is a damaged row, reported with nothing left submitting.
fn prepare(due: &[DueRow]) -> Result<(Vec<outbox::Due>, Vec<Option<Keypad>>), DispatchError> {
    let rows: Vec<outbox::Due> = due
        .iter()
        .map(|(id, b, stored, e164, attempt, ..)| {
            Ok(outbox::Due {
                id: *id,
                broadcast_id: *b,
                channel: channel(stored, *id)?,
                e164: e164.clone(),
                attempt: *attempt as u32,
            })
        })
        .collect::<Result<_, DispatchError>>()?;
    let keypads = due
        .iter()
        .zip(&rows)
        .map(|((id, .., poll), row)| keypad(row.channel, poll.as_deref(), *id))
        .collect::<Result<_, DispatchError>>()?;
    Ok((rows, keypads))
}

/// A new group for a batch (for providers that have them), or `None` with the provider's
/// refusal reported: the pass then sends nothing more.
async fn open_group(provider: &dyn Provider, report: &mut TickReport) -> Option<Option<String>> {
    match provider.open_group().await {
        Ok(g) => Some(g),
        Err(e) => {
            report.stopped(e);
            None
        }
    }
}

/// Hands the due rows to the provider: first written as submitting (with their keys) in one
/// transaction that is on disk before the provider is called, then the answers in another.
async fn submit_due(
    db: &Db,
    provider: &dyn Provider,
    policy: &Policy,
    now: Timestamp,
    (due, wanted): (Due, Wanted<'_>),
    report: &mut TickReport,
) -> Result<(), DispatchError> {
    let at = stamp(now);
    // The claim: one transaction moves the rows that are still pending to submitting under
    // this worker's lease. Rows another worker claimed meanwhile are not among them. The
    // group is opened only once there is something to send, and before the claim's
    // transaction: nothing is held over the provider's call (a cancel waiting for claimed
    // rows would hold every desk's writer lock meanwhile).
    let (mut tx, group, due, (rows, keypads)) = match due {
        Due::Read(due) if due.is_empty() => return Ok(()),
        Due::Read(due) => {
            // A damaged row is reported before anything is opened or claimed.
            let prepared = prepare(&due)?;
            let Some(group) = open_group(provider, report).await else {
                return Ok(());
            };
            (maeul_db::begin_rows(db).await?, group, due, prepared)
        }
        Due::Claim(limit) => {
            let mut conn = db.acquire().await?;
            if limit <= 0 || read_due(&mut conn, &at, 1, wanted, false).await?.is_empty() {
                return Ok(());
            }
            drop(conn);
            let Some(group) = open_group(provider, report).await else {
                return Ok(());
            };
            let mut tx = maeul_db::begin_rows(db).await?;
            // Another desk may have taken them all meanwhile: the group then stays empty.
            let due = read_due(&mut tx, &at, limit, wanted, true).await?;
            if due.is_empty() {
                return Ok(());
            }
            let prepared = prepare(&due)?;
            (tx, group, due, prepared)
        }
    };
    let until = stamp(now + policy.lease());
    let lease = outbox::Lease {
        owner: &policy.worker,
        until: &until,
    };
    let keys = outbox::begin_submit_batch(
        &mut tx,
        &rows,
        provider.name(),
        group.as_deref(),
        &at,
        lease,
    )
    .await?;
    tx.commit().await?;
    let keys: std::collections::HashMap<i64, String> = keys.into_iter().collect();
    let batch: Vec<Outgoing> = due
        .into_iter()
        .zip(&rows)
        .zip(keypads)
        .filter_map(
            |(((id, _, _, e164, _, title, body, recording, _), row), keypad)| {
                Some(Outgoing {
                    delivery_id: id,
                    channel: row.channel,
                    to: e164,
                    subject: title,
                    text: body,
                    recording,
                    idempotency_key: keys.get(&id)?.clone(),
                    keypad,
                })
            },
        )
        .collect();
    if batch.is_empty() {
        return Ok(());
    }
    let answers = match provider.submit(group.as_deref(), &batch).await {
        Ok(a) => a,
        // The rows stay 'submitting'; the next pass asks the provider what it got.
        Err(e) => {
            report.stopped(e);
            return Ok(());
        }
    };
    let attempts: std::collections::HashMap<i64, u32> =
        rows.iter().map(|r| (r.id, r.attempt + 1)).collect();
    let mut accepted = Vec::new();
    let mut not_sent = Vec::new();
    let mut failures = Failures::default();
    for (m, answer) in batch.iter().zip(answers) {
        match answer {
            Submitted::Accepted { message_id } => accepted.push((m.delivery_id, message_id)),
            Submitted::Unknown(e) => {
                if !report.interrupted() {
                    report.stopped(e);
                }
            }
            Submitted::NotSent(e) => {
                not_sent.push(m.delivery_id);
                if !report.interrupted() {
                    report.stopped(e);
                }
            }
            Submitted::Rejected(failure) => {
                let attempt = attempts.get(&m.delivery_id).copied().unwrap_or(1);
                failures.add(
                    (m.delivery_id, attempt, m.channel),
                    failure,
                    policy,
                    provider,
                    now,
                );
            }
        }
    }
    // Only this worker's leased rows change: no desk-wide lock (see `begin_rows`).
    let mut tx = maeul_db::begin_rows(db).await?;
    report.submitted +=
        outbox::record_submitted_batch(&mut tx, &accepted, group.as_deref(), &at, &policy.worker)
            .await?;
    failures
        .apply(&mut tx, S::Submitting, &policy.worker, &at, report)
        .await?;
    for id in not_sent {
        outbox::unsubmit(&mut tx, id, &at, &policy.worker).await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn tick(
    db: &Db,
    provider: &dyn Provider,
    policy: &Policy,
    now: Timestamp,
) -> Result<TickReport, DispatchError> {
    let mut report = within_deadline(policy, pass(db, provider, policy, now, false)).await?;
    if report.paused.is_some() {
        return Ok(report);
    }
    // 4. Broadcasts this pass (or an earlier one) settled: their chiefs' lists, queued for
    // the next pass.
    let mut tx = maeul_db::begin_write(db).await?;
    report.chief_notices = chief_notice::run(&mut tx, policy.chief_notice, now).await?;
    // 5. Escalation steps that came due: texts and chiefs' call lists for the households
    // that have not confirmed, queued for the next pass.
    report.escalations = crate::escalation::run(&mut tx, now).await?;
    tx.commit().await?;
    Ok(report)
}

/// A pass over practice broadcasts only, through the built-in sandbox: what the desk runs
/// beside [`tick`] when a real provider is configured, so that a trainer's practice sends
/// settle (and show as sent in the lesson) instead of waiting for ever for a sandbox that
/// never runs. No chief's notice is made for practice.
pub async fn practice_tick(
    db: &Db,
    policy: &Policy,
    now: Timestamp,
) -> Result<TickReport, DispatchError> {
    let sandbox = crate::sandbox::Sandbox::new();
    within_deadline(policy, pass(db, &sandbox, policy, now, true)).await
}

/// A pass cut at the policy's deadline. The rows it leases stay leased for the deadline plus
/// a margin (counted from the `now` the caller read just before), so a cut pass has always
/// stopped before another worker may take them over. Cut, the pass's future is dropped
/// between awaits: its transactions roll back or are already committed, and rows it left
/// submitting are looked up before anything is sent again (as after a crash).
async fn within_deadline(
    policy: &Policy,
    pass: impl std::future::Future<Output = Result<TickReport, DispatchError>>,
) -> Result<TickReport, DispatchError> {
    let deadline = std::time::Duration::try_from(policy.pass_deadline)
        .unwrap_or(std::time::Duration::from_secs(120));
    match tokio::time::timeout(deadline, pass).await {
        Ok(report) => report,
        Err(_) => Ok(TickReport {
            deadline: true,
            ..TickReport::default()
        }),
    }
}

async fn pass(
    db: &Db,
    provider: &dyn Provider,
    policy: &Policy,
    now: Timestamp,
    practice_only: bool,
) -> Result<TickReport, DispatchError> {
    let mut report = TickReport::default();
    let at = stamp(now);
    let mut conn = db.acquire().await?;
    // A restored database: nothing moves (not even a lookup that could requeue) until a
    // person resumes the outbox.
    if let Some(why) = maeul_db::settings::get(&mut conn, maeul_db::settings::OUTBOX_PAUSED).await?
    {
        report.paused = Some(why);
        return Ok(report);
    }

    // 1. Rows a crash left between "about to send" and "sent": ask the provider first,
    // one group (or, for providers without groups, one batch) at a time. Only this worker's
    // own leftovers (its passes run one at a time) and rows whose lease ran out: a live lease
    // is another worker (the app beside `maeul sync`, another desk) maybe still sending
    // them, and putting them back would send them twice.
    let until = stamp(now + policy.lease());
    let lease = outbox::Lease {
        owner: &policy.worker,
        until: &until,
    };
    let in_flight: Vec<_> = outbox::take_in_flight(&mut conn, &at, lease)
        .await?
        .into_iter()
        .filter(|r| r.provider == provider.name())
        .collect();
    // A failed lookup ends this step only; the next steps are independent of it (a lost
    // connection makes them fail fast too), and every step's progress is kept.
    'reconcile: for chunk in in_flight.chunk_by(|a, b| a.group_id == b.group_id) {
        for part in chunk.chunks(policy.batch.max(1) as usize) {
            let lookups: Vec<Lookup> = part
                .iter()
                .map(|r| {
                    Ok(Lookup {
                        key: r.key.clone(),
                        to: r.e164.clone(),
                        channel: channel(&r.channel, r.id)?,
                        previous: r.previous_id.clone(),
                    })
                })
                .collect::<Result<_, DispatchError>>()?;
            let group = part[0].group_id.as_deref();
            let found = match provider.find(group, &lookups).await {
                Ok(f) => f,
                Err(e) => {
                    report.stopped(e);
                    break 'reconcile;
                }
            };
            for (row, found) in part.iter().zip(found) {
                match found {
                    Found::Sent(m) => {
                        outbox::record_submitted(
                            &mut conn,
                            row.id,
                            group,
                            Some(&m),
                            &at,
                            &policy.worker,
                        )
                        .await?;
                        report.reconciled += 1;
                    }
                    Found::Absent => {
                        if outbox::unsubmit(&mut conn, row.id, &at, &policy.worker).await? {
                            report.requeued += 1;
                        }
                    }
                    Found::Unknown => {}
                }
            }
        }
    }

    // 2. What is due: written as submitting (with its key) before the provider is called.
    // Practice broadcasts go to the sandbox and nowhere else; normal ones wait out quiet
    // hours, a schedule, a missing approval; cancelled ones never leave.
    let quiet = policy.quiet.hold_until(now).is_some();
    // Emergencies first (found through their broadcasts), then the rest. The order is the
    // state index's own (new rows, then retries by their time), so a pass reads one batch
    // of it instead of sorting every pending row of a county-wide send.
    // CROSS JOIN keeps the (few) emergency broadcasts outside, so their pending rows are
    // found through deliveries_broadcast instead of by walking every pending row.
    let wanted = Wanted {
        provider: provider.name(),
        quiet,
        practice_only,
    };
    let engine = conn.engine();
    let due = match engine {
        Engine::Sqlite => {
            Due::Read(read_due(&mut conn, &at, i64::from(policy.batch), wanted, false).await?)
        }
        Engine::Postgres => Due::Claim(i64::from(policy.batch)),
    };
    drop(conn);
    report.quiet = quiet;

    // 3. Receipts for what the provider already holds. For a provider that takes a batch in
    // one request, asked for while this pass's batch is being written and sent, and the
    // batch sent as two groups at once: the three touch different rows (pending →
    // submitting → submitted in each half, submitted → terminal for the receipts), none
    // holds a write lock across its network call (only the receipts' read, on PostgreSQL, keeps
    // its rows locked over it: see `polled`), and each writes its rows in its own
    // transactions, so a crash anywhere leaves what passes in sequence would.
    // The provider works on one request while the desk prepares or records another, which
    // is most of what a county-wide sync waits on.
    let mut receipts = TickReport::default();
    if provider.batched() {
        let mut second = TickReport::default();
        let (due, later) = due.halves();
        let (first_sent, second_sent, polled) = tokio::join!(
            submit_due(db, provider, policy, now, (due, wanted), &mut report),
            submit_due(db, provider, policy, now, (later, wanted), &mut second),
            collect_receipts(db, provider, policy, now, &mut receipts),
        );
        first_sent?;
        second_sent?;
        polled?;
        report.absorb(second);
    } else {
        // Receipts first: a provider that answers 429 once this pass's sends have used up
        // its window would otherwise refuse every poll while a long send goes on, and the
        // progress screen would show nothing delivered until the last batch was out.
        collect_receipts(db, provider, policy, now, &mut receipts).await?;
        submit_due(db, provider, policy, now, (due, wanted), &mut report).await?;
    }
    report.absorb(receipts);
    // 4. What residents pressed on answered calls; not asked of a provider that has just
    // stopped answering or asked us to slow down.
    if !report.interrupted() {
        replies::collect_replies(db, provider, policy, now, &mut report).await?;
    }
    Ok(report)
}

/// Polls the provider for the receipts of what it holds and applies them.
async fn collect_receipts(
    db: &Db,
    provider: &dyn Provider,
    policy: &Policy,
    now: Timestamp,
    report: &mut TickReport,
) -> Result<(), DispatchError> {
    let at = stamp(now);
    let mut polled = Polled::begin(db).await?;
    let engine = db.engine();
    let rows = dialect::json_rows(
        engine,
        &[
            "id",
            "provider_message_id",
            "attempt",
            "channel",
            "provider_group_id",
        ],
        Some(&format!(
            "{}, id",
            dialect::nulls_first(engine, "next_attempt_at")
        )),
    );
    let (order, lock) = (
        dialect::nulls_first(engine, "next_attempt_at"),
        dialect::skip_locked(engine, "deliveries"),
    );
    let query = maeul_db::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {rows} FROM ( \
         SELECT id, provider_message_id, attempt, channel, provider_group_id, next_attempt_at \
         FROM deliveries \
         WHERE state = 'submitted' AND provider = $1 AND provider_message_id IS NOT NULL \
         ORDER BY {order}, id LIMIT $2{lock}) AS open"
    )))
    .bind(provider.name())
    .bind(i64::from(policy.batch) * 4);
    let json = polled.read(db, query).await?;
    let open: Vec<(i64, String, i64, String, Option<String>)> = json_rows(&json)?;
    let ids: Vec<MessageRef> = open
        .iter()
        .map(|(_, m, _, _, g)| MessageRef {
            group_id: g.clone(),
            message_id: m.clone(),
        })
        .collect();
    if ids.is_empty() {
        return Ok(());
    }
    let receipts = match provider.status(&ids).await {
        Ok(r) => r,
        Err(e) => {
            report.stopped(e);
            return Ok(());
        }
    };
    let (mut delivered, mut answered, mut listened) = (Vec::new(), Vec::new(), Vec::new());
    let mut failures = Failures::default();
    for ((id, _, attempt, stored, _), receipt) in open.into_iter().zip(receipts) {
        match receipt {
            Receipt::InProgress => {}
            Receipt::Delivered => delivered.push(id),
            Receipt::Answered => answered.push(id),
            Receipt::Listened => listened.push(id),
            Receipt::Failed(failure) => {
                failures.add(
                    (id, attempt as u32, channel(&stored, id)?),
                    failure,
                    policy,
                    provider,
                    now,
                );
            }
        }
    }
    let mut conn = polled.answering(db).await?;
    failures
        .apply(&mut conn, S::Submitted, &policy.worker, &at, report)
        .await?;
    // Answered calls are asked about their keypad from now on.
    let calls: Vec<i64> = answered.iter().chain(&listened).copied().collect();
    for (ids, to) in [
        (delivered, S::Delivered),
        (answered, S::Answered),
        (listened, S::Listened),
    ] {
        report.settled += outbox::advance_batch(&mut conn, &ids, S::Submitted, to, &at).await?;
    }
    let listed = dialect::json_ints(conn.engine(), "$1");
    maeul_db::query(sqlx::AssertSqlSafe(format!(
        "UPDATE deliveries SET reply_due_at = $2 WHERE channel = 'voice' \
             AND state IN ('answered', 'listened') AND reply_digit IS NULL AND reply_checks = 0 \
             AND id IN ({listed})"
    )))
    .bind(serde_json::to_string(&calls).unwrap_or_else(|_| "[]".into()))
    .bind(&at)
    .execute(&mut *conn)
    .await?;
    conn.commit().await?;
    Ok(())
}

/// Deliveries not yet terminal. (Cancelling a broadcast cancels its pending rows.)
pub async fn open_count(db: &Db) -> Result<u32, DispatchError> {
    let (n,): (i64,) = maeul_db::query_as(
        "SELECT COUNT(*) FROM deliveries WHERE state IN ('pending', 'submitting', 'submitted')",
    )
    .fetch_one(db)
    .await?;
    Ok(n as u32)
}

/// Whether any delivery is not yet terminal: what `sync --drain` checks after each pass
/// (cheaper than counting a county-wide send every time).
pub async fn any_open(db: &Db) -> Result<bool, DispatchError> {
    let row: Option<(i64,)> = maeul_db::query_as(
        "SELECT id FROM deliveries WHERE state IN ('pending', 'submitting', 'submitted') LIMIT 1",
    )
    .fetch_optional(db)
    .await?;
    Ok(row.is_some())
}
