//! The sync worker against the sandbox: every delivery ends terminal, none is sent twice,
//! and a crash at either side of the provider call is recovered without loss or duplicate.

use jiff::{SignedDuration, Timestamp};
use maeul_dispatch::fanout::{Channel, Planned};
use maeul_dispatch::outbox::{Lease, begin_submit, insert_planned};
use maeul_dispatch::policy::Policy;
use maeul_dispatch::provider::{Lookup, Outgoing, Provider};
use maeul_dispatch::sandbox::Sandbox;
use maeul_dispatch::worker::tick;

async fn desk_with_broadcast(numbers: usize) -> maeul_db::Db {
    let db = maeul_db::open_memory().await.unwrap();
    let mut conn = db.acquire().await.unwrap();
    let (b,): (i64,) = maeul_db::query_as(
        "INSERT INTO broadcasts (title, category, body, created_by, created_at) \
         VALUES ('마을 대청소', 'village_news', '내일 아침 7시 마을 대청소가 있습니다.', 'test', '2026-11-26T00:00:00Z') RETURNING id",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    // One village of residents who want every channel: a fallback asks whether its
    // subscribers still want the stand-in channel.
    maeul_db::query(
        "INSERT INTO counties (id, code, name) VALUES (1, '43745', '증평군'); \
         INSERT INTO towns (id, county_id, code, name, kind) VALUES (1, 1, '4374525000', '증평읍', 'eup'); \
         INSERT INTO villages (id, town_id, code, name) VALUES (1, 1, '4374525021', '연탄1리'); \
         INSERT INTO households (id, village_id, address, head_name, created_at) \
             VALUES (1, 1, '연탄리 1', '주민', '2026-11-26T00:00:00Z')",
    )
    .execute(&mut *conn)
    .await
    .unwrap();
    let mut planned = Vec::new();
    for i in 0..numbers {
        let e164 = format!("+82100099{:04}", i + 2);
        let (id,): (i64,) = maeul_db::query_as(
            "INSERT INTO subscribers (household_id, village_id, name, phone, phone_kind, \
                 consent_date, want_kakao, created_at, updated_at) \
             VALUES (1, 1, '주민', $1, 'mobile', '2024-01-02', 1, '', '') RETURNING id",
        )
        .bind(&e164)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        planned.push(Planned {
            channel: Channel::Sms,
            e164: e164.clone(),
            village_id: 1,
            subscriber_ids: vec![id],
            language: maeul_registry::Language::Ko,
        });
        planned.push(Planned {
            channel: Channel::Voice,
            e164,
            village_id: 1,
            subscriber_ids: vec![id],
            language: maeul_registry::Language::Ko,
        });
    }
    insert_planned(&mut conn, b, &planned, &[], "2026-11-26T00:00:00Z")
        .await
        .unwrap();
    drop(conn);
    db
}

async fn states(db: &maeul_db::Db) -> Vec<(String, String, i64)> {
    maeul_db::query_as(
        "SELECT channel || ':' || state, COALESCE(reason, ''), COUNT(*) FROM deliveries \
         GROUP BY channel, state, reason ORDER BY 1, 2",
    )
    .fetch_all(db)
    .await
    .unwrap()
}

/// Runs passes, moving the clock 20 minutes each time, until nothing is left open.
async fn drain(db: &maeul_db::Db, sandbox: &Sandbox, mut now: Timestamp) -> u32 {
    let policy = Policy::default();
    for pass in 1..=20 {
        tick(db, sandbox, &policy, now).await.unwrap();
        let (open,): (i64,) = maeul_db::query_as(
            "SELECT COUNT(*) FROM deliveries WHERE state IN ('pending', 'submitting', 'submitted')",
        )
        .fetch_one(db)
        .await
        .unwrap();
        if open == 0 {
            return pass;
        }
        now += SignedDuration::from_mins(20);
    }
    panic!(
        "deliveries still open after 20 passes: {:?}",
        states(db).await
    );
}

fn start() -> Timestamp {
    "2026-11-26T00:00:00Z".parse().unwrap()
}

/// The lease of a worker that claimed rows at `start()` and then died.
const CRASHED: Lease<'static> = Lease {
    owner: "PC-01:1",
    until: "2026-11-26T00:02:30Z",
};

