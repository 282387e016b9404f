use maeul_api::{ErrorCode, Role};
use maeul_programs::calendar::EventKind;
use maeul_programs::{ApplicationState, CohortKind, Person, PersonRole};

use crate::fixtures::{actor, admin, cohort_id, desk_with_programs};

#[tokio::test]
async fn forms_name_the_field_and_store_nothing() {
    let desk = desk_with_programs().await;
    let coordinator = actor(Role::Livinglab, None);
    let cohort = cohort_id(&desk, 2024, CohortKind::DataLivingLab).await;
    let before = desk.cohort_get(&coordinator, cohort).await.unwrap();
    let existing = before.people[0].person.phone.clone();
    let person = |phone: Option<String>| Person {
        id: None,
        cohort_id: cohort,
        name: "새 참여자".into(),
        phone,
        village_id: None,
        role: PersonRole::Resident,
        state: ApplicationState::Applied,
        sms_consent: false,
        note: String::new(),
    };
    let e = desk
        .person_save(&coordinator, person(existing))
        .await
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::Invalid, Some("phone"))
    );
    assert!(e.message.contains("이미"), "{}", e.message);
    let e = desk
        .person_save(
            &coordinator,
            Person {
                name: " ".into(),
                ..person(None)
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("name"));
    let e = desk
        .person_save(&actor(Role::Trainer, None), person(None))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    let e = desk
        .person_save(
            &coordinator,
            Person {
                village_id: Some(999_999),
                ..person(None)
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("village_id"));
    let after = desk.cohort_get(&coordinator, cohort).await.unwrap();
    assert_eq!(after.people.len(), before.people.len());
    desk.person_save(&coordinator, person(Some("010 5555 1234".into())))
        .await
        .unwrap();
    let after = desk.cohort_get(&coordinator, cohort).await.unwrap();
    assert_eq!(after.people.len(), before.people.len() + 1);
    assert_eq!(
        after.stats.selected, 10,
        "an applicant is not a participant until selected"
    );
}

/// Every programme use case × every role: exactly the allowed roles succeed, the rest get
/// Forbidden, decided in Rust.
#[tokio::test]
async fn roles_are_enforced_for_every_programme_use_case() {
    use Role::*;
    let desk = desk_with_programs().await;
    let a = admin();
    let cohort = cohort_id(&desk, 2024, CohortKind::DataLivingLab).await;
    let detail = desk.cohort_get(&a, cohort).await.unwrap();
    let (workshop, person) = (
        detail.workshops[0].id.unwrap(),
        detail.people[0].person.id.unwrap(),
    );
    let session = desk.training_list(&a).await.unwrap()[0]
        .training
        .id
        .unwrap();
    let attendee = desk.training_get(&a, session).await.unwrap().attendees[0].id;
    let village = desk.list_villages(&a).await.unwrap()[0].id;
    let everyone_but_chief = vec![Admin, Operator, Trainer, Livinglab, Auditor];
    let cases: Vec<(&str, Vec<Role>)> = vec![
        ("cohort_list", everyone_but_chief.clone()),
        ("calendar", everyone_but_chief.clone()),
        ("sign_in_pdf", everyone_but_chief),
        ("cohort_save", vec![Admin, Livinglab]),
        ("attendance_mark", vec![Admin, Livinglab]),
        ("training_check_in", vec![Admin, Trainer]),
        ("set_practice_mode", vec![Admin, Trainer]),
    ];
    for (case, allowed) in cases {
        for role in Role::ALL {
            let who = actor(role, (role == Chief).then_some(village));
            let result = match case {
                "cohort_list" => desk.cohort_list(&who).await.map(drop),
                "calendar" => desk
                    .calendar(&who, "2024-07-01", "2024-07-31")
                    .await
                    .map(drop),
                "sign_in_pdf" => desk
                    .sign_in_pdf(&who, EventKind::Workshop, workshop, 0)
                    .await
                    .map(drop),
                "cohort_save" => {
                    // Loaded afresh: an earlier role's save moved the version on.
                    let mut c = desk.cohort_get(&a, cohort).await.unwrap().cohort;
                    c.notes = format!("{role}");
                    desk.cohort_save(&who, c).await.map(drop)
                }
                "attendance_mark" => desk.attendance_mark(&who, workshop, person, None).await,
                "training_check_in" => desk.training_check_in(&who, session, attendee, true).await,
                "set_practice_mode" => desk.set_practice_mode(&who, false).await.map(drop),
                _ => unreachable!(),
            };
            match result {
                Ok(()) => assert!(allowed.contains(&role), "{case}: {role} should be refused"),
                Err(e) => {
                    assert!(
                        !allowed.contains(&role),
                        "{case}: {role} refused: {}",
                        e.message
                    );
                    assert_eq!(e.code, ErrorCode::Forbidden, "{case}: {role}");
                }
            }
        }
    }
}

#[tokio::test]
async fn reminder_settings_are_refused_by_field() {
    let desk = desk_with_programs().await;
    let coordinator = actor(Role::Livinglab, None);
    let bad = |offsets: &str, quiet: &str| maeul_api::ReminderSettings {
        offsets: offsets.into(),
        quiet_hours: quiet.into(),
    };
    let e = desk
        .set_reminder_settings(&coordinator, bad("1w", "21:00-07:00"))
        .await
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::Invalid, Some("offsets"))
    );
    assert!(e.message.contains("1w"), "{}", e.message);
    let e = desk
        .set_reminder_settings(&coordinator, bad("1d", "9시-7시"))
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("quiet_hours"));
    let e = desk
        .set_reminder_settings(&actor(Role::Auditor, None), bad("1d", "21:00-07:00"))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    // Nothing was stored by the refusals: the defaults stand.
    let s = desk.reminder_settings(&coordinator).await.unwrap();
    assert_eq!(
        (s.offsets.as_str(), s.quiet_hours.as_str()),
        ("1d,2h", "21:00-07:00")
    );
    // The quiet hours are the desk's sending policy (dispatch.quiet_hours): a trainer or a
    // coordinator may move the reminders, not the hours that hold every normal broadcast.
    for role in [Role::Trainer, Role::Livinglab] {
        let e = desk
            .set_reminder_settings(&actor(role, None), bad("3d, 1h", "07:00-06:59"))
            .await
            .unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (ErrorCode::Forbidden, Some("quiet_hours")),
            "{role:?}: {}",
            e.message
        );
    }
    desk.set_reminder_settings(&actor(Role::Trainer, None), bad("3d, 1h", "21:00-07:00"))
        .await
        .unwrap();
    let s = desk.reminder_settings(&coordinator).await.unwrap();
    assert_eq!(
        (s.offsets.as_str(), s.quiet_hours.as_str()),
        ("3d, 1h", "21:00-07:00")
    );
    desk.set_reminder_settings(&admin(), bad("3d, 1h", "22:00-06:30"))
        .await
        .unwrap();
    assert_eq!(
        desk.reminder_settings(&coordinator)
            .await
            .unwrap()
            .quiet_hours,
        "22:00-06:30"
    );
}
