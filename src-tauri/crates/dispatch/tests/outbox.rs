//! The outbox on a migrated database: rows written before the network, guarded moves, keys
//! that repeat after a crash and change for a retry.

use maeul_dispatch::fanout::{Channel, Planned};
use maeul_dispatch::outbox::{
    DeliveryState as S, Due, Lease, advance, begin_submit, begin_submit_batch, fail_batch,
    idempotency_key, insert_planned, record_submitted, schedule_retry_batch, take_in_flight,
};

/// A lease that runs out a minute after the tests' `now`.
const LEASE: Lease<'static> = Lease {
    owner: "PC-01:1",
    until: "2026-11-26T00:01:00Z",
};

/// Another desk's worker, taking over what the first left.
const OTHER: Lease<'static> = Lease {
    owner: "PC-02:2",
    until: "2026-11-26T00:03:00Z",
};
use maeul_dispatch::provider::Reason;

/// A no-answer retry of `id` at `attempt`, moved from `from` by `holder`: whether it moved.
async fn retry(
    conn: &mut maeul_db::Conn,
    id: i64,
    attempt: u32,
    from: S,
    holder: &str,
    now: &str,
) -> bool {
    let row = [(id, attempt, Reason::NoAnswer.into(), now.to_string())];
    schedule_retry_batch(conn, &row, from, holder, now)
        .await
        .unwrap()
        == 1
}

