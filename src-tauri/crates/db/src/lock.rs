//! Who has the database file open. Every desk (the app, each `maeul` command) holds a shared
//! lock on `<db>.lock` for as long as it has the database open; a restore takes the lock
//! alone. Windows will not replace a file another process has open, and on Linux replacing
//! it under a running desk would leave that desk writing to a deleted file: either way the
//! restore must refuse up front, before it touches anything.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use crate::DbError;

/// Held while the database is open (shared) or being replaced (exclusive); released on drop.
#[derive(Debug)]
pub struct DbLock {
    _file: File,
}

fn lock_path(db: &Path) -> PathBuf {
    let mut name = db.file_name().unwrap_or_default().to_owned();
    name.push(".lock");
    db.with_file_name(name)
}

fn open_lock_file(db: &Path) -> Result<File, DbError> {
    let path = lock_path(db);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| DbError::Io {
            path: dir.to_owned(),
            source,
        })?;
    }
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|source| DbError::Io { path, source })
}

/// Taken by every desk that opens `db`; refused only while a restore replaces the file.
pub fn shared(db: &Path) -> Result<DbLock, DbError> {
    let file = open_lock_file(db)?;
    match file.try_lock_shared() {
        Ok(()) => Ok(DbLock { _file: file }),
        Err(TryLockError::WouldBlock) => Err(DbError::Restoring {
            path: db.to_owned(),
        }),
        Err(TryLockError::Error(source)) => Err(DbError::Io {
            path: lock_path(db),
            source,
        }),
    }
}

/// Taken by a restore: refused while any desk has `db` open.
pub fn exclusive(db: &Path) -> Result<DbLock, DbError> {
    let file = open_lock_file(db)?;
    match file.try_lock() {
        Ok(()) => Ok(DbLock { _file: file }),
        Err(TryLockError::WouldBlock) => Err(DbError::InUse {
            path: db.to_owned(),
        }),
        Err(TryLockError::Error(source)) => Err(DbError::Io {
            path: lock_path(db),
            source,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn desks_share_the_file_and_a_restore_waits_for_all_to_close() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("홍 길동").join("maeul.db");
        let app = shared(&db).unwrap();
        let cli = shared(&db).unwrap();
        assert!(matches!(exclusive(&db), Err(DbError::InUse { .. })));
        drop(app);
        assert!(matches!(exclusive(&db), Err(DbError::InUse { .. })));
        drop(cli);
        let restoring = exclusive(&db).unwrap();
        assert!(matches!(shared(&db), Err(DbError::Restoring { .. })));
        drop(restoring);
        shared(&db).unwrap();
    }
}
