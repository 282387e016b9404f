//! Disaster drafts on the loudspeakers: the office's alarm recording replayed by the real
//! console engine (test-signal input, no sound device) to the villages a draft covers, by a
//! person or, for the feed's 위급재난, by itself.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use jiff::{Timestamp, ToSpan};
use maeul_api::{Console, ConsoleEvent, Desk, ErrorCode, RecordingRow, Role};
use maeul_dispatch::broadcast::{Category, Targets};
use maeul_dispatch::drafts::{self, DraftSource, NewDraft};
use maeul_dispatch::fanout::Channel;

use crate::console::{desk, on_the_test_signal, speech_wav};
use crate::fixtures::{actor, admin, village_id};

fn feed_draft(sn: &str, step: &str, villages: Vec<i64>) -> NewDraft {
    NewDraft {
        source: DraftSource::Feed,
        source_ref: sn.into(),
        event: "호우".into(),
        event_code: None,
        issuer: "행정안전부 재난문자".into(),
        title: format!("[{step}] 호우"),
        category: Category::Emergency,
        body: "하천 범람이 우려되니 즉시 대피하십시오.".into(),
        targets: Targets::Villages(villages),
        channels: vec![Channel::Voice, Channel::Sms],
        emergency: true,
        step: Some(step.into()),
        issued_at: None,
    }
}

async fn insert(desk: &Desk, d: &NewDraft, at: Timestamp) -> i64 {
    let mut tx = maeul_db::begin_write(desk.db()).await.unwrap();
    let (id, _) = drafts::insert(&mut tx, d, "feed", at).await.unwrap();
    tx.commit().await.unwrap();
    id
}

async fn draft(desk: &Desk, id: i64) -> drafts::Draft {
    drafts::get(&mut desk.db().acquire().await.unwrap(), id)
        .await
        .unwrap()
}

/// A console on no sound device, watched for finished recordings.
async fn console(desk: &Desk) -> (Console, Arc<Mutex<Vec<RecordingRow>>>) {
    desk.console_settings_set(&admin(), &on_the_test_signal())
        .await
        .unwrap();
    let (console, task) = Console::new(desk.clone());
    tokio::spawn(task);
    let finished = Arc::new(Mutex::new(Vec::new()));
    let f = finished.clone();
    console.watch(move |e| {
        if let ConsoleEvent::Finished { recording } = e {
            f.lock().unwrap().push(recording);
        }
    });
    (console, finished)
}

