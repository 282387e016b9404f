use std::time::Duration;

use jiff::Timestamp;
use maeul_api::{Desk, ErrorCode, Role};
use maeul_dispatch::broadcast::{Category, NewBroadcast, Targets};
use maeul_dispatch::fanout::{Channel, Skip};
use maeul_dispatch::policy::Policy;
use maeul_dispatch::provider::Reason;
use maeul_dispatch::report::ReasonCount;
use maeul_dispatch::sandbox::Sandbox;
use maeul_dispatch::worker::tick;

use crate::fixtures::{actor, admin, desk_with_residents, sending_at_any_hour, village_id};

fn news(targets: Targets, channels: &[Channel]) -> NewBroadcast {
    NewBroadcast {
        title: "마을 대청소".into(),
        category: Category::VillageNews,
        body: "내일 오전 7시 마을 대청소가 있습니다. 모두 참여해 주세요.".into(),
        recording_id: None,
        targets,
        channels: channels.to_vec(),
        emergency: false,
        send_at: None,
    }
}

async fn count(desk: &Desk, sql: &'static str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(desk.db()).await.unwrap();
    n
}

#[tokio::test]
async fn a_chief_sends_only_to_their_own_village_and_roles_are_checked_in_rust() {
    let desk = desk_with_residents().await;
    let own = village_id(&desk, "연탄1리").await;
    let other = village_id(&desk, "창동1리").await;
    let chief = actor(Role::Chief, Some(own));

    let sent = desk
        .broadcast_send(
            &chief,
            news(
                Targets::Villages(vec![own]),
                &[Channel::Sms, Channel::Voice],
            ),
        )
        .await
        .unwrap();
    let s = &sent.summary;
    assert_eq!((s.villages, s.households, s.subscribers), (1, 2, 3));
    let per: Vec<(Channel, u32)> = s
        .per_channel
        .iter()
        .map(|c| (c.channel, c.deliveries))
        .collect();
    assert_eq!(per, vec![(Channel::Voice, 3), (Channel::Sms, 2)]);
    // The 043 landline takes calls only.
    assert_eq!(s.skipped.len(), 1);
    assert_eq!(
        (s.skipped[0].channel, s.skipped[0].reason),
        (Channel::Sms, Skip::VoiceOnlyNumber)
    );
    assert_eq!(count(&desk, "SELECT COUNT(*) FROM deliveries").await, 5);

    for targets in [
        Targets::Villages(vec![other]),
        Targets::Villages(vec![own, other]),
        Targets::All,
    ] {
        let e = desk
            .broadcast_send(&chief, news(targets, &[Channel::Sms]))
            .await
            .unwrap_err();
        assert!(
            matches!(e.code, ErrorCode::OutOfScope | ErrorCode::Forbidden),
            "{e:?}"
        );
    }
    for role in [Role::Auditor, Role::Trainer, Role::Livinglab] {
        let e = desk
            .broadcast_send(&actor(role, None), news(Targets::All, &[Channel::Sms]))
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::Forbidden, "{role}");
    }
    assert_eq!(
        count(&desk, "SELECT COUNT(*) FROM broadcasts").await,
        1,
        "nothing else stored"
    );
    // The auditor reads the history; a trainer does not; another chief does not see it.
    assert_eq!(
        desk.broadcast_list(&actor(Role::Auditor, None), false)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        desk.broadcast_list(&actor(Role::Trainer, None), false)
            .await
            .is_err()
    );
    let other_chief = maeul_api::Actor {
        username: "chief-changdong1".into(),
        ..actor(Role::Chief, Some(other))
    };
    assert!(
        desk.broadcast_list(&other_chief, false)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(desk.broadcast_detail(&other_chief, sent.id).await.is_err());
}

