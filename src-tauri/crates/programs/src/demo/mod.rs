//! The county's programmes as the pledge card records them (seed/000): the 2022 resident
//! training and S·O·S lab, the 2023 living lab, the 2024 data-based living lab with its
//! sessions at their real dates and times, and the 2023 chief training in both towns.
//! Where the card gives no date or time for a session, the demo places it inside the stated
//! period and says so in the agenda ("일시 추정").

use maeul_db::Conn;

use crate::ProgramsError;
use crate::model::*;
use crate::store::{trainings, workshops};

mod early;
mod y2024;

pub(super) struct W<'a> {
    kind: WorkshopKind,
    phase: u8,
    title: &'a str,
    start: &'a str,
    end: &'a str,
    place: &'a str,
    facilitator: &'a str,
    agenda: &'a str,
}

pub(super) const COUNTY_HALL: &str = "증평군청 본관 2층 소회의실";
pub(super) const ESTIMATED: &str = "(일시 추정: 원자료에 회차별 일시 없음)";

// A demo-only builder; the positional arguments read like the card's own table.
#[allow(clippy::too_many_arguments)]
pub(super) fn cohort(
    year: i32,
    name: &str,
    kind: CohortKind,
    budget: Option<i64>,
    recruit: Option<(&str, &str)>,
    activity: (&str, &str),
    results: Option<&str>,
    target: i32,
    notes: &str,
) -> Cohort {
    Cohort {
        id: None,
        year,
        name: name.into(),
        kind,
        budget_million: budget,
        partners: "증평군\n충북과학기술혁신원\n미래산업문화연구소".into(),
        recruit_start: recruit.map(|r| r.0.to_string()),
        recruit_end: recruit.map(|r| r.1.to_string()),
        activity_start: activity.0.into(),
        activity_end: activity.1.into(),
        results_date: results.map(str::to_string),
        target_size: target,
        notes: notes.into(),
        version: 0,
    }
}

pub(super) async fn add_workshops(
    conn: &mut Conn,
    cohort_id: i64,
    list: &[W<'_>],
) -> Result<Vec<i64>, ProgramsError> {
    let mut ids = Vec::with_capacity(list.len());
    for w in list {
        let mut ws = Workshop {
            id: None,
            cohort_id,
            kind: w.kind,
            phase: w.phase,
            title: w.title.into(),
            starts_at: w.start.into(),
            ends_at: w.end.into(),
            place: w.place.into(),
            facilitator: w.facilitator.into(),
            agenda: w.agenda.into(),
            version: 0,
        };
        crate::validate::workshop(&mut ws)?;
        ids.push(workshops::save(conn, &ws, "", "").await?);
    }
    Ok(ids)
}

pub(super) fn person(
    cohort_id: i64,
    name: &str,
    phone: Option<String>,
    role: PersonRole,
    consent: bool,
    note: &str,
) -> Person {
    Person {
        id: None,
        cohort_id,
        name: name.into(),
        phone,
        village_id: None,
        role,
        state: ApplicationState::Selected,
        sms_consent: consent,
        note: note.into(),
    }
}

pub(super) fn demo_phone(n: u32) -> String {
    // 010-0088-xxxx: a block no carrier issues, like the registry's demo numbers.
    format!("+82100088{:04}", n % 10_000)
}

/// Loads every programme; expects the registry's demo villages to be there already.
pub async fn seed(conn: &mut Conn) -> Result<(), ProgramsError> {
    early::seed_2022(conn).await?;
    early::seed_2023(conn).await?;
    y2024::seed_2024(conn).await?;
    seed_training(conn).await
}

async fn seed_training(conn: &mut Conn) -> Result<(), ProgramsError> {
    // (town, date, attended): the card's 이장교육 table.
    for (town, date, attended) in [
        ("증평읍", "2023-10-19", 56usize),
        ("도안면", "2023-10-04", 22),
    ] {
        let (town_id,): (i64,) = maeul_db::query_as("SELECT id FROM towns WHERE name = $1")
            .bind(town)
            .fetch_one(&mut *conn)
            .await?;
        let t = Training {
            id: None,
            town_id,
            title: format!("{town} 이장교육 — 스마트 마을방송 앱"),
            starts_at: format!("{date}T14:00"),
            ends_at: format!("{date}T16:00"),
            place: format!("{town} 행정복지센터 회의실"),
            trainer: "자치행정과 정보통신팀".into(),
            agenda: "스마트 마을방송 앱 설치·전화번호 등록\n연습 방송\n(시각·장소 추정: 원자료는 일자와 인원만 기록)".into(),
        };
        let id = trainings::save(conn, &t).await?;
        let roster = trainings::attendees(conn, id, false).await?;
        // Check-in instants: from 13:40 Seoul (04:40 UTC), one every 20 s.
        for (i, a) in roster.iter().take(attended).enumerate() {
            let secs = 40 * 60 + 20 * i;
            let at = format!("{date}T04:{:02}:{:02}Z", secs / 60 % 60, secs % 60);
            trainings::check_in(conn, id, a.id, Some(&at)).await?;
            if let Some(v) = a.village_id {
                let c = Checklist {
                    app_installed: true,
                    phone_registered: i % 9 != 4,
                    practice_done: i % 4 != 1,
                };
                trainings::set_checklist(conn, v, c, &format!("{date}T07:00:00Z"), "demo").await?;
            }
        }
    }
    Ok(())
}
