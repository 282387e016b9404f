//! A practice session beside real work, on a desk whose provider is real: the practice sends
//! settle in the built-in sandbox (never at the provider, never pending for ever), the rest of
//! the desk keeps sending for real, and the practice session cannot send an emergency.

use maeul_api::{Actor, ErrorCode, Role};
use maeul_dispatch::broadcast::{Category, NewBroadcast, Targets};
use maeul_dispatch::fanout::Channel;
use maeul_fake_provider::Config;

use crate::common::{desk_with_broadcast, drain, operator, start, stats};
use crate::twilio::client;

fn trainer_admin() -> Actor {
    Actor {
        user_id: 3,
        username: "trainer-admin".into(),
        display_name: "교육 담당".into(),
        role: Role::Admin,
        village_id: None,
        practice: None,
    }
}

fn notice(targets: Targets, emergency: bool) -> NewBroadcast {
    NewBroadcast {
        title: "연습: 마을 방송".into(),
        category: Category::VillageNews,
        body: "연습 방송입니다.".into(),
        recording_id: None,
        targets,
        channels: vec![Channel::Sms],
        emergency,
        send_at: None,
        poll: None,
        translations: Vec::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn practice_settles_in_the_sandbox_while_the_desk_sends_for_real() {
    let base = start(Config::default()).await;
    // The operator's broadcast to two villages, made before practice began.
    let (desk, real) = desk_with_broadcast().await;
    let village: Vec<i64> = desk
        .list_villages(&Actor::cli())
        .await
        .unwrap()
        .into_iter()
        .filter(|v| v.name == "창동1리")
        .map(|v| v.id)
        .collect();
    let here = || Targets::Villages(village.clone());
    let session = desk
        .set_practice_mode(&trainer_admin(), true)
        .await
        .unwrap();
    assert!(session.in_practice());
    let practice = desk
        .broadcast_send(&session, notice(here(), false))
        .await
        .unwrap()
        .id;
    // Practice belongs to that session: the operator's emergency meanwhile is real, and the
    // practice session's own emergency is refused, saying why.
    let emergency = desk
        .broadcast_send(&operator(), notice(here(), true))
        .await
        .unwrap()
        .id;
    let e = desk
        .broadcast_send(&session, notice(here(), true))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    assert!(e.message.contains("연습 모드"), "{}", e.message);

    let d = drain(&desk, &client(&base, "twilio-token", None), 60).await;
    assert_eq!(d.open, 0, "nothing left pending: {d:?}");

    let by_broadcast: Vec<(i64, bool, String, i64)> = maeul_db::query_as(
        "SELECT d.broadcast_id, b.practice, COALESCE(d.provider, ''), COUNT(*) \
         FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id \
         WHERE d.channel != 'kakao' GROUP BY 1, 2, 3 ORDER BY 1, 3",
    )
    .fetch_all(desk.db())
    .await
    .unwrap();
    let providers_of = |id: i64| -> Vec<&str> {
        by_broadcast
            .iter()
            .filter(|r| r.0 == id)
            .map(|r| r.2.as_str())
            .collect()
    };
    assert_eq!(providers_of(practice), ["sandbox"], "{by_broadcast:?}");
    assert_eq!(providers_of(real), ["twilio"], "{by_broadcast:?}");
    assert_eq!(providers_of(emergency), ["twilio"], "{by_broadcast:?}");
    assert!(
        by_broadcast
            .iter()
            .filter(|r| [practice, real, emergency].contains(&r.0))
            .all(|r| r.1 == (r.0 == practice)),
        "only the practice session's broadcast is practice: {by_broadcast:?}"
    );
    // Twilio took the real attempts and not one of the practice ones.
    let (real_attempts,): (i64,) = maeul_db::query_as(
        "SELECT SUM(d.attempt) FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id \
         WHERE b.practice = 0 AND d.channel != 'kakao'",
    )
    .fetch_one(desk.db())
    .await
    .unwrap();
    assert_eq!(stats(&base).await["accepted"].as_i64(), Some(real_attempts));
}
