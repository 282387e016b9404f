//! A desk on the office server when the server goes away in the middle of the work: the
//! sync loop says the server is unreachable (not a generic error), the console stays on air
//! with its meters running, and when the server answers again the loop goes on sending by
//! itself. Always on PostgreSQL (a file cannot go away like this), in both passes.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use maeul_api::{Console, ConsoleEvent, Desk, OnAir, RecordingState, SyncLoop, SyncState};
use maeul_db::ServerUrl;
use maeul_dispatch::broadcast::{Category, NewBroadcast, Targets};
use maeul_dispatch::fanout::Channel;
use maeul_pg_cluster::Cluster;

use crate::console::{furnish, on_the_test_signal};
use crate::fixtures::{admin, village_id};

async fn wait_for(what: &str, limit: Duration, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !ok() {
        assert!(Instant::now() < deadline, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_desk_whose_server_goes_away_keeps_the_console_on_air_and_resumes() {
    let server = Cluster::start().unwrap();
    let url = server.create_database("office").unwrap();
    let desk = Desk::open_server(&ServerUrl::parse(&url).unwrap())
        .await
        .unwrap();
    furnish(&desk).await;
    desk.console_settings_set(&admin(), &on_the_test_signal())
        .await
        .unwrap();

    let statuses = Arc::new(Mutex::new(Vec::<SyncState>::new()));
    let seen = statuses.clone();
    let (sync, sync_task) = SyncLoop::new(desk.clone(), move |s| {
        seen.lock().unwrap().push(s.state);
    });
    let sync_task = tokio::spawn(sync_task);

    let (console, console_task) = Console::new(desk.clone());
    let console_task = tokio::spawn(console_task);
    let meters = Arc::new(Mutex::new(0u32));
    let finished = Arc::new(Mutex::new(None));
    let (m, f) = (meters.clone(), finished.clone());
    console.watch(move |e| match e {
        ConsoleEvent::Meter { .. } => *m.lock().unwrap() += 1,
        ConsoleEvent::Finished { recording } => *f.lock().unwrap() = Some(recording),
        _ => {}
    });
    console.open(&admin()).await.unwrap();
    let v = village_id(&desk, "창동1리").await;
    let on_air_id = console
        .go_on_air(
            &admin(),
            &OnAir {
                title: "마을 방송".into(),
                villages: vec![v],
                all_villages: false,
                replay: None,
            },
        )
        .await
        .unwrap();

    wait_for(
        "the loop idle on a server that answers",
        Duration::from_secs(20),
        || sync.status().state == SyncState::Idle,
    )
    .await;

    // The server goes away while the console is on air.
    server.stop().unwrap();
    sync.wake();
    wait_for("server unreachable shown", Duration::from_secs(20), || {
        sync.status().state == SyncState::ServerAway
    })
    .await;
    let detail = sync.status().detail.unwrap_or_default();
    assert!(
        detail.contains("사무실 서버에 연결할 수 없습니다"),
        "{detail}"
    );
    // The mixer goes on: meters keep arriving (about 30 a second) with the server away.
    let before = *meters.lock().unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let during = *meters.lock().unwrap() - before;
    assert!(during > 30, "meters while away: {during}");

    // Back: the loop finds the server by itself and sends what is queued after.
    server.restart().unwrap();
    wait_for("the loop back from away", Duration::from_secs(30), || {
        sync.status().state != SyncState::ServerAway
    })
    .await;
    console.stop(&admin(), false).unwrap();
    wait_for("the recording finished", Duration::from_secs(30), || {
        finished.lock().unwrap().is_some()
    })
    .await;
    let recording = finished.lock().unwrap().clone().unwrap();
    assert_eq!(recording.id, on_air_id);
    assert_eq!(recording.state, RecordingState::Ready);

    let sent = desk
        .broadcast_send(
            &admin(),
            NewBroadcast {
                title: "서버 복구 뒤".into(),
                category: Category::Admin,
                body: "오늘 오후 2시 군청 앞 도로 공사로 통행이 제한됩니다.".into(),
                recording_id: None,
                targets: Targets::All,
                channels: vec![Channel::Sms],
                emergency: false,
                send_at: None,
                poll: None,
                translations: Vec::new(),
            },
        )
        .await
        .unwrap();
    sync.wake();
    let deadline = Instant::now() + Duration::from_secs(30);
    while desk.sync_open().await.unwrap() > 0 {
        assert!(Instant::now() < deadline, "broadcast {} not sent", sent.id);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // The window heard of the outage (the shell forwards each change to it).
    let states = statuses.lock().unwrap().clone();
    assert!(states.contains(&SyncState::ServerAway), "{states:?}");

    sync.stop();
    console.shutdown();
    sync_task.await.unwrap();
    tokio::time::timeout(Duration::from_secs(10), console_task)
        .await
        .unwrap()
        .unwrap();
    desk.close().await;
}
