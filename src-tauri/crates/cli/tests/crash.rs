//! The crash test: a county-wide broadcast (voice + SMS to the demo county) synced by
//! `maeul sync` against the fake Solapi with faults on, the sync process killed (SIGKILL)
//! at 20+ moments and restarted. At the end every delivery is terminal, the provider saw
//! no duplicate, and it accepted exactly the attempts the outbox recorded: nothing lost.

mod common;

use std::time::{Duration, Instant};

use common::{assert_settled_once, county_sending_to, delays, faulty_provider, maeul, ok, sender};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkilled_sync_loses_nothing_and_sends_nothing_twice() {
    let (addr, _server) = faulty_provider().await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");
    let id = county_sending_to(&db, addr, "all", "voice,sms");

    let started = Instant::now();
    let kills = delays(20261126, 24);
    for wait in &kills {
        let mut child = sender(&db);
        tokio::time::sleep(Duration::from_millis(*wait)).await;
        // SIGKILL: no destructor, no flush, no goodbye.
        let _ = child.kill();
        let _ = child.wait();
    }
    ok(maeul(&db)
        .args(["sync", "--drain", "--timeout", "600"])
        .output()
        .unwrap());

    let o = assert_settled_once(&db, addr, &id).await;
    assert!(o.deliveries > 80_000, "county-wide: {}", o.deliveries);
    eprintln!(
        "{} kills, {} deliveries, {} attempts, {:.0} s; provider: {}",
        kills.len(),
        o.deliveries,
        o.attempts,
        started.elapsed().as_secs_f64(),
        o.stats
    );
}
