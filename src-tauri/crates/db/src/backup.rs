use std::path::{Path, PathBuf};

use crate::{Db, DbError};

/// A file beside `path` with `suffix` appended to its name, for staging a replacement.
pub(crate) fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_owned();
    name.push(suffix);
    path.with_file_name(name)
}

pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> DbError + '_ {
    move |source| DbError::Io {
        path: path.to_owned(),
        source,
    }
}

fn utf8(path: &Path) -> Result<&str, DbError> {
    path.to_str().ok_or_else(|| DbError::BadBackup {
        path: path.to_owned(),
        reason: "경로에 UTF-8이 아닌 문자가 있습니다".into(),
    })
}

/// Flushes a finished file to the disk, so that the rename after it publishes whole contents.
/// Opened for writing: Windows flushes only through a handle with write access (a read-only
/// one is refused with "access denied").
fn sync_file(path: &Path) -> Result<(), DbError> {
    std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .and_then(|f| f.sync_all())
        .map_err(io(path))
}

/// Removes a staged file that may still be open for a moment: SQLite closes a connection
/// that failed to open on its own thread, and Windows will not delete an open file.
pub(crate) fn remove_staged(path: &Path) {
    for _ in 0..40 {
        match std::fs::remove_file(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            _ => return,
        }
    }
}

/// The first bytes of every SQLite database file.
const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";

fn looks_like_sqlite(path: &Path) -> Result<bool, DbError> {
    use std::io::Read;
    let mut head = [0u8; 16];
    let mut f = std::fs::File::open(path).map_err(io(path))?;
    Ok(f.read_exact(&mut head).is_ok() && head == SQLITE_MAGIC)
}

/// The same file, whether named by a relative path, a symlink or another spelling.
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Writes a consistent copy of the live database to `dest`. The copy is made beside `dest`
/// and renamed over it only when complete, so a crash or a full disk leaves the previous
/// backup as it was; `dest` naming the live database itself is refused.
pub async fn backup_to(db: &Db, dest: &Path) -> Result<(), DbError> {
    if db.as_sqlite().is_none() {
        return Err(DbError::ServerBackup);
    }
    let (live,): (String,) =
        crate::query_as("SELECT file FROM pragma_database_list WHERE name = 'main'")
            .fetch_one(db)
            .await?;
    if !live.is_empty() && same_file(Path::new(&live), dest) {
        return Err(DbError::BadBackup {
            path: dest.to_owned(),
            reason: "사용 중인 데이터베이스 파일에는 백업할 수 없습니다. 다른 파일 이름을 고르세요"
                .into(),
        });
    }
    let staged = sibling(dest, ".part");
    let _ = std::fs::remove_file(&staged);
    let result = async {
        crate::query("VACUUM INTO $1")
            .bind(utf8(&staged)?)
            .execute(db)
            .await?;
        sync_file(&staged)?;
        std::fs::rename(&staged, dest).map_err(io(dest))
    }
    .await;
    if result.is_err() {
        remove_staged(&staged);
    }
    result
}

