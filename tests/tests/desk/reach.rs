//! The household reach ledger checked against deliveries written by hand: which count
//! (delivered, answered; not failed, not practice), which household a subscriber stands
//! for, Seoul months, the newest reach winning, confirmations staying, refreshes that read
//! only what changed; and the dashboard and not-reached lists built on it.

use jiff::Timestamp;
use maeul_api::{DashboardFilter, Desk, ErrorCode, ReadinessOf, Role};
use maeul_dispatch::reach::{self, Among};

use crate::fixtures::{actor, admin, desk_with_structure, village_id};

async fn exec(desk: &Desk, sql: &str, binds: &[&str]) {
    let mut q = maeul_db::query(sqlx::AssertSqlSafe(sql.to_string()));
    for b in binds {
        q = q.bind(*b);
    }
    q.execute(desk.db()).await.unwrap();
}

/// Runs an INSERT and gives the new row's id.
async fn insert(desk: &Desk, sql: &str, binds: &[&str]) -> i64 {
    let mut q = maeul_db::query_scalar::<i64>(sqlx::AssertSqlSafe(format!("{sql} RETURNING id")));
    for b in binds {
        q = q.bind(*b);
    }
    q.fetch_one(desk.db()).await.unwrap()
}

async fn household(desk: &Desk, village: i64, address: &str) -> i64 {
    insert(
        desk,
        &format!(
            "INSERT INTO households (village_id, address, head_name, created_at) \
             VALUES ({village}, $1, '세대주', '2023-06-01T00:00:00Z')"
        ),
        &[address],
    )
    .await
}

async fn subscriber(desk: &Desk, village: i64, household: i64, phone: &str) -> i64 {
    insert(
        desk,
        &format!(
            "INSERT INTO subscribers (household_id, village_id, name, phone, phone_kind, \
                 consent_date, created_at, updated_at) \
             VALUES ({household}, {village}, '주민', $1, 'mobile', '2023-07-01', \
                 '2023-07-01T00:00:00Z', '2023-07-01T00:00:00Z')"
        ),
        &[phone],
    )
    .await
}

async fn broadcast(desk: &Desk, practice: bool, at: &str) -> i64 {
    insert(
        desk,
        &format!(
            "INSERT INTO broadcasts (title, category, body, created_by, created_at, practice) \
             VALUES ('안내', 'admin', '안내 말씀', 'test', $1, {})",
            if practice { "TRUE" } else { "FALSE" }
        ),
        &[at],
    )
    .await
}

/// One delivery: its channel, state, subscriber, time and (for a call) the key pressed.
async fn delivery(
    desk: &Desk,
    b: i64,
    channel: &str,
    state: &str,
    subscriber: i64,
    at: &str,
    digit: Option<i64>,
) -> i64 {
    insert(
        desk,
        &format!(
            "INSERT INTO deliveries (broadcast_id, channel, e164, subscribers, state, updated_at, \
                 reply_digit) \
             VALUES ({b}, $1, '+8210{subscriber:08}', '[{subscriber}]', $2, $3, {})",
            digit.map_or("NULL".to_string(), |d| d.to_string())
        ),
        &[channel, state, at],
    )
    .await
}

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

async fn ledger(desk: &Desk) -> Vec<(i64, Option<String>, Option<String>, bool)> {
    let mut conn = desk.db().acquire().await.unwrap();
    reach::households(&mut conn, Among::County, None)
        .await
        .unwrap()
        .into_iter()
        .map(|h| (h.household_id, h.last_at, h.channel, h.confirmed))
        .collect()
}

