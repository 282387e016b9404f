//! Two officials editing one record: the second save, made from the version both loaded, is
//! refused as a conflict that names who saved first; nothing either typed is stored wrongly,
//! and a save from the current version goes through.

use maeul_api::{Actor, ErrorCode, Role};
use maeul_registry::SubscriberFilter;

use crate::fixtures::{actor, admin, desk_with_residents, renamed};

fn official(name: &str) -> Actor {
    Actor {
        display_name: name.into(),
        ..actor(Role::Operator, None)
    }
}

#[tokio::test]
async fn a_stale_save_is_refused_naming_who_saved_first() {
    let desk = desk_with_residents().await;
    let rows = desk
        .list_subscribers(&admin(), SubscriberFilter::default())
        .await
        .unwrap();
    let loaded = rows[0].clone();
    let (county, town) = (official("군청 정보통신팀"), official("증평읍 행정팀"));

    // Both opened the same row; the county saves first.
    desk.update_subscriber(
        &county,
        loaded.id,
        loaded.version,
        renamed(&loaded, "김첫째"),
    )
    .await
    .unwrap();
    let e = desk
        .update_subscriber(&town, loaded.id, loaded.version, renamed(&loaded, "김둘째"))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict, "{e:?}");
    assert!(e.message.contains("군청 정보통신팀"), "{}", e.message);
    assert!(e.message.contains("입력한 내용은 그대로"), "{}", e.message);

    let now = desk.get_subscriber(&admin(), loaded.id).await.unwrap();
    assert_eq!(
        (now.name.as_str(), now.version),
        ("김첫째", loaded.version + 1)
    );

    // Having seen the newer row, the town saves from it.
    desk.update_subscriber(&town, now.id, now.version, renamed(&now, "김둘째"))
        .await
        .unwrap();
    let last = desk.get_subscriber(&admin(), loaded.id).await.unwrap();
    assert_eq!(
        (last.name.as_str(), last.version),
        ("김둘째", loaded.version + 2)
    );
}

#[tokio::test]
async fn saving_a_deleted_record_says_it_is_gone() {
    let desk = desk_with_residents().await;
    let rows = desk
        .list_subscribers(&admin(), SubscriberFilter::default())
        .await
        .unwrap();
    let loaded = rows[0].clone();
    desk.delete_subscriber(&admin(), loaded.id).await.unwrap();
    let e = desk
        .update_subscriber(
            &admin(),
            loaded.id,
            loaded.version,
            renamed(&loaded, "김없음"),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound, "{e:?}");
}

#[tokio::test]
async fn villages_and_groups_refuse_a_stale_save_too() {
    let desk = desk_with_residents().await;
    let (county, town) = (official("군청 정보통신팀"), official("증평읍 행정팀"));

    let village = desk.list_villages(&admin()).await.unwrap()[0].clone();
    let change = |zone: &str, version| maeul_registry::VillageUpdate {
        chief_name: Some("새이장".into()),
        chief_phone: None,
        zone_code: Some(zone.into()),
        version,
    };
    desk.update_village(&county, village.id, change("147", village.version))
        .await
        .unwrap();
    let e = desk
        .update_village(&town, village.id, change("258", village.version))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict, "{e:?}");
    assert!(e.message.contains("군청 정보통신팀"), "{}", e.message);

    let group = desk
        .create_group(
            &admin(),
            maeul_registry::GroupInput {
                name: "부녀회".into(),
                note: String::new(),
            },
        )
        .await
        .unwrap();
    let rename = |name: &str| maeul_registry::GroupInput {
        name: name.into(),
        note: String::new(),
    };
    let renamed = desk
        .update_group(&county, group.id, group.version, rename("부녀회 임원"))
        .await
        .unwrap();
    assert_eq!(renamed.version, group.version + 1);
    let e = desk
        .update_group(&town, group.id, group.version, rename("부녀회 회원"))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict, "{e:?}");
    assert!(e.message.contains("군청 정보통신팀"), "{}", e.message);
}

