//! The Twilio client against the fake Twilio, through the real sync worker: texts and calls
//! settle, nothing is accepted twice, faults cost retries never messages, bad credentials
//! stop the desk without failing anything, and the desk's own rate keeps Twilio from
//! answering 429.

use std::time::Duration;

use maeul_dispatch::secret::Secret;
use maeul_dispatch::twilio::{Twilio, TwilioConfig};
use maeul_fake_provider::{Config, TWILIO_SID};

use crate::common::{desk_with_broadcast, drain, open_rows, operator, start, stats};

pub fn client(base: &str, token: &str, rate: Option<u32>) -> Twilio {
    Twilio::new(TwilioConfig {
        base_url: base.into(),
        account_sid: TWILIO_SID.into(),
        auth_token: Secret::new(token),
        // National format in the settings; the client sends E.164.
        from: "043-835-3233".into(),
        media_base_url: None,
        requests_per_second: rate,
    })
    .unwrap()
}

/// Attempts that went to Twilio: the KakaoTalk fallbacks are refused by the client itself.
async fn sent_attempts(desk: &maeul_api::Desk) -> i64 {
    let (n,): (i64,) =
        maeul_db::query_as("SELECT SUM(attempt) FROM deliveries WHERE channel != 'kakao'")
            .fetch_one(desk.db())
            .await
            .unwrap();
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broadcast_settles_through_twilio_with_no_duplicate() {
    let base = start(Config::default()).await;
    let (desk, id) = desk_with_broadcast().await;
    maeul_db::query("UPDATE subscribers SET want_kakao = 1 WHERE phone_kind = 'mobile'")
        .execute(desk.db())
        .await
        .unwrap();
    let d = drain(&desk, &client(&base, "twilio-token", None), 90).await;
    assert_eq!(d.open, 0, "{d:?}");
    let s = stats(&base).await;
    assert_eq!(s["duplicates"], 0, "{s}");
    assert_eq!(s["rejected"], 0, "{s}");
    assert_eq!(
        s["accepted"].as_i64(),
        Some(sent_attempts(&desk).await),
        "{s}"
    );
    let report = desk.broadcast_report(&operator(), id).await.unwrap();
    let states: Vec<String> = report
        .iter()
        .map(|c| {
            format!(
                "{:?}:{}:{}",
                c.channel,
                c.state.as_str(),
                c.reason.as_deref().unwrap_or("")
            )
        })
        .collect();
    assert!(states.contains(&"Sms:delivered:".to_string()), "{states:?}");
    assert!(
        states.contains(&"Voice:answered:".to_string()),
        "{states:?}"
    );
    // No-answer calls were tried again (3 attempts by default), so some voice rows took more
    // than one attempt.
    let (retried,): (i64,) = maeul_db::query_as(
        "SELECT COUNT(*) FROM deliveries WHERE channel = 'voice' AND attempt > 1",
    )
    .fetch_one(desk.db())
    .await
    .unwrap();
    assert!(retried > 0);
    // Twilio has no KakaoTalk: texts that failed for good get no KakaoTalk stand-in (each
    // would only fail), though their residents want KakaoTalk.
    assert!(
        states.iter().any(|s| s.starts_with("Sms:failed")),
        "{states:?}"
    );
    assert!(
        !states.iter().any(|s| s.starts_with("Kakao:")),
        "{states:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twilio_faults_cost_retries_never_messages() {
    let base = start(Config {
        fail_rate: 0.2,
        drop_rate: 0.2,
        // One request per message: a limit the loopback bursts (8 in flight, 5 ms each) still
        // exceed, without making the 6,000-odd requests take minutes.
        rate_limit: 400,
        latency: Duration::from_millis(5),
        ..Config::default()
    })
    .await;
    let (desk, _) = desk_with_broadcast().await;
    // The drain's bound is a safety net, not a speed target: on this 2-core machine it takes
    // about 40 s alone and over a minute beside the rest of the suite.
    let d = drain(&desk, &client(&base, "twilio-token", None), 300).await;
    assert_eq!(d.open, 0, "{d:?}");
    assert!(d.interruptions > 0, "the faults were felt: {d:?}");
    let s = stats(&base).await;
    assert!(s["failed_injected"].as_i64().unwrap() > 0, "{s}");
    assert!(s["dropped_injected"].as_i64().unwrap() > 0, "{s}");
    assert!(s["rate_limited"].as_i64().unwrap() > 0, "{s}");
    assert_eq!(s["duplicates"], 0, "{s}");
    // A create whose answer was dropped was found again by number and batch start.
    assert_eq!(
        s["accepted"].as_i64(),
        Some(sent_attempts(&desk).await),
        "{s}"
    );
    assert_eq!(open_rows(&desk).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_twilio_token_stops_sending_without_failing_anything() {
    let base = start(Config::default()).await;
    let (desk, _) = desk_with_broadcast().await;
    let r = desk
        .sync_once(&client(&base, "wrong-token", None))
        .await
        .unwrap();
    let why = r.refused.clone().expect("refused");
    assert!(why.contains("인증 실패"), "{why}");
    let (failed,): (i64,) =
        maeul_db::query_as("SELECT COUNT(*) FROM deliveries WHERE state = 'failed'")
            .fetch_one(desk.db())
            .await
            .unwrap();
    assert_eq!(failed, 0);
    let d = drain(&desk, &client(&base, "twilio-token", None), 90).await;
    assert_eq!(d.open, 0, "{d:?}");
    assert_eq!(stats(&base).await["duplicates"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desks_own_rate_keeps_twilio_from_saying_429() {
    let base = start(Config {
        rate_limit: 20,
        ..Config::default()
    })
    .await;
    let (desk, _) = desk_with_broadcast().await;
    // Four seconds of a county-sized pass at 15 requests a second (cut off: what was left
    // submitting is reconciled later, as after a crash).
    let tw = client(&base, "twilio-token", Some(15));
    let _ = tokio::time::timeout(Duration::from_secs(4), desk.sync_once(&tw)).await;
    let s = stats(&base).await;
    assert!(s["requests"].as_i64().unwrap() > 40, "{s}");
    assert_eq!(s["rate_limited"], 0, "{s}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_connection_test_names_the_account_or_says_what_is_wrong() {
    use maeul_dispatch::provider::Provider;
    let base = start(Config::default()).await;
    let said = client(&base, "twilio-token", None).check().await.unwrap();
    assert_eq!(said, "Twilio 계정 증평군 마을방송 (active)");
    let e = client(&base, "wrong", None).check().await.unwrap_err();
    assert!(e.to_string().contains("인증 실패"), "{e}");
    let solapi = crate::solapi::client(&base, "test-secret")
        .check()
        .await
        .unwrap();
    assert_eq!(solapi, "Solapi 잔액 120000원, 포인트 3500");
    let down = client("http://127.0.0.1:9", "twilio-token", None)
        .check()
        .await
        .unwrap_err();
    assert!(down.to_string().contains("연결할 수 없습니다"), "{down}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receipts_listing_cut_off_partway_keeps_what_its_first_page_said() {
    use maeul_dispatch::fanout::Channel;
    use maeul_dispatch::provider::{MessageRef, Outgoing, Provider, Receipt, Submitted};
    let base = start(Config {
        twilio_later_pages_fail: true,
        ..Config::default()
    })
    .await;
    let tw = client(&base, "twilio-token", None);
    // One more than a listing page holds (1,000), and then some.
    let batch: Vec<Outgoing> = (0..1010)
        .map(|i| Outgoing {
            delivery_id: i,
            channel: Channel::Sms,
            to: format!("+8210{}", 20_000_000 + i),
            subject: "안내".into(),
            text: "내일 마을 대청소가 있습니다.".into(),
            recording: None,
            idempotency_key: format!("k{i}"),
            keypad: None,
        })
        .collect();
    let refs: Vec<MessageRef> = tw
        .submit(None, &batch)
        .await
        .unwrap()
        .into_iter()
        .map(|s| match s {
            Submitted::Accepted { message_id } => MessageRef {
                group_id: None,
                message_id,
            },
            other => panic!("{other:?}"),
        })
        .collect();
    // Past the fake's 20 ms in "sent".
    tokio::time::sleep(Duration::from_millis(100)).await;
    let receipts = tw.status(&refs).await.expect("the first page answered");
    let known = receipts
        .iter()
        .filter(|r| **r != Receipt::InProgress)
        .count();
    assert_eq!(known, 1000);
    // Twilio lists newest first: the first chunk sent is on the page that failed (three
    // times), and is asked for again next pass.
    assert!(receipts[..8].iter().all(|r| *r == Receipt::InProgress));
    assert!(stats(&base).await["failed_injected"].as_i64().unwrap() >= 3);
}

/// More receipts than are fetched one by one, so that they are listed.
fn listed_refs() -> Vec<maeul_dispatch::provider::MessageRef> {
    (0..30)
        .map(|i| maeul_dispatch::provider::MessageRef {
            group_id: None,
            message_id: format!("SM{i:032}"),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receipts_listing_that_never_ends_is_refused_at_the_page_cap() {
    use maeul_dispatch::provider::{Provider, ProviderError};
    let base = start(Config {
        endless_listing: true,
        ..Config::default()
    })
    .await;
    let tw = client(&base, "twilio-token", None);
    let refs = listed_refs();
    let listed = tokio::time::timeout(Duration::from_secs(60), tw.status(&refs))
        .await
        .expect("the listing stopped");
    let e = listed.unwrap_err();
    assert!(matches!(e, ProviderError::Refused(_)), "{e:?}");
    assert!(e.to_string().contains("Twilio"), "{e}");
    assert!(e.to_string().contains("200쪽"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receipts_page_larger_than_the_body_cap_is_not_read_whole() {
    use maeul_dispatch::provider::{Provider, ProviderError};
    let base = start(Config {
        listing_padding: 16 << 20,
        ..Config::default()
    })
    .await;
    let tw = client(&base, "twilio-token", None);
    let refs = listed_refs();
    let e = tw.status(&refs).await.unwrap_err();
    assert!(matches!(e, ProviderError::Unreachable(_)), "{e:?}");
    assert!(e.to_string().contains("Twilio"), "{e}");
    assert!(e.to_string().contains("8 MiB"), "{e}");
}
