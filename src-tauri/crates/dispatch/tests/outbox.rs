//! The outbox on a migrated database: rows written before the network, guarded moves, keys
//! that repeat after a crash and change for a retry.

use maeul_dispatch::fanout::{Channel, Planned};
use maeul_dispatch::outbox::{
    DeliveryState as S, Lease, advance, begin_submit, idempotency_key, insert_planned,
    record_submitted, schedule_retry, take_in_flight,
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

async fn conn_with_broadcast() -> (maeul_db::Db, i64) {
    let db = maeul_db::open_memory().await.unwrap();
    let (id,): (i64,) = sqlx::query_as(
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
    sqlx::query_as("SELECT state, attempt, idempotency_key FROM deliveries WHERE id = $1")
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
    let (id,): (i64,) = sqlx::query_as("SELECT id FROM deliveries WHERE channel = 'sms'")
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
    let (id,): (i64,) = sqlx::query_as("SELECT id FROM deliveries")
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
        schedule_retry(&mut conn, id, Reason::NoAnswer, "2026-11-26T00:03:00Z", now)
            .await
            .unwrap()
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
