//! The county's programmes as the pledge card records them (seed/000): the 2022 resident
//! training and S·O·S lab, the 2023 living lab, the 2024 data-based living lab with its
//! sessions at their real dates and times, and the 2023 chief training in both towns.
//! Where the card gives no date or time for a session, the demo places it inside the stated
//! period and says so in the agenda ("일시 추정").

use maeul_db::Conn;

use crate::ProgramsError;
use crate::model::*;
use crate::store::{cohorts, people, teams, trainings, workshops};

struct W<'a> {
    kind: WorkshopKind,
    phase: u8,
    title: &'a str,
    start: &'a str,
    end: &'a str,
    place: &'a str,
    facilitator: &'a str,
    agenda: &'a str,
}

const COUNTY_HALL: &str = "증평군청 본관 2층 소회의실";
const ESTIMATED: &str = "(일시 추정: 원자료에 회차별 일시 없음)";

fn cohort(
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
    }
}

async fn add_workshops(
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
        };
        crate::validate::workshop(&mut ws)?;
        ids.push(workshops::save(conn, &ws).await?);
    }
    Ok(ids)
}

fn person(
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

fn demo_phone(n: u32) -> String {
    format!("+82107{:03}{:04}", 700 + n / 10_000, n % 10_000)
}

/// Loads every programme; expects the registry's demo villages to be there already.
pub async fn seed(conn: &mut Conn) -> Result<(), ProgramsError> {
    seed_2022(conn).await?;
    seed_2023(conn).await?;
    seed_2024(conn).await?;
    seed_training(conn).await
}

async fn seed_2022(conn: &mut Conn) -> Result<(), ProgramsError> {
    let c = cohort(
        2022,
        "스마트도시 리빙랩 주민참여단 교육",
        CohortKind::ResidentTraining,
        Some(20),
        None,
        ("2022-10-17", "2022-12-25"),
        None,
        159,
        "교육대상 159명(이장 109명, 주민자치위원 50명), 총 8회 교육. 회차별 일자는 원자료에 없어 기간 안에 고르게 배치함.",
    );
    let id = cohorts::save(conn, &c).await?;
    let topics = [
        "스마트도시 기본 소양교육",
        "공감하는 문제 찾기",
        "공동으로 계획하기 (1)",
        "공동으로 계획하기 (2)",
        "데이터 중심으로 돌아보기 (1)",
        "데이터 중심으로 돌아보기 (2)",
        "공유하고 칭찬하기",
        "종합 정리",
    ];
    let days = [
        "10-17", "10-26", "11-04", "11-14", "11-23", "12-02", "12-12", "12-21",
    ];
    let starts: Vec<String> = days.iter().map(|d| format!("2022-{d}T14:00")).collect();
    let ends: Vec<String> = days.iter().map(|d| format!("2022-{d}T16:00")).collect();
    let mut list = Vec::new();
    for (i, t) in topics.iter().enumerate() {
        list.push(W {
            kind: if i == 0 {
                WorkshopKind::Ot
            } else {
                WorkshopKind::Workshop
            },
            phase: if i < 2 { 2 } else { 3 },
            title: t,
            start: &starts[i],
            end: &ends[i],
            place: COUNTY_HALL,
            facilitator: "미래산업문화연구소",
            agenda: ESTIMATED,
        });
    }
    add_workshops(conn, id, &list).await?;
    // The 109 chiefs are the registry's own; the 50 council members are demo names.
    let chiefs: Vec<(i64, String, Option<String>)> = sqlx::query_as(
        "SELECT id, chief_name, chief_phone FROM villages WHERE chief_name IS NOT NULL ORDER BY code LIMIT 109",
    )
    .fetch_all(&mut *conn)
    .await?;
    for (village, name, phone) in chiefs {
        let mut p = person(id, &name, phone, PersonRole::Resident, false, "이장");
        p.village_id = Some(village);
        people::save(conn, &p).await?;
    }
    for (i, name) in maeul_registry::demo::names(7022, 50).iter().enumerate() {
        let p = person(
            id,
            name,
            Some(demo_phone(2000 + i as u32)),
            PersonRole::Resident,
            false,
            "주민자치위원",
        );
        people::save(conn, &p).await?;
    }
    // The S·O·S lab of the same year: its two results presentations are on the card.
    let sos = cohort(
        2022,
        "충북 S·O·S 랩 증평군시민연구반",
        CohortKind::SosLab,
        None,
        None,
        ("2022-06-01", "2022-12-31"),
        Some("2022-11-30"),
        8,
        "해결과제: IoT기반 스마트 바이오 월 시스템 및 서비스. 주민참여 8명(충북 6개팀 80명).",
    );
    let sos_id = cohorts::save(conn, &sos).await?;
    add_workshops(
        conn,
        sos_id,
        &[
            W {
                kind: WorkshopKind::Results,
                phase: 3,
                title: "전국 성과 공유회 우수 사례 발표",
                start: "2022-11-30T13:00",
                end: "2022-11-30T17:00",
                place: "소노캄거제 마리나베이",
                facilitator: "",
                agenda: "IoT기반 스마트 바이오필터 미세먼지 저감 기술 및 시스템\n(시각 추정)",
            },
            W {
                kind: WorkshopKind::Results,
                phase: 3,
                title: "충북 사례발표",
                start: "2022-12-14T14:00",
                end: "2022-12-14T16:00",
                place: "제이원호텔",
                facilitator: "",
                agenda: "(시각 추정)",
            },
        ],
    )
    .await?;
    Ok(())
}

async fn seed_2023(conn: &mut Conn) -> Result<(), ProgramsError> {
    let c = cohort(
        2023,
        "2023 증평군 스마트 도시 리빙랩",
        CohortKind::LivingLab,
        Some(21),
        None,
        ("2023-04-01", "2023-09-30"),
        None,
        10,
        "참여인원 10명(군민 8, 전문가 2), 총 5회 워크숍. 발대식 외 회차 일시는 원자료에 없어 추정.",
    );
    let id = cohorts::save(conn, &c).await?;
    let ws = add_workshops(
        conn,
        id,
        &[
            W {
                kind: WorkshopKind::Ot,
                phase: 2,
                title: "발대식 · 사업소개 및 주민참여단 소개",
                start: "2023-05-26T14:00",
                end: "2023-05-26T16:00",
                place: COUNTY_HALL,
                facilitator: "충북과학기술혁신원",
                agenda: "스마트 도시 리빙랩 사업소개\n주민참여단 소개\n리빙랩 운영계획 공유\n(시각 추정)",
            },
            W {
                kind: WorkshopKind::Workshop,
                phase: 2,
                title: "스마트 도시와 리빙랩 기초교육",
                start: "2023-06-16T14:00",
                end: "2023-06-16T16:00",
                place: COUNTY_HALL,
                facilitator: "충북과학기술혁신원",
                agenda: ESTIMATED,
            },
            W {
                kind: WorkshopKind::Workshop,
                phase: 2,
                title: "지역문제 발굴",
                start: "2023-07-07T14:00",
                end: "2023-07-07T16:00",
                place: COUNTY_HALL,
                facilitator: "미래산업문화연구소",
                agenda: ESTIMATED,
            },
            W {
                kind: WorkshopKind::SiteVisit,
                phase: 3,
                title: "선진지 견학",
                start: "2023-08-18T09:00",
                end: "2023-08-18T17:00",
                place: "선진지 (원자료에 장소 없음)",
                facilitator: "충북과학기술혁신원",
                agenda: ESTIMATED,
            },
            W {
                kind: WorkshopKind::Workshop,
                phase: 3,
                title: "해결 방안 도출",
                start: "2023-09-15T14:00",
                end: "2023-09-15T16:00",
                place: COUNTY_HALL,
                facilitator: "미래산업문화연구소",
                agenda: ESTIMATED,
            },
        ],
    )
    .await?;
    let names = maeul_registry::demo::names(7023, 10);
    let mut ids = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let role = if i < 8 {
            PersonRole::Resident
        } else {
            PersonRole::Expert
        };
        let p = person(
            id,
            name,
            Some(demo_phone(3000 + i as u32)),
            role,
            i % 3 != 2,
            "",
        );
        ids.push(people::save(conn, &p).await?);
    }
    // Attendance as a coordinator would have kept it: most came, a few did not.
    for (wi, w) in ws.iter().enumerate() {
        for (pi, p) in ids.iter().enumerate() {
            let status = match (wi + pi) % 11 {
                3 => Attendance::Absent,
                7 => Attendance::Late,
                9 if wi == 3 => Attendance::Excused,
                _ => Attendance::Present,
            };
            workshops::mark(conn, *w, *p, Some(status)).await?;
        }
    }
    Ok(())
}

