//! What the provider tests share: a fake provider on a free port, a demo desk with a
//! broadcast to two villages, and the counts that prove "no loss, no duplicate".

use std::net::SocketAddr;
use std::time::Duration;

use maeul_api::{Actor, Desk, Role};
use maeul_dispatch::broadcast::{Category, NewBroadcast, Targets};
use maeul_dispatch::fanout::Channel;
use maeul_dispatch::provider::Provider;
use maeul_fake_provider::{self as fake, Config};
use serde_json::Value;

pub fn operator() -> Actor {
    Actor {
        user_id: 2,
        username: "operator".into(),
        display_name: "운영".into(),
        role: Role::Operator,
        village_id: None,
        practice: None,
    }
}

pub async fn start(config: Config) -> String {
    let (addr, _) = fake::serve(SocketAddr::from(([127, 0, 0, 1], 0)), config)
        .await
        .unwrap();
    format!("http://{addr}")
}

pub async fn stats(base: &str) -> Value {
    reqwest::get(format!("{base}/__stats"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Two villages of the demo county (창동1리, 창동2리), SMS and voice.
pub async fn desk_with_broadcast() -> (Desk, i64) {
    let desk = Desk::open_memory().await.unwrap();
    desk.seed_demo(&Actor::cli(), &|_| {}).await.unwrap();
    desk.setting_set(&Actor::cli(), "dispatch.retry_schedule", "1s")
        .await
        .unwrap();
    desk.setting_set(&Actor::cli(), "dispatch.backoff_base", "1s")
        .await
        .unwrap();
    desk.setting_set(&Actor::cli(), "dispatch.quiet_hours", "off")
        .await
        .unwrap();
    let villages: Vec<i64> = desk
        .list_villages(&Actor::cli())
        .await
        .unwrap()
        .into_iter()
        .filter(|v| v.name == "창동1리" || v.name == "창동2리")
        .map(|v| v.id)
        .collect();
    let b = NewBroadcast {
        title: "마을 대청소".into(),
        category: Category::VillageNews,
        body: "내일 오전 7시 마을 대청소가 있습니다. 모두 참여해 주세요.".into(),
        recording_id: None,
        targets: Targets::Villages(villages),
        channels: vec![Channel::Sms, Channel::Voice],
        emergency: false,
        send_at: None,
        poll: None,
        translations: Vec::new(),
    };
    let id = desk.broadcast_send(&operator(), b).await.unwrap().id;
    (desk, id)
}

/// Deliveries still pending, submitting or submitted, as stored.
pub async fn open_rows(desk: &Desk) -> i64 {
    let (n,): (i64,) = maeul_db::query_as(
        "SELECT COUNT(*) FROM deliveries WHERE state IN ('pending', 'submitting', 'submitted')",
    )
    .fetch_one(desk.db())
    .await
    .unwrap();
    n
}

/// Attempts the outbox recorded: what the provider should have accepted, once each.
pub async fn attempts(desk: &Desk) -> i64 {
    let (n,): (i64,) = maeul_db::query_as("SELECT SUM(attempt) FROM deliveries")
        .fetch_one(desk.db())
        .await
        .unwrap();
    n
}

pub async fn drain(desk: &Desk, provider: &dyn Provider, secs: u64) -> maeul_api::Drained {
    desk.sync_drain(provider, Duration::from_secs(secs), &|_, _| {})
        .await
        .unwrap()
}