/// When the crashed worker's lease has run out.
fn after_lease() -> Timestamp {
    CRASHED.until.parse().unwrap()
}

#[tokio::test]
async fn every_delivery_settles_and_none_is_sent_twice() {
    let db = desk_with_broadcast(40).await;
    let sandbox = Sandbox::new();
    drain(&db, &sandbox, start()).await;
    // 40 numbers × 2 channels; numbers ending 0 fail (after 3 attempts), voice ending 1 is
    // busy; the 4 failed texts go again by KakaoTalk (the default fallback) and arrive.
    assert_eq!(
        states(&db).await,
        vec![
            ("kakao:delivered".into(), String::new(), 4),
            ("sms:delivered".into(), String::new(), 36),
            ("sms:failed".into(), "provider_error".into(), 4),
            ("voice:failed".into(), "busy".into(), 4),
            ("voice:failed".into(), "no_answer".into(), 4),
            ("voice:listened".into(), String::new(), 32),
        ]
    );
    let (attempts,): (i64,) = maeul_db::query_as("SELECT MAX(attempt) FROM deliveries")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(
        attempts, 3,
        "the default schedule: first try plus 3 m and 15 m retries"
    );
    // Every attempt reached the sandbox exactly once under its own key.
    let (once, twice) = sandbox.stats();
    assert_eq!(twice, 0);
    assert_eq!(once, 80 - 12 + 12 * 3 + 4);
}

#[tokio::test]
async fn a_crash_after_the_provider_accepted_is_not_sent_again() {
    let db = desk_with_broadcast(1).await;
    let sandbox = Sandbox::new();
    let mut conn = db.acquire().await.unwrap();
    let (id, e164): (i64, String) =
        maeul_db::query_as("SELECT id, e164 FROM deliveries WHERE channel = 'sms'")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
    // The worker wrote the row and the provider took the message; then the desk died before
    // recording the provider's answer.
    let key = begin_submit(&mut conn, id, "sandbox", "2026-11-26T00:00:00Z", CRASHED)
        .await
        .unwrap()
        .unwrap();
    let sent = [Outgoing {
        delivery_id: id,
        channel: Channel::Sms,
        to: e164,
        subject: "마을 대청소".into(),
        text: "…".into(),
        recording: None,
        idempotency_key: key,
        keypad: None,
    }];
    sandbox.submit(None, &sent).await.unwrap();
    drop(conn);

    // While its lease holds, the row is left alone (its holder may be mid-call).
    let report = tick(&db, &sandbox, &Policy::default(), start())
        .await
        .unwrap();
    assert_eq!((report.reconciled, report.requeued), (0, 0));
    let report = tick(&db, &sandbox, &Policy::default(), after_lease())
        .await
        .unwrap();
    assert_eq!(report.reconciled, 1);
    drain(&db, &sandbox, after_lease()).await;
    assert_eq!(
        sandbox.stats(),
        (2, 0),
        "the SMS once (reconciled) and the call once"
    );
}

#[tokio::test]
async fn a_crash_before_the_provider_call_sends_it_once() {
    let db = desk_with_broadcast(1).await;
    let sandbox = Sandbox::new();
    let mut conn = db.acquire().await.unwrap();
    let (id,): (i64,) = maeul_db::query_as("SELECT id FROM deliveries WHERE channel = 'voice'")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    begin_submit(&mut conn, id, "sandbox", "2026-11-26T00:00:00Z", CRASHED)
        .await
        .unwrap()
        .unwrap();
    drop(conn);

    let report = tick(&db, &sandbox, &Policy::default(), after_lease())
        .await
        .unwrap();
    assert_eq!((report.reconciled, report.requeued), (0, 1));
    drain(&db, &sandbox, after_lease()).await;
    assert_eq!(sandbox.stats(), (2, 0));
    assert_eq!(
        states(&db).await,
        vec![
            ("sms:delivered".into(), String::new(), 1),
            ("voice:listened".into(), String::new(), 1)
        ]
    );
}

