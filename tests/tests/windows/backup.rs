//! Backup and restore on Windows, where an open file cannot be replaced: a restore while
//! another `maeul.exe` has the database open is refused before anything is touched.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use crate::wine::{maeul, ok, stats, text, win, workdir};

#[test]
#[ignore = "run by ./dev test-windows under Wine"]
fn restore_is_refused_while_another_desk_has_the_database_open() {
    let dir = workdir();
    let d = dir.path().join("홍 길동");
    let db = d.join("desk.db");
    ok(maeul(Some(&db)).arg("demo-seed").output().unwrap());
    let backup = d.join("백업 2026-12-05.db");
    ok(maeul(Some(&db))
        .args(["backup", &win(&backup)])
        .output()
        .unwrap());
    // The live database moves on after the backup.
    let csv = d.join("새 명부.csv");
    std::fs::write(
        &csv,
        "읍면,마을,주소,세대주,이름,전화번호,동의일자,동의방법,음성,문자,카카오톡,상태\r\n\
         증평읍,연탄1리,증평읍 연탄리 700,한백업,한백업,010-0555-0700,2024-01-02,서면,Y,Y,N,정상\r\n",
    )
    .unwrap();
    ok(maeul(Some(&db))
        .args(["registry", "import", &win(&csv)])
        .output()
        .unwrap());
    let after = stats(&db)["subscribers"].as_i64().unwrap();

    // Another desk syncing to a provider that is down keeps the database open.
    ok(maeul(Some(&db))
        .args([
            "provider",
            "set",
            "solapi",
            "--base-url",
            "http://127.0.0.1:9",
        ])
        .args([
            "--key-env",
            "K",
            "--secret-env",
            "S",
            "--sender",
            "0438353233",
        ])
        .env("K", "NCSTESTKEY")
        .env("S", "x")
        .output()
        .unwrap());
    ok(maeul(Some(&db))
        .args([
            "broadcast",
            "send",
            "--villages",
            "연탄1리",
            "--channels",
            "sms",
            "--text",
            "점검",
        ])
        .output()
        .unwrap());
    let mut holder = maeul(Some(&db))
        .args(["sync", "--drain", "--timeout", "120"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The reader lives until the holder is killed: dropping it would close the pipe, and a
    // holder that can no longer write its progress would be testing something else.
    let mut progress = BufReader::new(holder.stderr.take().unwrap());
    let mut first = String::new();
    progress.read_line(&mut first).unwrap();
    assert!(first.contains("회:"), "the holder is syncing: {first}");
    let progress = std::thread::spawn(move || std::io::copy(&mut progress, &mut std::io::sink()));

    let refused = maeul(Some(&db))
        .args(["restore", &win(&backup)])
        .output()
        .unwrap();
    let still_running = holder.try_wait().unwrap().is_none();
    let _ = holder.kill();
    let _ = holder.wait();
    let _ = progress.join();
    assert!(
        still_running,
        "the holder stopped before the restore was tried"
    );
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        text(&refused.stderr).contains("열고 있어 복원하지 않았습니다"),
        "{}",
        text(&refused.stderr)
    );
    // Nothing was touched: the live database is whole and still has the later rows.
    assert_eq!(stats(&db)["subscribers"].as_i64(), Some(after));
    assert!(!d.join("desk.db.restoring").exists());

    // With every desk closed the restore goes through, keeping the replaced database.
    ok(maeul(Some(&db))
        .args(["restore", &win(&backup)])
        .output()
        .unwrap());
    assert_eq!(stats(&db)["subscribers"].as_i64(), Some(after - 1));
    assert!(d.join("desk.db.before-restore").is_file());
    let audit = ok(maeul(Some(&db)).args(["audit", "verify"]).output().unwrap());
    assert!(audit.contains("intact"), "{audit}");
}
