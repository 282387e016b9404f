//! 그룹: named lists of subscribers. A group belongs to the county office, not to a village:
//! its members may live anywhere, and a chief's scope is checked on what a broadcast to it
//! reaches, not here.

use std::collections::BTreeSet;

use maeul_db::{Conn, Db, dialect};

use crate::validate::{MAX_NAME, optional, required};
use crate::{Group, GroupInput, RegistryError};

const MAX_NOTE: usize = 200;

const SELECT: &str = "SELECT g.id, g.name, g.note, g.version, \
       (SELECT count(*) FROM registry_group_members m WHERE m.group_id = g.id), \
       (SELECT count(DISTINCT s.village_id) FROM registry_group_members m \
          JOIN subscribers s ON s.id = m.subscriber_id WHERE m.group_id = g.id) \
     FROM registry_groups g";

type Row = (i64, String, String, i64, i64, i64);

fn group((id, name, note, version, members, villages): Row) -> Group {
    Group {
        id,
        name,
        note,
        members,
        villages,
        version,
    }
}

/// Every group by name.
pub async fn list(db: &Db) -> Result<Vec<Group>, RegistryError> {
    let rows: Vec<Row> =
        maeul_db::query_as(sqlx::AssertSqlSafe(format!("{SELECT} ORDER BY g.name")))
            .fetch_all(db)
            .await?;
    Ok(rows.into_iter().map(group).collect())
}

pub async fn get(conn: &mut Conn, id: i64) -> Result<Group, RegistryError> {
    let row: Option<Row> =
        maeul_db::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE g.id = $1")))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    row.map(group).ok_or(RegistryError::NotFound("그룹"))
}

fn check(input: &GroupInput) -> Result<(String, String), RegistryError> {
    let name = required("name", &input.name, MAX_NAME)?;
    let note = optional("note", &input.note, MAX_NOTE)?.unwrap_or_default();
    Ok((name, note))
}

fn taken(e: sqlx::Error, name: &str) -> RegistryError {
    match e {
        sqlx::Error::Database(d) if d.is_unique_violation() => RegistryError::Invalid {
            field: "name",
            reason: format!("같은 이름의 그룹이 있습니다: {name}"),
        },
        e => e.into(),
    }
}

pub async fn create(conn: &mut Conn, input: &GroupInput) -> Result<i64, RegistryError> {
    let (name, note) = check(input)?;
    let now = maeul_time::now_utc();
    let (id,): (i64,) = maeul_db::query_as(
        "INSERT INTO registry_groups (name, note, created_at, updated_at) VALUES ($1, $2, $3, $3) \
         RETURNING id",
    )
    .bind(&name)
    .bind(&note)
    .bind(&now)
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| taken(e, &name))?;
    Ok(id)
}

/// Renames a group or changes its note, from `version` (refused as a conflict naming who
/// saved in between). `by` is the saver's name.
pub async fn update(
    conn: &mut Conn,
    id: i64,
    version: i64,
    input: &GroupInput,
    by: &str,
) -> Result<(), RegistryError> {
    let (name, note) = check(input)?;
    let done = maeul_db::query(
        "UPDATE registry_groups SET name = $1, note = $2, updated_at = $3, \
             version = version + 1, updated_by = $5 WHERE id = $4 AND version = $6",
    )
    .bind(&name)
    .bind(&note)
    .bind(maeul_time::now_utc())
    .bind(id)
    .bind(by)
    .bind(version)
    .execute(&mut *conn)
    .await
    .map_err(|e| taken(e, &name))?;
    if done.rows_affected() == 0 {
        return Err(super::stale(conn, maeul_db::versions::Versioned::Groups, id, "그룹").await?);
    }
    Ok(())
}

/// Deletes a group and its member list; the subscribers stay in the registry.
pub async fn delete(conn: &mut Conn, id: i64) -> Result<(), RegistryError> {
    let done = maeul_db::query("DELETE FROM registry_groups WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(RegistryError::NotFound("그룹"));
    }
    Ok(())
}