/// Replaces the database file at `target` with the backup at `source`. Refused while any
/// desk has `target` open (see [`crate::lock`]). Nothing is touched until a checked,
/// migrated copy of the backup is on disk beside `target`; the previous database is kept as
/// `*.before-restore`; the copy then replaces it in one rename. The backup file itself is
/// only read. The restored database's outbox is paused, noting `at_utc` ([`crate::settings::OUTBOX_PAUSED`]).
pub async fn restore_from(source: &Path, target: &Path, at_utc: &str) -> Result<(), DbError> {
    let bad = |reason: String| DbError::BadBackup {
        path: source.to_owned(),
        reason,
    };
    if !source.is_file() {
        return Err(bad("파일이 없습니다".into()));
    }
    if !looks_like_sqlite(source)? {
        return Err(bad("SQLite 데이터베이스 파일이 아닙니다".into()));
    }
    let _alone = crate::lock::exclusive(target)?;
    let staged = sibling(target, ".restoring");
    let _ = std::fs::remove_file(&staged);
    let result = async {
        std::fs::copy(source, &staged).map_err(io(&staged))?;
        {
            let copy = crate::open(&staged).await.map_err(|e| bad(e.to_string()))?;
            let (ok,): (String,) = crate::query_as("PRAGMA integrity_check")
                .fetch_one(&copy)
                .await?;
            if ok != "ok" {
                copy.close().await;
                return Err(bad(format!("무결성 검사 실패: {ok}")));
            }
            crate::settings::pause_for_restore(&copy, at_utc).await?;
            // Closing the last connection checkpoints the WAL into the file and removes it.
            copy.close().await;
        }
        sync_file(&staged)?;
        if target.exists() {
            let live = crate::open(target).await?;
            let keep = sibling(target, ".before-restore");
            let _ = std::fs::remove_file(&keep);
            crate::query("VACUUM INTO $1")
                .bind(utf8(&keep)?)
                .execute(&live)
                .await?;
            live.close().await;
        }
        // The live file's WAL is empty after the close; a leftover one would be replayed
        // onto the restored file.
        for suffix in ["-wal", "-shm"] {
            let side = sibling(target, suffix);
            match std::fs::remove_file(&side) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io(&side)(e)),
            }
        }
        std::fs::rename(&staged, target).map_err(io(target))
    }
    .await;
    if result.is_err() {
        for suffix in ["", "-wal", "-shm"] {
            remove_staged(&sibling(&staged, suffix));
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn probe(db: &Db) -> String {
        let (v,): (String,) = crate::query_as("SELECT value FROM settings WHERE key = 'probe'")
            .fetch_one(db)
            .await
            .unwrap();
        v
    }

    #[tokio::test]
    async fn backup_then_restore_round_trips_rows() {
        let dir = tempfile::tempdir().unwrap();
        let live = dir.path().join("live.db");
        let db = crate::open(&live).await.unwrap();
        crate::query("INSERT INTO settings (key, value) VALUES ('probe', 'before')")
            .execute(&db)
            .await
            .unwrap();
        let copy = dir.path().join("backup.db");
        backup_to(&db, &copy).await.unwrap();
        crate::query("UPDATE settings SET value = 'after' WHERE key = 'probe'")
            .execute(&db)
            .await
            .unwrap();
        db.close().await;

        restore_from(&copy, &live, "2026-12-05T03:00:00Z")
            .await
            .unwrap();
        let db = crate::open(&live).await.unwrap();
        assert_eq!(probe(&db).await, "before");
        let mut conn = db.acquire().await.unwrap();
        assert_eq!(
            crate::settings::get(&mut conn, crate::settings::OUTBOX_PAUSED)
                .await
                .unwrap()
                .as_deref(),
            Some("restore 2026-12-05T03:00:00Z"),
            "the restored outbox waits for a person"
        );
        drop(conn);
        let kept = crate::open(&dir.path().join("live.db.before-restore"))
            .await
            .unwrap();
        assert_eq!(
            probe(&kept).await,
            "after",
            "the replaced database is kept whole"
        );
        assert!(!dir.path().join("live.db.restoring").exists());
    }

    #[tokio::test]
    async fn restore_refuses_a_file_that_is_not_a_database() {
        let dir = tempfile::tempdir().unwrap();
        let junk = dir.path().join("junk.db");
        std::fs::write(&junk, b"this is not sqlite").unwrap();
        let live = dir.path().join("live.db");
        let db = crate::open(&live).await.unwrap();
        db.close().await;
        let err = restore_from(&junk, &live, "2026-12-05T03:00:00Z")
            .await
            .unwrap_err();
        assert!(matches!(err, DbError::BadBackup { .. }), "{err}");
        crate::open(&live)
            .await
            .expect("the live database is untouched");
        assert!(!dir.path().join("live.db.restoring").exists());
    }

    #[tokio::test]
    async fn restore_refuses_a_damaged_database_and_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let live = dir.path().join("live.db");
        let db = crate::open(&live).await.unwrap();
        let copy = dir.path().join("backup.db");
        backup_to(&db, &copy).await.unwrap();
        db.close().await;
        // A real header, then garbage where the schema should be.
        let mut bytes = std::fs::read(&copy).unwrap();
        bytes.truncate(4096);
        bytes[100..].fill(0xAB);
        std::fs::write(&copy, &bytes).unwrap();
        let err = restore_from(&copy, &live, "2026-12-05T03:00:00Z")
            .await
            .unwrap_err();
        assert!(matches!(err, DbError::BadBackup { .. }), "{err}");
        crate::open(&live)
            .await
            .expect("the live database is untouched");
        assert!(!dir.path().join("live.db.restoring").exists());
    }

    #[tokio::test]
    async fn restore_refuses_while_a_desk_has_the_database_open() {
        let dir = tempfile::tempdir().unwrap();
        let live = dir.path().join("live.db");
        let db = crate::open(&live).await.unwrap();
        let copy = dir.path().join("backup.db");
        backup_to(&db, &copy).await.unwrap();
        let desk = crate::lock::shared(&live).unwrap();
        let err = restore_from(&copy, &live, "2026-12-05T03:00:00Z")
            .await
            .unwrap_err();
        assert!(matches!(err, DbError::InUse { .. }), "{err}");
        drop(desk);
        db.close().await;
        restore_from(&copy, &live, "2026-12-05T03:00:00Z")
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn a_backup_onto_the_live_file_is_refused_and_the_database_kept() {
        let dir = tempfile::tempdir().unwrap();
        let live = dir.path().join("live.db");
        let db = crate::open(&live).await.unwrap();
        crate::query("INSERT INTO settings (key, value) VALUES ('probe', 'kept')")
            .execute(&db)
            .await
            .unwrap();
        let err = backup_to(&db, &live).await.unwrap_err();
        assert!(matches!(err, DbError::BadBackup { .. }), "{err}");
        assert_eq!(probe(&db).await, "kept");
    }

    #[tokio::test]
    async fn a_failed_backup_leaves_the_previous_one_whole() {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::open(&dir.path().join("live.db")).await.unwrap();
        let dest = dir.path().join("backup.db");
        std::fs::write(&dest, b"yesterday's backup").unwrap();
        // VACUUM INTO refuses a target that already exists: the staged name is taken.
        std::fs::create_dir(dir.path().join("backup.db.part")).unwrap();
        backup_to(&db, &dest).await.unwrap_err();
        assert_eq!(std::fs::read(&dest).unwrap(), b"yesterday's backup");
    }
}
