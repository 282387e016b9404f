//! SQL for the registry's tables, one module per table or aggregate.

use maeul_db::Conn;
use maeul_db::versions::{Versioned, conflict_message, last_change};

use crate::RegistryError;

pub mod groups;
pub mod households;
pub mod stats;
pub mod subscribers;
pub mod towns;
pub mod villages;

/// Why a guarded save moved no row: the record is gone, or someone saved it first.
pub(crate) async fn stale(
    conn: &mut Conn,
    table: Versioned,
    id: i64,
    what: &'static str,
) -> Result<RegistryError, sqlx::Error> {
    Ok(match last_change(conn, table, id).await? {
        Some(changed) => RegistryError::Conflict(conflict_message(what, &changed)),
        None => RegistryError::NotFound(what),
    })
}
