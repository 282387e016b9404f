//! Moving a desk onto the office's PostgreSQL server and keeping it there, through `maeul`
//! as an office's IT person would: `db copy` from the desk's file (counts per table, the
//! audit chain verified, nothing written when a row cannot be copied or the server already
//! holds a registry), `--db postgres://…` for every command after, and backup / restore
//! through pg_dump.

mod common;

use std::io::Write;
use std::process::Stdio;

use common::{maeul, ok};

fn stats(db: &str) -> serde_json::Value {
    serde_json::from_str(&ok(maeul(db)
        .args(["registry", "stats", "--json"])
        .output()
        .unwrap()))
    .unwrap()
}

fn add_user(db: &str, username: &str) {
    let mut child = maeul(db)
        .args(["user", "add", "--username", username, "--name", username])
        .args(["--role", "operator"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"correct horse battery\n")
        .unwrap();
    ok(child.wait_with_output().unwrap());
}

fn users(db: &str) -> String {
    ok(maeul(db).args(["user", "list"]).output().unwrap())
}

#[test]
fn a_desk_moves_onto_the_office_server_and_is_backed_up_there() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("desk.db");
    let file = file.to_str().unwrap();
    ok(maeul(file).arg("demo-seed").output().unwrap());
    add_user(file, "jeungpyeong");
    let before = stats(file);

    let cluster = maeul_pg_cluster::Cluster::start().expect("PostgreSQL 15 (./dev installs it)");
    let url = cluster.create_database("office").unwrap();
    let copied = ok(maeul(file)
        .args(["db", "copy", "--from", file, "--to", &url])
        .output()
        .unwrap());
    eprintln!("{copied}");
    assert!(copied.contains("감사 기록 검증: 정상"), "{copied}");
    let households = copied
        .lines()
        .find(|l| l.starts_with("households "))
        .unwrap_or_else(|| panic!("households counted: {copied}"));
    assert!(
        households.contains("파일    37000 · 서버    37000"),
        "{households}"
    );

    // The server holds what the file did, and the desk works on it.
    assert_eq!(stats(&url), before);
    assert!(users(&url).contains("jeungpyeong"));
    ok(maeul(&url).args(["audit", "verify"]).output().unwrap());
    let shown = ok(maeul(&url).args(["db", "where"]).output().unwrap());
    assert!(shown.starts_with("사무실 서버: postgres://"), "{shown}");

    // A second copy into a database with a registry is refused, leaving it as it was.
    let again = maeul(file)
        .args(["db", "copy", "--from", file, "--to", &url])
        .output()
        .unwrap();
    assert!(!again.status.success());
    let said = String::from_utf8_lossy(&again.stderr);
    assert!(said.contains("비어 있지 않습니다"), "{said}");
    assert_eq!(stats(&url), before);

    // Backup through pg_dump, a change, restore: the change is gone, the outbox paused.
    let dump = dir.path().join("office.dump");
    ok(maeul(&url).arg("backup").arg(&dump).output().unwrap());
    add_user(&url, "doan");
    assert!(users(&url).contains("doan"));
    ok(maeul(&url).arg("restore").arg(&dump).output().unwrap());
    let after = users(&url);
    assert!(!after.contains("doan"), "{after}");
    assert!(after.contains("jeungpyeong"), "{after}");
    assert_eq!(stats(&url), before);
    let resumed = ok(maeul(&url).args(["sync", "--resume"]).output().unwrap());
    assert!(resumed.contains("재개"), "{resumed}");
    // A file that is not a pg_dump is refused by name before anything is touched.
    let not_dump = maeul(&url).arg("restore").arg(file).output().unwrap();
    assert!(!not_dump.status.success());
    assert!(String::from_utf8_lossy(&not_dump.stderr).contains("pg_dump"));
}

#[tokio::test]
async fn a_row_that_cannot_be_copied_writes_nothing_and_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("desk.db");
    let file_s = file.to_str().unwrap();
    ok(maeul(file_s).arg("demo-seed").output().unwrap());
    // SQLite's loose typing kept text where a number belongs (as a hand-edited file might).
    use sqlx::Connection;
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", file.display()))
        .await
        .unwrap();
    sqlx::query("PRAGMA foreign_keys = OFF")
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query(
        "UPDATE households SET village_id = 'x' WHERE id = (SELECT MAX(id) FROM households)",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();

    let cluster = maeul_pg_cluster::Cluster::start().expect("PostgreSQL 15 (./dev installs it)");
    let url = cluster.create_database("office").unwrap();
    let out = maeul(file_s)
        .args(["db", "copy", "--from", file_s, "--to", &url])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("households.village_id"), "{said}");
    assert!(said.contains("행 37000"), "{said}");
    // Nothing of the file reached the server.
    let s = stats(&url);
    assert_eq!(s["villages"].as_i64(), Some(0), "{s}");
    assert_eq!(s["households"].as_i64(), Some(0), "{s}");
}
