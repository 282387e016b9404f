use maeul_api::{ErrorCode, PracticeState, Role};
use maeul_programs::calendar::{ConflictReason, EventKind};
use maeul_programs::reminders::SkipReason;
use maeul_programs::store::reminders::take_due;
use maeul_programs::{CohortKind, OutcomeKind, Training, Workshop, WorkshopKind};

use crate::fixtures::{actor, admin, cohort_id, desk_with_programs, sending_at_any_hour, town_id};

#[tokio::test]
async fn demo_holds_the_figures_of_the_card() {
    let desk = desk_with_programs().await;
    let a = admin();

    let d2024 = desk
        .cohort_get(&a, cohort_id(&desk, 2024, CohortKind::DataLivingLab).await)
        .await
        .unwrap();
    let c = &d2024.cohort;
    assert_eq!(
        (
            c.recruit_start.as_deref(),
            c.recruit_end.as_deref(),
            c.activity_start.as_str(),
            c.activity_end.as_str()
        ),
        (
            Some("2024-04-01"),
            Some("2024-04-26"),
            "2024-05-01",
            "2024-07-31"
        )
    );
    assert_eq!(c.results_date.as_deref(), Some("2024-09-11"));
    assert_eq!(c.target_size, 10);
    let times: Vec<(&str, &str)> = d2024
        .workshops
        .iter()
        .map(|w| (w.starts_at.as_str(), w.ends_at.as_str()))
        .collect();
    assert_eq!(
        &times[..3],
        [
            ("2024-06-19T09:30", "2024-06-19T12:00"),
            ("2024-07-03T10:00", "2024-07-03T12:00"),
            ("2024-07-10T10:00", "2024-07-10T14:00"),
        ]
    );
    assert_eq!(d2024.workshops[3].starts_at[..10], *"2024-09-11");
    assert_eq!(d2024.workshops[0].kind, WorkshopKind::Ot);
    assert_eq!(d2024.stats.selected, 10);
    assert_eq!(d2024.teams.len(), 2);
    let solutions: Vec<&str> = d2024
        .outcomes
        .iter()
        .filter(|o| o.kind == OutcomeKind::Solution)
        .map(|o| o.title.as_str())
        .collect();
    assert_eq!(solutions, ["반려동물 배변처리기", "AI 분리수거함"]);
    // Each solution links to the 2nd workshop, where the teams were formed.
    let second = d2024.workshops[2].id;
    assert!(
        d2024
            .outcomes
            .iter()
            .filter(|o| o.kind == OutcomeKind::Solution)
            .all(|o| o.workshop_id == second)
    );

    let d2023 = desk
        .cohort_get(&a, cohort_id(&desk, 2023, CohortKind::LivingLab).await)
        .await
        .unwrap();
    assert_eq!(
        (
            d2023.stats.selected,
            d2023.stats.residents,
            d2023.stats.experts
        ),
        (10, 8, 2)
    );
    assert_eq!(d2023.workshops.len(), 5);
    assert_eq!(d2023.cohort.budget_million, Some(21));
    assert_eq!(
        (
            d2023.cohort.activity_start.as_str(),
            d2023.cohort.activity_end.as_str()
        ),
        ("2023-04-01", "2023-09-30")
    );

    let d2022 = desk
        .cohort_get(
            &a,
            cohort_id(&desk, 2022, CohortKind::ResidentTraining).await,
        )
        .await
        .unwrap();
    assert_eq!(d2022.stats.selected, 159);
    assert_eq!(
        d2022
            .people
            .iter()
            .filter(|p| p.person.note == "이장")
            .count(),
        109
    );
    assert_eq!(
        d2022
            .people
            .iter()
            .filter(|p| p.person.note == "주민자치위원")
            .count(),
        50
    );
    assert_eq!(d2022.workshops.len(), 8);
    assert_eq!(d2022.workshops[0].starts_at[..10], *"2022-10-17");
    assert!(
        d2022
            .workshops
            .iter()
            .all(|w| w.ends_at.as_str() <= "2022-12-25T23:59")
    );

    let trainings = desk.training_list(&a).await.unwrap();
    let figures: Vec<(&str, &str, u32, u32)> = trainings
        .iter()
        .map(|t| {
            (
                t.town_name.as_str(),
                &t.training.starts_at[..10],
                t.present,
                t.roster,
            )
        })
        .collect();
    assert_eq!(
        figures,
        [
            ("증평읍", "2023-10-19", 56, 72),
            ("도안면", "2023-10-04", 22, 40)
        ]
    );
}