async fn conn_with_broadcast() -> (maeul_db::Db, i64) {
    let db = maeul_db::open_memory().await.unwrap();
    let (id,): (i64,) = maeul_db::query_as(
        "INSERT INTO broadcasts (title, category, body, created_by, created_at) \
         VALUES ('마을 대청소', 'village_news', '내일 아침 7시 마을 대청소가 있습니다.', 'test', '2026-11-26T00:00:00Z') RETURNING id",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    (db, id)
}

fn planned(channel: Channel, e164: &str, ids: &[i64]) -> Planned {
    Planned {
        channel,
        e164: e164.into(),
        village_id: 0,
        subscriber_ids: ids.to_vec(),
        language: maeul_registry::Language::Ko,
    }
}

async fn state_of(conn: &mut maeul_db::Conn, id: i64) -> (String, i64, Option<String>) {
    maeul_db::query_as("SELECT state, attempt, idempotency_key FROM deliveries WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_delivery_moves_only_along_the_allowed_path() {
    let (db, b) = conn_with_broadcast().await;
    let mut conn = db.acquire().await.unwrap();
    let now = "2026-11-26T00:00:00Z";
    let rows = [
        planned(Channel::Sms, "+821000990001", &[1, 2]),
        planned(Channel::Voice, "+821000990001", &[1, 2]),
    ];
    assert_eq!(
        insert_planned(&mut conn, b, &rows, &[], now).await.unwrap(),
        2
    );
    // Planning the same broadcast again adds nothing.
    assert_eq!(
        insert_planned(&mut conn, b, &rows, &[], now).await.unwrap(),
        0
    );
    let (id,): (i64,) = maeul_db::query_as("SELECT id FROM deliveries WHERE channel = 'sms'")
        .fetch_one(&mut *conn)
        .await
        .unwrap();

    let key = begin_submit(&mut conn, id, "sandbox", now, LEASE)
        .await
        .unwrap()
        .expect("pending row");
    assert_eq!(key, idempotency_key(b, Channel::Sms, "+821000990001", 1));
    // A second worker finds it no longer pending.
    assert_eq!(
        begin_submit(&mut conn, id, "sandbox", now, LEASE)
            .await
            .unwrap(),
        None
    );
    // The desk stops here. While the lease holds, the row is its holder's, maybe mid-call:
    // no other worker looks it up; its holder's next pass does.
    assert!(
        take_in_flight(&mut conn, "2026-11-26T00:00:59Z", OTHER)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        take_in_flight(&mut conn, "2026-11-26T00:00:59Z", LEASE)
            .await
            .unwrap()
            .len(),
        1
    );
    // Once it has run out, another worker takes it over: the row says what must be reconciled,
    // with the key the provider saw, and is now that worker's to settle.
    let flying = take_in_flight(&mut conn, LEASE.until, OTHER).await.unwrap();
    // A third worker past the same expiry finds it taken, and the first holder, back from
    // the dead, can no longer put it back.
    let third = Lease {
        owner: "PC-03:3",
        until: "2026-11-26T00:03:00Z",
    };
    assert!(
        take_in_flight(&mut conn, LEASE.until, third)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        !maeul_dispatch::outbox::unsubmit(&mut conn, id, now, LEASE.owner)
            .await
            .unwrap()
    );
    assert_eq!(flying.len(), 1);
    let f = &flying[0];
    assert_eq!(
        (
            f.id,
            f.provider.as_str(),
            f.key.as_str(),
            f.group_id.as_deref()
        ),
        (id, "sandbox", key.as_str(), None)
    );
    assert_eq!(
        (f.e164.as_str(), f.channel.as_str()),
        ("+821000990001", "sms")
    );

    assert!(
        !record_submitted(&mut conn, id, Some("G1"), Some("M1"), now, LEASE.owner)
            .await
            .unwrap(),
        "the first holder lost the row to the worker that took it over"
    );
    assert!(
        record_submitted(&mut conn, id, Some("G1"), Some("M1"), now, OTHER.owner)
            .await
            .unwrap()
    );
    assert!(
        !advance(&mut conn, id, S::Pending, S::Submitting, None, now)
            .await
            .unwrap(),
        "not pending any more"
    );
    assert!(
        !advance(&mut conn, id, S::Submitted, S::Pending, None, now)
            .await
            .unwrap(),
        "not an allowed move"
    );
    assert!(
        advance(&mut conn, id, S::Submitted, S::Delivered, None, now)
            .await
            .unwrap()
    );
    assert!(S::Delivered.is_terminal());
    assert!(
        !advance(&mut conn, id, S::Delivered, S::Failed, Some("late"), now)
            .await
            .unwrap()
    );
    assert_eq!(state_of(&mut conn, id).await.0, "delivered");
    assert!(
        take_in_flight(&mut conn, LEASE.until, OTHER)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_retry_counts_the_attempt_and_changes_the_key() {
    let (db, b) = conn_with_broadcast().await;
    let mut conn = db.acquire().await.unwrap();
    let now = "2026-11-26T00:00:00Z";
    insert_planned(
        &mut conn,
        b,
        &[planned(Channel::Voice, "+82431110001", &[7])],
        &[],
        now,
    )
    .await
    .unwrap();
    let (id,): (i64,) = maeul_db::query_as("SELECT id FROM deliveries")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    let first = begin_submit(&mut conn, id, "twilio", now, LEASE)
        .await
        .unwrap()
        .unwrap();
    record_submitted(&mut conn, id, None, Some("CA1"), now, LEASE.owner)
        .await
        .unwrap();
    // No answer: tried again in 3 minutes.
    assert!(
        retry(
            &mut conn,
            id,
            1,
            S::Submitted,
            LEASE.owner,
            "2026-11-26T00:03:00Z"
        )
        .await
    );
    let (state, attempt, _) = state_of(&mut conn, id).await;
    assert_eq!((state.as_str(), attempt), ("pending", 1));
    let second = begin_submit(&mut conn, id, "twilio", now, LEASE)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(first, second);
    assert_eq!(
        second,
        idempotency_key(b, Channel::Voice, "+82431110001", 2)
    );
    assert_eq!(state_of(&mut conn, id).await.1, 2);
}

/// One voice delivery of the test broadcast, sent once and failed at its receipt (no
/// answer), so it is pending again at attempt 1: what a stale reader no longer knows.
async fn retried_once(conn: &mut maeul_db::Conn, b: i64, now: &str) -> i64 {
    insert_planned(
        conn,
        b,
        &[planned(Channel::Voice, "+82431110002", &[8])],
        &[],
        now,
    )
    .await
    .unwrap();
    let (id,): (i64,) = maeul_db::query_as("SELECT id FROM deliveries")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    begin_submit(conn, id, "solapi", now, LEASE)
        .await
        .unwrap()
        .unwrap();
    record_submitted(conn, id, None, Some("M1"), now, LEASE.owner)
        .await
        .unwrap();
    let retried = retry(conn, id, 1, S::Submitted, LEASE.owner, now).await;
    assert!(retried);
    id
}

#[tokio::test]
async fn a_claim_from_a_stale_read_takes_nothing() {
    let (db, b) = conn_with_broadcast().await;
    let mut conn = db.acquire().await.unwrap();
    let now = "2026-11-26T00:00:00Z";
    let id = retried_once(&mut conn, b, now).await;
    // Another worker read the row as pending at attempt 0, before the first went out: its
    // claim would send attempt 1 again, under the key the provider has already taken.
    let due = |attempt| Due {
        id,
        broadcast_id: b,
        channel: Channel::Voice,
        e164: "+82431110002".into(),
        attempt,
    };
    let stale = begin_submit_batch(&mut conn, &[due(0)], "solapi", None, now, OTHER)
        .await
        .unwrap();
    assert!(stale.is_empty(), "{stale:?}");
    assert_eq!(state_of(&mut conn, id).await.0, "pending");
    let fresh = begin_submit_batch(&mut conn, &[due(1)], "solapi", None, now, OTHER)
        .await
        .unwrap();
    assert_eq!(
        fresh,
        vec![(id, idempotency_key(b, Channel::Voice, "+82431110002", 2))]
    );
}

#[tokio::test]
async fn a_late_receipt_does_not_put_back_a_row_another_worker_is_sending() {
    let (db, b) = conn_with_broadcast().await;
    let mut conn = db.acquire().await.unwrap();
    let now = "2026-11-26T00:00:00Z";
    let id = retried_once(&mut conn, b, now).await;
    // The retry is claimed by the other desk and is on its way.
    begin_submit(&mut conn, id, "solapi", now, OTHER)
        .await
        .unwrap()
        .unwrap();
    // A third worker polled the same receipt a moment later and now applies it.
    assert!(!retry(&mut conn, id, 1, S::Submitted, "PC-03:3", now).await);
    // Nor may a worker that does not hold the lease retry it from submitting.
    assert!(!retry(&mut conn, id, 2, S::Submitting, LEASE.owner, now).await);
    // Sent again and submitted: an answer about the first attempt, applied late, neither
    // retries nor fails the second.
    record_submitted(&mut conn, id, None, Some("M2"), now, OTHER.owner)
        .await
        .unwrap();
    assert!(!retry(&mut conn, id, 1, S::Submitted, "PC-03:3", now).await);
    let failed = fail_batch(
        &mut conn,
        &[(id, 1, Reason::NoAnswer.into())],
        S::Submitted,
        "PC-03:3",
        now,
    )
    .await
    .unwrap();
    assert_eq!(failed, 0);
    let (state, attempt, _) = state_of(&mut conn, id).await;
    assert_eq!((state.as_str(), attempt), ("submitted", 2));
}
