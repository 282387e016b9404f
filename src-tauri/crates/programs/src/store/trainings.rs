use maeul_db::Conn;

use crate::ProgramsError;
use crate::model::{Attendee, Checklist, Training, TrainingDetail, TrainingSummary};

type Row = (
    i64,
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
);

const SUMMARY: &str = "SELECT t.id, t.town_id, t.title, t.starts_at, t.ends_at, t.place, t.trainer, \
       t.agenda, w.name, \
       (SELECT COUNT(*) FROM training_attendees a WHERE a.training_id = t.id), \
       (SELECT COUNT(*) FROM training_attendees a WHERE a.training_id = t.id AND a.checked_in_at IS NOT NULL) \
     FROM trainings t JOIN towns w ON w.id = t.town_id";

fn from_row(r: Row) -> TrainingSummary {
    TrainingSummary {
        training: Training {
            id: Some(r.0),
            town_id: r.1,
            title: r.2,
            starts_at: r.3,
            ends_at: r.4,
            place: r.5,
            trainer: r.6,
            agenda: r.7,
        },
        town_name: r.8,
        roster: r.9 as u32,
        present: r.10 as u32,
    }
}

pub async fn list(conn: &mut Conn) -> Result<Vec<TrainingSummary>, ProgramsError> {
    let rows: Vec<Row> = maeul_db::query_as(sqlx::AssertSqlSafe(format!(
        "{SUMMARY} ORDER BY t.starts_at DESC"
    )))
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(from_row).collect())
}

pub async fn summary(conn: &mut Conn, id: i64) -> Result<TrainingSummary, ProgramsError> {
    let row: Option<Row> =
        maeul_db::query_as(sqlx::AssertSqlSafe(format!("{SUMMARY} WHERE t.id = $1")))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(from_row(row.ok_or(ProgramsError::NotFound("이장교육"))?))
}

type AttendeeRow = (
    i64,
    i64,
    Option<i64>,
    Option<String>,
    String,
    Option<String>,
    bool,
    Option<String>,
    Option<bool>,
    Option<bool>,
    Option<bool>,
);

pub async fn attendees(
    conn: &mut Conn,
    training_id: i64,
    mask: bool,
) -> Result<Vec<Attendee>, ProgramsError> {
    let rows: Vec<AttendeeRow> = maeul_db::query_as(
        "SELECT a.id, a.training_id, a.village_id, v.name, a.name, a.phone, a.walk_in, a.checked_in_at, \
                c.app_installed, c.phone_registered, c.practice_done \
         FROM training_attendees a LEFT JOIN villages v ON v.id = a.village_id \
         LEFT JOIN chief_checklist c ON c.village_id = a.village_id \
         WHERE a.training_id = $1 ORDER BY a.walk_in, v.code NULLS FIRST, a.id",
    )
    .bind(training_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Attendee {
            id: r.0,
            training_id: r.1,
            village_id: r.2,
            village_name: r.3,
            name: r.4,
            phone_display: r.5.as_deref().map(|p| super::people::shown(p, mask)),
            walk_in: r.6,
            checked_in_at: r.7,
            checklist: Checklist {
                app_installed: r.8.unwrap_or(false),
                phone_registered: r.9.unwrap_or(false),
                practice_done: r.10.unwrap_or(false),
            },
        })
        .collect())
}

/// With `mask`, numbers as 010-****-5678.
pub async fn detail(conn: &mut Conn, id: i64, mask: bool) -> Result<TrainingDetail, ProgramsError> {
    Ok(TrainingDetail {
        summary: summary(conn, id).await?,
        attendees: attendees(conn, id, mask).await?,
    })
}

