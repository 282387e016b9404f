use maeul_db::Conn;
use maeul_registry::phone;

use super::parse_enum;
use crate::ProgramsError;
use crate::model::{ApplicationState, Person, PersonRole, PersonRow};

type Row = (
    i64,
    i64,
    String,
    Option<String>,
    Option<i64>,
    String,
    String,
    bool,
    String,
    Option<String>,
);

/// A cohort's people; with `mask`, numbers as 010-****-5678 (also in `person.phone`) for
/// roles that do not contact them.
pub async fn list(
    conn: &mut Conn,
    cohort_id: i64,
    mask: bool,
) -> Result<Vec<PersonRow>, ProgramsError> {
    let rows: Vec<Row> = maeul_db::query_as(
        "SELECT p.id, p.cohort_id, p.name, p.phone, p.village_id, p.role, p.state, p.sms_consent, \
                p.note, v.name \
         FROM cohort_people p LEFT JOIN villages v ON v.id = p.village_id \
         WHERE p.cohort_id = $1 ORDER BY p.id",
    )
    .bind(cohort_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(PersonRow {
                phone_display: r.3.as_deref().map(|p| shown(p, mask)),
                village_name: r.9,
                person: Person {
                    id: Some(r.0),
                    cohort_id: r.1,
                    name: r.2,
                    phone: if mask {
                        r.3.as_deref().map(|p| shown(p, mask))
                    } else {
                        r.3
                    },
                    village_id: r.4,
                    role: parse_enum("role", &r.5, PersonRole::parse)?,
                    state: parse_enum("state", &r.6, ApplicationState::parse)?,
                    sms_consent: r.7,
                    note: r.8,
                },
            })
        })
        .collect()
}

/// 010-1234-5678, or 010-****-5678 with `mask`.
pub fn shown(e164: &str, mask: bool) -> String {
    if mask {
        phone::masked(e164)
    } else {
        phone::display(e164)
    }
}

pub async fn get(conn: &mut Conn, id: i64) -> Result<Person, ProgramsError> {
    let cohort: Option<(i64,)> =
        maeul_db::query_as("SELECT cohort_id FROM cohort_people WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    let (cohort,) = cohort.ok_or(ProgramsError::NotFound("참여자"))?;
    list(conn, cohort, false)
        .await?
        .into_iter()
        .map(|r| r.person)
        .find(|p| p.id == Some(id))
        .ok_or(ProgramsError::NotFound("참여자"))
}

pub async fn save(conn: &mut Conn, p: &Person) -> Result<i64, ProgramsError> {
    if let Some(v) = p.village_id {
        let known: Option<(i64,)> = maeul_db::query_as("SELECT id FROM villages WHERE id = $1")
            .bind(v)
            .fetch_optional(&mut *conn)
            .await?;
        if known.is_none() {
            return Err(ProgramsError::invalid(
                "village_id",
                "등록되지 않은 마을입니다",
            ));
        }
    }
    if let Some(phone) = &p.phone {
        let twin: Option<(i64,)> = maeul_db::query_as(
            "SELECT id FROM cohort_people WHERE cohort_id = $1 AND phone = $2 AND id <> $3",
        )
        .bind(p.cohort_id)
        .bind(phone)
        .bind(p.id.unwrap_or(-1))
        .fetch_optional(&mut *conn)
        .await?;
        if twin.is_some() {
            return Err(ProgramsError::invalid(
                "phone",
                format!(
                    "이 기수에 같은 번호의 참여자가 이미 있습니다: {}",
                    phone::display(phone)
                ),
            ));
        }
    }
    let row: Option<(i64,)> = match p.id {
        Some(id) => maeul_db::query_as(
            "UPDATE cohort_people SET name = $2, phone = $3, village_id = $4, role = $5, state = $6, \
             sms_consent = $7, note = $8 WHERE id = $1 AND cohort_id = $9 RETURNING id",
        )
        .bind(id),
        None => maeul_db::query_as(
            "INSERT INTO cohort_people (name, phone, village_id, role, state, sms_consent, note, cohort_id) \
             VALUES ($2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(None::<i64>),
    }
    .bind(&p.name)
    .bind(&p.phone)
    .bind(p.village_id)
    .bind(p.role.as_str())
    .bind(p.state.as_str())
    .bind(p.sms_consent)
    .bind(&p.note)
    .bind(p.cohort_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.ok_or(ProgramsError::NotFound("참여자"))?.0)
}

pub async fn delete(conn: &mut Conn, id: i64) -> Result<(), ProgramsError> {
    maeul_db::query("DELETE FROM cohort_people WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
