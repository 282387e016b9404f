use sqlx::FromRow;

use maeul_db::{Conn, Db};

use crate::phone;
use crate::validate::{MAX_NAME, optional};
use crate::{RegistryError, VillageSummary, VillageUpdate};

#[derive(FromRow)]
struct VillageRow {
    id: i64,
    town_id: i64,
    town_name: String,
    code: String,
    name: String,
    chief_name: Option<String>,
    chief_phone: Option<String>,
    zone_code: Option<String>,
    households: i64,
    subscribers: i64,
    pending: i64,
    version: i64,
}

const SUMMARY: &str = "SELECT v.id, v.town_id, t.name AS town_name, v.code, v.name, v.chief_name, v.chief_phone, \
       v.zone_code, v.version, \
       (SELECT COUNT(*) FROM households h WHERE h.village_id = v.id) AS households, \
       (SELECT COUNT(*) FROM subscribers s WHERE s.village_id = v.id AND s.enrollment = 'approved') AS subscribers, \
       (SELECT COUNT(*) FROM subscribers s WHERE s.village_id = v.id AND s.enrollment = 'pending') AS pending \
     FROM villages v JOIN towns t ON t.id = v.town_id";

fn into_summary(r: VillageRow, mask: bool) -> VillageSummary {
    VillageSummary {
        id: r.id,
        town_id: r.town_id,
        town_name: r.town_name,
        code: r.code,
        name: r.name,
        chief_name: r.chief_name,
        chief_phone: r.chief_phone.map(|p| {
            if mask {
                phone::masked(&p)
            } else {
                phone::display(&p)
            }
        }),
        zone_code: r.zone_code,
        households: r.households,
        subscribers: r.subscribers,
        pending: r.pending,
        version: r.version,
    }
}

/// Villages with their counts; `only` limits the list to one village (a chief's own).
pub async fn list(
    db: &Db,
    only: Option<i64>,
    mask: bool,
) -> Result<Vec<VillageSummary>, RegistryError> {
    let rows: Vec<VillageRow> = match only {
        Some(id) => {
            maeul_db::query_as(sqlx::AssertSqlSafe(format!("{SUMMARY} WHERE v.id = $1")))
                .bind(id)
                .fetch_all(db)
                .await?
        }
        None => {
            maeul_db::query_as(sqlx::AssertSqlSafe(format!(
                "{SUMMARY} ORDER BY t.code, v.code"
            )))
            .fetch_all(db)
            .await?
        }
    };
    Ok(rows.into_iter().map(|r| into_summary(r, mask)).collect())
}

pub async fn get(db: &Db, id: i64, mask: bool) -> Result<VillageSummary, RegistryError> {
    list(db, Some(id), mask)
        .await?
        .pop()
        .ok_or(RegistryError::NotFound("마을"))
}

/// Changes a village's chief and zone code, from the version `change` names (refused as a
/// conflict naming who saved in between); returns the stored values before the change for
/// the audit log. `by` is the saver's name.
pub async fn update(
    conn: &mut Conn,
    id: i64,
    change: &VillageUpdate,
    by: &str,
) -> Result<serde_json::Value, RegistryError> {
    let chief_name = optional(
        "chief_name",
        change.chief_name.as_deref().unwrap_or(""),
        MAX_NAME,
    )?;
    let chief_phone = match change
        .chief_phone
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        Some(p) => Some(
            phone::normalize(p)
                .map_err(|source| RegistryError::Phone {
                    field: "chief_phone",
                    source,
                })?
                .e164,
        ),
        None => None,
    };
    let zone_code = optional("zone_code", change.zone_code.as_deref().unwrap_or(""), 16)?;
    if let Some(z) = &zone_code
        && !z
            .chars()
            .all(|c| c.is_ascii_digit() || c == '*' || c == '#')
    {
        return Err(RegistryError::Invalid {
            field: "zone_code",
            reason: "구역 코드는 DTMF 문자(0-9, *, #)만 쓸 수 있습니다".into(),
        });
    }
    let before: Option<(Option<String>, Option<String>, Option<String>)> =
        maeul_db::query_as("SELECT chief_name, chief_phone, zone_code FROM villages WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(before) = before else {
        return Err(RegistryError::NotFound("마을"));
    };
    let done = maeul_db::query(
        "UPDATE villages SET chief_name = $1, chief_phone = $2, zone_code = $3, \
             version = version + 1, updated_by = $5, updated_at = $6 WHERE id = $4 AND version = $7",
    )
    .bind(&chief_name)
    .bind(&chief_phone)
    .bind(&zone_code)
    .bind(id)
    .bind(by)
    .bind(maeul_time::now_utc())
    .bind(change.version)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(super::stale(conn, maeul_db::versions::Versioned::Villages, id, "마을").await?);
    }
    Ok(serde_json::json!({
        "before": { "chief_name": before.0, "chief_phone": before.1.as_deref().map(phone::masked), "zone_code": before.2 },
        "after": { "chief_name": chief_name, "chief_phone": chief_phone.as_deref().map(phone::masked), "zone_code": zone_code },
    }))
}

/// The village of a household, for scope checks before a change.
pub async fn of_household(db: &Db, household_id: i64) -> Result<i64, RegistryError> {
    let row: Option<(i64,)> = maeul_db::query_as("SELECT village_id FROM households WHERE id = $1")
        .bind(household_id)
        .fetch_optional(db)
        .await?;
    row.map(|r| r.0).ok_or(RegistryError::NotFound("세대"))
}

/// The village of a subscriber, for scope checks before a change.
pub async fn of_subscriber(db: &Db, subscriber_id: i64) -> Result<i64, RegistryError> {
    let row: Option<(i64,)> =
        maeul_db::query_as("SELECT village_id FROM subscribers WHERE id = $1")
            .bind(subscriber_id)
            .fetch_optional(db)
            .await?;
    row.map(|r| r.0).ok_or(RegistryError::NotFound("수신자"))
}

/// How many villages the county has: a send reaching more than half of them is county-wide
/// for the two-person approval, however it was addressed.
pub async fn count(conn: &mut Conn) -> Result<i64, RegistryError> {
    let (n,): (i64,) = maeul_db::query_as("SELECT COUNT(*) FROM villages")
        .fetch_one(&mut *conn)
        .await?;
    Ok(n)
}