#[tokio::test]
async fn practice_mode_never_reaches_a_real_provider() {
    let desk = desk_with_programs().await;
    sending_at_any_hour(&desk).await;
    let trainer = actor(Role::Trainer, None);
    let coordinator = actor(Role::Livinglab, None);
    for who in [Role::Livinglab, Role::Operator, Role::Auditor] {
        let e = desk
            .set_practice_mode(&actor(who, None), true)
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::Forbidden, "{who}");
    }
    let town = town_id(&desk, "도안면").await;
    let practice_session = desk
        .training_save(
            &trainer,
            Training {
                id: None,
                town_id: town,
                title: "연습 방송 실습".into(),
                starts_at: "2030-03-05T14:00".into(),
                ends_at: "2030-03-05T16:00".into(),
                place: "도안면 행정복지센터".into(),
                trainer: "정보통신팀".into(),
                agenda: String::new(),
            },
        )
        .await
        .unwrap();
    let trainer = desk.set_practice_mode(&trainer, true).await.unwrap();
    let state = PracticeState::of(&trainer);
    assert!(state.on && state.since.is_some());
    assert!(
        !PracticeState::of(&coordinator).on,
        "practice is the trainer's session only"
    );
    let now: jiff::civil::DateTime = "2030-03-01T09:00".parse().unwrap();
    let plan = desk
        .reminders_plan_at(&trainer, EventKind::Training, practice_session, now)
        .await
        .unwrap();
    assert!(plan.practice);
    assert_eq!(
        plan.scheduled,
        40 * 2,
        "40 chiefs of 도안면, 1d and 2h before"
    );
    assert!(
        plan.reminders
            .iter()
            .all(|r| r.practice && r.body.starts_with("[연습]"))
    );

    let trainer = desk.set_practice_mode(&trainer, false).await.unwrap();
    assert!(!trainer.in_practice());
    let cohort = cohort_id(&desk, 2024, CohortKind::DataLivingLab).await;
    let real = desk
        .workshop_save(
            &coordinator,
            Workshop {
                id: None,
                cohort_id: cohort,
                kind: WorkshopKind::Mentoring,
                phase: 3,
                title: "전문가 멘토링".into(),
                starts_at: "2030-03-06T10:00".into(),
                ends_at: "2030-03-06T12:00".into(),
                place: "증평군청 소회의실".into(),
                facilitator: "멘토".into(),
                agenda: String::new(),
                version: 0,
            },
        )
        .await
        .unwrap()
        .id;
    let plan = desk
        .reminders_plan_at(&coordinator, EventKind::Workshop, real, now)
        .await
        .unwrap();
    assert!(!plan.practice);
    // 10 selected, one of whom did not agree to SMS.
    assert_eq!(plan.scheduled, 9 * 2);
    assert_eq!(plan.skipped.len(), 1);
    assert_eq!(plan.skipped[0].reason, SkipReason::NoConsent);

    // What a sync takes when they come due: both, each once; the practice ones are kept
    // apart as practice (their broadcasts only ever reach the sandbox).
    let mut conn = desk.db().acquire().await.unwrap();
    let taken = take_due(&mut conn, "2031-01-01T00:00:00Z").await.unwrap();
    assert_eq!(taken.len(), 18 + 80);
    assert_eq!(taken.iter().filter(|r| r.practice).count(), 80);
    assert!(
        taken
            .iter()
            .filter(|r| !r.practice)
            .all(|r| r.event_kind == EventKind::Workshop)
    );
    assert!(
        take_due(&mut conn, "2031-01-01T00:00:00Z")
            .await
            .unwrap()
            .is_empty(),
        "taken once only"
    );
}

