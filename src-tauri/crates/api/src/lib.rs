//! The use cases. One [`Desk`] serves the Tauri shell and the `maeul` CLI alike: every
//! method takes the [`Actor`], checks the role here in Rust, and writes the audit log in the
//! same transaction as the change.

mod admin;
mod anchor;
mod budget;
pub use budget::{CardCheck, CardView, Printed};
mod console;
pub use console::{
    AlarmSettings, Begun, Console, ConsoleEvent, ConsoleSettings, ConsoleState, DraftSent, OnAir,
    RecordingRow, RecordingSource, RecordingState,
};
mod dashboard;
pub use dashboard::{Dashboard, DashboardFilter, TownStatus, VillageStatus};
mod dispatch;
mod readiness;
pub use dispatch::{
    AlertImported, BroadcastDetail, Created, DispatchSettings, Drained, FeedLoop, FeedPolled,
    FeedSettings, FeedState, FeedStatus, FieldValue, IDLE_LOCK_MINUTES, SendRole, SessionSettings,
    SyncLoop, SyncState, SyncStatus,
};
pub use readiness::{Readiness, ReadinessKind, ReadinessOf, ReadinessReport};
mod error;
mod files;
pub use files::{check_file_name, save_file};
mod programs;
pub use programs::{
    CalendarView, PracticeState, ReminderPlan, ReminderSettings, WalkIn, WorkshopSaved,
};
mod groups;
mod live;
mod office;
pub use live::{Area, Changes};
pub use office::{MoveReport, ServerCheck, StorageInfo, check_server, copy_file_to_server};
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
    /// The office server the desk is on (for pg_dump), `None` on a file.
    server: Option<maeul_db::ServerUrl>,
    /// Held while any clone of the desk lives, so a restore cannot replace the file under it.
    _lock: Option<std::sync::Arc<maeul_db::lock::DbLock>>,
    /// The audit chain's head sealed beside the file; `None` for an in-memory desk.
    anchor: Option<std::sync::Arc<anchor::AuditAnchor>>,
    /// This desk's name on the outbox rows it leases, and the lock that keeps its passes
    /// one at a time (so a pass may take back what its own earlier pass left submitting).
    sender: Sender,
}

#[derive(Clone)]
struct Sender {
    worker: std::sync::Arc<str>,
    passes: std::sync::Arc<tokio::sync::Mutex<()>>,
}

impl Sender {
    /// `host:pid:n`: two desks opened in one process (tests, the CLI beside a library user)
    /// are two workers as much as two processes are.
    fn new() -> Sender {
        static OPENED: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = OPENED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Sender {
            worker: format!("{}:{n}", maeul_dispatch::policy::worker_name()).into(),
            passes: Default::default(),
        }
    }
}

/// The print date shown in every printed footer: Korean time, minutes, like every other
/// time on the page (the PC's own zone may be UTC, as on a freshly installed machine).
pub(crate) fn printed_at() -> String {
    jiff::Timestamp::now()
        .to_zoned(maeul_dispatch::policy::seoul())
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

impl Desk {
    /// Opens (creating and migrating) the database file.
    pub async fn open(path: &Path) -> ApiResult<Desk> {
        Desk::open_with(path, maeul_db::Durability::Full).await
    }

    /// [`Desk::open`] with a chosen durability: the dispatch bench measures what `Full` costs.
    pub async fn open_with(path: &Path, durability: maeul_db::Durability) -> ApiResult<Desk> {
        let lock = maeul_db::lock::shared(path)?;
        let db = maeul_db::open_with(path, durability).await?;
        let anchor = Desk::open_anchor(&db, path).await?;
        Ok(Desk {
            db,
            db_path: Some(path.to_owned()),
            server: None,
            _lock: Some(std::sync::Arc::new(lock)),
            anchor: Some(std::sync::Arc::new(anchor)),
            sender: Sender::new(),
        })
    }

    /// Opens (migrating) the office's database on its PostgreSQL server. No file lock and
    /// no audit anchor: those guard a file on this PC, and the server is the office's.
    pub async fn open_server(server: &maeul_db::ServerUrl) -> ApiResult<Desk> {
        Ok(Desk {
            db: maeul_db::open_server(server).await?,
            db_path: None,
            server: Some(server.clone()),
            _lock: None,
            anchor: None,
            sender: Sender::new(),
        })
    }

    /// A desk on a private in-memory database, for tests.
    pub async fn open_memory() -> ApiResult<Desk> {
        Ok(Desk {
            db: maeul_db::open_memory().await?,
            db_path: None,
            server: None,
            _lock: None,
            anchor: None,
            sender: Sender::new(),
        })
    }

    pub fn db_path(&self) -> Option<&Path> {
        self.db_path.as_deref()
    }

    /// The pool, for tests and benchmarks that inspect stored rows directly.
    pub fn db(&self) -> &Db {
        &self.db
    }

    pub async fn close(&self) {
        self.anchor_audit().await;
        self.db.close().await;
    }
}
