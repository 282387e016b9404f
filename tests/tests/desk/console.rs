use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use maeul_api::{
    Console, ConsoleEvent, ConsoleSettings, Desk, ErrorCode, OnAir, RecordingState, Role,
};
use maeul_dispatch::broadcast::{Category, NewBroadcast, Targets};
use maeul_dispatch::fanout::Channel;
use maeul_mixer::engine::DeviceChoice;

use crate::fixtures::{actor, admin, village_id};

/// A desk on a file (recordings go beside it) with the county's villages and a few residents.
pub(crate) async fn desk(dir: &std::path::Path) -> Desk {
    let desk = Desk::open(&dir.join("desk.db")).await.unwrap();
    furnish(&desk).await;
    desk
}

/// The county's villages, a few residents, and sends leaving whatever the hour.
pub(crate) async fn furnish(desk: &Desk) {
    let mut tx = maeul_db::begin_write(desk.db()).await.unwrap();
    maeul_registry::demo::seed_structure(&mut tx).await.unwrap();
    tx.commit().await.unwrap();
    desk.setting_set(&admin(), "dispatch.quiet_hours", "off")
        .await
        .unwrap();
    desk.import_registry(
        &admin(),
        &crate::fixtures::corpus("00_valid_cp949.csv"),
        Default::default(),
        false,
        &|_| {},
    )
    .await
    .unwrap();
}

/// The console on its test signal with no sound device and no chime: what a desk without a
/// sound card can run.
pub(crate) fn on_the_test_signal() -> ConsoleSettings {
    ConsoleSettings {
        devices: DeviceChoice {
            input: "test:speech".into(),
            line_out: "none".into(),
            monitor: "none".into(),
        },
        chime: false,
        ..ConsoleSettings::default()
    }
}

pub(crate) fn speech_wav(dir: &std::path::Path, secs: f32) -> std::path::PathBuf {
    let path = dir.join("announcement.wav");
    let x = maeul_mixer::speech::speech_like(21, secs, 0.05);
    maeul_mixer::clip::write_wav16(&path, &x, 48_000).unwrap();
    path
}

fn on_air(villages: Vec<i64>) -> OnAir {
    OnAir {
        title: "마을 방송".into(),
        villages,
        all_villages: false,
        replay: None,
    }
}

async fn rows(desk: &Desk) -> i64 {
    let (n,): (i64,) = maeul_db::query_as("SELECT COUNT(*) FROM recordings")
        .fetch_one(desk.db())
        .await
        .unwrap();
    n
}

#[tokio::test]
async fn who_may_go_on_air_where_is_checked_in_rust() {
    let dir = tempfile::tempdir().unwrap();
    let desk = desk(dir.path()).await;
    let own = village_id(&desk, "연탄1리").await;
    let other = village_id(&desk, "창동1리").await;
    let chief = actor(Role::Chief, Some(own));

    // A chief opens their own village's loudspeakers, and nobody else's, nor all of them.
    let begun = desk
        .recording_begin(&chief, &on_air(vec![own]))
        .await
        .unwrap();
    assert!(begun.program.zone_tones.is_some());
    assert!(begun.program.line_out);
    let e = desk
        .recording_begin(&chief, &on_air(vec![other]))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::OutOfScope);
    let e = desk
        .recording_begin(
            &chief,
            &OnAir {
                all_villages: true,
                ..on_air(vec![])
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::OutOfScope);
    // The auditor listens; the living-lab coordinator has no console at all.
    let e = desk
        .recording_begin(&actor(Role::Auditor, None), &on_air(vec![]))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    assert!(
        desk.recording_list(&actor(Role::Auditor, None))
            .await
            .is_ok()
    );
    let e = desk
        .recording_list(&actor(Role::Livinglab, None))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    // A trainer goes on air only in practice mode, and then nothing reaches a village.
    let trainer = actor(Role::Trainer, None);
    let e = desk
        .recording_begin(&trainer, &on_air(vec![other]))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    let trainer = desk.set_practice_mode(&trainer, true).await.unwrap();
    let practice = desk
        .recording_begin(&trainer, &on_air(vec![other]))
        .await
        .unwrap();
    assert!(
        practice.program.zone_tones.is_none(),
        "no zone tones in practice"
    );
    assert!(!practice.program.line_out, "no line-out in practice");
    let (flag,): (bool,) = maeul_db::query_as("SELECT practice FROM recordings WHERE id = $1")
        .bind(practice.id)
        .fetch_one(desk.db())
        .await
        .unwrap();
    assert!(flag);
    // Each attempt that was allowed left a row and an audit entry; the refused ones none.
    assert_eq!(rows(&desk).await, 2);
    let (audited,): (i64,) =
        maeul_db::query_as("SELECT COUNT(*) FROM audit_log WHERE action = 'recording.start'")
            .fetch_one(desk.db())
            .await
            .unwrap();
    assert_eq!(audited, 2);
    // A chief sees only their village's recordings.
    let mine = desk.recording_list(&chief).await.unwrap();
    assert_eq!(
        mine.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![begun.id]
    );
}

