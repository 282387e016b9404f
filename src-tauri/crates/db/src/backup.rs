use std::path::Path;

use crate::{Db, DbError};

/// Writes a consistent copy of the live database to `dest` while the app keeps running
/// (`VACUUM INTO` reads one snapshot; writers are not blocked for long).
pub async fn backup_to(db: &Db, dest: &Path) -> Result<(), DbError> {
    if dest.exists() {
        std::fs::remove_file(dest).map_err(|source| DbError::Io {
            path: dest.to_owned(),
            source,
        })?;
    }
    let dest_text = dest.to_str().ok_or_else(|| DbError::BadBackup {
        path: dest.to_owned(),
        reason: "경로에 UTF-8이 아닌 문자가 있습니다".into(),
    })?;
    sqlx::query("VACUUM INTO $1")
        .bind(dest_text)
        .execute(db)
        .await?;
    Ok(())
}

/// Replaces the database file at `target` with the backup at `source`, after checking that
/// the backup is an intact Maeul Desk database. The caller closes its pool first and opens
/// a new one afterwards; the previous file is kept beside it as `*.before-restore`.
pub async fn restore_from(source: &Path, target: &Path) -> Result<(), DbError> {
    let bad = |reason: String| DbError::BadBackup {
        path: source.to_owned(),
        reason,
    };
    if !source.is_file() {
        return Err(bad("파일이 없습니다".into()));
    }
    {
        let check = crate::open(source).await.map_err(|e| bad(e.to_string()))?;
        let (ok,): (String,) = sqlx::query_as("PRAGMA integrity_check")
            .fetch_one(&check)
            .await?;
        if ok != "ok" {
            return Err(bad(format!("무결성 검사 실패: {ok}")));
        }
        check.close().await;
    }
    if target.exists() {
        let keep = target.with_extension("db.before-restore");
        std::fs::rename(target, &keep).map_err(|source| DbError::Io { path: keep, source })?;
    }
    for suffix in ["-wal", "-shm"] {
        let side = target.with_file_name(format!(
            "{}{suffix}",
            target
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("maeul.db")
        ));
        let _ = std::fs::remove_file(side);
    }
    std::fs::copy(source, target).map_err(|e| DbError::Io {
        path: target.to_owned(),
        source: e,
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn backup_then_restore_round_trips_rows() {
        let dir = tempfile::tempdir().unwrap();
        let live = dir.path().join("live.db");
        let db = crate::open(&live).await.unwrap();
        sqlx::query("INSERT INTO settings (key, value) VALUES ('probe', 'before')")
            .execute(&db)
            .await
            .unwrap();
        let copy = dir.path().join("backup.db");
        backup_to(&db, &copy).await.unwrap();
        sqlx::query("UPDATE settings SET value = 'after' WHERE key = 'probe'")
            .execute(&db)
            .await
            .unwrap();
        db.close().await;

        restore_from(&copy, &live).await.unwrap();
        let db = crate::open(&live).await.unwrap();
        let (v,): (String,) = sqlx::query_as("SELECT value FROM settings WHERE key = 'probe'")
            .fetch_one(&db)
            .await
            .unwrap();
        assert_eq!(v, "before");
        assert!(dir.path().join("live.db.before-restore").exists());
    }

    #[tokio::test]
    async fn restore_refuses_a_file_that_is_not_a_database() {
        let dir = tempfile::tempdir().unwrap();
        let junk = dir.path().join("junk.db");
        std::fs::write(&junk, b"this is not sqlite").unwrap();
        let err = restore_from(&junk, &dir.path().join("live.db"))
            .await
            .unwrap_err();
        assert!(matches!(err, DbError::BadBackup { .. }), "{err}");
    }
}
