use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::Db;

/// A desk's file: `migrations/*.sql`.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../../migrations");

/// The office database on PostgreSQL: `migrations/postgres/*.sql`, a baseline equal to
/// SQLite's schema at migration 23, then one migration per engine with the same number.
pub static POSTGRES_MIGRATOR: sqlx::migrate::Migrator =
    sqlx::migrate!("../../../migrations/postgres");

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("데이터베이스를 열 수 없습니다 ({path}): {source}")]
    Open { path: PathBuf, source: sqlx::Error },
    #[error(
        "사무실 서버 주소가 올바르지 않습니다 ({server}). 예: postgres://사용자:암호@서버:5432/maeul"
    )]
    BadServerUrl { server: String },
    #[error("사무실 서버에 연결할 수 없습니다 ({server}): {source}")]
    Server { server: String, source: sqlx::Error },
    #[error(
        "사무실 서버에 연결할 수 없습니다: 서버 인증서를 확인하지 못했습니다 ({server}): {source}. 인증서를 발급한 기관(CA)의 인증서 파일을 주소에 sslrootcert=경로로 넣으세요"
    )]
    ServerCertificate { server: String, source: sqlx::Error },
    #[error(
        "사무실 서버(PostgreSQL)의 데이터는 이 PC에서 파일로 백업하지 않습니다. 서버에서 pg_dump로 백업하세요"
    )]
    ServerBackup,
    #[error(
        "PostgreSQL 도구 {tool}을(를) 찾을 수 없습니다. 이 PC에 PostgreSQL 클라이언트(Debian: apt install postgresql-client, Windows: PostgreSQL 설치 후 bin 폴더를 PATH에)를 설치하세요"
    )]
    NoServerTools { tool: String },
    #[error("{tool} 실패 ({server}): {reason}")]
    ServerTool {
        tool: String,
        server: String,
        reason: String,
    },
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
    #[error(
        "다른 프로그램(마을 데스크 앱이나 maeul 명령)이 데이터베이스를 열고 있어 복원하지 않았습니다 ({path}). 모두 닫은 뒤 다시 하세요"
    )]
    InUse { path: PathBuf },
    #[error(
        "사용자 데이터 폴더(Windows의 %APPDATA%)를 찾을 수 없어 데이터베이스를 둘 곳을 모릅니다. --db 경로나 MAEUL_DB로 정하세요"
    )]
    NoDataDir,
    #[error("데이터베이스를 복원하는 중입니다 ({path}). 복원이 끝난 뒤 다시 여세요")]
    Restoring { path: PathBuf },
}

/// Where the database lives when neither `--db` nor `MAEUL_DB` says otherwise: the OS
/// application-data directory (`%APPDATA%\maeul\Maeul Desk\data` on Windows).
///
/// Refused, rather than guessed, when the OS names no such folder (Windows answers so when
/// the profile's AppData folder is missing): a database made in the current folder would
/// land wherever a shortcut happened to start the program, and the next start would miss it.
pub fn default_db_path() -> Result<PathBuf, DbError> {
    directories::ProjectDirs::from("kr", "maeul", "Maeul Desk")
        .map(|d| d.data_dir().join("maeul.db"))
        .ok_or(DbError::NoDataDir)
}

/// How hard a commit holds on power loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// Every commit is on disk when it returns (WAL synced each time). The desk's own: the
    /// outbox writes "about to send" before calling the provider, and a power cut that took
    /// that commit back would send the message again after the provider had accepted it.
    Full,
    /// WAL synced only at checkpoints (the last commits can be lost on power loss): what the
    /// desk used before; kept for the dispatch bench, which measures what `Full` costs.
    Normal,
}

fn options(path: &Path, durability: Durability) -> Result<SqliteConnectOptions, sqlx::Error> {
    Ok(SqliteConnectOptions::from_str("sqlite://")?
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // Temporary tables (the outbox's staged batches) stay in memory.
        .pragma("temp_store", "memory")
        .synchronous(match durability {
            Durability::Full => SqliteSynchronous::Full,
            Durability::Normal => SqliteSynchronous::Normal,
        })
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10)))
}

/// Opens (creating if missing) the database file and brings its schema up to date.
pub async fn open(path: &Path) -> Result<Db, DbError> {
    open_with(path, Durability::Full).await
}