#[tokio::test]
async fn forms_are_refused_by_field_and_nothing_is_stored() {
    let desk = desk_with_residents().await;
    let own = village_id(&desk, "연탄1리").await;
    let op = actor(Role::Operator, None);
    let cases = [
        (
            NewBroadcast {
                title: " ".into(),
                ..news(Targets::All, &[Channel::Sms])
            },
            "title",
        ),
        (
            NewBroadcast {
                body: "행사 안내 🎉".into(),
                ..news(Targets::All, &[Channel::Sms])
            },
            "body",
        ),
        (
            NewBroadcast {
                body: "가".repeat(1001),
                ..news(Targets::All, &[Channel::Sms])
            },
            "body",
        ),
        (news(Targets::All, &[]), "channels"),
        (news(Targets::Villages(vec![]), &[Channel::Sms]), "targets"),
        (
            news(
                Targets::Villages(vec![village_id(&desk, "창동1리").await]),
                &[Channel::Sms],
            ),
            "targets",
        ),
        (
            NewBroadcast {
                send_at: Some("2020-01-01 09:00".into()),
                ..news(Targets::All, &[Channel::Sms])
            },
            "send_at",
        ),
        (
            NewBroadcast {
                send_at: Some("내일 아침".into()),
                ..news(Targets::All, &[Channel::Sms])
            },
            "send_at",
        ),
    ];
    for (b, field) in cases {
        let e = desk.broadcast_send(&op, b).await.unwrap_err();
        assert_eq!(e.field.as_deref(), Some(field), "{e:?}");
    }
    // An emoji is named in the message; a long text is counted in EUC-KR bytes.
    let e = desk
        .broadcast_preview(
            &op,
            NewBroadcast {
                body: "가".repeat(1001),
                ..news(Targets::Villages(vec![own]), &[Channel::Sms])
            },
        )
        .await
        .unwrap_err();
    assert!(e.message.contains("2002바이트"), "{}", e.message);
    let lms = desk
        .broadcast_preview(
            &op,
            NewBroadcast {
                body: "가".repeat(46),
                ..news(Targets::Villages(vec![own]), &[Channel::Sms])
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (lms.text_bytes, format!("{:?}", lms.text_kind)),
        (Some(92), "Some(Lms)".into())
    );
    assert_eq!(count(&desk, "SELECT COUNT(*) FROM broadcasts").await, 0);

    for (key, value) in [
        ("dispatch.retry_schedule", "3x"),
        ("dispatch.quiet_hours", "25:00-07:00"),
        ("dispatch.fallback", "pigeon"),
        ("dispatch.two_person_approval", "maybe"),
    ] {
        let e = desk.setting_set(&admin(), key, value).await.unwrap_err();
        assert_eq!(e.field.as_deref(), Some(key), "{e:?}");
    }
    let e = desk
        .setting_set(&admin(), "dispatch.colour", "red")
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("key"));
    let e = desk
        .setting_set(&op, "dispatch.retry_schedule", "1m")
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    assert_eq!(
        desk.dispatch_settings(&op).await.unwrap().retry_schedule,
        "3m,15m"
    );
}

#[tokio::test]
async fn a_county_wide_send_waits_for_a_second_persons_approval() {
    let desk = desk_with_residents().await;
    sending_at_any_hour(&desk).await;
    let own = village_id(&desk, "연탄1리").await;
    desk.setting_set(&admin(), "dispatch.two_person_approval", "on")
        .await
        .unwrap();
    let op = actor(Role::Operator, None);
    let sandbox = Sandbox::new();

    let wide = desk
        .broadcast_send(&op, news(Targets::All, &[Channel::Sms]))
        .await
        .unwrap();
    assert!(wide.summary.needs_approval);
    assert_eq!(
        desk.sync_once(&sandbox).await.unwrap().submitted,
        0,
        "held for approval"
    );

    let e = desk.broadcast_approve(&op, wide.id).await.unwrap_err();
    assert_eq!(
        e.field.as_deref(),
        Some("approver"),
        "the creator cannot approve"
    );
    let e = desk
        .broadcast_approve(&actor(Role::Chief, Some(own)), wide.id)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    desk.broadcast_approve(&admin(), wide.id).await.unwrap();
    assert_eq!(desk.sync_once(&sandbox).await.unwrap().submitted, 2);

    // Emergencies and one village's news do not wait.
    let alarm = NewBroadcast {
        emergency: true,
        category: Category::Emergency,
        ..news(Targets::All, &[Channel::Sms])
    };
    assert!(
        !desk
            .broadcast_send(&op, alarm)
            .await
            .unwrap()
            .summary
            .needs_approval
    );
    let local = desk
        .broadcast_send(&op, news(Targets::Villages(vec![own]), &[Channel::Sms]))
        .await
        .unwrap();
    assert!(!local.summary.needs_approval);
}