/// Creates or updates a session. A new session's roster is the town's chiefs as the registry
/// has them now (villages without a chief are left out).
pub async fn save(conn: &mut Conn, t: &Training) -> Result<i64, ProgramsError> {
    let town: Option<(i64,)> = maeul_db::query_as("SELECT id FROM towns WHERE id = $1")
        .bind(t.town_id)
        .fetch_optional(&mut *conn)
        .await?;
    if town.is_none() {
        return Err(ProgramsError::invalid("town_id", "읍·면을 골라 주세요"));
    }
    if let Some(id) = t.id {
        let (old_town,): (i64,) = maeul_db::query_as("SELECT town_id FROM trainings WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(ProgramsError::NotFound("이장교육"))?;
        if old_town != t.town_id {
            return Err(ProgramsError::invalid(
                "town_id",
                "명단이 만들어진 교육의 읍·면은 바꿀 수 없습니다",
            ));
        }
        maeul_db::query(
            "UPDATE trainings SET title = $2, starts_at = $3, ends_at = $4, place = $5, trainer = $6, \
             agenda = $7 WHERE id = $1",
        )
        .bind(id)
        .bind(&t.title)
        .bind(&t.starts_at)
        .bind(&t.ends_at)
        .bind(&t.place)
        .bind(&t.trainer)
        .bind(&t.agenda)
        .execute(&mut *conn)
        .await?;
        return Ok(id);
    }
    let (id,): (i64,) = maeul_db::query_as(
        "INSERT INTO trainings (town_id, title, starts_at, ends_at, place, trainer, agenda) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(t.town_id)
    .bind(&t.title)
    .bind(&t.starts_at)
    .bind(&t.ends_at)
    .bind(&t.place)
    .bind(&t.trainer)
    .bind(&t.agenda)
    .fetch_one(&mut *conn)
    .await?;
    maeul_db::query(
        "INSERT INTO training_attendees (training_id, village_id, name, phone, walk_in) \
         SELECT $1, v.id, v.chief_name, v.chief_phone, FALSE FROM villages v \
         WHERE v.town_id = $2 AND v.chief_name IS NOT NULL AND v.chief_name <> '' ORDER BY v.code",
    )
    .bind(id)
    .bind(t.town_id)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

pub async fn delete(conn: &mut Conn, id: i64) -> Result<(), ProgramsError> {
    maeul_db::query("DELETE FROM trainings WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Checks someone in (`at` = UTC instant) or, with `None`, undoes it. Returns their name.
pub async fn check_in(
    conn: &mut Conn,
    training_id: i64,
    attendee_id: i64,
    at: Option<&str>,
) -> Result<String, ProgramsError> {
    let row: Option<(String,)> = maeul_db::query_as(
        "UPDATE training_attendees SET checked_in_at = $3 WHERE id = $2 AND training_id = $1 \
         RETURNING name",
    )
    .bind(training_id)
    .bind(attendee_id)
    .bind(at)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.ok_or(ProgramsError::NotFound("교육 참석자"))?.0)
}

/// Adds someone who was not on the roster, checked in at `at`.
pub async fn walk_in(
    conn: &mut Conn,
    training_id: i64,
    name: &str,
    village_id: Option<i64>,
    phone_e164: Option<&str>,
    at: &str,
) -> Result<i64, ProgramsError> {
    if let Some(v) = village_id {
        let on_roster: Option<(i64, String)> = maeul_db::query_as(
            "SELECT id, name FROM training_attendees WHERE training_id = $1 AND village_id = $2",
        )
        .bind(training_id)
        .bind(v)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some((_, chief)) = on_roster {
            return Err(ProgramsError::invalid(
                "village_id",
                format!("이 마을은 이미 명단에 있습니다 ({chief}). 명단에서 출석을 체크해 주세요"),
            ));
        }
    }
    let (id,): (i64,) = maeul_db::query_as(
        "INSERT INTO training_attendees (training_id, village_id, name, phone, walk_in, checked_in_at) \
         VALUES ($1, $2, $3, $4, TRUE, $5) RETURNING id",
    )
    .bind(training_id)
    .bind(village_id)
    .bind(name)
    .bind(phone_e164)
    .bind(at)
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

pub async fn checklist(conn: &mut Conn, village_id: i64) -> Result<Checklist, ProgramsError> {
    let row: Option<(bool, bool, bool)> = maeul_db::query_as(
        "SELECT app_installed, phone_registered, practice_done FROM chief_checklist WHERE village_id = $1",
    )
    .bind(village_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row
        .map(|(a, p, d)| Checklist {
            app_installed: a,
            phone_registered: p,
            practice_done: d,
        })
        .unwrap_or_default())
}

pub async fn set_checklist(
    conn: &mut Conn,
    village_id: i64,
    c: Checklist,
    at: &str,
    by: &str,
) -> Result<(), ProgramsError> {
    maeul_db::query(
        "INSERT INTO chief_checklist (village_id, app_installed, phone_registered, practice_done, updated_at, updated_by) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (village_id) DO UPDATE SET \
         app_installed = excluded.app_installed, phone_registered = excluded.phone_registered, \
         practice_done = excluded.practice_done, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )
    .bind(village_id)
    .bind(c.app_installed)
    .bind(c.phone_registered)
    .bind(c.practice_done)
    .bind(at)
    .bind(by)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
