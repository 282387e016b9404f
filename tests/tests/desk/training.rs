use maeul_api::{ErrorCode, Role, WalkIn};
use maeul_programs::Checklist;
use maeul_programs::calendar::EventKind;

use crate::fixtures::{actor, admin, desk_with_programs};

#[tokio::test]
async fn check_in_walk_ins_and_checklist() {
    let desk = desk_with_programs().await;
    let trainer = actor(Role::Trainer, None);
    let session = desk.training_list(&trainer).await.unwrap()[1]
        .training
        .id
        .unwrap();
    let d = desk.training_get(&trainer, session).await.unwrap();
    assert_eq!(d.summary.town_name, "도안면");
    let absent = d
        .attendees
        .iter()
        .find(|a| a.checked_in_at.is_none())
        .unwrap()
        .clone();
    desk.training_check_in(&trainer, session, absent.id, true)
        .await
        .unwrap();
    assert_eq!(
        desk.training_get(&trainer, session)
            .await
            .unwrap()
            .summary
            .present,
        23
    );
    // Undo.
    desk.training_check_in(&trainer, session, absent.id, false)
        .await
        .unwrap();
    assert_eq!(
        desk.training_get(&trainer, session)
            .await
            .unwrap()
            .summary
            .present,
        22
    );

    // A walk-in from a village already on the roster is pointed back at the roster.
    let e = desk
        .training_walk_in(
            &trainer,
            session,
            WalkIn {
                name: "대리참석".into(),
                village_id: absent.village_id,
                phone: None,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::Invalid, Some("village_id"))
    );
    let e = desk
        .training_walk_in(
            &trainer,
            session,
            WalkIn {
                name: "새 주민".into(),
                village_id: None,
                phone: Some("02-".into()),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("phone"));
    desk.training_walk_in(
        &trainer,
        session,
        WalkIn {
            name: "새 주민".into(),
            village_id: None,
            phone: Some("010-3333-4444".into()),
        },
    )
    .await
    .unwrap();
    let d = desk.training_get(&trainer, session).await.unwrap();
    assert_eq!((d.summary.roster, d.summary.present), (41, 23));
    let walk = d.attendees.iter().find(|a| a.walk_in).unwrap();
    assert_eq!(walk.phone_display.as_deref(), Some("010-3333-4444"));

    let village = absent.village_id.unwrap();
    let c = Checklist {
        app_installed: true,
        phone_registered: true,
        practice_done: false,
    };
    desk.chief_checklist_set(&trainer, village, c)
        .await
        .unwrap();
    let d = desk.training_get(&trainer, session).await.unwrap();
    assert_eq!(
        d.attendees
            .iter()
            .find(|a| a.id == absent.id)
            .unwrap()
            .checklist,
        c
    );

    // An auditor reads (numbers masked) but checks no one in.
    let auditor = actor(Role::Auditor, None);
    let seen = desk.training_get(&auditor, session).await.unwrap();
    assert!(
        seen.attendees
            .iter()
            .filter_map(|a| a.phone_display.as_deref())
            .all(|p| p.contains("****"))
    );
    let e = desk
        .training_check_in(&auditor, session, absent.id, true)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    let e = desk
        .cohort_list(&actor(Role::Chief, Some(village)))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);

    let log = desk.audit_list(&admin(), 20, 0).await.unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    for a in [
        "programs.check_in",
        "programs.check_in.undo",
        "programs.walk_in",
        "programs.checklist",
    ] {
        assert!(actions.contains(&a), "{a} not in {actions:?}");
    }
}

#[tokio::test]
async fn sign_in_sheet_lists_the_roster() {
    let desk = desk_with_programs().await;
    let a = admin();
    let session = desk.training_list(&a).await.unwrap()[0]
        .training
        .id
        .unwrap();
    let roster = desk.training_get(&a, session).await.unwrap();
    let (bytes, pages) = desk
        .sign_in_pdf(&a, EventKind::Training, session, 5)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("sheet.pdf");
    std::fs::write(&pdf, &bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", pdf.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) is installed by ./dev");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("이장교육 참석자 서명부"));
    assert!(text.contains("2023-10-19 (목) 14:00~16:00"), "{text}");
    for who in &roster.attendees {
        assert!(text.contains(&who.name), "{} missing", who.name);
    }
    assert!(text.contains(&format!(
        "{} 이장",
        roster.attendees[0].village_name.as_deref().unwrap()
    )));
    assert!(text.contains("명단 72명"));
    assert!(text.contains(&format!("{pages} / {pages}쪽")));
    assert!(pages >= 3);
}