#[tokio::test]
async fn quiet_hours_hold_normal_broadcasts_and_let_emergencies_through() {
    let desk = desk_with_residents().await;
    let op = actor(Role::Operator, None);
    desk.broadcast_send(&op, news(Targets::All, &[Channel::Sms]))
        .await
        .unwrap();
    let alarm = NewBroadcast {
        emergency: true,
        category: Category::Emergency,
        ..news(Targets::All, &[Channel::Voice])
    };
    desk.broadcast_send(&op, alarm).await.unwrap();
    let sandbox = Sandbox::new();
    let policy = Policy::default();
    // 22:30 in Seoul.
    let night: Timestamp = "2026-11-26T13:30:00Z".parse().unwrap();
    let r = tick(desk.db(), &sandbox, &policy, night).await.unwrap();
    assert!(r.quiet);
    assert_eq!(r.submitted, 3, "only the emergency's three calls");
    assert_eq!(
        policy.quiet.hold_until(night).unwrap().to_string(),
        "2026-11-26T22:00:00Z"
    );
    // From 07:00 the two texts leave, and the emergency call that was busy (010-0555-0001)
    // is tried once more on the policy's schedule (3 minutes after its receipt, which came
    // in the night's pass or the morning's, depending on the provider's pass order).
    let morning: Timestamp = "2026-11-26T22:00:00Z".parse().unwrap();
    let r = tick(desk.db(), &sandbox, &policy, morning).await.unwrap();
    assert!(!r.quiet);
    let later = tick(
        desk.db(),
        &sandbox,
        &policy,
        morning + jiff::SignedDuration::from_mins(3),
    )
    .await
    .unwrap();
    assert_eq!(r.submitted + later.submitted, 2 + 1);
    let (attempts,): (i64,) = sqlx::query_as(
        "SELECT attempt FROM deliveries WHERE channel = 'voice' AND e164 = '+821005550001'",
    )
    .fetch_one(desk.db())
    .await
    .unwrap();
    assert_eq!(attempts, 2, "the busy call, once more");
}

#[tokio::test]
async fn practice_broadcasts_stay_out_of_the_history_and_cancel_stops_what_has_not_left() {
    let desk = desk_with_residents().await;
    sending_at_any_hour(&desk).await;
    let op = actor(Role::Operator, None);
    desk.set_practice_mode(&actor(Role::Trainer, None), true)
        .await
        .unwrap();
    let practice = desk
        .broadcast_send(&op, news(Targets::All, &[Channel::Sms]))
        .await
        .unwrap();
    desk.set_practice_mode(&actor(Role::Trainer, None), false)
        .await
        .unwrap();
    let real = desk
        .broadcast_send(&op, news(Targets::All, &[Channel::Sms]))
        .await
        .unwrap();
    let shown: Vec<i64> = desk
        .broadcast_list(&op, false)
        .await
        .unwrap()
        .iter()
        .map(|b| b.id)
        .collect();
    assert_eq!(shown, vec![real.id]);
    let all = desk.broadcast_list(&op, true).await.unwrap();
    assert!(all.iter().any(|b| b.id == practice.id && b.practice));

    assert_eq!(desk.broadcast_cancel(&op, real.id).await.unwrap(), 2);
    assert!(
        desk.broadcast_cancel(&op, real.id).await.is_err(),
        "cancelled once"
    );
    let r = desk.sync_once(&Sandbox::new()).await.unwrap();
    assert_eq!(
        r.submitted, 2,
        "the practice broadcast goes to the sandbox; the cancelled one nowhere"
    );
    let counts = desk.broadcast_report(&op, real.id).await.unwrap();
    assert!(counts.iter().all(|c| c.state == "cancelled"), "{counts:?}");
}