/// Another desk's save reaches this window's poll as an area to reload; its own saves and
/// reads (an export) do not.
#[tokio::test]
async fn a_window_learns_what_other_desks_changed() {
    let desk = desk_with_residents().await;
    let (me, other) = (official("군청 정보통신팀"), official("증평읍 행정팀"));
    let me = Actor {
        username: "county".into(),
        ..me
    };
    let other = Actor {
        username: "town".into(),
        ..other
    };
    let start = desk.changes_since(&me, 0).await.unwrap();
    assert!(start.areas.is_empty() && start.head > 0, "{start:?}");

    let row = desk
        .list_subscribers(&admin(), SubscriberFilter::default())
        .await
        .unwrap()[0]
        .clone();
    desk.update_subscriber(&me, row.id, row.version, renamed(&row, "김내가"))
        .await
        .unwrap();
    let mine = desk.changes_since(&me, start.head).await.unwrap();
    assert!(mine.areas.is_empty(), "my own save: {mine:?}");

    let now = desk.get_subscriber(&admin(), row.id).await.unwrap();
    desk.update_subscriber(&other, now.id, now.version, renamed(&now, "김남이"))
        .await
        .unwrap();
    let theirs = desk.changes_since(&me, mine.head).await.unwrap();
    assert_eq!(theirs.areas, vec![maeul_api::Area::Registry], "{theirs:?}");
    assert!(theirs.head > mine.head);
    assert!(
        desk.changes_since(&me, theirs.head)
            .await
            .unwrap()
            .areas
            .is_empty()
    );
}

#[tokio::test]
async fn cards_cohorts_and_workshops_refuse_a_stale_save_too() {
    let desk = crate::fixtures::desk_with_programs().await;
    let town = official("증평읍 행정팀");
    let (card_editor, lab) = (
        Actor {
            display_name: "군청 정보통신팀".into(),
            ..actor(Role::Admin, None)
        },
        |name: &str| Actor {
            display_name: name.into(),
            ..actor(Role::Livinglab, None)
        },
    );

    // The pledge card: both opened it at the same version.
    let created = desk
        .budget_save(&admin(), None, 0, maeul_budget::demo::seed_card())
        .await
        .unwrap();
    let opened = desk.budget_get(&admin(), created.id).await.unwrap();
    let mut mine = opened.card.clone();
    mine.contacts = "박성원 (☎3233)".into();
    let saved = desk
        .budget_save(&card_editor, Some(opened.id), opened.version, mine)
        .await
        .unwrap();
    assert_eq!(saved.version, opened.version + 1);
    let mut theirs = opened.card.clone();
    theirs.contacts = "다른 담당자".into();
    let e = desk
        .budget_save(&town, Some(opened.id), opened.version, theirs.clone())
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict, "{e:?}");
    assert!(e.message.contains("군청 정보통신팀"), "{}", e.message);
    let kept = desk.budget_get(&admin(), opened.id).await.unwrap();
    assert_eq!(
        kept.card.contacts, "박성원 (☎3233)",
        "the first save stands"
    );
    // From the version as it is now, the second official's save goes through.
    desk.budget_save(&town, Some(opened.id), kept.version, theirs)
        .await
        .unwrap();

    // A cohort and one of its workshops.
    let cohort_id =
        crate::fixtures::cohort_id(&desk, 2024, maeul_programs::CohortKind::DataLivingLab).await;
    let opened = desk.cohort_get(&admin(), cohort_id).await.unwrap();
    let mut first = opened.cohort.clone();
    first.notes = "1차 수정".into();
    desk.cohort_save(&lab("리빙랩 담당"), first).await.unwrap();
    let mut second = opened.cohort.clone();
    second.notes = "2차 수정".into();
    let e = desk
        .cohort_save(&lab("도안면 담당"), second)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict, "{e:?}");
    assert!(e.message.contains("리빙랩 담당"), "{}", e.message);
    let now = desk.cohort_get(&admin(), cohort_id).await.unwrap();
    assert_eq!(now.cohort.notes, "1차 수정");
    assert_eq!(now.cohort.version, opened.cohort.version + 1);

    let mut first = now.workshops[0].clone();
    first.place = "증평군청 대회의실".into();
    desk.workshop_save(&lab("리빙랩 담당"), first)
        .await
        .unwrap();
    let mut second = now.workshops[0].clone();
    second.place = "도안면 행정복지센터".into();
    let e = desk
        .workshop_save(&lab("도안면 담당"), second)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict, "{e:?}");
    assert!(e.message.contains("리빙랩 담당"), "{}", e.message);
    let after = desk.cohort_get(&admin(), cohort_id).await.unwrap();
    let w = after
        .workshops
        .iter()
        .find(|w| w.id == now.workshops[0].id)
        .unwrap();
    assert_eq!(w.place, "증평군청 대회의실");
}
