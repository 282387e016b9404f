//! The Solapi client against the fake provider, through the real sync worker: every
//! delivery settles, nothing is accepted twice, and faults (5xx, dropped connections, 429,
//! bad credentials, a skewed clock) cost retries, never messages. Solapi's status codes decide
//! retry or failure per code; listings that never end or never stop are refused.

use std::collections::HashMap;
use std::time::Duration;

use maeul_dispatch::fanout::Channel;
use maeul_dispatch::provider::{Lookup, Provider, ProviderError};
use maeul_dispatch::secret::Secret;
use maeul_dispatch::solapi::{Solapi, SolapiConfig};
use maeul_fake_provider::Config;

use crate::common::{attempts, desk_with_broadcast, drain, open_rows, operator, start, stats};

pub fn client(base: &str, secret: &str) -> Solapi {
    Solapi::new(SolapiConfig {
        base_url: base.into(),
        api_key: "NCSTESTKEY".into(),
        api_secret: Secret::new(secret),
        sender: "0438353233".into(),
        kakao_pf_id: Some("KA01PF-TEST".into()),
        kakao_template_id: Some("KA01TP-NOTICE".into()),
        requests_per_second: None,
    })
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broadcast_settles_through_solapi_with_no_duplicate() {
    let base = start(Config::default()).await;
    let (desk, id) = desk_with_broadcast().await;
    // Every mobile resident here takes KakaoTalk too: a stand-in goes only to those who do.
    maeul_db::query("UPDATE subscribers SET want_kakao = 1 WHERE phone_kind = 'mobile'")
        .execute(desk.db())
        .await
        .unwrap();
    let solapi = client(&base, "test-secret");
    let d = drain(&desk, &solapi, 60).await;
    assert_eq!(d.open, 0, "{d:?}");
    let s = stats(&base).await;
    assert_eq!(s["duplicates"], 0, "{s}");
    assert_eq!(s["rejected"], 0, "{s}");
    // Every attempt the outbox made reached the provider once.
    assert_eq!(s["accepted"].as_i64(), Some(attempts(&desk).await), "{s}");
    let report = desk.broadcast_report(&operator(), id).await.unwrap();
    let states: Vec<String> = report
        .iter()
        .map(|c| format!("{:?}:{}", c.channel, c.state.as_str()))
        .collect();
    assert!(states.contains(&"Sms:delivered".to_string()), "{states:?}");
    assert!(states.contains(&"Voice:listened".to_string()), "{states:?}");
    // The fake fails 5 % of texts; once retries are spent they go again by KakaoTalk.
    assert!(states.iter().any(|s| s.starts_with("Kakao:")), "{states:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_cost_retries_never_messages() {
    let base = start(Config {
        fail_rate: 0.2,
        drop_rate: 0.2,
        rate_limit: 20,
        latency: Duration::from_millis(5),
        ..Config::default()
    })
    .await;
    let (desk, _) = desk_with_broadcast().await;
    let solapi = client(&base, "test-secret");
    // A safety net, not a speed target: with two requests in five failing, a run of passes
    // that move nothing backs off (1 s doubling, up to a minute); 10–30 s here, and one CI
    // run needed more than 120.
    let d = drain(&desk, &solapi, 300).await;
    assert_eq!(d.open, 0, "{d:?}");
    assert!(d.interruptions > 0, "the faults were felt: {d:?}");
    let s = stats(&base).await;
    assert!(s["failed_injected"].as_i64().unwrap() > 0, "{s}");
    assert!(s["dropped_injected"].as_i64().unwrap() > 0, "{s}");
    assert_eq!(s["duplicates"], 0, "{s}");
    assert_eq!(s["accepted"].as_i64(), Some(attempts(&desk).await), "{s}");
    assert_eq!(open_rows(&desk).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_credentials_stop_sending_without_failing_anything() {
    let base = start(Config::default()).await;
    let (desk, _) = desk_with_broadcast().await;
    let wrong = client(&base, "not-the-secret");
    let r = desk.sync_once(&wrong).await.unwrap();
    let why = r.refused.clone().expect("refused");
    assert!(why.contains("인증 실패"), "{why}");
    let (failed,): (i64,) =
        maeul_db::query_as("SELECT COUNT(*) FROM deliveries WHERE state = 'failed'")
            .fetch_one(desk.db())
            .await
            .unwrap();
    assert_eq!(
        failed, 0,
        "staff must fix the key; no message is failed for it"
    );
    // With the right secret everything goes.
    let d = drain(&desk, &client(&base, "test-secret"), 60).await;
    assert_eq!(d.open, 0);
    assert_eq!(stats(&base).await["duplicates"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_skewed_clock_is_corrected_from_the_servers_date() {
    // The provider's clock is an hour ahead of the desk's.
    let base = start(Config {
        clock_offset_secs: 3600,
        ..Config::default()
    })
    .await;
    let (desk, _) = desk_with_broadcast().await;
    let d = drain(&desk, &client(&base, "test-secret"), 60).await;
    assert_eq!(d.open, 0, "{d:?}");
    let s = stats(&base).await;
    assert!(
        s["auth_refused"].as_i64().unwrap() >= 1,
        "the first request was refused: {s}"
    );
    assert_eq!(s["duplicates"], 0);
}

/// The national form the fake keys its scripts by: `+821012345678` → `01012345678`.
fn national(e164: &str) -> String {
    format!("0{}", e164.trim_start_matches("+82"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_phone_is_tried_again_and_a_spoofed_sender_fails_for_good_with_its_code() {
    let (desk, id) = desk_with_broadcast().await;
    let numbers: Vec<(String,)> = maeul_db::query_as(
        "SELECT e164 FROM deliveries WHERE broadcast_id = $1 AND channel = 'sms' ORDER BY id LIMIT 2",
    )
    .bind(id)
    .fetch_all(desk.db())
    .await
    .unwrap();
    let (busy, spoofed) = (numbers[0].0.clone(), numbers[1].0.clone());
    let base = start(Config {
        solapi_scripted: HashMap::from([
            (national(&busy), vec!["3041", "4000"]),
            (national(&spoofed), vec!["3059"]),
        ]),
        ..Config::default()
    })
    .await;
    let d = drain(&desk, &client(&base, "test-secret"), 60).await;
    assert_eq!(d.open, 0, "{d:?}");
    let row = |e164: String| {
        let db = desk.db().clone();
        async move {
            let r: (String, Option<String>, Option<String>, i64) = maeul_db::query_as(
                "SELECT state, reason, provider_code, attempt FROM deliveries \
                 WHERE broadcast_id = $1 AND channel = 'sms' AND e164 = $2",
            )
            .bind(id)
            .bind(e164)
            .fetch_one(&db)
            .await
            .unwrap();
            r
        }
    };
    // Busy (3041) is worth another attempt, which the phone took.
    let (state, reason, code, attempt) = row(busy).await;
    assert_eq!(
        (state.as_str(), attempt),
        ("delivered", 2),
        "{reason:?} {code:?}"
    );
    // A spoofed sender number (3059) will not go however often it is tried: failed at once,
    // with Solapi's own code kept for the report.
    let (state, reason, code, attempt) = row(spoofed).await;
    assert_eq!(
        (state.as_str(), reason.as_deref(), code.as_deref(), attempt),
        ("failed", Some("spoofed_sender"), Some("3059"), 1)
    );
}

fn lookup() -> Lookup {
    Lookup {
        key: "k1".into(),
        to: "+821012345678".into(),
        channel: Channel::Sms,
        previous: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_listing_that_never_ends_is_refused_at_the_page_cap() {
    let base = start(Config {
        endless_listing: true,
        ..Config::default()
    })
    .await;
    let solapi = client(&base, "test-secret");
    let found = tokio::time::timeout(
        Duration::from_secs(30),
        solapi.find(Some("G4V00000000000000000001"), &[lookup()]),
    )
    .await
    .expect("the listing stopped");
    let e = found.unwrap_err();
    assert!(matches!(e, ProviderError::Refused(_)), "{e:?}");
    assert!(e.to_string().contains("Solapi"), "{e}");
    assert!(e.to_string().contains("200쪽"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listing_page_larger_than_the_body_cap_is_not_read_whole() {
    let base = start(Config {
        listing_padding: 16 << 20,
        ..Config::default()
    })
    .await;
    let solapi = client(&base, "test-secret");
    let e = solapi
        .find(Some("G4V00000000000000000001"), &[lookup()])
        .await
        .unwrap_err();
    // What the page said is unknown: asked again next pass, never taken as "absent".
    assert!(matches!(e, ProviderError::Unreachable(_)), "{e:?}");
    assert!(e.to_string().contains("Solapi"), "{e}");
    assert!(e.to_string().contains("8 MiB"), "{e}");
}