/// Waits until the console has finished `n` plays (the alarm clip ends by itself).
async fn played(finished: &Mutex<Vec<RecordingRow>>, n: usize) -> RecordingRow {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(r) = finished.lock().unwrap().get(n - 1).cloned() {
            return r;
        }
        assert!(Instant::now() < deadline, "play {n} never finished");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_critical_feed_draft_plays_on_its_villages_loudspeakers_by_itself_once() {
    let dir = tempfile::tempdir().unwrap();
    let desk = desk(dir.path()).await;
    let (console, finished) = console(&desk).await;
    let now = Timestamp::now();
    let yeontan = village_id(&desk, "연탄1리").await;
    let critical = insert(&desk, &feed_draft("9001", "위급재난", vec![yeontan]), now).await;
    let urgent = insert(&desk, &feed_draft("9002", "긴급재난", vec![yeontan]), now).await;
    let landslide = insert(&desk, &feed_draft("9003", "긴급재난", vec![yeontan]), now).await;

    // Nothing plays before the office chose a recording and switched it on.
    assert_eq!(console.auto_alarm(now).await.unwrap(), None);
    let e = desk.alarm_set(&admin(), None, true).await.unwrap_err();
    assert_eq!(e.field.as_deref(), Some("auto_critical"));
    let e = console.draft_on_air(&admin(), urgent).await.unwrap_err();
    assert_eq!(e.field.as_deref(), Some("recording"), "{}", e.message);
    assert!(e.message.contains("설정"), "{}", e.message);

    let wav = speech_wav(dir.path(), 1.5);
    let alarm = desk
        .recording_import(&admin(), &wav, "재난 안내 방송")
        .await
        .unwrap();
    // Who may not manage dispatch may not choose it.
    let e = desk
        .alarm_set(&actor(Role::Chief, Some(yeontan)), Some(alarm.id), true)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    desk.alarm_set(&admin(), Some(alarm.id), true)
        .await
        .unwrap();
    let s = desk.alarm_settings(&admin()).await.unwrap();
    assert_eq!(s.recording_id, Some(alarm.id));
    assert_eq!(s.recording_title.as_deref(), Some("재난 안내 방송"));
    assert!(s.auto_critical);

    // The 위급재난 plays, and only it: the 긴급재난 wait for a person.
    let rec = console.auto_alarm(now).await.unwrap().expect("it plays");
    assert_eq!(console.on_air(), Some(rec));
    assert_eq!(
        console.auto_alarm(now).await.unwrap(),
        None,
        "nothing more while on air"
    );
    // "보내기" while it plays: the calls and texts go, the loudspeakers are queued.
    let d = draft(&desk, urgent).await;
    let sent = console
        .draft_send(&admin(), d.id, d.version, None)
        .await
        .unwrap();
    assert!(sent.loudspeaker_queued, "{sent:?}");
    assert_eq!(sent.loudspeaker, None);
    assert_eq!(sent.loudspeaker_error, None);
    assert_eq!(draft(&desk, urgent).await.state, "sent");

    let r = played(&finished, 1).await;
    assert_eq!(r.id, rec);
    assert!(r.title.starts_with("재난 경보 · [위급재난]"), "{}", r.title);
    assert!(r.villages.contains("연탄1리"), "{}", r.villages);
    assert!(
        r.zone_sequence.starts_with('*'),
        "zone tones first: {}",
        r.zone_sequence
    );
    // The clip ends by itself: about its 1.5 s.
    assert!(
        (1_000..4_000).contains(&r.duration_ms.unwrap()),
        "{:?}",
        r.duration_ms
    );
    let d = draft(&desk, critical).await;
    assert_eq!(d.loudspeaker_by.as_deref(), Some("feed"));
    assert_eq!(d.loudspeaker_recording_id, Some(rec));
    assert_eq!(
        d.version, 1,
        "playing is not an edit: a send is not refused"
    );
    assert_eq!(d.state, "open", "calls and texts still wait for a person");
    // A desk whose banner still offers the loudspeakers is refused, not played twice.
    let e = console.draft_on_air(&admin(), critical).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict);
    assert!(e.message.contains("이미 확성기로"), "{}", e.message);

    // The next pass plays the queued one, once; the open 긴급재난 still waits.
    let queued = console
        .auto_alarm(now)
        .await
        .unwrap()
        .expect("queued plays");
    assert_eq!(played(&finished, 2).await.id, queued);
    assert_eq!(
        draft(&desk, urgent).await.loudspeaker_recording_id,
        Some(queued)
    );
    assert_eq!(console.auto_alarm(now).await.unwrap(), None, "played once");
    assert!(draft(&desk, landslide).await.loudspeaker_at.is_none());

    // "보내기" with the console free plays it on the loudspeakers with the calls.
    let d = draft(&desk, landslide).await;
    let sent = console
        .draft_send(&admin(), d.id, d.version, None)
        .await
        .unwrap();
    let rec3 = sent.loudspeaker.expect("the loudspeakers went with it");
    assert_eq!(sent.loudspeaker_error, None);
    assert_eq!(played(&finished, 3).await.id, rec3);
    let d = draft(&desk, landslide).await;
    assert_eq!(d.state, "sent");
    assert_eq!(d.broadcast_id, Some(sent.created.id));
    assert_eq!(d.loudspeaker_by, Some(admin().username));

    // The critical one sent later does not play a second time.
    let d = draft(&desk, critical).await;
    let sent = console
        .draft_send(&admin(), d.id, d.version, None)
        .await
        .unwrap();
    assert_eq!(sent.loudspeaker, None);
    assert!(!sent.loudspeaker_queued);
    assert_eq!(sent.loudspeaker_error, None);

    console.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn late_off_dismissed_or_unzoned_drafts_do_not_play() {
    let dir = tempfile::tempdir().unwrap();
    let desk = desk(dir.path()).await;
    let (console, _finished) = console(&desk).await;
    let wav = speech_wav(dir.path(), 1.0);
    let alarm = desk
        .recording_import(&admin(), &wav, "재난 안내 방송")
        .await
        .unwrap();
    let now = Timestamp::now();
    let v = village_id(&desk, "창동1리").await;

    // Switched off: a 위급재난 waits for a person.
    desk.alarm_set(&admin(), Some(alarm.id), false)
        .await
        .unwrap();
    let fresh = insert(&desk, &feed_draft("9101", "위급재난", vec![v]), now).await;
    assert_eq!(console.auto_alarm(now).await.unwrap(), None);
    // On, but the alarm is 31 minutes old by the time the desk looks: a person decides.
    desk.alarm_set(&admin(), Some(alarm.id), true)
        .await
        .unwrap();
    assert_eq!(console.auto_alarm(now + 31.minutes()).await.unwrap(), None);
    // Dismissed: neither by itself nor by hand.
    let d = draft(&desk, fresh).await;
    desk.draft_dismiss(&admin(), d.id, d.version).await.unwrap();
    assert_eq!(console.auto_alarm(now).await.unwrap(), None);
    let e = console.draft_on_air(&admin(), fresh).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict);

    // Issued two hours ago, taken in only now (the desk was off): a person decides.
    let mut old = feed_draft("9103", "위급재난", vec![v]);
    old.issued_at = Some(now - jiff::SignedDuration::from_hours(2));
    let late = insert(&desk, &old, now).await;
    assert_eq!(console.auto_alarm(now).await.unwrap(), None);
    assert!(draft(&desk, late).await.loudspeaker_at.is_none());

    // A village without a zone code cannot be opened: refused by name of the cause, and the
    // draft left to play once one is set.
    maeul_db::query("UPDATE villages SET zone_code = NULL WHERE id = $1")
        .bind(v)
        .execute(desk.db())
        .await
        .unwrap();
    let unzoned = insert(&desk, &feed_draft("9102", "위급재난", vec![v]), now).await;
    let e = console.auto_alarm(now).await.unwrap_err();
    assert_eq!(e.field.as_deref(), Some("villages"), "{}", e.message);
    assert!(draft(&desk, unzoned).await.loudspeaker_at.is_none());

    // The alarm recording is kept while it is the alarm; chosen away, it may go.
    let e = desk.recording_delete(&admin(), alarm.id).await.unwrap_err();
    assert!(e.message.contains("설정"), "{}", e.message);
    desk.alarm_set(&admin(), None, false).await.unwrap();
    desk.recording_delete(&admin(), alarm.id).await.unwrap();
    let e = console.draft_on_air(&admin(), unzoned).await.unwrap_err();
    assert_eq!(e.field.as_deref(), Some("recording"), "{}", e.message);
    console.shutdown();
}
