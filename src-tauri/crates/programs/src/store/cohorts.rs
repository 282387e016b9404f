use maeul_db::versions::Versioned;
use maeul_db::{Conn, Db};

use super::parse_enum;
use crate::ProgramsError;
use crate::model::{Cohort, CohortDetail, CohortKind, CohortSummary};

type Row = (
    i64,
    i64,
    String,
    String,
    Option<i64>,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    Option<String>,
    i64,
    String,
    i64,
);

const COLUMNS: &str = "id, year, name, kind, budget_million, partners, recruit_start, recruit_end, \
     activity_start, activity_end, results_date, target_size, notes, version";

fn from_row(r: Row) -> Result<Cohort, ProgramsError> {
    Ok(Cohort {
        id: Some(r.0),
        year: r.1 as i32,
        name: r.2,
        kind: parse_enum("kind", &r.3, CohortKind::parse)?,
        budget_million: r.4,
        partners: r.5,
        recruit_start: r.6,
        recruit_end: r.7,
        activity_start: r.8,
        activity_end: r.9,
        results_date: r.10,
        target_size: r.11 as i32,
        notes: r.12,
        version: r.13,
    })
}

pub async fn get(conn: &mut Conn, id: i64) -> Result<Cohort, ProgramsError> {
    let row: Option<Row> = maeul_db::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM cohorts WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    from_row(row.ok_or(ProgramsError::NotFound("리빙랩 기수"))?)
}

/// How many cohorts exist (the demo seed adds the card's cohorts only to none).
pub async fn count(conn: &mut Conn) -> Result<i64, ProgramsError> {
    let (n,): (i64,) = maeul_db::query_as("SELECT COUNT(*) FROM cohorts")
        .fetch_one(&mut *conn)
        .await?;
    Ok(n)
}

pub async fn list(db: &Db) -> Result<Vec<CohortSummary>, ProgramsError> {
    let rows: Vec<Row> = maeul_db::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM cohorts ORDER BY year DESC, name"
    )))
    .fetch_all(db)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let id = r.0;
        let (applicants, selected, workshops): (i64, i64, i64) = maeul_db::query_as(
            "SELECT (SELECT COUNT(*) FROM cohort_people WHERE cohort_id = $1), \
                    (SELECT COUNT(*) FROM cohort_people WHERE cohort_id = $1 AND state = 'selected'), \
                    (SELECT COUNT(*) FROM workshops WHERE cohort_id = $1)",
        )
        .bind(id)
        .fetch_one(db)
        .await?;
        out.push(CohortSummary {
            cohort: from_row(r)?,
            applicants: applicants as u32,
            selected: selected as u32,
            workshops: workshops as u32,
        });
    }
    Ok(out)
}

/// Inserts (`id` None) or updates from `c.version` (refused as a conflict naming who saved
/// in between); returns the id. A second cohort with the same year and name is refused with
/// the field. `by` is the saver's name, `at` the UTC stamp.
pub async fn save(conn: &mut Conn, c: &Cohort, by: &str, at: &str) -> Result<i64, ProgramsError> {
    let clash: Option<(i64,)> =
        maeul_db::query_as("SELECT id FROM cohorts WHERE year = $1 AND name = $2 AND id <> $3")
            .bind(c.year)
            .bind(&c.name)
            .bind(c.id.unwrap_or(-1))
            .fetch_optional(&mut *conn)
            .await?;
    if clash.is_some() {
        return Err(ProgramsError::invalid(
            "name",
            format!(
                "{}년에 같은 이름의 기수가 이미 있습니다: {}",
                c.year, c.name
            ),
        ));
    }
    let sql = match c.id {
        Some(_) => {
            "UPDATE cohorts SET year = $2, name = $3, kind = $4, budget_million = $5, partners = $6, \
             recruit_start = $7, recruit_end = $8, activity_start = $9, activity_end = $10, \
             results_date = $11, target_size = $12, notes = $13, version = version + 1, \
             updated_by = $14, updated_at = $15 WHERE id = $1 AND version = $16 RETURNING id"
        }
        None => {
            "INSERT INTO cohorts (year, name, kind, budget_million, partners, recruit_start, \
             recruit_end, activity_start, activity_end, results_date, target_size, notes, \
             updated_by, updated_at) \
             VALUES ($2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id"
        }
    };
    let q = maeul_db::query_as(sql);
    let q = match c.id {
        Some(id) => q.bind(id),
        None => q.bind(None::<i64>),
    };
    let row: Option<(i64,)> = q
        .bind(c.year)
        .bind(&c.name)
        .bind(c.kind.as_str())
        .bind(c.budget_million)
        .bind(&c.partners)
        .bind(&c.recruit_start)
        .bind(&c.recruit_end)
        .bind(&c.activity_start)
        .bind(&c.activity_end)
        .bind(&c.results_date)
        .bind(c.target_size)
        .bind(&c.notes)
        .bind(by)
        .bind(at)
        .bind(c.version)
        .fetch_optional(&mut *conn)
        .await?;
    match (row, c.id) {
        (Some((id,)), _) => Ok(id),
        (None, Some(id)) => {
            Err(crate::error::stale(conn, Versioned::Cohorts, id, "리빙랩 기수").await?)
        }
        (None, None) => Err(ProgramsError::NotFound("리빙랩 기수")),
    }
}

pub async fn delete(conn: &mut Conn, id: i64) -> Result<(), ProgramsError> {
    maeul_db::query("DELETE FROM cohorts WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// With `mask`, participants' numbers as 010-****-5678.
pub async fn detail(conn: &mut Conn, id: i64, mask: bool) -> Result<CohortDetail, ProgramsError> {
    let cohort = get(conn, id).await?;
    let people = super::people::list(conn, id, mask).await?;
    let workshops = super::workshops::list(conn, Some(id)).await?;
    let attendance = super::workshops::marks(conn, id).await?;
    let teams = super::teams::list(conn, id).await?;
    let outcomes = super::teams::outcomes(conn, id).await?;
    let stats = crate::stats::cohort_stats(
        cohort.target_size.max(0) as u32,
        &people,
        &workshops,
        &attendance,
    );
    Ok(CohortDetail {
        cohort,
        people,
        workshops,
        attendance,
        teams,
        outcomes,
        stats,
    })
}
