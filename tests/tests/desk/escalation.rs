//! The escalation ladder on the demo county through the sandbox, with the worker's clock
//! moved by hand: 10 minutes after an emergency call, the households that did not press a
//! key get a text; after 30, each chief gets the list of theirs still unconfirmed. A stopped
//! ladder takes no further step; the ladder is the office's to set, checked field by field.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};
use maeul_api::{Actor, Desk, ErrorCode, Role};
use maeul_dispatch::broadcast::{Category, NewBroadcast, Targets};
use maeul_dispatch::escalation::{Action, Ladders, Rung, StepState};
use maeul_dispatch::fanout::Channel;
use maeul_dispatch::policy::Policy;
use maeul_dispatch::sandbox::Sandbox;
use maeul_dispatch::worker::tick;

use crate::fixtures::{Engine, EngineDesk, actor, admin, empty_desk_on};

fn ladder() -> Ladders {
    Ladders(BTreeMap::from([(
        "emergency".to_string(),
        vec![
            Rung {
                after_mins: 10,
                action: Action::Sms,
            },
            Rung {
                after_mins: 30,
                action: Action::Chief,
            },
        ],
    )]))
}

/// The demo county on this run's engine (a file in memory, or a server of its own).
async fn demo_desk() -> EngineDesk {
    let desk = empty_desk_on(Engine::from_env()).await;
    desk.seed_demo(&Actor::cli(), &|_| {}).await.unwrap();
    desk
}

async fn call_two_villages(desk: &Desk) -> i64 {
    let villages: Vec<i64> = desk
        .list_villages(&admin())
        .await
        .unwrap()
        .into_iter()
        .filter(|v| v.name == "창동1리" || v.name == "창동2리")
        .map(|v| v.id)
        .collect();
    let b = NewBroadcast {
        title: "하천 범람 대피".into(),
        category: Category::Emergency,
        body: "보강천 수위가 높습니다. 하천변 주민은 마을회관으로 대피하세요.".into(),
        recording_id: None,
        targets: Targets::Villages(villages),
        channels: vec![Channel::Voice],
        emergency: true,
        send_at: None,
        poll: None,
        translations: Vec::new(),
    };
    desk.broadcast_send(&actor(Role::Operator, None), b)
        .await
        .unwrap()
        .id
}

/// Passes at `at` until nothing is left open (failed calls are not retried). Quiet hours
/// are off: the chiefs' lists are no emergency, and a run begun at 20:30 in Seoul would
/// otherwise hold them past 21:00.
async fn settle(desk: &Desk, sandbox: &Sandbox, at: Timestamp) {
    let policy = Policy {
        waits: Vec::new(),
        quiet: maeul_time::QuietHours::OFF,
        ..Policy::default()
    };
    for _ in 0..10 {
        tick(desk.db(), sandbox, &policy, at).await.unwrap();
        let (open,): (i64,) = maeul_db::query_as(
            "SELECT COUNT(*) FROM deliveries WHERE state IN ('pending', 'submitting', 'submitted')",
        )
        .fetch_one(desk.db())
        .await
        .unwrap();
        if open == 0 {
            return;
        }
    }
    panic!("deliveries still open");
}