async fn seed_2024(conn: &mut Conn) -> Result<(), ProgramsError> {
    let c = cohort(
        2024,
        "2024 데이터기반 리빙랩 주민참여단",
        CohortKind::DataLivingLab,
        None,
        Some(("2024-04-01", "2024-04-26")),
        ("2024-05-01", "2024-07-31"),
        Some("2024-09-11"),
        10,
        "모집 25일간(고시공고, 현수막, 증평소통공감 BAND, 보도자료 4/11). 문의 자치행정과 정보통신팀 043-835-3233.",
    );
    let id = cohorts::save(conn, &c).await?;
    let ws = add_workshops(
        conn,
        id,
        &[
            W {
                kind: WorkshopKind::Ot,
                phase: 2,
                title: "리빙랩 착수보고회 및 오리엔테이션",
                start: "2024-06-19T09:30",
                end: "2024-06-19T12:00",
                place: COUNTY_HALL,
                facilitator: "충북과학기술혁신원",
                agenda: "스마트도시 리빙랩 운영 전문가 교육\n참여단 네트워킹 및 일정 협의",
            },
            W {
                kind: WorkshopKind::Workshop,
                phase: 2,
                title: "1차 데이터로 찾아보는 문제정의 교육",
                start: "2024-07-03T10:00",
                end: "2024-07-03T12:00",
                place: COUNTY_HALL,
                facilitator: "충북과학기술혁신원",
                agenda: "공공데이터 활용 문제정의 방법론 학습\n분야별 문제 정의 및 의제 발굴",
            },
            W {
                kind: WorkshopKind::Workshop,
                phase: 3,
                title: "2차 의제별 솔루션 탐색 및 구체화",
                start: "2024-07-10T10:00",
                end: "2024-07-10T14:00",
                place: COUNTY_HALL,
                facilitator: "충북과학기술혁신원",
                agenda: "스마트도시 기술 트렌드 이해\n솔루션 탐색 및 방안 구체화\n주요 의제별 팀 구성(2개팀)",
            },
            W {
                kind: WorkshopKind::Results,
                phase: 3,
                title: "데이터기반 리빙랩 성과공유회",
                start: "2024-09-11T14:00",
                end: "2024-09-11T16:00",
                place: COUNTY_HALL,
                facilitator: "충북과학기술혁신원",
                agenda: "솔루션 발표: 반려동물 배변처리기, AI 분리수거함\n전문가 멘토링 결과 공유\n(시각·장소 추정)",
            },
        ],
    )
    .await?;
    let names = maeul_registry::demo::names(7024, 13);
    let mut ids = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let (role, state) = match i {
            0..=7 => (PersonRole::Resident, ApplicationState::Selected),
            8 => (PersonRole::Expert, ApplicationState::Selected),
            9 => (PersonRole::Facilitator, ApplicationState::Selected),
            10 => (PersonRole::Resident, ApplicationState::Declined),
            11 => (PersonRole::Resident, ApplicationState::Withdrew),
            _ => (PersonRole::Resident, ApplicationState::Applied),
        };
        let mut p = person(
            id,
            name,
            Some(demo_phone(4000 + i as u32)),
            role,
            i != 5,
            "",
        );
        p.state = state;
        ids.push(people::save(conn, &p).await?);
    }
    let marks: [(usize, usize, Attendance); 4] = [
        (0, 4, Attendance::Late),
        (1, 6, Attendance::Absent),
        (2, 2, Attendance::Excused),
        (2, 7, Attendance::Late),
    ];
    for (wi, w) in ws.iter().take(3).enumerate() {
        for (pi, p) in ids.iter().take(10).enumerate() {
            let status = marks
                .iter()
                .find(|(a, b, _)| *a == wi && *b == pi)
                .map_or(Attendance::Present, |m| m.2);
            workshops::mark(conn, *w, *p, Some(status)).await?;
        }
    }
    let pets = teams::save(
        conn,
        &Team {
            id: None,
            cohort_id: id,
            name: "반려동물 팀".into(),
            members: ids[0..5].to_vec(),
        },
    )
    .await?;
    let waste = teams::save(
        conn,
        &Team {
            id: None,
            cohort_id: id,
            name: "자원순환 팀".into(),
            members: ids[5..10].to_vec(),
        },
    )
    .await?;
    let outcomes = [
        (
            OutcomeKind::Topic,
            "산책로 반려동물 배변 방치",
            OutcomeStatus::Done,
            ws[1],
            Some(pets),
        ),
        (
            OutcomeKind::Topic,
            "분리배출 혼입으로 재활용률 저하",
            OutcomeStatus::Done,
            ws[1],
            Some(waste),
        ),
        (
            OutcomeKind::Solution,
            "반려동물 배변처리기",
            OutcomeStatus::Done,
            ws[2],
            Some(pets),
        ),
        (
            OutcomeKind::Solution,
            "AI 분리수거함",
            OutcomeStatus::Done,
            ws[2],
            Some(waste),
        ),
    ];
    for (kind, title, status, w, team) in outcomes {
        teams::save_outcome(
            conn,
            &Outcome {
                id: None,
                cohort_id: id,
                kind,
                title: title.into(),
                status,
                workshop_id: Some(w),
                team_id: team,
                note: String::new(),
            },
        )
        .await?;
    }
    Ok(())
}

async fn seed_training(conn: &mut Conn) -> Result<(), ProgramsError> {
    // (town, date, attended): the card's 이장교육 table.
    for (town, date, attended) in [
        ("증평읍", "2023-10-19", 56usize),
        ("도안면", "2023-10-04", 22),
    ] {
        let (town_id,): (i64,) = sqlx::query_as("SELECT id FROM towns WHERE name = $1")
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
        let roster = trainings::attendees(conn, id).await?;
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