/// The sandbox under another name: what a real provider looks like to the worker.
struct Real(Sandbox);

impl Provider for Real {
    fn name(&self) -> &'static str {
        "solapi"
    }
    fn submit<'a>(
        &'a self,
        group: Option<&'a str>,
        batch: &'a [Outgoing],
    ) -> maeul_dispatch::provider::BoxFuture<
        'a,
        Result<Vec<maeul_dispatch::provider::Submitted>, maeul_dispatch::provider::ProviderError>,
    > {
        self.0.submit(group, batch)
    }
    fn status<'a>(
        &'a self,
        ids: &'a [maeul_dispatch::provider::MessageRef],
    ) -> maeul_dispatch::provider::BoxFuture<
        'a,
        Result<Vec<maeul_dispatch::provider::Receipt>, maeul_dispatch::provider::ProviderError>,
    > {
        self.0.status(ids)
    }
    fn find<'a>(
        &'a self,
        group: Option<&'a str>,
        keys: &'a [Lookup],
    ) -> maeul_dispatch::provider::BoxFuture<
        'a,
        Result<Vec<maeul_dispatch::provider::Found>, maeul_dispatch::provider::ProviderError>,
    > {
        self.0.find(group, keys)
    }
}

#[tokio::test]
async fn practice_broadcasts_never_reach_a_real_provider() {
    let db = desk_with_broadcast(3).await;
    maeul_db::query("UPDATE broadcasts SET practice = 1")
        .execute(&db)
        .await
        .unwrap();
    let real = Real(Sandbox::new());
    let report = tick(&db, &real, &Policy::default(), start()).await.unwrap();
    assert_eq!(report.submitted, 0);
    assert_eq!(real.0.stats(), (0, 0), "the real provider received nothing");
    let sandbox = Sandbox::new();
    drain(&db, &sandbox, start()).await;
    assert_eq!(sandbox.stats().0, 6);
    assert_eq!(real.0.stats(), (0, 0));
}

/// A provider that takes connections and then never answers a send.
struct Stalled(Sandbox);

impl Provider for Stalled {
    fn name(&self) -> &'static str {
        "sandbox"
    }
    fn submit<'a>(
        &'a self,
        _group: Option<&'a str>,
        _batch: &'a [Outgoing],
    ) -> maeul_dispatch::provider::BoxFuture<
        'a,
        Result<Vec<maeul_dispatch::provider::Submitted>, maeul_dispatch::provider::ProviderError>,
    > {
        Box::pin(std::future::pending())
    }
    fn status<'a>(
        &'a self,
        ids: &'a [maeul_dispatch::provider::MessageRef],
    ) -> maeul_dispatch::provider::BoxFuture<
        'a,
        Result<Vec<maeul_dispatch::provider::Receipt>, maeul_dispatch::provider::ProviderError>,
    > {
        self.0.status(ids)
    }
    fn find<'a>(
        &'a self,
        group: Option<&'a str>,
        keys: &'a [Lookup],
    ) -> maeul_dispatch::provider::BoxFuture<
        'a,
        Result<Vec<maeul_dispatch::provider::Found>, maeul_dispatch::provider::ProviderError>,
    > {
        self.0.find(group, keys)
    }
}

#[tokio::test]
async fn a_stalled_provider_cuts_the_pass_at_its_deadline_and_nothing_is_lost() {
    let db = desk_with_broadcast(3).await;
    let policy = Policy {
        pass_deadline: SignedDuration::from_millis(300),
        ..Policy::default()
    };
    let started = std::time::Instant::now();
    let report = tick(&db, &Stalled(Sandbox::new()), &policy, start())
        .await
        .unwrap();
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "the pass came back"
    );
    assert!(report.deadline && report.interrupted(), "{report:?}");
    // What the cut pass left submitting is looked up, then sent once, by the next passes.
    let sandbox = Sandbox::new();
    drain(&db, &sandbox, start()).await;
    assert_eq!(sandbox.stats(), (6, 0));
}

