use maeul_db::Conn;

use crate::RegistryError;
use crate::validate::{MAX_ADDRESS, MAX_NAME, required};

/// The household at this address with this head in this village, created if it is new.
pub async fn find_or_create(
    conn: &mut Conn,
    village_id: i64,
    address: &str,
    head_name: &str,
) -> Result<i64, RegistryError> {
    let address = required("address", address, MAX_ADDRESS)?;
    let head_name = required("head_name", head_name, MAX_NAME)?;
    let found: Option<(i64,)> = maeul_db::query_as(
        "SELECT id FROM households WHERE village_id = $1 AND address = $2 AND head_name = $3",
    )
    .bind(village_id)
    .bind(&address)
    .bind(&head_name)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some((id,)) = found {
        return Ok(id);
    }
    let exists: Option<(i64,)> = maeul_db::query_as("SELECT id FROM villages WHERE id = $1")
        .bind(village_id)
        .fetch_optional(&mut *conn)
        .await?;
    if exists.is_none() {
        return Err(RegistryError::NotFound("마을"));
    }
    let (id,): (i64,) = maeul_db::query_as(
        "INSERT INTO households (village_id, address, head_name, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(village_id)
    .bind(&address)
    .bind(&head_name)
    .bind(maeul_time::now_utc())
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

/// Removes a household left without subscribers.
pub async fn remove_if_empty(conn: &mut Conn, household_id: i64) -> Result<(), RegistryError> {
    maeul_db::query(
        "DELETE FROM households WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM subscribers WHERE household_id = $1)",
    )
    .bind(household_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// A registered household of a village (by its code), the `nth` in id order: where the demo
/// seed's enrolment requests come from. village id, household id, address, head's name.
pub async fn nth_in_village(
    conn: &mut Conn,
    village_code: &str,
    nth: i64,
) -> Result<(i64, i64, String, String), RegistryError> {
    let row: Option<(i64, i64, String, String)> = maeul_db::query_as(
        "SELECT v.id, h.id, h.address, h.head_name FROM villages v \
         JOIN households h ON h.village_id = v.id \
         WHERE v.code = $1 ORDER BY h.id LIMIT 1 OFFSET $2",
    )
    .bind(village_code)
    .bind(nth)
    .fetch_optional(&mut *conn)
    .await?;
    row.ok_or(RegistryError::NotFound("세대"))
}
