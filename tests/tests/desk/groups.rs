use maeul_api::{Desk, ErrorCode, Role};
use maeul_dispatch::broadcast::{Category, NewBroadcast, Targets};
use maeul_dispatch::fanout::Channel;
use maeul_registry::{
    Channels, Enrollment, GroupInput, SubscriberFilter, SubscriberInput, SubscriberStatus,
};

use crate::fixtures::{EngineDesk, actor, admin, desk_with_residents, village_id};

fn group(name: &str) -> GroupInput {
    GroupInput {
        name: name.into(),
        note: "경로당 회장님들".into(),
    }
}

/// The ids of the subscribers a filter finds, in order.
async fn ids(desk: &Desk, filter: SubscriberFilter) -> Vec<i64> {
    let mut ids: Vec<i64> = desk
        .list_subscribers(&admin(), filter)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    ids.sort();
    ids
}

async fn members(desk: &Desk, group_id: i64) -> Vec<i64> {
    ids(
        desk,
        SubscriberFilter {
            group_id: Some(group_id),
            ..SubscriberFilter::default()
        },
    )
    .await
}

async fn count(desk: &Desk, sql: &'static str) -> i64 {
    let (n,): (i64,) = maeul_db::query_as(sql).fetch_one(desk.db()).await.unwrap();
    n
}

/// The three residents of 연탄1리 and one added in 창동1리.
async fn two_villages() -> (EngineDesk, Vec<i64>, i64) {
    let desk = desk_with_residents().await;
    let changdong = village_id(&desk, "창동1리").await;
    let added = desk
        .add_subscriber(
            &admin(),
            SubscriberInput {
                household_id: None,
                village_id: changdong,
                address: "증평읍 창동리 12".into(),
                head_name: "한지민".into(),
                name: "한지민".into(),
                phone: "010-0555-0100".into(),
                consent_date: Some("2024-01-02".into()),
                consent_method: Some(maeul_registry::ConsentMethod::Visit),
                channels: Channels {
                    voice: true,
                    sms: true,
                    kakao: false,
                },
                status: SubscriberStatus::Active,
                text_first: false,
                language: maeul_registry::Language::Ko,
            },
        )
        .await
        .unwrap();
    let yeontan = ids(
        &desk,
        SubscriberFilter {
            village_id: Some(village_id(&desk, "연탄1리").await),
            enrollment: Some(Enrollment::Approved),
            ..SubscriberFilter::default()
        },
    )
    .await;
    assert_eq!(yeontan.len(), 3);
    (desk, yeontan, added)
}

#[tokio::test]
async fn groups_are_kept_by_the_office_and_refused_by_field_and_role() {
    let (desk, yeontan, changdong) = two_villages().await;
    let operator = actor(Role::Operator, None);
    let g = desk
        .create_group(&operator, group("경로당 회장단"))
        .await
        .unwrap();
    assert_eq!((g.members, g.villages), (0, 0));

    for (input, field) in [
        (group("경로당 회장단"), "name"),
        (group("  "), "name"),
        (group(&"가".repeat(51)), "name"),
        (
            GroupInput {
                name: "수식".into(),
                note: "=HYPERLINK(\"x\")".into(),
            },
            "note",
        ),
    ] {
        let e = desk.create_group(&operator, input).await.unwrap_err();
        assert_eq!(e.field.as_deref(), Some(field), "{e:?}");
    }

    // Members: adding twice changes nothing; an unknown id refuses the whole call.
    let g = desk
        .change_group_members(&operator, g.id, vec![yeontan[0], changdong], false)
        .await
        .unwrap();
    assert_eq!((g.members, g.villages), (2, 2));
    let again = desk
        .change_group_members(&operator, g.id, vec![yeontan[0], yeontan[1]], false)
        .await
        .unwrap();
    assert_eq!(again.members, 3);
    let e = desk
        .change_group_members(&operator, g.id, vec![yeontan[2], 999_999], false)
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("subscriber_ids"), "{e:?}");
    assert!(e.message.contains("999999"), "{}", e.message);
    let mut expected = vec![yeontan[0], yeontan[1], changdong];
    expected.sort();
    assert_eq!(members(&desk, g.id).await, expected, "nothing added");

    // Roles, in Rust: the auditor reads, chiefs and trainers do not see the office's lists.
    assert_eq!(
        desk.list_groups(&actor(Role::Auditor, None))
            .await
            .unwrap()
            .len(),
        1
    );
    let own = village_id(&desk, "연탄1리").await;
    for who in [
        actor(Role::Chief, Some(own)),
        actor(Role::Trainer, None),
        actor(Role::Livinglab, None),
    ] {
        let e = desk.list_groups(&who).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::Forbidden, "{:?}", who.role);
    }
    for who in [actor(Role::Auditor, None), actor(Role::Chief, Some(own))] {
        assert!(desk.create_group(&who, group("청년회")).await.is_err());
        assert!(
            desk.change_group_members(&who, g.id, vec![yeontan[2]], false)
                .await
                .is_err()
        );
        assert!(desk.delete_group(&who, g.id).await.is_err());
    }

    // The subscriber form's checkboxes: exactly these groups.
    let g2 = desk.create_group(&operator, group("청년회")).await.unwrap();
    desk.set_subscriber_groups(&operator, changdong, vec![g2.id])
        .await
        .unwrap();
    assert_eq!(
        desk.groups_of_subscriber(&operator, changdong)
            .await
            .unwrap(),
        vec![g2.id]
    );
    assert_eq!(members(&desk, g.id).await.len(), 2);

    // A subscriber removed from the registry leaves the group; a deleted group leaves its
    // members in the registry.
    desk.delete_subscriber(&operator, yeontan[0]).await.unwrap();
    assert_eq!(members(&desk, g.id).await, vec![yeontan[1]]);
    desk.delete_group(&operator, g.id).await.unwrap();
    assert_eq!(count(&desk, "SELECT COUNT(*) FROM subscribers").await, 3);
    assert_eq!(
        count(
            &desk,
            "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'group.%' OR action = 'subscriber.groups'"
        )
        .await,
        6,
        "two creates, two additions, the form's change, the delete; the refused call none"
    );
}

