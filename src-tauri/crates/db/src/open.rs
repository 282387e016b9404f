use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Pool, Sqlite};

/// The pool type every crate receives. Kept as an alias so that the later PostgreSQL step
/// changes one line here rather than every signature.
pub type Db = Pool<Sqlite>;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../../migrations");

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("데이터베이스를 열 수 없습니다 ({path}): {source}")]
    Open { path: PathBuf, source: sqlx::Error },
    #[error("데이터베이스 마이그레이션 실패: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("데이터베이스 오류: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("파일 오류 ({path}): {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("백업 파일이 올바르지 않습니다 ({path}): {reason}")]
    BadBackup { path: PathBuf, reason: String },
}

/// Where the database lives when neither `--db` nor `MAEUL_DB` says otherwise: the OS
/// application-data directory (`%APPDATA%\maeul\Maeul Desk\data` on Windows).
pub fn default_db_path() -> PathBuf {
    directories::ProjectDirs::from("kr", "maeul", "Maeul Desk")
        .map(|d| d.data_dir().join("maeul.db"))
        .unwrap_or_else(|| PathBuf::from("maeul.db"))
}

fn options(path: &Path) -> Result<SqliteConnectOptions, sqlx::Error> {
    Ok(SqliteConnectOptions::from_str("sqlite://")?
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // Temporary tables (the outbox's staged batches) stay in memory.
        .pragma("temp_store", "memory")
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10)))
}

/// Opens (creating if missing) the database file and brings its schema up to date.
pub async fn open(path: &Path) -> Result<Db, DbError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| DbError::Io {
            path: dir.to_owned(),
            source,
        })?;
    }
    let opts = options(path).map_err(|source| DbError::Open {
        path: path.to_owned(),
        source,
    })?;
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(opts)
        .await
        .map_err(|source| DbError::Open {
            path: path.to_owned(),
            source,
        })?;
    MIGRATOR.run(&pool).await?;
    log::info!("database open at {}", path.display());
    Ok(pool)
}

/// A migrated private in-memory database, for tests. One connection, since every SQLite
/// `:memory:` connection is a database of its own.
pub async fn open_memory() -> Result<Db, DbError> {
    let opts = SqliteConnectOptions::from_str("sqlite::memory:")?.foreign_keys(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .connect_with(opts)
        .await?;
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn file_database_uses_wal_and_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let db = open(&dir.path().join("sub/desk.db")).await.unwrap();
        let mode: (String,) = sqlx::query_as("PRAGMA journal_mode")
            .fetch_one(&db)
            .await
            .unwrap();
        assert_eq!(mode.0, "wal");
        let fk: (i64,) = sqlx::query_as("PRAGMA foreign_keys")
            .fetch_one(&db)
            .await
            .unwrap();
        assert_eq!(fk.0, 1);
    }

    #[tokio::test]
    async fn migrations_are_applied_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("desk.db");
        open(&path).await.unwrap().close().await;
        let db = open(&path).await.unwrap();
        let n: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM _sqlx_migrations")
            .fetch_one(&db)
            .await
            .unwrap();
        assert_eq!(n.0 as usize, MIGRATOR.iter().count());
    }
}
