use maeul_db::Conn;
use maeul_db::versions::Versioned;

use super::parse_enum;
use crate::ProgramsError;
use crate::model::{Attendance, AttendanceMark, Workshop, WorkshopKind};

type Row = (
    i64,
    i64,
    String,
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
);

const COLUMNS: &str =
    "id, cohort_id, kind, phase, title, starts_at, ends_at, place, facilitator, agenda, version";

fn from_row(r: Row) -> Result<Workshop, ProgramsError> {
    Ok(Workshop {
        id: Some(r.0),
        cohort_id: r.1,
        kind: parse_enum("kind", &r.2, WorkshopKind::parse)?,
        phase: r.3 as u8,
        title: r.4,
        starts_at: r.5,
        ends_at: r.6,
        place: r.7,
        facilitator: r.8,
        agenda: r.9,
        version: r.10,
    })
}

/// A cohort's workshops (all cohorts' when `None`) in time order.
pub async fn list(conn: &mut Conn, cohort_id: Option<i64>) -> Result<Vec<Workshop>, ProgramsError> {
    let rows: Vec<Row> = maeul_db::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM workshops WHERE $1 IS NULL OR cohort_id = $1 ORDER BY starts_at"
    )))
    .bind(cohort_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter().map(from_row).collect()
}

pub async fn get(conn: &mut Conn, id: i64) -> Result<Workshop, ProgramsError> {
    let row: Option<Row> = maeul_db::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM workshops WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    from_row(row.ok_or(ProgramsError::NotFound("워크숍"))?)
}

/// Inserts (`id` None) or updates from `w.version` (refused as a conflict naming who saved
/// in between); returns the id. `by` is the saver's name, `at` the UTC stamp.
pub async fn save(conn: &mut Conn, w: &Workshop, by: &str, at: &str) -> Result<i64, ProgramsError> {
    let row: Option<(i64,)> = match w.id {
        Some(id) => maeul_db::query_as(
            "UPDATE workshops SET kind = $2, phase = $3, title = $4, starts_at = $5, ends_at = $6, \
             place = $7, facilitator = $8, agenda = $9, version = version + 1, updated_by = $11, \
             updated_at = $12 WHERE id = $1 AND cohort_id = $10 AND version = $13 RETURNING id",
        )
        .bind(id),
        None => maeul_db::query_as(
            "INSERT INTO workshops (kind, phase, title, starts_at, ends_at, place, facilitator, agenda, cohort_id, \
             updated_by, updated_at) \
             VALUES ($2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(None::<i64>),
    }
    .bind(w.kind.as_str())
    .bind(i64::from(w.phase))
    .bind(&w.title)
    .bind(&w.starts_at)
    .bind(&w.ends_at)
    .bind(&w.place)
    .bind(&w.facilitator)
    .bind(&w.agenda)
    .bind(w.cohort_id)
    .bind(by)
    .bind(at)
    .bind(w.version)
    .fetch_optional(&mut *conn)
    .await?;
    match (row, w.id) {
        (Some((id,)), _) => Ok(id),
        (None, Some(id)) => {
            Err(crate::error::stale(conn, Versioned::Workshops, id, "워크숍").await?)
        }
        (None, None) => Err(ProgramsError::NotFound("워크숍")),
    }
}

pub async fn delete(conn: &mut Conn, id: i64) -> Result<(), ProgramsError> {
    maeul_db::query("DELETE FROM workshops WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn marks(conn: &mut Conn, cohort_id: i64) -> Result<Vec<AttendanceMark>, ProgramsError> {
    let rows: Vec<(i64, i64, String)> = maeul_db::query_as(
        "SELECT a.workshop_id, a.person_id, a.status FROM workshop_attendance a \
         JOIN workshops w ON w.id = a.workshop_id WHERE w.cohort_id = $1",
    )
    .bind(cohort_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|(w, p, s)| {
            Ok(AttendanceMark {
                workshop_id: w,
                person_id: p,
                status: parse_enum("status", &s, Attendance::parse)?,
            })
        })
        .collect()
}

/// Sets (or with `None` clears) one person's mark; returns the previous one for the audit log.
pub async fn mark(
    conn: &mut Conn,
    workshop_id: i64,
    person_id: i64,
    status: Option<Attendance>,
) -> Result<Option<Attendance>, ProgramsError> {
    let same_cohort: Option<(i64,)> = maeul_db::query_as(
        "SELECT p.id FROM cohort_people p JOIN workshops w ON w.cohort_id = p.cohort_id \
         WHERE w.id = $1 AND p.id = $2",
    )
    .bind(workshop_id)
    .bind(person_id)
    .fetch_optional(&mut *conn)
    .await?;
    if same_cohort.is_none() {
        return Err(ProgramsError::invalid(
            "person_id",
            "이 워크숍의 기수에 속한 참여자가 아닙니다",
        ));
    }
    let old: Option<(String,)> = maeul_db::query_as(
        "SELECT status FROM workshop_attendance WHERE workshop_id = $1 AND person_id = $2",
    )
    .bind(workshop_id)
    .bind(person_id)
    .fetch_optional(&mut *conn)
    .await?;
    match status {
        Some(s) => {
            maeul_db::query(
                "INSERT INTO workshop_attendance (workshop_id, person_id, status) VALUES ($1, $2, $3) \
                 ON CONFLICT (workshop_id, person_id) DO UPDATE SET status = excluded.status",
            )
            .bind(workshop_id)
            .bind(person_id)
            .bind(s.as_str())
            .execute(&mut *conn)
            .await?;
        }
        None => {
            maeul_db::query(
                "DELETE FROM workshop_attendance WHERE workshop_id = $1 AND person_id = $2",
            )
            .bind(workshop_id)
            .bind(person_id)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(old.and_then(|(s,)| Attendance::parse(&s)))
}