#[tokio::test]
async fn due_reminders_leave_through_the_outbox_once() {
    let desk = desk_with_programs().await;
    sending_at_any_hour(&desk).await;
    let coordinator = actor(Role::Livinglab, None);
    let cohort = cohort_id(&desk, 2024, CohortKind::DataLivingLab).await;
    let id = desk
        .workshop_save(
            &coordinator,
            Workshop {
                id: None,
                cohort_id: cohort,
                kind: WorkshopKind::Mentoring,
                phase: 3,
                title: "전문가 멘토링".into(),
                starts_at: "2030-03-06T10:00".into(),
                ends_at: "2030-03-06T12:00".into(),
                place: "증평군청 소회의실".into(),
                facilitator: "멘토".into(),
                agenda: String::new(),
                version: 0,
            },
        )
        .await
        .unwrap()
        .id;
    let now: jiff::civil::DateTime = "2030-03-01T09:00".parse().unwrap();
    let plan = desk
        .reminders_plan_at(&coordinator, EventKind::Workshop, id, now)
        .await
        .unwrap();
    assert_eq!(plan.scheduled, 9 * 2);
    // The day-before reminders come due; the two-hours-before ones are still ahead.
    maeul_db::query(
        "UPDATE program_reminders SET due_at = '2020-01-01T00:00:00Z' \
         WHERE event_kind = 'workshop' AND event_id = $1 AND due_at = \
         (SELECT MIN(due_at) FROM program_reminders WHERE event_kind = 'workshop' AND event_id = $1)",
    )
    .bind(id)
    .execute(desk.db())
    .await
    .unwrap();
    desk.setting_set(&admin(), "dispatch.retry_schedule", "1s")
        .await
        .unwrap();
    let sandbox = maeul_dispatch::sandbox::Sandbox::new();
    let d = desk
        .sync_drain(&sandbox, std::time::Duration::from_secs(20), &|_, _| {})
        .await
        .unwrap();
    assert_eq!(d.open, 0);
    // One text per person; every row (a failed text's KakaoTalk stand-in too) carries the
    // reminder's own words.
    let sent: Vec<(String, String, String, String, String)> = maeul_db::query_as(
        "SELECT b.title, b.created_by, d.channel, d.body, d.state FROM deliveries d \
         JOIN broadcasts b ON b.id = d.broadcast_id ORDER BY d.id",
    )
    .fetch_all(desk.db())
    .await
    .unwrap();
    assert_eq!(sent.iter().filter(|s| s.2 == "sms").count(), 9, "{sent:?}");
    for (title, by, _, body, _) in &sent {
        assert_eq!(
            (title.as_str(), by.as_str()),
            ("[일정 알림] 전문가 멘토링", "system")
        );
        assert!(
            body.starts_with("[증평군] 전문가 멘토링 안내: 2030-03-06 (수) 10:00~12:00"),
            "{body}"
        );
    }
    assert!(sent.iter().any(|s| s.4 == "delivered"), "{sent:?}");
    let states: Vec<(String, i64)> = maeul_db::query_as(
        "SELECT state, COUNT(*) FROM program_reminders WHERE event_kind = 'workshop' \
         AND event_id = $1 GROUP BY state ORDER BY state",
    )
    .bind(id)
    .fetch_all(desk.db())
    .await
    .unwrap();
    assert_eq!(
        states,
        vec![("queued".to_string(), 9), ("scheduled".to_string(), 9)]
    );
    // Taken once: another pass queues nothing more.
    let r = desk.sync_once(&sandbox).await.unwrap();
    assert_eq!(r.reminders, 0);
}