#[tokio::test]
async fn bad_requests_are_refused_by_field_and_store_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let desk = desk(dir.path()).await;
    let v = village_id(&desk, "창동1리").await;
    // A village without a zone code is named.
    maeul_db::query("UPDATE villages SET zone_code = NULL WHERE id = $1")
        .bind(v)
        .execute(desk.db())
        .await
        .unwrap();
    let e = desk
        .recording_begin(&admin(), &on_air(vec![v]))
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("villages"));
    assert!(
        e.message.contains("창동1리") && e.message.contains("구역 코드"),
        "{}",
        e.message
    );
    let e = desk
        .recording_begin(
            &admin(),
            &OnAir {
                title: "  ".into(),
                ..on_air(vec![])
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("title"));
    // A file that is not audio: named, nothing stored.
    let junk = dir.path().join("안내.mp3");
    std::fs::write(&junk, "not audio").unwrap();
    let e = desk
        .recording_import(&admin(), &junk, "안내")
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("file"));
    assert!(e.message.contains("안내.mp3"), "{}", e.message);
    assert_eq!(rows(&desk).await, 0);
    // Console settings by field.
    let mut s = ConsoleSettings::default();
    s.chain.gain_db = 40.0;
    assert_eq!(
        desk.console_settings_set(&admin(), &s)
            .await
            .unwrap_err()
            .field
            .as_deref(),
        Some("gain_db")
    );
    let s = ConsoleSettings {
        zone_all: "12-3".into(),
        ..ConsoleSettings::default()
    };
    assert_eq!(
        desk.console_settings_set(&admin(), &s)
            .await
            .unwrap_err()
            .field
            .as_deref(),
        Some("zone_all")
    );
}

