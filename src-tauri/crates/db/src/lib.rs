//! The desk's database: one SQLite file (WAL, foreign keys, busy timeout) or the office's
//! PostgreSQL server, with the migrations of `migrations/` applied, plus online backup and
//! restore of the file.
//!
//! Domain crates take a [`Db`] and run their SQL through [`query`], [`query_as`] and
//! [`query_scalar`]: one text (`$1` placeholders, ISO-8601 UTC text timestamps) on either
//! engine, with [`dialect`] for what cannot be written once.

mod backup;
mod builder;
pub mod copy;
pub mod dialect;
mod engine;
pub mod lock;
mod open;
mod query;
pub mod server_dump;
pub mod settings;
mod target;
pub mod versions;

pub use backup::{backup_to, restore_from};
pub use builder::{QueryBuilder, Separated};
pub use engine::{Conn, Db, Engine, Pooled, Tx};
pub use open::{
    DbError, Durability, MIGRATOR, POSTGRES_MIGRATOR, default_db_path, open, open_memory, open_with,
};
pub use query::{
    Bind, Done, Exec, Executor, FromRows, Kind, Query, QueryAs, QueryScalar, Value, query,
    query_as, query_positional, query_scalar,
};
pub use target::{ServerProbe, ServerUrl, Target, open_server, probe_server};

/// Begins a transaction that holds SQLite's write lock from the start, for writes that
/// read ids or the audit chain's tail before they insert.
pub async fn begin_write(db: &Db) -> Result<Tx<'static>, sqlx::Error> {
    db.begin_immediate().await
}

/// Begins a transaction for writes that guard themselves row by row: the outbox's claim
/// (rows taken with `FOR UPDATE … SKIP LOCKED`) and its answers (each UPDATE checks the
/// row's state and lease holder). On SQLite it holds the file's write lock as
/// [`begin_write`] does; on PostgreSQL it takes no desk-wide lock, so that two desks'
/// sends do not queue behind each other, nor behind a registry edit. Nothing written in it
/// may read-then-insert or append to the audit chain: those need [`begin_write`].
pub async fn begin_rows(db: &Db) -> Result<Tx<'static>, sqlx::Error> {
    match db.engine() {
        Engine::Sqlite => db.begin_immediate().await,
        Engine::Postgres => db.begin().await,
    }
}
