//! Press 1 to confirm, and polls, through both providers' shapes: Solapi's `replyRange` with
//! `voiceReplied` in the listing, Twilio's `<Gather>` with the digits read back from the
//! call's Events. The fake presses by each number's last digit (`keypad_press`), so the
//! tallies the desk shows are checked against what the residents "pressed".

use std::collections::BTreeMap;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use maeul_api::{Actor, Desk};
use maeul_dispatch::broadcast::{Category, NewBroadcast, Targets};
use maeul_dispatch::fanout::Channel;
use maeul_dispatch::keypad::Poll;
use maeul_dispatch::policy::Policy;
use maeul_dispatch::provider::Provider;
use maeul_dispatch::worker;
use maeul_fake_provider::{Config, keypad_press};

use crate::common::{drain, operator, start};

/// The demo desk, quiet hours off, and a voice broadcast to 창동1리 and 창동2리.
async fn desk_with_call(poll: Option<Poll>) -> (Desk, i64) {
    let desk = Desk::open_memory().await.unwrap();
    desk.seed_demo(&Actor::cli(), &|_| {}).await.unwrap();
    for (k, v) in [
        ("dispatch.retry_schedule", "1s"),
        ("dispatch.backoff_base", "1s"),
        ("dispatch.quiet_hours", "off"),
    ] {
        desk.setting_set(&Actor::cli(), k, v).await.unwrap();
    }
    let villages: Vec<i64> = desk
        .list_villages(&Actor::cli())
        .await
        .unwrap()
        .into_iter()
        .filter(|v| v.name == "창동1리" || v.name == "창동2리")
        .map(|v| v.id)
        .collect();
    let b = NewBroadcast {
        title: "마을 총회".into(),
        category: Category::VillageNews,
        body: "이번 주 토요일 오전 10시 마을회관에서 총회가 열립니다.".into(),
        recording_id: None,
        targets: Targets::Villages(villages),
        channels: vec![Channel::Voice],
        emergency: false,
        send_at: None,
        poll,
        translations: Vec::new(),
    };
    let id = desk.broadcast_send(&operator(), b).await.unwrap().id;
    (desk, id)
}

fn attend() -> Poll {
    Poll {
        question: "총회에 오시나요?".into(),
        answers: vec!["참석".into(), "불참".into()],
    }
}

/// Drains the broadcast, then asks about the answered calls until none is left to ask,
/// five minutes of the worker's clock apart (Twilio keeps a call's Events only from a while
/// after it ends).
async fn settle_with_replies(desk: &Desk, provider: &dyn Provider) {
    let d = drain(desk, provider, 90).await;
    assert_eq!(d.open, 0, "{d:?}");
    let mut now = Timestamp::now();
    for _ in 0..14 {
        let (due,): (i64,) =
            maeul_db::query_as("SELECT COUNT(*) FROM deliveries WHERE reply_due_at IS NOT NULL")
                .fetch_one(desk.db())
                .await
                .unwrap();
        if due == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(60)).await;
        now += SignedDuration::from_mins(6);
        worker::tick(desk.db(), provider, &Policy::default(), now)
            .await
            .unwrap();
    }
    panic!("replies were still being asked for after an hour");
}

/// What the residents of the answered calls pressed (as the fake decides), per digit; keys
/// outside `range` are not taken by a Solapi call, and count as unknown for Twilio's.
async fn expected(desk: &Desk, id: i64) -> BTreeMap<u8, u32> {
    let numbers: Vec<(String,)> = maeul_db::query_as(
        "SELECT e164 FROM deliveries WHERE broadcast_id = $1 AND channel = 'voice' \
         AND state IN ('answered', 'listened')",
    )
    .bind(id)
    .fetch_all(desk.db())
    .await
    .unwrap();
    let mut out = BTreeMap::new();
    for (n,) in numbers {
        if let Some(d) = keypad_press(&n) {
            *out.entry(d).or_default() += 1;
        }
    }
    out
}

