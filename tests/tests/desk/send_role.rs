//! Which desks send: `dispatch.send_from` names them (or `all`), and a desk without the
//! provider's secret in its keyring only queues. A queuing desk's sync loop leaves the outbox
//! alone and says why; once it is named a sender, the same loop sends.

use std::time::Duration;

use maeul_api::{SendRole, SyncLoop, SyncState};
use maeul_dispatch::broadcast::{Category, NewBroadcast, Targets};
use maeul_dispatch::fanout::Channel;
use maeul_dispatch::policy;
use maeul_dispatch::providers::ProviderSettings;

use crate::fixtures::{admin, desk_with_residents, sending_at_any_hour, village_id};

async fn pending(desk: &maeul_api::Desk) -> i64 {
    let (n,): (i64,) =
        maeul_db::query_as("SELECT COUNT(*) FROM deliveries WHERE state = 'pending'")
            .fetch_one(desk.db())
            .await
            .unwrap();
    n
}

/// Polls the loop's status (it passes every few seconds) until `done` holds.
async fn until(
    sync: &SyncLoop,
    done: impl Fn(&maeul_api::SyncStatus) -> bool,
) -> maeul_api::SyncStatus {
    for _ in 0..400 {
        let s = sync.status();
        if done(&s) {
            return s;
        }
        sync.wake();
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("sync loop never reached the state: {:?}", sync.status());
}

#[tokio::test]
async fn a_desk_not_named_a_sender_only_queues_until_it_is() {
    let desk = desk_with_residents().await;
    sending_at_any_hour(&desk).await;
    let own = village_id(&desk, "연탄1리").await;
    desk.setting_set(&admin(), policy::SEND_FROM, "PC-COUNTY-01, PC-JP-02")
        .await
        .unwrap();
    assert!(matches!(
        desk.send_role().await.unwrap(),
        SendRole::QueueOnly(why) if why.contains("PC-COUNTY-01, PC-JP-02")
    ));
    desk.broadcast_send(
        &admin(),
        NewBroadcast {
            title: "마을 대청소".into(),
            category: Category::VillageNews,
            body: "내일 오전 7시 마을 대청소가 있습니다.".into(),
            recording_id: None,
            targets: Targets::Villages(vec![own]),
            channels: vec![Channel::Sms],
            emergency: false,
            send_at: None,
            poll: None,
            translations: Vec::new(),
        },
    )
    .await
    .unwrap();
    let queued = pending(&desk).await;
    assert!(queued > 0);

    let (sync, task) = SyncLoop::new(desk.clone(), |_| {});
    let running = tokio::spawn(task);
    let s = until(&sync, |s| s.state == SyncState::QueueOnly).await;
    assert_eq!(
        s.open as i64, queued,
        "the status bar still counts what waits"
    );
    assert!(s.detail.unwrap().contains(&policy::desk_name()));
    assert_eq!(pending(&desk).await, queued, "a queuing desk sends nothing");

    // Named (in any case, as Windows names compare), the same loop sends without a restart.
    let me = policy::desk_name().to_lowercase();
    desk.setting_set(&admin(), policy::SEND_FROM, &format!("PC-COUNTY-01,{me}"))
        .await
        .unwrap();
    until(&sync, |s| s.state == SyncState::Idle && s.open == 0).await;
    assert_eq!(pending(&desk).await, 0);
    sync.stop();
    running.await.unwrap();
}

#[tokio::test]
async fn without_the_providers_secret_in_this_keyring_a_desk_queues() {
    let desk = desk_with_residents().await;
    assert_eq!(desk.send_role().await.unwrap(), SendRole::Sends, "sandbox");
    // Another PC stored the provider and its secret (its own keyring); this one has none.
    // A host of its own: secrets are kept per provider and host, and the kernel keyring
    // links them into the persistent keyring, where another run's secret for a common
    // host (127.0.0.1:9) could still be found.
    let base_url = format!("http://send-role-{}.invalid:9", std::process::id());
    let stored = ProviderSettings {
        name: "solapi".into(),
        base_url,
        api_key: "NCSKEYFORTEST0001".into(),
        sender: "0438353233".into(),
        kakao_pf_id: None,
        kakao_template_id: None,
        media_base_url: None,
        requests_per_second: None,
    };
    let mut conn = desk.db().acquire().await.unwrap();
    maeul_db::settings::set(
        &mut conn,
        maeul_dispatch::providers::SETTING,
        &serde_json::to_string(&stored).unwrap(),
    )
    .await
    .unwrap();
    drop(conn);
    match desk.send_role().await.unwrap() {
        SendRole::QueueOnly(why) => assert!(why.contains("비밀키"), "{why}"),
        other => panic!("{other:?}"),
    }
}