#[tokio::test]
async fn unconfirmed_households_get_a_text_then_their_chiefs_a_call_list() {
    let desk = demo_desk().await;
    // A text-first household gets its text with the call and is not texted again (see
    // accessibility.rs); here every household hears the call alone.
    maeul_db::query("UPDATE subscribers SET text_first = FALSE")
        .execute(desk.db())
        .await
        .unwrap();
    desk.escalation_set(&admin(), ladder()).await.unwrap();
    let id = call_two_villages(&desk).await;
    let t0 = Timestamp::now();
    let sandbox = Sandbox::new();

    let steps = desk
        .broadcast_detail(&admin(), id)
        .await
        .unwrap()
        .escalation;
    let planned: Vec<(u32, Action, StepState)> =
        steps.iter().map(|s| (s.step, s.action, s.state)).collect();
    assert_eq!(
        planned,
        [
            (1, Action::Sms, StepState::Planned),
            (2, Action::Chief, StepState::Planned)
        ]
    );
    assert!(steps[0].due_at.is_some());

    settle(&desk, &sandbox, t0).await;
    let detail = desk.broadcast_detail(&admin(), id).await.unwrap();
    let c = detail.replies.confirmation;
    assert!(c.confirmed > 0 && c.unconfirmed > 0, "{c:?}");
    assert_eq!(
        detail.escalation[0].state,
        StepState::Planned,
        "not yet due"
    );

    // Ten minutes on: a text to every household that was called and did not press.
    settle(&desk, &sandbox, t0 + SignedDuration::from_mins(11)).await;
    let steps = desk
        .broadcast_detail(&admin(), id)
        .await
        .unwrap()
        .escalation;
    assert_eq!(steps[0].state, StepState::Done);
    assert_eq!(steps[1].state, StepState::Planned);
    let unconfirmed = desk
        .broadcast_detail(&admin(), id)
        .await
        .unwrap()
        .replies
        .confirmation;
    let engine = desk.db().engine();
    let (members, members2) = (
        maeul_db::dialect::json_each_as(engine, "d.subscribers", "j"),
        maeul_db::dialect::json_each_as(engine, "d2.subscribers", "j2"),
    );
    let failed_households: i64 = maeul_db::query_as::<(i64,)>(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(DISTINCT s.household_id) FROM deliveries d CROSS JOIN {members} \
         JOIN subscribers s ON s.id = CAST(j.value AS BIGINT) WHERE d.broadcast_id = $1 \
         AND d.state = 'failed' AND s.household_id NOT IN ( \
             SELECT s2.household_id FROM deliveries d2 CROSS JOIN {members2} \
             JOIN subscribers s2 ON s2.id = CAST(j2.value AS BIGINT) \
             WHERE d2.broadcast_id = $1 AND d2.state IN ('answered', 'listened'))"
    )))
    .bind(id)
    .fetch_one(desk.db())
    .await
    .unwrap()
    .0;
    assert_eq!(
        i64::from(steps[0].households.unwrap()),
        i64::from(unconfirmed.unconfirmed) + failed_households,
        "answered without a key, and never answered"
    );
    let child = steps[0].result_id.expect("the text broadcast");
    let text = desk.broadcast_detail(&admin(), child).await.unwrap();
    assert!(
        text.broadcast.title.starts_with("[재안내] "),
        "{}",
        text.broadcast.title
    );
    assert!(text.broadcast.emergency);
    // Texts only (a failed SMS may stand in as KakaoTalk, the usual fallback).
    assert!(text.channels.iter().any(|c| c.channel == Channel::Sms));
    assert!(text.channels.iter().all(|c| c.channel != Channel::Voice));
    assert!(text.escalation.is_empty(), "a text does not escalate again");

    // Thirty minutes on: the chiefs' call lists, one text per chief.
    settle(&desk, &sandbox, t0 + SignedDuration::from_mins(31)).await;
    let steps = desk
        .broadcast_detail(&admin(), id)
        .await
        .unwrap()
        .escalation;
    assert_eq!(steps[1].state, StepState::Done);
    let notice = steps[1].result_id.expect("the chiefs' notice");
    let (title, texts): (String, i64) = maeul_db::query_as(
        "SELECT b.title, (SELECT COUNT(*) FROM deliveries d WHERE d.broadcast_id = b.id) \
         FROM broadcasts b WHERE b.id = $1",
    )
    .bind(notice)
    .fetch_one(desk.db())
    .await
    .unwrap();
    assert!(title.starts_with("[확인 요청]"), "{title}");
    assert_eq!(texts, 2, "one text for each village's chief");
    let (body,): (String,) = maeul_db::query_as(
        "SELECT body FROM deliveries WHERE broadcast_id = $1 ORDER BY id LIMIT 1",
    )
    .bind(notice)
    .fetch_one(desk.db())
    .await
    .unwrap();
    assert!(body.contains("확인(번호 누름)이 없는 세대"), "{body}");
}