#[tokio::test]
async fn households_not_reached_are_listed_by_village_and_a_resend_goes_to_them_only() {
    let desk = desk_with_residents().await;
    sending_at_any_hour(&desk).await;
    let op = actor(Role::Operator, None);
    desk.setting_set(&admin(), "dispatch.retry_schedule", "1s")
        .await
        .unwrap();
    // 김철수's household keeps one number: 010-0555-0001, which the sandbox finds busy.
    sqlx::query("UPDATE subscribers SET status = 'opted_out' WHERE phone = '+821005550002'")
        .execute(desk.db())
        .await
        .unwrap();
    let b = desk
        .broadcast_send(&op, news(Targets::All, &[Channel::Voice]))
        .await
        .unwrap();
    let sandbox = Sandbox::new();
    let drained = desk
        .sync_drain(&sandbox, Duration::from_secs(20), &|_, _| {})
        .await
        .unwrap();
    assert_eq!(drained.open, 0);
    let report: Vec<(String, String, Option<String>, u32)> = desk
        .broadcast_report(&op, b.id)
        .await
        .unwrap()
        .into_iter()
        .map(|c| (format!("{:?}", c.channel), c.state, c.reason, c.count))
        .collect();
    assert_eq!(
        report,
        vec![
            ("Voice".into(), "failed".into(), Some("busy".into()), 1),
            ("Voice".into(), "listened".into(), None, 1),
        ]
    );
    let missing = desk.broadcast_not_reached(&op, b.id).await.unwrap();
    assert_eq!(missing.len(), 1);
    assert_eq!(
        (missing[0].village.as_str(), missing[0].head_name.as_str()),
        ("연탄1리", "김철수")
    );
    let detail = desk.broadcast_detail(&op, b.id).await.unwrap();
    assert_eq!(detail.not_reached, 1);
    assert_eq!(detail.villages.len(), 1);
    // The progress screen says why: one call busy on every attempt.
    assert_eq!(
        detail.reasons,
        vec![ReasonCount {
            channel: Channel::Voice,
            reason: Reason::Busy,
            failed: 1,
            retrying: 0,
            // The sandbox gives no codes of its own.
            codes: vec![],
        }]
    );

    // Once it settled, 연탄1리's chief was texted the household (and the drain sent it).
    let notices: Vec<(i64, Option<i64>, String, String, String, String)> = sqlx::query_as(
        "SELECT b.id, b.parent_id, d.e164, d.body, d.state, v.chief_phone FROM broadcasts b \
         JOIN deliveries d ON d.broadcast_id = b.id JOIN villages v ON v.id = d.village_id \
         WHERE b.purpose = 'chief_notice'",
    )
    .fetch_all(desk.db())
    .await
    .unwrap();
    assert_eq!(notices.len(), 1, "{notices:?}");
    let (_, parent, to, body, state, chief) = &notices[0];
    assert_eq!(
        (*parent, to, state.as_str()),
        (Some(b.id), chief, "delivered")
    );
    assert!(
        body.contains("연탄1리") && body.contains("김철수") && body.contains("세대 1곳"),
        "{body}"
    );
    // Told once: more passes add nothing.
    desk.sync_once(&sandbox).await.unwrap();
    assert_eq!(
        count(
            &desk,
            "SELECT COUNT(*) FROM broadcasts WHERE purpose = 'chief_notice'"
        )
        .await,
        1
    );

    // The delivery report: one line per delivery under a header; an auditor sees masked
    // numbers, the operator full ones.
    let (csv, lines) = desk
        .broadcast_csv(&actor(Role::Auditor, None), b.id)
        .await
        .unwrap();
    let text = String::from_utf8(csv).unwrap();
    assert!(
        text.starts_with("\u{feff}읍면,마을,수단,전화번호,상태"),
        "{text}"
    );
    assert_eq!((lines, text.lines().count()), (2, 3));
    assert_eq!(
        text.matches("\r\n").count(),
        3,
        "every record ends CRLF, as Excel on Windows expects: {text:?}"
    );
    assert!(
        text.contains("010-****-0001") && text.contains("실패,통화 중"),
        "{text}"
    );
    assert!(!text.contains("010-0555-0001"), "{text}");
    let (full, _) = desk.broadcast_csv(&op, b.id).await.unwrap();
    assert!(String::from_utf8(full).unwrap().contains("010-0555-0001"));

    let again = desk.broadcast_resend_not_reached(&op, b.id).await.unwrap();
    assert_eq!(again.summary.subscribers, 1);
    let (purpose, parent): (String, Option<i64>) =
        sqlx::query_as("SELECT purpose, parent_id FROM broadcasts WHERE id = $1")
            .bind(again.id)
            .fetch_one(desk.db())
            .await
            .unwrap();
    assert_eq!((purpose.as_str(), parent), ("resend", Some(b.id)));
}
