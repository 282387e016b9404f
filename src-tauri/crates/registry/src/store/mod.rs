//! SQL for the registry's tables, one module per table or aggregate.

use maeul_db::Conn;
use maeul_db::versions::Versioned;

use crate::RegistryError;

pub mod funnel;
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
    Ok(
        match maeul_db::versions::stale(conn, table, id, what).await? {
            Some(message) => RegistryError::Conflict(message),
            None => RegistryError::NotFound(what),
        },
    )
}
