//! The use cases. One [`Desk`] serves the Tauri shell and the `maeul` CLI alike: every
//! method takes the [`Actor`], checks the role here in Rust, and writes the audit log in the
//! same transaction as the change.

mod admin;
mod budget;
pub use budget::{CardCheck, CardView, Printed};
mod console;
pub use console::{
    Begun, Console, ConsoleEvent, ConsoleSettings, ConsoleState, OnAir, RecordingRow,
};
mod dispatch;
pub use dispatch::{BroadcastDetail, Created, DispatchSettings, Drained, SyncLoop, SyncStatus};
mod error;
mod programs;
pub use programs::{
    CalendarView, PracticeState, ReminderPlan, ReminderSettings, WalkIn, WorkshopSaved,
};
mod groups;
mod registry;
pub use registry::permissions_of;
mod session;

use std::path::{Path, PathBuf};

pub use error::{ApiError, ApiResult, ErrorCode};
pub use maeul_accounts::{Actor, Permission, Role};

use maeul_db::Db;

#[derive(Clone)]
pub struct Desk {
    db: Db,
    db_path: Option<PathBuf>,
}

/// The print date shown in every printed footer: Korean time, minutes, like every other
/// time on the page (the PC's own zone may be UTC, as on a freshly installed machine).
pub(crate) fn printed_at() -> String {
    jiff::Timestamp::now()
        .to_zoned(maeul_dispatch::policy::seoul())
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

/// Writes a printed or exported file where the user chose, with a Korean error naming it.
pub async fn save_file(path: &Path, bytes: &[u8]) -> ApiResult<()> {
    tokio::fs::write(path, bytes).await.map_err(|e| {
        ApiError::new(
            ErrorCode::Io,
            format!("{}에 저장할 수 없습니다: {e}", path.display()),
        )
    })
}

impl Desk {
    /// Opens (creating and migrating) the database file.
    pub async fn open(path: &Path) -> ApiResult<Desk> {
        Ok(Desk {
            db: maeul_db::open(path).await?,
            db_path: Some(path.to_owned()),
        })
    }

    /// A desk on a private in-memory database, for tests.
    pub async fn open_memory() -> ApiResult<Desk> {
        Ok(Desk {
            db: maeul_db::open_memory().await?,
            db_path: None,
        })
    }

    /// `--db PATH`, else `MAEUL_DB`, else the OS application-data directory.
    pub fn resolve_db_path(flag: Option<PathBuf>) -> PathBuf {
        flag.or_else(|| std::env::var_os("MAEUL_DB").map(PathBuf::from))
            .unwrap_or_else(maeul_db::default_db_path)
    }

    pub fn db_path(&self) -> Option<&Path> {
        self.db_path.as_deref()
    }

    /// The pool, for tests and benchmarks that inspect stored rows directly.
    pub fn db(&self) -> &Db {
        &self.db
    }

    pub async fn close(&self) {
        self.db.close().await;
    }
}
