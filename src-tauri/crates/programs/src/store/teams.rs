use maeul_db::Conn;

use super::parse_enum;
use crate::ProgramsError;
use crate::model::{Outcome, OutcomeKind, OutcomeStatus, Team};

pub async fn list(conn: &mut Conn, cohort_id: i64) -> Result<Vec<Team>, ProgramsError> {
    let teams: Vec<(i64, String)> =
        maeul_db::query_as("SELECT id, name FROM teams WHERE cohort_id = $1 ORDER BY name")
            .bind(cohort_id)
            .fetch_all(&mut *conn)
            .await?;
    let members: Vec<(i64, i64)> = maeul_db::query_as(
        "SELECT m.team_id, m.person_id FROM team_members m JOIN teams t ON t.id = m.team_id \
         WHERE t.cohort_id = $1 ORDER BY m.person_id",
    )
    .bind(cohort_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(teams
        .into_iter()
        .map(|(id, name)| Team {
            id: Some(id),
            cohort_id,
            name,
            members: members
                .iter()
                .filter(|(t, _)| *t == id)
                .map(|(_, p)| *p)
                .collect(),
        })
        .collect())
}

/// Saves a team with exactly the given members, who must be of the same cohort.
pub async fn save(conn: &mut Conn, t: &Team) -> Result<i64, ProgramsError> {
    for &p in &t.members {
        let ok: Option<(i64,)> =
            maeul_db::query_as("SELECT id FROM cohort_people WHERE id = $1 AND cohort_id = $2")
                .bind(p)
                .bind(t.cohort_id)
                .fetch_optional(&mut *conn)
                .await?;
        if ok.is_none() {
            return Err(ProgramsError::invalid(
                "members",
                "이 기수의 참여자가 아닌 사람이 있습니다",
            ));
        }
    }
    let twin: Option<(i64,)> =
        maeul_db::query_as("SELECT id FROM teams WHERE cohort_id = $1 AND name = $2 AND id <> $3")
            .bind(t.cohort_id)
            .bind(&t.name)
            .bind(t.id.unwrap_or(-1))
            .fetch_optional(&mut *conn)
            .await?;
    if twin.is_some() {
        return Err(ProgramsError::invalid(
            "name",
            format!("같은 이름의 팀이 있습니다: {}", t.name),
        ));
    }
    let id = match t.id {
        Some(id) => {
            maeul_db::query("UPDATE teams SET name = $2 WHERE id = $1 AND cohort_id = $3")
                .bind(id)
                .bind(&t.name)
                .bind(t.cohort_id)
                .execute(&mut *conn)
                .await?;
            id
        }
        None => {
            let (id,): (i64,) = maeul_db::query_as(
                "INSERT INTO teams (cohort_id, name) VALUES ($1, $2) RETURNING id",
            )
            .bind(t.cohort_id)
            .bind(&t.name)
            .fetch_one(&mut *conn)
            .await?;
            id
        }
    };
    maeul_db::query("DELETE FROM team_members WHERE team_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for &p in &t.members {
        maeul_db::query("INSERT INTO team_members (team_id, person_id) VALUES ($1, $2)")
            .bind(id)
            .bind(p)
            .execute(&mut *conn)
            .await?;
    }
    Ok(id)
}

pub async fn delete(conn: &mut Conn, id: i64) -> Result<(), ProgramsError> {
    maeul_db::query("DELETE FROM teams WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

type OutcomeRow = (
    i64,
    i64,
    String,
    String,
    String,
    Option<i64>,
    Option<i64>,
    String,
);

pub async fn outcomes(conn: &mut Conn, cohort_id: i64) -> Result<Vec<Outcome>, ProgramsError> {
    let rows: Vec<OutcomeRow> = maeul_db::query_as(
        "SELECT id, cohort_id, kind, title, status, workshop_id, team_id, note FROM outcomes \
         WHERE cohort_id = $1 ORDER BY kind DESC, id",
    )
    .bind(cohort_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Outcome {
                id: Some(r.0),
                cohort_id: r.1,
                kind: parse_enum("kind", &r.2, OutcomeKind::parse)?,
                title: r.3,
                status: parse_enum("status", &r.4, OutcomeStatus::parse)?,
                workshop_id: r.5,
                team_id: r.6,
                note: r.7,
            })
        })
        .collect()
}

pub async fn save_outcome(conn: &mut Conn, o: &Outcome) -> Result<i64, ProgramsError> {
    if o.title.trim().is_empty() {
        return Err(ProgramsError::invalid("title", "비어 있습니다"));
    }
    if let Some(w) = o.workshop_id {
        let ok: Option<(i64,)> =
            maeul_db::query_as("SELECT id FROM workshops WHERE id = $1 AND cohort_id = $2")
                .bind(w)
                .bind(o.cohort_id)
                .fetch_optional(&mut *conn)
                .await?;
        if ok.is_none() {
            return Err(ProgramsError::invalid(
                "workshop_id",
                "이 기수의 워크숍이 아닙니다",
            ));
        }
    }
    let row: Option<(i64,)> = match o.id {
        Some(id) => maeul_db::query_as(
            "UPDATE outcomes SET kind = $2, title = $3, status = $4, workshop_id = $5, team_id = $6, \
             note = $7 WHERE id = $1 AND cohort_id = $8 RETURNING id",
        )
        .bind(id),
        None => maeul_db::query_as(
            "INSERT INTO outcomes (kind, title, status, workshop_id, team_id, note, cohort_id) \
             VALUES ($2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(None::<i64>),
    }
    .bind(o.kind.as_str())
    .bind(o.title.trim())
    .bind(o.status.as_str())
    .bind(o.workshop_id)
    .bind(o.team_id)
    .bind(&o.note)
    .bind(o.cohort_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.ok_or(ProgramsError::NotFound("의제·성과"))?.0)
}

pub async fn delete_outcome(conn: &mut Conn, id: i64) -> Result<(), ProgramsError> {
    maeul_db::query("DELETE FROM outcomes WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
