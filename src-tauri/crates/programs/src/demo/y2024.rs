//! The 2024 data-based living lab: its sessions at their real dates and times.

use maeul_db::Conn;

use super::{COUNTY_HALL, W, add_workshops, cohort, demo_phone, person};
use crate::ProgramsError;
use crate::model::*;
use crate::store::{cohorts, people, teams, workshops};

pub(super) async fn seed_2024(conn: &mut Conn) -> Result<(), ProgramsError> {
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
    let id = cohorts::save(conn, &c, "", "").await?;
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