fn ids_json(ids: &[i64]) -> String {
    serde_json::to_string(ids).unwrap_or_else(|_| "[]".into())
}

/// Adds subscribers to a group; those already in it are left as they are. Only approved
/// subscribers can join (a pending request is not yet in the registry). Returns how many
/// were added.
pub async fn add_members(
    conn: &mut Conn,
    group_id: i64,
    subscriber_ids: &[i64],
) -> Result<u64, RegistryError> {
    get(conn, group_id).await?;
    let ids = ids_json(subscriber_ids);
    let listed = dialect::json_ints(conn.engine(), "$1");
    let unknown: Vec<i64> = maeul_db::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT j.value FROM ({listed}) j \
         WHERE NOT EXISTS (SELECT 1 FROM subscribers s WHERE s.id = j.value AND s.enrollment = 'approved')"
    )))
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await?;
    if let Some(first) = unknown.first() {
        return Err(RegistryError::Invalid {
            field: "subscriber_ids",
            reason: format!(
                "등록된 수신자가 아닙니다: {first}{}",
                if unknown.len() > 1 {
                    format!(" 외 {}명", unknown.len() - 1)
                } else {
                    String::new()
                }
            ),
        });
    }
    // `WHERE TRUE`: SQLite reads ON CONFLICT after a bare SELECT as a join's ON.
    let listed = dialect::json_ints(conn.engine(), "$2");
    let done = maeul_db::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO registry_group_members (group_id, subscriber_id, added_at) \
         SELECT $1, j.value, $3 FROM ({listed}) j WHERE TRUE ON CONFLICT DO NOTHING"
    )))
    .bind(group_id)
    .bind(&ids)
    .bind(maeul_time::now_utc())
    .execute(&mut *conn)
    .await?;
    touch(conn, group_id).await?;
    Ok(done.rows_affected())
}

/// Takes subscribers out of a group. Returns how many were in it.
pub async fn remove_members(
    conn: &mut Conn,
    group_id: i64,
    subscriber_ids: &[i64],
) -> Result<u64, RegistryError> {
    get(conn, group_id).await?;
    let listed = dialect::json_ints(conn.engine(), "$2");
    let done = maeul_db::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM registry_group_members WHERE group_id = $1 AND subscriber_id IN ({listed})"
    )))
    .bind(group_id)
    .bind(ids_json(subscriber_ids))
    .execute(&mut *conn)
    .await?;
    touch(conn, group_id).await?;
    Ok(done.rows_affected())
}

async fn touch(conn: &mut Conn, group_id: i64) -> Result<(), RegistryError> {
    maeul_db::query("UPDATE registry_groups SET updated_at = $1 WHERE id = $2")
        .bind(maeul_time::now_utc())
        .bind(group_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The groups a subscriber is in.
pub async fn of_subscriber(db: &Db, subscriber_id: i64) -> Result<Vec<i64>, RegistryError> {
    Ok(maeul_db::query_scalar(
        "SELECT group_id FROM registry_group_members WHERE subscriber_id = $1 ORDER BY group_id",
    )
    .bind(subscriber_id)
    .fetch_all(db)
    .await?)
}

/// Puts a subscriber in exactly these groups (the checkboxes of the subscriber form).
/// Returns the groups joined and left.
pub async fn set_for_subscriber(
    conn: &mut Conn,
    subscriber_id: i64,
    group_ids: &[i64],
) -> Result<(Vec<i64>, Vec<i64>), RegistryError> {
    let before: BTreeSet<i64> = maeul_db::query_scalar(
        "SELECT group_id FROM registry_group_members WHERE subscriber_id = $1",
    )
    .bind(subscriber_id)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .collect();
    let after: BTreeSet<i64> = group_ids.iter().copied().collect();
    let joined: Vec<i64> = after.difference(&before).copied().collect();
    let left: Vec<i64> = before.difference(&after).copied().collect();
    for g in &joined {
        add_members(conn, *g, &[subscriber_id]).await?;
    }
    for g in &left {
        remove_members(conn, *g, &[subscriber_id]).await?;
    }
    Ok((joined, left))
}