fn to_groups(ids: Vec<i64>) -> NewBroadcast {
    NewBroadcast {
        title: "경로당 난방비 지원".into(),
        category: Category::Admin,
        body: "경로당 난방비 신청을 이번 주까지 받습니다.".into(),
        recording_id: None,
        targets: Targets::Groups(ids),
        channels: vec![Channel::Sms, Channel::Voice],
        emergency: false,
        send_at: None,
        poll: None,
        translations: Vec::new(),
    }
}

#[tokio::test]
async fn a_broadcast_to_groups_reaches_their_members_once_each() {
    let (desk, yeontan, changdong) = two_villages().await;
    let a = desk
        .create_group(&admin(), group("경로당 회장단"))
        .await
        .unwrap();
    let b = desk.create_group(&admin(), group("노인회")).await.unwrap();
    desk.change_group_members(&admin(), a.id, vec![yeontan[0], changdong], false)
        .await
        .unwrap();
    // 박민수's landline (yeontan[2]) is in both groups: one call, no text.
    desk.change_group_members(&admin(), b.id, vec![changdong, yeontan[2]], false)
        .await
        .unwrap();

    let preview = desk
        .broadcast_preview(&admin(), to_groups(vec![a.id, b.id]))
        .await
        .unwrap();
    assert_eq!(
        (preview.villages, preview.households, preview.subscribers),
        (2, 3, 3)
    );
    let per: Vec<(Channel, u32)> = preview
        .per_channel
        .iter()
        .map(|c| (c.channel, c.deliveries))
        .collect();
    assert_eq!(per, vec![(Channel::Voice, 3), (Channel::Sms, 2)]);

    let sent = desk
        .broadcast_send(&admin(), to_groups(vec![a.id, b.id]))
        .await
        .unwrap();
    assert_eq!(count(&desk, "SELECT COUNT(*) FROM deliveries").await, 5);
    let stored: (String,) = maeul_db::query_as("SELECT targets FROM broadcasts WHERE id = $1")
        .bind(sent.id)
        .fetch_one(desk.db())
        .await
        .unwrap();
    assert_eq!(
        serde_json::from_str::<Targets>(&stored.0).unwrap(),
        Targets::Groups(vec![a.id, b.id])
    );

    // A chief cannot send to the office's groups, not even one inside their own village.
    let own = village_id(&desk, "연탄1리").await;
    let inside = desk
        .create_group(&admin(), group("연탄1리 반장"))
        .await
        .unwrap();
    desk.change_group_members(&admin(), inside.id, vec![yeontan[1]], false)
        .await
        .unwrap();
    let e = desk
        .broadcast_send(&actor(Role::Chief, Some(own)), to_groups(vec![inside.id]))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden, "{e:?}");

    // An empty group, or none chosen, is refused by field.
    let empty = desk.create_group(&admin(), group("빈 그룹")).await.unwrap();
    for ids in [vec![empty.id], vec![]] {
        let e = desk
            .broadcast_preview(&admin(), to_groups(ids))
            .await
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("targets"), "{e:?}");
    }
    assert_eq!(count(&desk, "SELECT COUNT(*) FROM broadcasts").await, 1);
}
