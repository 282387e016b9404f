//! The 재난문자 feed against its fake: a message for the county (or one of its 읍·면) is a
//! draft within one poll, once however often it is listed; one for another 시·군 or another
//! province is not; a refused key, a failing or an absent feed read as errors and the next
//! poll recovers.

use jiff::{SignedDuration, Timestamp};
use maeul_api::{Actor, Desk, ErrorCode};
use maeul_dispatch::broadcast::Targets;
use maeul_dispatch::secret::Secret;
use maeul_fake_provider::feed::FakeFeed;

async fn desk() -> Desk {
    let desk = Desk::open_memory().await.unwrap();
    desk.seed_demo(&Actor::cli(), &|_| {}).await.unwrap();
    desk
}

fn seoul(t: Timestamp) -> String {
    maeul_time::seoul_civil(t)
        .strftime("%Y/%m/%d %H:%M:%S")
        .to_string()
}

#[tokio::test]
async fn a_message_for_the_county_is_one_draft_within_one_poll() {
    // Any hour in Seoul: the messages are dated from the same clock the poll is given.
    let now = Timestamp::now();
    let feed = FakeFeed::new("GOODKEY");
    feed.add(
        101,
        &seoul(now),
        "충청북도 증평군",
        "긴급재난",
        "호우",
        "[증평군] 호우경보 발효, 하천변 출입 금지",
    );
    feed.add(
        102,
        &seoul(now),
        "충청북도 청주시",
        "안전안내",
        "교통",
        "[청주시] 도로 통제",
    );
    feed.add(
        103,
        &seoul(now),
        "경상남도 전체",
        "긴급재난",
        "지진",
        "[행정안전부] 지진 발생",
    );
    feed.add(
        104,
        &seoul(now - SignedDuration::from_hours(24 * 4)),
        "충청북도 증평군",
        "안전안내",
        "기타",
        "나흘 전 안내",
    );
    let (addr, _) = feed.clone().serve().await.unwrap();
    let base = format!("http://{addr}");
    let desk = desk().await;
    desk.feed_set(&Actor::cli(), &base, Some(&Secret::new("GOODKEY")))
        .await
        .unwrap();

    let first = desk.feed_poll(now).await.unwrap();
    assert_eq!(first.listed, 2, "the province's messages since yesterday");
    assert_eq!(first.covering, 1);
    assert_eq!(first.new_drafts.len(), 1);
    let d = &first.new_drafts[0];
    assert_eq!(d.source_ref, "101");
    assert_eq!(d.title, "[긴급재난] 호우");
    assert!(d.body.starts_with("[증평군] 호우경보 발효"), "{}", d.body);
    assert_eq!(d.targets, Targets::All);
    assert!(d.emergency);

    // Listed again: nothing new. A message for one 면 covers its villages only.
    let again = desk.feed_poll(now).await.unwrap();
    assert!(again.new_drafts.is_empty());
    feed.add(
        105,
        &seoul(now),
        "충청북도 증평군 도안면",
        "위급재난",
        "산불",
        "[증평군] 도안면 산불, 대피",
    );
    let third = desk.feed_poll(now).await.unwrap();
    assert_eq!(third.new_drafts.len(), 1);
    let doan: Vec<i64> = desk
        .list_villages(&Actor::cli())
        .await
        .unwrap()
        .into_iter()
        .filter(|v| v.town_name == "도안면")
        .map(|v| v.id)
        .collect();
    assert_eq!(third.new_drafts[0].targets, Targets::Villages(doan));
    assert_eq!(desk.drafts_open(&Actor::cli()).await.unwrap().len(), 2);
    // Dismissed stays dismissed: the same SN listed again makes nothing.
    let d = &third.new_drafts[0];
    desk.draft_dismiss(&Actor::cli(), d.id, d.version)
        .await
        .unwrap();
    assert!(desk.feed_poll(now).await.unwrap().new_drafts.is_empty());
    assert_eq!(desk.drafts_open(&Actor::cli()).await.unwrap().len(), 1);
    let audit = desk.audit_verify(&Actor::cli()).await.unwrap();
    assert_eq!(audit.first_broken, None);
}

#[tokio::test]
async fn a_refused_key_a_failing_feed_and_no_feed_read_as_errors() {
    let now = Timestamp::now();
    let feed = FakeFeed::new("GOODKEY");
    feed.add(
        201,
        &seoul(now),
        "충청북도 증평군",
        "긴급재난",
        "호우",
        "호우",
    );
    let (addr, _) = feed.clone().serve().await.unwrap();
    let base = format!("http://{addr}");
    let desk = desk().await;

    // The fake's address with no key in the keyring: not set up, said so (and nothing asked
    // of the real feed, whose address is the default). The keyring is the whole test run's:
    // a fake of an earlier test may have had this port and left its key under the address.
    maeul_dispatch::credentials::delete(maeul_dispatch::feed::KEYRING_NAME, &base).unwrap();
    desk.feed_set(&Actor::cli(), &base, None).await.unwrap();
    let e = desk.feed_poll(now).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound);
    assert_eq!(feed.requests.load(std::sync::atomic::Ordering::SeqCst), 0);
    // A key is never sent in the clear to another machine.
    let e = desk
        .feed_set(
            &Actor::cli(),
            "http://www.safetydata.go.kr",
            Some(&Secret::new("GOODKEY")),
        )
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("base_url"));

    // A key the feed does not know still answers 200: read as refused, nothing made.
    desk.feed_set(&Actor::cli(), &base, Some(&Secret::new("WRONGKEY")))
        .await
        .unwrap();
    let e = desk.feed_poll(now).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Io);
    assert!(e.message.contains("resultCode 30"), "{}", e.message);
    assert!(
        !e.message.contains("WRONGKEY"),
        "the key stays out of messages"
    );
    assert!(desk.drafts_open(&Actor::cli()).await.unwrap().is_empty());

    desk.feed_set(&Actor::cli(), &base, Some(&Secret::new("GOODKEY")))
        .await
        .unwrap();
    feed.fail_next.store(1, std::sync::atomic::Ordering::SeqCst);
    let e = desk.feed_poll(now).await.unwrap_err();
    assert!(e.message.contains("HTTP 500"), "{}", e.message);
    assert_eq!(desk.feed_poll(now).await.unwrap().new_drafts.len(), 1);

    // The feed gone: unreachable, saying so without the key.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let gone = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    desk.feed_set(&Actor::cli(), &gone, Some(&Secret::new("GOODKEY")))
        .await
        .unwrap();
    let e = desk.feed_poll(now).await.unwrap_err();
    assert!(e.message.contains("연결할 수 없습니다"), "{}", e.message);
    assert!(!e.message.contains("GOODKEY"));
}