/// [`open`] with a chosen durability (the bench compares the two).
pub async fn open_with(path: &Path, durability: Durability) -> Result<Db, DbError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| DbError::Io {
            path: dir.to_owned(),
            source,
        })?;
    }
    let opts = options(path, durability).map_err(|source| DbError::Open {
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
    Ok(Db::Sqlite(pool))
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
    Ok(Db::Sqlite(pool))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn file_database_uses_wal_and_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let db = open(&dir.path().join("sub/desk.db")).await.unwrap();
        let mode: (String,) = crate::query_as("PRAGMA journal_mode")
            .fetch_one(&db)
            .await
            .unwrap();
        assert_eq!(mode.0, "wal");
        let fk: (i64,) = crate::query_as("PRAGMA foreign_keys")
            .fetch_one(&db)
            .await
            .unwrap();
        assert_eq!(fk.0, 1);
        // FULL (2): a commit is on disk before the outbox calls the provider.
        let sync: (i64,) = crate::query_as("PRAGMA synchronous")
            .fetch_one(&db)
            .await
            .unwrap();
        assert_eq!(sync.0, 2);
    }

    #[tokio::test]
    async fn migrations_are_applied_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("desk.db");
        open(&path).await.unwrap().close().await;
        let db = open(&path).await.unwrap();
        let n: (i64,) = crate::query_as("SELECT COUNT(*) FROM _sqlx_migrations")
            .fetch_one(&db)
            .await
            .unwrap();
        assert_eq!(n.0 as usize, MIGRATOR.iter().count());
    }

    /// 0008 rebuilds the outbox table: every row, its fallback link and its rules survive.
    #[tokio::test]
    async fn outbox_rebuild_keeps_rows_and_rules() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("desk.db");
        let opts = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(opts)
            .await
            .unwrap();
        let before = sqlx::migrate::Migrator {
            migrations: std::borrow::Cow::Owned(
                MIGRATOR.iter().filter(|m| m.version < 8).cloned().collect(),
            ),
            ..sqlx::migrate::Migrator::DEFAULT
        };
        before.run(&pool).await.unwrap();
        crate::query(
            "INSERT INTO broadcasts (id, title, category, body, created_by, created_at) \
             VALUES (1, 't', 'admin', 'b', 'admin', 'now')",
        )
        .execute(&pool)
        .await
        .unwrap();
        crate::query(
            "INSERT INTO deliveries (id, broadcast_id, channel, e164, subscribers, state, attempt, \
                 provider_message_id, idempotency_key, updated_at, fallback_of, body) VALUES \
             (1, 1, 'sms', '+821012345678', '[7]', 'failed', 2, 'M1', 'k1', 'now', NULL, NULL), \
             (2, 1, 'kakao', '+821012345678', '[7]', 'delivered', 1, 'M2', 'k2', 'now', 1, 'own')",
        )
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;

        let db = open(&path).await.unwrap();
        type Row = (
            i64,
            String,
            String,
            i64,
            Option<i64>,
            Option<String>,
            String,
        );
        let rows: Vec<Row> = crate::query_as(
            "SELECT id, channel, state, attempt, fallback_of, body, idempotency_key \
                 FROM deliveries ORDER BY id",
        )
        .fetch_all(&db)
        .await
        .unwrap();
        assert_eq!(
            rows,
            vec![
                (1, "sms".into(), "failed".into(), 2, None, None, "k1".into()),
                (
                    2,
                    "kakao".into(),
                    "delivered".into(),
                    1,
                    Some(1),
                    Some("own".into()),
                    "k2".into()
                ),
            ]
        );
        let insert = |channel: &'static str, state: &'static str, fallback: i64| {
            crate::query(
                "INSERT INTO deliveries (broadcast_id, channel, e164, subscribers, state, updated_at, \
                     fallback_of) VALUES (1, $1, '+821000000000', '[]', $2, 'now', $3)",
            )
            .bind(channel)
            .bind(state)
            .bind(fallback)
        };
        assert!(insert("fax", "pending", 1).execute(&db).await.is_err());
        assert!(insert("sms", "lost", 1).execute(&db).await.is_err());
        // The fallback link still points at deliveries (a missing row is refused).
        assert!(insert("voice", "pending", 99).execute(&db).await.is_err());
        insert("voice", "pending", 1).execute(&db).await.unwrap();
        let indexes: (i64,) = crate::query_as(
            "SELECT COUNT(*) FROM sqlite_master WHERE tbl_name = 'deliveries' AND type = 'index'",
        )
        .fetch_one(&db)
        .await
        .unwrap();
        // 0018 adds the fourth: answered calls whose keypad reply is still to be asked for.
        assert_eq!(indexes.0, 5, "the unique key and the four indexes");
    }
}
