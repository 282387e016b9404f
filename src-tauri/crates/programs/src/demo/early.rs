//! The 2022 resident training and S·O·S lab, and the 2023 living lab.

use maeul_db::Conn;

use super::{COUNTY_HALL, ESTIMATED, W, add_workshops, cohort, demo_phone, person};
use crate::ProgramsError;
use crate::model::*;
use crate::store::{cohorts, people, workshops};

pub(super) async fn seed_2022(conn: &mut Conn) -> Result<(), ProgramsError> {
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
    let id = cohorts::save(conn, &c, "", "").await?;
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
    let chiefs: Vec<(i64, String, Option<String>)> = maeul_db::query_as(
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
    let sos_id = cohorts::save(conn, &sos, "", "").await?;
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

pub(super) async fn seed_2023(conn: &mut Conn) -> Result<(), ProgramsError> {
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
    let id = cohorts::save(conn, &c, "", "").await?;
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
