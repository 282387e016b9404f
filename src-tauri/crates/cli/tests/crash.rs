//! The crash test: a county-wide broadcast (voice + SMS to the demo county) synced by
//! `maeul sync` against the fake Solapi with faults on, the sync process killed (SIGKILL)
//! at 20+ moments and restarted. At the end every delivery is terminal, the provider saw
//! no duplicate, and it accepted exactly the attempts the outbox recorded: nothing lost.
//!
//! The provider secret lives in the OS keyring; `./dev test` runs the tests inside a
//! session keyring (`keyctl session -`), which the `maeul` processes inherit.

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use maeul_fake_provider::{self as fake, Config};

fn maeul(db: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_maeul"));
    c.arg("--db").arg(db);
    c
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A deterministic sequence of kill delays (ms), so a failing run can be repeated.
fn delays(seed: u64, n: usize) -> Vec<u64> {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            150 + (x >> 33) % 1200
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkilled_sync_loses_nothing_and_sends_nothing_twice() {
    let (addr, _server) = fake::serve(
        SocketAddr::from(([127, 0, 0, 1], 0)),
        Config {
            fail_rate: 0.05,
            drop_rate: 0.05,
            rate_limit: 200,
            ..Config::default()
        },
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");
    ok(maeul(&db).arg("demo-seed").output().unwrap());
    for (k, v) in [
        ("dispatch.retry_schedule", "1s"),
        ("dispatch.backoff_base", "1s"),
        ("dispatch.quiet_hours", "off"),
        // A killed process's rows wait out its lease (this plus a quarter) before another
        // looks them up; a county-wide pass against the fake takes well under a second.
        ("dispatch.pass_deadline", "5s"),
    ] {
        ok(maeul(&db).args(["settings", "set", k, v]).output().unwrap());
    }
    let set = maeul(&db)
        .args(["provider", "set", "solapi", "--base-url"])
        .arg(format!("http://{addr}"))
        .args(["--key-env", "CRASH_KEY", "--secret-env", "CRASH_SECRET"])
        .args([
            "--kakao-pf",
            "KA01PF-TEST",
            "--kakao-template",
            "KA01TP-NOTICE",
            // No pacing of our own: the fake's 429s are among the faults under test.
            "--rate",
            "0",
        ])
        .env("CRASH_KEY", "NCSTESTKEY")
        .env("CRASH_SECRET", "test-secret")
        .output()
        .unwrap();
    assert!(
        set.status.success(),
        "provider set needs the OS keyring (run under `keyctl session -`, as ./dev test does): {}",
        String::from_utf8_lossy(&set.stderr)
    );
    let id = ok(maeul(&db)
        .args([
            "broadcast",
            "send",
            "--villages",
            "all",
            "--channels",
            "voice,sms",
        ])
        .args([
            "--text",
            "오늘 오후 2시 군청 앞 도로 공사로 통행이 제한됩니다.",
        ])
        .output()
        .unwrap());

    let started = Instant::now();
    let kills = delays(20261126, 24);
    for wait in &kills {
        let mut child = maeul(&db)
            .args(["sync", "--drain", "--timeout", "600"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        tokio::time::sleep(Duration::from_millis(*wait)).await;
        // SIGKILL: no destructor, no flush, no goodbye.
        let _ = child.kill();
        let _ = child.wait();
    }
    let last = maeul(&db)
        .args(["sync", "--drain", "--timeout", "600"])
        .output()
        .unwrap();
    ok(last);

    let report: serde_json::Value = serde_json::from_str(&ok(maeul(&db)
        .args(["broadcast", "report", &id, "--json"])
        .output()
        .unwrap()))
    .unwrap();
    let open: u64 = report
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| ["pending", "submitting", "submitted"].contains(&r["state"].as_str().unwrap()))
        .map(|r| r["count"].as_u64().unwrap())
        .sum();
    assert_eq!(open, 0, "{report}");

    let stats: serde_json::Value = reqwest::get(format!("http://{addr}/__stats"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["duplicates"], 0, "{stats}");
    assert!(stats["dropped_injected"].as_u64().unwrap() > 0, "{stats}");
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    let (attempts, deliveries): (i64, i64) =
        sqlx::query_as("SELECT SUM(attempt), COUNT(*) FROM deliveries")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(deliveries > 80_000, "county-wide: {deliveries}");
    assert_eq!(
        stats["accepted"].as_i64(),
        Some(attempts),
        "every recorded attempt reached the provider exactly once: {stats}"
    );
    eprintln!(
        "{} kills, {deliveries} deliveries, {attempts} attempts, {:.0} s; provider: {stats}",
        kills.len(),
        started.elapsed().as_secs_f64()
    );
}