/// Stored replies per digit.
async fn stored(desk: &Desk, id: i64) -> BTreeMap<u8, u32> {
    let rows: Vec<(i64, i64)> = maeul_db::query_as(
        "SELECT reply_digit, COUNT(*) FROM deliveries WHERE broadcast_id = $1 \
         AND reply_digit IS NOT NULL GROUP BY 1",
    )
    .bind(id)
    .fetch_all(desk.db())
    .await
    .unwrap();
    rows.into_iter().map(|(d, n)| (d as u8, n as u32)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twilio_calls_gather_a_digit_read_back_from_the_calls_events() {
    let base = start(Config::default()).await;
    let (desk, id) = desk_with_call(Some(attend())).await;
    let twilio = crate::twilio::client(&base, "twilio-token", None);
    settle_with_replies(&desk, &twilio).await;

    // Every call carried the question inside a <Gather> whose action Twilio posts to.
    let requests: serde_json::Value = reqwest::get(format!("{base}/__twilio/requests"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let twiml: Vec<String> = requests
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| {
            r["form"]
                .as_array()?
                .iter()
                .find(|f| f[0] == "Twiml")
                .and_then(|f| f[1].as_str().map(str::to_string))
        })
        .collect();
    assert!(!twiml.is_empty());
    for t in &twiml {
        assert!(t.contains("<Gather input=\"dtmf\" numDigits=\"1\""), "{t}");
        assert!(t.contains("참석은 1번, 불참은 2번을 눌러 주세요."), "{t}");
    }

    let pressed = expected(&desk, id).await;
    assert!(pressed.values().sum::<u32>() > 3, "{pressed:?}");
    assert_eq!(
        stored(&desk, id).await,
        pressed,
        "every pressed digit, as pressed"
    );

    let detail = desk.broadcast_detail(&operator(), id).await.unwrap();
    let tally = detail.replies.poll.expect("a poll's tallies");
    let counts: Vec<(u8, u32)> = tally.answers.iter().map(|a| (a.digit, a.count)).collect();
    let get = |d: u8| pressed.get(&d).copied().unwrap_or(0);
    assert_eq!(counts, [(1, get(1)), (2, get(2))]);
    // 3 is no answer of this poll: pressed, so confirmed, but not counted as one.
    assert_eq!(tally.unknown, get(3));
    assert_eq!(tally.villages.len(), 2, "both villages tallied");
    let c = detail.replies.confirmation;
    assert_eq!(c.waiting, 0);
    assert_eq!(c.answered, c.confirmed + c.unconfirmed);
    assert!(c.confirmed > 0 && c.unconfirmed > 0, "{c:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn solapi_calls_carry_a_reply_range_and_confirm_from_the_listing() {
    let base = start(Config::default()).await;
    let solapi = crate::solapi::client(&base, "test-secret");

    // Without a poll: "press 1", replyRange 1; a 2 or 3 is not taken by the call.
    let (desk, id) = desk_with_call(None).await;
    settle_with_replies(&desk, &solapi).await;
    let ones = expected(&desk, id).await.get(&1).copied().unwrap_or(0);
    assert!(ones > 0);
    assert_eq!(stored(&desk, id).await, BTreeMap::from([(1, ones)]));
    let detail = desk.broadcast_detail(&operator(), id).await.unwrap();
    assert!(detail.replies.poll.is_none());
    let c = detail.replies.confirmation;
    assert!(c.confirmed > 0 && c.confirmed <= c.answered, "{c:?}");
    assert_eq!(c.answered, c.confirmed + c.unconfirmed, "{c:?}");

    // A poll of three answers: replyRange 3, and the listing names each digit.
    let mut poll = attend();
    poll.answers.push("미정".into());
    let (desk, id) = desk_with_call(Some(poll)).await;
    settle_with_replies(&desk, &solapi).await;
    let pressed = expected(&desk, id).await;
    assert_eq!(stored(&desk, id).await, pressed);
    let tally = desk
        .broadcast_detail(&operator(), id)
        .await
        .unwrap()
        .replies
        .poll
        .unwrap();
    let counts: Vec<u32> = tally.answers.iter().map(|a| a.count).collect();
    let get = |d: u8| pressed.get(&d).copied().unwrap_or(0);
    assert_eq!(counts, [get(1), get(2), get(3)]);
    assert_eq!(tally.unknown, 0);
    let by_village: u32 = tally
        .villages
        .iter()
        .map(|v| v.counts.iter().sum::<u32>())
        .sum();
    assert_eq!(by_village, counts.iter().sum::<u32>());
}
