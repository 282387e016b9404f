//! What the crash tests share: the `maeul` command on a database, a demo county sending to
//! the fake Solapi with faults on, and the checks that nothing was lost or sent twice.
//!
//! The provider secret lives in the OS keyring; `./dev test` runs the tests inside a
//! session keyring (`keyctl session -`), which the `maeul` processes inherit.

// Each test file compiles its own copy and uses only some of it.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::net::SocketAddr;
use std::process::{Child, Command, Output, Stdio};

use maeul_fake_provider::{self as fake, Config};

/// `maeul --db DB`: a file path, or a `postgres://` URL for the office server.
pub fn maeul(db: impl AsRef<OsStr>) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_maeul"));
    c.arg("--db").arg(db);
    c
}

pub fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// `maeul sync --drain` on `db` in the background, its output discarded: a sender to kill.
pub fn sender(db: impl AsRef<OsStr>) -> Child {
    maeul(db)
        .args(["sync", "--drain", "--timeout", "600"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// A deterministic random sequence (an LCG), so a failing run can be repeated.
pub struct Lcg(pub u64);

impl Lcg {
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// Kill delays in ms, 150 ms to 1.35 s.
pub fn delays(seed: u64, n: usize) -> Vec<u64> {
    let mut rng = Lcg(seed);
    (0..n).map(|_| 150 + rng.below(1200)).collect()
}

/// The fake Solapi with 5 % 500s, 5 % connections dropped after the work, and 429s above
/// 200 requests a second.
pub async fn faulty_provider() -> (SocketAddr, tokio::task::JoinHandle<()>) {
    fake::serve(
        SocketAddr::from(([127, 0, 0, 1], 0)),
        Config {
            fail_rate: 0.05,
            drop_rate: 0.05,
            rate_limit: 200,
            ..Config::default()
        },
    )
    .await
    .unwrap()
}

/// The demo county in `db`, sending to the fake at `addr` with short retries and a short
/// lease, then one broadcast on `channels` to `villages`; its id.
pub fn county_sending_to(
    db: impl AsRef<OsStr>,
    addr: SocketAddr,
    villages: &str,
    channels: &str,
) -> String {
    let db = db.as_ref();
    ok(maeul(db).arg("demo-seed").output().unwrap());
    for (k, v) in [
        ("dispatch.retry_schedule", "1s"),
        ("dispatch.backoff_base", "1s"),
        ("dispatch.quiet_hours", "off"),
        // A killed process's rows wait out its lease (this plus a quarter) before another
        // looks them up; a county-wide pass against the fake takes well under a second.
        ("dispatch.pass_deadline", "5s"),
    ] {
        ok(maeul(db).args(["settings", "set", k, v]).output().unwrap());
    }
    let set = maeul(db)
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
    ok(maeul(db)
        .args(["broadcast", "send", "--villages", villages])
        .args(["--channels", channels])
        .args([
            "--text",
            "오늘 오후 2시 군청 앞 도로 공사로 통행이 제한됩니다.",
        ])
        .output()
        .unwrap())
}

/// What the drained outbox and the provider add up to.
pub struct Outcome {
    pub deliveries: i64,
    pub attempts: i64,
    pub stats: serde_json::Value,
}

/// Every delivery of broadcast `id` terminal, no duplicate at the provider, and the
/// provider accepted exactly the attempts the outbox recorded: nothing lost, nothing twice.
pub async fn assert_settled_once(db: impl AsRef<OsStr>, addr: SocketAddr, id: &str) -> Outcome {
    let db = db.as_ref();
    let report: serde_json::Value = serde_json::from_str(&ok(maeul(db)
        .args(["broadcast", "report", id, "--json"])
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
    let pool = open_db(db).await;
    let (attempts, deliveries): (i64, i64) =
        maeul_db::query_as("SELECT CAST(SUM(attempt) AS BIGINT), COUNT(*) FROM deliveries")
            .fetch_one(&pool)
            .await
            .unwrap();
    pool.close().await;
    assert_eq!(
        stats["accepted"].as_i64(),
        Some(attempts),
        "every recorded attempt reached the provider exactly once: {stats}"
    );
    Outcome {
        deliveries,
        attempts,
        stats,
    }
}

/// The database `maeul --db` names, opened directly, for reading what was stored.
pub async fn open_db(db: &OsStr) -> maeul_db::Db {
    match maeul_db::Target::parse(&db.to_string_lossy()).unwrap() {
        maeul_db::Target::File(path) => maeul_db::open(&path).await.unwrap(),
        maeul_db::Target::Server(server) => maeul_db::open_server(&server).await.unwrap(),
    }
}
