//! The seed's card — 공감행정 ②-5 "마을 단위 스마트 시스템 구축 확대" — entered in full.

use crate::model::{
    Cell, HistoryEntry, MillionWon, MoneyRow, MoneyTable, PledgeCard, Source, Status, StatusKind,
    SubProject, YearPlan,
};

fn m(v: i64) -> Cell {
    Some(MillionWon(v))
}

/// A table whose only money is 군비 (county funds), as on the seed card; "-" elsewhere.
fn county_only(total: Cell, subtotal: Cell, years: [Cell; 5], after: Cell) -> MoneyTable {
    let county = |source| MoneyRow {
        source,
        total,
        prior: None,
        subtotal,
        years: years.to_vec(),
        after,
    };
    MoneyTable {
        rows: Source::ALL
            .iter()
            .map(|s| match s {
                Source::Total | Source::County => county(*s),
                _ => MoneyRow::empty(*s, 5),
            })
            .collect(),
    }
}

fn lines(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

pub fn seed_card() -> PledgeCard {
    PledgeCard {
        heading: "민선6기 군수 공약사업 관리카드".into(),
        number: "공감행정 ②-5".into(),
        title: "마을 단위 스마트 시스템 구축 확대".into(),
        lead_department: "자치행정과".into(),
        teams: "정보전산팀, 통신팀".into(),
        contacts: "박성원, 연정아 (☎3233, 3243)".into(),
        cooperating: "-".into(),
        first_year: 2022,
        last_year: 2026,
        total_budget: MillionWon(370),
        goals: lines(&[
            "휴대전화와 집전화를 통한 정확하고 빠른 스마트 정보 전달체계 구축",
            "‘생활 속 실험실’ 이라는 리빙랩 방식을 활용한 지역 문제 도출",
            "지역문제를 직접 해결하기 위한 아이디어 도출 및 문제 해결",
        ]),
        sub_projects: vec![
            SubProject {
                title: "스마트 마을방송시스템 구축".into(),
                period: "2023년".into(),
                targets: "109개 마을 / 1만8천여 세대".into(),
                budget: m(200),
                content: lines(&[
                    "사업량 : 시스템 구축 1식(ARS, App, 서버 등)",
                    "사업내용",
                    "- 스마트 마을방송시스템 구축, 주민설명회 및 스마트폰앱 배포·설치",
                    "- 통신사업자 크로샷 통합메시징서비스 신청",
                ]),
            },
            SubProject {
                title: "스마트 도시 리빙랩 주민참여단 운영".into(),
                period: "2022년 ~ 2026년".into(),
                targets: "주민 및 분야별 관계자 포함 10명 내외".into(),
                budget: m(170),
                content: lines(&[
                    "- ICT와 IoT 등 스마트기술을 통해 도시문제 해결 개방·협력형 참여 모델",
                    "운영방안",
                    "- 리빙랩 구성 후 분과별 협의를 통한 주요주제 선정",
                    "- 전문가 집단(퍼실리테이터)이 문제도출부터 해결까지 모든 과정 지원",
                ]),
            },
        ],
        phases: lines(&[
            "1단계 ①리빙랩 참여자 모집",
            "2단계 ②OT & 공감단계 ③문제도출, 정의",
            "3단계 ④문제해결, 구체화",
        ]),
        effects: lines(&[
            "마을방송 단청지역 해소 및 시간과 장소 제약없는 행정정보 전달",
            "생활밀접형 지역문제 관련 협의를 통한 주민공감 지역문제 해결 가능",
        ]),
        plan: county_only(m(370), m(340), [m(20), m(230), m(30), m(30), m(30)], m(30)),
        executed: county_only(m(233), m(233), [m(20), m(203), m(10), None, None], None),
        overrun_reasons: vec![],
        yearly_plan: vec![
            YearPlan {
                year: 2022,
                items: lines(&[
                    "스마트 마을방송 시스템 도입 종합 계획 수립",
                    "스마트 도시 리빙랩 주민참여단 운영계획 수립",
                    "스마트 도시 리빙랩 주민참여단 모집 공고 및 구성",
                    "충북과학기술혁신원 및 미래산업문화연구소와 협력체계 구축",
                ]),
                progress: 15,
            },
            YearPlan {
                year: 2023,
                items: lines(&[
                    "스마트 마을방송시스템 타시군 벤치마킹",
                    "스마트 마을방송시스템 구축사업 추진",
                    "주민설명회 및 스마트폰앱 배포·설치",
                    "리빙랩 주요 협의 주제 선정",
                    "스마트 도시 리빙랩 참여자 모집 및 운영",
                ]),
                progress: 70,
            },
            YearPlan {
                year: 2024,
                items: lines(&["스마트 도시 리빙랩을 통한 사업 발굴"]),
                progress: 80,
            },
            YearPlan {
                year: 2025,
                items: lines(&["스마트 도시 리빙랩 운영"]),
                progress: 90,
            },
            YearPlan {
                year: 2026,
                items: lines(&["스마트 도시 리빙랩 운영 성과 분석"]),
                progress: 100,
            },
        ],
        history: history(),
        future_plan: lines(&[
            "주민 참여 데이터기반 리빙랩 운영을 통한 지역문제 발굴 및 ICT적용 해결방안 모색 지속",
        ]),
        status: Status {
            kind: StatusKind::Done,
            percent: 100,
        },
        changes: "변경사항 없음".into(),
    }
}

fn history() -> Vec<HistoryEntry> {
    let entry = |year, body: &str| HistoryEntry {
        year,
        body: body.trim_matches('\n').to_string(),
    };
    vec![
        entry(
            2022,
            "
○ 스마트도시 리빙랩 주민참여단(이장, 주민자치위원) 운영 : 20백만원
- 주관 : 증평군, 충북과학기술혁신원, 미래산업문화연구소
- 사업기간 : 2022.10.17. ~12. 25. (총8회 교육)
- 교육대상 : 159명(이장 109명, 주민자치위원 : 50명)
- 교육내용 : 스마트도시에 대한 기본 소양교육, 공감하는 문제 찾기, 공동으로 계획하기. 데이터 중심으로 돌아보기, 공유하고 칭찬하기 등",
        ),
        entry(
            2022,
            "
○ 충북 S·O·S 랩 참여 및 활동
S·O·S 랩 Solution in Our Society-LAB: 지역 문제를 소프트웨어(SW)로 주민 스스로 해결하는 방법
- 해결과제 : IoT기반 스마트 바이오 웰 시스템 및 서비스
- 주민참여 : 증평군시민연구반 8명(총복 : 6개팀 80명)
- 전국 성과 공유회 우수 사례 발표
  • 일시 : 2022.11.30.
  • 장소 : 소노캄거제 마리나베이
- 충북 사례발표
  • 일시 : 2022.12.14.
  • 장소 : 제이원호텔",
        ),
        entry(
            2023,
            "
○ 2023년 스마트 도시 리빙랩 운영 : 2023.4.~2023.9.
- 참여인원 및 사업비 : 10명(군민8, 전문가2) : 21백만원
- 내용 : 스마트 도시 리빙랩 사업소개, 주민참여단 소개, 리빙랩 운영계획 공유, 스마트 도시와 리빙랩 기초교육, 지역문제 발굴, 선진지 견학, 해결 방안 도출 등 총 5회에 걸쳐 워크숍 진행",
        ),
        entry(
            2023,
            "
○ 스마트 마을방송 시스템 구축 완료 : 182백만원
- 사업기간 : 2023. 6. ~ 2023. 9.
- 대상마을 : 112개 마을 37,000여세대
- 사업비 : 소프트웨어 개발비 : 131백만원, 서버 등 하드웨어 : 51백만원
- 구축장비
  • 운영서버 : 사용자 권한 및 시스템 관리
  • 방송서버 : 음성방송 및 녹음기능 사용
  • 방송용 앱 : 관리자 및 방송 송수신 운영자 사용
- 주요기능
  • 기존 옥외방송을 통한 마을 방송 실시
  • 난청지역 해소를 위한 휴대전화를 통한 방송 실시
  • 휴대전화를 수신할 수 있는 문자메시지 동시 송출
  • 전국 및 전 세계 어느 곳에서나 실시간으로 방송
- 이장교육 : 증평읍 2023.10.19. 56명, 도안면 2023.10.4. 22명",
        ),
        entry(
            2023,
            "
○ 마을 방송 메시지 수신 방법 이원화
- 문자메시지 전송 오류 등으로 메시지 수신이 불가할 경우 대비, 카카오톡 채널을 이용해 메시지 수신 가능하도록 이원화 구축",
        ),
        entry(
            2024,
            "
○ 2024년 데이터기반 리빙랩 주민참여단 모집
- 모집·활동기간 : 2024. 4. 1. ~ 4. 26. / 2024. 5. 1. ~ 7. 31.
- 구성인원 : 10명 내외
- 주요역할 : 다양한 지역문제 도출 및 문제해결을 위한 아이디어 발굴
- 홍보매체 : 고시공고, 현수막, 증평소통공감 BAND, 보도자료(4/11) 등
- 내용 : 스마트 도시 리빙랩 기초지식 특강, 리빙랩 운영계획 안내, 데이터로 찾아보는 문제정의 교육, 선진지 견학, 리빙랩 서비스 모델 설계 및 전문가 멘토링, 해결방안 도출 등 총 5회에 걸쳐 워크숍 진행",
        ),
        entry(
            2024,
            "
○ 데이터기반 리빙랩 주민참여단 활동
- OT 6/19(수) 09:30~12:00 리빙랩 착수보고회 및 오리엔테이션
  • 스마트도시 리빙랩 운영 전문가 교육
  • 참여단 네트워킹 및 일정 협의
- 1차 7/3(수) 10:00~12:00 데이터로 찾아보는 문제정의 교육
  • 공공데이터 활용 문제정의 방법론 학습
  • 분야별 문제 정의 및 의제 발굴
- 2차 7/10(수) 10:00~14:00 의제별 솔루션 탐색 및 구체화
  • 스마트도시 기술 트렌드 이해
  • 솔루션 탐색 및 방안 구체화
  • 주요 의제별 팀 구성(2개팀)",
        ),
        entry(
            2024,
            "
○ 데이터기반 리빙랩 성과공유회 개최
- 일 자 : 2024. 9. 11.
- 내 용 : 공공데이터와 스마트 기술을 활용해 반려동물 배변처리기 및 AI 분리수거함 등의 솔루션 도출
- 전문가 멘토링을 통해 참여자들의 아이디어 실현 가능 여부를 검증
- 지역문제에 주민들이 적극 참여하여 문제 해결방안 도출",
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::check;

    #[test]
    fn the_seed_card_passes_every_check() {
        assert_eq!(check(&seed_card()), vec![]);
    }

    #[test]
    fn the_seed_card_holds_the_products_figures() {
        let card = seed_card();
        let plan = card.plan.row(Source::County).unwrap();
        assert_eq!(plan.total, m(370));
        assert_eq!(plan.subtotal, m(340));
        assert_eq!(plan.years, vec![m(20), m(230), m(30), m(30), m(30)]);
        assert_eq!(plan.after, m(30));
        let done = card.executed.row(Source::Total).unwrap();
        assert_eq!(done.total, m(233));
        assert_eq!(done.years, vec![m(20), m(203), m(10), None, None]);
        let progress: Vec<u8> = card.yearly_plan.iter().map(|p| p.progress).collect();
        assert_eq!(progress, vec![15, 70, 80, 90, 100]);
        assert!((card.execution_rate().unwrap() - 62.97).abs() < 0.01);
    }
}