#[tokio::test]
async fn calendar_flags_clashes_and_saving_warns() {
    let desk = desk_with_programs().await;
    let a = admin();
    let july = desk.calendar(&a, "2024-07-01", "2024-07-31").await.unwrap();
    assert_eq!(july.events.len(), 2);
    assert!(july.conflicts.is_empty());
    // A chief training in the same room, starting as the 2nd workshop ends: no clash.
    let town = town_id(&desk, "증평읍").await;
    let room = "증평군청 본관 2층 소회의실";
    let touching = Training {
        id: None,
        town_id: town,
        title: "오후 교육".into(),
        starts_at: "2024-07-10T14:00".into(),
        ends_at: "2024-07-10T16:00".into(),
        place: room.into(),
        trainer: "정보통신팀".into(),
        agenda: String::new(),
    };
    desk.training_save(&a, touching.clone()).await.unwrap();
    assert!(
        desk.calendar(&a, "2024-07-10", "2024-07-10")
            .await
            .unwrap()
            .conflicts
            .is_empty()
    );
    // One in the other town, 13:30–14:00, clashes with the workshop on the room only.
    let overlapping = Training {
        town_id: town_id(&desk, "도안면").await,
        starts_at: "2024-07-10T13:30".into(),
        ends_at: "2024-07-10T14:00".into(),
        title: "겹치는 교육".into(),
        trainer: "다른 강사".into(),
        ..touching
    };
    let clash_id = desk.training_save(&a, overlapping).await.unwrap();
    let view = desk.calendar(&a, "2024-07-10", "2024-07-10").await.unwrap();
    assert_eq!(view.conflicts.len(), 1, "{:?}", view.conflicts);
    assert_eq!(view.conflicts[0].reason, ConflictReason::Place);
    assert!(
        view.conflicts[0].b == (EventKind::Training, clash_id)
            || view.conflicts[0].a == (EventKind::Training, clash_id)
    );

    // Saving a workshop that double-books the cohort's participants returns the warning.
    let cohort = cohort_id(&desk, 2024, CohortKind::DataLivingLab).await;
    let saved = desk
        .workshop_save(
            &a,
            Workshop {
                id: None,
                cohort_id: cohort,
                kind: WorkshopKind::SiteVisit,
                phase: 3,
                title: "선진지 견학".into(),
                starts_at: "2024-07-03T11:00".into(),
                ends_at: "2024-07-03T17:00".into(),
                place: "세종시".into(),
                facilitator: "다른 멘토".into(),
                agenda: String::new(),
                version: 0,
            },
        )
        .await
        .unwrap();
    assert_eq!(saved.conflicts.len(), 1);
    assert_eq!(saved.conflicts[0].reason, ConflictReason::Person);
}

/// 개인정보보호법: deleting a cohort keeps its record in the audit log with the
/// participants' numbers masked, as every other audit entry has them, and their names and
/// numbers only in the erasable part beside the chain.
#[tokio::test]
async fn a_deleted_cohort_is_audited_without_full_numbers() {
    let desk = desk_with_programs().await;
    let a = admin();
    let id = cohort_id(&desk, 2024, CohortKind::DataLivingLab).await;
    let full: Vec<String> = desk
        .cohort_get(&a, id)
        .await
        .unwrap()
        .people
        .iter()
        .filter_map(|p| p.person.phone.clone())
        .collect();
    assert!(!full.is_empty(), "the demo cohort has numbers");
    desk.cohort_delete(&a, id).await.unwrap();
    let (detail, payload): (String, String) = maeul_db::query_as(
        "SELECT a.detail, p.payload FROM audit_log a JOIN audit_personal p ON p.entry_id = a.id \
         WHERE a.action = 'programs.cohort.delete' ORDER BY a.id DESC",
    )
    .fetch_one(desk.db())
    .await
    .unwrap();
    for number in &full {
        let national = maeul_registry::phone::display(number);
        for kept in [&detail, &payload] {
            assert!(
                !kept.contains(number.as_str()) && !kept.contains(&national),
                "{number} in {kept}"
            );
        }
    }
    assert!(payload.contains("****"), "numbers kept masked: {payload}");
    assert!(!detail.contains("****"), "no number in the chain: {detail}");
    // The people's own entries lost their names with the cohort; the chain holds.
    let (left,): (i64,) =
        maeul_db::query_as("SELECT COUNT(*) FROM audit_personal WHERE subject LIKE 'person:%'")
            .fetch_one(desk.db())
            .await
            .unwrap();
    assert_eq!(left, 0);
    assert_eq!(desk.audit_verify(&a).await.unwrap().first_broken, None);
}