/// The sandbox behind a gate: the first send waits, inside the provider call, until the test
/// opens the gate. What a slow provider looks like while a second worker runs.
struct Gated {
    sandbox: Sandbox,
    first: std::sync::atomic::AtomicBool,
    entered: tokio::sync::Notify,
    open: tokio::sync::Notify,
}

impl Provider for Gated {
    fn name(&self) -> &'static str {
        "sandbox"
    }
    fn submit<'a>(
        &'a self,
        group: Option<&'a str>,
        batch: &'a [Outgoing],
    ) -> maeul_dispatch::provider::BoxFuture<
        'a,
        Result<Vec<maeul_dispatch::provider::Submitted>, maeul_dispatch::provider::ProviderError>,
    > {
        Box::pin(async move {
            if self.first.swap(false, std::sync::atomic::Ordering::SeqCst) {
                self.entered.notify_one();
                self.open.notified().await;
            }
            self.sandbox.submit(group, batch).await
        })
    }
    fn status<'a>(
        &'a self,
        ids: &'a [maeul_dispatch::provider::MessageRef],
    ) -> maeul_dispatch::provider::BoxFuture<
        'a,
        Result<Vec<maeul_dispatch::provider::Receipt>, maeul_dispatch::provider::ProviderError>,
    > {
        self.sandbox.status(ids)
    }
    fn find<'a>(
        &'a self,
        group: Option<&'a str>,
        keys: &'a [Lookup],
    ) -> maeul_dispatch::provider::BoxFuture<
        'a,
        Result<Vec<maeul_dispatch::provider::Found>, maeul_dispatch::provider::ProviderError>,
    > {
        self.sandbox.find(group, keys)
    }
}

/// The app and `maeul sync` on one file: while one worker is inside the provider call with
/// its rows submitting, the other's pass must neither put them back nor send them again.
/// (Before leases, the second pass took them for a crash's leftovers, found them absent at
/// the provider, requeued and resent them.)
#[tokio::test]
async fn two_workers_on_one_database_never_send_a_row_twice() {
    let db = desk_with_broadcast(5).await;
    let provider = Gated {
        sandbox: Sandbox::new(),
        first: true.into(),
        entered: tokio::sync::Notify::new(),
        open: tokio::sync::Notify::new(),
    };
    let app = Policy {
        worker: "PC-01:100".into(),
        ..Policy::default()
    };
    let sync = Policy {
        worker: "PC-01:200".into(),
        ..Policy::default()
    };
    let first = async { tick(&db, &provider, &app, start()).await.unwrap() };
    let second = async {
        provider.entered.notified().await;
        // Thirty seconds on: the first pass is still within its lease (two and a half minutes).
        let report = tick(
            &db,
            &provider,
            &sync,
            start() + SignedDuration::from_secs(30),
        )
        .await
        .unwrap();
        provider.open.notify_one();
        report
    };
    let (first, second) = tokio::join!(first, second);
    assert_eq!(
        (second.requeued, second.reconciled, second.submitted),
        (0, 0, 0),
        "the second worker left the first one's rows alone: {second:?}"
    );
    assert_eq!(first.submitted, 10, "{first:?}");
    let (holders,): (i64,) = maeul_db::query_as(
        "SELECT COUNT(*) FROM deliveries WHERE lease_owner IS NOT NULL OR lease_until IS NOT NULL",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(holders, 0, "a recorded send keeps no lease");
    drain(&db, &provider.sandbox, start()).await;
    assert_eq!(
        provider.sandbox.stats().1,
        0,
        "nothing reached the provider twice"
    );
}