#[tokio::test]
async fn a_stopped_ladder_takes_no_step_and_only_senders_stop_it() {
    let desk = demo_desk().await;
    desk.escalation_set(&admin(), ladder()).await.unwrap();
    let id = call_two_villages(&desk).await;
    let t0 = Timestamp::now();
    let sandbox = Sandbox::new();
    settle(&desk, &sandbox, t0).await;

    let e = desk
        .broadcast_escalation_stop(&actor(Role::Auditor, None), id)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    let stopped = desk
        .broadcast_escalation_stop(&actor(Role::Operator, None), id)
        .await
        .unwrap();
    assert_eq!(stopped, 2);
    settle(&desk, &sandbox, t0 + SignedDuration::from_mins(40)).await;
    let steps = desk
        .broadcast_detail(&admin(), id)
        .await
        .unwrap()
        .escalation;
    assert!(
        steps
            .iter()
            .all(|s| s.state == StepState::Stopped && s.result_id.is_none())
    );
    assert_eq!(steps[0].stopped_by.as_deref(), Some("test-operator"));
    let (children,): (i64,) = maeul_db::query_as(
        "SELECT COUNT(*) FROM broadcasts WHERE parent_id = $1 AND purpose = 'resend'",
    )
    .bind(id)
    .fetch_one(desk.db())
    .await
    .unwrap();
    assert_eq!(children, 0);
}

#[tokio::test]
async fn the_ladders_are_the_offices_to_set_and_bad_steps_are_named() {
    let desk = demo_desk().await;
    let e = desk
        .escalation_set(&actor(Role::Operator, None), ladder())
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    let mut bad = ladder();
    bad.0.get_mut("emergency").unwrap()[1].after_mins = 5;
    let e = desk.escalation_set(&admin(), bad).await.unwrap_err();
    assert_eq!(e.field.as_deref(), Some("dispatch.escalation.emergency[2]"));
    assert!(
        desk.escalation_settings(&admin())
            .await
            .unwrap()
            .0
            .is_empty()
    );
    desk.escalation_set(&admin(), ladder()).await.unwrap();
    assert_eq!(desk.escalation_settings(&admin()).await.unwrap(), ladder());
    // The same value through the plain settings command is checked the same way.
    let e = desk
        .setting_set(
            &admin(),
            "dispatch.escalation",
            r#"{"emergency":[{"after_mins":0,"action":"sms"}]}"#,
        )
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("dispatch.escalation.emergency[1]"));
}

/// A step waits while the broadcast's keypad replies are still being asked for (Twilio
/// tells them from about 15 minutes after a call), so that no one who pressed 1 is texted;
/// half an hour past its time it goes anyway. One step a pass, in order.
#[tokio::test]
async fn a_step_waits_for_replies_still_coming_then_goes_after_its_grace() {
    let desk = demo_desk().await;
    desk.escalation_set(&admin(), ladder()).await.unwrap();
    let id = call_two_villages(&desk).await;
    let t0 = Timestamp::now();
    let sandbox = Sandbox::new();
    settle(&desk, &sandbox, t0).await;
    // One answered call whose reply the provider has not told yet.
    let far = maeul_dispatch::policy::stamp(t0 + SignedDuration::from_hours(2));
    maeul_db::query(
        "UPDATE deliveries SET reply_due_at = $2 WHERE id = (SELECT MIN(id) FROM deliveries \
         WHERE broadcast_id = $1 AND state IN ('answered', 'listened') AND reply_digit IS NULL)",
    )
    .bind(id)
    .bind(&far)
    .execute(desk.db())
    .await
    .unwrap();
    let states = |desk: &Desk| {
        let desk = desk.clone();
        async move {
            desk.broadcast_detail(&admin(), id)
                .await
                .unwrap()
                .escalation
                .iter()
                .map(|s| s.state)
                .collect::<Vec<_>>()
        }
    };
    settle(&desk, &sandbox, t0 + SignedDuration::from_mins(11)).await;
    assert_eq!(
        states(&desk).await,
        [StepState::Planned, StepState::Planned]
    );
    // Past 10 + 30 minutes the text goes; the chiefs' step waits for a later pass, and
    // (the reply still unknown) for its own grace, past 30 + 30.
    let policy = Policy {
        waits: Vec::new(),
        quiet: maeul_time::QuietHours::OFF,
        ..Policy::default()
    };
    let late = t0 + SignedDuration::from_mins(41);
    tick(desk.db(), &sandbox, &policy, late).await.unwrap();
    assert_eq!(states(&desk).await, [StepState::Done, StepState::Planned]);
    tick(desk.db(), &sandbox, &policy, late).await.unwrap();
    assert_eq!(states(&desk).await, [StepState::Done, StepState::Planned]);
    let later = t0 + SignedDuration::from_mins(61);
    tick(desk.db(), &sandbox, &policy, later).await.unwrap();
    assert_eq!(states(&desk).await, [StepState::Done, StepState::Done]);
}