#[tokio::test]
async fn an_imported_recording_goes_out_on_voice_calls_and_is_kept_while_they_are() {
    let dir = tempfile::tempdir().unwrap();
    let desk = desk(dir.path()).await;
    let wav = speech_wav(dir.path(), 4.0);
    let r = desk
        .recording_import(&admin(), &wav, "대청소 안내")
        .await
        .unwrap();
    assert_eq!(r.state, RecordingState::Ready);
    assert!((r.archive_lufs.unwrap() + 23.0).abs() < 1.0);
    assert!((r.telephony_dbm0.unwrap() + 19.0).abs() < 1.0);
    assert!(std::path::Path::new(&r.telephony_path).starts_with(dir.path().join("recordings")));

    let own = village_id(&desk, "연탄1리").await;
    let b = NewBroadcast {
        title: "대청소".into(),
        category: Category::VillageNews,
        body: "내일 대청소가 있습니다.".into(),
        recording_id: Some(r.id),
        targets: Targets::Villages(vec![own]),
        channels: vec![Channel::Voice],
        emergency: false,
        send_at: None,
        poll: None,
        translations: Vec::new(),
    };
    // Another village's chief may not attach it.
    let chief = actor(Role::Chief, Some(own));
    let e = desk.broadcast_send(&chief, b.clone()).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::OutOfScope);
    let sent = desk.broadcast_send(&admin(), b).await.unwrap();
    let (path, rid): (Option<String>, Option<i64>) =
        maeul_db::query_as("SELECT recording, recording_id FROM broadcasts WHERE id = $1")
            .bind(sent.id)
            .fetch_one(desk.db())
            .await
            .unwrap();
    assert_eq!(
        path.as_deref(),
        Some(r.telephony_path.as_str()),
        "voice calls play the telephone rendition"
    );
    assert_eq!(rid, Some(r.id));
    // Not deleted while calls that play it are still to go out; after they are cancelled, yes.
    let e = desk.recording_delete(&admin(), r.id).await.unwrap_err();
    assert!(e.message.contains("보내는 중"), "{}", e.message);
    desk.broadcast_cancel(&admin(), sent.id).await.unwrap();
    desk.recording_delete(&admin(), r.id).await.unwrap();
    assert!(!std::path::Path::new(&r.archive_path).exists());
    assert!(desk.recording_list(&admin()).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_recording_a_crash_interrupted_is_finished_at_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let desk = desk(dir.path()).await;
    let begun = desk
        .recording_begin(&admin(), &on_air(vec![]))
        .await
        .unwrap();
    // Two seconds recorded live, then the process dies: nothing is closed or finished.
    let mut rec = maeul_mixer::recorder::Recorder::create(begun.paths.clone(), true, &[]).unwrap();
    let voice = maeul_mixer::speech::speech_like(5, 2.0, 0.05);
    for c in voice.chunks(480) {
        rec.write(c, 0..c.len()).unwrap();
    }
    std::mem::forget(rec);
    assert_eq!(desk.recordings_recover().await.unwrap(), (1, 0));
    let r = desk.recording_get(&admin(), begun.id).await.unwrap();
    assert_eq!(r.state, RecordingState::Recovered);
    assert!(
        r.note.as_deref().unwrap_or("").contains("복구"),
        "{:?}",
        r.note
    );
    assert!(r.duration_ms.unwrap() >= 1_900);
    assert_eq!(
        desk.recordings_recover().await.unwrap(),
        (0, 0),
        "only once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_records_live_from_the_test_signal_and_stores_what_it_measured() {
    let dir = tempfile::tempdir().unwrap();
    let desk = desk(dir.path()).await;
    desk.console_settings_set(&admin(), &on_the_test_signal())
        .await
        .unwrap();
    let (console, task) = Console::new(desk.clone());
    let task = tokio::spawn(task);
    let finished = Arc::new(Mutex::new(None));
    let meters = Arc::new(Mutex::new(0u32));
    let (f, m) = (finished.clone(), meters.clone());
    console.watch(move |e| match e {
        ConsoleEvent::Finished { recording } => *f.lock().unwrap() = Some(recording),
        ConsoleEvent::Meter { .. } => *m.lock().unwrap() += 1,
        _ => {}
    });
    // An auditor looks without opening the microphone.
    let looked = console.open(&actor(Role::Auditor, None)).await.unwrap();
    assert!(looked.status.is_none());
    let state = console.open(&admin()).await.unwrap();
    let status = state.status.expect("the engine runs for who may go on air");
    assert!(status.input.ok, "{:?}", status.input);
    let v = village_id(&desk, "창동1리").await;
    let id = console.go_on_air(&admin(), &on_air(vec![v])).await.unwrap();
    let e = console
        .go_on_air(&admin(), &on_air(vec![]))
        .await
        .unwrap_err();
    assert_eq!(
        e.field.as_deref(),
        Some("on_air"),
        "one broadcast at a time"
    );
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    console.stop(&admin(), false).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let r = loop {
        if let Some(r) = finished.lock().unwrap().clone() {
            break r;
        }
        assert!(Instant::now() < deadline, "never finished");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(r.id, id);
    assert_eq!(r.state, RecordingState::Ready);
    assert!(r.zone_sequence.starts_with('*'), "{}", r.zone_sequence);
    assert!(
        (1_000..3_500).contains(&r.duration_ms.unwrap()),
        "{:?}",
        r.duration_ms
    );
    assert!(
        (r.archive_lufs.unwrap() + 23.0).abs() < 1.5,
        "{:?}",
        r.archive_lufs
    );
    assert!(
        *meters.lock().unwrap() > 30,
        "meters arrive ~30 times a second"
    );
    console.shutdown();
    tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn the_countys_own_chimes_replace_the_built_in_ones_and_bad_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let desk = desk(dir.path()).await;
    let own = dir.path().join("군청 차임.wav");
    maeul_mixer::clip::write_wav16(
        &own,
        &maeul_mixer::chime::synthesise(&[523.25, 659.25]),
        48_000,
    )
    .unwrap();
    let s = ConsoleSettings {
        chime_before: Some(own.display().to_string()),
        ..ConsoleSettings::default()
    };
    desk.console_settings_set(&admin(), &s).await.unwrap();
    let begun = desk
        .recording_begin(&admin(), &on_air(vec![]))
        .await
        .unwrap();
    let two_notes = maeul_mixer::chime::synthesise(&[523.25, 659.25]).len();
    assert_eq!(
        begun.program.chime_before.as_ref().unwrap().len(),
        two_notes
    );
    assert_eq!(
        begun.program.chime_after.as_ref().unwrap().len(),
        maeul_mixer::chime::builtin().after.len(),
        "the closing chime stays the built-in one"
    );
    // A file that is not audio is refused by its field; the stored chime stays.
    let junk = dir.path().join("차임.mp3");
    std::fs::write(&junk, "not audio").unwrap();
    let bad = ConsoleSettings {
        chime_after: Some(junk.display().to_string()),
        ..s.clone()
    };
    let e = desk.console_settings_set(&admin(), &bad).await.unwrap_err();
    assert_eq!(e.field.as_deref(), Some("chime_after"));
    assert!(e.message.contains("차임.mp3"), "{}", e.message);
    assert_eq!(desk.console_settings(&admin()).await.unwrap(), s);
}

/// The console's stored settings (devices, line-out, levels, chime files) are the desk's,
/// used by every county broadcast: only who sends county-wide sets them — not a chief (one
/// village) nor a trainer (practice only). A chime can be any file path, played first.
#[tokio::test]
async fn desk_wide_console_settings_belong_to_county_senders() {
    let dir = tempfile::tempdir().unwrap();
    let desk = desk(dir.path()).await;
    let village = village_id(&desk, "연탄1리").await;
    let before = desk.console_settings(&admin()).await.unwrap();
    let changed = ConsoleSettings {
        chime: !before.chime,
        ..before.clone()
    };
    for who in [
        actor(Role::Chief, Some(village)),
        actor(Role::Trainer, None),
    ] {
        let e = desk.console_settings_set(&who, &changed).await.unwrap_err();
        assert!(
            matches!(e.code, ErrorCode::Forbidden | ErrorCode::OutOfScope),
            "{:?}: {e:?}",
            who.role
        );
    }
    assert_eq!(desk.console_settings(&admin()).await.unwrap(), before);
    desk.console_settings_set(&actor(Role::Operator, None), &changed)
        .await
        .unwrap();
    assert_eq!(desk.console_settings(&admin()).await.unwrap(), changed);
}
