//! Several senders on one database: on a file, the app's sync loop (run here as the app
//! runs it, in this process) beside two `maeul sync --drain` processes; on the office's
//! PostgreSQL server, three `maeul sync --drain` processes. Against the fake Solapi with
//! faults on, the `maeul` processes are SIGKILLed at 20 moments and restarted. Leases on
//! the outbox keep them apart: at the end every delivery is terminal, the provider saw no
//! duplicate, and it accepted exactly the attempts the outbox recorded.

mod common;

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::{Lcg, assert_settled_once, county_sending_to, faulty_provider, open_db, sender};
use maeul_api::{Desk, SyncLoop};

/// What the watcher saw of the leases while the senders ran.
#[derive(Default)]
struct Seen {
    /// The most distinct workers holding submitting rows at one moment.
    most_at_once: AtomicUsize,
    /// Moments at which the app's loop (a worker of this process) held rows.
    app_held: AtomicUsize,
}

/// Samples who holds submitting rows every 50 ms until `stop`.
async fn watch_leases(db: OsString, seen: Arc<Seen>, stop: Arc<AtomicBool>) {
    let pool = open_db(&db).await;
    let app = format!(":{}:", std::process::id());
    while !stop.load(Ordering::Relaxed) {
        let owners: Vec<(String,)> = maeul_db::query_as(
            "SELECT DISTINCT lease_owner FROM deliveries \
             WHERE state = 'submitting' AND lease_owner IS NOT NULL",
        )
        .fetch_all(&pool)
        .await
        .unwrap_or_default();
        let owners: BTreeSet<String> = owners.into_iter().map(|(o,)| o).collect();
        seen.most_at_once.fetch_max(owners.len(), Ordering::Relaxed);
        if owners.iter().any(|o| o.contains(&app)) {
            seen.app_held.fetch_add(1, Ordering::Relaxed);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    pool.close().await;
}

/// `n` `maeul sync --drain` processes on `db`, SIGKILLed `kills` times at random moments
/// (from `seed`), each replaced at once; then the last ones finish their drains.
async fn killed_senders_drain(db: &std::ffi::OsStr, n: usize, kills: usize, seed: u64) {
    let mut rng = Lcg(seed);
    let mut senders: Vec<_> = (0..n).map(|_| sender(db)).collect();
    for _ in 0..kills {
        tokio::time::sleep(Duration::from_millis(150 + rng.below(1200))).await;
        let which = rng.below(n as u64) as usize;
        // SIGKILL: no destructor, no flush, no goodbye; a new process takes its place.
        let _ = senders[which].kill();
        let _ = senders[which].wait();
        senders[which] = sender(db);
    }
    for s in &mut senders {
        assert!(s.wait().unwrap().success(), "a sync --drain failed");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_and_two_killed_sync_processes_send_each_message_once() {
    let (addr, _server) = faulty_provider().await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("senders.db");
    let id = county_sending_to(&db, addr, "all", "sms");

    let started = Instant::now();
    let seen = Arc::new(Seen::default());
    let stop_watch = Arc::new(AtomicBool::new(false));
    let watcher = tokio::spawn(watch_leases(
        db.clone().into(),
        seen.clone(),
        stop_watch.clone(),
    ));

    // The app's own loop, on this file, for the whole test.
    let desk = Desk::open(&db).await.unwrap();
    let (app, task) = SyncLoop::new(desk.clone(), |_| {});
    let app_task = tokio::spawn(task);

    let kills = 20;
    // The last two finish their drains; the app's loop goes on beside them.
    killed_senders_drain(db.as_os_str(), 2, kills, 20261207).await;
    let deadline = Instant::now() + Duration::from_secs(120);
    while desk.sync_open().await.unwrap() > 0 {
        assert!(
            Instant::now() < deadline,
            "the app's loop left deliveries open"
        );
        app.wake();
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    app.stop();
    app_task.await.unwrap();
    stop_watch.store(true, Ordering::Relaxed);
    watcher.await.unwrap();
    desk.close().await;

    let o = assert_settled_once(&db, addr, &id).await;
    assert!(o.deliveries > 40_000, "county-wide: {}", o.deliveries);
    let at_once = seen.most_at_once.load(Ordering::Relaxed);
    assert!(at_once >= 2, "the senders never overlapped: {at_once}");
    eprintln!(
        "{kills} kills, {} deliveries, {} attempts, {:.0} s; at most {at_once} workers held \
         leases at once, the app's loop in {} samples; provider: {}",
        o.deliveries,
        o.attempts,
        started.elapsed().as_secs_f64(),
        seen.app_held.load(Ordering::Relaxed),
        o.stats
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_killed_sync_processes_on_the_office_server_send_each_message_once() {
    let cluster = maeul_pg_cluster::Cluster::start().expect("PostgreSQL 15 (./dev installs it)");
    let url = cluster.create_database("senders").unwrap();
    let (addr, _server) = faulty_provider().await;
    let id = county_sending_to(&url, addr, "all", "sms");

    let started = Instant::now();
    let seen = Arc::new(Seen::default());
    let stop_watch = Arc::new(AtomicBool::new(false));
    let watcher = tokio::spawn(watch_leases(
        url.clone().into(),
        seen.clone(),
        stop_watch.clone(),
    ));

    let kills = 20;
    killed_senders_drain(url.as_ref(), 3, kills, 20261208).await;
    stop_watch.store(true, Ordering::Relaxed);
    watcher.await.unwrap();

    let o = assert_settled_once(&url, addr, &id).await;
    assert!(o.deliveries > 40_000, "county-wide: {}", o.deliveries);
    let at_once = seen.most_at_once.load(Ordering::Relaxed);
    assert!(at_once >= 2, "the senders never overlapped: {at_once}");
    eprintln!(
        "PostgreSQL: {kills} kills, {} deliveries, {} attempts, {:.0} s; at most {at_once} \
         workers held leases at once; provider: {}",
        o.deliveries,
        o.attempts,
        started.elapsed().as_secs_f64(),
        o.stats
    );
}
