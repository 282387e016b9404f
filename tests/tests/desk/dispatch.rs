use std::time::Duration;

use jiff::Timestamp;
use maeul_api::{Desk, ErrorCode, Role};
use maeul_dispatch::broadcast::{Category, NewBroadcast, Targets};
use maeul_dispatch::fanout::{Channel, Skip};
use maeul_dispatch::outbox::DeliveryState;
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
        poll: None,
        translations: Vec::new(),
    }
}

async fn count(desk: &Desk, sql: &'static str) -> i64 {
    let (n,): (i64,) = maeul_db::query_as(sql).fetch_one(desk.db()).await.unwrap();
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
    // An admin in a practice session approves nothing real: the approval would send it.
    let practising = desk.set_practice_mode(&admin(), true).await.unwrap();
    let e = desk
        .broadcast_approve(&practising, wide.id)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    assert!(e.message.contains("연습 모드"), "{}", e.message);
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
    let (attempts,): (i64,) = maeul_db::query_as(
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
    let session = desk.set_practice_mode(&admin(), true).await.unwrap();
    let practice = desk
        .broadcast_send(&session, news(Targets::All, &[Channel::Sms]))
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
    assert!(
        counts.iter().all(|c| c.state == DeliveryState::Cancelled),
        "{counts:?}"
    );
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
    maeul_db::query("UPDATE subscribers SET status = 'opted_out' WHERE phone = '+821005550002'")
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
    let report: Vec<(String, &str, Option<String>, u32)> = desk
        .broadcast_report(&op, b.id)
        .await
        .unwrap()
        .into_iter()
        .map(|c| {
            (
                format!("{:?}", c.channel),
                c.state.as_str(),
                c.reason,
                c.count,
            )
        })
        .collect();
    assert_eq!(
        report,
        vec![
            ("Voice".into(), "failed", Some("busy".into()), 1),
            ("Voice".into(), "listened", None, 1),
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
    let notices: Vec<(i64, Option<i64>, String, String, String, String)> = maeul_db::query_as(
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
        maeul_db::query_as("SELECT purpose, parent_id FROM broadcasts WHERE id = $1")
            .bind(again.id)
            .fetch_one(desk.db())
            .await
            .unwrap();
    assert_eq!((purpose.as_str(), parent), ("resend", Some(b.id)));
}

#[tokio::test]
async fn a_restored_outbox_waits_for_a_person_to_resume_it() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("maeul.db");
    let copy = dir.path().join("backup.db");
    {
        let desk = Desk::open(&live).await.unwrap();
        let mut tx = maeul_db::begin_write(desk.db()).await.unwrap();
        maeul_registry::demo::seed_structure(&mut tx).await.unwrap();
        tx.commit().await.unwrap();
        sending_at_any_hour(&desk).await;
        let own = village_id(&desk, "연탄1리").await;
        desk.add_subscriber(
            &admin(),
            maeul_registry::SubscriberInput {
                household_id: None,
                village_id: own,
                address: "증평읍 연탄리 701".into(),
                head_name: "김복원".into(),
                name: "김복원".into(),
                phone: "010-0555-0102".into(),
                consent_date: Some("2024-01-02".into()),
                consent_method: Some(maeul_registry::ConsentMethod::Visit),
                channels: maeul_registry::Channels {
                    voice: false,
                    sms: true,
                    kakao: false,
                },
                status: maeul_registry::SubscriberStatus::Active,
                text_first: false,
                language: maeul_registry::Language::Ko,
            },
        )
        .await
        .unwrap();
        desk.broadcast_send(
            &actor(Role::Operator, None),
            news(Targets::Villages(vec![own]), &[Channel::Sms]),
        )
        .await
        .unwrap();
        // The backup holds the pending delivery; the live desk then sends it.
        desk.backup(&admin(), &copy).await.unwrap();
        assert_eq!(desk.sync_once(&Sandbox::new()).await.unwrap().submitted, 1);
        desk.close().await;
    }
    maeul_db::restore_from(&copy, &live, "2026-12-05T03:00:00Z")
        .await
        .unwrap();

    let desk = Desk::open(&live).await.unwrap();
    let sandbox = Sandbox::new();
    let r = desk.sync_once(&sandbox).await.unwrap();
    assert_eq!(r.submitted, 0, "the restored pending row is not sent again");
    assert!(r.paused.as_deref().unwrap().starts_with("restore"));
    let d = desk
        .sync_drain(&sandbox, Duration::from_secs(5), &|_, _| {})
        .await
        .unwrap();
    assert!(d.paused.is_some() && d.passes == 1 && d.open == 1, "{d:?}");

    let e = desk
        .outbox_resume(&actor(Role::Operator, None))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    assert!(desk.outbox_resume(&admin()).await.unwrap());
    assert!(!desk.outbox_resume(&admin()).await.unwrap(), "once");
    assert_eq!(desk.sync_once(&sandbox).await.unwrap().submitted, 1);
    assert_eq!(
        count(
            &desk,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'dispatch.resume'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn approval_goes_by_reach_not_by_how_a_send_is_addressed() {
    let desk = Desk::open_memory().await.unwrap();
    desk.seed_demo(&admin(), &|_| {}).await.unwrap();
    sending_at_any_hour(&desk).await;
    desk.setting_set(&admin(), "dispatch.two_person_approval", "on")
        .await
        .unwrap();
    let op = actor(Role::Operator, None);
    let towns: Vec<i64> = desk
        .list_towns(&admin())
        .await
        .unwrap()
        .iter()
        .map(|t| t.id)
        .collect();
    let villages: Vec<i64> = desk
        .list_villages(&admin())
        .await
        .unwrap()
        .iter()
        .map(|v| v.id)
        .collect();
    assert_eq!(villages.len(), 112);
    let preview = |targets| desk.broadcast_preview(&op, news(targets, &[Channel::Sms]));
    // Every town is every village: county-wide, as much as "all".
    assert!(preview(Targets::Towns(towns)).await.unwrap().needs_approval);
    // More than half of the villages, listed one by one, too.
    assert!(
        preview(Targets::Villages(villages[..57].to_vec()))
            .await
            .unwrap()
            .needs_approval
    );
    // A few villages do not wait.
    assert!(
        !preview(Targets::Villages(villages[..10].to_vec()))
            .await
            .unwrap()
            .needs_approval
    );
    let sent = desk
        .broadcast_send(
            &op,
            news(Targets::Villages(villages[..57].to_vec()), &[Channel::Sms]),
        )
        .await
        .unwrap();
    assert!(sent.summary.needs_approval);
    assert_eq!(
        desk.sync_once(&Sandbox::new()).await.unwrap().submitted,
        0,
        "held for approval"
    );
}

#[tokio::test]
async fn a_channel_the_provider_is_not_set_up_for_is_refused_while_composing() {
    let desk = desk_with_residents().await;
    sending_at_any_hour(&desk).await;
    let op = actor(Role::Operator, None);
    let own = village_id(&desk, "연탄1리").await;
    // Solapi chosen, its KakaoTalk profile and template not yet given (as stored by 설정;
    // the secret, in the keyring, plays no part here).
    let solapi = serde_json::json!({
        "name": "solapi", "base_url": "https://api.solapi.com", "api_key": "K",
        "sender": "043-835-3233", "kakao_pf_id": null, "kakao_template_id": null,
    });
    let mut conn = desk.db().acquire().await.unwrap();
    maeul_db::settings::set(&mut conn, "dispatch.provider", &solapi.to_string())
        .await
        .unwrap();
    drop(conn);
    let kakao = news(
        Targets::Villages(vec![own]),
        &[Channel::Sms, Channel::Kakao],
    );
    let e = desk
        .broadcast_preview(&op, kakao.clone())
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("channels"));
    assert!(e.message.contains("설정"), "{}", e.message);
    let before = count(&desk, "SELECT COUNT(*) FROM deliveries").await;
    let e = desk.broadcast_send(&op, kakao).await.unwrap_err();
    assert_eq!(e.field.as_deref(), Some("channels"));
    assert_eq!(
        count(&desk, "SELECT COUNT(*) FROM deliveries").await,
        before,
        "nothing queued"
    );
    // Texts alone go.
    desk.broadcast_send(&op, news(Targets::Villages(vec![own]), &[Channel::Sms]))
        .await
        .unwrap();
}

fn resident(
    village_id: i64,
    name: &str,
    phone: &str,
    kakao: bool,
) -> maeul_registry::SubscriberInput {
    maeul_registry::SubscriberInput {
        household_id: None,
        village_id,
        address: format!("증평읍 연탄리 {name}"),
        head_name: name.into(),
        name: name.into(),
        phone: phone.into(),
        consent_date: Some("2024-01-02".into()),
        consent_method: Some(maeul_registry::ConsentMethod::Visit),
        channels: maeul_registry::Channels {
            voice: true,
            sms: true,
            kakao,
        },
        status: maeul_registry::SubscriberStatus::Active,
        text_first: false,
        language: maeul_registry::Language::Ko,
    }
}

#[tokio::test]
async fn opting_out_or_being_deleted_stops_what_has_not_left_and_fallbacks_ask_first() {
    let desk = desk_with_residents().await;
    sending_at_any_hour(&desk).await;
    // No retries: a text that fails fails for good, and the fallback is tried at once.
    desk.setting_set(&admin(), "dispatch.retry_schedule", "")
        .await
        .unwrap();
    desk.setting_set(&admin(), "dispatch.fallback", "sms_then_kakao")
        .await
        .unwrap();
    let own = village_id(&desk, "연탄1리").await;
    let op = actor(Role::Operator, None);
    let leaving = desk
        .add_subscriber(&admin(), resident(own, "김떠남", "010-0777-0102", true))
        .await
        .unwrap();
    let erased = desk
        .add_subscriber(&admin(), resident(own, "박지움", "010-0777-0103", true))
        .await
        .unwrap();
    // The sandbox fails texts to numbers ending 0; this resident wants no KakaoTalk.
    desk.add_subscriber(&admin(), resident(own, "이문자", "010-0777-0110", false))
        .await
        .unwrap();
    let b = desk
        .broadcast_send(&op, news(Targets::Villages(vec![own]), &[Channel::Sms]))
        .await
        .unwrap();

    let opted_out = maeul_registry::SubscriberInput {
        household_id: None,
        status: maeul_registry::SubscriberStatus::OptedOut,
        ..resident(own, "김떠남", "010-0777-0102", true)
    };
    desk.update_subscriber(&admin(), leaving, 1, opted_out)
        .await
        .unwrap();
    desk.delete_subscriber(&admin(), erased).await.unwrap();
    let stopped: Vec<(String, String, Option<String>)> = maeul_db::query_as(
        "SELECT e164, state, reason FROM deliveries WHERE broadcast_id = $1 \
         AND e164 IN ('+821007770102', '+821007770103') ORDER BY e164",
    )
    .bind(b.id)
    .fetch_all(desk.db())
    .await
    .unwrap();
    assert_eq!(
        stopped,
        [
            (
                "+821007770102".into(),
                "cancelled".into(),
                Some("opted_out".into())
            ),
            (
                "+821007770103".into(),
                "cancelled".into(),
                Some("opted_out".into())
            ),
        ]
    );

    let sandbox = Sandbox::new();
    let d = desk
        .sync_drain(&sandbox, Duration::from_secs(20), &|_, _| {})
        .await
        .unwrap();
    assert_eq!(d.open, 0, "{d:?}");
    let to_them: i64 = maeul_db::query_as::<(i64,)>(
        "SELECT COUNT(*) FROM deliveries WHERE e164 IN ('+821007770102', '+821007770103') \
         AND provider IS NOT NULL",
    )
    .fetch_one(desk.db())
    .await
    .unwrap()
    .0;
    assert_eq!(to_them, 0, "nothing reached the provider for them");
    let (failed, kakao): (i64, i64) = maeul_db::query_as(
        "SELECT COUNT(CASE WHEN channel = 'sms' AND state = 'failed' THEN 1 END), \
             COUNT(CASE WHEN channel = 'kakao' THEN 1 END) \
         FROM deliveries WHERE e164 = '+821007770110'",
    )
    .fetch_one(desk.db())
    .await
    .unwrap();
    assert_eq!(
        (failed, kakao),
        (1, 0),
        "the failed text has no KakaoTalk stand-in for one who does not want it"
    );
}

#[tokio::test]
async fn old_deliveries_forget_numbers_and_texts_and_keep_their_counts() {
    let desk = desk_with_residents().await;
    sending_at_any_hour(&desk).await;
    let op = actor(Role::Operator, None);
    let e = desk
        .setting_set(&admin(), "dispatch.retention_days", "7")
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("dispatch.retention_days"));
    let settled = desk
        .broadcast_send(&op, news(Targets::All, &[Channel::Sms]))
        .await
        .unwrap();
    let d = desk
        .sync_drain(&Sandbox::new(), Duration::from_secs(20), &|_, _| {})
        .await
        .unwrap();
    assert_eq!(d.open, 0);
    // A later broadcast still waiting (scheduled far ahead) is never touched.
    let waiting = desk
        .broadcast_send(
            &op,
            NewBroadcast {
                send_at: Some("2099-01-01 09:00".into()),
                ..news(Targets::All, &[Channel::Sms])
            },
        )
        .await
        .unwrap();
    let report_before = desk.broadcast_report(&op, settled.id).await.unwrap();
    let now = Timestamp::now();

    // Within the year (the default) nothing goes.
    let in_a_month = now + jiff::SignedDuration::from_hours(24 * 30);
    assert_eq!(desk.purge_expired(in_a_month).await.unwrap(), 0);
    // A year and a day on, the settled rows lose their numbers and texts.
    let later = now + jiff::SignedDuration::from_hours(24 * 366);
    let purged = desk.purge_expired(later).await.unwrap();
    assert!(purged > 0);
    assert_eq!(desk.purge_expired(later).await.unwrap(), 0, "once");
    let (left,): (i64,) = maeul_db::query_as(
        "SELECT COUNT(*) FROM deliveries WHERE broadcast_id = $1 \
         AND (e164 NOT LIKE 'purged:%' OR body IS NOT NULL OR subscribers <> '[]')",
    )
    .bind(settled.id)
    .fetch_one(desk.db())
    .await
    .unwrap();
    assert_eq!(
        left, 0,
        "no number, text or subscriber left on settled rows"
    );
    assert_eq!(
        desk.broadcast_report(&op, settled.id).await.unwrap(),
        report_before,
        "the counts are unchanged"
    );
    let (csv, _) = desk.broadcast_csv(&admin(), settled.id).await.unwrap();
    let csv = String::from_utf8_lossy(&csv);
    assert!(csv.contains("보유 기간이 지나 지움"), "{csv}");
    assert!(!csv.contains("purged:"), "{csv}");
    let (kept,): (i64,) = maeul_db::query_as(
        "SELECT COUNT(*) FROM deliveries WHERE broadcast_id = $1 AND e164 LIKE '+82%'",
    )
    .bind(waiting.id)
    .fetch_one(desk.db())
    .await
    .unwrap();
    assert!(kept > 0, "open deliveries keep their numbers");
    assert_eq!(
        count(
            &desk,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'dispatch.retention_purge'"
        )
        .await,
        1
    );
}
