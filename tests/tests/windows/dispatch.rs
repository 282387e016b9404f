//! Sending from the Windows build: the provider's secret in Windows' Credential Manager,
//! and a county-wide send synced by `maeul.exe` killed mid-way, against the fake provider
//! running natively on loopback.

use std::net::SocketAddr;
use std::process::Stdio;
use std::time::{Duration, Instant};

use maeul_fake_provider::{self as fake, Config};

use crate::wine::{maeul, ok, reg_query, workdir};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run by ./dev test-windows under Wine"]
async fn sync_killed_under_windows_loses_nothing_and_sends_nothing_twice() {
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
    let dir = workdir();
    let db = dir.path().join("홍 길동/desk.db");
    ok(maeul(Some(&db)).arg("demo-seed").output().unwrap());
    for (k, v) in [
        ("dispatch.retry_schedule", "1s"),
        ("dispatch.backoff_base", "1s"),
        ("dispatch.quiet_hours", "off"),
    ] {
        ok(maeul(Some(&db))
            .args(["settings", "set", k, v])
            .output()
            .unwrap());
    }

    // The secret goes to Windows' Credential Manager (CredWriteW), never to the database.
    let secret = "wine-test-secret-7f3a";
    let fake_secret = "test-secret";
    let provider_set = |secret: &str| {
        ok(maeul(Some(&db))
            .args([
                "provider",
                "set",
                "solapi",
                "--base-url",
                &format!("http://{addr}"),
            ])
            .args([
                "--key-env",
                "WIN_KEY",
                "--secret-env",
                "WIN_SECRET",
                "--rate",
                "0",
            ])
            .args([
                "--kakao-pf",
                "KA01PF-TEST",
                "--kakao-template",
                "KA01TP-NOTICE",
            ])
            .env("WIN_KEY", "NCSTESTKEY")
            .env("WIN_SECRET", secret)
            .output()
            .unwrap())
    };
    provider_set(secret);
    let creds = reg_query(r"HKCU\Software\Wine\Credential Manager");
    assert!(
        creds.contains("kr.maeul.desk"),
        "no credential written: {creds}"
    );
    assert!(
        !creds.contains(secret),
        "the secret is stored encrypted: {creds}"
    );
    let stored = std::fs::read(&db).unwrap();
    assert!(
        !stored.windows(secret.len()).any(|w| w == secret.as_bytes()),
        "the secret never reaches the database"
    );
    // The fake knows the real secret: set it, read back through CredReadW by `provider test`.
    provider_set(fake_secret);
    ok(maeul(Some(&db))
        .args(["provider", "test"])
        .output()
        .unwrap());

    let id = ok(maeul(Some(&db))
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
    let id = id.trim().to_string();

    let started = Instant::now();
    // Kill delays past Wine's start-up (~0.5 s), so most land inside a pass.
    let kills: Vec<u64> = (0..8u64)
        .map(|i| 1200 + (i * 2_654_435_761) % 2800)
        .collect();
    for wait in &kills {
        let mut child = maeul(Some(&db))
            .args(["sync", "--drain", "--timeout", "600"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        tokio::time::sleep(Duration::from_millis(*wait)).await;
        // SIGKILL to the Windows process itself (wine execs into it): no unwinding, no flush.
        let _ = child.kill();
        let _ = child.wait();
    }
    ok(maeul(Some(&db))
        .args(["sync", "--drain", "--timeout", "600"])
        .output()
        .unwrap());

    let report: serde_json::Value = serde_json::from_str(&ok(maeul(Some(&db))
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
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    let (attempts, deliveries): (i64, i64) =
        maeul_db::query_as("SELECT SUM(attempt), COUNT(*) FROM deliveries")
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
