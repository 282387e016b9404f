//! Opening the desk's database: one SQLite file (WAL, foreign keys, busy timeout) with the
//! migrations in `migrations/` applied, plus online backup and restore.
//!
//! Domain crates take a [`Db`] and write portable SQL (`$1` placeholders, ISO-8601 UTC text
//! timestamps) so that a shared PostgreSQL server can replace the file later.

mod backup;
pub mod lock;
mod open;
pub mod settings;
pub mod versions;

pub use backup::{backup_to, restore_from};
pub use open::{
    Db, DbError, Durability, MIGRATOR, POSTGRES_MIGRATOR, default_db_path, open, open_memory,
    open_with,
};

/// Begins a transaction that holds SQLite's write lock from the start, for writes that
/// read ids or the audit chain's tail before they insert.
pub async fn begin_write(db: &Db) -> Result<Tx<'static>, sqlx::Error> {
    db.begin_with("BEGIN IMMEDIATE").await
}

/// The transaction type every domain crate writes through.
pub type Tx<'a> = sqlx::Transaction<'a, sqlx::Sqlite>;
/// A borrowed connection, for functions that run inside a caller's transaction.
pub type Conn = sqlx::SqliteConnection;