#[tokio::test]
async fn the_ledger_follows_deliveries_written_by_hand() {
    let desk = desk_with_structure().await;
    let yeontan = village_id(&desk, "연탄1리").await;
    let changdong = village_id(&desk, "창동1리").await;
    let h1 = household(&desk, yeontan, "연탄로 1").await;
    let h2 = household(&desk, yeontan, "연탄로 2").await;
    let h3 = household(&desk, yeontan, "연탄로 3").await;
    let h4 = household(&desk, changdong, "창동로 4").await;
    let s1 = subscriber(&desk, yeontan, h1, "010-1000-0001").await;
    let s2 = subscriber(&desk, yeontan, h1, "010-1000-0002").await;
    let s3 = subscriber(&desk, yeontan, h2, "010-1000-0003").await;
    let s4 = subscriber(&desk, yeontan, h3, "010-1000-0004").await;
    let s5 = subscriber(&desk, changdong, h4, "010-1000-0005").await;
    let now = ts("2026-12-10T03:00:00Z");

    let b1 = broadcast(&desk, false, "2026-08-01T00:00:00Z").await;
    let b2 = broadcast(&desk, false, "2026-12-05T00:50:00Z").await;
    let practice = broadcast(&desk, true, "2026-12-05T00:50:00Z").await;
    // 01:00 on 1 December in Seoul: December, though still November in UTC.
    delivery(
        &desk,
        b1,
        "sms",
        "delivered",
        s1,
        "2026-11-30T16:00:00Z",
        None,
    )
    .await;
    // 23:00 on 30 November in Seoul: November.
    let call = delivery(
        &desk,
        b1,
        "voice",
        "answered",
        s3,
        "2026-11-30T14:00:00Z",
        None,
    )
    .await;
    // The same household by its other number, later, confirmed: it wins the month.
    delivery(
        &desk,
        b2,
        "voice",
        "answered",
        s2,
        "2026-12-05T01:00:00Z",
        Some(1),
    )
    .await;
    // Failed, and practice: neither reaches anyone.
    delivery(&desk, b2, "sms", "failed", s4, "2026-12-05T01:00:00Z", None).await;
    delivery(
        &desk,
        practice,
        "sms",
        "delivered",
        s4,
        "2026-12-05T01:00:00Z",
        None,
    )
    .await;
    // Over 90 days before `now`.
    delivery(
        &desk,
        b1,
        "sms",
        "delivered",
        s5,
        "2026-08-01T00:00:00Z",
        None,
    )
    .await;

    assert_eq!(
        desk.reach_refresh().await.unwrap(),
        5,
        "five deliveries reached someone, one of them in practice"
    );
    let expected = vec![
        (
            h4,
            Some("2026-08-01T00:00:00Z".into()),
            Some("sms".into()),
            false,
        ),
        (
            h1,
            Some("2026-12-05T01:00:00Z".into()),
            Some("voice".into()),
            true,
        ),
        (
            h2,
            Some("2026-11-30T14:00:00Z".into()),
            Some("voice".into()),
            false,
        ),
        (h3, None, None, false),
    ];
    let mut got = ledger(&desk).await;
    got.sort_by_key(|h| expected.iter().position(|e| e.0 == h.0));
    assert_eq!(got, expected);
    let months: Vec<(i64, String)> = maeul_db::query_as(
        "SELECT household_id, month FROM household_reach ORDER BY household_id, month",
    )
    .fetch_all(desk.db())
    .await
    .unwrap();
    assert_eq!(
        months,
        [
            (h1, "2026-12".to_string()),
            (h2, "2026-11".to_string()),
            (h4, "2026-08".to_string())
        ]
    );

    // Per village, as of `now`.
    let mut conn = desk.db().acquire().await.unwrap();
    let villages = reach::by_village(&mut conn, now).await.unwrap();
    drop(conn);
    let y = villages.iter().find(|v| v.village_id == yeontan).unwrap();
    assert_eq!(
        (
            y.households,
            y.reached_30,
            y.reached_90,
            y.confirmed_90,
            y.not_reached_90
        ),
        (3, 2, 2, 1, 1)
    );
    let c = villages.iter().find(|v| v.village_id == changdong).unwrap();
    assert_eq!((c.households, c.reached_90, c.not_reached_90), (1, 0, 1));

    // Not reached in 90 days: the chief's list for the visit, and the county's.
    let chief = actor(Role::Chief, Some(yeontan));
    let list = desk
        .not_reached(&chief, Among::Village(yeontan), 90, now)
        .await
        .unwrap();
    assert_eq!(
        list.iter().map(|h| h.household_id).collect::<Vec<_>>(),
        [h3]
    );
    let e = desk
        .not_reached(&chief, Among::Village(changdong), 90, now)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::OutOfScope);
    let county = desk
        .not_reached(&admin(), Among::County, 90, now)
        .await
        .unwrap();
    let mut ids: Vec<i64> = county.iter().map(|h| h.household_id).collect();
    ids.sort();
    assert_eq!(ids, [h3, h4]);
    assert_eq!(
        county
            .iter()
            .find(|h| h.household_id == h4)
            .unwrap()
            .last_at
            .as_deref(),
        Some("2026-08-01T00:00:00Z"),
        "the list says when it was last reached"
    );

    // Nothing new: nothing read. A key pressed later (the call keeps its November time)
    // and a new text are read, and only they.
    assert_eq!(desk.reach_refresh().await.unwrap(), 0);
    exec(
        &desk,
        &format!("UPDATE deliveries SET reply_digit = 2 WHERE id = {call}"),
        &[],
    )
    .await;
    delivery(
        &desk,
        b2,
        "sms",
        "delivered",
        s3,
        "2026-12-06T00:00:00Z",
        None,
    )
    .await;
    assert_eq!(desk.reach_refresh().await.unwrap(), 2);
    let h2_months: Vec<(String, String, bool)> = maeul_db::query_as(
        "SELECT month, last_at, confirmed FROM household_reach WHERE household_id = $1 ORDER BY month",
    )
    .bind(h2)
    .fetch_all(desk.db())
    .await
    .unwrap();
    assert_eq!(
        h2_months,
        [
            (
                "2026-11".to_string(),
                "2026-11-30T14:00:00Z".to_string(),
                true
            ),
            (
                "2026-12".to_string(),
                "2026-12-06T00:00:00Z".to_string(),
                false
            ),
        ],
        "the key confirms the call's own month; December's text is not a key"
    );
    let before = ledger(&desk).await;

    // Read again from the start: the same ledger.
    exec(
        &desk,
        "INSERT INTO reach_queue (delivery_id) SELECT id FROM deliveries \
         WHERE state IN ('delivered', 'answered', 'listened')",
        &[],
    )
    .await;
    assert_eq!(desk.reach_refresh().await.unwrap(), 6);
    assert_eq!(ledger(&desk).await, before);

    // The dashboard's months, households and reach.
    let d = desk
        .dashboard(
            &admin(),
            DashboardFilter {
                town_id: None,
                months: 6,
            },
            now,
        )
        .await
        .unwrap();
    assert_eq!(d.months.first().map(String::as_str), Some("2026-07"));
    assert_eq!(d.months.last().map(String::as_str), Some("2026-12"));
    let reached: Vec<(String, i64, i64)> = d
        .reach
        .iter()
        .filter(|r| r.reached > 0)
        .map(|r| (r.month.clone(), r.reached, r.confirmed))
        .collect();
    assert_eq!(
        reached,
        [
            ("2026-08".to_string(), 1, 0),
            ("2026-11".to_string(), 1, 1),
            ("2026-12".to_string(), 2, 1)
        ]
    );
    assert_eq!(d.households, 4);
    assert_eq!(d.signed_up, 4);
    assert_eq!((d.reached_90, d.not_reached_90), (2, 2));
    assert_eq!(
        d.broadcasts.iter().map(|m| m.admin).sum::<i64>(),
        2,
        "not practice"
    );
    assert_eq!(
        d.villages[0].rate, 0.0,
        "the villages furthest behind first"
    );
    let e = desk
        .dashboard(
            &admin(),
            DashboardFilter {
                town_id: None,
                months: 5,
            },
            now,
        )
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("months"));

    // The readiness one-pager: the village's figures as the ledger has them, the county's
    // beside them, and the PDF.
    let r = desk
        .readiness(&chief, ReadinessOf::Village(yeontan), now)
        .await
        .unwrap();
    assert_eq!(r.title, "증평읍 연탄1리");
    assert_eq!(
        (
            r.total.households,
            r.total.signed_up,
            r.total.reached_90,
            r.total.not_reached_90
        ),
        (3, 3, 2, 1)
    );
    assert_eq!(
        r.total.broadcasts_90, 1,
        "b2 (county-wide); not b1 (August), not practice"
    );
    assert_eq!(r.county.households, 4);
    assert_eq!(r.months.len(), 12);
    assert_eq!(r.months.last().map(|m| m.1), Some(2), "December: h1 and h2");
    let county = desk
        .readiness(&admin(), ReadinessOf::County, now)
        .await
        .unwrap();
    assert_eq!(county.lines.len(), 2, "one line per town");
    assert_eq!(county.lines.iter().map(|l| l.households).sum::<i64>(), 4);
    let (pdf, pages) = desk
        .readiness_pdf(&admin(), ReadinessOf::County, now)
        .await
        .unwrap();
    assert!(pdf.starts_with(b"%PDF") && pages == 1);
    let e = desk
        .readiness(&chief, ReadinessOf::County, now)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::OutOfScope);
    let e = desk
        .dashboard(
            &chief,
            DashboardFilter {
                town_id: None,
                months: 6,
            },
            now,
        )
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::OutOfScope);
}
